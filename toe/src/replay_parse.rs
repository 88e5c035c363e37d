//! The parser pass of `toe replay`: every frame through `rx_parser` (the
//! model, the RTL, or the RTL compared with the model), counting the
//! parse statuses.

use crate::block_pass::ModelPass;
use crate::options::{Backend, Options};
use crate::pass::Pass;
use anyhow::Result;

pub fn pass(opts: &Options) -> Result<Box<dyn Pass>> {
    if opts.backend == Backend::Model {
        return Ok(Box::new(ModelPass {
            keep: false,
            add: |f, r, _| r.add_parse(&model::rx_parse::parse(&f.data, false)),
        }));
    }
    rtl(opts)
}

#[cfg(feature = "rtl")]
fn rtl(opts: &Options) -> Result<Box<dyn Pass>> {
    use crate::report::ParseMismatch;
    use crate::report::Report;
    use spec::rx_parse::Header;
    fn output(
        f: &capture::Frame,
        raw: spec::rx_parse::Record,
        r: &mut Report,
        compare: bool,
        _: bool,
    ) -> Result<()> {
        let got = Header::unpack(&raw);
        let want = model::rx_parse::parse(&f.data, false);
        if compare && want != got {
            r.parse_mismatch(ParseMismatch {
                frame: f.number,
                rtl: got,
                model: want,
            });
        }
        r.add_parse(&got);
        Ok(())
    }
    Ok(Box::new(crate::block_pass::RtlPass {
        rtl: sim::rx_parser::RxParserRtl::new(opts.width, None)?,
        compare: opts.backend == Backend::Both,
        keep: false,
        traffic: opts.traffic,
        output,
        done: Report::set_parser_sim,
        counters: Default::default(),
        wall: Default::default(),
        batches: 0,
    }))
}

#[cfg(not(feature = "rtl"))]
fn rtl(_: &Options) -> Result<Box<dyn Pass>> {
    anyhow::bail!("this toe has no RTL: use --backend model")
}
