//! The `rx_place` RTL against the model (`model::rx_place::Placer`), op
//! by op: directions with holes, duplicates, overlapping retransmissions,
//! sequence numbers that wrap, rings that fill, old timestamps, pure and
//! duplicate ACKs, a direction with no ring and frames of no direction,
//! with the host writing rcv_nxt, consuming, flushing one or all and
//! re-posting, and random idle cycles before each op and backpressure on
//! every result. The timers' completions are checked against the model's
//! at the block's time, and before every op (none may be late), and the
//! counters at the end. The table in front is the model's, as in the
//! engine.

use model::conn_table::{Request, Table};
use model::rx_place::{Placer, Ring, Seen, Step};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::rx_place::{Answer, Op, Post, RxPlaceRtl, Timer};
use spec::conn_table::Key;
use spec::rx_parse::Status;
use spec::rx_place::{Flush, PlaceCpl};
use spec::tcp::{ACK, PSH};
use spec::toeplitz::DEFAULT_KEY;
use std::collections::VecDeque;

/// `N`, small so that the byte limit writes completions often.
const N: u32 = 4000;
const BASE: u64 = 0x4000_0000;

struct Dir {
    key: Key,
    slot: usize,
    isn: u32,
    /// The host's in-order point and the sender's next new byte
    /// (offsets from `isn`, no wrap).
    known: u64,
    sent: u64,
    head: u64,
    log_size: u8,
    ts: Option<u32>,
    ack: u32,
    posted: bool,
}

fn key(i: u8) -> Key {
    let mut k = Key {
        v6: i % 2 == 1,
        src: [0; 16],
        dst: [0; 16],
        sport: 40000 + u16::from(i),
        dport: 80,
    };
    k.src[..4].copy_from_slice(&[10, 0, 0, i]);
    k.dst[..4].copy_from_slice(&[10, 0, 0, 200]);
    k
}

struct Rig {
    table: Table,
    model: Placer,
    rtl: RxPlaceRtl,
    ops: u64,
    /// Completions the model's timers (or a flush of all) wrote that the
    /// RTL has not shown yet, in order.
    due: VecDeque<PlaceCpl>,
    /// The RTL's timer completions, for the host to learn from.
    timed: Vec<PlaceCpl>,
    /// The testbench's cycle minus the block's time: constant, or the
    /// block's clock is wrong.
    offset: Option<u64>,
}

/// An answer with nothing in it but `ok` (a command that moves no data).
fn quiet(ok: bool) -> Answer {
    Answer {
        ok,
        step: Step {
            cpls: Vec::new(),
            place: Vec::new(),
            to_host: None,
            rcv_nxt: None,
        },
    }
}

impl Rig {
    /// A completion one of the RTL's timers wrote: the next the model's
    /// timers wrote by then.
    fn timer(&mut self, t: Timer) {
        self.due.extend(self.model.advance(t.at.into()));
        let want = self.due.pop_front();
        assert_eq!(
            Some(t.cpl),
            want,
            "after op {}: the RTL's timer at {} and the model's differ",
            self.ops,
            t.at
        );
        self.timed.push(t.cpl);
    }

    fn clock(&mut self, at: u32, cycle: u64) {
        let off = cycle - u64::from(at);
        assert_eq!(
            *self.offset.get_or_insert(off),
            off,
            "the block's clock skipped"
        );
    }

    /// Runs `op` on both; fails on any difference.
    fn op(&mut self, op: Op<'_>, what: &str) -> Answer {
        self.ops += 1;
        let run = self.rtl.run(op).expect("the RTL answers");
        for t in run.timers {
            self.timer(t);
        }
        self.clock(run.at, run.cycle);
        self.due.extend(self.model.advance(run.at.into()));
        assert!(
            self.due.is_empty(),
            "op {} ({what}): the model's timers wrote {:?} before it, the RTL's did not",
            self.ops,
            self.due
        );
        let got = run.answer;
        let want = match op {
            Op::Frame(r, o, seen) => Answer {
                ok: got.ok,
                step: self.model.frame(r, o, seen, run.at.into()),
            },
            Op::Post(p) => {
                quiet(
                    self.model
                        .post(p.slot, p.ring, p.rcv_nxt, p.snd_una, p.ts_recent),
                )
            }
            Op::Consume(slot, head) => {
                let a = quiet(self.model.ring(slot).is_some());
                self.model.advance_head(slot, head);
                a
            }
            Op::WriteRcvNxt(slot, v) => {
                let mut a = quiet(self.model.ring(slot).is_some());
                let to = self.model.write_rcv_nxt(slot, v);
                if to != v {
                    a.step
                        .cpls
                        .extend(self.model.report(slot, Flush::OutOfOrder));
                }
                a.step.rcv_nxt = Some(to);
                a
            }
            Op::Flush(slot) => {
                let mut a = quiet(self.model.ring(slot).is_some());
                a.step.cpls.extend(self.model.flush(slot, Flush::Host));
                a
            }
            Op::Remove(slot) => {
                self.model.remove(slot);
                quiet(true)
            }
            Op::FlushAll => {
                self.due.extend(self.model.flush_all(Flush::Host));
                quiet(true)
            }
        };
        assert_eq!(got, want, "op {} ({what}): RTL and model differ", self.ops);
        got
    }

    fn rcv_nxt(&self, slot: usize) -> u32 {
        self.table.read(slot).expect("installed").rcv_nxt
    }
}

fn post(g: &mut Rig, d: &mut Dir) {
    let rcv_nxt = g.rcv_nxt(d.slot);
    let ring = Ring {
        base: BASE + ((d.slot as u64) << 24),
        log_size: d.log_size,
        head: d.isn.wrapping_add(d.head as u32),
    };
    let a = g.op(
        Op::Post(Post {
            slot: d.slot,
            ring,
            rcv_nxt,
            snd_una: d.ack,
            ts_recent: d.ts,
        }),
        "post",
    );
    assert!(a.ok, "a ring the contract allows was refused");
    d.posted = true;
}

/// The host after a frame or a completion: what it holds in order, and
/// its rcv_nxt written where the table's differs.
fn host(g: &mut Rig, d: &mut Dir, to_host: Option<(u64, u64)>, cpl_rcv: &[u32]) {
    let off = |d: &Dir, seq: u32| {
        let base = d.isn.wrapping_add(d.known as u32);
        d.known
            .wrapping_add(seq.wrapping_sub(base) as i32 as i64 as u64)
    };
    for &r in cpl_rcv {
        d.known = d.known.max(off(d, r));
    }
    if let Some((from, to)) = to_host
        && from <= d.known
    {
        d.known = d.known.max(to);
    }
    let mine = d.isn.wrapping_add(d.known as u32);
    if g.rcv_nxt(d.slot) != mine {
        let a = g.op(Op::WriteRcvNxt(d.slot, mine), "rcv_nxt write");
        let to = a.step.rcv_nxt.expect("a write answers its value");
        g.table.write_rcv_nxt(d.slot, to).expect("installed");
        d.known = d.known.max(off(d, to));
    }
}

/// The host learns what the timers' completions say.
fn learn(g: &mut Rig, dirs: &mut [Dir]) {
    while let Some(c) = g.timed.pop() {
        if let Some(d) = dirs.iter_mut().find(|d| d.slot == usize::from(c.slot)) {
            host(g, d, None, &[c.rcv_nxt]);
        }
    }
}

/// `time` is the timers' `T` in cycles.
fn run(seed: u64, frames: usize, time: u32) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut table = Table::new(16, 4, DEFAULT_KEY);
    let rtl = RxPlaceRtl::small(N, time, seed, 0.3, 0.3, None).expect("the rx_place build");
    let mut dirs = Vec::new();
    for i in 0..4u8 {
        let isn = if i == 1 {
            0u32.wrapping_sub(20_000)
        } else {
            rng.r#gen()
        };
        let slot = table
            .insert(key(i), isn, 0)
            .expect("room in an empty table");
        dirs.push(Dir {
            key: key(i),
            slot,
            isn,
            known: 0,
            sent: 0,
            head: 0,
            log_size: rng.gen_range(13..=15),
            ts: (i != 2).then(|| rng.r#gen()),
            ack: rng.r#gen(),
            posted: false,
        });
    }
    let mut g = Rig {
        table,
        model: Placer::new(N, time.into()),
        rtl,
        ops: 0,
        due: VecDeque::new(),
        timed: Vec::new(),
        offset: None,
    };
    // Direction 3 never gets a ring.
    for d in dirs.iter_mut().take(3) {
        post(&mut g, d);
    }
    for _ in 0..frames {
        let i = rng.gen_range(0..dirs.len());
        let d = &mut dirs[i];
        // The sender: new data mostly, some of it lost; retransmissions
        // from the host's point; now and then anything near the window.
        let size = 1u64 << d.log_size;
        let len = if rng.gen_bool(0.15) {
            0
        } else {
            rng.gen_range(1..=1460u64)
        };
        if d.sent < d.known || d.sent - d.known > size {
            d.sent = d.known;
        }
        let start = match rng.gen_range(0..100) {
            0..75 => d.sent,
            75..80 => {
                d.sent += len;
                d.sent
            }
            80..93 => d.known,
            93..97 => d.known.saturating_sub(rng.gen_range(1..1500)),
            _ => (d.known + rng.gen_range(0..2 * size)).saturating_sub(rng.gen_range(0..=1200)),
        };
        if start == d.sent {
            d.sent += len;
        }
        if rng.gen_bool(0.3) {
            d.ack = d.ack.wrapping_add(rng.gen_range(0..3000));
        }
        let mut ts = d.ts.map(|t| {
            if rng.gen_bool(0.05) {
                t.wrapping_sub(rng.gen_range(1..100))
            } else {
                let now = t.wrapping_add(rng.gen_range(0..2));
                d.ts = Some(now);
                now
            }
        });
        if rng.gen_bool(0.05) {
            ts = None;
        }
        let miss = rng.gen_bool(0.03);
        let mut r = Request {
            status: Status::Ok as u8,
            csum_bad: false,
            key: if miss { key(99) } else { d.key },
            seq: d.isn.wrapping_add(start as u32),
            ack: d.ack,
            plen: len as u32,
            flags: ACK | if rng.gen_bool(0.03) { PSH } else { 0 },
            opts: 0,
        };
        if ts.is_some() {
            r.opts |= 1 << spec::rx_parse::Opt::Timestamps as u8;
        }
        let o = g.table.classify(&r);
        let seen = Seen {
            ack: r.ack,
            window: rng.r#gen(),
            ts: ts.map(|t| (t, rng.r#gen())),
            ce: rng.gen_bool(0.05),
        };
        let a = g.op(Op::Frame(&r, &o, seen), "frame");
        if let (Some(v), Some(slot)) = (a.step.rcv_nxt, o.slot) {
            g.table.write_rcv_nxt(slot, v).expect("installed");
        }
        if miss {
            continue;
        }
        let rcv: Vec<u32> = a.step.cpls.iter().map(|c| c.rcv_nxt).collect();
        let took = a
            .step
            .to_host
            .filter(|_| len > 0)
            .map(|_| (start, start + len));
        host(&mut g, d, took, &rcv);
        // The application reads; the host consumes, flushes, re-posts.
        if d.posted && rng.gen_bool(0.5) {
            d.head = d.known;
            let head = d.isn.wrapping_add(d.head as u32);
            g.op(Op::Consume(d.slot, head), "consume");
        }
        if d.posted && rng.gen_bool(0.05) {
            let a = g.op(Op::Flush(d.slot), "flush");
            let rcv: Vec<u32> = a.step.cpls.iter().map(|c| c.rcv_nxt).collect();
            host(&mut g, d, None, &rcv);
        }
        if d.posted && rng.gen_bool(0.005) {
            g.op(Op::Remove(d.slot), "remove");
            d.posted = false;
        } else if !d.posted && i != 3 && rng.gen_bool(0.05) {
            post(&mut g, d);
        }
        if rng.gen_bool(0.01) {
            g.op(Op::FlushAll, "flush all");
        }
        learn(&mut g, &mut dirs);
    }
    // Every timer runs out, and nothing else is pending.
    for t in g
        .rtl
        .settle(2 * u64::from(time) + 1000)
        .expect("the RTL settles")
    {
        g.timer(t);
    }
    let end = g.rtl.cycles() - g.offset.expect("ops ran");
    g.due.extend(g.model.advance(end));
    assert!(g.due.is_empty(), "the RTL never wrote {:?}", g.due);
    assert_eq!(g.model.next_due(), None, "completions still pending");
    assert!(g.rtl.idle(), "rx_place holds an op after the last result");
    assert_eq!(
        g.rtl.counts(),
        g.model.counts.words(),
        "the counters ({:?}) differ",
        spec::rx_place::COUNTERS
    );
    let placed = g.model.counts.placed_frames;
    eprintln!(
        "rx_place RTL = model: {} ops, {placed} of {frames} frames placed, {} completions, \
         unplaced {:?}, flushes {:?}, {} cycles",
        g.ops,
        g.model.counts.completions,
        g.model.counts.unplaced,
        g.model.counts.flushes,
        g.rtl.cycles()
    );
    assert!(
        placed * 5 > frames as u64,
        "the traffic placed only {placed} of {frames} frames"
    );
    // A long `T` leaves the byte limit to write most completions.
    for f in Flush::ALL
        .into_iter()
        .filter(|f| time < 100 || *f != Flush::Time)
    {
        assert!(
            g.model.counts.flushes[f as usize] > 0,
            "the traffic never wrote a completion for {}",
            f.name()
        );
    }
    for u in spec::rx_place::Unplaced::ALL {
        assert!(
            g.model.counts.unplaced[u as usize] > 0,
            "the traffic never sent a frame to the host as {}",
            u.name()
        );
    }
}

#[test]
fn rtl_equals_model_on_random_traffic() {
    for seed in 0..8 {
        run(seed, 20_000, if seed < 4 { 60 } else { 600 });
    }
}
