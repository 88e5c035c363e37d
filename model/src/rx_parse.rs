//! What `rx_parser` must say about a frame (rules in [`spec::rx_parse`]).

use spec::rx_csum::{
    ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPV6_EXT_WALKED, MAX_VLAN_TAGS, MAX_WALK, PROTO_TCP, VLAN_TPIDS,
};
use spec::rx_parse::{
    Header, KIND_EOL, KIND_MSS, KIND_NOP, KIND_SACK, KIND_SACK_OK, KIND_TIMESTAMPS, KIND_WSCALE,
    NH_FRAGMENT, Opt, Status,
};
use spec::stream::OFFSET_MAX;

fn be16(f: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([f[at], f[at + 1]])
}

fn be32(f: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([f[at], f[at + 1], f[at + 2], f[at + 3]])
}

/// The header record for one frame; `user` is the frame's error flag.
pub fn parse(f: &[u8], user: bool) -> Header {
    let mut h = Header {
        user,
        len: f.len().min(OFFSET_MAX as usize) as u32,
        ..Header::default()
    };
    if let Err(s) = parse_into(f, &mut h) {
        h = Header {
            status: s as u8,
            kind: h.kind,
            l3: h.l3,
            user,
            len: h.len,
            ..Header::default()
        };
    }
    h
}

/// The EtherType after at most two VLAN tags, and where L3 starts.
fn link_layer(f: &[u8]) -> Result<(u16, usize), Status> {
    let mut at = 12;
    for _ in 0..=MAX_VLAN_TAGS {
        if f.len() < at + 2 {
            return Err(Status::Truncated);
        }
        let ethertype = be16(f, at);
        if !VLAN_TPIDS.contains(&ethertype) {
            return Ok((ethertype, at + 2));
        }
        at += 4;
    }
    Err(Status::NotIp)
}

fn parse_into(f: &[u8], h: &mut Header) -> Result<(), Status> {
    let (ethertype, l3) = link_layer(f)?;
    h.l3 = l3 as u32;
    let (l4, end) = match ethertype {
        ETHERTYPE_IPV4 => {
            h.kind = 1;
            ipv4(f, l3, h)?
        }
        ETHERTYPE_IPV6 => {
            h.kind = 2;
            ipv6(f, l3, h)?
        }
        _ => return Err(Status::NotIp),
    };
    if end - l4 < 20 {
        return Err(Status::Truncated);
    }
    let t = &f[l4..];
    let doff = usize::from(t[12] >> 4);
    if doff < 5 || 4 * doff > end - l4 {
        return Err(Status::BadDataOffset);
    }
    h.l4 = l4 as u32;
    h.sport = be16(t, 0);
    h.dport = be16(t, 2);
    h.seq = be32(t, 4);
    h.ack = be32(t, 8);
    h.doff = doff as u8;
    h.flags = u16::from(t[12] & 0x0F) << 8 | u16::from(t[13]);
    h.window = be16(t, 14);
    h.poff = (l4 + 4 * doff) as u32;
    h.plen = (end - l4 - 4 * doff) as u32;
    options(&t[20..4 * doff], h);
    Ok(())
}

/// Returns the segment's start and end.
fn ipv4(f: &[u8], l3: usize, h: &mut Header) -> Result<(usize, usize), Status> {
    let n = f.len();
    if n < l3 + 20 {
        return Err(Status::Truncated);
    }
    let ip = &f[l3..];
    if ip[0] >> 4 != 4 {
        return Err(Status::BadVersion);
    }
    let hlen = usize::from(ip[0] & 0x0F) * 4;
    if hlen < 20 {
        return Err(Status::BadIhl);
    }
    if n < l3 + hlen {
        return Err(Status::Truncated);
    }
    let total = usize::from(be16(ip, 2));
    if total < hlen || l3 + total > n {
        return Err(Status::BadLength);
    }
    if be16(ip, 6) & 0x3FFF != 0 {
        return Err(Status::Fragment);
    }
    if ip[9] != PROTO_TCP {
        return Err(Status::NotTcp);
    }
    h.src[0] = be32(ip, 12);
    h.dst[0] = be32(ip, 16);
    Ok((l3 + hlen, l3 + total))
}

fn ipv6(f: &[u8], l3: usize, h: &mut Header) -> Result<(usize, usize), Status> {
    let n = f.len();
    if n < l3 + 40 {
        return Err(Status::Truncated);
    }
    let ip = &f[l3..];
    if ip[0] >> 4 != 6 {
        return Err(Status::BadVersion);
    }
    let payload = usize::from(be16(ip, 4));
    let end = l3 + 40 + payload;
    if payload == 0 || end > n {
        return Err(Status::BadLength);
    }
    let mut next = ip[6];
    let mut at = l3 + 40;
    while IPV6_EXT_WALKED.contains(&next) {
        if at + 2 > MAX_WALK as usize {
            return Err(Status::TooManyExt);
        }
        if at + 2 > n {
            return Err(Status::BadLength);
        }
        next = f[at];
        at += 8 * (usize::from(f[at + 1]) + 1);
    }
    if next == NH_FRAGMENT {
        return Err(Status::Fragment);
    }
    if at > end {
        return Err(Status::BadLength);
    }
    if next != PROTO_TCP {
        return Err(Status::NotTcp);
    }
    for k in 0..4 {
        h.src[k] = be32(ip, 8 + 4 * k);
        h.dst[k] = be32(ip, 24 + 4 * k);
    }
    Ok((at, end))
}

fn set(h: &mut Header, o: Opt) {
    h.opts |= 1 << o as u8;
}

/// The TCP option walk.
fn options(o: &[u8], h: &mut Header) {
    let mut p = 0;
    while p < o.len() {
        match o[p] {
            KIND_EOL => return,
            KIND_NOP => {
                p += 1;
                continue;
            }
            _ => {}
        }
        let len = o.get(p + 1).map_or(0, |&l| usize::from(l));
        if len < 2 || p + len > o.len() {
            set(h, Opt::Bad);
            return;
        }
        let v = &o[p..p + len];
        match (v[0], len) {
            (KIND_MSS, 4) => {
                set(h, Opt::Mss);
                h.mss = be16(v, 2);
            }
            (KIND_WSCALE, 3) => {
                set(h, Opt::WScale);
                h.wscale = v[2];
            }
            (KIND_SACK_OK, 2) => set(h, Opt::SackOk),
            (KIND_SACK, 10 | 18 | 26 | 34) => {
                set(h, Opt::Sack);
                h.sack_blocks = ((len - 2) / 8) as u8;
            }
            (KIND_TIMESTAMPS, 10) => {
                set(h, Opt::Timestamps);
                h.tsval = be32(v, 2);
                h.tsecr = be32(v, 6);
            }
            _ => set(h, Opt::Unknown),
        }
        p += len;
    }
}
