//! `csr`: the engine's registers ([`spec::regs`]) on a Wishbone classic
//! slave.
//!
//! `adr` is the 32-bit word address (byte offset / 4, 10 bits for the 4 KB
//! window); an access is answered by `ack` one cycle after `cyc & stb`, so
//! the bus never waits on the engine. Writes take effect only with all four
//! byte selects (registers are written whole); reads of unmapped words give
//! 0. The CSR block holds what the host writes and reads back what the
//! engine produces (TXQ head and TXCQ tail: the TX queue's completed
//! index; RXQ head and RXCQ tail: the RX DMA's), counts the TX counters,
//! shows the RX ones (`rx_engine` counts them), moderates both interrupts
//! (`irq_mod`), so the data path blocks see plain signals.
//!
//! `CT_*`: the arguments are registers; writing an opcode
//! (`conn_table::Command`, 1..=6; others are ignored) to `CT_COMMAND` while
//! no command is running hands the command to the table's port and sets
//! `CT_STATUS` busy until the table answers; the answer (status, slot, key,
//! state) is kept for the host to read. Arguments and answer survive a soft
//! reset, as the table's entries do.
//!
//! Ring bases keep their low 3 bits 0 and a log size above
//! `MAX_LOG_SIZE` is taken as `MAX_LOG_SIZE`, as `spec::regs` says.
//!
//! Reset (`CONTROL.reset`): `stop` goes up at once; when the data path
//! reports `busy` low, `clear` pulses for one cycle and every register,
//! index, interrupt and counter returns to 0 with it. `busy` covers both
//! directions, so the RX DMA has cleared its own state by then.

use crate::irq_mod::IrqMod;
use crate::table_port::TableCmdMaster;
use rust_hdl::prelude::*;
use spec::conn_table as ct;
use spec::regs::{self, Counter, Ring, RingReg};

const KB: usize = ct::KEY_BITS as usize;
const STB: usize = ct::STATE_BITS as usize;
/// RX counters (`Counter::RxFrames..=RxTooBig`) and class counters.
const RX_COUNTERS: usize = 5;
const CLASSES: usize = 10;

#[derive(LogicBlock)]
pub struct Csr {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cyc: Signal<In, Bit>,
    pub stb: Signal<In, Bit>,
    pub we: Signal<In, Bit>,
    /// Word address: byte offset / 4.
    pub adr: Signal<In, Bits<10>>,
    pub dat_w: Signal<In, Bits<32>>,
    pub sel: Signal<In, Bits<4>>,
    pub ack: Signal<Out, Bit>,
    pub dat_r: Signal<Out, Bits<32>>,
    pub irq: Signal<Out, Bit>,
    pub enable: Signal<Out, Bit>,
    pub stop: Signal<Out, Bit>,
    pub clear: Signal<Out, Bit>,
    pub txq_base: Signal<Out, Bits<64>>,
    pub txq_log: Signal<Out, Bits<4>>,
    pub txq_tail: Signal<Out, Bits<16>>,
    pub txcq_base: Signal<Out, Bits<64>>,
    pub txcq_log: Signal<Out, Bits<4>>,
    pub txcq_head: Signal<Out, Bits<16>>,
    pub rxq_base: Signal<Out, Bits<64>>,
    pub rxq_log: Signal<Out, Bits<4>>,
    pub rxq_tail: Signal<Out, Bits<16>>,
    pub rxcq_base: Signal<Out, Bits<64>>,
    pub rxcq_log: Signal<Out, Bits<4>>,
    pub rxcq_head: Signal<Out, Bits<16>>,
    /// Either direction still has work in flight.
    pub busy: Signal<In, Bit>,
    pub tx_done_idx: Signal<In, Bits<16>>,
    pub tx_cpl: Signal<In, Bit>,
    pub tx_err: Signal<In, Bit>,
    pub tx_segments: Signal<In, Bits<16>>,
    /// A wire beat taken by the MAC, and its keep (bytes from lane 0).
    pub tx_beat: Signal<In, Bit>,
    pub tx_keep: Signal<In, Bits<8>>,
    /// From the RX side: RXQ head and RXCQ tail, one pulse per completion,
    /// counter `k` (of `Counter::RxFrames..`) in bits `32k+31..32k`, class
    /// `c`'s in bits `32c+31..32c` of `class_counts`.
    pub rxq_head: Signal<In, Bits<16>>,
    pub rxcq_tail: Signal<In, Bits<16>>,
    pub rx_cpl: Signal<In, Bit>,
    pub rx_counts: Signal<In, Bits<160>>,
    pub class_counts: Signal<In, Bits<320>>,
    /// The connection table's command port.
    pub cmd: TableCmdMaster,
    tx_mod: IrqMod,
    rx_mod: IrqMod,
    ack_q: DFF<Bit>,
    rdata: DFF<Bits<32>>,
    ctrl_en: DFF<Bit>,
    resetting: DFF<Bit>,
    age: DFF<Bits<2>>,
    clear_q: DFF<Bit>,
    irq_st: DFF<Bits<2>>,
    irq_en: DFF<Bits<2>>,
    mod_count: DFF<Bits<16>>,
    mod_time: DFF<Bits<24>>,
    // rings: base low/high words, log size, host-written index
    b_lo: Vec<DFF<Bits<32>>>,
    b_hi: Vec<DFF<Bits<32>>>,
    lg: Vec<DFF<Bits<4>>>,
    hidx: Vec<DFF<Bits<16>>>,
    c_desc: DFF<Bits<32>>,
    c_seg: DFF<Bits<32>>,
    c_bytes: DFF<Bits<32>>,
    c_err: DFF<Bits<32>>,
    /// `CT_BANK`, `CT_SLOT`, `CT_RCV_NXT`, `CT_SND_UNA`, `CT_KEY` words.
    ct_bank: DFF<Bits<32>>,
    ct_slot: DFF<Bits<32>>,
    ct_rcv: DFF<Bits<32>>,
    ct_una: DFF<Bits<32>>,
    ct_key: Vec<DFF<Bits<32>>>,
    ct_op: DFF<Bits<3>>,
    ct_go: DFF<Bit>,
    ct_busy: DFF<Bit>,
    ct_status: DFF<Bits<3>>,
    ct_rslot: DFF<Bits<16>>,
    ct_rkey: Vec<DFF<Bits<32>>>,
    ct_rstate: Vec<DFF<Bits<32>>>,
    id: Constant<Bits<32>>,
    version: Constant<Bits<32>>,
    caps: Constant<Bits<32>>,
    not7: Constant<Bits<32>>,
    max_log: Constant<Bits<4>>,
    a_lo: Vec<Constant<Bits<10>>>,
    a_hi: Vec<Constant<Bits<10>>>,
    a_lg: Vec<Constant<Bits<10>>>,
    a_key: Vec<Constant<Bits<10>>>,
    a_rkey: Vec<Constant<Bits<10>>>,
    a_rstate: Vec<Constant<Bits<10>>>,
    a_rx: Vec<Constant<Bits<10>>>,
    a_class: Vec<Constant<Bits<10>>>,
    /// 32 × word index, for shifts.
    at32: Vec<Constant<Bits<9>>>,
    keeps: Vec<Constant<Bits<8>>>,
    nbytes: Vec<Constant<Bits<32>>>,
    req: Signal<Local, Bit>,
    wr: Signal<Local, Bit>,
    rd: Signal<Local, Bits<32>>,
    w1c: Signal<Local, Bits<2>>,
    kept: Signal<Local, Bits<2>>,
    set: Signal<Local, Bits<2>>,
    nb: Signal<Local, Bits<32>>,
    word: Signal<Local, Bits<320>>,
    /// `word`'s bits past the 32 read from it.
    unused_word: Signal<Local, Bits<320>>,
    kacc: Signal<Local, Bits<320>>,
    kw: Signal<Local, Bits<32>>,
}

// The word addresses the update kernel matches on (literals there).
const fn word(offset: u32) -> u32 {
    offset / 4
}
const _: () = assert!(
    word(regs::ID.offset) == 0
        && word(regs::VERSION.offset) == 1
        && word(regs::CAPS.offset) == 2
        && word(regs::CONTROL.offset) == 4
        && word(regs::STATUS.offset) == 5
        && word(regs::IRQ_STATUS.offset) == 8
        && word(regs::IRQ_ENABLE.offset) == 9
        && word(regs::IRQ_MOD_COUNT.offset) == 10
        && word(regs::IRQ_MOD_TIME.offset) == 11
        && word(regs::RING_BASE) == 64
        && word(regs::RING_STRIDE) == 8
        && RingReg::BaseLo as u32 == 0
        && RingReg::BaseHi as u32 == 1
        && RingReg::LogSize as u32 == 2
        && RingReg::Head as u32 == 3
        && RingReg::Tail as u32 == 4
        && Ring::Tx as u32 == 0
        && Ring::TxCpl as u32 == 1
        && Ring::Rx as u32 == 2
        && Ring::RxCpl as u32 == 3
        && word(regs::COUNTER_BASE) == 256
        && word(regs::CT_COMMAND.offset) == 128
        && word(regs::CT_STATUS.offset) == 129
        && word(regs::CT_BANK.offset) == 130
        && word(regs::CT_SLOT.offset) == 131
        && word(regs::CT_RCV_NXT.offset) == 132
        && word(regs::CT_SND_UNA.offset) == 133
        && regs::CT_BUSY == 1 << 31
        && regs::CT_KEY_WORDS as usize * 32 >= KB
        && regs::CT_RSP_STATE_WORDS as usize * 32 >= STB
        && Counter::RxFrames as u32 == 0
        && Counter::RxTooBig as u32 == RX_COUNTERS as u32 - 1
        && Counter::ClassUnparsed as u32 == 9
        && Counter::ALL.len() == 9 + CLASSES
        && ct::Command::Insert as u32 == 1
        && ct::Command::ReadCounters as u32 == 6
        && Counter::TxDescriptors as u32 == 5
        && Counter::TxSegments as u32 == 6
        && Counter::TxBytes as u32 == 7
        && Counter::TxErrors as u32 == 8
        && regs::CTRL_ENABLE == 1
        && regs::CTRL_RESET == 2
        && regs::STATUS_IDLE == 1
        && regs::IRQ_TX == 1
        && regs::IRQ_RX == 2
        && regs::WINDOW == 4 << 10
);

impl Csr {
    /// `CAPS`: bytes per beat, the table's log2 entries and ways.
    pub fn new(bytes_per_beat: u32, log_entries: u32, ways: u32) -> Self {
        let c10 = |w: u32| Constant::new(u64::from(w).to_bits());
        let words = |base: u32, n: u32| (0..n).map(|i| c10(base / 4 + i)).collect();
        Self {
            clock: Default::default(),
            reset: Default::default(),
            cyc: Default::default(),
            stb: Default::default(),
            we: Default::default(),
            adr: Default::default(),
            dat_w: Default::default(),
            sel: Default::default(),
            ack: Default::default(),
            dat_r: Default::default(),
            irq: Default::default(),
            enable: Default::default(),
            stop: Default::default(),
            clear: Default::default(),
            txq_base: Default::default(),
            txq_log: Default::default(),
            txq_tail: Default::default(),
            txcq_base: Default::default(),
            txcq_log: Default::default(),
            txcq_head: Default::default(),
            rxq_base: Default::default(),
            rxq_log: Default::default(),
            rxq_tail: Default::default(),
            rxcq_base: Default::default(),
            rxcq_log: Default::default(),
            rxcq_head: Default::default(),
            busy: Default::default(),
            tx_done_idx: Default::default(),
            tx_cpl: Default::default(),
            tx_err: Default::default(),
            tx_segments: Default::default(),
            tx_beat: Default::default(),
            tx_keep: Default::default(),
            rxq_head: Default::default(),
            rxcq_tail: Default::default(),
            rx_cpl: Default::default(),
            rx_counts: Default::default(),
            class_counts: Default::default(),
            cmd: Default::default(),
            tx_mod: Default::default(),
            rx_mod: Default::default(),
            ack_q: Default::default(),
            rdata: Default::default(),
            ctrl_en: Default::default(),
            resetting: Default::default(),
            age: Default::default(),
            clear_q: Default::default(),
            irq_st: Default::default(),
            irq_en: Default::default(),
            mod_count: Default::default(),
            mod_time: Default::default(),
            b_lo: (0..4).map(|_| Default::default()).collect(),
            b_hi: (0..4).map(|_| Default::default()).collect(),
            lg: (0..4).map(|_| Default::default()).collect(),
            hidx: (0..4).map(|_| Default::default()).collect(),
            c_desc: Default::default(),
            c_seg: Default::default(),
            c_bytes: Default::default(),
            c_err: Default::default(),
            ct_bank: Default::default(),
            ct_slot: Default::default(),
            ct_rcv: Default::default(),
            ct_una: Default::default(),
            ct_key: (0..10).map(|_| Default::default()).collect(),
            ct_op: Default::default(),
            ct_go: Default::default(),
            ct_busy: Default::default(),
            ct_status: Default::default(),
            ct_rslot: Default::default(),
            ct_rkey: (0..10).map(|_| Default::default()).collect(),
            ct_rstate: (0..7).map(|_| Default::default()).collect(),
            id: Constant::new(u64::from(regs::ID_VALUE).to_bits()),
            version: Constant::new(u64::from(regs::VERSION_VALUE).to_bits()),
            caps: Constant::new(
                u64::from((bytes_per_beat & 0xFF) | (log_entries & 0xFF) << 8 | (ways & 0xF) << 16)
                    .to_bits(),
            ),
            not7: Constant::new(0xFFFF_FFF8u64.to_bits()),
            max_log: Constant::new(u64::from(regs::MAX_LOG_SIZE).to_bits()),
            a_lo: Ring::ALL
                .map(|r| Constant::new(u64::from(word(r.reg(RingReg::BaseLo))).to_bits()))
                .into(),
            a_hi: Ring::ALL
                .map(|r| Constant::new(u64::from(word(r.reg(RingReg::BaseHi))).to_bits()))
                .into(),
            a_lg: Ring::ALL
                .map(|r| Constant::new(u64::from(word(r.reg(RingReg::LogSize))).to_bits()))
                .into(),
            a_key: words(regs::CT_KEY, regs::CT_KEY_WORDS),
            a_rkey: words(regs::CT_RSP_KEY, regs::CT_KEY_WORDS),
            a_rstate: words(regs::CT_RSP_STATE, regs::CT_RSP_STATE_WORDS),
            a_rx: words(regs::COUNTER_BASE, RX_COUNTERS as u32),
            a_class: words(
                regs::COUNTER_BASE + 4 * Counter::ClassUnparsed as u32,
                CLASSES as u32,
            ),
            at32: (0..10u64)
                .map(|i| Constant::new((32 * i).to_bits()))
                .collect(),
            keeps: (1..=8u64)
                .map(|n| Constant::new(((1u64 << n) - 1).to_bits()))
                .collect(),
            nbytes: (1..=8u64).map(|n| Constant::new(n.to_bits())).collect(),
            req: Default::default(),
            wr: Default::default(),
            rd: Default::default(),
            w1c: Default::default(),
            kept: Default::default(),
            set: Default::default(),
            nb: Default::default(),
            word: Default::default(),
            unused_word: Default::default(),
            kacc: Default::default(),
            kw: Default::default(),
        }
    }
}

impl Logic for Csr {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, ack_q, rdata, ctrl_en, resetting, age, clear_q, irq_st, irq_en, mod_count,
            mod_time, c_desc, c_seg, c_bytes, c_err, ct_bank, ct_slot, ct_rcv, ct_una, ct_op,
            ct_go, ct_busy, ct_status, ct_rslot
        );
        clock!(self, clock, tx_mod, rx_mod);
        for i in 0..10 {
            self.ct_key[i].clock.next = self.clock.val();
            self.ct_key[i].d.next = self.ct_key[i].q.val();
            self.ct_rkey[i].clock.next = self.clock.val();
            self.ct_rkey[i].d.next = self.ct_rkey[i].q.val();
        }
        for i in 0..7 {
            self.ct_rstate[i].clock.next = self.clock.val();
            self.ct_rstate[i].d.next = self.ct_rstate[i].q.val();
        }
        for r in 0..4 {
            self.b_lo[r].clock.next = self.clock.val();
            self.b_hi[r].clock.next = self.clock.val();
            self.lg[r].clock.next = self.clock.val();
            self.hidx[r].clock.next = self.clock.val();
            self.b_lo[r].d.next = self.b_lo[r].q.val();
            self.b_hi[r].d.next = self.b_hi[r].q.val();
            self.lg[r].d.next = self.lg[r].q.val();
            self.hidx[r].d.next = self.hidx[r].q.val();
        }

        // Bus: one access per request, acknowledged the next cycle.
        self.req.next = self.cyc.val() & self.stb.val() & !self.ack_q.q.val();
        self.wr.next = self.req.val() & self.we.val() & (self.sel.val() == 0xF);
        self.ack_q.d.next = self.req.val();
        self.ack.next = self.ack_q.q.val();
        self.dat_r.next = self.rdata.q.val();

        self.rd.next = 0.into();
        match self.adr.val().index() {
            0 => {
                self.rd.next = self.id.val();
            }
            1 => {
                self.rd.next = self.version.val();
            }
            2 => {
                self.rd.next = self.caps.val();
            }
            4 => {
                self.rd.next = bit_cast::<32, 1>(self.ctrl_en.q.val().into());
            }
            5 => {
                self.rd.next =
                    bit_cast::<32, 1>((!self.busy.val() & !self.resetting.q.val()).into());
            }
            8 => {
                self.rd.next = bit_cast::<32, 2>(self.irq_st.q.val());
            }
            9 => {
                self.rd.next = bit_cast::<32, 2>(self.irq_en.q.val());
            }
            10 => {
                self.rd.next = bit_cast::<32, 16>(self.mod_count.q.val());
            }
            11 => {
                self.rd.next = bit_cast::<32, 24>(self.mod_time.q.val());
            }
            64 => {
                self.rd.next = self.b_lo[0].q.val();
            }
            65 => {
                self.rd.next = self.b_hi[0].q.val();
            }
            66 => {
                self.rd.next = bit_cast::<32, 4>(self.lg[0].q.val());
            }
            67 => {
                self.rd.next = bit_cast::<32, 16>(self.tx_done_idx.val());
            }
            68 => {
                self.rd.next = bit_cast::<32, 16>(self.hidx[0].q.val());
            }
            72 => {
                self.rd.next = self.b_lo[1].q.val();
            }
            73 => {
                self.rd.next = self.b_hi[1].q.val();
            }
            74 => {
                self.rd.next = bit_cast::<32, 4>(self.lg[1].q.val());
            }
            75 => {
                self.rd.next = bit_cast::<32, 16>(self.hidx[1].q.val());
            }
            76 => {
                self.rd.next = bit_cast::<32, 16>(self.tx_done_idx.val());
            }
            80 => {
                self.rd.next = self.b_lo[2].q.val();
            }
            81 => {
                self.rd.next = self.b_hi[2].q.val();
            }
            82 => {
                self.rd.next = bit_cast::<32, 4>(self.lg[2].q.val());
            }
            83 => {
                self.rd.next = bit_cast::<32, 16>(self.rxq_head.val());
            }
            84 => {
                self.rd.next = bit_cast::<32, 16>(self.hidx[2].q.val());
            }
            88 => {
                self.rd.next = self.b_lo[3].q.val();
            }
            89 => {
                self.rd.next = self.b_hi[3].q.val();
            }
            90 => {
                self.rd.next = bit_cast::<32, 4>(self.lg[3].q.val());
            }
            91 => {
                self.rd.next = bit_cast::<32, 16>(self.hidx[3].q.val());
            }
            92 => {
                self.rd.next = bit_cast::<32, 16>(self.rxcq_tail.val());
            }
            128 => {
                self.rd.next = bit_cast::<32, 3>(self.ct_op.q.val());
            }
            129 => {
                self.rd.next = (bit_cast::<32, 1>(self.ct_busy.q.val().into()) << 31)
                    | bit_cast::<32, 3>(self.ct_status.q.val());
            }
            130 => {
                self.rd.next = self.ct_bank.q.val();
            }
            131 => {
                self.rd.next = self.ct_slot.q.val();
            }
            132 => {
                self.rd.next = self.ct_rcv.q.val();
            }
            133 => {
                self.rd.next = self.ct_una.q.val();
            }
            148 => {
                self.rd.next = bit_cast::<32, 16>(self.ct_rslot.q.val());
            }
            261 => {
                self.rd.next = self.c_desc.q.val();
            }
            262 => {
                self.rd.next = self.c_seg.q.val();
            }
            263 => {
                self.rd.next = self.c_bytes.q.val();
            }
            264 => {
                self.rd.next = self.c_err.q.val();
            }
            _ => {}
        }
        for i in 0..10 {
            if self.adr.val() == self.a_key[i].val() {
                self.rd.next = self.ct_key[i].q.val();
            }
            if self.adr.val() == self.a_rkey[i].val() {
                self.rd.next = self.ct_rkey[i].q.val();
            }
            self.word.next = self.class_counts.val() >> self.at32[i].val();
            if self.adr.val() == self.a_class[i].val() {
                self.rd.next = self.word.val().get_bits::<32>(0);
            }
        }
        for i in 0..7 {
            if self.adr.val() == self.a_rstate[i].val() {
                self.rd.next = self.ct_rstate[i].q.val();
            }
        }
        for k in 0..5 {
            self.word.next = bit_cast::<320, 160>(self.rx_counts.val()) >> self.at32[k].val();
            if self.adr.val() == self.a_rx[k].val() {
                self.rd.next = self.word.val().get_bits::<32>(0);
            }
        }
        if self.req.val() {
            self.rdata.d.next = self.rd.val();
        }

        // Writes. Ring bases and sizes only while the engine is disabled.
        self.w1c.next = 0.into();
        if self.wr.val() {
            match self.adr.val().index() {
                4 => {
                    self.ctrl_en.d.next = self.dat_w.val().get_bit(0);
                    if self.dat_w.val().get_bit(1) {
                        self.resetting.d.next = true;
                    }
                }
                8 => {
                    self.w1c.next = self.dat_w.val().get_bits::<2>(0);
                }
                9 => {
                    self.irq_en.d.next = self.dat_w.val().get_bits::<2>(0);
                }
                10 => {
                    self.mod_count.d.next = self.dat_w.val().get_bits::<16>(0);
                }
                11 => {
                    self.mod_time.d.next = self.dat_w.val().get_bits::<24>(0);
                }
                68 => {
                    self.hidx[0].d.next = self.dat_w.val().get_bits::<16>(0);
                }
                75 => {
                    self.hidx[1].d.next = self.dat_w.val().get_bits::<16>(0);
                }
                84 => {
                    self.hidx[2].d.next = self.dat_w.val().get_bits::<16>(0);
                }
                91 => {
                    self.hidx[3].d.next = self.dat_w.val().get_bits::<16>(0);
                }
                130 => {
                    self.ct_bank.d.next = self.dat_w.val();
                }
                131 => {
                    self.ct_slot.d.next = self.dat_w.val();
                }
                132 => {
                    self.ct_rcv.d.next = self.dat_w.val();
                }
                133 => {
                    self.ct_una.d.next = self.dat_w.val();
                }
                _ => {}
            }
            for i in 0..10 {
                if self.adr.val() == self.a_key[i].val() {
                    self.ct_key[i].d.next = self.dat_w.val();
                }
            }
            // CT_COMMAND: a known opcode while no command runs.
            if (self.adr.val() == 128)
                & !self.ct_busy.q.val()
                & (self.dat_w.val() >= 1)
                & (self.dat_w.val() <= 6)
            {
                self.ct_op.d.next = self.dat_w.val().get_bits::<3>(0);
                self.ct_go.d.next = true;
                self.ct_busy.d.next = true;
            }
            if !self.ctrl_en.q.val() {
                for r in 0..4 {
                    if self.adr.val() == self.a_lo[r].val() {
                        self.b_lo[r].d.next = self.dat_w.val() & self.not7.val();
                    }
                    if self.adr.val() == self.a_hi[r].val() {
                        self.b_hi[r].d.next = self.dat_w.val();
                    }
                    if self.adr.val() == self.a_lg[r].val() {
                        self.lg[r].d.next = self.dat_w.val().get_bits::<4>(0);
                        if self.dat_w.val().get_bits::<4>(0) > self.max_log.val() {
                            self.lg[r].d.next = self.max_log.val();
                        }
                    }
                }
            }
        }

        // Interrupt moderation, per direction.
        self.tx_mod.clear.next = self.reset.val() | self.clear_q.q.val();
        self.tx_mod.done.next = self.tx_cpl.val();
        self.tx_mod.count.next = self.mod_count.q.val();
        self.tx_mod.limit.next = self.mod_time.q.val();
        self.rx_mod.clear.next = self.reset.val() | self.clear_q.q.val();
        self.rx_mod.done.next = self.rx_cpl.val();
        self.rx_mod.count.next = self.mod_count.q.val();
        self.rx_mod.limit.next = self.mod_time.q.val();
        self.set.next = (bit_cast::<2, 1>(self.rx_mod.set.val().into()) << 1)
            | bit_cast::<2, 1>(self.tx_mod.set.val().into());
        self.kept.next = !self.w1c.val();
        self.irq_st.d.next = (self.irq_st.q.val() & self.kept.val()) | self.set.val();
        self.irq.next = (self.irq_st.q.val() & self.irq_en.q.val()) != 0;

        // Counters.
        self.nb.next = 0.into();
        for n in 0..8 {
            if self.tx_keep.val() == self.keeps[n].val() {
                self.nb.next = self.nbytes[n].val();
            }
        }
        if self.tx_cpl.val() {
            self.c_desc.d.next = self.c_desc.q.val() + 1;
        }
        if self.tx_err.val() {
            self.c_err.d.next = self.c_err.q.val() + 1;
        }
        self.c_seg.d.next = self.c_seg.q.val() + bit_cast::<32, 16>(self.tx_segments.val());
        if self.tx_beat.val() {
            self.c_bytes.d.next = self.c_bytes.q.val() + self.nb.val();
        }

        // The table's command port: held until taken, busy until answered.
        self.kacc.next = 0.into();
        for i in 0..10 {
            self.kw.next = self.ct_key[i].q.val();
            self.kacc.next =
                self.kacc.val() | (bit_cast::<320, 32>(self.kw.val()) << self.at32[i].val());
        }
        self.cmd.valid.next = self.ct_go.q.val();
        self.cmd.op.next = self.ct_op.q.val();
        self.cmd.bank.next = self.ct_bank.q.val().get_bits::<2>(0);
        self.cmd.slot.next = self.ct_slot.q.val().get_bits::<16>(0);
        self.cmd.key.next = self.kacc.val().get_bits::<KB>(0);
        self.cmd.rcv_nxt.next = self.ct_rcv.q.val();
        self.cmd.snd_una.next = self.ct_una.q.val();
        if self.ct_go.q.val() & self.cmd.ready.val() {
            self.ct_go.d.next = false;
        }
        if self.cmd.rsp_valid.val() & self.ct_busy.q.val() {
            self.ct_busy.d.next = false;
            self.ct_status.d.next = self.cmd.rsp_status.val();
            self.ct_rslot.d.next = self.cmd.rsp_slot.val();
            for i in 0..10 {
                self.word.next = bit_cast::<320, KB>(self.cmd.rsp_key.val()) >> self.at32[i].val();
                self.ct_rkey[i].d.next = self.word.val().get_bits::<32>(0);
            }
            for i in 0..7 {
                self.word.next =
                    bit_cast::<320, STB>(self.cmd.rsp_state.val()) >> self.at32[i].val();
                self.ct_rstate[i].d.next = self.word.val().get_bits::<32>(0);
            }
        }

        self.unused_word.next = self.word.val();

        // Outputs to the data path.
        self.enable.next = self.ctrl_en.q.val() & !self.resetting.q.val();
        self.stop.next = self.resetting.q.val();
        // `busy` is a cycle late: wait until what started before `stop`
        // shows in it.
        if self.resetting.q.val() & (self.age.q.val() != 3) {
            self.age.d.next = self.age.q.val() + 1;
        }
        self.clear_q.d.next = self.resetting.q.val()
            & (self.age.q.val() == 3)
            & !self.busy.val()
            & !self.clear_q.q.val();
        self.clear.next = self.clear_q.q.val();
        self.txq_base.next = (bit_cast::<64, 32>(self.b_hi[0].q.val()) << 32)
            | bit_cast::<64, 32>(self.b_lo[0].q.val());
        self.txq_log.next = self.lg[0].q.val();
        self.txq_tail.next = self.hidx[0].q.val();
        self.txcq_base.next = (bit_cast::<64, 32>(self.b_hi[1].q.val()) << 32)
            | bit_cast::<64, 32>(self.b_lo[1].q.val());
        self.txcq_log.next = self.lg[1].q.val();
        self.txcq_head.next = self.hidx[1].q.val();
        self.rxq_base.next = (bit_cast::<64, 32>(self.b_hi[2].q.val()) << 32)
            | bit_cast::<64, 32>(self.b_lo[2].q.val());
        self.rxq_log.next = self.lg[2].q.val();
        self.rxq_tail.next = self.hidx[2].q.val();
        self.rxcq_base.next = (bit_cast::<64, 32>(self.b_hi[3].q.val()) << 32)
            | bit_cast::<64, 32>(self.b_lo[3].q.val());
        self.rxcq_log.next = self.lg[3].q.val();
        self.rxcq_head.next = self.hidx[3].q.val();

        if self.reset.val() | self.clear_q.q.val() {
            self.age.d.next = 0.into();
            self.ctrl_en.d.next = false;
            self.resetting.d.next = false;
            self.irq_st.d.next = 0.into();
            self.irq_en.d.next = 0.into();
            self.mod_count.d.next = 0.into();
            self.mod_time.d.next = 0.into();
            self.c_desc.d.next = 0.into();
            self.c_seg.d.next = 0.into();
            self.c_bytes.d.next = 0.into();
            self.c_err.d.next = 0.into();
            for r in 0..4 {
                self.b_lo[r].d.next = 0.into();
                self.b_hi[r].d.next = 0.into();
                self.lg[r].d.next = 0.into();
                self.hidx[r].d.next = 0.into();
            }
        }
        if self.reset.val() {
            self.clear_q.d.next = false;
            self.ack_q.d.next = false;
            self.ct_go.d.next = false;
            self.ct_busy.d.next = false;
            self.ct_status.d.next = 0.into();
        }
    }
}
