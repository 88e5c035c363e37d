//! `rx_front`: where a received frame is buffered once for every block that
//! reads it whole (`rx_checksum`, `rx_parser`).
//!
//! ```text
//!  rx ─┬─> rx_walker ──> descriptor FIFO ─┐
//!      └──────────────> data FIFO ────────┴─> head beat + its descriptor ─┬─> reader a
//!                                                                         └─> reader b
//! ```
//! The walker decides where L3 and (for IPv6) L4 start while the frame's
//! head waits in the data FIFO, so a reader sees each beat with its frame's
//! boundaries already known. The data FIFO holds
//! [`spec::rx_csum::MAX_WALK`] bytes plus slack, enough for any walk to
//! finish, so the input never waits on the walker.
//!
//! The readers move in lock step: the head beat leaves when both can take
//! it (a reader may refuse a frame's last beat alone), and it is
//! registered with its descriptor, so the FIFO outputs and the pop
//! decision feed nothing else. A beat is written whenever `rx.valid` is
//! up: the parent presents a beat only once it moves, and `rx.ready` (room)
//! leaves four beats of slack, so a parent may act on it a cycle late.

use crate::ram::Style;
use crate::rx_walker::{DESC_BITS, RxWalker};
use crate::stream::StreamSink;
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;

/// The standard fronts: 1 byte per beat with a 512-beat data FIFO, 8 bytes
/// per beat with 64 beats (both hold [`spec::rx_csum::MAX_WALK`] bytes).
pub type RxFrontW1 = RxFront<8, 1, { beat_bits(8, 1) }, 9, 10>;
pub type RxFrontW8 = RxFront<64, 8, { beat_bits(64, 8) }, 6, 7>;

/// A buffered beat: data, then keep, last and user.
pub const fn beat_bits(d: usize, k: usize) -> usize {
    d + k + 2
}

#[derive(LogicBlock)]
pub struct RxFront<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize>
{
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: StreamSink<D, K>,
    /// Whether each reader can take a beat this cycle, and a frame's last
    /// beat (the readers' own decisions, independent of the beat).
    pub take_a: Signal<In, Bit>,
    pub take_b: Signal<In, Bit>,
    pub take_last_a: Signal<In, Bit>,
    pub take_last_b: Signal<In, Bit>,
    /// The beat taken last cycle, and its frame's descriptor.
    pub beat_valid: Signal<Out, Bit>,
    pub beat: Signal<Out, Bits<P>>,
    pub desc: Signal<Out, Bits<DESC_BITS>>,
    walker: RxWalker<D, K>,
    dfifo: SyncFifo<P, N, NP1>,
    qfifo: SyncFifo<DESC_BITS, 4, 5>,
    v0: DFF<Bit>,
    d0_beat: DFF<Bits<P>>,
    d0_desc: DFF<Bits<DESC_BITS>>,
    at_keep: Constant<Bits<10>>,
    at_last: Constant<Bits<10>>,
    at_user: Constant<Bits<10>>,
    head_last: Signal<Local, Bit>,
    go: Signal<Local, Bit>,
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Default
    for RxFront<D, K, P, N, NP1>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize>
    RxFront<D, K, P, N, NP1>
{
    pub fn new() -> Self {
        crate::stream::check_widths(D, K);
        assert_eq!(
            P,
            beat_bits(D, K),
            "data FIFO word is data, keep, last, user"
        );
        assert_eq!(N + 1, NP1);
        // The walker decides by byte MAX_WALK; the FIFO must hold that much.
        assert!(
            (1usize << N) * K >= spec::rx_csum::MAX_WALK as usize + 8 * K,
            "data FIFO too small for the walk"
        );
        let c = |v: usize| Constant::new(Bits::<10>::from(v as u64));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            take_a: Default::default(),
            take_b: Default::default(),
            take_last_a: Default::default(),
            take_last_b: Default::default(),
            beat_valid: Default::default(),
            beat: Default::default(),
            desc: Default::default(),
            walker: RxWalker::new(),
            // Shallow at 8 bytes per beat: LUT RAM keeps block-RAM output
            // delay off the 156 MHz paths.
            dfifo: SyncFifo::new(
                (1 << N) - 4,
                if K == 8 {
                    Style::Distributed
                } else {
                    Style::Block
                },
            ),
            qfifo: SyncFifo::new(12, Style::Distributed),
            v0: Default::default(),
            d0_beat: Default::default(),
            d0_desc: Default::default(),
            at_keep: c(D),
            at_last: c(D + K),
            at_user: c(D + K + 1),
            head_last: Default::default(),
            go: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Logic
    for RxFront<D, K, P, N, NP1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, v0, d0_beat, d0_desc);
        clock!(self, clock, walker, dfifo, qfifo);
        self.walker.reset.next = self.reset.val();
        self.dfifo.reset.next = self.reset.val();
        self.qfifo.reset.next = self.reset.val();

        self.rx.ready.next = !self.dfifo.almost_full.val() & !self.qfifo.almost_full.val();
        self.walker.data.next = self.rx.data.val();
        self.walker.keep.next = self.rx.keep.val();
        self.walker.last.next = self.rx.last.val();
        self.walker.valid.next = self.rx.valid.val();
        self.dfifo.write.next = self.rx.valid.val();
        self.dfifo.data_in.next = bit_cast::<P, D>(self.rx.data.val())
            | (bit_cast::<P, K>(self.rx.keep.val()) << self.at_keep.val())
            | (bit_cast::<P, 1>(self.rx.last.val().into()) << self.at_last.val())
            | (bit_cast::<P, 1>(self.rx.user.val().into()) << self.at_user.val());
        self.qfifo.write.next = self.walker.desc_valid.val();
        self.qfifo.data_in.next = self.walker.desc.val();

        self.head_last.next = self
            .dfifo
            .data_out
            .val()
            .get_bit(self.at_last.val().index());
        self.go.next = self.dfifo.valid.val() & self.qfifo.valid.val();
        if self.head_last.val() {
            self.go.next = self.go.val() & self.take_last_a.val() & self.take_last_b.val();
        } else {
            self.go.next = self.go.val() & self.take_a.val() & self.take_b.val();
        }
        self.dfifo.read.next = self.go.val();
        self.qfifo.read.next = self.go.val() & self.head_last.val();
        self.v0.d.next = self.go.val();
        self.d0_beat.d.next = self.dfifo.data_out.val();
        self.d0_desc.d.next = self.qfifo.data_out.val();
        self.beat_valid.next = self.v0.q.val();
        self.beat.next = self.d0_beat.q.val();
        self.desc.next = self.d0_desc.q.val();
        if self.reset.val() {
            self.v0.d.next = false;
        }
    }
}
