//! The opentoe testbench: what the tests share. The trace corpus (checked
//! against its manifest), frame and super-frame generators, the Linux GSO
//! oracle, the driver suite run on every engine, and the external-tool
//! guard.

pub mod corpus;
pub mod driver_cost;
pub mod driver_suite;
pub mod frames;
pub mod linux_gso;
pub mod super_frames;
pub mod tools;
