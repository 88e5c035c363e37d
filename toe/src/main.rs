//! `toe`: the opentoe command line.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use sim::traffic::Traffic;
use std::path::PathBuf;
use std::process::ExitCode;
use toe::options::{Backend, Coalesce, Options};
use toe::replay::{replay, ss};

#[derive(Parser)]
#[command(
    name = "toe",
    version,
    about = "opentoe: run the open TCP offload engine's RTL against its reference model"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay a capture (pcap or pcapng) through rx_checksum, rx_parser and
    /// conn_table (with an emulated host that installs connections on their
    /// handshake), in the RTL under Verilator and in the reference model,
    /// and compare them frame by frame; then through the driver, the
    /// engine's RX rings and its command registers, compared with that
    /// (the RTL engine with --backend rtl or both at 64 bits and the
    /// 4096-entry, 4-way table it is built with; else the model engine).
    /// Exits 1 on any difference.
    Replay(ReplayArgs),
    /// List the connections installed in the engine's table, with their
    /// counters, read over the command registers (like `ss`): the capture
    /// is first replayed through the driver into the engine, with the
    /// emulated host installing connections.
    Ss(SsArgs),
    /// Run the host TCP stack on the simulated engine, its wire side on a
    /// TAP device in a network namespace made for the run, where the Linux
    /// kernel is the peer (needs root). The namespace holds 10.77.0.1 and
    /// fd77::1; the stack is 10.77.0.2 and fd77::2. With `-- CMD`, CMD runs
    /// in the namespace once the stack is ready, with TOE_ADDR (the
    /// stack's address), TOE_HOST (bracketed for IPv6), TOE_PEER,
    /// TOE_PORT and TOE_DEV (the TAP's name there) set, and toe exits with
    /// its status.
    ///
    /// Example: toe tap serve http ./www -- sh -c 'curl -s http://$TOE_HOST/big.bin -o out.bin'
    Tap(TapArgs),
}

#[derive(clap::Args)]
struct TapArgs {
    /// The engine: the reference model, or the RTL under Verilator.
    #[arg(long, value_enum, default_value_t = Backend::Model)]
    backend: Backend,
    /// Use IPv6 addresses instead of IPv4.
    #[arg(long)]
    v6: bool,
    /// Chance that a frame is dropped, each direction (0..1).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    loss: f64,
    /// Chance that a frame is held back 3 ms, so later ones pass it.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    reorder: f64,
    /// Chance that a frame is sent twice.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    dup: f64,
    /// Chance that a bit past the Ethernet header is flipped.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    corrupt: f64,
    /// Chance that an ECN-capable packet is marked CE.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    ce: f64,
    /// Seed of the fault stage.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Most connections installed in the engine; the others are served in software.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_offloaded: usize,
    /// Switch the engine's offloads off (checksums and TSO in software,
    /// nothing installed): the baseline of the host-work figures.
    #[arg(long)]
    no_offload: bool,
    /// No receive rings: every received frame reaches the stack with its
    /// own completion (the baseline of payload placement).
    #[arg(long)]
    no_place: bool,
    /// Congestion control.
    #[arg(long, value_enum, default_value_t = CcArg::Cubic)]
    cc: CcArg,
    /// Write every frame between the TAP and the engine to this pcap.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Print a JSON summary on exit instead of a line for people.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    mode: TapMode,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CcArg {
    Newreno,
    Cubic,
}

#[derive(Subcommand)]
enum TapMode {
    /// Serve on the stack.
    Serve {
        #[command(subcommand)]
        what: ServeWhat,
    },
    /// Connect from the stack to PORT on the namespace's address, send a
    /// file, shut down and save what the peer sends back until it closes.
    Connect {
        port: u16,
        /// Connect to ADDR instead: a host the namespace routes to, or a
        /// scripted peer on the TAP ($TOE_DEV in the namespace).
        #[arg(long, value_name = "ADDR")]
        to: Option<std::net::IpAddr>,
        /// Send this file's bytes.
        #[arg(long, value_name = "FILE")]
        send: Option<PathBuf>,
        /// Save what was received here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Command to run in the namespace first (the listener, say).
        #[arg(last = true)]
        command: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ServeWhat {
    /// HTTP/1.1: GET returns a file of DIR, PUT stores the body in DIR.
    Http {
        dir: PathBuf,
        #[arg(long, default_value_t = 80)]
        port: u16,
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Sends back what it reads.
    Echo {
        #[arg(long, default_value_t = 7)]
        port: u16,
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Reads and drops.
    Discard {
        #[arg(long, default_value_t = 9)]
        port: u16,
        #[arg(last = true)]
        command: Vec<String>,
    },
}

#[derive(clap::Args)]
struct SsArgs {
    /// Capture file to replay first: pcap or pcapng.
    file: PathBuf,
    /// Print one JSON array on stdout instead of a table.
    #[arg(long)]
    json: bool,
    /// The engine: the RTL under Verilator (rtl, or both: the RTL engine
    /// is built with 4096 entries and 4 ways; other sizes use the model)
    /// or the reference model.
    #[arg(long, value_enum, default_value_t = Backend::DEFAULT)]
    backend: Backend,
    /// Connection table entries (both banks).
    #[arg(long, value_name = "N", default_value_t = spec::conn_table::DEFAULT_ENTRIES)]
    table_entries: usize,
    /// Ways per bucket.
    #[arg(long, value_name = "N", default_value_t = spec::conn_table::DEFAULT_WAYS)]
    table_ways: usize,
}

#[derive(clap::Args)]
struct ReplayArgs {
    /// Capture file: pcap or pcapng; Ethernet, Linux SLL/SLL2, raw IP or BSD loopback.
    file: PathBuf,
    /// Print one JSON object on stdout instead of a table.
    #[arg(long)]
    json: bool,
    /// Datapath width in bits.
    #[arg(long, default_value = "64", value_parser = ["8", "64"])]
    width: String,
    /// Which engine to run: the RTL, the reference model, or both compared.
    #[arg(long, value_enum, default_value_t = Backend::DEFAULT)]
    backend: Backend,
    /// Write the RTL's waveform (VCD) to this file.
    #[arg(long, value_name = "FILE")]
    wave: Option<PathBuf>,
    /// Chance of an idle cycle before each input beat (0..1).
    #[arg(long, default_value_t = 0.0)]
    idle: f64,
    /// Chance that the output is not ready in a cycle (0..1).
    #[arg(long, default_value_t = 0.0)]
    backpressure: f64,
    /// Seed for --idle and --backpressure.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Include every frame's checksum verdict and class in the JSON output.
    #[arg(long)]
    verdicts: bool,
    /// List every connection direction the emulated host installed, with
    /// its state and the table's counters (like `ss`).
    #[arg(long)]
    flows: bool,
    /// Connection table entries (both banks); RTL builds: 4096 and 16.
    #[arg(long, value_name = "N", default_value_t = spec::conn_table::DEFAULT_ENTRIES)]
    table_entries: usize,
    /// Ways per bucket; the RTL build has 4.
    #[arg(long, value_name = "N", default_value_t = spec::conn_table::DEFAULT_WAYS)]
    table_ways: usize,
    /// Send the capture through the TX path (tso + tx_checksum) instead of
    /// the RX path: each TCP direction's in-order data segments merged into
    /// TSO super-frames, other TCP/UDP frames with a checksum request,
    /// the rest as they are; --backend both compares RTL and model.
    #[arg(long)]
    tx: bool,
    /// With --tx: write the frames on the wire to this pcap (Ethernet).
    #[arg(long, value_name = "FILE.pcap", requires = "tx")]
    out: Option<PathBuf>,
    /// Entries of the driver's RX free-buffer and completion rings (power of two, up to 4096).
    #[arg(long, value_name = "N", default_value_t = 256)]
    rx_ring: usize,
    /// Entries of the driver's TX descriptor and completion rings (power of two, up to 4096).
    #[arg(long, value_name = "N", default_value_t = 256)]
    tx_ring: usize,
    /// RX buffers the driver owns (at most --rx-ring are posted at once).
    #[arg(long, value_name = "N", default_value_t = 256)]
    rx_buffers: usize,
    /// Skip the pass through the driver and the engine's rings.
    #[arg(long, conflicts_with = "tx")]
    no_driver: bool,
    /// No payload placement or coalesced completions on the direct path:
    /// one completion per frame, the baseline `placement` is measured against.
    #[arg(long, conflicts_with_all = ["tx", "place_bytes", "place_time"])]
    no_place: bool,
    /// In-order bytes after which a direction's coalesced completion is written.
    #[arg(long, value_name = "BYTES", default_value_t = spec::rx_place::DEFAULT_BYTES)]
    place_bytes: u32,
    /// Engine cycles (125 MHz, capture time) a coalesced completion may wait
    /// after its first frame.
    #[arg(long, value_name = "CYCLES", default_value_t = spec::rx_place::DEFAULT_TIME)]
    place_time: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Replay(args) => replay_cmd(args),
        Command::Ss(args) => ss_cmd(args),
        Command::Tap(args) => tap_cmd(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("toe: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn probability(name: &str, p: f64) -> Result<f64> {
    if !(0.0..1.0).contains(&p) {
        bail!("--{name} must be at least 0 and below 1, got {p}");
    }
    Ok(p)
}

fn check_table(entries: usize, ways: usize) -> Result<()> {
    let buckets = entries / 2 / ways.max(1);
    if ways == 0 || !buckets.is_power_of_two() || buckets * 2 * ways != entries {
        bail!(
            "--table-entries {entries} --table-ways {ways}: the table is 2 banks of a power-of-two number of buckets, so entries must be 2 x ways x 2^k (e.g. 4096 and 4)"
        );
    }
    Ok(())
}

fn progress_bar() -> ProgressBar {
    ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} replaying {bytes}/{total_bytes} [{bar:30}] {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    )
}

fn ss_cmd(a: SsArgs) -> Result<ExitCode> {
    check_table(a.table_entries, a.table_ways)?;
    let opts = Options {
        table_entries: a.table_entries,
        table_ways: a.table_ways,
        ..Options::new(8, a.backend)
    };
    let bar = progress_bar();
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let entries =
        ss(&a.file, &opts, &progress).with_context(|| format!("replaying {}", a.file.display()))?;
    bar.finish_and_clear();
    if a.json {
        println!("{}", serde_json::to_string(&entries)?);
    } else {
        print!("{}", toe::ss::human(&entries));
    }
    Ok(ExitCode::SUCCESS)
}

fn replay_cmd(a: ReplayArgs) -> Result<ExitCode> {
    let bits: usize = a.width.parse()?;
    check_table(a.table_entries, a.table_ways)?;
    if a.wave.is_some() && a.backend == Backend::Model {
        bail!("--wave needs the RTL: use --backend rtl or both");
    }
    let opts = Options {
        width: bits / 8,
        backend: a.backend,
        traffic: Traffic {
            idle: probability("idle", a.idle)?,
            backpressure: probability("backpressure", a.backpressure)?,
            seed: a.seed,
        },
        wave: a.wave.clone(),
        keep_verdicts: a.verdicts,
        table_entries: a.table_entries,
        table_ways: a.table_ways,
        flows: a.flows,
        tx: a.tx,
        out: a.out.clone(),
        rx_ring: a.rx_ring,
        tx_ring: a.tx_ring,
        rx_buffers: a.rx_buffers,
        driver: !a.no_driver,
        place: (!a.no_place).then_some(Coalesce {
            bytes: a.place_bytes,
            time: a.place_time,
        }),
    };
    let bar = progress_bar();
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = replay(&a.file, &opts, &progress)
        .with_context(|| format!("replaying {}", a.file.display()))?;
    bar.finish_and_clear();
    if report.truncated_file {
        eprintln!(
            "toe: warning: {}: the file ends in the middle of a record; replayed the {} complete frames before it",
            a.file.display(),
            report.frames
        );
    }
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.human());
    }
    Ok(if report.mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn tap_cmd(a: TapArgs) -> Result<ExitCode> {
    use toe::tap::apps::Service;
    use toe::tap::{FaultRates, Mode, TapOptions};
    if a.backend == Backend::Both {
        bail!("toe tap runs one engine: use --backend model or --backend rtl");
    }
    let faults = FaultRates {
        loss: probability("loss", a.loss)?,
        reorder: probability("reorder", a.reorder)?,
        dup: probability("dup", a.dup)?,
        corrupt: probability("corrupt", a.corrupt)?,
        ce: probability("ce", a.ce)?,
    };
    let (mode, command) = match a.mode {
        TapMode::Serve { what } => match what {
            ServeWhat::Http { dir, port, command } => {
                if !dir.is_dir() {
                    bail!("{} is not a directory to serve", dir.display());
                }
                (Mode::Serve(Service::Http(dir), port), command)
            }
            ServeWhat::Echo { port, command } => (Mode::Serve(Service::Echo, port), command),
            ServeWhat::Discard { port, command } => (Mode::Serve(Service::Discard, port), command),
        },
        TapMode::Connect {
            port,
            to,
            send,
            out,
            command,
        } => (
            Mode::Connect {
                port,
                to,
                send,
                out,
            },
            command,
        ),
    };
    let offload = !a.no_offload;
    let opts = TapOptions {
        backend: a.backend,
        v6: a.v6,
        faults,
        seed: a.seed,
        max_offloaded: if offload { a.max_offloaded } else { 0 },
        offloads: host::tcp::frames::Offloads {
            checksum: offload,
            tso: offload,
        },
        place: offload && !a.no_place,
        pcap: a.pcap,
        mode,
        command,
        stack: host::tcp::Config {
            cc: match a.cc {
                CcArg::Newreno => host::tcp::CcKind::NewReno,
                CcArg::Cubic => host::tcp::CcKind::Cubic,
            },
            ecn: true,
            ..host::tcp::Config::default()
        },
        command_stdout_to_stderr: a.json,
    };
    let stop = toe::tap::stop_flag()?;
    let (summary, code) = toe::tap::run(&opts, stop)?;
    if a.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        eprint!("{}", summary.human());
    }
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}
