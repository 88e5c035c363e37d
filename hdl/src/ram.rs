//! `ram`: a simple dual-port RAM with a registered read, for FIFOs.
//!
//! Unlike rust-hdl's own RAM, it says where it wants to live: block RAM for
//! deep buffers, or distributed (LUT) RAM for shallow ones, whose read needs
//! no slow block-RAM clock-to-output (5.8 ns on an ECP5 DP16KD without its
//! output register, which yosys cannot use) and so keeps 156 MHz paths free.

use rust_hdl::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Block,
    Distributed,
}

#[derive(LogicBlock)]
pub struct Ram<const W: usize, const N: usize> {
    pub clock: Signal<In, Clock>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, Bits<W>>,
    pub read_address: Signal<In, Bits<N>>,
    pub read_data: Signal<Out, Bits<W>>,
    _style: Style,
    _sim: Vec<Bits<W>>,
}

impl<const W: usize, const N: usize> Ram<W, N> {
    pub fn new(style: Style) -> Self {
        Self {
            clock: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            _style: style,
            _sim: vec![Bits::default(); 1 << N],
        }
    }
}

impl<const W: usize, const N: usize> Logic for Ram<W, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.read_data.next = self._sim[self.read_address.val().index()];
            if self.write_enable.val() {
                self._sim[self.write_address.val().index()] = self.write_data.val();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let style = match self._style {
            Style::Block => "block",
            Style::Distributed => "distributed",
        };
        Verilog::Custom(format!(
            "\
(* ram_style = \"{style}\" *) reg [{msb}:0] mem[0:{last}];

always @(posedge clock) begin
   read_data <= mem[read_address];
   if (write_enable) begin
      mem[write_address] <= write_data;
   end
end
",
            msb = W - 1,
            last = (1usize << N) - 1,
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "ram".into(),
            clock: "clock".into(),
            inputs: vec![
                "read_address".into(),
                "write_address".into(),
                "write_data".into(),
                "write_enable".into(),
            ],
            outputs: vec!["read_data".into()],
        }]
    }
}
