//! `csum_acc`: the ones' complement sum of selected bytes of each frame.
//!
//! The owner says, beat by beat, which byte lanes count (`mask`); the block
//! adds them as big-endian 16-bit words and, a fixed [`LATENCY`] after the
//! beat marked `last`, pulses `done` with the folded 16-bit sum. One adder
//! per pipeline stage keeps the 64-bit datapath above 156.25 MHz on ECP5.
//!
//! At 8 bytes per beat lane `2j` is the high byte of word `j`; at 1 byte per
//! beat the owner says with `hi` whether the byte is a word's high byte.

use rust_hdl::prelude::*;

/// Cycles from a beat on the inputs to `done` for the frame it ends.
pub const LATENCY: usize = 6;

/// The accumulator at 1 and 8 bytes per beat.
pub type CsumAccW1 = CsumAcc<8, 1>;
pub type CsumAccW8 = CsumAcc<64, 8>;

#[derive(LogicBlock)]
pub struct CsumAcc<const D: usize, const K: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub data: Signal<In, Bits<D>>,
    pub mask: Signal<In, Bits<K>>,
    pub hi: Signal<In, Bit>,
    pub valid: Signal<In, Bit>,
    pub first: Signal<In, Bit>,
    pub last: Signal<In, Bit>,
    pub sum: Signal<Out, Bits<16>>,
    pub done: Signal<Out, Bit>,
    // P1: masked words
    words: Vec<DFF<Bits<16>>>,
    p1: DFF<Bits<3>>,
    // P2: pair sums
    pairs: Vec<DFF<Bits<17>>>,
    p2: DFF<Bits<3>>,
    // P3: the beat's sum
    p3_beat: DFF<Bits<20>>,
    p3: DFF<Bits<3>>,
    // P4: running sum, and the total of a finished frame
    acc: DFF<Bits<32>>,
    p4_total: DFF<Bits<32>>,
    p4_done: DFF<Bit>,
    // P5, P6: folds
    p5_fold: DFF<Bits<17>>,
    p5_done: DFF<Bit>,
    p6_sum: DFF<Bits<16>>,
    p6_done: DFF<Bit>,
    narrow: Constant<Bit>,
    valid_flag: Constant<Bits<3>>,
    pair: Signal<Local, Bits<17>>,
    beat: Signal<Local, Bits<20>>,
    lane_hi: Signal<Local, Bits<8>>,
    lane_lo: Signal<Local, Bits<8>>,
    word: Signal<Local, Bits<16>>,
    flags: Signal<Local, Bits<3>>,
    running: Signal<Local, Bits<32>>,
}

impl<const D: usize, const K: usize> CsumAcc<D, K> {
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            data: Default::default(),
            mask: Default::default(),
            hi: Default::default(),
            valid: Default::default(),
            first: Default::default(),
            last: Default::default(),
            sum: Default::default(),
            done: Default::default(),
            words: (0..(K / 2).max(1)).map(|_| Default::default()).collect(),
            p1: Default::default(),
            pairs: (0..(K / 4).max(1)).map(|_| Default::default()).collect(),
            p2: Default::default(),
            p3_beat: Default::default(),
            p3: Default::default(),
            acc: Default::default(),
            p4_total: Default::default(),
            p4_done: Default::default(),
            p5_fold: Default::default(),
            p5_done: Default::default(),
            p6_sum: Default::default(),
            p6_done: Default::default(),
            narrow: Constant::new(K == 1),
            valid_flag: Constant::new(4.into()),
            pair: Default::default(),
            beat: Default::default(),
            lane_hi: Default::default(),
            lane_lo: Default::default(),
            word: Default::default(),
            flags: Default::default(),
            running: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize> Default for CsumAcc<D, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize> Logic for CsumAcc<D, K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, p1, p2, p3_beat, p3, acc, p4_total, p4_done, p5_fold, p5_done, p6_sum,
            p6_done
        );
        for j in 0..(K / 2usize).max(1usize) {
            self.words[j].clock.next = self.clock.val();
        }
        for j in 0..(K / 4usize).max(1usize) {
            self.pairs[j].clock.next = self.clock.val();
        }
        self.lane_hi.next = 0.into();
        self.lane_lo.next = 0.into();
        self.word.next = 0.into();
        self.running.next = 0.into();
        self.pair.next = 0.into();
        self.beat.next = 0.into();
        // Flags travel as [valid, first, last].
        self.flags.next = 0.into();
        if self.valid.val() {
            self.flags.next = bit_cast::<3, 1>(self.last.val().into())
                | (bit_cast::<3, 1>(self.first.val().into()) << 1)
                | self.valid_flag.val();
        }
        // P1: mask lanes into big-endian words.
        if self.narrow.val() {
            self.lane_hi.next = self.data.val().get_bits::<8>(0);
            if !self.mask.val().any() || !self.hi.val() {
                self.lane_hi.next = 0.into();
            }
            self.lane_lo.next = self.data.val().get_bits::<8>(0);
            if !self.mask.val().any() || self.hi.val() {
                self.lane_lo.next = 0.into();
            }
            self.word.next = (bit_cast::<16, 8>(self.lane_hi.val()) << 8)
                | bit_cast::<16, 8>(self.lane_lo.val());
            self.words[0].d.next = self.word.val();
        } else {
            for j in 0..(K / 2usize) {
                self.lane_hi.next = self.data.val().get_bits::<8>(16 * j);
                self.lane_lo.next = self.data.val().get_bits::<8>(16 * j + 8);
                if !self.mask.val().get_bit(2 * j) {
                    self.lane_hi.next = 0.into();
                }
                if !self.mask.val().get_bit(2 * j + 1) {
                    self.lane_lo.next = 0.into();
                }
                self.word.next = (bit_cast::<16, 8>(self.lane_hi.val()) << 8)
                    | bit_cast::<16, 8>(self.lane_lo.val());
                self.words[j].d.next = self.word.val();
            }
        }
        self.p1.d.next = self.flags.val();
        // P2: pairs of words.
        if self.narrow.val() {
            self.pairs[0].d.next = bit_cast::<17, 16>(self.words[0].q.val());
        } else {
            for j in 0..(K / 4usize) {
                self.word.next = self.words[2 * j].q.val();
                self.pair.next = bit_cast::<17, 16>(self.word.val());
                self.word.next = self.words[2 * j + 1].q.val();
                self.pairs[j].d.next = self.pair.val() + bit_cast::<17, 16>(self.word.val());
            }
        }
        self.p2.d.next = self.p1.q.val();
        // P3: all pairs of the beat. (Sums build up in locals: a block's
        // input reads back its value from the last settle in rust-hdl's
        // simulator, not what was just assigned.)
        self.beat.next = 0.into();
        for j in 0..(K / 4usize).max(1usize) {
            self.pair.next = self.pairs[j].q.val();
            self.beat.next = self.beat.val() + bit_cast::<20, 17>(self.pair.val());
        }
        self.p3_beat.d.next = self.beat.val();
        self.p3.d.next = self.p2.q.val();
        // P4: accumulate; a first beat restarts the sum.
        self.running.next = self.acc.q.val();
        if self.p3.q.val().get_bit(1) {
            self.running.next = 0.into();
        }
        self.running.next = self.running.val() + bit_cast::<32, 20>(self.p3_beat.q.val());
        self.p4_done.d.next = false;
        if self.p3.q.val().get_bit(2) {
            self.acc.d.next = self.running.val();
            if self.p3.q.val().get_bit(0) {
                self.p4_total.d.next = self.running.val();
                self.p4_done.d.next = true;
            }
        }
        // P5, P6: fold the carries back in.
        self.p5_fold.d.next = bit_cast::<17, 16>(self.p4_total.q.val().get_bits::<16>(0))
            + bit_cast::<17, 16>(self.p4_total.q.val().get_bits::<16>(16));
        self.p5_done.d.next = self.p4_done.q.val();
        self.p6_sum.d.next = self.p5_fold.q.val().get_bits::<16>(0)
            + bit_cast::<16, 1>(self.p5_fold.q.val().get_bit(16).into());
        self.p6_done.d.next = self.p5_done.q.val();
        self.sum.next = self.p6_sum.q.val();
        self.done.next = self.p6_done.q.val();
        if self.reset.val() {
            self.p1.d.next = 0.into();
            self.p2.d.next = 0.into();
            self.p3.d.next = 0.into();
            self.p4_done.d.next = false;
            self.p5_done.d.next = false;
            self.p6_done.d.next = false;
        }
    }
}
