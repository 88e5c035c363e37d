//! What `toe tap --json` prints on exit.

use super::apps::AppBytes;
use super::faults::FaultCounts;
use host::sim_device::SimDevice;
use host::tcp::Stack;
use host::tcp::engine_link::EngineLink;
use serde::Serialize;
use std::time::Duration;

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub engine: &'static str,
    pub seconds: f64,
    /// Frames and bytes the engine received from the wire / sent to it.
    pub rx_frames: u64,
    pub rx_bytes: u64,
    pub tx_frames: u64,
    pub tx_bytes: u64,
    /// Payload bytes of frames the engine classed as fast path.
    pub fast_rx_bytes: u64,
    pub fast_rx_frames: u64,
    pub installs: u64,
    pub offload_refused: u64,
    pub removes: u64,
    pub rcv_nxt_writes: u64,
    /// Receive rings were posted (`rx_place`), and what came through them:
    /// coalesced completions, the frames they covered, the payload bytes.
    pub placing: bool,
    pub place_completions: u64,
    pub placed_frames: u64,
    pub placed_bytes: u64,
    pub tso_superframes: u64,
    pub retransmits: u64,
    pub fast_retransmits: u64,
    pub lost_retransmits: u64,
    pub tail_probes: u64,
    pub reorder_timeouts: u64,
    pub timeouts: u64,
    pub challenge_acks: u64,
    pub syn_cookies: u64,
    pub syn_cookies_accepted: u64,
    pub connections: u64,
    /// Host work.
    pub descriptors: u64,
    pub completions: u64,
    pub tx_descriptors: u64,
    pub rx_descriptors: u64,
    pub tx_completions: u64,
    pub rx_completions: u64,
    pub doorbells: u64,
    pub frames_touched: u64,
    pub software_checksums: u64,
    pub tx_copied_bytes: u64,
    pub bad_checksum_drops: u64,
    pub not_tcp_drops: u64,
    pub app: AppBytes,
    pub faults_in: FaultCounts,
    pub faults_out: FaultCounts,
    /// The engine's own counters at the end (drops, classes).
    pub engine_counters: std::collections::BTreeMap<String, u32>,
}

pub fn collect<D: SimDevice>(
    stack: &Stack,
    link: &EngineLink<D>,
    app: AppBytes,
    faults_in: FaultCounts,
    faults_out: FaultCounts,
    took: Duration,
) -> Summary {
    let l = link.stats;
    let d = link.nic.stats;
    let t = stack.totals();
    let s = stack.stats;
    Summary {
        engine: "",
        seconds: super::secs(took),
        rx_frames: l.rx_frames,
        rx_bytes: l.rx_bytes,
        tx_frames: l.tx_frames,
        tx_bytes: l.tx_bytes,
        fast_rx_bytes: l.fast_rx_bytes,
        fast_rx_frames: l.fast_rx_frames,
        installs: l.installs,
        offload_refused: l.offload_refused,
        removes: l.removes,
        rcv_nxt_writes: l.rcv_nxt_writes,
        placing: link.placing(),
        place_completions: l.place_completions,
        placed_frames: l.placed_frames,
        placed_bytes: l.placed_bytes,
        tso_superframes: l.tso_superframes,
        retransmits: t.retransmits,
        fast_retransmits: t.fast_retransmits,
        lost_retransmits: t.lost_retransmits,
        tail_probes: t.tail_probes,
        reorder_timeouts: t.reorder_timeouts,
        timeouts: t.timeouts,
        challenge_acks: s.challenge_acks,
        syn_cookies: s.syn_cookies_sent,
        syn_cookies_accepted: s.syn_cookies_accepted,
        connections: s.connections,
        descriptors: d.tx_descriptors + d.rx_descriptors,
        completions: d.tx_completions + d.rx_completions,
        tx_descriptors: d.tx_descriptors,
        rx_descriptors: d.rx_descriptors,
        tx_completions: d.tx_completions,
        rx_completions: d.rx_completions,
        doorbells: d.doorbells,
        frames_touched: l.frames_touched,
        software_checksums: s.software_checksums,
        tx_copied_bytes: l.tx_copied_bytes,
        bad_checksum_drops: l.bad_checksum_drops + s.bad_checksum_drops,
        not_tcp_drops: l.not_tcp_drops,
        app,
        faults_in,
        faults_out,
        engine_counters: Default::default(),
    }
}

impl Summary {
    pub fn human(&self) -> String {
        format!(
            "toe tap: {:.1} s on the {} engine: rx {} frames / {} bytes ({} fast-path payload bytes, {} placed), tx {} frames / {} bytes ({} TSO super-frames)\n  connections {}, installed {}, refused {}, retransmits {}, challenge ACKs {}, SYN cookies {}\n  host work: {} descriptors, {} completions, {} doorbells, {} frames touched, {} software checksums\n",
            self.seconds,
            self.engine,
            self.rx_frames,
            self.rx_bytes,
            self.fast_rx_bytes,
            self.placed_bytes,
            self.tx_frames,
            self.tx_bytes,
            self.tso_superframes,
            self.connections,
            self.installs,
            self.offload_refused,
            self.retransmits,
            self.challenge_acks,
            self.syn_cookies,
            self.descriptors,
            self.completions,
            self.doorbells,
            self.frames_touched,
            self.software_checksums,
        )
    }
}
