//! `cdc_fifo`: carries a stream from one clock domain to another, e.g.
//! from a MAC's 125 MHz receive clock to the engine's clock.
//!
//! The classic asynchronous FIFO (C. Cummings, "Simulation and Synthesis
//! Techniques for Asynchronous FIFO Design", SNUG 2002, style #1): each
//! side counts its pointer in binary, one bit wider than the address, and
//! publishes it in Gray code from a register. The other side samples it
//! through two flip-flops. A Gray pointer changes one bit per step, so a
//! sample caught mid-change is the old value or the new one, never a third;
//! and the sampled copy is late, so `full` and `empty` judged against it
//! are pessimistic, never wrong. The beats live in [`CdcRam`], written on
//! the write clock and read without a clock on the read side, which
//! registers the head beat (`rd` comes from flip-flops only).
//!
//! Each side has its own synchronous reset; assert both together for at
//! least two cycles of the slower clock. `wr.ready` and `rd.valid` fall
//! only on their own side's edges, so no handshake depends on the other
//! clock.

use crate::cdc_ram::CdcRam;
use crate::stream::{StreamSink, StreamSource, check_widths};
use rust_hdl::prelude::*;

/// 16 beats of 8 bytes: the engine side of a 1 GbE MAC.
pub type CdcFifoW8 = CdcFifo<64, 8, 4, 5>;
/// 16 bytes, for byte streams.
pub type CdcFifoW1 = CdcFifo<8, 1, 4, 5>;
/// 2 bytes: small enough for a bounded formal check to wrap the
/// pointers twice.
pub type CdcFifoFormal = CdcFifo<8, 1, 1, 2>;

/// `D`/`K`: the stream's widths; `2^A` beats, `AP1` = `A + 1`.
#[derive(LogicBlock)]
pub struct CdcFifo<const D: usize, const K: usize, const A: usize, const AP1: usize> {
    pub wr_clock: Signal<In, Clock>,
    pub wr_reset: Signal<In, Bit>,
    pub wr: StreamSink<D, K>,
    pub rd_clock: Signal<In, Clock>,
    pub rd_reset: Signal<In, Bit>,
    pub rd: StreamSource<D, K>,
    data: CdcRam<D, A>,
    keep: CdcRam<K, A>,
    /// last (bit 0) and user (bit 1).
    flags: CdcRam<2, A>,
    // Write clock domain.
    wbin: DFF<Bits<AP1>>,
    wgray: DFF<Bits<AP1>>,
    r_sync1: DFF<Bits<AP1>>,
    r_sync2: DFF<Bits<AP1>>,
    // Read clock domain.
    rbin: DFF<Bits<AP1>>,
    rgray: DFF<Bits<AP1>>,
    w_sync1: DFF<Bits<AP1>>,
    w_sync2: DFF<Bits<AP1>>,
    head_data: DFF<Bits<D>>,
    head_keep: DFF<Bits<K>>,
    head_flags: DFF<Bits<2>>,
    head_v: DFF<Bit>,
    /// The two top bits: a full FIFO's write pointer is the read pointer
    /// with these inverted (in Gray code).
    top2: Constant<Bits<AP1>>,
    full: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    wnext: Signal<Local, Bits<AP1>>,
    load: Signal<Local, Bit>,
    rnext: Signal<Local, Bits<AP1>>,
}

impl<const D: usize, const K: usize, const A: usize, const AP1: usize> CdcFifo<D, K, A, AP1> {
    pub fn new() -> Self {
        check_widths(D, K);
        assert!(A >= 1 && A + 1 == AP1);
        Self {
            wr_clock: Default::default(),
            wr_reset: Default::default(),
            wr: Default::default(),
            rd_clock: Default::default(),
            rd_reset: Default::default(),
            rd: Default::default(),
            data: Default::default(),
            keep: Default::default(),
            flags: Default::default(),
            wbin: Default::default(),
            wgray: Default::default(),
            r_sync1: Default::default(),
            r_sync2: Default::default(),
            rbin: Default::default(),
            rgray: Default::default(),
            w_sync1: Default::default(),
            w_sync2: Default::default(),
            head_data: Default::default(),
            head_keep: Default::default(),
            head_flags: Default::default(),
            head_v: Default::default(),
            top2: Constant::new((3u64 << (A - 1)).to_bits()),
            full: Default::default(),
            push: Default::default(),
            wnext: Default::default(),
            load: Default::default(),
            rnext: Default::default(),
        }
    }
}

impl<const D: usize, const K: usize, const A: usize, const AP1: usize> Default
    for CdcFifo<D, K, A, AP1>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const D: usize, const K: usize, const A: usize, const AP1: usize> Logic
    for CdcFifo<D, K, A, AP1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, wr_clock, wbin, wgray, r_sync1, r_sync2);
        dff_setup!(
            self, rd_clock, rbin, rgray, w_sync1, w_sync2, head_data, head_keep, head_flags, head_v
        );
        self.data.write_clock.next = self.wr_clock.val();
        self.keep.write_clock.next = self.wr_clock.val();
        self.flags.write_clock.next = self.wr_clock.val();

        // Write side.
        self.r_sync1.d.next = self.rgray.q.val();
        self.r_sync2.d.next = self.r_sync1.q.val();
        self.full.next = self.wgray.q.val() == (self.r_sync2.q.val() ^ self.top2.val());
        self.wr.ready.next = !self.full.val();
        self.push.next = self.wr.valid.val() & !self.full.val();
        self.data.write_enable.next = self.push.val();
        self.keep.write_enable.next = self.push.val();
        self.flags.write_enable.next = self.push.val();
        self.data.write_address.next = bit_cast::<A, AP1>(self.wbin.q.val());
        self.keep.write_address.next = bit_cast::<A, AP1>(self.wbin.q.val());
        self.flags.write_address.next = bit_cast::<A, AP1>(self.wbin.q.val());
        self.data.write_data.next = self.wr.data.val();
        self.keep.write_data.next = self.wr.keep.val();
        self.flags.write_data.next = bit_cast::<2, 1>(self.wr.last.val().into())
            | (bit_cast::<2, 1>(self.wr.user.val().into()) << 1);
        self.wnext.next = self.wbin.q.val() + 1;
        if self.push.val() {
            self.wbin.d.next = self.wnext.val();
            self.wgray.d.next = self.wnext.val() ^ (self.wnext.val() >> 1);
        }
        if self.wr_reset.val() {
            self.wbin.d.next = 0.into();
            self.wgray.d.next = 0.into();
            self.r_sync1.d.next = 0.into();
            self.r_sync2.d.next = 0.into();
        }

        // Read side: the head beat is refilled when it leaves or is empty.
        self.w_sync1.d.next = self.wgray.q.val();
        self.w_sync2.d.next = self.w_sync1.q.val();
        self.rd.valid.next = self.head_v.q.val();
        self.rd.data.next = self.head_data.q.val();
        self.rd.keep.next = self.head_keep.q.val();
        self.rd.last.next = self.head_flags.q.val().get_bit(0);
        self.rd.user.next = self.head_flags.q.val().get_bit(1);
        self.load.next = (self.rgray.q.val() != self.w_sync2.q.val())
            & (!self.head_v.q.val() | self.rd.ready.val());
        self.data.read_address.next = bit_cast::<A, AP1>(self.rbin.q.val());
        self.keep.read_address.next = bit_cast::<A, AP1>(self.rbin.q.val());
        self.flags.read_address.next = bit_cast::<A, AP1>(self.rbin.q.val());
        self.rnext.next = self.rbin.q.val() + 1;
        if self.rd.ready.val() {
            self.head_v.d.next = false;
        }
        if self.load.val() {
            self.head_data.d.next = self.data.read_data.val();
            self.head_keep.d.next = self.keep.read_data.val();
            self.head_flags.d.next = self.flags.read_data.val();
            self.head_v.d.next = true;
            self.rbin.d.next = self.rnext.val();
            self.rgray.d.next = self.rnext.val() ^ (self.rnext.val() >> 1);
        }
        if self.rd_reset.val() {
            self.rbin.d.next = 0.into();
            self.rgray.d.next = 0.into();
            self.w_sync1.d.next = 0.into();
            self.w_sync2.d.next = 0.into();
            self.head_v.d.next = false;
        }
    }
}
