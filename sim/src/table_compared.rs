//! The RTL table as the emulated host works it, alone or in lockstep with
//! the model with every answer compared.

use crate::conn_table::ConnTableRtl;
use anyhow::Result;
use host::table_engine::{Commands, TableEngine, TableMismatch};
use model::conn_table::{Answer, Cmd, Outcome, Request, Table};

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

    fn at_frame(&mut self, frame: u64) {
        self.frame = frame;
    }

    fn take_mismatches(&mut self) -> Vec<TableMismatch> {
        std::mem::take(&mut self.mismatches)
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
