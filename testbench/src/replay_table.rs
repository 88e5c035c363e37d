//! The table pass of `toe replay`: every frame's class from `conn_table`
//! (RTL, model or both compared), with the emulated host installing,
//! updating and removing connections between frames.
//!
//! The table's input per frame is the parse record and checksum verdict
//! of the models; the passes before this one check that the RTL blocks
//! produce the same.

use crate::capture::{Reader, Record};
use crate::conn_table::ConnTableRtl;
use crate::emu_host::Host;
use crate::replay::{Backend, Options, Progress};
use crate::replay_driver::Direct;
use crate::report::Report;
use crate::table_engine::{Compared, TableEngine};
use anyhow::Result;
use model::conn_table::{Request, Table};
use spec::toeplitz::DEFAULT_KEY;
use std::path::Path;

enum Engine {
    Model(Table),
    Rtl(Box<ConnTableRtl>),
    Both(Box<Compared>),
}

impl Engine {
    fn new(opts: &Options) -> Result<Engine> {
        let model = Table::new(opts.table_entries, opts.table_ways, DEFAULT_KEY);
        if opts.backend == Backend::Model {
            return Ok(Engine::Model(model));
        }
        let mut rtl = ConnTableRtl::sized(opts.table_entries, opts.table_ways, &DEFAULT_KEY, None)?;
        rtl.set_traffic(&opts.traffic);
        Ok(match opts.backend {
            Backend::Rtl => Engine::Rtl(Box::new(rtl)),
            _ => Engine::Both(Box::new(Compared {
                rtl,
                model,
                frame: 0,
                mismatches: Vec::new(),
            })),
        })
    }

    fn get(&mut self, frame: u64) -> &mut dyn TableEngine {
        match self {
            Engine::Model(t) => t,
            Engine::Rtl(r) => r.as_mut(),
            Engine::Both(c) => {
                c.frame = frame;
                c.as_mut()
            }
        }
    }
}

/// Adds the classes, the host's work and (with `opts.flows`) the
/// per-connection table to `report`; returns every frame's answer.
pub fn table_pass(
    path: &Path,
    opts: &Options,
    report: &mut Report,
    progress: Progress<'_>,
) -> Result<Vec<Direct>> {
    let mut direct = Vec::new();
    let mut engine = Engine::new(opts)?;
    let mut host = Host::default();
    let mut reader = Reader::open(path)?;
    let mut last = 0;
    while let Some(Ok(record)) = reader.next() {
        if let Record::Frame(f) = record {
            let h = model::rx_parse::parse(&f.data, false);
            let v = model::rx_checksum::verdict(&f.data, false);
            let r = Request::of(&h, &v);
            let t = engine.get(f.number);
            let o = t.classify(&r)?;
            report.add_class(f.number, o.class, opts.keep_verdicts);
            direct.push(Direct {
                frame: f.number,
                class: o.class,
                slot: o.slot,
            });
            host.frame(f.number, &r, &o, t)?;
            last = f.number;
        }
        progress(reader.bytes_read(), reader.file_len());
    }
    host.finish(engine.get(last))?;
    if let Engine::Both(c) = &engine {
        for m in &c.mismatches {
            report.table_mismatch(m.clone());
        }
    }
    report.set_host(host.stats, if opts.flows { host.flows } else { vec![] });
    Ok(direct)
}
