//! Reference model of the opentoe engine.
//!
//! Each module answers the same question as one hardware block, written the
//! obvious way over a byte slice and independently of the RTL, so that the
//! two can be compared frame by frame. Nothing here knows about beats,
//! lanes or cycles; `engine` is the whole engine as a driver sees it,
//! registers and host memory.

pub mod conn_table;
pub mod csum;
pub mod engine;
mod engine_regs;
pub mod mac;
pub mod rx_checksum;
pub mod rx_parse;
pub mod rx_place;
pub mod tso;
pub mod tx_checksum;
