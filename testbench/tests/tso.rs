//! `tso` and `tx_path` RTL against the model: random super-frames of random
//! length (up to 64 KB) at random MSS, plain frames, broken descriptors,
//! truncated and overlong streams and frames the host marks bad, at 8 and
//! 64 bits, with random idle on the input and backpressure on the output.
//! Every frame must come out exactly as the model says, and the block must
//! drain: `run` fails on a hang.

use sim::stream::{Traffic, run};
use sim::tso::TxRtl;
use spec::tso::Status;
use testbench::super_frames::{SuperGen, Work};

fn work(seed: u64, n: usize, max_payload: usize) -> Vec<Work> {
    let mut g = SuperGen::new(seed);
    (0..n).map(|_| g.any(max_payload)).collect()
}

/// Runs `work` through the `tso` build: segments, commands and statuses.
fn tso(width: usize, work: &[Work], traffic: Traffic) -> Vec<Status> {
    let mut rtl = TxRtl::new("tso", width, None).unwrap();
    let input = work.iter().map(|(f, u, d)| (f, *u, d.pack().unwrap()));
    let mut statuses = Vec::new();
    run(&mut rtl, input, &traffic, |got| {
        let got = got?;
        let i = statuses.len();
        let (f, user, d) = &work[i];
        let want = model::tso::segment(f, *user, *d);
        assert_eq!(got.status, want.status, "frame {i}: {d:?}");
        assert_eq!(got.segments.len(), want.segments.len(), "frame {i}: {d:?}");
        for (n, (g, w)) in got.segments.iter().zip(&want.segments).enumerate() {
            same(&g.frame, &w.frame, &format!("frame {i} segment {n}: {d:?}"));
            assert_eq!(
                g.side,
                w.cmd.pack().unwrap(),
                "frame {i} segment {n} command"
            );
            assert_eq!(g.user, w.user, "frame {i} segment {n} user");
        }
        statuses.push(got.status);
        Ok(())
    })
    .unwrap();
    statuses
}

/// Runs `work` through `tx_path`: wire frames with both checksums in.
fn tx_path(width: usize, work: &[Work], traffic: Traffic) {
    let mut rtl = TxRtl::new("tx_path", width, None).unwrap();
    let max = rtl_max_frame(width);
    let input = work.iter().map(|(f, u, d)| (f, *u, d.pack().unwrap()));
    let mut i = 0;
    run(&mut rtl, input, &traffic, |got| {
        let got = got?;
        let (f, user, d) = &work[i];
        let (wire, status) = model::tso::send_flagged(f, *user, *d, max);
        assert_eq!(got.status, status, "frame {i}: {d:?}");
        assert_eq!(got.segments.len(), wire.len(), "frame {i}: {d:?}");
        for (n, (g, w)) in got.segments.iter().zip(&wire).enumerate() {
            same(
                &g.frame,
                &w.frame,
                &format!("frame {i} wire frame {n}: {d:?}"),
            );
            assert_eq!(g.side, w.status as u32, "frame {i} wire frame {n} status");
            assert_eq!(g.user, w.user, "frame {i} wire frame {n} user");
        }
        i += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(i, work.len());
}

/// Fails naming the first byte that differs, not with two dumps.
fn same(got: &[u8], want: &[u8], what: &str) {
    if got != want {
        let at = got.iter().zip(want).position(|(a, b)| a != b);
        panic!(
            "{what}: RTL sent {} bytes, model {}; first difference at {at:?}",
            got.len(),
            want.len()
        );
    }
}

fn rtl_max_frame(width: usize) -> usize {
    sim::bridge::model("tx_path", width)
        .and_then(|m| m.param("max_frame"))
        .unwrap() as usize
}

const HOSTILE: [Traffic; 3] = [
    Traffic {
        idle: 0.3,
        backpressure: 0.0,
        seed: 1,
    },
    Traffic {
        idle: 0.0,
        backpressure: 0.5,
        seed: 2,
    },
    Traffic {
        idle: 0.2,
        backpressure: 0.3,
        seed: 3,
    },
];

#[test]
fn tso_equals_model_at_64_bits() {
    let w = work(64, 400, 6000);
    let s = tso(8, &w, Traffic::FULL_RATE);
    for t in HOSTILE {
        assert_eq!(tso(8, &w, t), s);
    }
    // Every way a frame can end happened.
    for want in Status::ALL {
        assert!(s.contains(&want), "no frame ended {want:?}");
    }
}

#[test]
fn tso_equals_model_at_8_bits() {
    let w = work(8, 150, 3000);
    let s = tso(1, &w, Traffic::FULL_RATE);
    assert_eq!(tso(1, &w, HOSTILE[2]), s);
}

#[test]
fn super_frames_of_64_kb_stream_through_the_ring() {
    let mut g = SuperGen::new(65);
    let w: Vec<Work> = [(1460, false), (536, true), (8960, false), (1, false)]
        .into_iter()
        .map(|(mss, v6)| {
            let f = g.super_frame(65_000 - 100, mss, v6, mss == 536);
            (f.frame, false, f.desc)
        })
        .collect();
    for width in [8, 1] {
        let s = tso(width, &w, HOSTILE[2]);
        assert!(s.iter().all(|s| *s == Status::Ok), "{s:?}");
    }
}

#[test]
fn tx_path_equals_model() {
    tx_path(8, &work(11, 200, 5000), HOSTILE[2]);
    tx_path(1, &work(12, 60, 2000), HOSTILE[0]);
}
