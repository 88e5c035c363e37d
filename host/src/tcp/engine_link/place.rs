//! The link's side of `rx_place`: a receive ring per installed
//! connection, and each coalesced completion turned into the segments the
//! stack would have built from the frames it covers.
//!
//! A completion says where the engine's rcv_nxt stands and holds the
//! latest ACK, window and timestamps. The stack gets one super-segment
//! from its own rcv_nxt to the completion's (the ring's bytes, as Linux
//! hands TCP one GRO super-segment) and the parts of the engine's
//! out-of-order interval it was not given yet, then answers at once, as
//! Linux ACKs per super-segment. A completion with no new bytes becomes a
//! pure ACK only when its ACK is newer: the stack would count an old one
//! as a duplicate ACK, and duplicates stay frames in the engine anyway.

use super::EngineLink;
use crate::nic::PostedRing;
use crate::sim_device::SimDevice;
use crate::tcp::rtt::Micros;
use crate::tcp::segment::{Header, Options, Received};
use crate::tcp::stack::{ConnId, Stack};
use anyhow::{Context, Result, bail};
use spec::conn_table::{seq_le, seq_lt};
use spec::rx_place::{Flush, MAX_LOG_SIZE, MIN_LOG_SIZE, PlaceCpl};
use spec::tcp::{ACK, PSH};

/// A ring as large as the receive buffer, so the engine's room (a ring's
/// worth past what the host consumed) covers the window the stack
/// offers.
pub(super) fn ring_log(rcv_buf: u32) -> u8 {
    let log = u64::from(rcv_buf).next_power_of_two().trailing_zeros() as u8;
    log.clamp(MIN_LOG_SIZE, MAX_LOG_SIZE)
}

/// `[s, e)` less `[cs, ce)`: up to two ranges, in order.
fn minus((s, e): (u32, u32), cut: Option<(u32, u32)>) -> Vec<(u32, u32)> {
    let Some((cs, ce)) = cut.filter(|&(cs, ce)| seq_lt(cs, e) && seq_lt(s, ce)) else {
        return vec![(s, e)];
    };
    [(s, cs), (ce, e)]
        .into_iter()
        .filter(|&(a, b)| seq_lt(a, b))
        .collect()
}

impl<D: SimDevice> EngineLink<D> {
    pub(super) fn post(
        &mut self,
        slot: usize,
        rcv_buf: u32,
        rcv_nxt: u32,
        ts_recent: Option<u32>,
    ) -> Result<PostedRing> {
        self.nic
            .post(slot, ring_log(rcv_buf), rcv_nxt, ts_recent)
            .context("posting a receive ring")
    }

    /// One coalesced completion for the stack.
    pub(super) fn placed(
        &mut self,
        stack: &mut Stack,
        cpl: &PlaceCpl,
        now: Micros,
        touched: &mut Vec<ConnId>,
    ) -> Result<()> {
        let slot = usize::from(cpl.slot);
        let Some((id, i)) = self
            .by_slot
            .get(&slot)
            .and_then(|&id| Some((id, self.installed.get_mut(&id)?)))
        else {
            bail!("a placement completion for slot {slot}, which the host did not post");
        };
        let Some(ring) = i.ring else {
            bail!("a placement completion for slot {slot}, which has no ring");
        };
        self.stats.place_completions += 1;
        self.stats.placed_frames += u64::from(cpl.frames);
        i.rcv_nxt = cpl.rcv_nxt;
        let fed = std::mem::replace(&mut i.ooo_fed, cpl.ooo);
        let Some(c) = stack.conn(id) else {
            return Ok(());
        };
        let nxt = c.rcv_nxt();
        let mut parts = Vec::new();
        if seq_lt(nxt, cpl.rcv_nxt) {
            parts.extend(minus((nxt, cpl.rcv_nxt), fed));
        }
        if let Some((s, e)) = cpl.ooo {
            let s = if seq_lt(s, nxt) { nxt } else { s };
            if seq_lt(s, e) {
                parts.extend(minus((s, e), fed));
            }
        }
        let flags = ACK | if cpl.flush == Flush::Psh { PSH } else { 0 };
        let ts = c.ts_on.then_some((cpl.tsval, cpl.tsecr));
        let newer_ack = seq_lt(c.snd_una(), cpl.ack) && seq_le(cpl.ack, c.snd_max);
        let (remote, local, mac) = (c.remote(), c.local(), c.peer_mac);
        if parts.is_empty() && !newer_ack {
            return Ok(());
        }
        if parts.is_empty() {
            parts.push((nxt, nxt));
        }
        for (s, e) in parts {
            let bytes = self.nic.ring_read(&ring, s, e.wrapping_sub(s) as usize);
            self.stats.placed_bytes += bytes.len() as u64;
            let seg = Received {
                src: remote,
                dst: local,
                src_mac: mac,
                h: Header {
                    seq: s,
                    ack: cpl.ack,
                    flags,
                    window: cpl.window,
                    opts: Options {
                        ts,
                        ..Options::default()
                    },
                },
                payload: &bytes,
                ce: cpl.ce > 0,
                checksum_ok: true,
            };
            stack.input(&seg, true, now);
        }
        if !touched.contains(&id) {
            touched.push(id);
        }
        let out = stack.poll_conn(id, now);
        self.transmit(stack, out)
    }

    /// Gives the engine back the ring space whose bytes the stack copied,
    /// a sixteenth of the ring at a time (one command, not one per read).
    pub(super) fn consume(&mut self, stack: &Stack) -> Result<()> {
        for (id, i) in &mut self.installed {
            let (Some(ring), Some(c)) = (i.ring, stack.conn(*id)) else {
                continue;
            };
            let done = c.rcv_nxt();
            if done.wrapping_sub(i.head) as u64 >= (1u64 << ring.log_size) / 16
                && seq_lt(i.head, done)
            {
                self.nic.consume(&ring, done)?;
                i.head = done;
            }
        }
        Ok(())
    }

    /// Flushes and reaps the slot's last completion, removes the slot (so
    /// the engine stops writing its ring) and frees the ring.
    pub(super) fn remove(&mut self, stack: &mut Stack, id: ConnId, now: Micros) -> Result<()> {
        if let Some(ring) = self.installed.get(&id).and_then(|i| i.ring) {
            self.nic.flush_placed(&ring)?;
            self.reap(stack, now, 0, &mut Vec::new())?;
        }
        let Some(i) = self.installed.remove(&id) else {
            return Ok(());
        };
        self.by_slot.remove(&i.slot);
        self.nic.command(&spec::conn_table::Cmd::Remove(i.slot))?;
        if let Some(ring) = i.ring {
            self.nic.unpost(ring);
        }
        self.stats.removes += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_keeps_what_lies_outside_the_cut_across_the_wrap() {
        assert_eq!(minus((10, 20), None), vec![(10, 20)]);
        assert_eq!(minus((10, 20), Some((12, 15))), vec![(10, 12), (15, 20)]);
        assert_eq!(minus((10, 20), Some((5, 15))), vec![(15, 20)]);
        assert_eq!(minus((10, 20), Some((20, 30))), vec![(10, 20)]);
        assert_eq!(minus((10, 20), Some((0, 40))), vec![]);
        assert_eq!(
            minus((0xFFFF_FFF0, 0x10), Some((0xFFFF_FFF8, 0x8))),
            vec![(0xFFFF_FFF0, 0xFFFF_FFF8), (0x8, 0x10)]
        );
    }

    #[test]
    fn the_ring_covers_the_receive_buffer() {
        assert_eq!(ring_log(4 << 20), 22);
        assert_eq!(ring_log((4 << 20) + 1), 23);
        assert_eq!(ring_log(100), MIN_LOG_SIZE);
        assert_eq!(ring_log(u32::MAX), MAX_LOG_SIZE);
    }
}
