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
//!
//! Every direction whose SYN it saw has a receive ring ([`Delivery`]) and
//! an application that reads it at once. With placement on
//! ([`Host::placing`]) the host posts the ring with each install and the
//! engine's `rx_place` block ([`Placer`]) places payload into it and
//! coalesces completions; the host then sees only the frames the engine
//! left to it, and learns the rest from the completions.

use crate::emu_delivery::{Delivered, Delivery, LOG_SIZE};
use crate::table_engine::Commands;
use anyhow::{Result, bail};
use model::conn_table::{Cmd, Outcome, Request};
use model::rx_place::{Placer, Ring, payload, seen};
use serde::Serialize;
use spec::conn_table::{Class, CmdStatus, Key};
use spec::rx_parse::Header;
use spec::rx_place::{Flush, PlaceCpl};
use std::collections::{BTreeMap, HashMap};

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

/// `src:port>dst:port`, addresses as tshark prints them: the key of the
/// replay's `delivered` report.
pub fn tuple_key(k: &Key) -> String {
    let addr = |a: &[u8; 16]| {
        if k.v6 {
            std::net::Ipv6Addr::from(*a).to_string()
        } else {
            std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string()
        }
    };
    format!("{}:{}>{}:{}", addr(&k.src), k.sport, addr(&k.dst), k.dport)
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

impl HostStats {
    /// What the host did to the table itself, the same with or without
    /// placement: installs, inserts that found no way, removes.
    pub fn table_work(&self) -> [u64; 3] {
        [self.installs, self.install_full, self.removes]
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HostStats {
    /// Frames that reached the host as frames, each with its completion.
    pub frame_completions: u64,
    /// Frames the engine handed to the host (classes other than fast/ack,
    /// bad_csum and unparsed).
    pub host_frames: u64,
    /// Directions installed, and inserts that reported FULL.
    pub installs: u64,
    pub install_full: u64,
    pub removes: u64,
    /// rcv_nxt values the host wrote to the table.
    pub rcv_nxt_writes: u64,
    /// Coalesced completions the host read (placement on).
    pub place_completions: u64,
}

struct Handshake {
    /// The SYN-ACK's seq and ack, once seen.
    synack: Option<(u32, u32)>,
}

struct Conn {
    slot: usize,
    flow: usize,
    /// The table's rcv_nxt as the host knows it.
    table_rcv: u32,
}

/// A direction's ring, from its SYN on.
struct Stream {
    isn: u32,
    rx: Delivery,
    /// Its key in the `delivered` report.
    name: String,
}

/// What a frame is to the host: the frame itself with its parse.
pub struct Arrival<'a> {
    pub number: u64,
    /// Engine cycles since the capture's first frame.
    pub cycle: u64,
    pub header: &'a Header,
    pub data: &'a [u8],
}

#[derive(Default)]
pub struct Host {
    /// Keyed by the SYN's direction.
    handshakes: HashMap<Key, Handshake>,
    conns: HashMap<Key, Conn>,
    by_slot: HashMap<usize, Key>,
    streams: HashMap<Key, Stream>,
    /// Streams a new SYN of the same 4-tuple replaced.
    ended: Vec<Stream>,
    names: HashMap<String, usize>,
    place: Option<Placer>,
    pub flows: Vec<Flow>,
    pub stats: HostStats,
}

impl Host {
    /// A host that posts a ring with every install, for an engine whose
    /// `rx_place` is `placer`.
    pub fn placing(placer: Placer) -> Host {
        Host {
            place: Some(placer),
            ..Host::default()
        }
    }

    pub fn placer(&self) -> Option<&Placer> {
        self.place.as_ref()
    }

    /// Handles a frame after the engine classified it: first what the
    /// engine's placement does with it, then the host's part.
    pub fn arrive(
        &mut self,
        a: &Arrival<'_>,
        r: &Request,
        o: &Outcome,
        t: &mut dyn Commands,
    ) -> Result<()> {
        let Some(p) = self.place.as_mut() else {
            return self.frame(a.number, r, o, payload(a.header, a.data), t);
        };
        let mut cpls = p.advance(a.cycle);
        let step = p.frame(r, o, seen(a.header, a.data), a.cycle);
        if let (Some(v), Some(slot)) = (step.rcv_nxt, o.slot) {
            t.command(&Cmd::WriteRcvNxt(slot, v))?;
        }
        if !step.place.is_empty() {
            let data = payload(a.header, a.data).unwrap_or_default();
            let base = ring_base(o.slot.expect("placed on a slot"));
            let pieces: Vec<(u64, u32)> =
                step.place.iter().map(|&(at, n)| (at - base, n)).collect();
            if let Some(s) = self.streams.get_mut(&r.key) {
                s.rx.placed(&pieces, data);
            }
        }
        cpls.extend(step.cpls);
        for c in cpls {
            self.completion(&c, t)?;
        }
        match step.to_host {
            Some(_) => self.frame(a.number, r, o, payload(a.header, a.data), t),
            None => Ok(()),
        }
    }

    /// A coalesced completion: the ring holds everything before its
    /// rcv_nxt and its interval.
    fn completion(&mut self, c: &PlaceCpl, t: &mut dyn Commands) -> Result<()> {
        self.stats.place_completions += 1;
        let slot = usize::from(c.slot);
        let Some(key) = self.by_slot.get(&slot).copied() else {
            bail!("a completion for slot {slot}, which the host never installed");
        };
        if let Some(conn) = self.conns.get_mut(&key) {
            conn.table_rcv = c.rcv_nxt;
        }
        if let Some(s) = self.streams.get_mut(&key) {
            s.rx.learn(c.rcv_nxt, c.ooo);
        }
        self.read(&key)?;
        self.sync(&key, t)
    }

    /// The application reads what is in order; the ring moves on.
    fn read(&mut self, key: &Key) -> Result<()> {
        let Some(s) = self.streams.get_mut(key) else {
            return Ok(());
        };
        s.rx.read()?;
        if let (Some(p), Some(c)) = (self.place.as_mut(), self.conns.get(key)) {
            p.advance_head(c.slot, s.rx.head());
        }
        Ok(())
    }

    /// Handles frame number `n` after the engine classified it, when it
    /// reached the host as a frame.
    pub fn frame(
        &mut self,
        n: u64,
        r: &Request,
        o: &Outcome,
        data: Option<&[u8]>,
        t: &mut dyn Commands,
    ) -> Result<()> {
        self.stats.frame_completions += 1;
        if matches!(o.class, Class::Unparsed | Class::BadCsum) {
            return Ok(());
        }
        self.stream_data(r, data)?;
        if o.class == Class::Fast {
            return self.fast(r, t);
        }
        if o.class.in_hardware() {
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
            self.sync(&r.key, t)?;
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
                        table_rcv: rcv_nxt,
                    },
                );
                self.by_slot.insert(slot, key);
                if let Some(p) = self.place.as_mut() {
                    let head = self.streams.get(&key).map_or(rcv_nxt, |s| s.rx.head());
                    let ring = Ring {
                        base: ring_base(slot),
                        log_size: LOG_SIZE,
                        head,
                    };
                    // No PAWS: the replay host takes every segment, as
                    // the in-order reassembly it is checked against does.
                    if !p.post(slot, ring, rcv_nxt, snd_una, None) {
                        bail!("rx_place refused the ring of slot {slot}");
                    }
                }
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

    /// A fast-path frame the host received: the table moved rcv_nxt to
    /// the frame's end; the host's queue may reach further.
    fn fast(&mut self, r: &Request, t: &mut dyn Commands) -> Result<()> {
        let Some(c) = self.conns.get_mut(&r.key) else {
            return Ok(());
        };
        // `rx_place` may have taken it past its interval.
        c.table_rcv = match self.place.as_ref().and_then(|p| p.rcv_nxt(c.slot)) {
            Some(v) => v,
            None => r.seq.wrapping_add(r.plen),
        };
        self.sync(&r.key, t)
    }

    /// A frame of a direction whose SYN the host saw: its payload goes
    /// into the ring, and the application reads what is in order.
    fn stream_data(&mut self, r: &Request, data: Option<&[u8]>) -> Result<()> {
        let syn = r.flags & SYN != 0;
        if syn {
            let fresh = match self.streams.get(&r.key) {
                Some(s) => s.isn != r.seq,
                None => true,
            };
            if fresh {
                self.open_stream(r.key, r.seq);
            }
        }
        let (Some(s), Some(data)) = (self.streams.get_mut(&r.key), data) else {
            return Ok(());
        };
        // A SYN's payload starts after the SYN's own sequence number.
        let seq = r.seq.wrapping_add(u32::from(syn));
        s.rx.segment(seq, data);
        self.read(&r.key)
    }

    fn open_stream(&mut self, key: Key, isn: u32) {
        let base = tuple_key(&key);
        let n = self.names.entry(base.clone()).or_insert(0);
        *n += 1;
        let name = if *n == 1 {
            base
        } else {
            format!("{base} #{n}")
        };
        let s = Stream {
            isn,
            rx: Delivery::new(isn.wrapping_add(1)),
            name,
        };
        if let Some(old) = self.streams.insert(key, s) {
            self.ended.push(old);
        }
    }

    /// Writes the host's rcv_nxt where the table's differs (through
    /// `rx_place`, which may take it past its interval).
    fn sync(&mut self, key: &Key, t: &mut dyn Commands) -> Result<()> {
        let (Some(c), Some(s)) = (self.conns.get_mut(key), self.streams.get(key)) else {
            return Ok(());
        };
        let mine = s.rx.rcv_nxt();
        if mine != c.table_rcv {
            let to = match self.place.as_mut() {
                Some(p) => p.write_rcv_nxt(c.slot, mine),
                None => mine,
            };
            c.table_rcv = to;
            t.command(&Cmd::WriteRcvNxt(c.slot, to))?;
            self.stats.rcv_nxt_writes += 1;
        }
        Ok(())
    }

    fn remove(&mut self, key: &Key, why: FlowState, t: &mut dyn Commands) -> Result<()> {
        let Some(slot) = self.conns.get(key).map(|c| c.slot) else {
            return Ok(());
        };
        self.unpost(slot, t)?;
        let c = self.conns.remove(key).expect("looked up");
        self.by_slot.remove(&c.slot);
        self.read_counters(&c, t)?;
        t.command(&Cmd::Remove(c.slot))?;
        self.flows[c.flow].state = why;
        self.stats.removes += 1;
        Ok(())
    }

    /// Takes back `slot`'s ring: its pending completion first.
    fn unpost(&mut self, slot: usize, t: &mut dyn Commands) -> Result<()> {
        let Some(p) = self.place.as_mut() else {
            return Ok(());
        };
        if let Some(c) = p.flush(slot, Flush::Host) {
            self.completion(&c, t)?;
        }
        if let Some(p) = self.place.as_mut() {
            p.remove(slot);
        }
        Ok(())
    }

    fn read_counters(&mut self, c: &Conn, t: &mut dyn Commands) -> Result<()> {
        if let Some([frames, bytes, fast, slow]) = t.command(&Cmd::ReadCounters(c.slot))?.counters {
            let f = &mut self.flows[c.flow];
            (f.frames, f.bytes, f.fast, f.slow) = (frames, bytes, fast, slow);
        }
        Ok(())
    }

    /// Flushes what the engine holds and reads the counters of the
    /// directions still installed.
    pub fn finish(&mut self, t: &mut dyn Commands) -> Result<()> {
        let mut slots: Vec<usize> = self.conns.values().map(|c| c.slot).collect();
        slots.sort_unstable();
        for slot in slots {
            self.unpost(slot, t)?;
        }
        let conns: Vec<Conn> = self.conns.drain().map(|(_, c)| c).collect();
        for c in &conns {
            self.read_counters(c, t)?;
        }
        Ok(())
    }

    /// What the application of every direction whose SYN the host saw
    /// received, by `src:port>dst:port`.
    pub fn delivered(&self) -> BTreeMap<String, Delivered> {
        self.ended
            .iter()
            .chain(self.streams.values())
            .map(|s| (s.name.clone(), s.rx.delivered()))
            .collect()
    }
}

/// Where the emulated host keeps slot `slot`'s ring: a region of its own
/// per slot, so that addresses say whose bytes they are.
fn ring_base(slot: usize) -> u64 {
    (slot as u64 + 1) << 32
}
