//! Reading what yosys and nextpnr report: cell counts, fmax, utilisation
//! and the critical path.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Cell counts by type of the synthesized `top` (from `stat -json`).
pub fn yosys_cells(stat: &str) -> Result<BTreeMap<String, u64>, String> {
    let v: Value = serde_json::from_str(stat).map_err(|e| format!("bad yosys stat JSON: {e}"))?;
    let top = v["modules"]
        .as_object()
        .and_then(|m| m.get("\\top").or_else(|| m.values().next()))
        .ok_or("yosys stat has no module")?;
    let cells = top["num_cells_by_type"]
        .as_object()
        .ok_or("yosys stat has no num_cells_by_type")?;
    Ok(cells
        .iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .filter_map(|(k, n)| Some((k.clone(), n.as_u64()?)))
        .collect())
}

/// What one nextpnr run achieved.
pub struct Placed {
    /// Clock name as nextpnr spells it, and its fmax in MHz.
    pub clock: Option<(String, f64)>,
    /// Per cell type used at all.
    pub util: BTreeMap<String, Util>,
    pub critical: Option<CriticalPath>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Util {
    pub used: u64,
    pub available: u64,
}

/// Whether a nextpnr clock net name is the port `clock` (nextpnr renames
/// it after the buffer it goes through: `$glbnet$clock$TRELLIS_IO_IN`,
/// `clock$SB_IO_IN_$glb_clk`).
fn is_clock(net: &str, clock: &str) -> bool {
    net.split('$').any(|part| part == clock)
}

pub fn parse_report(text: &str, clock: &str, verilog: &Verilog) -> Result<Placed, String> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("bad nextpnr report JSON: {e}"))?;
    let fmax = v["fmax"].as_object().ok_or("nextpnr report has no fmax")?;
    let found = fmax
        .iter()
        .find(|(k, _)| is_clock(k, clock))
        .or_else(|| fmax.iter().next().filter(|_| fmax.len() == 1));
    let clock = found.and_then(|(k, c)| Some((k.clone(), c["achieved"].as_f64()?)));
    let util = v["utilization"]
        .as_object()
        .ok_or("nextpnr report has no utilization")?
        .iter()
        .filter_map(|(k, u)| {
            let used = u["used"].as_u64().filter(|&n| n > 0)?;
            let available = u["available"].as_u64()?;
            Some((k.clone(), Util { used, available }))
        })
        .collect();
    let critical = clock.as_ref().and_then(|(net, _)| {
        let edge = format!("posedge {net}");
        let path = v["critical_paths"]
            .as_array()?
            .iter()
            .find(|p| p["from"] == edge.as_str() && p["to"] == edge.as_str())?;
        CriticalPath::new(path["path"].as_array()?, verilog)
    });
    Ok(Placed {
        clock,
        util,
        critical,
    })
}

/// The generated Verilog, to name the lines a path goes through.
pub struct Verilog<'a> {
    pub file: String,
    pub lines: Vec<&'a str>,
}

impl<'a> Verilog<'a> {
    pub fn new(file: String, text: &'a str) -> Self {
        Verilog {
            file,
            lines: text.lines().collect(),
        }
    }

    /// `module: text` of 1-based line `n`.
    fn describe(&self, n: usize) -> Option<String> {
        let text = self.lines.get(n.checked_sub(1)?)?.trim();
        let module = self.lines[..n]
            .iter()
            .rev()
            .find_map(|l| l.strip_prefix("module "))
            .and_then(|l| l.split('(').next())
            .unwrap_or("?");
        Some(format!("{module}:{n}: {text}"))
    }
}

/// The slowest register-to-register path of the clock, in brief.
#[derive(Clone, Debug, Serialize)]
pub struct CriticalPath {
    pub from: String,
    pub to: String,
    pub delay_ns: f64,
    pub logic_ns: f64,
    pub routing_ns: f64,
    /// Cells the path goes through (LUTs, carry cells, muxes, RAM ports).
    pub logic_levels: usize,
    /// Signals the path's nets are named after, in order (yosys names a
    /// net after a signal it feeds or comes from, so this is a trail).
    pub via: Vec<String>,
    /// The Verilog lines along the path, in order (`module:line: text`).
    pub source: Vec<String>,
}

/// Register (or RAM) name of a packed cell: `walker.cur$q_TRELLIS_FF_Q_7`
/// is `walker.cur$q`.
fn short_cell(cell: &str) -> String {
    const MARKS: [&str; 9] = [
        "_TRELLIS_",
        "_SB_",
        "_LUT4",
        "_CCU2C",
        "_DP16KD",
        "_PFUMX",
        "_L6MUX21",
        "$CCU2",
        "_DFFLC",
    ];
    let cut = MARKS
        .iter()
        .filter_map(|m| cell.find(m))
        .min()
        .unwrap_or(cell.len());
    cell[..cut].to_owned()
}

impl CriticalPath {
    fn new(steps: &[Value], verilog: &Verilog) -> Option<Self> {
        let cell = |s: &Value, end: &str| s[end]["cell"].as_str().map(short_cell);
        let from = cell(steps.first()?, "from")?;
        let to = cell(steps.last()?, "to")?;
        let (mut logic_ns, mut routing_ns, mut logic_levels) = (0.0, 0.0, 0);
        let (mut via, mut source): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let prefix = format!("{}:", verilog.file);
        for s in steps {
            let d = s["delay"].as_f64().unwrap_or(0.0);
            match s["type"].as_str() {
                Some("routing") => {
                    routing_ns += d;
                    let net = s["net"].as_str().unwrap_or("$");
                    let name = short_cell(net.split('[').next().unwrap_or(net));
                    if !name.starts_with('$') && !via.contains(&name) {
                        via.push(name);
                    }
                }
                Some("logic") => {
                    logic_ns += d;
                    logic_levels += 1;
                }
                _ => logic_ns += d,
            }
            for src in s["sources"].as_array().into_iter().flatten() {
                let line = src
                    .as_str()
                    .and_then(|t| t.strip_prefix(&prefix))
                    .and_then(|t| t.split('.').next()?.parse().ok())
                    .and_then(|n| verilog.describe(n));
                if let Some(line) = line
                    && !source.contains(&line)
                {
                    source.push(line);
                }
            }
        }
        Some(CriticalPath {
            from,
            to,
            delay_ns: logic_ns + routing_ns,
            logic_ns,
            routing_ns,
            logic_levels,
            via,
            source,
        })
    }
}
