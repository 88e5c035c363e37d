//! `tso`: cuts TCP super-frames into segments as Linux GSO does (the
//! contract is in [`spec::tso`]).
//!
//! ```text
//!  tx ─> [I] ─> [R] ─┬─> ring: 32 KB, one byte RAM per lane ─┐
//!   desc             ├─> header RAM: 2 slots x 256 B ────────┤
//!                    └─> slot records (desc, captured fields) │
//!                              │                              │
//!                  generator: checks, one record per segment  │
//!                              │ queue                        │
//!                  issuer: one beat per cycle ─> [X1] ─> [X2] ┴─> FIFO ─> seg
//! ```
//! The writer stores the payload in a ring and each frame's first 256
//! bytes in a header slot, capturing the fields it will fix (IP ID, TCP
//! sequence number, flags, checksum) as they pass. The generator checks the
//! descriptor once the header is in, then works out each segment (length,
//! fixed fields, where its payload starts in the ring) as soon as all of its
//! bytes are stored, so a segment never starts before it can finish. The
//! issuer sends a segment's beats back to back: header beats come from the
//! header slot, payload beats from the ring, where each byte lane is its own
//! RAM with its own address so a payload starting at any byte can be read
//! one aligned beat per cycle and rotated into place; the fixed fields are
//! laid over the header lanes. Headers are read, not re-sent by the host,
//! and the next segment's header follows the current tail without a gap.
//!
//! The ring is a window, not a frame buffer: the writer runs at most 32 KB
//! ahead of the oldest segment being sent, enough for two jumbo segments, so
//! a 64 KB super-frame streams through. Two slots let the next frame's
//! header come in while the current one is sent. A refused frame is
//! drained without being stored.

use crate::ram::{Ram, Style};
use crate::stream::{Offset, StreamSink, StreamSource, lane_constants, offset};
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;
use spec::tso as ts;
use spec::tx_csum as tc;

/// Bytes of payload the ring holds.
/// A TSO descriptor's width ([`spec::tso::DESC_BITS`]).
pub const DESC_BITS: usize = ts::DESC_BITS as usize;
pub const RING_BYTES: usize = 1 << 15;
/// Bytes of a frame kept as its header.
const HDR_MAX: usize = 256;
/// Header bytes the writer captures (see `CAP_*`).
const CAPS: usize = 13;
/// Header bytes a segment's fixes overwrite (see `PATCH_*`).
const PATCHES: usize = 11;
// Segment queue record (`QW` = 154 + `RB` bits): [0] end, [1] slot,
// [16:2] ring address, [30:17] length, [44:31] last beat, [132:45] fixed
// fields, [133] marked bad, [137:134] status, [153:138] segments, then the
// next frame's row.

/// Captured byte k: offset from l4 (else l3), and the offset.
const CAP_L4: [bool; CAPS] = [
    false, false, false, false, false, true, true, true, true, true, true, true, true,
];
const CAP_ADD: [u64; CAPS] = [0, 6, 9, 4, 5, 4, 5, 6, 7, 12, 13, 16, 17];
/// Fixed byte k: from the length field's start (else l3 / l4), offset.
const PATCH_TL: [bool; PATCHES] = [
    true, true, false, false, false, false, false, false, false, false, false,
];
const PATCH_L4: [bool; PATCHES] = [
    false, false, false, false, true, true, true, true, true, true, true,
];
const PATCH_ADD: [u64; PATCHES] = [0, 1, 4, 5, 4, 5, 6, 7, 13, 16, 17];

/// The 64-bit build: ring rows of 8 bytes, header slots of 32 rows.
pub type TsoW8 = Tso<64, 8, 12, 6, 106, 166>;
/// The 8-bit build.
pub type TsoW1 = Tso<8, 1, 15, 9, 43, 169>;

#[derive(LogicBlock)]
pub struct Tso<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub tx: StreamSink<D, K>,
    /// The frame's [`spec::tso::Desc`], with its first beat.
    pub desc: Signal<In, Bits<DESC_BITS>>,
    pub seg: StreamSource<D, K>,
    /// The segment's [`spec::tx_csum::Command`], with every beat.
    pub cmd: Signal<Out, Bits<32>>,
    /// One cycle per frame, once all its segments are on their way.
    pub done_valid: Signal<Out, Bit>,
    pub done_status: Signal<Out, Bits<4>>,
    pub done_segments: Signal<Out, Bits<16>>,
    ring: Vec<Ram<8, RB>>,
    hdr: Ram<D, HB>,
    queue: SyncFifo<QW, 2, 3>,
    ofifo: SyncFifo<OW, 4, 5>,
    // writer, input (I)
    w_off: DFF<Offset>,
    w_desc: DFF<Bits<DESC_BITS>>,
    w_row: DFF<Bits<RB>>,
    w_slot: DFF<Bit>,
    // writer, registered beat (R)
    r_valid: DFF<Bit>,
    r_data: DFF<Bits<D>>,
    r_keep: DFF<Bits<K>>,
    r_last: DFF<Bit>,
    r_off: DFF<Offset>,
    r_first: DFF<Bit>,
    r_store: DFF<Bit>,
    r_desc: DFF<Bits<DESC_BITS>>,
    r_row: DFF<Bits<RB>>,
    r_slot: DFF<Bit>,
    r_user: DFF<Bit>,
    // per slot: written by R, except s_used (cleared by the issuer),
    // s_drain (set by the generator) and g_done (set by the generator)
    s_used: Vec<DFF<Bit>>,
    s_hdr: Vec<DFF<Bit>>,
    s_ended: Vec<DFF<Bit>>,
    s_over: Vec<DFF<Bit>>,
    s_drain: Vec<DFF<Bit>>,
    s_bad: Vec<DFF<Bit>>,
    s_desc: Vec<DFF<Bits<DESC_BITS>>>,
    s_start: Vec<DFF<Bits<RB>>>,
    s_rows: Vec<DFF<Bits<RB>>>,
    s_got: Vec<DFF<Offset>>,
    cap0: Vec<DFF<Bits<8>>>,
    cap1: Vec<DFF<Bits<8>>>,
    g_done: Vec<DFF<Bit>>,
    // per slot, written by the generator for the issuer
    f_h: Vec<DFF<Offset>>,
    f_cmd: Vec<DFF<Bits<32>>>,
    f_pen: Vec<DFF<Bits<PATCHES>>>,
    f_t0: Vec<DFF<Bits<9>>>,
    f_t1: Vec<DFF<Bits<9>>>,
    // generator
    g_state: DFF<Bits<3>>,
    g_slot: DFF<Bit>,
    g_status: DFF<Bits<4>>,
    g_h: DFF<Offset>,
    g_m: DFF<Offset>,
    g_rem: DFF<Offset>,
    g_b: DFF<Offset>,
    g_count: DFF<Bits<16>>,
    g_id: DFF<Bits<16>>,
    g_seq: DFF<Bits<32>>,
    g_flags: DFF<Bits<8>>,
    g_cbase: DFF<Bits<16>>,
    g_l4: DFF<Offset>,
    g_tlsub: DFF<Offset>,
    g_start: DFF<Bits<RB>>,
    g_l: DFF<Offset>,
    g_last: DFF<Bit>,
    g_need: DFF<Offset>,
    // issuer
    low_row: DFF<Bits<RB>>,
    c_active: DFF<Bit>,
    c_j: DFF<Bits<14>>,
    c_jl: DFF<Bits<14>>,
    c_a: DFF<Bits<15>>,
    c_l: DFF<Bits<14>>,
    c_pv: DFF<Bits<88>>,
    c_slot: DFF<Bit>,
    c_user: DFF<Bit>,
    d_valid: DFF<Bit>,
    d_status: DFF<Bits<4>>,
    d_count: DFF<Bits<16>>,
    // X1: addresses out, RAM data back
    x1_valid: DFF<Bit>,
    x1_j: DFF<Bits<14>>,
    x1_l: DFF<Bits<14>>,
    x1_pv: DFF<Bits<88>>,
    x1_slot: DFF<Bit>,
    x1_rot: DFF<Bits<4>>,
    x1_last: DFF<Bit>,
    x1_user: DFF<Bit>,
    // X2: RAM data registered, lanes chosen
    x2_valid: DFF<Bit>,
    x2_ring: DFF<Bits<D>>,
    x2_hdr: DFF<Bits<D>>,
    x2_hm: DFF<Bits<D>>,
    x2_pm: DFF<Bits<D>>,
    x2_pb: DFF<Bits<D>>,
    x2_keep: DFF<Bits<K>>,
    x2_rot: DFF<Bits<4>>,
    x2_last: DFF<Bit>,
    x2_user: DFF<Bit>,
    x2_cmd: DFF<Bits<32>>,
    // constants
    lane: Vec<Constant<Offset>>,
    lane9: Vec<Constant<Bits<9>>>,
    lane4: Vec<Constant<Bits<4>>>,
    lane_shift: Vec<Constant<Bits<8>>>,
    lane_ff: Vec<Constant<Bits<D>>>,
    cap_l4: Vec<Constant<Bit>>,
    cap_add: Vec<Constant<Offset>>,
    cap_at: Vec<Constant<Bits<8>>>,
    patch_tl: Vec<Constant<Bit>>,
    patch_l4: Vec<Constant<Bit>>,
    patch_add: Vec<Constant<Bits<9>>>,
    lg: Constant<Offset>,
    kmask: Constant<Offset>,
    width: Constant<Offset>,
    hdr_max: Constant<Offset>,
    hshift: Constant<Bits<HB>>,
    ring_limit: Constant<Bits<RB>>,
    one_k: Constant<Bits<K>>,
    dw: Constant<Bits<8>>,
    mss_max: Constant<Offset>,
    frame_max: Constant<Offset>,
    datagram_max: Constant<Offset>,
    at_keep: Constant<Bits<8>>,
    at_last: Constant<Bits<8>>,
    at_cmd: Constant<Bits<8>>,
    at_user: Constant<Bits<8>>,
    st_bad_mss: Constant<Bits<4>>,
    st_too_long: Constant<Bits<4>>,
    st_bad_header: Constant<Bits<4>>,
    st_not_tcp: Constant<Bits<4>>,
    st_hlm: Constant<Bits<4>>,
    st_truncated: Constant<Bits<4>>,
    st_overlong: Constant<Bits<4>>,
    st_host_error: Constant<Bits<4>>,
    fin_psh: Constant<Bits<8>>,
    cso_tcp: Constant<Bits<32>>,
    cso_udp: Constant<Bits<32>>,
    not_cso: Constant<Bits<32>>,
    cwr: Constant<Bits<8>>,
    // locals
    first: Signal<Local, Bit>,
    desc_now: Signal<Local, Bits<DESC_BITS>>,
    store_now: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    slot_free: Signal<Local, Bit>,
    drain_now: Signal<Local, Bit>,
    space: Signal<Local, Bit>,
    nkept: Signal<Local, Offset>,
    kept: Signal<Local, Bit>,
    beat_end: Signal<Local, Offset>,
    r_len: Signal<Local, Offset>,
    got_now: Signal<Local, Offset>,
    over_now: Signal<Local, Bit>,
    pub_now: Signal<Local, Bit>,
    hdr_eff: Signal<Local, Offset>,
    ct: Signal<Local, Offset>,
    cap_byte: Signal<Local, Bits<8>>,
    gs_used: Signal<Local, Bit>,
    gs_hdr: Signal<Local, Bit>,
    gs_ended: Signal<Local, Bit>,
    gs_over: Signal<Local, Bit>,
    gs_desc: Signal<Local, Bits<DESC_BITS>>,
    gs_start: Signal<Local, Bits<RB>>,
    gs_rows: Signal<Local, Bits<RB>>,
    gs_got: Signal<Local, Offset>,
    gs_done: Signal<Local, Bit>,
    gs_bad: Signal<Local, Bit>,
    g_c0: Signal<Local, Bits<17>>,
    gcap: Signal<Local, Bits<104>>,
    g_len: Signal<Local, Offset>,
    g_mss: Signal<Local, Offset>,
    g_l3v: Signal<Local, Offset>,
    g_l4v: Signal<Local, Offset>,
    g_hdrv: Signal<Local, Offset>,
    g_tso: Signal<Local, Bit>,
    g_v6: Signal<Local, Bit>,
    g_st: Signal<Local, Bits<4>>,
    g_ltcp: Signal<Local, Bits<17>>,
    g_lt16: Signal<Local, Bits<16>>,
    g_nlt16: Signal<Local, Bits<16>>,
    g_single: Signal<Local, Bit>,
    g_tlbase: Signal<Local, Bits<9>>,
    g_tgt: Signal<Local, Bits<9>>,
    g_pen: Signal<Local, Bits<PATCHES>>,
    g_cmd: Signal<Local, Bits<32>>,
    g_p: Signal<Local, Offset>,
    g_cks: Signal<Local, Bits<17>>,
    g_flg: Signal<Local, Bits<8>>,
    g_pv: Signal<Local, Bits<88>>,
    g_a0: Signal<Local, Bits<15>>,
    g_fin: Signal<Local, Bits<4>>,
    i_issue: Signal<Local, Bit>,
    i_j: Signal<Local, Bits<14>>,
    i_jl: Signal<Local, Bits<14>>,
    i_a: Signal<Local, Bits<15>>,
    i_l: Signal<Local, Bits<14>>,
    i_pv: Signal<Local, Bits<88>>,
    i_slot: Signal<Local, Bit>,
    i_user: Signal<Local, Bit>,
    i_row: Signal<Local, Bits<RB>>,
    i_rot: Signal<Local, Bits<4>>,
    can: Signal<Local, Bit>,
    x_h: Signal<Local, Offset>,
    x_jo: Signal<Local, Offset>,
    x_o: Signal<Local, Offset>,
    x_t: Signal<Local, Bits<9>>,
    x_hit: Signal<Local, Bit>,
    x_hm: Signal<Local, Bits<D>>,
    x_pm: Signal<Local, Bits<D>>,
    x_pb: Signal<Local, Bits<D>>,
    x_keep: Signal<Local, Bits<K>>,
    x_pen: Signal<Local, Bits<PATCHES>>,
    x_byte: Signal<Local, Bits<8>>,
    ring_word: Signal<Local, Bits<D>>,
    rot_sh: Signal<Local, Bits<8>>,
    rotated: Signal<Local, Bits<D>>,
    merged: Signal<Local, Bits<D>>,
}

fn c4(s: ts::Status) -> Constant<Bits<4>> {
    Constant::new((s as u64).to_bits())
}

fn c8(v: usize) -> Constant<Bits<8>> {
    Constant::new((v as u64).to_bits())
}

fn c9(v: u64) -> Constant<Bits<9>> {
    Constant::new(v.to_bits())
}

fn cbit(b: bool) -> Constant<Bit> {
    Constant::new(b)
}

impl<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
> Tso<D, K, RB, HB, OW, QW>
{
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        let lg = K.trailing_zeros() as usize;
        assert_eq!(RB + lg, 15, "the ring holds RING_BYTES");
        assert_eq!(HB + lg, 9, "two header slots of HDR_MAX bytes");
        assert_eq!(OW, D + K + 34, "output word is data, keep, last, cmd, user");
        assert_eq!(QW, 154 + RB, "queue record layout");
        // The kernel below spells the contract's bit positions as literals
        // (rust-hdl cannot take constants there); these keep them honest.
        let at = |f: spec::Field| (f.lsb, f.width);
        assert_eq!(
            [
                ts::FIELD_LEN,
                ts::FIELD_MSS,
                ts::FIELD_L3,
                ts::FIELD_L4,
                ts::FIELD_HDR
            ]
            .map(at),
            [(0, 17), (17, 14), (31, 8), (39, 8), (47, 8)]
        );
        assert_eq!(
            [
                ts::FIELD_TSO,
                ts::FIELD_V6,
                ts::FIELD_FIXED_ID,
                ts::FIELD_IP_CSUM
            ]
            .map(|f| f.lsb),
            [55, 56, 57, 58]
        );
        assert_eq!([ts::FIELD_L4_CSUM, ts::FIELD_UDP].map(|f| f.lsb), [59, 60]);
        assert_eq!(
            [
                tc::FIELD_L3_OFFSET,
                tc::FIELD_CSUM_START,
                tc::FIELD_CSUM_OFFSET
            ]
            .map(|f| f.lsb),
            [0, 10, 20]
        );
        assert_eq!([tc::FIELD_IP_EN.lsb, tc::FIELD_L4_EN.lsb], [28, 29]);
        assert_eq!((tc::TCP_CSUM_OFFSET, tc::UDP_CSUM_OFFSET), (16, 6));
        assert!(HDR_MAX > usize::from(u8::MAX));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            tx: Default::default(),
            desc: Default::default(),
            seg: Default::default(),
            cmd: Default::default(),
            done_valid: Default::default(),
            done_status: Default::default(),
            done_segments: Default::default(),
            ring: (0..K).map(|_| Ram::new(Style::Block)).collect(),
            hdr: Ram::new(Style::Block),
            queue: SyncFifo::new(2, Style::Distributed),
            ofifo: SyncFifo::new(11, Style::Distributed),
            w_off: Default::default(),
            w_desc: Default::default(),
            w_row: Default::default(),
            w_slot: Default::default(),
            r_valid: Default::default(),
            r_data: Default::default(),
            r_keep: Default::default(),
            r_last: Default::default(),
            r_off: Default::default(),
            r_first: Default::default(),
            r_store: Default::default(),
            r_desc: Default::default(),
            r_row: Default::default(),
            r_slot: Default::default(),
            r_user: Default::default(),
            s_used: (0..2).map(|_| Default::default()).collect(),
            s_hdr: (0..2).map(|_| Default::default()).collect(),
            s_ended: (0..2).map(|_| Default::default()).collect(),
            s_over: (0..2).map(|_| Default::default()).collect(),
            s_drain: (0..2).map(|_| Default::default()).collect(),
            s_bad: (0..2).map(|_| Default::default()).collect(),
            s_desc: (0..2).map(|_| Default::default()).collect(),
            s_start: (0..2).map(|_| Default::default()).collect(),
            s_rows: (0..2).map(|_| Default::default()).collect(),
            s_got: (0..2).map(|_| Default::default()).collect(),
            cap0: (0..CAPS).map(|_| Default::default()).collect(),
            cap1: (0..CAPS).map(|_| Default::default()).collect(),
            g_done: (0..2).map(|_| Default::default()).collect(),
            f_h: (0..2).map(|_| Default::default()).collect(),
            f_cmd: (0..2).map(|_| Default::default()).collect(),
            f_pen: (0..2).map(|_| Default::default()).collect(),
            f_t0: (0..PATCHES).map(|_| Default::default()).collect(),
            f_t1: (0..PATCHES).map(|_| Default::default()).collect(),
            g_state: Default::default(),
            g_slot: Default::default(),
            g_status: Default::default(),
            g_h: Default::default(),
            g_m: Default::default(),
            g_rem: Default::default(),
            g_b: Default::default(),
            g_count: Default::default(),
            g_id: Default::default(),
            g_seq: Default::default(),
            g_flags: Default::default(),
            g_cbase: Default::default(),
            g_l4: Default::default(),
            g_tlsub: Default::default(),
            g_start: Default::default(),
            g_l: Default::default(),
            g_last: Default::default(),
            g_need: Default::default(),
            low_row: Default::default(),
            c_active: Default::default(),
            c_j: Default::default(),
            c_jl: Default::default(),
            c_a: Default::default(),
            c_l: Default::default(),
            c_pv: Default::default(),
            c_slot: Default::default(),
            c_user: Default::default(),
            d_valid: Default::default(),
            d_status: Default::default(),
            d_count: Default::default(),
            x1_valid: Default::default(),
            x1_j: Default::default(),
            x1_l: Default::default(),
            x1_pv: Default::default(),
            x1_slot: Default::default(),
            x1_rot: Default::default(),
            x1_last: Default::default(),
            x1_user: Default::default(),
            x2_valid: Default::default(),
            x2_ring: Default::default(),
            x2_hdr: Default::default(),
            x2_hm: Default::default(),
            x2_pm: Default::default(),
            x2_pb: Default::default(),
            x2_keep: Default::default(),
            x2_rot: Default::default(),
            x2_last: Default::default(),
            x2_user: Default::default(),
            x2_cmd: Default::default(),
            lane: lane_constants(K),
            lane9: (0..K as u64).map(c9).collect(),
            lane4: (0..K as u64).map(|i| Constant::new(i.to_bits())).collect(),
            lane_shift: (0..K).map(|i| c8(8 * i)).collect(),
            lane_ff: (0..K)
                .map(|i| Constant::new(Bits::<D>::from(0xFFu64) << (8 * i) as u64))
                .collect(),
            cap_l4: CAP_L4.iter().map(|&b| cbit(b)).collect(),
            cap_add: CAP_ADD.iter().map(|&v| offset(v as u32)).collect(),
            cap_at: (0..CAPS).map(|k| c8(8 * (CAPS - 1 - k))).collect(),
            patch_tl: PATCH_TL.iter().map(|&b| cbit(b)).collect(),
            patch_l4: PATCH_L4.iter().map(|&b| cbit(b)).collect(),
            patch_add: PATCH_ADD.iter().map(|&v| c9(v)).collect(),
            lg: offset(lg as u32),
            kmask: offset(K as u32 - 1),
            width: offset(K as u32),
            hdr_max: offset(HDR_MAX as u32),
            hshift: Constant::new(((8 - lg) as u64).to_bits()),
            ring_limit: Constant::new(((1u64 << RB) - 8).to_bits()),
            one_k: Constant::new(1.into()),
            dw: c8(D),
            mss_max: offset(u32::from(ts::MSS_MAX)),
            frame_max: offset(ts::FRAME_MAX as u32),
            datagram_max: offset(ts::DATAGRAM_MAX as u32),
            at_keep: c8(D),
            at_last: c8(D + K),
            at_cmd: c8(D + K + 1),
            at_user: c8(D + K + 33),
            st_bad_mss: c4(ts::Status::BadMss),
            st_too_long: c4(ts::Status::TooLong),
            st_bad_header: c4(ts::Status::BadHeader),
            st_not_tcp: c4(ts::Status::NotTcp),
            st_hlm: c4(ts::Status::HeaderLengthMismatch),
            st_truncated: c4(ts::Status::Truncated),
            st_overlong: c4(ts::Status::Overlong),
            st_host_error: c4(ts::Status::HostError),
            fin_psh: Constant::new(u64::from(ts::TCP_FIN | ts::TCP_PSH).to_bits()),
            cso_tcp: Constant::new((u64::from(tc::TCP_CSUM_OFFSET) << 20).to_bits()),
            cso_udp: Constant::new((u64::from(tc::UDP_CSUM_OFFSET) << 20).to_bits()),
            not_cso: Constant::new((!(0xFFu64 << 20) & 0xFFFF_FFFF).to_bits()),
            cwr: Constant::new(u64::from(ts::TCP_CWR).to_bits()),
            first: Default::default(),
            desc_now: Default::default(),
            store_now: Default::default(),
            take: Default::default(),
            slot_free: Default::default(),
            drain_now: Default::default(),
            space: Default::default(),
            nkept: Default::default(),
            kept: Default::default(),
            beat_end: Default::default(),
            r_len: Default::default(),
            got_now: Default::default(),
            over_now: Default::default(),
            pub_now: Default::default(),
            hdr_eff: Default::default(),
            ct: Default::default(),
            cap_byte: Default::default(),
            gs_used: Default::default(),
            gs_hdr: Default::default(),
            gs_ended: Default::default(),
            gs_over: Default::default(),
            gs_desc: Default::default(),
            gs_start: Default::default(),
            gs_rows: Default::default(),
            gs_got: Default::default(),
            gs_done: Default::default(),
            gs_bad: Default::default(),
            g_c0: Default::default(),
            gcap: Default::default(),
            g_len: Default::default(),
            g_mss: Default::default(),
            g_l3v: Default::default(),
            g_l4v: Default::default(),
            g_hdrv: Default::default(),
            g_tso: Default::default(),
            g_v6: Default::default(),
            g_st: Default::default(),
            g_ltcp: Default::default(),
            g_lt16: Default::default(),
            g_nlt16: Default::default(),
            g_single: Default::default(),
            g_tlbase: Default::default(),
            g_tgt: Default::default(),
            g_pen: Default::default(),
            g_cmd: Default::default(),
            g_p: Default::default(),
            g_cks: Default::default(),
            g_flg: Default::default(),
            g_pv: Default::default(),
            g_a0: Default::default(),
            g_fin: Default::default(),
            i_issue: Default::default(),
            i_j: Default::default(),
            i_jl: Default::default(),
            i_a: Default::default(),
            i_l: Default::default(),
            i_pv: Default::default(),
            i_slot: Default::default(),
            i_user: Default::default(),
            i_row: Default::default(),
            i_rot: Default::default(),
            can: Default::default(),
            x_h: Default::default(),
            x_jo: Default::default(),
            x_o: Default::default(),
            x_t: Default::default(),
            x_hit: Default::default(),
            x_hm: Default::default(),
            x_pm: Default::default(),
            x_pb: Default::default(),
            x_keep: Default::default(),
            x_pen: Default::default(),
            x_byte: Default::default(),
            ring_word: Default::default(),
            rot_sh: Default::default(),
            rotated: Default::default(),
            merged: Default::default(),
        }
    }
}

impl<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
> Default for Tso<D, K, RB, HB, OW, QW>
{
    fn default() -> Self {
        Self::new()
    }
}

// Generator states.
const G_IDLE: u64 = 0;
const G_LOAD: u64 = 1;
const G_SEG_A: u64 = 2;
const G_SEG_B: u64 = 3;
const G_END: u64 = 4;
const _: () = assert!(G_IDLE == 0 && G_LOAD == 1 && G_SEG_A == 2 && G_SEG_B == 3 && G_END == 4);

impl<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
> Logic for Tso<D, K, RB, HB, OW, QW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, w_off, w_desc, w_row, w_slot, r_valid, r_data, r_keep, r_last, r_off,
            r_first, r_store, r_desc, r_row, r_slot, r_user, g_state, g_slot, g_status, g_h, g_m,
            g_rem, g_b, g_count, g_id, g_seq, g_flags, g_cbase, g_l4, g_tlsub, g_start, g_l,
            g_last, g_need, low_row, c_active, c_j, c_jl, c_a, c_l, c_pv, c_slot, c_user, d_valid,
            d_status, d_count, x1_valid, x1_j, x1_l, x1_pv, x1_slot, x1_rot, x1_last, x1_user,
            x2_valid, x2_ring, x2_hdr, x2_hm, x2_pm, x2_pb, x2_keep, x2_rot, x2_last, x2_user,
            x2_cmd
        );
        for s in 0..2 {
            self.s_used[s].clock.next = self.clock.val();
            self.s_hdr[s].clock.next = self.clock.val();
            self.s_ended[s].clock.next = self.clock.val();
            self.s_over[s].clock.next = self.clock.val();
            self.s_drain[s].clock.next = self.clock.val();
            self.s_bad[s].clock.next = self.clock.val();
            self.s_desc[s].clock.next = self.clock.val();
            self.s_start[s].clock.next = self.clock.val();
            self.s_rows[s].clock.next = self.clock.val();
            self.s_got[s].clock.next = self.clock.val();
            self.g_done[s].clock.next = self.clock.val();
            self.f_h[s].clock.next = self.clock.val();
            self.f_cmd[s].clock.next = self.clock.val();
            self.f_pen[s].clock.next = self.clock.val();
            self.s_used[s].d.next = self.s_used[s].q.val();
            self.s_hdr[s].d.next = self.s_hdr[s].q.val();
            self.s_ended[s].d.next = self.s_ended[s].q.val();
            self.s_over[s].d.next = self.s_over[s].q.val();
            self.s_drain[s].d.next = self.s_drain[s].q.val();
            self.s_bad[s].d.next = self.s_bad[s].q.val();
            self.s_desc[s].d.next = self.s_desc[s].q.val();
            self.s_start[s].d.next = self.s_start[s].q.val();
            self.s_rows[s].d.next = self.s_rows[s].q.val();
            self.s_got[s].d.next = self.s_got[s].q.val();
            self.g_done[s].d.next = self.g_done[s].q.val();
            self.f_h[s].d.next = self.f_h[s].q.val();
            self.f_cmd[s].d.next = self.f_cmd[s].q.val();
            self.f_pen[s].d.next = self.f_pen[s].q.val();
        }
        for k in 0..CAPS {
            self.cap0[k].clock.next = self.clock.val();
            self.cap1[k].clock.next = self.clock.val();
            self.cap0[k].d.next = self.cap0[k].q.val();
            self.cap1[k].d.next = self.cap1[k].q.val();
        }
        for k in 0..PATCHES {
            self.f_t0[k].clock.next = self.clock.val();
            self.f_t1[k].clock.next = self.clock.val();
            self.f_t0[k].d.next = self.f_t0[k].q.val();
            self.f_t1[k].d.next = self.f_t1[k].q.val();
        }
        for b in 0..K {
            self.ring[b].clock.next = self.clock.val();
        }
        clock!(self, clock, hdr, queue, ofifo);
        self.queue.reset.next = self.reset.val();
        self.ofifo.reset.next = self.reset.val();

        // I: take a beat. Beats past `len`, and beats of a refused frame
        // once it is known, are taken without being stored, so neither a
        // long frame nor a refused one can wait on ring space.
        self.first.next = self.w_off.q.val() == 0;
        self.desc_now.next = self.w_desc.q.val();
        if self.first.val() {
            self.desc_now.next = self.desc.val();
        }
        self.slot_free.next = !self.s_used[0].q.val();
        self.drain_now.next = self.s_drain[0].q.val();
        if self.w_slot.q.val() {
            self.slot_free.next = !self.s_used[1].q.val();
            self.drain_now.next = self.s_drain[1].q.val();
        }
        self.store_now.next = (self.w_off.q.val() < self.desc_now.val().get_bits::<17>(0))
            & (self.first.val() | !self.drain_now.val());
        self.space.next = (self.w_row.q.val() - self.low_row.q.val()) < self.ring_limit.val();
        self.tx.ready.next =
            (!self.store_now.val() | self.space.val()) & (!self.first.val() | self.slot_free.val());
        self.take.next = self.tx.valid.val() & self.tx.ready.val();
        self.r_valid.d.next = self.take.val();
        self.r_data.d.next = self.tx.data.val();
        self.r_keep.d.next = self.tx.keep.val();
        self.r_last.d.next = self.tx.last.val();
        self.r_off.d.next = self.w_off.q.val();
        self.r_first.d.next = self.first.val();
        self.r_store.d.next = self.store_now.val();
        self.r_desc.d.next = self.desc_now.val();
        self.r_row.d.next = self.w_row.q.val();
        self.r_slot.d.next = self.w_slot.q.val();
        self.r_user.d.next = self.tx.user.val() & self.tx.last.val();
        if self.take.val() {
            self.w_desc.d.next = self.desc_now.val();
            self.w_off.d.next = self.w_off.q.val() + self.width.val();
            if self.store_now.val() {
                self.w_row.d.next = self.w_row.q.val() + 1;
            }
            if self.tx.last.val() {
                self.w_off.d.next = 0.into();
                self.w_slot.d.next = !self.w_slot.q.val();
            }
        }
        // A new frame's slot stops draining as its first beat is taken, so
        // its second beat, right behind, is stored.
        for s in 0..2 {
            if self.take.val() & self.first.val() & (self.w_slot.q.val() == (s == 1)) {
                self.s_drain[s].d.next = false;
            }
        }

        // R: store the beat, capture header fields, publish the slot.
        for b in 0..K {
            self.ring[b].write_enable.next = self.r_valid.q.val() & self.r_store.q.val();
            self.ring[b].write_address.next = self.r_row.q.val();
            self.ring[b].write_data.next = self.r_data.q.val().get_bits::<8>(8 * b);
        }
        self.hdr.write_enable.next =
            self.r_valid.q.val() & (self.r_off.q.val() < self.hdr_max.val());
        self.hdr.write_address.next = (bit_cast::<HB, 1>(self.r_slot.q.val().into())
            << self.hshift.val())
            | bit_cast::<HB, 17>(self.r_off.q.val() >> self.lg.val());
        self.hdr.write_data.next = self.r_data.q.val();
        self.nkept.next = 0.into();
        for i in 0..K {
            self.kept.next = ((self.r_keep.q.val() >> self.lane[i].val()) & self.one_k.val()).any();
            if self.kept.val() {
                self.nkept.next = self.lane[i].val() + 1;
            }
        }
        self.beat_end.next = self.r_off.q.val() + self.nkept.val();
        self.r_len.next = self.r_desc.q.val().get_bits::<17>(0);
        self.got_now.next = self.beat_end.val();
        if self.beat_end.val() > self.r_len.val() {
            self.got_now.next = self.r_len.val();
        }
        self.over_now.next = self.beat_end.val() > self.r_len.val();
        self.hdr_eff.next = 0.into();
        if self.r_desc.q.val().get_bit(55) {
            self.hdr_eff.next = bit_cast::<17, 8>(self.r_desc.q.val().get_bits::<8>(47));
        }
        self.pub_now.next =
            self.r_last.q.val() | (self.r_off.q.val() + self.width.val() >= self.hdr_eff.val());
        for s in 0..2 {
            if self.r_valid.q.val() & (self.r_slot.q.val() == (s == 1)) {
                self.s_ended[s].d.next = self.r_last.q.val();
                self.s_desc[s].d.next = self.r_desc.q.val();
                if self.pub_now.val() {
                    self.s_hdr[s].d.next = true;
                }
                if self.over_now.val() {
                    self.s_over[s].d.next = true;
                }
                if self.r_user.q.val() {
                    self.s_bad[s].d.next = true;
                }
                if self.r_store.q.val() {
                    self.s_rows[s].d.next = self.s_rows[s].q.val() + 1;
                    self.s_got[s].d.next = self.got_now.val();
                }
                if self.r_first.q.val() {
                    self.s_used[s].d.next = true;
                    self.s_hdr[s].d.next = self.pub_now.val();
                    self.s_over[s].d.next = self.over_now.val();
                    self.s_bad[s].d.next = self.r_user.q.val();
                    self.s_start[s].d.next = self.r_row.q.val();
                    self.s_rows[s].d.next = 1.into();
                    self.s_got[s].d.next = self.got_now.val();
                    if !self.r_store.q.val() {
                        self.s_rows[s].d.next = 0.into();
                        self.s_got[s].d.next = 0.into();
                    }
                    self.g_done[s].d.next = false;
                }
            }
        }
        for k in 0..CAPS {
            self.ct.next =
                bit_cast::<17, 8>(self.r_desc.q.val().get_bits::<8>(31)) + self.cap_add[k].val();
            if self.cap_l4[k].val() {
                self.ct.next = bit_cast::<17, 8>(self.r_desc.q.val().get_bits::<8>(39))
                    + self.cap_add[k].val();
            }
            self.cap_byte.next = 0.into();
            for i in 0..K {
                if (self.ct.val() & self.kmask.val()) == self.lane[i].val() {
                    self.cap_byte.next = self.r_data.q.val().get_bits::<8>(8 * i);
                }
            }
            if self.r_valid.q.val() & ((self.ct.val() & !self.kmask.val()) == self.r_off.q.val()) {
                if self.r_slot.q.val() {
                    self.cap1[k].d.next = self.cap_byte.val();
                } else {
                    self.cap0[k].d.next = self.cap_byte.val();
                }
            }
        }

        // Generator: the slot it works on, as the writer left it.
        self.gs_used.next = self.s_used[0].q.val();
        self.gs_hdr.next = self.s_hdr[0].q.val();
        self.gs_ended.next = self.s_ended[0].q.val();
        self.gs_over.next = self.s_over[0].q.val();
        self.gs_desc.next = self.s_desc[0].q.val();
        self.gs_start.next = self.s_start[0].q.val();
        self.gs_rows.next = self.s_rows[0].q.val();
        self.gs_got.next = self.s_got[0].q.val();
        self.gs_done.next = self.g_done[0].q.val();
        self.gs_bad.next = self.s_bad[0].q.val();
        if self.g_slot.q.val() {
            self.gs_done.next = self.g_done[1].q.val();
            self.gs_bad.next = self.s_bad[1].q.val();
            self.gs_used.next = self.s_used[1].q.val();
            self.gs_hdr.next = self.s_hdr[1].q.val();
            self.gs_ended.next = self.s_ended[1].q.val();
            self.gs_over.next = self.s_over[1].q.val();
            self.gs_desc.next = self.s_desc[1].q.val();
            self.gs_start.next = self.s_start[1].q.val();
            self.gs_rows.next = self.s_rows[1].q.val();
            self.gs_got.next = self.s_got[1].q.val();
        }
        // Captured bytes, first at the top: ver, next header (v6),
        // protocol (v4), ID, sequence number, data offset, flags, checksum.
        self.gcap.next = 0.into();
        for k in 0..CAPS {
            self.cap_byte.next = self.cap0[k].q.val();
            if self.g_slot.q.val() {
                self.cap_byte.next = self.cap1[k].q.val();
            }
            self.gcap.next =
                self.gcap.val() | (bit_cast::<104, 8>(self.cap_byte.val()) << self.cap_at[k].val());
        }
        self.g_len.next = self.gs_desc.val().get_bits::<17>(0);
        self.g_mss.next = bit_cast::<17, 14>(self.gs_desc.val().get_bits::<14>(17));
        self.g_l3v.next = bit_cast::<17, 8>(self.gs_desc.val().get_bits::<8>(31));
        self.g_l4v.next = bit_cast::<17, 8>(self.gs_desc.val().get_bits::<8>(39));
        self.g_hdrv.next = bit_cast::<17, 8>(self.gs_desc.val().get_bits::<8>(47));
        self.g_tso.next = self.gs_desc.val().get_bit(55);
        self.g_v6.next = self.gs_desc.val().get_bit(56);

        // The descriptor's verdict; the later checks win, so they are in
        // reverse order of the contract's.
        self.g_st.next = 0.into();
        if self.g_tso.val() {
            if self.g_l4v.val() + (bit_cast::<17, 4>(self.gcap.val().get_bits::<4>(28)) << 2)
                != self.g_hdrv.val()
            {
                self.g_st.next = self.st_hlm.val();
            }
            if self.g_v6.val() {
                if (self.gcap.val().get_bits::<4>(100) != 6)
                    | (self.gcap.val().get_bits::<8>(88) != 6)
                {
                    self.g_st.next = self.st_not_tcp.val();
                }
            } else if (self.gcap.val().get_bits::<4>(100) != 4)
                | (self.gcap.val().get_bits::<8>(80) != 6)
            {
                self.g_st.next = self.st_not_tcp.val();
            }
            if self.gs_ended.val() & (self.gs_got.val() < self.g_hdrv.val()) {
                self.g_st.next = self.st_truncated.val();
            }
            if (self.g_hdrv.val() > self.g_len.val())
                | (self.g_l4v.val() + 20 > self.g_hdrv.val())
                | (self.g_v6.val() & (self.g_l3v.val() + 40 > self.g_l4v.val()))
                | (!self.g_v6.val() & (self.g_l3v.val() + 20 > self.g_l4v.val()))
            {
                self.g_st.next = self.st_bad_header.val();
            }
            if self.g_len.val() > self.datagram_max.val() + self.g_l3v.val() {
                self.g_st.next = self.st_too_long.val();
            }
            if (self.g_mss.val() == 0) | (self.g_mss.val() > self.mss_max.val()) {
                self.g_st.next = self.st_bad_mss.val();
            }
        } else if self.g_len.val() > self.frame_max.val() {
            self.g_st.next = self.st_too_long.val();
        }
        // Per-frame figures: header, step, the checksum seed without the
        // super-frame's TCP length, where the fixed bytes go.
        // Complemented in 16 bits: Verilog would widen a `~` inside the cast.
        self.g_lt16.next = bit_cast::<16, 17>(self.g_len.val() - self.g_l4v.val());
        self.g_nlt16.next = !self.g_lt16.val();
        self.g_ltcp.next = bit_cast::<17, 16>(self.g_nlt16.val());
        self.g_c0.next = bit_cast::<17, 16>(self.gcap.val().get_bits::<16>(0)) + self.g_ltcp.val();
        self.g_single.next = self.g_len.val() - self.g_hdrv.val() <= self.g_mss.val();
        self.g_tlbase.next = bit_cast::<9, 17>(self.g_l3v.val() + 2);
        if self.g_v6.val() {
            self.g_tlbase.next = bit_cast::<9, 17>(self.g_l3v.val() + 4);
        }
        self.g_pen.next = 0.into();
        if self.g_tso.val() & !self.g_single.val() {
            self.g_pen.next = 0x7FF.into();
            if self.g_v6.val() | self.gs_desc.val().get_bit(57) {
                self.g_pen.next = 0x7F3.into();
            }
        }
        self.g_cmd.next = bit_cast::<32, 8>(self.gs_desc.val().get_bits::<8>(31))
            | (bit_cast::<32, 8>(self.gs_desc.val().get_bits::<8>(39)) << 10)
            | self.cso_tcp.val();
        if self.g_tso.val() {
            self.g_cmd.next = self.g_cmd.val() | (bit_cast::<32, 1>(1.into()) << 29);
            if !self.g_v6.val() {
                self.g_cmd.next = self.g_cmd.val() | (bit_cast::<32, 1>(1.into()) << 28);
            }
        } else {
            if self.gs_desc.val().get_bit(60) {
                self.g_cmd.next = (self.g_cmd.val() & self.not_cso.val()) | self.cso_udp.val();
            }
            if self.gs_desc.val().get_bit(58) {
                self.g_cmd.next = self.g_cmd.val() | (bit_cast::<32, 1>(1.into()) << 28);
            }
            if self.gs_desc.val().get_bit(59) {
                self.g_cmd.next = self.g_cmd.val() | (bit_cast::<32, 1>(1.into()) << 29);
            }
        }

        // A segment's figures, from the registers SEG_A set.
        self.g_p.next = self.g_m.q.val();
        if self.g_rem.q.val() < self.g_m.q.val() {
            self.g_p.next = self.g_rem.q.val();
        }
        self.g_cks.next = bit_cast::<17, 16>(self.g_cbase.q.val())
            + bit_cast::<17, 16>(bit_cast::<16, 17>(self.g_l.q.val() - self.g_l4.q.val()));
        self.g_cks.next = bit_cast::<17, 16>(self.g_cks.val().get_bits::<16>(0))
            + bit_cast::<17, 1>(self.g_cks.val().get_bit(16).into());
        self.g_flg.next = self.g_flags.q.val();
        if !self.g_last.q.val() {
            self.g_flg.next = self.g_flg.val() & !self.fin_psh.val();
        }
        if self.g_count.q.val() != 0 {
            self.g_flg.next = self.g_flg.val() & !self.cwr.val();
        }
        self.g_pv.next = (bit_cast::<88, 17>(self.g_l.q.val() - self.g_tlsub.q.val()) << 72)
            | (bit_cast::<88, 16>(self.g_id.q.val()) << 56)
            | (bit_cast::<88, 32>(self.g_seq.q.val()) << 24)
            | (bit_cast::<88, 8>(self.g_flg.val()) << 16)
            | bit_cast::<88, 16>(self.g_cks.val().get_bits::<16>(0));
        self.g_a0.next = (bit_cast::<15, RB>(self.g_start.q.val()) << self.lg.val())
            + bit_cast::<15, 17>(self.g_b.q.val());
        self.g_fin.next = self.g_status.q.val();
        if self.g_status.q.val() == 0 {
            if self.gs_over.val() {
                self.g_fin.next = self.st_overlong.val();
            }
            if self.gs_bad.val() & (self.g_count.q.val() != 0) {
                self.g_fin.next = self.st_host_error.val();
            }
        }

        self.queue.write.next = false;
        self.queue.data_in.next = 0.into();
        self.g_tgt.next = 0.into();
        match self.g_state.q.val().index() {
            0 => {
                if self.gs_used.val() & self.gs_hdr.val() & !self.gs_done.val() {
                    self.g_state.d.next = 1.into();
                }
            }
            1 => {
                self.g_status.d.next = self.g_st.val();
                self.g_h.d.next = 0.into();
                self.g_m.d.next = self.g_len.val();
                if self.g_tso.val() {
                    self.g_h.d.next = self.g_hdrv.val();
                    self.g_m.d.next = self.g_mss.val();
                }
                self.g_rem.d.next = self.g_len.val();
                if self.g_tso.val() {
                    self.g_rem.d.next = self.g_len.val() - self.g_hdrv.val();
                }
                self.g_b.d.next = 0.into();
                self.g_count.d.next = 0.into();
                self.g_id.d.next = self.gcap.val().get_bits::<16>(64);
                self.g_seq.d.next = self.gcap.val().get_bits::<32>(32);
                self.g_flags.d.next = self.gcap.val().get_bits::<8>(16);
                self.g_cbase.d.next =
                    bit_cast::<16, 17>(self.g_c0.val()) + bit_cast::<16, 17>(self.g_c0.val() >> 16);
                self.g_l4.d.next = self.g_l4v.val();
                self.g_tlsub.d.next = self.g_l3v.val();
                if self.g_v6.val() {
                    self.g_tlsub.d.next = self.g_l3v.val() + 40;
                }
                self.g_start.d.next = self.gs_start.val();
                for s in 0..2 {
                    if self.g_slot.q.val() == (s == 1) {
                        self.f_h[s].d.next = 0.into();
                        if self.g_tso.val() {
                            self.f_h[s].d.next = self.g_hdrv.val();
                        }
                        self.f_cmd[s].d.next = self.g_cmd.val();
                        self.f_pen[s].d.next = self.g_pen.val();
                        if self.g_st.val() != 0 {
                            self.s_drain[s].d.next = true;
                        }
                    }
                }
                for k in 0..PATCHES {
                    self.g_tgt.next = bit_cast::<9, 17>(self.g_l3v.val()) + self.patch_add[k].val();
                    if self.patch_l4[k].val() {
                        self.g_tgt.next =
                            bit_cast::<9, 17>(self.g_l4v.val()) + self.patch_add[k].val();
                    }
                    if self.patch_tl[k].val() {
                        self.g_tgt.next = self.g_tlbase.val() + self.patch_add[k].val();
                    }
                    if self.g_slot.q.val() {
                        self.f_t1[k].d.next = self.g_tgt.val();
                    } else {
                        self.f_t0[k].d.next = self.g_tgt.val();
                    }
                }
                self.g_state.d.next = 2.into();
                if self.g_st.val() != 0 {
                    self.g_state.d.next = 4.into();
                }
            }
            2 => {
                self.g_l.d.next = self.g_h.q.val() + self.g_p.val();
                self.g_need.d.next = self.g_h.q.val() + self.g_b.q.val() + self.g_p.val();
                self.g_last.d.next = self.g_rem.q.val() <= self.g_m.q.val();
                self.g_state.d.next = 3.into();
                if self.g_h.q.val() + self.g_p.val() == 0 {
                    self.g_state.d.next = 4.into();
                }
            }
            3 => {
                if (self.gs_got.val() >= self.g_need.q.val())
                    & (!self.g_last.q.val() | self.gs_ended.val())
                {
                    if !self.queue.almost_full.val() {
                        self.queue.write.next = true;
                        self.queue.data_in.next = (bit_cast::<QW, 1>(self.g_slot.q.val().into())
                            << 1)
                            | (bit_cast::<QW, 15>(self.g_a0.val()) << 2)
                            | (bit_cast::<QW, 14>(self.g_l.q.val().get_bits::<14>(0)) << 17)
                            | (bit_cast::<QW, 14>(bit_cast::<14, 17>(
                                (self.g_l.q.val() - 1) >> self.lg.val(),
                            )) << 31)
                            | (bit_cast::<QW, 88>(self.g_pv.val()) << 45)
                            | (bit_cast::<QW, 1>((self.g_last.q.val() & self.gs_bad.val()).into())
                                << 133);
                        self.g_rem.d.next = self.g_rem.q.val() - self.g_m.q.val();
                        self.g_b.d.next = self.g_b.q.val() + self.g_m.q.val();
                        self.g_id.d.next = self.g_id.q.val() + 1;
                        self.g_seq.d.next =
                            self.g_seq.q.val() + bit_cast::<32, 17>(self.g_m.q.val());
                        self.g_count.d.next = self.g_count.q.val() + 1;
                        self.g_state.d.next = 2.into();
                        if self.g_last.q.val() {
                            self.g_state.d.next = 4.into();
                        }
                    }
                } else if self.gs_ended.val() {
                    self.g_status.d.next = self.st_truncated.val();
                    self.g_state.d.next = 4.into();
                }
            }
            _ => {
                if self.gs_ended.val() & !self.queue.almost_full.val() {
                    self.queue.write.next = true;
                    self.queue.data_in.next = bit_cast::<QW, 1>(true.into())
                        | (bit_cast::<QW, 1>(self.g_slot.q.val().into()) << 1)
                        | (bit_cast::<QW, 4>(self.g_fin.val()) << 134)
                        | (bit_cast::<QW, 16>(self.g_count.q.val()) << 138)
                        | (bit_cast::<QW, RB>(self.gs_start.val() + self.gs_rows.val()) << 154);
                    for s in 0..2 {
                        if self.g_slot.q.val() == (s == 1) {
                            self.g_done[s].d.next = true;
                        }
                    }
                    self.g_slot.d.next = !self.g_slot.q.val();
                    self.g_state.d.next = 0.into();
                }
            }
        }

        // Issuer: one beat per cycle, the first straight off the queue.
        self.can.next = !self.ofifo.almost_full.val();
        self.i_issue.next = false;
        self.i_j.next = self.c_j.q.val();
        self.i_jl.next = self.c_jl.q.val();
        self.i_a.next = self.c_a.q.val();
        self.i_l.next = self.c_l.q.val();
        self.i_pv.next = self.c_pv.q.val();
        self.i_slot.next = self.c_slot.q.val();
        self.i_user.next = self.c_user.q.val();
        self.queue.read.next = false;
        self.d_valid.d.next = false;
        if self.c_active.q.val() {
            self.i_issue.next = self.can.val();
        } else if self.queue.valid.val() {
            self.i_j.next = 0.into();
            self.i_jl.next = self.queue.data_out.val().get_bits::<14>(31);
            self.i_a.next = self.queue.data_out.val().get_bits::<15>(2);
            self.i_l.next = self.queue.data_out.val().get_bits::<14>(17);
            self.i_pv.next = self.queue.data_out.val().get_bits::<88>(45);
            self.i_slot.next = self.queue.data_out.val().get_bit(1);
            self.i_user.next = self.queue.data_out.val().get_bit(133);
            if self.queue.data_out.val().get_bit(0) {
                // A frame's end: report it and hand its slot and rows back.
                self.queue.read.next = true;
                self.d_valid.d.next = true;
                self.d_status.d.next = self.queue.data_out.val().get_bits::<4>(134);
                self.d_count.d.next = self.queue.data_out.val().get_bits::<16>(138);
                self.low_row.d.next = self.queue.data_out.val().get_bits::<RB>(154);
                for s in 0..2 {
                    if self.queue.data_out.val().get_bit(1) == (s == 1) {
                        self.s_used[s].d.next = false;
                    }
                }
            } else if self.can.val() {
                self.queue.read.next = true;
                self.i_issue.next = true;
                self.low_row.d.next = bit_cast::<RB, 15>(self.i_a.val() >> self.lg.val());
            }
        }
        if self.i_issue.val() {
            self.c_active.d.next = self.i_j.val() != self.i_jl.val();
            self.c_j.d.next = self.i_j.val() + 1;
            self.c_jl.d.next = self.i_jl.val();
            self.c_a.d.next = self.i_a.val() + bit_cast::<15, 17>(self.width.val());
            self.c_l.d.next = self.i_l.val();
            self.c_pv.d.next = self.i_pv.val();
            self.c_slot.d.next = self.i_slot.val();
            self.c_user.d.next = self.i_user.val();
        }
        // Lane b of the ring holds bytes whose address is b modulo K: the
        // lanes before the start lane read the next row.
        self.i_row.next = bit_cast::<RB, 15>(self.i_a.val() >> self.lg.val());
        self.i_rot.next = bit_cast::<4, 15>(self.i_a.val() & bit_cast::<15, 17>(self.kmask.val()));
        for b in 0..K {
            self.ring[b].read_address.next = self.i_row.val();
            if self.lane4[b].val() < self.i_rot.val() {
                self.ring[b].read_address.next = self.i_row.val() + 1;
            }
        }
        self.hdr.read_address.next = (bit_cast::<HB, 1>(self.i_slot.val().into())
            << self.hshift.val())
            | bit_cast::<HB, 14>(self.i_j.val());
        if self.i_slot.val() {
            self.hdr.read_address.next = (bit_cast::<HB, 1>(true.into()) << self.hshift.val())
                | (bit_cast::<HB, 14>(self.i_j.val())
                    & !(bit_cast::<HB, 1>(true.into()) << self.hshift.val()));
        } else {
            self.hdr.read_address.next = bit_cast::<HB, 14>(self.i_j.val())
                & !(bit_cast::<HB, 1>(true.into()) << self.hshift.val());
        }
        self.x1_valid.d.next = self.i_issue.val();
        self.x1_j.d.next = self.i_j.val();
        self.x1_l.d.next = self.i_l.val();
        self.x1_pv.d.next = self.i_pv.val();
        self.x1_slot.d.next = self.x1_slot.q.val();
        if self.i_issue.val() {
            self.x1_slot.d.next = self.i_slot.val();
        }
        self.x1_rot.d.next = self.i_rot.val();
        self.x1_last.d.next = self.i_j.val() == self.i_jl.val();
        self.x1_user.d.next = self.i_user.val();

        // X1: which lanes are header, payload, fixed bytes, kept. The slot's
        // figures stay put until its end is taken off the queue, which is
        // after this beat left X1.
        self.x_h.next = self.f_h[0].q.val();
        self.x_pen.next = self.f_pen[0].q.val();
        if self.x1_slot.q.val() {
            self.x_h.next = self.f_h[1].q.val();
            self.x_pen.next = self.f_pen[1].q.val();
        }
        self.x_jo.next = bit_cast::<17, 14>(self.x1_j.q.val()) << self.lg.val();
        self.x_hm.next = 0.into();
        self.x_keep.next = 0.into();
        for i in 0..K {
            self.x_o.next = self.x_jo.val() | self.lane[i].val();
            if self.x_o.val() < self.x_h.val() {
                self.x_hm.next = self.x_hm.val() | self.lane_ff[i].val();
            }
            if self.x_o.val() < bit_cast::<17, 14>(self.x1_l.q.val()) {
                self.x_keep.next = self.x_keep.val() | (self.one_k.val() << self.lane[i].val());
            }
        }
        self.x_pm.next = 0.into();
        self.x_pb.next = 0.into();
        for k in 0..PATCHES {
            self.x_t.next = self.f_t0[k].q.val();
            if self.x1_slot.q.val() {
                self.x_t.next = self.f_t1[k].q.val();
            }
            self.x_hit.next = self.x_pen.val().get_bit(k)
                & ((bit_cast::<17, 9>(self.x_t.val()) & !self.kmask.val()) == self.x_jo.val());
            for i in 0..K {
                if self.x_hit.val()
                    & ((self.x_t.val() & bit_cast::<9, 17>(self.kmask.val()))
                        == self.lane9[i].val())
                {
                    self.x_pm.next = self.x_pm.val() | self.lane_ff[i].val();
                    self.x_byte.next = self.x1_pv.q.val().get_bits::<8>(8 * (10 - k));
                    self.x_pb.next = self.x_pb.val()
                        | (bit_cast::<D, 8>(self.x_byte.val()) << self.lane_shift[i].val());
                }
            }
        }
        self.ring_word.next = 0.into();
        for b in 0..K {
            self.x_byte.next = self.ring[b].read_data.val();
            self.ring_word.next = self.ring_word.val()
                | (bit_cast::<D, 8>(self.x_byte.val()) << self.lane_shift[b].val());
        }
        self.x2_valid.d.next = self.x1_valid.q.val();
        self.x2_ring.d.next = self.ring_word.val();
        self.x2_hdr.d.next = self.hdr.read_data.val();
        self.x2_hm.d.next = self.x_hm.val();
        self.x2_pm.d.next = self.x_pm.val();
        self.x2_pb.d.next = self.x_pb.val();
        self.x2_keep.d.next = self.x_keep.val();
        self.x2_rot.d.next = self.x1_rot.q.val();
        self.x2_last.d.next = self.x1_last.q.val();
        self.x2_user.d.next = self.x1_last.q.val() & self.x1_user.q.val();
        self.x2_cmd.d.next = self.f_cmd[0].q.val();
        if self.x1_slot.q.val() {
            self.x2_cmd.d.next = self.f_cmd[1].q.val();
        }

        // X2: rotate the payload into place, lay the header and the fixed
        // bytes over it.
        self.rot_sh.next = bit_cast::<8, 4>(self.x2_rot.q.val()) << 3;
        self.rotated.next = (self.x2_ring.q.val() >> self.rot_sh.val())
            | (self.x2_ring.q.val() << (self.dw.val() - self.rot_sh.val()));
        self.merged.next =
            (self.rotated.val() & !self.x2_hm.q.val()) | (self.x2_hdr.q.val() & self.x2_hm.q.val());
        self.merged.next =
            (self.merged.val() & !self.x2_pm.q.val()) | (self.x2_pb.q.val() & self.x2_pm.q.val());
        self.ofifo.write.next = self.x2_valid.q.val();
        self.ofifo.data_in.next = bit_cast::<OW, D>(self.merged.val())
            | (bit_cast::<OW, K>(self.x2_keep.q.val()) << self.at_keep.val())
            | (bit_cast::<OW, 1>(self.x2_last.q.val().into()) << self.at_last.val())
            | (bit_cast::<OW, 32>(self.x2_cmd.q.val()) << self.at_cmd.val())
            | (bit_cast::<OW, 1>(self.x2_user.q.val().into()) << self.at_user.val());

        // Out.
        self.seg.valid.next = self.ofifo.valid.val();
        self.seg.data.next = self.ofifo.data_out.val().get_bits::<D>(0);
        self.seg.keep.next = self
            .ofifo
            .data_out
            .val()
            .get_bits::<K>(self.at_keep.val().index());
        self.seg.last.next = self
            .ofifo
            .data_out
            .val()
            .get_bit(self.at_last.val().index());
        self.seg.user.next = self
            .ofifo
            .data_out
            .val()
            .get_bit(self.at_user.val().index());
        self.cmd.next = self
            .ofifo
            .data_out
            .val()
            .get_bits::<32>(self.at_cmd.val().index());
        self.ofifo.read.next = self.ofifo.valid.val() & self.seg.ready.val();
        self.done_valid.next = self.d_valid.q.val();
        self.done_status.next = self.d_status.q.val();
        self.done_segments.next = self.d_count.q.val();

        if self.reset.val() {
            self.w_off.d.next = 0.into();
            self.w_row.d.next = 0.into();
            self.w_slot.d.next = false;
            self.r_valid.d.next = false;
            self.g_state.d.next = 0.into();
            self.g_slot.d.next = false;
            self.low_row.d.next = 0.into();
            self.c_active.d.next = false;
            self.d_valid.d.next = false;
            self.x1_valid.d.next = false;
            self.x2_valid.d.next = false;
            for s in 0..2 {
                self.s_used[s].d.next = false;
                self.g_done[s].d.next = false;
            }
        }
    }
}
