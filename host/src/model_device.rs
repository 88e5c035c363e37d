//! The reference model of the engine (`model::engine`) as a [`SimDevice`].

use crate::device::{Device, DeviceError};
use crate::dma_mem::DmaMem;
use crate::sim_device::SimDevice;
use crate::tx_engine::Wire;
use model::conn_table::Table;
use model::engine::Engine;
use spec::regs::WINDOW;
use std::collections::VecDeque;

pub struct ModelDevice {
    engine: Engine,
    mem: DmaMem,
    rx: VecDeque<Vec<u8>>,
}

impl ModelDevice {
    /// `width` bytes per beat (for `CAPS`), `max_frame` as the RTL's
    /// `tx_checksum` buffer, and its connection table.
    pub fn new(width: u32, max_frame: usize, table: Table) -> ModelDevice {
        ModelDevice {
            engine: Engine::new(width, max_frame, table),
            mem: DmaMem::new(),
            rx: VecDeque::new(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

fn fault(e: spec::dma::Fault) -> DeviceError {
    DeviceError::Sim(e.to_string())
}

fn check(offset: u32) -> Result<(), DeviceError> {
    if offset.is_multiple_of(4) && offset < WINDOW {
        Ok(())
    } else {
        Err(DeviceError::BadOffset(offset))
    }
}

impl Device for ModelDevice {
    fn read_reg(&mut self, offset: u32) -> Result<u32, DeviceError> {
        check(offset)?;
        Ok(self.engine.read(offset))
    }

    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), DeviceError> {
        check(offset)?;
        self.engine
            .write(offset, value, &mut self.mem)
            .map_err(fault)
    }

    fn mem(&mut self) -> &mut DmaMem {
        &mut self.mem
    }

    fn wait(&mut self, cycles: u64) -> Result<bool, DeviceError> {
        while let Some(f) = self.rx.pop_front() {
            self.engine.receive(&f, &mut self.mem).map_err(fault)?;
        }
        self.engine.advance(cycles, &mut self.mem).map_err(fault)
    }
}

impl SimDevice for ModelDevice {
    fn name(&self) -> &'static str {
        "model"
    }

    fn wire_rx(&mut self, frame: &[u8]) {
        self.rx.push_back(frame.to_vec());
    }

    fn wire_tx(&mut self) -> Vec<Wire> {
        self.engine
            .take_wire()
            .into_iter()
            .map(|o| Wire {
                frame: o.frame,
                csum: o.status,
                user: o.user,
            })
            .collect()
    }

    fn rx_pending(&self) -> usize {
        self.rx.len()
    }

    fn cycles(&self) -> u64 {
        self.engine.now()
    }
}
