//! `rx_parser` RTL against the reference model, record by record: random
//! and broken frames, every length, idle and backpressure, both widths.

use rand::{Rng, SeedableRng};
use sim::rx_parser::RxParserRtl;
use sim::stream::{Traffic, run};
use spec::rx_parse::Header;
use testbench::frames::FrameGen;

/// Runs `frames` through the RTL and checks every record against the model.
fn check(width: usize, frames: &[(Vec<u8>, bool)], traffic: Traffic) -> u64 {
    let mut rtl = RxParserRtl::new(width, None).unwrap();
    let mut i = 0;
    let c = run(
        &mut rtl,
        frames.iter().map(|(f, u)| (f, *u, ())),
        &traffic,
        |raw| {
            let (frame, user) = &frames[i];
            let got = Header::unpack(&raw);
            let want = model::rx_parse::parse(frame, *user);
            assert_eq!(
                got,
                want,
                "frame {i} ({} bytes): {:02x?}",
                frame.len(),
                &frame[..frame.len().min(128)]
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
    let frames = random_frames(11, 2000, 1600);
    let t = Traffic {
        idle: 0.3,
        backpressure: 0.5,
        seed: 11,
    };
    check(1, &frames, t);
}

#[test]
fn w8_random_frames_with_idle_and_backpressure() {
    let frames = random_frames(18, 8000, 9018);
    let t = Traffic {
        idle: 0.3,
        backpressure: 0.7,
        seed: 18,
    };
    check(8, &frames, t);
}

#[test]
fn w8_random_frames_back_to_back() {
    let frames = random_frames(188, 8000, 300);
    check(8, &frames, Traffic::FULL_RATE);
}

#[test]
fn every_length_1_to_9018() {
    for (width, step, seed) in [(8, 2, 21), (1, 19, 22)] {
        let mut g = FrameGen::new(seed);
        let frames: Vec<_> = (1..=9018)
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
}
