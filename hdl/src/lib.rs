//! opentoe hardware blocks, written in RustHDL.
//!
//! One block per file; each is generic over the datapath width and is
//! turned into Verilog by [`verilog`]. The contract with software (record
//! layouts, codes) comes from the `spec` crate.

pub mod csum_acc;
pub mod stream;
pub mod verilog;
