//! The table pass of `toe replay`: every frame's class from `conn_table`
//! (the model, the RTL, or both compared), with the emulated host
//! installing, updating and removing connections between frames.
//!
//! The table's input per frame is the parse record and checksum verdict
//! of the models; the passes before this one check that the RTL blocks
//! produce the same.

use crate::options::{Backend, Options};
use crate::pass::{Pass, Work};
use crate::report::Report;
use anyhow::Result;
use host::emu_host::{Arrival, Host};
use host::table_engine::TableEngine;
use model::conn_table::{Request, Table};
use model::rx_place::Placer;
use spec::conn_table::Class;
use spec::rx_place::CLOCK_HZ;
use spec::toeplitz::DEFAULT_KEY;

/// What the table pass said about one frame, for the driver pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Direct {
    pub frame: u64,
    pub class: Class,
    pub slot: Option<usize>,
}

pub struct TablePass {
    engine: Box<dyn TableEngine>,
    host: Host,
    keep: bool,
    flows: bool,
    last: u64,
    /// The first frame's time, for the engine's clock.
    t0: Option<u64>,
}

impl TablePass {
    pub fn new(opts: &Options) -> Result<TablePass> {
        let model = Table::new(opts.table_entries, opts.table_ways, DEFAULT_KEY);
        let engine: Box<dyn TableEngine> = match opts.backend {
            Backend::Model => Box::new(model),
            #[cfg(feature = "rtl")]
            backend => {
                use sim::conn_table::ConnTableRtl;
                use sim::table_compared::Compared;
                let mut rtl =
                    ConnTableRtl::sized(opts.table_entries, opts.table_ways, &DEFAULT_KEY, None)?;
                rtl.set_traffic(&opts.traffic);
                if backend == Backend::Rtl {
                    Box::new(rtl)
                } else {
                    Box::new(Compared {
                        rtl,
                        model,
                        frame: 0,
                        mismatches: Vec::new(),
                    })
                }
            }
            #[cfg(not(feature = "rtl"))]
            _ => anyhow::bail!("this toe has no RTL: use --backend model"),
        };
        Ok(TablePass {
            engine,
            host: match opts.place {
                Some(c) => Host::placing(Placer::new(c.bytes, c.time)),
                None => Host::default(),
            },
            keep: opts.keep_verdicts,
            flows: opts.flows,
            last: 0,
            t0: None,
        })
    }
}

impl Pass for TablePass {
    fn feed(&mut self, work: &mut Work<'_>, report: &mut Report) -> Result<()> {
        for f in work.frames {
            let h = model::rx_parse::parse(&f.data, false);
            let v = model::rx_checksum::verdict(&f.data, false);
            let r = Request::of(&h, &v);
            self.engine.at_frame(f.number);
            let o = self.engine.classify(&r)?;
            report.add_class(f.number, o.class, self.keep);
            work.direct.push(Direct {
                frame: f.number,
                class: o.class,
                slot: o.slot,
            });
            let t0 = *self.t0.get_or_insert(f.ts_ns);
            let a = Arrival {
                number: f.number,
                cycle: cycles(f.ts_ns.saturating_sub(t0)),
                header: &h,
                data: &f.data,
            };
            self.host.arrive(&a, &r, &o, self.engine.as_mut())?;
            self.last = f.number;
        }
        for m in self.engine.take_mismatches() {
            report.table_mismatch(m);
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, report: &mut Report) -> Result<()> {
        self.engine.at_frame(self.last);
        self.host.finish(self.engine.as_mut())?;
        for m in self.engine.take_mismatches() {
            report.table_mismatch(m);
        }
        let flows = if self.flows {
            std::mem::take(&mut self.host.flows)
        } else {
            vec![]
        };
        report.set_host(self.host.stats, flows);
        report.delivered = self.host.delivered();
        report.placement = self.host.placer().map(|p| p.counts.into());
        Ok(())
    }
}

/// Capture time in cycles of the engine's clock.
fn cycles(ns: u64) -> u64 {
    (u128::from(ns) * u128::from(CLOCK_HZ) / 1_000_000_000) as u64
}
