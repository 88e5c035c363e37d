//! TCP segments to and from Ethernet frames, with etherparse. Building
//! leaves the checksums to the engine ([`Checksums::Offload`]: the TCP
//! field holds the pseudo-header seed) or computes them in software.

use etherparse::{
    EtherType, Ethernet2Header, IpNumber, Ipv4Header, Ipv6FlowLabel, Ipv6Header, NetSlice,
    SlicedPacket, TcpHeader, TcpOptionElement, TransportSlice,
};
use spec::tcp::{ACK, CWR, ECE, FIN, PSH, RST, SYN};
use std::net::{IpAddr, SocketAddr};

/// The options a segment carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub mss: Option<u16>,
    pub wscale: Option<u8>,
    pub sack_ok: bool,
    /// (TSval, TSecr).
    pub ts: Option<(u32, u32)>,
    pub sack: Vec<(u32, u32)>,
}

/// A segment without its addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub seq: u32,
    pub ack: u32,
    pub flags: u16,
    pub window: u16,
    pub opts: Options,
}

/// A received segment.
#[derive(Clone, Debug)]
pub struct Received<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub src_mac: [u8; 6],
    pub h: Header,
    pub payload: &'a [u8],
    /// IP ECN codepoint was CE (RFC 3168).
    pub ce: bool,
    /// The TCP (and IPv4 header) checksums hold, computed in software.
    pub checksum_ok: bool,
}

/// Why a frame is not a TCP segment for us; counted by the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotTcp {
    #[error("not a parsable Ethernet/IP frame: {0}")]
    Malformed(String),
    #[error("not IP")]
    NotIp,
    #[error("not TCP")]
    NotTcp,
    #[error("an option is malformed")]
    BadOption,
}

/// Parses `frame`. The checksum is computed only when `verify` (the
/// engine's verdict spares that work otherwise).
pub fn parse(frame: &[u8], verify: bool) -> Result<Received<'_>, NotTcp> {
    let p = SlicedPacket::from_ethernet(frame).map_err(|e| NotTcp::Malformed(e.to_string()))?;
    let src_mac = match &p.link {
        Some(etherparse::LinkSlice::Ethernet2(e)) => e.source(),
        _ => return Err(NotTcp::NotIp),
    };
    let Some(TransportSlice::Tcp(tcp)) = p.transport else {
        return match p.net {
            None => Err(NotTcp::NotIp),
            Some(_) => Err(NotTcp::NotTcp),
        };
    };
    let (src, dst, ce, checksum_ok) = match p.net {
        Some(NetSlice::Ipv4(ip)) => {
            let h = ip.header();
            let ok = !verify
                || (h.to_header().calc_header_checksum() == h.header_checksum()
                    && tcp.calc_checksum_ipv4(h.source(), h.destination()) == Ok(tcp.checksum()));
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                h.ecn().value() == 3,
                ok,
            )
        }
        Some(NetSlice::Ipv6(ip)) => {
            let h = ip.header();
            let ok = !verify
                || tcp.calc_checksum_ipv6(h.source(), h.destination()) == Ok(tcp.checksum());
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                h.traffic_class() & 3 == 3,
                ok,
            )
        }
        None => return Err(NotTcp::NotIp),
    };
    let mut opts = Options::default();
    for o in tcp.options_iterator() {
        match o.map_err(|_| NotTcp::BadOption)? {
            TcpOptionElement::MaximumSegmentSize(m) => opts.mss = Some(m),
            TcpOptionElement::WindowScale(w) => opts.wscale = Some(w),
            TcpOptionElement::SelectiveAcknowledgementPermitted => opts.sack_ok = true,
            TcpOptionElement::Timestamp(v, e) => opts.ts = Some((v, e)),
            TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                opts.sack = std::iter::once(first)
                    .chain(rest.into_iter().flatten())
                    .collect();
            }
            TcpOptionElement::Noop => {}
        }
    }
    let flags = [
        (tcp.fin(), FIN),
        (tcp.syn(), SYN),
        (tcp.rst(), RST),
        (tcp.psh(), PSH),
        (tcp.ack(), ACK),
        (tcp.ece(), ECE),
        (tcp.cwr(), CWR),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .fold(0u16, |f, (_, bit)| f | bit);
    Ok(Received {
        src: SocketAddr::new(src, tcp.source_port()),
        dst: SocketAddr::new(dst, tcp.destination_port()),
        src_mac,
        h: Header {
            seq: tcp.sequence_number(),
            ack: tcp.acknowledgment_number(),
            flags,
            window: tcp.window_size(),
            opts,
        },
        payload: tcp.payload(),
        ce,
        checksum_ok,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksums {
    /// Computed here.
    Software,
    /// Zero IPv4 header checksum and the pseudo-header seed in the TCP
    /// field, for the engine to complete.
    Offload,
}

/// Where the frame's headers are, for a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Built {
    pub l3: u8,
    pub l4: u8,
    pub hdr_len: u8,
    pub v6: bool,
}

pub struct Addressing {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// ECT(0) on data segments (RFC 3168 §6.1.1).
    pub ect: bool,
}

/// Appends one frame to `out`: headers of `h` and `payload`.
pub fn build(
    a: &Addressing,
    h: &Header,
    payload: &[u8],
    sums: Checksums,
    out: &mut Vec<u8>,
) -> Built {
    let mut t = TcpHeader::new(a.src.port(), a.dst.port(), h.seq, h.window);
    t.acknowledgment_number = h.ack;
    t.fin = h.flags & FIN != 0;
    t.syn = h.flags & SYN != 0;
    t.rst = h.flags & RST != 0;
    t.psh = h.flags & PSH != 0;
    t.ack = h.flags & ACK != 0;
    t.ece = h.flags & ECE != 0;
    t.cwr = h.flags & CWR != 0;
    t.set_options(&options(&h.opts))
        .expect("at most 40 option bytes: MSS, WS, SACK-permitted and TS, or TS and 3 SACK blocks");
    let tcp_len = t.header_len() + payload.len();
    let start = out.len();
    let ecn = if a.ect && !payload.is_empty() { 2 } else { 0 };
    let (ether_type, v6) = match (a.src.ip(), a.dst.ip()) {
        (IpAddr::V4(_), _) => (EtherType::IPV4, false),
        _ => (EtherType::IPV6, true),
    };
    Ethernet2Header {
        source: a.src_mac,
        destination: a.dst_mac,
        ether_type,
    }
    .write(out)
    .expect("a Vec takes every write");
    let l3 = out.len() - start;
    match (a.src.ip(), a.dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut ip = Ipv4Header::new(tcp_len as u16, 64, IpNumber::TCP, s.octets(), d.octets())
                .expect("the caller keeps frames within 64 KB");
            ip.ecn = etherparse::Ipv4Ecn::try_new(ecn).expect("two bits");
            t.checksum = match sums {
                Checksums::Software => {
                    ip.header_checksum = ip.calc_header_checksum();
                    t.calc_checksum_ipv4(&ip, payload).expect("fits")
                }
                Checksums::Offload => seed(&s.octets(), &d.octets(), tcp_len),
            };
            ip.write(out).expect("a Vec takes every write");
        }
        (s, d) => {
            let (s, d) = (v6_bytes(s), v6_bytes(d));
            let ip = Ipv6Header {
                traffic_class: ecn,
                flow_label: Ipv6FlowLabel::ZERO,
                payload_length: tcp_len as u16,
                next_header: IpNumber::TCP,
                hop_limit: 64,
                source: s,
                destination: d,
            };
            t.checksum = match sums {
                Checksums::Software => t.calc_checksum_ipv6_raw(s, d, payload).expect("fits"),
                Checksums::Offload => seed(&s, &d, tcp_len),
            };
            ip.write(out).expect("a Vec takes every write");
        }
    }
    let l4 = out.len() - start;
    t.write(out).expect("a Vec takes every write");
    let hdr_len = out.len() - start;
    out.extend_from_slice(payload);
    Built {
        l3: l3 as u8,
        l4: l4 as u8,
        hdr_len: hdr_len as u8,
        v6,
    }
}

fn v6_bytes(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V6(a) => a.octets(),
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
    }
}

/// The folded, uncomplemented pseudo-header sum the engine starts from.
fn seed(src: &[u8], dst: &[u8], tcp_len: usize) -> u16 {
    let sum = model::csum::add_bytes(model::csum::add_bytes(0, src), dst) + 6 + tcp_len as u64;
    model::csum::fold(sum)
}

fn options(o: &Options) -> Vec<TcpOptionElement> {
    use TcpOptionElement as E;
    let mut v = Vec::new();
    if let Some(m) = o.mss {
        v.push(E::MaximumSegmentSize(m));
    }
    if o.sack_ok {
        v.push(E::SelectiveAcknowledgementPermitted);
    }
    if let Some((val, ecr)) = o.ts {
        v.push(E::Timestamp(val, ecr));
    }
    if let Some(w) = o.wscale {
        v.push(E::Noop);
        v.push(E::WindowScale(w));
    }
    if let Some((&first, rest)) = o.sack.split_first() {
        let room = if o.ts.is_some() { 2 } else { 3 };
        let mut more = [None; 3];
        for (m, b) in more.iter_mut().zip(rest.iter().take(room)) {
            *m = Some(*b);
        }
        v.push(E::Noop);
        v.push(E::Noop);
        v.push(E::SelectiveAcknowledgement(first, more));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> Addressing {
        Addressing {
            src_mac: [2, 0, 0, 0, 0, 1],
            dst_mac: [2, 0, 0, 0, 0, 2],
            src: "10.0.0.1:80".parse().unwrap(),
            dst: "10.0.0.2:5000".parse().unwrap(),
            ect: false,
        }
    }

    /// etherparse's own strict parser (an independent reader of the bytes)
    /// accepts what was built, with the options and checksum intact.
    #[test]
    fn a_syn_with_every_option_reads_back() {
        let h = Header {
            seq: 7,
            ack: 0,
            flags: SYN,
            window: 65535,
            opts: Options {
                mss: Some(1460),
                wscale: Some(7),
                sack_ok: true,
                ts: Some((1, 0)),
                sack: vec![],
            },
        };
        let mut f = Vec::new();
        build(&addr(), &h, &[], Checksums::Software, &mut f);
        let r = parse(&f, true).unwrap();
        assert!(r.checksum_ok);
        assert_eq!(r.h, h);
        let mut bad = f.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(!parse(&bad, true).unwrap().checksum_ok);
    }

    /// The engine's model completes the seed into the software checksum.
    #[test]
    fn an_offloaded_frame_is_completed_by_the_checksum_model() {
        for dst in ["10.0.0.2:5000", "[fd00::2]:5000"] {
            let mut a = addr();
            a.dst = dst.parse().unwrap();
            if a.dst.is_ipv6() {
                a.src = "[fd00::1]:80".parse().unwrap();
            }
            let h = Header {
                seq: 1,
                ack: 2,
                flags: ACK | PSH,
                window: 100,
                opts: Options {
                    ts: Some((5, 6)),
                    sack: vec![(10, 20), (30, 40)],
                    ..Default::default()
                },
            };
            let (mut soft, mut off) = (Vec::new(), Vec::new());
            build(&a, &h, b"hello", Checksums::Software, &mut soft);
            let b = build(&a, &h, b"hello", Checksums::Offload, &mut off);
            let cmd = spec::tso::Desc {
                len: off.len() as u32,
                l3_offset: b.l3,
                l4_offset: b.l4,
                v6: b.v6,
                ip_csum: !b.v6,
                l4_csum: true,
                ..Default::default()
            }
            .checksum_command();
            let done = model::tx_checksum::apply(&off, false, cmd, 9000);
            assert_eq!(done.frame, soft);
        }
    }
}
