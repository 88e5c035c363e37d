//! The driver test suite, generic over the engine behind the driver, so
//! the RTL and the reference model pass the same tests.
//!
//! The oracles are independent of the device under test: sent frames must
//! come out as the block models (`ModelTx`) cut them, received frames must
//! arrive byte for byte with the verdict and class the block models give
//! (`rx_checksum`, `rx_parse`, a `conn_table::Table` fed the same frames
//! and commands), and the host memory's IOMMU checks must see no fault.

use crate::frames::FrameGen;
use crate::super_frames::SuperGen;
use anyhow::{Result, ensure};
use host::device::Device;
use host::driver_tx::{run_until, send_all};
use host::nic::{Config, Nic, RxFrame};
use host::sim_device::SimDevice;
use host::tx_engine::{ModelTx, TxEngine, TxFrame, Wire};
use model::conn_table::{Request, Table};
use spec::conn_table::{Cmd, Key};
use spec::regs::{Counter, IRQ_RX};
use spec::ring::RxStatus;
use spec::toeplitz;

/// Builds a fresh device; `max_frame` is what its `tx_checksum` takes.
pub trait Bench {
    type Dev: SimDevice;
    fn device(&self) -> Result<Self::Dev>;
    fn max_frame(&self) -> usize;
    /// A table like the device's (size, ways, hash key), empty.
    fn table(&self) -> Table;
}

fn no_faults<D: SimDevice>(nic: &mut Nic<D>) -> Result<()> {
    let f = nic.device().mem().faults();
    ensure!(f.is_empty(), "DMA faults: {:?}", &f[..f.len().min(5)]);
    Ok(())
}

/// Random super-frames and plain frames as a host posts them (the buffer
/// holds exactly the descriptor's length).
pub fn tx_work(seed: u64, n: usize, max_payload: usize) -> Vec<TxFrame> {
    let mut g = SuperGen::new(seed);
    (0..n)
        .map(|_| {
            let (mut frame, _, desc) = g.any(max_payload);
            frame.resize(desc.len as usize, 0);
            TxFrame { frame, desc }
        })
        .collect()
}

/// Frames through a TX ring of 8: the ring wraps many times and fills up;
/// every frame leaves exactly as the block models send it, completions in
/// order with the models' status and segment count.
pub fn tx_ring_wraps_and_fills<B: Bench>(b: &B) -> Result<()> {
    let cfg = Config {
        tx_ring: 8,
        doorbell_batch: 3,
        ..Config::default()
    };
    let mut nic = Nic::open(b.device()?, cfg)?;
    let frames = tx_work(11, 120, 6000);
    let (cpls, wire, was_full) = send_all(&mut nic, &frames)?;
    let want = ModelTx {
        max_frame: b.max_frame(),
    }
    .send(&frames)?;
    ensure!(was_full, "the ring of 8 never filled");
    ensure!(cpls.len() == frames.len());
    for (i, (c, w)) in cpls.iter().zip(&want).enumerate() {
        ensure!(c.index == i as u16 && !c.bad_desc, "completion {i}: {c:?}");
        ensure!(
            c.status == w.status as u8 && usize::from(c.segments) == w.wire.len(),
            "frame {i}: engine {c:?}, models {:?} with {} segments",
            w.status,
            w.wire.len()
        );
    }
    let want_wire: Vec<Wire> = want.into_iter().flat_map(|s| s.wire).collect();
    ensure!(
        wire.len() == want_wire.len(),
        "{} wire frames, models {}",
        wire.len(),
        want_wire.len()
    );
    if let Some(i) = (0..wire.len()).find(|&i| wire[i] != want_wire[i]) {
        anyhow::bail!("wire frame {i} differs from the models'");
    }
    ensure!(nic.counter(Counter::TxDescriptors)? == frames.len() as u32);
    ensure!(nic.counter(Counter::TxSegments)? == wire.len() as u32);
    ensure!(
        nic.stats.largest_tx_batch <= 3,
        "doorbells are batched by 3"
    );
    no_faults(&mut nic)
}

/// What the block models say about a received frame: verdict, class,
/// slot and hash from `table`.
fn expect_rx(table: &mut Table, frame: &[u8]) -> (u32, u8, Option<usize>, u32) {
    let v = model::rx_checksum::verdict(frame, false);
    let r = Request::of(&model::rx_parse::parse(frame, false), &v);
    let o = table.classify(&r);
    let hash = toeplitz::hash(table.hash_key(), &r.key.hash_input());
    (v.pack(), o.class as u8, o.slot, hash)
}

fn check_rx(table: &mut Table, sent: &[u8], got: &RxFrame) -> Result<()> {
    ensure!(
        got.cpl.status == RxStatus::Ok && got.data == sent,
        "frame bytes differ"
    );
    let (verdict, class, slot, hash) = expect_rx(table, sent);
    let c = &got.cpl;
    ensure!(
        (
            c.verdict,
            c.class,
            c.hit.then_some(usize::from(c.slot)),
            c.hash
        ) == (verdict, class, slot, hash),
        "completion {c:?}, models: verdict {verdict:#x} class {class} slot {slot:?} hash {hash:#x}"
    );
    Ok(())
}

/// Receives `frames` in bursts of at most `burst`, polling between.
fn receive_all<D: SimDevice>(
    nic: &mut Nic<D>,
    table: &mut Table,
    frames: &[Vec<u8>],
    burst: usize,
) -> Result<()> {
    for chunk in frames.chunks(burst) {
        for f in chunk {
            nic.device().wire_rx(f);
        }
        let mut got = Vec::new();
        run_until(nic, "deliver a burst of frames", |n| {
            got.extend(n.poll_rx(usize::MAX)?);
            Ok(got.len() == chunk.len())
        })?;
        for (f, g) in chunk.iter().zip(&got) {
            check_rx(table, f, g)?;
        }
    }
    Ok(())
}

/// An RX ring of 8 wraps many times; frames arrive intact, classified as
/// the models classify them, in order.
pub fn rx_ring_wraps<B: Bench>(b: &B) -> Result<()> {
    let cfg = Config {
        rx_ring: 8,
        rx_buffers: 8,
        rx_buffer_bytes: 9728,
        ..Config::default()
    };
    let mut nic = Nic::open(b.device()?, cfg)?;
    let mut g = FrameGen::new(5);
    let frames: Vec<Vec<u8>> = (0..300).map(|_| g.any(9600)).collect();
    let mut table = b.table();
    receive_all(&mut nic, &mut table, &frames, 8)?;
    ensure!(nic.counter(Counter::RxFrames)? == 300);
    ensure!(nic.counter(Counter::RxNoBuffer)? == 0);
    no_faults(&mut nic)
}

/// With 4 buffers and nobody reaping, frames 5.. are dropped and counted;
/// delivery resumes, intact, once the buffers come back.
pub fn rx_buffers_exhausted<B: Bench>(b: &B) -> Result<()> {
    let cfg = Config {
        rx_ring: 16,
        rx_buffers: 4,
        rx_buffer_bytes: 2048,
        ..Config::default()
    };
    let mut nic = Nic::open(b.device()?, cfg)?;
    let mut g = FrameGen::new(9);
    let frames: Vec<Vec<u8>> = (0..10).map(|_| g.any(2048)).collect();
    for f in &frames {
        nic.device().wire_rx(f);
    }
    run_until(&mut nic, "take all 10 frames", |n| {
        Ok(n.device().rx_pending() == 0
            && n.counter(Counter::RxFrames)? + n.counter(Counter::RxNoBuffer)? == 10)
    })?;
    ensure!(
        nic.counter(Counter::RxNoBuffer)? == 6,
        "6 frames find no buffer"
    );
    let mut table = b.table();
    let got = nic.poll_rx(usize::MAX)?;
    ensure!(got.len() == 4, "{} frames delivered, want 4", got.len());
    for (f, r) in frames.iter().zip(&got) {
        check_rx(&mut table, f, r)?;
    }
    ensure!(nic.rx_posted() == 4, "the buffers are posted again");
    let more: Vec<Vec<u8>> = (0..12).map(|_| g.any(1500)).collect();
    receive_all(&mut nic, &mut table, &more, 4)?;
    no_faults(&mut nic)
}

/// A frame longer than its buffer is cut at the buffer's end and not
/// classified; nothing is written past it.
pub fn rx_too_big<B: Bench>(b: &B) -> Result<()> {
    let cfg = Config {
        rx_ring: 4,
        rx_buffers: 4,
        rx_buffer_bytes: 256,
        ..Config::default()
    };
    let mut nic = Nic::open(b.device()?, cfg)?;
    let big = FrameGen::new(3).frame(1000);
    nic.device().wire_rx(&big);
    let mut got = Vec::new();
    run_until(&mut nic, "complete the frame", |n| {
        got.extend(n.poll_rx(1)?);
        Ok(!got.is_empty())
    })?;
    let r = &got[0];
    ensure!(r.cpl.status == RxStatus::TooBig && r.data == big[..256]);
    ensure!(spec::rx_csum::FIELD_LEN.get(r.cpl.verdict.into()) == 1000);
    ensure!(nic.counter(Counter::RxTooBig)? == 1);
    let classified: u32 = spec::conn_table::Class::ALL
        .iter()
        .map(|c| nic.counter(Counter::of_class(*c)))
        .sum::<Result<u32, _>>()?;
    ensure!(classified == 0, "a cut frame is not classified");
    no_faults(&mut nic)
}

/// Reset with TX descriptors and RX frames in flight: the engine stops,
/// the driver takes everything back, and traffic works again after.
pub fn reset_mid_traffic<B: Bench>(b: &B) -> Result<()> {
    let cfg = Config {
        tx_ring: 16,
        rx_ring: 16,
        rx_buffers: 16,
        ..Config::default()
    };
    let mut nic = Nic::open(b.device()?, cfg)?;
    let frames = tx_work(21, 16, 20_000);
    for f in &frames {
        nic.send(&f.frame, f.desc)?;
    }
    nic.flush()?;
    let mut g = FrameGen::new(4);
    for _ in 0..8 {
        let f = g.any(1500);
        nic.device().wire_rx(&f);
    }
    nic.wait(50)?;
    nic.reset()?;
    nic.device().wire_tx();
    ensure!(
        nic.counter(Counter::TxDescriptors)? == 0,
        "reset clears the counters"
    );
    // Only the four rings and the posted RX buffers stay mapped.
    let mapped = nic.device().mem().mapped();
    ensure!(
        mapped == 4 + nic.rx_posted(),
        "{mapped} ranges mapped after reset"
    );
    // Frames still on the wire are the engine's to take or drop now.
    run_until(&mut nic, "take the frames left on the wire", |n| {
        Ok(n.device().rx_pending() == 0)
    })?;
    nic.poll_rx(usize::MAX)?;
    let again = tx_work(22, 10, 3000);
    let (cpls, wire, _) = send_all(&mut nic, &again)?;
    let want = ModelTx {
        max_frame: b.max_frame(),
    }
    .send(&again)?;
    ensure!(cpls.len() == again.len());
    let want_wire: Vec<Wire> = want.into_iter().flat_map(|s| s.wire).collect();
    ensure!(wire == want_wire, "TX after reset differs from the models");
    // No connection is installed, so the frames before the reset left the
    // table as it was: a fresh table model is the oracle.
    let mut table = b.table();
    let rx: Vec<Vec<u8>> = (0..20).map(|_| g.any(1500)).collect();
    receive_all(&mut nic, &mut table, &rx, 5)?;
    no_faults(&mut nic)
}

/// Interrupt moderation by count: no interrupt before the count is met.
pub fn irq_by_count<B: Bench>(b: &B) -> Result<()> {
    let cfg = Config {
        irq_count: 4,
        irq_time: 0,
        ..Config::default()
    };
    let mut nic = Nic::open(b.device()?, cfg)?;
    let mut g = FrameGen::new(6);
    for _ in 0..3 {
        let f = g.any(1500);
        nic.device().wire_rx(&f);
    }
    let mut bits = 0;
    for _ in 0..50 {
        bits |= nic.wait(200)?;
    }
    ensure!(bits == 0, "interrupt after 3 of 4 completions: {bits:#x}");
    ensure!(nic.counter(Counter::RxFrames)? == 3);
    let f = g.any(1500);
    nic.device().wire_rx(&f);
    for _ in 0..50 {
        bits |= nic.wait(200)?;
    }
    ensure!(bits == IRQ_RX, "the 4th completion raises RX: {bits:#x}");
    no_faults(&mut nic)
}

/// Interrupt moderation by time: a lone completion waits `irq_time`
/// cycles, not much more.
pub fn irq_by_time<B: Bench>(b: &B) -> Result<()> {
    const T: u64 = 2000;
    let cfg = Config {
        irq_count: 64,
        irq_time: T as u32,
        ..Config::default()
    };
    let mut nic = Nic::open(b.device()?, cfg)?;
    let f = FrameGen::new(7).any(1500);
    let start = nic.device().cycles();
    nic.device().wire_rx(&f);
    let mut bits = 0;
    while bits == 0 && nic.device().cycles() - start < 10 * T {
        bits = nic.wait(100)?;
    }
    let waited = nic.device().cycles() - start;
    ensure!(bits == IRQ_RX, "no RX interrupt in {waited} cycles");
    ensure!(
        (T..T + 1000).contains(&waited),
        "interrupt after {waited} cycles, moderation time {T}"
    );
    no_faults(&mut nic)
}

/// Connection-table commands over the registers answer as the table model
/// does, and frames of an installed connection count in its entry.
pub fn table_commands<B: Bench>(b: &B) -> Result<()> {
    let mut nic = Nic::open(b.device()?, Config::default())?;
    let mut table = b.table();
    let mut key = Key {
        v6: false,
        src: [0; 16],
        dst: [0; 16],
        sport: 40000,
        dport: 80,
    };
    key.src[..4].copy_from_slice(&[10, 0, 0, 1]);
    key.dst[..4].copy_from_slice(&[10, 0, 0, 2]);
    let mut v6 = key;
    v6.v6 = true;
    v6.src[15] = 9;
    let cmds = [
        Cmd::Insert {
            key,
            rcv_nxt: 1000,
            snd_una: 5,
            bank: None,
        },
        Cmd::Insert {
            key,
            rcv_nxt: 1,
            snd_una: 1,
            bank: None,
        },
        Cmd::Insert {
            key: v6,
            rcv_nxt: u32::MAX,
            snd_una: 0,
            bank: Some(1),
        },
        Cmd::Read(0),
        Cmd::ReadCounters(0),
        Cmd::WriteRcvNxt(0, 77),
        Cmd::WriteSndUna(0, 88),
        Cmd::Remove(70_000),
        Cmd::Remove(3),
    ];
    for c in &cmds {
        let want = table.execute(c);
        let got = nic.command(c)?;
        ensure!(got == want, "{c:?}: engine {got:?}, table model {want:?}");
        // Reads of the slot the insert took.
        if let (Cmd::Insert { .. }, Some(s)) = (c, got.slot) {
            for r in [Cmd::Read(s), Cmd::ReadCounters(s)] {
                ensure!(nic.command(&r)? == table.execute(&r), "{r:?}");
            }
        }
    }
    no_faults(&mut nic)
}

/// One test of the suite.
pub type Test<B> = fn(&B) -> Result<()>;

/// Every test of the suite, by name.
pub fn all<B: Bench>() -> Vec<(&'static str, Test<B>)> {
    vec![
        ("tx_ring_wraps_and_fills", tx_ring_wraps_and_fills::<B>),
        ("rx_ring_wraps", rx_ring_wraps::<B>),
        ("rx_buffers_exhausted", rx_buffers_exhausted::<B>),
        ("rx_too_big", rx_too_big::<B>),
        ("reset_mid_traffic", reset_mid_traffic::<B>),
        ("irq_by_count", irq_by_count::<B>),
        ("irq_by_time", irq_by_time::<B>),
        ("table_commands", table_commands::<B>),
    ]
}
