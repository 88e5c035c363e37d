//! The memory port of [`spec::dma`] as a RustHDL interface, so a client
//! (`tx_queue`, later the RX DMA) and the engine's port join field by field
//! and an arbiter can sit between several clients and the one port.

use rust_hdl::prelude::*;

/// The port as a client drives it (requests out, answers in).
#[derive(LogicInterface, Default)]
#[join = "MemSlave"]
pub struct MemMaster {
    pub rd_req_valid: Signal<Out, Bit>,
    pub rd_req_ready: Signal<In, Bit>,
    /// Byte address of a 64-bit word (8-byte aligned).
    pub rd_req_addr: Signal<Out, Bits<64>>,
    /// Answers in request order, no backpressure.
    pub rd_rsp_valid: Signal<In, Bit>,
    pub rd_rsp_data: Signal<In, Bits<64>>,
    pub wr_valid: Signal<Out, Bit>,
    pub wr_ready: Signal<In, Bit>,
    pub wr_addr: Signal<Out, Bits<64>>,
    pub wr_data: Signal<Out, Bits<64>>,
    /// One bit per byte, bit 0 = the byte at `wr_addr`.
    pub wr_strb: Signal<Out, Bits<8>>,
}

/// The port as the memory side sees it.
#[derive(LogicInterface, Default)]
#[join = "MemMaster"]
pub struct MemSlave {
    pub rd_req_valid: Signal<In, Bit>,
    pub rd_req_ready: Signal<Out, Bit>,
    pub rd_req_addr: Signal<In, Bits<64>>,
    pub rd_rsp_valid: Signal<Out, Bit>,
    pub rd_rsp_data: Signal<Out, Bits<64>>,
    pub wr_valid: Signal<In, Bit>,
    pub wr_ready: Signal<Out, Bit>,
    pub wr_addr: Signal<In, Bits<64>>,
    pub wr_data: Signal<In, Bits<64>>,
    pub wr_strb: Signal<In, Bits<8>>,
}
