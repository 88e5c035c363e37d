//! The flow: yosys once per build and family, then nextpnr per device, up
//! to `jobs` builds at a time, with progress on stderr.

use crate::device::{Device, Family, target_mhz, yosys};
use crate::nextpnr::{Verilog, parse_report, yosys_cells};
use crate::report::{Report, Row, Status};
use crate::tools;
use hdl::verilog::Build;
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

pub struct Options {
    pub out: PathBuf,
    pub devices: Vec<Device>,
    pub jobs: usize,
    pub command: String,
}

/// One build for the devices of one family: a yosys run, then nextpnr
/// for each device in turn.
struct Unit<'a> {
    build: &'a Build,
    family: Family,
    devices: Vec<Device>,
}

struct Progress {
    start: Instant,
    running: Mutex<Vec<(String, Instant)>>,
}

impl Progress {
    fn say(&self, msg: &str) {
        let t = self.start.elapsed().as_secs();
        eprintln!("[{:02}:{:02}] {msg}", t / 60, t % 60);
    }
    fn begin(&self, what: String) {
        self.say(&format!("start {what}"));
        self.running.lock().unwrap().push((what, Instant::now()));
    }
    fn end(&self, what: &str, ok: bool) {
        let mut running = self.running.lock().unwrap();
        let Some(i) = running.iter().position(|(w, _)| w == what) else {
            return;
        };
        let (_, since) = running.remove(i);
        drop(running);
        let verdict = if ok { "done" } else { "FAILED" };
        self.say(&format!(
            "{verdict} {what} in {:.0} s",
            since.elapsed().as_secs_f64()
        ));
    }
}

pub fn run(opts: &Options, builds: Vec<Build>) -> Result<Report, String> {
    std::fs::create_dir_all(&opts.out)
        .map_err(|e| format!("cannot create {}: {e}", opts.out.display()))?;
    let mut tools_used = BTreeMap::new();
    tools_used.insert("yosys".to_owned(), tools::version(&yosys(), "-V")?);
    let mut families: Vec<Family> = opts.devices.iter().map(|d| d.family()).collect();
    families.dedup();
    for f in &families {
        let npr = f.nextpnr();
        tools::check_nextpnr_report(&npr)?;
        tools_used.insert(
            format!("nextpnr-{}", f.name()),
            tools::version(&npr, "--version")?,
        );
    }
    for b in &builds {
        let path = opts.out.join(format!("{}.v", b.name));
        std::fs::write(&path, &b.verilog)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut units: Vec<Unit> = Vec::new();
    for b in &builds {
        for &family in &families {
            let devices = opts
                .devices
                .iter()
                .copied()
                .filter(|d| d.family() == family);
            units.push(Unit {
                build: b,
                family,
                devices: devices.collect(),
            });
        }
    }
    // Biggest first, so the long runs do not all come at the end.
    units.sort_by_key(|u| std::cmp::Reverse(u.build.verilog.len()));
    let progress = Progress {
        start: Instant::now(),
        running: Mutex::new(Vec::new()),
    };
    progress.say(&format!(
        "{} builds x {} devices, {} at a time, into {}",
        builds.len(),
        opts.devices.len(),
        opts.jobs,
        opts.out.display()
    ));
    let queue = Mutex::new(VecDeque::from(units));
    let rows = Mutex::new(Vec::new());
    let active = Mutex::new(opts.jobs);
    std::thread::scope(|s| {
        for _ in 0..opts.jobs {
            s.spawn(|| {
                loop {
                    // (Not `while let`: that would hold the lock meanwhile.)
                    let next = queue.lock().unwrap().pop_front();
                    let Some(unit) = next else { break };
                    let r = run_unit(opts, &unit, &progress);
                    rows.lock().unwrap().extend(r);
                }
                *active.lock().unwrap() -= 1;
            });
        }
        heartbeat(&progress, &active);
    });
    let mut rows = rows.into_inner().unwrap();
    let order = |r: &Row| {
        let b = builds.iter().position(|b| b.name == r.build);
        let d = Device::ALL.iter().position(|d| d.name() == r.device);
        (b, d)
    };
    rows.sort_by_key(order);
    Ok(Report {
        date: utc_now(),
        command: opts.command.clone(),
        tools: tools_used,
        elapsed_seconds: progress.start.elapsed().as_secs_f64(),
        rows,
    })
}

/// Every minute, says what is still running, until the workers are done.
fn heartbeat(progress: &Progress, active: &Mutex<usize>) {
    let mut last = Instant::now();
    while *active.lock().unwrap() > 0 {
        std::thread::sleep(Duration::from_millis(200));
        if last.elapsed() >= Duration::from_secs(60) {
            last = Instant::now();
            let running = progress.running.lock().unwrap();
            let list: Vec<String> = running
                .iter()
                .map(|(w, t)| format!("{w} ({} s)", t.elapsed().as_secs()))
                .collect();
            drop(running);
            if !list.is_empty() {
                progress.say(&format!("running: {}", list.join(", ")));
            }
        }
    }
}

fn run_unit(opts: &Options, unit: &Unit, progress: &Progress) -> Vec<Row> {
    let b = unit.build;
    let fam = unit.family.name();
    let mut rows: Vec<Row> = unit.devices.iter().map(|&d| blank_row(b, d)).collect();
    if unit.family == Family::Ice40 && !b.ice40 {
        for r in &mut rows {
            r.status = Status::DoesNotFit;
            r.note = Some(
                "buffers too large for an iCE40 HX8K (the build's `ice40` flag is false); not run"
                    .into(),
            );
        }
        return rows;
    }
    let (net, stat, ylog) = (
        format!("{}.{fam}.json", b.name),
        format!("{}.{fam}.stat.json", b.name),
        format!("{}.{fam}.yosys.log", b.name),
    );
    // Too many port bits for the smallest package: wrap it out of context.
    let ooc = rows.iter().any(|r| r.io_bits > r.io_pins);
    let (source, top) = if ooc {
        let file = format!("{}.ooc.v", b.name);
        let text = format!("{}{}", b.verilog, crate::ooc::wrapper(b));
        if let Err(e) = std::fs::write(opts.out.join(&file), text) {
            eprintln!("synth: cannot write {file}: {e}");
        }
        for r in &mut rows {
            r.io_bits = crate::ooc::PINS;
            r.note = Some(
                "out of context: inputs from a shift register, outputs registered and \
                 XOR-reduced to one pin (the block has more port bits than the package \
                 has pins); FFs exclude the wrapper's, LUTs include its XOR tree"
                    .into(),
            );
        }
        (file, crate::ooc::TOP)
    } else {
        (format!("{}.v", b.name), "top")
    };
    let script = format!(
        "read_verilog {source}; {} -json {net}; tee -q -o {stat} stat -json",
        unit.family.synth_command(top)
    );
    let what = format!("yosys {} {fam}", b.name);
    progress.begin(what.clone());
    let args = vec!["-p".to_owned(), script];
    let synth = tools::run(&yosys(), &args, &opts.out, &ylog).and_then(|t| {
        let text = std::fs::read_to_string(opts.out.join(&stat))
            .map_err(|e| format!("yosys wrote no {stat}: {e}"))?;
        Ok((t, yosys_cells(&text)?))
    });
    progress.end(&what, synth.is_ok());
    let ylog_path = opts.out.join(&ylog).display().to_string();
    let (ytime, cells) = match synth {
        Ok(x) => x,
        Err(e) => {
            eprintln!("synth: {e}");
            for r in &mut rows {
                r.status = Status::Failed;
                r.note = Some(format!("yosys failed, see {ylog_path}"));
                r.yosys_log = Some(ylog_path.clone());
            }
            return rows;
        }
    };
    for (r, &dev) in rows.iter_mut().zip(&unit.devices) {
        r.yosys_seconds = Some(ytime.as_secs_f64());
        r.yosys_log = Some(ylog_path.clone());
        r.yosys_cells = cells.clone();
        let f = unit.family;
        let count = |p: &dyn Fn(&str) -> bool| {
            cells
                .iter()
                .filter(|(k, _)| p(k))
                .map(|(_, n)| n)
                .sum::<u64>()
        };
        r.luts = Some(count(&|c| f.is_lut(c)));
        r.ffs = Some(count(&|c| f.is_ff(c)));
        if ooc {
            r.ffs = r
                .ffs
                .map(|n| n.saturating_sub(crate::ooc::flip_flops(b) as u64));
        }
        r.brams = Some(count(&|c| f.is_bram(c)));
        if r.io_bits > r.io_pins {
            r.status = Status::DoesNotFit;
            r.note = Some(format!(
                "{} top-level I/O bits but the package has {} pins, so nextpnr cannot \
                 place it; not run (LUT/FF/BRAM are yosys counts before packing)",
                r.io_bits, r.io_pins
            ));
            continue;
        }
        if r.brams.is_some_and(|n| n > dev.block_rams()) {
            r.status = Status::DoesNotFit;
            r.note = Some(format!(
                "needs {} block RAMs, the device has {}; nextpnr not run (LUT/FF are                  yosys counts before packing)",
                r.brams.unwrap_or(0),
                dev.block_rams()
            ));
            continue;
        }
        let wrapper_ffs = if ooc {
            crate::ooc::flip_flops(b) as u64
        } else {
            0
        };
        place(opts, b, dev, &net, r, progress, wrapper_ffs);
    }
    rows
}

/// Runs nextpnr for one device and fills in the row from its report.
fn place(
    opts: &Options,
    b: &Build,
    dev: Device,
    net: &str,
    r: &mut Row,
    progress: &Progress,
    wrapper_ffs: u64,
) {
    let (rep, log) = (
        format!("{}.{}.report.json", b.name, dev.name()),
        format!("{}.{}.nextpnr.log", b.name, dev.name()),
    );
    let mut args: Vec<String> = dev.nextpnr_args().iter().map(|s| s.to_string()).collect();
    for a in ["--json", net, "--freq", &r.target_mhz.to_string()] {
        args.push(a.to_owned());
    }
    args.extend([
        "--timing-allow-fail".to_owned(),
        "--report".to_owned(),
        rep.clone(),
    ]);
    let what = format!("nextpnr {} {}", b.name, dev.name());
    progress.begin(what.clone());
    let verilog = Verilog::new(format!("{}.v", b.name), &b.verilog);
    let placed = tools::run(&dev.family().nextpnr(), &args, &opts.out, &log).and_then(|t| {
        let text = std::fs::read_to_string(opts.out.join(&rep))
            .map_err(|e| format!("nextpnr wrote no {rep}: {e}"))?;
        Ok((t, parse_report(&text, "clock", &verilog)?))
    });
    progress.end(&what, placed.is_ok());
    let log_path = opts.out.join(&log).display().to_string();
    r.nextpnr_log = Some(log_path.clone());
    let (t, p) = match placed {
        Ok(x) => x,
        Err(e) => {
            eprintln!("synth: {e}");
            r.status = Status::Failed;
            // nextpnr says e.g. "no Bels remaining of type 'SB_IO'".
            let io = e.contains("_IO'") || e.contains("_IO\"");
            let hint = if io {
                " (out of I/O pins: too many top-level ports)"
            } else {
                ""
            };
            r.note = Some(format!(
                "nextpnr failed{hint}, see {log_path} (LUT/FF/BRAM are yosys counts)"
            ));
            return;
        }
    };
    r.status = Status::Ok;
    r.nextpnr_seconds = Some(t.as_secs_f64());
    r.fmax_mhz = p.clock.map(|(_, f)| f);
    r.meets_target = r.fmax_mhz.map(|f| f >= r.target_mhz);
    let [lut, ff, ram] = dev.util_keys();
    let used = |k: Option<&str>| k.map(|k| p.util.get(k).map_or(0, |u| u.used));
    r.luts = used(lut);
    // nextpnr counts the out-of-context wrapper's flip-flops too.
    r.ffs = used(ff).map(|n| n.saturating_sub(wrapper_ffs)).or(r.ffs);
    r.brams = used(ram);
    r.utilization = p.util;
    r.critical_path = p.critical;
}

fn blank_row(b: &Build, d: Device) -> Row {
    let stem = format!("{}_w{}", b.block, b.width);
    let variant = b.name.strip_prefix(&stem).unwrap_or("");
    Row {
        build: b.name.clone(),
        block: b.block.to_owned(),
        variant: variant.trim_start_matches('_').to_owned(),
        width_bytes: b.width,
        width_bits: b.width * 8,
        device: d.name().to_owned(),
        status: Status::Failed,
        note: None,
        // A block clocked by a MAC's byte clock says so (`clock_khz`).
        target_mhz: b
            .params
            .iter()
            .find(|(n, _)| *n == "clock_khz")
            .map_or_else(|| target_mhz(b.width), |(_, khz)| *khz as f64 / 1000.0),
        fmax_mhz: None,
        meets_target: None,
        luts: None,
        ffs: None,
        brams: None,
        io_bits: b.ports.iter().map(|p| p.bits).sum(),
        io_pins: d.io_pins(),
        utilization: BTreeMap::new(),
        yosys_cells: BTreeMap::new(),
        critical_path: None,
        yosys_seconds: None,
        nextpnr_seconds: None,
        yosys_log: None,
        nextpnr_log: None,
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86400) as i64, secs % 86400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s) = (rem / 3600, rem / 60 % 60, rem % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}
