//! `rx_writer`: a byte range of a frame into host memory at any byte
//! address, in up to two pieces: `rx_place`'s payload into a ring (the
//! second piece from the ring's start when it wraps), or a whole frame
//! into an RX buffer (one piece). Model: `model::rx_place::Ring::spans`
//! over `model::rx_place::payload`.
//!
//! ```text
//! cmd (skip, len, first, addr, base) ─┐
//! frame beats ─> {beat, previous beat} >> shift ─> up to 2 words ─> wr port
//! ```
//! Bytes `skip..skip + first` of the frame go to `addr..`, bytes
//! `skip + first..skip + len` to `base..`. The memory port takes aligned
//! 8-byte words with strobes, so each piece has a fixed shift between
//! frame and memory: every beat, with the one before it, makes the memory
//! word of each piece that ends in it, strobed to the bytes of the piece
//! that the frame holds (a frame shorter than `skip + len` writes only
//! what it has). One more word after the last beat writes the tail. A
//! beat moves when the words of the one before are gone, so the block
//! takes a beat a cycle while the port keeps up, and a second cycle for
//! the beat where a wrapped range crosses the ring's end. Every beat of
//! the frame is taken, written or not (`len` 0 drops a frame), and
//! `done` pulses once every write of the command was accepted. The next
//! command is taken with the tail word, so frames follow each other with
//! one cycle between them while the port keeps up.

use crate::mem_port::MemMaster;
use crate::stream::StreamSink;
use rust_hdl::prelude::*;

/// Offsets relative to a piece: the widest frame offset plus a sign and
/// room for a beat either side.
const RB: usize = 20;
// The HDL tests the sign as bit 19.
const _: () = assert!(RB == 20);
const _: () = assert!(spec::stream::OFFSET_BITS as usize + 3 <= RB);

#[derive(LogicBlock)]
pub struct RxWriter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_skip: Signal<In, Bits<17>>,
    pub cmd_len: Signal<In, Bits<17>>,
    /// Bytes in the first piece (`len` when it does not wrap).
    pub cmd_first: Signal<In, Bits<17>>,
    pub cmd_addr: Signal<In, Bits<64>>,
    pub cmd_base: Signal<In, Bits<64>>,
    /// The frame of the command taken last (8 bytes a beat).
    pub frame: StreamSink<64, 8>,
    /// Writes only; the read channel stays idle.
    pub mem: MemMaster,
    pub done: Signal<Out, Bit>,
    /// 0 idle, 1 beats, 2 the tail word.
    st: DFF<Bits<2>>,
    /// A command's last words are loaded: `done` when they are gone.
    owe: DFF<Bit>,
    prev: DFF<Bits<64>>,
    pkeep: DFF<Bits<8>>,
    // Per piece: the next word's address, its offset from the piece's
    // first byte, the piece's length, and the frame-to-memory shift.
    a1: DFF<Bits<64>>,
    a2: DFF<Bits<64>>,
    r1: DFF<Bits<RB>>,
    r2: DFF<Bits<RB>>,
    n1: DFF<Bits<RB>>,
    n2: DFF<Bits<RB>>,
    o1: DFF<Bits<3>>,
    o2: DFF<Bits<3>>,
    // The words waiting for the port.
    p1: DFF<Bit>,
    p2: DFF<Bit>,
    w1a: DFF<Bits<64>>,
    w1d: DFF<Bits<64>>,
    w1s: DFF<Bits<8>>,
    w2a: DFF<Bits<64>>,
    w2d: DFF<Bits<64>>,
    w2s: DFF<Bits<8>>,
    done_q: DFF<Bit>,
    align: Constant<Bits<64>>,
    lane: Vec<Constant<Bits<RB>>>,
    lane_bit: Vec<Constant<Bits<8>>>,
    skip64: Signal<Local, Bits<64>>,
    first64: Signal<Local, Bits<64>>,
    d1: Signal<Local, Bits<64>>,
    d2: Signal<Local, Bits<64>>,
    s1: Signal<Local, Bits<64>>,
    s2: Signal<Local, Bits<64>>,
    free: Signal<Local, Bit>,
    step: Signal<Local, Bit>,
    cur: Signal<Local, Bits<64>>,
    ckeep: Signal<Local, Bits<8>>,
    cat: Signal<Local, Bits<128>>,
    kcat: Signal<Local, Bits<16>>,
    v: Signal<Local, Bits<RB>>,
    m1: Signal<Local, Bits<8>>,
    m2: Signal<Local, Bits<8>>,
    k1: Signal<Local, Bits<8>>,
    k2: Signal<Local, Bits<8>>,
    // Results the HDL slices (Verilog slices only names).
    e1: Signal<Local, Bits<RB>>,
    e2: Signal<Local, Bits<RB>>,
    ks1: Signal<Local, Bits<16>>,
    ks2: Signal<Local, Bits<16>>,
    cs1: Signal<Local, Bits<128>>,
    cs2: Signal<Local, Bits<128>>,
    unused_hi: Signal<Local, Bits<144>>,
    unused_rd: Signal<Local, Bits<66>>,
    unused_user: Signal<Local, Bit>,
}

impl RxWriter {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_skip: Default::default(),
            cmd_len: Default::default(),
            cmd_first: Default::default(),
            cmd_addr: Default::default(),
            cmd_base: Default::default(),
            frame: Default::default(),
            mem: Default::default(),
            done: Default::default(),
            st: Default::default(),
            prev: Default::default(),
            pkeep: Default::default(),
            a1: Default::default(),
            a2: Default::default(),
            r1: Default::default(),
            r2: Default::default(),
            n1: Default::default(),
            n2: Default::default(),
            o1: Default::default(),
            o2: Default::default(),
            p1: Default::default(),
            p2: Default::default(),
            w1a: Default::default(),
            w1d: Default::default(),
            w1s: Default::default(),
            w2a: Default::default(),
            w2d: Default::default(),
            w2s: Default::default(),
            done_q: Default::default(),
            owe: Default::default(),
            align: Constant::new((!7u64).to_bits()),
            lane: (0..8u64).map(|j| Constant::new(j.to_bits())).collect(),
            lane_bit: (0..8u64)
                .map(|j| Constant::new((1u64 << j).to_bits()))
                .collect(),
            skip64: Default::default(),
            first64: Default::default(),
            d1: Default::default(),
            d2: Default::default(),
            s1: Default::default(),
            s2: Default::default(),
            free: Default::default(),
            step: Default::default(),
            cur: Default::default(),
            ckeep: Default::default(),
            cat: Default::default(),
            kcat: Default::default(),
            v: Default::default(),
            m1: Default::default(),
            m2: Default::default(),
            k1: Default::default(),
            k2: Default::default(),
            e1: Default::default(),
            e2: Default::default(),
            ks1: Default::default(),
            ks2: Default::default(),
            cs1: Default::default(),
            cs2: Default::default(),
            unused_hi: Default::default(),
            unused_rd: Default::default(),
            unused_user: Default::default(),
        }
    }
}

impl Default for RxWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for RxWriter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, st, prev, pkeep, a1, a2, r1, r2, n1, n2, o1, o2, p1, p2, w1a, w1d, w1s,
            w2a, w2d, w2s, done_q, owe
        );
        self.mem.rd_req_valid.next = false;
        self.mem.rd_req_addr.next = 0.into();
        self.unused_rd.next = bit_cast::<66, 64>(self.mem.rd_rsp_data.val())
            | (bit_cast::<66, 1>(self.mem.rd_rsp_valid.val().into()) << 64)
            | (bit_cast::<66, 1>(self.mem.rd_req_ready.val().into()) << 65);
        self.unused_user.next = self.frame.user.val();

        // A command: each piece's shift, first word and its offset. The
        // word that ends with beat c of piece k (frame offset 8c) starts at
        // align_up(8c - 8 + d_k), d_k = address - frame offset of its start.
        self.skip64.next = bit_cast::<64, 17>(self.cmd_skip.val());
        self.first64.next = bit_cast::<64, 17>(self.cmd_first.val());
        self.d1.next = self.cmd_addr.val() - self.skip64.val();
        self.d2.next = self.cmd_base.val() - self.skip64.val() - self.first64.val();
        self.s1.next = (self.d1.val() - 1) & self.align.val();
        self.s2.next = (self.d2.val() - 1) & self.align.val();
        self.e1.next = self.s1.val().get_bits::<RB>(0) - self.cmd_addr.val().get_bits::<RB>(0);
        self.e2.next = self.s2.val().get_bits::<RB>(0) - self.cmd_base.val().get_bits::<RB>(0);

        // The port: the first piece's word, then the second's.
        self.mem.wr_valid.next = self.p1.q.val() | self.p2.q.val();
        self.mem.wr_addr.next = self.w2a.q.val();
        self.mem.wr_data.next = self.w2d.q.val();
        self.mem.wr_strb.next = self.w2s.q.val();
        if self.p1.q.val() {
            self.mem.wr_addr.next = self.w1a.q.val();
            self.mem.wr_data.next = self.w1d.q.val();
            self.mem.wr_strb.next = self.w1s.q.val();
        }
        if self.mem.wr_ready.val() {
            if self.p1.q.val() {
                self.p1.d.next = false;
            } else {
                self.p2.d.next = false;
            }
        }
        // Empty after this cycle: room for the next beat's words.
        self.free.next = (!self.p1.q.val() & !self.p2.q.val())
            | ((self.p1.q.val() ^ self.p2.q.val()) & self.mem.wr_ready.val());

        // Done once a command's last words are gone (before the tail step,
        // which may load the next command's).
        self.done_q.d.next = false;
        if self.owe.q.val() & self.free.val() {
            self.done_q.d.next = true;
            self.owe.d.next = false;
        }

        // A beat (or, after the last, the tail with no beat) makes a word
        // per piece from it and the one before.
        self.frame.ready.next = (self.st.q.val() == 1) & self.free.val();
        self.step.next = (self.frame.valid.val() & self.frame.ready.val())
            | ((self.st.q.val() == 2) & self.free.val());
        self.cur.next = self.frame.data.val();
        self.ckeep.next = self.frame.keep.val();
        if self.st.q.val() == 2 {
            self.cur.next = 0.into();
            self.ckeep.next = 0.into();
        }
        self.cat.next =
            bit_cast::<128, 64>(self.prev.q.val()) | (bit_cast::<128, 64>(self.cur.val()) << 64);
        self.kcat.next =
            bit_cast::<16, 8>(self.pkeep.q.val()) | (bit_cast::<16, 8>(self.ckeep.val()) << 8);
        self.m1.next = 0.into();
        self.m2.next = 0.into();
        for j in 0..8 {
            self.v.next = self.r1.q.val() + self.lane[j].val();
            if !self.v.val().get_bit(19) & (self.v.val() < self.n1.q.val()) {
                self.m1.next = self.m1.val() | self.lane_bit[j].val();
            }
            self.v.next = self.r2.q.val() + self.lane[j].val();
            if !self.v.val().get_bit(19) & (self.v.val() < self.n2.q.val()) {
                self.m2.next = self.m2.val() | self.lane_bit[j].val();
            }
        }
        self.ks1.next = self.kcat.val() >> self.o1.q.val();
        self.ks2.next = self.kcat.val() >> self.o2.q.val();
        self.k1.next = self.ks1.val().get_bits::<8>(0) & self.m1.val();
        self.k2.next = self.ks2.val().get_bits::<8>(0) & self.m2.val();
        self.cs1.next = self.cat.val() >> (bit_cast::<7, 3>(self.o1.q.val()) << 3);
        self.cs2.next = self.cat.val() >> (bit_cast::<7, 3>(self.o2.q.val()) << 3);
        // A shift's bits past the word.
        self.unused_hi.next = bit_cast::<144, 8>(self.ks1.val().get_bits::<8>(8))
            | (bit_cast::<144, 8>(self.ks2.val().get_bits::<8>(8)) << 8)
            | (bit_cast::<144, 64>(self.cs1.val().get_bits::<64>(64)) << 16)
            | (bit_cast::<144, 64>(self.cs2.val().get_bits::<64>(64)) << 80);
        if self.step.val() {
            self.p1.d.next = self.k1.val() != 0;
            self.p2.d.next = self.k2.val() != 0;
            self.w1a.d.next = self.a1.q.val();
            self.w2a.d.next = self.a2.q.val();
            self.w1d.d.next = self.cs1.val().get_bits::<64>(0);
            self.w2d.d.next = self.cs2.val().get_bits::<64>(0);
            self.w1s.d.next = self.k1.val();
            self.w2s.d.next = self.k2.val();
            self.a1.d.next = self.a1.q.val() + 8;
            self.a2.d.next = self.a2.q.val() + 8;
            self.r1.d.next = self.r1.q.val() + 8;
            self.r2.d.next = self.r2.q.val() + 8;
            self.prev.d.next = self.cur.val();
            self.pkeep.d.next = self.ckeep.val();
            if self.st.q.val() == 2 {
                self.st.d.next = 0.into();
                self.owe.d.next = true;
            } else if self.frame.last.val() {
                self.st.d.next = 2.into();
            }
        }

        // A command, taken when idle or with the tail word (its registers
        // then start the next frame: this comes after the step).
        self.cmd_ready.next = (self.st.q.val() == 0) | ((self.st.q.val() == 2) & self.free.val());
        if self.cmd_valid.val() & self.cmd_ready.val() {
            self.st.d.next = 1.into();
            self.pkeep.d.next = 0.into();
            self.a1.d.next = self.s1.val();
            self.a2.d.next = self.s2.val();
            self.r1.d.next = self.e1.val();
            self.r2.d.next = self.e2.val();
            self.o1.d.next = !self.d1.val().get_bits::<3>(0) + 1;
            self.o2.d.next = !self.d2.val().get_bits::<3>(0) + 1;
            self.n1.d.next = bit_cast::<RB, 17>(self.cmd_first.val());
            self.n2.d.next = bit_cast::<RB, 17>(self.cmd_len.val() - self.cmd_first.val());
            if self.cmd_first.val() > self.cmd_len.val() {
                self.n1.d.next = bit_cast::<RB, 17>(self.cmd_len.val());
                self.n2.d.next = 0.into();
            }
        }

        self.done.next = self.done_q.q.val();
        if self.reset.val() {
            self.st.d.next = 0.into();
            self.p1.d.next = false;
            self.p2.d.next = false;
            self.done_q.d.next = false;
            self.owe.d.next = false;
        }
    }
}
