//! `rx_checksum` RTL against the reference model, frame by frame.

use rand::{Rng, SeedableRng};
use sim::rx_checksum::RxChecksumRtl;
use sim::stream::{Traffic, run};
use spec::rx_csum::Verdict;
use testbench::frames::FrameGen;

/// Runs `frames` through the RTL and checks every record against the model.
fn check(width: usize, frames: &[(Vec<u8>, bool)], traffic: Traffic) -> u64 {
    let mut rtl = RxChecksumRtl::new(width, None).unwrap();
    let mut i = 0;
    let c = run(
        &mut rtl,
        frames.iter().map(|(f, u)| (f, *u, ())),
        &traffic,
        |raw| {
            let (frame, user) = &frames[i];
            let got = Verdict::unpack(raw).unwrap();
            let want = model::rx_checksum::verdict(frame, *user);
            assert_eq!(
                got,
                want,
                "frame {i} ({} bytes): {:02x?}",
                frame.len(),
                &frame[..frame.len().min(96)]
            );
            i += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(i, frames.len());
    c.cycles
}

fn random_frames(seed: u64, n: usize, max: usize) -> Vec<(Vec<u8>, bool)> {
    let mut g = FrameGen::new(seed);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n).map(|_| (g.any(max), rng.gen_bool(0.05))).collect()
}

#[test]
fn w1_random_frames_with_idle_and_backpressure() {
    let frames = random_frames(1, 3000, 2000);
    let t = Traffic {
        idle: 0.3,
        backpressure: 0.5,
        seed: 1,
    };
    check(1, &frames, t);
}

#[test]
fn w8_random_frames_with_idle_and_backpressure() {
    let frames = random_frames(8, 6000, 9018);
    let t = Traffic {
        idle: 0.3,
        backpressure: 0.7,
        seed: 8,
    };
    check(8, &frames, t);
}

#[test]
fn w8_random_frames_back_to_back() {
    let frames = random_frames(88, 6000, 1600);
    check(8, &frames, Traffic::FULL_RATE);
}

fn every_length(width: usize, step: usize, seed: u64) {
    let mut g = FrameGen::new(seed);
    let frames: Vec<_> = (14..=9018)
        .step_by(step)
        .map(|n| (g.frame(n), false))
        .collect();
    let t = Traffic {
        idle: 0.1,
        backpressure: 0.3,
        seed,
    };
    check(width, &frames, t);
}

#[test]
fn w8_every_length_14_to_9018() {
    every_length(8, 1, 81);
}

#[test]
fn w1_every_length_14_to_9018() {
    every_length(1, 1, 11);
}

/// IPv4 and IPv6 packets of the largest size IP allows, with correct and
/// broken checksums, through both widths.
#[test]
fn largest_ip_packets() {
    let mut frames = Vec::new();
    let mut g = FrameGen::new(64);
    for len in [14 + 65535, 14 + 40 + 65535, 18 + 65535, 22 + 40 + 65535] {
        for _ in 0..12 {
            frames.push((g.frame(len), false));
        }
    }
    let ok = frames
        .iter()
        .filter(|(f, _)| model::rx_checksum::verdict(f, false).l4 == spec::rx_csum::L4Verdict::Ok)
        .count();
    assert!(
        ok >= 4,
        "the generator gave only {ok} checkable 64 KB packets"
    );
    for width in [1, 8] {
        check(
            width,
            &frames,
            Traffic {
                idle: 0.05,
                backpressure: 0.2,
                seed: 5,
            },
        );
    }
}

/// Checksums that come out as a ones' complement zero: the field may hold
/// 0x0000 or 0xFFFF and both verify for TCP; for UDP 0x0000 means "no
/// checksum" and 0xFFFF is the value sent (RFC 768).
#[test]
fn ones_complement_zero_checksums() {
    use spec::rx_csum::{L4Proto, L4Verdict};
    let mut g = FrameGen::new(7);
    let mut frames = Vec::new();
    let mut kinds = std::collections::HashSet::new();
    while frames.len() < 200 {
        let mut f = g.frame(200);
        let Ok(h) = host::wire::headers(&f) else {
            continue;
        };
        let (at, proto) = match h.proto {
            6 if h.ip_end - h.l4 >= 24 => (h.l4 + 16, L4Proto::Tcp),
            17 if h.ip_end - h.l4 >= 12 => (h.l4 + 6, L4Proto::Udp),
            _ => continue,
        };
        // Only segments the engine walks to (e.g. not behind a long IPv6
        // extension chain).
        if model::rx_checksum::verdict(&f, false).proto != proto {
            continue;
        }
        if proto == L4Proto::Udp {
            let len = (h.ip_end - h.l4) as u16;
            f[h.l4 + 4..h.l4 + 6].copy_from_slice(&len.to_be_bytes());
        }
        // Make the sum of everything but the field 0xFFFF by adjusting the
        // first payload word; then the checksum is a zero.
        f[at..at + 2].fill(0);
        let w = at + 4;
        f[w..w + 2].fill(0);
        let pseudo = host::wire::pseudo_header_sum(&f, &h, h.ip_end - h.l4);
        let rest = model::csum::fold(model::csum::add_bytes(pseudo, &f[h.l4..h.ip_end]));
        f[w..w + 2].copy_from_slice(&(!rest).to_be_bytes());
        for field in [0x0000u16, 0xFFFF] {
            let mut f = f.clone();
            f[at..at + 2].copy_from_slice(&field.to_be_bytes());
            let v = model::rx_checksum::verdict(&f, false);
            let want = match (proto, field, h.ip) {
                (L4Proto::Udp, 0, host::wire::Ip::V4 { .. }) => L4Verdict::Zero,
                (L4Proto::Udp, 0, host::wire::Ip::V6) => L4Verdict::Bad,
                _ => L4Verdict::Ok,
            };
            assert_eq!((v.proto, v.l4), (proto, want), "field {field:#06x}");
            kinds.insert((
                proto == L4Proto::Tcp,
                field,
                matches!(h.ip, host::wire::Ip::V6),
            ));
            frames.push((f, false));
        }
    }
    assert_eq!(
        kinds.len(),
        8,
        "TCP/UDP x 0x0000/0xFFFF x IPv4/IPv6 all covered"
    );
    for width in [1, 8] {
        check(
            width,
            &frames,
            Traffic {
                idle: 0.1,
                backpressure: 0.1,
                seed: 9,
            },
        );
    }
}
