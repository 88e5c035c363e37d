//! `rx_writer` under Verilator: a command and its frame in, the memory
//! writes out, with random idle cycles on the frame and random
//! backpressure on the write port.

use crate::bridge::{Input, Output, Sim, model};
use crate::stream::{Beat, HANG_CYCLES, SinkPorts, beats};
use anyhow::{Result, anyhow, bail};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::Path;

/// Bytes `skip..skip + len` of a frame: the first `first` at `addr`, the
/// rest at `base`.
#[derive(Clone, Copy, Debug)]
pub struct Cmd {
    pub skip: u32,
    pub len: u32,
    pub first: u32,
    pub addr: u64,
    pub base: u64,
}

/// One write the block made: an aligned word and its strobes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    pub addr: u64,
    pub data: [u8; 8],
    pub strb: u8,
}

struct Ports {
    cmd_valid: Input,
    cmd_ready: Output,
    skip: Input,
    len: Input,
    first: Input,
    addr: Input,
    base: Input,
    frame: SinkPorts,
    wr_valid: Output,
    wr_ready: Input,
    wr_addr: Output,
    wr_data: Output,
    wr_strb: Output,
    done: Output,
}

pub struct RxWriterRtl {
    sim: Sim,
    p: Ports,
    rng: SmallRng,
    idle: f64,
    stall: f64,
}

impl RxWriterRtl {
    /// Out of reset; `idle` and `stall` are per-cycle chances of no beat
    /// and of a refused write.
    pub fn new(seed: u64, idle: f64, stall: f64, wave: Option<&Path>) -> Result<Self> {
        let info = model("rx_writer", 8).ok_or_else(|| anyhow!("no rx_writer build"))?;
        let mut sim = Sim::new(info, wave)?;
        sim.reset()?;
        let i = |n: &str| sim.input(n);
        let o = |n: &str| sim.output(n);
        let p = Ports {
            cmd_valid: i("cmd_valid")?,
            cmd_ready: o("cmd_ready")?,
            skip: i("cmd_skip")?,
            len: i("cmd_len")?,
            first: i("cmd_first")?,
            addr: i("cmd_addr")?,
            base: i("cmd_base")?,
            frame: SinkPorts::bind(&sim, "frame")?,
            wr_valid: o("mem$wr_valid")?,
            wr_ready: i("mem$wr_ready")?,
            wr_addr: o("mem$wr_addr")?,
            wr_data: o("mem$wr_data")?,
            wr_strb: o("mem$wr_strb")?,
            done: o("done")?,
        };
        Ok(RxWriterRtl {
            sim,
            p,
            rng: SmallRng::seed_from_u64(seed),
            idle,
            stall,
        })
    }

    pub fn cycles(&self) -> u64 {
        self.sim.cycles()
    }

    /// Runs `cmd` over `frame` (at least one byte) until `done`: the
    /// writes in the order the port took them.
    pub fn run(&mut self, cmd: &Cmd, frame: &[u8]) -> Result<Vec<Write>> {
        if frame.is_empty() {
            bail!("a frame has at least one byte");
        }
        let p = &self.p;
        let s = &mut self.sim;
        s.set(p.skip, cmd.skip.into());
        s.set(p.len, cmd.len.into());
        s.set(p.first, cmd.first.into());
        s.set(p.addr, cmd.addr);
        s.set(p.base, cmd.base);
        s.set(p.cmd_valid, 1);
        let beats: Vec<_> = beats(frame, 8).collect();
        let mut next = 0;
        let mut writes = Vec::new();
        let mut cmd_pending = true;
        for _ in 0..HANG_CYCLES {
            let p = &self.p;
            let offer = next < beats.len() && !self.rng.gen_bool(self.idle);
            let take = !self.rng.gen_bool(self.stall);
            let beat = offer.then(|| {
                let (bytes, keep, last) = beats[next];
                Beat {
                    bytes,
                    keep,
                    last,
                    user: false,
                }
            });
            p.frame.offer(&mut self.sim, beat);
            self.sim.set(p.wr_ready, take.into());
            self.sim.eval();
            let g = |port| self.sim.get(port);
            let cmd_taken = cmd_pending && g(p.cmd_ready) == 1;
            if offer && g(p.frame.ready) == 1 {
                next += 1;
            }
            if take && g(p.wr_valid) == 1 {
                writes.push(Write {
                    addr: g(p.wr_addr),
                    data: g(p.wr_data).to_le_bytes(),
                    strb: g(p.wr_strb) as u8,
                });
            }
            let done = g(p.done) == 1;
            self.sim.tick();
            if cmd_taken {
                cmd_pending = false;
                self.sim.set(self.p.cmd_valid, 0);
            }
            if done {
                if next < beats.len() {
                    bail!("done with {} of {} beats taken", next, beats.len());
                }
                return Ok(writes);
            }
        }
        bail!("rx_writer did not finish within {HANG_CYCLES} cycles")
    }
}
