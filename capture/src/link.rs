//! Reframing packets of other link types as Ethernet II, the only framing
//! the hardware takes: the link header is replaced by a 14-byte Ethernet
//! header carrying the EtherType it implies.

use super::SkipReason;

/// Made-up addresses for frames whose capture has none: locally
/// administered, so they can never be mistaken for a real NIC.
pub const SYNTH_SRC_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
pub const SYNTH_DST_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
/// Below this, the SLL protocol field is not an EtherType but e.g. 802.2
/// LLC (4) or CAN (0x0c).
const MIN_ETHERTYPE: u16 = 0x0600;
const ETHERNET_HEADER_LEN: usize = 14;

/// The link types that can become Ethernet.
#[derive(Clone, Copy)]
enum Link {
    Ethernet,
    /// Linux cooked capture v1 (`any` device).
    Sll,
    Sll2,
    /// IP with no link header, version in the first nibble.
    RawIp,
    Ipv4,
    Ipv6,
    /// BSD loopback, address family in the capturing host's byte order.
    Null,
    /// OpenBSD loopback, address family in network byte order.
    Loop,
}

impl Link {
    fn of(link_type: u32) -> Option<Link> {
        Some(match link_type {
            1 => Link::Ethernet,
            113 => Link::Sll,
            276 => Link::Sll2,
            // 12 and 14 are the DLT_RAW values some writers put in files.
            12 | 14 | 101 => Link::RawIp,
            228 => Link::Ipv4,
            229 => Link::Ipv6,
            0 => Link::Null,
            108 => Link::Loop,
            _ => return None,
        })
    }

    fn header_len(self) -> usize {
        match self {
            Link::Ethernet | Link::RawIp | Link::Ipv4 | Link::Ipv6 => 0,
            Link::Null | Link::Loop => 4,
            Link::Sll => 16,
            Link::Sll2 => 20,
        }
    }
}

pub(super) fn is_supported(link_type: u32) -> bool {
    Link::of(link_type).is_some()
}

/// A packet reframed as Ethernet.
pub(super) struct Ethernet {
    pub data: Vec<u8>,
    /// Bytes of Ethernet header made up.
    pub added: usize,
    /// Bytes of the original link header dropped.
    removed: usize,
}

impl Ethernet {
    /// The wire length of the reframed packet, given the original one.
    pub fn reframed_len(&self, orig_len: u32) -> u32 {
        let len = u64::from(orig_len) + self.added as u64 - self.removed as u64;
        u32::try_from(len).unwrap_or(u32::MAX)
    }
}

pub(super) fn to_ethernet(link_type: u32, data: &[u8]) -> Result<Ethernet, SkipReason> {
    let link = Link::of(link_type).ok_or(SkipReason::UnsupportedLinkType(link_type))?;
    let removed = link.header_len();
    let too_short = || SkipReason::TooShort {
        link_type,
        caplen: data.len(),
    };
    let unsupported = |protocol| SkipReason::UnsupportedProtocol {
        link_type,
        protocol,
    };
    let (header, payload) = data.split_at_checked(removed).ok_or_else(too_short)?;
    let be16 = |at: usize| u16::from_be_bytes([header[at], header[at + 1]]);
    let mut src = SYNTH_SRC_MAC;
    let ethertype = match link {
        Link::Ethernet => {
            return Ok(Ethernet {
                data: data.to_vec(),
                added: 0,
                removed,
            });
        }
        Link::Sll | Link::Sll2 => {
            let (protocol, addr_len, addr) = match link {
                Link::Sll => (be16(14), be16(4), &header[6..14]),
                _ => (be16(0), u16::from(header[11]), &header[12..20]),
            };
            // The link-layer address is the sender's, whatever the direction.
            if addr_len == 6 {
                src.copy_from_slice(&addr[..6]);
            }
            if protocol < MIN_ETHERTYPE {
                return Err(unsupported(u32::from(protocol)));
            }
            protocol
        }
        Link::RawIp => match payload.first().map(|b| b >> 4) {
            Some(4) => ETHERTYPE_IPV4,
            Some(6) => ETHERTYPE_IPV6,
            Some(version) => return Err(unsupported(u32::from(version))),
            None => return Err(too_short()),
        },
        Link::Ipv4 => ETHERTYPE_IPV4,
        Link::Ipv6 => ETHERTYPE_IPV6,
        Link::Null | Link::Loop => {
            let b = [header[0], header[1], header[2], header[3]];
            let be = u32::from_be_bytes(b);
            // The capturing host's order is unknown: families are small
            // numbers, so the order giving a known one is the right one.
            let family = match link {
                Link::Loop => be,
                _ if address_family(be).is_some() => be,
                _ => u32::from_le_bytes(b),
            };
            address_family(family).ok_or_else(|| unsupported(family))?
        }
    };
    let mut frame = Vec::with_capacity(ETHERNET_HEADER_LEN + payload.len());
    frame.extend_from_slice(&SYNTH_DST_MAC);
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&ethertype.to_be_bytes());
    frame.extend_from_slice(payload);
    Ok(Ethernet {
        data: frame,
        added: ETHERNET_HEADER_LEN,
        removed,
    })
}

/// The EtherType of an AF_INET or AF_INET6 value, for every BSD flavour
/// and Linux.
fn address_family(family: u32) -> Option<u16> {
    match family {
        2 => Some(ETHERTYPE_IPV4),
        10 | 24 | 28 | 30 => Some(ETHERTYPE_IPV6),
        _ => None,
    }
}
