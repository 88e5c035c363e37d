//! `rx_checksum`: one checksum verdict record per received frame
//! (the rules are in [`spec::rx_csum`]).
//!
//! ```text
//!  rx ─┬─> rx_walker ──> descriptor FIFO ─┐
//!      └──────────────> data FIFO ────────┴─> S0 ─> csum_acc x2 ─> verdict FIFO ─> verdict
//! ```
//! The walker decides where L3 and (for IPv6) L4 start while the frame's
//! head waits in the data FIFO; the summing stage S0 then sees each beat
//! with its boundaries already known. S0 captures the header fields it
//! needs (IHL, lengths, fragment bits, protocol, UDP length and checksum) as
//! they pass; every boundary they set lies at least 17 bytes after the field,
//! so at up to 8 bytes per beat a field always arrives before the bytes it
//! governs. The data FIFO holds [`spec::rx_csum::MAX_WALK`] bytes plus slack,
//! enough for any walk to finish, so the input never waits on the walker.

use crate::csum_acc::CsumAcc;
use crate::rx_walker::{RxWalker, DESC_BITS, DESC_KIND, DESC_L3, DESC_L4, DESC_PROTO};
use crate::stream::{lane_constants, offset, Offset, StreamSink};
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;
use spec::rx_csum as rc;

/// The standard builds: 1 byte per beat with a 512-beat data FIFO, 8 bytes
/// per beat with 64 beats (both hold [`spec::rx_csum::MAX_WALK`] bytes).
pub type RxChecksumW1 = RxChecksum<8, 1, 11, 9, 10>;
pub type RxChecksumW8 = RxChecksum<64, 8, 74, 6, 7>;

/// Per-frame facts known after the last beat, waiting for the sums.
const INFO_BITS: usize = 26;

#[derive(LogicBlock)]
pub struct RxChecksum<
    const D: usize,
    const K: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: StreamSink<D, K>,
    pub verdict: Signal<Out, Bits<32>>,
    pub verdict_valid: Signal<Out, Bit>,
    pub verdict_ready: Signal<In, Bit>,
    walker: RxWalker<D, K>,
    dfifo: SyncFifo<P, N, NP1>,
    qfifo: SyncFifo<DESC_BITS, 4, 5>,
    ip_acc: CsumAcc<D, K>,
    l4_acc: CsumAcc<D, K>,
    ififo: SyncFifo<INFO_BITS, 4, 5>,
    vfifo: SyncFifo<32, 5, 6>,
    // S0: the beat being summed
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
    // S1: the cycle after a frame's last beat
    s1_valid: DFF<Bit>,
    s1_len: DFF<Offset>,
    s1_user: DFF<Bit>,
    s1_desc: DFF<Bits<DESC_BITS>>,
    // constants
    lane: Vec<Constant<Offset>>,
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
    i_l4mode: Constant<Bits<5>>,
    i_proto: Constant<Bits<5>>,
    i_kind: Constant<Bits<5>>,
    i_user: Constant<Bits<5>>,
    i_len: Constant<Bits<5>>,
    p_tcp: Constant<Bits<8>>,
    p_udp: Constant<Bits<8>>,
    at_keep: Constant<Bits<10>>,
    at_last: Constant<Bits<10>>,
    at_user: Constant<Bits<10>>,
    m_check: Constant<Bits<2>>,
    m_zero: Constant<Bits<2>>,
    m_zero6: Constant<Bits<2>>,
    // locals
    go: Signal<Local, Bit>,
    bdata: Signal<Local, Bits<D>>,
    bkeep: Signal<Local, Bits<K>>,
    blast: Signal<Local, Bit>,
    buser: Signal<Local, Bit>,
    l3: Signal<Local, Offset>,
    kind: Signal<Local, Bits<2>>,
    v6l4: Signal<Local, Offset>,
    v6proto: Signal<Local, Bits<2>>,
    hlen: Signal<Local, Offset>,
    ip_end: Signal<Local, Offset>,
    l4s: Signal<Local, Offset>,
    l4e: Signal<Local, Offset>,
    a0: Signal<Local, Offset>,
    a1: Signal<Local, Offset>,
    o: Signal<Local, Offset>,
    lane_byte: Signal<Local, Bits<8>>,
    ipm: Signal<Local, Bits<K>>,
    l4m: Signal<Local, Bits<K>>,
    end_now: Signal<Local, Offset>,
    proto_num: Signal<Local, Bits<8>>,
    // S1 locals
    e_l3: Signal<Local, Offset>,
    e_kind: Signal<Local, Bits<2>>,
    e_hlen: Signal<Local, Offset>,
    e_tot: Signal<Local, Offset>,
    e_plen: Signal<Local, Offset>,
    e_end6: Signal<Local, Offset>,
    e_v6l4: Signal<Local, Offset>,
    e_v6proto: Signal<Local, Bits<2>>,
    hdr_ok: Signal<Local, Bit>,
    seg4: Signal<Local, Bit>,
    seg6: Signal<Local, Bit>,
    l4len: Signal<Local, Offset>,
    proto: Signal<Local, Bits<2>>,
    l4mode: Signal<Local, Bits<2>>,
    ulen: Signal<Local, Offset>,
    // done locals
    done: Signal<Local, Bit>,
    ipv: Signal<Local, Bits<2>>,
    l4v: Signal<Local, Bits<2>>,
    info: Signal<Local, Bits<INFO_BITS>>,
}

fn c5(v: u32) -> Constant<Bits<5>> {
    Constant::new(u64::from(v).to_bits())
}

// Info word: [0] ip check, [2:1] l4 mode, [4:3] proto, [6:5] L3 kind,
// [7] user, [24:8] length.
const I_L4MODE: u32 = 1;
const I_PROTO: u32 = 3;
const I_KIND: u32 = 5;
const I_USER: u32 = 7;
const I_LEN: u32 = 8;
const _: () = assert!(I_LEN as usize + 17 <= INFO_BITS);
/// l4 modes: no verdict, check the sum, UDP without checksum (IPv4), UDP
/// without checksum over IPv6 (bad).
const MODE_CHECK: u64 = 1;
const MODE_ZERO: u64 = 2;
const MODE_ZERO_V6: u64 = 3;

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize>
    RxChecksum<D, K, P, N, NP1>
{
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        assert!(
            K <= 8,
            "the walker and S0 keep pace only up to 8 bytes per beat"
        );
        assert_eq!(P, D + K + 2, "data FIFO word is data, keep, last, user");
        assert_eq!(N + 1, NP1);
        // The walker decides by byte MAX_WALK; the FIFO must hold that much.
        assert!(
            (1usize << N) * K >= rc::MAX_WALK as usize + 8 * K,
            "data FIFO too small for the walk"
        );
        let w = K as u32;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            verdict: Default::default(),
            verdict_valid: Default::default(),
            verdict_ready: Default::default(),
            walker: RxWalker::new(),
            dfifo: SyncFifo::new((1 << N) - 4),
            qfifo: SyncFifo::new(12),
            ip_acc: CsumAcc::new(),
            l4_acc: CsumAcc::new(),
            ififo: SyncFifo::new(8),
            vfifo: SyncFifo::new(16),
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
            s1_valid: Default::default(),
            s1_len: Default::default(),
            s1_user: Default::default(),
            s1_desc: Default::default(),
            lane: lane_constants(K),
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
            i_l4mode: c5(I_L4MODE),
            i_proto: c5(I_PROTO),
            i_kind: c5(I_KIND),
            i_user: c5(I_USER),
            i_len: c5(I_LEN),
            p_tcp: Constant::new(u64::from(rc::PROTO_TCP).to_bits()),
            p_udp: Constant::new(u64::from(rc::PROTO_UDP).to_bits()),
            at_keep: Constant::new((D as u64).to_bits()),
            at_last: Constant::new(((D + K) as u64).to_bits()),
            at_user: Constant::new(((D + K + 1) as u64).to_bits()),
            m_check: Constant::new(MODE_CHECK.to_bits()),
            m_zero: Constant::new(MODE_ZERO.to_bits()),
            m_zero6: Constant::new(MODE_ZERO_V6.to_bits()),
            go: Default::default(),
            bdata: Default::default(),
            bkeep: Default::default(),
            blast: Default::default(),
            buser: Default::default(),
            l3: Default::default(),
            kind: Default::default(),
            v6l4: Default::default(),
            v6proto: Default::default(),
            hlen: Default::default(),
            ip_end: Default::default(),
            l4s: Default::default(),
            l4e: Default::default(),
            a0: Default::default(),
            a1: Default::default(),
            o: Default::default(),
            lane_byte: Default::default(),
            ipm: Default::default(),
            l4m: Default::default(),
            end_now: Default::default(),
            proto_num: Default::default(),
            e_l3: Default::default(),
            e_kind: Default::default(),
            e_hlen: Default::default(),
            e_tot: Default::default(),
            e_plen: Default::default(),
            e_end6: Default::default(),
            e_v6l4: Default::default(),
            e_v6proto: Default::default(),
            hdr_ok: Default::default(),
            seg4: Default::default(),
            seg6: Default::default(),
            l4len: Default::default(),
            proto: Default::default(),
            l4mode: Default::default(),
            ulen: Default::default(),
            done: Default::default(),
            ipv: Default::default(),
            l4v: Default::default(),
            info: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Default
    for RxChecksum<D, K, P, N, NP1>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Logic
    for RxChecksum<D, K, P, N, NP1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, s_off, vihl, b2, b3, b4, b5, b6, b7, b9, u4, u5, u6, u7, s1_valid, s1_len,
            s1_user, s1_desc
        );
        clock!(self, clock, walker, dfifo, qfifo, ip_acc, l4_acc, ififo, vfifo);
        self.walker.reset.next = self.reset.val();
        self.dfifo.reset.next = self.reset.val();
        self.qfifo.reset.next = self.reset.val();
        self.ififo.reset.next = self.reset.val();
        self.vfifo.reset.next = self.reset.val();
        self.ip_acc.reset.next = self.reset.val();
        self.l4_acc.reset.next = self.reset.val();

        // Input: accept while both FIFOs have room.
        self.rx.ready.next = !self.dfifo.almost_full.val() & !self.qfifo.almost_full.val();
        self.walker.data.next = self.rx.data.val();
        self.walker.keep.next = self.rx.keep.val();
        self.walker.last.next = self.rx.last.val();
        self.walker.valid.next = self.rx.valid.val() & self.rx.ready.val();
        self.dfifo.write.next = self.rx.valid.val() & self.rx.ready.val();
        self.dfifo.data_in.next = bit_cast::<P, D>(self.rx.data.val())
            | (bit_cast::<P, K>(self.rx.keep.val()) << self.at_keep.val())
            | (bit_cast::<P, 1>(self.rx.last.val().into()) << self.at_last.val())
            | (bit_cast::<P, 1>(self.rx.user.val().into()) << self.at_user.val());
        self.qfifo.write.next = self.walker.desc_valid.val();
        self.qfifo.data_in.next = self.walker.desc.val();

        // S0: the head beat and its frame's descriptor.
        self.go.next = self.dfifo.valid.val()
            & self.qfifo.valid.val()
            & !self.ififo.almost_full.val()
            & !self.vfifo.almost_full.val();
        self.bdata.next = self.dfifo.data_out.val().get_bits::<D>(0);
        self.bkeep.next = self
            .dfifo
            .data_out
            .val()
            .get_bits::<K>(self.at_keep.val().index());
        self.blast.next = self
            .dfifo
            .data_out
            .val()
            .get_bit(self.at_last.val().index());
        self.buser.next = self
            .dfifo
            .data_out
            .val()
            .get_bit(self.at_user.val().index());
        self.dfifo.read.next = self.go.val();
        self.qfifo.read.next = self.go.val() & self.blast.val();
        self.l3.next = bit_cast::<17, 5>(
            self.qfifo
                .data_out
                .val()
                .get_bits::<5>(self.f_l3.val().index()),
        );
        self.kind.next = self
            .qfifo
            .data_out
            .val()
            .get_bits::<2>(self.f_kind.val().index());
        self.v6l4.next = self
            .qfifo
            .data_out
            .val()
            .get_bits::<17>(self.f_l4.val().index());
        self.v6proto.next = self
            .qfifo
            .data_out
            .val()
            .get_bits::<2>(self.f_proto.val().index());

        // Region boundaries from the fields captured so far. Until a field
        // is captured it reads zero, which makes its region empty.
        self.hlen.next = bit_cast::<17, 4>(self.vihl.q.val().get_bits::<4>(0)) << 2;
        self.ip_end.next = self.l3.val() + self.hlen.val();
        if self.s_off.q.val() <= self.l3.val() {
            // The IHL arrives in this beat or later; the header is at least
            // 20 bytes, so nothing in this beat lies past its end.
            self.ip_end.next = self.l3.val() + 60;
        }
        self.l4s.next = 0.into();
        self.l4e.next = 0.into();
        self.a0.next = 0.into();
        self.a1.next = 0.into();
        self.proto_num.next = 0.into();
        if self.kind.val() == 1 {
            self.l4s.next = self.l3.val() + self.hlen.val();
            self.l4e.next = self.l3.val()
                + ((bit_cast::<17, 8>(self.b2.q.val()) << 8) | bit_cast::<17, 8>(self.b3.q.val()));
            self.a0.next = self.l3.val() + 12;
            self.a1.next = self.l3.val() + 20;
            self.proto_num.next = self.b9.q.val();
        }
        if self.kind.val() == 2 {
            self.l4s.next = self.v6l4.val();
            self.l4e.next = self.l3.val()
                + 40
                + ((bit_cast::<17, 8>(self.b4.q.val()) << 8) | bit_cast::<17, 8>(self.b5.q.val()));
            self.a0.next = self.l3.val() + 8;
            self.a1.next = self.l3.val() + 40;
            self.proto_num.next = self.p_udp.val();
            if self.v6proto.val() == 1 {
                self.proto_num.next = self.p_tcp.val();
            }
        }

        // Per lane: which sums it joins, and which fields it carries.
        self.ipm.next = 0.into();
        self.l4m.next = 0.into();
        self.o.next = 0.into();
        self.lane_byte.next = 0.into();
        self.end_now.next = self.s_off.q.val();
        // The fields captured in the previous frame are cleared the cycle
        // after its last beat (S1); no field lies in a frame's first beat.
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
        for i in 0..K {
            self.o.next = self.s_off.q.val() + self.lane[i].val();
            self.lane_byte.next = self.bdata.val().get_bits::<8>(8 * i);
            if ((self.bkeep.val() >> self.lane[i].val()) & self.one_k.val()).any() {
                self.end_now.next = self.o.val() + 1;
                if (self.kind.val() == 1)
                    & (self.o.val() >= self.l3.val())
                    & (self.o.val() < self.ip_end.val())
                {
                    self.ipm.next = self.ipm.val().replace_bit(i, true);
                }
                if ((self.o.val() >= self.l4s.val()) & (self.o.val() < self.l4e.val()))
                    | ((self.o.val() >= self.a0.val()) & (self.o.val() < self.a1.val()))
                {
                    self.l4m.next = self.l4m.val().replace_bit(i, true);
                }
                if self.go.val() {
                    if self.o.val() == self.l3.val() {
                        self.vihl.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l3.val() + 2 {
                        self.b2.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l3.val() + 3 {
                        self.b3.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l3.val() + 4 {
                        self.b4.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l3.val() + 5 {
                        self.b5.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l3.val() + 6 {
                        self.b6.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l3.val() + 7 {
                        self.b7.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l3.val() + 9 {
                        self.b9.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l4s.val() + 4 {
                        self.u4.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l4s.val() + 5 {
                        self.u5.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l4s.val() + 6 {
                        self.u6.d.next = self.lane_byte.val();
                    }
                    if self.o.val() == self.l4s.val() + 7 {
                        self.u7.d.next = self.lane_byte.val();
                    }
                }
            }
        }
        if self.go.val() {
            if self.s_off.q.val() < self.off_sat.val() {
                self.s_off.d.next = self.s_off.q.val() + self.width.val();
            }
            if self.blast.val() {
                self.s_off.d.next = 0.into();
            }
        }
        self.s1_valid.d.next = self.go.val() & self.blast.val();
        self.s1_len.d.next = self.end_now.val();
        self.s1_user.d.next = self.buser.val();
        self.s1_desc.d.next = self.qfifo.data_out.val();

        // The two sums.
        self.ip_acc.data.next = self.bdata.val();
        self.ip_acc.mask.next = self.ipm.val();
        self.ip_acc.hi.next = !self.s_off.q.val().get_bit(0);
        self.ip_acc.bias.next = 0.into();
        self.ip_acc.valid.next = self.go.val();
        self.ip_acc.first.next = self.s_off.q.val() == 0;
        self.ip_acc.last.next = self.blast.val();
        self.l4_acc.data.next = self.bdata.val();
        self.l4_acc.mask.next = self.l4m.val();
        self.l4_acc.hi.next = !self.s_off.q.val().get_bit(0);
        // Pseudo-header terms that are not bytes of the frame: protocol and
        // segment length.
        self.l4_acc.bias.next =
            bit_cast::<17, 8>(self.proto_num.val()) + self.l4e.val() - self.l4s.val();
        self.l4_acc.valid.next = self.go.val();
        self.l4_acc.first.next = self.s_off.q.val() == 0;
        self.l4_acc.last.next = self.blast.val();

        // S1: every field of the frame is captured; decide what to check.
        self.e_l3.next =
            bit_cast::<17, 5>(self.s1_desc.q.val().get_bits::<5>(self.f_l3.val().index()));
        self.e_kind.next = self
            .s1_desc
            .q
            .val()
            .get_bits::<2>(self.f_kind.val().index());
        self.e_v6l4.next = self.s1_desc.q.val().get_bits::<17>(self.f_l4.val().index());
        self.e_v6proto.next = self
            .s1_desc
            .q
            .val()
            .get_bits::<2>(self.f_proto.val().index());
        self.e_hlen.next = bit_cast::<17, 4>(self.vihl.q.val().get_bits::<4>(0)) << 2;
        self.e_tot.next =
            (bit_cast::<17, 8>(self.b2.q.val()) << 8) | bit_cast::<17, 8>(self.b3.q.val());
        self.e_plen.next =
            (bit_cast::<17, 8>(self.b4.q.val()) << 8) | bit_cast::<17, 8>(self.b5.q.val());
        self.e_end6.next = self.e_l3.val() + 40 + self.e_plen.val();
        self.ulen.next =
            (bit_cast::<17, 8>(self.u4.q.val()) << 8) | bit_cast::<17, 8>(self.u5.q.val());
        self.hdr_ok.next = (self.e_kind.val() == 1)
            & (self.vihl.q.val().get_bits::<4>(4) == 4)
            & (self.e_hlen.val() >= 20)
            & (self.e_l3.val() + self.e_hlen.val() <= self.s1_len.q.val());
        self.seg4.next = self.hdr_ok.val()
            & (self.e_tot.val() >= self.e_hlen.val())
            & ((self.b6.q.val().get_bits::<6>(0) == 0) & (self.b7.q.val() == 0))
            & ((self.b9.q.val() == self.p_tcp.val()) | (self.b9.q.val() == self.p_udp.val()))
            & (self.e_l3.val() + self.e_tot.val() <= self.s1_len.q.val());
        self.seg6.next = (self.e_kind.val() == 2)
            & (self.vihl.q.val().get_bits::<4>(4) == 6)
            & (self.e_l3.val() + 40 <= self.s1_len.q.val())
            & (self.e_plen.val() != 0)
            & (self.e_end6.val() <= self.s1_len.q.val())
            & (self.e_v6proto.val() != 0)
            & (self.e_v6l4.val() <= self.e_end6.val());
        self.l4len.next = self.e_end6.val() - self.e_v6l4.val();
        self.proto.next = self.e_v6proto.val();
        if self.seg4.val() {
            self.l4len.next = self.e_tot.val() - self.e_hlen.val();
            self.proto.next = 2.into();
            if self.b9.q.val() == self.p_tcp.val() {
                self.proto.next = 1.into();
            }
        }
        if !(self.seg4.val() | self.seg6.val()) {
            self.proto.next = 0.into();
        }
        self.l4mode.next = 0.into();
        if (self.proto.val() == 1) & (self.l4len.val() >= 20) {
            self.l4mode.next = self.m_check.val();
        }
        if (self.proto.val() == 2) & (self.l4len.val() >= 8) & (self.ulen.val() == self.l4len.val())
        {
            self.l4mode.next = self.m_check.val();
            if (self.u6.q.val() == 0) & (self.u7.q.val() == 0) {
                self.l4mode.next = self.m_zero.val();
                if self.e_kind.val() == 2 {
                    self.l4mode.next = self.m_zero6.val();
                }
            }
        }
        self.info.next = bit_cast::<INFO_BITS, 1>(self.hdr_ok.val().into())
            | (bit_cast::<INFO_BITS, 2>(self.l4mode.val()) << self.i_l4mode.val())
            | (bit_cast::<INFO_BITS, 2>(self.proto.val()) << self.i_proto.val())
            | (bit_cast::<INFO_BITS, 2>(self.e_kind.val()) << self.i_kind.val())
            | (bit_cast::<INFO_BITS, 1>(self.s1_user.q.val().into()) << self.i_user.val())
            | (bit_cast::<INFO_BITS, 17>(self.s1_len.q.val()) << self.i_len.val());
        self.ififo.write.next = self.s1_valid.q.val();
        self.ififo.data_in.next = self.info.val();

        // The sums are in: assemble the record.
        // Both sums finish together; the frame's info is there by then.
        self.done.next = self.ip_acc.done.val() & self.l4_acc.done.val() & self.ififo.valid.val();
        self.ififo.read.next = self.done.val();
        self.ipv.next = 0.into();
        if self.ififo.data_out.val().get_bit(0) {
            self.ipv.next = 2.into();
            if self.ip_acc.sum.val() == 0xFFFF {
                self.ipv.next = 1.into();
            }
        }
        self.l4v.next = 0.into();
        if self
            .ififo
            .data_out
            .val()
            .get_bits::<2>(self.i_l4mode.val().index())
            == self.m_check.val()
        {
            self.l4v.next = 2.into();
            if self.l4_acc.sum.val() == 0xFFFF {
                self.l4v.next = 1.into();
            }
        }
        if self
            .ififo
            .data_out
            .val()
            .get_bits::<2>(self.i_l4mode.val().index())
            == self.m_zero.val()
        {
            self.l4v.next = 3.into();
        }
        if self
            .ififo
            .data_out
            .val()
            .get_bits::<2>(self.i_l4mode.val().index())
            == self.m_zero6.val()
        {
            self.l4v.next = 2.into();
        }
        self.vfifo.write.next = self.done.val();
        self.vfifo.data_in.next = (bit_cast::<32, 2>(self.ipv.val()) << self.r_ip.val())
            | (bit_cast::<32, 2>(self.l4v.val()) << self.r_l4.val())
            | (bit_cast::<32, 2>(
                self.ififo
                    .data_out
                    .val()
                    .get_bits::<2>(self.i_proto.val().index()),
            ) << self.r_proto.val())
            | (bit_cast::<32, 2>(
                self.ififo
                    .data_out
                    .val()
                    .get_bits::<2>(self.i_kind.val().index()),
            ) << self.r_l3.val())
            | (bit_cast::<32, 1>(
                self.ififo
                    .data_out
                    .val()
                    .get_bit(self.i_user.val().index())
                    .into(),
            ) << self.r_user.val())
            | (bit_cast::<32, 17>(
                self.ififo
                    .data_out
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
        }
    }
}
