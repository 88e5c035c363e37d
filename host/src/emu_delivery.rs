//! One direction's receive ring as `toe replay`'s host owns it: the engine
//! places payload into it, the host copies in what it handled itself, and
//! an application that reads at once takes the bytes in order.
//!
//! What the application took (bytes, sha256, how many the engine placed)
//! is the replay's `delivered` report, which tests compare with an
//! independent reassembly of the capture.

use crate::tcp::reassembly::Reassembly;
use serde::Serialize;
use sha2::{Digest, Sha256};
use spec::conn_table::{seq_le, seq_lt};

/// 1 MiB: more than any window of the corpus, so an application that
/// reads at once never fills it.
pub const LOG_SIZE: u8 = 20;

/// Who wrote a byte of the ring that the application has not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Writer {
    None,
    Host,
    Engine,
}

pub struct Delivery {
    /// Lengths only: its rcv_nxt is where the in-order bytes end.
    rx: Reassembly,
    /// The first byte the application has not read.
    head: u32,
    /// Allocated at the first payload (a SYN scan posts thousands of rings
    /// that never see data).
    ring: Vec<u8>,
    writer: Vec<Writer>,
    sha: Sha256,
    stats: Delivered,
}

/// What the application received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub bytes: u64,
    pub sha256: String,
    pub placed_bytes: u64,
    /// Bytes that arrived past the ring and were dropped.
    #[serde(skip_serializing_if = "is_zero")]
    pub beyond_ring: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Delivery {
    /// A direction whose first data byte is `rcv_nxt`.
    pub fn new(rcv_nxt: u32) -> Delivery {
        Delivery {
            rx: Reassembly::new(rcv_nxt, false),
            head: rcv_nxt,
            ring: Vec::new(),
            writer: Vec::new(),
            sha: Sha256::new(),
            stats: Delivered::default(),
        }
    }

    pub fn rcv_nxt(&self) -> u32 {
        self.rx.rcv_nxt()
    }

    pub fn head(&self) -> u32 {
        self.head
    }

    fn size() -> u32 {
        1 << LOG_SIZE
    }

    fn fits(&self, seq: u32, len: u32) -> bool {
        seq_le(self.head, seq)
            && seq_le(seq.wrapping_add(len), self.head.wrapping_add(Self::size()))
    }

    fn write(&mut self, seq: u32, data: &[u8], who: Writer) {
        if self.ring.is_empty() {
            self.ring = vec![0; Self::size() as usize];
            self.writer = vec![Writer::None; Self::size() as usize];
        }
        let mask = Self::size() - 1;
        for (i, &b) in data.iter().enumerate() {
            let at = (seq.wrapping_add(i as u32) & mask) as usize;
            if who == Writer::Engine || self.writer[at] == Writer::None {
                self.ring[at] = b;
                self.writer[at] = who;
            }
        }
    }

    /// The engine wrote `data` at offsets `pieces` (the ring's addresses
    /// less its base), in order.
    pub fn placed(&mut self, pieces: &[(u64, u32)], data: &[u8]) {
        let mut from = 0usize;
        for &(off, len) in pieces {
            let seq_of_piece = off as u32;
            self.write(
                seq_of_piece,
                &data[from..from + len as usize],
                Writer::Engine,
            );
            from += len as usize;
        }
    }

    /// A segment the host handled: the new bytes go into the ring.
    pub fn segment(&mut self, seq: u32, data: &[u8]) {
        let len = data.len() as u32;
        if len == 0 {
            return;
        }
        // What is below rcv_nxt was read or is in the ring already.
        let (seq, data) = if seq_lt(seq, self.rcv_nxt()) {
            let cut = self.rcv_nxt().wrapping_sub(seq).min(len);
            (self.rcv_nxt(), &data[cut as usize..])
        } else {
            (seq, data)
        };
        if data.is_empty() {
            return;
        }
        if !self.fits(seq, data.len() as u32) {
            self.stats.beyond_ring += data.len() as u64;
            return;
        }
        self.write(seq, data, Writer::Host);
        self.rx.length(seq, data.len() as u32);
    }

    /// A completion: the engine holds `[ooo.0, ooo.1)` and everything
    /// before `rcv_nxt`.
    pub fn learn(&mut self, rcv_nxt: u32, ooo: Option<(u32, u32)>) {
        if let Some((s, e)) = ooo {
            self.rx.length(s, e.wrapping_sub(s));
        }
        self.rx.learn(rcv_nxt);
    }

    /// The application reads everything in order. Every byte it reads was
    /// written by someone; one that was not is the engine's or the host's
    /// bug, reported as an error.
    pub fn read(&mut self) -> anyhow::Result<()> {
        let mask = Self::size() - 1;
        while self.head != self.rcv_nxt() {
            let at = (self.head & mask) as usize;
            let run = (self.rcv_nxt().wrapping_sub(self.head)).min(Self::size() - at as u32);
            let end = at + run as usize;
            if self.ring.is_empty() || self.writer[at..end].contains(&Writer::None) {
                anyhow::bail!(
                    "rcv_nxt {} passed bytes nobody wrote (from {})",
                    self.rcv_nxt(),
                    self.head
                );
            }
            self.sha.update(&self.ring[at..end]);
            let placed = self.writer[at..end]
                .iter()
                .filter(|w| **w == Writer::Engine)
                .count();
            self.stats.placed_bytes += placed as u64;
            self.stats.bytes += u64::from(run);
            self.writer[at..end].fill(Writer::None);
            self.head = self.head.wrapping_add(run);
        }
        Ok(())
    }

    pub fn delivered(&self) -> Delivered {
        let sha256 = self
            .sha
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Delivered {
            sha256,
            ..self.stats.clone()
        }
    }
}
