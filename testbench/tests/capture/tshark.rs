//! The corpus as tshark reads it: same frame count, same lengths, and for a
//! few traces of different kinds the same bytes.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use capture::Frame;
use testbench::corpus::{self, Trace};

use crate::files::{frames, link_header_len, read_ok};

/// Whether tshark runs: a printed skip if not, a failure where tools
/// are required (CI).
pub fn tshark_installed() -> bool {
    testbench::tools::tshark()
}

/// tshark's output for a file.
pub fn tshark(path: &Path, args: &[&str]) -> String {
    let out = Command::new("tshark")
        .arg("-n")
        .arg("-r")
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tshark -r {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `check` on every trace on two threads (tshark's start-up dominates),
/// and fails with every mismatch at once.
fn for_each_trace(traces: &[Trace], check: impl Fn(&Trace) -> Result<(), String> + Sync) {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some(t) = traces.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = check(t) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{}: {e}", t.relative_path));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The original link header's length minus the synthetic Ethernet one.
fn reframing_delta(f: &Frame) -> i64 {
    link_header_len(f.link_type) as i64 - f.added as i64
}

#[test]
fn tshark_agrees_on_frame_count_and_lengths() {
    let Some(traces) = corpus::for_test() else {
        return;
    };
    if !tshark_installed() {
        return;
    }
    for_each_trace(&traces, |t| {
        let frames = frames(read_ok(&t.path));
        let out = tshark(
            &t.path,
            &["-T", "fields", "-e", "frame.len", "-e", "frame.cap_len"],
        );
        let lines: Vec<&str> = out.lines().collect();
        if lines.len() != frames.len() {
            return Err(format!(
                "tshark {} frames, we {}",
                lines.len(),
                frames.len()
            ));
        }
        for (f, line) in frames.iter().zip(lines) {
            let d = reframing_delta(f);
            let ours = format!("{}\t{}", f.orig_len as i64 + d, f.data.len() as i64 + d);
            if ours != line {
                return Err(format!(
                    "frame {}: tshark len/cap_len {line}, we {ours}",
                    f.number
                ));
            }
        }
        Ok(())
    });
}

/// The frames of a `--hexdump frames` listing.
fn parse_hexdump(text: &str) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in text.lines() {
        let Some((offset, rest)) = line.split_once("  ") else {
            frames.extend(current.take());
            continue;
        };
        let bytes = current.get_or_insert_with(Vec::new);
        assert_eq!(usize::from_str_radix(offset, 16), Ok(bytes.len()), "{line}");
        // Up to 16 "xx " tokens, then spaces and the ASCII column.
        for k in 0..16 {
            match rest.get(3 * k..3 * k + 2) {
                Some(t) if t.bytes().all(|c| c.is_ascii_hexdigit()) => {
                    bytes.push(u8::from_str_radix(t, 16).unwrap())
                }
                _ => break,
            }
        }
    }
    frames.extend(current);
    frames
}

#[test]
fn tshark_agrees_on_frame_bytes() {
    let Some(traces) = corpus::for_test() else {
        return;
    };
    // Linux cooked with nanoseconds, BSD loopback, pcapng with IPv6 and with
    // statistics blocks, frames cut by the snaplen.
    let chosen = [
        "tcpdump/tcp-handshake-nano.pcap",
        "zeek/redis/large-requests-responses.pcap",
        "packets/http_ip4and6.pcapng",
        "zeek/krb/kerberos_tso.pcapng",
        "zeek/tcp/truncated-header.pcap",
    ];
    let traces: Vec<Trace> = traces
        .into_iter()
        .filter(|t| chosen.contains(&t.relative_path.as_str()))
        .collect();
    assert_eq!(
        traces.len(),
        chosen.len(),
        "traces missing from the manifest"
    );
    if !tshark_installed() {
        return;
    }
    for_each_trace(&traces, |t| {
        let frames = frames(read_ok(&t.path));
        let out = tshark(&t.path, &["--hexdump", "frames"]);
        let dumps = parse_hexdump(&out);
        if dumps.len() != frames.len() {
            return Err(format!(
                "tshark {} frames, we {}",
                dumps.len(),
                frames.len()
            ));
        }
        for (f, dump) in frames.iter().zip(dumps) {
            let payload = &dump[link_header_len(f.link_type)..];
            if f.data[f.added..] != *payload {
                return Err(format!("frame {}: bytes differ", f.number));
            }
        }
        Ok(())
    });
}
