//! `rx_checksum` under Verilator: frames in, verdict records out.

use crate::bridge::{Input, Output, Sim, model};
use crate::stream::{Beat, Harness, SinkPorts};
use anyhow::{Result, anyhow};
use std::path::Path;

pub struct RxChecksumRtl {
    sim: Sim,
    rx: SinkPorts,
    verdict: Output,
    verdict_valid: Output,
    verdict_ready: Input,
    width: usize,
}

impl RxChecksumRtl {
    pub fn new(width: usize, wave: Option<&Path>) -> Result<Self> {
        let info = model("rx_checksum", width)
            .ok_or_else(|| anyhow!("no rx_checksum build at {width} bytes per beat"))?;
        let mut sim = Sim::new(info, wave)?;
        sim.reset()?;
        Ok(Self {
            rx: SinkPorts::bind(&sim, "rx")?,
            verdict: sim.output("verdict")?,
            verdict_valid: sim.output("verdict_valid")?,
            verdict_ready: sim.input("verdict_ready")?,
            sim,
            width,
        })
    }
}

impl Harness for RxChecksumRtl {
    type Extra = ();
    /// The raw 32-bit verdict record.
    type Output = u32;

    fn name(&self) -> &'static str {
        "rx_checksum"
    }
    fn width(&self) -> usize {
        self.width
    }
    fn sim(&mut self) -> &mut Sim {
        &mut self.sim
    }
    fn drive(&mut self, beat: Option<(Beat<'_>, &())>, out_ready: bool) {
        self.rx.offer(&mut self.sim, beat.map(|b| b.0));
        self.sim.set(self.verdict_ready, u64::from(out_ready));
    }
    fn taken(&self) -> bool {
        self.sim.get(self.rx.ready) == 1
    }
    fn output(&mut self, out_ready: bool) -> Option<u32> {
        (out_ready && self.sim.get(self.verdict_valid) == 1)
            .then(|| self.sim.get(self.verdict) as u32)
    }
}
