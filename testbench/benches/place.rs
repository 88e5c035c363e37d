//! `just bench` (part 3): what receive placement and coalesced completions
//! save the host, over `toe replay` (model engine) on the corpus's lossy
//! captures (manifest feature `retrans`, handshake in the capture), each
//! replayed in the same run without placement (one completion per frame,
//! every frame to the host) and with it at three coalescing timers.
//! Frames arrive at their capture times. Writes build/bench/place.json
//! and build/bench/place.svg.

use plotters::prelude::*;
use serde::Serialize;
use std::path::Path;
use testbench::corpus::Trace;
use toe::options::{Backend, Coalesce, Options};
use toe::replay::replay;
use toe::report::Report;

const MB: f64 = 1_048_576.0;
/// Coalescing timers in engine cycles: 100 µs (the default), 1 ms, 10 ms.
const TIMERS: [u64; 3] = [12_500, 125_000, 1_250_000];
const CYCLES_PER_US: f64 = 125.0;
/// The goal: at most one completion per 16 KB of in-order data.
const GOAL_COMPLETIONS_PER_MB: f64 = MB / 16_384.0;

#[derive(Clone, Copy, Default, Serialize)]
struct Run {
    /// In-order bytes handed to the applications.
    delivered_bytes: u64,
    placed_bytes: u64,
    /// Frames the host received as frames, each with a completion.
    frames_touched: u64,
    completions: u64,
}

impl Run {
    fn of(r: &Report) -> Run {
        Run {
            delivered_bytes: r.delivered.values().map(|d| d.bytes).sum(),
            placed_bytes: r.delivered.values().map(|d| d.placed_bytes).sum(),
            frames_touched: r.host.frame_completions,
            completions: r.host.frame_completions + r.host.place_completions,
        }
    }

    fn add(&mut self, o: &Run) {
        self.delivered_bytes += o.delivered_bytes;
        self.placed_bytes += o.placed_bytes;
        self.frames_touched += o.frames_touched;
        self.completions += o.completions;
    }

    fn per_mb(&self, v: u64) -> f64 {
        v as f64 * MB / self.delivered_bytes.max(1) as f64
    }

    fn placed_share(&self) -> f64 {
        self.placed_bytes as f64 / self.delivered_bytes.max(1) as f64
    }
}

#[derive(Serialize)]
struct TraceRuns {
    trace: String,
    software: Run,
    /// One per entry of `TIMERS`.
    placed: Vec<Run>,
}

fn replay_one(t: &Trace, place: Option<Coalesce>) -> Run {
    let mut o = Options::new(8, Backend::Model);
    o.driver = false;
    o.place = place;
    let r =
        replay(&t.path, &o, &|_, _| {}).unwrap_or_else(|e| panic!("{}: {e:#}", t.relative_path));
    Run::of(&r)
}

/// Completions per MB against the coalescing timer (all lossy traces
/// together), and host-touched frames per MB per trace, with placement
/// against without.
fn plot(
    total_sw: &Run,
    totals: &[Run],
    traces: &[TraceRuns],
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (960, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let us: Vec<f64> = TIMERS.iter().map(|t| *t as f64 / CYCLES_PER_US).collect();
    let mut cpl = ChartBuilder::on(&left)
        .caption("completions per MB, lossy traces", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d((50.0..20_000.0).log_scale(), (10.0..10_000.0).log_scale())?;
    cpl.configure_mesh()
        .x_desc("coalescing timer (µs)")
        .y_desc("completions / MB in order")
        .draw()?;
    let green = RGBColor(30, 140, 60);
    let pts: Vec<(f64, f64)> = us
        .iter()
        .zip(totals)
        .map(|(x, r)| (*x, r.per_mb(r.completions)))
        .collect();
    cpl.draw_series(LineSeries::new(pts.clone(), green.stroke_width(2)))?
        .label("rx_place")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], green));
    cpl.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, green.filled())))?;
    let flat = |y: f64| vec![(50.0, y), (20_000.0, y)];
    cpl.draw_series(LineSeries::new(
        flat(total_sw.per_mb(total_sw.completions)),
        RED.stroke_width(2),
    ))?
    .label("per-frame completions, same run")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    cpl.draw_series(LineSeries::new(
        flat(GOAL_COMPLETIONS_PER_MB),
        BLUE.stroke_width(1),
    ))?
    .label("goal: 1 per 16 KB")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    cpl.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    let mut touched = ChartBuilder::on(&right)
        .caption("host-touched frames per MB, per trace", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d((10.0..100_000.0).log_scale(), (1.0..100_000.0).log_scale())?;
    touched
        .configure_mesh()
        .x_desc("software path (per-frame)")
        .y_desc("rx_place, 100 µs timer")
        .draw()?;
    let line = |k: f64| vec![(10.0, 10.0 * k), (100_000.0, 100_000.0 * k)];
    touched
        .draw_series(LineSeries::new(line(1.0), RED.stroke_width(1)))?
        .label("no saving")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    touched
        .draw_series(LineSeries::new(line(0.1), BLUE.stroke_width(1)))?
        .label("goal: 1/10")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    touched.draw_series(
        traces
            .iter()
            .filter(|t| t.software.delivered_bytes > 0)
            .map(|t| {
                let x = t.software.per_mb(t.software.frames_touched);
                let y = t.placed[0].per_mb(t.placed[0].frames_touched).max(1.0);
                Circle::new((x, y), 4, green.filled())
            }),
    )?;
    touched
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

fn main() {
    let Some(corpus) = testbench::corpus::for_test() else {
        return;
    };
    let lossy: Vec<Trace> = corpus
        .into_iter()
        .filter(|t| t.features.iter().any(|f| f == "retrans"))
        .filter(|t| t.features.iter().any(|f| f == "handshake"))
        .collect();
    let mut traces = Vec::new();
    for (i, t) in lossy.iter().enumerate() {
        eprintln!("place bench: {}/{} {}", i + 1, lossy.len(), t.relative_path);
        let software = replay_one(t, None);
        let placed = TIMERS
            .iter()
            .map(|&time| {
                replay_one(
                    t,
                    Some(Coalesce {
                        time,
                        ..Coalesce::default()
                    }),
                )
            })
            .collect();
        traces.push(TraceRuns {
            trace: t.relative_path.clone(),
            software,
            placed,
        });
    }
    let mut total_sw = Run::default();
    let mut totals = vec![Run::default(); TIMERS.len()];
    for t in &traces {
        total_sw.add(&t.software);
        for (sum, r) in totals.iter_mut().zip(&t.placed) {
            sum.add(r);
        }
    }
    println!(
        "{:40} {:>9} {:>7} {:>9} {:>9} {:>10} {:>10}",
        "trace (timer 100 µs)",
        "in order",
        "placed",
        "cpl/MB",
        "sw cpl/MB",
        "touch/MB",
        "sw touch/MB"
    );
    for t in &traces {
        let (p, s) = (&t.placed[0], &t.software);
        println!(
            "{:40} {:9} {:6.1}% {:9.0} {:9.0} {:10.0} {:10.0}",
            t.trace,
            p.delivered_bytes,
            100.0 * p.placed_share(),
            p.per_mb(p.completions),
            s.per_mb(s.completions),
            p.per_mb(p.frames_touched),
            s.per_mb(s.frames_touched)
        );
    }
    let summary: Vec<serde_json::Value> = TIMERS
        .iter()
        .zip(&totals)
        .map(|(time, r)| {
            let cpl = r.per_mb(r.completions);
            let ratio = r.per_mb(r.frames_touched) / total_sw.per_mb(total_sw.frames_touched);
            println!(
                "all lossy traces, timer {:.0} µs: placed {:.1}% of {} in-order bytes; \
                 {cpl:.0} completions/MB against {:.0} per-frame (goal <= {GOAL_COMPLETIONS_PER_MB:.0}: {}); \
                 host-touched frames {ratio:.3} of the software path",
                *time as f64 / CYCLES_PER_US,
                100.0 * r.placed_share(),
                r.delivered_bytes,
                total_sw.per_mb(total_sw.completions),
                if cpl <= GOAL_COMPLETIONS_PER_MB { "met" } else { "NOT met" },
            );
            serde_json::json!({
                "timer_cycles": time,
                "placed_share": r.placed_share(),
                "completions_per_mb": cpl,
                "software_completions_per_mb": total_sw.per_mb(total_sw.completions),
                "frames_touched_per_mb": r.per_mb(r.frames_touched),
                "software_frames_touched_per_mb": total_sw.per_mb(total_sw.frames_touched),
                "frames_touched_ratio": ratio,
            })
        })
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/bench");
    std::fs::create_dir_all(&root).unwrap();
    let report = serde_json::json!({
        "timers_cycles": TIMERS,
        "clock_hz": spec::rx_place::CLOCK_HZ,
        "summary": summary,
        "traces": traces,
    });
    std::fs::write(
        root.join("place.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    plot(&total_sw, &totals, &traces, &root.join("place.svg")).expect("place.svg");
    println!("wrote {}/place.json and place.svg", root.display());
}
