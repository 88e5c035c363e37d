//! `narrow`: a stream of `K`-byte beats made into a byte stream, the
//! mirror of `widen`, for the transmit side: the engine's beats cross to
//! the MAC's clock (`cdc_fifo`) and leave a byte a clock into `mac_tx`,
//! which takes a byte every cycle once a frame starts.
//!
//! A beat is held and its bytes leave from lane 0 up to its last kept
//! lane (only a frame's last beat may keep fewer than `K`); the next beat
//! is taken in the cycle its predecessor's last byte leaves, so bytes go
//! out back to back. `last` and `user` go on the frame's final byte.

use crate::stream::{StreamSink, StreamSource, check_widths};
use rust_hdl::prelude::*;

/// 8-byte beats into bytes.
pub type NarrowW8 = Narrow<64, 8>;

#[derive(LogicBlock)]
pub struct Narrow<const D: usize, const K: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: StreamSink<D, K>,
    pub tx: StreamSource<8, 1>,
    data: DFF<Bits<D>>,
    keep: DFF<Bits<K>>,
    last: DFF<Bit>,
    user: DFF<Bit>,
    full: DFF<Bit>,
    /// The lane of the byte on offer.
    lane: DFF<Bits<4>>,
    shift: Signal<Local, Bits<8>>,
    shifted: Signal<Local, Bits<D>>,
    rest: Signal<Local, Bits<K>>,
    final_byte: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    unused_data: Signal<Local, Bits<D>>,
}

impl<const D: usize, const K: usize> Narrow<D, K> {
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
            last: Default::default(),
            user: Default::default(),
            full: Default::default(),
            lane: Default::default(),
            shift: Default::default(),
            shifted: Default::default(),
            rest: Default::default(),
            final_byte: Default::default(),
            take: Default::default(),
            unused_data: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize> Default for Narrow<D, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize> Logic for Narrow<D, K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, data, keep, last, user, full, lane);
        self.shift.next = bit_cast::<8, 4>(self.lane.q.val()) << 3;
        self.shifted.next = self.data.q.val() >> self.shift.val();
        self.unused_data.next = self.shifted.val();
        // The kept lanes above this one: none means this byte ends the beat.
        self.rest.next = (self.keep.q.val() >> self.lane.q.val()) >> 1;
        self.final_byte.next = !self.rest.val().any();
        self.tx.data.next = self.shifted.val().get_bits::<8>(0);
        self.tx.keep.next = true.into();
        self.tx.valid.next = self.full.q.val();
        self.tx.last.next = self.last.q.val() & self.final_byte.val();
        self.tx.user.next = self.user.q.val() & self.final_byte.val();
        self.take.next = !self.full.q.val() | (self.tx.ready.val() & self.final_byte.val());
        self.rx.ready.next = self.take.val();
        if self.full.q.val() & self.tx.ready.val() {
            self.lane.d.next = self.lane.q.val() + 1;
            if self.final_byte.val() {
                self.full.d.next = false;
                self.lane.d.next = 0.into();
            }
        }
        if self.take.val() & self.rx.valid.val() {
            self.data.d.next = self.rx.data.val();
            self.keep.d.next = self.rx.keep.val();
            self.last.d.next = self.rx.last.val();
            self.user.d.next = self.rx.user.val();
            self.full.d.next = true;
            self.lane.d.next = 0.into();
        }
        if self.reset.val() {
            self.full.d.next = false;
            self.lane.d.next = 0.into();
        }
    }
}
