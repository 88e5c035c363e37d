//! The results table: one row per build and device, as JSON and markdown.

use crate::nextpnr::{CriticalPath, Util};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Placed and routed; the figures are nextpnr's.
    Ok,
    /// Not run: the build does not fit the device (see `note`).
    DoesNotFit,
    /// A tool failed (see `note` and the logs).
    Failed,
}

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub build: String,
    pub block: String,
    /// Empty for the standard build, else e.g. `small`.
    pub variant: String,
    pub width_bytes: usize,
    pub width_bits: usize,
    pub device: String,
    pub status: Status,
    pub note: Option<String>,
    pub target_mhz: f64,
    /// Achieved fmax of the clock `clock`.
    pub fmax_mhz: Option<f64>,
    pub meets_target: Option<bool>,
    /// ECP5: TRELLIS_COMB slots (LUT4 and carry halves) after packing;
    /// iCE40: ICESTORM_LC logic cells.
    pub luts: Option<u64>,
    /// ECP5: TRELLIS_FF; iCE40: SB_DFF* cells from yosys.
    pub ffs: Option<u64>,
    /// ECP5: DP16KD; iCE40: ICESTORM_RAM.
    pub brams: Option<u64>,
    pub io_bits: usize,
    pub io_pins: usize,
    /// nextpnr utilisation of the cell types used.
    pub utilization: BTreeMap<String, Util>,
    /// yosys cell counts after synthesis.
    pub yosys_cells: BTreeMap<String, u64>,
    pub critical_path: Option<CriticalPath>,
    pub yosys_seconds: Option<f64>,
    pub nextpnr_seconds: Option<f64>,
    pub yosys_log: Option<String>,
    pub nextpnr_log: Option<String>,
}

#[derive(Serialize)]
pub struct Report {
    pub date: String,
    pub command: String,
    pub tools: BTreeMap<String, String>,
    pub elapsed_seconds: f64,
    pub rows: Vec<Row>,
}

impl Row {
    fn label(&self) -> String {
        if self.variant.is_empty() {
            self.block.clone()
        } else {
            format!("{} ({})", self.block, self.variant)
        }
    }

    fn used(&self, n: Option<u64>, key: &str) -> String {
        match (n, self.utilization.get(key)) {
            (Some(n), Some(u)) if u.available > 0 => {
                format!("{n} ({:.0}%)", 100.0 * n as f64 / u.available as f64)
            }
            (Some(n), _) => n.to_string(),
            (None, _) => "-".into(),
        }
    }

    fn fmax(&self) -> String {
        match (self.status, self.fmax_mhz, self.meets_target) {
            (Status::Ok, Some(f), Some(true)) => format!("{f:.1} ok"),
            (Status::Ok, Some(f), _) => format!("**{f:.1} MISS**"),
            (Status::Ok, None, _) => "no clock path".into(),
            (Status::DoesNotFit, ..) => "does not fit".into(),
            (Status::Failed, ..) => "**FAILED**".into(),
        }
    }
}

/// Markdown: the table, then notes and the critical paths of the misses.
pub fn markdown(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| block | width (bits) | device | fmax MHz | target | LUTs | FFs | BRAM |"
    );
    let _ = writeln!(s, "|---|---:|---|---:|---:|---:|---:|---:|");
    for r in &report.rows {
        let [lut, ff, ram] = match r.device.starts_with("ice40") {
            true => ["ICESTORM_LC", "", "ICESTORM_RAM"],
            false => ["TRELLIS_COMB", "TRELLIS_FF", "DP16KD"],
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.label(),
            r.width_bits,
            r.device,
            r.fmax(),
            r.target_mhz,
            r.used(r.luts, lut),
            r.used(r.ffs, ff),
            r.used(r.brams, ram),
        );
    }
    let _ = writeln!(
        s,
        "\nLUTs: ECP5 TRELLIS_COMB (LUT4s plus carry halves), iCE40 ICESTORM_LC \
         (logic cells), both after packing; FFs: ECP5 TRELLIS_FF, iCE40 SB_DFF* \
         from yosys; BRAM: DP16KD (18 kbit) / ICESTORM_RAM (4 kbit).  \n{}; {}.",
        report
            .tools
            .values()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        report.date
    );
    for r in report.rows.iter().filter(|r| r.note.is_some()) {
        let note = r.note.as_deref().unwrap_or_default();
        let _ = writeln!(s, "\n- {} on {}: {}", r.build, r.device, note);
    }
    let misses: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.meets_target == Some(false))
        .collect();
    if !misses.is_empty() {
        let _ = writeln!(s, "\n## Critical paths of the misses\n");
    }
    for r in misses {
        let _ = write!(s, "### {} on {}: ", r.build, r.device);
        let Some(p) = &r.critical_path else {
            let _ = writeln!(s, "no path in the report\n");
            continue;
        };
        let _ = writeln!(
            s,
            "`{}` -> `{}`, {:.2} ns ({:.2} logic, {:.2} routing), {} cells\n",
            p.from, p.to, p.delay_ns, p.logic_ns, p.routing_ns, p.logic_levels
        );
        let _ = writeln!(s, "via `{}`\n", p.via.join(" -> "));
        for line in &p.source {
            let _ = writeln!(s, "    {line}");
        }
        let _ = writeln!(s);
    }
    s
}
