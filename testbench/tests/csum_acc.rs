//! `csum_acc` alone against the model's RFC 1071 sum: random frames, random
//! lane masks, random idle cycles, frames back to back.

use rand::{Rng, SeedableRng};
use testbench::sim::{model, Sim};

fn run(width: usize, seed: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let info = model("csum_acc", width).expect("csum_acc build");
    let mut sim = Sim::new(info, None).unwrap();
    let p = |n: &str| sim.input(n).unwrap();
    let (data, mask, hi, bias, valid, first, last, reset) = (
        p("data"),
        p("mask"),
        p("hi"),
        p("bias"),
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

    let mut expected = std::collections::VecDeque::new();
    let mut got = Vec::new();
    let step = |sim: &mut Sim, got: &mut Vec<u16>| {
        sim.eval();
        if sim.get(done) == 1 {
            got.push(sim.get(sum) as u16);
        }
        sim.tick();
    };
    for _ in 0..300 {
        let len = rng.gen_range(1..200usize);
        let frame: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let chosen: Vec<bool> = (0..len).map(|_| rng.gen_bool(0.7)).collect();
        let b: u32 = rng.gen_range(0..(1 << 17));
        let picked: Vec<u8> = frame
            .iter()
            .zip(&chosen)
            .map(|(v, c)| if *c { *v } else { 0 })
            .collect();
        expected.push_back(model::csum::fold(model::csum::add_bytes(
            u64::from(b),
            &picked,
        )));
        for (beat, chunk) in frame.chunks(width).enumerate() {
            while rng.gen_bool(0.2) {
                sim.set(valid, 0);
                step(&mut sim, &mut got);
            }
            let m = (0..chunk.len())
                .filter(|i| chosen[beat * width + i])
                .fold(0u64, |m, i| m | 1 << i);
            sim.set_bytes(data, chunk);
            sim.set(mask, m);
            sim.set(hi, u64::from((beat * width) % 2 == 0));
            sim.set(bias, u64::from(b));
            sim.set(valid, 1);
            sim.set(first, u64::from(beat == 0));
            sim.set(last, u64::from((beat + 1) * width >= len));
            step(&mut sim, &mut got);
        }
    }
    sim.set(valid, 0);
    for _ in 0..20 {
        step(&mut sim, &mut got);
    }
    assert_eq!(got.len(), expected.len(), "one sum per frame");
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "frame {i}: rtl {g:#06x} model {e:#06x}");
    }
}

#[test]
fn csum_acc_w1_matches_model() {
    run(1, 1);
}

#[test]
fn csum_acc_w8_matches_model() {
    run(8, 8);
}
