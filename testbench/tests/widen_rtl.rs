//! `widen` against an independent cut of each frame into 8-byte beats
//! (`sim::stream::beats`, which every block's test feeds its RTL with):
//! random frames of 1 to 9018 bytes, a bad-frame mark on some last bytes,
//! random idle on the byte input and random backpressure on the beats.
//! At full rate it takes one byte a cycle.

use rand::SeedableRng;
use rand::rngs::StdRng;
use sim::stream::{OwnedBeat, Traffic, beats, run};
use sim::widen::WidenRtl;

fn expected(frame: &[u8], user: bool) -> Vec<OwnedBeat> {
    beats(frame, 8)
        .map(|(bytes, keep, last)| OwnedBeat {
            bytes: bytes.to_vec(),
            keep,
            last,
            user: user && last,
        })
        .collect()
}

fn check(seed: u64, traffic: Traffic, frames: usize) -> sim::stream::Counters {
    let mut rng = StdRng::seed_from_u64(seed);
    let fs = testbench::frames::random_bytes(&mut rng, frames);
    let mut rtl = WidenRtl::new(8).expect("the widen_w8 build");
    let mut i = 0;
    let c = run(
        &mut rtl,
        fs.iter().map(|(f, u)| (f, *u, ())),
        &traffic,
        |got| {
            let (f, u) = &fs[i];
            anyhow::ensure!(
                got == expected(f, *u),
                "frame {i} ({} bytes): beats differ",
                f.len()
            );
            i += 1;
            Ok(())
        },
    )
    .unwrap_or_else(|e| panic!("seed {seed} {traffic:?}: {e:#}"));
    assert_eq!(i, frames, "seed {seed}: frames out");
    c
}

#[test]
fn bytes_become_beats_under_idle_and_backpressure() {
    for seed in 0..4 {
        let traffic = Traffic {
            idle: [0.0, 0.3, 0.7, 0.1][seed as usize],
            backpressure: [0.0, 0.3, 0.1, 0.8][seed as usize],
            seed,
        };
        check(seed, traffic, 150);
    }
}

#[test]
fn one_byte_a_cycle_at_full_rate() {
    let c = check(9, Traffic::FULL_RATE, 100);
    // Every byte offered was taken at once: no stall on the input.
    assert_eq!(c.stalls_in, 0, "{c:?}");
}
