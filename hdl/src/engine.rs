//! `engine`: the whole device as the host sees it: the register block on a
//! Wishbone bus, the memory port of [`spec::dma`], the wire, an interrupt.
//!
//! ```text
//!  wishbone ─> csr ──TX ring registers──> tx_queue ──frames + desc──> tx_path ─> mac
//!              │ ^  <─index, busy, events──┘  │  ^───────done────────┘
//!              │ └─ mac beats (TX_BYTES)      └─> mem_arbiter a ─┐
//!              ├──RX ring registers──> rx_engine ─> mem_arbiter b ─┴─> mem
//!              └──CT_* commands──────>   (conn_table)   <── rx (wire)
//! ```
//! `rx_engine` holds the RX DMA, the checksum, the parser and the
//! connection table; `csr` shows its indices and counters and drives the
//! table's command port. The Toeplitz key is the default of
//! [`spec::toeplitz`], fixed at build time (there is no key register).
//! 64 bits per beat only for now.

use crate::csr::Csr;
use crate::mem_arbiter::MemArbiter;
use crate::mem_port::MemMaster;
use crate::ram::Style;
use crate::rx_engine::RxEngine;
use crate::stream::{StreamSink, StreamSource};
use crate::sync_fifo::SyncFifo;
use crate::table_port::TableCmdMaster;
use crate::toeplitz::KEY_BITS as HASH_KEY_BITS;
use crate::tso::DESC_BITS;
use crate::tx_path::TxPathW8;
use crate::tx_queue::BEAT;
use crate::tx_queue::TxQueue;
use rust_hdl::prelude::*;

/// The engine with the default table (4096 entries, 4 ways).
pub type Engine4096 = Engine<9, 12>;
/// A 16-entry table: same logic, cheap to simulate and easy to fill.
pub type EngineSmall = Engine<1, 4>;

#[derive(LogicBlock)]
pub struct Engine<const B: usize, const SB: usize> {
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
    /// Frames from the MAC.
    pub rx: StreamSink<64, 8>,
    csr: Csr,
    txq: TxQueue,
    path: TxPathW8,
    ofifo: SyncFifo<BEAT, 3, 4>,
    rxe: RxEngine<B, SB>,
    arb: MemArbiter,
    /// Segments tso has finished minus frames the MAC has taken: frames
    /// still inside the TX path (briefly "negative" when a segment leaves
    /// before its frame's done). A reset waits for 0, so nothing from
    /// before it reaches the wire after.
    on_wire: DFF<Bits<32>>,
    seg_in: Signal<Local, Bits<32>>,
    hash_key: Constant<Bits<HASH_KEY_BITS>>,
}

impl<const B: usize, const SB: usize> Engine<B, SB> {
    pub fn new() -> Self {
        let ways = crate::conn_table::WAYS as u32;
        let entries = (1u32 << B) * ways * 2;
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
            rx: Default::default(),
            csr: Csr::new(8, entries.trailing_zeros(), ways),
            txq: TxQueue::new(),
            path: TxPathW8::new(),
            ofifo: SyncFifo::new(5, Style::Distributed),
            rxe: RxEngine::new(),
            arb: Default::default(),
            on_wire: Default::default(),
            seg_in: Default::default(),
            hash_key: Constant::new(crate::toeplitz::key_port(&spec::toeplitz::DEFAULT_KEY)),
        }
    }
}

impl<const B: usize, const SB: usize> Default for Engine<B, SB> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const B: usize, const SB: usize> Logic for Engine<B, SB> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, csr, txq, path, ofifo, rxe, arb);
        dff_setup!(self, clock, on_wire);
        self.csr.reset.next = self.reset.val();
        self.txq.reset.next = self.reset.val();
        self.path.reset.next = self.reset.val();
        self.rxe.reset.next = self.reset.val();
        self.arb.reset.next = self.reset.val();

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
        self.csr.busy.next =
            self.txq.busy.val() | (self.on_wire.q.val() != 0) | !self.rxe.idle.val();
        self.seg_in.next = 0.into();
        if self.path.done_valid.val() {
            self.seg_in.next = bit_cast::<32, 16>(self.path.done_segments.val());
        }
        self.on_wire.d.next = self.on_wire.q.val() + self.seg_in.val()
            - bit_cast::<32, 1>(
                (self.path.mac.valid.val() & self.mac.ready.val() & self.path.mac.last.val())
                    .into(),
            );
        if self.reset.val() {
            self.on_wire.d.next = 0.into();
        }
        self.csr.tx_done_idx.next = self.txq.done_idx.val();
        self.csr.tx_cpl.next = self.txq.cpl.val();
        self.csr.tx_err.next = self.txq.cpl_err.val();
        self.csr.tx_segments.next = self.txq.cpl_segments.val();
        self.csr.tx_beat.next = self.path.mac.valid.val() & self.mac.ready.val();
        self.csr.tx_keep.next = self.path.mac.keep.val();

        // The RX side: rings, counters, the table's command port.
        self.rx.ready.next = self.rxe.rx.ready.val();
        self.rxe.rx.valid.next = self.rx.valid.val();
        self.rxe.rx.data.next = self.rx.data.val();
        self.rxe.rx.keep.next = self.rx.keep.val();
        self.rxe.rx.last.next = self.rx.last.val();
        self.rxe.rx.user.next = self.rx.user.val();
        self.rxe.enable.next = self.csr.enable.val();
        self.rxe.soft_reset.next = self.csr.stop.val();
        self.rxe.hash_key.next = self.hash_key.val();
        self.rxe.rxq_base.next = self.csr.rxq_base.val();
        self.rxe.rxq_log.next = self.csr.rxq_log.val();
        self.rxe.rxq_tail.next = self.csr.rxq_tail.val();
        self.rxe.rxcq_base.next = self.csr.rxcq_base.val();
        self.rxe.rxcq_log.next = self.csr.rxcq_log.val();
        self.rxe.rxcq_head.next = self.csr.rxcq_head.val();
        self.csr.rxq_head.next = self.rxe.rxq_head.val();
        self.csr.rxcq_tail.next = self.rxe.rxcq_tail.val();
        self.csr.rx_cpl.next = self.rxe.cpl.val();
        self.csr.rx_counts.next = (bit_cast::<160, 32>(self.rxe.rx_too_big.val()) << 128)
            | (bit_cast::<160, 32>(self.rxe.rx_cpl_full.val()) << 96)
            | (bit_cast::<160, 32>(self.rxe.rx_no_buffer.val()) << 64)
            | (bit_cast::<160, 32>(self.rxe.rx_bytes.val()) << 32)
            | bit_cast::<160, 32>(self.rxe.rx_frames.val());
        self.csr.class_counts.next = self.rxe.class_counts.val();
        TableCmdMaster::join(&mut self.csr.cmd, &mut self.rxe.cmd);

        // Memory port: TX queue and RX DMA through the arbiter.
        MemMaster::join(&mut self.txq.mem, &mut self.arb.a);
        MemMaster::join(&mut self.rxe.mem, &mut self.arb.b);
        MemMaster::link(&mut self.mem, &mut self.arb.mem);

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
        self.path.desc.next = self.ofifo.data_out.val().get_bits::<DESC_BITS>(73);
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
