//! The host side of opentoe: what stays in software.
//!
//! `wire` reads packet headers; `csum_offload` turns an outgoing frame into
//! the request the engine's `tx_checksum` block executes, the way a Linux
//! driver turns a `CHECKSUM_PARTIAL` skb into a descriptor. `nic` is the
//! driver, over any [`device::Device`], with its buffers in [`dma_mem`].

pub mod csum_offload;
pub mod device;
pub mod dma_mem;
pub mod nic;
pub mod wire;
