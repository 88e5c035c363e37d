//! `just bench` (part 2): host work per MB with the engine's offloads on
//! and off, measured in the same run, over `toe tap` with the Linux
//! kernel as the peer: 64 MB each way (GET: stack sends, PUT: stack
//! receives) at loss 0 %, 1 % and 5 % on the model engine. Writes
//! build/bench/tap.json and build/bench/tap.svg. Needs root (skips with a
//! line otherwise). Time is wall time: the kernel peer runs in real time.

use host::tcp::Config;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use toe::options::Backend;
use toe::tap::apps::Service;
use toe::tap::summary::Summary;
use toe::tap::{FaultRates, Mode, TapOptions};

const MB: f64 = 1_048_576.0;
const BYTES: usize = 64 << 20;

#[derive(Serialize)]
struct Point {
    direction: &'static str,
    loss: f64,
    offload: bool,
    seconds: f64,
    goodput_mbit_s: f64,
    tx_descriptors_per_mb: f64,
    rx_descriptors_per_mb: f64,
    completions_per_mb: f64,
    doorbells_per_mb: f64,
    frames_touched_per_mb: f64,
    software_checksums_per_mb: f64,
    copied_bytes_per_mb: f64,
    /// Received payload bytes that took the fast path (PUT).
    fast_share: f64,
    retransmits: u64,
}

fn run(dir: &Path, put: bool, loss: f64, offload: bool) -> Summary {
    let curl = if put {
        "curl -sS -m 600 -T $D/www/big.bin http://$TOE_HOST/put.bin -o /dev/null"
    } else {
        "curl -sS -m 600 http://$TOE_HOST/big.bin -o /dev/null"
    };
    let o = TapOptions {
        backend: Backend::Model,
        v6: false,
        faults: FaultRates {
            loss,
            ..FaultRates::default()
        },
        seed: 11,
        max_offloaded: if offload { 1024 } else { 0 },
        offloads: host::tcp::frames::Offloads {
            checksum: offload,
            tso: offload,
        },
        pcap: None,
        mode: Mode::Serve(Service::Http(dir.join("www")), 80),
        command: vec![
            "env".into(),
            format!("D={}", dir.display()),
            "bash".into(),
            "-euc".into(),
            curl.into(),
        ],
        stack: Config::default(),
        command_stdout_to_stderr: true,
    };
    let (s, code) = toe::tap::run(&o, Arc::new(AtomicBool::new(false))).expect("toe tap");
    assert_eq!(code, 0, "curl failed");
    s
}

fn point(put: bool, loss: f64, offload: bool, s: &Summary) -> Point {
    let per = |v: u64| v as f64 / (BYTES as f64 / MB);
    Point {
        direction: if put {
            "kernel_to_stack"
        } else {
            "stack_to_kernel"
        },
        loss,
        offload,
        seconds: s.seconds,
        goodput_mbit_s: BYTES as f64 * 8.0 / 1e6 / s.seconds.max(1e-3),
        tx_descriptors_per_mb: per(s.tx_descriptors),
        rx_descriptors_per_mb: per(s.rx_descriptors),
        completions_per_mb: per(s.completions),
        doorbells_per_mb: per(s.doorbells),
        frames_touched_per_mb: per(s.frames_touched),
        software_checksums_per_mb: per(s.software_checksums),
        copied_bytes_per_mb: per(s.tx_copied_bytes),
        fast_share: if put {
            s.fast_rx_bytes as f64 / BYTES as f64
        } else {
            0.0
        },
        retransmits: s.retransmits,
    }
}

/// Bars of TX descriptors per MB (sending) and fast-path share
/// (receiving) against loss, offloads on and off.
fn svg(points: &[Point]) -> String {
    let mut out = String::from(
        "<svg xmlns='http://www.w3.org/2000/svg' width='720' height='360' font-family='sans-serif' font-size='12'>\n",
    );
    let panels = [
        (
            "TX descriptors per MB (stack sends, log scale)",
            "stack_to_kernel",
            0.0,
        ),
        (
            "fast-path share of received payload (%)",
            "kernel_to_stack",
            360.0,
        ),
    ];
    for (title, dir, x0) in panels {
        out += &format!("<text x='{}' y='20'>{title}</text>\n", x0 + 10.0);
        let mut i = 0.0;
        for p in points.iter().filter(|p| p.direction == dir) {
            let v = if dir == "stack_to_kernel" {
                (p.tx_descriptors_per_mb.max(1.0)).log10() / 3.0
            } else {
                p.fast_share
            };
            let h = 260.0 * v.clamp(0.0, 1.0);
            let x = x0 + 20.0 + i * 52.0;
            let color = if p.offload { "#2a6" } else { "#c44" };
            out += &format!(
                "<rect x='{x}' y='{}' width='40' height='{h}' fill='{color}'/>\n<text x='{x}' y='320'>{:.0}% {}</text>\n<text x='{x}' y='{}'>{:.1}</text>\n",
                300.0 - h,
                p.loss * 100.0,
                if p.offload { "on" } else { "off" },
                295.0 - h,
                if dir == "stack_to_kernel" {
                    p.tx_descriptors_per_mb
                } else {
                    p.fast_share * 100.0
                },
            );
            i += 1.0;
        }
    }
    out += "<text x='10' y='350'>green: engine offloads on; red: off (software path), same run; x: injected loss</text>\n</svg>\n";
    out
}

fn main() {
    if !testbench::tools::tap() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/bench");
    let dir = std::env::temp_dir().join(format!("toe-bench-tap-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("www")).unwrap();
    let mut data = vec![0u8; BYTES];
    rand::RngCore::fill_bytes(
        &mut <rand::rngs::SmallRng as rand::SeedableRng>::seed_from_u64(1),
        &mut data,
    );
    std::fs::write(dir.join("www/big.bin"), &data).unwrap();
    let mut points = Vec::new();
    for put in [false, true] {
        for loss in [0.0, 0.01, 0.05] {
            for offload in [true, false] {
                eprintln!(
                    "tap bench: {} MB {}, loss {loss}, offload {offload}",
                    BYTES >> 20,
                    if put {
                        "kernel -> stack"
                    } else {
                        "stack -> kernel"
                    }
                );
                let s = run(&dir, put, loss, offload);
                points.push(point(put, loss, offload, &s));
            }
        }
    }
    println!(
        "direction         loss offload  s      Mbit/s  txdesc/MB rxdesc/MB cpl/MB  touched/MB fast"
    );
    for p in &points {
        println!(
            "{:17} {:4.2} {:7} {:6.2} {:7.0} {:9.1} {:9.1} {:7.1} {:10.1} {:4.2}",
            p.direction,
            p.loss,
            p.offload,
            p.seconds,
            p.goodput_mbit_s,
            p.tx_descriptors_per_mb,
            p.rx_descriptors_per_mb,
            p.completions_per_mb,
            p.frames_touched_per_mb,
            p.fast_share
        );
    }
    let tso_ratio = |loss: f64| {
        let get = |off: bool| {
            points
                .iter()
                .find(|p| p.direction == "stack_to_kernel" && p.loss == loss && p.offload == off)
                .map(|p| p.tx_descriptors_per_mb)
                .unwrap()
        };
        get(true) / get(false)
    };
    let ratios: Vec<(f64, f64)> = [0.0, 0.01, 0.05]
        .iter()
        .map(|l| (*l, tso_ratio(*l)))
        .collect();
    for (l, r) in &ratios {
        println!(
            "TX descriptors per MB, TSO / software at loss {l}: {r:.4} (goal <= 0.025: {})",
            if *r <= 0.025 { "met" } else { "NOT met" }
        );
    }
    std::fs::create_dir_all(&root).unwrap();
    let report = serde_json::json!({ "bytes_each_run": BYTES, "points": points, "tx_descriptor_ratio_tso_over_software": ratios });
    std::fs::write(
        root.join("tap.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    std::fs::write(root.join("tap.svg"), svg(&points)).unwrap();
    println!("wrote {}/tap.json and tap.svg", root.display());
    std::fs::remove_dir_all(&dir).unwrap();
}
