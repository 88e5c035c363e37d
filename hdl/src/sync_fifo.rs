//! `sync_fifo`: a first-word-fall-through FIFO in block RAM, with a
//! synchronous reset (rust-hdl's own FIFO has none, and leaves outputs
//! unused that the linter would flag).
//!
//! `data_out` holds the head word whenever `valid` is high; `read` pops it.
//! A word written in cycle t can be read from cycle t + 2, since the RAM
//! read is registered. All
//! outputs come straight from registers (linked, not assigned), so an owner
//! may compute `read` from `valid` and `data_out` without a combinational
//! loop through this block.
//! Writes when full and reads when empty are ignored; the owner must gate
//! them with `almost_full` (count >= the threshold given to `new`) and
//! `valid`.

use rust_hdl::prelude::*;
use rust_hdl::widgets::prelude::RAM;

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
    ram: RAM<Bits<W>, N>,
    wptr: DFF<Bits<NP1>>,
    rptr: DFF<Bits<NP1>>,
    valid_q: DFF<Bit>,
    almost_full_q: DFF<Bit>,
    threshold: Constant<Bits<NP1>>,
    size: Constant<Bits<NP1>>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    wnext: Signal<Local, Bits<NP1>>,
    rnext: Signal<Local, Bits<NP1>>,
}

impl<const W: usize, const N: usize, const NP1: usize> SyncFifo<W, N, NP1> {
    /// `almost_full_at`: the count from which `almost_full` is high.
    pub fn new(almost_full_at: usize) -> Self {
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
            ram: Default::default(),
            wptr: Default::default(),
            rptr: Default::default(),
            valid_q: Default::default(),
            almost_full_q: Default::default(),
            threshold: Constant::new((almost_full_at as u64).to_bits()),
            size: Constant::new((1u64 << N).to_bits()),
            push: Default::default(),
            pop: Default::default(),
            wnext: Default::default(),
            rnext: Default::default(),
        }
    }
}

impl<const W: usize, const N: usize, const NP1: usize> Logic for SyncFifo<W, N, NP1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wptr, rptr, valid_q, almost_full_q);
        self.ram.write_clock.next = self.clock.val();
        self.ram.read_clock.next = self.clock.val();
        self.data_out.next = self.ram.read_data.val();
        self.valid.next = self.valid_q.q.val();
        self.almost_full.next = self.almost_full_q.q.val();
        self.push.next =
            self.write.val() & ((self.wptr.q.val() - self.rptr.q.val()) != self.size.val());
        self.pop.next = self.read.val() & self.valid_q.q.val();
        self.wnext.next = self.wptr.q.val();
        if self.push.val() {
            self.wnext.next = self.wptr.q.val() + 1;
        }
        self.rnext.next = self.rptr.q.val();
        if self.pop.val() {
            self.rnext.next = self.rptr.q.val() + 1;
        }
        self.ram.write_enable.next = self.push.val();
        self.ram.write_address.next = self.wptr.q.val().get_bits::<N>(0);
        self.ram.write_data.next = self.data_in.val();
        // Read ahead: the RAM presents the word at the new read pointer.
        self.ram.read_address.next = self.rnext.val().get_bits::<N>(0);
        self.wptr.d.next = self.wnext.val();
        self.rptr.d.next = self.rnext.val();
        self.valid_q.d.next = self.rnext.val() != self.wptr.q.val();
        self.almost_full_q.d.next = (self.wnext.val() - self.rnext.val()) >= self.threshold.val();
        if self.reset.val() {
            self.wptr.d.next = 0.into();
            self.rptr.d.next = 0.into();
            self.valid_q.d.next = false;
            self.almost_full_q.d.next = false;
        }
    }
}
