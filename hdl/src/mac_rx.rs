//! `mac_rx`: the receive side of a 1 GbE MAC at the GMII level, one byte
//! a clock (125 MHz), rules in [`spec::mac`].
//!
//! It strips the preamble and SFD, checks the FCS as the bytes pass (the
//! CRC register over a frame and its own FCS ends at a fixed residue, so
//! the check needs no knowledge of where the FCS starts) and holds the
//! newest five bytes back: a byte leaves once five more have come, so the
//! four FCS bytes never leave and the last data byte leaves, marked
//! `last`, when `RX_DV` falls. A bad frame (runt, PHY error, bad FCS, cut
//! at [`spec::mac::MAX_FRAME`], or overrun) leaves with `user` on its last
//! byte, so the buffer behind drops it; each reason has a counter.
//!
//! A PHY cannot be stalled. When the output is still held off as a byte
//! must leave, the frame is overrun: the waiting byte of the same frame is
//! replaced (the frame ends bad), or, if the waiting byte ends another
//! frame, the new byte is dropped. Either way every frame that started
//! leaving ends, and the frame is counted once in `overruns`.

use crate::crc32::Crc32Step;
use crate::stream::StreamSource;
use rust_hdl::prelude::*;
use spec::mac::{CRC_RESIDUE, MAX_FRAME, MIN_FRAME, PREAMBLE, SFD};

#[derive(LogicBlock)]
pub struct MacRx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub gmii_dv: Signal<In, Bit>,
    pub gmii_er: Signal<In, Bit>,
    pub gmii_d: Signal<In, Bits<8>>,
    pub frame: StreamSource<8, 1>,
    /// Good frames, then one counter per [`spec::mac::RxReason`], then
    /// frames overrun; all wrap.
    pub frames: Signal<Out, Bits<32>>,
    pub oversize: Signal<Out, Bits<32>>,
    pub runts: Signal<Out, Bits<32>>,
    pub errors: Signal<Out, Bits<32>>,
    pub bad_fcs: Signal<Out, Bits<32>>,
    pub overruns: Signal<Out, Bits<32>>,
    state: DFF<Bits<2>>,
    /// The newest five bytes, the newest in bits 7..0.
    held_bytes: DFF<Bits<40>>,
    held: DFF<Bits<3>>,
    /// Bytes since the SFD.
    len: DFF<Bits<14>>,
    crc: DFF<Bits<32>>,
    er_seen: DFF<Bit>,
    lost: DFF<Bit>,
    o_data: DFF<Bits<8>>,
    o_valid: DFF<Bit>,
    o_last: DFF<Bit>,
    o_user: DFF<Bit>,
    c_frames: DFF<Bits<32>>,
    c_oversize: DFF<Bits<32>>,
    c_runts: DFF<Bits<32>>,
    c_errors: DFF<Bits<32>>,
    c_bad_fcs: DFF<Bits<32>>,
    c_overruns: DFF<Bits<32>>,
    /// States: waiting for a frame, in its preamble, in its data, and
    /// swallowing the rest of a burst.
    s_idle: Constant<Bits<2>>,
    s_pre: Constant<Bits<2>>,
    s_data: Constant<Bits<2>>,
    s_drop: Constant<Bits<2>>,
    crc_step: Crc32Step,
    residue: Constant<Bits<32>>,
    max_len: Constant<Bits<14>>,
    min_len: Constant<Bits<14>>,
    preamble: Constant<Bits<8>>,
    sfd: Constant<Bits<8>>,
    crc_next: Signal<Local, Bits<32>>,
    oldest: Signal<Local, Bits<8>>,
    busy: Signal<Local, Bit>,
    emit: Signal<Local, Bit>,
    emit_last: Signal<Local, Bit>,
    emit_user: Signal<Local, Bit>,
    lose: Signal<Local, Bit>,
    start: Signal<Local, Bit>,
    bad_preamble: Signal<Local, Bit>,
    runt: Signal<Local, Bit>,
    crc_bad: Signal<Local, Bit>,
}

impl MacRx {
    pub fn new() -> Self {
        let c8 = |v: u8| Constant::new(u64::from(v).to_bits());
        Self {
            clock: Default::default(),
            reset: Default::default(),
            gmii_dv: Default::default(),
            gmii_er: Default::default(),
            gmii_d: Default::default(),
            frame: Default::default(),
            frames: Default::default(),
            oversize: Default::default(),
            runts: Default::default(),
            errors: Default::default(),
            bad_fcs: Default::default(),
            overruns: Default::default(),
            state: Default::default(),
            held_bytes: Default::default(),
            held: Default::default(),
            len: Default::default(),
            crc: Default::default(),
            er_seen: Default::default(),
            lost: Default::default(),
            o_data: Default::default(),
            o_valid: Default::default(),
            o_last: Default::default(),
            o_user: Default::default(),
            c_frames: Default::default(),
            c_oversize: Default::default(),
            c_runts: Default::default(),
            c_errors: Default::default(),
            c_bad_fcs: Default::default(),
            c_overruns: Default::default(),
            s_idle: Constant::new(0u64.to_bits()),
            s_pre: Constant::new(1u64.to_bits()),
            s_data: Constant::new(2u64.to_bits()),
            s_drop: Constant::new(3u64.to_bits()),
            crc_step: Default::default(),
            residue: Constant::new(u64::from(CRC_RESIDUE).to_bits()),
            max_len: Constant::new((MAX_FRAME as u64).to_bits()),
            min_len: Constant::new((MIN_FRAME as u64).to_bits()),
            preamble: c8(PREAMBLE),
            sfd: c8(SFD),
            crc_next: Default::default(),
            oldest: Default::default(),
            busy: Default::default(),
            emit: Default::default(),
            emit_last: Default::default(),
            emit_user: Default::default(),
            lose: Default::default(),
            start: Default::default(),
            bad_preamble: Default::default(),
            runt: Default::default(),
            crc_bad: Default::default(),
        }
    }
}

impl Default for MacRx {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for MacRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, held_bytes, held, len, crc, er_seen, lost, o_data, o_valid, o_last,
            o_user, c_frames, c_oversize, c_runts, c_errors, c_bad_fcs, c_overruns
        );
        self.frame.data.next = self.o_data.q.val();
        self.frame.keep.next = true.into();
        self.frame.valid.next = self.o_valid.q.val();
        self.frame.last.next = self.o_last.q.val();
        self.frame.user.next = self.o_user.q.val();
        self.frames.next = self.c_frames.q.val();
        self.oversize.next = self.c_oversize.q.val();
        self.runts.next = self.c_runts.q.val();
        self.errors.next = self.c_errors.q.val();
        self.bad_fcs.next = self.c_bad_fcs.q.val();
        self.overruns.next = self.c_overruns.q.val();

        self.crc_step.crc.next = self.crc.q.val();
        self.crc_step.data.next = self.gmii_d.val();
        self.crc_next.next = self.crc_step.after.val();
        self.oldest.next = self.held_bytes.q.val().get_bits::<8>(32);
        if self.o_valid.q.val() & self.frame.ready.val() {
            self.o_valid.d.next = false;
        }
        self.busy.next = self.o_valid.q.val() & !self.frame.ready.val();

        self.emit.next = false;
        self.emit_last.next = false;
        self.emit_user.next = false;
        self.start.next = false;
        self.bad_preamble.next = false;
        self.runt.next = self.len.q.val() < self.min_len.val();
        self.crc_bad.next = self.crc.q.val() != self.residue.val();
        if (self.state.q.val() == self.s_idle.val()) | (self.state.q.val() == self.s_pre.val()) {
            if self.gmii_dv.val() {
                if self.gmii_d.val() == self.sfd.val() {
                    self.start.next = true;
                } else if self.gmii_d.val() == self.preamble.val() {
                    self.state.d.next = self.s_pre.val();
                } else {
                    self.bad_preamble.next = true;
                    self.state.d.next = self.s_drop.val();
                }
            } else {
                self.state.d.next = self.s_idle.val();
            }
        } else if self.state.q.val() == self.s_data.val() {
            if self.gmii_dv.val() {
                self.crc.d.next = self.crc_next.val();
                self.held_bytes.d.next =
                    (self.held_bytes.q.val() << 8) | bit_cast::<40, 8>(self.gmii_d.val());
                self.len.d.next = self.len.q.val() + 1;
                self.er_seen.d.next = self.er_seen.q.val() | self.gmii_er.val();
                if self.held.q.val() != 5 {
                    self.held.d.next = self.held.q.val() + 1;
                }
                if self.len.q.val() == self.max_len.val() {
                    // Too long: end it here, bad, and drop the rest.
                    self.emit.next = true;
                    self.emit_last.next = true;
                    self.emit_user.next = true;
                    self.state.d.next = self.s_drop.val();
                } else if self.held.q.val() == 5 {
                    self.emit.next = true;
                }
            } else {
                self.state.d.next = self.s_idle.val();
                if self.held.q.val() == 5 {
                    self.emit.next = true;
                    self.emit_last.next = true;
                    self.emit_user.next = self.runt.val()
                        | self.er_seen.q.val()
                        | self.crc_bad.val()
                        | self.lost.q.val()
                        | self.busy.val();
                }
            }
        } else if !self.gmii_dv.val() {
            self.state.d.next = self.s_idle.val();
        }

        // Into the output register, or overrun.
        self.lose.next = self.emit.val() & self.busy.val();
        if self.emit.val() & (!self.busy.val() | !self.o_last.q.val()) {
            self.o_data.d.next = self.oldest.val();
            self.o_valid.d.next = true;
            self.o_last.d.next = self.emit_last.val();
            self.o_user.d.next = self.emit_user.val();
        }
        if self.lose.val() {
            self.lost.d.next = true;
            if !self.lost.q.val() {
                self.c_overruns.d.next = self.c_overruns.q.val() + 1;
            }
        }

        // Counters: a frame counts once, under its first reason.
        if self.bad_preamble.val() {
            self.c_errors.d.next = self.c_errors.q.val() + 1;
        }
        if (self.state.q.val() == self.s_data.val())
            & self.gmii_dv.val()
            & (self.len.q.val() == self.max_len.val())
        {
            self.c_oversize.d.next = self.c_oversize.q.val() + 1;
        }
        if (self.state.q.val() == self.s_data.val()) & !self.gmii_dv.val() {
            if self.runt.val() {
                self.c_runts.d.next = self.c_runts.q.val() + 1;
            } else if self.er_seen.q.val() {
                self.c_errors.d.next = self.c_errors.q.val() + 1;
            } else if self.crc_bad.val() {
                self.c_bad_fcs.d.next = self.c_bad_fcs.q.val() + 1;
            } else if !(self.lost.q.val() | self.lose.val()) {
                self.c_frames.d.next = self.c_frames.q.val() + 1;
            }
        }
        if self.start.val() {
            self.state.d.next = self.s_data.val();
            self.crc.d.next = 0xFFFF_FFFFu64.into();
            self.held.d.next = 0.into();
            self.len.d.next = 0.into();
            self.er_seen.d.next = false;
            self.lost.d.next = false;
        }
        if self.reset.val() {
            self.state.d.next = self.s_idle.val();
            self.o_valid.d.next = false;
            self.c_frames.d.next = 0.into();
            self.c_oversize.d.next = 0.into();
            self.c_runts.d.next = 0.into();
            self.c_errors.d.next = 0.into();
            self.c_bad_fcs.d.next = 0.into();
            self.c_overruns.d.next = 0.into();
        }
    }
}
