//! An out-of-context wrapper for builds with more port bits than a package
//! has pins (e.g. `rx_parser`'s 576-bit record): every input comes from one
//! shift register fed by a single pin, every output is registered and then
//! XOR-reduced into one registered pin. The block's own paths are what they
//! would be inside a larger design: registers on both sides, nothing
//! optimized away (each output bit reaches the pin).

use hdl::verilog::{Build, Dir};

/// The wrapper's top module name.
pub const TOP: &str = "ooc_top";

/// Pins the wrapper uses: clock, reset, serial in, serial out.
pub const PINS: usize = 4;

/// Flip-flops the wrapper adds (subtracted from the report's counts).
pub fn flip_flops(b: &Build) -> usize {
    let (n_in, n_out) = widths(b);
    n_in + n_out + 1
}

fn widths(b: &Build) -> (usize, usize) {
    let ctl = |n: &str| n == "clock" || n == "reset";
    let bits = |d: Dir| -> usize {
        b.ports
            .iter()
            .filter(|p| p.dir == d && !ctl(&p.name))
            .map(|p| p.bits)
            .sum()
    };
    (bits(Dir::In).max(2), bits(Dir::Out).max(1))
}

/// Verilog of a wrapper around the build's `top`.
pub fn wrapper(b: &Build) -> String {
    let is_ctl = |n: &str| n == "clock" || n == "reset";
    let ins: Vec<_> = b
        .ports
        .iter()
        .filter(|p| p.dir == Dir::In && !is_ctl(&p.name))
        .collect();
    let outs: Vec<_> = b.ports.iter().filter(|p| p.dir == Dir::Out).collect();
    let (n_in, n_out) = widths(b);
    let mut conns = vec![".clock(clock)".to_owned(), ".reset(reset)".to_owned()];
    let mut at = 0;
    for p in &ins {
        conns.push(format!(".{}(sh[{}:{}])", p.name, at + p.bits - 1, at));
        at += p.bits;
    }
    at = 0;
    for p in &outs {
        conns.push(format!(".{}(o[{}:{}])", p.name, at + p.bits - 1, at));
        at += p.bits;
    }
    format!(
        "\nmodule {TOP}(input clock, input reset, input sin, output reg sout);\n\
         \x20   reg [{hi_in}:0] sh;\n\
         \x20   wire [{hi_out}:0] o;\n\
         \x20   reg [{hi_out}:0] oq;\n\
         \x20   always @(posedge clock) begin\n\
         \x20       sh <= {{sh[{hi_in_1}:0], sin}};\n\
         \x20       oq <= o;\n\
         \x20       sout <= ^oq;\n\
         \x20   end\n\
         \x20   top u({conns});\n\
         endmodule\n",
        hi_in = n_in - 1,
        hi_in_1 = n_in - 2,
        hi_out = n_out - 1,
        conns = conns.join(", ")
    )
}
