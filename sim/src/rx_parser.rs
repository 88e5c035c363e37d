//! `rx_parser` under Verilator: frames in, header records out.

use crate::bridge::{Input, Output, Sim, model};
use crate::stream::{Beat, Harness, SinkPorts};
use anyhow::{Result, anyhow};
use spec::rx_parse::{RECORD_BITS, Record};
use std::path::Path;

pub struct RxParserRtl {
    sim: Sim,
    rx: SinkPorts,
    header: Output,
    header_valid: Output,
    header_ready: Input,
    width: usize,
}

impl RxParserRtl {
    pub fn new(width: usize, wave: Option<&Path>) -> Result<Self> {
        let info = model("rx_parser", width)
            .ok_or_else(|| anyhow!("no rx_parser build at {width} bytes per beat"))?;
        let mut sim = Sim::new(info, wave)?;
        sim.reset()?;
        Ok(Self {
            rx: SinkPorts::bind(&sim, "rx")?,
            header: sim.output("header")?,
            header_valid: sim.output("header_valid")?,
            header_ready: sim.input("header_ready")?,
            sim,
            width,
        })
    }
}

impl Harness for RxParserRtl {
    type Extra = ();
    type Output = Record;

    fn name(&self) -> &'static str {
        "rx_parser"
    }
    fn width(&self) -> usize {
        self.width
    }
    fn sim(&mut self) -> &mut Sim {
        &mut self.sim
    }
    fn drive(&mut self, beat: Option<(Beat<'_>, &())>, out_ready: bool) {
        self.rx.offer(&mut self.sim, beat.map(|b| b.0));
        self.sim.set(self.header_ready, u64::from(out_ready));
    }
    fn taken(&self) -> bool {
        self.sim.get(self.rx.ready) == 1
    }
    fn output(&mut self, out_ready: bool) -> Option<Record> {
        if !(out_ready && self.sim.get(self.header_valid) == 1) {
            return None;
        }
        let mut bytes = [0u8; RECORD_BITS as usize / 8];
        self.sim.get_bytes(self.header, &mut bytes);
        let mut r = Record::default();
        for (w, c) in r.iter_mut().zip(bytes.chunks(8)) {
            *w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        }
        Some(r)
    }
}
