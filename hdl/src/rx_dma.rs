//! `rx_dma`: received frames into the host's RX buffers, and their
//! completions into the RX completion ring (the rings are in
//! [`spec::regs`], the entries in [`spec::ring`], the memory port in
//! [`spec::dma`]). 8 bytes per beat.
//!
//! ```text
//!  RXQ ─> descriptor reads ─> descriptor FIFO (32) ─┐
//!  rx tap ─> admission at the first beat ───────────┴─> write FIFO (16) ─┐
//!                      └─> tag per frame (admitted, too big)             ├─> wr port
//!  classification (cpl_*) ─> completion writer (2 words, phase last) ────┘
//! ```
//! * Descriptors are fetched ahead of need (up to 30 in the FIFO or in
//!   flight), so a frame's first beat finds its buffer address already here
//!   even when a memory read takes hundreds of cycles.
//! * Admission at a frame's first beat: the frame is dropped whole, and
//!   counted, when the engine is disabled or resetting or no buffer is
//!   posted (`RXQ_TAIL == taken`; counted `rx_no_buffer`) or no
//!   completion slot is free (`taken - RXCQ_HEAD == size`); it waits (the
//!   tap is not ready) only when a posted buffer's descriptor is still on
//!   its way. Frame k after the last clear takes RXQ index k and RXCQ index
//!   k: both rings advance together.
//! * Each beat is one 64-bit write at the buffer's next word, strobes cut at
//!   the capacity; the rest of a longer frame is not written and the frame
//!   is `too_big`. The frame's last entry in the write FIFO (a write, or a
//!   null entry when nothing was left to write) marks its data as issued:
//!   once that entry has left, every write of the frame was accepted.
//! * At the last beat the block hands a tag (admitted, too big) to its
//!   owner, which joins it with the frame's classification and gives back,
//!   in frame order and only for admitted frames, `cpl_*`. The completion
//!   of frame k is written only after frame k's data left the write FIFO:
//!   word 1 first, then word 0 with the phase, so a host that sees the phase
//!   sees the whole entry. Then `RXQ_HEAD` and `RXCQ_TAIL` advance.
//! * `soft_reset` (the `CTRL_RESET` request): no more frames or descriptors
//!   are taken, the frame being written is abandoned (no completion), the
//!   frames already written complete, reads in flight are awaited; once all
//!   that is done (`idle`) indices, descriptors and counters are cleared
//!   for as long as `soft_reset` stays high.

use crate::mem_port::MemMaster;
use crate::ram::Style;
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;

/// Descriptor FIFO word: address 63..0, capacity 80..64.
const DW: usize = 81;
/// Write FIFO word: end of frame 0, strobes 8..1, data 72..9, address 136..73.
const WW: usize = 137;
/// Descriptors fetched but not taken, at most.
const PREFETCH: u64 = 30;
/// Read words in flight, at most.
const READS: u64 = 60;
/// Classes of [`spec::conn_table::Class`], each with its counter.
pub const CLASSES: usize = 10;
const _: () = assert!(spec::conn_table::Class::ALL.len() == CLASSES);
const _: () =
    assert!(spec::ring::FIELD_RXC_STATUS.lsb == 1 && spec::ring::FIELD_RXC_CLASS.lsb == 4);
const _: () = assert!(spec::ring::FIELD_RXC_HIT.lsb == 8 && spec::ring::FIELD_RXC_INDEX.lsb == 16);
const _: () =
    assert!(spec::ring::FIELD_RXC_VERDICT.lsb == 32 && spec::ring::FIELD_RXC_HASH.lsb == 32);
const _: () =
    assert!(spec::rx_csum::FIELD_LEN.lsb == 15 && spec::ring::FIELD_RXD_CAPACITY.width == 17);
const _: () =
    assert!(spec::conn_table::FIELD_HIT.lsb == 4 && spec::conn_table::FIELD_SLOT.lsb == 8);
const _: () = assert!(spec::ring::RxStatus::TooBig as u8 == 1);

#[derive(LogicBlock)]
pub struct RxDma {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// `CONTROL` enable: without it no frame is taken (dropped and counted
    /// as `rx_no_buffer`, as the model does) and no descriptor is read.
    pub enable: Signal<In, Bit>,
    /// `CONTROL` reset pending (see the module doc).
    pub soft_reset: Signal<In, Bit>,
    pub rxq_base: Signal<In, Bits<64>>,
    pub rxq_log: Signal<In, Bits<4>>,
    pub rxq_tail: Signal<In, Bits<16>>,
    pub rxq_head: Signal<Out, Bits<16>>,
    pub rxcq_base: Signal<In, Bits<64>>,
    pub rxcq_log: Signal<In, Bits<4>>,
    pub rxcq_head: Signal<In, Bits<16>>,
    pub rxcq_tail: Signal<Out, Bits<16>>,
    /// The wire's frames (a tap: `rx_ready` does not depend on `rx_valid`).
    pub rx_valid: Signal<In, Bit>,
    pub rx_ready: Signal<Out, Bit>,
    pub rx_data: Signal<In, Bits<64>>,
    pub rx_keep: Signal<In, Bits<8>>,
    pub rx_last: Signal<In, Bit>,
    /// One pulse per frame, the cycle after its last beat: whether it was
    /// admitted (and not abandoned) and whether it was longer than its buffer.
    pub tag_valid: Signal<Out, Bit>,
    pub tag_admit: Signal<Out, Bit>,
    pub tag_too_big: Signal<Out, Bit>,
    /// The next admitted frame's completion: too big (then `cpl_res` is
    /// ignored), its `rx_csum` verdict and its `conn_table` result.
    pub cpl_valid: Signal<In, Bit>,
    pub cpl_ready: Signal<Out, Bit>,
    pub cpl_too_big: Signal<In, Bit>,
    pub cpl_verdict: Signal<In, Bits<32>>,
    pub cpl_res: Signal<In, Bits<64>>,
    /// Descriptor reads, buffer and completion writes.
    pub mem: MemMaster,
    /// No memory operation in flight or pending (`STATUS` idle).
    pub idle: Signal<Out, Bit>,
    /// One pulse per completion written (interrupt moderation).
    pub cpl: Signal<Out, Bit>,
    /// Counters (32 bits, wrapping; cleared by a soft reset): completions,
    /// their frames' bytes, drops by reason, too-big frames, and frames per
    /// class (class `c` in bits `32c+31..32c`; too-big frames have none).
    pub rx_frames: Signal<Out, Bits<32>>,
    pub rx_bytes: Signal<Out, Bits<32>>,
    pub rx_no_buffer: Signal<Out, Bits<32>>,
    pub rx_cpl_full: Signal<Out, Bits<32>>,
    pub rx_too_big: Signal<Out, Bits<32>>,
    pub class_counts: Signal<Out, Bits<320>>,
    dfifo: SyncFifo<DW, 5, 6>,
    wfifo: SyncFifo<WW, 4, 5>,
    // ring geometry, registered from the log sizes
    q_mask: DFF<Bits<16>>,
    cq_mask: DFF<Bits<16>>,
    cq_size: DFF<Bits<17>>,
    // descriptor fetch
    fetch_idx: DFF<Bits<16>>,
    rq_v: DFF<Bit>,
    rq_second: DFF<Bit>,
    rq_addr: DFF<Bits<64>>,
    rd_out: DFF<Bits<7>>,
    dcount: DFF<Bits<6>>,
    rh: DFF<Bit>,
    rsp_addr: DFF<Bits<64>>,
    // the tap
    in_frame: DFF<Bit>,
    cur_admit: DFF<Bit>,
    cur_addr: DFF<Bits<64>>,
    cur_room: DFF<Bits<17>>,
    cur_big: DFF<Bit>,
    taken: DFF<Bits<16>>,
    open: DFF<Bits<16>>,
    wcount: DFF<Bits<5>>,
    tag_v: DFF<Bit>,
    tag_a: DFF<Bit>,
    tag_b: DFF<Bit>,
    // completions
    ready_frames: DFF<Bits<16>>,
    done: DFF<Bits<16>>,
    cw: DFF<Bits<2>>,
    cw_addr: DFF<Bits<64>>,
    cw_w0: DFF<Bits<64>>,
    cw_w1: DFF<Bits<64>>,
    cw_big: DFF<Bit>,
    cw_class: DFF<Bits<4>>,
    cw_len: DFF<Bits<17>>,
    idle_q: DFF<Bit>,
    cpl_q: DFF<Bit>,
    c_frames: DFF<Bits<32>>,
    c_bytes: DFF<Bits<32>>,
    c_no_buffer: DFF<Bits<32>>,
    c_cpl_full: DFF<Bits<32>>,
    c_too_big: DFF<Bits<32>>,
    c_class: Vec<DFF<Bits<32>>>,
    // constants
    log_k: Vec<Constant<Bits<4>>>,
    mask_k: Vec<Constant<Bits<16>>>,
    size_k: Vec<Constant<Bits<17>>>,
    lane_n: Vec<Constant<Bits<17>>>,
    strb_k: Vec<Constant<Bits<8>>>,
    room_k: Vec<Constant<Bits<17>>>,
    class_k: Vec<Constant<Bits<4>>>,
    class_at: Vec<Constant<Bits<9>>>,
    prefetch: Constant<Bits<6>>,
    reads: Constant<Bits<7>>,
    len_mask: Constant<Bits<32>>,
    /// `RxStatus::TooBig` in word 0.
    status_big: Constant<Bits<64>>,
    slot_mask: Constant<Bits<64>>,
    hash_mask: Constant<Bits<64>>,
    // locals
    open_ok: Signal<Local, Bit>,
    posted: Signal<Local, Bits<16>>,
    cq_used: Signal<Local, Bits<16>>,
    has_buf: Signal<Local, Bit>,
    has_cq: Signal<Local, Bit>,
    admit: Signal<Local, Bit>,
    first: Signal<Local, Bit>,
    go: Signal<Local, Bit>,
    b_addr: Signal<Local, Bits<64>>,
    b_room: Signal<Local, Bits<17>>,
    b_adm: Signal<Local, Bit>,
    nb: Signal<Local, Bits<17>>,
    rmask: Signal<Local, Bits<8>>,
    strb: Signal<Local, Bits<8>>,
    over: Signal<Local, Bit>,
    big_now: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    abandon: Signal<Local, Bit>,
    take_desc: Signal<Local, Bit>,
    unfetched: Signal<Local, Bits<16>>,
    start: Signal<Local, Bit>,
    slot_off: Signal<Local, Bits<64>>,
    w_head: Signal<Local, Bits<WW>>,
    w_strb: Signal<Local, Bits<8>>,
    w_eof: Signal<Local, Bit>,
    take_cpl: Signal<Local, Bit>,
    cpl_done: Signal<Local, Bit>,
    phase: Signal<Local, Bit>,
    verdict: Signal<Local, Bits<32>>,
    clr: Signal<Local, Bit>,
    idle_now: Signal<Local, Bit>,
    cc: Signal<Local, Bits<32>>,
    cc_all: Signal<Local, Bits<320>>,
    open_next: Signal<Local, Bits<16>>,
    ready_next: Signal<Local, Bits<16>>,
    /// `cpl_res` bits 7..5 and 31..24 are no field.
    unused_res: Signal<Local, Bits<64>>,
    unused_af: Signal<Local, Bit>,
}

fn c<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.to_bits())
}

impl Default for RxDma {
    fn default() -> Self {
        Self::new()
    }
}

impl RxDma {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            enable: Default::default(),
            soft_reset: Default::default(),
            rxq_base: Default::default(),
            rxq_log: Default::default(),
            rxq_tail: Default::default(),
            rxq_head: Default::default(),
            rxcq_base: Default::default(),
            rxcq_log: Default::default(),
            rxcq_head: Default::default(),
            rxcq_tail: Default::default(),
            rx_valid: Default::default(),
            rx_ready: Default::default(),
            rx_data: Default::default(),
            rx_keep: Default::default(),
            rx_last: Default::default(),
            tag_valid: Default::default(),
            tag_admit: Default::default(),
            tag_too_big: Default::default(),
            cpl_valid: Default::default(),
            cpl_ready: Default::default(),
            cpl_too_big: Default::default(),
            cpl_verdict: Default::default(),
            cpl_res: Default::default(),
            mem: Default::default(),
            idle: Default::default(),
            cpl: Default::default(),
            rx_frames: Default::default(),
            rx_bytes: Default::default(),
            rx_no_buffer: Default::default(),
            rx_cpl_full: Default::default(),
            rx_too_big: Default::default(),
            class_counts: Default::default(),
            dfifo: SyncFifo::new(31, Style::Distributed),
            wfifo: SyncFifo::new(12, Style::Distributed),
            q_mask: Default::default(),
            cq_mask: Default::default(),
            cq_size: Default::default(),
            fetch_idx: Default::default(),
            rq_v: Default::default(),
            rq_second: Default::default(),
            rq_addr: Default::default(),
            rd_out: Default::default(),
            dcount: Default::default(),
            rh: Default::default(),
            rsp_addr: Default::default(),
            in_frame: Default::default(),
            cur_admit: Default::default(),
            cur_addr: Default::default(),
            cur_room: Default::default(),
            cur_big: Default::default(),
            taken: Default::default(),
            open: Default::default(),
            wcount: Default::default(),
            tag_v: Default::default(),
            tag_a: Default::default(),
            tag_b: Default::default(),
            ready_frames: Default::default(),
            done: Default::default(),
            cw: Default::default(),
            cw_addr: Default::default(),
            cw_w0: Default::default(),
            cw_w1: Default::default(),
            cw_big: Default::default(),
            cw_class: Default::default(),
            cw_len: Default::default(),
            idle_q: Default::default(),
            cpl_q: Default::default(),
            c_frames: Default::default(),
            c_bytes: Default::default(),
            c_no_buffer: Default::default(),
            c_cpl_full: Default::default(),
            c_too_big: Default::default(),
            c_class: (0..CLASSES).map(|_| Default::default()).collect(),
            log_k: (0..16).map(c).collect(),
            mask_k: (0..16).map(|k| c((1u64 << k) - 1)).collect(),
            size_k: (0..16).map(|k| c(1u64 << k)).collect(),
            lane_n: (1..=8).map(c).collect(),
            strb_k: (0..8).map(|k| c((1u64 << k) - 1)).collect(),
            room_k: (0..8).map(c).collect(),
            class_k: (0..CLASSES as u64).map(c).collect(),
            class_at: (0..CLASSES as u64).map(|k| c(32 * k)).collect(),
            prefetch: c(PREFETCH),
            reads: c(READS),
            len_mask: c(0xFFFF_8000),
            status_big: c(2),
            slot_mask: c(0xFFFF),
            hash_mask: c(0xFFFF_FFFF_0000_0000),
            open_ok: Default::default(),
            posted: Default::default(),
            cq_used: Default::default(),
            has_buf: Default::default(),
            has_cq: Default::default(),
            admit: Default::default(),
            first: Default::default(),
            go: Default::default(),
            b_addr: Default::default(),
            b_room: Default::default(),
            b_adm: Default::default(),
            nb: Default::default(),
            rmask: Default::default(),
            strb: Default::default(),
            over: Default::default(),
            big_now: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            abandon: Default::default(),
            take_desc: Default::default(),
            unfetched: Default::default(),
            start: Default::default(),
            slot_off: Default::default(),
            w_head: Default::default(),
            w_strb: Default::default(),
            w_eof: Default::default(),
            take_cpl: Default::default(),
            cpl_done: Default::default(),
            phase: Default::default(),
            verdict: Default::default(),
            clr: Default::default(),
            idle_now: Default::default(),
            cc: Default::default(),
            cc_all: Default::default(),
            open_next: Default::default(),
            ready_next: Default::default(),
            unused_res: Default::default(),
            unused_af: Default::default(),
        }
    }
}

impl Logic for RxDma {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            q_mask,
            cq_mask,
            cq_size,
            fetch_idx,
            rq_v,
            rq_second,
            rq_addr,
            rd_out,
            dcount,
            rh,
            rsp_addr,
            in_frame,
            cur_admit,
            cur_addr,
            cur_room,
            cur_big,
            taken,
            open,
            wcount,
            tag_v,
            tag_a,
            tag_b,
            ready_frames,
            done,
            cw,
            cw_addr,
            cw_w0,
            cw_w1,
            cw_big,
            cw_class,
            cw_len,
            idle_q,
            cpl_q,
            c_frames,
            c_bytes,
            c_no_buffer,
            c_cpl_full,
            c_too_big
        );
        for k in 0..CLASSES {
            self.c_class[k].clock.next = self.clock.val();
            self.c_class[k].d.next = self.c_class[k].q.val();
        }
        self.dfifo.clock.next = self.clock.val();
        self.wfifo.clock.next = self.clock.val();
        self.unused_res.next = self.cpl_res.val();
        self.unused_af.next = self.dfifo.almost_full.val();

        // Ring geometry (stable while enabled).
        for k in 0..16 {
            if self.rxq_log.val() == self.log_k[k].val() {
                self.q_mask.d.next = self.mask_k[k].val();
            }
            if self.rxcq_log.val() == self.log_k[k].val() {
                self.cq_mask.d.next = self.mask_k[k].val();
                self.cq_size.d.next = self.size_k[k].val();
            }
        }

        // Admission, decided from registers only (never from rx_valid).
        self.open_ok.next = self.enable.val() & !self.soft_reset.val();
        self.posted.next = self.rxq_tail.val() - self.taken.q.val();
        self.cq_used.next = self.taken.q.val() - self.rxcq_head.val();
        self.has_buf.next = self.posted.val() != 0;
        self.has_cq.next = bit_cast::<17, 16>(self.cq_used.val()) < self.cq_size.q.val();
        self.admit.next = self.open_ok.val() & self.has_buf.val() & self.has_cq.val();
        self.first.next = !self.in_frame.q.val();
        self.rx_ready.next = !self.wfifo.almost_full.val()
            & !(self.first.val() & self.admit.val() & !self.dfifo.valid.val());
        self.go.next = self.rx_valid.val() & self.rx_ready.val();

        // The beat: where it goes and which of its bytes fit.
        self.b_addr.next = self.cur_addr.q.val();
        self.b_room.next = self.cur_room.q.val();
        self.b_adm.next = self.cur_admit.q.val() & !self.soft_reset.val();
        if self.first.val() {
            self.b_addr.next = self.dfifo.data_out.val().get_bits::<64>(0);
            self.b_room.next = self.dfifo.data_out.val().get_bits::<17>(64);
            self.b_adm.next = self.admit.val();
        }
        self.nb.next = self.lane_n[0].val();
        for i in 0..8 {
            if self.rx_keep.val().get_bit(i) {
                self.nb.next = self.lane_n[i].val();
            }
        }
        self.rmask.next = 0xFF.into();
        for i in 0..8 {
            if self.b_room.val() == self.room_k[i].val() {
                self.rmask.next = self.strb_k[i].val();
            }
        }
        self.strb.next = 0.into();
        if self.b_adm.val() {
            self.strb.next = self.rx_keep.val() & self.rmask.val();
        }
        self.over.next = self.nb.val() > self.b_room.val();
        self.big_now.next = (self.cur_big.q.val() & !self.first.val()) | self.over.val();

        self.abandon.next = self.cur_admit.q.val() & self.soft_reset.val();
        self.take_desc.next = self.go.val() & self.first.val() & self.admit.val();
        self.push.next =
            self.go.val() & self.b_adm.val() & ((self.strb.val() != 0) | self.rx_last.val());
        self.wfifo.write.next = self.push.val();
        self.wfifo.data_in.next = (bit_cast::<WW, 64>(self.b_addr.val()) << 73)
            | (bit_cast::<WW, 64>(self.rx_data.val()) << 9)
            | (bit_cast::<WW, 8>(self.strb.val()) << 1)
            | bit_cast::<WW, 1>(self.rx_last.val().into());
        self.dfifo.read.next = self.take_desc.val();
        self.tag_v.d.next = false;
        if self.abandon.val() {
            self.cur_admit.d.next = false;
        }
        if self.go.val() {
            self.in_frame.d.next = !self.rx_last.val();
            self.cur_addr.d.next = self.b_addr.val() + 8;
            self.cur_room.d.next = self.b_room.val() - self.nb.val();
            if self.over.val() {
                self.cur_room.d.next = 0.into();
            }
            self.cur_admit.d.next = self.b_adm.val() & !self.rx_last.val();
            self.cur_big.d.next = self.big_now.val();
            if self.take_desc.val() {
                self.taken.d.next = self.taken.q.val() + 1;
            }
            if self.first.val() & !self.admit.val() {
                if !self.open_ok.val() | !self.has_buf.val() {
                    self.c_no_buffer.d.next = self.c_no_buffer.q.val() + 1;
                } else {
                    self.c_cpl_full.d.next = self.c_cpl_full.q.val() + 1;
                }
            }
            if self.rx_last.val() {
                self.tag_v.d.next = true;
                self.tag_a.d.next = self.b_adm.val();
                self.tag_b.d.next = self.big_now.val();
            }
        }
        self.tag_valid.next = self.tag_v.q.val();
        self.tag_admit.next = self.tag_a.q.val();
        self.tag_too_big.next = self.tag_b.q.val();

        // Descriptor prefetch: two words per descriptor, in ring order.
        self.unfetched.next = self.rxq_tail.val() - self.fetch_idx.q.val();
        self.start.next = self.open_ok.val()
            & (self.unfetched.val() != 0)
            & (self.dcount.q.val() < self.prefetch.val())
            & (self.rd_out.q.val() < self.reads.val());
        self.slot_off.next = bit_cast::<64, 16>(self.fetch_idx.q.val() & self.q_mask.q.val()) << 4;
        self.mem.rd_req_valid.next = self.rq_v.q.val();
        self.mem.rd_req_addr.next = self.rq_addr.q.val();
        self.dcount.d.next = self.dcount.q.val();
        if (!self.rq_v.q.val() | (self.mem.rd_req_ready.val() & self.rq_second.q.val()))
            & self.start.val()
        {
            self.rq_v.d.next = true;
            self.rq_second.d.next = false;
            self.rq_addr.d.next = self.rxq_base.val() + self.slot_off.val();
            self.fetch_idx.d.next = self.fetch_idx.q.val() + 1;
            self.dcount.d.next = self.dcount.q.val() + 1;
        } else if self.rq_v.q.val() & self.mem.rd_req_ready.val() {
            if !self.rq_second.q.val() {
                self.rq_second.d.next = true;
                self.rq_addr.d.next = self.rq_addr.q.val() + 8;
            } else {
                self.rq_v.d.next = false;
            }
        }
        if self.take_desc.val() {
            self.dcount.d.next = self.dcount.d.val() - 1;
        }
        if (self.rq_v.q.val() & self.mem.rd_req_ready.val()) & !self.mem.rd_rsp_valid.val() {
            self.rd_out.d.next = self.rd_out.q.val() + 1;
        }
        if !(self.rq_v.q.val() & self.mem.rd_req_ready.val()) & self.mem.rd_rsp_valid.val() {
            self.rd_out.d.next = self.rd_out.q.val() - 1;
        }
        self.dfifo.write.next = false;
        self.dfifo.data_in.next =
            (bit_cast::<DW, 17>(self.mem.rd_rsp_data.val().get_bits::<17>(0)) << 64)
                | bit_cast::<DW, 64>(self.rsp_addr.q.val());
        if self.mem.rd_rsp_valid.val() {
            self.rh.d.next = !self.rh.q.val();
            if !self.rh.q.val() {
                self.rsp_addr.d.next = self.mem.rd_rsp_data.val();
            } else {
                self.dfifo.write.next = true;
            }
        }

        // The write port: a completion's two words, else the write FIFO.
        self.w_head.next = self.wfifo.data_out.val();
        self.w_strb.next = self.w_head.val().get_bits::<8>(1);
        self.w_eof.next = self.w_head.val().get_bit(0);
        self.mem.wr_valid.next = false;
        self.mem.wr_addr.next = self.w_head.val().get_bits::<64>(73);
        self.mem.wr_data.next = self.w_head.val().get_bits::<64>(9);
        self.mem.wr_strb.next = self.w_strb.val();
        self.pop.next = false;
        self.cpl_done.next = false;
        if self.cw.q.val() == 1 {
            self.mem.wr_valid.next = true;
            self.mem.wr_addr.next = self.cw_addr.q.val() + 8;
            self.mem.wr_data.next = self.cw_w1.q.val();
            self.mem.wr_strb.next = 0xFF.into();
            if self.mem.wr_ready.val() {
                self.cw.d.next = 2.into();
            }
        } else if self.cw.q.val() == 2 {
            self.mem.wr_valid.next = true;
            self.mem.wr_addr.next = self.cw_addr.q.val();
            self.mem.wr_data.next = self.cw_w0.q.val();
            self.mem.wr_strb.next = 0xFF.into();
            if self.mem.wr_ready.val() {
                self.cw.d.next = 0.into();
                self.cpl_done.next = true;
            }
        } else if self.wfifo.valid.val() {
            if self.w_strb.val() != 0 {
                self.mem.wr_valid.next = true;
                self.pop.next = self.mem.wr_ready.val();
            } else {
                self.pop.next = true;
            }
        }
        self.wfifo.read.next = self.pop.val();
        if self.push.val() & !self.pop.val() {
            self.wcount.d.next = self.wcount.q.val() + 1;
        }
        if self.pop.val() & !self.push.val() {
            self.wcount.d.next = self.wcount.q.val() - 1;
        }

        // Completions: in order, each after its frame's data.
        self.cpl_ready.next = (self.cw.q.val() == 0) & (self.ready_frames.q.val() != 0);
        self.take_cpl.next = self.cpl_valid.val() & self.cpl_ready.val();
        self.phase.next = true;
        for k in 0..16 {
            if self.rxcq_log.val() == self.log_k[k].val() {
                self.phase.next = !self.done.q.val().get_bit(k);
            }
        }
        self.verdict.next = self.cpl_verdict.val();
        if self.cpl_too_big.val() {
            self.verdict.next = self.cpl_verdict.val() & self.len_mask.val();
        }
        if self.take_cpl.val() {
            self.cw.d.next = 1.into();
            self.cw_addr.d.next = self.rxcq_base.val()
                + (bit_cast::<64, 16>(self.done.q.val() & self.cq_mask.q.val()) << 4);
            self.cw_big.d.next = self.cpl_too_big.val();
            self.cw_class.d.next = self.cpl_res.val().get_bits::<4>(0);
            self.cw_len.d.next = self.cpl_verdict.val().get_bits::<17>(15);
            self.cw_w0.d.next = bit_cast::<64, 1>(self.phase.val().into())
                | (bit_cast::<64, 16>(self.done.q.val()) << 16)
                | (bit_cast::<64, 32>(self.verdict.val()) << 32);
            self.cw_w1.d.next = 0.into();
            if self.cpl_too_big.val() {
                self.cw_w0.d.next = self.cw_w0.d.val() | self.status_big.val();
            } else {
                self.cw_w0.d.next = self.cw_w0.d.val()
                    | (bit_cast::<64, 5>(self.cpl_res.val().get_bits::<5>(0)) << 4);
                self.cw_w1.d.next = ((self.cpl_res.val() >> 8) & self.slot_mask.val())
                    | (self.cpl_res.val() & self.hash_mask.val());
            }
        }
        self.cpl_q.d.next = self.cpl_done.val();
        self.cpl.next = self.cpl_q.q.val();
        if self.cpl_done.val() {
            self.done.d.next = self.done.q.val() + 1;
            self.c_frames.d.next = self.c_frames.q.val() + 1;
            self.c_bytes.d.next = self.c_bytes.q.val() + bit_cast::<32, 17>(self.cw_len.q.val());
            if self.cw_big.q.val() {
                self.c_too_big.d.next = self.c_too_big.q.val() + 1;
            } else {
                for k in 0..CLASSES {
                    if self.cw_class.q.val() == self.class_k[k].val() {
                        self.c_class[k].d.next = self.c_class[k].q.val() + 1;
                    }
                }
            }
        }
        self.ready_next.next = self.ready_frames.q.val();
        if self.pop.val() & self.w_eof.val() {
            self.ready_next.next = self.ready_next.val() + 1;
        }
        if self.cpl_done.val() {
            self.ready_next.next = self.ready_next.val() - 1;
        }
        self.ready_frames.d.next = self.ready_next.val();
        self.open_next.next = self.open.q.val();
        if self.take_desc.val() {
            self.open_next.next = self.open_next.val() + 1;
        }
        if self.abandon.val() {
            self.open_next.next = self.open_next.val() - 1;
        }
        if self.cpl_done.val() {
            self.open_next.next = self.open_next.val() - 1;
        }
        self.open.d.next = self.open_next.val();

        // Idle, and the soft reset's clear once idle.
        self.idle_now.next = !self.rq_v.q.val()
            & (self.rd_out.q.val() == 0)
            & (self.open.q.val() == 0)
            & (self.wcount.q.val() == 0)
            & (self.cw.q.val() == 0)
            & !self.cur_admit.q.val();
        self.idle_q.d.next = self.idle_now.val();
        self.idle.next = self.idle_q.q.val();
        self.clr.next = self.soft_reset.val() & self.idle_now.val();
        self.dfifo.reset.next = self.reset.val() | self.clr.val();
        self.wfifo.reset.next = self.reset.val();
        if self.clr.val() {
            self.fetch_idx.d.next = 0.into();
            self.taken.d.next = 0.into();
            self.done.d.next = 0.into();
            self.dcount.d.next = 0.into();
            self.rh.d.next = false;
            self.ready_frames.d.next = 0.into();
            self.c_frames.d.next = 0.into();
            self.c_bytes.d.next = 0.into();
            self.c_no_buffer.d.next = 0.into();
            self.c_cpl_full.d.next = 0.into();
            self.c_too_big.d.next = 0.into();
            for k in 0..CLASSES {
                self.c_class[k].d.next = 0.into();
            }
        }

        self.rxq_head.next = self.done.q.val();
        self.rxcq_tail.next = self.done.q.val();
        self.rx_frames.next = self.c_frames.q.val();
        self.rx_bytes.next = self.c_bytes.q.val();
        self.rx_no_buffer.next = self.c_no_buffer.q.val();
        self.rx_cpl_full.next = self.c_cpl_full.q.val();
        self.rx_too_big.next = self.c_too_big.q.val();
        self.cc_all.next = 0.into();
        for k in 0..CLASSES {
            self.cc.next = self.c_class[k].q.val();
            self.cc_all.next =
                self.cc_all.val() | (bit_cast::<320, 32>(self.cc.val()) << self.class_at[k].val());
        }
        self.class_counts.next = self.cc_all.val();

        if self.reset.val() {
            self.fetch_idx.d.next = 0.into();
            self.rq_v.d.next = false;
            self.rd_out.d.next = 0.into();
            self.dcount.d.next = 0.into();
            self.rh.d.next = false;
            self.in_frame.d.next = false;
            self.cur_admit.d.next = false;
            self.taken.d.next = 0.into();
            self.open.d.next = 0.into();
            self.wcount.d.next = 0.into();
            self.tag_v.d.next = false;
            self.ready_frames.d.next = 0.into();
            self.done.d.next = 0.into();
            self.cw.d.next = 0.into();
            self.idle_q.d.next = false;
            self.cpl_q.d.next = false;
            self.c_frames.d.next = 0.into();
            self.c_bytes.d.next = 0.into();
            self.c_no_buffer.d.next = 0.into();
            self.c_cpl_full.d.next = 0.into();
            self.c_too_big.d.next = 0.into();
            for k in 0..CLASSES {
                self.c_class[k].d.next = 0.into();
            }
        }
    }
}
