//! `rx_checksum` under Verilator: frames in, verdict records out.

use crate::sim::{model, Input, Output, Sim};
use crate::stream::{beats, Counters, Hang, SinkPorts, Traffic};
use anyhow::{anyhow, Context, Result};
use std::path::Path;

pub struct RxChecksumRtl {
    sim: Sim,
    rx: SinkPorts,
    reset: Input,
    verdict: Output,
    verdict_valid: Output,
    verdict_ready: Input,
    width: usize,
}

impl RxChecksumRtl {
    pub fn new(width: usize, wave: Option<&Path>) -> Result<Self> {
        let info = model("rx_checksum", width)
            .ok_or_else(|| anyhow!("no rx_checksum build at {width} bytes per beat"))?;
        let sim = Sim::new(info, wave)?;
        let mut rtl = Self {
            rx: SinkPorts::bind(&sim, "rx")?,
            reset: sim.input("reset")?,
            verdict: sim.output("verdict")?,
            verdict_valid: sim.output("verdict_valid")?,
            verdict_ready: sim.input("verdict_ready")?,
            sim,
            width,
        };
        rtl.reset();
        Ok(rtl)
    }

    fn reset(&mut self) {
        self.sim.set(self.reset, 1);
        for _ in 0..2 {
            self.sim.eval();
            self.sim.tick();
        }
        self.sim.set(self.reset, 0);
    }

    pub fn cycles(&self) -> u64 {
        self.sim.cycles()
    }

    /// Streams `frames` (bytes, user flag) through the block and hands each
    /// verdict record to `on_verdict` in order. Returns when every frame has
    /// its record.
    pub fn run<F, I>(
        &mut self,
        frames: I,
        traffic: &Traffic,
        mut on_verdict: impl FnMut(u32) -> Result<()>,
    ) -> Result<Counters>
    where
        F: AsRef<[u8]>,
        I: IntoIterator<Item = (F, bool)>,
    {
        let mut dice = traffic.rng();
        let start = self.sim.cycles();
        let mut c = Counters::default();
        let (mut sent, mut got) = (0u64, 0u64);
        let mut last_progress = start;
        let sim = &mut self.sim;
        let rx = &self.rx;
        let mut ready_out = dice.ready();
        // One cycle of the block: offer `beat` (if any), take a record.
        let mut cycle = |sim: &mut Sim,
                         dice: &mut crate::stream::Dice,
                         c: &mut Counters,
                         beat: Option<(&[u8], u64, bool, bool)>,
                         got: &mut u64|
         -> Result<bool> {
            match beat {
                Some((bytes, keep, last, user)) => {
                    sim.set_bytes(rx.data, bytes);
                    sim.set(rx.keep, keep);
                    sim.set(rx.last, u64::from(last));
                    sim.set(rx.user, u64::from(user && last));
                    sim.set(rx.valid, 1);
                }
                None => sim.set(rx.valid, 0),
            }
            sim.set(self.verdict_ready, u64::from(ready_out));
            sim.eval();
            let took = beat.is_some() && sim.get(rx.ready) == 1;
            if ready_out && sim.get(self.verdict_valid) == 1 {
                on_verdict(sim.get(self.verdict) as u32)?;
                *got += 1;
                c.beats_out += 1;
            }
            sim.tick();
            ready_out = dice.ready();
            Ok(took)
        };
        for (frame, user) in frames {
            let frame = frame.as_ref();
            sent += 1;
            for (bytes, keep, last) in beats(frame, self.width) {
                while dice.idle() {
                    cycle(sim, &mut dice, &mut c, None, &mut got)?;
                }
                loop {
                    let before = got;
                    if cycle(
                        sim,
                        &mut dice,
                        &mut c,
                        Some((bytes, keep, last, user)),
                        &mut got,
                    )? {
                        c.beats_in += 1;
                        last_progress = sim.cycles();
                        break;
                    }
                    c.stalls_in += 1;
                    if got != before {
                        last_progress = sim.cycles();
                    }
                    check_hang(sim.cycles(), last_progress, sent, got)?;
                }
            }
        }
        while got < sent {
            let before = got;
            cycle(sim, &mut dice, &mut c, None, &mut got)?;
            if got != before {
                last_progress = sim.cycles();
            }
            check_hang(sim.cycles(), last_progress, sent, got)?;
        }
        c.cycles = self.sim.cycles() - start;
        Ok(c)
    }
}

fn check_hang(now: u64, last_progress: u64, sent: u64, got: u64) -> Result<()> {
    if now - last_progress > crate::stream::HANG_CYCLES {
        return Err(Hang {
            block: "rx_checksum",
            idle: now - last_progress,
            cycle: now,
            detail: format!("{sent} frames in, {got} verdicts out"),
        })
        .context("the RTL stopped; rerun with --wave to see why");
    }
    Ok(())
}
