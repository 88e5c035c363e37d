//! What `toe replay` hands each application (engine placement, coalesced
//! completions and the host's slow path together) against an in-order
//! reassembly of the capture built here from tshark's fields alone, on
//! every trace of the corpus: the same directions, and for each the same
//! number of bytes and the same sha256.
//!
//! The reassembly is a receiver's: a direction starts at its SYN (a SYN
//! with a new ISN starts it again), takes the payload of every frame whose
//! IP and TCP checksums tshark does not find bad and whose capture holds
//! the whole payload, keeps the first copy of every byte, and delivers up
//! to the first gap never filled. Frames the engine does not walk (IP in
//! a tunnel, fragments) are not the engine's to deliver and are left out
//! on both sides; each trace's count of them is printed.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use toe::options::{Backend, Options};
use toe::replay::replay;

const FIELDS: [&str; 17] = [
    "frame.protocols",
    "ip.src",
    "ipv6.src",
    "ip.dst",
    "ipv6.dst",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.flags.syn",
    "tcp.len",
    "tcp.payload",
    "ip.checksum.status",
    "tcp.checksum.status",
    "frame.len",
    "frame.cap_len",
    "ip.hdr_len",
    "tcp.hdr_len",
];

/// tshark's PROTO_CHECKSUM_E_BAD (epan/proto.h).
const BAD: &str = "0";

#[derive(Default)]
struct Stream {
    next: u32,
    /// Bytes beyond `next`, first copy kept, by sequence offset from `next`.
    ahead: BTreeMap<u32, u8>,
    sha: Sha256,
    bytes: u64,
}

impl Stream {
    fn start(isn: u32) -> Stream {
        Stream {
            next: isn.wrapping_add(1),
            ..Stream::default()
        }
    }

    fn add(&mut self, seq: u32, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            let off = seq.wrapping_add(i as u32).wrapping_sub(self.next);
            // Below `next` (already delivered) is a wrapped, huge offset.
            if off < 1 << 30 {
                self.ahead.entry(off).or_insert(b);
            }
        }
        let mut run = Vec::new();
        while let Some(b) = self.ahead.remove(&(run.len() as u32)) {
            run.push(b);
        }
        if !run.is_empty() {
            self.sha.update(&run);
            self.bytes += run.len() as u64;
            self.next = self.next.wrapping_add(run.len() as u32);
            let n = run.len() as u32;
            self.ahead = std::mem::take(&mut self.ahead)
                .into_iter()
                .map(|(k, v)| (k - n, v))
                .collect();
        }
    }

    fn sha256(&self) -> String {
        self.sha
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| *c != ':').collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// The reassembly of `path` by direction, and how many TCP frames were
/// left out because the engine does not walk to them.
fn oracle(path: &std::path::Path) -> (BTreeMap<String, (u64, String)>, u64) {
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(path);
    for o in [
        "tcp.check_checksum:TRUE",
        "ip.check_checksum:TRUE",
        "tcp.desegment_tcp_streams:FALSE",
        "tcp.analyze_sequence_numbers:FALSE",
        "tcp.relative_sequence_numbers:FALSE",
        "ip.defragment:FALSE",
        "ipv6.defragment:FALSE",
    ] {
        cmd.args(["-o", o]);
    }
    cmd.args([
        "-Y",
        "tcp",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=;",
    ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd
        .output()
        .expect("tshark runs: scripts/setup.sh installs it");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let mut streams: HashMap<String, Stream> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut ended: Vec<(String, Stream)> = Vec::new();
    let mut current: HashMap<String, String> = HashMap::new();
    let mut isns: HashMap<String, u32> = HashMap::new();
    let mut left_out = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if !walked(f[0]) || f[5].contains(';') || header_cut(&f) {
            left_out += 1;
            continue;
        }
        let (src, dst) = if f[1].is_empty() {
            (f[2], f[4])
        } else {
            (f[1], f[3])
        };
        let key = format!("{src}:{}>{dst}:{}", f[5], f[6]);
        let seq: u32 = f[7].parse().expect("tcp.seq_raw");
        let syn = f[8] == "1" || f[8] == "True";
        if f[11] == BAD || f[12] == BAD {
            continue;
        }
        if syn && isns.get(&key) != Some(&seq) {
            isns.insert(key.clone(), seq);
            let n = names.entry(key.clone()).or_insert(0);
            *n += 1;
            let name = if *n == 1 {
                key.clone()
            } else {
                format!("{key} #{n}")
            };
            if let Some(old) = current.insert(key.clone(), name.clone())
                && let Some(s) = streams.remove(&old)
            {
                ended.push((old, s));
            }
            streams.insert(name, Stream::start(seq));
        }
        let len: usize = f[9].parse().unwrap_or(0);
        let Some(data) = hex(f[10]).filter(|d| len > 0 && d.len() == len) else {
            continue;
        };
        if let Some(s) = current.get(&key).and_then(|n| streams.get_mut(n)) {
            s.add(seq.wrapping_add(u32::from(syn)), &data);
        }
    }
    let all = ended.into_iter().chain(streams);
    (
        all.map(|(k, s)| (k, (s.bytes, s.sha256()))).collect(),
        left_out,
    )
}

/// IP right behind Ethernet (or a Linux cooked or BSD loopback capture,
/// which the reader turns into Ethernet) and up to two VLAN tags, and TCP
/// right behind the one IP header: what the engine walks.
fn walked(protocols: &str) -> bool {
    let layers: Vec<&str> = protocols.split(':').collect();
    let Some(ip) = layers.iter().position(|p| matches!(*p, "ip" | "ipv6")) else {
        return false;
    };
    let link_ok = layers[..ip]
        .iter()
        .all(|p| matches!(*p, "eth" | "sll" | "null" | "ethertype" | "vlan"));
    let vlans = layers[..ip].iter().filter(|p| **p == "vlan").count();
    link_ok && vlans <= 2 && layers.get(ip + 1) == Some(&"tcp")
}

/// The snap length cut the frame inside its headers: a receiver has no
/// segment. The link header's length follows from its layers.
fn header_cut(f: &[&str]) -> bool {
    let num = |i: usize| f[i].parse::<u64>().unwrap_or(0);
    let layers: Vec<&str> = f[0].split(':').collect();
    let link = match layers[0] {
        "sll" => 16,
        "null" => 4,
        _ => 14,
    } + 4 * layers.iter().filter(|p| **p == "vlan").count() as u64;
    let ip = if f[15].is_empty() { 40 } else { num(15) };
    num(14) < link + ip + num(16)
}

#[test]
fn every_application_gets_the_capture_reassembled() {
    if !testbench::tools::tshark() {
        return;
    }
    let Some(traces) = testbench::corpus::for_test() else {
        return;
    };
    let mut failures = Vec::new();
    let (mut directions, mut bytes, mut placed) = (0, 0, 0);
    for t in &traces {
        let opts = Options {
            driver: false,
            ..Options::new(8, Backend::Model)
        };
        let report = replay(&t.path, &opts, &|_, _| {}).expect("replay");
        let (want, left_out) = oracle(&t.path);
        let got: BTreeMap<String, (u64, String)> = report
            .delivered
            .iter()
            .map(|(k, d)| (k.clone(), (d.bytes, d.sha256.clone())))
            .collect();
        if got != want {
            let keys: Vec<&String> = want.keys().chain(got.keys()).collect();
            for k in keys {
                if got.get(k) != want.get(k) {
                    failures.push(format!(
                        "{}: {k}: toe {:?}, reassembly {:?}",
                        t.relative_path,
                        got.get(k),
                        want.get(k)
                    ));
                }
            }
        }
        for (k, d) in &report.delivered {
            assert!(
                d.placed_bytes <= d.bytes,
                "{}: {k} placed more than it delivered",
                t.relative_path
            );
        }
        directions += got.len();
        bytes += got.values().map(|v| v.0).sum::<u64>();
        placed += report
            .delivered
            .values()
            .map(|d| d.placed_bytes)
            .sum::<u64>();
        if left_out > 0 {
            eprintln!(
                "{}: {left_out} TCP frames the engine does not walk to",
                t.relative_path
            );
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{directions} directions, {bytes} bytes delivered, {placed} placed by the engine");
    assert!(directions > 0 && bytes > 0, "the corpus delivered nothing");
}
