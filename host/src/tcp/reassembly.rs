//! The receive side of one direction: `rcv_nxt` and the out-of-order
//! queue. The TCP stack keeps the bytes; `toe replay`'s host, fed a
//! capture, keeps lengths only. Both learn from the engine's fast-path
//! completions through the same [`Reassembly::segment`], so the engine's
//! `rcv_nxt` and the host's never part: when the queue closes a gap, the
//! caller writes the new `rcv_nxt` back ([`Accepted::write_back`]).

use spec::conn_table::{seq_le, seq_lt};

/// Disjoint out-of-order ranges kept per direction; past this the one
/// furthest ahead is dropped (Linux prunes its ofo queue from the tail
/// too). The bytes are bounded by the window the owner offered; this
/// bounds the bookkeeping against a peer that sends tiny pieces with gaps.
pub const MAX_RANGES: usize = 1024;

/// A maximal run of queued bytes: adjacent arrivals are one piece, so the
/// queue grows with the holes, not with the segments.
#[derive(Clone, Debug)]
struct Piece {
    start: u32,
    end: u32,
    /// The arrivals' bytes in order; empty when the owner keeps lengths.
    chunks: Vec<Vec<u8>>,
}

#[derive(Clone, Debug)]
pub struct Reassembly {
    rcv_nxt: u32,
    keep_data: bool,
    /// Disjoint, ordered by `start`, all beyond `rcv_nxt`.
    ooo: Vec<Piece>,
    /// A byte of the segment that arrived last: its piece is SACK's first
    /// block (RFC 2018 §4).
    latest: Option<u32>,
}

/// What one segment did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    /// Bytes now in order for the application (empty when lengths only).
    pub delivered: Vec<u8>,
    /// How far `rcv_nxt` moved.
    pub advanced: u32,
    /// The segment started beyond `rcv_nxt`: answer with an immediate ACK.
    pub out_of_order: bool,
    /// Nothing in it was new.
    pub duplicate: bool,
    /// `rcv_nxt` moved past the segment's own end: queued data closed a
    /// gap, which the engine cannot know; the caller writes `rcv_nxt` back.
    pub write_back: bool,
}

impl Reassembly {
    pub fn new(rcv_nxt: u32, keep_data: bool) -> Reassembly {
        Reassembly {
            rcv_nxt,
            keep_data,
            ooo: Vec::new(),
            latest: None,
        }
    }

    pub fn rcv_nxt(&self) -> u32 {
        self.rcv_nxt
    }

    /// Bytes held out of order.
    pub fn queued(&self) -> u64 {
        self.ooo
            .iter()
            .map(|p| u64::from(p.end.wrapping_sub(p.start)))
            .sum()
    }

    /// A segment carrying `data` at `seq` (an owner that keeps bytes).
    pub fn data(&mut self, seq: u32, data: &[u8]) -> Accepted {
        debug_assert!(self.keep_data);
        self.segment(seq, data.len() as u32, data)
    }

    /// A segment of `len` bytes at `seq` (an owner that keeps lengths).
    pub fn length(&mut self, seq: u32, len: u32) -> Accepted {
        debug_assert!(!self.keep_data);
        self.segment(seq, len, &[])
    }

    fn segment(&mut self, seq: u32, len: u32, data: &[u8]) -> Accepted {
        let end = seq.wrapping_add(len);
        let mut a = Accepted::default();
        if len == 0 || seq_le(end, self.rcv_nxt) {
            a.duplicate = len > 0;
            return a;
        }
        // Trim what is already in order.
        let (mut seq, mut data) = (seq, data);
        if seq_lt(seq, self.rcv_nxt) {
            let cut = self.rcv_nxt.wrapping_sub(seq);
            if self.keep_data {
                data = &data[cut as usize..];
            }
            seq = self.rcv_nxt;
        }
        a.out_of_order = seq != self.rcv_nxt;
        let new = self.insert(seq, end, data);
        a.duplicate = !new;
        if !a.out_of_order {
            let before = self.rcv_nxt;
            a.delivered = self.drain_in_order();
            a.advanced = self.rcv_nxt.wrapping_sub(before);
            a.write_back = seq_lt(end, self.rcv_nxt);
        }
        a
    }

    /// The engine (or the host itself) moved `rcv_nxt` to `to` with bytes
    /// this queue never saw (lengths-only owners): forget what it covers.
    pub fn learn(&mut self, to: u32) {
        if seq_lt(self.rcv_nxt, to) {
            self.rcv_nxt = to;
            self.ooo.retain(|p| seq_lt(to, p.end));
            if let Some(p) = self.ooo.first_mut()
                && seq_lt(p.start, to)
            {
                p.trim_front(to);
            }
            let _ = self.drain_in_order();
        }
    }

    /// Up to `max` SACK blocks: the one holding the latest segment first
    /// (RFC 2018 §4), then the rest from the highest down.
    pub fn sack_blocks(&self, max: usize) -> Vec<(u32, u32)> {
        let latest = self.latest.and_then(|l| {
            self.ooo
                .iter()
                .position(|p| seq_le(p.start, l) && seq_lt(l, p.end))
        });
        let rest = (0..self.ooo.len()).rev().filter(|&i| Some(i) != latest);
        latest
            .into_iter()
            .chain(rest)
            .take(max)
            .map(|i| (self.ooo[i].start, self.ooo[i].end))
            .collect()
    }

    /// Puts `[seq, end)` into the queue, keeping what it holds already;
    /// false when every byte was there.
    fn insert(&mut self, seq: u32, end: u32, data: &[u8]) -> bool {
        let mut new = false;
        let mut at = seq;
        let mut i = self.ooo.partition_point(|p| seq_le(p.end, seq));
        while seq_lt(at, end) {
            let next_start = self.ooo.get(i).map_or(end, |p| p.start);
            if seq_lt(at, next_start) {
                let stop = if seq_lt(end, next_start) {
                    end
                } else {
                    next_start
                };
                let bytes = if self.keep_data {
                    let off = at.wrapping_sub(seq) as usize;
                    data[off..off + stop.wrapping_sub(at) as usize].to_vec()
                } else {
                    Vec::new()
                };
                self.ooo.insert(
                    i,
                    Piece {
                        start: at,
                        end: stop,
                        chunks: if self.keep_data {
                            vec![bytes]
                        } else {
                            Vec::new()
                        },
                    },
                );
                self.latest = Some(at);
                new = true;
                at = stop;
                i += 1;
            } else {
                at = self.ooo[i].end;
                i += 1;
            }
        }
        self.coalesce();
        if self.ooo.len() > MAX_RANGES {
            self.ooo.truncate(MAX_RANGES);
        }
        new
    }

    fn coalesce(&mut self) {
        let mut i = 0;
        while i + 1 < self.ooo.len() {
            if self.ooo[i].end == self.ooo[i + 1].start {
                let mut next = self.ooo.remove(i + 1);
                self.ooo[i].end = next.end;
                self.ooo[i].chunks.append(&mut next.chunks);
            } else {
                i += 1;
            }
        }
    }

    fn drain_in_order(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(p) = self.ooo.first()
            && p.start == self.rcv_nxt
        {
            let p = self.ooo.remove(0);
            self.rcv_nxt = p.end;
            for c in p.chunks {
                out.extend_from_slice(&c);
            }
        }
        out
    }
}

impl Piece {
    /// Drops the bytes before `to` (which lies inside the piece).
    fn trim_front(&mut self, to: u32) {
        let mut cut = to.wrapping_sub(self.start) as usize;
        self.start = to;
        while cut > 0 && !self.chunks.is_empty() {
            if self.chunks[0].len() <= cut {
                cut -= self.chunks.remove(0).len();
            } else {
                self.chunks[0].drain(..cut);
                cut = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_retransmission_that_fills_the_hole_delivers_the_queue_and_asks_for_a_write_back() {
        let mut r = Reassembly::new(1000, true);
        let a = r.data(1100, &[2; 100]);
        assert!(a.out_of_order && a.delivered.is_empty());
        assert_eq!(r.sack_blocks(3), vec![(1100, 1200)]);
        let a = r.data(1000, &[1; 100]);
        assert_eq!(a.advanced, 200);
        assert!(a.write_back);
        assert_eq!(a.delivered, [[1u8; 100], [2u8; 100]].concat());
        assert_eq!(r.rcv_nxt(), 1200);
        let a = r.data(1200, &[3; 10]);
        assert!(!a.write_back, "in-order data the engine saw itself");
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut r = Reassembly::new(u32::MAX - 9, false);
        assert!(r.length(5, 10).out_of_order);
        let a = r.length(u32::MAX - 9, 15);
        assert_eq!(a.advanced, 25);
        assert_eq!(r.rcv_nxt(), 15);
    }

    /// A 4 MB window with a hole at its start (a loss at 5 %): every
    /// segment behind the hole is kept and SACKed as one block, and the
    /// retransmission delivers them all. (A queue capped by segments
    /// dropped them, and the peer resent them again and again.)
    #[test]
    fn a_whole_window_behind_one_hole_is_kept() {
        let data: Vec<u8> = (0..2900 * 1448).map(|i| (i % 251) as u8).collect();
        let mut r = Reassembly::new(0, true);
        for (k, seg) in data.chunks(1448).enumerate().skip(1) {
            r.data((k * 1448) as u32, seg);
        }
        assert_eq!(r.sack_blocks(3), vec![(1448, data.len() as u32)]);
        let a = r.data(0, &data[..1448]);
        assert!(a.delivered == data);
        assert_eq!(r.queued(), 0);
    }

    #[test]
    fn the_first_sack_block_holds_the_latest_segment() {
        let mut r = Reassembly::new(0, false);
        r.length(100, 100);
        r.length(1000, 100);
        r.length(200, 100);
        assert_eq!(r.sack_blocks(3), vec![(100, 300), (1000, 1100)]);
        // The engine moved rcv_nxt into the first piece: the rest of it
        // is in order now.
        r.learn(250);
        assert_eq!(r.rcv_nxt(), 300);
        assert_eq!(r.sack_blocks(3), vec![(1000, 1100)]);
        assert_eq!(r.length(300, 700).advanced, 800);
    }

    proptest! {
        /// Any arrival order of overlapping, duplicated pieces of a byte
        /// string delivers exactly that string (the oracle: the string).
        #[test]
        fn any_order_delivers_the_bytes(
            isn in any::<u32>(),
            cuts in proptest::collection::vec((0usize..3000, 1usize..400), 1..40),
            data in proptest::collection::vec(any::<u8>(), 3000),
        ) {
            let mut r = Reassembly::new(isn, true);
            let mut got = Vec::new();
            for (at, len) in cuts.iter().copied().chain([(0, 3000)]) {
                let len = len.min(3000 - at);
                let seq = isn.wrapping_add(at as u32);
                got.extend(r.data(seq, &data[at..at + len]).delivered);
            }
            prop_assert_eq!(&got, &data);
            prop_assert_eq!(r.rcv_nxt(), isn.wrapping_add(3000));
            prop_assert_eq!(r.queued(), 0);
        }
    }
}
