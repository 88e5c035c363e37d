//! `mem_arbiter`: two clients (the TX queue, the RX DMA) on the one memory
//! port of [`spec::dma`].
//!
//! ```text
//!  a ─┐ read requests, round robin ──> mem ── answers ─> 2 registers ─┐
//!  b ─┘   └─> owner FIFO (1 bit per read in flight) ──────────────────┴─> a or b
//!  a ─┐ writes, round robin ─────────> mem
//!  b ─┘
//! ```
//! Answers come back in request order, so a FIFO of who asked is enough to
//! route them. The FIFO's head is ready three cycles after a push while an
//! answer may come the next cycle, so answers pass two registers first: two
//! cycles of latency, against the hundreds a host read takes. Requests wait
//! while the FIFO is nearly full (1024 reads in flight; the clients ask for
//! fewer). Writes are posted and pass straight through: a write taken here
//! is taken by the memory, so a client's completion still follows its data.
//! Whose turn it is on each channel is a register (so no ready depends on
//! a valid in the same cycle): the turn passes to the other client when
//! it asks and the current one has just been served or is not asking, so
//! both alternate under load and one alone loses no cycle.

use crate::mem_port::{MemMaster, MemSlave};
use crate::ram::Style;
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct MemArbiter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub a: MemSlave,
    pub b: MemSlave,
    pub mem: MemMaster,
    /// Who asked, per read in flight: 1 = b.
    owner: SyncFifo<1, 10, 11>,
    rsp_v: Vec<DFF<Bit>>,
    rsp_d: Vec<DFF<Bits<64>>>,
    /// b's turn on the read / write channel.
    rd_b: DFF<Bit>,
    wr_b: DFF<Bit>,
    rd_v: Signal<Local, Bit>,
    rd_go: Signal<Local, Bit>,
    wr_v: Signal<Local, Bit>,
    wr_go: Signal<Local, Bit>,
    to_b: Signal<Local, Bit>,
}

impl Default for MemArbiter {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            a: Default::default(),
            b: Default::default(),
            mem: Default::default(),
            owner: SyncFifo::new(1000, Style::Block),
            rsp_v: (0..2).map(|_| Default::default()).collect(),
            rsp_d: (0..2).map(|_| Default::default()).collect(),
            rd_b: Default::default(),
            wr_b: Default::default(),
            rd_v: Default::default(),
            rd_go: Default::default(),
            wr_v: Default::default(),
            wr_go: Default::default(),
            to_b: Default::default(),
        }
    }
}

impl Logic for MemArbiter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rd_b, wr_b);
        clock!(self, clock, owner);
        for i in 0..2 {
            self.rsp_v[i].clock.next = self.clock.val();
            self.rsp_d[i].clock.next = self.clock.val();
        }
        self.owner.reset.next = self.reset.val();

        // Reads: the client whose turn it is, its owner bit queued when taken.
        self.rd_v.next = self.a.rd_req_valid.val();
        self.mem.rd_req_addr.next = self.a.rd_req_addr.val();
        if self.rd_b.q.val() {
            self.rd_v.next = self.b.rd_req_valid.val();
            self.mem.rd_req_addr.next = self.b.rd_req_addr.val();
        }
        self.mem.rd_req_valid.next = self.rd_v.val() & !self.owner.almost_full.val();
        self.a.rd_req_ready.next =
            self.mem.rd_req_ready.val() & !self.owner.almost_full.val() & !self.rd_b.q.val();
        self.b.rd_req_ready.next =
            self.mem.rd_req_ready.val() & !self.owner.almost_full.val() & self.rd_b.q.val();
        self.rd_go.next =
            self.rd_v.val() & self.mem.rd_req_ready.val() & !self.owner.almost_full.val();
        self.owner.write.next = self.rd_go.val();
        self.owner.data_in.next = self.rd_b.q.val().into();
        if self.rd_b.q.val() {
            if self.a.rd_req_valid.val() & (self.rd_go.val() | !self.b.rd_req_valid.val()) {
                self.rd_b.d.next = false;
            }
        } else if self.b.rd_req_valid.val() & (self.rd_go.val() | !self.a.rd_req_valid.val()) {
            self.rd_b.d.next = true;
        }

        // Answers: two cycles late, to whoever asked.
        self.rsp_v[0].d.next = self.mem.rd_rsp_valid.val();
        self.rsp_d[0].d.next = self.mem.rd_rsp_data.val();
        self.rsp_v[1].d.next = self.rsp_v[0].q.val();
        self.rsp_d[1].d.next = self.rsp_d[0].q.val();
        self.to_b.next = self.owner.data_out.val() == 1;
        self.owner.read.next = self.rsp_v[1].q.val() & self.owner.valid.val();
        self.a.rd_rsp_valid.next =
            self.rsp_v[1].q.val() & self.owner.valid.val() & !self.to_b.val();
        self.b.rd_rsp_valid.next = self.rsp_v[1].q.val() & self.owner.valid.val() & self.to_b.val();
        self.a.rd_rsp_data.next = self.rsp_d[1].q.val();
        self.b.rd_rsp_data.next = self.rsp_d[1].q.val();

        // Writes: the client whose turn it is, straight through.
        self.wr_v.next = self.a.wr_valid.val();
        self.mem.wr_addr.next = self.a.wr_addr.val();
        self.mem.wr_data.next = self.a.wr_data.val();
        self.mem.wr_strb.next = self.a.wr_strb.val();
        if self.wr_b.q.val() {
            self.wr_v.next = self.b.wr_valid.val();
            self.mem.wr_addr.next = self.b.wr_addr.val();
            self.mem.wr_data.next = self.b.wr_data.val();
            self.mem.wr_strb.next = self.b.wr_strb.val();
        }
        self.mem.wr_valid.next = self.wr_v.val();
        self.a.wr_ready.next = self.mem.wr_ready.val() & !self.wr_b.q.val();
        self.b.wr_ready.next = self.mem.wr_ready.val() & self.wr_b.q.val();
        self.wr_go.next = self.wr_v.val() & self.mem.wr_ready.val();
        if self.wr_b.q.val() {
            if self.a.wr_valid.val() & (self.wr_go.val() | !self.b.wr_valid.val()) {
                self.wr_b.d.next = false;
            }
        } else if self.b.wr_valid.val() & (self.wr_go.val() | !self.a.wr_valid.val()) {
            self.wr_b.d.next = true;
        }

        if self.reset.val() {
            self.rsp_v[0].d.next = false;
            self.rsp_v[1].d.next = false;
            self.rd_b.d.next = false;
            self.wr_b.d.next = false;
        }
    }
}
