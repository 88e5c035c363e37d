//! `tx_checksum` RTL against the model, and its output against an
//! independent parser (etherparse).

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::stream::{Traffic, run};
use sim::tx_checksum::{Sent, TxChecksumRtl};
use spec::tx_csum::{Command, Status};
use testbench::frames::FrameGen;

struct Case {
    frame: Vec<u8>,
    user: bool,
    cmd: Command,
}

/// Frames with requests: mostly what a driver would send (pseudo-header
/// seeded by `host::csum_offload`), some with arbitrary commands.
fn cases(seed: u64, n: usize, max: usize) -> Vec<Case> {
    let mut g = FrameGen::new(seed);
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let mut frame = g.any(max);
            let user = rng.gen_bool(0.03);
            let cmd = match host::csum_offload::prepare(&mut frame) {
                Ok((cmd, _)) if rng.gen_bool(0.8) => cmd,
                _ => {
                    let hi = frame.len() as u16 + 24;
                    Command {
                        ip: rng.r#gen(),
                        l4: rng.r#gen(),
                        l3_offset: rng.gen_range(0..hi.min(1023)),
                        csum_start: rng.gen_range(0..hi.min(1023)),
                        csum_offset: rng.gen_range(0..=255),
                    }
                }
            };
            Case { frame, user, cmd }
        })
        .collect()
}

fn check(build: &str, cases: &[Case], traffic: Traffic) -> Vec<Sent> {
    let mut rtl = TxChecksumRtl::new(build, None).unwrap();
    let max = rtl.max_frame();
    let inputs = cases
        .iter()
        .map(|c| (&c.frame, c.user, c.cmd.pack().unwrap()));
    let mut out = Vec::new();
    run(&mut rtl, inputs, &traffic, |sent| {
        let c = &cases[out.len()];
        let want = model::tx_checksum::apply(&c.frame, c.user, c.cmd, max);
        assert_eq!(
            (Status::from_code(sent.status), sent.user),
            (Some(want.status), want.user),
            "{build} frame {}: {:?}",
            out.len(),
            c.cmd
        );
        if sent.frame != want.frame {
            let diff: Vec<_> = (0..sent.frame.len().min(want.frame.len()))
                .filter(|&i| sent.frame[i] != want.frame[i])
                .map(|i| (i, sent.frame[i], want.frame[i], c.frame[i]))
                .collect();
            panic!(
                "{build} frame {} ({} bytes, rtl {} bytes) differs at (offset, rtl, model, input) {diff:x?} ({:?})",
                out.len(),
                want.frame.len(),
                sent.frame.len(),
                c.cmd
            );
        }
        out.push(sent);
        Ok(())
    })
    .unwrap();
    assert_eq!(out.len(), cases.len());
    out
}

#[test]
fn w1_matches_model_with_idle_and_backpressure() {
    let t = Traffic {
        idle: 0.3,
        backpressure: 0.5,
        seed: 1,
    };
    check("tx_checksum_w1", &cases(1, 1500, 2500), t);
}

#[test]
fn w8_matches_model_with_idle_and_backpressure() {
    let t = Traffic {
        idle: 0.3,
        backpressure: 0.7,
        seed: 8,
    };
    check("tx_checksum_w8", &cases(8, 3000, 9018), t);
}

#[test]
fn w8_matches_model_back_to_back() {
    check("tx_checksum_w8", &cases(80, 3000, 1600), Traffic::FULL_RATE);
}

/// The small builds cut frames over 2 KB: refused as too long, sent cut.
#[test]
fn small_builds_refuse_long_frames() {
    for (build, seed) in [("tx_checksum_w1_small", 11), ("tx_checksum_w8_small", 88)] {
        let cases = cases(seed, 400, 4000);
        let out = check(
            build,
            &cases,
            Traffic {
                idle: 0.2,
                backpressure: 0.5,
                seed,
            },
        );
        let cut = out
            .iter()
            .filter(|s| s.status == Status::TooLong as u8)
            .count();
        assert!(
            cut > 50,
            "{build}: only {cut} frames were long enough to be cut"
        );
    }
}

/// Frames longer than any buffer and far longer than the offset counters
/// never hang the block.
#[test]
fn giant_frames_do_not_hang() {
    let mut g = FrameGen::new(3);
    let cases: Vec<Case> = [20_000, 70_000, 140_000, 60]
        .iter()
        .map(|&n| Case {
            frame: g.frame(n),
            user: false,
            cmd: Command::default(),
        })
        .collect();
    for build in ["tx_checksum_w8", "tx_checksum_w1_small"] {
        check(
            build,
            &cases,
            Traffic {
                idle: 0.0,
                backpressure: 0.3,
                seed: 4,
            },
        );
    }
}

/// What the block fills in verifies with etherparse, which shares no code
/// with the engine, the model or the driver.
#[test]
fn inserted_checksums_verify_with_etherparse() {
    let mut g = FrameGen::new(42);
    let mut cases = Vec::new();
    while cases.len() < 600 {
        let mut frame = g.any(9018);
        if let Ok((cmd, _)) = host::csum_offload::prepare(&mut frame) {
            // Skip UDP datagrams whose length field lies (the generator makes
            // some): etherparse and Linux then disagree on the pseudo-header.
            let h = host::wire::headers(&frame).unwrap();
            let sane = match SlicedPacket::from_ethernet(&frame) {
                Ok(p) => match &p.transport {
                    Some(TransportSlice::Udp(u)) => usize::from(u.length()) == h.ip_end - h.l4,
                    Some(_) => true,
                    None => false,
                },
                Err(_) => false,
            };
            if sane {
                cases.push(Case {
                    frame,
                    user: false,
                    cmd,
                });
            }
        }
    }
    let out = check(
        "tx_checksum_w8",
        &cases,
        Traffic {
            idle: 0.1,
            backpressure: 0.2,
            seed: 42,
        },
    );
    let mut checked = (0, 0);
    for (i, s) in out.iter().enumerate() {
        assert_eq!(s.status, 0, "frame {i} refused");
        let p = SlicedPacket::from_ethernet(&s.frame).unwrap();
        let (v4, src, dst): (bool, Vec<u8>, Vec<u8>) = match &p.net {
            Some(NetSlice::Ipv4(ip)) => {
                let h = ip.header();
                assert_eq!(
                    h.header_checksum(),
                    h.to_header().calc_header_checksum(),
                    "frame {i}: IPv4"
                );
                checked.0 += 1;
                (true, h.source().to_vec(), h.destination().to_vec())
            }
            Some(NetSlice::Ipv6(ip)) => (
                false,
                ip.header().source().to_vec(),
                ip.header().destination().to_vec(),
            ),
            None => panic!("frame {i}: no IP"),
        };
        let (field, want, tcp) = match &p.transport {
            Some(TransportSlice::Tcp(t)) => {
                let want = if v4 {
                    t.calc_checksum_ipv4(src.try_into().unwrap(), dst.try_into().unwrap())
                } else {
                    t.calc_checksum_ipv6(src.try_into().unwrap(), dst.try_into().unwrap())
                };
                (t.checksum(), want.unwrap(), true)
            }
            Some(TransportSlice::Udp(u)) => {
                let h = u.to_header();
                let want = if v4 {
                    h.calc_checksum_ipv4_raw(
                        src.try_into().unwrap(),
                        dst.try_into().unwrap(),
                        u.payload(),
                    )
                } else {
                    h.calc_checksum_ipv6_raw(
                        src.try_into().unwrap(),
                        dst.try_into().unwrap(),
                        u.payload(),
                    )
                };
                (u.checksum(), want.unwrap(), false)
            }
            _ => continue,
        };
        // 0x0000 and 0xFFFF are the same ones' complement number; Linux
        // (and this block) send 0xFFFF where the complement comes out 0.
        let same = field == want || (tcp && want == 0 && field == 0xFFFF);
        assert!(
            same,
            "frame {i}: L4 checksum {field:#06x}, etherparse says {want:#06x}"
        );
        checked.1 += 1;
    }
    assert!(
        checked.0 > 100 && checked.1 > 300,
        "too few frames checked: {checked:?}"
    );
}
