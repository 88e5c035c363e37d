//! The `driver` object of the `toe replay` report: the capture through the
//! driver and the engine's rings, against the direct path.

use host::dma_mem::MemStats;
use host::emu_host::HostStats;
use host::nic::DriverStats;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Serialize)]
pub struct DriverReport {
    /// The engine behind the driver.
    pub device: &'static str,
    pub rx_ring: usize,
    pub rx_buffers: usize,
    pub rx_buffer_bytes: usize,
    pub completions: u64,
    /// The engine's counters at the end, by name (drops by reason among
    /// them: rx_no_buffer, rx_cpl_full, rx_too_big).
    pub counters: BTreeMap<&'static str, u32>,
    pub driver: DriverStats,
    pub memory: MemStats,
    pub dma_faults: usize,
    /// Frames whose completion differs from the direct path, and why.
    pub mismatches: u64,
    pub mismatch_examples: Vec<String>,
    /// The emulated host's work, which must equal the direct path's.
    pub host: HostStats,
}

impl DriverReport {
    pub fn mismatch(&mut self, why: String) {
        self.mismatches += 1;
        if self.mismatch_examples.len() < 20 {
            self.mismatch_examples.push(why);
        }
    }
}
