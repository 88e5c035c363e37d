//! `toe replay --tx` on every trace of the corpus, its output pcap checked
//! against the input by oracles that share no code with the engine:
//!
//! (a) per TCP direction, the SHA-256 of the concatenated TCP payload bytes
//!     of the output equals the input's. Both sides are enumerated the same
//!     way, by etherparse (lax: payload cut to the IP length, or to the
//!     captured bytes), over every frame in file order, pass-through frames
//!     included. Retransmissions and out-of-order segments are not merged
//!     with what precedes them (a super-frame only takes in-order segments)
//!     and leave at their own position, so both sides hold them in the same
//!     order; a super-frame leaves at its first segment's position, and no
//!     later data of its direction can overtake it.
//! (b) every segment the engine cut from a super-frame has a TCP payload
//!     (tshark's `tcp.len`) of at most its direction's MSS, and that MSS is
//!     the one tshark's fields give: the smallest `tcp.options.mss_val` in a
//!     SYN of the connection, else the direction's largest `tcp.len`, at
//!     most spec::tso::MSS_MAX.
//! (c) tshark, checking IPv4/TCP/UDP checksums, finds no bad checksum, no
//!     malformed packet and no error-level expert item on any frame the
//!     engine built (segments) or checksummed, except an error its input
//!     frames already had (counted; a bad checksum is never excused: the
//!     engine wrote it). The input is dissected without checksum checks:
//!     tshark stops at a bad checksum (a capture taken on the sender), which
//!     would hide errors in the payload that the engine's good checksum then
//!     lets it see (an OpenFlow-encapsulated frame with a bad IPv4 length in
//!     of13_ericsson). Frames passed unchanged without a request (ARP,
//!     ICMP, snaplen-cut, fragments, ...) cannot be verified by the engine's
//!     work and are only counted.
//!
//! The backend is [`BACKEND`] at [`WIDTH`] bytes per beat: the RTL TX path
//! and the model, compared frame by frame (any difference fails), the RTL's
//! frames written. Per-trace figures are printed (`--nocapture`).

use capture::{Reader, Record};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use toe::{
    options::{Backend, Options},
    replay::replay,
};

/// Which engine the test runs (`Backend::Model` for a quick run without
/// Verilator).
const BACKEND: Backend = Backend::Both;
/// Bytes per beat of the RTL.
const WIDTH: usize = 8;
/// tshark's PI_ERROR expert severity.
const ERROR: &str = "8388608";

#[derive(Default, Debug)]
struct Row {
    dir: Option<String>,
    conn: Option<String>,
    tcp_len: Option<usize>,
    syn_mss: Option<usize>,
    icmp: bool,
    v4: bool,
    ip_status: Option<u8>,
    tcp_status: Option<u8>,
    udp_status: Option<u8>,
    /// Error-level expert messages (malformed packets included).
    errors: Vec<String>,
}

impl Row {
    fn bad_checksum(&self) -> bool {
        [self.ip_status, self.tcp_status, self.udp_status].contains(&Some(0))
    }
}

/// tshark's fields for every frame; `check`: verify checksums.
fn tshark(path: &Path, check: bool) -> HashMap<u64, Row> {
    let fields = [
        "frame.number",
        "frame.protocols",
        "ip.src",
        "ipv6.src",
        "tcp.srcport",
        "ip.dst",
        "ipv6.dst",
        "tcp.dstport",
        "tcp.len",
        "tcp.flags.syn",
        "tcp.options.mss_val",
        "ip.checksum.status",
        "tcp.checksum.status",
        "udp.checksum.status",
        "_ws.malformed",
        "_ws.expert.severity",
        "_ws.expert.message",
    ];
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(path);
    let on = if check { "TRUE" } else { "FALSE" };
    for p in ["ip", "tcp", "udp"] {
        cmd.args(["-o", &format!("{p}.check_checksum:{on}")]);
    }
    cmd.args([
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=\u{1f}",
    ]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd
        .output()
        .expect("tshark runs: install it with scripts/setup.sh (Debian package tshark)");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let mut rows = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<Vec<&str>> = line
            .split('\t')
            .map(|c| c.split('\u{1f}').filter(|s| !s.is_empty()).collect())
            .collect();
        let first = |i: usize| f.get(i).and_then(|v| v.first().copied());
        let Some(n) = first(0).and_then(|s| s.parse::<u64>().ok()) else {
            continue;
        };
        let num = |i: usize| first(i).and_then(|s| s.parse::<usize>().ok());
        let status = |i: usize| first(i).and_then(|s| s.parse::<u8>().ok());
        let src = first(2).or(first(3));
        let dst = first(5).or(first(6));
        let (dir, conn) = match (src, first(4), dst, first(7)) {
            (Some(s), Some(sp), Some(d), Some(dp)) => {
                let a = format!("{s}:{sp}");
                let b = format!("{d}:{dp}");
                let conn = if a < b {
                    format!("{a}-{b}")
                } else {
                    format!("{b}-{a}")
                };
                (Some(format!("{a}>{b}")), Some(conn))
            }
            _ => (None, None),
        };
        let severities = f.get(15).cloned().unwrap_or_default();
        let messages = f.get(16).cloned().unwrap_or_default();
        let mut errors: Vec<String> = severities
            .iter()
            .zip(&messages)
            .filter(|(s, _)| **s == ERROR)
            .map(|(_, m)| m.to_string())
            .collect();
        if first(14).is_some() {
            errors.push("malformed".into());
        }
        rows.insert(
            n,
            Row {
                dir,
                conn,
                tcp_len: num(8),
                syn_mss: (first(9) == Some("1") || first(9) == Some("True"))
                    .then(|| num(10))
                    .flatten(),
                icmp: first(1).is_some_and(|p| p.split(':').any(|t| t.starts_with("icmp"))),
                v4: first(2).is_some(),
                ip_status: status(11),
                tcp_status: status(12),
                udp_status: status(13),
                errors,
            },
        );
    }
    rows
}

/// Per direction: bytes and SHA-256 of the TCP payload, in file order.
fn payloads(path: &Path) -> BTreeMap<String, (u64, Vec<u8>)> {
    let mut h: BTreeMap<String, (u64, Sha256)> = BTreeMap::new();
    for r in Reader::open(path).unwrap() {
        let Record::Frame(f) = r.unwrap() else {
            continue;
        };
        let Ok(p) = etherparse::LaxSlicedPacket::from_ethernet(&f.data) else {
            continue;
        };
        let (Some(net), Some(etherparse::TransportSlice::Tcp(t))) = (&p.net, &p.transport) else {
            continue;
        };
        let (src, dst) = match net {
            etherparse::LaxNetSlice::Ipv4(ip) => (
                ip.header().source_addr().to_string(),
                ip.header().destination_addr().to_string(),
            ),
            etherparse::LaxNetSlice::Ipv6(ip) => (
                ip.header().source_addr().to_string(),
                ip.header().destination_addr().to_string(),
            ),
        };
        let dir = format!("{src}:{}>{dst}:{}", t.source_port(), t.destination_port());
        let e = h.entry(dir).or_insert_with(|| (0, Sha256::new()));
        e.0 += t.payload().len() as u64;
        e.1.update(t.payload());
    }
    h.into_iter()
        .map(|(k, (n, s))| (k, (n, s.finalize().to_vec())))
        .collect()
}

/// Each direction's MSS from tshark's fields (rule in the module doc).
fn mss_of(rows: &HashMap<u64, Row>) -> HashMap<String, usize> {
    let mut syn: HashMap<&str, usize> = HashMap::new();
    let mut largest: HashMap<&str, usize> = HashMap::new();
    for r in rows.values().filter(|r| !r.icmp) {
        let (Some(dir), Some(conn)) = (&r.dir, &r.conn) else {
            continue;
        };
        if let Some(m) = r.syn_mss.filter(|&m| m > 0) {
            let e = syn.entry(conn).or_insert(m);
            *e = (*e).min(m);
        }
        if let Some(n) = r.tcp_len {
            let e = largest.entry(dir).or_insert(n);
            *e = (*e).max(n);
        }
    }
    let mut out = HashMap::new();
    for r in rows.values() {
        let (Some(dir), Some(conn)) = (&r.dir, &r.conn) else {
            continue;
        };
        let raw = syn
            .get(conn.as_str())
            .copied()
            .or(largest.get(dir.as_str()).copied())
            .unwrap_or(1);
        out.insert(dir.clone(), raw.min(usize::from(spec::tso::MSS_MAX)));
    }
    out
}

#[derive(Default)]
struct Totals {
    superframes: u64,
    segments: u64,
    checked: u64,
    good_l4: u64,
    excused: BTreeMap<String, u64>,
    unverified_plain: u64,
    directions: u64,
    payload_bytes: u64,
}

fn out_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("opentoe-tshark-tx-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn tx_replay_keeps_every_byte_and_tshark_finds_no_fault() {
    let Some(traces) = testbench::corpus::for_test() else {
        return;
    };
    if !testbench::tools::tshark() {
        return;
    }
    let started = Instant::now();
    let dir = out_dir();
    let mut failures: Vec<String> = Vec::new();
    let mut all = Totals::default();
    eprintln!(
        "{:<45} {:>7} {:>7} {:>7} {:>7} {:>6} {:>10} {:>5}",
        "trace", "frames", "super", "merged", "segs", "pass", "bytes", "dirs"
    );
    for (i, t) in traces.iter().enumerate() {
        let name = &t.relative_path;
        let out = dir.join(format!("{i}.pcap"));
        let opts = Options {
            tx: true,
            out: Some(out.clone()),
            keep_verdicts: true,
            ..Options::new(WIDTH, BACKEND)
        };
        let report = replay(&t.path, &opts, &|_, _| {}).unwrap();
        let tx = report.tx.as_ref().expect("a TX report");
        let mut fail = |s: String| failures.push(format!("{name}: {s}"));
        if report.mismatches != 0 {
            fail(format!(
                "{} mismatches (RTL/model, or the driver path): {:?}",
                report.mismatches, tx.mismatch_examples
            ));
        }
        if tx.superframes > 0 && tx.driver_device != "rtl" {
            fail(format!("the TX ring pass ran on the {}", tx.driver_device));
        }
        if !tx.refused.is_empty() || !tx.csum_refused.is_empty() {
            fail(format!(
                "refused: engine {:?}, tx_checksum {:?}",
                tx.refused, tx.csum_refused
            ));
        }

        // (a) every direction's payload, byte for byte.
        let (want, got) = (payloads(&t.path), payloads(&out));
        if want != got {
            let dirs: HashSet<&String> = want.keys().chain(got.keys()).collect();
            for d in dirs {
                if want.get(d) != got.get(d) {
                    fail(format!(
                        "direction {d}: payload {:?} bytes in, {:?} out, or a different hash",
                        want.get(d).map(|x| x.0),
                        got.get(d).map(|x| x.0)
                    ));
                }
            }
        }
        all.directions += want.len() as u64;
        all.payload_bytes += want.values().map(|x| x.0).sum::<u64>();

        // (b) and (c), frame by frame.
        let (rows_in, rows_out) = (tshark(&t.path, false), tshark(&out, true));
        if rows_out.len() as u64 != tx.wire_frames {
            fail(format!(
                "tshark read {} output frames, the report says {}",
                rows_out.len(),
                tx.wire_frames
            ));
        }
        let mss = mss_of(&rows_in);
        let mut seen_mss: HashMap<String, u16> = HashMap::new();
        for o in &tx.origins {
            let Some(row) = rows_out.get(&o.out) else {
                fail(format!("output frame {} missing in tshark's output", o.out));
                continue;
            };
            if o.kind == "plain" || o.kind == "too_long" {
                all.unverified_plain += 1;
                continue;
            }
            all.checked += 1;
            if o.kind == "segment" {
                let dir = row.dir.clone().unwrap_or_default();
                let want_mss = mss.get(&dir).copied();
                if want_mss != Some(usize::from(o.mss)) {
                    fail(format!(
                        "output frame {} ({dir}): MSS {} used, tshark's fields give {want_mss:?}",
                        o.out, o.mss
                    ));
                }
                if row.tcp_len.is_none_or(|n| n > usize::from(o.mss)) {
                    fail(format!(
                        "output frame {} ({dir}): payload {:?} over MSS {}",
                        o.out, row.tcp_len, o.mss
                    ));
                }
                seen_mss.insert(dir, o.mss);
            }
            if row.tcp_status == Some(1) || row.udp_status == Some(1) {
                all.good_l4 += 1;
            }
            if row.bad_checksum() || (row.v4 && row.ip_status != Some(1)) {
                fail(format!(
                    "output frame {} ({} of input {:?}): checksum status ip {:?} tcp {:?} udp {:?}",
                    o.out, o.kind, o.inputs, row.ip_status, row.tcp_status, row.udp_status
                ));
            }
            let had: HashSet<&String> = o
                .inputs
                .iter()
                .filter_map(|n| rows_in.get(n))
                .flat_map(|r| &r.errors)
                .collect();
            for e in row.errors.iter().filter(|e| !e.starts_with("Bad checksum")) {
                if had.contains(e) {
                    *all.excused.entry(e.clone()).or_default() += 1;
                } else {
                    fail(format!(
                        "output frame {} ({} of input {:?}): tshark error `{e}` the input did not have",
                        o.out, o.kind, o.inputs
                    ));
                }
            }
        }
        let merged: u64 = tx.mss.iter().map(|d| d.merged).sum();
        assert_eq!(merged, tx.merged, "{name}: per-direction sums");
        eprintln!(
            "{:<45} {:>7} {:>7} {:>7} {:>7} {:>6} {:>10} {:>5}",
            name,
            report.frames,
            tx.superframes,
            tx.merged,
            tx.segments,
            tx.passthrough,
            tx.bytes,
            seen_mss.len()
        );
        all.superframes += tx.superframes;
        all.segments += tx.segments;
        let _ = std::fs::remove_file(&out);
    }
    let _ = std::fs::remove_dir(&dir);
    eprintln!(
        "{} traces in {:.1} s: {} super-frames -> {} segments; {} directions, {} payload bytes equal; \
         {} frames checked by tshark ({} good TCP/UDP checksums), {} passed unchanged (not verifiable)",
        traces.len(),
        started.elapsed().as_secs_f64(),
        all.superframes,
        all.segments,
        all.directions,
        all.payload_bytes,
        all.checked,
        all.good_l4,
        all.unverified_plain
    );
    for (e, n) in &all.excused {
        eprintln!("  excused (the input had it too): {n} x `{e}`");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(50)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        all.superframes > 1000,
        "only {} super-frames",
        all.superframes
    );
    assert!(all.segments >= all.superframes);
}
