//! `rx_checksum`: one verdict record per received frame.
//!
//! # What the block checks
//!
//! Offsets below are bytes from the start of the frame `f` of length `n`.
//!
//! 1. **Link layer.** Needs `n >= 14`. The EtherType at 12 may be a VLAN TPID
//!    ([`VLAN_TPIDS`]); each tag moves the next EtherType 4 bytes on. At most
//!    [`MAX_VLAN_TAGS`] tags are walked; a third TPID means "not walked". The
//!    L3 header starts at `l3 = 14 + 4 * tags`.
//! 2. **IPv4** (EtherType 0x0800). The header verdict is given when the
//!    version is 4, `ihl >= 5` and the `4 * ihl` header bytes are in the
//!    frame: `Ok` when their ones' complement sum is 0xFFFF, else `Bad`.
//!    The segment is `[l3 + 4 * ihl, l3 + total_length)`; it is checked only
//!    when the header verdict exists, `total_length >= 4 * ihl`, the packet
//!    is not a fragment (MF = 0 and offset = 0) and the segment lies inside
//!    the frame. Bytes after `l3 + total_length` (Ethernet padding) are never
//!    summed.
//! 3. **IPv6** (EtherType 0x86DD). Needs version 6, the 40-byte header in
//!    the frame and a non-zero payload length (no jumbograms). Extension
//!    headers hop-by-hop (0), routing (43) and destination options (60) are
//!    walked, any number of them, each `8 * (hdr_ext_len + 1)` bytes, as long
//!    as the first two bytes of each lie within the first [`MAX_WALK`] bytes
//!    of the frame. A
//!    fragment header (44) or any other next header ends the walk with no
//!    L4 verdict. The segment is `[l4, l3 + 40 + payload_length)`.
//! 4. **TCP** (6) segments of at least 20 bytes and **UDP** (17) datagrams of
//!    at least 8 bytes whose UDP length equals the segment length get an L4
//!    verdict: `Ok` when the ones' complement sum of the pseudo-header
//!    (source and destination address, protocol, segment length) and the
//!    segment is 0xFFFF, else `Bad`. A UDP checksum field of 0 means "no
//!    checksum": `Zero` over IPv4, `Bad` over IPv6 (RFC 8200 section 8.1).
//!
//! Anything the block does not walk gets `None`, never a guess. A record also
//! carries the L3 kind named by the EtherType, the L4 protocol it found, the
//! frame's `user` flag and the frame length (saturating at
//! [`crate::stream::OFFSET_MAX`]).

use crate::field::{Field, layout_is_sound};

/// EtherTypes that announce a VLAN tag: 802.1Q and 802.1ad (QinQ).
pub const VLAN_TPIDS: [u16; 2] = [0x8100, 0x88A8];
pub const MAX_VLAN_TAGS: usize = 2;
pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETHERTYPE_IPV6: u16 = 0x86DD;
/// IPv6 next-header values the walker steps over.
pub const IPV6_EXT_WALKED: [u8; 3] = [0, 43, 60];
pub const PROTO_TCP: u8 = 6;
pub const PROTO_UDP: u8 = 17;

/// An IPv6 extension header at offset `o` is walked only if `o + 2 <=
/// MAX_WALK`. The block buffers this much of a frame while it walks.
pub const MAX_WALK: u32 = 256;

/// Width of a verdict record in bits.
pub const RECORD_BITS: u32 = 32;

pub const FIELD_IP: Field = Field::new("ip", 0, 2);
pub const FIELD_L4: Field = Field::new("l4", 2, 2);
pub const FIELD_PROTO: Field = Field::new("proto", 4, 2);
pub const FIELD_L3: Field = Field::new("l3", 6, 2);
pub const FIELD_USER: Field = Field::new("user", 8, 1);
pub const FIELD_LEN: Field = Field::new("len", 15, 17);

pub const FIELDS: [Field; 6] = [
    FIELD_IP,
    FIELD_L4,
    FIELD_PROTO,
    FIELD_L3,
    FIELD_USER,
    FIELD_LEN,
];

const _: () = assert!(layout_is_sound(&FIELDS, RECORD_BITS));
const _: () = assert!(FIELD_LEN.width == crate::stream::OFFSET_BITS);

/// IPv4 header checksum verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum IpVerdict {
    None = 0,
    Ok = 1,
    Bad = 2,
}

/// TCP/UDP checksum verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum L4Verdict {
    None = 0,
    Ok = 1,
    Bad = 2,
    /// UDP over IPv4 sent without a checksum.
    Zero = 3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum L4Proto {
    Other = 0,
    Tcp = 1,
    Udp = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum L3Kind {
    Other = 0,
    Ipv4 = 1,
    Ipv6 = 2,
}

/// One decoded verdict record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Verdict {
    pub l3: L3Kind,
    pub ip: IpVerdict,
    pub proto: L4Proto,
    pub l4: L4Verdict,
    pub user: bool,
    pub len: u32,
}

/// A record with a code no enum names: the hardware produced garbage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadRecord {
    pub field: &'static str,
    pub raw: u32,
}

impl std::fmt::Display for BadRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "verdict record {:#010x}: invalid {} code",
            self.raw, self.field
        )
    }
}

impl std::error::Error for BadRecord {}

impl Verdict {
    pub fn pack(&self) -> u32 {
        let len = u64::from(self.len.min(crate::stream::OFFSET_MAX));
        let mut w = 0;
        for (f, v) in [
            (FIELD_IP, self.ip as u64),
            (FIELD_L4, self.l4 as u64),
            (FIELD_PROTO, self.proto as u64),
            (FIELD_L3, self.l3 as u64),
            (FIELD_USER, u64::from(self.user)),
            (FIELD_LEN, len),
        ] {
            w = f.put(w, v).expect("every code fits its field");
        }
        w as u32
    }

    pub fn unpack(raw: u32) -> Result<Self, BadRecord> {
        let w = u64::from(raw);
        let bad = |field: Field| BadRecord {
            field: field.name,
            raw,
        };
        Ok(Self {
            ip: match FIELD_IP.get(w) {
                0 => IpVerdict::None,
                1 => IpVerdict::Ok,
                2 => IpVerdict::Bad,
                _ => return Err(bad(FIELD_IP)),
            },
            l4: match FIELD_L4.get(w) {
                0 => L4Verdict::None,
                1 => L4Verdict::Ok,
                2 => L4Verdict::Bad,
                _ => L4Verdict::Zero,
            },
            proto: match FIELD_PROTO.get(w) {
                0 => L4Proto::Other,
                1 => L4Proto::Tcp,
                2 => L4Proto::Udp,
                _ => return Err(bad(FIELD_PROTO)),
            },
            l3: match FIELD_L3.get(w) {
                0 => L3Kind::Other,
                1 => L3Kind::Ipv4,
                2 => L3Kind::Ipv6,
                _ => return Err(bad(FIELD_L3)),
            },
            user: FIELD_USER.get(w) != 0,
            len: FIELD_LEN.get(w) as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let v = Verdict {
            l3: L3Kind::Ipv6,
            ip: IpVerdict::None,
            proto: L4Proto::Udp,
            l4: L4Verdict::Zero,
            user: true,
            len: 9018,
        };
        assert_eq!(Verdict::unpack(v.pack()), Ok(v));
    }

    #[test]
    fn unknown_codes_are_reported() {
        assert_eq!(
            Verdict::unpack(3),
            Err(BadRecord {
                field: "ip",
                raw: 3
            })
        );
    }
}
