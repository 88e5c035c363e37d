//! Driving and draining the stream ports of a simulated block, with random
//! idle cycles on inputs and random backpressure on outputs.

use crate::bridge::{Input, Output, Sim, SimError};
pub use crate::traffic::{Coin, Counters, Traffic};

/// The ports of a stream the block receives on (we drive it).
pub struct SinkPorts {
    pub data: Input,
    pub keep: Input,
    pub valid: Input,
    pub last: Input,
    pub user: Input,
    pub ready: Output,
}

impl SinkPorts {
    /// Sets the ports to offer `beat`, or to idle.
    pub fn offer(&self, sim: &mut Sim, beat: Option<Beat<'_>>) {
        match beat {
            Some(b) => {
                sim.set_bytes(self.data, b.bytes);
                sim.set(self.keep, b.keep);
                sim.set(self.last, u64::from(b.last));
                sim.set(self.user, u64::from(b.user));
                sim.set(self.valid, 1);
            }
            None => sim.set(self.valid, 0),
        }
    }

    pub fn bind(sim: &Sim, prefix: &str) -> Result<Self, SimError> {
        let p = |n: &str| sim.input(&format!("{prefix}${n}"));
        Ok(Self {
            data: p("data")?,
            keep: p("keep")?,
            valid: p("valid")?,
            last: p("last")?,
            user: p("user")?,
            ready: sim.output(&format!("{prefix}$ready"))?,
        })
    }
}

/// The ports of a stream the block sends on (we drain it).
pub struct SourcePorts {
    pub data: Output,
    pub keep: Output,
    pub valid: Output,
    pub last: Output,
    pub user: Output,
    pub ready: Input,
}

impl SourcePorts {
    /// After `eval`: the beat on offer, its bytes up to keep's highest
    /// lane (`scratch` holds one beat's width).
    pub fn take(&self, sim: &Sim, scratch: &mut [u8]) -> OwnedBeat {
        let keep = sim.get(self.keep);
        sim.get_bytes(self.data, scratch);
        let n = (64 - keep.leading_zeros() as usize).min(scratch.len());
        OwnedBeat {
            bytes: scratch[..n].to_vec(),
            keep,
            last: sim.get(self.last) == 1,
            user: sim.get(self.user) == 1,
        }
    }

    pub fn bind(sim: &Sim, prefix: &str) -> Result<Self, SimError> {
        let p = |n: &str| sim.output(&format!("{prefix}${n}"));
        Ok(Self {
            data: p("data")?,
            keep: p("keep")?,
            valid: p("valid")?,
            last: p("last")?,
            user: p("user")?,
            ready: sim.input(&format!("{prefix}$ready"))?,
        })
    }
}

/// A beat as a block sent it: bytes (up to keep's highest lane), keep,
/// last, user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedBeat {
    pub bytes: Vec<u8>,
    pub keep: u64,
    pub last: bool,
    pub user: bool,
}

/// Cuts a frame into beats: the bytes of each beat and its keep mask.
pub fn beats(frame: &[u8], width: usize) -> impl Iterator<Item = (&[u8], u64, bool)> {
    let n = frame.len().div_ceil(width);
    frame
        .chunks(width)
        .enumerate()
        .map(move |(i, c)| (c, (1u64 << c.len()) - 1, i + 1 == n))
}

/// The block stopped making progress with work outstanding.
#[derive(Debug, thiserror::Error)]
#[error("{block} hung: no progress for {idle} cycles at cycle {cycle} ({detail})")]
pub struct Hang {
    pub block: &'static str,
    pub idle: u64,
    pub cycle: u64,
    pub detail: String,
}

/// Cycles without any beat moving after which a block counts as hung.
pub const HANG_CYCLES: u64 = 100_000;

/// One input beat as the runner offers it.
#[derive(Clone, Copy, Debug)]
pub struct Beat<'a> {
    pub bytes: &'a [u8],
    pub keep: u64,
    pub last: bool,
    pub user: bool,
}

/// A block with one input stream and one output, as [`run`] drives it.
pub trait Harness {
    /// Per-frame sideband offered with every beat (e.g. a command word).
    type Extra;
    /// What the block produces per frame.
    type Output;
    fn name(&self) -> &'static str;
    fn width(&self) -> usize;
    fn sim(&mut self) -> &mut Sim;
    /// Sets the inputs for this cycle; `None` leaves the input idle.
    fn drive(&mut self, beat: Option<(Beat<'_>, &Self::Extra)>, out_ready: bool);
    /// After `eval`: whether the offered beat is taken at this clock edge.
    fn taken(&self) -> bool;
    /// After `eval`: the output completed at this clock edge, if any.
    fn output(&mut self, out_ready: bool) -> Option<Self::Output>;
    /// A count that moves whenever the block makes progress short of a
    /// whole output (e.g. beats of one long output), for hang detection.
    fn progress(&self) -> u64 {
        0
    }
}

/// Streams `frames` (bytes, user flag, sideband) through `h` with the given
/// traffic and hands each output to `on_output`, in order. Returns once
/// every frame has produced its output; fails if the block stops moving.
pub fn run<H, F, I>(
    h: &mut H,
    frames: I,
    traffic: &Traffic,
    mut on_output: impl FnMut(H::Output) -> anyhow::Result<()>,
) -> anyhow::Result<Counters>
where
    H: Harness,
    F: AsRef<[u8]>,
    I: IntoIterator<Item = (F, bool, H::Extra)>,
{
    let mut idle = traffic.idle_coin();
    let mut busy = traffic.backpressure_coin();
    let start = h.sim().cycles();
    let width = h.width();
    let mut c = Counters::default();
    let (mut sent, mut got, mut last_progress) = (0u64, 0u64, start);
    let mut step =
        |h: &mut H, beat: Option<(Beat<'_>, &H::Extra)>, c: &mut Counters, got: &mut u64| {
            let ready = !busy.flip();
            h.drive(beat, ready);
            h.sim().eval();
            let taken = beat.is_some() && h.taken();
            if let Some(out) = h.output(ready) {
                *got += 1;
                c.outputs += 1;
                on_output(out)?;
            }
            h.sim().tick();
            anyhow::Ok(taken)
        };
    let hung = |h: &mut H, last_progress: u64, sent: u64, got: u64| {
        let now = h.sim().cycles();
        if now - last_progress > HANG_CYCLES {
            let e = Hang {
                block: h.name(),
                idle: now - last_progress,
                cycle: now,
                detail: format!("{sent} frames in, {got} out"),
            };
            return Err(
                anyhow::Error::new(e).context("the RTL stopped; rerun with --wave to see why")
            );
        }
        Ok(())
    };
    for (frame, user, extra) in frames {
        sent += 1;
        for (bytes, keep, last) in beats(frame.as_ref(), width) {
            while idle.flip() {
                step(h, None, &mut c, &mut got)?;
            }
            let beat = Beat {
                bytes,
                keep,
                last,
                user: user && last,
            };
            loop {
                let before = (got, h.progress());
                if step(h, Some((beat, &extra)), &mut c, &mut got)? {
                    c.beats_in += 1;
                    last_progress = h.sim().cycles();
                    break;
                }
                c.stalls_in += 1;
                if (got, h.progress()) != before {
                    last_progress = h.sim().cycles();
                }
                hung(h, last_progress, sent, got)?;
            }
        }
    }
    while got < sent {
        let before = (got, h.progress());
        step(h, None, &mut c, &mut got)?;
        if (got, h.progress()) != before {
            last_progress = h.sim().cycles();
        }
        hung(h, last_progress, sent, got)?;
    }
    c.cycles = h.sim().cycles() - start;
    Ok(c)
}
