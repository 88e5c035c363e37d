//! `widen`: a byte stream (a MAC's receive side, one byte per clock) made
//! into a stream of `K`-byte beats, the engine's width, so the clock
//! crossing after it carries one word per `K` bytes and the engine clock
//! may be `K` times slower than the byte clock.
//!
//! Bytes fill a beat from lane 0; a frame's last byte, or lane `K - 1`,
//! closes it. A beat's `user` is the OR of its bytes' (a MAC marks a bad
//! frame on its last byte). One byte a cycle goes through for as long as
//! the output is ready: the next beat starts filling in the cycle the
//! closed one leaves.

use crate::stream::{StreamSink, StreamSource, check_widths};
use rust_hdl::prelude::*;

/// Bytes into 8-byte beats.
pub type WidenW8 = Widen<64, 8>;

#[derive(LogicBlock)]
pub struct Widen<const D: usize, const K: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: StreamSink<8, 1>,
    pub tx: StreamSource<D, K>,
    data: DFF<Bits<D>>,
    keep: DFF<Bits<K>>,
    user: DFF<Bit>,
    last: DFF<Bit>,
    /// The beat is closed and offered; while it is, `lane` is 0.
    full: DFF<Bit>,
    /// The lane the next byte goes to.
    lane: DFF<Bits<4>>,
    last_lane: Constant<Bits<4>>,
    take: Signal<Local, Bit>,
    shift: Signal<Local, Bits<8>>,
    shifted: Signal<Local, Bits<D>>,
    lane_bit: Signal<Local, Bits<K>>,
    unused_keep: Signal<Local, Bit>,
}

impl<const D: usize, const K: usize> Widen<D, K> {
    pub fn new() -> Self {
        check_widths(D, K);
        assert!(K <= 16);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            tx: Default::default(),
            data: Default::default(),
            keep: Default::default(),
            user: Default::default(),
            last: Default::default(),
            full: Default::default(),
            lane: Default::default(),
            last_lane: Constant::new(((K - 1) as u64).to_bits()),
            take: Default::default(),
            shift: Default::default(),
            shifted: Default::default(),
            lane_bit: Default::default(),
            unused_keep: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize> Default for Widen<D, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize> Logic for Widen<D, K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, data, keep, user, last, full, lane);
        // A byte stream's keep is always its one lane.
        self.unused_keep.next = self.rx.keep.val().any();
        self.tx.valid.next = self.full.q.val();
        self.tx.data.next = self.data.q.val();
        self.tx.keep.next = self.keep.q.val();
        self.tx.last.next = self.last.q.val();
        self.tx.user.next = self.user.q.val();
        self.rx.ready.next = !self.full.q.val() | self.tx.ready.val();
        self.take.next = self.rx.valid.val() & (!self.full.q.val() | self.tx.ready.val());
        if self.full.q.val() & self.tx.ready.val() {
            self.full.d.next = false;
        }
        self.shift.next = bit_cast::<8, 4>(self.lane.q.val()) << 3;
        self.shifted.next = bit_cast::<D, 8>(self.rx.data.val()) << self.shift.val();
        self.lane_bit.next = bit_cast::<K, 1>(true.into()) << self.lane.q.val();
        if self.take.val() {
            if self.lane.q.val() == 0 {
                self.data.d.next = self.shifted.val();
                self.keep.d.next = self.lane_bit.val();
                self.user.d.next = self.rx.user.val();
            } else {
                self.data.d.next = self.data.q.val() | self.shifted.val();
                self.keep.d.next = self.keep.q.val() | self.lane_bit.val();
                self.user.d.next = self.user.q.val() | self.rx.user.val();
            }
            self.lane.d.next = self.lane.q.val() + 1;
            if self.rx.last.val() | (self.lane.q.val() == self.last_lane.val()) {
                self.full.d.next = true;
                self.last.d.next = self.rx.last.val();
                self.lane.d.next = 0.into();
            }
        }
        if self.reset.val() {
            self.full.d.next = false;
            self.lane.d.next = 0.into();
        }
    }
}
