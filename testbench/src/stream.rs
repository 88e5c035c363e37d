//! Driving and draining the stream ports of a simulated block, with random
//! idle cycles on inputs and random backpressure on outputs.

use crate::sim::{Input, Output, Sim, SimError};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// How hostile the traffic around a block is.
#[derive(Clone, Copy, Debug)]
pub struct Traffic {
    /// Chance of an idle cycle before each input beat.
    pub idle: f64,
    /// Chance that the output is not ready in a cycle.
    pub backpressure: f64,
    pub seed: u64,
}

impl Traffic {
    /// Back to back in, always ready out.
    pub const FULL_RATE: Traffic = Traffic {
        idle: 0.0,
        backpressure: 0.0,
        seed: 0,
    };

    pub fn rng(&self) -> Dice {
        Dice {
            rng: SmallRng::seed_from_u64(self.seed),
            idle: self.idle,
            backpressure: self.backpressure,
        }
    }
}

/// Draws the per-cycle decisions of a [`Traffic`].
pub struct Dice {
    rng: SmallRng,
    idle: f64,
    backpressure: f64,
}

impl Dice {
    #[inline]
    pub fn idle(&mut self) -> bool {
        self.idle > 0.0 && self.rng.gen_bool(self.idle)
    }
    #[inline]
    pub fn ready(&mut self) -> bool {
        !(self.backpressure > 0.0 && self.rng.gen_bool(self.backpressure))
    }
}

/// The ports of a stream the block receives on (we drive it).
pub struct SinkPorts {
    pub data: Input,
    pub keep: Input,
    pub valid: Input,
    pub last: Input,
    pub user: Input,
    pub ready: Output,
}

impl SinkPorts {
    pub fn bind(sim: &Sim, prefix: &str) -> Result<Self, SimError> {
        let p = |n: &str| sim.input(&format!("{prefix}${n}"));
        Ok(Self {
            data: p("data")?,
            keep: p("keep")?,
            valid: p("valid")?,
            last: p("last")?,
            user: p("user")?,
            ready: sim.output(&format!("{prefix}$ready"))?,
        })
    }
}

/// The ports of a stream the block sends on (we drain it).
pub struct SourcePorts {
    pub data: Output,
    pub keep: Output,
    pub valid: Output,
    pub last: Output,
    pub user: Output,
    pub ready: Input,
}

impl SourcePorts {
    pub fn bind(sim: &Sim, prefix: &str) -> Result<Self, SimError> {
        let p = |n: &str| sim.output(&format!("{prefix}${n}"));
        Ok(Self {
            data: p("data")?,
            keep: p("keep")?,
            valid: p("valid")?,
            last: p("last")?,
            user: p("user")?,
            ready: sim.input(&format!("{prefix}$ready"))?,
        })
    }
}

/// Cuts a frame into beats: the bytes of each beat and its keep mask.
pub fn beats(frame: &[u8], width: usize) -> impl Iterator<Item = (&[u8], u64, bool)> {
    let n = frame.len().div_ceil(width);
    frame
        .chunks(width)
        .enumerate()
        .map(move |(i, c)| (c, (1u64 << c.len()) - 1, i + 1 == n))
}

/// Cycle accounting of one run.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Counters {
    pub cycles: u64,
    /// Input beats accepted.
    pub beats_in: u64,
    /// Cycles an input beat was offered but not taken.
    pub stalls_in: u64,
    /// Output beats or records delivered.
    pub beats_out: u64,
}

/// The block stopped making progress with work outstanding.
#[derive(Debug, thiserror::Error)]
#[error("{block} hung: no progress for {idle} cycles at cycle {cycle} ({detail})")]
pub struct Hang {
    pub block: &'static str,
    pub idle: u64,
    pub cycle: u64,
    pub detail: String,
}

/// Cycles without any beat moving after which a block counts as hung.
pub const HANG_CYCLES: u64 = 100_000;
