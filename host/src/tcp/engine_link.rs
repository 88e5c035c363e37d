//! The stack on the engine: frames from the wire go through the engine's
//! RX path and reach the stack with the engine's checksum verdict (no
//! software checksum for frames it checked); the stack's segments leave
//! as TSO super-frames or checksum-offloaded frames on the TX ring.
//! Connections are installed in the connection table when they reach
//! ESTABLISHED (up to a cap) and removed when the peer's data ends.
//!
//! The table's `rcv_nxt` moves by itself on fast-path frames only. The
//! link follows it (a fast frame sets it to the frame's end) and, once a
//! burst of frames is classified and handed to the stack, writes the
//! stack's `rcv_nxt` wherever the two differ: after the stack's
//! out-of-order queue closed a gap, or after data the engine left to the
//! host (options, CWR/ECE, a hole) moved it. Without this, every frame
//! after the first hole of a flow would stay on the slow path as `ahead`.
//!
//! Where the engine places (`rx_place`) and [`LinkConfig::place`] asks
//! for it, each installed connection also gets a receive ring and its
//! in-order payload arrives as coalesced completions ([`place`]).

mod place;

use super::conn_output::Outgoing;
use super::frames::{Offloads, frames};
use super::rtt::Micros;
use super::segment::{NotTcp, parse};
use super::stack::{ConnId, Event, Stack};
use crate::nic::{Nic, NicError, PostedRing, RxEvent};
use crate::sim_device::SimDevice;
use anyhow::{Context, Result, bail};
use spec::conn_table::{Class, Cmd, CmdStatus, Key};
use spec::rx_csum::{IpVerdict, L4Verdict, Verdict};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

#[derive(Clone, Copy, Debug)]
pub struct LinkConfig {
    pub offloads: Offloads,
    /// Connections installed in the engine at most (the host's policy;
    /// the table may be fuller first).
    pub max_offloaded: usize,
    /// Post a receive ring per installed connection where the engine
    /// places; off, every frame reaches the host (the baseline).
    pub place: bool,
}

/// Host work and offload figures.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct LinkStats {
    /// Frames and bytes from the wire, let into the engine.
    pub rx_frames: u64,
    pub rx_bytes: u64,
    /// Frames the stack parsed (all it was handed).
    pub frames_touched: u64,
    pub fast_rx_frames: u64,
    pub fast_rx_bytes: u64,
    pub engine_checked: u64,
    pub bad_checksum_drops: u64,
    pub not_tcp_drops: u64,
    pub tx_frames: u64,
    pub tx_bytes: u64,
    pub tso_superframes: u64,
    /// Payload bytes the stack copied into frames.
    pub tx_copied_bytes: u64,
    pub installs: u64,
    pub offload_refused: u64,
    pub removes: u64,
    pub rcv_nxt_writes: u64,
    /// Coalesced completions, the frames they covered and the payload
    /// bytes the stack took from the rings.
    pub place_completions: u64,
    pub placed_frames: u64,
    pub placed_bytes: u64,
}

pub struct EngineLink<D: SimDevice> {
    pub nic: Nic<D>,
    cfg: LinkConfig,
    installed: HashMap<ConnId, Installed>,
    by_slot: HashMap<usize, ConnId>,
    /// The engine places and the link posts rings.
    placing: bool,
    /// Frames from the wire not yet let into the engine.
    pending: VecDeque<Vec<u8>>,
    pub stats: LinkStats,
}

struct Installed {
    slot: usize,
    /// The table's `rcv_nxt` as the link knows it.
    rcv_nxt: u32,
    ring: Option<PostedRing>,
    /// The ring's head as the engine knows it.
    head: u32,
    /// The engine's out-of-order interval as the stack was given it.
    ooo_fed: Option<(u32, u32)>,
}

/// Frames let into the engine before the host reaps: a quarter of the
/// RX ring, so a burst from the wire is paced, not dropped for want of
/// buffers.
const RX_BURST: usize = 64;

fn key(remote: SocketAddr, local: SocketAddr) -> Key {
    let bytes = |a: IpAddr| {
        let mut b = [0u8; 16];
        match a {
            IpAddr::V4(a) => b[..4].copy_from_slice(&a.octets()),
            IpAddr::V6(a) => b = a.octets(),
        }
        b
    };
    Key {
        v6: remote.is_ipv6(),
        src: bytes(remote.ip()),
        dst: bytes(local.ip()),
        sport: remote.port(),
        dport: local.port(),
    }
}

impl<D: SimDevice> EngineLink<D> {
    pub fn new(mut nic: Nic<D>, cfg: LinkConfig) -> Result<EngineLink<D>> {
        let placing = cfg.place && nic.places()?;
        Ok(EngineLink {
            nic,
            cfg,
            installed: HashMap::new(),
            by_slot: HashMap::new(),
            placing,
            pending: VecDeque::new(),
            stats: LinkStats::default(),
        })
    }

    /// Whether connections get receive rings.
    pub fn placing(&self) -> bool {
        self.placing
    }

    pub fn installed(&self) -> usize {
        self.installed.len()
    }

    /// A frame from the wire, for the engine's RX port.
    pub fn wire_in(&mut self, frame: Vec<u8>) {
        self.stats.rx_frames += 1;
        self.stats.rx_bytes += frame.len() as u64;
        self.pending.push_back(frame);
    }

    /// Runs the engine and the stack once: RX to the stack, its events to
    /// the table, its segments to the TX ring. Returns the frames the
    /// engine put on the wire.
    pub fn step(&mut self, stack: &mut Stack, now: Micros) -> Result<Vec<Vec<u8>>> {
        loop {
            let burst = self.pending.len().min(RX_BURST);
            for f in self.pending.drain(..burst) {
                self.nic.device().wire_rx(&f);
            }
            let mut touched = Vec::new();
            self.reap(stack, now, burst, &mut touched)?;
            self.events(stack, now)?;
            // A write that reaches the engine's interval makes it report
            // the jump: reap that before the next burst.
            while self.write_back(stack, std::mem::take(&mut touched))? && self.placing {
                self.reap(stack, now, 0, &mut touched)?;
                self.events(stack, now)?;
            }
            if self.pending.is_empty() {
                break;
            }
        }
        self.events(stack, now)?;
        let out = stack.poll(now);
        self.transmit(stack, out)?;
        self.events(stack, now)?;
        self.consume(stack)?;
        self.nic.flush()?;
        let mut wire = Vec::new();
        for _ in 0..10_000 {
            self.nic.poll_tx()?;
            wire.extend(self.nic.device().wire_tx().into_iter().map(|w| w.frame));
            if self.nic.tx_in_flight() == 0 {
                break;
            }
            self.nic.wait(256)?;
        }
        wire.extend(self.nic.device().wire_tx().into_iter().map(|w| w.frame));
        for w in &wire {
            self.stats.tx_frames += 1;
            self.stats.tx_bytes += w.len() as u64;
        }
        Ok(wire)
    }

    fn transmit(&mut self, stack: &Stack, out: Vec<Outgoing>) -> Result<()> {
        for o in out {
            self.stats.tx_copied_bytes += o.payload.len() as u64;
            for f in frames(&o, stack.mac(), self.cfg.offloads) {
                if f.desc.tso {
                    self.stats.tso_superframes += 1;
                }
                self.send(&f.frame, f.desc)?;
            }
        }
        Ok(())
    }

    fn send(&mut self, frame: &[u8], desc: spec::tso::Desc) -> Result<()> {
        loop {
            match self.nic.send(frame, desc) {
                Ok(_) => return Ok(()),
                Err(NicError::TxFull) => {
                    self.nic.flush()?;
                    self.nic.wait(256)?;
                    self.nic.poll_tx()?;
                }
                Err(e) => return Err(e).context("posting a frame on the TX ring"),
            }
        }
    }

    /// Frames of a burst classified and their completions (frames, or
    /// coalesced completions counting them) handed to the stack, so no
    /// frame is in the engine when its rcv_nxt is written. When the port
    /// is empty the engine is asked for every pending completion (the end
    /// of a poll). A frame the engine dropped (no buffer, no completion
    /// slot; it counts them) never completes: stop once the port is empty
    /// and nothing completed for a while.
    fn reap(
        &mut self,
        stack: &mut Stack,
        now: Micros,
        burst: usize,
        touched: &mut Vec<ConnId>,
    ) -> Result<()> {
        let mut covered = 0;
        let mut flushed = !self.placing || burst == 0;
        let mut quiet = 0;
        while quiet < 16 {
            let got = self.nic.poll_rx_events(256)?;
            let idle = self.nic.device().rx_pending() == 0;
            quiet = if got.is_empty() && idle { quiet + 1 } else { 0 };
            for e in got {
                covered += match e {
                    RxEvent::Frame(f) => {
                        let (class, verdict) = (f.cpl.class, f.cpl.verdict);
                        self.receive(stack, &f.data, class, verdict, now, touched)?;
                        1
                    }
                    RxEvent::Placed(c) => {
                        self.placed(stack, &c, now, touched)?;
                        usize::from(c.frames)
                    }
                };
            }
            if covered >= burst && (burst > 0 || quiet > 0) {
                break;
            }
            if idle && !flushed {
                self.nic.flush_all_placed()?;
                flushed = true;
                quiet = 0;
            }
            self.nic.wait(64)?;
        }
        Ok(())
    }

    /// Writes the stack's rcv_nxt where the engine's differs; says
    /// whether it wrote any. Every frame of the burst was handed on, so
    /// a stack behind the engine refused bytes (PAWS, its window, an
    /// unacceptable ACK): the engine goes back and the peer's
    /// retransmission brings them, as it would to Linux; the ring's
    /// copy is never handed on later.
    fn write_back(&mut self, stack: &Stack, touched: Vec<ConnId>) -> Result<bool> {
        let mut wrote = false;
        for id in touched {
            let (Some(i), Some(c)) = (self.installed.get_mut(&id), stack.conn(id)) else {
                continue;
            };
            if i.rcv_nxt != c.rcv_nxt() {
                i.rcv_nxt = c.rcv_nxt();
                self.nic.command(&Cmd::WriteRcvNxt(i.slot, i.rcv_nxt))?;
                self.stats.rcv_nxt_writes += 1;
                wrote = true;
            }
        }
        Ok(wrote)
    }

    fn receive(
        &mut self,
        stack: &mut Stack,
        data: &[u8],
        class: u8,
        verdict: u32,
        now: Micros,
        touched: &mut Vec<ConnId>,
    ) -> Result<()> {
        let v = Verdict::unpack(verdict).context("the engine wrote a bad verdict")?;
        if v.ip == IpVerdict::Bad || v.l4 == L4Verdict::Bad {
            self.stats.bad_checksum_drops += 1;
            return Ok(());
        }
        let checked = v.l4 == L4Verdict::Ok;
        self.stats.engine_checked += u64::from(checked);
        self.stats.frames_touched += 1;
        let seg = match parse(data, !checked) {
            Ok(s) => s,
            Err(NotTcp::NotTcp | NotTcp::NotIp | NotTcp::Malformed(_) | NotTcp::BadOption) => {
                self.stats.not_tcp_drops += 1;
                return Ok(());
            }
        };
        if let Some(id) = stack.find(seg.dst, seg.src)
            && let Some(i) = self.installed.get_mut(&id)
        {
            if class == Class::Fast as u8 {
                self.stats.fast_rx_frames += 1;
                self.stats.fast_rx_bytes += seg.payload.len() as u64;
                // Where it places, the engine put rcv_nxt back for a fast
                // frame it did not place.
                if i.ring.is_none() {
                    i.rcv_nxt = seg.h.seq.wrapping_add(seg.payload.len() as u32);
                }
            }
            if !touched.contains(&id) {
                touched.push(id);
            }
        }
        stack.input(&seg, checked, now);
        // Fast frames are in order: their ACK waits for the burst, one
        // per burst as Linux ACKs a GRO super-segment. Any other frame
        // (out of order, a retransmission, control, a connection in
        // software) is answered at once, as Linux answers each segment
        // GRO lets through: the peer's loss recovery counts on it.
        if class != Class::Fast as u8
            && let Some(id) = stack.find(seg.dst, seg.src)
        {
            let out = stack.poll_conn(id, now);
            self.transmit(stack, out)?;
        }
        Ok(())
    }

    fn events(&mut self, stack: &mut Stack, now: Micros) -> Result<()> {
        for e in stack.take_events() {
            match e {
                Event::Established(id) => {
                    let Some(c) = stack.conn(id) else { continue };
                    if self.installed.len() >= self.cfg.max_offloaded {
                        self.stats.offload_refused += 1;
                        continue;
                    }
                    let a = self.nic.command(&Cmd::Insert {
                        key: key(c.remote(), c.local()),
                        rcv_nxt: c.rcv_nxt(),
                        snd_una: c.snd_una(),
                        bank: None,
                    })?;
                    match (a.status, a.slot) {
                        (CmdStatus::Ok, Some(slot)) => {
                            let rcv_nxt = c.rcv_nxt();
                            let ts_recent = c.ts_recent();
                            let rcv_buf = stack.config().rcv_buf;
                            let ring = if self.placing {
                                Some(self.post(slot, rcv_buf, rcv_nxt, ts_recent)?)
                            } else {
                                None
                            };
                            self.installed.insert(
                                id,
                                Installed {
                                    slot,
                                    rcv_nxt,
                                    ring,
                                    head: rcv_nxt,
                                    ooo_fed: None,
                                },
                            );
                            self.by_slot.insert(slot, id);
                            self.stats.installs += 1;
                        }
                        (CmdStatus::Full, _) => self.stats.offload_refused += 1,
                        (s, _) => bail!("the table answered {s:?} to an install"),
                    }
                }
                Event::ReceiveEnded(id) => self.remove(stack, id, now)?,
            }
        }
        Ok(())
    }
}
