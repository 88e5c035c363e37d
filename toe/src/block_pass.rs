//! A pass that streams every frame through one RX block (`rx_checksum`,
//! `rx_parser`): the model alone, or the RTL under Verilator with each
//! output compared with the model's when asked.

use crate::pass::{Pass, Work};
use crate::report::Report;
use anyhow::Result;
use capture::Frame;

/// What a block's pass does per frame with the model's answer.
pub struct ModelPass {
    pub keep: bool,
    pub add: fn(&Frame, &mut Report, bool),
}

impl Pass for ModelPass {
    fn feed(&mut self, work: &mut Work<'_>, report: &mut Report) -> Result<()> {
        for f in work.frames {
            (self.add)(f, report, self.keep);
        }
        Ok(())
    }

    fn finish(self: Box<Self>, _: &mut Report) -> Result<()> {
        Ok(())
    }
}

#[cfg(feature = "rtl")]
pub use rtl::RtlPass;

#[cfg(feature = "rtl")]
mod rtl {
    use super::*;
    use sim::stream::{Harness, run};
    use sim::traffic::{Counters, Traffic};
    use std::time::{Duration, Instant};

    /// The RTL block `H`; `output` checks and counts one output (comparing
    /// it with the model when `compare`), `done` files the cycle counts.
    pub struct RtlPass<H: Harness<Extra = ()>> {
        pub rtl: H,
        pub compare: bool,
        pub keep: bool,
        pub traffic: Traffic,
        pub output: fn(&Frame, H::Output, &mut Report, bool, bool) -> Result<()>,
        pub done: fn(&mut Report, Counters, Duration),
        pub counters: Counters,
        pub wall: Duration,
        pub batches: u64,
    }

    impl<H: Harness<Extra = ()>> Pass for RtlPass<H> {
        fn feed(&mut self, work: &mut Work<'_>, report: &mut Report) -> Result<()> {
            let started = Instant::now();
            let mut frames = work.frames.iter();
            let input = work.frames.iter().map(|f| (&f.data, false, ()));
            let traffic = self.traffic.for_batch(self.batches);
            let (output, compare, keep) = (self.output, self.compare, self.keep);
            let c = run(&mut self.rtl, input, &traffic, |out| {
                let f = frames.next().expect("an output per frame");
                output(f, out, report, compare, keep)
            })?;
            self.batches += 1;
            self.counters += c;
            self.wall += started.elapsed();
            Ok(())
        }

        fn finish(self: Box<Self>, report: &mut Report) -> Result<()> {
            (self.done)(report, self.counters, self.wall);
            Ok(())
        }
    }
}
