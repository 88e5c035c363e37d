//! `toe`, the opentoe command line, as a library: `toe replay` (a capture
//! through the engine's passes, RTL and model compared), `toe ss`, and
//! `toe tap` (the host TCP stack on the engine, the Linux kernel as peer).
//!
//! With the `rtl` feature (the default) the RTL under Verilator is a
//! backend; without it `toe` runs the reference model only and needs no
//! Verilator to build or run.

pub mod backend;
pub mod block_pass;
pub mod input;
pub mod options;
pub mod pass;
pub mod replay;
pub mod replay_checksum;
pub mod replay_driver;
pub mod replay_parse;
pub mod replay_table;
pub mod replay_tx;
pub mod report;
pub mod report_driver;
pub mod report_place;
pub mod report_tx;
pub mod ss;
pub mod tap;
pub mod tx_super;
