//! `just bench` (part 2): host work per MB with the engine's offloads on
//! and off, measured in the same run, over `toe tap` with the Linux
//! kernel as the peer: 64 MB each way (GET: stack sends, PUT: stack
//! receives) at loss 0 %, 1 % and 5 % on the model engine, with payload
//! placement (receive rings, coalesced completions), with offloads but
//! one completion per frame, and in software. Writes
//! build/bench/tap.json and build/bench/tap.svg. Needs root (skips with a
//! line otherwise). Time is wall time: the kernel peer runs in real time.

use host::tcp::Config;
use plotters::prelude::*;
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
    /// Receive rings posted (`rx_place`).
    place: bool,
    seconds: f64,
    goodput_mbit_s: f64,
    tx_descriptors_per_mb: f64,
    rx_descriptors_per_mb: f64,
    completions_per_mb: f64,
    rx_completions_per_mb: f64,
    doorbells_per_mb: f64,
    frames_touched_per_mb: f64,
    software_checksums_per_mb: f64,
    copied_bytes_per_mb: f64,
    /// Received payload bytes that took the fast path (PUT).
    fast_share: f64,
    /// Received payload bytes the engine placed (PUT).
    placed_share: f64,
    retransmits: u64,
}

fn run(dir: &Path, put: bool, loss: f64, offload: bool, place: bool) -> Summary {
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
        place,
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
    let share = |v: u64| if put { v as f64 / BYTES as f64 } else { 0.0 };
    let per = |v: u64| v as f64 / (BYTES as f64 / MB);
    Point {
        direction: if put {
            "kernel_to_stack"
        } else {
            "stack_to_kernel"
        },
        loss,
        offload,
        place: s.placing,
        seconds: s.seconds,
        goodput_mbit_s: BYTES as f64 * 8.0 / 1e6 / s.seconds.max(1e-3),
        tx_descriptors_per_mb: per(s.tx_descriptors),
        rx_descriptors_per_mb: per(s.rx_descriptors),
        completions_per_mb: per(s.completions),
        rx_completions_per_mb: per(s.rx_completions),
        doorbells_per_mb: per(s.doorbells),
        frames_touched_per_mb: per(s.frames_touched),
        software_checksums_per_mb: per(s.software_checksums),
        copied_bytes_per_mb: per(s.tx_copied_bytes),
        fast_share: share(s.fast_rx_bytes),
        placed_share: share(s.placed_bytes),
        retransmits: s.retransmits,
    }
}

/// TX descriptors per MB (stack sends, log scale) and the fast-path share
/// of received payload (stack receives) against loss, offloads on and off.
fn plot(points: &[Point], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (960, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let series = |dir: &'static str, on: bool, y: fn(&Point) -> f64| {
        points
            .iter()
            .filter(move |p| p.direction == dir && p.offload == on && !p.place)
            .map(move |p| (p.loss * 100.0, y(p)))
            .collect::<Vec<_>>()
    };
    let key = |on: bool| {
        if on {
            ("engine offloads on", RGBColor(30, 140, 60))
        } else {
            ("off: software path, same run", RED)
        }
    };
    let mut tx = ChartBuilder::on(&left)
        .caption("stack sends: TX descriptors per MB", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..5.2, (5.0..2000.0).log_scale())?;
    tx.configure_mesh()
        .x_desc("injected loss each way (%)")
        .y_desc("descriptors / MB")
        .draw()?;
    let mut fast = ChartBuilder::on(&right)
        .caption("stack receives: fast-path share", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..5.2, 0.0..105.0)?;
    fast.configure_mesh()
        .x_desc("injected loss each way (%)")
        .y_desc("% of received payload")
        .draw()?;
    for on in [true, false] {
        let (label, color) = key(on);
        let pts = series("stack_to_kernel", on, |p| p.tx_descriptors_per_mb);
        tx.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        tx.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
        let pts = series("kernel_to_stack", on, |p| p.fast_share * 100.0);
        fast.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?;
        fast.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
    }
    // The goal: TSO at most 1/40 of the software path, per loss rate.
    let goal = series("stack_to_kernel", false, |p| p.tx_descriptors_per_mb / 40.0);
    tx.draw_series(LineSeries::new(goal, BLUE.stroke_width(1)))?
        .label("goal: software / 40")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    tx.configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
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
            for (offload, place) in [(true, true), (true, false), (false, false)] {
                eprintln!(
                    "tap bench: {} MB {}, loss {loss}, offload {offload}, place {place}",
                    BYTES >> 20,
                    if put {
                        "kernel -> stack"
                    } else {
                        "stack -> kernel"
                    }
                );
                let s = run(&dir, put, loss, offload, place);
                points.push(point(put, loss, offload, &s));
            }
        }
    }
    println!(
        "direction         loss offload place s      Mbit/s  txdesc/MB rxdesc/MB cpl/MB  touched/MB fast placed"
    );
    for p in &points {
        println!(
            "{:17} {:4.2} {:7} {:5} {:6.2} {:7.0} {:9.1} {:9.1} {:7.1} {:10.1} {:4.2} {:4.3}",
            p.direction,
            p.loss,
            p.offload,
            p.place,
            p.seconds,
            p.goodput_mbit_s,
            p.tx_descriptors_per_mb,
            p.rx_descriptors_per_mb,
            p.completions_per_mb,
            p.frames_touched_per_mb,
            p.fast_share,
            p.placed_share
        );
    }
    let at = |direction: &str, loss: f64, offload: bool, place: bool| {
        points
            .iter()
            .find(|p| {
                p.direction == direction
                    && p.loss == loss
                    && p.offload == offload
                    && p.place == place
            })
            .expect("measured")
    };
    // Placement against one completion per frame and the software path,
    // stack receiving, per loss rate.
    let mut placement = Vec::new();
    for loss in [0.0, 0.01, 0.05] {
        let put = |offload, place| at("kernel_to_stack", loss, offload, place);
        let (pl, pf, sw) = (put(true, true), put(true, false), put(false, false));
        let touched = pl.frames_touched_per_mb / sw.frames_touched_per_mb;
        println!(
            "stack receives at loss {loss}: {:.1} % placed, {:.1} RX completions/MB (per-frame {:.1}), frames touched {:.4} of software",
            100.0 * pl.placed_share,
            pl.rx_completions_per_mb,
            pf.rx_completions_per_mb,
            touched
        );
        placement.push(serde_json::json!({
            "loss": loss,
            "placed_share": pl.placed_share,
            "rx_completions_per_mb": pl.rx_completions_per_mb,
            "per_frame_rx_completions_per_mb": pf.rx_completions_per_mb,
            "frames_touched_ratio_to_software": touched,
        }));
    }
    // TSO against software on the runs the plot draws (per-frame RX).
    let tso_ratio = |loss: f64| {
        let get = |off: bool| at("stack_to_kernel", loss, off, false).tx_descriptors_per_mb;
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
    let report = serde_json::json!({ "bytes_each_run": BYTES, "points": points, "tx_descriptor_ratio_tso_over_software": ratios, "placement": placement });
    std::fs::write(
        root.join("tap.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    plot(&points, &root.join("tap.svg")).expect("tap.svg");
    println!("wrote {}/tap.json and tap.svg", root.display());
    std::fs::remove_dir_all(&dir).unwrap();
}
