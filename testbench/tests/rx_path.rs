//! Random and broken frames through the whole RX path in the RTL
//! (`rx_checksum` and `rx_parser` under Verilator, their outputs into
//! `conn_table`) and in the model, compared: truncated headers, bad IHL,
//! wrong lengths, bad data offsets, extension header chains, runts,
//! garbage and 65 535-byte packets. Nothing hangs, every frame gets a
//! class, and the classes and slots are the model's.

use model::conn_table::{Cmd, Request, Table};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::conn_table::ConnTableRtl;
use sim::rx_checksum::RxChecksumRtl;
use sim::rx_parser::RxParserRtl;
use sim::stream::{Traffic, run};
use spec::conn_table::{Class, CmdStatus};
use spec::rx_csum::Verdict;
use spec::rx_parse::Header;
use spec::toeplitz::DEFAULT_KEY;
use std::collections::BTreeMap;
use testbench::frames::FrameGen;

/// The RTL's table requests for `frames`: checksum verdicts and header
/// records from the simulated blocks.
fn rtl_requests(width: usize, frames: &[Vec<u8>], traffic: &Traffic) -> Vec<Request> {
    let mut ck = RxChecksumRtl::new(width, None).unwrap();
    let mut verdicts = Vec::new();
    run(
        &mut ck,
        frames.iter().map(|f| (f, false, ())),
        traffic,
        |raw| {
            verdicts.push(Verdict::unpack(raw)?);
            Ok(())
        },
    )
    .unwrap();
    let mut parser = RxParserRtl::new(width, None).unwrap();
    let mut headers = Vec::new();
    run(
        &mut parser,
        frames.iter().map(|f| (f, false, ())),
        traffic,
        |raw| {
            headers.push(Header::unpack(&raw));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        (verdicts.len(), headers.len()),
        (frames.len(), frames.len())
    );
    headers
        .iter()
        .zip(&verdicts)
        .map(|(h, v)| Request::of(h, v))
        .collect()
}

fn check(width: usize, frames: &[Vec<u8>], seed: u64) -> BTreeMap<Class, usize> {
    let traffic = Traffic {
        idle: 0.2,
        backpressure: 0.3,
        seed,
    };
    let reqs = rtl_requests(width, frames, &traffic);
    let mut rtl = ConnTableRtl::new(&DEFAULT_KEY, None).unwrap();
    let mut table = Table::new(rtl.entries(), rtl.ways(), DEFAULT_KEY);
    // Install half the parsed connections, at the first frame's seq, so
    // frames hit and take every class.
    let mut rng = StdRng::seed_from_u64(seed);
    for (f, r) in frames.iter().zip(&reqs) {
        let h = model::rx_parse::parse(f, false);
        let v = model::rx_checksum::verdict(f, false);
        assert_eq!(*r, Request::of(&h, &v), "RTL blocks differ from the model");
        if r.status == 0 && rng.gen_bool(0.5) && table.lookup(&r.key).is_none() {
            let cmd = Cmd::Insert {
                key: r.key,
                rcv_nxt: r.seq,
                snd_una: r.ack,
                bank: None,
            };
            let want = table.execute(&cmd);
            assert_eq!(rtl.command(&cmd).unwrap(), want);
            assert_eq!(want.status, CmdStatus::Ok);
        }
    }
    let (got, _) = rtl.classify(&reqs, &traffic).unwrap();
    assert_eq!(got.len(), frames.len(), "a frame without a class");
    let mut classes = BTreeMap::new();
    for (i, (r, g)) in reqs.iter().zip(&got).enumerate() {
        let want = table.classify(r);
        assert_eq!(g.outcome, want, "frame {i}: {r:?}");
        *classes.entry(want.class).or_default() += 1;
    }
    classes
}

/// Frames of one connection, so the table sees in-order runs too.
fn with_repeats(g: &mut FrameGen, rng: &mut StdRng, n: usize, max: usize) -> Vec<Vec<u8>> {
    let mut frames: Vec<Vec<u8>> = Vec::new();
    while frames.len() < n {
        let f = g.any(max);
        if rng.gen_bool(0.3) && !frames.is_empty() {
            frames.push(frames[rng.gen_range(0..frames.len())].clone());
        }
        frames.push(f);
    }
    frames
}

#[test]
fn w8_random_and_broken_frames_and_65535_byte_packets() {
    let mut g = FrameGen::new(21);
    let mut rng = StdRng::seed_from_u64(21);
    let mut frames = with_repeats(&mut g, &mut rng, 1500, 9018);
    // The largest IP packets (and one byte more of frame than Ethernet
    // plus 65 535), among ordinary frames.
    for len in [65_535, 65_549, 65_550] {
        frames.insert(rng.gen_range(0..frames.len()), g.frame(len));
    }
    let classes = check(8, &frames, 21);
    println!("classes: {classes:?}");
    for c in [Class::Unparsed, Class::BadCsum, Class::Miss, Class::Ctrl] {
        assert!(classes.contains_key(&c), "no {c:?} frame");
    }
}

#[test]
fn w1_random_and_broken_frames() {
    let mut g = FrameGen::new(5);
    let mut rng = StdRng::seed_from_u64(5);
    let frames = with_repeats(&mut g, &mut rng, 600, 1600);
    let classes = check(1, &frames, 5);
    println!("classes: {classes:?}");
    assert!(classes.contains_key(&Class::Unparsed) && classes.contains_key(&Class::Miss));
}
