//! The connection table as the emulated host sees it: the model, the RTL,
//! or both side by side with every answer compared.

use crate::conn_table::ConnTableRtl;
use anyhow::Result;
use model::conn_table::{Answer, Cmd, Outcome, Request, Table};

/// Where the host's table commands go: a table directly, or the
/// engine's command registers through the driver.
pub trait Commands {
    fn command(&mut self, c: &Cmd) -> Result<Answer>;
}

pub trait TableEngine: Commands {
    fn classify(&mut self, r: &Request) -> Result<Outcome>;
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

impl Commands for ConnTableRtl {
    fn command(&mut self, c: &Cmd) -> Result<Answer> {
        ConnTableRtl::command(self, c)
    }
}

impl TableEngine for ConnTableRtl {
    fn classify(&mut self, r: &Request) -> Result<Outcome> {
        let res = self.classify_one(r)?;
        Ok(res.outcome)
    }
}

impl<D: host::device::Device> Commands for host::nic::Nic<D> {
    fn command(&mut self, c: &Cmd) -> Result<Answer> {
        Ok(host::nic::Nic::command(self, c)?)
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

/// The RTL and the model in lockstep. The model's answer goes on, so one
/// difference does not send the host down another path.
pub struct Compared {
    pub rtl: ConnTableRtl,
    pub model: Table,
    /// The frame being handled, for the mismatch reports.
    pub frame: u64,
    pub mismatches: Vec<TableMismatch>,
}

impl Compared {
    fn note(&mut self, what: String, rtl: String, model: String) {
        self.mismatches.push(TableMismatch {
            frame: self.frame,
            what,
            rtl,
            model,
        });
    }
}

impl TableEngine for Compared {
    fn classify(&mut self, r: &Request) -> Result<Outcome> {
        let want = self.model.classify(r);
        let res = self.rtl.classify_one(r)?;
        let hash = spec::toeplitz::hash(self.model.hash_key(), &r.key.hash_input());
        if res.outcome != want || res.hash != hash {
            self.note(
                format!("classify {r:?}"),
                format!("{:?} hash {:08x}", res.outcome, res.hash),
                format!("{want:?} hash {hash:08x}"),
            );
        }
        Ok(want)
    }
}

impl Commands for Compared {
    fn command(&mut self, c: &Cmd) -> Result<Answer> {
        let want = self.model.execute(c);
        let got = self.rtl.command(c)?;
        if got != want {
            self.note(format!("{c:?}"), format!("{got:?}"), format!("{want:?}"));
        }
        Ok(want)
    }
}
