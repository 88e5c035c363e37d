//! The engine behind the driver: the RTL engine under Verilator when it is
//! built in and the options fit its one build (64 bits, the table it was
//! built with), else the reference model. The one place `toe` picks it.

#[cfg(feature = "rtl")]
use crate::options::Backend;
use crate::options::Options;
use anyhow::Result;
use host::model_device::ModelDevice;
use host::nic::{Config, Nic};
use host::sim_device::SimDevice;
use model::conn_table::Table;

/// A driver over whichever engine [`engine`] picked.
pub type EngineNic = Nic<Box<dyn SimDevice>>;

/// The driver over the engine for `opts`, its TX path sending frames up
/// to `max_frame` unchanged (the model; the RTL's limit is its build's).
pub fn engine(opts: &Options, max_frame: usize, cfg: Config) -> Result<EngineNic> {
    let dev = match rtl_engine(opts)? {
        Some(rtl) => rtl,
        None => {
            let table = Table::new(
                opts.table_entries,
                opts.table_ways,
                spec::toeplitz::DEFAULT_KEY,
            );
            Box::new(ModelDevice::new(opts.width as u32, max_frame, table))
        }
    };
    let name = dev.name();
    Nic::open(dev, cfg).map_err(|e| anyhow::anyhow!("opening the {name} engine: {e}"))
}

/// The driver's rings and buffers as `opts` ask.
pub fn config(opts: &Options, rx_buffer_bytes: usize) -> Config {
    Config {
        rx_ring: opts.rx_ring,
        tx_ring: opts.tx_ring,
        rx_buffers: opts.rx_buffers,
        rx_buffer_bytes,
        ..Config::default()
    }
}

/// The RTL engine (`engine_w8`), if it is built in and fits `opts`.
#[cfg(feature = "rtl")]
fn rtl_engine(opts: &Options) -> Result<Option<Box<dyn SimDevice>>> {
    use sim::engine::{EngineRtl, RtlConfig};
    const BUILD: &str = "engine_w8";
    if opts.backend == Backend::Model {
        return Ok(None);
    }
    let info = sim::bridge::model_named(BUILD)
        .ok_or_else(|| anyhow::anyhow!("no {BUILD} build in this binary"))?;
    let fits = opts.width == 8
        && info.param("entries") == Some(opts.table_entries as u64)
        && info.param("ways") == Some(opts.table_ways as u64);
    if !fits {
        return Ok(None);
    }
    Ok(Some(Box::new(EngineRtl::new(RtlConfig::default(), None)?)))
}

#[cfg(not(feature = "rtl"))]
fn rtl_engine(_: &Options) -> Result<Option<Box<dyn SimDevice>>> {
    Ok(None)
}
