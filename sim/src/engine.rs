//! The RTL `engine` under Verilator as a [`Device`] and [`SimDevice`]: the
//! driver's register accesses become Wishbone cycles, its memory is the
//! [`MemPort`] model over a [`DmaMem`], and the wire is the MAC streams:
//! frames given to `wire_rx` are offered on the RX port beat by beat (with
//! random idle cycles) while the clock runs, whatever the driver is doing.

use crate::bridge::{Input, Output, Sim, model_named};
use crate::mem_port::{MemPort, MemTiming};
use crate::stream::{Beat, Coin, SinkPorts, SourcePorts, Traffic};
use anyhow::{Result, anyhow};
use host::device::{Device, DeviceError};
use host::dma_mem::DmaMem;
use host::sim_device::SimDevice;
use host::tx_engine::Wire;
use spec::regs;
use std::collections::VecDeque;
use std::path::Path;

/// How the world around the engine behaves.
#[derive(Clone, Copy, Debug)]
pub struct RtlConfig {
    pub mem: MemTiming,
    /// Chance per cycle that the MAC holds the wire off.
    pub wire_backpressure: f64,
    /// Chance per cycle that the RX port idles between beats.
    pub wire_idle: f64,
    /// The 16-entry table build (`engine_w8_small`) instead of 4096.
    pub small_table: bool,
    pub seed: u64,
}

impl Default for RtlConfig {
    fn default() -> Self {
        RtlConfig {
            mem: MemTiming::FAST,
            wire_backpressure: 0.0,
            wire_idle: 0.0,
            small_table: false,
            seed: 0,
        }
    }
}

impl RtlConfig {
    /// Random memory latency and stalls and some wire backpressure.
    pub fn random(seed: u64) -> RtlConfig {
        RtlConfig {
            mem: MemTiming::random(seed),
            wire_backpressure: [0.0, 0.05, 0.3][(seed % 3) as usize],
            wire_idle: [0.0, 0.3, 0.05][(seed % 3) as usize],
            small_table: false,
            seed,
        }
    }
}

struct Wb {
    cyc: Input,
    stb: Input,
    we: Input,
    adr: Input,
    dat_w: Input,
    sel: Input,
    ack: Output,
    dat_r: Output,
}

pub struct EngineRtl {
    sim: Sim,
    wb: Wb,
    irq: Output,
    mac: SourcePorts,
    mac_status: Output,
    rx: SinkPorts,
    port: MemPort,
    mem: DmaMem,
    backpressure: Coin,
    idle: Coin,
    partial: Vec<u8>,
    wire: Vec<Wire>,
    rx_queue: VecDeque<Vec<u8>>,
    /// Bytes of the front RX frame already taken.
    rx_off: usize,
    /// Wire beats sent and the cycles of the first and the last.
    pub beats_out: u64,
    pub first_out: Option<u64>,
    pub last_out: u64,
}

/// Cycles a register access may take before the bus is declared hung.
const BUS_TIMEOUT: u64 = 100;

impl EngineRtl {
    pub fn new(cfg: RtlConfig, wave: Option<&Path>) -> Result<EngineRtl> {
        let name = if cfg.small_table {
            "engine_w8_small"
        } else {
            "engine_w8"
        };
        let info = model_named(name).ok_or_else(|| anyhow!("no {name} build"))?;
        let mut sim = Sim::new(info, wave)?;
        let wb = Wb {
            cyc: sim.input("wb_cyc")?,
            stb: sim.input("wb_stb")?,
            we: sim.input("wb_we")?,
            adr: sim.input("wb_adr")?,
            dat_w: sim.input("wb_dat_w")?,
            sel: sim.input("wb_sel")?,
            ack: sim.output("wb_ack")?,
            dat_r: sim.output("wb_dat_r")?,
        };
        let port = MemPort::bind(&sim, cfg.mem)?;
        let dev = EngineRtl {
            irq: sim.output("irq")?,
            mac: SourcePorts::bind(&sim, "mac")?,
            mac_status: sim.output("mac_status")?,
            rx: SinkPorts::bind(&sim, "rx")?,
            port,
            mem: DmaMem::new(),
            backpressure: Traffic {
                idle: 0.0,
                backpressure: cfg.wire_backpressure,
                seed: cfg.seed,
            }
            .backpressure_coin(),
            idle: Traffic {
                idle: cfg.wire_idle,
                backpressure: 0.0,
                seed: cfg.seed ^ 0x7278,
            }
            .idle_coin(),
            partial: Vec::new(),
            wire: Vec::new(),
            rx_queue: VecDeque::new(),
            rx_off: 0,
            beats_out: 0,
            first_out: None,
            last_out: 0,
            wb,
            sim: {
                sim.reset()?;
                sim
            },
        };
        Ok(dev)
    }

    /// The longest frame the engine's `tx_checksum` sends unchanged.
    pub fn max_frame(&self) -> usize {
        self.sim.info().param("max_frame").unwrap_or(0) as usize
    }

    /// The connection table this build holds.
    pub fn table_entries(&self) -> usize {
        self.sim.info().param("entries").unwrap_or(0) as usize
    }

    pub fn table_ways(&self) -> usize {
        self.sim.info().param("ways").unwrap_or(0) as usize
    }

    pub fn mem_port(&self) -> &MemPort {
        &self.port
    }

    /// One clock cycle: memory, wire and whatever the bus inputs are.
    fn step(&mut self) {
        self.port.drive(&mut self.sim);
        let ready = !self.backpressure.flip();
        self.sim.set(self.mac.ready, u64::from(ready));
        // The front frame's next beat, cut here rather than by walking
        // `beats` from the start every cycle.
        let beat = match self.rx_queue.front() {
            Some(f) if !self.idle.flip() && !f.is_empty() => {
                let end = (self.rx_off + 8).min(f.len());
                Some((
                    &f[self.rx_off..end],
                    (1u64 << (end - self.rx_off)) - 1,
                    end == f.len(),
                ))
            }
            _ => None,
        };
        self.rx.offer(
            &mut self.sim,
            beat.map(|(bytes, keep, last)| Beat {
                bytes,
                keep,
                last,
                user: false,
            }),
        );
        self.sim.eval();
        if let Some((_, _, last)) = beat
            && self.sim.get(self.rx.ready) == 1
        {
            self.rx_off += 8;
            if last {
                self.rx_queue.pop_front();
                self.rx_off = 0;
            }
        }
        self.port.sample(&self.sim, &mut self.mem);
        if ready && self.sim.get(self.mac.valid) == 1 {
            let now = self.sim.cycles();
            self.beats_out += 1;
            self.first_out.get_or_insert(now);
            self.last_out = now;
            let bytes = self.sim.get(self.mac.data).to_le_bytes();
            let keep = self.sim.get(self.mac.keep);
            self.partial
                .extend((0..8).filter(|i| keep >> i & 1 == 1).map(|i| bytes[i]));
            if self.sim.get(self.mac.last) == 1 {
                let code = self.sim.get(self.mac_status) as u8;
                self.wire.push(Wire {
                    frame: std::mem::take(&mut self.partial),
                    csum: spec::tx_csum::Status::from_code(code)
                        .unwrap_or_else(|| panic!("tx_checksum status code {code}")),
                    user: self.sim.get(self.mac.user) == 1,
                });
            }
        }
        self.sim.tick();
    }

    /// One Wishbone access; the engine runs meanwhile.
    fn access(&mut self, offset: u32, write: Option<u32>) -> Result<u32, DeviceError> {
        if !offset.is_multiple_of(4) || offset >= regs::WINDOW {
            return Err(DeviceError::BadOffset(offset));
        }
        let wb = &self.wb;
        let (cyc, stb, we, adr, dat_w, sel, ack, dat_r) = (
            wb.cyc, wb.stb, wb.we, wb.adr, wb.dat_w, wb.sel, wb.ack, wb.dat_r,
        );
        self.sim.set(cyc, 1);
        self.sim.set(stb, 1);
        self.sim.set(we, u64::from(write.is_some()));
        self.sim.set(adr, u64::from(offset / 4));
        self.sim.set(dat_w, u64::from(write.unwrap_or(0)));
        self.sim.set(sel, 0xF);
        for _ in 0..BUS_TIMEOUT {
            self.step();
            self.sim.eval();
            if self.sim.get(ack) == 1 {
                let v = self.sim.get(dat_r) as u32;
                self.sim.set(cyc, 0);
                self.sim.set(stb, 0);
                self.sim.set(we, 0);
                // The acknowledging cycle itself.
                self.step();
                return Ok(v);
            }
        }
        Err(DeviceError::Sim(format!(
            "no Wishbone ack for {offset:#x} in {BUS_TIMEOUT} cycles"
        )))
    }
}

impl Device for EngineRtl {
    fn read_reg(&mut self, offset: u32) -> Result<u32, DeviceError> {
        self.access(offset, None)
    }

    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), DeviceError> {
        self.access(offset, Some(value)).map(|_| ())
    }

    fn mem(&mut self) -> &mut DmaMem {
        &mut self.mem
    }

    fn wait(&mut self, cycles: u64) -> Result<bool, DeviceError> {
        for _ in 0..cycles {
            self.step();
            self.sim.eval();
            if self.sim.get(self.irq) == 1 {
                return Ok(true);
            }
        }
        Ok(self.sim.get(self.irq) == 1)
    }
}

impl SimDevice for EngineRtl {
    fn name(&self) -> &'static str {
        "rtl"
    }

    fn wire_rx(&mut self, frame: &[u8]) {
        self.rx_queue.push_back(frame.to_vec());
    }

    fn wire_tx(&mut self) -> Vec<Wire> {
        std::mem::take(&mut self.wire)
    }

    fn rx_pending(&self) -> usize {
        self.rx_queue.len()
    }

    fn cycles(&self) -> u64 {
        self.sim.cycles()
    }
}
