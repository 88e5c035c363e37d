//! `rx_store` against its verdicts: each output sends exactly the frames
//! routed to it, whole and in arrival order, and a dropped frame leaves
//! nothing; verdicts come before a frame or after it, frames of 1 byte up
//! to what the store holds, with random idle on the input and random
//! backpressure on each output, and the store drains when input stops.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::rx_store::RxStoreRtl;

/// `frames` random frames of up to `longest` bytes through build `name`.
fn run(name: &str, seed: u64, frames: usize, longest: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (idle, stall) = [(0.0, 0.0), (0.3, 0.3), (0.1, 0.7), (0.7, 0.1)][seed as usize % 4];
    let fs: Vec<Vec<u8>> = (0..frames)
        .map(|_| {
            let len = if rng.gen_bool(0.1) {
                rng.gen_range(1..=16)
            } else {
                rng.gen_range(1..=longest)
            };
            (0..len).map(|_| rng.r#gen()).collect()
        })
        .collect();
    let routes: Vec<u8> = (0..frames).map(|_| rng.gen_range(0..4)).collect();
    let early: Vec<bool> = (0..frames).map(|_| rng.gen_bool(0.2)).collect();
    let mut rtl = RxStoreRtl::new(name, seed).expect("the rx_store build");
    let sent = rtl
        .run(&fs, &routes, &early, idle, stall)
        .unwrap_or_else(|e| panic!("{name} seed {seed}: {e:#}"));
    let routed = |r: u8| -> Vec<&Vec<u8>> {
        fs.iter()
            .zip(&routes)
            .filter(|(_, x)| **x == r)
            .map(|(f, _)| f)
            .collect()
    };
    for (port, r, got) in [
        ("host", hdl::rx_store::HOST, &sent.host),
        ("place", hdl::rx_store::PLACE, &sent.place),
    ] {
        let want = routed(r);
        assert_eq!(got.len(), want.len(), "{name} seed {seed}: {port} frames");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, *w, "{name} seed {seed}: {port} frame {i} differs");
        }
    }
    let beats: usize = fs.iter().map(|f| f.len().div_ceil(8)).sum();
    eprintln!(
        "{name} seed {seed} (idle {idle}, stall {stall}): {frames} frames, {beats} beats in {} cycles, \
         {} to the host, {} to placement",
        sent.cycles,
        sent.host.len(),
        sent.place.len()
    );
}

#[test]
fn small_store_routes_every_frame_as_its_verdict_says() {
    for seed in 0..4 {
        // 64 beats: a frame of up to 60 fills it.
        run("rx_store_w8_small", seed, 3000, 480);
    }
}

#[test]
fn engine_store_holds_jumbo_frames() {
    for seed in 0..2 {
        run("rx_store_w8", seed, 300, 9216);
    }
}
