//! What `toe replay` found, as JSON (`--json`) or as a table for people.

use crate::options::{Backend, Options};
use crate::report_driver::DriverReport;
use crate::report_place::Placement;
use crate::report_tx::TxReport;
use capture::SkipReason;
use host::emu_delivery::Delivered;
use host::emu_host::{Flow, HostStats, tuple_text};
use host::table_engine::TableMismatch;
use serde::Serialize;
use sim::traffic::Counters;
use spec::conn_table::Class;
use spec::rx_csum::{IpVerdict, L3Kind, L4Proto, L4Verdict, Verdict};
use spec::rx_parse::{Header, Status};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Checksum verdicts by protocol; `none` means the block gave no verdict.
#[derive(Debug, Default, Serialize)]
pub struct Checksums {
    pub ipv4_ok: u64,
    pub ipv4_bad: u64,
    pub ipv4_none: u64,
    pub tcp_ok: u64,
    pub tcp_bad: u64,
    pub tcp_none: u64,
    pub udp_ok: u64,
    pub udp_bad: u64,
    /// UDP over IPv4 sent without a checksum.
    pub udp_zero: u64,
    pub udp_none: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct L3Counts {
    pub ipv4: u64,
    pub ipv6: u64,
    pub other: u64,
}

#[derive(Debug, Serialize)]
pub struct Sim {
    pub cycles: u64,
    pub wall_s: f64,
    pub cycles_per_s: f64,
    pub beats_in: u64,
    /// Cycles an input beat waited: 0 means the block took every beat
    /// as it came.
    pub stalls_in: u64,
    /// Input beats per cycle; 1.0 is line rate when the input never idles.
    pub beat_efficiency: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Mismatch {
    pub frame: u64,
    #[serde(serialize_with = "verdict_json")]
    pub rtl: Verdict,
    #[serde(serialize_with = "verdict_json")]
    pub model: Verdict,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct FrameVerdict {
    pub frame: u64,
    #[serde(flatten, serialize_with = "verdict_json")]
    pub verdict: Verdict,
}

/// An `rx_parser` record on which the RTL and the model differ.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParseMismatch {
    pub frame: u64,
    #[serde(serialize_with = "header_json")]
    pub rtl: Header,
    #[serde(serialize_with = "header_json")]
    pub model: Header,
}

fn header_json<S: serde::Serializer>(h: &Header, s: S) -> Result<S::Ok, S::Error> {
    format!("{h:?}").serialize(s)
}

#[derive(Debug, Default, Serialize)]
pub struct TableSize {
    pub entries: usize,
    pub ways: usize,
}

/// Mismatches listed in full; the rest are only counted.
const MISMATCH_EXAMPLES: usize = 20;

#[derive(Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub width_bits: usize,
    pub backend: Backend,
    pub frames: u64,
    pub skipped: u64,
    pub skip_reasons: BTreeMap<String, u64>,
    pub l3: L3Counts,
    pub checksum: Checksums,
    /// `rx_parser` status per frame: `ok` or the reason it refused.
    pub parse: BTreeMap<&'static str, u64>,
    /// `conn_table`'s class per frame.
    pub classes: BTreeMap<&'static str, u64>,
    /// What the emulated host did: installs, install_full, removes, ...
    #[serde(flatten)]
    pub host: HostStats,
    pub table: TableSize,
    /// RTL/model differences of all blocks.
    pub mismatches: u64,
    pub mismatch_examples: Vec<Mismatch>,
    pub parse_mismatch_examples: Vec<ParseMismatch>,
    pub table_mismatch_examples: Vec<TableMismatch>,
    /// With `--flows`: every connection direction the host installed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    pub truncated_file: bool,
    /// `rx_checksum`'s simulation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sim: Option<Sim>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parser_sim: Option<Sim>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<FrameVerdict>,
    /// With `--verdicts`: every frame's class.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frame_classes: Vec<FrameClass>,
    /// The replay through the driver and the engine's rings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<DriverReport>,
    /// What the application of each direction whose SYN is in the capture
    /// received, by `src:port>dst:port`.
    pub delivered: BTreeMap<String, Delivered>,
    /// The direct path's `rx_place`, unless `--no-place`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    /// With `--tx`: the TX path's figures (the RX fields stay zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tx: Option<TxReport>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct FrameClass {
    pub frame: u64,
    pub class: &'static str,
}

fn name_ip(v: IpVerdict) -> &'static str {
    match v {
        IpVerdict::None => "none",
        IpVerdict::Ok => "ok",
        IpVerdict::Bad => "bad",
    }
}

fn name_l4(v: L4Verdict) -> &'static str {
    match v {
        L4Verdict::None => "none",
        L4Verdict::Ok => "ok",
        L4Verdict::Bad => "bad",
        L4Verdict::Zero => "zero",
    }
}

fn verdict_json<S: serde::Serializer>(v: &Verdict, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct V {
        l3: &'static str,
        ip: &'static str,
        proto: &'static str,
        l4: &'static str,
        len: u32,
    }
    V {
        l3: match v.l3 {
            L3Kind::Ipv4 => "ipv4",
            L3Kind::Ipv6 => "ipv6",
            L3Kind::Other => "other",
        },
        ip: name_ip(v.ip),
        proto: match v.proto {
            L4Proto::Tcp => "tcp",
            L4Proto::Udp => "udp",
            L4Proto::Other => "other",
        },
        l4: name_l4(v.l4),
        len: v.len,
    }
    .serialize(s)
}

impl Report {
    pub fn new(path: &Path, opts: &Options) -> Self {
        Self {
            file: path.display().to_string(),
            width_bits: opts.width * 8,
            backend: opts.backend,
            frames: 0,
            skipped: 0,
            skip_reasons: BTreeMap::new(),
            l3: L3Counts::default(),
            checksum: Checksums::default(),
            parse: BTreeMap::new(),
            classes: Class::ALL.iter().map(|c| (c.name(), 0)).collect(),
            host: HostStats::default(),
            table: TableSize {
                entries: opts.table_entries,
                ways: opts.table_ways,
            },
            mismatches: 0,
            mismatch_examples: Vec::new(),
            parse_mismatch_examples: Vec::new(),
            table_mismatch_examples: Vec::new(),
            flows: Vec::new(),
            truncated_file: false,
            sim: None,
            parser_sim: None,
            verdicts: Vec::new(),
            frame_classes: Vec::new(),
            tx: None,
            driver: None,
            delivered: BTreeMap::new(),
            placement: None,
        }
    }

    pub fn add(&mut self, frame: u64, v: Verdict, keep: bool) {
        self.frames += 1;
        let c = &mut self.checksum;
        match v.l3 {
            L3Kind::Ipv4 => self.l3.ipv4 += 1,
            L3Kind::Ipv6 => self.l3.ipv6 += 1,
            L3Kind::Other => self.l3.other += 1,
        }
        if v.l3 == L3Kind::Ipv4 {
            *match v.ip {
                IpVerdict::Ok => &mut c.ipv4_ok,
                IpVerdict::Bad => &mut c.ipv4_bad,
                IpVerdict::None => &mut c.ipv4_none,
            } += 1;
        }
        match (v.proto, v.l4) {
            (L4Proto::Tcp, L4Verdict::Ok) => c.tcp_ok += 1,
            (L4Proto::Tcp, L4Verdict::Bad) => c.tcp_bad += 1,
            (L4Proto::Tcp, _) => c.tcp_none += 1,
            (L4Proto::Udp, L4Verdict::Ok) => c.udp_ok += 1,
            (L4Proto::Udp, L4Verdict::Bad) => c.udp_bad += 1,
            (L4Proto::Udp, L4Verdict::Zero) => c.udp_zero += 1,
            (L4Proto::Udp, L4Verdict::None) => c.udp_none += 1,
            (L4Proto::Other, _) => {}
        }
        if keep {
            self.verdicts.push(FrameVerdict { frame, verdict: v });
        }
    }

    pub fn skip(&mut self, _frame: u64, reason: &SkipReason) {
        self.skipped += 1;
        *self.skip_reasons.entry(reason.to_string()).or_default() += 1;
    }

    pub fn mismatch(&mut self, m: Mismatch) {
        self.mismatches += 1;
        if self.mismatch_examples.len() < MISMATCH_EXAMPLES {
            self.mismatch_examples.push(m);
        }
    }

    pub fn add_parse(&mut self, h: &Header) {
        let name = h.status().map_or("invalid_code", Status::name);
        *self.parse.entry(name).or_default() += 1;
    }

    pub fn parse_mismatch(&mut self, m: ParseMismatch) {
        self.mismatches += 1;
        if self.parse_mismatch_examples.len() < MISMATCH_EXAMPLES {
            self.parse_mismatch_examples.push(m);
        }
    }

    pub fn add_class(&mut self, frame: u64, c: Class, keep: bool) {
        *self.classes.entry(c.name()).or_default() += 1;
        if keep {
            self.frame_classes.push(FrameClass {
                frame,
                class: c.name(),
            });
        }
    }

    pub fn table_mismatch(&mut self, m: TableMismatch) {
        self.mismatches += 1;
        if self.table_mismatch_examples.len() < MISMATCH_EXAMPLES {
            self.table_mismatch_examples.push(m);
        }
    }

    pub fn set_host(&mut self, stats: HostStats, flows: Vec<Flow>) {
        self.host = stats;
        self.flows = flows;
    }

    pub fn set_sim(&mut self, c: Counters, wall: Duration) {
        self.sim = Some(sim(c, wall));
    }

    pub fn set_parser_sim(&mut self, c: Counters, wall: Duration) {
        self.parser_sim = Some(sim(c, wall));
    }
}

fn sim(c: Counters, wall: Duration) -> Sim {
    let wall_s = wall.as_secs_f64();
    Sim {
        cycles: c.cycles,
        wall_s,
        cycles_per_s: c.cycles as f64 / wall_s.max(1e-9),
        beats_in: c.beats_in,
        stalls_in: c.stalls_in,
        beat_efficiency: c.beats_in as f64 / c.cycles.max(1) as f64,
    }
}

impl Report {
    /// The report as a table for a terminal.
    pub fn human(&self) -> String {
        if let Some(tx) = &self.tx {
            return self.tx_human(tx);
        }
        let mut s = String::new();
        let c = &self.checksum;
        let _ = writeln!(
            s,
            "{}: {} frames ({} IPv4, {} IPv6, {} other), rx_checksum at {} bits, backend {:?}",
            self.file,
            self.frames,
            self.l3.ipv4,
            self.l3.ipv6,
            self.l3.other,
            self.width_bits,
            self.backend
        );
        if self.skipped > 0 {
            let _ = writeln!(s, "skipped {} records:", self.skipped);
            for (why, n) in &self.skip_reasons {
                let _ = writeln!(s, "  {n:>8}  {why}");
            }
        }
        let _ = writeln!(s, "\n  checksum        ok      bad     none");
        let _ = writeln!(
            s,
            "  IPv4 hdr  {:>8} {:>8} {:>8}",
            c.ipv4_ok, c.ipv4_bad, c.ipv4_none
        );
        let _ = writeln!(
            s,
            "  TCP       {:>8} {:>8} {:>8}",
            c.tcp_ok, c.tcp_bad, c.tcp_none
        );
        let _ = writeln!(
            s,
            "  UDP       {:>8} {:>8} {:>8}   (+{} sent without checksum)",
            c.udp_ok, c.udp_bad, c.udp_none, c.udp_zero
        );
        let _ = writeln!(s, "\n  rx_parser   frames");
        for (status, n) in &self.parse {
            let _ = writeln!(s, "  {status:<16} {n:>8}");
        }
        let _ = writeln!(
            s,
            "\n  conn_table ({} entries, {} ways)   frames",
            self.table.entries, self.table.ways
        );
        for c in Class::ALL {
            let n = self.classes.get(c.name()).copied().unwrap_or(0);
            let by = if c.in_hardware() { "engine" } else { "host" };
            let _ = writeln!(s, "  {:<16} {n:>8}  ({by})", c.name());
        }
        let h = &self.host;
        let _ = writeln!(
            s,
            "  host: {} frames, {} installs, {} FULL, {} removes, {} rcv_nxt writes",
            h.host_frames, h.installs, h.install_full, h.removes, h.rcv_nxt_writes
        );
        if let Some(p) = &self.placement {
            s.push_str(&p.text());
        }
        let bytes: u64 = self.delivered.values().map(|d| d.bytes).sum();
        let placed: u64 = self.delivered.values().map(|d| d.placed_bytes).sum();
        let _ = writeln!(
            s,
            "  delivered: {bytes} bytes in order over {} directions, {placed} placed by the engine",
            self.delivered.len()
        );
        if !self.flows.is_empty() {
            let _ = writeln!(
                s,
                "\n  {:<50} {:<9} {:>5} {:>8} {:>10} {:>8} {:>8}",
                "direction", "state", "slot", "frames", "bytes", "fast", "slow"
            );
            for f in &self.flows {
                let slot = f.slot.map_or("-".to_string(), |x| x.to_string());
                let _ = writeln!(
                    s,
                    "  {:<50} {:<9} {:>5} {:>8} {:>10} {:>8} {:>8}",
                    tuple_text(&f.key),
                    format!("{:?}", f.state).to_lowercase(),
                    slot,
                    f.frames,
                    f.bytes,
                    f.fast,
                    f.slow
                );
            }
        }
        let _ = writeln!(s);
        match self.backend {
            Backend::Both => {
                let _ = writeln!(s, "RTL vs model: {} mismatches", self.mismatches);
                for m in &self.mismatch_examples {
                    let _ = writeln!(
                        s,
                        "  frame {}: rtl {:?} model {:?}",
                        m.frame, m.rtl, m.model
                    );
                }
                for m in &self.table_mismatch_examples {
                    let _ = writeln!(
                        s,
                        "  frame {} (conn_table): {}\n    rtl {}\n    model {}",
                        m.frame, m.what, m.rtl, m.model
                    );
                }
                for m in &self.parse_mismatch_examples {
                    let _ = writeln!(
                        s,
                        "  frame {} (rx_parser): rtl {:?}\n    model {:?}",
                        m.frame, m.rtl, m.model
                    );
                }
            }
            Backend::Rtl => {
                let _ = writeln!(s, "RTL only: not compared with the model");
            }
            Backend::Model => {
                let _ = writeln!(s, "model only: no simulation");
            }
        }
        if let Some(sim) = &self.sim {
            let _ = writeln!(
                s,
                "rx_checksum: {} cycles in {:.2} s ({:.1} M cycles/s), {} beats in, {} input stalls",
                sim.cycles,
                sim.wall_s,
                sim.cycles_per_s / 1e6,
                sim.beats_in,
                sim.stalls_in
            );
        }
        if let Some(sim) = &self.parser_sim {
            let _ = writeln!(
                s,
                "rx_parser: {} cycles in {:.2} s ({:.1} M cycles/s), {} input stalls",
                sim.cycles,
                sim.wall_s,
                sim.cycles_per_s / 1e6,
                sim.stalls_in
            );
        }
        if let Some(d) = &self.driver {
            let _ = writeln!(
                s,
                "through the driver ({} engine, RX ring {}, {} buffers): {} completions, {} differences from the direct path, {} DMA faults; drops: no buffer {}, completion ring full {}, too big {}; {} doorbells",
                d.device,
                d.rx_ring,
                d.rx_buffers,
                d.completions,
                d.mismatches,
                d.dma_faults,
                d.counters.get("rx_no_buffer").unwrap_or(&0),
                d.counters.get("rx_cpl_full").unwrap_or(&0),
                d.counters.get("rx_too_big").unwrap_or(&0),
                d.driver.doorbells
            );
        }
        if self.truncated_file {
            let _ = writeln!(s, "warning: the file ends in the middle of a record");
        }
        s
    }
}

impl Report {
    fn tx_human(&self, tx: &TxReport) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}: {} frames through the TX path (tso + tx_checksum), backend {:?}; RX passes not run",
            self.file, self.frames, self.backend
        );
        if self.skipped > 0 {
            let _ = writeln!(s, "skipped {} records:", self.skipped);
            for (why, n) in &self.skip_reasons {
                let _ = writeln!(s, "  {n:>8}  {why}");
            }
        }
        tx.human(&mut s);
        match self.backend {
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
        if self.truncated_file {
            let _ = writeln!(s, "warning: the file ends in the middle of a record");
        }
        s
    }
}
