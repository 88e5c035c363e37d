//! A pass of `toe replay`: one block (or the driver and the whole engine)
//! fed the capture batch by batch, adding what it saw to the report.

use crate::replay_table::Direct;
use crate::report::Report;
use anyhow::Result;
use capture::Frame;

/// A batch of frames as it goes through the passes: the table pass leaves
/// its answers for the driver pass to compare with.
pub struct Work<'a> {
    pub frames: &'a [Frame],
    pub direct: Vec<Direct>,
}

pub trait Pass {
    fn feed(&mut self, work: &mut Work<'_>, report: &mut Report) -> Result<()>;
    /// After the last batch; passes finish in the order they were fed.
    fn finish(self: Box<Self>, report: &mut Report) -> Result<()>;
}
