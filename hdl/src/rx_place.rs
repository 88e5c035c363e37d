//! `rx_place`: the placement decision for one frame or host command at a
//! time (rules in [`spec::rx_place`], model `model::rx_place::Placer`).
//!
//! ```text
//! op ─> I ─> R ─> D1 ─> D2 ─> O ─> result (+ up to two completions)
//!       ctx RAM read               └─ ctx RAM write
//! ```
//! I takes an op and reads its slot's context (ring, rcv_nxt mirror,
//! interval, latest ACK/window, TS.Recent, pending completion) from one
//! RAM word; R registers the RAM output (a DP16KD without its output
//! register leaves no time for logic after it); D1 compares the op with
//! the context (sequence space, the ring, the interval, TS.Recent); D2
//! decides, and registers the context to write back (it reaches the RAM
//! in O's first cycle, before the next op can read it); O holds the
//! result until it is taken. One op per five cycles at best: a frame of 40 bytes or more at
//! 8 bytes a beat.
//!
//! The result says whether the frame goes to the host (with its
//! `Unplaced` reason), where its payload goes in the ring (offset and the
//! length before the ring's end; the rest goes to offset 0), the rcv_nxt
//! the table must hold, and the completion written before the frame
//! (`Order`, or `OutOfOrder` when the interval moves) and after it.
//!
//! Timers: a pending completion's first frame pushes (slot, time) onto
//! a queue, so the queue holds them oldest first. When the head is `T`
//! cycles old the block runs it as an op of its own: it writes that
//! slot's completion (`Time`) if the same pending completion is still
//! there (otherwise the entry is stale and goes). `FLUSH_ALL` runs every
//! entry the same way (`Host`), taking no other op until the queue is
//! empty: the oldest first, as the model and Linux's GRO flush do. The
//! queue has `2^Q` entries; when it is full its head runs early, which
//! only happens when more than `2^Q - 1` completions start within `T`
//! (at one op per five cycles, never while `T < 5 (2^Q - 1)`).
//!
//! Not here: the ring's base (the DMA side adds it).

use crate::ram::{Ram, Style};
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;
use spec::conn_table::Class;
use spec::rx_place::{Flush, Unplaced};

/// A context word (bit: field): 0 posted, 5..1 log size, 37..6 head,
/// 69..38 rcv_nxt, 70 interval valid, 102..71 its start, 134..103 its end,
/// 166..135 ack, 182..167 window, 183 timestamps seen, 215..184 TS.Recent,
/// 247..216 its TSecr, 248 PAWS, 249 pending, 257..250 frames, 265..258
/// CE marks, 297..266 bytes, 329..298 when the pending one started. The
/// HDL spells these out.
const CTX: usize = 330;
/// A timer queue entry: 15..0 slot, 47..16 when its completion started.
const QW: usize = 48;
/// The counters of [`spec::rx_place::COUNTERS`], 32 bits each.
pub const COUNT_BITS: usize = 32 * spec::rx_place::COUNTERS.len();
/// A completion (bit: field): 2..0 flush, 34..3 rcv_nxt, 66..35 ack,
/// 82..67 window, 114..83 tsval, 146..115 tsecr, 154..147 frames, 162..155
/// CE marks, 163 interval valid, 195..164 its start, 227..196 its end.
pub const CPL: usize = 228;

/// Op codes.
pub const OP_FRAME: u8 = 0;
pub const OP_POST: u8 = 1;
pub const OP_CONSUME: u8 = 2;
pub const OP_WRITE_RCV_NXT: u8 = 3;
pub const OP_FLUSH: u8 = 4;
pub const OP_REMOVE: u8 = 5;
/// 6 is the block's own: a timer queue entry.
pub const OP_FLUSH_ALL: u8 = 7;
/// `res_reason` of a frame with no [`Unplaced`] reason.
pub const NO_REASON: u8 = 7;

// The HDL writes codes as numbers: these are the ones it uses.
const _: () = assert!(Class::Ack as u8 == 5 && Class::Fast as u8 == 6);
const _: () = assert!(Class::Old as u8 == 7 && Class::Ahead as u8 == 8);
const _: () = assert!(Class::Overlap as u8 == 9);
const _: () = assert!(Unplaced::NoBuffer as u8 == 0 && Unplaced::Full as u8 == 1);
const _: () = assert!(Unplaced::SecondHole as u8 == 2 && Unplaced::Below as u8 == 3);
const _: () = assert!(Unplaced::Paws as u8 == 4);
const _: () = assert!(Flush::Bytes as u8 == 0 && Flush::Time as u8 == 1);
const _: () = assert!(Flush::Psh as u8 == 2);
const _: () = assert!(Flush::OutOfOrder as u8 == 3 && Flush::Host as u8 == 4);
const _: () = assert!(Flush::Order as u8 == 5);
const _: () = assert!(spec::rx_place::MIN_LOG_SIZE == 12 && spec::rx_place::MAX_LOG_SIZE == 24);
const _: () = assert!(Unplaced::ALL.len() == 5 && Flush::ALL.len() == 6);

/// The engine's table: 4096 slots, as many timers.
pub type RxPlace4096 = RxPlace<12, 12, 13>;
/// 1024 slots, for an LFE5U-25F.
pub type RxPlace1024 = RxPlace<10, 10, 11>;
/// 16 slots: same logic, cheap to simulate; 1024 timers, so that a test's
/// `T` of thousands of cycles never fills the queue.
pub type RxPlaceSmall = RxPlace<4, 10, 11>;

/// `SB` slot bits, `2^Q` timer queue entries (`Q1` = `Q + 1`).
#[derive(LogicBlock)]
pub struct RxPlace<const SB: usize, const Q: usize, const Q1: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// `N`: pending in-order (or interval) bytes that write a completion.
    pub limit: Signal<In, Bits<32>>,
    /// `T`: cycles from a pending completion's first frame to its write.
    pub timeout: Signal<In, Bits<32>>,
    /// Clears the counters (the engine's soft reset; contexts stay).
    pub clear_counts: Signal<In, Bit>,
    pub op_valid: Signal<In, Bit>,
    pub op_ready: Signal<Out, Bit>,
    pub op: Signal<In, Bits<3>>,
    pub slot: Signal<In, Bits<SB>>,
    /// A frame: the table found its direction at `slot`, and its class.
    pub hit: Signal<In, Bit>,
    pub cls: Signal<In, Bits<4>>,
    /// A frame's seq; a post's rcv_nxt; a consume's head; a write's value.
    pub seq: Signal<In, Bits<32>>,
    /// A frame's ACK number; a post's snd_una.
    pub ack: Signal<In, Bits<32>>,
    pub plen: Signal<In, Bits<16>>,
    pub window: Signal<In, Bits<16>>,
    pub psh: Signal<In, Bit>,
    pub ce: Signal<In, Bit>,
    /// A frame carries timestamps; a post turns PAWS on with TS.Recent
    /// in `tsval`.
    pub ts: Signal<In, Bit>,
    pub tsval: Signal<In, Bits<32>>,
    pub tsecr: Signal<In, Bits<32>>,
    /// A post's ring: head and log size.
    pub head: Signal<In, Bits<32>>,
    pub log_size: Signal<In, Bits<5>>,
    pub res_valid: Signal<Out, Bit>,
    pub res_ready: Signal<In, Bit>,
    pub res_to_host: Signal<Out, Bit>,
    pub res_reason: Signal<Out, Bits<3>>,
    pub res_place: Signal<Out, Bit>,
    pub res_off: Signal<Out, Bits<24>>,
    pub res_first: Signal<Out, Bits<16>>,
    /// The table's rcv_nxt becomes `res_rcv`; a write's answer.
    pub res_wr: Signal<Out, Bit>,
    pub res_rcv: Signal<Out, Bits<32>>,
    /// A command found its slot posted (a post: the ring was accepted).
    pub res_ok: Signal<Out, Bit>,
    pub cpl0_valid: Signal<Out, Bit>,
    pub cpl0: Signal<Out, Bits<CPL>>,
    pub cpl1_valid: Signal<Out, Bit>,
    pub cpl1: Signal<Out, Bits<CPL>>,
    /// The result is a timer's (no op was given for it), and the cycle
    /// (since reset, wrapping) at which its op was taken.
    pub res_internal: Signal<Out, Bit>,
    pub res_at: Signal<Out, Bits<32>>,
    /// The op's slot (a timer's is its own).
    pub res_slot: Signal<Out, Bits<SB>>,
    /// A `FLUSH_ALL` is still writing.
    pub draining: Signal<Out, Bit>,
    /// [`spec::rx_place::COUNTERS`], counter `k` in bits `32k+31..32k`.
    pub counts: Signal<Out, Bits<COUNT_BITS>>,
    ctx: Ram<CTX, SB>,
    queue: SyncFifo<QW, Q, Q1>,
    queued: DFF<Bits<Q1>>,
    full_at: Constant<Bits<Q1>>,
    drain: DFF<Bit>,
    now: DFF<Bits<32>>,
    /// A push, registered: written the next cycle, and shown by the queue
    /// three cycles after that; no op is taken until then.
    push_q: DFF<Bit>,
    push_word: DFF<Bits<QW>>,
    w_en: DFF<Bit>,
    w_addr: DFF<Bits<SB>>,
    w_data: DFF<Bits<CTX>>,
    g1: DFF<Bit>,
    g2: DFF<Bit>,
    o_at: DFF<Bits<32>>,
    o_host: DFF<Bit>,
    p_since_eq: DFF<Bit>,
    r_at: DFF<Bits<32>>,
    r_internal: DFF<Bit>,
    r_slot: DFF<Bits<SB>>,
    // What D counts, registered: the counters add it a cycle later.
    k_v: DFF<Bit>,
    k_placed: DFF<Bit>,
    k_plen: DFF<Bits<16>>,
    k_coal: DFF<Bit>,
    k_unplaced: DFF<Bit>,
    k_reason: DFF<Bits<3>>,
    k_c0v: DFF<Bit>,
    k_c0f: DFF<Bits<3>>,
    k_c1v: DFF<Bit>,
    k_c1f: DFF<Bits<3>>,
    n_placed: DFF<Bits<32>>,
    n_bytes_placed: DFF<Bits<32>>,
    n_coalesced: DFF<Bits<32>>,
    n_cpls: DFF<Bits<32>>,
    n_unplaced: Vec<DFF<Bits<32>>>,
    n_flush: Vec<DFF<Bits<32>>>,
    code_k: Vec<Constant<Bits<3>>>,
    unplaced_at: Vec<Constant<Bits<9>>>,
    flush_at: Vec<Constant<Bits<9>>>,
    h_slot: Signal<Local, Bits<SB>>,
    /// The slot field is 16 bits wide; `queued` counts what is in the queue.
    unused_q: Signal<Local, Bits<16>>,
    unused_af: Signal<Local, Bit>,
    h_since: Signal<Local, Bits<32>>,
    age: Signal<Local, Bits<32>>,
    due: Signal<Local, Bit>,
    free: Signal<Local, Bit>,
    take_head: Signal<Local, Bit>,
    c_since: Signal<Local, Bits<32>>,
    n_since: Signal<Local, Bits<32>>,
    start: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    coal: Signal<Local, Bit>,
    n_cpl: Signal<Local, Bits<32>>,
    f_inc: Signal<Local, Bits<32>>,
    cnt: Signal<Local, Bits<32>>,
    cnt_all: Signal<Local, Bits<COUNT_BITS>>,
    st: DFF<Bits<3>>,
    clearing: DFF<Bit>,
    clear_at: DFF<Bits<SB>>,
    last_slot: Constant<Bits<SB>>,
    ones: Constant<Bits<32>>,
    o_op: DFF<Bits<3>>,
    o_slot: DFF<Bits<SB>>,
    o_hit: DFF<Bit>,
    o_class: DFF<Bits<4>>,
    o_seq: DFF<Bits<32>>,
    o_ack: DFF<Bits<32>>,
    o_plen: DFF<Bits<16>>,
    o_win: DFF<Bits<16>>,
    o_psh: DFF<Bit>,
    o_ce: DFF<Bit>,
    o_ts: DFF<Bit>,
    o_tsval: DFF<Bits<32>>,
    o_tsecr: DFF<Bits<32>>,
    o_head: DFF<Bits<32>>,
    o_log: DFF<Bits<5>>,
    word: DFF<Bits<CTX>>,
    // D1's compares, for D2.
    p_fits: DFF<Bit>,
    p_newer: DFF<Bit>,
    p_ack_eq: DFF<Bit>,
    p_old_ts: DFF<Bit>,
    p_hole: DFF<Bit>,
    p_e_lt_seq: DFF<Bit>,
    p_reached: DFF<Bit>,
    p_end_lt_e: DFF<Bit>,
    p_seq_lt_s: DFF<Bit>,
    p_e_lt_end: DFF<Bit>,
    p_s_le_seq: DFF<Bit>,
    p_seq_lt_e: DFF<Bit>,
    p_fast_add: DFF<Bits<32>>,
    p_grown: DFF<Bits<32>>,
    p_off: DFF<Bits<24>>,
    p_first: DFF<Bits<16>>,
    o_end: DFF<Bits<32>>,
    r_to_host: DFF<Bit>,
    r_reason: DFF<Bits<3>>,
    r_place: DFF<Bit>,
    r_off: DFF<Bits<24>>,
    r_first: DFF<Bits<16>>,
    r_wr: DFF<Bit>,
    r_rcv: DFF<Bits<32>>,
    r_ok: DFF<Bit>,
    r_c0v: DFF<Bit>,
    r_c0: DFF<Bits<CPL>>,
    r_c1v: DFF<Bit>,
    r_c1: DFF<Bits<CPL>>,
    // The context as read.
    c_posted: Signal<Local, Bit>,
    c_log: Signal<Local, Bits<5>>,
    c_head: Signal<Local, Bits<32>>,
    c_rcv: Signal<Local, Bits<32>>,
    c_oov: Signal<Local, Bit>,
    c_oos: Signal<Local, Bits<32>>,
    c_ooe: Signal<Local, Bits<32>>,
    c_ack: Signal<Local, Bits<32>>,
    c_win: Signal<Local, Bits<16>>,
    c_tsv: Signal<Local, Bit>,
    c_tsval: Signal<Local, Bits<32>>,
    c_tsecr: Signal<Local, Bits<32>>,
    c_paws: Signal<Local, Bit>,
    c_pend: Signal<Local, Bit>,
    c_frames: Signal<Local, Bits<8>>,
    c_ce: Signal<Local, Bits<8>>,
    c_bytes: Signal<Local, Bits<32>>,
    // Sequence-space differences: `x_lt` is bit 31 of a - b.
    seg_end: Signal<Local, Bits<32>>,
    size: Signal<Local, Bits<32>>,
    ring_top: Signal<Local, Bits<32>>,
    d_head_seq: Signal<Local, Bits<32>>,
    d_end_top: Signal<Local, Bits<32>>,
    d_ack: Signal<Local, Bits<32>>,
    d_ts: Signal<Local, Bits<32>>,
    d_seq_e: Signal<Local, Bits<32>>,
    d_end_s: Signal<Local, Bits<32>>,
    d_e_seq: Signal<Local, Bits<32>>,
    d_seq_s: Signal<Local, Bits<32>>,
    d_e_end: Signal<Local, Bits<32>>,
    d_s_end: Signal<Local, Bits<32>>,
    d_end_e: Signal<Local, Bits<32>>,
    d_s_seq: Signal<Local, Bits<32>>,
    unused_diff: Signal<Local, Bits<31>>,
    fits: Signal<Local, Bit>,
    is_fast: Signal<Local, Bit>,
    is_ahead: Signal<Local, Bit>,
    is_ack: Signal<Local, Bit>,
    is_below: Signal<Local, Bit>,
    newer_ack: Signal<Local, Bit>,
    judged: Signal<Local, Bit>,
    old_ts: Signal<Local, Bit>,
    paws_ref: Signal<Local, Bit>,
    full_ref: Signal<Local, Bit>,
    hole: Signal<Local, Bit>,
    place_fast: Signal<Local, Bit>,
    place_ahead: Signal<Local, Bit>,
    placed: Signal<Local, Bit>,
    ack_co: Signal<Local, Bit>,
    err: Signal<Local, Bit>,
    stamp: Signal<Local, Bit>,
    moves: Signal<Local, Bit>,
    reached: Signal<Local, Bit>,
    jumped: Signal<Local, Bit>,
    oo_event: Signal<Local, Bit>,
    ack_le: Signal<Local, Bit>,
    a_frames: Signal<Local, Bits<8>>,
    a_ce: Signal<Local, Bits<8>>,
    // The context after the op.
    n_posted: Signal<Local, Bit>,
    n_log: Signal<Local, Bits<5>>,
    n_head: Signal<Local, Bits<32>>,
    n_rcv: Signal<Local, Bits<32>>,
    n_oov: Signal<Local, Bit>,
    n_oos: Signal<Local, Bits<32>>,
    n_ooe: Signal<Local, Bits<32>>,
    n_ack: Signal<Local, Bits<32>>,
    n_win: Signal<Local, Bits<16>>,
    n_tsv: Signal<Local, Bit>,
    n_tsval: Signal<Local, Bits<32>>,
    n_tsecr: Signal<Local, Bits<32>>,
    n_paws: Signal<Local, Bit>,
    n_pend: Signal<Local, Bit>,
    n_frames: Signal<Local, Bits<8>>,
    n_ce: Signal<Local, Bits<8>>,
    n_bytes: Signal<Local, Bits<32>>,
    // The pending completion an add starts from, and what it adds.
    b_frames: Signal<Local, Bits<8>>,
    b_ce: Signal<Local, Bits<8>>,
    b_bytes: Signal<Local, Bits<32>>,
    added: Signal<Local, Bits<32>>,
    front: Signal<Local, Bits<32>>,
    back: Signal<Local, Bits<32>>,
    sum: Signal<Local, Bits<33>>,
    off: Signal<Local, Bits<32>>,
    room: Signal<Local, Bits<32>>,
    first: Signal<Local, Bits<32>>,
    log_ok: Signal<Local, Bit>,
    // Completions as decided.
    c0v: Signal<Local, Bit>,
    c0_flush: Signal<Local, Bits<3>>,
    c0_tsval: Signal<Local, Bits<32>>,
    c0_tsecr: Signal<Local, Bits<32>>,
    c1v: Signal<Local, Bit>,
    c1_flush: Signal<Local, Bits<3>>,
    reason: Signal<Local, Bits<3>>,
    wr: Signal<Local, Bit>,
    rcv_out: Signal<Local, Bits<32>>,
    ok: Signal<Local, Bit>,
    to_host: Signal<Local, Bit>,
    write: Signal<Local, Bit>,
}

impl<const SB: usize, const Q: usize, const Q1: usize> RxPlace<SB, Q, Q1> {
    pub fn new() -> Self {
        assert_eq!(Q + 1, Q1);
        assert!(SB <= 16);
        let c3 = |k: u64| Constant::new(k.to_bits());
        Self {
            clock: Default::default(),
            reset: Default::default(),
            limit: Default::default(),
            timeout: Default::default(),
            clear_counts: Default::default(),
            res_internal: Default::default(),
            res_at: Default::default(),
            draining: Default::default(),
            counts: Default::default(),
            queue: SyncFifo::new(1 << Q, Style::Block),
            queued: Default::default(),
            full_at: Constant::new(((1u64 << Q) - 1).to_bits()),
            drain: Default::default(),
            now: Default::default(),
            push_q: Default::default(),
            push_word: Default::default(),
            w_en: Default::default(),
            w_addr: Default::default(),
            w_data: Default::default(),
            g1: Default::default(),
            g2: Default::default(),
            o_at: Default::default(),
            o_host: Default::default(),
            p_since_eq: Default::default(),
            r_at: Default::default(),
            r_internal: Default::default(),
            r_slot: Default::default(),
            res_slot: Default::default(),
            k_v: Default::default(),
            k_placed: Default::default(),
            k_plen: Default::default(),
            k_coal: Default::default(),
            k_unplaced: Default::default(),
            k_reason: Default::default(),
            k_c0v: Default::default(),
            k_c0f: Default::default(),
            k_c1v: Default::default(),
            k_c1f: Default::default(),
            n_placed: Default::default(),
            n_bytes_placed: Default::default(),
            n_coalesced: Default::default(),
            n_cpls: Default::default(),
            n_unplaced: (0..Unplaced::ALL.len())
                .map(|_| Default::default())
                .collect(),
            n_flush: (0..Flush::ALL.len()).map(|_| Default::default()).collect(),
            code_k: (0..Flush::ALL.len() as u64).map(c3).collect(),
            unplaced_at: (4..9u64)
                .map(|k| Constant::new((32 * k).to_bits()))
                .collect(),
            flush_at: (9..15u64)
                .map(|k| Constant::new((32 * k).to_bits()))
                .collect(),
            h_slot: Default::default(),
            unused_q: Default::default(),
            unused_af: Default::default(),
            h_since: Default::default(),
            age: Default::default(),
            due: Default::default(),
            free: Default::default(),
            take_head: Default::default(),
            c_since: Default::default(),
            n_since: Default::default(),
            start: Default::default(),
            push: Default::default(),
            coal: Default::default(),
            n_cpl: Default::default(),
            f_inc: Default::default(),
            cnt: Default::default(),
            cnt_all: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            op: Default::default(),
            slot: Default::default(),
            hit: Default::default(),
            cls: Default::default(),
            seq: Default::default(),
            ack: Default::default(),
            plen: Default::default(),
            window: Default::default(),
            psh: Default::default(),
            ce: Default::default(),
            ts: Default::default(),
            tsval: Default::default(),
            tsecr: Default::default(),
            head: Default::default(),
            log_size: Default::default(),
            res_valid: Default::default(),
            res_ready: Default::default(),
            res_to_host: Default::default(),
            res_reason: Default::default(),
            res_place: Default::default(),
            res_off: Default::default(),
            res_first: Default::default(),
            res_wr: Default::default(),
            res_rcv: Default::default(),
            res_ok: Default::default(),
            cpl0_valid: Default::default(),
            cpl0: Default::default(),
            cpl1_valid: Default::default(),
            cpl1: Default::default(),
            ctx: Ram::new(Style::Block),
            st: Default::default(),
            clearing: Default::default(),
            clear_at: Default::default(),
            last_slot: Constant::new(((1u64 << SB) - 1).to_bits()),
            ones: Constant::new(0xFFFF_FFFFu64.to_bits()),
            o_op: Default::default(),
            o_slot: Default::default(),
            o_hit: Default::default(),
            o_class: Default::default(),
            o_seq: Default::default(),
            o_ack: Default::default(),
            o_plen: Default::default(),
            o_win: Default::default(),
            o_psh: Default::default(),
            o_ce: Default::default(),
            o_ts: Default::default(),
            o_tsval: Default::default(),
            o_tsecr: Default::default(),
            o_head: Default::default(),
            o_log: Default::default(),
            word: Default::default(),
            p_fits: Default::default(),
            p_newer: Default::default(),
            p_ack_eq: Default::default(),
            p_old_ts: Default::default(),
            p_hole: Default::default(),
            p_e_lt_seq: Default::default(),
            p_reached: Default::default(),
            p_end_lt_e: Default::default(),
            p_seq_lt_s: Default::default(),
            p_e_lt_end: Default::default(),
            p_s_le_seq: Default::default(),
            p_seq_lt_e: Default::default(),
            p_fast_add: Default::default(),
            p_grown: Default::default(),
            p_off: Default::default(),
            p_first: Default::default(),
            o_end: Default::default(),
            r_to_host: Default::default(),
            r_reason: Default::default(),
            r_place: Default::default(),
            r_off: Default::default(),
            r_first: Default::default(),
            r_wr: Default::default(),
            r_rcv: Default::default(),
            r_ok: Default::default(),
            r_c0v: Default::default(),
            r_c0: Default::default(),
            r_c1v: Default::default(),
            r_c1: Default::default(),
            c_posted: Default::default(),
            c_log: Default::default(),
            c_head: Default::default(),
            c_rcv: Default::default(),
            c_oov: Default::default(),
            c_oos: Default::default(),
            c_ooe: Default::default(),
            c_ack: Default::default(),
            c_win: Default::default(),
            c_tsv: Default::default(),
            c_tsval: Default::default(),
            c_tsecr: Default::default(),
            c_paws: Default::default(),
            c_pend: Default::default(),
            c_frames: Default::default(),
            c_ce: Default::default(),
            c_bytes: Default::default(),
            seg_end: Default::default(),
            size: Default::default(),
            ring_top: Default::default(),
            d_head_seq: Default::default(),
            d_end_top: Default::default(),
            d_ack: Default::default(),
            d_ts: Default::default(),
            d_seq_e: Default::default(),
            d_end_s: Default::default(),
            d_e_seq: Default::default(),
            d_seq_s: Default::default(),
            d_e_end: Default::default(),
            d_s_end: Default::default(),
            d_end_e: Default::default(),
            d_s_seq: Default::default(),
            unused_diff: Default::default(),
            fits: Default::default(),
            is_fast: Default::default(),
            is_ahead: Default::default(),
            is_ack: Default::default(),
            is_below: Default::default(),
            newer_ack: Default::default(),
            judged: Default::default(),
            old_ts: Default::default(),
            paws_ref: Default::default(),
            full_ref: Default::default(),
            hole: Default::default(),
            place_fast: Default::default(),
            place_ahead: Default::default(),
            placed: Default::default(),
            ack_co: Default::default(),
            err: Default::default(),
            stamp: Default::default(),
            moves: Default::default(),
            reached: Default::default(),
            jumped: Default::default(),
            oo_event: Default::default(),
            ack_le: Default::default(),
            a_frames: Default::default(),
            a_ce: Default::default(),
            n_posted: Default::default(),
            n_log: Default::default(),
            n_head: Default::default(),
            n_rcv: Default::default(),
            n_oov: Default::default(),
            n_oos: Default::default(),
            n_ooe: Default::default(),
            n_ack: Default::default(),
            n_win: Default::default(),
            n_tsv: Default::default(),
            n_tsval: Default::default(),
            n_tsecr: Default::default(),
            n_paws: Default::default(),
            n_pend: Default::default(),
            n_frames: Default::default(),
            n_ce: Default::default(),
            n_bytes: Default::default(),
            b_frames: Default::default(),
            b_ce: Default::default(),
            b_bytes: Default::default(),
            added: Default::default(),
            front: Default::default(),
            back: Default::default(),
            sum: Default::default(),
            off: Default::default(),
            room: Default::default(),
            first: Default::default(),
            log_ok: Default::default(),
            c0v: Default::default(),
            c0_flush: Default::default(),
            c0_tsval: Default::default(),
            c0_tsecr: Default::default(),
            c1v: Default::default(),
            c1_flush: Default::default(),
            reason: Default::default(),
            wr: Default::default(),
            rcv_out: Default::default(),
            ok: Default::default(),
            to_host: Default::default(),
            write: Default::default(),
        }
    }
}

impl<const SB: usize, const Q: usize, const Q1: usize> Default for RxPlace<SB, Q, Q1> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const SB: usize, const Q: usize, const Q1: usize> Logic for RxPlace<SB, Q, Q1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            st,
            clearing,
            clear_at,
            o_op,
            o_slot,
            o_hit,
            o_class,
            o_seq,
            o_ack,
            o_plen,
            o_win,
            o_psh,
            o_ce,
            o_ts,
            o_tsval,
            o_tsecr,
            o_head,
            o_log,
            word,
            p_fits,
            p_newer,
            p_ack_eq,
            p_old_ts,
            p_hole,
            p_e_lt_seq,
            p_reached,
            p_end_lt_e,
            p_seq_lt_s,
            p_e_lt_end,
            p_s_le_seq,
            p_seq_lt_e,
            p_fast_add,
            p_grown,
            p_off,
            p_first,
            o_end,
            r_to_host,
            r_reason,
            r_place,
            r_off,
            r_first,
            r_wr,
            r_rcv,
            r_ok,
            r_c0v,
            r_c0,
            r_c1v,
            r_c1,
            queued,
            drain,
            now,
            push_q,
            push_word,
            w_en,
            w_addr,
            w_data,
            g1,
            g2,
            o_at,
            o_host,
            p_since_eq,
            r_at,
            r_internal,
            r_slot,
            n_placed,
            n_bytes_placed,
            n_coalesced,
            n_cpls,
            k_v,
            k_placed,
            k_plen,
            k_coal,
            k_unplaced,
            k_reason,
            k_c0v,
            k_c0f,
            k_c1v,
            k_c1f
        );
        clock!(self, clock, ctx, queue);
        for k in 0..5 {
            self.n_unplaced[k].clock.next = self.clock.val();
            self.n_unplaced[k].d.next = self.n_unplaced[k].q.val();
        }
        for k in 0..6 {
            self.n_flush[k].clock.next = self.clock.val();
            self.n_flush[k].d.next = self.n_flush[k].q.val();
        }
        self.now.d.next = self.now.q.val() + 1;
        self.queue.reset.next = self.reset.val();
        self.g2.d.next = self.g1.q.val();

        // I: the timer queue's head when it is due (or the queue full, or
        // a FLUSH_ALL drains it), else an op; the slot's word is read at
        // once.
        self.h_slot.next = self.queue.data_out.val().get_bits::<SB>(0);
        self.h_since.next = self.queue.data_out.val().get_bits::<32>(16);
        self.unused_q.next = self.queue.data_out.val().get_bits::<16>(0);
        self.unused_af.next = self.queue.almost_full.val();
        self.age.next = self.now.q.val() - self.h_since.val();
        self.due.next = self.queue.valid.val()
            & ((self.age.val() >= self.timeout.val())
                | (self.queued.q.val() >= self.full_at.val())
                | self.drain.q.val());
        self.free.next = (self.st.q.val() == 0)
            & !self.clearing.q.val()
            & !self.w_en.q.val()
            & !self.push_q.q.val()
            & !self.g1.q.val()
            & !self.g2.q.val();
        self.take_head.next = self.free.val() & self.due.val();
        self.op_ready.next = self.free.val() & !self.due.val() & !self.drain.q.val();
        self.queue.read.next = self.take_head.val();
        self.ctx.read_address.next = self.slot.val();
        if self.take_head.val() {
            self.ctx.read_address.next = self.h_slot.val();
            self.st.d.next = 1.into();
            self.o_op.d.next = 6.into();
            self.o_slot.d.next = self.h_slot.val();
            self.o_hit.d.next = false;
            self.o_class.d.next = 0.into();
            self.o_seq.d.next = self.h_since.val();
            self.o_host.d.next = self.drain.q.val();
            self.o_at.d.next = self.now.q.val();
        }
        if self.drain.q.val() & (self.queued.q.val() == 0) & (self.st.q.val() == 0) {
            self.drain.d.next = false;
        }
        if self.op_valid.val() & self.op_ready.val() {
            self.st.d.next = 1.into();
            self.o_host.d.next = false;
            self.o_at.d.next = self.now.q.val();
            self.o_op.d.next = self.op.val();
            self.o_slot.d.next = self.slot.val();
            self.o_hit.d.next = self.hit.val();
            self.o_class.d.next = self.cls.val();
            self.o_seq.d.next = self.seq.val();
            self.o_ack.d.next = self.ack.val();
            self.o_plen.d.next = self.plen.val();
            self.o_end.d.next = self.seq.val() + bit_cast::<32, 16>(self.plen.val());
            self.o_win.d.next = self.window.val();
            self.o_psh.d.next = self.psh.val();
            self.o_ce.d.next = self.ce.val();
            self.o_ts.d.next = self.ts.val();
            self.o_tsval.d.next = self.tsval.val();
            self.o_tsecr.d.next = self.tsecr.val();
            self.o_head.d.next = self.head.val();
            self.o_log.d.next = self.log_size.val();
        }
        // R: the RAM's word, registered.
        if self.st.q.val() == 1 {
            self.word.d.next = self.ctx.read_data.val();
            self.st.d.next = 2.into();
        }
        if self.st.q.val() == 2 {
            self.st.d.next = 3.into();
        }

        // D: the context's fields.
        self.c_posted.next = self.word.q.val().get_bit(0);
        self.c_log.next = self.word.q.val().get_bits::<5>(1);
        self.c_head.next = self.word.q.val().get_bits::<32>(6);
        self.c_rcv.next = self.word.q.val().get_bits::<32>(38);
        self.c_oov.next = self.word.q.val().get_bit(70);
        self.c_oos.next = self.word.q.val().get_bits::<32>(71);
        self.c_ooe.next = self.word.q.val().get_bits::<32>(103);
        self.c_ack.next = self.word.q.val().get_bits::<32>(135);
        self.c_win.next = self.word.q.val().get_bits::<16>(167);
        self.c_tsv.next = self.word.q.val().get_bit(183);
        self.c_tsval.next = self.word.q.val().get_bits::<32>(184);
        self.c_tsecr.next = self.word.q.val().get_bits::<32>(216);
        self.c_paws.next = self.word.q.val().get_bit(248);
        self.c_pend.next = self.word.q.val().get_bit(249);
        self.c_frames.next = self.word.q.val().get_bits::<8>(250);
        self.c_ce.next = self.word.q.val().get_bits::<8>(258);
        self.c_bytes.next = self.word.q.val().get_bits::<32>(266);
        self.c_since.next = self.word.q.val().get_bits::<32>(298);

        // Comparisons (sequence space: a < b when bit 31 of a - b is set).
        self.seg_end.next = self.o_end.q.val();
        self.size.next = bit_cast::<32, 1>(1.into()) << self.c_log.val();
        self.ring_top.next = self.c_head.val() + self.size.val();
        self.d_head_seq.next = self.c_head.val() - self.o_seq.q.val();
        self.d_end_top.next = self.seg_end.val() - self.ring_top.val();
        self.d_ack.next = self.c_ack.val() - self.o_ack.q.val();
        self.d_ts.next = self.o_tsval.q.val() - self.c_tsval.val();
        self.d_seq_e.next = self.o_seq.q.val() - self.c_ooe.val();
        self.d_end_s.next = self.seg_end.val() - self.c_oos.val();
        self.d_e_seq.next = self.c_ooe.val() - self.o_seq.q.val();
        self.d_seq_s.next = self.o_seq.q.val() - self.c_oos.val();
        self.d_e_end.next = self.c_ooe.val() - self.seg_end.val();
        self.d_s_end.next = self.c_oos.val() - self.seg_end.val();
        self.d_end_e.next = self.seg_end.val() - self.c_ooe.val();
        self.d_s_seq.next = self.c_oos.val() - self.o_seq.q.val();
        // Only the differences' signs matter.
        self.unused_diff.next = self.d_head_seq.val().get_bits::<31>(0)
            ^ self.d_end_top.val().get_bits::<31>(0)
            ^ self.d_ack.val().get_bits::<31>(0)
            ^ self.d_ts.val().get_bits::<31>(0)
            ^ self.d_seq_e.val().get_bits::<31>(0)
            ^ self.d_end_s.val().get_bits::<31>(0)
            ^ self.d_seq_s.val().get_bits::<31>(0)
            ^ self.d_e_end.val().get_bits::<31>(0)
            ^ self.d_s_end.val().get_bits::<31>(0);
        // D1 registers what D2 decides on (the context and the op stay put
        // until the result is taken).
        self.p_fits.d.next = ((self.c_head.val() == self.o_seq.q.val())
            | self.d_head_seq.val().get_bit(31))
            & ((self.seg_end.val() == self.ring_top.val()) | self.d_end_top.val().get_bit(31));
        self.p_newer.d.next = self.d_ack.val().get_bit(31);
        self.p_ack_eq.d.next = self.c_ack.val() == self.o_ack.q.val();
        self.p_old_ts.d.next =
            self.c_tsv.val() & self.o_ts.q.val() & self.c_paws.val() & self.d_ts.val().get_bit(31);
        self.p_hole.d.next = self.c_oov.val()
            & ((self.o_seq.q.val() == self.c_ooe.val()) | self.d_seq_e.val().get_bit(31))
            & self.d_end_s.val().get_bit(31);
        self.p_e_lt_seq.d.next = self.d_e_seq.val().get_bit(31);
        self.p_reached.d.next = self.c_oov.val()
            & ((self.c_oos.val() == self.seg_end.val()) | self.d_s_end.val().get_bit(31));
        self.p_end_lt_e.d.next = self.d_end_e.val().get_bit(31);
        self.p_seq_lt_s.d.next = self.d_seq_s.val().get_bit(31);
        self.p_e_lt_end.d.next = self.d_e_end.val().get_bit(31);
        self.p_s_le_seq.d.next =
            (self.c_oos.val() == self.o_seq.q.val()) | self.d_s_seq.val().get_bit(31);
        self.p_seq_lt_e.d.next = self.d_seq_e.val().get_bit(31);
        // A timer's entry is the pending completion's own, not a stale one.
        self.p_since_eq.d.next = self.c_since.val() == self.o_seq.q.val();
        // What an in-order frame adds: its length, or up to the end of
        // the interval it reaches; what an interval grows by at either end.
        self.p_fast_add.d.next = bit_cast::<32, 16>(self.o_plen.q.val());
        if self.c_oov.val()
            & ((self.c_oos.val() == self.seg_end.val()) | self.d_s_end.val().get_bit(31))
            & self.d_end_e.val().get_bit(31)
        {
            self.p_fast_add.d.next = self.d_e_seq.val();
        }
        self.front.next = 0.into();
        self.back.next = 0.into();
        if self.d_seq_s.val().get_bit(31) {
            self.front.next = self.d_s_seq.val();
        }
        if self.d_e_end.val().get_bit(31) {
            self.back.next = self.d_end_e.val();
        }
        self.p_grown.d.next = self.front.val() + self.back.val();
        // Where the payload goes.
        self.off.next = self.o_seq.q.val() & (self.size.val() - 1);
        self.room.next = self.size.val() - self.off.val();
        self.first.next = bit_cast::<32, 16>(self.o_plen.q.val());
        if self.room.val() < self.first.val() {
            self.first.next = self.room.val();
        }
        self.p_off.d.next = self.off.val().get_bits::<24>(0);
        self.p_first.d.next = self.first.val().get_bits::<16>(0);

        // D2: the verdict.
        self.fits.next = self.p_fits.q.val();
        self.is_fast.next = self.o_class.q.val() == 6;
        self.is_ahead.next = self.o_class.q.val() == 8;
        self.is_ack.next = self.o_class.q.val() == 5;
        self.is_below.next = (self.o_class.q.val() == 7) | (self.o_class.q.val() == 9);
        self.newer_ack.next = self.p_newer.q.val();
        self.judged.next =
            self.is_fast.val() | self.is_ahead.val() | (self.is_ack.val() & self.newer_ack.val());
        self.old_ts.next = self.p_old_ts.q.val();
        self.paws_ref.next = self.judged.val() & self.old_ts.val();
        self.full_ref.next =
            !self.paws_ref.val() & (self.is_fast.val() | self.is_ahead.val()) & !self.fits.val();
        self.hole.next = self.p_hole.q.val();
        self.place_fast.next = !self.paws_ref.val() & self.is_fast.val() & self.fits.val();
        self.place_ahead.next =
            !self.paws_ref.val() & self.is_ahead.val() & self.fits.val() & !self.hole.val();
        self.placed.next = self.place_fast.val() | self.place_ahead.val();
        self.ack_co.next = !self.paws_ref.val() & self.is_ack.val() & self.newer_ack.val();
        self.err.next = !self.placed.val() & !self.ack_co.val();
        self.stamp.next = self.o_ts.q.val() & self.judged.val() & !self.old_ts.val();
        self.moves.next = self.place_ahead.val() & self.c_oov.val() & self.p_e_lt_seq.q.val();
        self.reached.next = self.p_reached.q.val();

        // The context after a frame, from the one read.
        self.n_posted.next = self.c_posted.val();
        self.n_log.next = self.c_log.val();
        self.n_head.next = self.c_head.val();
        self.n_rcv.next = self.c_rcv.val();
        self.n_oov.next = self.c_oov.val();
        self.n_oos.next = self.c_oos.val();
        self.n_ooe.next = self.c_ooe.val();
        self.n_ack.next = self.c_ack.val();
        self.n_win.next = self.c_win.val();
        self.n_tsv.next = self.c_tsv.val() | self.stamp.val();
        self.n_tsval.next = self.c_tsval.val();
        self.n_tsecr.next = self.c_tsecr.val();
        if self.stamp.val() {
            self.n_tsval.next = self.o_tsval.q.val();
            self.n_tsecr.next = self.o_tsecr.q.val();
        }
        self.n_paws.next = self.c_paws.val();
        // A frame that moves the interval writes the pending completion
        // first; what it adds starts from nothing.
        self.b_frames.next = self.c_frames.val();
        self.b_ce.next = self.c_ce.val();
        self.b_bytes.next = self.c_bytes.val();
        if self.moves.val() {
            self.b_frames.next = 0.into();
            self.b_ce.next = 0.into();
            self.b_bytes.next = 0.into();
        }
        self.jumped.next = false;
        self.added.next = 0.into();
        if self.place_fast.val() {
            self.n_rcv.next = self.seg_end.val();
            if self.reached.val() {
                self.n_oov.next = false;
                if self.p_end_lt_e.q.val() {
                    self.n_rcv.next = self.c_ooe.val();
                    self.jumped.next = true;
                }
            }
            self.added.next = self.p_fast_add.q.val();
        }
        if self.place_ahead.val() {
            self.n_oov.next = true;
            self.n_oos.next = self.o_seq.q.val();
            self.n_ooe.next = self.seg_end.val();
            if self.c_oov.val() & !self.moves.val() {
                if !self.p_seq_lt_s.q.val() {
                    self.n_oos.next = self.c_oos.val();
                }
                if !self.p_e_lt_end.q.val() {
                    self.n_ooe.next = self.c_ooe.val();
                }
                self.added.next = self.p_grown.q.val();
            }
        }
        self.oo_event.next =
            (self.place_ahead.val() & (!self.c_oov.val() | self.moves.val())) | self.jumped.val();
        // A reordered frame's older ACK does not replace a newer one.
        self.ack_le.next = self.newer_ack.val() | self.p_ack_eq.q.val();
        if self.ack_le.val() & (self.placed.val() | self.ack_co.val()) {
            self.n_ack.next = self.o_ack.q.val();
            self.n_win.next = self.o_win.q.val();
        }
        self.sum.next =
            bit_cast::<33, 32>(self.b_bytes.val()) + bit_cast::<33, 32>(self.added.val());
        self.n_pend.next = self.c_pend.val();
        self.n_frames.next = self.c_frames.val();
        self.n_ce.next = self.c_ce.val();
        self.n_bytes.next = self.c_bytes.val();
        if self.placed.val() | self.ack_co.val() {
            self.n_pend.next = true;
            self.n_frames.next = self.b_frames.val() + 1;
            if self.b_frames.val() == 255 {
                self.n_frames.next = 255.into();
            }
            self.n_ce.next = self.b_ce.val();
            if self.o_ce.q.val() & (self.b_ce.val() != 255) {
                self.n_ce.next = self.b_ce.val() + 1;
            }
            self.n_bytes.next = self.sum.val().get_bits::<32>(0);
            if self.sum.val().get_bit(32) {
                self.n_bytes.next = self.ones.val();
            }
        }

        // A frame's verdict and completions.
        self.reason.next = 7.into();
        if self.paws_ref.val() {
            self.reason.next = 4.into();
        } else if self.full_ref.val() {
            self.reason.next = 1.into();
        } else if self.is_ahead.val() & self.hole.val() {
            self.reason.next = 2.into();
        } else if self.is_below.val() {
            self.reason.next = 3.into();
        }
        self.to_host.next = self.err.val();
        self.c0v.next = self.c_pend.val() & (self.err.val() | self.moves.val());
        self.c0_flush.next = 3.into();
        self.c0_tsval.next = self.c_tsval.val();
        self.c0_tsecr.next = self.c_tsecr.val();
        if self.err.val() {
            // The frame's timestamps are stamped before it goes.
            self.c0_flush.next = 5.into();
            self.c0_tsval.next = self.n_tsval.val();
            self.c0_tsecr.next = self.n_tsecr.val();
        }
        self.c1_flush.next = 0.into();
        self.c1v.next =
            (self.placed.val() | self.ack_co.val()) & (self.n_bytes.val() >= self.limit.val());
        if self.placed.val() & self.o_psh.q.val() {
            self.c1_flush.next = 2.into();
            self.c1v.next = true;
        }
        if self.oo_event.val() {
            self.c1_flush.next = 3.into();
            self.c1v.next = true;
        }
        self.wr.next = (self.err.val() & self.is_fast.val()) | self.jumped.val();
        self.rcv_out.next = self.o_seq.q.val();
        if self.jumped.val() {
            self.rcv_out.next = self.n_rcv.val();
        }
        if self.err.val() {
            self.n_pend.next = false;
            self.n_frames.next = 0.into();
            self.n_ce.next = 0.into();
            self.n_bytes.next = 0.into();
        }
        self.ok.next = self.c_posted.val();
        self.write.next = self.c_posted.val();

        // Commands and frames of a direction with no ring replace that.
        if self.o_op.q.val() == 0 {
            if !self.o_hit.q.val() | !self.c_posted.val() {
                self.to_host.next = true;
                self.reason.next = 7.into();
                if self.o_hit.q.val()
                    & (self.o_plen.q.val() != 0)
                    & (self.is_fast.val() | self.is_ahead.val())
                {
                    self.reason.next = 0.into();
                }
                self.placed.next = false;
                self.c0v.next = false;
                self.c1v.next = false;
                self.wr.next = false;
                self.write.next = false;
            }
        } else {
            self.to_host.next = false;
            self.placed.next = false;
            self.c0v.next = false;
            self.c1v.next = false;
            self.wr.next = false;
            self.n_rcv.next = self.c_rcv.val();
            self.n_oov.next = self.c_oov.val();
            self.n_oos.next = self.c_oos.val();
            self.n_ooe.next = self.c_ooe.val();
            self.n_ack.next = self.c_ack.val();
            self.n_win.next = self.c_win.val();
            self.n_tsv.next = self.c_tsv.val();
            self.n_tsval.next = self.c_tsval.val();
            self.n_tsecr.next = self.c_tsecr.val();
            self.n_pend.next = self.c_pend.val();
            self.n_frames.next = self.c_frames.val();
            self.n_ce.next = self.c_ce.val();
            self.n_bytes.next = self.c_bytes.val();
        }
        self.log_ok.next = (self.o_log.q.val() >= 12) & (self.o_log.q.val() <= 24);
        if self.o_op.q.val() == 1 {
            self.ok.next = self.log_ok.val();
            self.write.next = self.log_ok.val();
            self.n_posted.next = true;
            self.n_log.next = self.o_log.q.val();
            self.n_head.next = self.o_head.q.val();
            self.n_rcv.next = self.o_seq.q.val();
            self.n_oov.next = false;
            self.n_ack.next = self.o_ack.q.val();
            self.n_win.next = 0.into();
            self.n_tsv.next = self.o_ts.q.val();
            self.n_tsval.next = 0.into();
            if self.o_ts.q.val() {
                self.n_tsval.next = self.o_tsval.q.val();
            }
            self.n_tsecr.next = 0.into();
            self.n_paws.next = self.o_ts.q.val();
            self.n_pend.next = false;
            self.n_frames.next = 0.into();
            self.n_ce.next = 0.into();
            self.n_bytes.next = 0.into();
        }
        if self.o_op.q.val() == 2 {
            self.n_head.next = self.o_seq.q.val();
        }
        if self.o_op.q.val() == 3 {
            // rcv_nxt moves to the value, past the interval if it reaches
            // it; a jump is reported at once.
            self.wr.next = true;
            self.rcv_out.next = self.o_seq.q.val();
            self.n_rcv.next = self.o_seq.q.val();
            if self.c_posted.val() & self.c_oov.val() & self.p_s_le_seq.q.val() {
                self.n_oov.next = false;
                if self.p_seq_lt_e.q.val() {
                    self.n_rcv.next = self.c_ooe.val();
                    self.rcv_out.next = self.c_ooe.val();
                    self.c1v.next = true;
                    self.c1_flush.next = 3.into();
                }
            }
        }
        if self.o_op.q.val() == 4 {
            self.c1v.next = self.c_posted.val() & self.c_pend.val();
            self.c1_flush.next = 4.into();
        }
        if self.o_op.q.val() == 5 {
            self.ok.next = true;
            self.write.next = true;
            self.n_posted.next = false;
        }
        if self.o_op.q.val() == 6 {
            self.c1v.next = self.c_posted.val() & self.c_pend.val() & self.p_since_eq.q.val();
            self.c1_flush.next = 1.into();
            if self.o_host.q.val() {
                self.c1_flush.next = 4.into();
            }
        }
        if self.o_op.q.val() == 7 {
            self.ok.next = true;
            self.write.next = false;
        }
        self.a_frames.next = self.n_frames.val();
        self.a_ce.next = self.n_ce.val();
        if self.c1v.val() {
            self.n_pend.next = false;
            self.n_frames.next = 0.into();
            self.n_ce.next = 0.into();
            self.n_bytes.next = 0.into();
        }
        // A pending completion that starts here (none was, or the one that
        // was has just been written) takes a timer.
        self.start.next = (self.o_op.q.val() == 0)
            & self.write.val()
            & self.n_pend.val()
            & (!self.c_pend.val() | self.c0v.val());
        self.n_since.next = self.c_since.val();
        if self.start.val() {
            self.n_since.next = self.o_at.q.val();
        }
        self.push.next = (self.st.q.val() == 3) & self.start.val();
        self.push_q.d.next = self.push.val();
        self.push_word.d.next =
            bit_cast::<QW, SB>(self.o_slot.q.val()) | (bit_cast::<QW, 32>(self.o_at.q.val()) << 16);
        self.queue.write.next = self.push_q.q.val();
        self.queue.data_in.next = self.push_word.q.val();
        self.g1.d.next = self.push_q.q.val();
        self.queued.d.next = self.queued.q.val() + bit_cast::<Q1, 1>(self.push_q.q.val().into())
            - bit_cast::<Q1, 1>(self.take_head.val().into());

        // The counters, as the model counts.
        self.coal.next =
            (self.o_op.q.val() == 0) & self.o_hit.q.val() & self.c_posted.val() & self.ack_co.val();
        self.k_v.d.next = self.st.q.val() == 3;
        self.k_placed.d.next = self.placed.val();
        self.k_plen.d.next = self.o_plen.q.val();
        self.k_coal.d.next = self.coal.val();
        self.k_unplaced.d.next = (self.o_op.q.val() == 0) & self.to_host.val();
        self.k_reason.d.next = self.reason.val();
        self.k_c0v.d.next = self.c0v.val();
        self.k_c0f.d.next = self.c0_flush.val();
        self.k_c1v.d.next = self.c1v.val();
        self.k_c1f.d.next = self.c1_flush.val();
        self.n_cpl.next = bit_cast::<32, 1>(self.k_c0v.q.val().into())
            + bit_cast::<32, 1>(self.k_c1v.q.val().into());
        if self.k_v.q.val() {
            if self.k_placed.q.val() {
                self.n_placed.d.next = self.n_placed.q.val() + 1;
                self.n_bytes_placed.d.next =
                    self.n_bytes_placed.q.val() + bit_cast::<32, 16>(self.k_plen.q.val());
            }
            if self.k_coal.q.val() {
                self.n_coalesced.d.next = self.n_coalesced.q.val() + 1;
            }
            self.n_cpls.d.next = self.n_cpls.q.val() + self.n_cpl.val();
            for k in 0..5 {
                if self.k_unplaced.q.val() & (self.k_reason.q.val() == self.code_k[k].val()) {
                    self.n_unplaced[k].d.next = self.n_unplaced[k].q.val() + 1;
                }
            }
        }
        for k in 0..6 {
            self.f_inc.next = 0.into();
            if self.k_c0v.q.val() & (self.k_c0f.q.val() == self.code_k[k].val()) {
                self.f_inc.next = 1.into();
            }
            if self.k_c1v.q.val() & (self.k_c1f.q.val() == self.code_k[k].val()) {
                self.f_inc.next = self.f_inc.val() + 1;
            }
            if self.k_v.q.val() {
                self.n_flush[k].d.next = self.n_flush[k].q.val() + self.f_inc.val();
            }
        }
        self.cnt_all.next = bit_cast::<COUNT_BITS, 32>(self.n_placed.q.val())
            | (bit_cast::<COUNT_BITS, 32>(self.n_bytes_placed.q.val()) << 32)
            | (bit_cast::<COUNT_BITS, 32>(self.n_coalesced.q.val()) << 64)
            | (bit_cast::<COUNT_BITS, 32>(self.n_cpls.q.val()) << 96);
        for k in 0..5 {
            self.cnt.next = self.n_unplaced[k].q.val();
            self.cnt_all.next = self.cnt_all.val()
                | (bit_cast::<COUNT_BITS, 32>(self.cnt.val()) << self.unplaced_at[k].val());
        }
        for k in 0..6 {
            self.cnt.next = self.n_flush[k].q.val();
            self.cnt_all.next = self.cnt_all.val()
                | (bit_cast::<COUNT_BITS, 32>(self.cnt.val()) << self.flush_at[k].val());
        }
        self.counts.next = self.cnt_all.val();
        self.draining.next = self.drain.q.val();
        if self.clear_counts.val() | self.reset.val() {
            self.n_placed.d.next = 0.into();
            self.n_bytes_placed.d.next = 0.into();
            self.n_coalesced.d.next = 0.into();
            self.n_cpls.d.next = 0.into();
            for k in 0..5 {
                self.n_unplaced[k].d.next = 0.into();
            }
            for k in 0..6 {
                self.n_flush[k].d.next = 0.into();
            }
        }

        // D's writes: the context, the result and the completions.
        // The context goes to the RAM a cycle later, registered: no op is
        // taken (and its slot read) until it has.
        self.ctx.write_address.next = self.w_addr.q.val();
        self.ctx.write_enable.next = self.w_en.q.val();
        self.ctx.write_data.next = self.w_data.q.val();
        self.w_addr.d.next = self.o_slot.q.val();
        self.w_en.d.next = false;
        self.w_data.d.next = bit_cast::<CTX, 1>(self.n_posted.val().into())
            | (bit_cast::<CTX, 5>(self.n_log.val()) << 1)
            | (bit_cast::<CTX, 32>(self.n_head.val()) << 6)
            | (bit_cast::<CTX, 32>(self.n_rcv.val()) << 38)
            | (bit_cast::<CTX, 1>(self.n_oov.val().into()) << 70)
            | (bit_cast::<CTX, 32>(self.n_oos.val()) << 71)
            | (bit_cast::<CTX, 32>(self.n_ooe.val()) << 103)
            | (bit_cast::<CTX, 32>(self.n_ack.val()) << 135)
            | (bit_cast::<CTX, 16>(self.n_win.val()) << 167)
            | (bit_cast::<CTX, 1>(self.n_tsv.val().into()) << 183)
            | (bit_cast::<CTX, 32>(self.n_tsval.val()) << 184)
            | (bit_cast::<CTX, 32>(self.n_tsecr.val()) << 216)
            | (bit_cast::<CTX, 1>(self.n_paws.val().into()) << 248)
            | (bit_cast::<CTX, 1>(self.n_pend.val().into()) << 249)
            | (bit_cast::<CTX, 8>(self.n_frames.val()) << 250)
            | (bit_cast::<CTX, 8>(self.n_ce.val()) << 258)
            | (bit_cast::<CTX, 32>(self.n_bytes.val()) << 266)
            | (bit_cast::<CTX, 32>(self.n_since.val()) << 298);
        if self.st.q.val() == 3 {
            self.st.d.next = 4.into();
            if self.o_op.q.val() == 7 {
                self.drain.d.next = true;
            }
            // A stale timer has nothing to say.
            if (self.o_op.q.val() == 6) & !self.c1v.val() {
                self.st.d.next = 0.into();
            }
            self.r_at.d.next = self.o_at.q.val();
            self.r_internal.d.next = self.o_op.q.val() == 6;
            self.r_slot.d.next = self.o_slot.q.val();
            self.w_en.d.next = self.write.val();
            self.r_to_host.d.next = self.to_host.val();
            self.r_reason.d.next = self.reason.val();
            self.r_place.d.next = self.placed.val();
            self.r_off.d.next = self.p_off.q.val();
            self.r_first.d.next = self.p_first.q.val();
            self.r_wr.d.next = self.wr.val();
            self.r_rcv.d.next = self.rcv_out.val();
            self.r_ok.d.next = self.ok.val();
            self.r_c0v.d.next = self.c0v.val();
            self.r_c0.d.next = bit_cast::<CPL, 3>(self.c0_flush.val())
                | (bit_cast::<CPL, 32>(self.c_rcv.val()) << 3)
                | (bit_cast::<CPL, 32>(self.c_ack.val()) << 35)
                | (bit_cast::<CPL, 16>(self.c_win.val()) << 67)
                | (bit_cast::<CPL, 32>(self.c0_tsval.val()) << 83)
                | (bit_cast::<CPL, 32>(self.c0_tsecr.val()) << 115)
                | (bit_cast::<CPL, 8>(self.c_frames.val()) << 147)
                | (bit_cast::<CPL, 8>(self.c_ce.val()) << 155)
                | (bit_cast::<CPL, 1>(self.c_oov.val().into()) << 163)
                | (bit_cast::<CPL, 32>(self.c_oos.val()) << 164)
                | (bit_cast::<CPL, 32>(self.c_ooe.val()) << 196);
            self.r_c1v.d.next = self.c1v.val();
            // After the op, before the completion clears the pending one.
            self.r_c1.d.next = bit_cast::<CPL, 3>(self.c1_flush.val())
                | (bit_cast::<CPL, 32>(self.n_rcv.val()) << 3)
                | (bit_cast::<CPL, 32>(self.n_ack.val()) << 35)
                | (bit_cast::<CPL, 16>(self.n_win.val()) << 67)
                | (bit_cast::<CPL, 32>(self.n_tsval.val()) << 83)
                | (bit_cast::<CPL, 32>(self.n_tsecr.val()) << 115)
                | (bit_cast::<CPL, 8>(self.a_frames.val()) << 147)
                | (bit_cast::<CPL, 8>(self.a_ce.val()) << 155)
                | (bit_cast::<CPL, 1>(self.n_oov.val().into()) << 163)
                | (bit_cast::<CPL, 32>(self.n_oos.val()) << 164)
                | (bit_cast::<CPL, 32>(self.n_ooe.val()) << 196);
        }

        // O: the result until it is taken.
        self.res_valid.next = self.st.q.val() == 4;
        self.res_to_host.next = self.r_to_host.q.val();
        self.res_reason.next = self.r_reason.q.val();
        self.res_place.next = self.r_place.q.val();
        self.res_off.next = self.r_off.q.val();
        self.res_first.next = self.r_first.q.val();
        self.res_wr.next = self.r_wr.q.val();
        self.res_rcv.next = self.r_rcv.q.val();
        self.res_ok.next = self.r_ok.q.val();
        self.cpl0_valid.next = self.r_c0v.q.val();
        self.cpl0.next = self.r_c0.q.val();
        self.cpl1_valid.next = self.r_c1v.q.val();
        self.cpl1.next = self.r_c1.q.val();
        self.res_internal.next = self.r_internal.q.val();
        self.res_at.next = self.r_at.q.val();
        self.res_slot.next = self.r_slot.q.val();
        if (self.st.q.val() == 4) & self.res_ready.val() {
            self.st.d.next = 0.into();
        }

        // Reset clears every context, a slot per cycle.
        if self.clearing.q.val() {
            self.ctx.write_enable.next = true;
            self.ctx.write_address.next = self.clear_at.q.val();
            self.ctx.write_data.next = 0.into();
            self.clear_at.d.next = self.clear_at.q.val() + 1;
            if self.clear_at.q.val() == self.last_slot.val() {
                self.clearing.d.next = false;
            }
        }
        if self.reset.val() {
            self.st.d.next = 0.into();
            self.clearing.d.next = true;
            self.clear_at.d.next = 0.into();
            self.queued.d.next = 0.into();
            self.drain.d.next = false;
            self.now.d.next = 0.into();
            self.push_q.d.next = false;
            self.g1.d.next = false;
            self.k_v.d.next = false;
            self.w_en.d.next = false;
        }
    }
}
