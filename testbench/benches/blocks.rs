//! `just bench`: how close each block runs to line rate, and how fast the
//! simulation runs, as ratios measured in this run. Writes
//! build/bench/report.json and prints a table.
//!
//! Line rate: with frames offered back to back, an ideal block takes one
//! beat every cycle; efficiency = beats / (beats + cycles an offered beat
//! waited). End to end adds the pipeline's fill and drain.

use model::conn_table::{Cmd, Request};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use serde::Serialize;
use sim::conn_table::ConnTableRtl;
use sim::rx_checksum::RxChecksumRtl;
use sim::rx_parser::RxParserRtl;
use sim::stream::{Counters, Traffic, run};
use sim::tso::TxRtl;
use sim::tx_checksum::TxChecksumRtl;
use std::time::Instant;
use testbench::frames::FrameGen;
use testbench::super_frames::SuperGen;

#[derive(Serialize)]
struct Rate {
    block: &'static str,
    width_bits: usize,
    frame_bytes: usize,
    frames: usize,
    beats: u64,
    cycles: u64,
    input_stalls: u64,
    /// beats / (beats + stalls): 1.0 is line rate.
    efficiency: f64,
    /// beats / cycles, including pipeline fill and drain.
    end_to_end: f64,
}

#[derive(Serialize)]
struct Speed {
    block: &'static str,
    width_bits: usize,
    verilator_cycles_per_s: f64,
    rust_hdl_cycles_per_s: f64,
    /// How many times faster Verilator simulates the same block.
    ratio: f64,
}

/// TSO at line rate: super-frames back to back, output always ready. An
/// ideal block sends one beat every cycle from its first output beat to its
/// last, replicated headers included.
#[derive(Serialize)]
struct TsoRate {
    block: &'static str,
    width_bits: usize,
    superframes: usize,
    mss: u16,
    segments: usize,
    beats_out: u64,
    /// Cycles from the first output beat to the last.
    span: u64,
    /// beats_out / span: 1.0 is line rate.
    efficiency: f64,
    /// Header and descriptor bytes the host writes per super-frame, and
    /// per the same payload sent as separate segments.
    host_bytes_tso: usize,
    host_bytes_segments: usize,
}

#[derive(Serialize)]
struct Report {
    tso: Vec<TsoRate>,
    driver: Vec<testbench::driver_cost::DriverCost>,
    rates: Vec<Rate>,
    speed: Vec<Speed>,
}

fn frames(len: usize, n: usize) -> Vec<Vec<u8>> {
    let mut g = FrameGen::new(len as u64);
    (0..n).map(|_| g.frame(len)).collect()
}

fn rate(block: &'static str, width: usize, len: usize, n: usize, c: Counters) -> Rate {
    Rate {
        block,
        width_bits: width * 8,
        frame_bytes: len,
        frames: n,
        beats: c.beats_in,
        cycles: c.cycles,
        input_stalls: c.stalls_in,
        efficiency: c.beats_in as f64 / (c.beats_in + c.stalls_in) as f64,
        end_to_end: c.beats_in as f64 / c.cycles as f64,
    }
}

fn rx_rate(width: usize, len: usize, n: usize) -> Rate {
    let mut rtl = RxChecksumRtl::new(width, None).unwrap();
    let f = frames(len, n);
    let c = run(
        &mut rtl,
        f.iter().map(|f| (f, false, ())),
        &Traffic::FULL_RATE,
        |_| Ok(()),
    )
    .unwrap();
    rate("rx_checksum", width, len, n, c)
}

fn parser_rate(block: &'static str, width: usize, f: &[Vec<u8>]) -> Rate {
    let mut rtl = RxParserRtl::new(width, None).unwrap();
    let c = run(
        &mut rtl,
        f.iter().map(|f| (f, false, ())),
        &Traffic::FULL_RATE,
        |_| Ok(()),
    )
    .unwrap();
    rate(block, width, f[0].len(), f.len(), c)
}

/// The parser's worst case: 94-byte IPv4/TCP frames whose 40 option bytes
/// are 20 two-byte options, one walk step each.
fn option_heavy(n: usize) -> Vec<Vec<u8>> {
    let mut f = vec![0u8; 94];
    f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    f[14] = 0x45;
    f[16..18].copy_from_slice(&80u16.to_be_bytes());
    f[23] = 6;
    f[46] = 15 << 4;
    f[47] = 0x10;
    for k in 0..20 {
        f[54 + 2 * k] = spec::rx_parse::KIND_SACK_OK;
        f[55 + 2 * k] = 2;
    }
    vec![f; n]
}

fn tx_rate(width: usize, len: usize, n: usize) -> Rate {
    let mut rtl = TxChecksumRtl::new(&format!("tx_checksum_w{width}"), None).unwrap();
    let mut f = frames(len, n);
    let cmds: Vec<u32> = f
        .iter_mut()
        .map(|f| host::csum_offload::prepare(f).map(|c| c.1).unwrap_or(0))
        .collect();
    let inputs = f.iter().zip(&cmds).map(|(f, c)| (f, false, *c));
    let c = run(&mut rtl, inputs, &Traffic::FULL_RATE, |_| Ok(())).unwrap();
    rate("tx_checksum", width, len, n, c)
}

/// rx_checksum at 8 bytes per beat for `cycles` cycles in rust-hdl's own
/// simulator, frames back to back; returns cycles per second.
fn rust_hdl_speed(f: &[Vec<u8>], cycles: u64) -> f64 {
    let mut uut = hdl::rx_checksum::RxChecksumW8::new();
    uut.connect_all();
    let beats: Vec<(u64, u64, bool)> = f
        .iter()
        .flat_map(|f| {
            sim::stream::beats(f, 8)
                .map(|(b, k, l)| {
                    let mut w = [0u8; 8];
                    w[..b.len()].copy_from_slice(b);
                    (u64::from_le_bytes(w), k, l)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    uut.verdict_ready.next = true;
    let start = Instant::now();
    let mut i = 0;
    for _ in 0..cycles {
        let (d, k, l) = beats[i % beats.len()];
        uut.rx.data.next = d.to_bits();
        uut.rx.keep.next = k.to_bits();
        uut.rx.last.next = l;
        uut.rx.valid.next = true;
        uut.clock.next = Clock { clk: false };
        assert!(
            simulate(&mut uut, 10_000),
            "rust-hdl simulation did not settle"
        );
        if uut.rx.ready.val() {
            i += 1;
        }
        uut.clock.next = Clock { clk: true };
        assert!(
            simulate(&mut uut, 10_000),
            "rust-hdl simulation did not settle"
        );
    }
    cycles as f64 / start.elapsed().as_secs_f64()
}

fn speed() -> Speed {
    let f = frames(1000, 400);
    let mut rtl = RxChecksumRtl::new(8, None).unwrap();
    let start = Instant::now();
    let mut cycles = 0;
    while start.elapsed().as_secs_f64() < 2.0 {
        cycles += run(
            &mut rtl,
            f.iter().map(|f| (f, false, ())),
            &Traffic::FULL_RATE,
            |_| Ok(()),
        )
        .unwrap()
        .cycles;
    }
    let verilator = cycles as f64 / start.elapsed().as_secs_f64();
    let rust_hdl = rust_hdl_speed(&f, 20_000);
    Speed {
        block: "rx_checksum",
        width_bits: 64,
        verilator_cycles_per_s: verilator,
        rust_hdl_cycles_per_s: rust_hdl,
        ratio: verilator / rust_hdl,
    }
}

/// `conn_table` lookups back to back: `conns` installed connections (and
/// 10 % misses) in random order, or one connection's in-order segments
/// (`conns == 1`: every lookup depends on the one before).
fn table_rate(conns: usize, n: usize) -> Rate {
    let mut rng = rand::rngs::StdRng::seed_from_u64(conns as u64);
    let mut rtl = ConnTableRtl::new(&spec::toeplitz::DEFAULT_KEY, None).unwrap();
    let mut key = || {
        let mut k = spec::conn_table::Key {
            v6: false,
            src: [0; 16],
            dst: [0; 16],
            sport: rng.r#gen(),
            dport: 80,
        };
        rng.fill(&mut k.src[..4]);
        k
    };
    let keys: Vec<_> = (0..conns).map(|_| key()).collect();
    for &k in &keys {
        let insert = Cmd::Insert {
            key: k,
            rcv_nxt: 0,
            snd_una: 0,
            bank: None,
        };
        rtl.command(&insert).unwrap();
    }
    let mut nxt = vec![0u32; conns];
    let reqs: Vec<Request> = (0..n)
        .map(|i| {
            let c = if conns == 1 { 0 } else { i * 7919 % conns };
            let miss = conns > 1 && i % 10 == 9;
            let seq = nxt[c];
            nxt[c] = seq.wrapping_add(64);
            Request {
                status: 0,
                csum_bad: false,
                key: if miss { key() } else { keys[c] },
                seq,
                ack: 0,
                plen: 64,
                flags: 0x10,
                opts: 0,
            }
        })
        .collect();
    let start = rtl.cycles();
    let (_, stalls) = rtl.classify(&reqs, &Traffic::FULL_RATE).unwrap();
    let c = Counters {
        cycles: rtl.cycles() - start,
        beats_in: n as u64,
        stalls_in: stalls,
        outputs: n as u64,
    };
    let block = if conns == 1 {
        "conn_table_1conn"
    } else {
        "conn_table_1000"
    };
    rate(block, 8, 0, n, c)
}

/// `n` 64 KB super-frames (IPv4, timestamps) at `mss` through `block`.
fn tso_rate(block: &'static str, width: usize, mss: u16, n: usize) -> TsoRate {
    let mut g = SuperGen::new(mss.into());
    let work: Vec<_> = (0..n)
        .map(|_| {
            loop {
                let f = g.super_frame(65_000, mss, false, false);
                if f.desc.hdr_len == 66 {
                    break f;
                }
            }
        })
        .collect();
    let mut rtl = TxRtl::new(block, width, None).unwrap();
    let input = work
        .iter()
        .map(|f| (&f.frame, false, f.desc.pack().unwrap()));
    let mut segments = 0;
    run(&mut rtl, input, &Traffic::FULL_RATE, |f| {
        let f = f?;
        assert_eq!(f.status, spec::tso::Status::Ok);
        segments += f.segments.len();
        Ok(())
    })
    .unwrap();
    let span = rtl.last_out - rtl.first_out.unwrap() + 1;
    // The host's part: a descriptor (8 bytes) and a header per frame it
    // builds.
    let per_frame = 8 + usize::from(work[0].desc.hdr_len);
    TsoRate {
        block,
        width_bits: width * 8,
        superframes: n,
        mss,
        segments,
        beats_out: rtl.beats_out,
        span,
        efficiency: rtl.beats_out as f64 / span as f64,
        host_bytes_tso: per_frame,
        host_bytes_segments: per_frame * segments / n,
    }
}

fn main() {
    // `cargo bench -p testbench --bench blocks -- tso` runs only the groups
    // whose name contains `tso` (cargo itself passes `--bench`).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |group: &str| only.is_empty() || only.iter().any(|o| group.contains(o.as_str()));
    let mut tso = Vec::new();
    for (block, width, mss) in [
        ("tso", 8, 1460),
        ("tx_path", 8, 1460),
        ("tx_path", 8, 536),
        ("tx_path", 8, 8960),
        ("tx_path", 1, 1460),
    ] {
        if !wanted("tso") {
            continue;
        }
        eprintln!(
            "bench: {block}, {} bits, 64 KB super-frames at MSS {mss}",
            width * 8
        );
        tso.push(tso_rate(block, width, mss, if width == 1 { 2 } else { 8 }));
    }
    let mut rates = Vec::new();
    for conns in [1, 1000] {
        if !wanted("conn_table") {
            break;
        }
        eprintln!("bench: conn_table lookups, {conns} connection(s)");
        rates.push(table_rate(conns, 20_000));
    }
    for width in [1, 8] {
        if !wanted("rx_checksum tx_checksum rx_parser") {
            break;
        }
        let n = if width == 1 { 200 } else { 2000 };
        for len in [60, 64, 1514, 9018] {
            let n = if len == 9018 { n / 10 } else { n };
            eprintln!(
                "bench: rx_checksum, tx_checksum, rx_parser, {} bits, {len}-byte frames",
                width * 8
            );
            rates.push(rx_rate(width, len, n));
            rates.push(tx_rate(width, len, n));
            rates.push(parser_rate("rx_parser", width, &frames(len, n)));
        }
        eprintln!("bench: rx_parser, {} bits, option-heavy frames", width * 8);
        rates.push(parser_rate("rx_parser_opts40", width, &option_heavy(n / 4)));
    }
    let mut driver = Vec::new();
    for mss in [1460, 536, 8960] {
        if !wanted("driver") {
            break;
        }
        eprintln!("bench: driver cost per 64 KB, TSO vs segments, MSS {mss}");
        driver.extend(testbench::driver_cost::measure(8, mss).unwrap());
    }
    let report = Report {
        tso,
        driver,
        rates,
        speed: if wanted("speed") {
            eprintln!("bench: simulation speed, Verilator and rust-hdl");
            vec![speed()]
        } else {
            vec![]
        },
    };
    println!(
        "{:<16} {:>5} {:>6} {:>8} {:>9} {:>7} {:>10} {:>10}",
        "block", "bits", "bytes", "beats", "cycles", "stalls", "efficiency", "end-to-end"
    );
    for r in &report.rates {
        println!(
            "{:<16} {:>5} {:>6} {:>8} {:>9} {:>7} {:>10.4} {:>10.4}",
            r.block,
            r.width_bits,
            r.frame_bytes,
            r.beats,
            r.cycles,
            r.input_stalls,
            r.efficiency,
            r.end_to_end
        );
    }
    println!(
        "\n{:<8} {:>5} {:>5} {:>9} {:>8} {:>8} {:>10} {:>16}",
        "block", "bits", "mss", "segments", "beats", "span", "efficiency", "host B tso/segs"
    );
    for t in &report.tso {
        println!(
            "{:<8} {:>5} {:>5} {:>9} {:>8} {:>8} {:>10.4} {:>9}/{}",
            t.block,
            t.width_bits,
            t.mss,
            t.segments,
            t.beats_out,
            t.span,
            t.efficiency,
            t.host_bytes_tso,
            t.host_bytes_segments
        );
    }
    if !report.driver.is_empty() {
        println!(
            "\n{:<9} {:>5} {:>7} {:>9} {:>10} {:>9} {:>11} {:>11}",
            "driver", "mss", "frames", "descs", "doorbells", "reg wr", "mem touch", "mem bytes"
        );
    }
    for d in &report.driver {
        println!(
            "{:<9} {:>5} {:>7.1} {:>9.1} {:>10.2} {:>9.1} {:>11.1} {:>11.0}",
            d.mode,
            d.mss,
            d.wire_frames,
            d.descriptors,
            d.doorbells,
            d.reg_writes,
            d.mem_touches,
            d.mem_bytes
        );
    }
    for s in &report.speed {
        println!(
            "\n{} at {} bits: Verilator {:.2} M cycles/s, rust-hdl simulator {:.0} k cycles/s: {:.0}x",
            s.block,
            s.width_bits,
            s.verilator_cycles_per_s / 1e6,
            s.rust_hdl_cycles_per_s / 1e3,
            s.ratio
        );
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = if only.is_empty() {
        dir.join("report.json")
    } else {
        dir.join(format!("report-{}.json", only.join("-")))
    };
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    eprintln!("bench: wrote {}", path.display());
}
