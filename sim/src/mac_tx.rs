//! `mac_tx` under Verilator: frames offered a byte a cycle, as a buffer
//! that holds them whole does, with random idle between frames and, on
//! request, holes inside them (an underrun); the GMII cycles out.

use crate::bridge::{Output, Sim, model};
use crate::stream::{Beat, SinkPorts};
use anyhow::{Result, anyhow, bail};
use model::mac::Gmii;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The block's counters, in port order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacTxCounters {
    pub frames: u32,
    pub underruns: u32,
    pub oversize: u32,
    pub errors: u32,
}

pub struct MacTxRtl {
    sim: Sim,
    input: SinkPorts,
    en: Output,
    er: Output,
    d: Output,
    counters: [Output; 4],
    rng: SmallRng,
}

/// What a run sent: every GMII cycle, and where each frame had its hole.
pub struct Sent {
    pub cycles: Vec<Gmii>,
    pub holes: Vec<Option<usize>>,
}

impl MacTxRtl {
    pub fn new(seed: u64) -> Result<Self> {
        let info = model("mac_tx", 1).ok_or_else(|| anyhow!("no mac_tx build"))?;
        let mut sim = Sim::new(info, None)?;
        sim.reset()?;
        let c = |n: &str| sim.output(n);
        Ok(Self {
            input: SinkPorts::bind(&sim, "frame")?,
            en: sim.output("gmii_en")?,
            er: sim.output("gmii_er")?,
            d: sim.output("gmii_d")?,
            counters: [c("frames")?, c("underruns")?, c("oversize")?, c("errors")?],
            sim,
            rng: SmallRng::seed_from_u64(seed),
        })
    }

    pub fn counters(&self) -> MacTxCounters {
        let [frames, underruns, oversize, errors] = self.counters.map(|p| self.sim.get(p) as u32);
        MacTxCounters {
            frames,
            underruns,
            oversize,
            errors,
        }
    }

    /// Sends `frames` (bytes, marked bad); before each frame idles with
    /// chance `idle` a cycle; a frame of more than one byte gets, with
    /// chance `hole`, a one-cycle hole before a random byte after its
    /// first. A frame once offered stays offered until it starts.
    pub fn run(&mut self, frames: &[(Vec<u8>, bool)], idle: f64, hole: f64) -> Result<Sent> {
        let mut cycles = Vec::new();
        let holes: Vec<Option<usize>> = frames
            .iter()
            .map(|(b, _)| {
                (b.len() > 1 && self.rng.gen_bool(hole)).then(|| self.rng.gen_range(1..b.len()))
            })
            .collect();
        let (mut f, mut at, mut offered, mut holed) = (0, 0, false, false);
        let mut quiet = 0;
        loop {
            let offer = f < frames.len()
                && if at == 0 {
                    offered = offered || !self.rng.gen_bool(idle);
                    offered
                } else if holes[f] == Some(at) && !holed {
                    holed = true;
                    false
                } else {
                    true
                };
            let beat = offer.then(|| {
                let (bytes, bad) = &frames[f];
                Beat {
                    bytes: &bytes[at..at + 1],
                    keep: 1,
                    last: at + 1 == bytes.len(),
                    user: *bad,
                }
            });
            self.input.offer(&mut self.sim, beat);
            self.sim.eval();
            if offer && self.sim.get(self.input.ready) == 1 {
                at += 1;
                if at == frames[f].0.len() {
                    f += 1;
                    (at, offered, holed) = (0, false, false);
                }
            }
            let g = Gmii {
                dv: self.sim.get(self.en) == 1,
                er: self.sim.get(self.er) == 1,
                d: self.sim.get(self.d) as u8,
            };
            cycles.push(g);
            self.sim.tick();
            if f == frames.len() {
                quiet = if g.dv { 0 } else { quiet + 1 };
                if quiet > 20 {
                    return Ok(Sent { cycles, holes });
                }
            }
            if cycles.len() > 100 * frames.iter().map(|(b, _)| b.len() + 100).sum::<usize>() {
                bail!("{f} of {} frames sent: the block stopped", frames.len());
            }
        }
    }
}

/// The bursts of `cycles` (runs with `dv`), and the shortest gap between
/// two of them.
pub fn bursts(cycles: &[Gmii]) -> (Vec<Vec<Gmii>>, usize) {
    let (mut out, mut cur, mut gap, mut min_gap) = (Vec::new(), Vec::new(), 0, usize::MAX);
    for g in cycles {
        if g.dv {
            if cur.is_empty() && !out.is_empty() {
                min_gap = min_gap.min(gap);
            }
            cur.push(*g);
            gap = 0;
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            gap += 1;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    (out, min_gap)
}
