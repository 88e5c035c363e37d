//! The connection table and the emulated host against tshark's TCP
//! analysis on every trace of the corpus, with the RTL and the model
//! compared frame by frame at 8 and at 64 bits, with random idle cycles
//! and backpressure:
//!
//! - handshakes per `tcp.stream`: ours (two installs per handshake) equal
//!   tshark's `tcp.completeness` having SYN, SYN-ACK and ACK, except where
//!   a handshake frame was refused by us (bad checksum, unparsed) or
//!   tshark's conversation misses a SYN that is in the stream;
//! - every frame we class `old` or `overlap` is one tshark calls a
//!   retransmission, out-of-order or keep-alive, and no frame tshark calls
//!   so is `fast` (new data) to us;
//! - every `ahead` frame (a hole before it) is in a stream where tshark saw
//!   a lost segment, a retransmission or an out-of-order segment at or
//!   before it, or where we refused an earlier frame (a hole of our own).
//!
//! The counts and the principled differences are printed (`--nocapture`).

use sim::stream::Traffic;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::Command;
use toe::{
    options::{Backend, Options},
    replay::replay,
};

#[derive(Default)]
struct Row {
    stream: u64,
    syn_only: bool,
    retx: bool,
    ooo: bool,
    keep_alive: bool,
    lost: bool,
}

struct Tshark {
    rows: HashMap<u64, Row>,
    completeness: HashMap<u64, u64>,
}

fn tshark(path: &std::path::Path) -> Tshark {
    let fields = [
        "frame.number",
        "tcp.stream",
        "tcp.completeness",
        "tcp.flags",
        "tcp.analysis.retransmission",
        "tcp.analysis.spurious_retransmission",
        "tcp.analysis.fast_retransmission",
        "tcp.analysis.out_of_order",
        "tcp.analysis.keep_alive",
        "tcp.analysis.lost_segment",
    ];
    let mut cmd = Command::new("tshark");
    // Two passes, so the completeness is the stream's final one.
    cmd.args(["-n", "-2", "-r"]).arg(path);
    cmd.args(["-Y", "tcp", "-T", "fields", "-E", "occurrence=f"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd
        .output()
        .expect("tshark runs: install it with scripts/setup.sh (Debian package tshark)");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let mut t = Tshark {
        rows: HashMap::new(),
        completeness: HashMap::new(),
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (Ok(n), Ok(stream)) = (f[0].parse::<u64>(), f[1].parse::<u64>()) else {
            continue;
        };
        let num = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or(0);
        if !f[2].is_empty() {
            t.completeness.insert(stream, f[2].parse().unwrap_or(0));
        }
        let flags = num(f[3]);
        let set = |i: usize| !f[i].is_empty();
        t.rows.insert(
            n,
            Row {
                stream,
                syn_only: flags & 0x12 == 0x02,
                retx: set(4) || set(5) || set(6),
                ooo: set(7),
                keep_alive: set(8),
                lost: set(9),
            },
        );
    }
    t
}

#[test]
fn classes_and_installs_agree_with_tshark_tcp_analysis() {
    let Some(traces) = testbench::corpus::for_test() else {
        return;
    };
    if !testbench::tools::tshark() {
        return;
    }
    let mut notes: BTreeMap<String, u64> = BTreeMap::new();
    let mut failures = Vec::new();
    let (mut handshakes, mut old, mut ahead, mut frames) = (0u64, 0u64, 0u64, 0u64);
    for t in &traces {
        let name = t.path.display().to_string();
        let run = |width: usize| {
            let opts = Options {
                keep_verdicts: true,
                flows: true,
                traffic: Traffic {
                    idle: 0.2,
                    backpressure: 0.3,
                    seed: 11 + width as u64,
                },
                // The driver pass has its own test (replay_driver).
                driver: false,
                ..Options::new(width, Backend::Both)
            };
            let report = replay(&t.path, &opts, &|_, _| {}).unwrap();
            assert_eq!(
                report.mismatches, 0,
                "{name} at {width} bytes: RTL and model differ"
            );
            report
        };
        let (report, narrow) = (run(8), run(1));
        assert_eq!(
            report.classes, narrow.classes,
            "{name}: 8 and 64 bits differ"
        );
        let ts = tshark(&t.path);
        let class: HashMap<u64, &str> = report
            .frame_classes
            .iter()
            .map(|c| (c.frame, c.class))
            .collect();
        frames += class.len() as u64;

        // Handshakes per stream.
        let mut ours: HashMap<u64, u64> = HashMap::new();
        for f in &report.flows {
            if let Some(r) = ts.rows.get(&f.since_frame) {
                *ours.entry(r.stream).or_default() += 1;
            }
        }
        let streams: HashSet<u64> = ts.rows.values().map(|r| r.stream).collect();
        for s in streams {
            let ours = ours.get(&s).copied().unwrap_or(0) / 2;
            let c = ts.completeness.get(&s).copied().unwrap_or(0);
            let theirs = u64::from(c & 7 == 7);
            handshakes += ours;
            if ours == theirs {
                continue;
            }
            let in_stream = || ts.rows.iter().filter(move |(_, r)| r.stream == s);
            let refused = in_stream()
                .any(|(n, _)| matches!(class.get(n), Some(&"bad_csum") | Some(&"unparsed")));
            let has_syn = in_stream().any(|(_, r)| r.syn_only);
            let why = if ours < theirs && refused {
                "handshake frames we refused (bad checksum or unparsed)"
            } else if ours > theirs && c & 1 == 0 && has_syn {
                "tshark's conversation has no SYN bit although the stream has a SYN"
            } else {
                failures.push(format!(
                    "{name}: stream {s}: {ours} handshakes, tshark completeness {c}"
                ));
                continue;
            };
            *notes.entry(format!("handshake: {why}")).or_default() += 1;
        }

        // Retransmissions and holes, frame by frame.
        let mut hole_seen: HashSet<u64> = HashSet::new();
        let mut numbers: Vec<&u64> = ts.rows.keys().collect();
        numbers.sort();
        for n in numbers {
            let r = &ts.rows[n];
            let c = class.get(n).copied().unwrap_or("none");
            let again = r.retx || r.ooo || r.keep_alive;
            if r.lost || again || matches!(c, "bad_csum" | "unparsed") {
                hole_seen.insert(r.stream);
            }
            match c {
                "old" | "overlap" => {
                    old += 1;
                    if !again {
                        failures.push(format!("{name}: frame {n} is {c}, tshark: new data"));
                    }
                }
                "fast" if again => {
                    failures.push(format!("{name}: frame {n} is fast, tshark: seen before"))
                }
                "ahead" => {
                    ahead += 1;
                    if !hole_seen.contains(&r.stream) {
                        failures.push(format!("{name}: frame {n} is ahead, tshark: no hole"));
                    }
                }
                _ => {}
            }
            if again && matches!(c, "ahead") {
                *notes
                    .entry(
                        "a retransmission past a hole is `ahead`: rcv_nxt waits at the hole".into(),
                    )
                    .or_default() += 1;
            }
            if r.keep_alive && c == "ack" {
                *notes
                    .entry("a keep-alive without data is `ack` (no payload comes first)".into())
                    .or_default() += 1;
            }
        }
    }
    println!("{frames} frames: {handshakes} handshakes, {old} old/overlap, {ahead} ahead");
    for (why, n) in &notes {
        println!("  {n:>6}  {why}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        handshakes > 100 && old > 10 && ahead > 10,
        "the corpus exercises too little"
    );
}
