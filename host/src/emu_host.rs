//! The emulated host of `toe replay`: the TCP control plane that stays in
//! software, driving the connection table as a real host would.
//!
//! It handles what the engine hands it (every class but `fast` and
//! `ack`) and learns from fast-path completions: it installs both
//! directions of a connection when its handshake completes, keeps each
//! direction's receive side in a [`Reassembly`] (the one the TCP stack
//! uses), follows the table's rcv_nxt (a fast frame leaves it at the
//! frame's end) and writes its own when the two differ, and removes a
//! direction on FIN (both on RST).

use crate::table_engine::Commands;
use crate::tcp::reassembly::Reassembly;
use anyhow::{Result, bail};
use model::conn_table::{Cmd, Outcome, Request};
use serde::Serialize;
use spec::conn_table::{Class, CmdStatus, Key};
use std::collections::HashMap;

use spec::tcp::{ACK, FIN, RST, SYN};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowState {
    /// In the table now.
    Installed,
    /// Removed after its FIN.
    Fin,
    /// Removed after a RST of either direction.
    Rst,
    /// The insert found its buckets full: handled in software only.
    Full,
}

/// One direction of a connection, from its install on.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    #[serde(serialize_with = "key_json")]
    pub key: Key,
    pub state: FlowState,
    /// The frame that completed its handshake.
    pub since_frame: u64,
    pub slot: Option<usize>,
    /// The table's counters, read when the entry was removed or at the end.
    pub frames: u64,
    pub bytes: u64,
    pub fast: u64,
    pub slow: u64,
}

fn key_json<S: serde::Serializer>(k: &Key, s: S) -> Result<S::Ok, S::Error> {
    tuple_text(k).serialize(s)
}

/// `src:port > dst:port`, IPv6 addresses in brackets.
pub fn tuple_text(k: &Key) -> String {
    let addr = |a: &[u8; 16]| {
        if k.v6 {
            format!("[{}]", std::net::Ipv6Addr::from(*a))
        } else {
            std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string()
        }
    };
    format!(
        "{}:{} > {}:{}",
        addr(&k.src),
        k.sport,
        addr(&k.dst),
        k.dport
    )
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HostStats {
    /// Frames the engine handed to the host (classes other than fast/ack,
    /// bad_csum and unparsed).
    pub host_frames: u64,
    /// Directions installed, and inserts that reported FULL.
    pub installs: u64,
    pub install_full: u64,
    pub removes: u64,
    /// rcv_nxt values the host wrote to the table.
    pub rcv_nxt_writes: u64,
}

struct Handshake {
    /// The SYN-ACK's seq and ack, once seen.
    synack: Option<(u32, u32)>,
}

struct Conn {
    slot: usize,
    flow: usize,
    rx: Reassembly,
    /// The table's rcv_nxt as the host knows it.
    table_rcv: u32,
}

#[derive(Default)]
pub struct Host {
    /// Keyed by the SYN's direction.
    handshakes: HashMap<Key, Handshake>,
    conns: HashMap<Key, Conn>,
    pub flows: Vec<Flow>,
    pub stats: HostStats,
}

impl Host {
    /// Handles frame number `n` after the engine classified it.
    pub fn frame(&mut self, n: u64, r: &Request, o: &Outcome, t: &mut dyn Commands) -> Result<()> {
        if o.class == Class::Fast {
            return self.fast(r, t);
        }
        if o.class.in_hardware() || matches!(o.class, Class::Unparsed | Class::BadCsum) {
            return Ok(());
        }
        self.stats.host_frames += 1;
        let (syn, ack) = (r.flags & SYN != 0, r.flags & ACK != 0);
        if syn && !ack {
            self.handshakes.insert(r.key, Handshake { synack: None });
        } else if syn {
            if let Some(h) = self.handshakes.get_mut(&r.key.reverse()) {
                h.synack = Some((r.seq, r.ack));
            }
        } else if let Some(sa_ack) = self.completes_handshake(r) {
            self.handshakes.remove(&r.key);
            let mut a_rcv = sa_ack;
            if r.seq == a_rcv {
                a_rcv = a_rcv.wrapping_add(r.plen);
            }
            self.install(n, r.key, a_rcv, r.ack, t)?;
            self.install(n, r.key.reverse(), r.ack, sa_ack, t)?;
        } else if !syn && r.plen > 0 {
            self.receive(r, t)?;
        }
        if r.flags & RST != 0 {
            self.remove(&r.key, FlowState::Rst, t)?;
            self.remove(&r.key.reverse(), FlowState::Rst, t)?;
        } else if r.flags & FIN != 0 {
            self.remove(&r.key, FlowState::Fin, t)?;
        }
        Ok(())
    }

    fn synack(&self, key: &Key) -> Option<(u32, u32)> {
        self.handshakes.get(key).and_then(|h| h.synack)
    }

    /// An ACK (no SYN) from the SYN's sender acking the SYN-ACK's seq + 1:
    /// the SYN-ACK's ACK number.
    fn completes_handshake(&self, r: &Request) -> Option<u32> {
        let (seq, ack) = self.synack(&r.key)?;
        (r.flags & ACK != 0 && r.ack == seq.wrapping_add(1)).then_some(ack)
    }

    fn install(
        &mut self,
        n: u64,
        key: Key,
        rcv_nxt: u32,
        snd_una: u32,
        t: &mut dyn Commands,
    ) -> Result<()> {
        if self.conns.contains_key(&key) {
            return Ok(());
        }
        let a = t.command(&Cmd::Insert {
            key,
            rcv_nxt,
            snd_una,
            bank: None,
        })?;
        let mut flow = Flow {
            key,
            state: FlowState::Full,
            since_frame: n,
            slot: None,
            frames: 0,
            bytes: 0,
            fast: 0,
            slow: 0,
        };
        match (a.status, a.slot) {
            (CmdStatus::Ok, Some(slot)) => {
                self.stats.installs += 1;
                flow.state = FlowState::Installed;
                flow.slot = Some(slot);
                self.conns.insert(
                    key,
                    Conn {
                        slot,
                        flow: self.flows.len(),
                        rx: Reassembly::new(rcv_nxt, false),
                        table_rcv: rcv_nxt,
                    },
                );
            }
            (CmdStatus::Full, _) => self.stats.install_full += 1,
            (s, _) => bail!(
                "the table answered {s:?} to installing {}",
                tuple_text(&key)
            ),
        }
        self.flows.push(flow);
        Ok(())
    }

    /// A fast-path completion: the table moved rcv_nxt to the frame's
    /// end; the host's queue may reach further.
    fn fast(&mut self, r: &Request, t: &mut dyn Commands) -> Result<()> {
        let Some(c) = self.conns.get_mut(&r.key) else {
            return Ok(());
        };
        c.rx.length(r.seq, r.plen);
        c.table_rcv = r.seq.wrapping_add(r.plen);
        self.sync(&r.key, t)
    }

    /// Data the engine left to the host.
    fn receive(&mut self, r: &Request, t: &mut dyn Commands) -> Result<()> {
        let Some(c) = self.conns.get_mut(&r.key) else {
            return Ok(());
        };
        c.rx.length(r.seq, r.plen);
        self.sync(&r.key, t)
    }

    /// Writes the host's rcv_nxt where the table's differs.
    fn sync(&mut self, key: &Key, t: &mut dyn Commands) -> Result<()> {
        let Some(c) = self.conns.get_mut(key) else {
            return Ok(());
        };
        if c.rx.rcv_nxt() != c.table_rcv {
            c.table_rcv = c.rx.rcv_nxt();
            t.command(&Cmd::WriteRcvNxt(c.slot, c.table_rcv))?;
            self.stats.rcv_nxt_writes += 1;
        }
        Ok(())
    }

    fn remove(&mut self, key: &Key, why: FlowState, t: &mut dyn Commands) -> Result<()> {
        let Some(c) = self.conns.remove(key) else {
            return Ok(());
        };
        self.read_counters(&c, t)?;
        t.command(&Cmd::Remove(c.slot))?;
        self.flows[c.flow].state = why;
        self.stats.removes += 1;
        Ok(())
    }

    fn read_counters(&mut self, c: &Conn, t: &mut dyn Commands) -> Result<()> {
        if let Some([frames, bytes, fast, slow]) = t.command(&Cmd::ReadCounters(c.slot))?.counters {
            let f = &mut self.flows[c.flow];
            (f.frames, f.bytes, f.fast, f.slow) = (frames, bytes, fast, slow);
        }
        Ok(())
    }

    /// Reads the counters of the directions still installed.
    pub fn finish(&mut self, t: &mut dyn Commands) -> Result<()> {
        let conns: Vec<Conn> = self.conns.drain().map(|(_, c)| c).collect();
        for c in &conns {
            self.read_counters(c, t)?;
        }
        Ok(())
    }
}
