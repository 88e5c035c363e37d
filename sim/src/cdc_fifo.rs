//! `cdc_fifo` under Verilator with a clock per side: beats in on the
//! write clock with random idle, out on the read clock with random
//! backpressure. Each clock's every period is jittered, so the phase of
//! one against the other drifts through every alignment, and edges that
//! fall at the same instant are taken one after the other.

use crate::bridge::{Input, Sim, model_named};
use crate::stream::{Beat, HANG_CYCLES, OwnedBeat, SinkPorts, SourcePorts};
use anyhow::{Result, anyhow, bail};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The two clocks: nominal periods in picoseconds and the largest
/// deviation of any one period, as a fraction of it.
#[derive(Clone, Copy, Debug)]
pub struct Clocks {
    pub wr_ps: u64,
    pub rd_ps: u64,
    pub jitter: f64,
}

pub struct Crossed {
    pub beats: Vec<OwnedBeat>,
    pub wr_edges: u64,
    pub rd_edges: u64,
    /// Write edges at which a beat was offered and `wr.ready` was low.
    pub refused: u64,
}

pub struct CdcFifoRtl {
    sim: Sim,
    wr_clock: Input,
    rd_clock: Input,
    wr_reset: Input,
    rd_reset: Input,
    wr: SinkPorts,
    rd: SourcePorts,
    width: usize,
    rng: SmallRng,
}

impl CdcFifoRtl {
    /// The build `name` (e.g. `cdc_fifo_w8`).
    pub fn new(name: &str, seed: u64) -> Result<Self> {
        let info = model_named(name).ok_or_else(|| anyhow!("no {name} build"))?;
        let sim = Sim::new(info, None)?;
        Ok(CdcFifoRtl {
            wr_clock: sim.input("wr_clock")?,
            rd_clock: sim.input("rd_clock")?,
            wr_reset: sim.input("wr_reset")?,
            rd_reset: sim.input("rd_reset")?,
            wr: SinkPorts::bind(&sim, "wr")?,
            rd: SourcePorts::bind(&sim, "rd")?,
            width: info.width,
            sim,
            rng: SmallRng::seed_from_u64(seed),
        })
    }

    /// The time of the clock edge after one at `t` with period `ps`.
    fn next(&mut self, t: u64, ps: u64, jitter: f64) -> u64 {
        let d = ps as f64 * jitter * self.rng.gen_range(-1.0..=1.0);
        t + (ps as f64 + d).max(1.0) as u64
    }

    /// Sends `beats` (each with at most `width` bytes) across; `idle` and
    /// `stall` are per-edge chances on the write and read side. Both
    /// resets are held for the first three edges of each clock.
    pub fn run(
        &mut self,
        beats: &[OwnedBeat],
        clocks: Clocks,
        idle: f64,
        stall: f64,
    ) -> Result<Crossed> {
        let Clocks {
            wr_ps,
            rd_ps,
            jitter,
        } = clocks;
        let mut t_wr = self.rng.gen_range(0..wr_ps);
        let mut t_rd = self.rng.gen_range(0..rd_ps);
        let (mut wr_edges, mut rd_edges, mut refused) = (0u64, 0u64, 0u64);
        let (mut sent, mut got) = (0usize, Vec::with_capacity(beats.len()));
        let (mut quiet, mut drained) = (0u64, 0u64);
        let mut data = vec![0u8; self.width];
        loop {
            let in_reset_wr = wr_edges < 3;
            let in_reset_rd = rd_edges < 3;
            self.sim.set(self.wr_reset, in_reset_wr.into());
            self.sim.set(self.rd_reset, in_reset_rd.into());
            let mut moved = false;
            if t_wr <= t_rd {
                self.sim.at(t_wr);
                let offer = !in_reset_wr && sent < beats.len() && !self.rng.gen_bool(idle);
                let b = offer.then(|| &beats[sent]);
                self.wr.offer(
                    &mut self.sim,
                    b.map(|b| Beat {
                        bytes: &b.bytes,
                        keep: b.keep,
                        last: b.last,
                        user: b.user,
                    }),
                );
                self.sim.eval();
                if offer {
                    if self.sim.get(self.wr.ready) == 1 {
                        sent += 1;
                        moved = true;
                    } else {
                        refused += 1;
                    }
                }
                self.sim.edge(self.wr_clock);
                wr_edges += 1;
                t_wr = self.next(t_wr, wr_ps, jitter);
            } else {
                self.sim.at(t_rd);
                let ready = !in_reset_rd && !self.rng.gen_bool(stall);
                self.sim.set(self.rd.ready, ready.into());
                self.sim.eval();
                if ready && self.sim.get(self.rd.valid) == 1 {
                    got.push(self.rd.take(&self.sim, &mut data));
                    moved = true;
                }
                self.sim.edge(self.rd_clock);
                rd_edges += 1;
                t_rd = self.next(t_rd, rd_ps, jitter);
            }
            quiet = if moved { 0 } else { quiet + 1 };
            if got.len() > beats.len() {
                bail!("{} beats out of {} in", got.len(), beats.len());
            }
            // Once every beat is out, keep both clocks running a while: a
            // beat that appears now was never sent.
            if got.len() == beats.len() {
                drained += 1;
                if drained > 200 {
                    return Ok(Crossed {
                        beats: got,
                        wr_edges,
                        rd_edges,
                        refused,
                    });
                }
            }
            if quiet > HANG_CYCLES {
                bail!(
                    "no beat moved for {HANG_CYCLES} edges: {sent} of {} beats in, {} out",
                    beats.len(),
                    got.len()
                );
            }
        }
    }
}
