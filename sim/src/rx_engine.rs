//! `rx_engine` under Verilator with a host around it: [`MemPort`] on its
//! memory port (in-order read answers after a configurable latency,
//! random stalls on both readies) over a [`DmaMem`], and [`RxHost`], a
//! driver's view of the RX rings (posts buffers, reads completions by
//! their phase, returns slots). Every DMA access goes through the
//! `DmaMem`, so a write outside a posted buffer or a completion slot is a
//! recorded fault.

use crate::bridge::{Input, Output, Sim, model_named};
use crate::conn_table::hash_key_port;
use crate::mem_port::{MemPort, MemTiming};
use crate::stream::{Coin, Traffic};
use anyhow::{Result, anyhow, bail};
use host::dma_mem::{DmaMem, Perm};
use model::conn_table::{Answer, Cmd};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use spec::conn_table::{CmdStatus, Command};
use spec::ring::{self as rg, RxCpl, RxDesc};
use spec::toeplitz::KEY_BYTES;
use std::collections::VecDeque;

/// Cycles without progress after which the engine counts as hung.
pub const HANG_CYCLES: u64 = 20_000;

/// The engine's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub frames: u32,
    pub bytes: u32,
    pub no_buffer: u32,
    pub cpl_full: u32,
    pub too_big: u32,
    pub class: [u32; 10],
}

struct Ports {
    rx_data: Input,
    rx_keep: Input,
    rx_valid: Input,
    rx_last: Input,
    rx_user: Input,
    rx_ready: Output,
    enable: Input,
    soft_reset: Input,
    rxq_base: Input,
    rxq_log: Input,
    rxq_tail: Input,
    rxq_head: Output,
    rxcq_base: Input,
    rxcq_log: Input,
    rxcq_head: Input,
    rxcq_tail: Output,
    idle: Output,
    cpl: Output,
    counters: [Output; 5],
    class_counts: Output,
    cmd_valid: Input,
    cmd_ready: Output,
    cmd_op: Input,
    cmd_bank: Input,
    cmd_slot: Input,
    cmd_key: Input,
    cmd_rcv_nxt: Input,
    cmd_snd_una: Input,
    rsp_valid: Output,
    rsp_status: Output,
    rsp_slot: Output,
}

pub struct RxEngineRtl {
    sim: Sim,
    p: Ports,
    pub mem: DmaMem,
    pub port: MemPort,
    entries: usize,
    /// Completion pulses seen.
    pub cpl_pulses: u64,
}

impl RxEngineRtl {
    /// `variant`: "" (4096-entry table) or "small" (16 entries).
    pub fn new(variant: &str, hash_key: &[u8; KEY_BYTES], timing: MemTiming) -> Result<Self> {
        let name = if variant.is_empty() {
            "rx_engine_w8".to_string()
        } else {
            format!("rx_engine_w8_{variant}")
        };
        let info = model_named(&name).ok_or_else(|| anyhow!("no {name} build"))?;
        let entries = info.param("entries").unwrap_or(0) as usize;
        let mut sim = Sim::new(info, None)?;
        let i = |n: &str| sim.input(n);
        let o = |n: &str| sim.output(n);
        let p = Ports {
            rx_data: i("rx$data")?,
            rx_keep: i("rx$keep")?,
            rx_valid: i("rx$valid")?,
            rx_last: i("rx$last")?,
            rx_user: i("rx$user")?,
            rx_ready: o("rx$ready")?,
            enable: i("enable")?,
            soft_reset: i("soft_reset")?,
            rxq_base: i("rxq_base")?,
            rxq_log: i("rxq_log")?,
            rxq_tail: i("rxq_tail")?,
            rxq_head: o("rxq_head")?,
            rxcq_base: i("rxcq_base")?,
            rxcq_log: i("rxcq_log")?,
            rxcq_head: i("rxcq_head")?,
            rxcq_tail: o("rxcq_tail")?,
            idle: o("idle")?,
            cpl: o("cpl")?,
            counters: [
                o("rx_frames")?,
                o("rx_bytes")?,
                o("rx_no_buffer")?,
                o("rx_cpl_full")?,
                o("rx_too_big")?,
            ],
            class_counts: o("class_counts")?,
            cmd_valid: i("cmd$valid")?,
            cmd_ready: o("cmd$ready")?,
            cmd_op: i("cmd$op")?,
            cmd_bank: i("cmd$bank")?,
            cmd_slot: i("cmd$slot")?,
            cmd_key: i("cmd$key")?,
            cmd_rcv_nxt: i("cmd$rcv_nxt")?,
            cmd_snd_una: i("cmd$snd_una")?,
            rsp_valid: o("cmd$rsp_valid")?,
            rsp_status: o("cmd$rsp_status")?,
            rsp_slot: o("cmd$rsp_slot")?,
        };
        let key = sim.input("hash_key")?;
        sim.set_bytes(key, &hash_key_port(hash_key));
        sim.reset()?;
        let port = MemPort::bind(&sim, timing)?;
        let mut e = RxEngineRtl {
            sim,
            p,
            mem: DmaMem::new(),
            port,
            entries,
            cpl_pulses: 0,
        };
        // The table clears its key RAMs after reset.
        let mut n = 0;
        while e.sim.get(e.p.cmd_ready) == 0 {
            e.step(None)?;
            n += 1;
            if n > HANG_CYCLES {
                bail!("the table did not clear after reset");
            }
        }
        Ok(e)
    }

    pub fn entries(&self) -> usize {
        self.entries
    }

    pub fn cycles(&self) -> u64 {
        self.sim.cycles()
    }

    pub fn set_rings(&mut self, h: &RxHost) {
        self.sim.set(self.p.rxq_base, h.rxq);
        self.sim.set(self.p.rxq_log, u64::from(h.rxq_log));
        self.sim.set(self.p.rxcq_base, h.rxcq);
        self.sim.set(self.p.rxcq_log, u64::from(h.rxcq_log));
        self.sync(h);
    }

    /// The doorbells: RXQ tail and RXCQ head as the host has them.
    pub fn sync(&mut self, h: &RxHost) {
        self.sim.set(self.p.rxq_tail, u64::from(h.tail));
        self.sim.set(self.p.rxcq_head, u64::from(h.cq_head));
    }

    pub fn set_enable(&mut self, on: bool) {
        self.sim.set(self.p.enable, u64::from(on));
    }

    pub fn set_soft_reset(&mut self, on: bool) {
        self.sim.set(self.p.soft_reset, u64::from(on));
    }

    pub fn rxq_head(&self) -> u16 {
        self.sim.get(self.p.rxq_head) as u16
    }

    pub fn rxcq_tail(&self) -> u16 {
        self.sim.get(self.p.rxcq_tail) as u16
    }

    pub fn idle(&self) -> bool {
        self.sim.get(self.p.idle) == 1
    }

    pub fn counts(&self) -> Counts {
        let c = |k: usize| self.sim.get(self.p.counters[k]) as u32;
        let mut b = [0u8; 40];
        self.sim.get_bytes(self.p.class_counts, &mut b);
        Counts {
            frames: c(0),
            bytes: c(1),
            no_buffer: c(2),
            cpl_full: c(3),
            too_big: c(4),
            class: std::array::from_fn(|k| {
                u32::from_le_bytes(b[4 * k..4 * k + 4].try_into().expect("4 bytes"))
            }),
        }
    }

    /// One clock cycle: offers `beat` (bytes, keep, last) on the RX port
    /// and serves the memory port; true when the beat was taken.
    pub fn step(&mut self, beat: Option<(&[u8], u64, bool)>) -> Result<bool> {
        let p = &self.p;
        match beat {
            Some((bytes, keep, last)) => {
                self.sim.set_bytes(p.rx_data, bytes);
                self.sim.set(p.rx_keep, keep);
                self.sim.set(p.rx_last, u64::from(last));
                self.sim.set(p.rx_user, 0);
                self.sim.set(p.rx_valid, 1);
            }
            None => self.sim.set(p.rx_valid, 0),
        }
        self.port.drive(&mut self.sim);
        self.sim.eval();
        let took = beat.is_some() && self.sim.get(p.rx_ready) == 1;
        self.port.sample(&self.sim, &mut self.mem);
        if self.sim.get(p.cpl) == 1 {
            self.cpl_pulses += 1;
        }
        self.sim.tick();
        Ok(took)
    }

    /// Runs one table command to its answer (status and, for an insert,
    /// the slot), with the RX port idle.
    pub fn command(&mut self, cmd: &Cmd) -> Result<Answer> {
        let Cmd::Insert {
            key,
            rcv_nxt,
            snd_una,
            bank,
        } = *cmd
        else {
            bail!("the harness only inserts");
        };
        let p = &self.p;
        let bank = bank.map_or(0, |b| 1 + b.min(1) as u64);
        self.sim.set(p.cmd_op, Command::Insert as u64);
        self.sim.set(p.cmd_bank, bank);
        self.sim.set(p.cmd_slot, 0);
        self.sim.set_bytes(p.cmd_key, &key.to_port());
        self.sim.set(p.cmd_rcv_nxt, u64::from(rcv_nxt));
        self.sim.set(p.cmd_snd_una, u64::from(snd_una));
        self.sim.set(p.cmd_valid, 1);
        let mut n = 0;
        loop {
            self.sim.eval();
            let taken = self.sim.get(self.p.cmd_ready) == 1;
            self.step(None)?;
            if taken {
                break;
            }
            n += 1;
            if n > HANG_CYCLES {
                bail!("the table did not take a command");
            }
        }
        self.sim.set(self.p.cmd_valid, 0);
        loop {
            self.sim.eval();
            if self.sim.get(self.p.rsp_valid) == 1 {
                break;
            }
            self.step(None)?;
            n += 1;
            if n > HANG_CYCLES {
                bail!("the table did not answer a command");
            }
        }
        let code = self.sim.get(self.p.rsp_status);
        let status = CmdStatus::from_code(code).ok_or_else(|| anyhow!("status code {code}"))?;
        let mut a = Answer::status(status);
        if matches!(status, CmdStatus::Ok | CmdStatus::Exists) {
            a.slot = Some(self.sim.get(self.p.rsp_slot) as usize);
        }
        self.step(None)?;
        Ok(a)
    }
}

/// A completion the host read, with its buffer's bytes (up to the
/// frame's length or the capacity, whichever is smaller).
#[derive(Clone, Debug)]
pub struct Completed {
    pub cpl: RxCpl,
    pub cap: u32,
    pub data: Vec<u8>,
}

/// The driver's side of the RX rings.
pub struct RxHost {
    pub rxq: u64,
    pub rxq_log: u32,
    pub rxcq: u64,
    pub rxcq_log: u32,
    /// RXQ tail (next index to post) and RXCQ head (next slot to read).
    pub tail: u16,
    pub cq_head: u16,
    /// Posted buffers not completed yet, oldest (RXQ head) first.
    bufs: VecDeque<(u64, u32)>,
    /// Index of the oldest posted buffer.
    head: u16,
}

impl RxHost {
    /// Allocates and maps both rings: RXQ read-only, RXCQ write-only.
    pub fn new(mem: &mut DmaMem, rxq_log: u32, rxcq_log: u32) -> RxHost {
        let rxq = mem.alloc(rg::RX_DESC_BYTES << rxq_log);
        mem.map(rxq, rg::RX_DESC_BYTES << rxq_log, Perm::Read);
        let rxcq = mem.alloc(rg::RX_CPL_BYTES << rxcq_log);
        mem.map(rxcq, rg::RX_CPL_BYTES << rxcq_log, Perm::Write);
        RxHost {
            rxq,
            rxq_log,
            rxcq,
            rxcq_log,
            tail: 0,
            cq_head: 0,
            bufs: VecDeque::new(),
            head: 0,
        }
    }

    pub fn posted(&self) -> usize {
        self.bufs.len()
    }

    /// Posts a new buffer of `cap` bytes if the ring has room.
    pub fn post(&mut self, mem: &mut DmaMem, cap: u32) -> bool {
        if self.bufs.len() >= 1 << self.rxq_log {
            return false;
        }
        let addr = mem.alloc(cap as usize);
        mem.map(addr, cap as usize, Perm::Write);
        let slot = usize::from(self.tail) & ((1 << self.rxq_log) - 1);
        let d = RxDesc {
            addr,
            capacity: cap,
        };
        mem.cpu_write(self.rxq + (slot * rg::RX_DESC_BYTES) as u64, &d.to_bytes());
        self.bufs.push_back((addr, cap));
        self.tail = self.tail.wrapping_add(1);
        true
    }

    /// The next completion if the engine has written it (by its phase).
    pub fn poll(&mut self, mem: &mut DmaMem) -> Result<Option<Completed>> {
        let slot = usize::from(self.cq_head) & ((1 << self.rxcq_log) - 1);
        let at = self.rxcq + (slot * rg::RX_CPL_BYTES) as u64;
        let mut b = [0u8; rg::RX_CPL_BYTES];
        mem.cpu_read(at, &mut b);
        if u64::from(b[0] & 1) != rg::phase(self.cq_head, self.rxcq_log) {
            return Ok(None);
        }
        let cpl = RxCpl::from_bytes(&b)
            .ok_or_else(|| anyhow!("completion {}: bad entry {b:02x?}", self.cq_head))?;
        if cpl.index != self.head {
            bail!(
                "completion {} names buffer {}, the oldest posted is {}",
                self.cq_head,
                cpl.index,
                self.head
            );
        }
        let (addr, cap) = self
            .bufs
            .pop_front()
            .ok_or_else(|| anyhow!("completion {} without a posted buffer", self.cq_head))?;
        let len = spec::rx_csum::FIELD_LEN.get(u64::from(cpl.verdict)) as usize;
        let mut data = vec![0u8; len.min(cap as usize)];
        mem.cpu_read(addr, &mut data);
        mem.free(addr);
        self.head = self.head.wrapping_add(1);
        self.cq_head = self.cq_head.wrapping_add(1);
        Ok(Some(Completed { cpl, cap, data }))
    }

    /// After the engine's reset: every buffer back, indices at 0, the
    /// completion ring zeroed.
    pub fn reclaim(&mut self, mem: &mut DmaMem) {
        for (addr, _) in self.bufs.drain(..) {
            mem.free(addr);
        }
        mem.cpu_write(self.rxcq, &vec![0u8; rg::RX_CPL_BYTES << self.rxcq_log]);
        self.tail = 0;
        self.cq_head = 0;
        self.head = 0;
    }
}

/// What the host does each cycle while frames flow.
#[derive(Clone, Copy, Debug)]
pub struct HostPolicy {
    /// Chance per cycle that the host looks at its rings.
    pub active: f64,
    /// Read completions and return their slots.
    pub poll: bool,
    /// Keep this many buffers posted (capped by the ring).
    pub keep_posted: usize,
    /// Stop posting after this many buffers in all.
    pub post_limit: Option<usize>,
    /// Buffer capacities, uniform in this range.
    pub cap: (u32, u32),
}

/// Frames through the engine with a host following `policy`; returns when
/// every frame is accounted for (completed or dropped, as the counters
/// say) and the engine is idle. `posted_total` counts buffers posted.
pub struct Driver<'a> {
    pub e: &'a mut RxEngineRtl,
    pub h: &'a mut RxHost,
    pub got: Vec<Completed>,
    pub posted_total: usize,
    /// Beats taken, and the cycles of the first and the last.
    pub beats: u64,
    pub first_beat: Option<u64>,
    pub last_beat: u64,
    rng: SmallRng,
    idle_coin: Coin,
}

impl<'a> Driver<'a> {
    pub fn new(e: &'a mut RxEngineRtl, h: &'a mut RxHost, traffic: &Traffic) -> Self {
        Driver {
            e,
            h,
            got: Vec::new(),
            posted_total: 0,
            beats: 0,
            first_beat: None,
            last_beat: 0,
            rng: SmallRng::seed_from_u64(traffic.seed ^ 0xd21e),
            idle_coin: traffic.idle_coin(),
        }
    }

    /// The host's turn: completions read, buffers posted, doorbells rung.
    pub fn host(&mut self, policy: &HostPolicy) -> Result<()> {
        if policy.active < 1.0 && !self.rng.gen_bool(policy.active) {
            return Ok(());
        }
        if policy.poll {
            while let Some(c) = self.h.poll(&mut self.e.mem)? {
                self.got.push(c);
            }
        }
        let target = policy.keep_posted.min(1 << self.h.rxq_log);
        while self.h.posted() < target && policy.post_limit.is_none_or(|l| self.posted_total < l) {
            let cap = self.rng.gen_range(policy.cap.0..=policy.cap.1);
            if !self.h.post(&mut self.e.mem, cap) {
                break;
            }
            self.posted_total += 1;
        }
        self.e.sync(self.h);
        Ok(())
    }

    /// Feeds `frames` (with the traffic's idle cycles) and, with `drain`,
    /// runs until all are accounted for (completed or dropped, as the
    /// counters say) and the engine is idle; without, returns once the
    /// last beat is in.
    pub fn run(&mut self, frames: &[Vec<u8>], policy: &HostPolicy, drain: bool) -> Result<()> {
        let base = {
            let c = self.e.counts();
            u64::from(c.frames) + u64::from(c.no_buffer) + u64::from(c.cpl_full)
        };
        let want = base + frames.len() as u64;
        let (mut f, mut b) = (0usize, 0usize);
        let mut holding = false;
        let mut last_progress = self.e.cycles();
        let mut last_seen = (0u64, 0usize);
        loop {
            if !drain && f == frames.len() {
                return Ok(());
            }
            self.host(policy)?;
            let beat = if f < frames.len() {
                if !holding && self.idle_coin.flip() {
                    None
                } else {
                    let fr = &frames[f];
                    let n = fr.len().div_ceil(8);
                    let chunk = &fr[8 * b..(8 * b + 8).min(fr.len())];
                    Some((chunk, (1u64 << chunk.len()) - 1, b + 1 == n))
                }
            } else {
                None
            };
            holding = beat.is_some();
            let now = self.e.cycles();
            if self.e.step(beat)? {
                self.beats += 1;
                self.first_beat.get_or_insert(now);
                self.last_beat = now;
                holding = false;
                b += 1;
                if 8 * b >= frames[f].len() {
                    f += 1;
                    b = 0;
                }
            }
            let c = self.e.counts();
            let done = u64::from(c.frames) + u64::from(c.no_buffer) + u64::from(c.cpl_full);
            if f == frames.len() && done == want && self.e.idle() {
                if policy.poll {
                    self.host(&HostPolicy {
                        active: 1.0,
                        ..*policy
                    })?;
                }
                return Ok(());
            }
            let seen = (done, 8 * f + b);
            if seen != last_seen {
                last_seen = seen;
                last_progress = self.e.cycles();
            } else if self.e.cycles() - last_progress > HANG_CYCLES {
                bail!(
                    "no progress for {HANG_CYCLES} cycles: frame {f} of {}, {done} of {want} accounted, counters {c:?}, idle {}",
                    frames.len(),
                    self.e.idle()
                );
            }
        }
    }

    /// Clocks with idle input until `done` holds.
    pub fn wait(
        &mut self,
        policy: &HostPolicy,
        mut done: impl FnMut(&mut Self) -> bool,
    ) -> Result<()> {
        for _ in 0..HANG_CYCLES {
            self.host(policy)?;
            if done(self) {
                return Ok(());
            }
            self.e.step(None)?;
        }
        bail!("the engine did not settle within {HANG_CYCLES} cycles")
    }
}
