//! What the driver needs from an engine: its registers, the host memory it
//! reaches, and a way to let it run until it raises its interrupt. The
//! backends are the RTL under Verilator (`sim`) and the reference model
//! ([`crate::model_device`]), and later a board behind PCIe.

use crate::dma_mem::DmaMem;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("simulation failed: {0}")]
    Sim(String),
    #[error("register offset {0:#x} is not 4-byte aligned or past the window")]
    BadOffset(u32),
}

pub trait Device {
    fn read_reg(&mut self, offset: u32) -> Result<u32, DeviceError>;
    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), DeviceError>;
    /// The host memory the device's DMA reaches.
    fn mem(&mut self) -> &mut DmaMem;
    /// Lets the device run for up to `cycles` clock cycles, returning early
    /// when its interrupt line is up; says whether it is.
    fn wait(&mut self, cycles: u64) -> Result<bool, DeviceError>;
}

/// A device chosen at run time (`toe --backend`) is still a device.
impl<D: Device + ?Sized> Device for Box<D> {
    fn read_reg(&mut self, offset: u32) -> Result<u32, DeviceError> {
        (**self).read_reg(offset)
    }
    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), DeviceError> {
        (**self).write_reg(offset, value)
    }
    fn mem(&mut self) -> &mut DmaMem {
        (**self).mem()
    }
    fn wait(&mut self, cycles: u64) -> Result<bool, DeviceError> {
        (**self).wait(cycles)
    }
}
