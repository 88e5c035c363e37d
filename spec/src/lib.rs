//! The hardware/software contract of opentoe.
//!
//! Everything both sides of the engine must agree on lives here and only
//! here: stream conventions, record layouts, command words and codes. The RTL
//! (`hdl`), the reference model (`model`), the host driver (`host`) and the
//! testbench all derive their constants from this crate, so a change here is
//! a change of the contract. The crate has no dependencies on purpose.

pub mod conn_table;
pub mod dma;
pub mod field;
pub mod mac;
pub mod regs;
pub mod regs_doc;
pub mod ring;
pub mod rx_csum;
pub mod rx_parse;
pub mod rx_place;
pub mod stream;
pub mod tcp;
pub mod toeplitz;
pub mod tso;
pub mod tx_csum;

pub use field::Field;
