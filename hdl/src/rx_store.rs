//! `rx_store`: received frames held whole until their verdict, then
//! sent on to the host path (`rx_dma`), to the payload writer
//! (`rx_writer`, for frames `rx_place` placed), or dropped. The verdict
//! needs the whole frame (its checksum, the table's class, `rx_place`),
//! so nothing may be written to host memory before it: this is where a
//! frame waits instead.
//!
//! ```text
//! rx ─> beat FIFO (2^N beats) ──> head frame ─┬─> host
//! verdict ─> verdict FIFO (32) ─> its route ──┴─> place
//! ```
//! Verdict k is frame k's, in arrival order, and may come before or after
//! the frame. A frame leaves as its beats come, once its verdict is here,
//! one cycle's gap after the one before. The input waits only when the
//! beat FIFO is full, so the owner must give a frame's verdict without
//! waiting for later frames, and no frame may be longer than the FIFO
//! (`2^N` beats: 16 KiB in the engine's build, a 9216-byte jumbo frame
//! with room for the next).

use crate::ram::Style;
use crate::stream::{StreamSink, StreamSource};
use crate::sync_fifo::SyncFifo;
use rust_hdl::prelude::*;

/// A stored beat: data 63..0, keep 71..64, last 72.
const BW: usize = 73;
/// Route codes of a verdict (3 drops too).
pub const DROP: u8 = 0;
pub const HOST: u8 = 1;
pub const PLACE: u8 = 2;

/// 2048 beats of 8 bytes.
pub type RxStore16k = RxStore<11, 12>;
/// 64 beats: same logic, quick to fill in simulation.
pub type RxStoreSmall = RxStore<6, 7>;

/// `2^N` beats (`N1` = `N + 1`).
#[derive(LogicBlock)]
pub struct RxStore<const N: usize, const N1: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: StreamSink<64, 8>,
    pub verdict_valid: Signal<In, Bit>,
    pub verdict_ready: Signal<Out, Bit>,
    pub verdict: Signal<In, Bits<2>>,
    pub host: StreamSource<64, 8>,
    pub place: StreamSource<64, 8>,
    /// Nothing stored and no verdict waiting.
    pub empty: Signal<Out, Bit>,
    beats: SyncFifo<BW, N, N1>,
    routes: SyncFifo<2, 5, 6>,
    have: DFF<Bit>,
    route: DFF<Bits<2>>,
    /// Beats and verdicts held (the FIFOs show a word a few cycles after
    /// its write), for `empty`.
    stored: DFF<Bits<N1>>,
    judged: DFF<Bits<6>>,
    go: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    unused_user: Signal<Local, Bit>,
}

impl<const N: usize, const N1: usize> RxStore<N, N1> {
    pub fn new() -> Self {
        assert_eq!(N + 1, N1);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            verdict_valid: Default::default(),
            verdict_ready: Default::default(),
            verdict: Default::default(),
            host: Default::default(),
            place: Default::default(),
            empty: Default::default(),
            // Room for the beat in flight when `almost_full` rises.
            beats: SyncFifo::new((1 << N) - 2, Style::Block),
            routes: SyncFifo::new(30, Style::Distributed),
            have: Default::default(),
            route: Default::default(),
            stored: Default::default(),
            judged: Default::default(),
            go: Default::default(),
            take: Default::default(),
            unused_user: Default::default(),
        }
    }
}

impl<const N: usize, const N1: usize> Default for RxStore<N, N1> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const N1: usize> Logic for RxStore<N, N1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, have, route, stored, judged);
        clock!(self, clock, beats, routes);
        self.beats.reset.next = self.reset.val();
        self.routes.reset.next = self.reset.val();
        self.unused_user.next = self.rx.user.val();

        // In: beats as they come, verdicts as they come.
        self.rx.ready.next = !self.beats.almost_full.val();
        self.beats.write.next = self.rx.valid.val() & self.rx.ready.val();
        self.beats.data_in.next = bit_cast::<BW, 64>(self.rx.data.val())
            | (bit_cast::<BW, 8>(self.rx.keep.val()) << 64)
            | (bit_cast::<BW, 1>(self.rx.last.val().into()) << 72);
        self.verdict_ready.next = !self.routes.almost_full.val();
        self.routes.write.next = self.verdict_valid.val() & self.verdict_ready.val();
        self.routes.data_in.next = self.verdict.val();

        // The head frame's route, taken when the frame before has gone.
        self.take.next = !self.have.q.val() & self.routes.valid.val();
        self.routes.read.next = self.take.val();
        if self.take.val() {
            self.have.d.next = true;
            self.route.d.next = self.routes.data_out.val();
        }

        // Out: the head beat to its route's port (a dropped beat goes at once).
        self.host.data.next = self.beats.data_out.val().get_bits::<64>(0);
        self.host.keep.next = self.beats.data_out.val().get_bits::<8>(64);
        self.host.last.next = self.beats.data_out.val().get_bit(72);
        self.host.user.next = false;
        self.place.data.next = self.beats.data_out.val().get_bits::<64>(0);
        self.place.keep.next = self.beats.data_out.val().get_bits::<8>(64);
        self.place.last.next = self.beats.data_out.val().get_bit(72);
        self.place.user.next = false;
        self.host.valid.next =
            self.have.q.val() & self.beats.valid.val() & (self.route.q.val() == 1);
        self.place.valid.next =
            self.have.q.val() & self.beats.valid.val() & (self.route.q.val() == 2);
        self.go.next = self.have.q.val()
            & self.beats.valid.val()
            & ((self.route.q.val() == 0)
                | (self.route.q.val() == 3)
                | (self.host.valid.val() & self.host.ready.val())
                | (self.place.valid.val() & self.place.ready.val()));
        self.beats.read.next = self.go.val();
        if self.go.val() & self.beats.data_out.val().get_bit(72) {
            self.have.d.next = false;
        }

        self.stored.d.next = self.stored.q.val() + bit_cast::<N1, 1>(self.beats.write.val().into())
            - bit_cast::<N1, 1>(self.go.val().into());
        self.judged.d.next = self.judged.q.val() + bit_cast::<6, 1>(self.routes.write.val().into())
            - bit_cast::<6, 1>(self.take.val().into());
        self.empty.next =
            (self.stored.q.val() == 0) & (self.judged.q.val() == 0) & !self.have.q.val();
        if self.reset.val() {
            self.have.d.next = false;
            self.stored.d.next = 0.into();
            self.judged.d.next = 0.into();
        }
    }
}
