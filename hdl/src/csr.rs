//! `csr`: the engine's registers ([`spec::regs`]) on a Wishbone classic
//! slave.
//!
//! `adr` is the 32-bit word address (byte offset / 4, 10 bits for the 4 KB
//! window); an access is answered by `ack` one cycle after `cyc & stb`, so
//! the bus never waits on the engine. Writes take effect only with all four
//! byte selects (registers are written whole); reads of unmapped words give
//! 0. The CSR block holds what the host writes and reads back what the
//! engine produces (TXQ head, TXCQ tail: the TX queue's completed index),
//! counts the counters and moderates the interrupt, so the data path blocks
//! see plain signals.
//!
//! Not yet here: the RX side. The RXQ/RXCQ registers are stored and read
//! back, RXQ head and RXCQ tail read 0, the RX counters and the `CT_*`
//! connection-table registers read 0 and ignore writes until `rx_engine`
//! and `conn_table` join (they add ports here).
//!
//! Ring bases keep their low 3 bits 0 and a log size above
//! `MAX_LOG_SIZE` is taken as `MAX_LOG_SIZE`, as `spec::regs` says.
//!
//! Reset (`CONTROL.reset`): `stop` goes up at once; when the data path
//! reports `busy` low, `clear` pulses for one cycle and every register,
//! index, interrupt and counter returns to 0 with it.

use rust_hdl::prelude::*;
use spec::regs::{self, Counter, Ring, RingReg};

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
    /// From the TX queue.
    pub busy: Signal<In, Bit>,
    pub tx_done_idx: Signal<In, Bits<16>>,
    pub tx_cpl: Signal<In, Bit>,
    pub tx_err: Signal<In, Bit>,
    pub tx_segments: Signal<In, Bits<16>>,
    /// A wire beat taken by the MAC, and its keep (bytes from lane 0).
    pub tx_beat: Signal<In, Bit>,
    pub tx_keep: Signal<In, Bits<8>>,
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
    tx_pend: DFF<Bits<16>>,
    tx_timer: DFF<Bits<24>>,
    // rings: base low/high words, log size, host-written index
    b_lo: Vec<DFF<Bits<32>>>,
    b_hi: Vec<DFF<Bits<32>>>,
    lg: Vec<DFF<Bits<4>>>,
    hidx: Vec<DFF<Bits<16>>>,
    c_desc: DFF<Bits<32>>,
    c_seg: DFF<Bits<32>>,
    c_bytes: DFF<Bits<32>>,
    c_err: DFF<Bits<32>>,
    id: Constant<Bits<32>>,
    version: Constant<Bits<32>>,
    caps: Constant<Bits<32>>,
    not7: Constant<Bits<32>>,
    max_log: Constant<Bits<4>>,
    a_lo: Vec<Constant<Bits<10>>>,
    a_hi: Vec<Constant<Bits<10>>>,
    a_lg: Vec<Constant<Bits<10>>>,
    keeps: Vec<Constant<Bits<8>>>,
    nbytes: Vec<Constant<Bits<32>>>,
    req: Signal<Local, Bit>,
    wr: Signal<Local, Bit>,
    rd: Signal<Local, Bits<32>>,
    w1c: Signal<Local, Bits<2>>,
    kept: Signal<Local, Bits<2>>,
    set: Signal<Local, Bits<2>>,
    thr: Signal<Local, Bits<16>>,
    pend_n: Signal<Local, Bits<16>>,
    tx_set: Signal<Local, Bit>,
    nb: Signal<Local, Bits<32>>,
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
    /// `bytes_per_beat` goes into `CAPS` (no connection table yet: its
    /// fields read 0).
    pub fn new(bytes_per_beat: u32) -> Self {
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
            busy: Default::default(),
            tx_done_idx: Default::default(),
            tx_cpl: Default::default(),
            tx_err: Default::default(),
            tx_segments: Default::default(),
            tx_beat: Default::default(),
            tx_keep: Default::default(),
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
            tx_pend: Default::default(),
            tx_timer: Default::default(),
            b_lo: (0..4).map(|_| Default::default()).collect(),
            b_hi: (0..4).map(|_| Default::default()).collect(),
            lg: (0..4).map(|_| Default::default()).collect(),
            hidx: (0..4).map(|_| Default::default()).collect(),
            c_desc: Default::default(),
            c_seg: Default::default(),
            c_bytes: Default::default(),
            c_err: Default::default(),
            id: Constant::new(u64::from(regs::ID_VALUE).to_bits()),
            version: Constant::new(u64::from(regs::VERSION_VALUE).to_bits()),
            caps: Constant::new(u64::from(bytes_per_beat & 0xFF).to_bits()),
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
            thr: Default::default(),
            pend_n: Default::default(),
            tx_set: Default::default(),
            nb: Default::default(),
        }
    }
}

impl Logic for Csr {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, ack_q, rdata, ctrl_en, resetting, age, clear_q, irq_st, irq_en, mod_count,
            mod_time, tx_pend, tx_timer, c_desc, c_seg, c_bytes, c_err
        );
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
                _ => {}
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

        // TX interrupt moderation: count, or the oldest waiting too long,
        // counted since the bit was last set (whether or not it is clear).
        self.thr.next = self.mod_count.q.val();
        if self.mod_count.q.val() == 0 {
            self.thr.next = 1.into();
        }
        self.pend_n.next = self.tx_pend.q.val() + bit_cast::<16, 1>(self.tx_cpl.val().into());
        self.tx_set.next = (self.tx_cpl.val() & (self.pend_n.val() >= self.thr.val()))
            | ((self.tx_pend.q.val() != 0)
                & (self.mod_time.q.val() != 0)
                & ((self.tx_timer.q.val() + 1) >= self.mod_time.q.val()));
        if self.tx_set.val() {
            self.tx_pend.d.next = 0.into();
            self.tx_timer.d.next = 0.into();
        } else {
            self.tx_pend.d.next = self.pend_n.val();
            self.tx_timer.d.next = 0.into();
            if self.tx_pend.q.val() != 0 {
                self.tx_timer.d.next = self.tx_timer.q.val() + 1;
            }
        }
        self.set.next = bit_cast::<2, 1>(self.tx_set.val().into());
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

        if self.reset.val() | self.clear_q.q.val() {
            self.age.d.next = 0.into();
            self.ctrl_en.d.next = false;
            self.resetting.d.next = false;
            self.irq_st.d.next = 0.into();
            self.irq_en.d.next = 0.into();
            self.mod_count.d.next = 0.into();
            self.mod_time.d.next = 0.into();
            self.tx_pend.d.next = 0.into();
            self.tx_timer.d.next = 0.into();
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
        }
    }
}
