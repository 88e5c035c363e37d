//! `rx_checksum` RTL against the reference model, frame by frame.

use rand::{Rng, SeedableRng};
use spec::rx_csum::Verdict;
use testbench::gen::FrameGen;
use testbench::rx_checksum::RxChecksumRtl;
use testbench::stream::{run, Traffic};

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
