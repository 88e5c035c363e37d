//! The checksum core of `rx_checksum`: one checksum verdict record per
//! received frame (the rules are in [`spec::rx_csum`]), from `rx_front`.
//!
//! ```text
//!  rx_front ─> S0 ─> csum_acc x2 ─> D1..D3 ─> verdict FIFO
//!          └─> S1..S3 ─> delay ──────┘
//! ```
//! [`crate::rx_front`] hands over each beat with its frame's boundaries
//! already known; the summing stage S0 captures the header fields it
//! needs (IHL, lengths, fragment bits, protocol, UDP length and checksum) as
//! they pass; every boundary they set lies at least 17 bytes after the field,
//! so at up to 8 bytes per beat the boundary can be registered a cycle later
//! and still arrive before the bytes it governs. After the last beat, S1 to
//! S3 decide what the sums must show, one short step per cycle, while the
//! accumulators finish; D1 to D3 add the pseudo-header terms and check.

use crate::csum_acc::CsumAcc;
use crate::ram::Style;
use crate::rx_walker::{DESC_BITS, DESC_KIND, DESC_L3, DESC_L4, DESC_PROTO};
use crate::stream::{Offset, lane_constants, offset};
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;
use spec::rx_csum as rc;

// Per-frame facts known three cycles after the last beat, waiting for the
// sums in a shift register: [0] ip check, [2:1] l4 mode, [4:3] proto, [6:5] L3 kind, [7] user,
// [24:8] length, [41:25] pseudo-header terms (protocol + segment length).
const INFO_BITS: usize = 42;
const I_L4MODE: u32 = 1;
const I_PROTO: u32 = 3;
const I_KIND: u32 = 5;
const I_USER: u32 = 7;
const I_LEN: u32 = 8;
const I_BIAS: u32 = 25;
const _: () = assert!(I_BIAS as usize + 17 == INFO_BITS);
/// Where lane `i` of a beat holds byte `c` of the L3 header: the beat's
/// offset relative to L3 is `c - i`. S0 keeps bytes 0 (version/IHL), 2 to 5
/// (IPv4 total length, IPv6 payload length), 6 and 7 (fragment bits) and 9
/// (IPv4 protocol).
fn field_at(c: u32, lanes: usize) -> Vec<Constant<Offset>> {
    (0..lanes as u32)
        .map(|i| offset(c.wrapping_sub(i) & spec::stream::OFFSET_MAX))
        .collect()
}

/// l4 modes: no verdict, check the sum, UDP without checksum (IPv4), UDP
/// without checksum over IPv6 (bad).
const MODE_CHECK: u64 = 1;
const MODE_ZERO: u64 = 2;
const MODE_ZERO_V6: u64 = 3;

#[derive(LogicBlock)]
pub struct ChecksumCore<const D: usize, const K: usize, const P: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// From [`crate::rx_front`]: the beat taken last cycle and its
    /// frame's descriptor; whether the next beat may come, and a last one.
    pub in_valid: Signal<In, Bit>,
    pub in_beat: Signal<In, Bits<P>>,
    pub in_desc: Signal<In, Bits<DESC_BITS>>,
    pub take: Signal<Out, Bit>,
    pub take_last: Signal<Out, Bit>,
    pub verdict: Signal<Out, Bits<32>>,
    pub verdict_valid: Signal<Out, Bit>,
    pub verdict_ready: Signal<In, Bit>,
    ip_acc: CsumAcc<D, K>,
    l4_acc: CsumAcc<D, K>,
    vfifo: SyncFifo<32, 5, 6>,
    // S0: the beat being summed; header fields captured as they pass
    s_off: DFF<Offset>,
    vihl: DFF<Bits<8>>,
    b2: DFF<Bits<8>>,
    b3: DFF<Bits<8>>,
    b4: DFF<Bits<8>>,
    b5: DFF<Bits<8>>,
    b6: DFF<Bits<8>>,
    b7: DFF<Bits<8>>,
    b9: DFF<Bits<8>>,
    u4: DFF<Bits<8>>,
    u5: DFF<Bits<8>>,
    u6: DFF<Bits<8>>,
    u7: DFF<Bits<8>>,
    /// Offset of this beat's lane 0 relative to the L3 header (valid from a
    /// frame's second beat; no field lies in the first).
    relc: DFF<Offset>,
    // Region boundaries, registered a cycle after the fields that set them
    q_ip_end: DFF<Offset>,
    q_l4s: DFF<Offset>,
    q_l4e: DFF<Offset>,
    q_u: Vec<DFF<Offset>>,
    // S1: the cycle after a frame's last beat: snapshot and sums
    s1_valid: DFF<Bit>,
    /// The last beat's offset and byte count: the frame's length is their sum.
    s1_len: DFF<Offset>,
    s1_nkept: DFF<Offset>,
    s1_user: DFF<Bit>,
    s1_desc: DFF<Bits<DESC_BITS>>,
    e1_valid: DFF<Bit>,
    e1_len: DFF<Offset>,
    e1_user: DFF<Bit>,
    e1_desc: DFF<Bits<DESC_BITS>>,
    e1_vihl: DFF<Bits<8>>,
    e1_tot: DFF<Offset>,
    e1_plen: DFF<Offset>,
    e1_frag: DFF<Bit>,
    e1_p: DFF<Bits<8>>,
    e1_ulen: DFF<Offset>,
    e1_uzero: DFF<Bit>,
    e1_hdr_end: DFF<Offset>,
    e1_tot_end: DFF<Offset>,
    e1_end6: DFF<Offset>,
    e1_v6hdr_end: DFF<Offset>,
    e1_l4len4: DFF<Offset>,
    // S2: comparisons
    e2_valid: DFF<Bit>,
    e2_len: DFF<Offset>,
    e2_user: DFF<Bit>,
    e2_kind: DFF<Bits<2>>,
    e2_hdr_ok: DFF<Bit>,
    e2_proto: DFF<Bits<2>>,
    e2_l4len: DFF<Offset>,
    e2_ulen: DFF<Offset>,
    e2_uzero: DFF<Bit>,
    // S3 .. the sums: the info waits here for as long as the sums take
    info: Vec<DFF<Bits<INFO_BITS>>>,
    // D1..D3: after the sums
    d1_valid: DFF<Bit>,
    d1_info: DFF<Bits<INFO_BITS>>,
    d1_ip: DFF<Bits<16>>,
    d1_l4: DFF<Bits<18>>,
    d2_valid: DFF<Bit>,
    d2_info: DFF<Bits<INFO_BITS>>,
    d2_ip_ok: DFF<Bit>,
    d2_l4_ok: DFF<Bit>,
    // constants
    lane: Vec<Constant<Offset>>,
    lane_end: Vec<Constant<Offset>>,
    /// For the L3 field at byte c, lane by lane: c - lane (mod 2^17).
    fa0: Vec<Constant<Offset>>,
    fa2: Vec<Constant<Offset>>,
    fa3: Vec<Constant<Offset>>,
    fa4: Vec<Constant<Offset>>,
    fa5: Vec<Constant<Offset>>,
    fa6: Vec<Constant<Offset>>,
    fa7: Vec<Constant<Offset>>,
    fa9: Vec<Constant<Offset>>,
    u_add: Vec<Constant<Offset>>,
    one_k: Constant<Bits<K>>,
    width: Constant<Offset>,
    off_sat: Constant<Offset>,
    f_l3: Constant<Bits<5>>,
    f_kind: Constant<Bits<5>>,
    f_l4: Constant<Bits<5>>,
    f_proto: Constant<Bits<5>>,
    r_ip: Constant<Bits<5>>,
    r_l4: Constant<Bits<5>>,
    r_proto: Constant<Bits<5>>,
    r_l3: Constant<Bits<5>>,
    r_user: Constant<Bits<5>>,
    r_len: Constant<Bits<5>>,
    i_l4mode: Constant<Bits<6>>,
    i_proto: Constant<Bits<6>>,
    i_kind: Constant<Bits<6>>,
    i_user: Constant<Bits<6>>,
    i_len: Constant<Bits<6>>,
    i_bias: Constant<Bits<6>>,
    p_tcp: Constant<Bits<8>>,
    p_udp: Constant<Bits<8>>,
    at_keep: Constant<Bits<10>>,
    at_last: Constant<Bits<10>>,
    at_user: Constant<Bits<10>>,
    m_check: Constant<Bits<2>>,
    m_zero: Constant<Bits<2>>,
    m_zero6: Constant<Bits<2>>,
    // locals
    bdata: Signal<Local, Bits<D>>,
    bkeep: Signal<Local, Bits<K>>,
    blast: Signal<Local, Bit>,
    buser: Signal<Local, Bit>,
    l3: Signal<Local, Offset>,
    kind: Signal<Local, Bits<2>>,
    hlen: Signal<Local, Offset>,
    tot: Signal<Local, Offset>,
    plen: Signal<Local, Offset>,
    early: Signal<Local, Bit>,
    a0: Signal<Local, Offset>,
    a1: Signal<Local, Offset>,
    o: Signal<Local, Offset>,
    lane_byte: Signal<Local, Bits<8>>,
    sel: Signal<Local, Bits<8>>,
    kept: Signal<Local, Bit>,
    nkept: Signal<Local, Offset>,
    l3_field: Signal<Local, Bit>,
    c_vihl: Signal<Local, Bits<8>>,
    h_vihl: Signal<Local, Bit>,
    c_b2: Signal<Local, Bits<8>>,
    h_b2: Signal<Local, Bit>,
    c_b3: Signal<Local, Bits<8>>,
    h_b3: Signal<Local, Bit>,
    c_b4: Signal<Local, Bits<8>>,
    h_b4: Signal<Local, Bit>,
    c_b5: Signal<Local, Bits<8>>,
    h_b5: Signal<Local, Bit>,
    c_b6: Signal<Local, Bits<8>>,
    h_b6: Signal<Local, Bit>,
    c_b7: Signal<Local, Bits<8>>,
    h_b7: Signal<Local, Bit>,
    c_b9: Signal<Local, Bits<8>>,
    h_b9: Signal<Local, Bit>,
    c_u4: Signal<Local, Bits<8>>,
    h_u4: Signal<Local, Bit>,
    c_u5: Signal<Local, Bits<8>>,
    h_u5: Signal<Local, Bit>,
    c_u6: Signal<Local, Bits<8>>,
    h_u6: Signal<Local, Bit>,
    c_u7: Signal<Local, Bits<8>>,
    h_u7: Signal<Local, Bit>,
    ipm: Signal<Local, Bits<K>>,
    l4m: Signal<Local, Bits<K>>,
    e_l3: Signal<Local, Offset>,
    e_kind: Signal<Local, Bits<2>>,
    e_v6l4: Signal<Local, Offset>,
    e_v6proto: Signal<Local, Bits<2>>,
    e_hlen: Signal<Local, Offset>,
    seg4: Signal<Local, Bit>,
    seg6: Signal<Local, Bit>,
    l4mode: Signal<Local, Bits<2>>,
    bias: Signal<Local, Offset>,
    done: Signal<Local, Bit>,
    info_out: Signal<Local, Bits<INFO_BITS>>,
    fold: Signal<Local, Bits<17>>,
    ipv: Signal<Local, Bits<2>>,
    l4v: Signal<Local, Bits<2>>,
}

fn c5(v: u32) -> Constant<Bits<5>> {
    Constant::new(u64::from(v).to_bits())
}

fn c6(v: u32) -> Constant<Bits<6>> {
    Constant::new(u64::from(v).to_bits())
}

impl<const D: usize, const K: usize, const P: usize> ChecksumCore<D, K, P> {
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        assert!(
            K <= 8,
            "boundaries lag their fields by two beats of at most 8 bytes"
        );
        assert_eq!(P, crate::rx_front::beat_bits(D, K), "a front beat");
        let w = K as u32;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_beat: Default::default(),
            in_desc: Default::default(),
            take: Default::default(),
            take_last: Default::default(),
            verdict: Default::default(),
            verdict_valid: Default::default(),
            verdict_ready: Default::default(),
            ip_acc: CsumAcc::new(),
            l4_acc: CsumAcc::new(),
            vfifo: SyncFifo::new(16, Style::Distributed),
            s_off: Default::default(),
            vihl: Default::default(),
            b2: Default::default(),
            b3: Default::default(),
            b4: Default::default(),
            b5: Default::default(),
            b6: Default::default(),
            b7: Default::default(),
            b9: Default::default(),
            u4: Default::default(),
            u5: Default::default(),
            u6: Default::default(),
            u7: Default::default(),
            relc: Default::default(),
            q_ip_end: Default::default(),
            q_l4s: Default::default(),
            q_l4e: Default::default(),
            q_u: (0..4).map(|_| Default::default()).collect(),
            s1_valid: Default::default(),
            s1_len: Default::default(),
            s1_nkept: Default::default(),
            s1_user: Default::default(),
            s1_desc: Default::default(),
            e1_valid: Default::default(),
            e1_len: Default::default(),
            e1_user: Default::default(),
            e1_desc: Default::default(),
            e1_vihl: Default::default(),
            e1_tot: Default::default(),
            e1_plen: Default::default(),
            e1_frag: Default::default(),
            e1_p: Default::default(),
            e1_ulen: Default::default(),
            e1_uzero: Default::default(),
            e1_hdr_end: Default::default(),
            e1_tot_end: Default::default(),
            e1_end6: Default::default(),
            e1_v6hdr_end: Default::default(),
            e1_l4len4: Default::default(),
            e2_valid: Default::default(),
            e2_len: Default::default(),
            e2_user: Default::default(),
            e2_kind: Default::default(),
            e2_hdr_ok: Default::default(),
            e2_proto: Default::default(),
            e2_l4len: Default::default(),
            e2_ulen: Default::default(),
            e2_uzero: Default::default(),
            info: (3..crate::csum_acc::LATENCY)
                .map(|_| Default::default())
                .collect(),
            d1_valid: Default::default(),
            d1_info: Default::default(),
            d1_ip: Default::default(),
            d1_l4: Default::default(),
            d2_valid: Default::default(),
            d2_info: Default::default(),
            d2_ip_ok: Default::default(),
            d2_l4_ok: Default::default(),
            lane: lane_constants(K),
            lane_end: (1..=K as u32).map(offset).collect(),
            fa0: field_at(0, K),
            fa2: field_at(2, K),
            fa3: field_at(3, K),
            fa4: field_at(4, K),
            fa5: field_at(5, K),
            fa6: field_at(6, K),
            fa7: field_at(7, K),
            fa9: field_at(9, K),
            u_add: (4..8).map(offset).collect(),
            one_k: Constant::new(1.into()),
            width: offset(w),
            off_sat: offset(spec::stream::OFFSET_MAX + 1 - 2 * w),
            f_l3: c5(DESC_L3.lsb),
            f_kind: c5(DESC_KIND.lsb),
            f_l4: c5(DESC_L4.lsb),
            f_proto: c5(DESC_PROTO.lsb),
            r_ip: c5(rc::FIELD_IP.lsb),
            r_l4: c5(rc::FIELD_L4.lsb),
            r_proto: c5(rc::FIELD_PROTO.lsb),
            r_l3: c5(rc::FIELD_L3.lsb),
            r_user: c5(rc::FIELD_USER.lsb),
            r_len: c5(rc::FIELD_LEN.lsb),
            i_l4mode: c6(I_L4MODE),
            i_proto: c6(I_PROTO),
            i_kind: c6(I_KIND),
            i_user: c6(I_USER),
            i_len: c6(I_LEN),
            i_bias: c6(I_BIAS),
            p_tcp: Constant::new(u64::from(rc::PROTO_TCP).to_bits()),
            p_udp: Constant::new(u64::from(rc::PROTO_UDP).to_bits()),
            at_keep: Constant::new((D as u64).to_bits()),
            at_last: Constant::new(((D + K) as u64).to_bits()),
            at_user: Constant::new(((D + K + 1) as u64).to_bits()),
            m_check: Constant::new(MODE_CHECK.to_bits()),
            m_zero: Constant::new(MODE_ZERO.to_bits()),
            m_zero6: Constant::new(MODE_ZERO_V6.to_bits()),
            bdata: Default::default(),
            bkeep: Default::default(),
            blast: Default::default(),
            buser: Default::default(),
            l3: Default::default(),
            kind: Default::default(),
            hlen: Default::default(),
            tot: Default::default(),
            plen: Default::default(),
            early: Default::default(),
            a0: Default::default(),
            a1: Default::default(),
            o: Default::default(),
            lane_byte: Default::default(),
            sel: Default::default(),
            kept: Default::default(),
            nkept: Default::default(),
            l3_field: Default::default(),
            c_vihl: Default::default(),
            h_vihl: Default::default(),
            c_b2: Default::default(),
            h_b2: Default::default(),
            c_b3: Default::default(),
            h_b3: Default::default(),
            c_b4: Default::default(),
            h_b4: Default::default(),
            c_b5: Default::default(),
            h_b5: Default::default(),
            c_b6: Default::default(),
            h_b6: Default::default(),
            c_b7: Default::default(),
            h_b7: Default::default(),
            c_b9: Default::default(),
            h_b9: Default::default(),
            c_u4: Default::default(),
            h_u4: Default::default(),
            c_u5: Default::default(),
            h_u5: Default::default(),
            c_u6: Default::default(),
            h_u6: Default::default(),
            c_u7: Default::default(),
            h_u7: Default::default(),
            ipm: Default::default(),
            l4m: Default::default(),
            e_l3: Default::default(),
            e_kind: Default::default(),
            e_v6l4: Default::default(),
            e_v6proto: Default::default(),
            e_hlen: Default::default(),
            seg4: Default::default(),
            seg6: Default::default(),
            l4mode: Default::default(),
            bias: Default::default(),
            done: Default::default(),
            info_out: Default::default(),
            fold: Default::default(),
            ipv: Default::default(),
            l4v: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize, const P: usize> Default for ChecksumCore<D, K, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize, const P: usize> Logic for ChecksumCore<D, K, P> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            s_off,
            relc,
            vihl,
            b2,
            b3,
            b4,
            b5,
            b6,
            b7,
            b9,
            u4,
            u5,
            u6,
            u7,
            q_ip_end,
            q_l4s,
            q_l4e,
            s1_valid,
            s1_len,
            s1_nkept,
            s1_user,
            s1_desc,
            e1_valid,
            e1_len,
            e1_user,
            e1_desc,
            e1_vihl,
            e1_tot,
            e1_plen,
            e1_frag,
            e1_p,
            e1_ulen,
            e1_uzero,
            e1_hdr_end,
            e1_tot_end,
            e1_end6,
            e1_v6hdr_end,
            e1_l4len4,
            e2_valid,
            e2_len,
            e2_user,
            e2_kind,
            e2_hdr_ok,
            e2_proto,
            e2_l4len,
            e2_ulen,
            e2_uzero,
            d1_valid,
            d1_info,
            d1_ip,
            d1_l4,
            d2_valid,
            d2_info,
            d2_ip_ok,
            d2_l4_ok
        );
        for k in 0..(crate::csum_acc::LATENCY - 3) {
            self.info[k].clock.next = self.clock.val();
        }
        for k in 0..4 {
            self.q_u[k].clock.next = self.clock.val();
            self.q_u[k].d.next = self.q_l4s.q.val() + self.u_add[k].val();
        }
        clock!(self, clock, ip_acc, l4_acc, vfifo);
        self.vfifo.reset.next = self.reset.val();
        self.ip_acc.reset.next = self.reset.val();
        self.l4_acc.reset.next = self.reset.val();

        // The next beat may come while the verdict FIFO has room.
        self.take.next = !self.vfifo.almost_full.val();
        self.take_last.next = !self.vfifo.almost_full.val();

        // S0: the beat being summed.
        self.bdata.next = self.in_beat.val().get_bits::<D>(0);
        self.bkeep.next = self.in_beat.val().get_bits::<K>(self.at_keep.val().index());
        self.blast.next =
            self.in_valid.val() & self.in_beat.val().get_bit(self.at_last.val().index());
        self.buser.next = self.in_beat.val().get_bit(self.at_user.val().index());
        self.l3.next = bit_cast::<17, 5>(self.in_desc.val().get_bits::<5>(self.f_l3.val().index()));
        self.kind.next = self.in_desc.val().get_bits::<2>(self.f_kind.val().index());

        // Boundaries for the next cycle from the fields captured so far. A
        // field not captured yet reads zero, which makes its region empty.
        self.hlen.next = bit_cast::<17, 4>(self.vihl.q.val().get_bits::<4>(0)) << 2;
        self.tot.next =
            (bit_cast::<17, 8>(self.b2.q.val()) << 8) | bit_cast::<17, 8>(self.b3.q.val());
        self.plen.next =
            (bit_cast::<17, 8>(self.b4.q.val()) << 8) | bit_cast::<17, 8>(self.b5.q.val());
        self.q_ip_end.d.next = self.l3.val() + self.hlen.val();
        self.q_l4s.d.next = 0.into();
        self.q_l4e.d.next = 0.into();
        if self.kind.val() == 1 {
            self.q_l4s.d.next = self.l3.val() + self.hlen.val();
            self.q_l4e.d.next = self.l3.val() + self.tot.val();
        }
        if self.kind.val() == 2 {
            self.q_l4s.d.next = self.in_desc.val().get_bits::<17>(self.f_l4.val().index());
            self.q_l4e.d.next = self.l3.val() + 40 + self.plen.val();
        }
        // A frame's first beat holds no region (its descriptor may not even
        // be out of the FIFO the cycle before), and its second may still see
        // the last frame's fields being cleared (S1).
        if self.blast.val()
            | (!self.in_valid.val() & (self.s_off.q.val() == 0))
            | self.s1_valid.q.val()
        {
            self.q_l4s.d.next = 0.into();
            self.q_l4e.d.next = 0.into();
        }
        // The IPv4 header ends at least 20 bytes after it starts: until its
        // IHL is registered (two beats on), the whole beat is inside it.
        self.early.next = self.s_off.q.val() <= self.l3.val() + self.width.val();
        self.a0.next = 0.into();
        self.a1.next = 0.into();
        if self.kind.val() == 1 {
            self.a0.next = self.l3.val() + 12;
            self.a1.next = self.l3.val() + 20;
        }
        if self.kind.val() == 2 {
            self.a0.next = self.l3.val() + 8;
            self.a1.next = self.l3.val() + 40;
        }

        // Per lane: which sums it joins, and which fields it carries. At
        // most one lane holds a given field, so each capture is an OR of
        // masked lanes (a balanced tree, not a chain of multiplexers). The
        // fields of the previous frame are cleared the cycle after its last
        // beat (S1); no field lies in a frame's first beat.
        self.ipm.next = 0.into();
        self.l4m.next = 0.into();
        self.o.next = 0.into();
        self.lane_byte.next = 0.into();
        self.sel.next = 0.into();
        self.kept.next = false;
        self.nkept.next = 0.into();
        self.l3_field.next = self.in_valid.val() & (self.s_off.q.val() != 0);
        self.c_vihl.next = 0.into();
        self.h_vihl.next = false;
        self.c_b2.next = 0.into();
        self.h_b2.next = false;
        self.c_b3.next = 0.into();
        self.h_b3.next = false;
        self.c_b4.next = 0.into();
        self.h_b4.next = false;
        self.c_b5.next = 0.into();
        self.h_b5.next = false;
        self.c_b6.next = 0.into();
        self.h_b6.next = false;
        self.c_b7.next = 0.into();
        self.h_b7.next = false;
        self.c_b9.next = 0.into();
        self.h_b9.next = false;
        self.c_u4.next = 0.into();
        self.h_u4.next = false;
        self.c_u5.next = 0.into();
        self.h_u5.next = false;
        self.c_u6.next = 0.into();
        self.h_u6.next = false;
        self.c_u7.next = 0.into();
        self.h_u7.next = false;
        for i in 0..K {
            self.o.next = self.s_off.q.val() | self.lane[i].val();
            self.lane_byte.next = self.bdata.val().get_bits::<8>(8 * i);
            self.kept.next = ((self.bkeep.val() >> self.lane[i].val()) & self.one_k.val()).any();
            // Keep is contiguous from lane 0: the last kept lane says how
            // many bytes the beat holds.
            self.sel.next = 0.into();
            if self.kept.val()
                & !((self.bkeep.val() >> (self.lane[i].val() + 1)) & self.one_k.val()).any()
            {
                self.nkept.next = self.nkept.val() | self.lane_end[i].val();
            }
            if self.kept.val()
                & (self.kind.val() == 1)
                & (self.o.val() >= self.l3.val())
                & ((self.early.val() & (self.o.val() < self.l3.val() + 60))
                    | (!self.early.val() & (self.o.val() < self.q_ip_end.q.val())))
            {
                self.ipm.next = self.ipm.val().replace_bit(i, true);
            }
            if self.kept.val()
                & (((self.o.val() >= self.q_l4s.q.val()) & (self.o.val() < self.q_l4e.q.val()))
                    | ((self.o.val() >= self.a0.val()) & (self.o.val() < self.a1.val())))
            {
                self.l4m.next = self.l4m.val().replace_bit(i, true);
            }
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa0[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_vihl.next = true;
            }
            self.c_vihl.next = self.c_vihl.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa2[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_b2.next = true;
            }
            self.c_b2.next = self.c_b2.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa3[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_b3.next = true;
            }
            self.c_b3.next = self.c_b3.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa4[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_b4.next = true;
            }
            self.c_b4.next = self.c_b4.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa5[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_b5.next = true;
            }
            self.c_b5.next = self.c_b5.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa6[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_b6.next = true;
            }
            self.c_b6.next = self.c_b6.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa7[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_b7.next = true;
            }
            self.c_b7.next = self.c_b7.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.l3_field.val() & (self.relc.q.val() == self.fa9[i].val()) {
                self.sel.next = self.lane_byte.val();
                self.h_b9.next = true;
            }
            self.c_b9.next = self.c_b9.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.in_valid.val() & (self.o.val() == self.q_u[0].q.val()) {
                self.sel.next = self.lane_byte.val();
                self.h_u4.next = true;
            }
            self.c_u4.next = self.c_u4.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.in_valid.val() & (self.o.val() == self.q_u[1].q.val()) {
                self.sel.next = self.lane_byte.val();
                self.h_u5.next = true;
            }
            self.c_u5.next = self.c_u5.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.in_valid.val() & (self.o.val() == self.q_u[2].q.val()) {
                self.sel.next = self.lane_byte.val();
                self.h_u6.next = true;
            }
            self.c_u6.next = self.c_u6.val() | self.sel.val();
            self.sel.next = 0.into();
            if self.kept.val() & self.in_valid.val() & (self.o.val() == self.q_u[3].q.val()) {
                self.sel.next = self.lane_byte.val();
                self.h_u7.next = true;
            }
            self.c_u7.next = self.c_u7.val() | self.sel.val();
        }
        if self.h_vihl.val() {
            self.vihl.d.next = self.c_vihl.val();
        }
        if self.h_b2.val() {
            self.b2.d.next = self.c_b2.val();
        }
        if self.h_b3.val() {
            self.b3.d.next = self.c_b3.val();
        }
        if self.h_b4.val() {
            self.b4.d.next = self.c_b4.val();
        }
        if self.h_b5.val() {
            self.b5.d.next = self.c_b5.val();
        }
        if self.h_b6.val() {
            self.b6.d.next = self.c_b6.val();
        }
        if self.h_b7.val() {
            self.b7.d.next = self.c_b7.val();
        }
        if self.h_b9.val() {
            self.b9.d.next = self.c_b9.val();
        }
        if self.h_u4.val() {
            self.u4.d.next = self.c_u4.val();
        }
        if self.h_u5.val() {
            self.u5.d.next = self.c_u5.val();
        }
        if self.h_u6.val() {
            self.u6.d.next = self.c_u6.val();
        }
        if self.h_u7.val() {
            self.u7.d.next = self.c_u7.val();
        }
        if self.s1_valid.q.val() {
            self.vihl.d.next = 0.into();
            self.b2.d.next = 0.into();
            self.b3.d.next = 0.into();
            self.b4.d.next = 0.into();
            self.b5.d.next = 0.into();
            self.b6.d.next = 0.into();
            self.b7.d.next = 0.into();
            self.b9.d.next = 0.into();
            self.u4.d.next = 0.into();
            self.u5.d.next = 0.into();
            self.u6.d.next = 0.into();
            self.u7.d.next = 0.into();
        }
        if self.in_valid.val() {
            self.relc.d.next = self.relc.q.val() + self.width.val();
            if self.s_off.q.val() == 0 {
                self.relc.d.next = self.width.val() - self.l3.val();
            }
            if self.s_off.q.val() < self.off_sat.val() {
                self.s_off.d.next = self.s_off.q.val() + self.width.val();
            }
            if self.blast.val() {
                self.s_off.d.next = 0.into();
            }
        }
        self.s1_valid.d.next = self.blast.val();
        self.s1_len.d.next = self.s_off.q.val();
        self.s1_nkept.d.next = self.nkept.val();
        self.s1_user.d.next = self.buser.val();
        self.s1_desc.d.next = self.in_desc.val();

        // The two sums.
        self.ip_acc.data.next = self.bdata.val();
        self.ip_acc.mask.next = self.ipm.val();
        self.ip_acc.hi.next = !self.s_off.q.val().get_bit(0);
        self.ip_acc.valid.next = self.in_valid.val();
        self.ip_acc.first.next = self.s_off.q.val() == 0;
        self.ip_acc.last.next = self.blast.val();
        self.l4_acc.data.next = self.bdata.val();
        self.l4_acc.mask.next = self.l4m.val();
        self.l4_acc.hi.next = !self.s_off.q.val().get_bit(0);
        self.l4_acc.valid.next = self.in_valid.val();
        self.l4_acc.first.next = self.s_off.q.val() == 0;
        self.l4_acc.last.next = self.blast.val();

        // S1: every field of the frame is captured: keep them, and add.
        self.e_l3.next =
            bit_cast::<17, 5>(self.s1_desc.q.val().get_bits::<5>(self.f_l3.val().index()));
        self.e1_valid.d.next = self.s1_valid.q.val();
        self.e1_len.d.next = self.s1_len.q.val() + self.s1_nkept.q.val();
        self.e1_user.d.next = self.s1_user.q.val();
        self.e1_desc.d.next = self.s1_desc.q.val();
        self.e1_vihl.d.next = self.vihl.q.val();
        self.e1_tot.d.next = self.tot.val();
        self.e1_plen.d.next = self.plen.val();
        self.e1_frag.d.next = (self.b6.q.val().get_bits::<6>(0) != 0) | (self.b7.q.val() != 0);
        self.e1_p.d.next = self.b9.q.val();
        self.e1_ulen.d.next =
            (bit_cast::<17, 8>(self.u4.q.val()) << 8) | bit_cast::<17, 8>(self.u5.q.val());
        self.e1_uzero.d.next = (self.u6.q.val() == 0) & (self.u7.q.val() == 0);
        self.e1_hdr_end.d.next = self.e_l3.val() + self.hlen.val();
        self.e1_tot_end.d.next = self.e_l3.val() + self.tot.val();
        self.e1_end6.d.next = self.e_l3.val() + 40 + self.plen.val();
        self.e1_v6hdr_end.d.next = self.e_l3.val() + 40;
        self.e1_l4len4.d.next = self.tot.val() - self.hlen.val();

        // S2: compare.
        self.e_kind.next = self
            .e1_desc
            .q
            .val()
            .get_bits::<2>(self.f_kind.val().index());
        self.e_v6l4.next = self.e1_desc.q.val().get_bits::<17>(self.f_l4.val().index());
        self.e_v6proto.next = self
            .e1_desc
            .q
            .val()
            .get_bits::<2>(self.f_proto.val().index());
        self.e_hlen.next = bit_cast::<17, 4>(self.e1_vihl.q.val().get_bits::<4>(0)) << 2;
        self.e2_valid.d.next = self.e1_valid.q.val();
        self.e2_len.d.next = self.e1_len.q.val();
        self.e2_user.d.next = self.e1_user.q.val();
        self.e2_kind.d.next = self.e_kind.val();
        self.e2_hdr_ok.d.next = (self.e_kind.val() == 1)
            & (self.e1_vihl.q.val().get_bits::<4>(4) == 4)
            & (self.e_hlen.val() >= 20)
            & (self.e1_hdr_end.q.val() <= self.e1_len.q.val());
        self.seg4.next = (self.e_kind.val() == 1)
            & (self.e1_vihl.q.val().get_bits::<4>(4) == 4)
            & (self.e_hlen.val() >= 20)
            & (self.e1_hdr_end.q.val() <= self.e1_len.q.val())
            & (self.e1_tot.q.val() >= self.e_hlen.val())
            & !self.e1_frag.q.val()
            & ((self.e1_p.q.val() == self.p_tcp.val()) | (self.e1_p.q.val() == self.p_udp.val()))
            & (self.e1_tot_end.q.val() <= self.e1_len.q.val());
        self.seg6.next = (self.e_kind.val() == 2)
            & (self.e1_vihl.q.val().get_bits::<4>(4) == 6)
            & (self.e1_v6hdr_end.q.val() <= self.e1_len.q.val())
            & (self.e1_plen.q.val() != 0)
            & (self.e1_end6.q.val() <= self.e1_len.q.val())
            & (self.e_v6proto.val() != 0)
            & (self.e_v6l4.val() <= self.e1_end6.q.val());
        self.e2_l4len.d.next = self.e1_end6.q.val() - self.e_v6l4.val();
        self.e2_proto.d.next = 0.into();
        if self.seg6.val() {
            self.e2_proto.d.next = self.e_v6proto.val();
        }
        if self.seg4.val() {
            self.e2_l4len.d.next = self.e1_l4len4.q.val();
            self.e2_proto.d.next = 2.into();
            if self.e1_p.q.val() == self.p_tcp.val() {
                self.e2_proto.d.next = 1.into();
            }
        }
        self.e2_ulen.d.next = self.e1_ulen.q.val();
        self.e2_uzero.d.next = self.e1_uzero.q.val();

        // S3: what to check, and the pseudo-header's protocol and length.
        self.l4mode.next = 0.into();
        self.bias.next = self.e2_l4len.q.val() + bit_cast::<17, 8>(self.p_udp.val());
        if (self.e2_proto.q.val() == 1) & (self.e2_l4len.q.val() >= 20) {
            self.l4mode.next = self.m_check.val();
            self.bias.next = self.e2_l4len.q.val() + bit_cast::<17, 8>(self.p_tcp.val());
        }
        if (self.e2_proto.q.val() == 2)
            & (self.e2_l4len.q.val() >= 8)
            & (self.e2_ulen.q.val() == self.e2_l4len.q.val())
        {
            self.l4mode.next = self.m_check.val();
            if self.e2_uzero.q.val() {
                self.l4mode.next = self.m_zero.val();
                if self.e2_kind.q.val() == 2 {
                    self.l4mode.next = self.m_zero6.val();
                }
            }
        }
        self.info[0].d.next = bit_cast::<INFO_BITS, 1>(self.e2_hdr_ok.q.val().into())
            | (bit_cast::<INFO_BITS, 2>(self.l4mode.val()) << self.i_l4mode.val())
            | (bit_cast::<INFO_BITS, 2>(self.e2_proto.q.val()) << self.i_proto.val())
            | (bit_cast::<INFO_BITS, 2>(self.e2_kind.q.val()) << self.i_kind.val())
            | (bit_cast::<INFO_BITS, 1>(self.e2_user.q.val().into()) << self.i_user.val())
            | (bit_cast::<INFO_BITS, 17>(self.e2_len.q.val()) << self.i_len.val())
            | (bit_cast::<INFO_BITS, 17>(self.bias.val()) << self.i_bias.val());

        // The sums take csum_acc::LATENCY cycles from the last beat, S1 to
        // S3 three of them: the info waits the rest in a shift register.
        for k in 0..(crate::csum_acc::LATENCY - 4) {
            self.info[k + 1].d.next = self.info[k].q.val();
        }
        self.info_out.next = 0.into();
        for k in (crate::csum_acc::LATENCY - 4)..(crate::csum_acc::LATENCY - 3) {
            self.info_out.next = self.info[k].q.val();
        }
        // D1: the sums are in (both finish together); add the pseudo-header
        // terms to the L4 sum.
        self.done.next = self.ip_acc.done.val() & self.l4_acc.done.val();
        self.d1_valid.d.next = self.done.val();
        self.d1_info.d.next = self.info_out.val();
        self.d1_ip.d.next = self.ip_acc.sum.val();
        self.d1_l4.d.next = bit_cast::<18, 16>(self.l4_acc.sum.val())
            + bit_cast::<18, 17>(
                self.info_out
                    .val()
                    .get_bits::<17>(self.i_bias.val().index()),
            );
        // D2: fold and check. A sum below 2^18 folds to 0xFFFF exactly when
        // its first fold is 0xFFFF (a carry out leaves at most 3).
        self.fold.next = bit_cast::<17, 16>(self.d1_l4.q.val().get_bits::<16>(0))
            + bit_cast::<17, 2>(self.d1_l4.q.val().get_bits::<2>(16));
        self.d2_valid.d.next = self.d1_valid.q.val();
        self.d2_info.d.next = self.d1_info.q.val();
        self.d2_ip_ok.d.next = self.d1_ip.q.val() == 0xFFFF;
        self.d2_l4_ok.d.next = self.fold.val() == 0xFFFF;
        // D3: the record.
        self.ipv.next = 0.into();
        if self.d2_info.q.val().get_bit(0) {
            self.ipv.next = 2.into();
            if self.d2_ip_ok.q.val() {
                self.ipv.next = 1.into();
            }
        }
        self.l4v.next = 0.into();
        if self
            .d2_info
            .q
            .val()
            .get_bits::<2>(self.i_l4mode.val().index())
            == self.m_check.val()
        {
            self.l4v.next = 2.into();
            if self.d2_l4_ok.q.val() {
                self.l4v.next = 1.into();
            }
        }
        if self
            .d2_info
            .q
            .val()
            .get_bits::<2>(self.i_l4mode.val().index())
            == self.m_zero.val()
        {
            self.l4v.next = 3.into();
        }
        if self
            .d2_info
            .q
            .val()
            .get_bits::<2>(self.i_l4mode.val().index())
            == self.m_zero6.val()
        {
            self.l4v.next = 2.into();
        }
        self.vfifo.write.next = self.d2_valid.q.val();
        self.vfifo.data_in.next = (bit_cast::<32, 2>(self.ipv.val()) << self.r_ip.val())
            | (bit_cast::<32, 2>(self.l4v.val()) << self.r_l4.val())
            | (bit_cast::<32, 2>(
                self.d2_info
                    .q
                    .val()
                    .get_bits::<2>(self.i_proto.val().index()),
            ) << self.r_proto.val())
            | (bit_cast::<32, 2>(
                self.d2_info
                    .q
                    .val()
                    .get_bits::<2>(self.i_kind.val().index()),
            ) << self.r_l3.val())
            | (bit_cast::<32, 1>(
                self.d2_info
                    .q
                    .val()
                    .get_bit(self.i_user.val().index())
                    .into(),
            ) << self.r_user.val())
            | (bit_cast::<32, 17>(
                self.d2_info
                    .q
                    .val()
                    .get_bits::<17>(self.i_len.val().index()),
            ) << self.r_len.val());

        // Output.
        self.verdict.next = self.vfifo.data_out.val();
        self.verdict_valid.next = self.vfifo.valid.val();
        self.vfifo.read.next = self.verdict_ready.val();

        if self.reset.val() {
            self.s_off.d.next = 0.into();
            self.s1_valid.d.next = false;
            self.e1_valid.d.next = false;
            self.e2_valid.d.next = false;
            self.d1_valid.d.next = false;
            self.d2_valid.d.next = false;
        }
    }
}
