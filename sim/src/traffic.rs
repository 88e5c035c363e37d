//! The shape of the traffic around a block (random idle cycles on inputs,
//! random backpressure on outputs) and the cycle accounting of a run: plain
//! data, so a build without Verilator still has the options and reports.

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

    /// Decides, before each input beat, whether to idle a cycle first.
    pub fn idle_coin(&self) -> Coin {
        Coin::new(self.idle, self.seed)
    }

    /// The traffic for the `n`th of several runs of one stream (batches of
    /// a capture): the same shape, other coin flips; run 0 is `self`.
    pub fn for_batch(&self, n: u64) -> Traffic {
        Traffic {
            seed: self.seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            ..*self
        }
    }

    /// Decides, each cycle, whether the output is held off.
    pub fn backpressure_coin(&self) -> Coin {
        Coin::new(self.backpressure, self.seed ^ 0x5eed_0fba_c4c4)
    }
}

/// A biased coin for the per-cycle decisions of a [`Traffic`].
pub struct Coin {
    rng: SmallRng,
    p: f64,
}

impl Coin {
    fn new(p: f64, seed: u64) -> Self {
        Self {
            rng: SmallRng::seed_from_u64(seed),
            p,
        }
    }

    #[inline]
    pub fn flip(&mut self) -> bool {
        self.p > 0.0 && self.rng.gen_bool(self.p)
    }
}

/// Cycle accounting of one run.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Counters {
    pub cycles: u64,
    /// Input beats accepted.
    pub beats_in: u64,
    /// Cycles an input beat was offered but not taken.
    pub stalls_in: u64,
    /// Outputs delivered (records or frames).
    pub outputs: u64,
}

impl std::ops::AddAssign for Counters {
    fn add_assign(&mut self, o: Counters) {
        self.cycles += o.cycles;
        self.beats_in += o.beats_in;
        self.stalls_in += o.stalls_in;
        self.outputs += o.outputs;
    }
}
