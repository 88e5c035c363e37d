//! `toe ss`: every connection installed in the engine's table with its
//! counters, read slot by slot over the command registers, as `ss` lists
//! a host's sockets.

use anyhow::Result;
use host::device::Device;
use host::emu_host::tuple_text;
use host::nic::Nic;
use serde::Serialize;
use spec::conn_table::{Cmd, CmdStatus};
use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub slot: usize,
    /// `src:port > dst:port`, the direction the entry matches.
    pub tuple: String,
    pub rcv_nxt: u32,
    pub snd_una: u32,
    pub frames: u64,
    pub bytes: u64,
    pub fast: u64,
    pub slow: u64,
}

/// Reads every slot of a table of `entries`.
pub fn listing<D: Device>(nic: &mut Nic<D>, entries: usize) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for slot in 0..entries {
        let a = nic.command(&Cmd::Read(slot))?;
        let Some((key, rcv_nxt, snd_una)) = a.entry else {
            anyhow::ensure!(a.status == CmdStatus::Empty, "slot {slot}: {:?}", a.status);
            continue;
        };
        let c = nic.command(&Cmd::ReadCounters(slot))?;
        let [frames, bytes, fast, slow] = c
            .counters
            .ok_or_else(|| anyhow::anyhow!("slot {slot}: counters {:?}", c.status))?;
        out.push(Entry {
            slot,
            tuple: tuple_text(&key),
            rcv_nxt,
            snd_una,
            frames,
            bytes,
            fast,
            slow,
        });
    }
    Ok(out)
}

/// The listing as a table for a terminal.
pub fn human(entries: &[Entry]) -> String {
    let mut s = format!(
        "{:>5}  {:<47} {:>10} {:>10} {:>8} {:>10} {:>8} {:>6}\n",
        "slot", "connection", "rcv_nxt", "snd_una", "frames", "bytes", "fast", "slow"
    );
    for e in entries {
        let _ = writeln!(
            s,
            "{:>5}  {:<47} {:>10} {:>10} {:>8} {:>10} {:>8} {:>6}",
            e.slot, e.tuple, e.rcv_nxt, e.snd_una, e.frames, e.bytes, e.fast, e.slow
        );
    }
    let _ = writeln!(s, "{} connections installed", entries.len());
    s
}
