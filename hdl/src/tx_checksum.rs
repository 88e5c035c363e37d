//! `tx_checksum`: fills in the IPv4 header checksum and the TCP/UDP checksum
//! of outgoing frames on request (the contract is in [`spec::tx_csum`]).
//!
//! ```text
//!  tx ──┬─> data FIFO (whole frames) ───────────────────────────┐
//!  cmd ─┴─> masks ─> csum_acc x2 ─> [E] status ─> checks FIFO ──┴─> insert ─> mac
//! ```
//! A checksum sits in front of the bytes it covers, so the block stores
//! each frame whole and only starts sending it once both sums are known
//! (store and forward). While frame k leaves, frame k+1 fills in behind it,
//! so back-to-back frames flow at one beat per cycle; the buffer holds one
//! maximum frame plus slack: 2^N beats, of which [`max_frame`] bytes may be
//! one frame. Longer frames are cut there and refused (`TooLong`) rather
//! than stalling the block forever.

use crate::csum_acc::CsumAcc;
use crate::ram::Style;
use crate::stream::{Offset, StreamSink, StreamSource, lane_constants, offset};
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;
use spec::tx_csum as tc;

/// Beats of the buffer kept free of any one frame, so a frame being cut
/// can always be stored whole.
const SLACK_BEATS: usize = 8;

/// Longest frame, in bytes, an instance with 2^`n` buffer beats of `bytes`
/// each sends unchanged.
pub const fn max_frame(bytes: usize, n: usize) -> usize {
    ((1 << n) - SLACK_BEATS) * bytes
}

// Status computed after the last beat: [2:0] status, [3] ip, [4] l4,
// [14:5] l3 offset, [25:15] checksum position, [26] user, [27] l3 offset
// odd, [28] csum_start odd.
const PRE_BITS: usize = 29;
// Ready to send: the above plus [44:29] IPv4 checksum, [60:45] L4 checksum.
const READY_BITS: usize = PRE_BITS + 32;
const AT_IP: u32 = 3;
const AT_L4: u32 = 4;
const AT_L3: u32 = 5;
const AT_POS: u32 = 15;
const AT_USER: u32 = 26;
const AT_L3_ODD: u32 = 27;
const AT_CS_ODD: u32 = 28;
const AT_IPC: u32 = 29;
const AT_L4C: u32 = 45;

/// The standard builds: a 16 KB frame buffer (jumbo frames) at 1 and 8
/// bytes per beat, and the `small` ones (2 KB) that fit an iCE40 HX8K.
pub type TxChecksumW1 = TxChecksum<8, 1, 10, 14, 15>;
pub type TxChecksumW8 = TxChecksum<64, 8, 73, 11, 12>;
pub type TxChecksumW1Small = TxChecksum<8, 1, 10, 11, 12>;
pub type TxChecksumW8Small = TxChecksum<64, 8, 73, 8, 9>;

#[derive(LogicBlock)]
pub struct TxChecksum<
    const D: usize,
    const K: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub tx: StreamSink<D, K>,
    /// The frame's [`spec::tx_csum::Command`], with its first beat.
    pub cmd: Signal<In, Bits<32>>,
    pub mac: StreamSource<D, K>,
    /// The frame's [`spec::tx_csum::Status`], with every beat.
    pub status: Signal<Out, Bits<3>>,
    dfifo: SyncFifo<P, N, NP1>,
    ip_acc: CsumAcc<D, K>,
    l4_acc: CsumAcc<D, K>,
    pfifo: SyncFifo<PRE_BITS, 4, 5>,
    rfifo: SyncFifo<READY_BITS, 5, 6>,
    // write side
    w_off: DFF<Offset>,
    w_cmd: DFF<Bits<32>>,
    vihl: DFF<Bits<8>>,
    too_long: DFF<Bit>,
    // R: the taken beat, registered, with offsets from its command
    r_valid: DFF<Bit>,
    r_data: DFF<Bits<D>>,
    r_keep: DFF<Bits<K>>,
    r_last: DFF<Bit>,
    r_user: DFF<Bit>,
    r_off: DFF<Offset>,
    r_cmd: DFF<Bits<32>>,
    r_too_long: DFF<Bit>,
    r_l3: DFF<Offset>,
    r_l3p10: DFF<Offset>,
    r_l3p11: DFF<Offset>,
    r_l3p20: DFF<Offset>,
    r_l3p60: DFF<Offset>,
    r_early_end: DFF<Offset>,
    r_cs: DFF<Offset>,
    r_pos2: DFF<Offset>,
    q_ip_end: DFF<Offset>,
    // E: the cycle after a frame's last beat
    e_valid: DFF<Bit>,
    e_len: DFF<Offset>,
    e_user: DFF<Bit>,
    e_cmd: DFF<Bits<32>>,
    e_too_long: DFF<Bit>,
    e_l3p20: DFF<Offset>,
    e_pos2: DFF<Offset>,
    // read side
    out_off: DFF<Offset>,
    // constants
    lane: Vec<Constant<Offset>>,
    lane_end: Vec<Constant<Offset>>,
    lane_shift: Vec<Constant<Bits<8>>>,
    one_k: Constant<Bits<K>>,
    width: Constant<Offset>,
    cut_at: Constant<Offset>,
    at_keep: Constant<Bits<10>>,
    at_last: Constant<Bits<10>>,
    f_l3: Constant<Bits<5>>,
    f_cs: Constant<Bits<5>>,
    f_co: Constant<Bits<5>>,
    f_ip: Constant<Bits<5>>,
    f_l4: Constant<Bits<5>>,
    p_ip: Constant<Bits<6>>,
    p_l4: Constant<Bits<6>>,
    p_l3: Constant<Bits<6>>,
    p_pos: Constant<Bits<6>>,
    p_user: Constant<Bits<6>>,
    p_l3_odd: Constant<Bits<6>>,
    p_cs_odd: Constant<Bits<6>>,
    p_ipc: Constant<Bits<6>>,
    p_l4c: Constant<Bits<6>>,
    s_too_long: Constant<Bits<3>>,
    s_ip_outside: Constant<Bits<3>>,
    s_not_v4: Constant<Bits<3>>,
    s_bad_ihl: Constant<Bits<3>>,
    s_options: Constant<Bits<3>>,
    s_l4_outside: Constant<Bits<3>>,
    refuse: Constant<Bits<PRE_BITS>>,
    // locals
    take: Signal<Local, Bit>,
    first: Signal<Local, Bit>,
    cmd_now: Signal<Local, Bits<32>>,
    l3: Signal<Local, Offset>,
    cs: Signal<Local, Offset>,
    early: Signal<Local, Bit>,
    kept: Signal<Local, Bit>,
    nkept: Signal<Local, Offset>,
    sel: Signal<Local, Bits<8>>,
    c_vihl: Signal<Local, Bits<8>>,
    h_vihl: Signal<Local, Bit>,
    o: Signal<Local, Offset>,
    ipm: Signal<Local, Bits<K>>,
    l4m: Signal<Local, Bits<K>>,
    cut: Signal<Local, Bit>,
    e_pos: Signal<Local, Bits<11>>,
    e_ihl: Signal<Local, Offset>,
    e_status: Signal<Local, Bits<3>>,
    done: Signal<Local, Bit>,
    ok: Signal<Local, Bit>,
    ipc: Signal<Local, Bits<16>>,
    l4c: Signal<Local, Bits<16>>,
    send: Signal<Local, Bit>,
    blast: Signal<Local, Bit>,
    rl3: Signal<Local, Offset>,
    rpos: Signal<Local, Offset>,
    lane_byte: Signal<Local, Bits<8>>,
    out_data: Signal<Local, Bits<D>>,
}

fn c3(s: tc::Status) -> Constant<Bits<3>> {
    Constant::new((s as u64).to_bits())
}

fn c5(v: u32) -> Constant<Bits<5>> {
    Constant::new(u64::from(v).to_bits())
}

fn c6(v: u32) -> Constant<Bits<6>> {
    Constant::new(u64::from(v).to_bits())
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize>
    TxChecksum<D, K, P, N, NP1>
{
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        assert!(
            K <= 16,
            "the IHL is taken to lie in the beat before the header ends"
        );
        assert_eq!(P, D + K + 1, "data FIFO word is data, keep, last");
        assert_eq!(N + 1, NP1);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            tx: Default::default(),
            cmd: Default::default(),
            mac: Default::default(),
            status: Default::default(),
            dfifo: SyncFifo::new((1 << N) - SLACK_BEATS / 2, Style::Block),
            ip_acc: CsumAcc::new(),
            l4_acc: CsumAcc::new(),
            pfifo: SyncFifo::new(8, Style::Distributed),
            rfifo: SyncFifo::new(16, Style::Distributed),
            w_off: Default::default(),
            w_cmd: Default::default(),
            vihl: Default::default(),
            too_long: Default::default(),
            r_valid: Default::default(),
            r_data: Default::default(),
            r_keep: Default::default(),
            r_last: Default::default(),
            r_user: Default::default(),
            r_off: Default::default(),
            r_cmd: Default::default(),
            r_too_long: Default::default(),
            r_l3: Default::default(),
            r_l3p10: Default::default(),
            r_l3p11: Default::default(),
            r_l3p20: Default::default(),
            r_l3p60: Default::default(),
            r_early_end: Default::default(),
            r_cs: Default::default(),
            r_pos2: Default::default(),
            q_ip_end: Default::default(),
            e_valid: Default::default(),
            e_len: Default::default(),
            e_user: Default::default(),
            e_cmd: Default::default(),
            e_too_long: Default::default(),
            e_l3p20: Default::default(),
            e_pos2: Default::default(),
            out_off: Default::default(),
            lane: lane_constants(K),
            lane_end: (1..=K as u32).map(offset).collect(),
            lane_shift: (0..K as u64)
                .map(|i| Constant::new((8 * i).to_bits()))
                .collect(),
            one_k: Constant::new(1.into()),
            width: offset(K as u32),
            cut_at: offset((max_frame(K, N) - K) as u32),
            at_keep: Constant::new((D as u64).to_bits()),
            at_last: Constant::new(((D + K) as u64).to_bits()),
            f_l3: c5(tc::FIELD_L3_OFFSET.lsb),
            f_cs: c5(tc::FIELD_CSUM_START.lsb),
            f_co: c5(tc::FIELD_CSUM_OFFSET.lsb),
            f_ip: c5(tc::FIELD_IP_EN.lsb),
            f_l4: c5(tc::FIELD_L4_EN.lsb),
            p_ip: c6(AT_IP),
            p_l4: c6(AT_L4),
            p_l3: c6(AT_L3),
            p_pos: c6(AT_POS),
            p_user: c6(AT_USER),
            p_l3_odd: c6(AT_L3_ODD),
            p_cs_odd: c6(AT_CS_ODD),
            p_ipc: c6(AT_IPC),
            p_l4c: c6(AT_L4C),
            s_too_long: c3(tc::Status::TooLong),
            s_ip_outside: c3(tc::Status::IpOutsideFrame),
            s_not_v4: c3(tc::Status::IpNotV4),
            s_bad_ihl: c3(tc::Status::IpBadIhl),
            s_options: c3(tc::Status::IpOptionsOutsideFrame),
            s_l4_outside: c3(tc::Status::L4OutsideFrame),
            refuse: Constant::new(
                (((1u64 << PRE_BITS) - 1) & !(1 << AT_IP) & !(1 << AT_L4)).to_bits(),
            ),
            take: Default::default(),
            first: Default::default(),
            cmd_now: Default::default(),
            l3: Default::default(),
            cs: Default::default(),
            early: Default::default(),
            kept: Default::default(),
            nkept: Default::default(),
            sel: Default::default(),
            c_vihl: Default::default(),
            h_vihl: Default::default(),
            o: Default::default(),
            ipm: Default::default(),
            l4m: Default::default(),
            cut: Default::default(),
            e_pos: Default::default(),
            e_ihl: Default::default(),
            e_status: Default::default(),
            done: Default::default(),
            ok: Default::default(),
            ipc: Default::default(),
            l4c: Default::default(),
            send: Default::default(),
            blast: Default::default(),
            rl3: Default::default(),
            rpos: Default::default(),
            lane_byte: Default::default(),
            out_data: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Default
    for TxChecksum<D, K, P, N, NP1>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Logic
    for TxChecksum<D, K, P, N, NP1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            w_off,
            w_cmd,
            vihl,
            too_long,
            r_valid,
            r_data,
            r_keep,
            r_last,
            r_user,
            r_off,
            r_cmd,
            r_too_long,
            r_l3,
            r_l3p10,
            r_l3p11,
            r_l3p20,
            r_l3p60,
            r_early_end,
            r_cs,
            r_pos2,
            q_ip_end,
            e_valid,
            e_len,
            e_user,
            e_cmd,
            e_too_long,
            e_l3p20,
            e_pos2,
            out_off
        );
        clock!(self, clock, dfifo, ip_acc, l4_acc, pfifo, rfifo);
        self.dfifo.reset.next = self.reset.val();
        self.ip_acc.reset.next = self.reset.val();
        self.l4_acc.reset.next = self.reset.val();
        self.pfifo.reset.next = self.reset.val();
        self.rfifo.reset.next = self.reset.val();

        // Write side. Beats of a frame being cut are taken and dropped, so
        // a frame longer than the buffer cannot stall the block.
        self.tx.ready.next = self.too_long.q.val()
            | (!self.dfifo.almost_full.val()
                & !self.pfifo.almost_full.val()
                & !self.rfifo.almost_full.val());
        self.take.next = self.tx.valid.val() & self.tx.ready.val();
        self.first.next = self.w_off.q.val() == 0;
        self.cmd_now.next = self.w_cmd.q.val();
        if self.first.val() {
            self.cmd_now.next = self.cmd.val();
        }
        // Offsets the summing stage needs, worked out from the command as
        // the beat is taken.
        self.l3.next =
            bit_cast::<17, 10>(self.cmd_now.val().get_bits::<10>(self.f_l3.val().index()));
        self.cs.next =
            bit_cast::<17, 10>(self.cmd_now.val().get_bits::<10>(self.f_cs.val().index()));
        self.r_l3.d.next = self.l3.val();
        self.r_l3p10.d.next = self.l3.val() + 10;
        self.r_l3p11.d.next = self.l3.val() + 11;
        self.r_l3p20.d.next = self.l3.val() + 20;
        self.r_l3p60.d.next = self.l3.val() + 60;
        self.r_early_end.d.next = self.l3.val() + self.width.val();
        self.r_cs.d.next = self.cs.val();
        self.r_pos2.d.next = self.cs.val()
            + bit_cast::<17, 8>(self.cmd_now.val().get_bits::<8>(self.f_co.val().index()))
            + 2;
        self.r_valid.d.next = self.take.val();
        self.r_data.d.next = self.tx.data.val();
        self.r_keep.d.next = self.tx.keep.val();
        self.r_last.d.next = self.tx.last.val();
        self.r_user.d.next = self.tx.user.val();
        self.r_off.d.next = self.w_off.q.val();
        self.r_cmd.d.next = self.cmd_now.val();
        self.r_too_long.d.next = self.too_long.q.val();
        // Store every beat up to the cut; the beat at the cut ends the
        // stored frame.
        self.cut.next = self.w_off.q.val() == self.cut_at.val();
        self.dfifo.write.next = self.take.val() & !self.too_long.q.val();
        self.dfifo.data_in.next = bit_cast::<P, D>(self.tx.data.val())
            | (bit_cast::<P, K>(self.tx.keep.val()) << self.at_keep.val())
            | (bit_cast::<P, 1>((self.tx.last.val() | self.cut.val()).into())
                << self.at_last.val());
        if self.take.val() {
            self.w_cmd.d.next = self.cmd_now.val();
            self.w_off.d.next = self.w_off.q.val() + self.width.val();
            if self.cut.val() & !self.tx.last.val() {
                self.too_long.d.next = true;
            }
            if self.tx.last.val() {
                self.w_off.d.next = 0.into();
                self.too_long.d.next = false;
            }
        }

        // R: the registered beat. Which lanes each sum takes: the IPv4
        // header without its checksum field, and the segment from
        // csum_start. The header's end is registered a cycle after its IHL;
        // it lies 20 bytes or more past its start, so until then (the
        // header's first beat and the next) the whole beat is inside it.
        self.q_ip_end.d.next =
            self.r_l3.q.val() + (bit_cast::<17, 4>(self.vihl.q.val().get_bits::<4>(0)) << 2);
        self.early.next = self.r_off.q.val() <= self.r_early_end.q.val();
        self.ipm.next = 0.into();
        self.l4m.next = 0.into();
        self.o.next = 0.into();
        self.nkept.next = 0.into();
        self.kept.next = false;
        self.c_vihl.next = 0.into();
        self.h_vihl.next = false;
        self.sel.next = 0.into();
        for i in 0..K {
            self.o.next = self.r_off.q.val() | self.lane[i].val();
            self.kept.next = ((self.r_keep.q.val() >> self.lane[i].val()) & self.one_k.val()).any();
            if self.kept.val()
                & !((self.r_keep.q.val() >> (self.lane[i].val() + 1)) & self.one_k.val()).any()
            {
                self.nkept.next = self.nkept.val() | self.lane_end[i].val();
            }
            if self.kept.val()
                & (self.o.val() >= self.r_l3.q.val())
                & ((self.early.val() & (self.o.val() < self.r_l3p60.q.val()))
                    | (!self.early.val() & (self.o.val() < self.q_ip_end.q.val())))
                & (self.o.val() != self.r_l3p10.q.val())
                & (self.o.val() != self.r_l3p11.q.val())
            {
                self.ipm.next = self.ipm.val().replace_bit(i, true);
            }
            if self.kept.val() & (self.o.val() >= self.r_cs.q.val()) {
                self.l4m.next = self.l4m.val().replace_bit(i, true);
            }
            self.sel.next = 0.into();
            if self.r_valid.q.val() & self.kept.val() & (self.o.val() == self.r_l3.q.val()) {
                self.sel.next = self.r_data.q.val().get_bits::<8>(8 * i);
                self.h_vihl.next = true;
            }
            self.c_vihl.next = self.c_vihl.val() | self.sel.val();
        }
        if self.h_vihl.val() {
            self.vihl.d.next = self.c_vihl.val();
        }
        self.ip_acc.data.next = self.r_data.q.val();
        self.ip_acc.mask.next = self.ipm.val();
        self.ip_acc.hi.next = !self.r_off.q.val().get_bit(0);
        self.ip_acc.valid.next = self.r_valid.q.val();
        self.ip_acc.first.next = self.r_off.q.val() == 0;
        self.ip_acc.last.next = self.r_last.q.val();
        self.l4_acc.data.next = self.r_data.q.val();
        self.l4_acc.mask.next = self.l4m.val();
        self.l4_acc.hi.next = !self.r_off.q.val().get_bit(0);
        self.l4_acc.valid.next = self.r_valid.q.val();
        self.l4_acc.first.next = self.r_off.q.val() == 0;
        self.l4_acc.last.next = self.r_last.q.val();
        self.e_valid.d.next = self.r_valid.q.val() & self.r_last.q.val();
        self.e_len.d.next = self.r_off.q.val() + self.nkept.val();
        self.e_user.d.next = self.r_user.q.val();
        self.e_cmd.d.next = self.r_cmd.q.val();
        self.e_too_long.d.next = self.r_too_long.q.val();
        self.e_l3p20.d.next = self.r_l3p20.q.val();
        self.e_pos2.d.next = self.r_pos2.q.val();

        // E: the frame is in; can the request be done?
        self.e_ihl.next = bit_cast::<17, 4>(self.vihl.q.val().get_bits::<4>(0));
        self.e_status.next = 0.into();
        if self.e_cmd.q.val().get_bit(self.f_l4.val().index())
            & (self.e_pos2.q.val() > self.e_len.q.val())
        {
            self.e_status.next = self.s_l4_outside.val();
        }
        if self.e_cmd.q.val().get_bit(self.f_ip.val().index()) {
            // q_ip_end is fresh unless the IHL came in the last beat, and
            // then the header runs past the frame's end anyway.
            if self.q_ip_end.q.val() > self.e_len.q.val() {
                self.e_status.next = self.s_options.val();
            }
            if self.e_ihl.val() < 5 {
                self.e_status.next = self.s_bad_ihl.val();
            }
            if self.vihl.q.val().get_bits::<4>(4) != 4 {
                self.e_status.next = self.s_not_v4.val();
            }
            if self.e_l3p20.q.val() > self.e_len.q.val() {
                self.e_status.next = self.s_ip_outside.val();
            }
        }
        if self.e_too_long.q.val() {
            self.e_status.next = self.s_too_long.val();
        }
        self.e_pos.next =
            bit_cast::<11, 10>(self.e_cmd.q.val().get_bits::<10>(self.f_cs.val().index()))
                + bit_cast::<11, 8>(self.e_cmd.q.val().get_bits::<8>(self.f_co.val().index()));
        self.pfifo.write.next = self.e_valid.q.val();
        self.pfifo.data_in.next = bit_cast::<PRE_BITS, 3>(self.e_status.val())
            | (bit_cast::<PRE_BITS, 1>(self.e_cmd.q.val().get_bit(self.f_ip.val().index()).into())
                << self.p_ip.val())
            | (bit_cast::<PRE_BITS, 1>(self.e_cmd.q.val().get_bit(self.f_l4.val().index()).into())
                << self.p_l4.val())
            | (bit_cast::<PRE_BITS, 10>(
                self.e_cmd.q.val().get_bits::<10>(self.f_l3.val().index()),
            ) << self.p_l3.val())
            | (bit_cast::<PRE_BITS, 11>(self.e_pos.val()) << self.p_pos.val())
            | (bit_cast::<PRE_BITS, 1>(self.e_user.q.val().into()) << self.p_user.val())
            | (bit_cast::<PRE_BITS, 1>(self.e_cmd.q.val().get_bit(self.f_l3.val().index()).into())
                << self.p_l3_odd.val())
            | (bit_cast::<PRE_BITS, 1>(self.e_cmd.q.val().get_bit(self.f_cs.val().index()).into())
                << self.p_cs_odd.val());

        // The sums are in: complete the frame's entry.
        self.done.next = self.ip_acc.done.val() & self.l4_acc.done.val() & self.pfifo.valid.val();
        self.pfifo.read.next = self.done.val();
        self.ok.next = self.pfifo.data_out.val().get_bits::<3>(0) == 0;
        // The sums pair bytes by their offset in the frame; a header that
        // starts at an odd offset pairs them the other way, which swaps the
        // bytes of its sum (RFC 1071, section 2).
        self.ipc.next = !self.ip_acc.sum.val();
        if self
            .pfifo
            .data_out
            .val()
            .get_bit(self.p_l3_odd.val().index())
        {
            self.ipc.next = !((self.ip_acc.sum.val() << 8) | (self.ip_acc.sum.val() >> 8));
        }
        self.l4c.next = !self.l4_acc.sum.val();
        if self
            .pfifo
            .data_out
            .val()
            .get_bit(self.p_cs_odd.val().index())
        {
            self.l4c.next = !((self.l4_acc.sum.val() << 8) | (self.l4_acc.sum.val() >> 8));
        }
        if self.l4c.val() == 0 {
            self.l4c.next = 0xFFFF.into();
        }
        self.rfifo.write.next = self.done.val();
        self.rfifo.data_in.next = bit_cast::<READY_BITS, PRE_BITS>(self.pfifo.data_out.val())
            | (bit_cast::<READY_BITS, 16>(self.ipc.val()) << self.p_ipc.val())
            | (bit_cast::<READY_BITS, 16>(self.l4c.val()) << self.p_l4c.val());
        if !self.ok.val() {
            // A refused frame leaves unchanged.
            self.rfifo.data_in.next =
                bit_cast::<READY_BITS, PRE_BITS>(self.pfifo.data_out.val() & self.refuse.val());
        }

        // Read side: a stored frame leaves once its entry is complete.
        self.send.next = self.dfifo.valid.val() & self.rfifo.valid.val();
        self.blast.next = self
            .dfifo
            .data_out
            .val()
            .get_bit(self.at_last.val().index());
        self.rl3.next = bit_cast::<17, 10>(
            self.rfifo
                .data_out
                .val()
                .get_bits::<10>(self.p_l3.val().index()),
        );
        self.rpos.next = bit_cast::<17, 11>(
            self.rfifo
                .data_out
                .val()
                .get_bits::<11>(self.p_pos.val().index()),
        );
        self.out_data.next = 0.into();
        self.lane_byte.next = 0.into();
        for i in 0..K {
            self.o.next = self.out_off.q.val() | self.lane[i].val();
            self.lane_byte.next = self.dfifo.data_out.val().get_bits::<8>(8 * i);
            if self.rfifo.data_out.val().get_bit(self.p_ip.val().index()) {
                if self.o.val() == self.rl3.val() + 10 {
                    self.lane_byte.next = self
                        .rfifo
                        .data_out
                        .val()
                        .get_bits::<8>(self.p_ipc.val().index() + 8);
                }
                if self.o.val() == self.rl3.val() + 11 {
                    self.lane_byte.next = self
                        .rfifo
                        .data_out
                        .val()
                        .get_bits::<8>(self.p_ipc.val().index());
                }
            }
            if self.rfifo.data_out.val().get_bit(self.p_l4.val().index()) {
                if self.o.val() == self.rpos.val() {
                    self.lane_byte.next = self
                        .rfifo
                        .data_out
                        .val()
                        .get_bits::<8>(self.p_l4c.val().index() + 8);
                }
                if self.o.val() == self.rpos.val() + 1 {
                    self.lane_byte.next = self
                        .rfifo
                        .data_out
                        .val()
                        .get_bits::<8>(self.p_l4c.val().index());
                }
            }
            self.out_data.next = self.out_data.val()
                | (bit_cast::<D, 8>(self.lane_byte.val()) << self.lane_shift[i].val());
        }
        self.mac.data.next = self.out_data.val();
        self.mac.keep.next = self
            .dfifo
            .data_out
            .val()
            .get_bits::<K>(self.at_keep.val().index());
        self.mac.last.next = self.blast.val();
        self.mac.valid.next = self.send.val();
        self.mac.user.next = self.blast.val()
            & (self.rfifo.data_out.val().get_bit(self.p_user.val().index())
                | (self.rfifo.data_out.val().get_bits::<3>(0) != 0));
        self.status.next = self.rfifo.data_out.val().get_bits::<3>(0);
        self.dfifo.read.next = self.send.val() & self.mac.ready.val();
        self.rfifo.read.next = self.send.val() & self.mac.ready.val() & self.blast.val();
        if self.send.val() & self.mac.ready.val() {
            self.out_off.d.next = self.out_off.q.val() + self.width.val();
            if self.blast.val() {
                self.out_off.d.next = 0.into();
            }
        }

        if self.reset.val() {
            self.r_valid.d.next = false;
            self.w_off.d.next = 0.into();
            self.too_long.d.next = false;
            self.e_valid.d.next = false;
            self.out_off.d.next = 0.into();
        }
    }
}
