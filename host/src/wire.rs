//! Header parsing for Ethernet, 802.1Q/QinQ, IPv4, IPv6 and TCP/UDP, with
//! nom. Only what the host needs to locate fields: offsets and lengths,
//! validated against the frame.

use nom::IResult;
use nom::bytes::complete::take;
use nom::number::complete::{be_u8, be_u16};

/// Where the headers of a frame are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Headers {
    pub l3: usize,
    pub ip: Ip,
    /// End of the IP packet (the frame may carry padding after it).
    pub ip_end: usize,
    pub l4: usize,
    /// IP protocol / final next header.
    pub proto: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ip {
    V4 { header_len: usize },
    V6,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("frame too short for its headers")]
    Truncated,
    #[error("EtherType {0:#06x} is not IP")]
    NotIp(u16),
    #[error("IPv4 header length {0} is invalid")]
    BadIhl(usize),
    #[error("IP length field says {claimed} bytes, frame holds {available}")]
    BadLength { claimed: usize, available: usize },
    #[error("IPv4 fragment")]
    Fragment,
    #[error("IPv6 next header {0} is not walked")]
    UnknownExtension(u8),
}

const VLAN_TPIDS: [u16; 2] = [0x8100, 0x88A8];
const IPV6_WALKED: [u8; 3] = [0, 43, 60];

fn ethertype(input: &[u8]) -> IResult<&[u8], u16> {
    let (mut rest, _) = take(12usize)(input)?;
    loop {
        let (r, t) = be_u16(rest)?;
        if !VLAN_TPIDS.contains(&t) {
            return Ok((r, t));
        }
        let (r, _tci) = be_u16(r)?;
        rest = r;
    }
}

fn truncated<T>(_: nom::Err<nom::error::Error<&[u8]>>) -> Result<T, WireError> {
    Err(WireError::Truncated)
}

/// Locates the L3 and L4 headers of an Ethernet frame.
pub fn headers(frame: &[u8]) -> Result<Headers, WireError> {
    let (rest, et) = ethertype(frame).or_else(truncated)?;
    let l3 = frame.len() - rest.len();
    match et {
        0x0800 => ipv4(frame, l3),
        0x86DD => ipv6(frame, l3),
        other => Err(WireError::NotIp(other)),
    }
}

fn ipv4(frame: &[u8], l3: usize) -> Result<Headers, WireError> {
    let p = &frame[l3..];
    let (r, vihl) = be_u8::<_, nom::error::Error<&[u8]>>(p).or_else(truncated)?;
    let header_len = usize::from(vihl & 0x0F) * 4;
    if vihl >> 4 != 4 || header_len < 20 {
        return Err(WireError::BadIhl(header_len));
    }
    let (r, _tos) = be_u8::<_, nom::error::Error<&[u8]>>(r).or_else(truncated)?;
    let (r, total) = be_u16::<_, nom::error::Error<&[u8]>>(r).or_else(truncated)?;
    let (r, _id) = be_u16::<_, nom::error::Error<&[u8]>>(r).or_else(truncated)?;
    let (r, frag) = be_u16::<_, nom::error::Error<&[u8]>>(r).or_else(truncated)?;
    let (_, (_ttl, proto)) =
        nom::sequence::pair(be_u8::<_, nom::error::Error<&[u8]>>, be_u8)(r).or_else(truncated)?;
    let total = usize::from(total);
    if total < header_len || l3 + total > frame.len() {
        return Err(WireError::BadLength {
            claimed: total,
            available: frame.len() - l3,
        });
    }
    if frag & 0x3FFF != 0 {
        return Err(WireError::Fragment);
    }
    Ok(Headers {
        l3,
        ip: Ip::V4 { header_len },
        ip_end: l3 + total,
        l4: l3 + header_len,
        proto,
    })
}

fn ipv6(frame: &[u8], l3: usize) -> Result<Headers, WireError> {
    let p = frame.get(l3..l3 + 40).ok_or(WireError::Truncated)?;
    let payload = usize::from(u16::from_be_bytes([p[4], p[5]]));
    let end = l3 + 40 + payload;
    if p[0] >> 4 != 6 || end > frame.len() {
        return Err(WireError::BadLength {
            claimed: 40 + payload,
            available: frame.len() - l3,
        });
    }
    let (mut next, mut at) = (p[6], l3 + 40);
    while IPV6_WALKED.contains(&next) {
        let (_, (nh, len)) = nom::sequence::pair(be_u8::<_, nom::error::Error<&[u8]>>, be_u8)(
            frame.get(at..end).ok_or(WireError::Truncated)?,
        )
        .or_else(truncated)?;
        next = nh;
        at += 8 * (usize::from(len) + 1);
    }
    if at > end {
        return Err(WireError::Truncated);
    }
    if next == 44 {
        return Err(WireError::UnknownExtension(next));
    }
    Ok(Headers {
        l3,
        ip: Ip::V6,
        ip_end: end,
        l4: at,
        proto: next,
    })
}

/// The ones' complement sum of the IP pseudo-header for a segment of
/// `len` bytes, not folded.
pub fn pseudo_header_sum(frame: &[u8], h: &Headers, len: usize) -> u64 {
    let addrs = match h.ip {
        Ip::V4 { .. } => &frame[h.l3 + 12..h.l3 + 20],
        Ip::V6 => &frame[h.l3 + 8..h.l3 + 40],
    };
    let words: u64 = addrs
        .chunks_exact(2)
        .map(|w| u64::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    words + u64::from(h.proto) + len as u64
}
