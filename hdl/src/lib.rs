//! opentoe hardware blocks, written in RustHDL.
//!
//! One block per file; each is generic over the datapath width and is
//! turned into Verilog by [`verilog`]. The contract with software (record
//! layouts, codes) comes from the `spec` crate.

pub mod cdc_fifo;
pub mod cdc_ram;
pub mod conn_table;
pub mod crc32;
pub mod csr;
pub mod csum_acc;
pub mod engine;
pub mod irq_mod;
pub mod lint;
pub mod mac_rx;
pub mod mac_tx;
pub mod mem_arbiter;
pub mod mem_port;
pub mod narrow;
pub mod ram;
pub mod rx_checksum;
pub mod rx_checksum_core;
pub mod rx_dma;
pub mod rx_engine;
pub mod rx_front;
pub mod rx_parser;
pub mod rx_parser_core;
pub mod rx_place;
pub mod rx_store;
pub mod rx_walker;
pub mod rx_writer;
pub mod stream;
pub mod sync_fifo;
pub mod table_port;
pub mod toeplitz;
pub mod tso;
pub mod tx_checksum;
pub mod tx_path;
pub mod tx_queue;
pub mod verilog;
pub mod widen;
