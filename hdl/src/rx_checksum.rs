//! `rx_checksum` as a block of its own: [`crate::rx_front`] then
//! [`crate::rx_checksum_core`], one checksum verdict record per received
//! frame (the rules are in [`spec::rx_csum`]). The engine shares one front
//! between the checksum and parser cores instead.

use crate::rx_checksum_core::ChecksumCore;
use crate::rx_front::{RxFront, beat_bits};
use crate::stream::StreamSink;
use rust_hdl::prelude::*;

/// The standard builds: 1 byte per beat with a 512-beat data FIFO, 8 bytes
/// per beat with 64 beats (both hold [`spec::rx_csum::MAX_WALK`] bytes).
pub type RxChecksumW1 = RxChecksum<8, 1, { beat_bits(8, 1) }, 9, 10>;
pub type RxChecksumW8 = RxChecksum<64, 8, { beat_bits(64, 8) }, 6, 7>;

#[derive(LogicBlock)]
pub struct RxChecksum<
    const D: usize,
    const K: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rx: StreamSink<D, K>,
    pub verdict: Signal<Out, Bits<32>>,
    pub verdict_valid: Signal<Out, Bit>,
    pub verdict_ready: Signal<In, Bit>,
    front: RxFront<D, K, P, N, NP1>,
    core: ChecksumCore<D, K, P>,
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Default
    for RxChecksum<D, K, P, N, NP1>
{
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            verdict: Default::default(),
            verdict_valid: Default::default(),
            verdict_ready: Default::default(),
            front: RxFront::new(),
            core: ChecksumCore::new(),
        }
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize>
    RxChecksum<D, K, P, N, NP1>
{
    pub fn new() -> Self {
        Self::default()
    }
}

impl<const D: usize, const K: usize, const P: usize, const N: usize, const NP1: usize> Logic
    for RxChecksum<D, K, P, N, NP1>
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
        self.verdict.next = self.core.verdict.val();
        self.verdict_valid.next = self.core.verdict_valid.val();
        self.core.verdict_ready.next = self.verdict_ready.val();
    }
}
