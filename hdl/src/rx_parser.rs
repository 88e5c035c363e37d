//! `rx_parser` as a block of its own: [`crate::rx_front`] then
//! [`crate::rx_parser_core`], one header record per received frame (the
//! rules are in [`spec::rx_parse`]). The engine shares one front between
//! the checksum and parser cores instead.

use crate::rx_front::{RxFront, beat_bits};
use crate::rx_parser_core::{ParserCore, RB};
use crate::stream::StreamSink;
use rust_hdl::prelude::*;

/// The standard builds (fronts as in `rx_checksum`); the last parameter is
/// the L4 window: 60 beats at 1 byte, 9 beats at 8.
pub type RxParserW1 = RxParser<8, 1, { beat_bits(8, 1) }, 9, 10, 480>;
pub type RxParserW8 = RxParser<64, 8, { beat_bits(64, 8) }, 6, 7, 576>;

#[derive(LogicBlock)]
pub struct RxParser<
    const D: usize,
    const K: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
    const TB: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: StreamSink<D, K>,
    pub header: Signal<Out, Bits<RB>>,
    pub header_valid: Signal<Out, Bit>,
    pub header_ready: Signal<In, Bit>,
    front: RxFront<D, K, P, N, NP1>,
    core: ParserCore<D, K, P, TB>,
}

impl<
    const D: usize,
    const K: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
    const TB: usize,
> Default for RxParser<D, K, P, N, NP1, TB>
{
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            header: Default::default(),
            header_valid: Default::default(),
            header_ready: Default::default(),
            front: RxFront::new(),
            core: ParserCore::new(),
        }
    }
}

impl<
    const D: usize,
    const K: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
    const TB: usize,
> RxParser<D, K, P, N, NP1, TB>
{
    pub fn new() -> Self {
        Self::default()
    }
}

impl<
    const D: usize,
    const K: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
    const TB: usize,
> Logic for RxParser<D, K, P, N, NP1, TB>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, front, core);
        self.front.reset.next = self.reset.val();
        self.core.reset.next = self.reset.val();
        self.rx.ready.next = self.front.rx.ready.val();
        self.front.rx.valid.next = self.rx.valid.val() & self.front.rx.ready.val();
        self.front.rx.data.next = self.rx.data.val();
        self.front.rx.keep.next = self.rx.keep.val();
        self.front.rx.last.next = self.rx.last.val();
        self.front.rx.user.next = self.rx.user.val();
        self.front.take_a.next = self.core.take.val();
        self.front.take_last_a.next = self.core.take_last.val();
        self.front.take_b.next = true;
        self.front.take_last_b.next = true;
        self.core.in_valid.next = self.front.beat_valid.val();
        self.core.in_beat.next = self.front.beat.val();
        self.core.in_desc.next = self.front.desc.val();
        self.header.next = self.core.header.val();
        self.header_valid.next = self.core.header_valid.val();
        self.core.header_ready.next = self.header_ready.val();
    }
}
