//! The checksum pass of `toe replay`: every frame's verdict from
//! `rx_checksum` (the model, the RTL, or the RTL compared with the model).

use crate::block_pass::ModelPass;
use crate::options::{Backend, Options};
use crate::pass::Pass;
use anyhow::Result;

pub fn pass(opts: &Options) -> Result<Box<dyn Pass>> {
    if opts.backend == Backend::Model {
        return Ok(Box::new(ModelPass {
            keep: opts.keep_verdicts,
            add: |f, r, keep| r.add(f.number, model::rx_checksum::verdict(&f.data, false), keep),
        }));
    }
    rtl(opts)
}

#[cfg(feature = "rtl")]
fn rtl(opts: &Options) -> Result<Box<dyn Pass>> {
    use crate::report::Mismatch;
    use crate::report::Report;
    use spec::rx_csum::Verdict;
    fn output(
        f: &capture::Frame,
        raw: u32,
        r: &mut Report,
        compare: bool,
        keep: bool,
    ) -> Result<()> {
        let got = Verdict::unpack(raw)?;
        let want = model::rx_checksum::verdict(&f.data, false);
        if compare && want != got {
            r.mismatch(Mismatch {
                frame: f.number,
                rtl: got,
                model: want,
            });
        }
        r.add(f.number, got, keep);
        Ok(())
    }
    Ok(Box::new(crate::block_pass::RtlPass {
        rtl: sim::rx_checksum::RxChecksumRtl::new(opts.width, opts.wave.as_deref())?,
        compare: opts.backend == Backend::Both,
        keep: opts.keep_verdicts,
        traffic: opts.traffic,
        output,
        done: Report::set_sim,
        counters: Default::default(),
        wall: Default::default(),
        batches: 0,
    }))
}

#[cfg(not(feature = "rtl"))]
fn rtl(_: &Options) -> Result<Box<dyn Pass>> {
    anyhow::bail!("this toe has no RTL: use --backend model")
}
