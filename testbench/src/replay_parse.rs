//! The parser pass of `toe replay`: every frame through `rx_parser` (RTL,
//! model or both, compared record by record), counting the parse status.

use crate::capture::{Reader, Record};
use crate::replay::{Backend, Options, Progress};
use crate::report::{ParseMismatch, Report};
use crate::rx_parser::RxParserRtl;
use crate::stream::run;
use anyhow::Result;
use spec::rx_parse::Header;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::Path;
use std::time::Instant;

/// Adds the parser's statuses (and any RTL/model difference) to `report`.
/// Read errors were reported by the checksum pass; this pass stops there.
pub fn parse_pass(
    path: &Path,
    opts: &Options,
    report: &mut Report,
    progress: Progress<'_>,
) -> Result<()> {
    let mut reader = Reader::open(path)?;
    if opts.backend == Backend::Model {
        while let Some(Ok(record)) = reader.next() {
            if let Record::Frame(f) = record {
                report.add_parse(&model::rx_parse::parse(&f.data, false));
            }
            progress(reader.bytes_read(), reader.file_len());
        }
        return Ok(());
    }
    let started = Instant::now();
    let mut rtl = RxParserRtl::new(opts.width, None)?;
    let pending: RefCell<VecDeque<(u64, Option<Header>)>> = RefCell::default();
    let frames = std::iter::from_fn(|| loop {
        let record = reader.next()?.ok()?;
        progress(reader.bytes_read(), reader.file_len());
        if let Record::Frame(f) = record {
            let model =
                (opts.backend == Backend::Both).then(|| model::rx_parse::parse(&f.data, false));
            pending.borrow_mut().push_back((f.number, model));
            return Some((f.data, false, ()));
        }
    });
    let counters = run(&mut rtl, frames, &opts.traffic, |raw| {
        let (frame, model) = pending
            .borrow_mut()
            .pop_front()
            .expect("a frame per record");
        let got = Header::unpack(&raw);
        if let Some(want) = model.filter(|w| *w != got) {
            report.parse_mismatch(ParseMismatch {
                frame,
                rtl: got,
                model: want,
            });
        }
        report.add_parse(&got);
        Ok(())
    })?;
    report.set_parser_sim(counters, started.elapsed());
    Ok(())
}
