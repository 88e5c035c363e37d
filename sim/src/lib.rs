//! The RTL in simulation: the Verilator bridge, every block and the whole
//! engine behind the same traits as the reference model (the engine as a
//! [`host::device::Device`]), and the traffic shapes the tests put around
//! them.
//!
//! The Verilated parts need the `verilated` feature (on by default);
//! without it only [`traffic`] builds, so a model-only `toe` needs no
//! Verilator.

pub mod traffic;

#[cfg(feature = "verilated")]
pub mod bridge;
#[cfg(feature = "verilated")]
pub mod cdc_fifo;
#[cfg(feature = "verilated")]
pub mod conn_table;
#[cfg(feature = "verilated")]
pub mod engine;
#[cfg(feature = "verilated")]
pub mod mac_rx;
#[cfg(feature = "verilated")]
pub mod mac_tx;
#[cfg(feature = "verilated")]
pub mod mem_port;
#[cfg(feature = "verilated")]
pub mod narrow;
#[cfg(feature = "verilated")]
pub mod rx_checksum;
#[cfg(feature = "verilated")]
pub mod rx_engine;
#[cfg(feature = "verilated")]
pub mod rx_parser;
#[cfg(feature = "verilated")]
pub mod rx_place;
#[cfg(feature = "verilated")]
pub mod rx_store;
#[cfg(feature = "verilated")]
pub mod rx_writer;
#[cfg(feature = "verilated")]
pub mod stream;
#[cfg(feature = "verilated")]
pub mod table_compared;
#[cfg(feature = "verilated")]
pub mod tso;
#[cfg(feature = "verilated")]
pub mod tx_checksum;
#[cfg(feature = "verilated")]
pub mod widen;
