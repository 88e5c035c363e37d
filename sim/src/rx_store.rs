//! `rx_store` under Verilator: frames and their verdicts in, at random
//! times (a verdict before its frame, or some cycles after its last beat,
//! as the engine gives it), random idle on the input and random
//! backpressure on each output; the frames each output sent, whole.

use crate::bridge::{Input, Output, Sim, model_named};
use crate::stream::{Beat, HANG_CYCLES, SinkPorts, SourcePorts, beats};
use anyhow::{Result, anyhow, bail};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

/// A frame being put back together from an output's beats.
#[derive(Default)]
struct Rebuild {
    bytes: Vec<u8>,
    /// A beat with fewer than 8 bytes that was not the last.
    short_beat: bool,
}

pub struct Sent {
    pub host: Vec<Vec<u8>>,
    pub place: Vec<Vec<u8>>,
    pub cycles: u64,
}

pub struct RxStoreRtl {
    sim: Sim,
    rx: SinkPorts,
    v_valid: Input,
    v_ready: Output,
    verdict: Input,
    empty: Output,
    host: SourcePorts,
    place: SourcePorts,
    rng: SmallRng,
}

impl RxStoreRtl {
    /// The build `name` (`rx_store_w8` or `rx_store_w8_small`), out of reset.
    pub fn new(name: &str, seed: u64) -> Result<Self> {
        let info = model_named(name).ok_or_else(|| anyhow!("no {name} build"))?;
        let mut sim = Sim::new(info, None)?;
        sim.reset()?;
        Ok(RxStoreRtl {
            rx: SinkPorts::bind(&sim, "rx")?,
            v_valid: sim.input("verdict_valid")?,
            v_ready: sim.output("verdict_ready")?,
            verdict: sim.input("verdict")?,
            empty: sim.output("empty")?,
            host: SourcePorts::bind(&sim, "host")?,
            place: SourcePorts::bind(&sim, "place")?,
            sim,
            rng: SmallRng::seed_from_u64(seed),
        })
    }

    /// Sends `frames` (each at least one byte) with `routes` (one per
    /// frame, `hdl::rx_store` codes); `early[i]` gives frame i's verdict
    /// before its first beat. `idle` and `stall` are per-cycle chances.
    pub fn run(
        &mut self,
        frames: &[Vec<u8>],
        routes: &[u8],
        early: &[bool],
        idle: f64,
        stall: f64,
    ) -> Result<Sent> {
        if frames.iter().any(|f| f.is_empty()) || routes.len() != frames.len() {
            bail!("every frame needs a byte and a route");
        }
        let start = self.sim.cycles();
        let cut: Vec<Vec<_>> = frames.iter().map(|f| beats(f, 8).collect()).collect();
        let (mut frame, mut beat) = (0, 0);
        // Verdicts the testbench may give now, and when each becomes due.
        let mut due: VecDeque<(u64, u8)> = VecDeque::new();
        let mut given = 0;
        let mut out = [Rebuild::default(), Rebuild::default()];
        let mut sent: [Vec<Vec<u8>>; 2] = [Vec::new(), Vec::new()];
        let mut quiet = 0;
        loop {
            let now = self.sim.cycles();
            // A verdict is due when its frame has gone in (plus a delay),
            // or at once for an early one, in frame order.
            while due.len() + given < frames.len() {
                let i = due.len() + given;
                if early[i] && i <= frame {
                    due.push_back((now, routes[i]));
                } else if i < frame {
                    due.push_back((now + self.rng.gen_range(0..40), routes[i]));
                } else {
                    break;
                }
            }
            let offer_v = due.front().is_some_and(|&(t, _)| t <= now);
            if let Some(&(_, r)) = due.front() {
                self.sim.set(self.verdict, r.into());
            }
            self.sim.set(self.v_valid, offer_v.into());
            let offer = frame < frames.len() && !self.rng.gen_bool(idle);
            let offered = offer.then(|| {
                let (bytes, keep, last) = cut[frame][beat];
                Beat {
                    bytes,
                    keep,
                    last,
                    user: false,
                }
            });
            self.rx.offer(&mut self.sim, offered);
            let takes = [!self.rng.gen_bool(stall), !self.rng.gen_bool(stall)];
            for (p, t) in [&self.host, &self.place].into_iter().zip(takes) {
                self.sim.set(p.ready, t.into());
            }
            self.sim.eval();
            let mut moved = false;
            if offer_v && self.sim.get(self.v_ready) == 1 {
                due.pop_front();
                given += 1;
                moved = true;
            }
            if offer && self.sim.get(self.rx.ready) == 1 {
                moved = true;
                beat += 1;
                if beat == cut[frame].len() {
                    frame += 1;
                    beat = 0;
                }
            }
            for (k, p) in [&self.host, &self.place].into_iter().enumerate() {
                if takes[k] && self.sim.get(p.valid) == 1 {
                    moved = true;
                    let keep = self.sim.get(p.keep);
                    let n = keep.trailing_ones() as usize;
                    let last = self.sim.get(p.last) == 1;
                    let r = &mut out[k];
                    r.short_beat |= !last && n < 8 || keep != (1u64 << n) - 1;
                    r.bytes
                        .extend_from_slice(&self.sim.get(p.data).to_le_bytes()[..n]);
                    if last {
                        if r.short_beat {
                            bail!("output {k}: a frame with a short or gapped beat before its end");
                        }
                        sent[k].push(std::mem::take(&mut r.bytes));
                    }
                }
            }
            let empty = self.sim.get(self.empty) == 1;
            self.sim.tick();
            quiet = if moved { 0 } else { quiet + 1 };
            let all_in = frame == frames.len() && given == frames.len();
            if all_in && empty && quiet > 8 {
                let [host, place] = sent;
                return Ok(Sent {
                    host,
                    place,
                    cycles: self.sim.cycles() - start,
                });
            }
            if quiet > HANG_CYCLES {
                bail!(
                    "no progress for {HANG_CYCLES} cycles: {frame} of {} frames in, {given} verdicts, \
                     empty {empty}",
                    frames.len()
                );
            }
        }
    }
}
