//! An engine in simulation as the driver and the tests see it: the
//! driver's [`Device`] plus the wire side the testbench plays.

use crate::device::Device;
use crate::tx_engine::Wire;

pub trait SimDevice: Device {
    fn name(&self) -> &'static str;
    /// A frame arrives at the engine's RX port; `wait` lets it in.
    fn wire_rx(&mut self, frame: &[u8]);
    /// The frames the engine sent since the last call, in order.
    fn wire_tx(&mut self) -> Vec<Wire>;
    /// RX frames queued by `wire_rx` and not yet taken by the engine.
    fn rx_pending(&self) -> usize;
    /// Clock cycles so far (the model counts the cycles `wait` let pass).
    fn cycles(&self) -> u64;
}

impl<D: SimDevice + ?Sized> SimDevice for Box<D> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn wire_rx(&mut self, frame: &[u8]) {
        (**self).wire_rx(frame)
    }
    fn wire_tx(&mut self) -> Vec<Wire> {
        (**self).wire_tx()
    }
    fn rx_pending(&self) -> usize {
        (**self).rx_pending()
    }
    fn cycles(&self) -> u64 {
        (**self).cycles()
    }
}
