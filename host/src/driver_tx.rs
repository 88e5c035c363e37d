//! The TX path through the driver: frames and super-frames posted on the
//! TX ring of an engine, its wire output and completions collected, as a
//! [`TxEngine`] so `toe replay --tx` compares it with the direct path.

use crate::nic::{Nic, NicError};
use crate::sim_device::SimDevice;
use crate::tx_engine::{Sent, TxEngine, TxFrame, Wire};
use anyhow::{Result, ensure};
use spec::ring::TxCpl;
use spec::tso::Status;

/// Lets the engine run until `done` or a bound of cycles passes.
pub fn run_until<D: SimDevice>(
    nic: &mut Nic<D>,
    what: &str,
    mut done: impl FnMut(&mut Nic<D>) -> Result<bool>,
) -> Result<()> {
    for _ in 0..200_000 {
        if done(nic)? {
            return Ok(());
        }
        nic.wait(64)?;
    }
    anyhow::bail!("the engine did not {what}")
}

/// Sends every frame through the driver (waiting whenever the ring is
/// full), and returns completions and wire frames; also says whether the
/// ring was ever full.
pub fn send_all<D: SimDevice>(
    nic: &mut Nic<D>,
    frames: &[TxFrame],
) -> Result<(Vec<TxCpl>, Vec<Wire>, bool)> {
    let (mut cpls, mut wire, mut was_full) = (Vec::new(), Vec::new(), false);
    for f in frames {
        loop {
            match nic.send(&f.frame, f.desc) {
                Ok(_) => break,
                Err(NicError::TxFull) => {
                    was_full = true;
                    nic.flush()?;
                    nic.wait(256)?;
                    cpls.extend(nic.poll_tx()?);
                    wire.extend(nic.device().wire_tx());
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    nic.flush()?;
    // A completion says how many segments its frame made; the last of them
    // may still be in the TX pipeline when it is written.
    run_until(
        nic,
        "complete every TX descriptor and send its segments",
        |n| {
            cpls.extend(n.poll_tx()?);
            wire.extend(n.device().wire_tx());
            let segments: usize = cpls.iter().map(|c| usize::from(c.segments)).sum();
            Ok(cpls.len() == frames.len() && wire.len() >= segments)
        },
    )?;
    Ok((cpls, wire, was_full))
}

pub struct DriverTx<D: SimDevice> {
    pub nic: Nic<D>,
}

impl<D: SimDevice> TxEngine for DriverTx<D> {
    fn name(&self) -> &'static str {
        "driver"
    }

    fn send(&mut self, frames: &[TxFrame]) -> Result<Vec<Sent>> {
        let (cpls, wire, _) = send_all(&mut self.nic, frames)?;
        let mut wire = wire.into_iter();
        cpls.iter()
            .map(|c| {
                ensure!(!c.bad_desc, "the engine refused descriptor {}", c.index);
                let status = Status::from_code(c.status)
                    .ok_or_else(|| anyhow::anyhow!("TX status code {}", c.status))?;
                Ok(Sent {
                    wire: wire.by_ref().take(c.segments.into()).collect(),
                    status,
                })
            })
            .collect()
    }
}
