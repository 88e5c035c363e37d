//! `widen` under Verilator: frames in a byte at a time, beats out.

use crate::bridge::{Sim, model};
use crate::stream::{Beat, Harness, OwnedBeat, SinkPorts, SourcePorts};
use anyhow::{Result, anyhow};

pub struct WidenRtl {
    sim: Sim,
    rx: SinkPorts,
    tx: SourcePorts,
    scratch: Vec<u8>,
    frame: Vec<OwnedBeat>,
    beats: u64,
}

impl WidenRtl {
    /// The build that makes bytes into `width`-byte beats.
    pub fn new(width: usize) -> Result<Self> {
        let info =
            model("widen", width).ok_or_else(|| anyhow!("no widen build at {width} bytes"))?;
        let mut sim = Sim::new(info, None)?;
        sim.reset()?;
        Ok(Self {
            rx: SinkPorts::bind(&sim, "rx")?,
            tx: SourcePorts::bind(&sim, "tx")?,
            sim,
            scratch: vec![0; width],
            frame: Vec::new(),
            beats: 0,
        })
    }
}

impl Harness for WidenRtl {
    type Extra = ();
    /// A frame's beats.
    type Output = Vec<OwnedBeat>;

    fn name(&self) -> &'static str {
        "widen"
    }
    /// The input's width: one byte.
    fn width(&self) -> usize {
        1
    }
    fn sim(&mut self) -> &mut Sim {
        &mut self.sim
    }
    fn drive(&mut self, beat: Option<(Beat<'_>, &())>, out_ready: bool) {
        self.rx.offer(&mut self.sim, beat.map(|b| b.0));
        self.sim.set(self.tx.ready, out_ready.into());
    }
    fn taken(&self) -> bool {
        self.sim.get(self.rx.ready) == 1
    }
    fn output(&mut self, out_ready: bool) -> Option<Vec<OwnedBeat>> {
        if !out_ready || self.sim.get(self.tx.valid) == 0 {
            return None;
        }
        let b = self.tx.take(&self.sim, &mut self.scratch);
        self.beats += 1;
        let last = b.last;
        self.frame.push(b);
        last.then(|| std::mem::take(&mut self.frame))
    }
    fn progress(&self) -> u64 {
        self.beats
    }
}
