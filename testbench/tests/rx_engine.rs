//! `rx_engine` (wire → buffers and completions in host memory) against the
//! models: every completion (status, class, hit, slot, hash, verdict with
//! the length, buffer index) and every byte in every buffer is what
//! `model::rx_checksum`, `model::rx_parse` and `model::conn_table` say, for
//! the frames the engine admitted, in order. Random and broken frames plus
//! TCP flows installed through the command port (so `fast` and `ack`
//! occur), random idle on the wire, random stalls and read latency on the
//! memory port, a host that returns buffers and completion slots late.
//! Cases: ring wrap, buffers exhausted, completion ring full, frames longer
//! than their buffer, a reset in the middle of traffic. Any access outside
//! what the host mapped fails the test (`DmaMem` faults).

use etherparse::PacketBuilder;
use model::conn_table::{Cmd, Request, Table};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::mem_port::MemTiming;
use sim::rx_engine::{Completed, Counts, Driver, HostPolicy, RxEngineRtl, RxHost};
use sim::stream::Traffic;
use spec::conn_table::{Class, CmdStatus, Key};
use spec::ring::{RxCpl, RxStatus};
use spec::toeplitz::{self, DEFAULT_KEY};
use testbench::frames::FrameGen;

/// TCP connections whose frames come in order (ACKs and data), installed
/// in the table at their first sequence number.
struct Flows {
    conns: Vec<Flow>,
}

struct Flow {
    v6: bool,
    src: [u8; 16],
    dst: [u8; 16],
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
}

impl Flow {
    fn key(&self) -> Key {
        let mut k = Key {
            v6: self.v6,
            src: [0; 16],
            dst: [0; 16],
            sport: self.sport,
            dport: self.dport,
        };
        let n = if self.v6 { 16 } else { 4 };
        k.src[..n].copy_from_slice(&self.src[..n]);
        k.dst[..n].copy_from_slice(&self.dst[..n]);
        k
    }

    /// The next frame: data (PSH+ACK) or a pure ACK; sometimes a
    /// retransmission or a frame ahead of the sequence.
    fn frame(&mut self, rng: &mut StdRng) -> Vec<u8> {
        let plen = if rng.gen_bool(0.3) {
            0
        } else {
            rng.gen_range(1..1400)
        };
        let payload: Vec<u8> = (0..plen).map(|_| rng.r#gen()).collect();
        let seq = match rng.gen_range(0..20) {
            0 => self.seq.wrapping_sub(100),
            1 => self.seq.wrapping_add(1000),
            _ => self.seq,
        };
        if seq == self.seq {
            self.seq = self.seq.wrapping_add(plen as u32);
        }
        self.ack = self.ack.wrapping_add(rng.gen_range(0..3000));
        let eth = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
        let ip = if self.v6 {
            eth.ipv6(self.src, self.dst, 64)
        } else {
            let s: [u8; 4] = self.src[..4].try_into().unwrap();
            let d: [u8; 4] = self.dst[..4].try_into().unwrap();
            eth.ipv4(s, d, 64)
        };
        let b = ip.tcp(self.sport, self.dport, seq, 65535).ack(self.ack);
        let b = if plen > 0 { b.psh() } else { b };
        let mut out = Vec::with_capacity(b.size(plen));
        b.write(&mut out, &payload).unwrap();
        out
    }
}

impl Flows {
    fn new(rng: &mut StdRng, n: usize) -> Flows {
        let conns = (0..n)
            .map(|i| {
                let mut src = [0u8; 16];
                let mut dst = [0u8; 16];
                rng.fill(&mut src[..]);
                rng.fill(&mut dst[..]);
                Flow {
                    v6: i % 3 == 2,
                    src,
                    dst,
                    sport: rng.r#gen(),
                    dport: 80,
                    seq: rng.r#gen(),
                    ack: rng.r#gen(),
                }
            })
            .collect();
        Flows { conns }
    }

    /// Installs every flow in both tables (RTL through the command port);
    /// those whose bucket is full stay out, in both.
    fn install(&self, e: &mut RxEngineRtl, table: &mut Table) {
        for f in &self.conns {
            let cmd = Cmd::Insert {
                key: f.key(),
                rcv_nxt: f.seq,
                snd_una: f.ack,
                bank: None,
            };
            let want = table.execute(&cmd);
            assert_eq!(e.command(&cmd).unwrap(), want, "insert {:?}", f.key());
            assert!(matches!(want.status, CmdStatus::Ok | CmdStatus::Full));
        }
    }
}

/// Random and broken frames mixed with the flows' frames.
fn mixed(seed: u64, n: usize, max: usize, flows: &mut Flows) -> Vec<Vec<u8>> {
    let mut g = FrameGen::new(seed);
    let mut rng = StdRng::seed_from_u64(seed ^ 0xf10);
    (0..n)
        .map(|_| {
            if rng.gen_bool(0.5) {
                let k = rng.gen_range(0..flows.conns.len());
                flows.conns[k].frame(&mut rng)
            } else {
                g.any(max)
            }
        })
        .collect()
}

#[derive(Debug, Default)]
struct Summary {
    dropped: usize,
    too_big: u32,
    bytes: u32,
    class: [u32; 10],
}

/// Matches the completions to the frames in order (a frame with no
/// completion was dropped) and checks each against the models; the table
/// sees exactly the completed frames that fit their buffer.
fn check(frames: &[Vec<u8>], got: &[Completed], table: &mut Table) -> Summary {
    let mut s = Summary::default();
    let mut j = 0;
    for (k, c) in got.iter().enumerate() {
        loop {
            assert!(
                j < frames.len(),
                "completion {k} ({:?}, {} bytes) matches no frame",
                c.cpl,
                c.data.len()
            );
            let f = &frames[j];
            let keep = f.len().min(c.cap as usize);
            let len = spec::rx_csum::FIELD_LEN.get(u64::from(c.cpl.verdict)) as usize;
            if len == f.len() && c.data[..] == f[..keep] {
                break;
            }
            j += 1;
            s.dropped += 1;
        }
        let f = &frames[j];
        let v = model::rx_checksum::verdict(f, false);
        let big = f.len() > c.cap as usize;
        let want = if big {
            s.too_big += 1;
            RxCpl {
                index: c.cpl.index,
                status: RxStatus::TooBig,
                class: 0,
                hit: false,
                verdict: v.pack() & 0xFFFF_8000,
                slot: 0,
                hash: 0,
            }
        } else {
            let h = model::rx_parse::parse(f, false);
            let r = Request::of(&h, &v);
            let out = table.classify(&r);
            s.class[out.class as usize] += 1;
            RxCpl {
                index: c.cpl.index,
                status: RxStatus::Ok,
                class: out.class as u8,
                hit: out.slot.is_some(),
                verdict: v.pack(),
                // The slot field means something only with a hit.
                slot: out.slot.map_or(c.cpl.slot, |s| s as u16),
                hash: toeplitz::hash(table.hash_key(), &r.key.hash_input()),
            }
        };
        assert_eq!(
            c.cpl,
            want,
            "completion {k}: frame {j} of {} bytes",
            f.len()
        );
        s.bytes = s.bytes.wrapping_add(f.len() as u32);
        j += 1;
    }
    s.dropped += frames.len() - j;
    s
}

fn no_faults(e: &RxEngineRtl) {
    let f = e.mem.faults();
    assert!(f.is_empty(), "{} DMA faults, first: {}", f.len(), f[0]);
}

fn start(cfg: MemTiming, rxq_log: u32, rxcq_log: u32) -> (RxEngineRtl, RxHost, Table) {
    start_variant("small", cfg, rxq_log, rxcq_log)
}

fn start_variant(
    variant: &str,
    cfg: MemTiming,
    rxq_log: u32,
    rxcq_log: u32,
) -> (RxEngineRtl, RxHost, Table) {
    let mut e = RxEngineRtl::new(variant, &DEFAULT_KEY, cfg).unwrap();
    let h = RxHost::new(&mut e.mem, rxq_log, rxcq_log);
    e.set_rings(&h);
    e.set_enable(true);
    let t = Table::new(e.entries(), 4, DEFAULT_KEY);
    (e, h, t)
}

const EAGER: HostPolicy = HostPolicy {
    active: 1.0,
    poll: true,
    keep_posted: 4096,
    post_limit: None,
    cap: (9100, 9100),
};

/// One run of mixed traffic: `flows` connections installed, `n` frames of
/// up to `max` bytes (generator seed `seed`), wire idle `idle`, the host
/// acting by `policy`; the completions checked against the models.
struct Case<'a> {
    variant: &'a str,
    mem: MemTiming,
    logs: (u32, u32),
    flows: usize,
    seed: u64,
    n: usize,
    max: usize,
    idle: f64,
    policy: HostPolicy,
}

struct Ran {
    e: RxEngineRtl,
    frames: Vec<Vec<u8>>,
    got: Vec<Completed>,
    s: Summary,
    c: Counts,
}

fn run(case: Case) -> Ran {
    let (mut e, mut h, mut table) = start_variant(case.variant, case.mem, case.logs.0, case.logs.1);
    let mut rng = StdRng::seed_from_u64(case.mem.seed);
    let mut flows = Flows::new(&mut rng, case.flows);
    flows.install(&mut e, &mut table);
    let frames = mixed(case.seed, case.n, case.max, &mut flows);
    let traffic = Traffic {
        idle: case.idle,
        backpressure: 0.0,
        seed: case.mem.seed,
    };
    let mut d = Driver::new(&mut e, &mut h, &traffic);
    d.run(&frames, &case.policy, true).unwrap();
    let got = std::mem::take(&mut d.got);
    let s = check(&frames, &got, &mut table);
    let c = e.counts();
    no_faults(&e);
    Ran {
        e,
        frames,
        got,
        s,
        c,
    }
}

#[test]
fn ring_of_8_wraps_with_a_lazy_host_and_stalling_memory() {
    let Ran { e, got, s, c, .. } = run(Case {
        variant: "small",
        mem: MemTiming {
            latency: 30,
            rd_stall: 0.2,
            wr_stall: 0.2,
            seed: 1,
        },
        logs: (3, 3),
        flows: 6,
        seed: 1,
        n: 500,
        max: 1600,
        idle: 0.2,
        policy: HostPolicy {
            active: 0.05,
            cap: (1600, 2000),
            ..EAGER
        },
    });
    println!(
        "{} completions, {} dropped, counters {c:?}",
        got.len(),
        s.dropped
    );
    assert!(got.len() > 100, "the ring wrapped many times");
    assert_eq!(c.frames as usize, got.len());
    assert_eq!((c.no_buffer + c.cpl_full) as usize, s.dropped);
    assert_eq!((c.bytes, c.too_big, c.class), (s.bytes, 0, s.class));
    assert_eq!(e.rxq_head(), got.len() as u16);
    assert_eq!(e.rxcq_tail(), got.len() as u16);
    for cl in [Class::Fast, Class::Ack, Class::Miss, Class::Unparsed] {
        assert!(s.class[cl as usize] > 0, "no {cl:?} frame");
    }
}

#[test]
fn eager_host_drops_nothing() {
    let Ran {
        e,
        frames,
        got,
        s,
        c,
    } = run(Case {
        variant: "small",
        mem: MemTiming {
            latency: 200,
            rd_stall: 0.3,
            wr_stall: 0.3,
            seed: 2,
        },
        logs: (5, 5),
        flows: 8,
        seed: 2,
        n: 400,
        max: 9018,
        idle: 0.3,
        policy: EAGER,
    });
    assert_eq!((got.len(), s.dropped), (frames.len(), 0));
    assert_eq!(
        (c.frames, c.no_buffer, c.cpl_full),
        (frames.len() as u32, 0, 0)
    );
    assert_eq!((c.bytes, c.class), (s.bytes, s.class));
    assert_eq!(e.cpl_pulses, frames.len() as u64);
}

/// The synthesized build (4096-entry table) under the same checks.
#[test]
fn default_table_build() {
    let Ran { e, got, s, c, .. } = run(Case {
        variant: "",
        mem: MemTiming {
            latency: 60,
            rd_stall: 0.2,
            wr_stall: 0.2,
            seed: 9,
        },
        logs: (4, 4),
        flows: 20,
        seed: 11,
        n: 300,
        max: 3000,
        idle: 0.2,
        policy: HostPolicy {
            active: 0.2,
            cap: (1, 3000),
            ..EAGER
        },
    });
    assert_eq!(e.entries(), 4096);
    println!(
        "{} completions, {} dropped, {} too big",
        got.len(),
        s.dropped,
        s.too_big
    );
    assert_eq!(
        (c.frames as usize, c.too_big, c.bytes, c.class),
        (got.len(), s.too_big, s.bytes, s.class)
    );
    assert_eq!((c.no_buffer + c.cpl_full) as usize, s.dropped);
    assert!(s.class[Class::Fast as usize] > 0 && s.class[Class::Ack as usize] > 0);
}

#[test]
fn buffers_exhausted_then_returned() {
    let cfg = MemTiming {
        latency: 50,
        rd_stall: 0.1,
        wr_stall: 0.1,
        seed: 3,
    };
    let (mut e, mut h, mut table) = start(cfg, 4, 5);
    let mut rng = StdRng::seed_from_u64(3);
    let mut flows = Flows::new(&mut rng, 4);
    flows.install(&mut e, &mut table);
    let frames = mixed(3, 30, 1500, &mut flows);
    let traffic = Traffic {
        idle: 0.1,
        backpressure: 0.0,
        seed: 3,
    };
    // Ten buffers and no more: the first ten frames land, twenty drop.
    let starved = HostPolicy {
        post_limit: Some(10),
        cap: (1500, 1500),
        ..EAGER
    };
    let mut d = Driver::new(&mut e, &mut h, &traffic);
    d.run(&frames, &starved, true).unwrap();
    let got = std::mem::take(&mut d.got);
    let s = check(&frames, &got, &mut table);
    assert_eq!(got.len(), 10);
    assert_eq!(s.dropped, 20);
    let c = e.counts();
    assert_eq!((c.frames, c.no_buffer, c.cpl_full), (10, 20, 0));
    // Buffers come back: every frame lands again.
    let more = mixed(4, 60, 1500, &mut flows);
    let mut d = Driver::new(&mut e, &mut h, &traffic);
    d.run(&more, &EAGER, true).unwrap();
    let got = std::mem::take(&mut d.got);
    let s = check(&more, &got, &mut table);
    assert_eq!((got.len(), s.dropped), (60, 0));
    let c = e.counts();
    assert_eq!((c.frames, c.no_buffer, c.cpl_full), (70, 20, 0));
    no_faults(&e);
}

#[test]
fn completion_ring_full_drops_then_recovers() {
    let cfg = MemTiming {
        latency: 10,
        rd_stall: 0.1,
        wr_stall: 0.2,
        seed: 4,
    };
    let (mut e, mut h, mut table) = start(cfg, 4, 2);
    let mut rng = StdRng::seed_from_u64(4);
    let mut flows = Flows::new(&mut rng, 4);
    flows.install(&mut e, &mut table);
    let frames = mixed(5, 12, 1500, &mut flows);
    let traffic = Traffic {
        idle: 0.1,
        backpressure: 0.0,
        seed: 4,
    };
    // 16 buffers posted, 4 completion slots never returned.
    let deaf = HostPolicy {
        poll: false,
        cap: (1500, 1500),
        ..EAGER
    };
    let mut d = Driver::new(&mut e, &mut h, &traffic);
    d.run(&frames, &deaf, true).unwrap();
    let c = d.e.counts();
    assert_eq!((c.frames, c.no_buffer, c.cpl_full), (4, 0, 8));
    let mut got = Vec::new();
    while let Some(x) = d.h.poll(&mut d.e.mem).unwrap() {
        got.push(x);
    }
    assert_eq!(got.len(), 4);
    let more = mixed(6, 40, 1500, &mut flows);
    d.run(&more, &EAGER, true).unwrap();
    got.extend(std::mem::take(&mut d.got));
    let all: Vec<Vec<u8>> = frames.iter().chain(&more).cloned().collect();
    let s = check(&all, &got, &mut table);
    // Four slots hold four frames in flight: even an eager host sees a
    // few more drops, all counted.
    let c = e.counts();
    println!(
        "{} completions, {} dropped, counters {c:?}",
        got.len(),
        s.dropped
    );
    assert_eq!((c.frames as usize, c.no_buffer), (got.len(), 0));
    assert_eq!(c.cpl_full as usize, s.dropped);
    assert!(got.len() >= 4 + 30, "most frames land once slots come back");
    no_faults(&e);
}

#[test]
fn frames_longer_than_their_buffer_are_cut_and_not_classified() {
    let Ran { got, s, c, .. } = run(Case {
        variant: "small",
        mem: MemTiming {
            latency: 20,
            rd_stall: 0.2,
            wr_stall: 0.2,
            seed: 5,
        },
        logs: (3, 4),
        flows: 6,
        seed: 7,
        n: 300,
        max: 1500,
        idle: 0.2,
        policy: HostPolicy {
            active: 0.3,
            cap: (1, 1500),
            ..EAGER
        },
    });
    println!(
        "{} completions, {} too big, {} dropped",
        got.len(),
        s.too_big,
        s.dropped
    );
    assert!(s.too_big > 50 && (got.len() as u32) > s.too_big + 50);
    assert_eq!((c.too_big, c.bytes, c.class), (s.too_big, s.bytes, s.class));
    assert_eq!((c.no_buffer + c.cpl_full) as usize, s.dropped);
}

#[test]
fn reset_in_the_middle_of_traffic() {
    let cfg = MemTiming {
        latency: 40,
        rd_stall: 0.2,
        wr_stall: 0.3,
        seed: 6,
    };
    let (mut e, mut h, mut table) = start(cfg, 4, 4);
    let mut rng = StdRng::seed_from_u64(6);
    let mut flows = Flows::new(&mut rng, 6);
    flows.install(&mut e, &mut table);
    let frames = mixed(8, 60, 1500, &mut flows);
    let traffic = Traffic {
        idle: 0.1,
        backpressure: 0.0,
        seed: 6,
    };
    let policy = HostPolicy {
        cap: (1500, 1500),
        ..EAGER
    };
    let mut d = Driver::new(&mut e, &mut h, &traffic);
    // 59 whole frames, then half of the last one: the reset comes
    // while it is being written (abandoned), and frames keep arriving.
    d.run(&frames[..59], &policy, false).unwrap();
    let last = &frames[59];
    let beats: Vec<&[u8]> = last.chunks(8).collect();
    let n = beats.len();
    for k in 0..n / 2 {
        offer(&mut d, &beats, k);
    }
    d.e.set_soft_reset(true);
    for k in n / 2..n {
        offer(&mut d, &beats, k);
    }
    let during = mixed(9, 10, 1500, &mut flows);
    d.run(&during, &policy, false).unwrap();
    // The engine finishes what it had, then is idle.
    d.wait(&policy, |d| d.e.idle()).unwrap();
    let pre = std::mem::take(&mut d.got);
    let s = check(&frames[..59], &pre, &mut table);
    println!("{} completed before the reset", pre.len());
    assert_eq!(
        (pre.len(), s.dropped),
        (59, 0),
        "every whole frame completes"
    );
    // The register block clears everything; the host takes its buffers back.
    d.e.set_enable(false);
    d.h.reclaim(&mut d.e.mem);
    d.e.sync(d.h);
    d.e.step(None).unwrap();
    d.e.set_soft_reset(false);
    d.e.step(None).unwrap();
    let c = d.e.counts();
    assert_eq!(c, Default::default(), "counters cleared");
    assert_eq!((d.e.rxq_head(), d.e.rxcq_tail()), (0, 0));
    d.e.set_enable(true);
    let after = mixed(10, 80, 1500, &mut flows);
    d.run(&after, &policy, true).unwrap();
    let got = std::mem::take(&mut d.got);
    let s = check(&after, &got, &mut table);
    assert_eq!((got.len(), s.dropped), (80, 0));
    assert_eq!(e.counts().frames, 80);
    no_faults(&e);
}

/// Offers beat `k` of a frame until the engine takes it.
fn offer(d: &mut Driver, beats: &[&[u8]], k: usize) {
    let c = beats[k];
    let last = k + 1 == beats.len();
    while !d.e.step(Some((c, (1u64 << c.len()) - 1, last))).unwrap() {}
}

/// Achieved / ideal beats at 64 bits, frames back to back, buffers always
/// posted, at read latencies 0 (the answer the next cycle), 50 and 200
/// cycles, and the write port's use (words written per cycle: data and
/// completions); written to build/bench/report-rx_engine.json. A
/// measurement, not an assertion.
#[test]
fn throughput_report() {
    let mut rows = Vec::new();
    for latency in [0u64, 50, 200] {
        for size in [64usize, 128, 256, 1518, 9018] {
            let cfg = MemTiming {
                latency,
                rd_stall: 0.0,
                wr_stall: 0.0,
                seed: 7,
            };
            let (mut e, mut h, _) = start(cfg, 8, 8);
            let mut g = FrameGen::new(size as u64);
            let n = (40_000 / size.div_ceil(8)).clamp(20, 2000);
            let frames: Vec<Vec<u8>> = (0..n).map(|_| g.frame(size)).collect();
            let policy = HostPolicy {
                cap: (9100, 9100),
                ..EAGER
            };
            let mut d = Driver::new(&mut e, &mut h, &Traffic::FULL_RATE);
            // Buffers posted and fetched before the first frame.
            let t0 = d.e.cycles();
            d.wait(&policy, |d| d.e.cycles() > t0 + latency + 100)
                .unwrap();
            d.run(&frames, &policy, true).unwrap();
            assert_eq!(d.got.len(), n);
            let span = d.last_beat - d.first_beat.unwrap() + 1;
            let ratio = d.beats as f64 / span as f64;
            let port = d.e.port.writes as f64 / span as f64;
            println!(
                "latency {latency:3} frame {size:5} B: {} beats in {span} cycles = {ratio:.4}, write port {port:.4}",
                d.beats
            );
            rows.push(serde_json::json!({
                "block": "rx_engine",
                "width_bits": 64,
                "read_latency": latency,
                "frame_bytes": size,
                "frames": n,
                "beats": d.beats,
                "cycles": span,
                "efficiency": ratio,
                "port_words": d.e.port.writes,
                "port_use": port,
            }));
            no_faults(&e);
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("report-rx_engine.json"),
        serde_json::to_string_pretty(&rows).unwrap(),
    )
    .unwrap();
}
