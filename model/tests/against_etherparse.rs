//! The model against packets built by etherparse, which computes its own
//! checksums: verdicts must be Ok, any corrupted byte of a checksummed
//! region must make them Bad, and the TX model must rebuild checksums that
//! were wiped.

use etherparse::PacketBuilder;
use proptest::prelude::*;
use spec::rx_csum::{IpVerdict, L4Verdict};
use spec::tx_csum::Command;

#[derive(Debug, Clone)]
struct Shape {
    v6: bool,
    udp: bool,
    vlans: usize,
    payload: Vec<u8>,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        any::<bool>(),
        any::<bool>(),
        0..=2usize,
        prop::collection::vec(any::<u8>(), 0..3000),
    )
        .prop_map(|(v6, udp, vlans, payload)| Shape {
            v6,
            udp,
            vlans,
            payload,
        })
}

/// Builds IP, L4 and payload on top of an etherparse link-layer step (the
/// step types differ per VLAN count, hence a macro).
macro_rules! finish {
    ($l2:expr, $s:expr) => {{
        let s = $s;
        let mut out = Vec::new();
        if s.v6 {
            let l3 = $l2.ipv6(
                [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
                64,
            );
            if s.udp {
                l3.udp(5353, 53).write(&mut out, &s.payload).unwrap();
            } else {
                l3.tcp(40000, 443, 0x1234_5678, 65535)
                    .ack(0x9abc_def0)
                    .psh()
                    .write(&mut out, &s.payload)
                    .unwrap();
            }
        } else {
            let l3 = $l2.ipv4([192, 0, 2, 1], [198, 51, 100, 7], 64);
            if s.udp {
                l3.udp(5353, 53).write(&mut out, &s.payload).unwrap();
            } else {
                l3.tcp(40000, 443, 0x1234_5678, 65535)
                    .ack(0x9abc_def0)
                    .psh()
                    .write(&mut out, &s.payload)
                    .unwrap();
            }
        }
        out
    }};
}

/// A frame with correct checksums everywhere, and where its L3 starts.
fn build(s: &Shape) -> (Vec<u8>, usize) {
    let eth = || PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    let f = match s.vlans {
        0 => finish!(eth(), s),
        1 => finish!(eth().single_vlan(7.try_into().unwrap()), s),
        _ => finish!(
            eth().double_vlan(7.try_into().unwrap(), 9.try_into().unwrap()),
            s
        ),
    };
    (f, 14 + 4 * s.vlans)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn valid_packets_verify(s in shape()) {
        let (f, _) = build(&s);
        let v = model::rx_checksum::verdict(&f, false);
        prop_assert_eq!(v.ip, if s.v6 { IpVerdict::None } else { IpVerdict::Ok });
        prop_assert_eq!(v.l4, L4Verdict::Ok);
    }

    #[test]
    fn a_flipped_bit_is_caught(s in shape(), pick in any::<prop::sample::Index>(), bit in 0..8u8) {
        let (mut f, l3) = build(&s);
        let hdr = if s.v6 { 40 } else { 20 };
        // Any bit of the IPv4 header, the addresses or the segment.
        let at = l3 + pick.index(f.len() - l3);
        prop_assume!(!(s.v6 && at < l3 + 8));
        f[at] ^= 1 << bit;
        let v = model::rx_checksum::verdict(&f, false);
        if !s.v6 && at < l3 + hdr {
            // Damaged IPv4 header: its checksum fails, or a field it
            // governs (version, length, protocol...) stops the walk.
            prop_assert!(v.ip == IpVerdict::Bad || v.ip == IpVerdict::None);
        } else if s.udp && (at == l3 + hdr + 4 || at == l3 + hdr + 5) {
            prop_assert_ne!(v.l4, L4Verdict::Ok);
        } else {
            prop_assert!(v.l4 == L4Verdict::Bad || v.l4 == L4Verdict::None, "{:?}", v);
        }
    }

    #[test]
    fn wiped_checksums_are_rebuilt(s in shape()) {
        let (want, l3) = build(&s);
        let mut f = want.clone();
        let l4 = l3 + if s.v6 { 40 } else { 20 };
        let at = l4 + if s.udp { 6 } else { 16 };
        // What a stack hands a checksum-offloading driver: the pseudo-header
        // sum in the L4 field, IPv4 header checksum zero.
        let addrs = if s.v6 { &f[l3 + 8..l3 + 40] } else { &f[l3 + 12..l3 + 20] };
        let seed = model::csum::fold(model::csum::add_bytes(0, addrs) + if s.udp { 17 } else { 6 } + (f.len() - l4) as u64);
        f[at..at + 2].copy_from_slice(&seed.to_be_bytes());
        if !s.v6 {
            f[l3 + 10..l3 + 12].fill(0);
        }
        let cmd = Command { ip: !s.v6, l4: true, l3_offset: l3 as u16, csum_start: l4 as u16, csum_offset: (at - l4) as u16 };
        let out = model::tx_checksum::apply(&f, false, cmd, 16384);
        prop_assert_eq!(out.status, spec::tx_csum::Status::Ok);
        // UDP writes 0xFFFF for a zero sum, as etherparse does.
        prop_assert_eq!(out.frame, want);
    }
}
