//! `tso` and `tx_path` under Verilator: host frames with descriptors in,
//! segments (or wire frames) out, one [`Frame`] per host frame.

use crate::bridge::{Input, Output, Sim, model};
use crate::stream::{Beat, Harness, SinkPorts, SourcePorts, Traffic, run};
use anyhow::{Result, anyhow, bail};
use host::tx_engine::{Sent, TxEngine, TxFrame, Wire};
use spec::tso::Status;
use std::collections::VecDeque;
use std::path::Path;

/// One frame as the block sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub frame: Vec<u8>,
    /// `tso`: the packed [`spec::tx_csum::Command`]; `tx_path`: the
    /// [`spec::tx_csum::Status`] code.
    pub side: u32,
    pub user: bool,
}

/// What became of one host frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub segments: Vec<Segment>,
    pub status: Status,
}

/// A `tso` or `tx_path` build.
pub struct TxRtl {
    sim: Sim,
    block: &'static str,
    tx: SinkPorts,
    desc: Input,
    out: SourcePorts,
    side: Output,
    done_valid: Output,
    done_status: Output,
    done_segments: Output,
    width: usize,
    partial: Vec<u8>,
    segments: VecDeque<Segment>,
    dones: VecDeque<(Status, usize)>,
    bad_status: Option<u64>,
    /// Output beats and the cycles of the first and the last.
    pub beats_out: u64,
    pub first_out: Option<u64>,
    pub last_out: u64,
}

impl TxRtl {
    /// `block` is `tso` or `tx_path`; `width` bytes per beat.
    pub fn new(block: &str, width: usize, wave: Option<&Path>) -> Result<Self> {
        let info =
            model(block, width).ok_or_else(|| anyhow!("no {block} build at {width} bytes"))?;
        let mut sim = Sim::new(info, wave)?;
        sim.reset()?;
        let (out, side) = if block == "tso" {
            ("seg", "cmd")
        } else {
            ("mac", "status")
        };
        Ok(Self {
            tx: SinkPorts::bind(&sim, "tx")?,
            desc: sim.input("desc")?,
            out: SourcePorts::bind(&sim, out)?,
            side: sim.output(side)?,
            done_valid: sim.output("done_valid")?,
            done_status: sim.output("done_status")?,
            done_segments: sim.output("done_segments")?,
            block: info.block,
            width,
            partial: Vec::new(),
            segments: VecDeque::new(),
            dones: VecDeque::new(),
            bad_status: None,
            beats_out: 0,
            first_out: None,
            last_out: 0,
            sim,
        })
    }
}

impl Harness for TxRtl {
    /// The packed [`spec::tso::Desc`].
    type Extra = u64;
    type Output = Result<Frame>;

    fn name(&self) -> &'static str {
        self.block
    }
    fn width(&self) -> usize {
        self.width
    }
    fn sim(&mut self) -> &mut Sim {
        &mut self.sim
    }
    fn drive(&mut self, beat: Option<(Beat<'_>, &u64)>, out_ready: bool) {
        self.tx.offer(&mut self.sim, beat.map(|b| b.0));
        if let Some((_, desc)) = beat {
            self.sim.set(self.desc, *desc);
        }
        self.sim.set(self.out.ready, u64::from(out_ready));
    }
    fn taken(&self) -> bool {
        self.sim.get(self.tx.ready) == 1
    }
    fn progress(&self) -> u64 {
        self.beats_out
    }
    fn output(&mut self, out_ready: bool) -> Option<Result<Frame>> {
        if out_ready && self.sim.get(self.out.valid) == 1 {
            let now = self.sim.cycles();
            self.beats_out += 1;
            self.first_out.get_or_insert(now);
            self.last_out = now;
            let mut bytes = [0u8; 64];
            let w = self.width;
            self.sim.get_bytes(self.out.data, &mut bytes[..w]);
            let keep = self.sim.get(self.out.keep);
            self.partial
                .extend((0..w).filter(|i| keep >> i & 1 == 1).map(|i| bytes[i]));
            if self.sim.get(self.out.last) == 1 {
                self.segments.push_back(Segment {
                    frame: std::mem::take(&mut self.partial),
                    side: self.sim.get(self.side) as u32,
                    user: self.sim.get(self.out.user) == 1,
                });
            }
        }
        if self.sim.get(self.done_valid) == 1 {
            let code = self.sim.get(self.done_status);
            match Status::from_code(code as u8) {
                Some(s) => self
                    .dones
                    .push_back((s, self.sim.get(self.done_segments) as usize)),
                None => self.bad_status = Some(code),
            }
        }
        if let Some(code) = self.bad_status.take() {
            return Some(Err(anyhow!("{} reported status code {code}", self.block)));
        }
        let &(status, n) = self.dones.front()?;
        if self.segments.len() < n {
            return None;
        }
        self.dones.pop_front();
        Some(Ok(Frame {
            segments: self.segments.drain(..n).collect(),
            status,
        }))
    }
}

/// The RTL TX path as a [`TxEngine`].
pub struct TxPathRtl {
    pub rtl: TxRtl,
    pub traffic: Traffic,
}

impl TxPathRtl {
    pub fn new(width: usize, wave: Option<&Path>) -> Result<Self> {
        Ok(Self {
            rtl: TxRtl::new("tx_path", width, wave)?,
            traffic: Traffic::FULL_RATE,
        })
    }

    /// The longest frame its `tx_checksum` sends unchanged.
    pub fn max_frame(&self) -> Result<usize> {
        let info = self.rtl.sim.info();
        info.param("max_frame")
            .map(|v| v as usize)
            .ok_or_else(|| anyhow!("{} does not publish max_frame", info.name))
    }
}

impl TxEngine for TxPathRtl {
    fn name(&self) -> &'static str {
        "rtl"
    }

    fn send(&mut self, frames: &[TxFrame]) -> Result<Vec<Sent>> {
        let mut input = Vec::with_capacity(frames.len());
        for f in frames {
            input.push((f.frame.as_slice(), false, f.desc.pack()?));
        }
        let mut sent = Vec::with_capacity(frames.len());
        run(&mut self.rtl, input, &self.traffic, |out| {
            let f = out?;
            let mut wire = Vec::with_capacity(f.segments.len());
            for s in f.segments {
                let Some(csum) = spec::tx_csum::Status::from_code(s.side as u8) else {
                    bail!("tx_path reported checksum status {}", s.side);
                };
                wire.push(Wire {
                    frame: s.frame,
                    csum,
                    user: s.user,
                });
            }
            sent.push(Sent {
                wire,
                status: f.status,
            });
            Ok(())
        })?;
        Ok(sent)
    }
}
