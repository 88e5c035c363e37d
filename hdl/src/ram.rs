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
        memory_verilog(
            self._style,
            W,
            N,
            "clock",
            "",
            "   read_data <= mem[read_address];\n",
        )
    }

    fn timing(&self) -> Vec<TimingInfo> {
        let mut inputs = write_port();
        inputs.push("read_address".into());
        vec![TimingInfo {
            name: "ram".into(),
            clock: "clock".into(),
            inputs,
            outputs: vec!["read_data".into()],
        }]
    }
}

/// The Verilog of a `2^addr_bits` x `width` memory placed as `style`
/// asks, written on `write_clock`, its read port being `comb` (outside
/// any clock) or `clocked` (on the write clock).
pub(crate) fn memory_verilog(
    style: Style,
    width: usize,
    addr_bits: usize,
    write_clock: &str,
    comb: &str,
    clocked: &str,
) -> Verilog {
    let style = match style {
        Style::Block => "block",
        Style::Distributed => "distributed",
    };
    Verilog::Custom(format!(
        "\
(* ram_style = \"{style}\" *) reg [{msb}:0] mem[0:{last}];
{comb}
always @(posedge {write_clock}) begin
{clocked}   if (write_enable) begin
      mem[write_address] <= write_data;
   end
end
",
        msb = width - 1,
        last = (1usize << addr_bits) - 1,
    ))
}

/// The write port's inputs, for timing.
pub(crate) fn write_port() -> Vec<String> {
    ["write_address", "write_data", "write_enable"]
        .map(String::from)
        .to_vec()
}
