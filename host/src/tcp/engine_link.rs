//! The stack on the engine: frames from the wire go through the engine's
//! RX path and reach the stack with the engine's checksum verdict (no
//! software checksum for frames it checked); the stack's segments leave
//! as TSO super-frames or checksum-offloaded frames on the TX ring.
//! Connections are installed in the connection table when they reach
//! ESTABLISHED (up to a cap), removed when the peer's data ends, and the
//! table's `rcv_nxt` is rewritten when the stack's queue closes a gap.

use super::frames::{Offloads, frames};
use super::rtt::Micros;
use super::segment::{NotTcp, parse};
use super::stack::{ConnId, Event, Stack};
use crate::nic::{Nic, NicError};
use crate::sim_device::SimDevice;
use anyhow::{Context, Result, bail};
use spec::conn_table::{Class, Cmd, CmdStatus, Key};
use spec::rx_csum::{IpVerdict, L4Verdict, Verdict};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

#[derive(Clone, Copy, Debug)]
pub struct LinkConfig {
    pub offloads: Offloads,
    /// Connections installed in the engine at most (the host's policy;
    /// the table may be fuller first).
    pub max_offloaded: usize,
}

/// Host work and offload figures.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct LinkStats {
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
}

pub struct EngineLink<D: SimDevice> {
    pub nic: Nic<D>,
    cfg: LinkConfig,
    installed: HashMap<ConnId, usize>,
    pub stats: LinkStats,
}

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
    pub fn new(nic: Nic<D>, cfg: LinkConfig) -> EngineLink<D> {
        EngineLink {
            nic,
            cfg,
            installed: HashMap::new(),
            stats: LinkStats::default(),
        }
    }

    pub fn installed(&self) -> usize {
        self.installed.len()
    }

    /// A frame from the wire, into the engine's RX port.
    pub fn wire_in(&mut self, frame: &[u8]) {
        self.nic.device().wire_rx(frame);
    }

    /// Runs the engine and the stack once: RX to the stack, its events to
    /// the table, its segments to the TX ring. Returns the frames the
    /// engine put on the wire.
    pub fn step(&mut self, stack: &mut Stack, now: Micros) -> Result<Vec<Vec<u8>>> {
        for _ in 0..64 {
            if self.nic.device().rx_pending() == 0 {
                break;
            }
            self.nic.wait(64)?;
        }
        self.nic.wait(16)?;
        loop {
            let got = self.nic.poll_rx(256)?;
            if got.is_empty() {
                break;
            }
            for f in got {
                self.receive(stack, &f.data, f.cpl.class, f.cpl.verdict, now)?;
            }
        }
        self.events(stack)?;
        for o in stack.poll(now) {
            self.stats.tx_copied_bytes += o.payload.len() as u64;
            let fs = frames(&o, stack.mac(), self.cfg.offloads);
            for f in fs {
                if f.desc.tso {
                    self.stats.tso_superframes += 1;
                }
                self.send(&f.frame, f.desc)?;
            }
        }
        self.events(stack)?;
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

    fn receive(
        &mut self,
        stack: &mut Stack,
        data: &[u8],
        class: u8,
        verdict: u32,
        now: Micros,
    ) -> Result<()> {
        self.stats.rx_frames += 1;
        self.stats.rx_bytes += data.len() as u64;
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
        if class == Class::Fast as u8 {
            self.stats.fast_rx_frames += 1;
            self.stats.fast_rx_bytes += seg.payload.len() as u64;
        }
        stack.input(&seg, checked, now);
        Ok(())
    }

    fn events(&mut self, stack: &mut Stack) -> Result<()> {
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
                            self.installed.insert(id, slot);
                            self.stats.installs += 1;
                        }
                        (CmdStatus::Full, _) => self.stats.offload_refused += 1,
                        (s, _) => bail!("the table answered {s:?} to an install"),
                    }
                }
                Event::ReceiveEnded(id) => {
                    if let Some(slot) = self.installed.remove(&id) {
                        self.nic.command(&Cmd::Remove(slot))?;
                        self.stats.removes += 1;
                    }
                }
                Event::RcvNxt(id, v) => {
                    if let Some(&slot) = self.installed.get(&id) {
                        self.nic.command(&Cmd::WriteRcvNxt(slot, v))?;
                        self.stats.rcv_nxt_writes += 1;
                    }
                }
            }
        }
        Ok(())
    }
}
