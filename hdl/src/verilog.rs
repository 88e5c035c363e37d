//! Turns the blocks into Verilog, one self-contained file per build.
//!
//! A build is one block at one datapath width (and buffer size where it has
//! one). The Verilator bridge, the linter and the synthesis flow all take
//! their list from [`builds`], so a block added here is simulated, linted
//! and synthesized everywhere.

use rust_hdl::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

/// A port of a build's top module, named as in the Verilog (`rx$data`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub bits: usize,
    pub dir: Dir,
}

#[derive(Clone, Debug)]
pub struct Build {
    /// Unique name, e.g. `rx_checksum_w8` (block, then bytes per beat).
    pub name: String,
    pub block: &'static str,
    /// Bytes per beat.
    pub width: usize,
    /// Whether this build fits an iCE40 HX8K (small buffers).
    pub ice40: bool,
    pub verilog: String,
    pub ports: Vec<Port>,
}

/// Collects the ports of the top module (atoms one scope deep).
#[derive(Default)]
struct TopPorts {
    depth: usize,
    namespace: Vec<String>,
    ports: Vec<Port>,
}

impl Probe for TopPorts {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }
    fn visit_start_namespace(&mut self, name: &str, _node: &dyn Block) {
        self.namespace.push(name.to_owned());
    }
    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        let dir = match signal.kind() {
            AtomKind::InputParameter => Dir::In,
            AtomKind::OutputParameter | AtomKind::OutputPassthrough => Dir::Out,
            _ => return,
        };
        if self.depth != 1 {
            return;
        }
        let mut path = self.namespace.clone();
        path.push(name.to_owned());
        self.ports.push(Port {
            name: path.join("$"),
            bits: signal.bits(),
            dir,
        });
    }
    fn visit_end_namespace(&mut self, _name: &str, _node: &dyn Block) {
        self.namespace.pop();
    }
    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
}

fn build<B: Block>(block: &'static str, width: usize, ice40: bool, mut uut: B) -> Build {
    uut.connect_all();
    let mut probe = TopPorts::default();
    uut.accept("top", &mut probe);
    Build {
        name: format!("{block}_w{width}"),
        block,
        width,
        ice40,
        verilog: generate_verilog(&uut),
        ports: probe.ports,
    }
}

/// Every build of every block.
pub fn builds() -> Vec<Build> {
    use crate::csum_acc::CsumAcc;
    use crate::rx_checksum::RxChecksum;
    vec![
        build("csum_acc", 1, true, CsumAcc::<8, 1>::new()),
        build("csum_acc", 8, true, CsumAcc::<64, 8>::new()),
        build("rx_checksum", 1, true, RxChecksum::<8, 1, 11, 9, 10>::new()),
        build("rx_checksum", 8, true, RxChecksum::<64, 8, 74, 6, 7>::new()),
    ]
}
