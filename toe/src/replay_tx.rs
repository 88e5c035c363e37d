//! `toe replay FILE --tx`: the capture's frames as a sender's stack would
//! have handed them to the TX path (TSO super-frames and checksum requests,
//! rebuilt by [`crate::tx_super`], whose module doc has the rules), sent
//! through `tso` + `tx_checksum` (the RTL, the model, or both compared frame
//! by frame), the frames on the wire optionally written to a pcap.
//!
//! With `--tx` the RX passes do not run: the report's RX fields stay zero
//! and `tx` holds the figures. The capture is read once and held in memory
//! (a direction's MSS is known only once all of it was seen); frames go to
//! the engine in batches of [`BATCH`].
//! The output pcap is Ethernet whatever the capture's link type: the
//! engine's frames are the reader's Ethernet II frames (with the synthetic
//! header it made for SLL, raw IP or loopback captures).

use crate::backend;
use crate::input::Input;
use crate::options::{Backend, Options, Progress};
use crate::report::Report;
use crate::report_tx::{DirTx, Origin, TxMismatch, TxReport};
use crate::tx_super::{Item, Kind, Merger, MssTable};
use anyhow::{Context, Result, bail};
use capture::PcapWriter;
use host::driver_tx::DriverTx;
use host::emu_host::tuple_text;
use host::tx_engine::{ModelTx, Sent, TxEngine, TxFrame};
use spec::conn_table::Key;
use spec::tso::FRAME_MAX;
use std::collections::HashMap;
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
#[cfg(feature = "rtl")]
pub fn rtl_tx_engine(width_bytes: usize, wave: Option<&Path>) -> Result<Box<dyn TxEngine>> {
    Ok(Box::new(sim::tso::TxPathRtl::new(width_bytes, wave)?))
}

#[cfg(not(feature = "rtl"))]
fn rtl_tx_engine(_: usize, _: Option<&Path>) -> Result<Box<dyn TxEngine>> {
    bail!("this toe has no RTL: use --backend model")
}

/// The reference model of the TX path, as `--tx` runs it.
pub fn model_tx_engine() -> ModelTx {
    ModelTx {
        max_frame: FRAME_MAX + 64,
    }
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
        let max_frame = model_tx_engine().max_frame;
        let mut nic = backend::engine(
            opts,
            max_frame,
            backend::config(opts, host::nic::Config::default().rx_buffer_bytes),
        )?;
        let driver_device = nic.device().name();
        let driver: Box<dyn TxEngine> = Box::new(DriverTx { nic });
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

/// `toe replay --tx`: see the module doc.
pub fn replay_tx(
    input: &mut Input,
    path: &Path,
    opts: &Options,
    progress: Progress<'_>,
) -> Result<Report> {
    let started = Instant::now();
    let mut report = Report::new(path, opts);
    let mut engines = Engines::new(opts)?;
    // The MSS of a direction is known only once all of it was seen, so
    // the capture is held in memory (the RX passes stream it).
    let (mut frames, mut table) = (Vec::new(), MssTable::default());
    while let Some(batch) = input.next_batch()? {
        for (number, reason) in &batch.skipped {
            report.skip(*number, reason);
        }
        for f in batch.frames {
            table.add(&f);
            frames.push(f);
        }
        let (done, total) = input.position();
        progress(done, 2 * total);
    }
    let mut merger = Merger::new(table);
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
    let (count, (_, total)) = (frames.len() as u64, input.position());
    for (i, f) in frames.into_iter().enumerate() {
        report.frames += 1;
        merger.push(f);
        take(&mut merger, &mut batch, &mut sink)?;
        progress(total + total * i as u64 / count.max(1), 2 * total);
    }
    merger.finish();
    take(&mut merger, &mut batch, &mut sink)?;
    flush(&mut batch, &mut engines, &mut sink)?;
    if let Some(w) = sink.out.take() {
        w.finish().context("writing the output pcap")?;
    }
    report.truncated_file = input.truncated();
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
