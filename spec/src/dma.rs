//! The memory port: how the engine reaches host memory.
//!
//! Two independent channels of 64-bit little-endian words at 8-byte
//! aligned byte addresses (a PCIe or AXI bridge sits behind them on a
//! board; the testbench's host-memory model in simulation):
//!
//! * read: `rd_req_valid/ready` + `rd_req_addr` asks for one word; the
//!   answers come back on `rd_rsp_valid` + `rd_rsp_data` in request order,
//!   any number of cycles later, with no backpressure: the engine asks only
//!   for words it has room to take.
//! * write: `wr_valid/ready` + `wr_addr`, `wr_data`, `wr_strb` (one bit per
//!   byte, bit 0 = the byte at `addr`) writes the bytes whose strobe is set.
//!   Writes are posted: no answer. Writes and reads are not ordered with
//!   each other; the engine writes a completion only after its buffer's
//!   writes were all accepted, and a bridge keeps accepted writes in order.
//!
//! The engine writes only into buffers and completion slots the host has
//! handed it (an IOMMU would fault on anything else; the simulation's host
//! memory does).

pub const WORD_BYTES: usize = 8;

/// An access the host memory refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub addr: u64,
    pub len: usize,
    pub write: bool,
    pub why: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.write { "write" } else { "read" };
        write!(
            f,
            "DMA {what} of {} bytes at {:#x}: {}",
            self.len, self.addr, self.why
        )
    }
}

impl std::error::Error for Fault {}

/// Host memory as the engine's memory port sees it.
pub trait Memory {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), Fault>;
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Fault>;
}
