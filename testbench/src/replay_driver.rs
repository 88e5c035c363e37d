//! The driver pass of `toe replay`: every frame enters the engine's RX
//! port, reaches host memory through the RX rings and is seen by the
//! emulated host in its completion; the host works the connection table
//! over the command registers. Each completion is compared with what the
//! direct path (the table pass) said about the frame: class, slot, the
//! checksum verdict, and the bytes themselves.
//!
//! Frames go in one at a time and the host handles each before the next
//! (as in the direct path), so the classes cannot differ by timing; small
//! rings (`--rx-ring 8`) still wrap thousands of times.
//!
//! The engine is the RTL under Verilator with `--backend rtl` or `both`
//! (the direct passes already hold the RTL blocks to the models, so the
//! driver pass puts the RTL engine against the direct path), when the
//! options fit the one engine build (64 bits, a 4096-entry 4-way table);
//! otherwise, and with `--backend model`, the model engine. The report
//! names the engine used.

use crate::capture::{Reader, Record};
use crate::dev_model::ModelDevice;
use crate::dev_rtl::{EngineRtl, RtlConfig};
use crate::emu_host::{Host, HostStats};
use crate::replay::{Backend, Options, Progress};
use crate::sim_device::SimDevice;
use anyhow::{anyhow, ensure, Result};
use host::dma_mem::MemStats;
use host::nic::{Config, DriverStats, Nic};
use model::conn_table::{Outcome, Request, Table};
use serde::Serialize;
use spec::conn_table::Class;
use spec::regs::Counter;
use spec::ring::RxStatus;
use spec::rx_csum::Verdict;
use spec::tso::FRAME_MAX;
use std::collections::BTreeMap;
use std::path::Path;

/// What the direct path said about one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Direct {
    pub frame: u64,
    pub class: Class,
    pub slot: Option<usize>,
}

#[derive(Debug, Default, Serialize)]
pub struct DriverReport {
    /// The engine behind the driver.
    pub device: &'static str,
    pub rx_ring: usize,
    pub rx_buffers: usize,
    pub rx_buffer_bytes: usize,
    pub completions: u64,
    /// The engine's counters at the end, by name (drops by reason among
    /// them: rx_no_buffer, rx_cpl_full, rx_too_big).
    pub counters: BTreeMap<&'static str, u32>,
    pub driver: DriverStats,
    pub memory: MemStats,
    pub dma_faults: usize,
    /// Frames whose completion differs from the direct path, and why.
    pub mismatches: u64,
    pub mismatch_examples: Vec<String>,
    /// The emulated host's work, which must equal the direct path's.
    pub host: HostStats,
}

impl DriverReport {
    fn mismatch(&mut self, why: String) {
        self.mismatches += 1;
        if self.mismatch_examples.len() < 20 {
            self.mismatch_examples.push(why);
        }
    }
}

/// Replays `path` through the driver and compares with `direct` (one
/// entry per frame, in order) and the direct path's host work.
pub fn driver_pass(
    path: &Path,
    opts: &Options,
    direct: &[Direct],
    direct_host: &HostStats,
    progress: Progress<'_>,
) -> Result<DriverReport> {
    let expected = Some((direct, direct_host));
    let cfg = config(opts);
    Ok(if rtl_fits(opts)? {
        drive(rtl_nic(cfg)?, path, expected, progress)?.0
    } else {
        drive(model_nic(opts, FRAME_MAX, cfg)?, path, expected, progress)?.0
    })
}

/// `toe ss`: the trace through the driver, then the table as the engine
/// holds it at the end.
pub fn ss(path: &Path, opts: &Options, progress: Progress<'_>) -> Result<Vec<crate::ss::Entry>> {
    fn listing<D: SimDevice>(
        nic: Nic<D>,
        path: &Path,
        entries: usize,
        progress: Progress<'_>,
    ) -> Result<Vec<crate::ss::Entry>> {
        let (_, mut nic) = drive(nic, path, None, progress)?;
        crate::ss::listing(&mut nic, entries)
    }
    let cfg = config(opts);
    if rtl_fits(opts)? {
        listing(rtl_nic(cfg)?, path, opts.table_entries, progress)
    } else {
        listing(
            model_nic(opts, FRAME_MAX, cfg)?,
            path,
            opts.table_entries,
            progress,
        )
    }
}

/// Whether the driver pass runs on the RTL engine (see the module doc).
pub(crate) fn rtl_fits(opts: &Options) -> Result<bool> {
    if opts.backend == Backend::Model {
        return Ok(false);
    }
    let info = crate::sim::model_named(RTL_BUILD)
        .ok_or_else(|| anyhow!("no {RTL_BUILD} build in this binary"))?;
    let table = (info.param("entries"), info.param("ways"));
    Ok(opts.width == 8
        && table
            == (
                Some(opts.table_entries as u64),
                Some(opts.table_ways as u64),
            ))
}

const RTL_BUILD: &str = "engine_w8";

type Expected<'a> = Option<(&'a [Direct], &'a HostStats)>;

fn config(opts: &Options) -> Config {
    Config {
        rx_ring: opts.rx_ring,
        tx_ring: opts.tx_ring,
        rx_buffers: opts.rx_buffers,
        rx_buffer_bytes: RX_BUFFER_BYTES,
        ..Config::default()
    }
}

/// The model engine behind the driver, its TX path sending frames up to
/// `max_frame` unchanged.
pub(crate) fn model_nic(opts: &Options, max_frame: usize, cfg: Config) -> Result<Nic<ModelDevice>> {
    let table = Table::new(
        opts.table_entries,
        opts.table_ways,
        spec::toeplitz::DEFAULT_KEY,
    );
    let dev = ModelDevice::new(opts.width as u32, max_frame, table);
    Ok(Nic::open(dev, cfg)?)
}

/// The RTL engine (`engine_w8`) behind the driver.
pub(crate) fn rtl_nic(cfg: Config) -> Result<Nic<EngineRtl>> {
    let dev = EngineRtl::new(RtlConfig::default(), None)?;
    Nic::open(dev, cfg).map_err(|e| anyhow!("opening the RTL engine: {e}"))
}

fn drive<D: SimDevice>(
    mut nic: Nic<D>,
    path: &Path,
    expected: Expected<'_>,
    progress: Progress<'_>,
) -> Result<(DriverReport, Nic<D>)> {
    let cfg = nic.config().clone();
    let mut rep = DriverReport {
        device: nic.device().name(),
        rx_ring: cfg.rx_ring,
        rx_buffers: cfg.rx_buffers,
        rx_buffer_bytes: cfg.rx_buffer_bytes,
        ..DriverReport::default()
    };
    let mut host = Host::default();
    let mut reader = Reader::open(path)?;
    let mut direct = expected.map(|(d, _)| d.iter());
    while let Some(Ok(record)) = reader.next() {
        progress(reader.bytes_read(), reader.file_len());
        let Record::Frame(f) = record else { continue };
        let want = direct.as_mut().map(|d| d.next().copied());
        match receive(&mut nic, &f.data)? {
            None => rep.mismatch(format!("frame {}: dropped by the engine", f.number)),
            Some(got) => {
                rep.completions += 1;
                if let Some(want) = want {
                    check(&mut rep, f.number, &f.data, &got, want);
                }
                let v = Verdict::unpack(got.cpl.verdict)
                    .unwrap_or_else(|_| model::rx_checksum::verdict(&got.data, false));
                let r = Request::of(&model::rx_parse::parse(&got.data, false), &v);
                let o = Outcome {
                    class: Class::from_code(got.cpl.class.into()).unwrap_or(Class::Unparsed),
                    slot: got.cpl.hit.then_some(usize::from(got.cpl.slot)),
                };
                host.frame(f.number, &r, &o, &mut nic)?;
            }
        }
    }
    if direct.is_some_and(|mut d| d.next().is_some()) {
        rep.mismatch("the direct path saw more frames".into());
    }
    host.finish(&mut nic)?;
    if let Some((_, want)) = expected.filter(|(_, h)| **h != host.stats) {
        rep.mismatch(format!(
            "host work differs: driver {:?}, direct {want:?}",
            host.stats
        ));
    }
    rep.host = host.stats;
    for (c, v) in nic.counters()? {
        rep.counters.insert(c.name(), v);
    }
    rep.driver = nic.stats;
    let mem = nic.device().mem();
    rep.memory = mem.stats;
    rep.dma_faults = mem.faults().len();
    if rep.dma_faults > 0 {
        rep.mismatch(format!(
            "{} DMA faults: {:?}",
            rep.dma_faults,
            mem.faults()[0]
        ));
    }
    Ok((rep, nic))
}

/// Buffers as large as a descriptor can say (BIG TCP captures hold 80 KB
/// frames), so no frame of the corpus is cut.
const RX_BUFFER_BYTES: usize = spec::ring::FIELD_RXD_CAPACITY.max() as usize & !7;

/// Hands `frame` to the engine and reaps its completion; `None` if the
/// engine dropped it (counted as rx_no_buffer / rx_cpl_full).
fn receive<D: SimDevice>(nic: &mut Nic<D>, frame: &[u8]) -> Result<Option<host::nic::RxFrame>> {
    let drops = |n: &mut Nic<D>| -> Result<u32> {
        Ok(n.counter(Counter::RxNoBuffer)? + n.counter(Counter::RxCplFull)?)
    };
    let before = drops(nic)?;
    nic.device().wire_rx(frame);
    for _ in 0..100_000 {
        if let Some(got) = nic.poll_rx(1)?.pop() {
            return Ok(Some(got));
        }
        if nic.device().rx_pending() == 0 && drops(nic)? != before {
            return Ok(None);
        }
        nic.wait(16)?;
    }
    anyhow::bail!(
        "the engine neither completed nor dropped a frame of {} bytes",
        frame.len()
    )
}

fn check(
    rep: &mut DriverReport,
    number: u64,
    sent: &[u8],
    got: &host::nic::RxFrame,
    want: Option<Direct>,
) {
    let c = &got.cpl;
    let Some(want) = want.filter(|w| w.frame == number) else {
        return rep.mismatch(format!("frame {number}: not in the direct path"));
    };
    let verdict = model::rx_checksum::verdict(sent, false).pack();
    let slot = c.hit.then_some(usize::from(c.slot));
    if c.status != RxStatus::Ok || got.data != sent {
        rep.mismatch(format!(
            "frame {number}: {:?}, {} of {} bytes as sent",
            c.status,
            got.data.iter().zip(sent).filter(|(a, b)| a == b).count(),
            sent.len()
        ));
    } else if (c.class, slot, c.verdict) != (want.class as u8, want.slot, verdict) {
        rep.mismatch(format!(
            "frame {number}: class {} slot {slot:?} verdict {:#x}; direct: {} {:?} {verdict:#x}",
            c.class,
            c.verdict,
            want.class.name(),
            want.slot
        ));
    }
}

/// The driver pass is checked for the options given.
pub fn check_options(opts: &Options) -> Result<()> {
    for (name, n) in [("--rx-ring", opts.rx_ring), ("--tx-ring", opts.tx_ring)] {
        ensure!(
            n.is_power_of_two() && n <= 4096,
            "{name} {n}: use a power of two from 1 to 4096"
        );
    }
    ensure!(opts.rx_buffers > 0, "--rx-buffers must be at least 1");
    Ok(())
}
