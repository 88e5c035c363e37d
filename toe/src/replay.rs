//! `toe replay` and `toe ss`: the capture is read once, in batches, and
//! every batch goes through each pass in turn: `rx_checksum`, `rx_parser`
//! and `conn_table` with the emulated host (each in the RTL under
//! Verilator and in the reference model, compared frame by frame), then
//! the driver and the engine's rings, compared with that direct path.
//! `--tx` sends the capture through the TX path instead
//! ([`crate::replay_tx`]).

use crate::input::Input;
use crate::options::{Options, Progress, check};
use crate::pass::{Pass, Work};
use crate::replay_driver::DriverPass;
use crate::replay_table::TablePass;
use crate::report::Report;
use anyhow::Result;
use std::path::Path;

/// Replays `path` and reports what the engine said about every frame.
pub fn replay(path: &Path, opts: &Options, progress: Progress<'_>) -> Result<Report> {
    check(opts)?;
    let mut input = Input::open(path)?;
    if opts.tx {
        return crate::replay_tx::replay_tx(&mut input, path, opts, progress);
    }
    let mut report = Report::new(path, opts);
    let mut passes: Vec<Box<dyn Pass>> = vec![
        crate::replay_checksum::pass(opts)?,
        crate::replay_parse::pass(opts)?,
        Box::new(TablePass::new(opts)?),
    ];
    if opts.driver {
        passes.push(Box::new(DriverPass::new(opts, true)?));
    }
    while let Some(batch) = input.next_batch()? {
        for (number, reason) in &batch.skipped {
            report.skip(*number, reason);
        }
        let mut work = Work {
            frames: &batch.frames,
            direct: Vec::with_capacity(batch.frames.len()),
        };
        for p in &mut passes {
            p.feed(&mut work, &mut report)?;
        }
        let (done, total) = input.position();
        progress(done, total);
    }
    report.truncated_file = input.truncated();
    for p in passes {
        p.finish(&mut report)?;
    }
    Ok(report)
}

/// `toe ss`: the capture through the driver, then the table as the
/// engine holds it at the end.
pub fn ss(path: &Path, opts: &Options, progress: Progress<'_>) -> Result<Vec<crate::ss::Entry>> {
    check(opts)?;
    let mut input = Input::open(path)?;
    let mut driver = DriverPass::new(opts, false)?;
    let report = Report::new(path, opts);
    while let Some(batch) = input.next_batch()? {
        driver.frames(&Work {
            frames: &batch.frames,
            direct: Vec::new(),
        })?;
        let (done, total) = input.position();
        progress(done, total);
    }
    driver.end(&report)?;
    crate::ss::listing(&mut driver.nic, opts.table_entries)
}
