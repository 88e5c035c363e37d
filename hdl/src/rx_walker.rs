//! `rx_walker`: finds where a received frame's L3 header starts and, for
//! IPv6, walks the extension headers to the L4 header, at line rate.
//!
//! It looks at each beat once, as it arrives, and emits one descriptor per
//! frame as soon as the walk is decided (or at the end of the frame). The
//! EtherTypes (bytes 12, 16 and 20) and the IPv6 next-header field (byte 6
//! of a header at 14, 18 or 22) sit at fixed offsets, so they are captured
//! at fixed lanes with no multiplexer; only the extension-header chain needs
//! a variable lane select. An extension header is at least 8 bytes long, so
//! at up to 8 bytes per beat at most one chain step falls in a beat and the
//! walker never falls behind the data.
//!
//! Descriptor layout (internal to `rx_checksum`): see the `DESC_*` fields.

use crate::stream::{lane_constants, offset, Offset};
use rust_hdl::prelude::*;
use spec::rx_csum::{ETHERTYPE_IPV4, ETHERTYPE_IPV6, MAX_WALK, PROTO_TCP, PROTO_UDP, VLAN_TPIDS};
use spec::Field;

pub const DESC_BITS: usize = 26;
/// Offset of the L3 header (14, 18 or 22).
pub const DESC_L3: Field = Field::new("l3", 0, 5);
/// [`spec::rx_csum::L3Kind`] code.
pub const DESC_KIND: Field = Field::new("kind", 5, 2);
/// IPv6 only: offset of the L4 header.
pub const DESC_L4: Field = Field::new("l4", 7, 17);
/// IPv6 only: [`spec::rx_csum::L4Proto`] code of the L4 header, 0 if none.
pub const DESC_PROTO: Field = Field::new("proto", 24, 2);

/// Frame offsets captured at fixed lanes: the three EtherTypes, and the
/// IPv6 next-header byte for L3 at 14 (byte 20), 18 (24) and 22 (28).
const FIXED: [u32; 8] = [12, 13, 16, 17, 20, 21, 24, 28];

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
    r_data: DFF<Bits<D>>,
    r_keep: DFF<Bits<K>>,
    r_last: DFF<Bit>,
    r_valid: DFF<Bit>,
    off: DFF<Offset>,
    fixed: Vec<DFF<Bits<8>>>,
    state: DFF<Bits<2>>,
    l3: DFF<Offset>,
    kind: DFF<Bits<2>>,
    cur: DFF<Offset>,
    nhp: DFF<Bits<8>>,
    // constants
    lane: Vec<Constant<Offset>>,
    one_k: Constant<Bits<K>>,
    fixed_beat: Vec<Constant<Offset>>,
    fixed_bit: Vec<Constant<Bits<8>>>,
    width: Constant<Offset>,
    off_sat: Constant<Offset>,
    lane_mask: Constant<Offset>,
    max_walk: Constant<Offset>,
    tpid_a: Constant<Bits<16>>,
    tpid_b: Constant<Bits<16>>,
    et_v4: Constant<Bits<16>>,
    et_v6: Constant<Bits<16>>,
    p_tcp: Constant<Bits<8>>,
    p_udp: Constant<Bits<8>>,
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
    // locals
    now: Vec<Signal<Local, Bits<8>>>,
    lane_byte: Signal<Local, Bits<8>>,
    end_now: Signal<Local, Offset>,
    t0: Signal<Local, Bits<16>>,
    t1: Signal<Local, Bits<16>>,
    t2: Signal<Local, Bits<16>>,
    etype: Signal<Local, Bits<16>>,
    resolved: Signal<Local, Bit>,
    l3_now: Signal<Local, Offset>,
    kind_now: Signal<Local, Bits<2>>,
    nh: Signal<Local, Bits<8>>,
    rel: Signal<Local, Offset>,
    len: Signal<Local, Bits<8>>,
    next: Signal<Local, Offset>,
    push: Signal<Local, Bit>,
    out_l4: Signal<Local, Offset>,
    out_proto: Signal<Local, Bits<2>>,
    pushed: DFF<Bit>,
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
            r_data: Default::default(),
            r_keep: Default::default(),
            r_last: Default::default(),
            r_valid: Default::default(),
            off: Default::default(),
            fixed: FIXED.iter().map(|_| Default::default()).collect(),
            state: Default::default(),
            l3: Default::default(),
            kind: Default::default(),
            cur: Default::default(),
            nhp: Default::default(),
            lane: lane_constants(K),
            fixed_beat: FIXED.iter().map(|&o| offset(o - o % w)).collect(),
            fixed_bit: FIXED
                .iter()
                .map(|&o| Constant::new(u64::from(8 * (o % w)).to_bits()))
                .collect(),
            width: offset(w),
            off_sat: offset(spec::stream::OFFSET_MAX + 1 - 2 * w),
            lane_mask: offset(w - 1),
            max_walk: offset(MAX_WALK),
            tpid_a: c16(VLAN_TPIDS[0]),
            tpid_b: c16(VLAN_TPIDS[1]),
            et_v4: c16(ETHERTYPE_IPV4),
            et_v6: c16(ETHERTYPE_IPV6),
            p_tcp: c8(PROTO_TCP),
            p_udp: c8(PROTO_UDP),
            x_hbh: c8(spec::rx_csum::IPV6_EXT_WALKED[0]),
            x_rt: c8(spec::rx_csum::IPV6_EXT_WALKED[1]),
            x_dst: c8(spec::rx_csum::IPV6_EXT_WALKED[2]),
            st_l2: c2(ST_L2),
            st_v6: c2(ST_V6),
            st_ext: c2(ST_EXT),
            st_done: c2(ST_DONE),
            f_kind: c5(DESC_KIND.lsb),
            f_l4: c5(DESC_L4.lsb),
            f_proto: c5(DESC_PROTO.lsb),
            now: FIXED.iter().map(|_| Default::default()).collect(),
            lane_byte: Default::default(),
            one_k: Constant::new(1.into()),
            end_now: Default::default(),
            t0: Default::default(),
            t1: Default::default(),
            t2: Default::default(),
            etype: Default::default(),
            resolved: Default::default(),
            l3_now: Default::default(),
            kind_now: Default::default(),
            nh: Default::default(),
            rel: Default::default(),
            len: Default::default(),
            next: Default::default(),
            push: Default::default(),
            out_l4: Default::default(),
            out_proto: Default::default(),
            pushed: Default::default(),
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
            self, clock, r_data, r_keep, r_last, r_valid, off, state, l3, kind, cur, nhp, pushed
        );
        for k in 0..8 {
            self.fixed[k].clock.next = self.clock.val();
            self.fixed[k].d.next = self.fixed[k].q.val();
        }
        self.r_data.d.next = self.data.val();
        self.r_keep.d.next = self.keep.val();
        self.r_last.d.next = self.last.val();
        self.r_valid.d.next = self.valid.val();

        // Bytes at fixed offsets as of the end of this beat.
        for k in 0..8 {
            self.now[k].next = self.fixed[k].q.val();
            if self.r_valid.q.val() & (self.off.q.val() == self.fixed_beat[k].val()) {
                self.now[k].next = self
                    .r_data
                    .q
                    .val()
                    .get_bits::<8>(self.fixed_bit[k].val().index());
            }
        }
        // How far the frame reaches after this beat.
        self.end_now.next = self.off.q.val() + self.width.val();
        if self.r_last.q.val() {
            self.end_now.next = self.off.q.val();
            for i in 0..K {
                if ((self.r_keep.q.val() >> self.lane[i].val()) & self.one_k.val()).any() {
                    self.end_now.next = self.off.q.val() + self.lane[i].val() + 1;
                }
            }
        }
        self.lane_byte.next = 0.into();
        self.t0.next =
            (bit_cast::<16, 8>(self.now[0].val()) << 8) | bit_cast::<16, 8>(self.now[1].val());
        self.t1.next =
            (bit_cast::<16, 8>(self.now[2].val()) << 8) | bit_cast::<16, 8>(self.now[3].val());
        self.t2.next =
            (bit_cast::<16, 8>(self.now[4].val()) << 8) | bit_cast::<16, 8>(self.now[5].val());
        self.etype.next = 0.into();
        self.resolved.next = false;
        self.l3_now.next = self.l3.q.val();
        self.kind_now.next = self.kind.q.val();
        self.nh.next = 0.into();
        self.rel.next = 0.into();
        self.len.next = 0.into();
        self.next.next = 0.into();
        self.push.next = false;
        self.out_l4.next = 0.into();
        self.out_proto.next = 0.into();

        if self.r_valid.q.val() {
            if self.state.q.val() == self.st_l2.val() {
                // Untagged, one tag, two tags; a third tag is not walked.
                if self.end_now.val() > 13 {
                    if (self.t0.val() != self.tpid_a.val()) & (self.t0.val() != self.tpid_b.val()) {
                        self.resolved.next = true;
                        self.l3_now.next = 14.into();
                        self.etype.next = self.t0.val();
                    } else if self.end_now.val() > 17 {
                        if (self.t1.val() != self.tpid_a.val())
                            & (self.t1.val() != self.tpid_b.val())
                        {
                            self.resolved.next = true;
                            self.l3_now.next = 18.into();
                            self.etype.next = self.t1.val();
                        } else if self.end_now.val() > 21 {
                            self.resolved.next = true;
                            self.l3_now.next = 22.into();
                            self.etype.next = self.t2.val();
                            if (self.t2.val() == self.tpid_a.val())
                                | (self.t2.val() == self.tpid_b.val())
                            {
                                self.etype.next = 0.into();
                            }
                        }
                    }
                }
                if self.resolved.val() {
                    self.kind_now.next = 0.into();
                    if self.etype.val() == self.et_v4.val() {
                        self.kind_now.next = 1.into();
                    }
                    if self.etype.val() == self.et_v6.val() {
                        self.kind_now.next = 2.into();
                    }
                    self.l3.d.next = self.l3_now.val();
                    self.kind.d.next = self.kind_now.val();
                    if self.kind_now.val() == 2 {
                        self.state.d.next = self.st_v6.val();
                    } else {
                        self.state.d.next = self.st_done.val();
                        self.push.next = true;
                    }
                }
            } else if self.state.q.val() == self.st_v6.val() {
                // Next header of the fixed IPv6 header, at l3 + 6.
                self.nh.next = self.now[4].val();
                if self.l3.q.val() == 18 {
                    self.nh.next = self.now[6].val();
                }
                if self.l3.q.val() == 22 {
                    self.nh.next = self.now[7].val();
                }
                if self.end_now.val() > self.l3.q.val() + 6 {
                    self.next.next = self.l3.q.val() + 40;
                    self.state.d.next = self.st_done.val();
                    self.push.next = true;
                }
            } else if self.state.q.val() == self.st_ext.val() {
                // An extension header at `cur`: next header at cur, length
                // at cur + 1. At one byte per beat the first arrived earlier.
                self.rel.next = self.cur.q.val() - self.off.q.val();
                if self.rel.val() < self.width.val() {
                    self.nhp.d.next = self
                        .r_data
                        .q
                        .val()
                        .get_bits::<8>((self.rel.val() & self.lane_mask.val()).index() * 8);
                }
                self.rel.next = self.cur.q.val() + 1 - self.off.q.val();
                if (self.rel.val() < self.width.val()) & (self.end_now.val() > self.cur.q.val() + 1)
                {
                    self.len.next = self
                        .r_data
                        .q
                        .val()
                        .get_bits::<8>((self.rel.val() & self.lane_mask.val()).index() * 8);
                    self.nh.next = self.nhp.q.val();
                    if self.rel.val() != 0 {
                        self.lane_byte.next = self.r_data.q.val().get_bits::<8>(
                            ((self.rel.val() - 1) & self.lane_mask.val()).index() * 8,
                        );
                        self.nh.next = self.lane_byte.val();
                    }
                    self.next.next =
                        self.cur.q.val() + 8 + (bit_cast::<17, 8>(self.len.val()) << 3);
                    self.state.d.next = self.st_done.val();
                    self.push.next = true;
                }
            }
        }
        // After a chain step: walk on, stop at TCP/UDP, or give up.
        if self.push.val() & (self.state.q.val() != self.st_l2.val()) {
            if (self.nh.val() == self.x_hbh.val())
                | (self.nh.val() == self.x_rt.val())
                | (self.nh.val() == self.x_dst.val())
            {
                if self.next.val() + 2 <= self.max_walk.val() {
                    self.push.next = false;
                    self.cur.d.next = self.next.val();
                    self.state.d.next = self.st_ext.val();
                }
            } else if self.nh.val() == self.p_tcp.val() {
                self.out_proto.next = 1.into();
                self.out_l4.next = self.next.val();
            } else if self.nh.val() == self.p_udp.val() {
                self.out_proto.next = 2.into();
                self.out_l4.next = self.next.val();
            }
        }
        // The end of the frame settles whatever is still open.
        if self.r_valid.q.val() & self.r_last.q.val() & !self.pushed.q.val() {
            self.push.next = true;
        }
        if self.push.val() & self.pushed.q.val() {
            self.push.next = false;
        }
        self.desc.next = bit_cast::<DESC_BITS, 17>(self.l3_now.val())
            | (bit_cast::<DESC_BITS, 2>(self.kind_now.val()) << self.f_kind.val())
            | (bit_cast::<DESC_BITS, 17>(self.out_l4.val()) << self.f_l4.val())
            | (bit_cast::<DESC_BITS, 2>(self.out_proto.val()) << self.f_proto.val());
        self.desc_valid.next = self.push.val();
        if self.push.val() {
            self.pushed.d.next = true;
        }
        if self.r_valid.q.val() {
            for k in 0..8 {
                self.fixed[k].d.next = self.now[k].val();
            }
            if self.off.q.val() < self.off_sat.val() {
                self.off.d.next = self.off.q.val() + self.width.val();
            }
            if self.r_last.q.val() {
                self.off.d.next = 0.into();
                self.state.d.next = self.st_l2.val();
                self.pushed.d.next = false;
                self.l3.d.next = 0.into();
                self.kind.d.next = 0.into();
            }
        }
        if self.reset.val() {
            self.r_valid.d.next = false;
            self.off.d.next = 0.into();
            self.state.d.next = self.st_l2.val();
            self.pushed.d.next = false;
            self.l3.d.next = 0.into();
            self.kind.d.next = 0.into();
        }
    }
}
