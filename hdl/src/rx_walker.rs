//! `rx_walker`: finds where a received frame's L3 header starts and, for
//! IPv6, walks the extension headers to the L4 header, at line rate.
//!
//! It looks at each beat once, as it arrives, and emits one descriptor per
//! frame as soon as the walk is decided (or at the end of the frame).
//!
//! Two stages keep every path short. Stage I, on the incoming beat,
//! classifies bytes: the EtherTypes (bytes 12, 16, 20) and the IPv6 next
//! header (byte 6 of an L3 header at 14, 18 or 22) sit at fixed offsets and
//! are captured at fixed lanes; every lane is also classified as a walked
//! extension header type, TCP or UDP. Stage R decides from those registered
//! bits. The position of the extension header being walked is kept relative
//! to the beat (`dlen`: where its length byte is), so finding it in a beat
//! is a compare with a constant. An extension header is at least 8 bytes,
//! so at up to 8 bytes per beat at most one chain step falls in a beat and
//! the walker never falls behind the data.
//!
//! Descriptor layout (internal to `rx_checksum`): see the `DESC_*` fields.

use crate::stream::{Offset, offset};
use rust_hdl::prelude::*;
use spec::Field;
use spec::rx_csum::{
    ETHERTYPE_IPV4, ETHERTYPE_IPV6, IPV6_EXT_WALKED, MAX_WALK, PROTO_TCP, PROTO_UDP, VLAN_TPIDS,
};

pub const DESC_BITS: usize = 28;
/// Offset of the L3 header (14, 18 or 22).
pub const DESC_L3: Field = Field::new("l3", 0, 5);
/// [`spec::rx_csum::L3Kind`] code.
pub const DESC_KIND: Field = Field::new("kind", 5, 2);
/// IPv6 only: offset of the L4 header.
pub const DESC_L4: Field = Field::new("l4", 7, 17);
/// IPv6 only: [`spec::rx_csum::L4Proto`] code of the L4 header, 0 if none.
pub const DESC_PROTO: Field = Field::new("proto", 24, 2);
/// IPv6 only: why the walk stopped, one of the `STOP_*` codes.
pub const DESC_STOP: Field = Field::new("stop", 26, 2);
/// At the L4 header `DESC_L4` (or not IPv6).
pub const STOP_L4: u64 = 0;
/// At a fragment header.
pub const STOP_FRAGMENT: u64 = 1;
/// At an extension header past [`MAX_WALK`].
pub const STOP_LIMIT: u64 = 2;
/// The frame ended during the walk.
pub const STOP_ENDED: u64 = 3;

/// Frame offsets captured at fixed lanes: the three EtherTypes, and the
/// IPv6 next-header byte for L3 at 14 (byte 20), 18 (24) and 22 (28).
const FIXED: [u32; 8] = [12, 13, 16, 17, 20, 21, 24, 28];
/// Bytes whose arrival the walker waits for: the low bytes of the three
/// EtherTypes and the three next-header candidates.
const SEEN: [u32; 6] = [13, 17, 21, 20, 24, 28];

const ST_L2: u64 = 0;
const ST_V6: u64 = 1;
const ST_EXT: u64 = 2;
const ST_DONE: u64 = 3;

#[derive(LogicBlock)]
pub struct RxWalker<const D: usize, const K: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The beat accepted this cycle.
    pub data: Signal<In, Bits<D>>,
    pub keep: Signal<In, Bits<K>>,
    pub last: Signal<In, Bit>,
    pub valid: Signal<In, Bit>,
    pub desc: Signal<Out, Bits<DESC_BITS>>,
    pub desc_valid: Signal<Out, Bit>,
    // Stage I
    off_i: DFF<Offset>,
    fixed: Vec<DFF<Bits<8>>>,
    // Stage R: the beat, and what stage I found in it
    r_data: DFF<Bits<D>>,
    r_keep: DFF<Bits<K>>,
    r_last: DFF<Bit>,
    r_valid: DFF<Bit>,
    r_off: DFF<Offset>,
    /// [t0, t1, t2] x [TPID, IPv4, IPv6]: bit 3*t + class.
    r_et: DFF<Bits<9>>,
    /// [byte 20, 24, 28] x [walked extension, TCP, UDP, fragment]: bit
    /// 4*n + class.
    r_nh: DFF<Bits<12>>,
    /// One bit per [`SEEN`] byte: in the frame by the end of this beat.
    r_seen: DFF<Bits<6>>,
    r_ext: DFF<Bits<K>>,
    r_tcp: DFF<Bits<K>>,
    r_udp: DFF<Bits<K>>,
    r_frag: DFF<Bits<K>>,
    // Walk state
    state: DFF<Bits<2>>,
    l3: DFF<Offset>,
    kind: DFF<Bits<2>>,
    cur: DFF<Offset>,
    dlen: DFF<Offset>,
    dlen_init: DFF<Offset>,
    /// Class of a next-header byte that came a beat before its length.
    nhp: DFF<Bits<4>>,
    pushed: DFF<Bit>,
    desc_q: DFF<Bits<DESC_BITS>>,
    desc_valid_q: DFF<Bit>,
    // constants
    one_k: Constant<Bits<K>>,
    fixed_beat: Vec<Constant<Offset>>,
    fixed_bit: Vec<Constant<Bits<8>>>,
    seen_beat: Vec<Constant<Offset>>,
    seen_lane: Vec<Constant<Offset>>,
    width: Constant<Offset>,
    lane_mask: Constant<Offset>,
    off_sat: Constant<Offset>,
    walk_last: Constant<Offset>,
    tpid_a: Constant<Bits<16>>,
    tpid_b: Constant<Bits<16>>,
    et_v4: Constant<Bits<16>>,
    et_v6: Constant<Bits<16>>,
    p_tcp: Constant<Bits<8>>,
    p_udp: Constant<Bits<8>>,
    x_frag: Constant<Bits<8>>,
    x_hbh: Constant<Bits<8>>,
    x_rt: Constant<Bits<8>>,
    x_dst: Constant<Bits<8>>,
    st_l2: Constant<Bits<2>>,
    st_v6: Constant<Bits<2>>,
    st_ext: Constant<Bits<2>>,
    st_done: Constant<Bits<2>>,
    f_kind: Constant<Bits<5>>,
    f_l4: Constant<Bits<5>>,
    f_proto: Constant<Bits<5>>,
    f_stop: Constant<Bits<5>>,
    walk_last_stop: Constant<Bits<2>>,
    // locals
    now: Vec<Signal<Local, Bits<8>>>,
    t: Signal<Local, Bits<16>>,
    b: Signal<Local, Bits<8>>,
    et: Signal<Local, Bits<9>>,
    nh: Signal<Local, Bits<12>>,
    seen: Signal<Local, Bits<6>>,
    ext: Signal<Local, Bits<K>>,
    tcp: Signal<Local, Bits<K>>,
    udp: Signal<Local, Bits<K>>,
    frag: Signal<Local, Bits<K>>,
    resolved: Signal<Local, Bit>,
    l3_now: Signal<Local, Offset>,
    kind_now: Signal<Local, Bits<2>>,
    cls: Signal<Local, Bits<4>>,
    len: Signal<Local, Bits<8>>,
    push: Signal<Local, Bit>,
    out_l4: Signal<Local, Offset>,
    out_proto: Signal<Local, Bits<2>>,
    out_stop: Signal<Local, Bits<2>>,
}

fn c8(v: u8) -> Constant<Bits<8>> {
    Constant::new(u64::from(v).to_bits())
}

fn c16(v: u16) -> Constant<Bits<16>> {
    Constant::new(u64::from(v).to_bits())
}

fn c2(v: u64) -> Constant<Bits<2>> {
    Constant::new(v.to_bits())
}

fn c5(v: u32) -> Constant<Bits<5>> {
    Constant::new(u64::from(v).to_bits())
}

impl<const D: usize, const K: usize> RxWalker<D, K> {
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        let w = K as u32;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            data: Default::default(),
            keep: Default::default(),
            last: Default::default(),
            valid: Default::default(),
            desc: Default::default(),
            desc_valid: Default::default(),
            off_i: Default::default(),
            fixed: FIXED.iter().map(|_| Default::default()).collect(),
            r_data: Default::default(),
            r_keep: Default::default(),
            r_last: Default::default(),
            r_valid: Default::default(),
            r_off: Default::default(),
            r_et: Default::default(),
            r_nh: Default::default(),
            r_seen: Default::default(),
            r_ext: Default::default(),
            r_tcp: Default::default(),
            r_udp: Default::default(),
            r_frag: Default::default(),
            state: Default::default(),
            l3: Default::default(),
            kind: Default::default(),
            cur: Default::default(),
            dlen: Default::default(),
            dlen_init: Default::default(),
            nhp: Default::default(),
            pushed: Default::default(),
            desc_q: Default::default(),
            desc_valid_q: Default::default(),
            one_k: Constant::new(1.into()),
            fixed_beat: FIXED.iter().map(|&o| offset(o - o % w)).collect(),
            fixed_bit: FIXED
                .iter()
                .map(|&o| Constant::new(u64::from(8 * (o % w)).to_bits()))
                .collect(),
            seen_beat: SEEN.iter().map(|&o| offset(o - o % w)).collect(),
            seen_lane: SEEN.iter().map(|&o| offset(o % w)).collect(),
            width: offset(w),
            lane_mask: offset(w - 1),
            off_sat: offset(spec::stream::OFFSET_MAX + 1 - 2 * w),
            walk_last: offset(MAX_WALK - 2),
            tpid_a: c16(VLAN_TPIDS[0]),
            tpid_b: c16(VLAN_TPIDS[1]),
            et_v4: c16(ETHERTYPE_IPV4),
            et_v6: c16(ETHERTYPE_IPV6),
            p_tcp: c8(PROTO_TCP),
            p_udp: c8(PROTO_UDP),
            x_frag: c8(spec::rx_parse::NH_FRAGMENT),
            x_hbh: c8(IPV6_EXT_WALKED[0]),
            x_rt: c8(IPV6_EXT_WALKED[1]),
            x_dst: c8(IPV6_EXT_WALKED[2]),
            st_l2: c2(ST_L2),
            st_v6: c2(ST_V6),
            st_ext: c2(ST_EXT),
            st_done: c2(ST_DONE),
            f_kind: c5(DESC_KIND.lsb),
            f_l4: c5(DESC_L4.lsb),
            f_proto: c5(DESC_PROTO.lsb),
            f_stop: c5(DESC_STOP.lsb),
            walk_last_stop: c2(STOP_LIMIT),
            now: FIXED.iter().map(|_| Default::default()).collect(),
            t: Default::default(),
            b: Default::default(),
            et: Default::default(),
            nh: Default::default(),
            seen: Default::default(),
            ext: Default::default(),
            tcp: Default::default(),
            udp: Default::default(),
            frag: Default::default(),
            resolved: Default::default(),
            l3_now: Default::default(),
            kind_now: Default::default(),
            cls: Default::default(),
            len: Default::default(),
            push: Default::default(),
            out_l4: Default::default(),
            out_proto: Default::default(),
            out_stop: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize> Default for RxWalker<D, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize> Logic for RxWalker<D, K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            off_i,
            r_data,
            r_keep,
            r_last,
            r_valid,
            r_off,
            r_et,
            r_nh,
            r_seen,
            r_ext,
            r_tcp,
            r_udp,
            r_frag,
            state,
            l3,
            kind,
            cur,
            dlen,
            dlen_init,
            nhp,
            pushed,
            desc_q,
            desc_valid_q
        );
        for k in 0..8 {
            self.fixed[k].clock.next = self.clock.val();
            self.fixed[k].d.next = self.fixed[k].q.val();
        }

        // Stage I: classify the incoming beat.
        for k in 0..8 {
            self.now[k].next = self.fixed[k].q.val();
            if self.valid.val() & (self.off_i.q.val() == self.fixed_beat[k].val()) {
                self.now[k].next = self
                    .data
                    .val()
                    .get_bits::<8>(self.fixed_bit[k].val().index());
            }
            if self.valid.val() {
                self.fixed[k].d.next = self.now[k].val();
            }
        }
        self.et.next = 0.into();
        self.t.next =
            (bit_cast::<16, 8>(self.now[0].val()) << 8) | bit_cast::<16, 8>(self.now[1].val());
        self.et.next = self.et.val().replace_bit(
            0,
            (self.t.val() == self.tpid_a.val()) | (self.t.val() == self.tpid_b.val()),
        );
        self.et.next = self
            .et
            .val()
            .replace_bit(1, self.t.val() == self.et_v4.val());
        self.et.next = self
            .et
            .val()
            .replace_bit(2, self.t.val() == self.et_v6.val());
        self.t.next =
            (bit_cast::<16, 8>(self.now[2].val()) << 8) | bit_cast::<16, 8>(self.now[3].val());
        self.et.next = self.et.val().replace_bit(
            3,
            (self.t.val() == self.tpid_a.val()) | (self.t.val() == self.tpid_b.val()),
        );
        self.et.next = self
            .et
            .val()
            .replace_bit(4, self.t.val() == self.et_v4.val());
        self.et.next = self
            .et
            .val()
            .replace_bit(5, self.t.val() == self.et_v6.val());
        self.t.next =
            (bit_cast::<16, 8>(self.now[4].val()) << 8) | bit_cast::<16, 8>(self.now[5].val());
        self.et.next = self.et.val().replace_bit(
            6,
            (self.t.val() == self.tpid_a.val()) | (self.t.val() == self.tpid_b.val()),
        );
        self.et.next = self
            .et
            .val()
            .replace_bit(7, self.t.val() == self.et_v4.val());
        self.et.next = self
            .et
            .val()
            .replace_bit(8, self.t.val() == self.et_v6.val());
        self.nh.next = 0.into();
        self.b.next = self.now[4].val();
        self.nh.next = self.nh.val().replace_bit(
            0,
            (self.b.val() == self.x_hbh.val())
                | (self.b.val() == self.x_rt.val())
                | (self.b.val() == self.x_dst.val()),
        );
        self.nh.next = self
            .nh
            .val()
            .replace_bit(1, self.b.val() == self.p_tcp.val());
        self.nh.next = self
            .nh
            .val()
            .replace_bit(2, self.b.val() == self.p_udp.val());
        self.nh.next = self
            .nh
            .val()
            .replace_bit(3, self.b.val() == self.x_frag.val());
        self.b.next = self.now[6].val();
        self.nh.next = self.nh.val().replace_bit(
            4,
            (self.b.val() == self.x_hbh.val())
                | (self.b.val() == self.x_rt.val())
                | (self.b.val() == self.x_dst.val()),
        );
        self.nh.next = self
            .nh
            .val()
            .replace_bit(5, self.b.val() == self.p_tcp.val());
        self.nh.next = self
            .nh
            .val()
            .replace_bit(6, self.b.val() == self.p_udp.val());
        self.nh.next = self
            .nh
            .val()
            .replace_bit(7, self.b.val() == self.x_frag.val());
        self.b.next = self.now[7].val();
        self.nh.next = self.nh.val().replace_bit(
            8,
            (self.b.val() == self.x_hbh.val())
                | (self.b.val() == self.x_rt.val())
                | (self.b.val() == self.x_dst.val()),
        );
        self.nh.next = self
            .nh
            .val()
            .replace_bit(9, self.b.val() == self.p_tcp.val());
        self.nh.next = self
            .nh
            .val()
            .replace_bit(10, self.b.val() == self.p_udp.val());
        self.nh.next = self
            .nh
            .val()
            .replace_bit(11, self.b.val() == self.x_frag.val());
        // A byte is in the frame by the end of this beat if an earlier beat
        // held it, or this one does and keeps its lane.
        self.seen.next = 0.into();
        for k in 0..6 {
            if (self.off_i.q.val() > self.seen_beat[k].val())
                | ((self.off_i.q.val() == self.seen_beat[k].val())
                    & ((self.keep.val() >> self.seen_lane[k].val()) & self.one_k.val()).any())
            {
                self.seen.next = self.seen.val().replace_bit(k, true);
            }
        }
        self.ext.next = 0.into();
        self.tcp.next = 0.into();
        self.udp.next = 0.into();
        self.frag.next = 0.into();
        for i in 0..K {
            self.b.next = self.data.val().get_bits::<8>(8 * i);
            self.ext.next = self.ext.val().replace_bit(
                i,
                (self.b.val() == self.x_hbh.val())
                    | (self.b.val() == self.x_rt.val())
                    | (self.b.val() == self.x_dst.val()),
            );
            self.tcp.next = self
                .tcp
                .val()
                .replace_bit(i, self.b.val() == self.p_tcp.val());
            self.udp.next = self
                .udp
                .val()
                .replace_bit(i, self.b.val() == self.p_udp.val());
            self.frag.next = self
                .frag
                .val()
                .replace_bit(i, self.b.val() == self.x_frag.val());
        }
        self.r_data.d.next = self.data.val();
        self.r_keep.d.next = self.keep.val();
        self.r_last.d.next = self.last.val();
        self.r_valid.d.next = self.valid.val();
        self.r_off.d.next = self.off_i.q.val();
        self.r_et.d.next = self.et.val();
        self.r_nh.d.next = self.nh.val();
        self.r_seen.d.next = self.seen.val();
        self.r_ext.d.next = self.ext.val();
        self.r_tcp.d.next = self.tcp.val();
        self.r_udp.d.next = self.udp.val();
        self.r_frag.d.next = self.frag.val();
        if self.valid.val() {
            if self.off_i.q.val() < self.off_sat.val() {
                self.off_i.d.next = self.off_i.q.val() + self.width.val();
            }
            if self.last.val() {
                self.off_i.d.next = 0.into();
            }
        }

        // Stage R: decide.
        self.resolved.next = false;
        self.l3_now.next = self.l3.q.val();
        self.kind_now.next = self.kind.q.val();
        self.cls.next = 0.into();
        self.len.next = 0.into();
        self.push.next = false;
        self.out_l4.next = 0.into();
        self.out_proto.next = 0.into();
        self.out_stop.next = 0.into();
        if self.r_valid.q.val() {
            if self.state.q.val() == self.st_l2.val() {
                // Untagged, one tag, two tags; a third tag is not walked.
                if self.r_seen.q.val().get_bit(0) & !self.r_et.q.val().get_bit(0) {
                    self.resolved.next = true;
                    self.l3_now.next = 14.into();
                    self.kind_now.next = self.r_et.q.val().get_bits::<2>(1);
                } else if self.r_seen.q.val().get_bit(0)
                    & self.r_seen.q.val().get_bit(1)
                    & !self.r_et.q.val().get_bit(3)
                {
                    self.resolved.next = true;
                    self.l3_now.next = 18.into();
                    self.kind_now.next = self.r_et.q.val().get_bits::<2>(4);
                } else if self.r_seen.q.val().get_bit(0)
                    & self.r_seen.q.val().get_bit(1)
                    & self.r_seen.q.val().get_bit(2)
                {
                    self.resolved.next = true;
                    self.l3_now.next = 22.into();
                    self.kind_now.next = self.r_et.q.val().get_bits::<2>(7);
                    if self.r_et.q.val().get_bit(6) {
                        self.kind_now.next = 0.into();
                    }
                }
                if self.resolved.val() {
                    self.l3.d.next = self.l3_now.val();
                    self.kind.d.next = self.kind_now.val();
                    self.cur.d.next = self.l3_now.val() + 40;
                    // Where the first extension header's length byte will
                    // be, relative to the beat after this one.
                    self.dlen_init.d.next =
                        self.l3_now.val() + 41 - self.r_off.q.val() - self.width.val();
                    if self.kind_now.val() == 2 {
                        self.state.d.next = self.st_v6.val();
                    } else {
                        self.state.d.next = self.st_done.val();
                        self.push.next = true;
                    }
                }
            } else if self.state.q.val() == self.st_v6.val() {
                // The fixed header's next header, at l3 + 6.
                self.resolved.next = self.r_seen.q.val().get_bit(3);
                self.cls.next = self.r_nh.q.val().get_bits::<4>(0);
                if self.l3.q.val() == 18 {
                    self.resolved.next = self.r_seen.q.val().get_bit(4);
                    self.cls.next = self.r_nh.q.val().get_bits::<4>(4);
                }
                if self.l3.q.val() == 22 {
                    self.resolved.next = self.r_seen.q.val().get_bit(5);
                    self.cls.next = self.r_nh.q.val().get_bits::<4>(8);
                }
                if self.resolved.val() {
                    self.dlen.d.next = self.dlen_init.q.val() - self.width.val();
                    self.out_l4.next = self.cur.q.val();
                    if self.cls.val().get_bit(0) {
                        self.state.d.next = self.st_ext.val();
                    } else {
                        self.state.d.next = self.st_done.val();
                        self.push.next = true;
                    }
                } else {
                    self.dlen_init.d.next = self.dlen_init.q.val() - self.width.val();
                }
            } else if self.state.q.val() == self.st_ext.val() {
                if self.cur.q.val() > self.walk_last.val() {
                    // Past the walk limit: no verdict.
                    self.state.d.next = self.st_done.val();
                    self.push.next = true;
                    self.out_stop.next = self.walk_last_stop.val();
                } else if (self.dlen.q.val() < self.width.val())
                    & ((self.r_keep.q.val() >> (self.dlen.q.val() & self.lane_mask.val()))
                        & self.one_k.val())
                    .any()
                {
                    // The header's length byte is in this beat; its next
                    // header byte is in the lane before, or came earlier.
                    self.len.next = self
                        .r_data
                        .q
                        .val()
                        .get_bits::<8>((self.dlen.q.val() & self.lane_mask.val()).index() * 8);
                    self.cls.next = self.nhp.q.val();
                    if self.dlen.q.val() != 0 {
                        self.cls.next = bit_cast::<4, 1>(
                            ((self.r_ext.q.val()
                                >> ((self.dlen.q.val() - 1) & self.lane_mask.val()))
                                & self.one_k.val())
                            .any()
                            .into(),
                        ) | (bit_cast::<4, 1>(
                            ((self.r_tcp.q.val()
                                >> ((self.dlen.q.val() - 1) & self.lane_mask.val()))
                                & self.one_k.val())
                            .any()
                            .into(),
                        ) << 1)
                            | (bit_cast::<4, 1>(
                                ((self.r_udp.q.val()
                                    >> ((self.dlen.q.val() - 1) & self.lane_mask.val()))
                                    & self.one_k.val())
                                .any()
                                .into(),
                            ) << 2)
                            | (bit_cast::<4, 1>(
                                ((self.r_frag.q.val()
                                    >> ((self.dlen.q.val() - 1) & self.lane_mask.val()))
                                    & self.one_k.val())
                                .any()
                                .into(),
                            ) << 3);
                    }
                    self.out_l4.next =
                        self.cur.q.val() + 8 + (bit_cast::<17, 8>(self.len.val()) << 3);
                    self.cur.d.next = self.out_l4.val();
                    self.dlen.d.next =
                        self.dlen.q.val() + 8 + (bit_cast::<17, 8>(self.len.val()) << 3)
                            - self.width.val();
                    if !self.cls.val().get_bit(0) {
                        self.state.d.next = self.st_done.val();
                        self.push.next = true;
                    }
                } else {
                    self.dlen.d.next = self.dlen.q.val() - self.width.val();
                    // One byte per beat: the next header byte arrives alone.
                    if self.dlen.q.val() == 1 {
                        self.nhp.d.next = bit_cast::<4, 1>(self.r_ext.q.val().any().into())
                            | (bit_cast::<4, 1>(self.r_tcp.q.val().any().into()) << 1)
                            | (bit_cast::<4, 1>(self.r_udp.q.val().any().into()) << 2)
                            | (bit_cast::<4, 1>(self.r_frag.q.val().any().into()) << 3);
                    }
                }
            }
        }
        // A chain that ends at TCP or UDP names it; anything else is none.
        if self.push.val() & (self.state.q.val() != self.st_l2.val()) {
            if self.cls.val().get_bit(1) {
                self.out_proto.next = 1.into();
            }
            if self.cls.val().get_bit(2) {
                self.out_proto.next = 2.into();
            }
            if self.cls.val().get_bit(3) {
                self.out_stop.next = 1.into();
            }
        }
        // The end of the frame settles whatever is still open: the walk
        // ran off the frame, or (a length read in the last beat) past the
        // walk limit.
        if self.r_valid.q.val() & self.r_last.q.val() & !self.pushed.q.val() & !self.push.val() {
            self.push.next = true;
            self.out_stop.next = 3.into();
            if self.out_l4.val() > self.walk_last.val() {
                self.out_stop.next = self.walk_last_stop.val();
            }
        }
        if self.pushed.q.val() {
            self.push.next = false;
        }
        self.desc_q.d.next = bit_cast::<DESC_BITS, 17>(self.l3_now.val())
            | (bit_cast::<DESC_BITS, 2>(self.kind_now.val()) << self.f_kind.val())
            | (bit_cast::<DESC_BITS, 17>(self.out_l4.val()) << self.f_l4.val())
            | (bit_cast::<DESC_BITS, 2>(self.out_proto.val()) << self.f_proto.val())
            | (bit_cast::<DESC_BITS, 2>(self.out_stop.val()) << self.f_stop.val());
        self.desc_valid_q.d.next = self.push.val();
        self.desc.next = self.desc_q.q.val();
        self.desc_valid.next = self.desc_valid_q.q.val();
        if self.push.val() {
            self.pushed.d.next = true;
        }
        if self.r_valid.q.val() & self.r_last.q.val() {
            self.state.d.next = self.st_l2.val();
            self.pushed.d.next = false;
            self.l3.d.next = 0.into();
            self.kind.d.next = 0.into();
        }
        if self.reset.val() {
            self.off_i.d.next = 0.into();
            self.r_valid.d.next = false;
            self.state.d.next = self.st_l2.val();
            self.pushed.d.next = false;
            self.l3.d.next = 0.into();
            self.kind.d.next = 0.into();
            self.desc_valid_q.d.next = false;
        }
    }
}
