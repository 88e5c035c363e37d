//! What `rx_checksum` must say about a frame (rules in [`spec::rx_csum`]).

use crate::csum;
use spec::rx_csum::{
    ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPV6_EXT_WALKED, IpVerdict, L3Kind, L4Proto, L4Verdict,
    MAX_VLAN_TAGS, MAX_WALK, PROTO_TCP, PROTO_UDP, VLAN_TPIDS, Verdict,
};
use spec::stream::OFFSET_MAX;

fn be16(f: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*f.get(at)?, *f.get(at + 1)?]))
}

/// Where the L4 segment is and what it carries.
struct Segment<'a> {
    proto: L4Proto,
    /// Address bytes of the pseudo-header.
    addrs: &'a [u8],
    body: &'a [u8],
    ipv6: bool,
}

/// The verdict for one frame; `user` is the frame's error flag.
pub fn verdict(f: &[u8], user: bool) -> Verdict {
    let mut v = Verdict {
        l3: L3Kind::Other,
        ip: IpVerdict::None,
        proto: L4Proto::Other,
        l4: L4Verdict::None,
        user,
        len: f.len().min(OFFSET_MAX as usize) as u32,
    };
    let Some((ethertype, l3)) = link_layer(f) else {
        return v;
    };
    let segment = match ethertype {
        ETHERTYPE_IPV4 => {
            v.l3 = L3Kind::Ipv4;
            let (ip, segment) = ipv4(f, l3);
            v.ip = ip;
            segment
        }
        ETHERTYPE_IPV6 => {
            v.l3 = L3Kind::Ipv6;
            ipv6(f, l3)
        }
        _ => None,
    };
    if let Some(s) = segment {
        v.proto = s.proto;
        v.l4 = l4_verdict(&s);
    }
    v
}

/// The EtherType after at most two VLAN tags, and where L3 starts.
fn link_layer(f: &[u8]) -> Option<(u16, usize)> {
    let mut at = 12;
    for _ in 0..=MAX_VLAN_TAGS {
        let ethertype = be16(f, at)?;
        if !VLAN_TPIDS.contains(&ethertype) {
            return Some((ethertype, at + 2));
        }
        at += 4;
    }
    None
}

fn l4_proto(p: u8) -> L4Proto {
    match p {
        PROTO_TCP => L4Proto::Tcp,
        PROTO_UDP => L4Proto::Udp,
        _ => L4Proto::Other,
    }
}

fn ipv4(f: &[u8], l3: usize) -> (IpVerdict, Option<Segment<'_>>) {
    let Some(&vihl) = f.get(l3) else {
        return (IpVerdict::None, None);
    };
    let hlen = usize::from(vihl & 0x0F) * 4;
    if vihl >> 4 != 4 || hlen < 20 || f.len() < l3 + hlen {
        return (IpVerdict::None, None);
    }
    let hdr = &f[l3..l3 + hlen];
    let ip = if csum::sum(hdr) == 0xFFFF {
        IpVerdict::Ok
    } else {
        IpVerdict::Bad
    };
    let total = usize::from(u16::from_be_bytes([hdr[2], hdr[3]]));
    let fragment = u16::from_be_bytes([hdr[6], hdr[7]]) & 0x3FFF != 0;
    let proto = l4_proto(hdr[9]);
    if total < hlen || fragment || proto == L4Proto::Other || f.len() < l3 + total {
        return (ip, None);
    }
    let segment = Segment {
        proto,
        addrs: &hdr[12..20],
        body: &f[l3 + hlen..l3 + total],
        ipv6: false,
    };
    (ip, Some(segment))
}

fn ipv6(f: &[u8], l3: usize) -> Option<Segment<'_>> {
    let hdr = f.get(l3..l3 + 40)?;
    let payload = usize::from(u16::from_be_bytes([hdr[4], hdr[5]]));
    if hdr[0] >> 4 != 6 || payload == 0 {
        return None;
    }
    let end = l3 + 40 + payload;
    if end > f.len() {
        return None;
    }
    let mut next = hdr[6];
    let mut at = l3 + 40;
    while IPV6_EXT_WALKED.contains(&next) {
        if at + 2 > MAX_WALK as usize || at + 2 > end {
            return None;
        }
        next = f[at];
        at += 8 * (usize::from(f[at + 1]) + 1);
    }
    let proto = l4_proto(next);
    if proto == L4Proto::Other || at > end {
        return None;
    }
    Some(Segment {
        proto,
        addrs: &hdr[8..40],
        body: &f[at..end],
        ipv6: true,
    })
}

fn l4_verdict(s: &Segment<'_>) -> L4Verdict {
    let len = s.body.len();
    let (min, csum_at) = match s.proto {
        L4Proto::Tcp => (20, 16),
        _ => (8, 6),
    };
    if len < min {
        return L4Verdict::None;
    }
    if s.proto == L4Proto::Udp {
        if usize::from(u16::from_be_bytes([s.body[4], s.body[5]])) != len {
            return L4Verdict::None;
        }
        if s.body[csum_at] == 0 && s.body[csum_at + 1] == 0 {
            return if s.ipv6 {
                L4Verdict::Bad
            } else {
                L4Verdict::Zero
            };
        }
    }
    let proto = match s.proto {
        L4Proto::Tcp => PROTO_TCP,
        _ => PROTO_UDP,
    };
    let pseudo = csum::add_bytes(0, s.addrs) + u64::from(proto) + len as u64;
    if csum::fold(csum::add_bytes(pseudo, s.body)) == 0xFFFF {
        L4Verdict::Ok
    } else {
        L4Verdict::Bad
    }
}
