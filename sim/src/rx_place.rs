//! `rx_place` under Verilator: frames and host commands in, each op's
//! result out, in the model's terms (`model::rx_place::Step`), with
//! random idle cycles before an op and backpressure on every result.
//! The completions the block's timers (and `FLUSH_ALL`) write come out
//! between ops, each with the cycle its op was taken at.

use crate::bridge::{Input, Output, Sim, model};
use anyhow::{Result, anyhow, bail};
use model::conn_table::{Outcome, Request};
use model::rx_place::{Ring, Seen, Step};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use spec::rx_place::{Flush, PlaceCpl, Unplaced};
use spec::tcp::PSH;
use std::collections::HashMap;
use std::path::Path;

/// Cycles without progress after which the block counts as hung.
const HANG_CYCLES: u64 = 100_000;
const CPL_BYTES: usize = hdl::rx_place::CPL.div_ceil(8);

/// A ring posted for `slot`, as `model::rx_place::Placer::post` takes it.
#[derive(Clone, Copy, Debug)]
pub struct Post {
    pub slot: usize,
    pub ring: Ring,
    pub rcv_nxt: u32,
    pub snd_una: u32,
    pub ts_recent: Option<u32>,
}

/// One op for the block.
#[derive(Clone, Copy, Debug)]
pub enum Op<'a> {
    Frame(&'a Request, &'a Outcome, Seen),
    Post(Post),
    Consume(usize, u32),
    WriteRcvNxt(usize, u32),
    Flush(usize),
    Remove(usize),
    FlushAll,
}

/// What an op answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// A frame's step; a command's completion in `cpls`, and a write's
    /// value in `rcv_nxt`.
    pub step: Step,
    pub ok: bool,
}

/// A completion a timer wrote: the block's time when it ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timer {
    pub at: u32,
    pub cpl: PlaceCpl,
}

/// One op's run: the timers that ran before the block took it, the
/// block's time when it did (`at`) and the testbench's cycle then.
#[derive(Clone, Debug)]
pub struct Run {
    pub timers: Vec<Timer>,
    pub at: u32,
    pub cycle: u64,
    pub answer: Answer,
}

/// A result as the block gave it.
enum Got {
    Timer(Timer),
    Op(u32, Answer),
}

struct Ports {
    op_valid: Input,
    op_ready: Output,
    op: Input,
    slot: Input,
    hit: Input,
    class: Input,
    seq: Input,
    ack: Input,
    plen: Input,
    window: Input,
    psh: Input,
    ce: Input,
    ts: Input,
    tsval: Input,
    tsecr: Input,
    head: Input,
    log_size: Input,
    res_valid: Output,
    res_ready: Input,
    to_host: Output,
    reason: Output,
    place: Output,
    off: Output,
    first: Output,
    wr: Output,
    rcv: Output,
    ok: Output,
    cpl0_valid: Output,
    cpl0: Output,
    cpl1_valid: Output,
    cpl1: Output,
    internal: Output,
    at: Output,
    res_slot: Output,
    counts: Output,
}

pub struct RxPlaceRtl {
    sim: Sim,
    p: Ports,
    /// Each posted slot's ring base (the DMA side adds it).
    bases: HashMap<usize, u64>,
    rng: SmallRng,
    /// Chance of an idle cycle before an op, and of a stalled result.
    idle: f64,
    stall: f64,
}

/// `width` bits from bit `lsb` of a little-endian port value.
fn field(b: &[u8], lsb: usize, width: usize) -> u64 {
    (0..width).fold(0, |v, i| {
        let at = lsb + i;
        v | u64::from(b[at / 8] >> (at % 8) & 1) << i
    })
}

fn cpl_of(b: &[u8], slot: usize) -> Result<PlaceCpl> {
    let f = |lsb, width| field(b, lsb, width);
    let flush = Flush::from_code(f(0, 3)).ok_or_else(|| anyhow!("flush code {}", f(0, 3)))?;
    Ok(PlaceCpl {
        slot: slot as u16,
        flush,
        rcv_nxt: f(3, 32) as u32,
        ack: f(35, 32) as u32,
        window: f(67, 16) as u16,
        tsval: f(83, 32) as u32,
        tsecr: f(115, 32) as u32,
        frames: f(147, 8) as u8,
        ce: f(155, 8) as u8,
        ooo: (f(163, 1) == 1).then(|| (f(164, 32) as u32, f(196, 32) as u32)),
    })
}

impl RxPlaceRtl {
    /// The 16-slot build with completion threshold `limit` (`N`) and
    /// timer `time` (`T`), out of reset and cleared; `idle` and `stall`
    /// are per-cycle chances.
    pub fn small(
        limit: u32,
        time: u32,
        seed: u64,
        idle: f64,
        stall: f64,
        wave: Option<&Path>,
    ) -> Result<Self> {
        let info = crate::bridge::model_named("rx_place_w8_small")
            .or_else(|| model("rx_place", 8))
            .ok_or_else(|| anyhow!("no rx_place build"))?;
        let mut sim = Sim::new(info, wave)?;
        let limit_port = sim.input("limit")?;
        sim.set(limit_port, u64::from(limit));
        let time_port = sim.input("timeout")?;
        sim.set(time_port, u64::from(time));
        sim.reset()?;
        let p = Ports {
            op_valid: sim.input("op_valid")?,
            op_ready: sim.output("op_ready")?,
            op: sim.input("op")?,
            slot: sim.input("slot")?,
            hit: sim.input("hit")?,
            class: sim.input("cls")?,
            seq: sim.input("seq")?,
            ack: sim.input("ack")?,
            plen: sim.input("plen")?,
            window: sim.input("window")?,
            psh: sim.input("psh")?,
            ce: sim.input("ce")?,
            ts: sim.input("ts")?,
            tsval: sim.input("tsval")?,
            tsecr: sim.input("tsecr")?,
            head: sim.input("head")?,
            log_size: sim.input("log_size")?,
            res_valid: sim.output("res_valid")?,
            res_ready: sim.input("res_ready")?,
            to_host: sim.output("res_to_host")?,
            reason: sim.output("res_reason")?,
            place: sim.output("res_place")?,
            off: sim.output("res_off")?,
            first: sim.output("res_first")?,
            wr: sim.output("res_wr")?,
            rcv: sim.output("res_rcv")?,
            ok: sim.output("res_ok")?,
            cpl0_valid: sim.output("cpl0_valid")?,
            cpl0: sim.output("cpl0")?,
            cpl1_valid: sim.output("cpl1_valid")?,
            cpl1: sim.output("cpl1")?,
            internal: sim.output("res_internal")?,
            at: sim.output("res_at")?,
            res_slot: sim.output("res_slot")?,
            counts: sim.output("counts")?,
        };
        let mut t = RxPlaceRtl {
            sim,
            p,
            bases: HashMap::new(),
            rng: SmallRng::seed_from_u64(seed),
            idle,
            stall,
        };
        // Reset clears a context per cycle.
        let ready = t.p.op_ready;
        t.wait_for("clear its contexts after reset", ready)?;
        Ok(t)
    }

    pub fn cycles(&self) -> u64 {
        self.sim.cycles()
    }

    /// Whether the block takes an op now (it holds none).
    pub fn idle(&mut self) -> bool {
        self.sim.eval();
        self.sim.get(self.p.op_ready) == 1
    }

    fn wait_for(&mut self, what: &str, port: Output) -> Result<()> {
        if !self.sim.run_until(HANG_CYCLES, |s| s.get(port) == 1) {
            bail!("rx_place did not {what} within {HANG_CYCLES} cycles")
        }
        Ok(())
    }

    /// Runs one op to its result.
    pub fn run(&mut self, op: Op<'_>) -> Result<Run> {
        let mut early = Vec::new();
        while self.rng.gen_bool(self.idle) {
            early.extend(self.settle(1)?);
        }
        let p = &self.p;
        for port in [
            p.hit, p.class, p.seq, p.ack, p.plen, p.window, p.psh, p.ce, p.ts, p.tsval, p.tsecr,
            p.head, p.log_size,
        ] {
            self.sim.set(port, 0);
        }
        let (code, slot, plen) = match op {
            Op::Frame(r, o, seen) => {
                let s = &mut self.sim;
                s.set(p.hit, o.slot.is_some().into());
                s.set(p.class, o.class as u64);
                s.set(p.seq, r.seq.into());
                s.set(p.ack, r.ack.into());
                s.set(p.plen, r.plen.into());
                s.set(p.window, seen.window.into());
                s.set(p.psh, (r.flags & PSH != 0).into());
                s.set(p.ce, seen.ce.into());
                if let Some((v, e)) = seen.ts {
                    s.set(p.ts, 1);
                    s.set(p.tsval, v.into());
                    s.set(p.tsecr, e.into());
                }
                (hdl::rx_place::OP_FRAME, o.slot.unwrap_or(0), r.plen)
            }
            Op::Post(post) => {
                let Post { slot, ring, .. } = post;
                self.sim.set(p.seq, post.rcv_nxt.into());
                self.sim.set(p.ack, post.snd_una.into());
                self.sim.set(p.head, ring.head.into());
                self.sim.set(p.log_size, ring.log_size.into());
                if let Some(t) = post.ts_recent {
                    self.sim.set(p.ts, 1);
                    self.sim.set(p.tsval, t.into());
                }
                self.bases.insert(slot, ring.base);
                (hdl::rx_place::OP_POST, slot, 0)
            }
            Op::Consume(slot, head) => {
                self.sim.set(p.seq, head.into());
                (hdl::rx_place::OP_CONSUME, slot, 0)
            }
            Op::WriteRcvNxt(slot, v) => {
                self.sim.set(p.seq, v.into());
                (hdl::rx_place::OP_WRITE_RCV_NXT, slot, 0)
            }
            Op::Flush(slot) => (hdl::rx_place::OP_FLUSH, slot, 0),
            Op::Remove(slot) => (hdl::rx_place::OP_REMOVE, slot, 0),
            Op::FlushAll => (hdl::rx_place::OP_FLUSH_ALL, 0, 0),
        };
        self.sim.set(p.op, code.into());
        self.sim.set(p.slot, slot as u64);
        self.sim.set(p.op_valid, 1);
        let mut timers = early;
        let mut cycle = None;
        for _ in 0..HANG_CYCLES {
            let got = self.result(slot, plen)?;
            let taken = cycle.is_none() && self.sim.get(self.p.op_ready) == 1;
            if taken {
                cycle = Some(self.sim.cycles());
            }
            self.sim.tick();
            if taken {
                self.sim.set(self.p.op_valid, 0);
            }
            if cycle.is_some() && matches!(got, Some(Got::Timer(_))) {
                bail!("a timer ran while the block held an op");
            }
            match got {
                Some(Got::Timer(t)) => timers.push(t),
                Some(Got::Op(at, answer)) => {
                    let cycle = cycle.ok_or_else(|| anyhow!("a result before its op was taken"))?;
                    return Ok(Run {
                        timers,
                        at,
                        cycle,
                        answer,
                    });
                }
                None => {}
            }
        }
        bail!("rx_place took no op or gave no result within {HANG_CYCLES} cycles")
    }

    /// Runs `cycles` cycles with no op: the timers that ran.
    pub fn settle(&mut self, cycles: u64) -> Result<Vec<Timer>> {
        let mut timers = Vec::new();
        for _ in 0..cycles {
            match self.result(0, 0)? {
                Some(Got::Timer(t)) => timers.push(t),
                Some(Got::Op(..)) => bail!("a result with no op"),
                None => {}
            }
            self.sim.tick();
        }
        Ok(timers)
    }

    /// The counters, in `spec::rx_place::COUNTERS` order.
    pub fn counts(&mut self) -> [u32; spec::rx_place::COUNTERS.len()] {
        let mut b = [0u8; hdl::rx_place::COUNT_BITS / 8];
        self.sim.eval();
        self.sim.get_bytes(self.p.counts, &mut b);
        std::array::from_fn(|k| u32::from_le_bytes(b[4 * k..4 * k + 4].try_into().expect("4")))
    }

    /// This cycle's result, if the block gives one and it is taken (a
    /// random stall says when): `slot` and `plen` are the op's.
    fn result(&mut self, slot: usize, plen: u32) -> Result<Option<Got>> {
        let ready = !self.rng.gen_bool(self.stall);
        self.sim.set(self.p.res_ready, ready.into());
        self.sim.eval();
        if !ready || self.sim.get(self.p.res_valid) == 0 {
            return Ok(None);
        }
        let at = self.sim.get(self.p.at) as u32;
        if self.sim.get(self.p.internal) == 1 {
            let slot = self.sim.get(self.p.res_slot) as usize;
            let a = self.answer(slot, 0)?;
            return match a.step.cpls[..] {
                [cpl] if a.step.to_host.is_none() && a.step.place.is_empty() => {
                    Ok(Some(Got::Timer(Timer { at, cpl })))
                }
                _ => bail!("a timer's result is not one completion: {a:?}"),
            };
        }
        Ok(Some(Got::Op(at, self.answer(slot, plen)?)))
    }

    fn answer(&mut self, slot: usize, plen: u32) -> Result<Answer> {
        let p = &self.p;
        let g = |port| self.sim.get(port);
        let mut cpls = Vec::new();
        for (valid, port) in [(p.cpl0_valid, p.cpl0), (p.cpl1_valid, p.cpl1)] {
            if g(valid) == 1 {
                let mut b = [0u8; CPL_BYTES];
                self.sim.get_bytes(port, &mut b);
                cpls.push(cpl_of(&b, slot)?);
            }
        }
        let mut place = Vec::new();
        if g(p.place) == 1 {
            let base = self.bases.get(&slot).copied().unwrap_or(0);
            let first = g(p.first) as u32;
            place.push((base + g(p.off), first));
            if first < plen {
                place.push((base, plen - first));
            }
        }
        let reason = g(p.reason) as u8;
        let to_host =
            (g(p.to_host) == 1).then(|| Unplaced::ALL.into_iter().find(|u| *u as u8 == reason));
        Ok(Answer {
            step: Step {
                cpls,
                place,
                to_host,
                rcv_nxt: (g(p.wr) == 1).then(|| g(p.rcv) as u32),
            },
            ok: g(p.ok) == 1,
        })
    }
}
