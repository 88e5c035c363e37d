//! `sync_fifo`: a first-word-fall-through FIFO with a synchronous reset.
//!
//! `data_out` holds the head word whenever `valid` is high; `read` pops it.
//! The words sit in a [`Ram`]; a two-word prefetch buffer in registers holds
//! the head, so `data_out` comes straight from a flip-flop and no logic of
//! the owner's hangs off a RAM output. A word written in cycle t can be read
//! from cycle t + 3. Writes when full and reads when empty are ignored; the
//! owner gates them with `almost_full` (count >= the threshold given to
//! `new`) and `valid`. All outputs are registers, so an owner may compute
//! `read` from `valid` and `data_out` without a combinational loop.

use crate::ram::{Ram, Style};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct SyncFifo<const W: usize, const N: usize, const NP1: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub write: Signal<In, Bit>,
    pub data_in: Signal<In, Bits<W>>,
    pub read: Signal<In, Bit>,
    pub data_out: Signal<Out, Bits<W>>,
    pub valid: Signal<Out, Bit>,
    pub almost_full: Signal<Out, Bit>,
    ram: Ram<W, N>,
    wptr: DFF<Bits<N>>,
    /// Next word to fetch from the RAM.
    rptr: DFF<Bits<N>>,
    /// Words held anywhere: RAM, fetch in flight, prefetch buffer.
    count: DFF<Bits<NP1>>,
    /// Words in the RAM not fetched yet (written before this cycle).
    stored: DFF<Bits<NP1>>,
    /// A fetch issued last cycle: its word is on the RAM output now.
    inflight: DFF<Bit>,
    head: DFF<Bits<W>>,
    head_v: DFF<Bit>,
    second: DFF<Bits<W>>,
    second_v: DFF<Bit>,
    almost_full_q: DFF<Bit>,
    threshold: Constant<Bits<NP1>>,
    size: Constant<Bits<NP1>>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    fetch: Signal<Local, Bit>,
    hv: Signal<Local, Bit>,
    sv: Signal<Local, Bit>,
    cnext: Signal<Local, Bits<NP1>>,
}

impl<const W: usize, const N: usize, const NP1: usize> SyncFifo<W, N, NP1> {
    /// `almost_full_at`: the count from which `almost_full` is high.
    pub fn new(almost_full_at: usize, style: Style) -> Self {
        assert_eq!(N + 1, NP1);
        assert!(almost_full_at >= 1 && almost_full_at <= 1 << N);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            write: Default::default(),
            data_in: Default::default(),
            read: Default::default(),
            data_out: Default::default(),
            valid: Default::default(),
            almost_full: Default::default(),
            ram: Ram::new(style),
            wptr: Default::default(),
            rptr: Default::default(),
            count: Default::default(),
            stored: Default::default(),
            inflight: Default::default(),
            head: Default::default(),
            head_v: Default::default(),
            second: Default::default(),
            second_v: Default::default(),
            almost_full_q: Default::default(),
            threshold: Constant::new((almost_full_at as u64).to_bits()),
            size: Constant::new((1u64 << N).to_bits()),
            push: Default::default(),
            pop: Default::default(),
            fetch: Default::default(),
            hv: Default::default(),
            sv: Default::default(),
            cnext: Default::default(),
        }
    }
}

impl<const W: usize, const N: usize, const NP1: usize> Logic for SyncFifo<W, N, NP1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            wptr,
            rptr,
            count,
            stored,
            inflight,
            head,
            head_v,
            second,
            second_v,
            almost_full_q
        );
        self.ram.clock.next = self.clock.val();
        self.data_out.next = self.head.q.val();
        self.valid.next = self.head_v.q.val();
        self.almost_full.next = self.almost_full_q.q.val();

        self.push.next = self.write.val() & (self.count.q.val() != self.size.val());
        self.pop.next = self.read.val() & self.head_v.q.val();
        self.ram.write_enable.next = self.push.val();
        self.ram.write_address.next = self.wptr.q.val();
        self.ram.write_data.next = self.data_in.val();
        if self.push.val() {
            self.wptr.d.next = self.wptr.q.val() + 1;
        }

        // The prefetch buffer: a pop moves the second word up; a fetched
        // word lands in the first free place.
        self.hv.next = self.head_v.q.val();
        self.sv.next = self.second_v.q.val();
        if self.pop.val() {
            self.head.d.next = self.second.q.val();
            self.hv.next = self.second_v.q.val();
            self.sv.next = false;
        }
        if self.inflight.q.val() {
            if !self.hv.val() {
                self.head.d.next = self.ram.read_data.val();
                self.hv.next = true;
            } else {
                self.second.d.next = self.ram.read_data.val();
                self.sv.next = true;
            }
        }
        self.head_v.d.next = self.hv.val();
        self.second_v.d.next = self.sv.val();
        // Fetch only when the word will have a place next cycle.
        self.fetch.next = (self.stored.q.val() != 0) & !(self.hv.val() & self.sv.val());
        self.ram.read_address.next = self.rptr.q.val();
        self.inflight.d.next = self.fetch.val();
        if self.fetch.val() {
            self.rptr.d.next = self.rptr.q.val() + 1;
        }
        self.stored.d.next = self.stored.q.val();
        if self.push.val() & !self.fetch.val() {
            self.stored.d.next = self.stored.q.val() + 1;
        }
        if self.fetch.val() & !self.push.val() {
            self.stored.d.next = self.stored.q.val() - 1;
        }
        self.cnext.next = self.count.q.val();
        if self.push.val() & !self.pop.val() {
            self.cnext.next = self.count.q.val() + 1;
        }
        if self.pop.val() & !self.push.val() {
            self.cnext.next = self.count.q.val() - 1;
        }
        self.count.d.next = self.cnext.val();
        self.almost_full_q.d.next = self.cnext.val() >= self.threshold.val();
        if self.reset.val() {
            self.wptr.d.next = 0.into();
            self.rptr.d.next = 0.into();
            self.count.d.next = 0.into();
            self.stored.d.next = 0.into();
            self.inflight.d.next = false;
            self.head_v.d.next = false;
            self.second_v.d.next = false;
            self.almost_full_q.d.next = false;
        }
    }
}
