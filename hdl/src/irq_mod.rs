//! `irq_mod`: interrupt moderation for one ring (`IRQ_MOD_COUNT`,
//! `IRQ_MOD_TIME` of [`spec::regs`]): `set` pulses when `count`
//! completions are waiting, or when the oldest waiting one has waited
//! `limit` cycles. The wait is counted since the last pulse, whether or not
//! the host has cleared the status bit since: moderation bounds the
//! interrupt rate, not the host's reaction.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct IrqMod {
    pub clock: Signal<In, Clock>,
    /// Reset and the soft reset's clear.
    pub clear: Signal<In, Bit>,
    /// One completion written.
    pub done: Signal<In, Bit>,
    /// 0 is taken as 1.
    pub count: Signal<In, Bits<16>>,
    /// 0: no time limit.
    pub limit: Signal<In, Bits<24>>,
    pub set: Signal<Out, Bit>,
    pend: DFF<Bits<16>>,
    timer: DFF<Bits<24>>,
    thr: Signal<Local, Bits<16>>,
    pend_n: Signal<Local, Bits<16>>,
    fire: Signal<Local, Bit>,
}

impl Logic for IrqMod {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pend, timer);
        self.thr.next = self.count.val();
        if self.count.val() == 0 {
            self.thr.next = 1.into();
        }
        self.pend_n.next = self.pend.q.val() + bit_cast::<16, 1>(self.done.val().into());
        self.fire.next = (self.done.val() & (self.pend_n.val() >= self.thr.val()))
            | ((self.pend.q.val() != 0)
                & (self.limit.val() != 0)
                & ((self.timer.q.val() + 1) >= self.limit.val()));
        if self.fire.val() {
            self.pend.d.next = 0.into();
            self.timer.d.next = 0.into();
        } else {
            self.pend.d.next = self.pend_n.val();
            self.timer.d.next = 0.into();
            if self.pend.q.val() != 0 {
                self.timer.d.next = self.timer.q.val() + 1;
            }
        }
        self.set.next = self.fire.val();
        if self.clear.val() {
            self.pend.d.next = 0.into();
            self.timer.d.next = 0.into();
        }
    }
}
