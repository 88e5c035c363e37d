//! What the driver does per 64 KB sent: as TSO super-frames versus as the
//! same segments built and sent one by one (with checksum offload), over
//! the model engine. Counts, not times: descriptors, doorbells, register
//! accesses and the driver's memory touches.

use crate::super_frames::SuperGen;
use anyhow::Result;
use host::device::Device;
use host::driver_tx::send_all;
use host::model_device::ModelDevice;
use host::nic::{Config, Nic};
use host::tx_engine::TxFrame;
use model::conn_table::Table;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct DriverCost {
    /// `tso` or `segments`.
    pub mode: &'static str,
    pub mss: u16,
    /// Per 64 KB super-frame's worth of payload (65 000 bytes):
    pub descriptors: f64,
    pub doorbells: f64,
    pub reg_writes: f64,
    pub reg_reads: f64,
    /// Driver accesses to host memory (descriptors, completions, buffers)
    /// and the bytes they move.
    pub mem_touches: f64,
    pub mem_bytes: f64,
    pub wire_frames: f64,
}

/// `n` super-frames of 65 000 bytes of payload at `mss`, sent both ways.
pub fn measure(n: usize, mss: u16) -> Result<[DriverCost; 2]> {
    let mut g = SuperGen::new(u64::from(mss));
    let supers: Vec<TxFrame> = (0..n)
        .map(|_| g.super_frame(65_000, mss, false, false))
        .collect();
    let segments: Vec<TxFrame> = supers
        .iter()
        .flat_map(|f| model::tso::segment(&f.frame, false, f.desc).segments)
        .map(|s| {
            let mut desc = spec::tso::Desc {
                tso: false,
                len: s.frame.len() as u32,
                ..supers[0].desc
            };
            desc.ip_csum = true;
            desc.l4_csum = true;
            TxFrame {
                frame: s.frame,
                desc,
            }
        })
        .collect();
    Ok([
        cost("tso", mss, n, &supers)?,
        cost("segments", mss, n, &segments)?,
    ])
}

fn cost(mode: &'static str, mss: u16, n: usize, frames: &[TxFrame]) -> Result<DriverCost> {
    let table = Table::new(16, 4, spec::toeplitz::DEFAULT_KEY);
    let dev = ModelDevice::new(8, spec::tso::FRAME_MAX + 64, table);
    let mut nic = Nic::open(dev, Config::default())?;
    let (s0, m0) = (nic.stats, nic.device().mem().stats);
    let (_, wire, _) = send_all(&mut nic, frames)?;
    let (s1, m1) = (nic.stats, nic.device().mem().stats);
    let per = |x: u64| x as f64 / n as f64;
    Ok(DriverCost {
        mode,
        mss,
        descriptors: per(s1.tx_descriptors - s0.tx_descriptors),
        doorbells: per(s1.doorbells - s0.doorbells),
        reg_writes: per(s1.reg_writes - s0.reg_writes),
        reg_reads: per(s1.reg_reads - s0.reg_reads),
        mem_touches: per(m1.cpu_reads + m1.cpu_writes - m0.cpu_reads - m0.cpu_writes),
        mem_bytes: per(m1.cpu_read_bytes + m1.cpu_write_bytes
            - m0.cpu_read_bytes
            - m0.cpu_write_bytes),
        wire_frames: per(wire.len() as u64),
    })
}
