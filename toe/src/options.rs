//! What `toe replay` and `toe ss` are asked to do, and the checks on it.

use anyhow::{Result, ensure};
use sim::traffic::Traffic;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Rtl,
    Model,
    Both,
}

impl Backend {
    /// `both` where the RTL is built in, else `model`.
    pub const DEFAULT: Backend = if cfg!(feature = "rtl") {
        Backend::Both
    } else {
        Backend::Model
    };
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Bytes per beat.
    pub width: usize,
    pub backend: Backend,
    pub traffic: Traffic,
    pub wave: Option<PathBuf>,
    /// Keep every frame's verdict in the report (for tests and `--verdicts`).
    pub keep_verdicts: bool,
    /// The connection table's size.
    pub table_entries: usize,
    pub table_ways: usize,
    /// List every connection direction the host installed.
    pub flows: bool,
    /// Run the TX path instead of the RX passes (`crate::replay_tx`).
    pub tx: bool,
    /// With `tx`: write the frames on the wire to this pcap.
    pub out: Option<PathBuf>,
    /// The driver's rings (entries) and RX buffers.
    pub rx_ring: usize,
    pub tx_ring: usize,
    pub rx_buffers: usize,
    /// Run the driver pass after the direct passes.
    pub driver: bool,
    /// The direct path's engine places payload and coalesces completions
    /// (`rx_place`) with these limits; `None`, every frame reaches the
    /// host, as on the driver path.
    pub place: Option<Coalesce>,
}

/// When `rx_place` writes a direction's pending completion: after `bytes`
/// in-order bytes or `time` engine cycles after its first frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coalesce {
    pub bytes: u32,
    pub time: u64,
}

impl Default for Coalesce {
    fn default() -> Coalesce {
        Coalesce {
            bytes: spec::rx_place::DEFAULT_BYTES,
            time: spec::rx_place::DEFAULT_TIME,
        }
    }
}

impl Options {
    /// The defaults of `toe replay` at `width` bytes per beat.
    pub fn new(width: usize, backend: Backend) -> Options {
        Options {
            width,
            backend,
            traffic: Traffic::FULL_RATE,
            wave: None,
            keep_verdicts: false,
            table_entries: spec::conn_table::DEFAULT_ENTRIES,
            table_ways: spec::conn_table::DEFAULT_WAYS,
            flows: false,
            tx: false,
            out: None,
            rx_ring: 256,
            tx_ring: 256,
            rx_buffers: 256,
            driver: true,
            place: Some(Coalesce::default()),
        }
    }
}

/// Called as the file is read: bytes read so far, file length.
pub type Progress<'a> = &'a dyn Fn(u64, u64);

/// Refuses options this build or the driver cannot run, saying what to do.
pub fn check(opts: &Options) -> Result<()> {
    ensure!(
        cfg!(feature = "rtl") || opts.backend == Backend::Model,
        "this toe was built without the RTL (cargo feature `rtl`, which needs Verilator): \
         use --backend model, or rebuild with the default features"
    );
    for (name, n) in [("--rx-ring", opts.rx_ring), ("--tx-ring", opts.tx_ring)] {
        ensure!(
            n.is_power_of_two() && n <= 4096,
            "{name} {n}: use a power of two from 1 to 4096"
        );
    }
    ensure!(opts.rx_buffers > 0, "--rx-buffers must be at least 1");
    if let Some(c) = opts.place {
        ensure!(
            c.bytes > 0 && c.time > 0,
            "--place-bytes and --place-time must be at least 1 (--no-place turns coalescing off)"
        );
    }
    Ok(())
}
