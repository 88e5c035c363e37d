//! The parser core of `rx_parser`: one header record per received frame
//! (the rules are in [`spec::rx_parse`]), from the beats of `rx_front`.
//!
//! ```text
//!  rx_front ─> S0 ─> E ─> D ─> F (options) ─> record FIFO
//! ```
//! [`crate::rx_front`] hands over each beat with the walker's findings
//! (the IPv6 L4 header, why a walk stopped) already known. S0
//! keeps two windows of the frame as whole beats, no byte shuffling on the
//! line-rate path: the first 64 bytes (every L2/L3 field the parser reads)
//! and the beats from the one holding the L4 header on (its 60 bytes at any
//! alignment). The IPv4 L4 offset comes from the IHL at least 20 bytes
//! before the header it points to, so it is registered in time. At the last
//! beat both windows move to E, where the frame's fields are decoded into
//! the D registers; the checks then run on those in the spec's order and
//! the record moves to F, which walks the TCP options one
//! option per cycle (a pair of NOPs counts as one), shifting the option
//! bytes so the current one is always at byte 0.
//!
//! A frame's last beat leaves the data FIFO only when E will be free to
//! take it, so a slow option walk holds the input back instead of losing a
//! record.

use crate::ram::Style;
use crate::rx_walker::{DESC_BITS, DESC_L4, DESC_PROTO, DESC_STOP};
use crate::rx_walker::{STOP_ENDED, STOP_FRAGMENT, STOP_LIMIT};
use crate::stream::{Offset, lane_constants, offset};
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;
use spec::rx_parse as rp;

/// Bits of the record.
pub const RB: usize = rp::RECORD_BITS as usize;
/// The head window: frame bytes 0..64.
const HEAD_BYTES: usize = 64;

#[derive(LogicBlock)]
pub struct ParserCore<const D: usize, const K: usize, const P: usize, const TB: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// From [`crate::rx_front`]: the beat taken last cycle and its
    /// frame's descriptor; whether the next beat may come, and a last one
    /// (only when E will be free to take its frame).
    pub in_valid: Signal<In, Bit>,
    pub in_beat: Signal<In, Bits<P>>,
    pub in_desc: Signal<In, Bits<DESC_BITS>>,
    pub take: Signal<Out, Bit>,
    pub take_last: Signal<Out, Bit>,
    pub header: Signal<Out, Bits<RB>>,
    pub header_valid: Signal<Out, Bit>,
    pub header_ready: Signal<In, Bit>,
    ofifo: SyncFifo<RB, 4, 5>,
    // S0: the windows fill
    s_off: DFF<Offset>,
    head: Vec<DFF<Bits<D>>>,
    tcpw: Vec<DFF<Bits<D>>>,
    /// The L4 header's offset (IPv6 from the walker, IPv4 from the IHL).
    q_l4: DFF<Offset>,
    // E: one frame's windows and facts
    e_valid: DFF<Bit>,
    e_head: Vec<DFF<Bits<D>>>,
    e_tcpw: Vec<DFF<Bits<D>>>,
    e_len: DFF<Offset>,
    e_user: DFF<Bit>,
    e_desc: DFF<Bits<DESC_BITS>>,
    // D: E's fields, decoded a cycle before the checks that use them
    e_age: DFF<Bit>,
    d1_status: DFF<Bits<4>>,
    d1_kind: DFF<Bits<2>>,
    d1_l3: DFF<Offset>,
    d1_n: DFF<Offset>,
    d1_user: DFF<Bit>,
    d1_ip0: DFF<Bits<8>>,
    d1_ihl4: DFF<Offset>,
    d1_tot: DFF<Offset>,
    d1_plen6: DFF<Offset>,
    d1_frag: DFF<Bit>,
    d1_tcp4: DFF<Bit>,
    d1_tcp6: DFF<Bit>,
    d1_stop: DFF<Bits<2>>,
    d1_l4: DFF<Offset>,
    d1_end: DFF<Offset>,
    d1_src: DFF<Bits<128>>,
    d1_dst: DFF<Bits<128>>,
    d1_et: DFF<Bits<TB>>,
    // F: the decoded record, options walked here
    f_valid: DFF<Bit>,
    f_rec: DFF<Bits<RB>>,
    /// The parser took the frame: every field of `f_rec` counts.
    f_ok: DFF<Bit>,
    ob: DFF<Bits<320>>,
    orem: DFF<Bits<6>>,
    o_flags: DFF<Bits<7>>,
    o_mss: DFF<Bits<16>>,
    o_ws: DFF<Bits<8>>,
    o_sack: DFF<Bits<3>>,
    o_tsval: DFF<Bits<32>>,
    o_tsecr: DFF<Bits<32>>,
    // constants
    hoff: Vec<Constant<Offset>>,
    toff: Vec<Constant<Offset>>,
    hsh: Vec<Constant<Bits<10>>>,
    tsh: Vec<Constant<Bits<10>>>,
    lane: Vec<Constant<Offset>>,
    lane_end: Vec<Constant<Offset>>,
    lane_bytes: Vec<Constant<Bits<D>>>,
    one_k: Constant<Bits<K>>,
    width: Constant<Offset>,
    lane_mask: Constant<Offset>,
    off_sat: Constant<Offset>,
    at_keep: Constant<Bits<10>>,
    at_last: Constant<Bits<10>>,
    at_user: Constant<Bits<10>>,
    f_l4: Constant<Bits<5>>,
    f_proto: Constant<Bits<5>>,
    f_stop: Constant<Bits<5>>,
    stop_frag: Constant<Bits<2>>,
    stop_limit: Constant<Bits<2>>,
    stop_ended: Constant<Bits<2>>,
    tpid_a: Constant<Bits<16>>,
    tpid_b: Constant<Bits<16>>,
    et_v4: Constant<Bits<16>>,
    et_v6: Constant<Bits<16>>,
    p_tcp: Constant<Bits<8>>,
    st: Vec<Constant<Bits<4>>>,
    k_eol: Constant<Bits<8>>,
    k_nop: Constant<Bits<8>>,
    k_mss: Constant<Bits<8>>,
    k_ws: Constant<Bits<8>>,
    k_sackok: Constant<Bits<8>>,
    k_sack: Constant<Bits<8>>,
    k_ts: Constant<Bits<8>>,
    /// The fields a refused frame's record keeps.
    base_mask: Constant<Bits<RB>>,
    r_status: Constant<Bits<10>>,
    r_kind: Constant<Bits<10>>,
    r_user: Constant<Bits<10>>,
    r_l3: Constant<Bits<10>>,
    r_flags: Constant<Bits<10>>,
    r_doff: Constant<Bits<10>>,
    r_l4: Constant<Bits<10>>,
    r_opts: Constant<Bits<10>>,
    r_sack: Constant<Bits<10>>,
    r_seq: Constant<Bits<10>>,
    r_ack: Constant<Bits<10>>,
    r_sport: Constant<Bits<10>>,
    r_dport: Constant<Bits<10>>,
    r_window: Constant<Bits<10>>,
    r_mss: Constant<Bits<10>>,
    r_tsval: Constant<Bits<10>>,
    r_tsecr: Constant<Bits<10>>,
    r_poff: Constant<Bits<10>>,
    r_plen: Constant<Bits<10>>,
    r_len: Constant<Bits<10>>,
    r_ws: Constant<Bits<10>>,
    /// Where address byte `b` (wire order) sits in the record.
    srcpos: Vec<Constant<Bits<10>>>,
    dstpos: Vec<Constant<Bits<10>>>,
    // locals: front and S0
    e_room: Signal<Local, Bit>,
    e_take: Signal<Local, Bit>,
    f_out: Signal<Local, Bit>,
    bdata: Signal<Local, Bits<D>>,
    bkeep: Signal<Local, Bits<K>>,
    blast: Signal<Local, Bit>,
    bmask: Signal<Local, Bits<D>>,
    nkept: Signal<Local, Offset>,
    kept: Signal<Local, Bit>,
    base4: Signal<Local, Offset>,
    rel4: Signal<Local, Offset>,
    ihl: Signal<Local, Bits<4>>,
    // locals: E decode
    eh: Signal<Local, Bits<512>>,
    et: Signal<Local, Bits<TB>>,
    /// The TCP header's first 16 bytes and its option bytes.
    th: Signal<Local, Bits<128>>,
    obn: Signal<Local, Bits<320>>,
    // The IP header's fields: byte 0, bytes 2..6, fragment bits, protocol,
    // bytes 8..40 (addresses)
    ip0: Signal<Local, Bits<8>>,
    ipl: Signal<Local, Bits<32>>,
    ipf6: Signal<Local, Bits<6>>,
    ipf7: Signal<Local, Bits<8>>,
    ipp: Signal<Local, Bits<8>>,
    ipa: Signal<Local, Bits<256>>,
    n: Signal<Local, Offset>,
    et0: Signal<Local, Bits<16>>,
    et1: Signal<Local, Bits<16>>,
    et2: Signal<Local, Bits<16>>,
    l3: Signal<Local, Offset>,
    ety: Signal<Local, Bits<16>>,
    kind: Signal<Local, Bits<2>>,
    status: Signal<Local, Bits<4>>,
    ihl4: Signal<Local, Offset>,
    tot: Signal<Local, Offset>,
    plen6: Signal<Local, Offset>,
    l4: Signal<Local, Offset>,
    pend: Signal<Local, Offset>,
    stop: Signal<Local, Bits<2>>,
    s4: Signal<Local, Offset>,
    doff4: Signal<Local, Offset>,
    seg: Signal<Local, Offset>,
    poff: Signal<Local, Offset>,
    plen: Signal<Local, Offset>,
    oinit: Signal<Local, Bits<6>>,
    arec: Signal<Local, Bits<RB>>,
    src: Signal<Local, Bits<128>>,
    dst: Signal<Local, Bits<128>>,
    rec: Signal<Local, Bits<RB>>,
    orec: Signal<Local, Bits<RB>>,
    slot: Signal<Local, Bits<D>>,
    abyte: Signal<Local, Bits<8>>,
    // locals: options
    okind: Signal<Local, Bits<8>>,
    olen: Signal<Local, Bits<8>>,
    adv: Signal<Local, Bits<6>>,
    orem_q: Signal<Local, Bits<8>>,
    f_done: Signal<Local, Bit>,
}

fn base_mask() -> Bits<RB> {
    let mut m = Bits::<RB>::default();
    for f in [
        rp::FIELD_STATUS,
        rp::FIELD_KIND,
        rp::FIELD_USER,
        rp::FIELD_L3,
        rp::FIELD_LEN,
    ] {
        for b in f.lsb..f.lsb + f.width {
            m = m.replace_bit(b as usize, true);
        }
    }
    m
}

/// Record bit of address byte `b`: four big-endian 32-bit words from `f`.
fn addr_bit(f: spec::Field, b: u64) -> u64 {
    u64::from(f.lsb) + 32 * (b / 4) + 24 - 8 * (b % 4)
}

fn c<const B: usize>(v: u64) -> Constant<Bits<B>> {
    Constant::new(v.to_bits())
}

impl<const D: usize, const K: usize, const P: usize, const TB: usize> ParserCore<D, K, P, TB> {
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        assert_eq!(P, crate::rx_front::beat_bits(D, K), "a front beat");
        assert!(
            TB.is_multiple_of(D) && TB >= 480 + 8 * (K - 1),
            "L4 window too small"
        );
        let w = K as u32;
        let nh = HEAD_BYTES / K;
        let nt = TB / D;
        let slots = |n: usize| (0..n).map(|_| Default::default()).collect::<Vec<_>>();
        let r = |f: spec::Field| c::<10>(u64::from(f.lsb));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_beat: Default::default(),
            in_desc: Default::default(),
            take: Default::default(),
            take_last: Default::default(),
            header: Default::default(),
            header_valid: Default::default(),
            header_ready: Default::default(),
            ofifo: SyncFifo::new(12, Style::Distributed),
            s_off: Default::default(),
            head: slots(nh),
            tcpw: slots(nt),
            q_l4: Default::default(),
            e_valid: Default::default(),
            e_head: slots(nh),
            e_tcpw: slots(nt),
            e_len: Default::default(),
            e_user: Default::default(),
            e_desc: Default::default(),
            e_age: Default::default(),
            d1_status: Default::default(),
            d1_kind: Default::default(),
            d1_l3: Default::default(),
            d1_n: Default::default(),
            d1_user: Default::default(),
            d1_ip0: Default::default(),
            d1_ihl4: Default::default(),
            d1_tot: Default::default(),
            d1_plen6: Default::default(),
            d1_frag: Default::default(),
            d1_tcp4: Default::default(),
            d1_tcp6: Default::default(),
            d1_stop: Default::default(),
            d1_l4: Default::default(),
            d1_end: Default::default(),
            d1_src: Default::default(),
            d1_dst: Default::default(),
            d1_et: Default::default(),
            f_valid: Default::default(),
            f_rec: Default::default(),
            f_ok: Default::default(),
            ob: Default::default(),
            orem: Default::default(),
            o_flags: Default::default(),
            o_mss: Default::default(),
            o_ws: Default::default(),
            o_sack: Default::default(),
            o_tsval: Default::default(),
            o_tsecr: Default::default(),
            hoff: (0..nh as u32).map(|m| offset(m * w)).collect(),
            toff: (0..nt as u32).map(|m| offset(m * w)).collect(),
            hsh: (0..nh as u64).map(|m| c::<10>(m * D as u64)).collect(),
            tsh: (0..nt as u64).map(|m| c::<10>(m * D as u64)).collect(),
            lane: lane_constants(K),
            lane_end: (1..=w).map(offset).collect(),
            lane_bytes: (0..K)
                .map(|i| Constant::new(Bits::<D>::from(0xFFu64 << (8 * i))))
                .collect(),
            one_k: Constant::new(1.into()),
            width: offset(w),
            lane_mask: offset(w - 1),
            off_sat: offset(spec::stream::OFFSET_MAX + 1 - 2 * w),
            at_keep: c(D as u64),
            at_last: c((D + K) as u64),
            at_user: c((D + K + 1) as u64),
            f_l4: c(u64::from(DESC_L4.lsb)),
            f_proto: c(u64::from(DESC_PROTO.lsb)),
            f_stop: c(u64::from(DESC_STOP.lsb)),
            stop_frag: c(STOP_FRAGMENT),
            stop_limit: c(STOP_LIMIT),
            stop_ended: c(STOP_ENDED),
            tpid_a: c(u64::from(spec::rx_csum::VLAN_TPIDS[0])),
            tpid_b: c(u64::from(spec::rx_csum::VLAN_TPIDS[1])),
            et_v4: c(u64::from(spec::rx_csum::ETHERTYPE_IPV4)),
            et_v6: c(u64::from(spec::rx_csum::ETHERTYPE_IPV6)),
            p_tcp: c(u64::from(spec::rx_csum::PROTO_TCP)),
            st: rp::Status::ALL.iter().map(|&s| c(s as u64)).collect(),
            k_eol: c(u64::from(rp::KIND_EOL)),
            k_nop: c(u64::from(rp::KIND_NOP)),
            k_mss: c(u64::from(rp::KIND_MSS)),
            k_ws: c(u64::from(rp::KIND_WSCALE)),
            k_sackok: c(u64::from(rp::KIND_SACK_OK)),
            k_sack: c(u64::from(rp::KIND_SACK)),
            k_ts: c(u64::from(rp::KIND_TIMESTAMPS)),
            base_mask: Constant::new(base_mask()),
            r_status: r(rp::FIELD_STATUS),
            r_kind: r(rp::FIELD_KIND),
            r_user: r(rp::FIELD_USER),
            r_l3: r(rp::FIELD_L3),
            r_flags: r(rp::FIELD_FLAGS),
            r_doff: r(rp::FIELD_DOFF),
            r_l4: r(rp::FIELD_L4),
            r_opts: r(rp::FIELD_OPTS),
            r_sack: r(rp::FIELD_SACK_BLOCKS),
            r_seq: r(rp::FIELD_SEQ),
            r_ack: r(rp::FIELD_ACK),
            r_sport: r(rp::FIELD_SPORT),
            r_dport: r(rp::FIELD_DPORT),
            r_window: r(rp::FIELD_WINDOW),
            r_mss: r(rp::FIELD_MSS),
            r_tsval: r(rp::FIELD_TSVAL),
            r_tsecr: r(rp::FIELD_TSECR),
            r_poff: r(rp::FIELD_POFF),
            r_plen: r(rp::FIELD_PLEN),
            r_len: r(rp::FIELD_LEN),
            r_ws: r(rp::FIELD_WSCALE),
            srcpos: (0..16).map(|b| c(addr_bit(rp::FIELD_SRC[0], b))).collect(),
            dstpos: (0..16).map(|b| c(addr_bit(rp::FIELD_DST[0], b))).collect(),
            e_room: Default::default(),
            e_take: Default::default(),
            f_out: Default::default(),
            bdata: Default::default(),
            bkeep: Default::default(),
            blast: Default::default(),
            bmask: Default::default(),
            nkept: Default::default(),
            kept: Default::default(),
            base4: Default::default(),
            rel4: Default::default(),
            ihl: Default::default(),
            eh: Default::default(),
            et: Default::default(),
            th: Default::default(),
            obn: Default::default(),
            ip0: Default::default(),
            ipl: Default::default(),
            ipf6: Default::default(),
            ipf7: Default::default(),
            ipp: Default::default(),
            ipa: Default::default(),
            n: Default::default(),
            et0: Default::default(),
            et1: Default::default(),
            et2: Default::default(),
            l3: Default::default(),
            ety: Default::default(),
            kind: Default::default(),
            status: Default::default(),
            ihl4: Default::default(),
            tot: Default::default(),
            plen6: Default::default(),
            l4: Default::default(),
            pend: Default::default(),
            stop: Default::default(),
            s4: Default::default(),
            doff4: Default::default(),
            seg: Default::default(),
            poff: Default::default(),
            plen: Default::default(),
            oinit: Default::default(),
            arec: Default::default(),
            src: Default::default(),
            dst: Default::default(),
            rec: Default::default(),
            orec: Default::default(),
            slot: Default::default(),
            abyte: Default::default(),
            okind: Default::default(),
            olen: Default::default(),
            adv: Default::default(),
            orem_q: Default::default(),
            f_done: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize, const P: usize, const TB: usize> Default
    for ParserCore<D, K, P, TB>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize, const P: usize, const TB: usize> Logic
    for ParserCore<D, K, P, TB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, s_off, q_l4, e_valid, e_len, e_user, e_desc, e_age, d1_status, d1_kind,
            d1_l3, d1_n, d1_user, d1_ip0, d1_ihl4, d1_tot, d1_plen6, d1_frag, d1_tcp4, d1_tcp6,
            d1_stop, d1_l4, d1_end, d1_src, d1_dst, d1_et, f_valid, f_rec, f_ok, ob, orem, o_flags,
            o_mss, o_ws, o_sack, o_tsval, o_tsecr
        );
        for m in 0..(HEAD_BYTES / K) {
            self.head[m].clock.next = self.clock.val();
            self.head[m].d.next = self.head[m].q.val();
            self.e_head[m].clock.next = self.clock.val();
            self.e_head[m].d.next = self.e_head[m].q.val();
        }
        for m in 0..(TB / D) {
            self.tcpw[m].clock.next = self.clock.val();
            self.tcpw[m].d.next = self.tcpw[m].q.val();
            self.e_tcpw[m].clock.next = self.clock.val();
            self.e_tcpw[m].d.next = self.e_tcpw[m].q.val();
        }
        clock!(self, clock, ofifo);
        self.ofifo.reset.next = self.reset.val();

        // F hands its record on when the walk is over; E then moves to F.
        self.orem_q.next = bit_cast::<8, 6>(self.orem.q.val());
        self.f_done.next = self.f_valid.q.val() & (self.orem.q.val() == 0);
        self.f_out.next = self.f_done.val() & !self.ofifo.almost_full.val();
        // E's fields reach the D registers a cycle after E fills; F takes a
        // record only when empty (see below), from registered signals.
        self.e_take.next = self.e_valid.q.val() & self.e_age.q.val() & !self.f_valid.q.val();

        // S0: the beat in hand, its bytes past `keep` zeroed.
        self.bkeep.next = self.in_beat.val().get_bits::<K>(self.at_keep.val().index());
        self.blast.next =
            self.in_valid.val() & self.in_beat.val().get_bit(self.at_last.val().index());
        self.bmask.next = 0.into();
        self.nkept.next = 0.into();
        for i in 0..K {
            self.kept.next = ((self.bkeep.val() >> self.lane[i].val()) & self.one_k.val()).any();
            if self.kept.val() {
                self.bmask.next = self.bmask.val() | self.lane_bytes[i].val();
            }
            if self.kept.val()
                & !((self.bkeep.val() >> (self.lane[i].val() + 1)) & self.one_k.val()).any()
            {
                self.nkept.next = self.nkept.val() | self.lane_end[i].val();
            }
        }
        self.bdata.next = self.in_beat.val().get_bits::<D>(0) & self.bmask.val();

        // Pop: a frame's last beat only when E will be free to take it.
        self.e_room.next = (!self.e_valid.q.val() | self.e_take.val()) & !self.blast.val();
        self.take.next = true;
        self.take_last.next = self.e_room.val();

        // The head window, cleared as a frame starts.
        self.eh.next = 0.into();
        for m in 0..(HEAD_BYTES / K) {
            self.slot.next = self.head[m].q.val();
            self.eh.next =
                self.eh.val() | (bit_cast::<512, D>(self.slot.val()) << self.hsh[m].val());
            if self.in_valid.val() & (self.s_off.q.val() == 0) {
                self.head[m].d.next = 0.into();
            }
            if self.blast.val() {
                self.e_head[m].d.next = self.head[m].q.val();
            }
            if self.in_valid.val() & (self.s_off.q.val() == self.hoff[m].val()) {
                self.head[m].d.next = self.bdata.val();
                if self.blast.val() {
                    self.e_head[m].d.next = self.bdata.val();
                }
            }
        }
        // Where L4 starts: the IPv4 IHL sits at L3 (14, 18 or 22).
        self.ihl.next = self.eh.val().get_bits::<4>(112);
        if self.in_desc.val().get_bits::<5>(0) == 18 {
            self.ihl.next = self.eh.val().get_bits::<4>(144);
        }
        if self.in_desc.val().get_bits::<5>(0) == 22 {
            self.ihl.next = self.eh.val().get_bits::<4>(176);
        }
        self.q_l4.d.next = bit_cast::<17, 5>(self.in_desc.val().get_bits::<5>(0))
            + (bit_cast::<17, 4>(self.ihl.val()) << 2);
        if self.in_desc.val().get_bits::<2>(5) == 2 {
            self.q_l4.d.next = self.in_desc.val().get_bits::<17>(self.f_l4.val().index());
        }
        // The L4 window: whole beats from the one holding the L4 header.
        // Beats taken before the IHL is known are overwritten once it is.
        self.base4.next = self.q_l4.q.val() & !self.lane_mask.val();
        self.rel4.next = self.s_off.q.val() - self.base4.val();
        for m in 0..(TB / D) {
            if self.blast.val() {
                self.e_tcpw[m].d.next = self.tcpw[m].q.val();
            }
            if self.in_valid.val() & (self.rel4.val() == self.toff[m].val()) {
                self.tcpw[m].d.next = self.bdata.val();
                if self.blast.val() {
                    self.e_tcpw[m].d.next = self.bdata.val();
                }
            }
        }
        if self.in_valid.val() {
            if self.s_off.q.val() < self.off_sat.val() {
                self.s_off.d.next = self.s_off.q.val() + self.width.val();
            }
            if self.blast.val() {
                self.s_off.d.next = 0.into();
            }
        }
        if self.e_take.val() {
            self.e_valid.d.next = false;
        }
        self.e_age.d.next = self.e_valid.q.val();
        if self.blast.val() {
            self.e_valid.d.next = true;
            self.e_age.d.next = false;
            self.e_len.d.next = self.s_off.q.val() + self.nkept.val();
            self.e_user.d.next = self.in_beat.val().get_bit(self.at_user.val().index());
            self.e_desc.d.next = self.in_desc.val();
        }

        // E: decode, checks in the spec's order.
        self.eh.next = 0.into();
        for m in 0..(HEAD_BYTES / K) {
            self.slot.next = self.e_head[m].q.val();
            self.eh.next =
                self.eh.val() | (bit_cast::<512, D>(self.slot.val()) << self.hsh[m].val());
        }
        self.et.next = 0.into();
        for m in 0..(TB / D) {
            self.slot.next = self.e_tcpw[m].q.val();
            self.et.next =
                self.et.val() | (bit_cast::<TB, D>(self.slot.val()) << self.tsh[m].val());
        }
        self.n.next = self.e_len.q.val();
        self.et0.next = (bit_cast::<16, 8>(self.eh.val().get_bits::<8>(96)) << 8)
            | bit_cast::<16, 8>(self.eh.val().get_bits::<8>(104));
        self.et1.next = (bit_cast::<16, 8>(self.eh.val().get_bits::<8>(128)) << 8)
            | bit_cast::<16, 8>(self.eh.val().get_bits::<8>(136));
        self.et2.next = (bit_cast::<16, 8>(self.eh.val().get_bits::<8>(160)) << 8)
            | bit_cast::<16, 8>(self.eh.val().get_bits::<8>(168));
        self.status.next = self.st[0].val();
        self.l3.next = 0.into();
        self.ety.next = 0.into();
        self.kind.next = 0.into();
        if self.n.val() < 14 {
            self.status.next = self.st[1].val();
        } else if (self.et0.val() != self.tpid_a.val()) & (self.et0.val() != self.tpid_b.val()) {
            self.l3.next = 14.into();
            self.ety.next = self.et0.val();
        } else if self.n.val() < 18 {
            self.status.next = self.st[1].val();
        } else if (self.et1.val() != self.tpid_a.val()) & (self.et1.val() != self.tpid_b.val()) {
            self.l3.next = 18.into();
            self.ety.next = self.et1.val();
        } else if self.n.val() < 22 {
            self.status.next = self.st[1].val();
        } else if (self.et2.val() == self.tpid_a.val()) | (self.et2.val() == self.tpid_b.val()) {
            self.status.next = self.st[2].val();
        } else {
            self.l3.next = 22.into();
            self.ety.next = self.et2.val();
        }
        if self.status.val() == self.st[0].val() {
            if self.ety.val() == self.et_v4.val() {
                self.kind.next = 1.into();
            } else if self.ety.val() == self.et_v6.val() {
                self.kind.next = 2.into();
            } else {
                self.status.next = self.st[2].val();
            }
        }
        self.ip0.next = self.eh.val().get_bits::<8>(112);
        self.ipl.next = self.eh.val().get_bits::<32>(128);
        self.ipf6.next = self.eh.val().get_bits::<6>(160);
        self.ipf7.next = self.eh.val().get_bits::<8>(168);
        self.ipp.next = self.eh.val().get_bits::<8>(184);
        self.ipa.next = self.eh.val().get_bits::<256>(176);
        if self.l3.val() == 18 {
            self.ip0.next = self.eh.val().get_bits::<8>(144);
            self.ipl.next = self.eh.val().get_bits::<32>(160);
            self.ipf6.next = self.eh.val().get_bits::<6>(192);
            self.ipf7.next = self.eh.val().get_bits::<8>(200);
            self.ipp.next = self.eh.val().get_bits::<8>(216);
            self.ipa.next = self.eh.val().get_bits::<256>(208);
        }
        if self.l3.val() == 22 {
            self.ip0.next = self.eh.val().get_bits::<8>(176);
            self.ipl.next = self.eh.val().get_bits::<32>(192);
            self.ipf6.next = self.eh.val().get_bits::<6>(224);
            self.ipf7.next = self.eh.val().get_bits::<8>(232);
            self.ipp.next = self.eh.val().get_bits::<8>(248);
            self.ipa.next = self.eh.val().get_bits::<256>(240);
        }
        self.ihl4.next = bit_cast::<17, 4>(self.ip0.val().get_bits::<4>(0)) << 2;
        self.tot.next = (bit_cast::<17, 8>(self.ipl.val().get_bits::<8>(0)) << 8)
            | bit_cast::<17, 8>(self.ipl.val().get_bits::<8>(8));
        self.plen6.next = (bit_cast::<17, 8>(self.ipl.val().get_bits::<8>(16)) << 8)
            | bit_cast::<17, 8>(self.ipl.val().get_bits::<8>(24));
        self.stop.next = self.e_desc.q.val().get_bits::<2>(self.f_stop.val().index());
        self.l4.next = 0.into();
        self.pend.next = 0.into();
        self.src.next = 0.into();
        self.dst.next = 0.into();
        if self.kind.val() == 1 {
            self.l4.next = self.l3.val() + self.ihl4.val();
            self.pend.next = self.l3.val() + self.tot.val();
            self.src.next = bit_cast::<128, 32>(self.ipa.val().get_bits::<32>(32));
            self.dst.next = bit_cast::<128, 32>(self.ipa.val().get_bits::<32>(64));
        }
        if self.kind.val() == 2 {
            self.l4.next = self.e_desc.q.val().get_bits::<17>(self.f_l4.val().index());
            self.pend.next = self.l3.val() + 40 + self.plen6.val();
            self.src.next = self.ipa.val().get_bits::<128>(0);
            self.dst.next = self.ipa.val().get_bits::<128>(128);
        }
        self.d1_status.d.next = self.status.val();
        self.d1_kind.d.next = self.kind.val();
        self.d1_l3.d.next = self.l3.val();
        self.d1_n.d.next = self.n.val();
        self.d1_user.d.next = self.e_user.q.val();
        self.d1_ip0.d.next = self.ip0.val();
        self.d1_ihl4.d.next = self.ihl4.val();
        self.d1_tot.d.next = self.tot.val();
        self.d1_plen6.d.next = self.plen6.val();
        self.d1_frag.d.next = (self.ipf6.val() != 0) | (self.ipf7.val() != 0);
        self.d1_tcp4.d.next = self.ipp.val() == self.p_tcp.val();
        self.d1_tcp6.d.next = self
            .e_desc
            .q
            .val()
            .get_bits::<2>(self.f_proto.val().index())
            == 1;
        self.d1_stop.d.next = self.stop.val();
        self.d1_l4.d.next = self.l4.val();
        self.d1_end.d.next = self.pend.val();
        self.d1_src.d.next = self.src.val();
        self.d1_dst.d.next = self.dst.val();
        self.d1_et.d.next = self.et.val();

        // D: the checks that need lengths and offsets, from registered
        // fields.
        self.status.next = self.d1_status.q.val();
        self.kind.next = self.d1_kind.q.val();
        self.l3.next = self.d1_l3.q.val();
        self.n.next = self.d1_n.q.val();
        self.ihl4.next = self.d1_ihl4.q.val();
        self.tot.next = self.d1_tot.q.val();
        self.plen6.next = self.d1_plen6.q.val();
        self.stop.next = self.d1_stop.q.val();
        self.l4.next = self.d1_l4.q.val();
        self.pend.next = self.d1_end.q.val();
        self.src.next = self.d1_src.q.val();
        self.dst.next = self.d1_dst.q.val();
        self.et.next = self.d1_et.q.val();
        if self.kind.val() == 1 {
            if self.n.val() < self.l3.val() + 20 {
                self.status.next = self.st[1].val();
            } else if self.d1_ip0.q.val().get_bits::<4>(4) != 4 {
                self.status.next = self.st[3].val();
            } else if self.ihl4.val() < 20 {
                self.status.next = self.st[4].val();
            } else if self.n.val() < self.l4.val() {
                self.status.next = self.st[1].val();
            } else if (self.tot.val() < self.ihl4.val()) | (self.pend.val() > self.n.val()) {
                self.status.next = self.st[5].val();
            } else if self.d1_frag.q.val() {
                self.status.next = self.st[6].val();
            } else if !self.d1_tcp4.q.val() {
                self.status.next = self.st[8].val();
            }
        }
        if self.kind.val() == 2 {
            if self.n.val() < self.l3.val() + 40 {
                self.status.next = self.st[1].val();
            } else if self.d1_ip0.q.val().get_bits::<4>(4) != 6 {
                self.status.next = self.st[3].val();
            } else if (self.plen6.val() == 0) | (self.pend.val() > self.n.val()) {
                self.status.next = self.st[5].val();
            } else if self.stop.val() == self.stop_limit.val() {
                self.status.next = self.st[7].val();
            } else if self.stop.val() == self.stop_ended.val() {
                self.status.next = self.st[5].val();
            } else if self.stop.val() == self.stop_frag.val() {
                self.status.next = self.st[6].val();
            } else if self.l4.val() > self.pend.val() {
                self.status.next = self.st[5].val();
            } else if !self.d1_tcp6.q.val() {
                self.status.next = self.st[8].val();
            }
        }
        // The TCP header, realigned from its beat.
        self.s4.next = self.l4.val() & self.lane_mask.val();
        self.th.next = self.et.val().get_bits::<128>(0);
        self.obn.next = self.et.val().get_bits::<320>(160);
        for s in 0..K {
            if self.s4.val() == self.lane[s].val() {
                self.th.next = self.et.val().get_bits::<128>(8 * s);
                self.obn.next = self.et.val().get_bits::<320>(8 * s + 160);
            }
        }
        self.seg.next = self.pend.val() - self.l4.val();
        self.doff4.next = bit_cast::<17, 4>(self.th.val().get_bits::<4>(100)) << 2;
        self.oinit.next = (bit_cast::<6, 4>(self.th.val().get_bits::<4>(100)) << 2) - 20;
        if self.status.val() == self.st[0].val() {
            if self.seg.val() < 20 {
                self.status.next = self.st[1].val();
            } else if (self.doff4.val() < 20) | (self.doff4.val() > self.seg.val()) {
                self.status.next = self.st[9].val();
            }
        }
        // Addresses: each 32-bit word big-endian, in wire order.
        self.arec.next = 0.into();
        for b in 0..16 {
            self.abyte.next = self.src.val().get_bits::<8>(8 * b);
            self.arec.next =
                self.arec.val() | (bit_cast::<RB, 8>(self.abyte.val()) << self.srcpos[b].val());
            self.abyte.next = self.dst.val().get_bits::<8>(8 * b);
            self.arec.next =
                self.arec.val() | (bit_cast::<RB, 8>(self.abyte.val()) << self.dstpos[b].val());
        }
        // Sums in 17-bit locals: inside a wide expression Verilog would
        // carry (or borrow) into the next field.
        self.poff.next = self.l4.val() + self.doff4.val();
        self.plen.next = self.seg.val() - self.doff4.val();
        self.rec.next = (bit_cast::<RB, 4>(self.status.val()) << self.r_status.val())
            | (bit_cast::<RB, 2>(self.kind.val()) << self.r_kind.val())
            | (bit_cast::<RB, 1>(self.d1_user.q.val().into()) << self.r_user.val())
            | (bit_cast::<RB, 5>(self.l3.val().get_bits::<5>(0)) << self.r_l3.val())
            | (bit_cast::<RB, 17>(self.n.val()) << self.r_len.val());
        // The fields go in whatever the status; the output keeps only the
        // base fields of a refused frame (so no status fans out to 576
        // bits here).
        self.rec.next = self.rec.val()
            | (bit_cast::<RB, 4>(self.th.val().get_bits::<4>(96)) << (self.r_flags.val() + 8))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(104)) << self.r_flags.val())
            | (bit_cast::<RB, 4>(self.th.val().get_bits::<4>(100)) << self.r_doff.val())
            | (bit_cast::<RB, 17>(self.l4.val()) << self.r_l4.val())
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(0)) << (self.r_sport.val() + 8))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(8)) << self.r_sport.val())
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(16)) << (self.r_dport.val() + 8))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(24)) << self.r_dport.val())
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(32)) << (self.r_seq.val() + 24))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(40)) << (self.r_seq.val() + 16))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(48)) << (self.r_seq.val() + 8))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(56)) << self.r_seq.val())
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(64)) << (self.r_ack.val() + 24))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(72)) << (self.r_ack.val() + 16))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(80)) << (self.r_ack.val() + 8))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(88)) << self.r_ack.val())
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(112)) << (self.r_window.val() + 8))
            | (bit_cast::<RB, 8>(self.th.val().get_bits::<8>(120)) << self.r_window.val())
            | (bit_cast::<RB, 17>(self.poff.val()) << self.r_poff.val())
            | (bit_cast::<RB, 17>(self.plen.val()) << self.r_plen.val());
        self.rec.next = self.rec.val() | self.arec.val();
        // F: one option per cycle; a pair of NOPs is one step.
        self.okind.next = self.ob.q.val().get_bits::<8>(0);
        self.olen.next = self.ob.q.val().get_bits::<8>(8);
        self.adv.next = 0.into();
        if self.f_valid.q.val() & (self.orem.q.val() != 0) {
            if self.okind.val() == self.k_eol.val() {
                self.adv.next = self.orem.q.val();
            } else if self.okind.val() == self.k_nop.val() {
                self.adv.next = 1.into();
                if (self.orem_q.val() >= 2) & (self.olen.val() == self.k_nop.val()) {
                    self.adv.next = 2.into();
                }
            } else if (self.orem_q.val() < 2)
                | (self.olen.val() < 2)
                | (self.olen.val() > self.orem_q.val())
            {
                self.o_flags.d.next = self.o_flags.q.val() | 64;
                self.adv.next = self.orem.q.val();
            } else {
                self.adv.next = self.olen.val().get_bits::<6>(0);
                if (self.okind.val() == self.k_mss.val()) & (self.olen.val() == 4) {
                    self.o_flags.d.next = self.o_flags.q.val() | 1;
                    self.o_mss.d.next = (bit_cast::<16, 8>(self.ob.q.val().get_bits::<8>(16)) << 8)
                        | bit_cast::<16, 8>(self.ob.q.val().get_bits::<8>(24));
                } else if (self.okind.val() == self.k_ws.val()) & (self.olen.val() == 3) {
                    self.o_flags.d.next = self.o_flags.q.val() | 2;
                    self.o_ws.d.next = self.ob.q.val().get_bits::<8>(16);
                } else if (self.okind.val() == self.k_sackok.val()) & (self.olen.val() == 2) {
                    self.o_flags.d.next = self.o_flags.q.val() | 4;
                } else if (self.okind.val() == self.k_sack.val())
                    & ((self.olen.val() == 10)
                        | (self.olen.val() == 18)
                        | (self.olen.val() == 26)
                        | (self.olen.val() == 34))
                {
                    self.o_flags.d.next = self.o_flags.q.val() | 8;
                    self.o_sack.d.next = self.olen.val().get_bits::<3>(3);
                } else if (self.okind.val() == self.k_ts.val()) & (self.olen.val() == 10) {
                    self.o_flags.d.next = self.o_flags.q.val() | 16;
                    self.o_tsval.d.next = (bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(16))
                        << 24)
                        | (bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(24)) << 16)
                        | (bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(32)) << 8)
                        | bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(40));
                    self.o_tsecr.d.next = (bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(48))
                        << 24)
                        | (bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(56)) << 16)
                        | (bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(64)) << 8)
                        | bit_cast::<32, 8>(self.ob.q.val().get_bits::<8>(72));
                } else {
                    self.o_flags.d.next = self.o_flags.q.val() | 32;
                }
            }
            self.ob.d.next = self.ob.q.val() >> (bit_cast::<9, 6>(self.adv.val()) << 3);
            self.orem.d.next = self.orem.q.val() - self.adv.val();
        }
        // Output: the record with what the walk found.
        self.ofifo.write.next = self.f_out.val();
        self.orec.next = self.f_rec.q.val();
        if !self.f_ok.q.val() {
            self.orec.next = self.f_rec.q.val() & self.base_mask.val();
        }
        self.ofifo.data_in.next = self.orec.val()
            | (bit_cast::<RB, 7>(self.o_flags.q.val()) << self.r_opts.val())
            | (bit_cast::<RB, 3>(self.o_sack.q.val()) << self.r_sack.val())
            | (bit_cast::<RB, 16>(self.o_mss.q.val()) << self.r_mss.val())
            | (bit_cast::<RB, 8>(self.o_ws.q.val()) << self.r_ws.val())
            | (bit_cast::<RB, 32>(self.o_tsval.q.val()) << self.r_tsval.val())
            | (bit_cast::<RB, 32>(self.o_tsecr.q.val()) << self.r_tsecr.val());
        self.header.next = self.ofifo.data_out.val();
        self.header_valid.next = self.ofifo.valid.val();
        self.ofifo.read.next = self.header_ready.val();
        if self.f_out.val() {
            self.f_valid.d.next = false;
        }
        // An empty F follows D every cycle, so taking a record needs no
        // enable fanning out to its thousand flip-flops.
        if !self.f_valid.q.val() {
            self.f_rec.d.next = self.rec.val();
            self.f_ok.d.next = self.status.val() == self.st[0].val();
            self.ob.d.next = self.obn.val();
            self.orem.d.next = 0.into();
            if self.status.val() == self.st[0].val() {
                self.orem.d.next = self.oinit.val();
            }
            self.o_flags.d.next = 0.into();
            self.o_mss.d.next = 0.into();
            self.o_ws.d.next = 0.into();
            self.o_sack.d.next = 0.into();
            self.o_tsval.d.next = 0.into();
            self.o_tsecr.d.next = 0.into();
        }
        if self.e_take.val() {
            self.f_valid.d.next = true;
        }
        if self.reset.val() {
            self.s_off.d.next = 0.into();
            self.e_valid.d.next = false;
            self.f_valid.d.next = false;
        }
    }
}
