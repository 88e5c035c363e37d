//! The RTL engine's TX side through the driver (`host::nic::Nic`): frames
//! and TSO super-frames out on the wire byte for byte as the reference
//! model sends them, completions as the model reports them, under random
//! memory latency, memory stalls and wire backpressure; ring wrap, a full
//! ring, refused descriptors, reset in the middle of traffic and interrupt
//! moderation. No test may leave a DMA fault in host memory.

use host::device::Device;
use host::dma_mem::Perm;
use host::nic::{Config, Nic, NicError};
use host::sim_device::SimDevice;
use host::tx_engine::{ModelTx, TxEngine, TxFrame, Wire};
use serde::Serialize;
use sim::engine::{EngineRtl, RtlConfig};
use sim::mem_port::MemTiming;
use spec::regs::{self, Counter, Ring, RingReg};
use spec::ring::{TxCpl, TxDesc};
use spec::tso::Desc;
use testbench::super_frames::SuperGen;

fn open(rtl: RtlConfig, cfg: Config) -> Nic<EngineRtl> {
    let dev = EngineRtl::new(rtl, None).expect("engine build");
    Nic::open(dev, cfg).expect("driver opens the engine")
}

fn small_rx() -> Config {
    Config {
        rx_ring: 8,
        rx_buffers: 8,
        rx_buffer_bytes: 64,
        ..Config::default()
    }
}

fn no_faults(nic: &mut Nic<EngineRtl>) {
    let f = nic.device().mem().faults().to_vec();
    assert!(f.is_empty(), "DMA faults: {f:?}");
}

/// Sends every frame (retrying on a full ring), reaps every completion,
/// then waits for the wire to carry `wire_expected` frames.
fn send_all(
    nic: &mut Nic<EngineRtl>,
    frames: &[TxFrame],
    wire_expected: usize,
) -> (Vec<TxCpl>, Vec<Wire>, usize) {
    let mut next = 0;
    let mut full = 0;
    let mut cpls = Vec::new();
    let mut wire = Vec::new();
    let mut quiet = 0;
    while cpls.len() < frames.len() {
        while next < frames.len() {
            match nic.send(&frames[next].frame, frames[next].desc) {
                Ok(_) => next += 1,
                Err(NicError::TxFull) => {
                    full += 1;
                    break;
                }
                Err(e) => panic!("send: {e}"),
            }
        }
        nic.flush().unwrap();
        nic.wait(5_000).unwrap();
        let got = nic.poll_tx().unwrap();
        quiet = if got.is_empty() { quiet + 1 } else { 0 };
        assert!(
            quiet < 200,
            "no completion for 200 waits: {} of {} done, {} on the wire",
            cpls.len(),
            frames.len(),
            wire.len()
        );
        cpls.extend(got);
        wire.extend(nic.device().wire_tx());
    }
    for _ in 0..200 {
        if wire.len() >= wire_expected {
            break;
        }
        nic.wait(2_000).unwrap();
        wire.extend(nic.device().wire_tx());
    }
    (cpls, wire, full)
}

/// Frames through the RTL engine and the model must agree.
fn check_against_model(nic: &mut Nic<EngineRtl>, frames: &[TxFrame], first_index: u16) -> usize {
    let max_frame = nic.device().max_frame();
    let sent = ModelTx { max_frame }.send(frames).unwrap();
    let want: Vec<Wire> = sent.iter().flat_map(|s| s.wire.clone()).collect();
    let (cpls, wire, full) = send_all(nic, frames, want.len());
    assert_eq!(cpls.len(), frames.len());
    for (k, (c, s)) in cpls.iter().zip(&sent).enumerate() {
        assert_eq!(
            c.index,
            first_index.wrapping_add(k as u16),
            "completion {k}"
        );
        assert!(!c.bad_desc, "completion {k}: bad_desc");
        assert_eq!(c.status, s.status as u8, "completion {k}: status");
        assert_eq!(
            usize::from(c.segments),
            s.wire.len(),
            "completion {k}: segments"
        );
    }
    assert_eq!(wire.len(), want.len(), "wire frames");
    for (k, (a, b)) in wire.iter().zip(&want).enumerate() {
        assert!(a == b, "wire frame {k} differs: rtl {a:?}\nmodel {b:?}");
    }
    no_faults(nic);
    full
}

/// Random work the driver can express (its length is the descriptor's).
fn random_frames(seed: u64, n: usize, max_payload: usize) -> Vec<TxFrame> {
    let mut g = SuperGen::new(seed);
    let mut v = Vec::new();
    while v.len() < n {
        let (frame, user, desc) = g.any(max_payload);
        if user || frame.is_empty() || frame.len() != desc.len as usize {
            continue;
        }
        v.push(TxFrame { frame, desc });
    }
    v
}

fn plain(len: usize, seed: u8) -> TxFrame {
    let frame: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(7) ^ seed).collect();
    TxFrame {
        desc: Desc {
            len: len as u32,
            ..Desc::default()
        },
        frame,
    }
}

#[test]
fn frames_and_super_frames_match_the_model() {
    for seed in 0..6 {
        let rtl = RtlConfig::random(seed);
        eprintln!("seed {seed}: {rtl:?}");
        let mut nic = open(rtl, small_rx());
        let frames = random_frames(seed, 60, if seed % 2 == 0 { 3000 } else { 66_000 });
        check_against_model(&mut nic, &frames, 0);
        let c = |nic: &mut Nic<EngineRtl>, k| nic.counter(k).unwrap();
        assert_eq!(c(&mut nic, Counter::TxDescriptors), frames.len() as u32);
    }
}

#[test]
fn counters_count_descriptors_segments_bytes_errors() {
    let mut nic = open(RtlConfig::random(11), small_rx());
    let frames = random_frames(11, 40, 9000);
    let sent = ModelTx {
        max_frame: nic.device().max_frame(),
    }
    .send(&frames)
    .unwrap();
    check_against_model(&mut nic, &frames, 0);
    let segs: usize = sent.iter().map(|s| s.wire.len()).sum();
    let bytes: usize = sent
        .iter()
        .flat_map(|s| &s.wire)
        .map(|w| w.frame.len())
        .sum();
    let errs = sent
        .iter()
        .filter(|s| s.status != spec::tso::Status::Ok)
        .count();
    assert_eq!(nic.counter(Counter::TxDescriptors).unwrap(), 40);
    assert_eq!(nic.counter(Counter::TxSegments).unwrap() as usize, segs);
    assert_eq!(nic.counter(Counter::TxBytes).unwrap() as usize, bytes);
    assert_eq!(nic.counter(Counter::TxErrors).unwrap() as usize, errs);
}

#[test]
fn ring_of_8_wraps_and_a_full_ring_drops_nothing() {
    for seed in [3, 4] {
        let cfg = Config {
            tx_ring: 8,
            ..small_rx()
        };
        let mut nic = open(RtlConfig::random(seed), cfg);
        let frames: Vec<TxFrame> = (0..300)
            .map(|i| plain(60 + (i * 37) % 1400, i as u8))
            .collect();
        let full = check_against_model(&mut nic, &frames, 0);
        assert!(full > 0, "the ring never filled");
    }
}

/// Descriptors written by hand: a misaligned buffer and a zero length are
/// refused (`bad_desc`) without a buffer read; the next descriptor works.
#[test]
fn misaligned_or_empty_buffer_is_bad_desc() {
    let mut dev = EngineRtl::new(RtlConfig::random(5), None).unwrap();
    let mem = dev.mem();
    let txq = mem.alloc(8 * 16);
    mem.map(txq, 8 * 16, Perm::Read);
    let txcq = mem.alloc(8 * 8);
    mem.map(txcq, 8 * 8, Perm::Write);
    let buf = mem.alloc(64);
    let f = plain(21, 9);
    mem.cpu_write(buf + 8, &f.frame);
    mem.map(buf, 32, Perm::Read);
    let descs = [
        TxDesc {
            addr: buf + 1,
            desc: f.desc,
        },
        TxDesc {
            addr: buf + 8,
            desc: Desc {
                len: 0,
                ..Desc::default()
            },
        },
        TxDesc {
            addr: buf + 8,
            desc: f.desc,
        },
    ];
    for (i, d) in descs.iter().enumerate() {
        mem.cpu_write(txq + 16 * i as u64, &d.to_bytes().unwrap());
    }
    for (ring, base) in [(Ring::Tx, txq), (Ring::TxCpl, txcq)] {
        dev.write_reg(ring.reg(RingReg::BaseLo), base as u32)
            .unwrap();
        dev.write_reg(ring.reg(RingReg::BaseHi), (base >> 32) as u32)
            .unwrap();
        dev.write_reg(ring.reg(RingReg::LogSize), 3).unwrap();
    }
    dev.write_reg(regs::CONTROL.offset, regs::CTRL_ENABLE)
        .unwrap();
    dev.write_reg(Ring::Tx.reg(RingReg::Tail), 3).unwrap();
    let mut wire = Vec::new();
    for _ in 0..100 {
        dev.wait(1000).unwrap();
        wire.extend(dev.wire_tx());
        if dev.read_reg(Ring::TxCpl.reg(RingReg::Tail)).unwrap() == 3 && !wire.is_empty() {
            break;
        }
    }
    let cpl: Vec<TxCpl> = (0..3)
        .map(|i| {
            let w = dev.mem().cpu_read_u64(txcq + 8 * i);
            assert_eq!(w & 1, 1, "completion {i} written with phase 1");
            TxCpl::from_word(w)
        })
        .collect();
    assert!(cpl[0].bad_desc && cpl[0].index == 0 && cpl[0].segments == 0);
    assert!(cpl[1].bad_desc && cpl[1].index == 1);
    assert!(!cpl[2].bad_desc && cpl[2].index == 2 && cpl[2].status == 0);
    assert_eq!(cpl[2].segments, 1);
    assert_eq!(wire.len(), 1);
    assert_eq!(wire[0].frame, f.frame);
    assert_eq!(dev.read_reg(Ring::Tx.reg(RingReg::Head)).unwrap(), 3);
    assert_eq!(dev.read_reg(Counter::TxErrors.offset()).unwrap(), 2);
    // Three descriptors and the good buffer's three words; nothing else.
    assert_eq!(dev.mem().stats.dev_read_bytes, 3 * 16 + 24);
    assert!(dev.mem().faults().is_empty(), "{:?}", dev.mem().faults());
}

#[test]
fn reset_in_the_middle_of_traffic() {
    for seed in [7, 8, 9] {
        let mut nic = open(RtlConfig::random(seed), small_rx());
        let frames = random_frames(seed, 50, 20_000);
        for f in &frames {
            if nic.send(&f.frame, f.desc).is_err() {
                break;
            }
        }
        nic.flush().unwrap();
        nic.device().wait(300 + 500 * seed).unwrap();
        let reads = nic.device().mem_port().in_flight();
        let abandoned = nic.reset().unwrap();
        eprintln!("seed {seed}: reset with {reads} reads in flight, {abandoned} frames abandoned");
        assert!(abandoned > 0, "the reset came after the traffic");
        no_faults(&mut nic);
        let status = nic.read_reg(regs::STATUS.offset).unwrap();
        assert_eq!(status & regs::STATUS_IDLE, regs::STATUS_IDLE);
        assert_eq!(nic.read_reg(Ring::Tx.reg(RingReg::Head)).unwrap(), 0);
        assert_eq!(nic.read_reg(Ring::TxCpl.reg(RingReg::Tail)).unwrap(), 0);
        // Frames taken before the reset may still leave; then it is quiet.
        for _ in 0..20 {
            nic.wait(5_000).unwrap();
            nic.device().wire_tx();
        }
        no_faults(&mut nic);
        // And it works again.
        let again = random_frames(seed + 100, 30, 9000);
        check_against_model(&mut nic, &again, 0);
    }
}

#[test]
fn interrupt_moderation_by_count() {
    let cfg = Config {
        irq_count: 4,
        ..small_rx()
    };
    let mut nic = open(RtlConfig::random(21), cfg);
    for i in 0..3 {
        let f = plain(100, i);
        nic.send(&f.frame, f.desc).unwrap();
    }
    nic.flush().unwrap();
    assert_eq!(nic.wait(30_000).unwrap(), 0, "irq before 4 completions");
    assert_eq!(nic.counter(Counter::TxDescriptors).unwrap(), 3);
    let f = plain(100, 3);
    nic.send(&f.frame, f.desc).unwrap();
    nic.flush().unwrap();
    assert_eq!(nic.wait(30_000).unwrap(), regs::IRQ_TX);
    assert_eq!(nic.poll_tx().unwrap().len(), 4);
    no_faults(&mut nic);
}

#[test]
fn interrupt_moderation_by_time() {
    let time = 3_000;
    let cfg = Config {
        irq_count: 100,
        irq_time: time,
        ..small_rx()
    };
    let mut nic = open(RtlConfig::random(22), cfg);
    let f = plain(200, 1);
    nic.send(&f.frame, f.desc).unwrap();
    nic.flush().unwrap();
    // Find when the completion was written (within a register access).
    let mut done_at = 0;
    for _ in 0..20_000 {
        if nic.counter(Counter::TxDescriptors).unwrap() == 1 {
            done_at = nic.device().cycles();
            break;
        }
    }
    assert!(done_at > 0, "no completion");
    let bits = nic.wait(20_000).unwrap();
    let waited = nic.device().cycles() - done_at;
    assert_eq!(bits, regs::IRQ_TX);
    assert!(
        (u64::from(time) - 20..=u64::from(time) + 5).contains(&waited),
        "irq {waited} cycles after the completion, moderation time {time}"
    );
    assert_eq!(nic.poll_tx().unwrap().len(), 1);
    no_faults(&mut nic);
}

#[derive(Serialize)]
struct Throughput {
    latency: u64,
    frames: usize,
    frame_bytes: usize,
    tso_mss: Option<u16>,
    beats: u64,
    /// The cycle of the first wire beat (the latency shows here).
    first_beat: u64,
    /// Cycles from the first wire beat to the last.
    span: u64,
    /// beats / span: 1.0 is one 64-bit beat every cycle.
    efficiency: f64,
}

fn throughput(latency: u64, frames: &[TxFrame], tso_mss: Option<u16>) -> Throughput {
    let rtl = RtlConfig {
        mem: MemTiming {
            latency,
            ..MemTiming::FAST
        },
        ..RtlConfig::default()
    };
    let cfg = Config {
        tx_ring: 64,
        doorbell_batch: 64,
        irq_count: 8,
        ..small_rx()
    };
    let mut nic = open(rtl, cfg);
    let wire_expected = ModelTx {
        max_frame: nic.device().max_frame(),
    }
    .send(frames)
    .unwrap()
    .iter()
    .map(|s| s.wire.len())
    .sum();
    let (cpls, wire, _) = send_all(&mut nic, frames, wire_expected);
    assert_eq!(cpls.len(), frames.len());
    assert_eq!(wire.len(), wire_expected);
    no_faults(&mut nic);
    let d = nic.device();
    let span = d.last_out - d.first_out.unwrap() + 1;
    Throughput {
        latency,
        frames: frames.len(),
        frame_bytes: frames[0].frame.len(),
        tso_mss,
        beats: d.beats_out,
        first_beat: d.first_out.unwrap(),
        span,
        efficiency: d.beats_out as f64 / span as f64,
    }
}

/// Not a timed assertion: measures wire beats per cycle with frames back to
/// back at memory latencies 0, 50 and 200 and writes
/// build/bench/report-engine.json.
#[test]
fn tx_throughput_report() {
    let mut out = Vec::new();
    let big: Vec<TxFrame> = (0..24).map(|i| plain(9000, i)).collect();
    let mut g = SuperGen::new(1460);
    let supers: Vec<TxFrame> = (0..4)
        .map(|_| g.super_frame(65_000, 1460, false, false))
        .collect();
    for latency in [0, 50, 200] {
        let t = throughput(latency, &big, None);
        eprintln!(
            "latency {latency}: 9000-byte frames: {:.4} ({} beats in {} cycles, first at {})",
            t.efficiency, t.beats, t.span, t.first_beat
        );
        out.push(t);
        let t = throughput(latency, &supers, Some(1460));
        eprintln!(
            "latency {latency}: 64 KB TSO at MSS 1460: {:.4} ({} beats in {} cycles)",
            t.efficiency, t.beats, t.span
        );
        out.push(t);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("report-engine.json"),
        serde_json::to_string_pretty(&out).unwrap(),
    )
    .unwrap();
}
