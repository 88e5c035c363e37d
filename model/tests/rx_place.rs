//! `rx_place` with `conn_table` in front of it: hand-checked steps of
//! the rules in `spec::rx_place`, and random traffic (holes, duplicates,
//! overlapping retransmissions, sequence numbers that wrap, a ring the
//! application drains slowly) whose only oracle is the byte stream the
//! sender sent: what the application reads must be that stream, in order.

use model::conn_table::{Outcome, Request, Table};
use model::rx_place::{Placer, Ring, Seen, Step};
use proptest::prelude::*;
use rand::{Rng, SeedableRng, rngs::StdRng};
use spec::conn_table::{Class, Key};
use spec::rx_parse::Status;
use spec::rx_place::{Flush, PlaceCpl, Unplaced};
use spec::tcp::{ACK, PSH};
use spec::toeplitz::DEFAULT_KEY;
use std::collections::HashSet;

const BASE: u64 = 0x10_0000;
const N: u32 = 16 * 1024;
const T: u64 = 1000;

fn key() -> Key {
    let mut k = Key {
        v6: false,
        src: [0; 16],
        dst: [0; 16],
        sport: 40000,
        dport: 80,
    };
    k.src[..4].copy_from_slice(&[10, 0, 0, 1]);
    k.dst[..4].copy_from_slice(&[10, 0, 0, 2]);
    k
}

fn seg(seq: u32, len: u32, ack: u32, flags: u16) -> Request {
    Request {
        status: Status::Ok as u8,
        csum_bad: false,
        key: key(),
        seq,
        ack,
        plen: len,
        flags: ACK | flags,
        opts: 0,
    }
}

struct Rig {
    table: Table,
    placer: Placer,
    slot: usize,
}

impl Rig {
    fn new(rcv_nxt: u32, log_size: u8) -> Rig {
        Rig::with_paws(rcv_nxt, log_size, None)
    }

    /// Posted with TS.Recent `ts_recent` (PAWS on) where given.
    fn with_paws(rcv_nxt: u32, log_size: u8, ts_recent: Option<u32>) -> Rig {
        let mut table = Table::new(64, 4, DEFAULT_KEY);
        let slot = table.insert(key(), rcv_nxt, 0).expect("empty table");
        let mut placer = Placer::new(N, T);
        let ring = Ring {
            base: BASE,
            log_size,
            head: rcv_nxt,
        };
        assert!(placer.post(slot, ring, rcv_nxt, 0, ts_recent));
        Rig {
            table,
            placer,
            slot,
        }
    }

    fn frame(&mut self, r: &Request, now: u64) -> (Outcome, Step) {
        self.frame_ts(r, None, now)
    }

    /// One frame through the table and the placer, as the engine runs
    /// them, with TSval `tsval` (TSecr 7) where given.
    fn frame_ts(&mut self, r: &Request, tsval: Option<u32>, now: u64) -> (Outcome, Step) {
        let o = self.table.classify(r);
        let seen = Seen {
            ack: r.ack,
            ts: tsval.map(|t| (t, 7)),
            ..Seen::default()
        };
        let step = self.placer.frame(r, &o, seen, now);
        if let Some(v) = step.rcv_nxt {
            self.table.write_rcv_nxt(self.slot, v).expect("installed");
        }
        assert_eq!(
            self.placer.rcv_nxt(self.slot),
            Some(self.rcv_nxt()),
            "rx_place lost track of the table's rcv_nxt"
        );
        (o, step)
    }

    fn rcv_nxt(&self) -> u32 {
        self.table.read(self.slot).expect("installed").rcv_nxt
    }
}

#[test]
fn one_interval_is_kept_and_consumed_as_the_rules_say() {
    let mut g = Rig::new(1000, 12);
    // In order, no PSH, below N: placed at 1000 mod 4096, no completion.
    let (o, s) = g.frame(&seg(1000, 100, 7, 0), 0);
    assert_eq!(o.class, Class::Fast);
    assert_eq!(
        (s.place.clone(), s.to_host, s.cpls.len()),
        (vec![(BASE + 1000, 100)], None, 0)
    );
    // A hole: placed, and the interval is reported at once.
    let (o, s) = g.frame(&seg(1300, 100, 7, 0), 1);
    assert_eq!((o.class, s.to_host), (Class::Ahead, None));
    assert_eq!(s.cpls.len(), 1);
    let c = s.cpls[0];
    assert_eq!(
        (c.flush, c.rcv_nxt, c.ooo, c.frames),
        (Flush::OutOfOrder, 1100, Some((1300, 1400)), 2)
    );
    // Touching the interval's end extends it; growth coalesces.
    let (_, s) = g.frame(&seg(1400, 50, 7, 0), 2);
    assert_eq!(s.cpls.len(), 0);
    assert_eq!(g.placer.interval(g.slot), Some((1300, 1450)));
    // Past the interval with a gap: the host learns the interval as it
    // grew, then the interval moves to the newest data.
    let (_, s) = g.frame(&seg(1600, 100, 7, 0), 3);
    let seen: Vec<_> = s.cpls.iter().map(|c| (c.flush, c.ooo, c.frames)).collect();
    assert_eq!(s.to_host, None);
    assert_eq!(
        seen,
        vec![
            (Flush::OutOfOrder, Some((1300, 1450)), 1),
            (Flush::OutOfOrder, Some((1600, 1700)), 1)
        ]
    );
    // In the hole, apart from the interval: the host's; nothing was pending.
    let (_, s) = g.frame(&seg(1200, 50, 7, 0), 4);
    assert_eq!(
        (s.to_host, s.cpls.len()),
        (Some(Some(Unplaced::SecondHole)), 0)
    );
    // Touching the interval's start extends it.
    let (_, s) = g.frame(&seg(1500, 100, 7, 0), 5);
    assert_eq!(s.cpls.len(), 0);
    assert_eq!(g.placer.interval(g.slot), Some((1500, 1700)));
    // Filling the hole up to the interval jumps rcv_nxt past it.
    let (_, s) = g.frame(&seg(1100, 400, 7, 0), 6);
    assert_eq!(s.rcv_nxt, Some(1700));
    assert_eq!(g.rcv_nxt(), 1700);
    let c = s.cpls[0];
    assert_eq!((c.flush, c.rcv_nxt, c.ooo), (Flush::OutOfOrder, 1700, None));
    // Data below rcv_nxt is the host's.
    let (o, s) = g.frame(&seg(1400, 50, 7, 0), 5);
    assert_eq!(
        (o.class, s.to_host),
        (Class::Old, Some(Some(Unplaced::Below)))
    );
}

#[test]
fn acks_coalesce_until_a_duplicate_or_the_timer() {
    let mut g = Rig::new(5000, 12);
    // Two ACKs that move snd_una: coalesced.
    for (i, ack) in [100u32, 200].into_iter().enumerate() {
        let (o, s) = g.frame(&seg(5000, 0, ack, 0), i as u64);
        assert_eq!((o.class, s.to_host, s.cpls.len()), (Class::Ack, None, 0));
    }
    // The timer writes them T cycles after the first.
    assert!(g.placer.advance(T - 1).is_empty());
    let c = g.placer.advance(T);
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].flush, c[0].ack, c[0].frames), (Flush::Time, 200, 2));
    // A new one, then a duplicate: the pending one is written first.
    g.frame(&seg(5000, 0, 300, 0), T + 1);
    let (_, s) = g.frame(&seg(5000, 0, 300, 0), T + 2);
    assert_eq!(s.to_host, Some(None));
    assert_eq!(
        (s.cpls.len(), s.cpls[0].flush, s.cpls[0].ack),
        (1, Flush::Order, 300)
    );
}

#[test]
fn psh_bytes_and_a_full_ring() {
    let mut g = Rig::new(0xFFFF_FF00, 12);
    // Across the sequence wrap and the ring's end: two pieces.
    let (_, s) = g.frame(&seg(0xFFFF_FF00, 0x200, 1, PSH), 0);
    assert_eq!(s.place, vec![(BASE + 0xF00, 0x100), (BASE, 0x100)]);
    assert_eq!(s.cpls[0].flush, Flush::Psh);
    assert_eq!(s.cpls[0].rcv_nxt, 0x100);
    // The application read nothing: the ring holds 4096 from 0xFFFF_FF00.
    let (_, s) = g.frame(&seg(0x100, 0xE00, 1, 0), 1);
    assert_eq!(s.to_host, None);
    let (o, s) = g.frame(&seg(0xF00, 0x101, 1, 0), 2);
    assert_eq!(
        (o.class, s.to_host),
        (Class::Fast, Some(Some(Unplaced::Full)))
    );
    // The completion before it says where the ring stood without it.
    assert_eq!((s.cpls[0].flush, s.cpls[0].rcv_nxt), (Flush::Order, 0xF00));
    // Its bytes are not in the ring: rcv_nxt stays until the host says
    // its stack took them.
    assert_eq!((s.rcv_nxt, g.rcv_nxt()), (Some(0xF00), 0xF00));
    assert_eq!(g.placer.write_rcv_nxt(g.slot, 0x1001), 0x1001);
    let mut big = Rig::new(0, 16);
    let mut cpls = Vec::new();
    for i in 0..(N / 1000 + 1) {
        cpls.extend(big.frame(&seg(i * 1000, 1000, 1, 0), u64::from(i)).1.cpls);
    }
    assert_eq!(cpls.len(), 1);
    assert_eq!((cpls[0].flush, cpls[0].rcv_nxt), (Flush::Bytes, 17000));
}

/// RFC 7323 §5.3: a segment whose TSval is older than TS.Recent is not
/// acceptable, whatever its sequence number.
#[test]
fn an_old_timestamp_is_the_hosts_and_moves_nothing() {
    let mut g = Rig::with_paws(1000, 12, Some(0xFFFF_FFF0));
    // Newer across the TSval wrap: placed, and TS.Recent moves.
    let (_, s) = g.frame_ts(&seg(1000, 100, 7, 0), Some(5), 0);
    assert_eq!(s.to_host, None);
    // Older than 5: the host's, in order or ahead, with data or a new ACK.
    for (r, class) in [
        (seg(1100, 100, 7, 0), Class::Fast),
        (seg(1300, 100, 7, 0), Class::Ahead),
        (seg(1100, 0, 9, 0), Class::Ack),
    ] {
        let (o, s) = g.frame_ts(&r, Some(0xFFFF_FFF8), 1);
        assert_eq!(
            (o.class, s.to_host, s.place.len()),
            (class, Some(Some(Unplaced::Paws)), 0)
        );
        assert_eq!((g.rcv_nxt(), g.placer.interval(g.slot)), (1100, None));
    }
    // The first refusal wrote the pending frame, with its timestamps.
    let mut g = Rig::with_paws(1000, 12, Some(50));
    g.frame_ts(&seg(1000, 100, 7, 0), Some(60), 0);
    let (_, s) = g.frame_ts(&seg(1100, 100, 7, 0), Some(59), 1);
    let c = s.cpls[0];
    assert_eq!(
        (c.flush, c.rcv_nxt, c.frames, c.tsval, c.tsecr),
        (Flush::Order, 1100, 1, 60, 7)
    );
    // The same TSval passes; a frame without the option is not checked
    // and leaves TS.Recent as it was.
    g.frame_ts(&seg(1100, 100, 7, 0), Some(60), 2);
    g.frame_ts(&seg(1200, 100, 7, 0), None, 3);
    let c = g.placer.flush(g.slot, Flush::Host).expect("pending");
    assert_eq!((c.rcv_nxt, c.frames, c.tsval), (1300, 2, 60));
    // Without PAWS, an old TSval is placed.
    let mut h = Rig::new(1000, 12);
    h.frame_ts(&seg(1000, 100, 7, 0), Some(60), 0);
    let (_, s) = h.frame_ts(&seg(1100, 100, 7, 0), Some(59), 1);
    assert_eq!(s.to_host, None);
}

#[test]
fn a_host_write_that_reaches_the_interval_jumps() {
    let mut g = Rig::new(0, 12);
    g.frame(&seg(500, 100, 1, 0), 0);
    assert_eq!(g.placer.interval(g.slot), Some((500, 600)));
    // The host received [0, 520) itself (a frame it took whole).
    assert_eq!(g.placer.write_rcv_nxt(g.slot, 520), 600);
    assert_eq!(g.placer.interval(g.slot), None);
    // Short of the interval, the write stands.
    let mut h = Rig::new(0, 12);
    h.frame(&seg(500, 100, 1, 0), 0);
    assert_eq!(h.placer.write_rcv_nxt(h.slot, 499), 499);
    assert_eq!(h.placer.interval(h.slot), Some((500, 600)));
}

/// The application's side: ring memory, what was written where, and what
/// it read. Offsets count from the stream's first byte, without wrapping.
struct App {
    stream: Vec<u8>,
    isn: u32,
    mem: Vec<u8>,
    present: HashSet<u64>,
    /// Read up to here.
    head: u64,
    /// What the host knows to be in order (from completions or itself).
    known: u64,
    size: u64,
}

impl App {
    /// The offset of `seq`, the one nearest to `head`.
    fn off(&self, seq: u32) -> u64 {
        let d = seq.wrapping_sub(self.isn.wrapping_add(self.head as u32)) as i32;
        self.head.wrapping_add(d as i64 as u64)
    }

    fn seq(&self, off: u64) -> u32 {
        self.isn.wrapping_add(off as u32)
    }

    /// Where the ring keeps a byte: its sequence number modulo the size.
    fn idx(&self, off: u64) -> usize {
        (u64::from(self.seq(off)) % self.size) as usize
    }

    /// The host copies in the bytes of a frame it received that fit and
    /// are not there yet.
    fn copy(&mut self, from: u64, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            let o = from + i as u64;
            if o >= self.head && o < self.head + self.size && !self.present.contains(&o) {
                let at = self.idx(o);
                self.mem[at] = b;
                self.present.insert(o);
            }
        }
    }

    fn contiguous(&self) -> u64 {
        let mut o = self.head;
        while self.present.contains(&o) {
            o += 1;
        }
        o
    }

    fn read(&mut self) {
        while self.head < self.known {
            let o = self.head;
            assert!(self.present.remove(&o), "byte {o} was never written");
            assert_eq!(
                self.mem[self.idx(o)],
                self.stream[o as usize],
                "byte {o} differs"
            );
            self.head += 1;
        }
    }
}

/// One frame of `data` at offset `start` (empty for a pure ACK): the
/// engine's part into ring memory, the completions into the host's view,
/// then the host's part: a frame it received is copied in (unless it is
/// `forged`, an old duplicate the host's PAWS drops), and where what it
/// holds in order differs from the table's rcv_nxt it writes its own
/// through `rx_place` (Linux drops data past the window).
fn deliver(
    app: &mut App,
    g: &mut Rig,
    timer: &[PlaceCpl],
    s: &Step,
    (start, data): (u64, &[u8]),
    forged: bool,
) {
    for c in timer.iter().chain(&s.cpls) {
        app.known = app.known.max(app.off(c.rcv_nxt));
    }
    let mut o = start;
    let mut k = 0;
    for &(addr, n) in &s.place {
        assert_eq!(
            addr - BASE,
            app.idx(o) as u64,
            "placed away from seq mod size"
        );
        for _ in 0..n {
            let at = app.idx(o);
            app.mem[at] = data[k];
            app.present.insert(o);
            (o, k) = (o + 1, k + 1);
        }
    }
    assert_eq!(k, if s.place.is_empty() { 0 } else { data.len() });
    if s.to_host.is_some() && !data.is_empty() {
        if !forged {
            app.copy(start, data);
        }
        let mine = app.contiguous().max(app.known);
        if app.off(g.rcv_nxt()) != mine {
            let v = g.placer.write_rcv_nxt(g.slot, app.seq(mine));
            g.table.write_rcv_nxt(g.slot, v).expect("installed");
            app.known = app.known.max(app.off(v));
        }
    }
}

/// With `paws`, every frame carries a TSval that grows by round, and
/// some frames are forged old duplicates: other bytes, anywhere near
/// the window, with a TSval older than any sent. Placing one shows as a
/// byte that differs.
fn run(seed: u64, len: usize, log_size: u8, isn: u32, paws: bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    let stream: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
    let ts0: u32 = rng.r#gen();
    let mut g = Rig::with_paws(isn, log_size, paws.then_some(ts0));
    let mut app = App {
        stream,
        isn,
        mem: vec![0; 1 << log_size],
        present: HashSet::new(),
        head: 0,
        known: 0,
        size: 1 << log_size,
    };
    let (mut now, mut ack) = (0u64, 0u32);
    for round in 0..20_000u32 {
        let tsval = paws.then(|| ts0.wrapping_add(1 + round));
        if app.head as usize == len {
            return;
        }
        // The sender: a window from where the receiver stands, in pieces,
        // with losses, duplicates, swaps and overlapping re-segmentation.
        let from = app.known as usize;
        let window = rng.gen_range(1..=2usize << log_size).min(len - from);
        let mut segs = Vec::new();
        let mut at = from;
        while at < from + window {
            let n = rng.gen_range(1..=1460).min(from + window - at);
            let back = if rng.gen_bool(0.05) {
                rng.gen_range(0..=at.min(700))
            } else {
                0
            };
            segs.push((at - back, n + back));
            at += n;
        }
        let mut frames = Vec::new();
        for s in segs {
            if !rng.gen_bool(0.1) {
                frames.push(s);
                if rng.gen_bool(0.05) {
                    frames.push(s);
                }
            }
        }
        for i in 1..frames.len() {
            if rng.gen_bool(0.1) {
                frames.swap(i - 1, i);
            }
        }
        for (start, n) in frames {
            now += rng.gen_range(0..400);
            if rng.gen_bool(0.1) {
                // A pure ACK, new or a duplicate.
                ack = ack.wrapping_add(rng.gen_range(0..2) * 1000);
                let timer = g.placer.advance(now);
                let (_, s) = g.frame_ts(&seg(app.seq(app.known), 0, ack, 0), tsval, now);
                deliver(&mut app, &mut g, &timer, &s, (0, &[]), false);
            }
            if paws && rng.gen_bool(0.05) {
                let at = rng.gen_range(from.saturating_sub(2000)..from + window);
                let n = rng.gen_range(1..=1460).min(len - at);
                let old: Vec<u8> = app.stream[at..at + n].iter().map(|b| !b).collect();
                let stale = ts0.wrapping_sub(rng.gen_range(1..1000));
                let timer = g.placer.advance(now);
                let (_, s) =
                    g.frame_ts(&seg(app.seq(at as u64), n as u32, ack, 0), Some(stale), now);
                deliver(&mut app, &mut g, &timer, &s, (at as u64, &old), true);
            }
            let flags = if rng.gen_bool(0.1) { PSH } else { 0 };
            let timer = g.placer.advance(now);
            let r = seg(app.seq(start as u64), n as u32, ack, flags);
            let (_, s) = g.frame_ts(&r, tsval, now);
            let data = app.stream[start..start + n].to_vec();
            deliver(&mut app, &mut g, &timer, &s, (start as u64, &data), false);
            if rng.gen_bool(0.3) {
                app.read();
                g.placer.advance_head(g.slot, app.seq(app.head));
            }
        }
        // The host's flush command, then the application reads.
        if let Some(c) = g.placer.flush(g.slot, Flush::Host) {
            app.known = app.known.max(app.off(c.rcv_nxt));
        }
        app.read();
        g.placer.advance_head(g.slot, app.seq(app.head));
    }
    panic!(
        "the stream never got through: {} of {len} bytes read",
        app.head
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn the_application_reads_the_stream(
        seed in any::<u64>(),
        len in 1usize..200_000,
        log_size in 12u8..=16,
        near_wrap in any::<bool>(),
        isn in any::<u32>(),
        paws in any::<bool>(),
    ) {
        let isn = if near_wrap { 0u32.wrapping_sub(len as u32 / 2) } else { isn };
        run(seed, len, log_size, isn, paws);
    }
}
