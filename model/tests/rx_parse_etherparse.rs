//! The parser model against etherparse: TCP frames built and re-read by
//! etherparse (its own option encoder and decoder), with VLAN tags and
//! Ethernet padding, must give the same fields; cut or garbage frames must
//! be refused, never parsed and never a panic.

use etherparse::{NetSlice, PacketBuilder, SlicedPacket, TcpOptionElement, TransportSlice};
use proptest::prelude::*;
use spec::rx_parse::{Header, Opt, Status};

#[derive(Debug, Clone)]
struct Shape {
    v6: bool,
    vlans: usize,
    ports: (u16, u16),
    seq: u32,
    ack: u32,
    window: u16,
    flags: u8,
    options: Vec<TcpOptionElement>,
    payload: Vec<u8>,
    padding: usize,
}

fn option() -> impl Strategy<Value = TcpOptionElement> {
    prop_oneof![
        Just(TcpOptionElement::Noop),
        any::<u16>().prop_map(TcpOptionElement::MaximumSegmentSize),
        any::<u8>().prop_map(TcpOptionElement::WindowScale),
        Just(TcpOptionElement::SelectiveAcknowledgementPermitted),
        (
            any::<(u32, u32)>(),
            prop::collection::vec(any::<(u32, u32)>(), 0..=3)
        )
            .prop_map(|(first, rest)| {
                let mut more = [None; 3];
                for (k, r) in rest.into_iter().enumerate() {
                    more[k] = Some(r);
                }
                TcpOptionElement::SelectiveAcknowledgement(first, more)
            }),
        any::<(u32, u32)>().prop_map(|(a, b)| TcpOptionElement::Timestamp(a, b)),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        (any::<bool>(), 0..=2usize, any::<(u16, u16)>()),
        (any::<u32>(), any::<u32>(), any::<u16>(), any::<u8>()),
        prop::collection::vec(option(), 0..5),
        prop::collection::vec(any::<u8>(), 0..1600),
        0..40usize,
    )
        .prop_map(
            |((v6, vlans, ports), (seq, ack, window, flags), options, payload, padding)| Shape {
                v6,
                vlans,
                ports,
                seq,
                ack,
                window,
                flags,
                options,
                payload,
                padding,
            },
        )
}

fn build(s: &Shape) -> Option<Vec<u8>> {
    let mac = ([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    let l2 = PacketBuilder::ethernet2(mac.0, mac.1);
    let mut out = Vec::new();
    macro_rules! tcp {
        ($l3:expr) => {{
            let mut t = $l3.tcp(s.ports.0, s.ports.1, s.seq, s.window);
            let f = s.flags;
            if f & 0x01 != 0 {
                t = t.fin();
            }
            if f & 0x02 != 0 {
                t = t.syn();
            }
            if f & 0x04 != 0 {
                t = t.rst();
            }
            if f & 0x08 != 0 {
                t = t.psh();
            }
            if f & 0x10 != 0 {
                t = t.ack(s.ack);
            }
            if f & 0x20 != 0 {
                t = t.urg(0);
            }
            if f & 0x40 != 0 {
                t = t.ece();
            }
            if f & 0x80 != 0 {
                t = t.cwr();
            }
            // Lists over 40 bytes are refused by etherparse: no frame.
            let t = t.options(&s.options).ok()?;
            t.write(&mut out, &s.payload).unwrap();
        }};
    }
    macro_rules! l3 {
        ($l2:expr) => {{
            if s.v6 {
                tcp!($l2.ipv6(
                    [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],
                    [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 0, 0, 0, 2],
                    64
                ))
            } else {
                tcp!($l2.ipv4([192, 0, 2, 1], [198, 51, 100, 7], 64))
            }
        }};
    }
    match s.vlans {
        0 => l3!(l2),
        1 => l3!(l2.single_vlan(7.try_into().unwrap())),
        _ => l3!(l2.double_vlan(7.try_into().unwrap(), 9.try_into().unwrap())),
    }
    out.extend(std::iter::repeat_n(0xA5, s.padding));
    Some(out)
}

fn be(words: &[u8]) -> [u32; 4] {
    let mut out = [0; 4];
    for (k, c) in words.chunks(4).enumerate() {
        out[k] = u32::from_be_bytes(c.try_into().unwrap());
    }
    out
}

/// What etherparse reads from the frame, in the model's terms.
fn expected(frame: &[u8]) -> Header {
    let p = SlicedPacket::from_ethernet(frame).expect("etherparse reads its own frame");
    let (src, dst) = match p.net.as_ref().unwrap() {
        NetSlice::Ipv4(ip) => (be(&ip.header().source()), be(&ip.header().destination())),
        NetSlice::Ipv6(ip) => (be(&ip.header().source()), be(&ip.header().destination())),
    };
    let Some(TransportSlice::Tcp(t)) = p.transport else {
        panic!("not TCP")
    };
    let mut h = Header {
        src,
        dst,
        sport: t.source_port(),
        dport: t.destination_port(),
        seq: t.sequence_number(),
        ack: t.acknowledgment_number(),
        window: t.window_size(),
        doff: t.data_offset(),
        flags: u16::from(t.ns()) << 8,
        plen: t.payload().len() as u32,
        ..Header::default()
    };
    let flag_bits = [
        t.fin(),
        t.syn(),
        t.rst(),
        t.psh(),
        t.ack(),
        t.urg(),
        t.ece(),
        t.cwr(),
    ];
    for (k, b) in flag_bits.into_iter().enumerate() {
        h.flags |= u16::from(b) << k;
    }
    for o in t.options_iterator() {
        match o.expect("etherparse's own options") {
            TcpOptionElement::Noop => {}
            TcpOptionElement::MaximumSegmentSize(m) => {
                h.opts |= 1 << Opt::Mss as u8;
                h.mss = m;
            }
            TcpOptionElement::WindowScale(w) => {
                h.opts |= 1 << Opt::WScale as u8;
                h.wscale = w;
            }
            TcpOptionElement::SelectiveAcknowledgementPermitted => h.opts |= 1 << Opt::SackOk as u8,
            TcpOptionElement::SelectiveAcknowledgement(_, more) => {
                h.opts |= 1 << Opt::Sack as u8;
                h.sack_blocks = 1 + more.iter().flatten().count() as u8;
            }
            TcpOptionElement::Timestamp(a, b) => {
                h.opts |= 1 << Opt::Timestamps as u8;
                h.tsval = a;
                h.tsecr = b;
            }
        }
    }
    h
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fields_equal_etherparse(s in shape()) {
        let frame = build(&s);
        // The shape generator cannot always fit its options into a header.
        prop_assume!(frame.is_some());
        let frame = frame.unwrap();
        let got = model::rx_parse::parse(&frame, false);
        prop_assert_eq!(got.status(), Some(Status::Ok));
        let want = expected(&frame);
        let l3 = 14 + 4 * s.vlans as u32;
        prop_assert_eq!(got.l3, l3);
        prop_assert_eq!(got.kind, if s.v6 { 2 } else { 1 });
        prop_assert_eq!(got.l4, l3 + if s.v6 { 40 } else { 20 });
        prop_assert_eq!(got.poff, got.l4 + 4 * u32::from(got.doff));
        prop_assert_eq!(got.len as usize, frame.len());
        let mut mine = got;
        (mine.l3, mine.kind, mine.l4, mine.poff, mine.len) = (0, 0, 0, 0, 0);
        prop_assert_eq!(mine, want);
    }

    #[test]
    fn cut_frames_are_refused(s in shape(), cut in 1..2000usize) {
        let frame = build(&s);
        prop_assume!(frame.is_some());
        let frame = frame.unwrap();
        let packet_end = frame.len() - s.padding;
        let n = packet_end.saturating_sub(cut);
        let got = model::rx_parse::parse(&frame[..n], false);
        let status = got.status().unwrap();
        prop_assert!(
            matches!(status, Status::Truncated | Status::BadLength),
            "{n} of {packet_end} bytes gave {status:?}"
        );
        prop_assert_eq!(got.seq, 0);
    }

    #[test]
    fn garbage_never_panics(f in prop::collection::vec(any::<u8>(), 0..200)) {
        let got = model::rx_parse::parse(&f, true);
        prop_assert!(got.status().is_some());
        prop_assert!(got.user);
    }
}
