//! The host memory behind the engine's memory port ([`spec::dma`]) in
//! simulation: answers reads from a [`DmaMem`] after a set latency, in
//! order, and takes posted writes, with random stalls on both request
//! channels. Every access goes through [`Memory`], so the `DmaMem` records
//! any access outside what the driver mapped (tests fail on its faults).

use crate::bridge::{Input, Output, Sim, SimError};
use host::dma_mem::DmaMem;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use spec::dma::Memory;
use std::collections::VecDeque;

/// How the memory behaves.
#[derive(Clone, Copy, Debug)]
pub struct MemTiming {
    /// Cycles from a read request taken to its answer, beyond the one
    /// cycle the answer needs at least (0: the next cycle).
    pub latency: u64,
    /// Chance per cycle that `rd_req_ready` is low.
    pub rd_stall: f64,
    /// Chance per cycle that `wr_ready` is low.
    pub wr_stall: f64,
    pub seed: u64,
}

impl MemTiming {
    pub const FAST: MemTiming = MemTiming {
        latency: 0,
        rd_stall: 0.0,
        wr_stall: 0.0,
        seed: 0,
    };

    /// A random latency (0..=250) and stall rates from `seed`.
    pub fn random(seed: u64) -> MemTiming {
        let mut r = SmallRng::seed_from_u64(seed ^ 0x6d65_6d00);
        MemTiming {
            latency: [0, 1, 7, 50, 200, r.gen_range(0..=250)][r.gen_range(0..6)],
            rd_stall: [0.0, 0.1, 0.5][r.gen_range(0..3)],
            wr_stall: [0.0, 0.1, 0.5][r.gen_range(0..3)],
            seed,
        }
    }
}

/// The memory port's signals on a Verilated build (prefix `mem$`).
pub struct MemPort {
    rd_req_valid: Output,
    rd_req_ready: Input,
    rd_req_addr: Output,
    rd_rsp_valid: Input,
    rd_rsp_data: Input,
    wr_valid: Output,
    wr_ready: Input,
    wr_addr: Output,
    wr_data: Output,
    wr_strb: Output,
    timing: MemTiming,
    rng: SmallRng,
    /// Answers not yet given: the cycle they are due and the word.
    answers: VecDeque<(u64, u64)>,
    rd_ready: bool,
    wr_ready_now: bool,
    /// Words read and written.
    pub reads: u64,
    pub writes: u64,
}

impl MemPort {
    pub fn bind(sim: &Sim, timing: MemTiming) -> Result<MemPort, SimError> {
        Ok(MemPort {
            rd_req_valid: sim.output("mem$rd_req_valid")?,
            rd_req_ready: sim.input("mem$rd_req_ready")?,
            rd_req_addr: sim.output("mem$rd_req_addr")?,
            rd_rsp_valid: sim.input("mem$rd_rsp_valid")?,
            rd_rsp_data: sim.input("mem$rd_rsp_data")?,
            wr_valid: sim.output("mem$wr_valid")?,
            wr_ready: sim.input("mem$wr_ready")?,
            wr_addr: sim.output("mem$wr_addr")?,
            wr_data: sim.output("mem$wr_data")?,
            wr_strb: sim.output("mem$wr_strb")?,
            rng: SmallRng::seed_from_u64(timing.seed ^ 0x5a11_5a11),
            timing,
            answers: VecDeque::new(),
            rd_ready: false,
            wr_ready_now: false,
            reads: 0,
            writes: 0,
        })
    }

    pub fn timing(&self) -> MemTiming {
        self.timing
    }

    /// Reads in flight (asked, not answered).
    pub fn in_flight(&self) -> usize {
        self.answers.len()
    }

    /// Before `eval`: this cycle's ready lines and answer.
    pub fn drive(&mut self, sim: &mut Sim) {
        let now = sim.cycles();
        let t = self.timing;
        self.rd_ready = !(t.rd_stall > 0.0 && self.rng.gen_bool(t.rd_stall));
        self.wr_ready_now = !(t.wr_stall > 0.0 && self.rng.gen_bool(t.wr_stall));
        sim.set(self.rd_req_ready, u64::from(self.rd_ready));
        sim.set(self.wr_ready, u64::from(self.wr_ready_now));
        match self.answers.front() {
            Some(&(due, word)) if due <= now => {
                self.answers.pop_front();
                sim.set(self.rd_rsp_valid, 1);
                sim.set(self.rd_rsp_data, word);
            }
            _ => sim.set(self.rd_rsp_valid, 0),
        }
    }

    /// After `eval`, before the clock edge: takes this cycle's requests.
    /// A refused access is recorded by `mem` (and reads as zeros).
    pub fn sample(&mut self, sim: &Sim, mem: &mut DmaMem) {
        let now = sim.cycles();
        if self.rd_ready && sim.get(self.rd_req_valid) == 1 {
            let addr = sim.get(self.rd_req_addr);
            let mut b = [0u8; 8];
            if !addr.is_multiple_of(8) {
                // The contract says word addresses; let the IOMMU see it.
                let _ = mem.read(addr, &mut b);
                b = [0; 8];
            } else if mem.read(addr, &mut b).is_err() {
                b = [0; 8];
            }
            self.reads += 1;
            self.answers
                .push_back((now + 1 + self.timing.latency, u64::from_le_bytes(b)));
        }
        if self.wr_ready_now && sim.get(self.wr_valid) == 1 {
            let addr = sim.get(self.wr_addr);
            let data = sim.get(self.wr_data).to_le_bytes();
            let strb = sim.get(self.wr_strb);
            // Each run of set strobes is one write.
            let mut i = 0;
            while i < 8 {
                if strb >> i & 1 == 0 {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < 8 && strb >> i & 1 == 1 {
                    i += 1;
                }
                let _ = mem.write(addr + start as u64, &data[start..i]);
            }
            self.writes += 1;
        }
    }
}
