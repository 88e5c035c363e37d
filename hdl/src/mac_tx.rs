//! `mac_tx`: the transmit side of a 1 GbE MAC at the GMII level, one byte
//! a clock (125 MHz), rules in [`spec::mac`].
//!
//! A frame goes out as 7 preamble bytes and the SFD, its bytes, zeros up
//! to 60 bytes, and its FCS, then at least 12 idle bytes (the 96-bit
//! inter-frame gap). It starts only once its first byte is offered and
//! takes a byte every cycle from then on: the buffer in front must hold
//! frames whole (as `tx_checksum` does). A frame whose bytes stop coming
//! (underrun), or that grows past [`spec::mac::MAX_FRAME`], is ended at
//! once with `TX_ER` so that no receiver takes it, and the rest of it is
//! drained. A frame marked bad (`user` on its last byte) goes out with
//! `TX_ER` on that byte. Each case has a counter.

use crate::crc32::Crc32Step;
use crate::stream::StreamSink;
use rust_hdl::prelude::*;
use spec::mac::{FCS_BYTES, MAX_FRAME, MIN_FRAME, PREAMBLE, SFD};

#[derive(LogicBlock)]
pub struct MacTx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub frame: StreamSink<8, 1>,
    pub gmii_en: Signal<Out, Bit>,
    pub gmii_er: Signal<Out, Bit>,
    pub gmii_d: Signal<Out, Bits<8>>,
    /// Frames sent whole, frames ended by an underrun, frames cut for
    /// length, and frames sent marked bad; all wrap.
    pub frames: Signal<Out, Bits<32>>,
    pub underruns: Signal<Out, Bits<32>>,
    pub oversize: Signal<Out, Bits<32>>,
    pub errors: Signal<Out, Bits<32>>,
    /// States: idle, preamble and SFD, data, padding, FCS, gap, drain.
    s_idle: Constant<Bits<3>>,
    s_pre: Constant<Bits<3>>,
    s_data: Constant<Bits<3>>,
    s_pad: Constant<Bits<3>>,
    s_fcs: Constant<Bits<3>>,
    s_gap: Constant<Bits<3>>,
    s_drain: Constant<Bits<3>>,
    state: DFF<Bits<3>>,
    /// Bytes sent in this state (preamble, data and padding, FCS, gap).
    count: DFF<Bits<14>>,
    crc: DFF<Bits<32>>,
    txen: DFF<Bit>,
    txer: DFF<Bit>,
    txd: DFF<Bits<8>>,
    c_frames: DFF<Bits<32>>,
    c_underruns: DFF<Bits<32>>,
    c_oversize: DFF<Bits<32>>,
    c_errors: DFF<Bits<32>>,
    crc_step: Crc32Step,
    preamble: Constant<Bits<8>>,
    sfd: Constant<Bits<8>>,
    /// The last preamble byte's count, the data length that needs no
    /// padding, the longest data, the last FCS byte, and the gap.
    pre_last: Constant<Bits<14>>,
    min_data: Constant<Bits<14>>,
    max_data: Constant<Bits<14>>,
    fcs_last: Constant<Bits<14>>,
    gap_last: Constant<Bits<14>>,
    crc_in: Signal<Local, Bits<8>>,
    crc_next: Signal<Local, Bits<32>>,
    take: Signal<Local, Bit>,
    fcs: Signal<Local, Bits<32>>,
    fcs_shift: Signal<Local, Bits<32>>,
    unused_keep: Signal<Local, Bit>,
    unused_fcs: Signal<Local, Bits<24>>,
}

impl MacTx {
    pub fn new() -> Self {
        let s = |v: u64| Constant::new(v.to_bits());
        let n = |v: usize| Constant::new((v as u64).to_bits());
        Self {
            clock: Default::default(),
            reset: Default::default(),
            frame: Default::default(),
            gmii_en: Default::default(),
            gmii_er: Default::default(),
            gmii_d: Default::default(),
            frames: Default::default(),
            underruns: Default::default(),
            oversize: Default::default(),
            errors: Default::default(),
            s_idle: s(0),
            s_pre: s(1),
            s_data: s(2),
            s_pad: s(3),
            s_fcs: s(4),
            s_gap: s(5),
            s_drain: s(6),
            state: Default::default(),
            count: Default::default(),
            crc: Default::default(),
            txen: Default::default(),
            txer: Default::default(),
            txd: Default::default(),
            c_frames: Default::default(),
            c_underruns: Default::default(),
            c_oversize: Default::default(),
            c_errors: Default::default(),
            crc_step: Default::default(),
            preamble: Constant::new(u64::from(PREAMBLE).to_bits()),
            sfd: Constant::new(u64::from(SFD).to_bits()),
            pre_last: n(7),
            min_data: n(MIN_FRAME - FCS_BYTES),
            max_data: n(MAX_FRAME - FCS_BYTES),
            fcs_last: n(FCS_BYTES - 1),
            // The gap is 12 bytes; the cycle that leaves it is the 12th.
            gap_last: n(11),
            crc_in: Default::default(),
            crc_next: Default::default(),
            take: Default::default(),
            fcs: Default::default(),
            fcs_shift: Default::default(),
            unused_keep: Default::default(),
            unused_fcs: Default::default(),
        }
    }
}

impl Default for MacTx {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for MacTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            count,
            crc,
            txen,
            txer,
            txd,
            c_frames,
            c_underruns,
            c_oversize,
            c_errors
        );
        self.gmii_en.next = self.txen.q.val();
        self.gmii_er.next = self.txer.q.val();
        self.gmii_d.next = self.txd.q.val();
        self.frames.next = self.c_frames.q.val();
        self.underruns.next = self.c_underruns.q.val();
        self.oversize.next = self.c_oversize.q.val();
        self.errors.next = self.c_errors.q.val();
        self.unused_keep.next = self.frame.keep.val().any();

        self.take.next = false;
        self.txen.d.next = false;
        self.txer.d.next = false;
        self.txd.d.next = 0.into();
        // The CRC takes the data byte, or a padding zero.
        self.crc_in.next = 0.into();
        if self.state.q.val() == self.s_data.val() {
            self.crc_in.next = self.frame.data.val();
        }
        // CRC-32, reflected, one bit per step, over `crc_in`.
        self.crc_step.crc.next = self.crc.q.val();
        self.crc_step.data.next = self.crc_in.val();
        self.crc_next.next = self.crc_step.after.val();
        self.fcs.next = !self.crc.q.val();
        self.fcs_shift.next = self.fcs.val() >> (bit_cast::<32, 14>(self.count.q.val()) << 3);
        self.unused_fcs.next = self.fcs_shift.val().get_bits::<24>(8);
        self.count.d.next = self.count.q.val() + 1;
        if self.state.q.val() == self.s_idle.val() {
            self.count.d.next = 0.into();
            if self.frame.valid.val() {
                self.state.d.next = self.s_pre.val();
            }
        } else if self.state.q.val() == self.s_pre.val() {
            self.txen.d.next = true;
            self.txd.d.next = self.preamble.val();
            if self.count.q.val() == self.pre_last.val() {
                self.txd.d.next = self.sfd.val();
                self.state.d.next = self.s_data.val();
                self.count.d.next = 0.into();
                self.crc.d.next = 0xFFFF_FFFFu64.into();
            }
        } else if self.state.q.val() == self.s_data.val() {
            self.txen.d.next = true;
            if !self.frame.valid.val() | (self.count.q.val() == self.max_data.val()) {
                // Underrun or too long: end it with an error, drain the rest.
                self.txer.d.next = true;
                self.state.d.next = self.s_drain.val();
                if self.frame.valid.val() {
                    self.c_oversize.d.next = self.c_oversize.q.val() + 1;
                } else {
                    self.c_underruns.d.next = self.c_underruns.q.val() + 1;
                }
            } else {
                self.take.next = true;
                self.txd.d.next = self.frame.data.val();
                self.crc.d.next = self.crc_next.val();
                if self.frame.last.val() {
                    self.txer.d.next = self.frame.user.val();
                    if self.frame.user.val() {
                        self.c_errors.d.next = self.c_errors.q.val() + 1;
                    } else {
                        self.c_frames.d.next = self.c_frames.q.val() + 1;
                    }
                    if self.count.q.val() + 1 < self.min_data.val() {
                        self.state.d.next = self.s_pad.val();
                    } else {
                        self.state.d.next = self.s_fcs.val();
                        self.count.d.next = 0.into();
                    }
                }
            }
        } else if self.state.q.val() == self.s_pad.val() {
            self.txen.d.next = true;
            self.crc.d.next = self.crc_next.val();
            if self.count.q.val() + 1 == self.min_data.val() {
                self.state.d.next = self.s_fcs.val();
                self.count.d.next = 0.into();
            }
        } else if self.state.q.val() == self.s_fcs.val() {
            self.txen.d.next = true;
            self.txd.d.next = self.fcs_shift.val().get_bits::<8>(0);
            if self.count.q.val() == self.fcs_last.val() {
                self.state.d.next = self.s_gap.val();
                self.count.d.next = 0.into();
            }
        } else if self.state.q.val() == self.s_gap.val() {
            if self.count.q.val() == self.gap_last.val() {
                // Straight into the next preamble: a gap of exactly 12.
                self.state.d.next = self.s_idle.val();
                if self.frame.valid.val() {
                    self.state.d.next = self.s_pre.val();
                    self.count.d.next = 0.into();
                }
            }
        } else {
            // Drain: swallow the rest of the frame, then the gap.
            self.take.next = self.frame.valid.val();
            self.count.d.next = 0.into();
            if self.frame.valid.val() & self.frame.last.val() {
                self.state.d.next = self.s_gap.val();
            }
        }
        self.frame.ready.next = self.take.val();

        if self.reset.val() {
            self.state.d.next = self.s_idle.val();
            self.txen.d.next = false;
            self.txer.d.next = false;
            self.c_frames.d.next = 0.into();
            self.c_underruns.d.next = 0.into();
            self.c_oversize.d.next = 0.into();
            self.c_errors.d.next = 0.into();
        }
    }
}
