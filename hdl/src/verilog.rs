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
    /// Unique name, e.g. `rx_checksum_w8` (block, bytes per beat, variant).
    pub name: String,
    pub block: &'static str,
    /// Bytes per beat.
    pub width: usize,
    /// Empty for the standard build; else what differs (e.g. `small`).
    pub variant: &'static str,
    /// Figures software needs to know about this build (e.g. `max_frame`).
    pub params: Vec<(&'static str, u64)>,
    /// Whether this build fits an iCE40 HX8K (small buffers).
    pub ice40: bool,
    /// Whether the synthesis flow and its test run it: a variant that only
    /// makes simulation tests cheaper (same logic, tiny memories) does not.
    pub synth: bool,
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

struct Spec {
    block: &'static str,
    width: usize,
    variant: &'static str,
    ice40: bool,
    synth: bool,
    params: Vec<(&'static str, u64)>,
}

fn spec(block: &'static str, width: usize) -> Spec {
    Spec {
        block,
        width,
        variant: "",
        ice40: true,
        synth: true,
        params: vec![],
    }
}

fn build<B: Block>(s: Spec, mut uut: B) -> Build {
    uut.connect_all();
    let mut probe = TopPorts::default();
    uut.accept("top", &mut probe);
    let suffix = if s.variant.is_empty() {
        String::new()
    } else {
        format!("_{}", s.variant)
    };
    Build {
        name: format!("{}_w{}{suffix}", s.block, s.width),
        block: s.block,
        width: s.width,
        variant: s.variant,
        params: s.params,
        ice40: s.ice40,
        synth: s.synth,
        verilog: generate_verilog(&uut),
        ports: probe.ports,
    }
}

/// A `tx_checksum` build with 2^`n` buffer beats.
fn tx(width: usize, n: usize, variant: &'static str) -> Spec {
    Spec {
        variant,
        // The iCE40 HX8K has 32 x 4 kbit of block RAM.
        ice40: (width * 8 + width + 1) << n <= 96 * 1024,
        params: vec![("max_frame", crate::tx_checksum::max_frame(width, n) as u64)],
        ..spec("tx_checksum", width)
    }
}

/// A `conn_table` build of `entries` (4 ways); the small one lets tests
/// fill the table with a handful of connections.
fn table(entries: u64, variant: &'static str) -> Spec {
    Spec {
        variant,
        ice40: false,
        synth: variant.is_empty(),
        params: vec![
            ("entries", entries),
            ("ways", crate::conn_table::WAYS as u64),
        ],
        ..spec("conn_table", 8)
    }
}

/// An `rx_place` build with a context per slot of a `2^slot_bits` table:
/// the engine's 4096, 1024 for an LFE5U-25F, and a small one for
/// simulation only.
fn place(slot_bits: u64, variant: &'static str) -> Spec {
    Spec {
        variant,
        ice40: false,
        synth: variant != "small",
        params: vec![("slots", 1 << slot_bits)],
        ..spec("rx_place", 8)
    }
}

/// A `tso` build: its 32 KB ring does not fit an iCE40 HX8K.
fn tso(width: usize) -> Spec {
    Spec {
        ice40: false,
        params: vec![("ring_bytes", crate::tso::RING_BYTES as u64)],
        ..spec("tso", width)
    }
}

/// The TX path (`tso` then `tx_checksum`) for simulation: both blocks are
/// synthesized on their own.
fn tx_path(width: usize, n: usize) -> Spec {
    Spec {
        ice40: false,
        synth: false,
        params: vec![("max_frame", crate::tx_checksum::max_frame(width, n) as u64)],
        ..spec("tx_path", width)
    }
}

/// An engine build (registers, TX queue and path, RX engine with a table
/// of `entries`, 4 ways, at 64 bits); the small one is for simulation
/// only. Its TX path's 32 KB `tso` ring does not fit an iCE40.
fn engine(entries: u64, variant: &'static str) -> Spec {
    Spec {
        variant,
        ice40: false,
        synth: variant.is_empty(),
        params: vec![
            ("max_frame", crate::tx_checksum::max_frame(8, 11) as u64),
            ("data_words", crate::tx_queue::DATA_WORDS as u64),
            ("entries", entries),
            ("ways", crate::conn_table::WAYS as u64),
        ],
        ..spec("engine", 8)
    }
}

/// An `rx_engine` build with a table of `entries` (4 ways); the small one
/// is for simulation only.
fn rx_engine(entries: u64, variant: &'static str) -> Spec {
    Spec {
        variant,
        ice40: false,
        synth: variant.is_empty(),
        params: vec![
            ("entries", entries),
            ("ways", crate::conn_table::WAYS as u64),
        ],
        ..spec("rx_engine", 8)
    }
}

/// Every build of every block. The `small` builds trade the jumbo-frame
/// buffer for one that fits small FPGAs (and exercise the cut path cheaply).
pub fn builds() -> Vec<Build> {
    use crate::csum_acc::{CsumAccW1, CsumAccW8};
    use crate::rx_checksum::{RxChecksumW1, RxChecksumW8};
    use crate::rx_parser::{RxParserW1, RxParserW8};
    use crate::tx_checksum::{TxChecksumW1, TxChecksumW1Small, TxChecksumW8, TxChecksumW8Small};
    vec![
        build(spec("csum_acc", 1), CsumAccW1::new()),
        build(spec("csum_acc", 8), CsumAccW8::new()),
        build(spec("rx_checksum", 1), RxChecksumW1::new()),
        build(spec("rx_checksum", 8), RxChecksumW8::new()),
        build(spec("rx_parser", 1), RxParserW1::new()),
        build(spec("rx_parser", 8), RxParserW8::new()),
        build(spec("toeplitz", 8), crate::toeplitz::Toeplitz::new()),
        build(spec("cdc_fifo", 1), crate::cdc_fifo::CdcFifoW1::new()),
        build(spec("cdc_fifo", 8), crate::cdc_fifo::CdcFifoW8::new()),
        // Two beats, so a bounded formal run wraps its pointers.
        build(
            Spec {
                variant: "formal",
                synth: false,
                ..spec("cdc_fifo", 1)
            },
            crate::cdc_fifo::CdcFifoFormal::new(),
        ),
        // On a MAC's 125 MHz byte clock.
        build(
            Spec {
                params: vec![("clock_khz", 125_000)],
                ..spec("mac_rx", 1)
            },
            crate::mac_rx::MacRx::new(),
        ),
        build(
            Spec {
                params: vec![("clock_khz", 125_000)],
                ..spec("mac_tx", 1)
            },
            crate::mac_tx::MacTx::new(),
        ),
        build(
            Spec {
                params: vec![("clock_khz", 125_000)],
                ..spec("widen", 8)
            },
            crate::widen::WidenW8::new(),
        ),
        build(
            Spec {
                params: vec![("clock_khz", 125_000)],
                ..spec("narrow", 8)
            },
            crate::narrow::NarrowW8::new(),
        ),
        build(table(4096, ""), crate::conn_table::ConnTable4096::new()),
        build(table(16, "small"), crate::conn_table::ConnTableSmall::new()),
        build(tx(1, 14, ""), TxChecksumW1::new()),
        build(tx(8, 11, ""), TxChecksumW8::new()),
        build(tx(1, 11, "small"), TxChecksumW1Small::new()),
        build(tx(8, 8, "small"), TxChecksumW8Small::new()),
        build(place(12, ""), crate::rx_place::RxPlace4096::new()),
        build(place(10, "1k"), crate::rx_place::RxPlace1024::new()),
        build(place(4, "small"), crate::rx_place::RxPlaceSmall::new()),
        build(spec("rx_writer", 8), crate::rx_writer::RxWriter::new()),
        // 16 KiB of frames: more block RAM than an iCE40 HX8K has.
        build(
            Spec {
                ice40: false,
                ..spec("rx_store", 8)
            },
            crate::rx_store::RxStore16k::new(),
        ),
        build(
            Spec {
                variant: "small",
                synth: false,
                ..spec("rx_store", 8)
            },
            crate::rx_store::RxStoreSmall::new(),
        ),
        build(tso(1), crate::tso::TsoW1::new()),
        build(tso(8), crate::tso::TsoW8::new()),
        build(tx_path(1, 14), crate::tx_path::TxPathW1::new()),
        build(tx_path(8, 11), crate::tx_path::TxPathW8::new()),
        build(engine(4096, ""), crate::engine::Engine4096::new()),
        build(engine(16, "small"), crate::engine::EngineSmall::new()),
        build(rx_engine(4096, ""), crate::rx_engine::RxEngine4096::new()),
        build(
            rx_engine(16, "small"),
            crate::rx_engine::RxEngineSmall::new(),
        ),
    ]
}
