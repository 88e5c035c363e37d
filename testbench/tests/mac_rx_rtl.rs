//! `mac_rx` against the model (`model::mac`, whose FCS check is
//! `crc32fast`): random GMII traffic of good frames, bad FCS, runts (down
//! to 1 byte), jumbo and oversize frames, PHY errors, bad, short and
//! missing preambles, at gaps from the minimum 12 bytes down to 1; real
//! frames from the bundled captures with the FCS a sender adds; and under
//! backpressure, which a PHY cannot obey, every frame still ends and none
//! is passed as good unless it arrived whole and good.

use model::mac::{Gmii, RxFrame, on_the_wire, receive};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::mac_rx::{MacRxCounters, MacRxRtl};
use spec::mac::MAX_FRAME;

fn burst(wire: &[u8], er_at: Option<usize>, gap: usize, out: &mut Vec<Gmii>) {
    for (i, &d) in wire.iter().enumerate() {
        out.push(Gmii {
            dv: true,
            er: er_at == Some(i),
            d,
        });
    }
    out.extend(std::iter::repeat_n(Gmii::default(), gap));
}

fn random_frame(rng: &mut StdRng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.r#gen()).collect()
}

/// `n` random bursts of every kind the receiver must handle.
fn traffic(rng: &mut StdRng, n: usize) -> Vec<Gmii> {
    let mut out = vec![Gmii::default(); 3];
    for _ in 0..n {
        let gap = if rng.gen_bool(0.7) {
            12
        } else {
            rng.gen_range(1..=40)
        };
        let len = rng.gen_range(60..=1514);
        match rng.gen_range(0..20) {
            0 => {
                let mut w = on_the_wire(&random_frame(rng, len));
                let at = rng.gen_range(8..w.len());
                w[at] ^= 1 << rng.gen_range(0..8);
                burst(&w, None, gap, &mut out);
            }
            1 => {
                let short = rng.gen_range(0..60);
                burst(&on_the_wire(&random_frame(rng, short)), None, gap, &mut out);
            }
            2 => {
                let long = rng.gen_range(1515..=MAX_FRAME - 4);
                burst(&on_the_wire(&random_frame(rng, long)), None, gap, &mut out);
            }
            3 => {
                let over = rng.gen_range(MAX_FRAME - 3..=MAX_FRAME + 40);
                burst(&on_the_wire(&random_frame(rng, over)), None, gap, &mut out);
            }
            4 => {
                let w = on_the_wire(&random_frame(rng, len));
                let at = rng.gen_range(0..w.len());
                burst(&w, Some(at), gap, &mut out);
            }
            5 => {
                let mut w = on_the_wire(&random_frame(rng, len));
                w[rng.gen_range(0..7)] = rng.r#gen();
                burst(&w, None, gap, &mut out);
            }
            6 => {
                // A preamble cut short, or none at all before the SFD.
                let w = on_the_wire(&random_frame(rng, len));
                burst(&w[rng.gen_range(0..=7)..], None, gap, &mut out);
            }
            7 => {
                // A burst that ends inside the preamble, or is noise.
                let k = rng.gen_range(1..=8);
                let w: Vec<u8> = if rng.gen_bool(0.5) {
                    vec![0x55; k]
                } else {
                    random_frame(rng, k)
                };
                burst(&w, None, gap, &mut out);
            }
            _ => burst(&on_the_wire(&random_frame(rng, len)), None, gap, &mut out),
        }
    }
    out
}

fn as_rtl(c: model::mac::RxCounters) -> MacRxCounters {
    MacRxCounters {
        frames: c.frames,
        oversize: c.oversize,
        runts: c.runts,
        errors: c.errors,
        bad_fcs: c.bad_fcs,
        overruns: 0,
    }
}

#[test]
fn rtl_equals_model_on_random_gmii_traffic() {
    for seed in 0..4 {
        let mut rng = StdRng::seed_from_u64(seed);
        let cycles = traffic(&mut rng, 600);
        let (want, counters) = receive(&cycles);
        let mut rtl = MacRxRtl::new(seed).expect("the mac_rx build");
        let got = rtl
            .run(&cycles, 0.0)
            .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
        assert_eq!(got.len(), want.len(), "seed {seed}: frames");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "seed {seed}: frame {i} differs");
        }
        assert_eq!(rtl.counters(), as_rtl(counters), "seed {seed}: counters");
        let c = counters;
        eprintln!("seed {seed}: {} frames out; {c:?}", got.len());
        // The traffic reached every counter.
        assert!(c.frames > 0 && c.oversize > 0 && c.runts > 0 && c.errors > 0 && c.bad_fcs > 0);
    }
}

/// Every frame of the bundled captures, padded to 60 bytes and sent with
/// its FCS at the minimum gap.
fn bundled_frames() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("traces");
    let mut frames = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("testbench/traces") {
        let path = entry.unwrap().path();
        if !path
            .extension()
            .is_some_and(|e| e == "pcap" || e == "pcapng")
        {
            continue;
        }
        for r in capture::Reader::open(&path).unwrap() {
            if let capture::Record::Frame(f) = r.unwrap() {
                let mut bytes = f.data.to_vec();
                if bytes.len() < 60 {
                    bytes.resize(60, 0);
                }
                frames.push(bytes);
            }
        }
    }
    assert!(!frames.is_empty(), "no frames in {}", dir.display());
    frames
}

#[test]
fn captured_frames_pass_whole_and_good() {
    let frames: Vec<Vec<u8>> = bundled_frames()
        .into_iter()
        .filter(|f| f.len() <= MAX_FRAME - 4)
        .collect();
    let mut cycles = Vec::new();
    for f in &frames {
        burst(&on_the_wire(f), None, 12, &mut cycles);
    }
    let mut rtl = MacRxRtl::new(1).expect("the mac_rx build");
    let got = rtl.run(&cycles, 0.0).unwrap();
    assert_eq!(got.len(), frames.len());
    for (i, (g, f)) in got.iter().zip(&frames).enumerate() {
        assert_eq!(
            g,
            &RxFrame {
                bytes: f.clone(),
                bad: false
            },
            "frame {i}"
        );
    }
    assert_eq!(rtl.counters().frames as usize, frames.len());
    eprintln!("{} captured frames, all good", frames.len());
}

#[test]
fn backpressure_loses_frames_loudly_never_silently() {
    for seed in 0..3 {
        let mut rng = StdRng::seed_from_u64(seed + 10);
        let cycles = traffic(&mut rng, 400);
        let (want, _) = receive(&cycles);
        let mut rtl = MacRxRtl::new(seed).expect("the mac_rx build");
        let got = rtl
            .run(&cycles, [0.05, 0.3, 0.9][seed as usize])
            .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
        let c = rtl.counters();
        // The good frames out are good frames the model passed, in order.
        let good: Vec<&RxFrame> = want.iter().filter(|f| !f.bad).collect();
        let mut next = good.iter();
        let passed = got.iter().filter(|f| !f.bad).count();
        for g in got.iter().filter(|f| !f.bad) {
            assert!(
                next.any(|w| *w == g),
                "seed {seed}: a frame passed as good that the model did not pass"
            );
        }
        assert_eq!(c.frames as usize, passed, "seed {seed}: frames counter");
        assert!(c.overruns > 0, "seed {seed}: backpressure never overran");
        assert!(
            passed + c.overruns as usize >= good.len(),
            "seed {seed}: a good frame went missing without an overrun"
        );
        eprintln!(
            "seed {seed}: {passed} of {} good frames passed, {c:?}",
            good.len()
        );
    }
}
