//! The `toe` command line as a user meets it: exit codes, JSON, messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn toe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toe"))
        .args(args)
        .output()
        .unwrap()
}

fn traces() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testbench/traces")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("toe-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn help_is_everywhere() {
    for args in [
        &["--help"][..],
        &["replay", "--help"],
        &["ss", "--help"],
        &["tap", "--help"],
        &["tap", "serve", "http", "--help"],
    ] {
        let out = toe(args);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn replay_json_has_the_documented_fields() {
    let f = traces().join("ipv6.pcap");
    let out = toe(&["replay", "--json", "--width", "8", f.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["frames"], 136);
    assert_eq!(v["mismatches"], 0);
    assert_eq!(v["truncated_file"], false);
    assert_eq!(v["checksum"]["tcp_ok"], 136);
    for k in ["ipv4_ok", "ipv4_bad", "tcp_bad", "udp_ok", "udp_bad"] {
        assert!(v["checksum"][k].is_u64(), "missing checksum.{k}");
    }
    for k in ["cycles", "wall_s", "cycles_per_s"] {
        assert!(v["sim"][k].is_number(), "missing sim.{k}");
        assert!(v["parser_sim"][k].is_number(), "missing parser_sim.{k}");
    }
    // Every frame holds a whole TCP segment (its checksum was verified), so
    // the parser takes every one.
    assert_eq!(v["parse"]["ok"], 136, "{}", v["parse"]);
    // The driver pass: one completion per frame, nothing dropped.
    let d = &v["driver"];
    assert_eq!(d["completions"], 136);
    assert_eq!(d["mismatches"], 0);
    assert_eq!(d["counters"]["rx_no_buffer"], 0);
    assert_eq!(d["counters"]["rx_frames"], 136);
    assert!(
        d["driver"]["doorbells"].is_u64(),
        "missing driver.driver.doorbells"
    );
}

#[test]
fn ss_lists_connections_as_json_and_as_a_table() {
    // One handshake and one 104-byte request, never closed; tshark -T
    // fields reads the client's ISN 3750886907 and the server's 724047884.
    let f = traces().join("tcp-options.pcap");
    let out = toe(&["ss", "--json", f.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().expect("a JSON array");
    assert!(!list.is_empty(), "the open connection is listed: {v}");
    for e in list {
        for k in [
            "slot", "tuple", "rcv_nxt", "snd_una", "frames", "bytes", "fast", "slow",
        ] {
            assert!(!e[k].is_null(), "missing {k} in {e}");
        }
    }
    let dir = |t: &str| list.iter().find(|e| e["tuple"] == t).cloned();
    let up = dir("192.168.1.102:36861 > 193.1.193.64:80").expect("client to server");
    let down = dir("193.1.193.64:80 > 192.168.1.102:36861").expect("server to client");
    assert_eq!(up["rcv_nxt"], 3750886908u64 + 104);
    assert_eq!(
        (up["frames"].clone(), up["bytes"].clone()),
        (1.into(), 104.into())
    );
    assert_eq!(down["rcv_nxt"], 724047885u64);
    let out = toe(&["ss", f.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{} connections installed", list.len())),
        "{text}"
    );
    let out = toe(&["ss", "--table-entries", "100", f.to_str().unwrap()]);
    assert!(!out.status.success(), "a table of 100 entries is refused");
}

#[test]
fn a_file_cut_short_is_replayed_with_a_warning() {
    let whole = std::fs::read(traces().join("http-qinq-0.pcap")).unwrap();
    let end = whole.len() - 100;
    let cut = tmp("cut.pcap");
    std::fs::write(&cut, &whole[..end]).unwrap();
    // Count the records that end before the cut, from the record headers
    // (little-endian classic pcap: 24-byte file header, 16-byte records).
    let (mut at, mut complete) = (24, 0);
    while at + 16 <= end {
        let caplen = u32::from_le_bytes(whole[at + 8..at + 12].try_into().unwrap()) as usize;
        at += 16 + caplen;
        complete += u64::from(at <= end);
    }
    let out = toe(&["replay", "--json", cut.to_str().unwrap()]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["truncated_file"], true);
    assert_eq!(
        v["frames"], complete,
        "every complete record before the cut"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning") && err.contains("middle of a record"),
        "{err}"
    );
}

#[test]
fn a_corrupt_file_gives_one_line_naming_file_and_offset() {
    let mut bytes = std::fs::read(traces().join("http-qinq-0.pcap")).unwrap();
    // The second record's captured length: absurdly large.
    let first = u32::from_le_bytes(bytes[24 + 8..24 + 12].try_into().unwrap()) as usize;
    let at = 24 + 16 + first + 8;
    bytes[at..at + 4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let bad = tmp("corrupt.pcap");
    std::fs::write(&bad, &bytes).unwrap();
    let out = toe(&["replay", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("corrupt.pcap") && err.contains(&format!("offset {}", at - 8)),
        "{err}"
    );
}

#[test]
fn not_a_capture_and_missing_files_fail_clearly() {
    let junk = tmp("junk.pcap");
    std::fs::write(&junk, b"this is not a capture file at all").unwrap();
    for f in [junk.to_str().unwrap(), "/nonexistent/x.pcap"] {
        let out = toe(&["replay", f]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("toe: error:") && err.contains(f), "{err}");
    }
}

#[test]
fn bad_options_are_refused() {
    let f = traces().join("ipv6.pcap");
    for args in [
        vec!["replay", "--width", "32", f.to_str().unwrap()],
        vec!["replay", "--idle", "1.5", f.to_str().unwrap()],
        vec!["replay", "--rx-ring", "12", f.to_str().unwrap()],
        vec!["replay", "--rx-buffers", "0", f.to_str().unwrap()],
        vec![
            "replay",
            "--backend",
            "model",
            "--wave",
            "x.vcd",
            f.to_str().unwrap(),
        ],
    ] {
        assert!(!toe(&args).status.success(), "{args:?}");
    }
}

#[test]
fn wave_files_are_written() {
    let f = traces().join("http-qinq-0.pcap");
    let vcd = tmp("replay.vcd");
    let out = toe(&[
        "replay",
        "--width",
        "8",
        "--wave",
        vcd.to_str().unwrap(),
        f.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(text.contains("$enddefinitions") && text.contains("verdict"));
}

#[test]
fn tap_refuses_both_backends_with_advice() {
    let out = toe(&["tap", "--backend", "both", "serve", "echo"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--backend model or --backend rtl"), "{err}");
}
