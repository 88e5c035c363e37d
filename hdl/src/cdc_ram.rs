//! `cdc_ram`: the word store of a clock-crossing FIFO. It is written on
//! the write side's clock and read without a clock by the read side, so
//! it maps to distributed (LUT) RAM, whose read port is asynchronous. A
//! read is safe because the read side only reads a word whose write it
//! has seen through a two-flop synchroniser, two of its own edges later.

use crate::ram::{Style, memory_verilog, write_port};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct CdcRam<const W: usize, const N: usize> {
    pub write_clock: Signal<In, Clock>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, Bits<W>>,
    pub read_address: Signal<In, Bits<N>>,
    pub read_data: Signal<Out, Bits<W>>,
    _sim: Vec<Bits<W>>,
}

impl<const W: usize, const N: usize> Default for CdcRam<W, N> {
    fn default() -> Self {
        Self {
            write_clock: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            _sim: vec![Bits::default(); 1 << N],
        }
    }
}

impl<const W: usize, const N: usize> Logic for CdcRam<W, N> {
    fn update(&mut self) {
        if self.write_clock.pos_edge() && self.write_enable.val() {
            self._sim[self.write_address.val().index()] = self.write_data.val();
        }
        self.read_data.next = self._sim[self.read_address.val().index()];
    }
    fn connect(&mut self) {
        self.read_data.connect();
    }
    fn hdl(&self) -> Verilog {
        memory_verilog(
            Style::Distributed,
            W,
            N,
            "write_clock",
            "always @(*) read_data = mem[read_address];",
            "",
        )
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "cdc_ram".into(),
            clock: "write_clock".into(),
            inputs: write_port(),
            outputs: vec![],
        }]
    }
}
