//! The driver suite (`testbench::driver_suite`) on the reference model of
//! the engine.

use anyhow::Result;
use host::model_device::ModelDevice;
use model::conn_table::Table;
use testbench::driver_suite::{self, Bench};

const ENTRIES: usize = 16;
const WAYS: usize = 4;
const MAX_FRAME: usize = 9600;

struct OnModel;

impl Bench for OnModel {
    type Dev = ModelDevice;
    fn device(&self) -> Result<ModelDevice> {
        Ok(ModelDevice::new(8, MAX_FRAME, self.table()))
    }
    fn max_frame(&self) -> usize {
        MAX_FRAME
    }
    fn table(&self) -> Table {
        Table::new(ENTRIES, WAYS, spec::toeplitz::DEFAULT_KEY)
    }
}

#[test]
fn driver_suite_on_the_model() {
    let mut failed = Vec::new();
    for (name, test) in driver_suite::all::<OnModel>() {
        match test(&OnModel) {
            Ok(()) => eprintln!("model: {name} ok"),
            Err(e) => failed.push(format!("{name}: {e:#}")),
        }
    }
    assert!(
        failed.is_empty(),
        "failed on the model:\n{}",
        failed.join("\n")
    );
}
