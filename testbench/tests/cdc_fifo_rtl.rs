//! `cdc_fifo` between two independent clocks: at every ratio, with random
//! frame lengths, random idle on the write side and random backpressure
//! on the read side, the beats that come out are the beats that went in
//! (bytes, keep, last, user), in order, none lost, none added; and when
//! the reader is faster and always ready, the writer is never held off.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::cdc_fifo::{CdcFifoRtl, Clocks};
use sim::stream::{OwnedBeat, beats};

/// Random frames of 1 to `longest` bytes, cut into `width`-byte beats;
/// a beat's user bit is set now and then.
fn frames(rng: &mut StdRng, n: usize, longest: usize, width: usize) -> Vec<OwnedBeat> {
    let mut out = Vec::new();
    for _ in 0..n {
        let len = rng.gen_range(1..=longest);
        let f: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
        for (bytes, keep, last) in beats(&f, width) {
            out.push(OwnedBeat {
                bytes: bytes.to_vec(),
                keep,
                last,
                user: rng.gen_bool(0.05),
            });
        }
    }
    out
}

/// Write and read clock periods (ps): equal, 125 MHz into 156.25, 62.5
/// and 75 MHz, a slow write side, and an unrelated pair.
const RATIOS: [(u64, u64); 6] = [
    (8000, 8000),
    (8000, 6400),
    (8000, 16000),
    (8000, 13333),
    (16000, 8000),
    (7100, 9300),
];

fn cross(name: &str, width: usize, seed: u64, clocks: Clocks, idle: f64, stall: f64) -> u64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let sent = frames(&mut rng, 300, 200, width);
    let mut rtl = CdcFifoRtl::new(name, seed).expect("the cdc_fifo build");
    let out = rtl
        .run(&sent, clocks, idle, stall)
        .unwrap_or_else(|e| panic!("{name} seed {seed} {clocks:?}: {e:#}"));
    assert_eq!(
        out.beats.len(),
        sent.len(),
        "{name} seed {seed} {clocks:?}: beats"
    );
    for (i, (g, w)) in out.beats.iter().zip(&sent).enumerate() {
        assert_eq!(g, w, "{name} seed {seed} {clocks:?}: beat {i} differs");
    }
    eprintln!(
        "{name} seed {seed} {clocks:?} idle {idle} stall {stall}: {} beats, {} write and {} read \
         edges, writer held off at {} edges",
        sent.len(),
        out.wr_edges,
        out.rd_edges,
        out.refused
    );
    out.refused
}

#[test]
fn every_beat_crosses_at_every_clock_ratio() {
    for (name, width) in [
        ("cdc_fifo_w8", 8),
        ("cdc_fifo_w1", 1),
        ("cdc_fifo_w1_formal", 1),
    ] {
        for (k, &(wr_ps, rd_ps)) in RATIOS.iter().enumerate() {
            let clocks = Clocks {
                wr_ps,
                rd_ps,
                jitter: 0.2,
            };
            let seed = k as u64;
            let (idle, stall) = [(0.3, 0.3), (0.0, 0.6), (0.6, 0.0)][k % 3];
            let refused = cross(name, width, seed, clocks, idle, stall);
            // A reader clearly slower than the writer (clock and stalls
            // together) must have filled the FIFO: the full path was
            // exercised.
            if (1.0 - stall) / (rd_ps as f64) < 0.8 * (1.0 - idle) / (wr_ps as f64) {
                assert!(refused > 0, "{name} {clocks:?}: the FIFO never filled");
            }
        }
    }
}

#[test]
fn a_faster_reader_never_holds_the_writer_off() {
    // 125 MHz in, 156.25 MHz out: a MAC's receive side into the engine.
    for seed in 0..3 {
        let clocks = Clocks {
            wr_ps: 8000,
            rd_ps: 6400,
            jitter: 0.05,
        };
        let refused = cross("cdc_fifo_w8", 8, seed, clocks, 0.0, 0.0);
        assert_eq!(refused, 0, "seed {seed}: the writer was held off");
    }
}
