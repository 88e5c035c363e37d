//! `toe replay`: every frame of a capture through `rx_checksum`,
//! `rx_parser` and `conn_table` (with the emulated host), in the RTL under
//! Verilator and in the reference model, compared frame by frame; then
//! through the driver and the engine's rings (`replay_driver`), compared
//! with that direct path.

use crate::capture::{Reader, Record};
use crate::report::{Mismatch, Report};
use crate::rx_checksum::RxChecksumRtl;
use crate::stream::{run, Traffic};
use anyhow::{bail, Result};
use spec::rx_csum::Verdict;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Rtl,
    Model,
    Both,
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
        }
    }
}

/// Called as the file is read: bytes read so far, file length.
pub type Progress<'a> = &'a dyn Fn(u64, u64);

/// Replays `path` and reports what the engine said about every frame.
pub fn replay(path: &Path, opts: &Options, progress: Progress<'_>) -> Result<Report> {
    crate::replay_driver::check_options(opts)?;
    if opts.tx {
        return crate::replay_tx::replay_tx(path, opts, progress);
    }
    let mut reader = Reader::open(path)?;
    let mut report = Report::new(path, opts);
    let started = Instant::now();
    match opts.backend {
        Backend::Model => {
            while let Some(record) = reader.next() {
                match record? {
                    Record::Frame(f) => {
                        let v = model::rx_checksum::verdict(&f.data, false);
                        report.add(f.number, v, opts.keep_verdicts);
                    }
                    Record::Skipped { number, reason } => report.skip(number, &reason),
                }
                progress(reader.bytes_read(), reader.file_len());
            }
        }
        Backend::Rtl | Backend::Both => {
            let mut rtl = RxChecksumRtl::new(opts.width, opts.wave.as_deref())?;
            // Frames in flight: their number and what the model says.
            let pending: RefCell<VecDeque<(u64, Option<Verdict>)>> = RefCell::default();
            let report_cell = RefCell::new(report);
            let mut read_error = None;
            let frames = std::iter::from_fn(|| loop {
                let record = reader.next()?;
                progress(reader.bytes_read(), reader.file_len());
                match record {
                    Ok(Record::Frame(f)) => {
                        let model = (opts.backend == Backend::Both)
                            .then(|| model::rx_checksum::verdict(&f.data, false));
                        pending.borrow_mut().push_back((f.number, model));
                        return Some((f.data, false, ()));
                    }
                    Ok(Record::Skipped { number, reason }) => {
                        report_cell.borrow_mut().skip(number, &reason)
                    }
                    Err(e) => {
                        read_error = Some(e);
                        return None;
                    }
                }
            });
            let counters = run(&mut rtl, frames, &opts.traffic, |raw| {
                let (number, model) = pending
                    .borrow_mut()
                    .pop_front()
                    .expect("a frame per record");
                let got = Verdict::unpack(raw)?;
                let mut r = report_cell.borrow_mut();
                if let Some(want) = model.filter(|w| *w != got) {
                    r.mismatch(Mismatch {
                        frame: number,
                        rtl: got,
                        model: want,
                    });
                }
                r.add(number, got, opts.keep_verdicts);
                Ok(())
            })?;
            report = report_cell.into_inner();
            report.set_sim(counters, started.elapsed());
            if let Some(e) = read_error {
                bail!(e);
            }
        }
    }
    report.truncated_file = reader.truncated();
    crate::replay_parse::parse_pass(path, opts, &mut report, progress)?;
    let direct = crate::replay_table::table_pass(path, opts, &mut report, progress)?;
    if opts.driver {
        let host = report.host;
        let d = crate::replay_driver::driver_pass(path, opts, &direct, &host, progress)?;
        report.mismatches += d.mismatches;
        report.driver = Some(d);
    }
    Ok(report)
}
