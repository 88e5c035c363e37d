//! `narrow` under Verilator: frames in as beats, bytes out.

use crate::bridge::{Sim, model};
use crate::stream::{Beat, Harness, SinkPorts, SourcePorts};
use anyhow::{Result, anyhow};

pub struct NarrowRtl {
    sim: Sim,
    rx: SinkPorts,
    tx: SourcePorts,
    width: usize,
    frame: Vec<u8>,
    bytes: u64,
    /// A byte other than a frame's last carried `user`.
    pub early_user: bool,
}

impl NarrowRtl {
    /// The build that makes `width`-byte beats into bytes.
    pub fn new(width: usize) -> Result<Self> {
        let info =
            model("narrow", width).ok_or_else(|| anyhow!("no narrow build at {width} bytes"))?;
        let mut sim = Sim::new(info, None)?;
        sim.reset()?;
        Ok(Self {
            rx: SinkPorts::bind(&sim, "rx")?,
            tx: SourcePorts::bind(&sim, "tx")?,
            sim,
            width,
            frame: Vec::new(),
            bytes: 0,
            early_user: false,
        })
    }
}

impl Harness for NarrowRtl {
    type Extra = ();
    /// A frame's bytes and its `user` flag.
    type Output = (Vec<u8>, bool);

    fn name(&self) -> &'static str {
        "narrow"
    }
    fn width(&self) -> usize {
        self.width
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
    fn output(&mut self, out_ready: bool) -> Option<(Vec<u8>, bool)> {
        if !out_ready || self.sim.get(self.tx.valid) == 0 {
            return None;
        }
        let b = self.tx.take(&self.sim, &mut [0u8]);
        self.bytes += 1;
        self.frame.extend_from_slice(&b.bytes);
        self.early_user |= b.user && !b.last;
        b.last.then(|| (std::mem::take(&mut self.frame), b.user))
    }
    fn progress(&self) -> u64 {
        self.bytes
    }
}
