//! `conn_table`: the connection table and every frame's class (rules and
//! ports in [`spec::conn_table`]), one lookup per cycle.
//!
//! ```text
//! req/cmd ─> A ─> T ─> H ─> KR ─> K ─> L ─> SR ─> C ─> W ─> result FIFO
//!           hash─────┘  key RAMs──┘  sequence RAM┘    │
//!                                        counter RAM──┘
//! ```
//! A token is a frame's lookup request or a host command. A registers it
//! and starts the Toeplitz hash; H has the hash and reads both candidate
//! buckets (bank 0 at `hash[B-1:0]`, bank 1 at `hash[16+B-1:16]`; a slot
//! command reads its slot's bucket) from eight key RAMs, one per bank and
//! way, each a bucket deep. KR registers the RAM outputs (a DP16KD without
//! its output register leaves no time for logic after it), K compares the
//! eight ways with the key, L picks the slot and reads its rcv_nxt and
//! snd_una, SR registers them and reads the counters, C classifies and
//! writes rcv_nxt/snd_una back, W counts and writes the counters back and
//! hands the result on. A read cannot see the writes of the two cycles
//! after it, so C and W take those from their own two last writes instead
//! (a connection's frames back to back); C's choice is made in SR, and its
//! write path goes from the comparison seq == rcv_nxt straight to the new
//! rcv_nxt, the class priority off to the side.
//!
//! A host command enters only when the pipeline is empty and keeps frames
//! out until its response, so key RAM writes (insert, remove, in L) never
//! race a lookup. After reset the key RAMs are cleared, a bucket per cycle,
//! with both inputs held off.

use crate::ram::{Ram, Style};
use crate::sync_fifo::SyncFifo;
use crate::table_port::TableCmd;
use crate::toeplitz::{KEY_BITS as HASH_KEY_BITS, Toeplitz};
use rust_hdl::prelude::*;
use spec::conn_table as ct;

pub const WAYS: usize = 4;
/// The default table: 2 banks of 512 buckets of 4 ways.
pub type ConnTable4096 = ConnTable<9, 12>;
/// A 16-entry table: same logic, cheap to simulate and easy to fill.
pub type ConnTableSmall = ConnTable<1, 4>;

const KB: usize = ct::KEY_BITS as usize;
/// A key RAM word: the key and a valid bit on top.
const EB: usize = KB + 1;
const SB16: usize = ct::SLOT_BITS as usize;
const STB: usize = ct::STATE_BITS as usize;
/// The counters: the state word past rcv_nxt and snd_una.
const CB: usize = STB - 64;
/// A token (bit: field): 0 valid, 1 command, 4..2 op, 6..5 bank, 22..7
/// slot, 24..23 pre-class (0 none, 1 unparsed, 2 bad checksum), 25 ctrl,
/// 26 opts, 27 no payload, 59..28 seq (a command's rcv_nxt), 91..60 ack (a
/// command's snd_una), 108..92 payload length, 140..109 hash (from H on).
/// The HDL spells these out.
const TOK: usize = 141;
const _: () = assert!(KB == 289 && EB == 290 && STB == 208 && CB == 144 && SB16 == 16);
const _: () = assert!(ct::FIELD_FRAMES.lsb == 64 && ct::FIELD_BYTES.lsb == 96);
const _: () = assert!(ct::FIELD_FAST.lsb == 144 && ct::FIELD_SLOW.lsb == 176);
const _: () = assert!(ct::Command::Insert as u8 == 1 && ct::Command::Remove as u8 == 2);
const _: () = assert!(ct::Command::WriteRcvNxt as u8 == 4 && ct::Command::WriteSndUna as u8 == 5);
const _: () = assert!(ct::CmdStatus::Full as u8 == 1 && ct::CmdStatus::Empty as u8 == 4);
const _: () = assert!(ct::CmdStatus::Exists as u8 == 2 && ct::CmdStatus::BadSlot as u8 == 3);
// The HDL writes codes as numbers: these are the ones it uses.
const _: () = assert!(ct::Class::Unparsed as u8 == 0 && ct::Class::BadCsum as u8 == 1);
const _: () = assert!(ct::Class::Miss as u8 == 2 && ct::Class::Ctrl as u8 == 3);
const _: () = assert!(ct::Class::Opts as u8 == 4 && ct::Class::Ack as u8 == 5);
const _: () = assert!(ct::Class::Fast as u8 == 6 && ct::Class::Old as u8 == 7);
const _: () = assert!(ct::Class::Ahead as u8 == 8 && ct::Class::Overlap as u8 == 9);
const _: () = assert!(spec::rx_parse::Opt::Timestamps as u8 == 4);

/// `B`: bucket address bits per bank; `SB = B + 3` slot bits.
#[derive(LogicBlock)]
pub struct ConnTable<const B: usize, const SB: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The Toeplitz key (see [`crate::toeplitz`]).
    pub hash_key: Signal<In, Bits<HASH_KEY_BITS>>,
    /// A frame: the fields of its `rx_parser` record the table needs, its
    /// key, and whether `rx_checksum` found a checksum bad.
    pub req_status: Signal<In, Bits<4>>,
    pub req_csum_bad: Signal<In, Bit>,
    pub req_key: Signal<In, Bits<KB>>,
    pub req_seq: Signal<In, Bits<32>>,
    pub req_ack: Signal<In, Bits<32>>,
    pub req_plen: Signal<In, Bits<17>>,
    pub req_flags: Signal<In, Bits<12>>,
    pub req_opts: Signal<In, Bits<7>>,
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub res: Signal<Out, Bits<64>>,
    pub res_valid: Signal<Out, Bit>,
    pub res_ready: Signal<In, Bit>,
    pub cmd: TableCmd,
    hasher: Toeplitz,
    keys0: Vec<Ram<EB, B>>,
    keys1: Vec<Ram<EB, B>>,
    seqs: Ram<64, SB>,
    counts: Ram<CB, SB>,
    out: SyncFifo<64, 5, 6>,
    clearing: DFF<Bit>,
    clear_at: DFF<Bits<B>>,
    busy: DFF<Bit>,
    a_tok: DFF<Bits<TOK>>,
    a_key: DFF<Bits<KB>>,
    t_tok: DFF<Bits<TOK>>,
    t_key: DFF<Bits<KB>>,
    h_tok: DFF<Bits<TOK>>,
    h_key: DFF<Bits<KB>>,
    kr_tok: DFF<Bits<TOK>>,
    kr_key: DFF<Bits<KB>>,
    kr_b0: DFF<Bits<B>>,
    kr_b1: DFF<Bits<B>>,
    k_tok: DFF<Bits<TOK>>,
    k_key: DFF<Bits<KB>>,
    k_b0: DFF<Bits<B>>,
    k_b1: DFF<Bits<B>>,
    k_e0: Vec<DFF<Bits<EB>>>,
    k_e1: Vec<DFF<Bits<EB>>>,
    l_tok: DFF<Bits<TOK>>,
    l_key: DFF<Bits<KB>>,
    l_b0: DFF<Bits<B>>,
    l_b1: DFF<Bits<B>>,
    l_hit0: DFF<Bits<4>>,
    l_hit1: DFF<Bits<4>>,
    l_free0: DFF<Bits<4>>,
    l_free1: DFF<Bits<4>>,
    l_entry: DFF<Bits<EB>>,
    sr_tok: DFF<Bits<TOK>>,
    sr_slot: DFF<Bits<SB>>,
    sr_hit: DFF<Bit>,
    sr_ok: DFF<Bit>,
    /// What C writes to the sequence RAM and W to the counter RAM.
    sr_wr: DFF<Bit>,
    sr_wrc: DFF<Bit>,
    c_tok: DFF<Bits<TOK>>,
    c_slot: DFF<Bits<SB>>,
    c_hit: DFF<Bit>,
    c_ok: DFF<Bit>,
    c_wr: DFF<Bit>,
    c_wrc: DFF<Bit>,
    /// The state is C's last write (m1) or the one before (m2), not the RAM's.
    c_m1: DFF<Bit>,
    c_m2: DFF<Bit>,
    c_data: DFF<Bits<64>>,
    c_seq_end: DFF<Bits<32>>,
    /// Decided before C so its write path stays short: the frame is fast
    /// if seq == rcv_nxt (`c_e_fast`), ack whatever the sequence (`c_e_ack`);
    /// a command sets rcv_nxt (to `c_rcv_to`) or snd_una.
    c_e_fast: DFF<Bit>,
    c_e_ack: DFF<Bit>,
    c_set_rcv: DFF<Bit>,
    c_set_una: DFF<Bit>,
    c_rcv_to: DFF<Bits<32>>,
    f1_v: DFF<Bit>,
    f1_slot: DFF<Bits<SB>>,
    f1_data: DFF<Bits<64>>,
    f2_v: DFF<Bit>,
    f2_data: DFF<Bits<64>>,
    w_tok: DFF<Bits<TOK>>,
    w_slot: DFF<Bits<SB>>,
    w_found: DFF<Bit>,
    w_wrc: DFF<Bit>,
    w_cls: DFF<Bits<4>>,
    w_in_hw: DFF<Bit>,
    w_seqs: DFF<Bits<64>>,
    w_cnt: DFF<Bits<CB>>,
    g1_v: DFF<Bit>,
    g1_slot: DFF<Bits<SB>>,
    g1_data: DFF<Bits<CB>>,
    g2_v: DFF<Bit>,
    g2_slot: DFF<Bits<SB>>,
    g2_data: DFF<Bits<CB>>,
    rsp_valid_q: DFF<Bit>,
    rsp_status_q: DFF<Bits<3>>,
    rsp_slot_q: DFF<Bits<SB16>>,
    rsp_key_q: DFF<Bits<KB>>,
    rsp_state_q: DFF<Bits<STB>>,
    /// Where the bank bit and the bucket sit in a slot number.
    at_bank: Constant<Bits<8>>,
    last_bucket: Constant<Bits<B>>,
    /// Slot numbers from here on are past the table.
    entries: Constant<Bits<SB16>>,
    way_bit: Vec<Constant<Bits<4>>>,
    way_no: Vec<Constant<Bits<2>>>,
    /// Flags other than ACK and PSH; options other than timestamps.
    ctrl_flags: Constant<Bits<12>>,
    ack_flag: Constant<Bits<12>>,
    other_opts: Constant<Bits<7>>,
    take_req: Signal<Local, Bit>,
    take_cmd: Signal<Local, Bit>,
    empty: Signal<Local, Bit>,
    r_unparsed: Signal<Local, Bit>,
    r_bad: Signal<Local, Bit>,
    r_ctrl: Signal<Local, Bit>,
    r_opts: Signal<Local, Bit>,
    r_zero: Signal<Local, Bit>,
    req_tok: Signal<Local, Bits<TOK>>,
    cmd_tok: Signal<Local, Bits<TOK>>,
    h_cmd: Signal<Local, Bit>,
    h_by_slot: Signal<Local, Bit>,
    h_bucket: Signal<Local, Bits<B>>,
    h_b0: Signal<Local, Bits<B>>,
    h_b1: Signal<Local, Bits<B>>,
    k_slot16: Signal<Local, Bits<SB16>>,
    hit0: Signal<Local, Bits<4>>,
    hit1: Signal<Local, Bits<4>>,
    free0: Signal<Local, Bits<4>>,
    free1: Signal<Local, Bits<4>>,
    way_e0: Signal<Local, Bits<EB>>,
    way_e1: Signal<Local, Bits<EB>>,
    l_op: Signal<Local, Bits<3>>,
    l_cmd: Signal<Local, Bit>,
    l_slot16: Signal<Local, Bits<SB16>>,
    hit_bank: Signal<Local, Bit>,
    hits: Signal<Local, Bits<3>>,
    hit_way: Signal<Local, Bits<2>>,
    hit_bucket: Signal<Local, Bits<B>>,
    n_free0: Signal<Local, Bits<3>>,
    n_free1: Signal<Local, Bits<3>>,
    ins_bank: Signal<Local, Bit>,
    ins_free: Signal<Local, Bits<4>>,
    ins_way: Signal<Local, Bits<2>>,
    ins_bucket: Signal<Local, Bits<B>>,
    l_slot: Signal<Local, Bits<SB>>,
    l_status: Signal<Local, Bits<3>>,
    l_hit: Signal<Local, Bit>,
    wr_bank: Signal<Local, Bit>,
    wr_way: Signal<Local, Bits<2>>,
    wr_bucket: Signal<Local, Bits<B>>,
    wr_en: Signal<Local, Bit>,
    wr_entry: Signal<Local, Bits<EB>>,
    rcv: Signal<Local, Bits<32>>,
    una: Signal<Local, Bits<32>>,
    seq: Signal<Local, Bits<32>>,
    ack: Signal<Local, Bits<32>>,
    plen: Signal<Local, Bits<32>>,
    d_end: Signal<Local, Bits<1>>,
    d_ahead: Signal<Local, Bits<1>>,
    d_una: Signal<Local, Bits<1>>,
    cls: Signal<Local, Bits<4>>,
    in_hw: Signal<Local, Bit>,
    l_ok: Signal<Local, Bit>,
    l_found: Signal<Local, Bit>,
    cur: Signal<Local, Bits<64>>,
    sr_op: Signal<Local, Bits<3>>,
    sr_cmd: Signal<Local, Bit>,
    sr_plain: Signal<Local, Bit>,
    sr_seq_end: Signal<Local, Bits<32>>,
    fast: Signal<Local, Bit>,
    c_new: Signal<Local, Bits<64>>,
    w_cmd: Signal<Local, Bit>,
    cnt: Signal<Local, Bits<CB>>,
    cnt_new: Signal<Local, Bits<CB>>,
    in_sw: Signal<Local, Bit>,
    new_rcv: Signal<Local, Bits<32>>,
    new_una: Signal<Local, Bits<32>>,
}

impl<const B: usize, const SB: usize> ConnTable<B, SB> {
    pub fn new() -> Self {
        assert_eq!(SB, B + 3, "a slot is bank, bucket and way");
        assert!(
            B <= 12,
            "bucket indexes come from 16 hash bits; slots fit 15"
        );
        Self {
            clock: Default::default(),
            reset: Default::default(),
            hash_key: Default::default(),
            req_status: Default::default(),
            req_csum_bad: Default::default(),
            req_key: Default::default(),
            req_seq: Default::default(),
            req_ack: Default::default(),
            req_plen: Default::default(),
            req_flags: Default::default(),
            req_opts: Default::default(),
            req_valid: Default::default(),
            req_ready: Default::default(),
            res: Default::default(),
            res_valid: Default::default(),
            res_ready: Default::default(),
            cmd: Default::default(),
            hasher: Toeplitz::new(),
            keys0: (0..WAYS).map(|_| Ram::new(Style::Block)).collect(),
            keys1: (0..WAYS).map(|_| Ram::new(Style::Block)).collect(),
            seqs: Ram::new(Style::Block),
            counts: Ram::new(Style::Block),
            // Room for every token in flight (8 stages) after the registered
            // almost-full, and more.
            out: SyncFifo::new(16, Style::Distributed),
            clearing: Default::default(),
            clear_at: Default::default(),
            busy: Default::default(),
            a_tok: Default::default(),
            a_key: Default::default(),
            t_tok: Default::default(),
            t_key: Default::default(),
            h_tok: Default::default(),
            h_key: Default::default(),
            kr_tok: Default::default(),
            kr_key: Default::default(),
            kr_b0: Default::default(),
            kr_b1: Default::default(),
            k_tok: Default::default(),
            k_key: Default::default(),
            k_b0: Default::default(),
            k_b1: Default::default(),
            k_e0: (0..WAYS).map(|_| Default::default()).collect(),
            k_e1: (0..WAYS).map(|_| Default::default()).collect(),
            l_tok: Default::default(),
            l_key: Default::default(),
            l_b0: Default::default(),
            l_b1: Default::default(),
            l_hit0: Default::default(),
            l_hit1: Default::default(),
            l_free0: Default::default(),
            l_free1: Default::default(),
            l_entry: Default::default(),
            sr_tok: Default::default(),
            sr_slot: Default::default(),
            sr_hit: Default::default(),
            sr_ok: Default::default(),
            sr_wr: Default::default(),
            sr_wrc: Default::default(),
            c_tok: Default::default(),
            c_slot: Default::default(),
            c_hit: Default::default(),
            c_ok: Default::default(),
            c_wr: Default::default(),
            c_wrc: Default::default(),
            c_m1: Default::default(),
            c_m2: Default::default(),
            c_data: Default::default(),
            c_seq_end: Default::default(),
            c_e_fast: Default::default(),
            c_e_ack: Default::default(),
            c_set_rcv: Default::default(),
            c_set_una: Default::default(),
            c_rcv_to: Default::default(),
            f1_v: Default::default(),
            f1_slot: Default::default(),
            f1_data: Default::default(),
            f2_v: Default::default(),
            f2_data: Default::default(),
            w_tok: Default::default(),
            w_slot: Default::default(),
            w_found: Default::default(),
            w_wrc: Default::default(),
            w_cls: Default::default(),
            w_in_hw: Default::default(),
            w_seqs: Default::default(),
            w_cnt: Default::default(),
            g1_v: Default::default(),
            g1_slot: Default::default(),
            g1_data: Default::default(),
            g2_v: Default::default(),
            g2_slot: Default::default(),
            g2_data: Default::default(),
            rsp_valid_q: Default::default(),
            rsp_status_q: Default::default(),
            rsp_slot_q: Default::default(),
            rsp_key_q: Default::default(),
            rsp_state_q: Default::default(),
            at_bank: Constant::new(((B + 2) as u64).to_bits()),
            last_bucket: Constant::new(((1u64 << B) - 1).to_bits()),
            entries: Constant::new((1u64 << SB).to_bits()),
            way_no: (0..WAYS as u64)
                .map(|w| Constant::new(w.to_bits()))
                .collect(),
            way_bit: (0..WAYS)
                .map(|w| Constant::new((1u64 << w).to_bits()))
                .collect(),
            ctrl_flags: Constant::new(u64::from(ct::CTRL_FLAGS).to_bits()),
            ack_flag: Constant::new(u64::from(spec::tcp::ACK).to_bits()),
            other_opts: Constant::new(u64::from(ct::OTHER_OPTS).to_bits()),
            take_req: Default::default(),
            take_cmd: Default::default(),
            empty: Default::default(),
            r_unparsed: Default::default(),
            r_bad: Default::default(),
            r_ctrl: Default::default(),
            r_opts: Default::default(),
            r_zero: Default::default(),
            req_tok: Default::default(),
            cmd_tok: Default::default(),
            h_cmd: Default::default(),
            h_by_slot: Default::default(),
            h_bucket: Default::default(),
            h_b0: Default::default(),
            h_b1: Default::default(),
            k_slot16: Default::default(),
            hit0: Default::default(),
            hit1: Default::default(),
            free0: Default::default(),
            free1: Default::default(),
            way_e0: Default::default(),
            way_e1: Default::default(),
            l_op: Default::default(),
            l_cmd: Default::default(),
            l_slot16: Default::default(),
            hit_bank: Default::default(),
            hits: Default::default(),
            hit_way: Default::default(),
            hit_bucket: Default::default(),
            n_free0: Default::default(),
            n_free1: Default::default(),
            ins_bank: Default::default(),
            ins_free: Default::default(),
            ins_way: Default::default(),
            ins_bucket: Default::default(),
            l_slot: Default::default(),
            l_status: Default::default(),
            l_hit: Default::default(),
            wr_bank: Default::default(),
            wr_way: Default::default(),
            wr_bucket: Default::default(),
            wr_en: Default::default(),
            wr_entry: Default::default(),
            rcv: Default::default(),
            una: Default::default(),
            seq: Default::default(),
            ack: Default::default(),
            plen: Default::default(),
            d_end: Default::default(),
            d_ahead: Default::default(),
            d_una: Default::default(),
            cls: Default::default(),
            in_hw: Default::default(),
            l_ok: Default::default(),
            l_found: Default::default(),
            cur: Default::default(),
            sr_op: Default::default(),
            sr_cmd: Default::default(),
            sr_plain: Default::default(),
            sr_seq_end: Default::default(),
            fast: Default::default(),
            c_new: Default::default(),
            w_cmd: Default::default(),
            cnt: Default::default(),
            cnt_new: Default::default(),
            in_sw: Default::default(),
            new_rcv: Default::default(),
            new_una: Default::default(),
        }
    }
}

impl<const B: usize, const SB: usize> Default for ConnTable<B, SB> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const B: usize, const SB: usize> Logic for ConnTable<B, SB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            clearing,
            clear_at,
            busy,
            a_tok,
            a_key,
            t_tok,
            t_key,
            h_tok,
            h_key,
            kr_tok,
            kr_key,
            kr_b0,
            kr_b1,
            k_tok,
            k_key,
            k_b0,
            k_b1,
            l_tok,
            l_key,
            l_b0,
            l_b1,
            l_hit0,
            l_hit1,
            l_free0,
            l_free1,
            l_entry,
            sr_tok,
            sr_slot,
            sr_hit,
            sr_ok,
            sr_wr,
            sr_wrc,
            c_tok,
            c_slot,
            c_hit,
            c_ok,
            c_wr,
            c_wrc,
            c_m1,
            c_m2,
            c_data,
            c_seq_end,
            c_e_fast,
            c_e_ack,
            c_set_rcv,
            c_set_una,
            c_rcv_to,
            f1_v,
            f1_slot,
            f1_data,
            f2_v,
            f2_data,
            w_tok,
            w_slot,
            w_found,
            w_wrc,
            w_cls,
            w_in_hw,
            w_seqs,
            w_cnt,
            g1_v,
            g1_slot,
            g1_data,
            g2_v,
            g2_slot,
            g2_data,
            rsp_valid_q,
            rsp_status_q,
            rsp_slot_q,
            rsp_key_q,
            rsp_state_q
        );
        for w in 0..WAYS {
            self.k_e0[w].clock.next = self.clock.val();
            self.k_e0[w].d.next = self.keys0[w].read_data.val();
            self.k_e1[w].clock.next = self.clock.val();
            self.k_e1[w].d.next = self.keys1[w].read_data.val();
            self.keys0[w].clock.next = self.clock.val();
            self.keys1[w].clock.next = self.clock.val();
        }
        clock!(self, clock, hasher, seqs, counts, out);
        self.out.reset.next = self.reset.val();
        self.hasher.reset.next = self.reset.val();
        self.hasher.key.next = self.hash_key.val();

        // Admission: commands only into an empty pipeline, and first.
        self.empty.next = !(self.a_tok.q.val().get_bit(0)
            | self.t_tok.q.val().get_bit(0)
            | self.hasher.hash_valid.val()
            | self.kr_tok.q.val().get_bit(0)
            | self.k_tok.q.val().get_bit(0)
            | self.l_tok.q.val().get_bit(0)
            | self.sr_tok.q.val().get_bit(0)
            | self.c_tok.q.val().get_bit(0)
            | self.w_tok.q.val().get_bit(0));
        self.cmd.ready.next = !self.clearing.q.val() & !self.busy.q.val() & self.empty.val();
        self.req_ready.next = !self.clearing.q.val()
            & !self.busy.q.val()
            & !self.cmd.valid.val()
            & !self.out.almost_full.val();
        self.take_req.next = self.req_valid.val() & self.req_ready.val();
        self.take_cmd.next = self.cmd.valid.val() & self.cmd.ready.val();

        // A: the token. The key is the Toeplitz input (IPv4: src, dst,
        // ports in the top 96 bits).
        // One-bit locals: Verilog would widen a `~` inside the token's
        // expression to the token's width.
        self.r_unparsed.next = self.req_status.val() != 0;
        self.r_bad.next = !self.r_unparsed.val() & self.req_csum_bad.val();
        self.r_ctrl.next = (self.req_flags.val() & self.ctrl_flags.val()).any()
            | !(self.req_flags.val() & self.ack_flag.val()).any();
        self.r_opts.next = (self.req_opts.val() & self.other_opts.val()).any();
        self.r_zero.next = self.req_plen.val() == 0;
        self.req_tok.next = bit_cast::<TOK, 1>(1.into())
            | (bit_cast::<TOK, 1>(self.r_unparsed.val().into()) << 23)
            | (bit_cast::<TOK, 1>(self.r_bad.val().into()) << 24)
            | (bit_cast::<TOK, 1>(self.r_ctrl.val().into()) << 25)
            | (bit_cast::<TOK, 1>(self.r_opts.val().into()) << 26)
            | (bit_cast::<TOK, 1>(self.r_zero.val().into()) << 27)
            | (bit_cast::<TOK, 32>(self.req_seq.val()) << 28)
            | (bit_cast::<TOK, 32>(self.req_ack.val()) << 60)
            | (bit_cast::<TOK, 17>(self.req_plen.val()) << 92);
        self.cmd_tok.next = bit_cast::<TOK, 2>(3.into())
            | (bit_cast::<TOK, 3>(self.cmd.op.val()) << 2)
            | (bit_cast::<TOK, 2>(self.cmd.bank.val()) << 5)
            | (bit_cast::<TOK, SB16>(self.cmd.slot.val()) << 7)
            | (bit_cast::<TOK, 32>(self.cmd.rcv_nxt.val()) << 28)
            | (bit_cast::<TOK, 32>(self.cmd.snd_una.val()) << 60);
        self.a_tok.d.next = 0.into();
        if self.take_req.val() {
            self.a_tok.d.next = self.req_tok.val();
            self.a_key.d.next = self.req_key.val();
        }
        if self.take_cmd.val() {
            self.a_tok.d.next = self.cmd_tok.val();
            self.a_key.d.next = self.cmd.key.val();
            self.busy.d.next = true;
        }
        self.hasher.data.next = self.a_key.q.val().get_bits::<288>(0);
        self.hasher.valid.next = self.a_tok.q.val().get_bit(0);

        // T: the hash's first stage.
        self.t_tok.d.next = self.a_tok.q.val();
        self.t_key.d.next = self.a_key.q.val();
        self.h_tok.d.next = self.t_tok.q.val();
        self.h_key.d.next = self.t_key.q.val();

        // H: read the candidate buckets (a slot command: its slot's bucket).
        self.h_cmd.next = self.h_tok.q.val().get_bit(1);
        self.h_by_slot.next = self.h_cmd.val() & (self.h_tok.q.val().get_bits::<3>(2) != 1);
        self.h_bucket.next = self.h_tok.q.val().get_bits::<B>(9);
        self.h_b0.next = self.hasher.hash.val().get_bits::<B>(0);
        self.h_b1.next = self.hasher.hash.val().get_bits::<B>(16);
        if self.h_by_slot.val() {
            self.h_b0.next = self.h_bucket.val();
            self.h_b1.next = self.h_bucket.val();
        }
        self.kr_b0.d.next = self.h_b0.val();
        self.kr_b1.d.next = self.h_b1.val();
        for w in 0..WAYS {
            self.keys0[w].read_address.next = self.h_b0.val();
            self.keys1[w].read_address.next = self.h_b1.val();
        }
        self.kr_tok.d.next =
            self.h_tok.q.val() | (bit_cast::<TOK, 32>(self.hasher.hash.val()) << 109);
        self.kr_key.d.next = self.h_key.q.val();

        // KR: the key RAM outputs land in k_e0/k_e1.
        self.k_tok.d.next = self.kr_tok.q.val();
        self.k_key.d.next = self.kr_key.q.val();
        self.k_b0.d.next = self.kr_b0.q.val();
        self.k_b1.d.next = self.kr_b1.q.val();

        // K: compare the ways; the entry a slot command names.
        self.k_slot16.next = self.k_tok.q.val().get_bits::<SB16>(7);
        self.hit0.next = 0.into();
        self.hit1.next = 0.into();
        self.free0.next = 0.into();
        self.free1.next = 0.into();
        self.way_e0.next = 0.into();
        self.way_e1.next = 0.into();
        for w in 0..WAYS {
            if self.k_e0[w].q.val().get_bit(289)
                & (self.k_e0[w].q.val().get_bits::<KB>(0) == self.k_key.q.val())
            {
                self.hit0.next = self.hit0.val() | self.way_bit[w].val();
            }
            if self.k_e1[w].q.val().get_bit(289)
                & (self.k_e1[w].q.val().get_bits::<KB>(0) == self.k_key.q.val())
            {
                self.hit1.next = self.hit1.val() | self.way_bit[w].val();
            }
            if !self.k_e0[w].q.val().get_bit(289) {
                self.free0.next = self.free0.val() | self.way_bit[w].val();
            }
            if !self.k_e1[w].q.val().get_bit(289) {
                self.free1.next = self.free1.val() | self.way_bit[w].val();
            }
            if self.k_slot16.val().get_bits::<2>(0) == self.way_no[w].val() {
                self.way_e0.next = self.k_e0[w].q.val();
                self.way_e1.next = self.k_e1[w].q.val();
            }
        }
        self.l_hit0.d.next = self.hit0.val();
        self.l_hit1.d.next = self.hit1.val();
        self.l_free0.d.next = self.free0.val();
        self.l_free1.d.next = self.free1.val();
        self.l_entry.d.next = self.way_e0.val();
        if self.k_slot16.val().get_bit(self.at_bank.val().index()) {
            self.l_entry.d.next = self.way_e1.val();
        }
        self.l_tok.d.next = self.k_tok.q.val();
        self.l_key.d.next = self.k_key.q.val();
        self.l_b0.d.next = self.k_b0.q.val();
        self.l_b1.d.next = self.k_b1.q.val();

        // L: the slot and a command's status; read the slot's state.
        self.l_op.next = self.l_tok.q.val().get_bits::<3>(2);
        self.l_cmd.next = self.l_tok.q.val().get_bit(1);
        self.l_slot16.next = self.l_tok.q.val().get_bits::<SB16>(7);
        self.l_hit.next = self.l_hit0.q.val().any() | self.l_hit1.q.val().any();
        self.hit_bank.next = !self.l_hit0.q.val().any();
        self.hits.next = bit_cast::<3, 4>(self.l_hit0.q.val() | self.l_hit1.q.val());
        self.hit_way.next = 3.into();
        if self.hits.val().get_bit(2) {
            self.hit_way.next = 2.into();
        }
        if self.hits.val().get_bit(1) {
            self.hit_way.next = 1.into();
        }
        if self.hits.val().get_bit(0) {
            self.hit_way.next = 0.into();
        }
        self.n_free0.next = bit_cast::<3, 1>(self.l_free0.q.val().get_bits::<1>(0))
            + bit_cast::<3, 1>(self.l_free0.q.val().get_bits::<1>(1))
            + bit_cast::<3, 1>(self.l_free0.q.val().get_bits::<1>(2))
            + bit_cast::<3, 1>(self.l_free0.q.val().get_bits::<1>(3));
        self.n_free1.next = bit_cast::<3, 1>(self.l_free1.q.val().get_bits::<1>(0))
            + bit_cast::<3, 1>(self.l_free1.q.val().get_bits::<1>(1))
            + bit_cast::<3, 1>(self.l_free1.q.val().get_bits::<1>(2))
            + bit_cast::<3, 1>(self.l_free1.q.val().get_bits::<1>(3));
        // Insert: the named bank (1: bank 0, 2 or 3: bank 1), else the one
        // with more free ways, bank 0 on a tie.
        self.ins_bank.next = self.n_free1.val() > self.n_free0.val();
        if self.l_tok.q.val().get_bits::<2>(5) != 0 {
            self.ins_bank.next = self.l_tok.q.val().get_bits::<2>(5) != 1;
        }
        self.ins_free.next = self.l_free0.q.val();
        self.ins_bucket.next = self.l_b0.q.val();
        if self.ins_bank.val() {
            self.ins_free.next = self.l_free1.q.val();
            self.ins_bucket.next = self.l_b1.q.val();
        }
        self.ins_way.next = 3.into();
        if self.ins_free.val().get_bit(2) {
            self.ins_way.next = 2.into();
        }
        if self.ins_free.val().get_bit(1) {
            self.ins_way.next = 1.into();
        }
        if self.ins_free.val().get_bit(0) {
            self.ins_way.next = 0.into();
        }
        // A found key's slot: bank 0's bucket first.
        self.hit_bucket.next = self.l_b0.q.val();
        if self.hit_bank.val() {
            self.hit_bucket.next = self.l_b1.q.val();
        }
        self.l_slot.next = (bit_cast::<SB, 1>(self.hit_bank.val().into()) << self.at_bank.val())
            | (bit_cast::<SB, B>(self.hit_bucket.val()) << 2)
            | bit_cast::<SB, 2>(self.hit_way.val());
        self.l_status.next = 0.into();
        self.wr_en.next = false;
        self.wr_bank.next = self.l_slot16.val().get_bit(self.at_bank.val().index());
        self.wr_way.next = self.l_slot16.val().get_bits::<2>(0);
        self.wr_bucket.next = self.l_slot16.val().get_bits::<B>(2);
        self.wr_entry.next = 0.into();
        if self.l_cmd.val() {
            if self.l_op.val() == 1 {
                if self.l_hit.val() {
                    self.l_status.next = 2.into();
                } else if !self.ins_free.val().any() {
                    self.l_status.next = 1.into();
                } else {
                    self.l_slot.next = (bit_cast::<SB, 1>(self.ins_bank.val().into())
                        << self.at_bank.val())
                        | (bit_cast::<SB, B>(self.ins_bucket.val()) << 2)
                        | bit_cast::<SB, 2>(self.ins_way.val());
                    self.wr_en.next = true;
                    self.wr_bank.next = self.ins_bank.val();
                    self.wr_way.next = self.ins_way.val();
                    self.wr_bucket.next = self.ins_bucket.val();
                    self.wr_entry.next = (bit_cast::<EB, 1>(1.into()) << 289)
                        | bit_cast::<EB, KB>(self.l_key.q.val());
                }
            } else {
                self.l_slot.next = self.l_slot16.val().get_bits::<SB>(0);
                if self.l_slot16.val() >= self.entries.val() {
                    self.l_status.next = 3.into();
                } else if !self.l_entry.q.val().get_bit(289) {
                    self.l_status.next = 4.into();
                } else if self.l_op.val() == 2 {
                    self.wr_en.next = true;
                }
            }
        }
        for w in 0..WAYS {
            self.keys0[w].write_enable.next = self.wr_en.val()
                & !self.wr_bank.val()
                & (self.wr_way.val() == self.way_no[w].val());
            self.keys1[w].write_enable.next =
                self.wr_en.val() & self.wr_bank.val() & (self.wr_way.val() == self.way_no[w].val());
            self.keys0[w].write_address.next = self.wr_bucket.val();
            self.keys1[w].write_address.next = self.wr_bucket.val();
            self.keys0[w].write_data.next = self.wr_entry.val();
            self.keys1[w].write_data.next = self.wr_entry.val();
            if self.clearing.q.val() {
                self.keys0[w].write_enable.next = true;
                self.keys1[w].write_enable.next = true;
                self.keys0[w].write_address.next = self.clear_at.q.val();
                self.keys1[w].write_address.next = self.clear_at.q.val();
                self.keys0[w].write_data.next = 0.into();
                self.keys1[w].write_data.next = 0.into();
            }
        }
        if self.clearing.q.val() {
            self.clear_at.d.next = self.clear_at.q.val() + 1;
            if self.clear_at.q.val() == self.last_bucket.val() {
                self.clearing.d.next = false;
            }
        }
        self.seqs.read_address.next = self.l_slot.val();
        if self.l_cmd.val() {
            self.rsp_status_q.d.next = self.l_status.val();
            self.rsp_slot_q.d.next = bit_cast::<SB16, SB>(self.l_slot.val());
            self.rsp_key_q.d.next = self.l_entry.q.val().get_bits::<KB>(0);
        }
        // What C and W will write: a found frame's state, or a command's.
        self.l_ok.next = self.l_status.val() == 0;
        self.l_found.next = self.l_tok.q.val().get_bit(0)
            & self.l_hit.val()
            & !self.l_tok.q.val().get_bit(23)
            & !self.l_tok.q.val().get_bit(24);
        self.sr_wr.d.next = self.l_found.val() & !self.l_cmd.val();
        self.sr_wrc.d.next = self.l_found.val() & !self.l_cmd.val();
        if self.l_cmd.val() {
            self.sr_wr.d.next = self.l_ok.val()
                & ((self.l_op.val() == 1) | (self.l_op.val() == 4) | (self.l_op.val() == 5));
            self.sr_wrc.d.next = self.l_ok.val() & (self.l_op.val() == 1);
        }
        self.sr_tok.d.next = self.l_tok.q.val();
        self.sr_slot.d.next = self.l_slot.val();
        self.sr_hit.d.next = self.l_hit.val();
        self.sr_ok.d.next = self.l_ok.val();

        // SR: the sequence RAM output lands in c_data; read the counters;
        // decide now which of C's writes the token must see instead (the
        // one C makes this cycle, or the one it made last cycle).
        self.c_data.d.next = self.seqs.read_data.val();
        self.counts.read_address.next = self.sr_slot.q.val();
        self.c_m1.d.next = self.c_wr.q.val() & (self.sr_slot.q.val() == self.c_slot.q.val());
        self.c_m2.d.next = self.f1_v.q.val() & (self.sr_slot.q.val() == self.f1_slot.q.val());
        self.sr_seq_end.next = self.sr_tok.q.val().get_bits::<32>(28)
            + bit_cast::<32, 17>(self.sr_tok.q.val().get_bits::<17>(92));
        self.c_seq_end.d.next = self.sr_seq_end.val();
        self.sr_cmd.next = self.sr_tok.q.val().get_bit(1);
        self.sr_op.next = self.sr_tok.q.val().get_bits::<3>(2);
        // A found frame with only ACK/PSH and no options but timestamps.
        self.sr_plain.next = self.sr_wr.q.val()
            & !self.sr_cmd.val()
            & !self.sr_tok.q.val().get_bit(25)
            & !self.sr_tok.q.val().get_bit(26);
        self.c_e_fast.d.next = self.sr_plain.val() & !self.sr_tok.q.val().get_bit(27);
        self.c_e_ack.d.next = self.sr_plain.val() & self.sr_tok.q.val().get_bit(27);
        self.c_set_rcv.d.next = self.sr_wr.q.val()
            & self.sr_cmd.val()
            & ((self.sr_op.val() == 1) | (self.sr_op.val() == 4));
        self.c_set_una.d.next = self.sr_wr.q.val()
            & self.sr_cmd.val()
            & ((self.sr_op.val() == 1) | (self.sr_op.val() == 5));
        // A command's values travel as seq (rcv_nxt) and ack (snd_una).
        self.c_rcv_to.d.next = self.sr_seq_end.val();
        if self.sr_cmd.val() {
            self.c_rcv_to.d.next = self.sr_tok.q.val().get_bits::<32>(28);
        }
        self.c_tok.d.next = self.sr_tok.q.val();
        self.c_slot.d.next = self.sr_slot.q.val();
        self.c_hit.d.next = self.sr_hit.q.val();
        self.c_ok.d.next = self.sr_ok.q.val();
        self.c_wr.d.next = self.sr_wr.q.val();
        self.c_wrc.d.next = self.sr_wrc.q.val();

        // C: rcv_nxt and snd_una as of now, the class, their new values.
        self.cur.next = self.c_data.q.val();
        if self.c_m2.q.val() {
            self.cur.next = self.f2_data.q.val();
        }
        if self.c_m1.q.val() {
            self.cur.next = self.f1_data.q.val();
        }
        self.rcv.next = self.cur.val().get_bits::<32>(0);
        self.una.next = self.cur.val().get_bits::<32>(32);
        self.seq.next = self.c_tok.q.val().get_bits::<32>(28);
        self.ack.next = self.c_tok.q.val().get_bits::<32>(60);
        // Sequence-space order: a before b when bit 31 of a - b is set.
        self.d_end.next = bit_cast::<1, 32>((self.c_seq_end.q.val() - self.rcv.val()) >> 31);
        self.d_ahead.next = bit_cast::<1, 32>((self.rcv.val() - self.seq.val()) >> 31);
        self.d_una.next = bit_cast::<1, 32>((self.una.val() - self.ack.val()) >> 31);
        if self.c_tok.q.val().get_bit(23) {
            self.cls.next = 0.into();
        } else if self.c_tok.q.val().get_bit(24) {
            self.cls.next = 1.into();
        } else if !self.c_hit.q.val() {
            self.cls.next = 2.into();
        } else if self.c_tok.q.val().get_bit(25) {
            self.cls.next = 3.into();
        } else if self.c_tok.q.val().get_bit(26) {
            self.cls.next = 4.into();
        } else if self.c_tok.q.val().get_bit(27) {
            self.cls.next = 5.into();
        } else if self.seq.val() == self.rcv.val() {
            self.cls.next = 6.into();
        } else if (self.c_seq_end.q.val() == self.rcv.val()) | self.d_end.val().any() {
            self.cls.next = 7.into();
        } else if self.d_ahead.val().any() {
            self.cls.next = 8.into();
        } else {
            self.cls.next = 9.into();
        }
        // The write path: fast and in_hw straight from the comparison.
        self.fast.next = self.c_e_fast.q.val() & (self.seq.val() == self.rcv.val());
        self.in_hw.next = self.c_e_ack.q.val() | self.fast.val();
        self.new_rcv.next = self.rcv.val();
        if self.fast.val() | self.c_set_rcv.q.val() {
            self.new_rcv.next = self.c_rcv_to.q.val();
        }
        self.new_una.next = self.una.val();
        if (self.in_hw.val() & self.d_una.val().any()) | self.c_set_una.q.val() {
            self.new_una.next = self.ack.val();
        }
        self.c_new.next =
            bit_cast::<64, 32>(self.new_rcv.val()) | (bit_cast::<64, 32>(self.new_una.val()) << 32);
        self.seqs.write_enable.next = self.c_wr.q.val();
        self.seqs.write_address.next = self.c_slot.q.val();
        self.seqs.write_data.next = self.c_new.val();
        self.f1_v.d.next = self.c_wr.q.val();
        self.f1_slot.d.next = self.c_slot.q.val();
        self.f1_data.d.next = self.c_new.val();
        self.f2_v.d.next = self.f1_v.q.val();
        self.f2_data.d.next = self.f1_data.q.val();
        self.w_seqs.d.next = self.cur.val();
        if self.c_wr.q.val() {
            self.w_seqs.d.next = self.c_new.val();
        }
        self.w_cnt.d.next = self.counts.read_data.val();
        self.w_tok.d.next = self.c_tok.q.val();
        self.w_slot.d.next = self.c_slot.q.val();
        self.w_found.d.next =
            self.c_hit.q.val() & !self.c_tok.q.val().get_bit(23) & !self.c_tok.q.val().get_bit(24);
        self.w_wrc.d.next = self.c_wrc.q.val();
        self.w_cls.d.next = self.cls.val();
        self.w_in_hw.d.next = self.in_hw.val();

        // W: the counters as of now (W's own two last writes forwarded, as
        // in C), counted; the result and a command's answer.
        self.cnt.next = self.w_cnt.q.val();
        if self.g2_v.q.val() & (self.g2_slot.q.val() == self.w_slot.q.val()) {
            self.cnt.next = self.g2_data.q.val();
        }
        if self.g1_v.q.val() & (self.g1_slot.q.val() == self.w_slot.q.val()) {
            self.cnt.next = self.g1_data.q.val();
        }
        self.w_cmd.next = self.w_tok.q.val().get_bit(1);
        self.in_sw.next = !self.w_in_hw.q.val();
        self.plen.next = bit_cast::<32, 17>(self.w_tok.q.val().get_bits::<17>(92));
        self.cnt_new.next = bit_cast::<CB, 32>(self.cnt.val().get_bits::<32>(0) + 1)
            | (bit_cast::<CB, 48>(
                self.cnt.val().get_bits::<48>(32) + bit_cast::<48, 32>(self.plen.val()),
            ) << 32)
            | (bit_cast::<CB, 32>(
                self.cnt.val().get_bits::<32>(80) + bit_cast::<32, 1>(self.w_in_hw.q.val().into()),
            ) << 80)
            | (bit_cast::<CB, 32>(
                self.cnt.val().get_bits::<32>(112) + bit_cast::<32, 1>(self.in_sw.val().into()),
            ) << 112);
        // The only command that writes counters is an insert: from zero.
        if self.w_cmd.val() {
            self.cnt_new.next = 0.into();
        }
        self.counts.write_enable.next = self.w_wrc.q.val();
        self.counts.write_address.next = self.w_slot.q.val();
        self.counts.write_data.next = self.cnt_new.val();
        self.g1_v.d.next = self.w_wrc.q.val();
        self.g1_slot.d.next = self.w_slot.q.val();
        self.g1_data.d.next = self.cnt_new.val();
        self.g2_v.d.next = self.g1_v.q.val();
        self.g2_slot.d.next = self.g1_slot.q.val();
        self.g2_data.d.next = self.g1_data.q.val();
        self.rsp_valid_q.d.next = false;
        if self.w_cmd.val() {
            self.rsp_valid_q.d.next = true;
            self.busy.d.next = false;
            self.rsp_state_q.d.next = bit_cast::<STB, 64>(self.w_seqs.q.val())
                | (bit_cast::<STB, CB>(self.cnt.val()) << 64);
            if self.w_wrc.q.val() {
                self.rsp_state_q.d.next = bit_cast::<STB, 64>(self.w_seqs.q.val())
                    | (bit_cast::<STB, CB>(self.cnt_new.val()) << 64);
            }
        }
        self.out.write.next = self.w_tok.q.val().get_bit(0) & !self.w_cmd.val();
        self.out.data_in.next = bit_cast::<64, 4>(self.w_cls.q.val())
            | (bit_cast::<64, 1>(self.w_found.q.val().into()) << 4)
            | (bit_cast::<64, SB>(self.w_slot.q.val()) << 8)
            | (bit_cast::<64, 32>(self.w_tok.q.val().get_bits::<32>(109)) << 32);
        self.res.next = self.out.data_out.val();
        self.res_valid.next = self.out.valid.val();
        self.out.read.next = self.res_ready.val() & self.out.valid.val();
        self.cmd.rsp_valid.next = self.rsp_valid_q.q.val();
        self.cmd.rsp_status.next = self.rsp_status_q.q.val();
        self.cmd.rsp_slot.next = self.rsp_slot_q.q.val();
        self.cmd.rsp_key.next = self.rsp_key_q.q.val();
        self.cmd.rsp_state.next = self.rsp_state_q.q.val();

        if self.reset.val() {
            self.clearing.d.next = true;
            self.clear_at.d.next = 0.into();
            self.busy.d.next = false;
            self.a_tok.d.next = 0.into();
            self.t_tok.d.next = 0.into();
            self.h_tok.d.next = 0.into();
            self.kr_tok.d.next = 0.into();
            self.k_tok.d.next = 0.into();
            self.l_tok.d.next = 0.into();
            self.sr_tok.d.next = 0.into();
            self.c_tok.d.next = 0.into();
            self.w_tok.d.next = 0.into();
            self.f1_v.d.next = false;
            self.f2_v.d.next = false;
            self.g1_v.d.next = false;
            self.g2_v.d.next = false;
            self.rsp_valid_q.d.next = false;
        }
    }
}
