//! `toe replay FILE --tx`: the capture's frames as a sender's stack would
//! have handed them to the TX path (TSO super-frames and checksum requests,
//! rebuilt by [`crate::tx_super`], whose module doc has the rules), sent
//! through `tso` + `tx_checksum` (the RTL, the model, or both compared frame
//! by frame), the frames on the wire optionally written to a pcap.
//!
//! With `--tx` the RX passes do not run: the report's RX fields stay zero
//! and `tx` holds the figures. The file is read twice (the first pass finds
//! each direction's MSS); frames go to the engine in batches of [`BATCH`].
//! The output pcap is Ethernet whatever the capture's link type: the
//! engine's frames are the reader's Ethernet II frames (with the synthetic
//! header it made for SLL, raw IP or loopback captures).

use crate::capture::{PcapWriter, Reader, Record};
use crate::driver_tx::DriverTx;
use crate::emu_host::tuple_text;
use crate::replay::{Backend, Options, Progress};
use crate::report::Report;
use crate::tx_engine::{ModelTx, Sent, TxEngine, TxFrame};
use crate::tx_super::{Item, Kind, Merger, MssSource, MssTable};
use anyhow::{bail, Context, Result};
use host::nic::Config;
use serde::Serialize;
use spec::conn_table::Key;
use spec::tso::FRAME_MAX;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::Instant;

/// Frames per `TxEngine::send` call.
pub const BATCH: usize = 256;
/// RTL/model differences listed in full; the rest are only counted.
const MISMATCH_EXAMPLES: usize = 20;

/// The RTL TX path (`tso` then `tx_checksum`) under Verilator, at
/// `width_bytes` per beat: the one place `--tx` builds the RTL.
pub fn rtl_tx_engine(width_bytes: usize, wave: Option<&Path>) -> Result<Box<dyn TxEngine>> {
    Ok(Box::new(crate::tso::TxPathRtl::new(width_bytes, wave)?))
}

/// The reference model of the TX path, as `--tx` runs it.
pub fn model_tx_engine() -> ModelTx {
    ModelTx {
        max_frame: FRAME_MAX + 64,
    }
}

/// One RTL/model difference.
#[derive(Debug, Clone, Serialize)]
pub struct TxMismatch {
    /// The first input frame of what was sent.
    pub frame: u64,
    pub what: String,
}

/// A direction that had super-frames, and its MSS.
#[derive(Debug, Clone, Serialize)]
pub struct DirTx {
    pub dir: String,
    pub mss: u16,
    pub mss_source: MssSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mss_clamped_from: Option<usize>,
    pub superframes: u64,
    /// Captured segments merged into them.
    pub merged: u64,
    /// Segments on the wire from them.
    pub segments: u64,
}

/// Where an output frame came from (kept with `keep_verdicts`).
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    /// 1-based number in the output pcap.
    pub out: u64,
    /// The input frames it was built from (several for a super-frame).
    pub inputs: Vec<u64>,
    /// `segment`, `checksummed`, `plain`, `too_long`, or `refused` (the
    /// engine refused it: the input frame is written unchanged).
    pub kind: &'static str,
    /// For segments: the direction's MSS.
    #[serde(skip_serializing_if = "is_zero")]
    pub mss: u16,
}

fn is_zero(v: &u16) -> bool {
    *v == 0
}

/// The `tx` object of the report.
#[derive(Debug, Default, Serialize)]
pub struct TxReport {
    /// Super-frames sent (TSO descriptors).
    pub superframes: u64,
    /// Captured segments merged into them.
    pub merged: u64,
    /// Wire frames the engine cut from super-frames.
    pub segments: u64,
    /// Wire bytes emitted: every frame written (or that would be written) to
    /// the output, engine-made and too-long pass-throughs alike.
    pub bytes: u64,
    /// RTL/model differences (with `--backend both`) and differences of
    /// the driver path from the direct one.
    pub mismatches: u64,
    /// Descriptors posted on the TX ring of the engine behind the driver.
    pub driver_descriptors: u64,
    /// That engine: "rtl" (with --backend rtl or both at 64 bits) or "model".
    pub driver_device: &'static str,
    /// Frames sent without TSO (checksummed, plain and too long).
    pub passthrough: u64,
    /// Of those: with a checksum request.
    pub checksummed: u64,
    /// Of those: longer than the engine's FRAME_MAX, written unchanged and
    /// never sent.
    pub too_long: u64,
    /// Why frames were not merged: `not_ip`, `bad_ip`, `fragment`, `cut`,
    /// `other_l4`, `bad_l4`, `udp`, `udp_no_checksum`, `tcp_syn`, `tcp_rst`,
    /// `tcp_urg`, `tcp_no_payload`, `tcp_over_64k`, ...
    pub passthrough_reasons: BTreeMap<&'static str, u64>,
    /// Frames cut to their IP datagram (Ethernet padding or trailer).
    pub trimmed: u64,
    /// Frames on the wire (output frames).
    pub wire_frames: u64,
    /// Engine statuses other than ok, by name (`bad_mss`, `too_long`, ...);
    /// a refused frame's input frames are written unchanged.
    pub refused: BTreeMap<&'static str, u64>,
    /// Wire frames `tx_checksum` refused (marked bad for the MAC to drop:
    /// not written), by status.
    pub csum_refused: BTreeMap<&'static str, u64>,
    /// Directions with super-frames, and their MSS.
    pub mss: Vec<DirTx>,
    /// Directions whose MSS was cut to spec::tso::MSS_MAX.
    pub mss_clamped: u64,
    pub mismatch_examples: Vec<TxMismatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<String>,
    pub wall_s: f64,
    /// With `--verdicts`: where every output frame came from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<Origin>,
}

/// The engine(s) `--backend` asks for, fed directly.
enum Direct {
    One(Box<dyn TxEngine>),
    Both {
        rtl: Box<dyn TxEngine>,
        model: ModelTx,
    },
}

/// The direct path and, beside it, the engine behind the driver and its
/// TX ring, whose output must be the same.
struct Engines {
    direct: Direct,
    driver: Box<dyn TxEngine>,
    driver_device: &'static str,
}

impl Engines {
    fn new(opts: &Options) -> Result<Engines> {
        let direct = match opts.backend {
            Backend::Model => Direct::One(Box::new(model_tx_engine())),
            Backend::Rtl => Direct::One(rtl_tx_engine(opts.width, opts.wave.as_deref())?),
            Backend::Both => Direct::Both {
                rtl: rtl_tx_engine(opts.width, opts.wave.as_deref())?,
                model: model_tx_engine(),
            },
        };
        let cfg = Config {
            tx_ring: opts.tx_ring,
            rx_ring: opts.rx_ring,
            rx_buffers: opts.rx_buffers,
            ..Config::default()
        };
        let max_frame = model_tx_engine().max_frame;
        let (driver, driver_device): (Box<dyn TxEngine>, _) =
            if crate::replay_driver::rtl_fits(opts)? {
                let nic = crate::replay_driver::rtl_nic(cfg)?;
                (Box::new(DriverTx { nic }), "rtl")
            } else {
                let nic = crate::replay_driver::model_nic(opts, max_frame, cfg)?;
                (Box::new(DriverTx { nic }), "model")
            };
        Ok(Engines {
            direct,
            driver,
            driver_device,
        })
    }

    /// Sends `frames`; with both engines, the RTL's results, after
    /// comparing them with the model's; the driver's are compared with
    /// them too. `first` names each frame's first input frame.
    fn send(&mut self, frames: &[TxFrame], first: &[u64], r: &mut TxReport) -> Result<Vec<Sent>> {
        let got = match &mut self.direct {
            Direct::One(e) => e.send(frames)?,
            Direct::Both { rtl, model } => {
                let got = rtl.send(frames)?;
                let want = model.send(frames)?;
                compare(&got, &want, frames.len(), first, "", r)?;
                got
            }
        };
        let via = self.driver.send(frames)?;
        compare(&via, &got, frames.len(), first, "through the driver: ", r)?;
        r.driver_descriptors += frames.len() as u64;
        r.driver_device = self.driver_device;
        Ok(got)
    }
}

/// Counts (and keeps examples of) the frames where `got` differs from
/// `want`.
fn compare(
    got: &[Sent],
    want: &[Sent],
    n: usize,
    first: &[u64],
    what: &str,
    r: &mut TxReport,
) -> Result<()> {
    if got.len() != want.len() {
        bail!(
            "{what}{} of {n} frames answered ({} by the reference)",
            got.len(),
            want.len()
        );
    }
    for ((g, w), &frame) in got.iter().zip(want).zip(first) {
        if let Some(d) = difference(g, w) {
            r.mismatches += 1;
            if r.mismatch_examples.len() < MISMATCH_EXAMPLES {
                r.mismatch_examples.push(TxMismatch {
                    frame,
                    what: format!("{what}{d}"),
                });
            }
        }
    }
    Ok(())
}

/// How the RTL's result differs from the model's, if it does.
pub fn difference(rtl: &Sent, model: &Sent) -> Option<String> {
    if rtl.status != model.status {
        return Some(format!(
            "status: rtl {} model {}",
            rtl.status.name(),
            model.status.name()
        ));
    }
    if rtl.wire.len() != model.wire.len() {
        return Some(format!(
            "segments: rtl {} model {}",
            rtl.wire.len(),
            model.wire.len()
        ));
    }
    for (i, (g, w)) in rtl.wire.iter().zip(&model.wire).enumerate() {
        if g.csum != w.csum || g.user != w.user {
            return Some(format!(
                "segment {i}: rtl {} user={} model {} user={}",
                g.csum.name(),
                g.user,
                w.csum.name(),
                w.user
            ));
        }
        if g.frame != w.frame {
            let at = g
                .frame
                .iter()
                .zip(&w.frame)
                .position(|(a, b)| a != b)
                .unwrap_or(g.frame.len().min(w.frame.len()));
            return Some(format!(
                "segment {i}: {} bytes rtl, {} model, first difference at byte {at}",
                g.frame.len(),
                w.frame.len()
            ));
        }
    }
    None
}

#[derive(Default)]
struct DirCount {
    superframes: u64,
    merged: u64,
    segments: u64,
}

/// Everything the second pass writes to.
struct Sink {
    out: Option<PcapWriter<BufWriter<File>>>,
    r: TxReport,
    keep_origins: bool,
    dirs: HashMap<Key, DirCount>,
}

impl Sink {
    fn write(
        &mut self,
        ts_ns: u64,
        frame: &[u8],
        orig_len: u32,
        origin: (&Item, &'static str),
    ) -> Result<()> {
        self.r.wire_frames += 1;
        self.r.bytes += frame.len() as u64;
        if let Some(w) = &mut self.out {
            w.write(ts_ns, frame, orig_len)
                .context("writing the output pcap")?;
        }
        if self.keep_origins {
            let (item, kind) = origin;
            self.r.origins.push(Origin {
                out: self.r.wire_frames,
                inputs: item.originals.iter().map(|f| f.number).collect(),
                kind,
                mss: if kind == "segment" { item.mss } else { 0 },
            });
        }
        Ok(())
    }

    /// Writes `item`'s input frames as they were captured.
    fn unchanged(&mut self, item: &Item, kind: &'static str) -> Result<()> {
        for f in &item.originals {
            self.write(f.ts_ns, &f.data, f.orig_len, (item, kind))?;
        }
        Ok(())
    }

    fn count(&mut self, item: &Item) {
        if item.trimmed {
            self.r.trimmed += 1;
        }
        match item.kind {
            Kind::Super => {
                self.r.superframes += 1;
                self.r.merged += item.originals.len() as u64;
                if let Some(k) = item.dir {
                    let d = self.dirs.entry(k).or_default();
                    d.superframes += 1;
                    d.merged += item.originals.len() as u64;
                }
            }
            _ => {
                self.r.passthrough += 1;
                *self.r.passthrough_reasons.entry(item.reason).or_default() += 1;
                match item.kind {
                    Kind::Checksummed => self.r.checksummed += 1,
                    Kind::TooLong => self.r.too_long += 1,
                    _ => {}
                }
            }
        }
    }

    /// Writes what became of `item`, given what the engine did with it.
    fn emit(&mut self, item: &Item, sent: Option<&Sent>) -> Result<()> {
        self.count(item);
        let Some(sent) = sent else {
            return self.unchanged(item, Kind::TooLong.name());
        };
        if sent.status != spec::tso::Status::Ok {
            *self.r.refused.entry(sent.status.name()).or_default() += 1;
        }
        if sent.status.refused() {
            return self.unchanged(item, "refused");
        }
        let kind = item.kind.name();
        if item.kind == Kind::Super {
            self.r.segments += sent.wire.len() as u64;
            if let Some(k) = item.dir {
                self.dirs.entry(k).or_default().segments += sent.wire.len() as u64;
            }
        }
        let original = &item.originals[0];
        for w in &sent.wire {
            if w.user || w.csum != spec::tx_csum::Status::Ok {
                *self.r.csum_refused.entry(w.csum.name()).or_default() += 1;
                continue;
            }
            // A frame passed unchanged keeps its wire length, so a snaplen
            // cut stays visible to readers of the output.
            let orig_len = if item.kind == Kind::Plain && w.frame == original.data {
                original.orig_len
            } else {
                w.frame.len() as u32
            };
            self.write(item.ts_ns, &w.frame, orig_len, (item, kind))?;
        }
        Ok(())
    }
}

/// Sends a batch of items and writes the results in order.
fn flush(batch: &mut Vec<Item>, engines: &mut Engines, sink: &mut Sink) -> Result<()> {
    let mut frames = Vec::new();
    let mut first = Vec::new();
    for item in batch.iter_mut() {
        if let Some(tx) = item.tx.take() {
            frames.push(tx);
            first.push(item.originals[0].number);
        }
    }
    let sent = engines.send(&frames, &first, &mut sink.r)?;
    if sent.len() != frames.len() {
        bail!(
            "the engine answered {} of {} frames",
            sent.len(),
            frames.len()
        );
    }
    let mut sent = sent.iter();
    for item in batch.drain(..) {
        let s = if item.kind == Kind::TooLong {
            None
        } else {
            sent.next()
        };
        sink.emit(&item, s)?;
    }
    Ok(())
}

/// The first pass: every direction's MSS.
fn scan(path: &Path, progress: Progress<'_>) -> Result<MssTable> {
    let mut table = MssTable::default();
    let mut reader = Reader::open(path)?;
    while let Some(record) = reader.next() {
        if let Record::Frame(f) = record? {
            table.add(&f);
        }
        progress(reader.bytes_read(), reader.file_len());
    }
    Ok(table)
}

/// `toe replay --tx`: see the module doc.
pub fn replay_tx(path: &Path, opts: &Options, progress: Progress<'_>) -> Result<Report> {
    let started = Instant::now();
    let mut report = Report::new(path, opts);
    let mut engines = Engines::new(opts)?;
    let mut merger = Merger::new(scan(path, progress)?);
    let out = match &opts.out {
        Some(p) => {
            Some(PcapWriter::create(p).with_context(|| format!("creating {}", p.display()))?)
        }
        None => None,
    };
    let mut sink = Sink {
        out,
        r: TxReport {
            out: opts.out.as_ref().map(|p| p.display().to_string()),
            ..TxReport::default()
        },
        keep_origins: opts.keep_verdicts,
        dirs: HashMap::new(),
    };
    let mut reader = Reader::open(path)?;
    let mut batch: Vec<Item> = Vec::new();
    let mut take = |merger: &mut Merger, batch: &mut Vec<Item>, sink: &mut Sink| -> Result<()> {
        while let Some(item) = merger.pop() {
            batch.push(item);
            if batch.len() >= BATCH {
                flush(batch, &mut engines, sink)?;
            }
        }
        Ok(())
    };
    while let Some(record) = reader.next() {
        match record? {
            Record::Frame(f) => {
                report.frames += 1;
                merger.push(f);
                take(&mut merger, &mut batch, &mut sink)?;
            }
            Record::Skipped { number, reason } => report.skip(number, &reason),
        }
        progress(reader.bytes_read(), reader.file_len());
    }
    merger.finish();
    take(&mut merger, &mut batch, &mut sink)?;
    flush(&mut batch, &mut engines, &mut sink)?;
    if let Some(w) = sink.out.take() {
        w.finish().context("writing the output pcap")?;
    }
    report.truncated_file = reader.truncated();
    let mut r = sink.r;
    let mut dirs: Vec<(Key, DirCount)> = sink.dirs.into_iter().collect();
    dirs.sort_by_key(|(k, _)| *k);
    for (k, c) in dirs {
        let m = merger.mss().get(&k);
        r.mss_clamped += u64::from(m.clamped_from.is_some());
        r.mss.push(DirTx {
            dir: tuple_text(&k),
            mss: m.mss,
            mss_source: m.source,
            mss_clamped_from: m.clamped_from,
            superframes: c.superframes,
            merged: c.merged,
            segments: c.segments,
        });
    }
    r.wall_s = started.elapsed().as_secs_f64();
    report.mismatches += r.mismatches;
    report.tx = Some(r);
    Ok(report)
}

/// The TX section of `toe replay --tx` for a terminal.
pub fn human(report: &Report, tx: &TxReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} frames through the TX path (tso + tx_checksum), backend {:?}; RX passes not run",
        report.file, report.frames, report.backend
    );
    if report.skipped > 0 {
        let _ = writeln!(s, "skipped {} records:", report.skipped);
        for (why, n) in &report.skip_reasons {
            let _ = writeln!(s, "  {n:>8}  {why}");
        }
    }
    let _ = writeln!(
        s,
        "\n  super-frames {:>8}  from {} captured segments, {} directions ({} MSS clamped to {})",
        tx.superframes,
        tx.merged,
        tx.mss.len(),
        tx.mss_clamped,
        spec::tso::MSS_MAX
    );
    let _ = writeln!(s, "  segments     {:>8}  on the wire", tx.segments);
    let _ = writeln!(
        s,
        "  passthrough  {:>8}  ({} with checksum request, {} too long: written unchanged)",
        tx.passthrough, tx.checksummed, tx.too_long
    );
    for (why, n) in &tx.passthrough_reasons {
        let _ = writeln!(s, "    {why:<18} {n:>8}");
    }
    let _ = writeln!(
        s,
        "  wire         {:>8}  frames, {} bytes{}",
        tx.wire_frames,
        tx.bytes,
        tx.out
            .as_ref()
            .map_or(String::new(), |p| format!(" -> {p}"))
    );
    if tx.trimmed > 0 {
        let _ = writeln!(
            s,
            "  trimmed {:>8}  frames cut to their IP datagram (Ethernet padding) before the engine",
            tx.trimmed
        );
    }
    for (what, map) in [("engine", &tx.refused), ("tx_checksum", &tx.csum_refused)] {
        for (status, n) in map {
            let _ = writeln!(s, "  {what} status {status}: {n}");
        }
    }
    if !tx.mss.is_empty() {
        let mut top: Vec<&DirTx> = tx.mss.iter().collect();
        top.sort_by_key(|d| std::cmp::Reverse(d.superframes));
        let _ = writeln!(
            s,
            "\n  {:<50} {:>5} {:<7} {:>8} {:>8} {:>8}",
            "direction", "mss", "from", "super", "merged", "segments"
        );
        for d in top.iter().take(10) {
            let _ = writeln!(
                s,
                "  {:<50} {:>5} {:<7} {:>8} {:>8} {:>8}",
                d.dir,
                d.mss,
                format!("{:?}", d.mss_source).to_lowercase(),
                d.superframes,
                d.merged,
                d.segments
            );
        }
        if top.len() > 10 {
            let _ = writeln!(s, "  ... {} more directions", top.len() - 10);
        }
    }
    let _ = writeln!(s);
    match report.backend {
        Backend::Both => {
            let _ = writeln!(s, "RTL vs model: {} mismatches", tx.mismatches);
            for m in &tx.mismatch_examples {
                let _ = writeln!(s, "  frame {}: {}", m.frame, m.what);
            }
        }
        Backend::Rtl => {
            let _ = writeln!(s, "RTL only: not compared with the model");
        }
        Backend::Model => {
            let _ = writeln!(s, "model only: no simulation");
        }
    }
    let _ = writeln!(s, "TX replay took {:.2} s", tx.wall_s);
    if report.truncated_file {
        let _ = writeln!(s, "warning: the file ends in the middle of a record");
    }
    s
}
