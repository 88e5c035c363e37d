//! The driver pass of `toe replay`: every frame enters the engine's RX
//! port, reaches host memory through the RX rings and is seen by the
//! emulated host in its completion; the host works the connection table
//! over the command registers. Each completion is compared with what the
//! direct path (the table pass) said about the frame: class, slot, the
//! checksum verdict, and the bytes themselves.
//!
//! Frames go in one at a time and the host handles each before the next
//! (as in the direct path), so the classes cannot differ by timing; small
//! rings (`--rx-ring 8`) still wrap thousands of times. The engine is the
//! one [`crate::backend`] picks; the report names it.

use crate::backend::{self, EngineNic};
use crate::options::Options;
use crate::pass::{Pass, Work};
use crate::replay_table::Direct;
use crate::report::Report;
use crate::report_driver::DriverReport;
use anyhow::Result;
use host::emu_host::Host;
use host::nic::RxFrame;
use host::sim_device::SimDevice;
use model::conn_table::{Outcome, Request};
use spec::conn_table::Class;
use spec::regs::Counter;
use spec::ring::RxStatus;
use spec::rx_csum::Verdict;
use spec::tso::FRAME_MAX;

/// Buffers as large as a descriptor can say (BIG TCP captures hold 80 KB
/// frames), so no frame of the corpus is cut.
const RX_BUFFER_BYTES: usize = spec::ring::FIELD_RXD_CAPACITY.max() as usize & !7;

/// The capture through the driver; with `compare`, each completion
/// against the direct path's answer.
pub struct DriverPass {
    pub nic: EngineNic,
    host: Host,
    rep: DriverReport,
    compare: bool,
}

impl DriverPass {
    pub fn new(opts: &Options, compare: bool) -> Result<DriverPass> {
        let mut nic = backend::engine(opts, FRAME_MAX, backend::config(opts, RX_BUFFER_BYTES))?;
        let device = nic.device().name();
        let cfg = nic.config();
        let rep = DriverReport {
            device,
            rx_ring: cfg.rx_ring,
            rx_buffers: cfg.rx_buffers,
            rx_buffer_bytes: cfg.rx_buffer_bytes,
            ..DriverReport::default()
        };
        Ok(DriverPass {
            nic,
            host: Host::default(),
            rep,
            compare,
        })
    }

    /// Feeds a batch; `direct` holds the table pass's answers for it when
    /// comparing.
    pub fn frames(&mut self, work: &Work<'_>) -> Result<()> {
        for (i, f) in work.frames.iter().enumerate() {
            let Some(got) = receive(&mut self.nic, &f.data)? else {
                self.rep
                    .mismatch(format!("frame {}: dropped by the engine", f.number));
                continue;
            };
            self.rep.completions += 1;
            if self.compare {
                check(&mut self.rep, f.number, &f.data, &got, work.direct.get(i));
            }
            let v = Verdict::unpack(got.cpl.verdict)
                .unwrap_or_else(|_| model::rx_checksum::verdict(&got.data, false));
            let r = Request::of(&model::rx_parse::parse(&got.data, false), &v);
            let o = Outcome {
                class: Class::from_code(got.cpl.class.into()).unwrap_or(Class::Unparsed),
                slot: got.cpl.hit.then_some(usize::from(got.cpl.slot)),
            };
            let h = model::rx_parse::parse(&got.data, false);
            let data = model::rx_place::payload(&h, &got.data);
            self.host.frame(f.number, &r, &o, data, &mut self.nic)?;
        }
        Ok(())
    }

    /// The host's last work and the engine's counters; with `compare`,
    /// the host's work against the direct path's.
    pub fn end(&mut self, report: &Report) -> Result<DriverReport> {
        self.host.finish(&mut self.nic)?;
        let differs = if report.placement.is_some() {
            report.host.table_work() != self.host.stats.table_work()
        } else {
            report.host != self.host.stats
        };
        if self.compare && differs {
            let why = format!(
                "host work differs: driver {:?}, direct {:?}",
                self.host.stats, report.host
            );
            self.rep.mismatch(why);
        }
        let mut rep = std::mem::take(&mut self.rep);
        rep.host = self.host.stats;
        for (c, v) in self.nic.counters()? {
            rep.counters.insert(c.name(), v);
        }
        rep.driver = self.nic.stats;
        let mem = self.nic.device().mem();
        rep.memory = mem.stats;
        rep.dma_faults = mem.faults().len();
        if rep.dma_faults > 0 {
            let why = format!("{} DMA faults: {:?}", rep.dma_faults, mem.faults()[0]);
            rep.mismatch(why);
        }
        Ok(rep)
    }
}

impl Pass for DriverPass {
    fn feed(&mut self, work: &mut Work<'_>, _: &mut Report) -> Result<()> {
        self.frames(work)
    }

    fn finish(mut self: Box<Self>, report: &mut Report) -> Result<()> {
        let d = self.end(report)?;
        report.mismatches += d.mismatches;
        report.driver = Some(d);
        Ok(())
    }
}

/// Hands `frame` to the engine and reaps its completion; `None` if the
/// engine dropped it (counted as rx_no_buffer / rx_cpl_full).
fn receive(nic: &mut EngineNic, frame: &[u8]) -> Result<Option<RxFrame>> {
    let drops = |n: &mut EngineNic| -> Result<u32> {
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

fn check(rep: &mut DriverReport, number: u64, sent: &[u8], got: &RxFrame, want: Option<&Direct>) {
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
