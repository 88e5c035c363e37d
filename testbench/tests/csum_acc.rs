//! `csum_acc` alone: RFC 1071's worked example, and random frames, random
//! lane masks and random idle cycles against the model's sum.

use rand::{Rng, SeedableRng};
use sim::bridge::{Sim, model};

/// A frame for the block: its bytes, and which of them count.
struct Job {
    bytes: Vec<u8>,
    counted: Vec<bool>,
}

/// Sums every job through the RTL, back to back with random idle cycles.
fn rtl_sums(width: usize, jobs: &[Job], idle: f64, seed: u64) -> Vec<u16> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let info = model("csum_acc", width).expect("csum_acc build");
    let mut sim = Sim::new(info, None).unwrap();
    let p = |n: &str| sim.input(n).unwrap();
    let (data, mask, hi, valid, first, last, reset) = (
        p("data"),
        p("mask"),
        p("hi"),
        p("valid"),
        p("first"),
        p("last"),
        p("reset"),
    );
    let (sum, done) = (sim.output("sum").unwrap(), sim.output("done").unwrap());
    sim.set(reset, 1);
    sim.eval();
    sim.tick();
    sim.set(reset, 0);
    let mut got = Vec::new();
    let step = |sim: &mut Sim, got: &mut Vec<u16>| {
        sim.eval();
        if sim.get(done) == 1 {
            got.push(sim.get(sum) as u16);
        }
        sim.tick();
    };
    for job in jobs {
        let len = job.bytes.len();
        for (beat, chunk) in job.bytes.chunks(width).enumerate() {
            while rng.gen_bool(idle) {
                sim.set(valid, 0);
                step(&mut sim, &mut got);
            }
            let m = (0..chunk.len())
                .filter(|i| job.counted[beat * width + i])
                .fold(0u64, |m, i| m | 1 << i);
            sim.set_bytes(data, chunk);
            sim.set(mask, m);
            sim.set(hi, u64::from((beat * width).is_multiple_of(2)));
            sim.set(valid, 1);
            sim.set(first, u64::from(beat == 0));
            sim.set(last, u64::from((beat + 1) * width >= len));
            step(&mut sim, &mut got);
        }
    }
    sim.set(valid, 0);
    // Twice the accumulator's pipeline depth (6) flushes every sum.
    for _ in 0..14 {
        step(&mut sim, &mut got);
    }
    got
}

/// RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
#[test]
fn rfc1071_worked_example() {
    let job = Job {
        bytes: vec![0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7],
        counted: vec![true; 8],
    };
    for width in [1, 8] {
        assert_eq!(
            rtl_sums(width, std::slice::from_ref(&job), 0.0, 0),
            vec![0xddf2]
        );
    }
}

fn random(width: usize, seed: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let jobs: Vec<Job> = (0..300)
        .map(|_| {
            let len = rng.gen_range(1..200usize);
            Job {
                bytes: (0..len).map(|_| rng.r#gen()).collect(),
                counted: (0..len).map(|_| rng.gen_bool(0.7)).collect(),
            }
        })
        .collect();
    let want: Vec<u16> = jobs
        .iter()
        .map(|j| {
            let picked: Vec<u8> = j
                .bytes
                .iter()
                .zip(&j.counted)
                .map(|(v, c)| if *c { *v } else { 0 })
                .collect();
            model::csum::sum(&picked)
        })
        .collect();
    assert_eq!(rtl_sums(width, &jobs, 0.2, seed), want);
}

#[test]
fn w1_random_matches_model() {
    random(1, 1);
}

#[test]
fn w8_random_matches_model() {
    random(8, 8);
}
