//! `tx_queue`: the TX descriptor ring and its completion ring in host
//! memory (see [`spec::regs`] and [`spec::ring`]), feeding `tx_path`.
//!
//! ```text
//!  fetch: TXQ slot ─> 2 read words ─> desc queue (4)
//!  issue: desc queue ─> buffer reads (credits: data FIFO 512 words) ─┐
//!          └─> records: completion (16), stream (16)                 │
//!  rd_rsp ─┬─ desc words (after `skip` buffer words) ─> desc queue    │
//!          └─ buffer words ─> data FIFO ─> beats (desc alongside) ───┘
//!  done (tx_path) ─> done FIFO ─┐
//!  completion records ──────────┴─> TXCQ write ─> tail, head, counters
//! ```
//! A descriptor is fetched only when a completion slot is free for it
//! (`fetch - TXCQ head < TXCQ size`), so completions never wait on the host.
//! One descriptor read is in flight at a time and the fetcher runs ahead of
//! the buffer reads by up to four descriptors, so its round trip hides
//! behind the previous frame's reads. Responses arrive in request order;
//! the words of a descriptor come after exactly the buffer words requested
//! before it (`skip`), so they are told apart without tags. Buffer reads
//! stay within the data FIFO's free space (512 words: enough in flight to
//! cover a 200-cycle memory at one word per cycle), so answers never
//! overflow it. A buffer address that is not 8-byte aligned, or a zero
//! length, completes as `bad_desc` without reading the buffer.
//!
//! `stop` (a reset pending) takes no new descriptor: the frame being read
//! is read to its end and sent (so `tx_path` stays on a frame boundary),
//! completions of frames already taken are written, then `busy` drops and
//! the CSR block pulses `clear`.

use crate::mem_port::MemMaster;
use crate::ram::Style;
use crate::sync_fifo::SyncFifo;
use crate::tso::DESC_BITS;
use rust_hdl::prelude::*;

/// Words of the buffer-data FIFO: the reads that may be in flight.
pub const DATA_WORDS: usize = 512;
/// A beat to the TX path: data 63..0, keep 71..64, last 72, the frame's
/// TSO descriptor above.
pub const BEAT: usize = 73 + DESC_BITS;

#[derive(LogicBlock)]
pub struct TxQueue {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Soft reset: back to the state after `reset` (from the CSR block).
    pub clear: Signal<In, Bit>,
    pub enable: Signal<In, Bit>,
    pub stop: Signal<In, Bit>,
    pub txq_base: Signal<In, Bits<64>>,
    pub txq_log: Signal<In, Bits<4>>,
    pub txq_tail: Signal<In, Bits<16>>,
    pub txcq_base: Signal<In, Bits<64>>,
    pub txcq_log: Signal<In, Bits<4>>,
    pub txcq_head: Signal<In, Bits<16>>,
    /// Descriptors completed: TXQ head and TXCQ tail alike.
    pub done_idx: Signal<Out, Bits<16>>,
    /// Anything in flight (registered: a cycle late).
    pub busy: Signal<Out, Bit>,
    /// One cycle per completion written, with what it said.
    pub cpl: Signal<Out, Bit>,
    pub cpl_err: Signal<Out, Bit>,
    pub cpl_segments: Signal<Out, Bits<16>>,
    pub mem: MemMaster,
    /// Beats to `tx_path` through the engine's output FIFO:
    /// {desc 61, last, keep 8, data 64}, written while `beat_full` is low.
    pub beat: Signal<Out, Bits<BEAT>>,
    pub beat_write: Signal<Out, Bit>,
    pub beat_full: Signal<In, Bit>,
    pub done_valid: Signal<In, Bit>,
    pub done_status: Signal<In, Bits<4>>,
    pub done_segments: Signal<In, Bits<16>>,
    dq: SyncFifo<125, 2, 3>,
    data: SyncFifo<64, 9, 10>,
    srec: SyncFifo<DESC_BITS, 4, 5>,
    crec: SyncFifo<1, 4, 5>,
    dones: SyncFifo<20, 4, 5>,
    // fetcher: 0 idle, 1 word 0, 2 word 1, 3 waiting
    d_state: DFF<Bits<2>>,
    d_got: DFF<Bit>,
    d_addr: DFF<Bits<64>>,
    fetch: DFF<Bits<16>>,
    skip: DFF<Bits<10>>,
    out_buf: DFF<Bits<10>>,
    // issuer
    b_on: DFF<Bit>,
    b_addr: DFF<Bits<64>>,
    b_left: DFF<Bits<15>>,
    used: DFF<Bits<10>>,
    // stream
    c_cnt: DFF<Bits<15>>,
    // completions
    idx: DFF<Bits<16>>,
    busy_q: DFF<Bit>,
    logs: Vec<Constant<Bits<4>>>,
    masks: Vec<Constant<Bits<16>>>,
    sizes: Vec<Constant<Bits<17>>>,
    keeps: Vec<Constant<Bits<8>>>,
    kidx: Vec<Constant<Bits<3>>>,
    credit: Constant<Bits<10>>,
    rst: Signal<Local, Bit>,
    q_mask: Signal<Local, Bits<16>>,
    c_mask: Signal<Local, Bits<16>>,
    c_size: Signal<Local, Bits<17>>,
    can_fetch: Signal<Local, Bit>,
    d_req: Signal<Local, Bit>,
    d_fire: Signal<Local, Bit>,
    d_at: Signal<Local, Bits<64>>,
    rsp_desc: Signal<Local, Bit>,
    rsp_buf: Signal<Local, Bit>,
    b_can: Signal<Local, Bit>,
    b_fire: Signal<Local, Bit>,
    h_word: Signal<Local, Bits<125>>,
    h_addr: Signal<Local, Bits<64>>,
    h_desc: Signal<Local, Bits<DESC_BITS>>,
    h_len: Signal<Local, Bits<17>>,
    h_bad: Signal<Local, Bit>,
    start: Signal<Local, Bit>,
    s_desc: Signal<Local, Bits<DESC_BITS>>,
    s_len: Signal<Local, Bits<17>>,
    s_total: Signal<Local, Bits<15>>,
    s_last: Signal<Local, Bit>,
    s_keep: Signal<Local, Bits<8>>,
    s_fire: Signal<Local, Bit>,
    w_bad: Signal<Local, Bit>,
    w_done: Signal<Local, Bits<20>>,
    w_status: Signal<Local, Bits<4>>,
    w_segs: Signal<Local, Bits<16>>,
    w_phase: Signal<Local, Bit>,
    w_valid: Signal<Local, Bit>,
    w_fire: Signal<Local, Bit>,
}

impl TxQueue {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            clear: Default::default(),
            enable: Default::default(),
            stop: Default::default(),
            txq_base: Default::default(),
            txq_log: Default::default(),
            txq_tail: Default::default(),
            txcq_base: Default::default(),
            txcq_log: Default::default(),
            txcq_head: Default::default(),
            done_idx: Default::default(),
            busy: Default::default(),
            cpl: Default::default(),
            cpl_err: Default::default(),
            cpl_segments: Default::default(),
            mem: Default::default(),
            beat: Default::default(),
            beat_write: Default::default(),
            beat_full: Default::default(),
            done_valid: Default::default(),
            done_status: Default::default(),
            done_segments: Default::default(),
            dq: SyncFifo::new(3, Style::Distributed),
            data: SyncFifo::new(DATA_WORDS, Style::Block),
            srec: SyncFifo::new(14, Style::Distributed),
            crec: SyncFifo::new(14, Style::Distributed),
            dones: SyncFifo::new(16, Style::Distributed),
            d_state: Default::default(),
            d_got: Default::default(),
            d_addr: Default::default(),
            fetch: Default::default(),
            skip: Default::default(),
            out_buf: Default::default(),
            b_on: Default::default(),
            b_addr: Default::default(),
            b_left: Default::default(),
            used: Default::default(),
            c_cnt: Default::default(),
            idx: Default::default(),
            busy_q: Default::default(),
            logs: (0..=spec::regs::MAX_LOG_SIZE as u64)
                .map(|l| Constant::new(l.to_bits()))
                .collect(),
            masks: (0..=spec::regs::MAX_LOG_SIZE)
                .map(|l| Constant::new(((1u64 << l) - 1).to_bits()))
                .collect(),
            sizes: (0..=spec::regs::MAX_LOG_SIZE)
                .map(|l| Constant::new((1u64 << l).to_bits()))
                .collect(),
            keeps: (0..8u64)
                .map(|r| Constant::new((if r == 0 { 0xFF } else { (1u64 << r) - 1 }).to_bits()))
                .collect(),
            kidx: (0..8u64).map(|r| Constant::new(r.to_bits())).collect(),
            credit: Constant::new((DATA_WORDS as u64).to_bits()),
            rst: Default::default(),
            q_mask: Default::default(),
            c_mask: Default::default(),
            c_size: Default::default(),
            can_fetch: Default::default(),
            d_req: Default::default(),
            d_fire: Default::default(),
            d_at: Default::default(),
            rsp_desc: Default::default(),
            rsp_buf: Default::default(),
            b_can: Default::default(),
            b_fire: Default::default(),
            h_word: Default::default(),
            h_addr: Default::default(),
            h_desc: Default::default(),
            h_len: Default::default(),
            h_bad: Default::default(),
            start: Default::default(),
            s_desc: Default::default(),
            s_len: Default::default(),
            s_total: Default::default(),
            s_last: Default::default(),
            s_keep: Default::default(),
            s_fire: Default::default(),
            w_bad: Default::default(),
            w_done: Default::default(),
            w_status: Default::default(),
            w_segs: Default::default(),
            w_phase: Default::default(),
            w_valid: Default::default(),
            w_fire: Default::default(),
        }
    }
}

impl Default for TxQueue {
    fn default() -> Self {
        Self::new()
    }
}

const _: () = assert!(DATA_WORDS == 512);
const _: () = assert!(spec::ring::TX_DESC_BYTES == 16 && spec::ring::TX_CPL_BYTES == 8);
const _: () = assert!(
    spec::ring::FIELD_TXC_BAD_DESC.lsb == 1
        && spec::ring::FIELD_TXC_STATUS.lsb == 4
        && spec::ring::FIELD_TXC_SEGMENTS.lsb == 16
        && spec::ring::FIELD_TXC_INDEX.lsb == 32
        && spec::tso::FIELD_LEN.lsb == 0
        && spec::tso::FIELD_LEN.width == 17
);

impl Logic for TxQueue {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, d_state, d_got, d_addr, fetch, skip, out_buf, b_on, b_addr, b_left, used,
            c_cnt, idx, busy_q
        );
        clock!(self, clock, dq, data, srec, crec, dones);
        self.rst.next = self.reset.val() | self.clear.val();
        self.dq.reset.next = self.rst.val();
        self.data.reset.next = self.rst.val();
        self.srec.reset.next = self.rst.val();
        self.crec.reset.next = self.rst.val();
        self.dones.reset.next = self.rst.val();

        // Ring geometry from the log sizes.
        self.q_mask.next = 0.into();
        self.c_mask.next = 0.into();
        self.c_size.next = 1.into();
        for l in 0..13 {
            if self.txq_log.val() == self.logs[l].val() {
                self.q_mask.next = self.masks[l].val();
            }
            if self.txcq_log.val() == self.logs[l].val() {
                self.c_mask.next = self.masks[l].val();
                self.c_size.next = self.sizes[l].val();
            }
        }

        // Fetcher: one descriptor (two words) at a time, only with a
        // completion slot reserved for it.
        self.can_fetch.next = self.enable.val()
            & !self.stop.val()
            & (self.fetch.q.val() != self.txq_tail.val())
            & (bit_cast::<17, 16>(self.fetch.q.val() - self.txcq_head.val()) < self.c_size.val())
            & !self.dq.almost_full.val();
        self.d_req.next = (self.d_state.q.val() == 1) | (self.d_state.q.val() == 2);
        self.d_at.next =
            self.txq_base.val() + (bit_cast::<64, 16>(self.fetch.q.val() & self.q_mask.val()) << 4);
        if self.d_state.q.val() == 2 {
            self.d_at.next = self.txq_base.val()
                + (bit_cast::<64, 16>(self.fetch.q.val() & self.q_mask.val()) << 4)
                + 8;
        }
        self.d_fire.next = self.d_req.val() & self.mem.rd_req_ready.val();
        if (self.d_state.q.val() == 0) & self.can_fetch.val() {
            self.d_state.d.next = 1.into();
        }
        if (self.d_state.q.val() == 1) & self.d_fire.val() {
            self.d_state.d.next = 2.into();
        }
        if (self.d_state.q.val() == 2) & self.d_fire.val() {
            self.d_state.d.next = 3.into();
        }

        // Answers: a descriptor word once the buffer words before it are in.
        self.rsp_desc.next = self.mem.rd_rsp_valid.val()
            & ((self.d_state.q.val() == 2) | (self.d_state.q.val() == 3))
            & (self.skip.q.val() == 0);
        self.rsp_buf.next = self.mem.rd_rsp_valid.val() & !self.rsp_desc.val();
        if self.rsp_buf.val() {
            self.skip.d.next = self.skip.q.val() - 1;
        }
        if (self.d_state.q.val() == 1) & self.d_fire.val() {
            self.skip.d.next = self.out_buf.q.val() - bit_cast::<10, 1>(self.rsp_buf.val().into());
        }
        self.dq.write.next = false;
        self.dq.data_in.next = (bit_cast::<125, 64>(self.mem.rd_rsp_data.val()) << 64)
            | bit_cast::<125, 64>(self.d_addr.q.val());
        if self.rsp_desc.val() {
            if !self.d_got.q.val() {
                self.d_addr.d.next = self.mem.rd_rsp_data.val();
                self.d_got.d.next = true;
            } else {
                self.dq.write.next = true;
                self.d_got.d.next = false;
                self.d_state.d.next = 0.into();
                self.fetch.d.next = self.fetch.q.val() + 1;
            }
        }

        // Issuer: take a descriptor, read its buffer.
        self.h_word.next = self.dq.data_out.val();
        self.h_addr.next = self.h_word.val().get_bits::<64>(0);
        self.h_desc.next = self.h_word.val().get_bits::<DESC_BITS>(64);
        self.h_len.next = self.h_desc.val().get_bits::<17>(0);
        self.h_bad.next = (self.h_addr.val().get_bits::<3>(0) != 0) | (self.h_len.val() == 0);
        self.start.next = !self.b_on.q.val()
            & self.dq.valid.val()
            & !self.stop.val()
            & !self.crec.almost_full.val()
            & !self.srec.almost_full.val()
            & !self.dones.almost_full.val();
        self.dq.read.next = self.start.val();
        self.crec.write.next = self.start.val();
        self.crec.data_in.next = self.h_bad.val().into();
        self.srec.write.next = self.start.val() & !self.h_bad.val();
        self.srec.data_in.next = self.h_desc.val();
        if self.start.val() & !self.h_bad.val() {
            self.b_on.d.next = true;
            self.b_addr.d.next = self.h_addr.val();
            self.b_left.d.next =
                bit_cast::<15, 18>((bit_cast::<18, 17>(self.h_len.val()) + 7) >> 3);
        }
        self.b_can.next = self.b_on.q.val()
            & !self.d_req.val()
            & (self.used.q.val() < self.credit.val())
            & !self.data.almost_full.val();
        self.b_fire.next = self.b_can.val() & self.mem.rd_req_ready.val();
        if self.b_fire.val() {
            self.b_addr.d.next = self.b_addr.q.val() + 8;
            self.b_left.d.next = self.b_left.q.val() - 1;
            if self.b_left.q.val() == 1 {
                self.b_on.d.next = false;
            }
        }
        self.mem.rd_req_valid.next = self.d_req.val() | self.b_can.val();
        self.mem.rd_req_addr.next = self.b_addr.q.val();
        if self.d_req.val() {
            self.mem.rd_req_addr.next = self.d_at.val();
        }
        self.out_buf.d.next = self.out_buf.q.val() + bit_cast::<10, 1>(self.b_fire.val().into())
            - bit_cast::<10, 1>(self.rsp_buf.val().into());
        self.data.write.next = self.rsp_buf.val();
        self.data.data_in.next = self.mem.rd_rsp_data.val();

        // Stream: buffer words as beats, the descriptor alongside.
        self.s_desc.next = self.srec.data_out.val();
        self.s_len.next = self.s_desc.val().get_bits::<17>(0);
        self.s_total.next = bit_cast::<15, 18>((bit_cast::<18, 17>(self.s_len.val()) + 7) >> 3);
        self.s_last.next = self.c_cnt.q.val() == (self.s_total.val() - 1);
        self.s_keep.next = 0xFF.into();
        if self.s_last.val() {
            for r in 0..8 {
                if self.s_len.val().get_bits::<3>(0) == self.kidx[r].val() {
                    self.s_keep.next = self.keeps[r].val();
                }
            }
        }
        self.beat.next = (bit_cast::<BEAT, DESC_BITS>(self.s_desc.val()) << 73)
            | (bit_cast::<BEAT, 1>(self.s_last.val().into()) << 72)
            | (bit_cast::<BEAT, 8>(self.s_keep.val()) << 64)
            | bit_cast::<BEAT, 64>(self.data.data_out.val());
        self.s_fire.next = self.data.valid.val() & self.srec.valid.val() & !self.beat_full.val();
        self.beat_write.next = self.s_fire.val();
        self.data.read.next = self.s_fire.val();
        self.srec.read.next = self.s_fire.val() & self.s_last.val();
        if self.s_fire.val() {
            self.c_cnt.d.next = self.c_cnt.q.val() + 1;
            if self.s_last.val() {
                self.c_cnt.d.next = 0.into();
            }
        }
        self.used.d.next = self.used.q.val() + bit_cast::<10, 1>(self.b_fire.val().into())
            - bit_cast::<10, 1>(self.s_fire.val().into());

        // Completions, in descriptor order.
        self.dones.write.next = self.done_valid.val();
        self.dones.data_in.next = (bit_cast::<20, 4>(self.done_status.val()) << 16)
            | bit_cast::<20, 16>(self.done_segments.val());
        self.w_bad.next = self.crec.data_out.val() != 0;
        self.w_done.next = self.dones.data_out.val();
        self.w_status.next = self.w_done.val().get_bits::<4>(16);
        self.w_segs.next = self.w_done.val().get_bits::<16>(0);
        if self.w_bad.val() {
            self.w_status.next = 0.into();
            self.w_segs.next = 0.into();
        }
        self.w_phase.next = !self.idx.q.val().get_bit(self.txcq_log.val().index());
        self.w_valid.next = self.crec.valid.val() & (self.w_bad.val() | self.dones.valid.val());
        self.mem.wr_valid.next = self.w_valid.val();
        self.mem.wr_addr.next =
            self.txcq_base.val() + (bit_cast::<64, 16>(self.idx.q.val() & self.c_mask.val()) << 3);
        self.mem.wr_data.next = bit_cast::<64, 1>(self.w_phase.val().into())
            | (bit_cast::<64, 1>(self.w_bad.val().into()) << 1)
            | (bit_cast::<64, 4>(self.w_status.val()) << 4)
            | (bit_cast::<64, 16>(self.w_segs.val()) << 16)
            | (bit_cast::<64, 16>(self.idx.q.val()) << 32);
        self.mem.wr_strb.next = 0xFF.into();
        self.w_fire.next = self.w_valid.val() & self.mem.wr_ready.val();
        self.crec.read.next = self.w_fire.val();
        self.dones.read.next = self.w_fire.val() & !self.w_bad.val();
        if self.w_fire.val() {
            self.idx.d.next = self.idx.q.val() + 1;
        }
        self.cpl.next = self.w_fire.val();
        self.cpl_err.next = self.w_fire.val() & (self.w_bad.val() | (self.w_status.val() != 0));
        self.cpl_segments.next = 0.into();
        if self.w_fire.val() {
            self.cpl_segments.next = self.w_segs.val();
        }
        self.done_idx.next = self.idx.q.val();
        self.busy.next = self.busy_q.q.val();
        self.busy_q.d.next = (self.d_state.q.val() != 0)
            | self.b_on.q.val()
            | self.crec.valid.val()
            | self.srec.valid.val()
            | (self.used.q.val() != 0)
            | (self.out_buf.q.val() != 0);

        if self.rst.val() {
            self.d_state.d.next = 0.into();
            self.d_got.d.next = false;
            self.fetch.d.next = 0.into();
            self.skip.d.next = 0.into();
            self.out_buf.d.next = 0.into();
            self.b_on.d.next = false;
            self.used.d.next = 0.into();
            self.c_cnt.d.next = 0.into();
            self.idx.d.next = 0.into();
        }
    }
}
