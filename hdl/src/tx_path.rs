//! `tx_path`: `tso` then `tx_checksum`, the engine's transmit side from the
//! host's frames to the MAC.
//!
//! `tso` hands each segment to `tx_checksum` with the checksum command its
//! descriptor implies, so a super-frame leaves as segments with both
//! checksums filled in. `done` reports per host frame (from `tso`); `status`
//! per wire frame (from `tx_checksum`).

use crate::stream::{StreamSink, StreamSource};
use crate::tso::DESC_BITS;
use crate::tso::Tso;
use crate::tx_checksum::TxChecksum;
use rust_hdl::prelude::*;

/// The 64-bit build (`tx_checksum` buffers 2^11 beats).
pub type TxPathW8 = TxPath<64, 8, 12, 6, 106, 166, 73, 11, 12>;
/// The 8-bit build (`tx_checksum` buffers 2^14 beats).
pub type TxPathW1 = TxPath<8, 1, 15, 9, 43, 169, 10, 14, 15>;

#[derive(LogicBlock)]
pub struct TxPath<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub tx: StreamSink<D, K>,
    /// The frame's [`spec::tso::Desc`], with its first beat.
    pub desc: Signal<In, Bits<DESC_BITS>>,
    pub mac: StreamSource<D, K>,
    /// The wire frame's [`spec::tx_csum::Status`], with every beat.
    pub status: Signal<Out, Bits<3>>,
    pub done_valid: Signal<Out, Bit>,
    pub done_status: Signal<Out, Bits<4>>,
    pub done_segments: Signal<Out, Bits<16>>,
    tso: Tso<D, K, RB, HB, OW, QW>,
    csum: TxChecksum<D, K, P, N, NP1>,
}

impl<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
> TxPath<D, K, RB, HB, OW, QW, P, N, NP1>
{
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            tx: Default::default(),
            desc: Default::default(),
            mac: Default::default(),
            status: Default::default(),
            done_valid: Default::default(),
            done_status: Default::default(),
            done_segments: Default::default(),
            tso: Tso::new(),
            csum: TxChecksum::new(),
        }
    }
}

impl<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
> Default for TxPath<D, K, RB, HB, OW, QW, P, N, NP1>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<
    const D: usize,
    const K: usize,
    const RB: usize,
    const HB: usize,
    const OW: usize,
    const QW: usize,
    const P: usize,
    const N: usize,
    const NP1: usize,
> Logic for TxPath<D, K, RB, HB, OW, QW, P, N, NP1>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, tso, csum);
        self.tso.reset.next = self.reset.val();
        self.csum.reset.next = self.reset.val();
        self.tso.tx.data.next = self.tx.data.val();
        self.tso.tx.keep.next = self.tx.keep.val();
        self.tso.tx.valid.next = self.tx.valid.val();
        self.tso.tx.last.next = self.tx.last.val();
        self.tso.tx.user.next = self.tx.user.val();
        self.tx.ready.next = self.tso.tx.ready.val();
        self.tso.desc.next = self.desc.val();
        self.csum.tx.data.next = self.tso.seg.data.val();
        self.csum.tx.keep.next = self.tso.seg.keep.val();
        self.csum.tx.valid.next = self.tso.seg.valid.val();
        self.csum.tx.last.next = self.tso.seg.last.val();
        self.csum.tx.user.next = self.tso.seg.user.val();
        self.tso.seg.ready.next = self.csum.tx.ready.val();
        self.csum.cmd.next = self.tso.cmd.val();
        self.mac.data.next = self.csum.mac.data.val();
        self.mac.keep.next = self.csum.mac.keep.val();
        self.mac.valid.next = self.csum.mac.valid.val();
        self.mac.last.next = self.csum.mac.last.val();
        self.mac.user.next = self.csum.mac.user.val();
        self.csum.mac.ready.next = self.mac.ready.val();
        self.status.next = self.csum.status.val();
        self.done_valid.next = self.tso.done_valid.val();
        self.done_status.next = self.tso.done_status.val();
        self.done_segments.next = self.tso.done_segments.val();
    }
}
