//! The host side of opentoe: what stays in software.
//!
//! `wire` reads packet headers; `csum_offload` turns an outgoing frame into
//! the request the engine's `tx_checksum` block executes, the way a Linux
//! driver turns a `CHECKSUM_PARTIAL` skb into a descriptor. `nic` is the
//! driver, over any [`device::Device`], with its buffers in [`dma_mem`].
//!
//! `emu_host` is the control plane that stays in software: it installs a
//! connection on its handshake and removes it on FIN/RST, over the
//! engine's command registers ([`table_engine::Commands`]).
//! `model_device` is the reference model of the engine as a device, and
//! `sim_device` the wire side of any simulated engine.
//!
//! `tcp` is the host TCP stack that owns real connections, and its link
//! to the engine.

pub mod csum_offload;
pub mod device;
pub mod dma_mem;
pub mod driver_tx;
pub mod emu_delivery;
pub mod emu_host;
pub mod model_device;
pub mod nic;
pub mod sim_device;
pub mod table_engine;
pub mod tcp;
pub mod tx_engine;
pub mod wire;
