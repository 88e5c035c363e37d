//! The `tx` object of the `toe replay --tx` report, and its table for
//! people.

use crate::tx_super::MssSource;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

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

impl TxReport {
    /// The TX figures, below the report's heading.
    pub fn human(&self, s: &mut String) {
        let tx = self;
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
    }
}
