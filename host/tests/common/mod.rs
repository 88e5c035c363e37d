//! Two stacks over a simulated link with a clock the test drives, and
//! faults from a seeded generator or a rule the test gives. The oracle is
//! the byte stream itself (what one application wrote is what the other
//! read) and the segments on the link.
#![allow(dead_code)]

use host::tcp::frames::{Offloads, frames};
use host::tcp::segment::{Received, parse};
use host::tcp::{Config, ConnId, Micros, SocketError, Stack};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::net::SocketAddr;

#[derive(Clone, Copy, Default)]
pub struct Faults {
    pub loss: f64,
    pub reorder: f64,
    pub dup: f64,
    pub corrupt: f64,
}

/// A segment as it left a stack.
#[derive(Clone, Debug)]
pub struct Sent {
    pub at: Micros,
    pub to_b: bool,
    pub seq: u32,
    pub len: u32,
    pub ack: u32,
    pub sack: Vec<(u32, u32)>,
    pub dropped: bool,
}

/// Decides, per frame as it leaves, whether the link loses it.
pub type DropRule = Box<dyn FnMut(Micros, bool, &Received) -> bool>;

pub struct Net {
    pub a: Stack,
    pub b: Stack,
    pub now: Micros,
    /// (deliver at, to b?, frame)
    pub wire: VecDeque<(Micros, bool, Vec<u8>)>,
    rng: SmallRng,
    faults: Faults,
    pub delay: Micros,
    /// Bits per µs each way, if frames queue for the link (a → b, b → a)
    /// rather than all arriving together.
    pub rate: Option<u64>,
    free_at: [Micros; 2],
    pub corrupted: u64,
    pub drop: DropRule,
    pub sent: Vec<Sent>,
    /// Payload lengths of the data segments each stack handed out: a
    /// length past the MSS is one TSO descriptor.
    pub units: Vec<(bool, usize)>,
}

const SOFTWARE: Offloads = Offloads {
    checksum: false,
    tso: false,
};

impl Net {
    pub fn new(cfg: Config, faults: Faults, seed: u64, v6: bool) -> (Net, SocketAddr, SocketAddr) {
        let (ca, cb): (SocketAddr, SocketAddr) = if v6 {
            (
                "[fd00::1]:0".parse().unwrap(),
                "[fd00::2]:80".parse().unwrap(),
            )
        } else {
            (
                "10.0.0.1:0".parse().unwrap(),
                "10.0.0.2:80".parse().unwrap(),
            )
        };
        let a = Stack::new(cfg.clone(), [2, 0, 0, 0, 0, 1], vec![ca.ip()]);
        let b = Stack::new(cfg, [2, 0, 0, 0, 0, 2], vec![cb.ip()]);
        let net = Net {
            a,
            b,
            now: 0,
            wire: VecDeque::new(),
            rng: SmallRng::seed_from_u64(seed),
            faults,
            delay: 5_000,
            rate: None,
            free_at: [0; 2],
            corrupted: 0,
            drop: Box::new(|_, _, _| false),
            sent: Vec::new(),
            units: Vec::new(),
        };
        (net, ca, cb)
    }

    pub fn step(&mut self) {
        for to_b in [true, false] {
            let (from, mac) = if to_b {
                (&mut self.a, [2, 0, 0, 0, 0, 1])
            } else {
                (&mut self.b, [2, 0, 0, 0, 0, 2])
            };
            for o in from.poll(self.now) {
                if !o.payload.is_empty() {
                    self.units.push((to_b, o.payload.len()));
                }
                for f in frames(&o, mac, SOFTWARE) {
                    let f = f.frame;
                    let seg = parse(&f, false).expect("a stack's own frame");
                    let dropped = (self.drop)(self.now, to_b, &seg);
                    self.sent.push(Sent {
                        at: self.now,
                        to_b,
                        seq: seg.h.seq,
                        len: seg.payload.len() as u32,
                        ack: seg.h.ack,
                        sack: seg.h.opts.sack.clone(),
                        dropped,
                    });
                    let r = &mut self.rng;
                    if dropped || r.gen_bool(self.faults.loss) {
                        continue;
                    }
                    let mut f = f;
                    if r.gen_bool(self.faults.corrupt) {
                        let at = r.gen_range(14..f.len());
                        f[at] ^= 1 << r.gen_range(0..8);
                        self.corrupted += 1;
                    }
                    let mut at = self.now + self.delay;
                    if let Some(rate) = self.rate {
                        let free = &mut self.free_at[usize::from(!to_b)];
                        *free = (*free).max(self.now) + (f.len() as u64 * 8).div_ceil(rate);
                        at = *free + self.delay;
                    }
                    if r.gen_bool(self.faults.reorder) {
                        at += r.gen_range(1..3 * self.delay);
                    }
                    if r.gen_bool(self.faults.dup) {
                        self.wire.push_back((at + 100, to_b, f.clone()));
                    }
                    self.wire.push_back((at, to_b, f));
                }
            }
        }
        self.now += 200;
        let now = self.now;
        let (due, rest): (Vec<_>, Vec<_>) = self.wire.drain(..).partition(|(t, _, _)| *t <= now);
        self.wire = rest.into();
        for (_, to_b, f) in due {
            let Ok(seg) = parse(&f, true) else { continue };
            let dst = if to_b { &mut self.b } else { &mut self.a };
            dst.input(&seg, false, now);
        }
    }
}

pub fn pattern(n: usize, seed: u64) -> Vec<u8> {
    let mut r = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| r.r#gen()).collect()
}

/// One side's application: writes its data, shuts down once all is
/// written, and reads all there is.
struct App {
    data: Vec<u8>,
    sent: usize,
    shut: bool,
    got: Vec<u8>,
    eof: bool,
}

impl App {
    fn new(data: Vec<u8>) -> App {
        App {
            data,
            sent: 0,
            shut: false,
            got: Vec::new(),
            eof: false,
        }
    }

    fn turn(&mut self, st: &mut Stack, id: ConnId, buf: &mut [u8], who: &str) {
        if self.sent < self.data.len()
            && let Ok(k) = st.write(id, &self.data[self.sent..])
        {
            self.sent += k;
        }
        if self.sent == self.data.len() && !self.shut {
            st.shutdown(id).unwrap();
            self.shut = true;
        }
        loop {
            match st.read(id, buf) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => self.got.extend_from_slice(&buf[..k]),
                Err(SocketError::WouldBlock) => break,
                Err(e) => panic!("{who}: {e}"),
            }
        }
    }
}

/// Sends `len` bytes a→b and `back` bytes b→a over one connection, then
/// closes both ways; returns what each side read and the final states.
pub fn transfer(
    cfg: Config,
    faults: Faults,
    seed: u64,
    len: usize,
    back: usize,
    v6: bool,
) -> (Vec<u8>, Vec<u8>, Net) {
    let (n, ca, cb) = Net::new(cfg, faults, seed, v6);
    transfer_on(n, ca, cb, seed, len, back)
}

/// [`transfer`] over a link the caller set up.
pub fn transfer_on(
    mut n: Net,
    ca: SocketAddr,
    cb: SocketAddr,
    seed: u64,
    len: usize,
    back: usize,
) -> (Vec<u8>, Vec<u8>, Net) {
    let l = n.b.listen(cb, 16).unwrap();
    let c = n.a.connect(ca, cb, [2, 0, 0, 0, 0, 2], 0).unwrap();
    let (mut a, mut b) = (
        App::new(pattern(len, seed)),
        App::new(pattern(back, seed + 1)),
    );
    let mut s: Option<ConnId> = None;
    let mut buf = vec![0; 65536];
    for _ in 0..3_000_000 {
        n.step();
        if s.is_none() {
            s = n.b.accept(l).ok();
        }
        a.turn(&mut n.a, c, &mut buf, "client");
        if let Some(s) = s {
            b.turn(&mut n.b, s, &mut buf, "server");
        }
        if a.eof && b.eof {
            n.a.close(c).unwrap();
            n.b.close(s.unwrap()).unwrap();
            break;
        }
    }
    let (up, down, got_b, got_a) = (a.data, b.data, b.got, a.got);
    let (a_eof, b_eof) = (a.eof, b.eof);
    let dump = |s: &Stack| {
        s.connections()
            .map(|(_, c)| {
                format!(
                    "{:?} {:?} una {} rcv {} cwnd {}",
                    c.state(),
                    c.error(),
                    c.snd_una(),
                    c.rcv_nxt(),
                    c.cwnd()
                )
            })
            .collect::<Vec<_>>()
    };
    eprintln!(
        "a: {:?}\nb: {:?}\na {:?}\nb {:?}",
        dump(&n.a),
        dump(&n.b),
        n.a.totals(),
        n.b.totals()
    );
    assert!(
        a_eof && b_eof,
        "transfer did not finish: a read {} of {back}, b read {} of {len}",
        got_a.len(),
        got_b.len()
    );
    assert_eq!(got_b.len(), up.len());
    assert!(got_b == up, "a→b bytes differ");
    assert!(got_a == down, "b→a bytes differ");
    (got_a, got_b, n)
}
