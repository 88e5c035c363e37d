//! `tx_checksum` under Verilator: frames with commands in, frames out.

use crate::bridge::{Input, Output, Sim, model_named};
use crate::stream::{Beat, Harness, SinkPorts, SourcePorts};
use anyhow::{Result, anyhow};
use std::path::Path;

/// One frame as the block sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub frame: Vec<u8>,
    pub status: u8,
    pub user: bool,
}

pub struct TxChecksumRtl {
    sim: Sim,
    tx: SinkPorts,
    cmd: Input,
    mac: SourcePorts,
    status: Output,
    width: usize,
    max_frame: usize,
    partial: Vec<u8>,
}

impl TxChecksumRtl {
    /// `name` is a build name such as `tx_checksum_w8` or
    /// `tx_checksum_w1_small`.
    pub fn new(name: &str, wave: Option<&Path>) -> Result<Self> {
        let info = model_named(name).ok_or_else(|| anyhow!("no build named {name}"))?;
        let max_frame =
            info.param("max_frame")
                .ok_or_else(|| anyhow!("{name} does not publish max_frame"))? as usize;
        let mut sim = Sim::new(info, wave)?;
        sim.reset()?;
        Ok(Self {
            tx: SinkPorts::bind(&sim, "tx")?,
            cmd: sim.input("cmd")?,
            mac: SourcePorts::bind(&sim, "mac")?,
            status: sim.output("status")?,
            width: info.width,
            max_frame,
            partial: Vec::new(),
            sim,
        })
    }

    /// The longest frame this build sends unchanged.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }
}

impl Harness for TxChecksumRtl {
    /// The packed [`spec::tx_csum::Command`].
    type Extra = u32;
    type Output = Sent;

    fn name(&self) -> &'static str {
        "tx_checksum"
    }
    fn width(&self) -> usize {
        self.width
    }
    fn sim(&mut self) -> &mut Sim {
        &mut self.sim
    }
    fn drive(&mut self, beat: Option<(Beat<'_>, &u32)>, out_ready: bool) {
        self.tx.offer(&mut self.sim, beat.map(|b| b.0));
        if let Some((_, cmd)) = beat {
            self.sim.set(self.cmd, u64::from(*cmd));
        }
        self.sim.set(self.mac.ready, u64::from(out_ready));
    }
    fn taken(&self) -> bool {
        self.sim.get(self.tx.ready) == 1
    }
    fn output(&mut self, out_ready: bool) -> Option<Sent> {
        if !out_ready || self.sim.get(self.mac.valid) == 0 {
            return None;
        }
        let mut bytes = [0u8; 64];
        let w = self.width;
        self.sim.get_bytes(self.mac.data, &mut bytes[..w]);
        let keep = self.sim.get(self.mac.keep);
        self.partial
            .extend((0..w).filter(|i| keep >> i & 1 == 1).map(|i| bytes[i]));
        (self.sim.get(self.mac.last) == 1).then(|| Sent {
            frame: std::mem::take(&mut self.partial),
            status: self.sim.get(self.status) as u8,
            user: self.sim.get(self.mac.user) == 1,
        })
    }
}
