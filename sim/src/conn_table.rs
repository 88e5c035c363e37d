//! `conn_table` under Verilator: frames' lookups in, results out, and the
//! host's commands, with the same types the model speaks.

use crate::bridge::{Input, MODELS, ModelInfo, Output, Sim, model};
use crate::stream::{Coin, Traffic};
use anyhow::{Context, Result, anyhow, bail};
use model::conn_table::{Answer, Cmd, Outcome, Request};
use spec::conn_table::{self as ct, Class, CmdStatus, Command, Key};
use spec::toeplitz::KEY_BYTES;
use std::collections::VecDeque;
use std::path::Path;

/// Cycles without progress after which the block counts as hung.
const HANG_CYCLES: u64 = 10_000;

/// A frame's result word, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Result64 {
    pub outcome: Outcome,
    pub hash: u32,
}

/// The key port of `toeplitz`/`conn_table`: the key's first 319 bits as
/// one big-endian number, as little-endian bytes.
pub fn hash_key_port(key: &[u8; KEY_BYTES]) -> Vec<u8> {
    let mut le: Vec<u8> = key.iter().rev().copied().collect();
    let mut carry = 0;
    for b in le.iter_mut().rev() {
        let next = *b & 1;
        *b = *b >> 1 | carry << 7;
        carry = next;
    }
    le
}

struct ReqPorts {
    valid: Input,
    ready: Output,
    status: Input,
    csum_bad: Input,
    key: Input,
    seq: Input,
    ack: Input,
    plen: Input,
    flags: Input,
    opts: Input,
}

struct CmdPorts {
    valid: Input,
    ready: Output,
    op: Input,
    bank: Input,
    slot: Input,
    key: Input,
    rcv_nxt: Input,
    snd_una: Input,
    rsp_valid: Output,
    rsp_status: Output,
    rsp_slot: Output,
    rsp_key: Output,
    rsp_state: Output,
}

pub struct ConnTableRtl {
    sim: Sim,
    req: ReqPorts,
    cmd: CmdPorts,
    res: Output,
    res_valid: Output,
    res_ready: Input,
    entries: usize,
    ways: usize,
    /// Idle and backpressure for [`ConnTableRtl::classify_one`].
    coins: Option<(Coin, Coin)>,
}

impl ConnTableRtl {
    /// The standard table (4096 entries) with `hash_key`, out of reset and
    /// cleared.
    pub fn new(hash_key: &[u8; KEY_BYTES], wave: Option<&Path>) -> Result<Self> {
        let info = model("conn_table", 8).ok_or_else(|| anyhow!("no conn_table build"))?;
        Self::of(info, hash_key, wave)
    }

    /// The build with `entries` of `ways`, if there is one.
    pub fn sized(
        entries: usize,
        ways: usize,
        hash_key: &[u8; KEY_BYTES],
        wave: Option<&Path>,
    ) -> Result<Self> {
        let size = |m: &&ModelInfo| {
            m.param("entries") == Some(entries as u64) && m.param("ways") == Some(ways as u64)
        };
        let builds = || MODELS.iter().filter(|m| m.block == "conn_table");
        let Some(info) = builds().find(size) else {
            let have: Vec<String> = builds()
                .map(|m| {
                    let p = |n| m.param(n).unwrap_or(0);
                    format!("{} x {}", p("entries"), p("ways"))
                })
                .collect();
            bail!(
                "no RTL table of {entries} entries x {ways} ways (builds: {}); use --backend model",
                have.join(", ")
            );
        };
        Self::of(info, hash_key, wave)
    }

    fn of(
        info: &'static ModelInfo,
        hash_key: &[u8; KEY_BYTES],
        wave: Option<&Path>,
    ) -> Result<Self> {
        let param = |name| {
            info.param(name)
                .map(|v| v as usize)
                .ok_or_else(|| anyhow!("conn_table build without `{name}`"))
        };
        let (entries, ways) = (param("entries")?, param("ways")?);
        let mut sim = Sim::new(info, wave)?;
        let key = sim.input("hash_key")?;
        sim.set_bytes(key, &hash_key_port(hash_key));
        sim.reset()?;
        let req = ReqPorts {
            valid: sim.input("req_valid")?,
            ready: sim.output("req_ready")?,
            status: sim.input("req_status")?,
            csum_bad: sim.input("req_csum_bad")?,
            key: sim.input("req_key")?,
            seq: sim.input("req_seq")?,
            ack: sim.input("req_ack")?,
            plen: sim.input("req_plen")?,
            flags: sim.input("req_flags")?,
            opts: sim.input("req_opts")?,
        };
        let cmd = CmdPorts {
            valid: sim.input("cmd$valid")?,
            ready: sim.output("cmd$ready")?,
            op: sim.input("cmd$op")?,
            bank: sim.input("cmd$bank")?,
            slot: sim.input("cmd$slot")?,
            key: sim.input("cmd$key")?,
            rcv_nxt: sim.input("cmd$rcv_nxt")?,
            snd_una: sim.input("cmd$snd_una")?,
            rsp_valid: sim.output("cmd$rsp_valid")?,
            rsp_status: sim.output("cmd$rsp_status")?,
            rsp_slot: sim.output("cmd$rsp_slot")?,
            rsp_key: sim.output("cmd$rsp_key")?,
            rsp_state: sim.output("cmd$rsp_state")?,
        };
        let mut t = Self {
            res: sim.output("res")?,
            res_valid: sim.output("res_valid")?,
            res_ready: sim.input("res_ready")?,
            sim,
            req,
            cmd,
            entries,
            ways,
            coins: None,
        };
        // The key RAMs clear after reset: a bucket per cycle.
        let ready = t.cmd.ready;
        t.wait_for("clear the table after reset", ready)?;
        Ok(t)
    }

    pub fn entries(&self) -> usize {
        self.entries
    }

    pub fn ways(&self) -> usize {
        self.ways
    }

    pub fn cycles(&self) -> u64 {
        self.sim.cycles()
    }

    /// Clocks until the output `port` is 1; fails after [`HANG_CYCLES`].
    fn wait_for(&mut self, what: &str, port: Output) -> Result<()> {
        if !self.sim.run_until(HANG_CYCLES, |s| s.get(port) == 1) {
            bail!("conn_table did not {what} within {HANG_CYCLES} cycles")
        }
        Ok(())
    }

    /// Runs one host command to its response.
    pub fn command(&mut self, cmd: &Cmd) -> Result<Answer> {
        let p = &self.cmd;
        let (op, bank, slot, key, rcv, una) = match *cmd {
            Cmd::Insert {
                key,
                rcv_nxt,
                snd_una,
                bank,
            } => {
                let bank = bank.map_or(0, |b| 1 + b.min(1) as u64);
                (Command::Insert, bank, 0, key.to_port(), rcv_nxt, snd_una)
            }
            Cmd::Remove(s) => (Command::Remove, 0, s, [0; 37], 0, 0),
            Cmd::Read(s) => (Command::Read, 0, s, [0; 37], 0, 0),
            Cmd::WriteRcvNxt(s, v) => (Command::WriteRcvNxt, 0, s, [0; 37], v, 0),
            Cmd::WriteSndUna(s, v) => (Command::WriteSndUna, 0, s, [0; 37], 0, v),
            Cmd::ReadCounters(s) => (Command::ReadCounters, 0, s, [0; 37], 0, 0),
        };
        let slot = u64::try_from(slot)
            .ok()
            .filter(|s| *s < 1 << ct::SLOT_BITS)
            .ok_or_else(|| anyhow!("slot {slot} does not fit the command port"))?;
        let (valid, ready) = (p.valid, p.ready);
        self.sim.set(p.op, op as u64);
        self.sim.set(p.bank, bank);
        self.sim.set(p.slot, slot);
        self.sim.set_bytes(p.key, &key);
        self.sim.set(p.rcv_nxt, u64::from(rcv));
        self.sim.set(p.snd_una, u64::from(una));
        self.sim.set(valid, 1);
        self.wait_for("take a command", ready)?;
        self.sim.tick();
        self.sim.set(valid, 0);
        let rsp = self.cmd.rsp_valid;
        self.wait_for("answer a command", rsp)?;
        let answer = self.answer(cmd);
        self.sim.tick();
        answer
    }

    /// Decodes the response ports into the fields `cmd` defines.
    fn answer(&self, cmd: &Cmd) -> Result<Answer> {
        let p = &self.cmd;
        let code = self.sim.get(p.rsp_status);
        let status = CmdStatus::from_code(code)
            .ok_or_else(|| anyhow!("conn_table answered status code {code}"))?;
        let mut a = Answer::status(status);
        let ok = status == CmdStatus::Ok;
        match cmd {
            Cmd::Insert { .. } if ok || status == CmdStatus::Exists => {
                a.slot = Some(self.sim.get(p.rsp_slot) as usize);
            }
            Cmd::Read(_) if ok => {
                let mut k = [0u8; 37];
                self.sim.get_bytes(p.rsp_key, &mut k);
                let key = Key::from_port(&k)
                    .ok_or_else(|| anyhow!("conn_table answered a malformed key {k:02x?}"))?;
                let s = self.state();
                a.entry = Some((key, s[0] as u32, s[1] as u32));
            }
            Cmd::ReadCounters(_) if ok => {
                let s = self.state();
                a.counters = Some([s[2], s[3], s[4], s[5]]);
            }
            _ => {}
        }
        Ok(a)
    }

    /// The response's state word, field by field in [`ct::STATE_FIELDS`]
    /// order.
    fn state(&self) -> [u64; 6] {
        let mut b = [0u8; ct::STATE_BITS as usize / 8];
        self.sim.get_bytes(self.cmd.rsp_state, &mut b);
        let mut out = [0u64; 6];
        for (o, f) in out.iter_mut().zip(ct::STATE_FIELDS) {
            *o = (0..f.width)
                .map(|i| {
                    let bit = (f.lsb + i) as usize;
                    u64::from(b[bit / 8] >> (bit % 8) & 1) << i
                })
                .sum();
        }
        out
    }

    fn offer(&mut self, r: Option<&Request>) {
        let p = &self.req;
        let Some(r) = r else {
            self.sim.set(p.valid, 0);
            return;
        };
        self.sim.set(p.valid, 1);
        self.sim.set(p.status, u64::from(r.status));
        self.sim.set(p.csum_bad, u64::from(r.csum_bad));
        self.sim.set_bytes(p.key, &r.key.to_port());
        self.sim.set(p.seq, u64::from(r.seq));
        self.sim.set(p.ack, u64::from(r.ack));
        self.sim.set(p.plen, u64::from(r.plen));
        self.sim.set(p.flags, u64::from(r.flags));
        self.sim.set(p.opts, u64::from(r.opts));
    }

    fn result(&self) -> Result<Result64> {
        let w = self.sim.get(self.res);
        let code = ct::FIELD_CLASS.get(w);
        let class =
            Class::from_code(code).ok_or_else(|| anyhow!("conn_table answered class {code}"))?;
        let slot = ct::FIELD_SLOT.get(w) as usize;
        Ok(Result64 {
            outcome: Outcome {
                class,
                slot: (ct::FIELD_HIT.get(w) == 1).then_some(slot),
            },
            hash: ct::FIELD_HASH.get(w) as u32,
        })
    }

    /// Classifies `reqs` back to back (with `traffic`'s idle cycles and
    /// backpressure) and returns their results in order, with the cycles
    /// the input waited on `req_ready`.
    pub fn classify(
        &mut self,
        reqs: &[Request],
        traffic: &Traffic,
    ) -> Result<(Vec<Result64>, u64)> {
        let (mut idle, mut busy) = (traffic.idle_coin(), traffic.backpressure_coin());
        self.run(reqs, &mut idle, &mut busy)
    }

    fn run(
        &mut self,
        reqs: &[Request],
        idle: &mut Coin,
        busy: &mut Coin,
    ) -> Result<(Vec<Result64>, u64)> {
        let mut queue: VecDeque<&Request> = reqs.iter().collect();
        let mut out = Vec::with_capacity(reqs.len());
        let (mut stalls, mut quiet) = (0u64, 0u64);
        let mut skip = idle.flip();
        while out.len() < reqs.len() {
            let offered = if skip { None } else { queue.front().copied() };
            self.offer(offered);
            let ready = !busy.flip();
            self.sim.set(self.res_ready, u64::from(ready));
            self.sim.eval();
            let mut progress = false;
            if offered.is_some() {
                if self.sim.get(self.req.ready) == 1 {
                    queue.pop_front();
                    skip = idle.flip();
                    progress = true;
                } else {
                    stalls += 1;
                }
            } else {
                skip = idle.flip();
            }
            if ready && self.sim.get(self.res_valid) == 1 {
                out.push(self.result()?);
                progress = true;
            }
            self.sim.tick();
            quiet = if progress { 0 } else { quiet + 1 };
            if quiet > HANG_CYCLES {
                bail!(
                    "conn_table stopped: {} of {} results after {} cycles",
                    out.len(),
                    reqs.len(),
                    self.sim.cycles()
                );
            }
        }
        self.offer(None);
        Ok((out, stalls))
    }

    /// Sets the idle cycles and backpressure [`Self::classify_one`] sees
    /// from now on.
    pub fn set_traffic(&mut self, t: &Traffic) {
        self.coins = Some((t.idle_coin(), t.backpressure_coin()));
    }

    /// One frame, alone in the pipeline (the emulated host's pace).
    pub fn classify_one(&mut self, r: &Request) -> Result<Result64> {
        let (mut idle, mut busy) = self.coins.take().unwrap_or_else(|| {
            let t = Traffic::FULL_RATE;
            (t.idle_coin(), t.backpressure_coin())
        });
        let done = self.run(std::slice::from_ref(r), &mut idle, &mut busy);
        self.coins = Some((idle, busy));
        let (mut v, _) = done.context("classifying one frame")?;
        Ok(v.remove(0))
    }
}
