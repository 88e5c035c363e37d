//! The connection table as the emulated host sees it: a table it works
//! directly, or the engine's command registers through the driver.

use anyhow::Result;
use model::conn_table::{Answer, Cmd, Outcome, Request, Table};

/// Where the host's table commands go: a table directly, or the
/// engine's command registers through the driver.
pub trait Commands {
    fn command(&mut self, c: &Cmd) -> Result<Answer>;
}

pub trait TableEngine: Commands {
    fn classify(&mut self, r: &Request) -> Result<Outcome>;
    /// The frame being handled, for an engine that reports differences.
    fn at_frame(&mut self, _frame: u64) {}
    /// The differences found since the last call, for an engine that
    /// compares two tables.
    fn take_mismatches(&mut self) -> Vec<TableMismatch> {
        Vec::new()
    }
}

impl Commands for Table {
    fn command(&mut self, c: &Cmd) -> Result<Answer> {
        Ok(self.execute(c))
    }
}

impl TableEngine for Table {
    fn classify(&mut self, r: &Request) -> Result<Outcome> {
        Ok(Table::classify(self, r))
    }
}

impl<D: crate::device::Device> Commands for crate::nic::Nic<D> {
    fn command(&mut self, c: &Cmd) -> Result<Answer> {
        Ok(crate::nic::Nic::command(self, c)?)
    }
}

/// An RTL/model difference: what was asked and both answers.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TableMismatch {
    pub frame: u64,
    pub what: String,
    pub rtl: String,
    pub model: String,
}
