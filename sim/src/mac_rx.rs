//! `mac_rx` under Verilator: GMII cycles in, one per clock (a PHY cannot
//! wait), frames out with random backpressure, and the counters.

use crate::bridge::{Input, Output, Sim, model};
use crate::stream::{HANG_CYCLES, SourcePorts};
use anyhow::{Result, anyhow, bail};
use model::mac::{Gmii, RxFrame};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The block's counters, in port order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacRxCounters {
    pub frames: u32,
    pub oversize: u32,
    pub runts: u32,
    pub errors: u32,
    pub bad_fcs: u32,
    pub overruns: u32,
}

pub struct MacRxRtl {
    sim: Sim,
    dv: Input,
    er: Input,
    d: Input,
    out: SourcePorts,
    counters: [Output; 6],
    rng: SmallRng,
}

impl MacRxRtl {
    pub fn new(seed: u64) -> Result<Self> {
        let info = model("mac_rx", 1).ok_or_else(|| anyhow!("no mac_rx build"))?;
        let mut sim = Sim::new(info, None)?;
        sim.reset()?;
        let c = |n: &str| sim.output(n);
        Ok(Self {
            dv: sim.input("gmii_dv")?,
            er: sim.input("gmii_er")?,
            d: sim.input("gmii_d")?,
            out: SourcePorts::bind(&sim, "frame")?,
            counters: [
                c("frames")?,
                c("oversize")?,
                c("runts")?,
                c("errors")?,
                c("bad_fcs")?,
                c("overruns")?,
            ],
            sim,
            rng: SmallRng::seed_from_u64(seed),
        })
    }

    pub fn counters(&self) -> MacRxCounters {
        let [frames, oversize, runts, errors, bad_fcs, overruns] =
            self.counters.map(|p| self.sim.get(p) as u32);
        MacRxCounters {
            frames,
            oversize,
            runts,
            errors,
            bad_fcs,
            overruns,
        }
    }

    /// Plays `cycles`, then idles until the output has drained; the output
    /// is held off with chance `stall` each cycle. The frames that came out.
    pub fn run(&mut self, cycles: &[Gmii], stall: f64) -> Result<Vec<RxFrame>> {
        let mut frames = Vec::new();
        let mut cur = Vec::new();
        let mut byte = [0u8; 1];
        let idle = Gmii::default();
        let mut quiet = 0u64;
        for i in 0.. {
            let g = cycles.get(i).copied().unwrap_or(idle);
            self.sim.set(self.dv, g.dv.into());
            self.sim.set(self.er, g.er.into());
            self.sim.set(self.d, g.d.into());
            let ready = !self.rng.gen_bool(stall);
            self.sim.set(self.out.ready, ready.into());
            self.sim.eval();
            let valid = self.sim.get(self.out.valid) == 1;
            if valid && ready {
                let b = self.out.take(&self.sim, &mut byte);
                if b.keep != 1 {
                    bail!("a byte with keep {:#x}", b.keep);
                }
                cur.extend_from_slice(&b.bytes);
                if b.last {
                    frames.push(RxFrame {
                        bytes: std::mem::take(&mut cur),
                        bad: b.user,
                    });
                }
            }
            self.sim.tick();
            if i >= cycles.len() {
                quiet = if valid { 0 } else { quiet + 1 };
                // Five held bytes and the output register: a few cycles.
                if quiet > 16 {
                    break;
                }
                if i - cycles.len() > HANG_CYCLES as usize {
                    bail!("the output never drained");
                }
            }
        }
        if !cur.is_empty() {
            bail!("{} bytes of a frame that never ended", cur.len());
        }
        Ok(frames)
    }
}
