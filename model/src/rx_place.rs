//! What `rx_place` must do (rules in [`spec::rx_place`]): per installed
//! direction a receive ring, one out-of-order interval and a pending
//! coalesced completion, run after `conn_table` has classed a frame.
//!
//! It decides and keeps state, mirroring the table's rcv_nxt (every change
//! of it passes here: `Fast` frames and host writes); the caller writes the
//! payload into host memory at [`Ring::spans`], the completions into the
//! RX ring, and [`Step::rcv_nxt`] into the table.

use crate::conn_table::{Outcome, Request};
use spec::conn_table::{Class, seq_le, seq_lt};
use spec::rx_parse::Header;
use spec::rx_place::{self as rp, Flush, PlaceCpl, Unplaced};
use spec::tcp::PSH;
use std::collections::BTreeMap;

/// A posted receive ring: byte `s` at `base + s mod 2^log_size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ring {
    pub base: u64,
    pub log_size: u8,
    /// The first byte the application has not consumed.
    pub head: u32,
}

impl Ring {
    pub fn size(&self) -> u32 {
        1 << self.log_size
    }

    pub fn fits(&self, seq: u32, len: u32) -> bool {
        seq_le(self.head, seq) && seq_le(seq.wrapping_add(len), self.head.wrapping_add(self.size()))
    }

    /// Where `len` bytes from `seq` go: one or two (address, length)
    /// pieces, the second when the ring wraps.
    pub fn spans(&self, seq: u32, len: u32) -> Vec<(u64, u32)> {
        let off = seq & (self.size() - 1);
        let first = len.min(self.size() - off);
        let mut v = vec![(self.base + u64::from(off), first)];
        if first < len {
            v.push((self.base, len - first));
        }
        v
    }
}

/// What a frame's fields add to a completion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub ack: u32,
    pub window: u16,
    /// TSval and TSecr, when the frame carries the option.
    pub ts: Option<(u32, u32)>,
    /// IP ECN field was CE.
    pub ce: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct Pending {
    frames: u32,
    ce: u32,
    /// In-order bytes since the last completion.
    bytes: u32,
    /// When its first frame came.
    since: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
struct Ctx {
    ring: Ring,
    rcv_nxt: u32,
    ooo: Option<(u32, u32)>,
    /// The latest ACK number and window.
    ack: u32,
    window: u16,
    /// TS.Recent and the TSecr of the frame that set it.
    ts: Option<(u32, u32)>,
    /// Frames with an older TSval go to the host.
    paws: bool,
    pending: Pending,
}

/// What happens to one frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Completions to write before anything else, in order.
    pub cpls: Vec<PlaceCpl>,
    /// Payload to write into the ring at these (address, length) pieces,
    /// taken from the payload's start in order.
    pub place: Vec<(u64, u32)>,
    /// The frame goes to the host as a frame; for a data frame of an
    /// installed direction, why it was not placed.
    pub to_host: Option<Option<Unplaced>>,
    /// rcv_nxt jumped over the interval: the table's new value.
    pub rcv_nxt: Option<u32>,
}

/// What `rx_place` takes from a frame besides the table's request.
pub fn seen(h: &Header, data: &[u8]) -> Seen {
    let ts = h.opts & 1 << spec::rx_parse::Opt::Timestamps as u8 != 0;
    let l3 = h.l3 as usize;
    // ECN is the low two bits of the IPv4 TOS byte, or of the IPv6 traffic
    // class (bits 5..4 of the second byte).
    let ecn = match h.kind {
        2 => data.get(l3 + 1).map(|b| b >> 4 & 3),
        _ => data.get(l3 + 1).map(|b| b & 3),
    };
    Seen {
        ack: h.ack,
        window: h.window,
        ts: ts.then_some((h.tsval, h.tsecr)),
        ce: ecn == Some(3),
    }
}

/// The payload the parse record names, if the frame holds all of it.
pub fn payload<'a>(h: &Header, data: &'a [u8]) -> Option<&'a [u8]> {
    let from = h.poff as usize;
    data.get(from..from.checked_add(h.plen as usize)?)
}

/// Per-reason counts of data frames not placed, and what was placed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub placed_frames: u64,
    pub placed_bytes: u64,
    pub coalesced_acks: u64,
    pub completions: u64,
    pub unplaced: [u64; Unplaced::ALL.len()],
    /// Completions by [`Flush`] reason.
    pub flushes: [u64; Flush::ALL.len()],
}

impl Counts {
    /// The `rx_place` counter registers, in `spec::rx_place::COUNTERS` order.
    pub fn words(&self) -> [u32; spec::rx_place::COUNTERS.len()] {
        let mut w = [0; spec::rx_place::COUNTERS.len()];
        let all = [
            self.placed_frames,
            self.placed_bytes,
            self.coalesced_acks,
            self.completions,
        ]
        .into_iter()
        .chain(self.unplaced)
        .chain(self.flushes);
        for (x, v) in w.iter_mut().zip(all) {
            *x = v as u32;
        }
        w
    }
}

pub struct Placer {
    /// By table slot.
    ctx: BTreeMap<usize, Ctx>,
    /// `N` and `T`.
    pub bytes: u32,
    pub time: u64,
    pub counts: Counts,
}

impl Placer {
    /// `bytes` and `time` are the `N` and `T` of [`spec::rx_place`].
    pub fn new(bytes: u32, time: u64) -> Placer {
        Placer {
            ctx: BTreeMap::new(),
            bytes,
            time,
            counts: Counts::default(),
        }
    }

    /// The host posts (or replaces) `slot`'s ring, with the table's
    /// rcv_nxt and snd_una (where ACK numbers start being new) and, where
    /// the connection negotiated timestamps, TS.Recent (PAWS on). A ring
    /// the contract refuses is `false`.
    pub fn post(
        &mut self,
        slot: usize,
        ring: Ring,
        rcv_nxt: u32,
        snd_una: u32,
        ts_recent: Option<u32>,
    ) -> bool {
        if !(rp::MIN_LOG_SIZE..=rp::MAX_LOG_SIZE).contains(&ring.log_size)
            || !ring.base.is_multiple_of(rp::RING_ALIGN)
        {
            return false;
        }
        self.ctx.insert(
            slot,
            Ctx {
                ring,
                rcv_nxt,
                ooo: None,
                ack: snd_una,
                window: 0,
                ts: ts_recent.map(|t| (t, 0)),
                paws: ts_recent.is_some(),
                pending: Pending::default(),
            },
        );
        true
    }

    /// The application consumed up to `head`.
    pub fn advance_head(&mut self, slot: usize, head: u32) {
        if let Some(c) = self.ctx.get_mut(&slot) {
            c.ring.head = head;
        }
    }

    /// The entry left the table: its ring and any pending completion go.
    pub fn remove(&mut self, slot: usize) {
        self.ctx.remove(&slot);
    }

    pub fn ring(&self, slot: usize) -> Option<Ring> {
        self.ctx.get(&slot).map(|c| c.ring)
    }

    /// The table's rcv_nxt as this block mirrors it.
    pub fn rcv_nxt(&self, slot: usize) -> Option<u32> {
        self.ctx.get(&slot).map(|c| c.rcv_nxt)
    }

    pub fn interval(&self, slot: usize) -> Option<(u32, u32)> {
        self.ctx.get(&slot).and_then(|c| c.ooo)
    }

    /// The host writes rcv_nxt `v`: what the table must hold, the
    /// interval's end when `v` reached the interval.
    pub fn write_rcv_nxt(&mut self, slot: usize, v: u32) -> u32 {
        self.reach(slot, v)
    }

    /// rcv_nxt moves to `v`, and past the interval if it reached it.
    fn reach(&mut self, slot: usize, v: u32) -> u32 {
        let Some(c) = self.ctx.get_mut(&slot) else {
            return v;
        };
        c.rcv_nxt = match c.ooo {
            Some((s, e)) if seq_le(s, v) => {
                c.ooo = None;
                if seq_lt(v, e) { e } else { v }
            }
            _ => v,
        };
        c.rcv_nxt
    }

    /// One frame after `table` classed it as `o`, at time `now` (cycles).
    pub fn frame(&mut self, r: &Request, o: &Outcome, seen: Seen, now: u64) -> Step {
        let mut step = Step {
            cpls: Vec::new(),
            place: Vec::new(),
            to_host: Some(None),
            rcv_nxt: None,
        };
        let Some(slot) = o.slot else {
            return step;
        };
        let Some(c) = self.ctx.get(&slot).copied() else {
            if r.plen > 0 && matches!(o.class, Class::Fast | Class::Ahead) {
                step.to_host = Some(Some(Unplaced::NoBuffer));
                self.counts.unplaced[Unplaced::NoBuffer as usize] += 1;
            }
            return step;
        };
        let (seq, len) = (r.seq, r.plen);
        let end = seq.wrapping_add(len);
        let judged = matches!(o.class, Class::Fast | Class::Ahead)
            || o.class == Class::Ack && seq_lt(c.ack, r.ack);
        let old_ts = match (c.ts, seen.ts) {
            (Some((recent, _)), Some((tsval, _))) => c.paws && seq_lt(tsval, recent),
            _ => false,
        };
        let verdict = match o.class {
            _ if judged && old_ts => Err(Some(Unplaced::Paws)),
            Class::Fast | Class::Ahead if !c.ring.fits(seq, len) => Err(Some(Unplaced::Full)),
            Class::Fast => Ok(false),
            // Refused only in the hole before the interval, apart from it:
            // everything else joins the interval or moves it.
            Class::Ahead => match c.ooo {
                Some((s, e)) if seq_le(seq, e) && seq_lt(end, s) => Err(Some(Unplaced::SecondHole)),
                _ => Ok(true),
            },
            Class::Old | Class::Overlap => Err(Some(Unplaced::Below)),
            Class::Ack if judged => {
                self.counts.coalesced_acks += 1;
                self.add(slot, seen, 0, now);
                step.to_host = None;
                step.cpls.extend(self.due(slot));
                return step;
            }
            _ => Err(None),
        };
        match verdict {
            Err(why) => {
                if let Some(w) = why {
                    self.counts.unplaced[w as usize] += 1;
                }
                step.to_host = Some(why);
                if judged && !old_ts {
                    self.stamp(slot, seen);
                }
                // The host must see the ring as it was before this frame.
                step.cpls.extend(self.flush(slot, Flush::Order));
                if o.class == Class::Fast {
                    // The table moved rcv_nxt over bytes not in the ring:
                    // back, until the host says its stack took them.
                    step.rcv_nxt = Some(seq);
                }
            }
            Ok(ahead) => {
                step.to_host = None;
                step.place = c.ring.spans(seq, len);
                self.counts.placed_frames += 1;
                self.counts.placed_bytes += u64::from(len);
                let event = if ahead {
                    let was = c.ooo;
                    // Past the interval: it moves to the sender's newest
                    // data, where its next segments land. The host learns
                    // the old one first (with what grew onto it) and keeps
                    // its bytes; its rcv_nxt write covers them later.
                    let moves = was.is_some_and(|(_, e)| seq_lt(e, seq));
                    if moves {
                        step.cpls.extend(self.flush(slot, Flush::OutOfOrder));
                    }
                    let ooo = match was {
                        Some((s, e)) if !moves => (
                            if seq_lt(seq, s) { seq } else { s },
                            if seq_lt(e, end) { end } else { e },
                        ),
                        _ => (seq, end),
                    };
                    self.ctx.get_mut(&slot).expect("posted").ooo = Some(ooo);
                    // Growth coalesces like in-order bytes (GRO merges an
                    // out-of-order train too); a new or moved interval is
                    // an event the stack answers at once.
                    let len = |(s, e): (u32, u32)| e.wrapping_sub(s);
                    let grown = was.filter(|_| !moves).map_or(0, |w| len(ooo) - len(w));
                    self.add(slot, seen, grown, now);
                    was.is_none() || moves
                } else {
                    step.rcv_nxt = self.fill(slot, end);
                    let moved = self.ctx[&slot].rcv_nxt.wrapping_sub(seq);
                    self.add(slot, seen, moved, now);
                    step.rcv_nxt.is_some()
                };
                let why = if event {
                    Some(Flush::OutOfOrder)
                } else if r.flags & PSH != 0 {
                    Some(Flush::Psh)
                } else {
                    None
                };
                match why {
                    Some(w) => step.cpls.extend(self.flush(slot, w)),
                    None => step.cpls.extend(self.due(slot)),
                }
            }
        }
        step
    }

    /// A frame moved rcv_nxt to `end`: the table's value if it then
    /// jumped over the interval.
    fn fill(&mut self, slot: usize, end: u32) -> Option<u32> {
        let to = self.reach(slot, end);
        (to != end).then_some(to)
    }

    /// A frame that passed PAWS: its timestamps are the newest.
    fn stamp(&mut self, slot: usize, seen: Seen) {
        let c = self.ctx.get_mut(&slot).expect("posted");
        if seen.ts.is_some() {
            c.ts = seen.ts;
        }
    }

    fn add(&mut self, slot: usize, seen: Seen, bytes: u32, now: u64) {
        self.stamp(slot, seen);
        let c = self.ctx.get_mut(&slot).expect("posted");
        // A reordered frame's older ACK does not replace a newer one.
        if seq_le(c.ack, seen.ack) {
            (c.ack, c.window) = (seen.ack, seen.window);
        }
        let p = &mut c.pending;
        p.frames += 1;
        p.ce += u32::from(seen.ce);
        p.bytes = p.bytes.saturating_add(bytes);
        p.since.get_or_insert(now);
    }

    /// The completion the byte limit calls for, if any.
    fn due(&mut self, slot: usize) -> Option<PlaceCpl> {
        let c = self.ctx.get(&slot)?;
        if c.pending.bytes < self.bytes {
            return None;
        }
        self.flush(slot, Flush::Bytes)
    }

    /// Writes `slot`'s pending completion, if it has one.
    pub fn flush(&mut self, slot: usize, why: Flush) -> Option<PlaceCpl> {
        let c = self.ctx.get_mut(&slot)?;
        c.pending.since?;
        let p = std::mem::take(&mut c.pending);
        let sat = |v: u32| v.min(u32::from(u8::MAX)) as u8;
        self.counts.completions += 1;
        self.counts.flushes[why as usize] += 1;
        Some(PlaceCpl {
            slot: slot as u16,
            flush: why,
            rcv_nxt: c.rcv_nxt,
            ack: c.ack,
            window: c.window,
            tsval: c.ts.map_or(0, |t| t.0),
            tsecr: c.ts.map_or(0, |t| t.1),
            frames: sat(p.frames),
            ce: sat(p.ce),
            ooo: c.ooo,
        })
    }

    /// `slot`'s pending completion, or one covering no frames when none
    /// is pending: where the direction stands, for events the host must
    /// learn of though no frame came (a host write that consumed the
    /// interval).
    pub fn report(&mut self, slot: usize, why: Flush) -> Option<PlaceCpl> {
        let c = self.ctx.get_mut(&slot)?;
        c.pending.since.get_or_insert(0);
        self.flush(slot, why)
    }

    /// Every pending completion, oldest first (the host's end of a poll,
    /// as Linux flushes GRO at the end of a NAPI poll).
    pub fn flush_all(&mut self, why: Flush) -> Vec<PlaceCpl> {
        let mut due: Vec<(u64, usize)> = self
            .ctx
            .iter()
            .filter_map(|(&s, c)| c.pending.since.map(|t| (t, s)))
            .collect();
        due.sort_unstable();
        due.into_iter()
            .filter_map(|(_, s)| self.flush(s, why))
            .collect()
    }

    /// When the next timer runs out, if any completion is pending.
    pub fn next_due(&self) -> Option<u64> {
        self.ctx
            .values()
            .filter_map(|c| c.pending.since)
            .min()
            .map(|t| t + self.time)
    }

    /// Time passed to `now`: the completions whose timer ran out, oldest
    /// first.
    pub fn advance(&mut self, now: u64) -> Vec<PlaceCpl> {
        let mut due: Vec<(u64, usize)> = self
            .ctx
            .iter()
            .filter_map(|(&s, c)| c.pending.since.map(|t| (t, s)))
            .filter(|&(t, _)| now.saturating_sub(t) >= self.time)
            .collect();
        due.sort_unstable();
        due.into_iter()
            .filter_map(|(_, s)| self.flush(s, Flush::Time))
            .collect()
    }
}
