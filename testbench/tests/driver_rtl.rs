//! The driver suite (`testbench::driver_suite`) on the RTL engine under
//! Verilator (`engine_w8_small`: the suite's 16-entry table), with random
//! memory latency, stalls, wire idle and backpressure.

use anyhow::Result;
use model::conn_table::Table;
use sim::engine::{EngineRtl, RtlConfig};
use testbench::driver_suite::{self, Bench};

struct OnRtl(u64);

impl Bench for OnRtl {
    type Dev = EngineRtl;
    fn device(&self) -> Result<EngineRtl> {
        EngineRtl::new(
            RtlConfig {
                small_table: true,
                ..RtlConfig::random(self.0)
            },
            None,
        )
    }
    fn max_frame(&self) -> usize {
        sim::bridge::model_named("engine_w8_small")
            .and_then(|m| m.param("max_frame"))
            .unwrap_or(0) as usize
    }
    fn table(&self) -> Table {
        Table::new(16, 4, spec::toeplitz::DEFAULT_KEY)
    }
}

#[test]
fn driver_suite_on_the_rtl() {
    for seed in 0..3 {
        for (name, test) in driver_suite::all::<OnRtl>() {
            if let Err(e) = test(&OnRtl(seed)) {
                panic!("rtl (seed {seed}): {name}: {e:#}");
            }
            eprintln!("rtl (seed {seed}): {name} ok");
        }
    }
}
