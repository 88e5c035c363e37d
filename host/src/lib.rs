//! The host side of opentoe: what stays in software.
//!
//! `wire` reads packet headers; `csum_offload` turns an outgoing frame into
//! the request the engine's `tx_checksum` block executes, the way a Linux
//! driver turns a `CHECKSUM_PARTIAL` skb into a descriptor.

pub mod csum_offload;
pub mod wire;
