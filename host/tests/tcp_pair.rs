//! Two stacks over a simulated link with a clock the test drives, and
//! faults from a seeded generator. The oracle is the byte stream itself:
//! what one application wrote is what the other read, byte for byte.

use host::tcp::frames::{Offloads, frames};
use host::tcp::segment::parse;
use host::tcp::{CcKind, Config, ConnId, Micros, SocketError, Stack, State};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::net::SocketAddr;

#[derive(Clone, Copy, Default)]
struct Faults {
    loss: f64,
    reorder: f64,
    dup: f64,
    corrupt: f64,
}

struct Net {
    a: Stack,
    b: Stack,
    now: Micros,
    /// (deliver at, to b?, frame)
    wire: VecDeque<(Micros, bool, Vec<u8>)>,
    rng: SmallRng,
    faults: Faults,
    delay: Micros,
    corrupted: u64,
}

const SOFTWARE: Offloads = Offloads {
    checksum: false,
    tso: false,
};

impl Net {
    fn new(cfg: Config, faults: Faults, seed: u64, v6: bool) -> (Net, SocketAddr, SocketAddr) {
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
            corrupted: 0,
        };
        (net, ca, cb)
    }

    fn step(&mut self) {
        for to_b in [true, false] {
            let (from, mac) = if to_b {
                (&mut self.a, [2, 0, 0, 0, 0, 1])
            } else {
                (&mut self.b, [2, 0, 0, 0, 0, 2])
            };
            for o in from.poll(self.now) {
                for f in frames(&o, mac, SOFTWARE) {
                    let f = f.frame;
                    let r = &mut self.rng;
                    if r.gen_bool(self.faults.loss) {
                        continue;
                    }
                    let mut f = f;
                    if r.gen_bool(self.faults.corrupt) {
                        let at = r.gen_range(14..f.len());
                        f[at] ^= 1 << r.gen_range(0..8);
                        self.corrupted += 1;
                    }
                    let mut at = self.now + self.delay;
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

fn pattern(n: usize, seed: u64) -> Vec<u8> {
    let mut r = SmallRng::seed_from_u64(seed);
    (0..n).map(|_| r.r#gen()).collect()
}

/// Sends `len` bytes a→b and `back` bytes b→a over one connection, then
/// closes both ways; returns what each side read and the final states.
fn transfer(
    cfg: Config,
    faults: Faults,
    seed: u64,
    len: usize,
    back: usize,
    v6: bool,
) -> (Vec<u8>, Vec<u8>, Net) {
    let (mut n, ca, cb) = Net::new(cfg, faults, seed, v6);
    let l = n.b.listen(cb, 16).unwrap();
    let c = n.a.connect(ca, cb, [2, 0, 0, 0, 0, 2], 0).unwrap();
    let (up, down) = (pattern(len, seed), pattern(back, seed + 1));
    let (mut sent_up, mut sent_down) = (0, 0);
    let (mut got_b, mut got_a) = (Vec::new(), Vec::new());
    let mut s: Option<ConnId> = None;
    let (mut a_shut, mut b_shut, mut a_eof, mut b_eof) = (false, false, false, false);
    let mut buf = vec![0; 65536];
    for _ in 0..3_000_000 {
        n.step();
        if s.is_none() {
            s = n.b.accept(l).ok();
        }
        if sent_up < up.len()
            && let Ok(k) = n.a.write(c, &up[sent_up..])
        {
            sent_up += k;
        }
        if sent_up == up.len() && !a_shut {
            n.a.shutdown(c).unwrap();
            a_shut = true;
        }
        loop {
            match n.a.read(c, &mut buf) {
                Ok(0) => {
                    a_eof = true;
                    break;
                }
                Ok(k) => got_a.extend_from_slice(&buf[..k]),
                Err(SocketError::WouldBlock) => break,
                Err(e) => panic!("client: {e}"),
            }
        }
        if let Some(s) = s {
            if sent_down < down.len()
                && let Ok(k) = n.b.write(s, &down[sent_down..])
            {
                sent_down += k;
            }
            if sent_down == down.len() && !b_shut {
                n.b.shutdown(s).unwrap();
                b_shut = true;
            }
            loop {
                match n.b.read(s, &mut buf) {
                    Ok(0) => {
                        b_eof = true;
                        break;
                    }
                    Ok(k) => got_b.extend_from_slice(&buf[..k]),
                    Err(SocketError::WouldBlock) => break,
                    Err(e) => panic!("server: {e}"),
                }
            }
        }
        if a_eof && b_eof {
            n.a.close(c).unwrap();
            n.b.close(s.unwrap()).unwrap();
            break;
        }
    }
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

#[test]
fn a_clean_link_carries_a_megabyte_each_way_and_closes() {
    for v6 in [false, true] {
        let (_, _, mut n) = transfer(
            Config::default(),
            Faults::default(),
            1,
            1 << 20,
            1 << 20,
            v6,
        );
        for _ in 0..1000 {
            n.step();
        }
        // The active closer waits in TIME-WAIT; the other side is gone.
        let states: Vec<State> = n.a.connections().map(|(_, c)| c.state()).collect();
        assert_eq!(
            states,
            vec![State::TimeWait],
            "{:?}",
            n.b.connections()
                .map(|(_, c)| c.state())
                .collect::<Vec<_>>()
        );
        assert_eq!(n.b.connections().count(), 0);
        assert_eq!(n.a.totals().retransmits, 0);
    }
}

#[test]
fn loss_reordering_duplication_and_corruption_still_deliver_every_byte() {
    for (seed, cc) in [(2, CcKind::NewReno), (3, CcKind::Cubic)] {
        let cfg = Config {
            cc,
            ..Config::default()
        };
        let f = Faults {
            loss: 0.05,
            reorder: 0.05,
            dup: 0.02,
            corrupt: 0.01,
        };
        let (_, _, n) = transfer(cfg, f, seed, 1 << 20, 100_000, false);
        assert!(n.a.totals().retransmits > 0);
        assert!(n.corrupted > 0);
        assert!(
            n.b.stats.bad_checksum_drops > 0,
            "corrupt frames must be dropped by the checksum"
        );
    }
}

#[test]
fn every_option_off_still_works() {
    let cfg = Config {
        window_scaling: false,
        timestamps: false,
        sack: false,
        rcv_buf: 65535,
        ..Config::default()
    };
    let f = Faults {
        loss: 0.01,
        ..Faults::default()
    };
    transfer(cfg, f, 4, 500_000, 500_000, true);
}

#[test]
fn a_connect_to_a_closed_port_is_refused() {
    let (mut n, ca, _) = Net::new(Config::default(), Faults::default(), 5, false);
    let c =
        n.a.connect(ca, "10.0.0.2:81".parse().unwrap(), [2, 0, 0, 0, 0, 2], 0)
            .unwrap();
    for _ in 0..200 {
        n.step();
    }
    assert_eq!(
        n.a.read(c, &mut [0; 1]),
        Err(SocketError::Conn(host::tcp::ConnError::Refused))
    );
}

/// A reader that stalls for longer than the retry budget: the sender
/// probes the zero window with backoff, the answers keep the connection
/// (as Linux resets icsk_probes_out on every ACK), no probe answer counts
/// as a duplicate ACK, and every byte arrives once the reader resumes.
#[test]
fn a_reader_stalled_for_an_hour_keeps_the_connection() {
    let cfg = Config {
        rcv_buf: 65_535,
        snd_buf: 65_535,
        ..Config::default()
    };
    let (mut n, ca, cb) = Net::new(cfg.clone(), Faults::default(), 6, false);
    let l = n.b.listen(cb, 16).unwrap();
    let c = n.a.connect(ca, cb, [2, 0, 0, 0, 0, 2], 0).unwrap();
    let data = pattern(200_000, 6);
    let mut sent = 0;
    let stall_until = 3_600_000_000;
    let (mut got, mut s) = (Vec::new(), None);
    let mut buf = vec![0; 65536];
    while got.len() < data.len() {
        assert!(
            n.now < stall_until + 60_000_000,
            "the transfer did not resume"
        );
        n.step();
        s = s.or_else(|| n.b.accept(l).ok());
        if let Ok(k) = n.a.write(c, &data[sent..]) {
            sent += k;
        }
        if n.now >= stall_until
            && let Some(s) = s
            && let Ok(k) = n.b.read(s, &mut buf)
        {
            got.extend_from_slice(&buf[..k]);
        }
        // Skip the quiet stretches to the next timer: once a second step
        // (a poll after the last delivery) put nothing on the wire.
        if n.wire.is_empty() {
            n.step();
        }
        if n.wire.is_empty() && n.now < stall_until {
            let next = [n.a.deadline(), n.b.deadline()].into_iter().flatten().min();
            n.now = next.unwrap_or(stall_until).clamp(n.now, stall_until);
        }
    }
    assert!(got == data, "bytes differ");
    let t = n.a.totals();
    assert!(
        t.zero_window_probes > u64::from(cfg.retries),
        "{} probes in an hour",
        t.zero_window_probes
    );
    assert_eq!(t.fast_retransmits, 0, "a probe answer taken for a dup ACK");
    assert_eq!(n.a.conn(c).unwrap().state(), State::Established);
}
