//! `narrow` against the frames it was given: random frames of 1 to 9018
//! bytes as 8-byte beats, some marked bad, random idle on the beats and
//! random backpressure on the bytes; every frame comes out whole, its
//! mark on its last byte only. At full rate the bytes leave back to back,
//! as `mac_tx` needs them.

use rand::SeedableRng;
use rand::rngs::StdRng;
use sim::narrow::NarrowRtl;
use sim::stream::{Traffic, run};

fn check(seed: u64, traffic: Traffic, n: usize) -> (sim::stream::Counters, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let fs = testbench::frames::random_bytes(&mut rng, n);
    let mut rtl = NarrowRtl::new(8).expect("the narrow_w8 build");
    let mut i = 0;
    let c = run(
        &mut rtl,
        fs.iter().map(|(f, u)| (f, *u, ())),
        &traffic,
        |got| {
            anyhow::ensure!(got == fs[i], "frame {i} ({} bytes) differs", fs[i].0.len());
            i += 1;
            Ok(())
        },
    )
    .unwrap_or_else(|e| panic!("seed {seed} {traffic:?}: {e:#}"));
    assert_eq!(i, n, "seed {seed}: frames out");
    assert!(
        !rtl.early_user,
        "seed {seed}: user on a byte before a frame's last"
    );
    (c, fs.iter().map(|f| f.0.len()).sum())
}

#[test]
fn beats_become_bytes_under_idle_and_backpressure() {
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
fn bytes_leave_back_to_back_at_full_rate() {
    let (c, bytes) = check(9, Traffic::FULL_RATE, 100);
    // A cycle per byte, and a couple to fill and drain the pipeline.
    assert!(
        c.cycles <= bytes as u64 + 4,
        "{bytes} bytes took {} cycles",
        c.cycles
    );
}
