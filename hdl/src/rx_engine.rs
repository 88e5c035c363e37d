//! `rx_engine`: the RX half of the engine, wire to host memory.
//!
//! ```text
//!                    ┌─> checksum core ─> verdict ─┐
//!  rx ─┬─> rx_front ─┴─> parser core ───> header ──┼─> join ─> conn_table ─> result ─┐
//!      └─> rx_dma (tap) ───────────────> tag ──────┘     └──> pending FIFO ──────────┴─> rx_dma completion
//!             └─> buffer writes, descriptor reads (memory port)
//! ```
//! Every beat goes to `rx_dma` and to `rx_front` at once (a beat moves only
//! when both have room, and neither's depends on a valid); the front buffers
//! the frame once and hands each beat to the checksum and parser cores
//! together, so all three see every frame and the line rate is theirs. `rx_dma` decides at
//! a frame's first beat whether it is admitted and tells at its end (a tag)
//! whether it was, and whether it was longer than its buffer. The join
//! pops one verdict, one header record and one tag together: a dropped
//! frame's records are discarded (the table never sees it), a too-big
//! frame skips the table, every other admitted frame becomes a table
//! request as `model::conn_table::Request::of` builds it. The pending FIFO
//! keeps the admitted frames' verdicts in order, so a too-big frame's
//! completion waits behind the table results of the frames before it.
//!
//! The table's command port is passed through for the register block; the
//! table keeps its entries over a soft reset (only `reset` clears it).

use crate::conn_table::ConnTable;
use crate::mem_port::MemMaster;
use crate::ram::Style;
use crate::rx_checksum_core::ChecksumCore;
use crate::rx_dma::{CLASSES, RxDma};
use crate::rx_front::{RxFrontW8, beat_bits};
use crate::rx_parser_core::{ParserCore, RB};
use crate::stream::StreamSink;
use crate::sync_fifo::SyncFifo;
use crate::table_port::TableCmd;
use crate::toeplitz::KEY_BITS as HASH_KEY_BITS;
use rust_hdl::prelude::*;
use spec::conn_table as ct;
use spec::rx_parse as rp;

const KB: usize = ct::KEY_BITS as usize;
/// The engine with the default table (4096 entries, 4 ways).
pub type RxEngine4096 = RxEngine<9, 12>;
/// A 16-entry table: same logic, cheap to simulate and easy to fill.
pub type RxEngineSmall = RxEngine<1, 4>;

// The record fields the join reads, at the offsets it spells out.
const _: () = assert!(rp::FIELD_STATUS.lsb == 0 && rp::FIELD_KIND.lsb == 4);
const _: () = assert!(rp::FIELD_FLAGS.lsb == 16 && rp::FIELD_OPTS.lsb == 49);
const _: () = assert!(rp::FIELD_SEQ.lsb == 64 && rp::FIELD_ACK.lsb == 96);
const _: () = assert!(rp::FIELD_SPORT.lsb == 128 && rp::FIELD_DPORT.lsb == 144);
const _: () = assert!(rp::FIELD_PLEN.lsb == 273 && rp::FIELD_SRC[0].lsb == 320);
const _: () = assert!(rp::FIELD_DST[0].lsb == 448 && rp::FIELD_DST[3].lsb == 544);
const _: () = assert!(spec::rx_csum::FIELD_IP.lsb == 0 && spec::rx_csum::FIELD_L4.lsb == 2);
const _: () = assert!(spec::rx_csum::IpVerdict::Bad as u8 == 2);
const _: () = assert!(spec::rx_csum::L4Verdict::Bad as u8 == 2);
const _: () = assert!(spec::rx_csum::L3Kind::Ipv6 as u8 == 2);
const _: () = assert!(KB == 289 && CLASSES == 10);

#[derive(LogicBlock)]
pub struct RxEngine<const B: usize, const SB: usize> {
    pub clock: Signal<In, Clock>,
    /// Hard reset: everything, the table's entries included.
    pub reset: Signal<In, Bit>,
    /// The wire (spec stream conventions, 8 bytes per beat).
    pub rx: StreamSink<64, 8>,
    /// From the register block: `CONTROL` enable and reset pending, the
    /// Toeplitz key, the RX rings' registers.
    pub enable: Signal<In, Bit>,
    pub soft_reset: Signal<In, Bit>,
    pub hash_key: Signal<In, Bits<HASH_KEY_BITS>>,
    pub rxq_base: Signal<In, Bits<64>>,
    pub rxq_log: Signal<In, Bits<4>>,
    pub rxq_tail: Signal<In, Bits<16>>,
    pub rxq_head: Signal<Out, Bits<16>>,
    pub rxcq_base: Signal<In, Bits<64>>,
    pub rxcq_log: Signal<In, Bits<4>>,
    pub rxcq_head: Signal<In, Bits<16>>,
    pub rxcq_tail: Signal<Out, Bits<16>>,
    /// `STATUS` idle (see [`crate::rx_dma`]) and one pulse per completion.
    pub idle: Signal<Out, Bit>,
    pub cpl: Signal<Out, Bit>,
    pub rx_frames: Signal<Out, Bits<32>>,
    pub rx_bytes: Signal<Out, Bits<32>>,
    pub rx_no_buffer: Signal<Out, Bits<32>>,
    pub rx_cpl_full: Signal<Out, Bits<32>>,
    pub rx_too_big: Signal<Out, Bits<32>>,
    /// Class `c`'s counter in bits `32c+31..32c` (`Counter::ClassUnparsed` on).
    pub class_counts: Signal<Out, Bits<320>>,
    /// The memory port ([`spec::dma`]): descriptor reads, buffer and
    /// completion writes.
    pub mem: MemMaster,
    /// `conn_table`'s command port, passed through.
    pub cmd: TableCmd,
    /// The frame buffered once, for both cores.
    front: RxFrontW8,
    ck: ChecksumCore<64, 8, { beat_bits(64, 8) }>,
    pr: ParserCore<64, 8, { beat_bits(64, 8) }, 576>,
    dma: RxDma,
    lookup: ConnTable<B, SB>,
    /// Per frame: admitted 0, too big 1.
    tags: SyncFifo<2, 7, 8>,
    /// The table request, registered (its valid never waits on its ready).
    r_v: DFF<Bit>,
    r_status: DFF<Bits<4>>,
    r_csum_bad: DFF<Bit>,
    r_key: DFF<Bits<KB>>,
    r_seq: DFF<Bits<32>>,
    r_ack: DFF<Bits<32>>,
    r_plen: DFF<Bits<17>>,
    r_flags: DFF<Bits<12>>,
    r_opts: DFF<Bits<7>>,
    /// The table's results, taken whenever there is room.
    resf: SyncFifo<64, 4, 5>,
    /// Room in the front and the tag FIFO, a cycle late (their thresholds
    /// leave room for it): no path from a FIFO's write to its own gate
    /// through `rx_dma`.
    space_q: DFF<Bit>,
    /// The next completion for `rx_dma`, registered so its valid never
    /// waits on `rx_dma`'s ready.
    c_v: DFF<Bit>,
    c_big: DFF<Bit>,
    c_verdict: DFF<Bits<32>>,
    c_res: DFF<Bits<64>>,
    /// Per admitted frame: verdict 31..0, too big 32.
    pend: SyncFifo<33, 5, 6>,
    /// Bit 288 of a key: IPv6.
    v6_bit: Constant<Bits<KB>>,
    take: Signal<Local, Bit>,
    load: Signal<Local, Bit>,
    r_free: Signal<Local, Bit>,
    key: Signal<Local, Bits<KB>>,
    go: Signal<Local, Bit>,
    hv: Signal<Local, Bit>,
    t_admit: Signal<Local, Bit>,
    t_big: Signal<Local, Bit>,
    can: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    v6: Signal<Local, Bit>,
    key4: Signal<Local, Bits<KB>>,
    key6: Signal<Local, Bits<KB>>,
    verdict: Signal<Local, Bits<32>>,
    p_big: Signal<Local, Bit>,
    /// Header fields the table does not use (window, MSS, timestamps, ...).
    unused_header: Signal<Local, Bits<RB>>,
    unused_af: Signal<Local, Bit>,
}

impl<const B: usize, const SB: usize> Default for RxEngine<B, SB> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const B: usize, const SB: usize> RxEngine<B, SB> {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            enable: Default::default(),
            soft_reset: Default::default(),
            hash_key: Default::default(),
            rxq_base: Default::default(),
            rxq_log: Default::default(),
            rxq_tail: Default::default(),
            rxq_head: Default::default(),
            rxcq_base: Default::default(),
            rxcq_log: Default::default(),
            rxcq_head: Default::default(),
            rxcq_tail: Default::default(),
            idle: Default::default(),
            cpl: Default::default(),
            rx_frames: Default::default(),
            rx_bytes: Default::default(),
            rx_no_buffer: Default::default(),
            rx_cpl_full: Default::default(),
            rx_too_big: Default::default(),
            class_counts: Default::default(),
            mem: Default::default(),
            cmd: Default::default(),
            front: RxFrontW8::new(),
            ck: ChecksumCore::new(),
            pr: ParserCore::new(),
            dma: RxDma::new(),
            lookup: ConnTable::new(),
            tags: SyncFifo::new(120, Style::Distributed),
            r_v: Default::default(),
            r_status: Default::default(),
            r_csum_bad: Default::default(),
            r_key: Default::default(),
            r_seq: Default::default(),
            r_ack: Default::default(),
            r_plen: Default::default(),
            r_flags: Default::default(),
            r_opts: Default::default(),
            resf: SyncFifo::new(12, Style::Distributed),
            space_q: Default::default(),
            c_v: Default::default(),
            c_big: Default::default(),
            c_verdict: Default::default(),
            c_res: Default::default(),
            pend: SyncFifo::new(28, Style::Distributed),
            v6_bit: Constant::new(Bits::<KB>::from(1u64) << 288),
            take: Default::default(),
            load: Default::default(),
            r_free: Default::default(),
            key: Default::default(),
            go: Default::default(),
            hv: Default::default(),
            t_admit: Default::default(),
            t_big: Default::default(),
            can: Default::default(),
            pop: Default::default(),
            v6: Default::default(),
            key4: Default::default(),
            key6: Default::default(),
            verdict: Default::default(),
            p_big: Default::default(),
            unused_header: Default::default(),
            unused_af: Default::default(),
        }
    }
}

impl<const B: usize, const SB: usize> Logic for RxEngine<B, SB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, r_v, r_status, r_csum_bad, r_key, r_seq, r_ack, r_plen, r_flags, r_opts,
            space_q, c_v, c_big, c_verdict, c_res
        );
        clock!(self, clock, front, ck, pr, dma, lookup, tags, resf, pend);
        self.front.reset.next = self.reset.val();
        self.ck.reset.next = self.reset.val();
        self.pr.reset.next = self.reset.val();
        self.dma.reset.next = self.reset.val();
        self.lookup.reset.next = self.reset.val();
        self.tags.reset.next = self.reset.val();
        self.resf.reset.next = self.reset.val();
        self.pend.reset.next = self.reset.val();
        self.unused_af.next =
            self.pend.almost_full.val() ^ self.tags.almost_full.val() ^ self.resf.almost_full.val();

        // Broadcast: a beat moves when rx_dma takes it and the front and
        // the tag FIFO have room (a cycle late: both leave room for it).
        self.space_q.d.next = self.front.rx.ready.val() & !self.tags.almost_full.val();
        self.rx.ready.next = self.dma.rx_ready.val() & self.space_q.q.val();
        self.go.next = self.rx.valid.val() & self.rx.ready.val();
        self.dma.rx_valid.next = self.rx.valid.val() & self.space_q.q.val();
        self.dma.rx_data.next = self.rx.data.val();
        self.dma.rx_keep.next = self.rx.keep.val();
        self.dma.rx_last.next = self.rx.last.val();
        self.front.rx.valid.next = self.go.val();
        self.front.rx.data.next = self.rx.data.val();
        self.front.rx.keep.next = self.rx.keep.val();
        self.front.rx.last.next = self.rx.last.val();
        self.front.rx.user.next = self.rx.user.val();
        self.front.take_a.next = self.ck.take.val();
        self.front.take_last_a.next = self.ck.take_last.val();
        self.front.take_b.next = self.pr.take.val();
        self.front.take_last_b.next = self.pr.take_last.val();
        self.ck.in_valid.next = self.front.beat_valid.val();
        self.ck.in_beat.next = self.front.beat.val();
        self.ck.in_desc.next = self.front.desc.val();
        self.pr.in_valid.next = self.front.beat_valid.val();
        self.pr.in_beat.next = self.front.beat.val();
        self.pr.in_desc.next = self.front.desc.val();

        // Register block and memory port, straight through.
        self.dma.enable.next = self.enable.val();
        self.dma.soft_reset.next = self.soft_reset.val();
        self.dma.rxq_base.next = self.rxq_base.val();
        self.dma.rxq_log.next = self.rxq_log.val();
        self.dma.rxq_tail.next = self.rxq_tail.val();
        self.dma.rxcq_base.next = self.rxcq_base.val();
        self.dma.rxcq_log.next = self.rxcq_log.val();
        self.dma.rxcq_head.next = self.rxcq_head.val();
        self.rxq_head.next = self.dma.rxq_head.val();
        self.rxcq_tail.next = self.dma.rxcq_tail.val();
        self.idle.next = self.dma.idle.val();
        self.cpl.next = self.dma.cpl.val();
        self.rx_frames.next = self.dma.rx_frames.val();
        self.rx_bytes.next = self.dma.rx_bytes.val();
        self.rx_no_buffer.next = self.dma.rx_no_buffer.val();
        self.rx_cpl_full.next = self.dma.rx_cpl_full.val();
        self.rx_too_big.next = self.dma.rx_too_big.val();
        self.class_counts.next = self.dma.class_counts.val();
        MemMaster::link(&mut self.mem, &mut self.dma.mem);
        self.lookup.hash_key.next = self.hash_key.val();
        TableCmd::link(&mut self.cmd, &mut self.lookup.cmd);

        // Tags, one per frame, in frame order.
        self.tags.write.next = self.dma.tag_valid.val();
        self.tags.data_in.next = (bit_cast::<2, 1>(self.dma.tag_too_big.val().into()) << 1)
            | bit_cast::<2, 1>(self.dma.tag_admit.val().into());

        // The join: a verdict, a header and a tag at once.
        self.unused_header.next = self.pr.header.val();
        self.hv.next =
            self.ck.verdict_valid.val() & self.pr.header_valid.val() & self.tags.valid.val();
        self.t_admit.next = self.tags.data_out.val().get_bit(0);
        self.t_big.next = self.tags.data_out.val().get_bit(1);
        self.r_free.next = !self.r_v.q.val() | self.lookup.req_ready.val();
        self.can.next = !self.t_admit.val()
            | (!self.pend.almost_full.val() & (self.t_big.val() | self.r_free.val()));
        self.pop.next = self.hv.val() & self.can.val();
        self.ck.verdict_ready.next = self.pop.val();
        self.pr.header_ready.next = self.pop.val();
        self.tags.read.next = self.pop.val();
        self.pend.write.next = self.pop.val() & self.t_admit.val();
        self.pend.data_in.next = (bit_cast::<33, 1>(self.t_big.val().into()) << 32)
            | bit_cast::<33, 32>(self.ck.verdict.val());

        // The table request, as `Request::of` builds it, into a register.
        self.v6.next = self.pr.header.val().get_bits::<2>(4) == 2;
        self.key4.next = (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(320)) << 256)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(448)) << 224)
            | (bit_cast::<KB, 16>(self.pr.header.val().get_bits::<16>(128)) << 208)
            | (bit_cast::<KB, 16>(self.pr.header.val().get_bits::<16>(144)) << 192);
        self.key6.next = self.v6_bit.val()
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(320)) << 256)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(352)) << 224)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(384)) << 192)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(416)) << 160)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(448)) << 128)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(480)) << 96)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(512)) << 64)
            | (bit_cast::<KB, 32>(self.pr.header.val().get_bits::<32>(544)) << 32)
            | (bit_cast::<KB, 16>(self.pr.header.val().get_bits::<16>(128)) << 16)
            | bit_cast::<KB, 16>(self.pr.header.val().get_bits::<16>(144));
        self.key.next = self.key4.val();
        if self.v6.val() {
            self.key.next = self.key6.val();
        }
        if self.lookup.req_ready.val() {
            self.r_v.d.next = false;
        }
        if self.pop.val() & self.t_admit.val() & !self.t_big.val() {
            self.r_v.d.next = true;
            self.r_status.d.next = self.pr.header.val().get_bits::<4>(0);
            self.r_csum_bad.d.next = (self.ck.verdict.val().get_bits::<2>(0) == 2)
                | (self.ck.verdict.val().get_bits::<2>(2) == 2);
            self.r_key.d.next = self.key.val();
            self.r_seq.d.next = self.pr.header.val().get_bits::<32>(64);
            self.r_ack.d.next = self.pr.header.val().get_bits::<32>(96);
            self.r_plen.d.next = self.pr.header.val().get_bits::<17>(273);
            self.r_flags.d.next = self.pr.header.val().get_bits::<12>(16);
            self.r_opts.d.next = self.pr.header.val().get_bits::<7>(49);
        }
        if self.reset.val() {
            self.r_v.d.next = false;
        }
        self.lookup.req_valid.next = self.r_v.q.val();
        self.lookup.req_status.next = self.r_status.q.val();
        self.lookup.req_csum_bad.next = self.r_csum_bad.q.val();
        self.lookup.req_key.next = self.r_key.q.val();
        self.lookup.req_seq.next = self.r_seq.q.val();
        self.lookup.req_ack.next = self.r_ack.q.val();
        self.lookup.req_plen.next = self.r_plen.q.val();
        self.lookup.req_flags.next = self.r_flags.q.val();
        self.lookup.req_opts.next = self.r_opts.q.val();

        // Results into a FIFO whenever it has room (a ready that never
        // waits on the table's valid).
        self.lookup.res_ready.next = !self.resf.almost_full.val();
        self.resf.write.next = self.lookup.res_valid.val() & !self.resf.almost_full.val();
        self.resf.data_in.next = self.lookup.res.val();

        // Completions: the pending FIFO's head with its table result, into
        // the register rx_dma reads.
        self.verdict.next = self.pend.data_out.val().get_bits::<32>(0);
        self.p_big.next = self.pend.data_out.val().get_bit(32);
        self.take.next = self.c_v.q.val() & self.dma.cpl_ready.val();
        self.load.next = (!self.c_v.q.val() | self.take.val())
            & self.pend.valid.val()
            & (self.p_big.val() | self.resf.valid.val());
        self.pend.read.next = self.load.val();
        self.resf.read.next = self.load.val() & !self.p_big.val();
        if self.take.val() {
            self.c_v.d.next = false;
        }
        if self.load.val() {
            self.c_v.d.next = true;
            self.c_big.d.next = self.p_big.val();
            self.c_verdict.d.next = self.verdict.val();
            self.c_res.d.next = self.resf.data_out.val();
        }
        if self.reset.val() {
            self.c_v.d.next = false;
            self.space_q.d.next = false;
        }
        self.dma.cpl_valid.next = self.c_v.q.val();
        self.dma.cpl_too_big.next = self.c_big.q.val();
        self.dma.cpl_verdict.next = self.c_verdict.q.val();
        self.dma.cpl_res.next = self.c_res.q.val();
    }
}
