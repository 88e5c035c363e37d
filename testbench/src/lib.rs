//! The opentoe testbench: runs the RTL under Verilator next to the reference
//! model and compares them.

pub mod capture;
pub mod conn_table;
pub mod corpus;
pub mod dev_model;
pub mod dev_rtl;
pub mod driver_cost;
pub mod driver_suite;
pub mod driver_tx;
pub mod emu_host;
pub mod gen;
pub mod gen_tso;
pub mod linux_gso;
pub mod mem_port;
pub mod replay;
pub mod replay_driver;
pub mod replay_parse;
pub mod replay_table;
pub mod replay_tx;
pub mod report;
pub mod rx_checksum;
pub mod rx_engine;
pub mod rx_parser;
pub mod sim;
pub mod sim_device;
pub mod ss;
pub mod stream;
pub mod table_engine;
pub mod tso;
pub mod tx_checksum;
pub mod tx_engine;
pub mod tx_super;
