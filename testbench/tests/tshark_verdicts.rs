//! Checksum verdicts against tshark's own, frame by frame, on every trace of
//! the corpus. tshark is the independent oracle: it shares no code with the
//! RTL or the model.
//!
//! The engine only walks Ethernet, up to two VLAN tags, IPv4/IPv6 and the
//! TCP/UDP header right behind them, and takes IP length fields at their
//! word. Where tshark goes further the engine must give no verdict (never a
//! different one); those frames are counted per reason:
//! - IP behind something else (MPLS, PPPoE, an ICMP error's quoted packet);
//! - an IPv4 total length of 0, which only a capture taken on a TSO sender
//!   shows (tshark then takes the length from the frame and checks TCP);
//! - an IPv4 length that runs past the end of a frame that was not cut by
//!   the snap length (edited traces): tshark checks the bytes that are there.
//!
//! The engine cannot check bytes it never received, and takes IP lengths at
//! their word, as the receiving stack does.

use spec::rx_csum::{IpVerdict, L3Kind, L4Proto, L4Verdict, Verdict};
use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use toe::{
    options::{Backend, Options},
    replay::replay,
};

/// tshark's checksum status codes (epan/proto.h, PROTO_CHECKSUM_E_*).
fn status(s: &str) -> Option<u8> {
    s.parse().ok()
}

struct Row {
    ip: Option<u8>,
    tcp: Option<u8>,
    udp: Option<u8>,
    protocols: Vec<String>,
    /// The capture holds the whole frame (not cut by the snap length).
    whole: bool,
}

fn tshark(path: &std::path::Path) -> HashMap<u64, Row> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
        ])
        .args(["-o", "udp.check_checksum:TRUE", "-o", "ip.defragment:FALSE"])
        .args(["-T", "fields", "-E", "occurrence=f", "-e", "frame.number"])
        .args(["-e", "ip.checksum.status", "-e", "tcp.checksum.status"])
        .args(["-e", "udp.checksum.status", "-e", "frame.protocols"])
        .args(["-e", "frame.cap_len", "-e", "frame.len"])
        .output()
        .expect("tshark runs: install it with scripts/setup.sh (Debian package tshark)");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let row = Row {
                ip: status(f[1]),
                tcp: status(f[2]),
                udp: status(f[3]),
                protocols: f[4].split(':').map(String::from).collect(),
                whole: f[5] == f[6],
            };
            (f[0].parse().unwrap(), row)
        })
        .collect()
}

/// What the engine must say for a frame tshark dissected as `row`, or why
/// tshark's verdict does not apply to the engine.
enum Expect {
    Same {
        l3: L3Kind,
        ip: IpVerdict,
        l4: Option<(L4Proto, L4Verdict)>,
    },
    /// Same IPv4 verdict, but no L4 verdict from the engine.
    NoL4(String, IpVerdict),
    NotWalked(String),
}

fn ip_verdict(s: Option<u8>) -> IpVerdict {
    match s {
        Some(0) => IpVerdict::Bad,
        Some(1) => IpVerdict::Ok,
        _ => IpVerdict::None,
    }
}

/// `frame` is the engine's input: Ethernet, whatever the capture's link.
fn expect(row: &Row, frame: &[u8]) -> Expect {
    let p = &row.protocols;
    let Some(at) = p.iter().position(|t| t == "ip" || t == "ipv6") else {
        return Expect::Same {
            l3: L3Kind::Other,
            ip: IpVerdict::None,
            l4: None,
        };
    };
    let link_ok = |t: &String| {
        matches!(
            t.as_str(),
            "eth" | "ethertype" | "vlan" | "null" | "sll" | "raw"
        )
    };
    let vlans = p[..at].iter().filter(|t| *t == "vlan").count();
    if let Some(t) = p[..at].iter().find(|t| !link_ok(t)) {
        return Expect::NotWalked(format!("IP behind {t}"));
    }
    if vlans > 2 {
        return Expect::NotWalked("more than two VLAN tags".into());
    }
    let v6 = p[at] == "ipv6";
    if !v6 {
        let l3 = 14 + 4 * vlans;
        let total = frame
            .get(l3 + 2..l3 + 4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        if total == Some(0) {
            return Expect::NoL4(
                "IPv4 total length 0 (TSO sender's capture)".into(),
                ip_verdict(row.ip),
            );
        }
        if total.is_some_and(|n| l3 + n > frame.len()) && row.whole {
            return Expect::NoL4(
                "an IPv4 length past the end of an uncut frame".into(),
                ip_verdict(row.ip),
            );
        }
    }
    let next = p[at + 1..].iter().find(|t| !t.starts_with("ipv6."));
    let l4 = match next.map(String::as_str) {
        Some("tcp") => Some((
            L4Proto::Tcp,
            match row.tcp {
                Some(0) => L4Verdict::Bad,
                Some(1) => L4Verdict::Ok,
                _ => L4Verdict::None,
            },
        )),
        Some("udp") => Some((
            L4Proto::Udp,
            match row.udp {
                Some(0) => L4Verdict::Bad,
                Some(1) => L4Verdict::Ok,
                Some(3) if !v6 => L4Verdict::Zero,
                _ => L4Verdict::None,
            },
        )),
        _ => None,
    };
    Expect::Same {
        l3: if v6 { L3Kind::Ipv6 } else { L3Kind::Ipv4 },
        ip: if v6 {
            IpVerdict::None
        } else {
            ip_verdict(row.ip)
        },
        l4,
    }
}

fn agrees(got: &Verdict, l3: L3Kind, ip: IpVerdict, l4: Option<(L4Proto, L4Verdict)>) -> bool {
    let l4_ok = match l4 {
        // tshark dissected TCP/UDP but could not verify (e.g. the capture
        // cut the segment): the engine may not have found the segment either.
        Some((p, L4Verdict::None)) => {
            got.l4 == L4Verdict::None && (got.proto == p || got.proto == L4Proto::Other)
        }
        Some((p, v)) => got.proto == p && got.l4 == v,
        None => got.l4 == L4Verdict::None,
    };
    got.l3 == l3 && got.ip == ip && l4_ok
}

#[test]
fn verdicts_equal_tsharks_on_every_trace() {
    let Some(traces) = testbench::corpus::for_test() else {
        return;
    };
    if !testbench::tools::tshark() {
        return;
    }
    let mut not_walked: BTreeMap<String, u64> = BTreeMap::new();
    let (mut frames, mut verdicts, mut failures) = (0u64, 0u64, Vec::new());
    for t in &traces {
        let rows = tshark(&t.path);
        let opts = Options {
            keep_verdicts: true,
            // The driver pass has its own test (replay_driver).
            driver: false,
            ..Options::new(8, Backend::Both)
        };
        let report = replay(&t.path, &opts, &|_, _| {}).unwrap();
        let data: HashMap<u64, Vec<u8>> = capture::Reader::open(&t.path)
            .unwrap()
            .filter_map(|r| match r.unwrap() {
                capture::Record::Frame(f) => Some((f.number, f.data)),
                _ => None,
            })
            .collect();
        assert_eq!(
            report.mismatches, 0,
            "{}: RTL and model disagree",
            t.relative_path
        );
        assert_eq!(
            report.frames + report.skipped,
            rows.len() as u64,
            "{}: frame count",
            t.relative_path
        );
        for fv in &report.verdicts {
            frames += 1;
            let row = &rows[&fv.frame];
            match expect(row, &data[&fv.frame]) {
                Expect::Same { l3, ip, l4 } => {
                    verdicts += u64::from(ip != IpVerdict::None)
                        + u64::from(l4.is_some_and(|x| x.1 != L4Verdict::None));
                    if !agrees(&fv.verdict, l3, ip, l4) {
                        failures.push(format!(
                            "{} frame {}: engine {:?}, tshark ip={:?} tcp={:?} udp={:?} ({})",
                            t.relative_path,
                            fv.frame,
                            fv.verdict,
                            row.ip,
                            row.tcp,
                            row.udp,
                            row.protocols.join(":")
                        ));
                    }
                }
                Expect::NoL4(why, ip) => {
                    let v = &fv.verdict;
                    if v.ip != ip || v.l4 != L4Verdict::None {
                        failures.push(format!(
                            "{} frame {}: engine gave {v:?} ({why})",
                            t.relative_path, fv.frame
                        ));
                    }
                    *not_walked.entry(why).or_default() += 1;
                }
                Expect::NotWalked(why) => {
                    let v = &fv.verdict;
                    if v.ip != IpVerdict::None || v.l4 != L4Verdict::None {
                        failures.push(format!(
                            "{} frame {}: engine gave {v:?} for a frame it does not walk",
                            t.relative_path, fv.frame
                        ));
                    }
                    *not_walked.entry(why).or_default() += 1;
                }
            }
        }
    }
    eprintln!(
        "{} traces, {frames} frames, {verdicts} checksum verdicts compared with tshark",
        traces.len()
    );
    for (why, n) in &not_walked {
        eprintln!("  not walked by design: {n} frames with {why}");
    }
    assert!(
        failures.is_empty(),
        "{} frames differ from tshark:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(verdicts > 10_000, "only {verdicts} verdicts compared");
}
