//! `engine`: the whole device as the host sees it: the register block on a
//! Wishbone bus, the memory port of [`spec::dma`], the wire, an interrupt.
//!
//! ```text
//!  wishbone ─> csr ──ring registers──> tx_queue ──frames + desc──> tx_path ─> mac
//!               ^  <─index, busy, events─┘  │  ^───────done────────┘
//!               └─ mac beats (TX_BYTES)     └─> mem (read: descriptors and
//!                                               buffers; write: completions)
//! ```
//! The seam for the RX side: `rx_engine` (checksum, parser, connection
//! table, RX DMA) takes the RXQ/RXCQ registers from `csr` (stored there
//! already) and needs a share of the memory port: a `mem_arbiter` between
//! `tx_queue`'s [`MemMaster`] and the RX DMA's goes where `tx_queue.mem`
//! joins `mem` below (reads answer in order, so the arbiter remembers whose
//! each request was; writes are posted, so it only picks one per cycle).
//! TX is 64 bits per beat only for now.

use crate::csr::Csr;
use crate::mem_port::MemMaster;
use crate::ram::Style;
use crate::stream::StreamSource;
use crate::sync_fifo::SyncFifo;
use crate::tx_path::TxPathW8;
use crate::tx_queue::TxQueue;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Engine {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub wb_cyc: Signal<In, Bit>,
    pub wb_stb: Signal<In, Bit>,
    pub wb_we: Signal<In, Bit>,
    /// Word address (byte offset / 4).
    pub wb_adr: Signal<In, Bits<10>>,
    pub wb_dat_w: Signal<In, Bits<32>>,
    pub wb_sel: Signal<In, Bits<4>>,
    pub wb_ack: Signal<Out, Bit>,
    pub wb_dat_r: Signal<Out, Bits<32>>,
    pub irq: Signal<Out, Bit>,
    pub mem: MemMaster,
    /// Wire frames to the MAC; `user` marks one to drop.
    pub mac: StreamSource<64, 8>,
    /// The wire frame's [`spec::tx_csum::Status`], with every beat.
    pub mac_status: Signal<Out, Bits<3>>,
    csr: Csr,
    txq: TxQueue,
    path: TxPathW8,
    ofifo: SyncFifo<134, 3, 4>,
}

impl Engine {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            wb_cyc: Default::default(),
            wb_stb: Default::default(),
            wb_we: Default::default(),
            wb_adr: Default::default(),
            wb_dat_w: Default::default(),
            wb_sel: Default::default(),
            wb_ack: Default::default(),
            wb_dat_r: Default::default(),
            irq: Default::default(),
            mem: Default::default(),
            mac: Default::default(),
            mac_status: Default::default(),
            csr: Csr::new(8),
            txq: TxQueue::new(),
            path: TxPathW8::new(),
            ofifo: SyncFifo::new(5, Style::Distributed),
        }
    }
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for Engine {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, csr, txq, path, ofifo);
        self.csr.reset.next = self.reset.val();
        self.txq.reset.next = self.reset.val();
        self.path.reset.next = self.reset.val();

        // Bus.
        self.csr.cyc.next = self.wb_cyc.val();
        self.csr.stb.next = self.wb_stb.val();
        self.csr.we.next = self.wb_we.val();
        self.csr.adr.next = self.wb_adr.val();
        self.csr.dat_w.next = self.wb_dat_w.val();
        self.csr.sel.next = self.wb_sel.val();
        self.wb_ack.next = self.csr.ack.val();
        self.wb_dat_r.next = self.csr.dat_r.val();
        self.irq.next = self.csr.irq.val();

        // Registers to the TX queue and back.
        self.txq.clear.next = self.csr.clear.val();
        self.txq.enable.next = self.csr.enable.val();
        self.txq.stop.next = self.csr.stop.val();
        self.txq.txq_base.next = self.csr.txq_base.val();
        self.txq.txq_log.next = self.csr.txq_log.val();
        self.txq.txq_tail.next = self.csr.txq_tail.val();
        self.txq.txcq_base.next = self.csr.txcq_base.val();
        self.txq.txcq_log.next = self.csr.txcq_log.val();
        self.txq.txcq_head.next = self.csr.txcq_head.val();
        self.csr.busy.next = self.txq.busy.val();
        self.csr.tx_done_idx.next = self.txq.done_idx.val();
        self.csr.tx_cpl.next = self.txq.cpl.val();
        self.csr.tx_err.next = self.txq.cpl_err.val();
        self.csr.tx_segments.next = self.txq.cpl_segments.val();
        self.csr.tx_beat.next = self.path.mac.valid.val() & self.mac.ready.val();
        self.csr.tx_keep.next = self.path.mac.keep.val();

        // Memory port: the TX queue is its only client for now.
        self.mem.rd_req_valid.next = self.txq.mem.rd_req_valid.val();
        self.mem.rd_req_addr.next = self.txq.mem.rd_req_addr.val();
        self.txq.mem.rd_req_ready.next = self.mem.rd_req_ready.val();
        self.txq.mem.rd_rsp_valid.next = self.mem.rd_rsp_valid.val();
        self.txq.mem.rd_rsp_data.next = self.mem.rd_rsp_data.val();
        self.mem.wr_valid.next = self.txq.mem.wr_valid.val();
        self.mem.wr_addr.next = self.txq.mem.wr_addr.val();
        self.mem.wr_data.next = self.txq.mem.wr_data.val();
        self.mem.wr_strb.next = self.txq.mem.wr_strb.val();
        self.txq.mem.wr_ready.next = self.mem.wr_ready.val();

        // Frames through the TX path to the wire. The FIFO's outputs are
        // registers: `tso`'s ready depends on its desc and last inputs, so
        // nothing that reads ready may drive them combinationally.
        self.ofifo.reset.next = self.reset.val();
        self.ofifo.write.next = self.txq.beat_write.val();
        self.ofifo.data_in.next = self.txq.beat.val();
        self.txq.beat_full.next = self.ofifo.almost_full.val();
        self.path.tx.data.next = self.ofifo.data_out.val().get_bits::<64>(0);
        self.path.tx.keep.next = self.ofifo.data_out.val().get_bits::<8>(64);
        self.path.tx.last.next = self.ofifo.data_out.val().get_bit(72);
        self.path.desc.next = self.ofifo.data_out.val().get_bits::<61>(73);
        self.path.tx.user.next = false;
        self.path.tx.valid.next = self.ofifo.valid.val();
        self.ofifo.read.next = self.path.tx.ready.val();
        self.txq.done_valid.next = self.path.done_valid.val();
        self.txq.done_status.next = self.path.done_status.val();
        self.txq.done_segments.next = self.path.done_segments.val();
        self.mac.data.next = self.path.mac.data.val();
        self.mac.keep.next = self.path.mac.keep.val();
        self.mac.valid.next = self.path.mac.valid.val();
        self.mac.last.next = self.path.mac.last.val();
        self.mac.user.next = self.path.mac.user.val();
        self.path.mac.ready.next = self.mac.ready.val();
        self.mac_status.next = self.path.status.val();
    }
}
