//! The engine's RX port: a frame is classed, then placed in its
//! direction's ring (`rx_place`) or written to the next posted buffer.
//! Completions of both kinds leave in order through a backlog that waits
//! for room in the RX completion ring, so none overwrites an entry the
//! host has not freed.

use super::Engine;
use crate::conn_table::Request;
use crate::rx_place::{payload, seen};
use spec::conn_table::Cmd;
use spec::dma::{Fault, Memory};
use spec::regs::{Counter, Ring};
use spec::ring::{self as rg, RxCpl, RxDesc, RxStatus};
use spec::rx_place::{PLACE_CPL_BYTES, PlaceCpl};
use spec::toeplitz;

/// An RX completion not yet written.
pub(super) enum Out {
    Frame(RxCpl),
    Placed(PlaceCpl),
}

impl Out {
    fn entries(&self) -> u16 {
        match self {
            Out::Frame(_) => 1,
            Out::Placed(_) => (PLACE_CPL_BYTES / rg::RX_CPL_BYTES) as u16,
        }
    }
}

impl Engine {
    /// A frame from the wire: dropped whole (no buffer posted, or no room
    /// for its completion), placed, or written to the next posted buffer
    /// and completed. The port needs a posted buffer even for a frame it
    /// then places: it cannot know before classing it.
    pub fn receive(&mut self, frame: &[u8], mem: &mut dyn Memory) -> Result<(), Fault> {
        self.place_timers(mem)?;
        if !self.enabled() || self.rings[Ring::Rx as usize].pending() == 0 {
            self.count(Counter::RxNoBuffer, 1);
            return Ok(());
        }
        if self.rings[Ring::RxCpl as usize].room() == 0 || !self.backlog.is_empty() {
            self.count(Counter::RxCplFull, 1);
            return Ok(());
        }
        let index = self.rings[Ring::Rx as usize].head;
        let mut b = [0; rg::RX_DESC_BYTES];
        mem.read(
            self.rings[Ring::Rx as usize].entry(index, rg::RX_DESC_BYTES),
            &mut b,
        )?;
        let d = RxDesc::from_bytes(&b);
        let len_only = |len: usize| spec::rx_csum::FIELD_LEN.put(0, len as u64).unwrap_or(0) as u32;
        let mut cpl = RxCpl {
            index,
            status: RxStatus::Ok,
            class: 0,
            hit: false,
            verdict: len_only(frame.len()),
            slot: 0,
            hash: 0,
        };
        self.count(Counter::RxFrames, 1);
        self.count(Counter::RxBytes, frame.len() as u64);
        if !d.addr.is_multiple_of(8) || d.capacity == 0 {
            cpl.status = RxStatus::BadDesc;
        } else if frame.len() > d.capacity as usize {
            cpl.status = RxStatus::TooBig;
            self.count(Counter::RxTooBig, 1);
            mem.write(d.addr, &frame[..d.capacity as usize])?;
        } else {
            let v = crate::rx_checksum::verdict(frame, false);
            let h = crate::rx_parse::parse(frame, false);
            let r = Request::of(&h, &v);
            let o = self.table.classify(&r);
            self.count(Counter::of_class(o.class), 1);
            let step = self.place.frame(&r, &o, seen(&h, frame), self.now);
            if let (Some(to), Some(slot)) = (step.rcv_nxt, o.slot) {
                self.table.execute(&Cmd::WriteRcvNxt(slot, to));
            }
            if !step.place.is_empty() {
                let mut data = payload(&h, frame).expect("placed frames are whole");
                for &(at, n) in &step.place {
                    let (now, rest) = data.split_at(n as usize);
                    mem.write(at, now)?;
                    data = rest;
                }
            }
            self.backlog.extend(step.cpls.into_iter().map(Out::Placed));
            if step.to_host.is_none() {
                return self.drain_rx(mem);
            }
            mem.write(d.addr, frame)?;
            cpl.class = o.class as u8;
            cpl.hit = o.slot.is_some();
            cpl.slot = o.slot.unwrap_or(0) as u16;
            cpl.hash = toeplitz::hash(self.table.hash_key(), &r.key.hash_input());
            cpl.verdict = v.pack();
        }
        self.rings[Ring::Rx as usize].head = index.wrapping_add(1);
        self.backlog.push_back(Out::Frame(cpl));
        self.drain_rx(mem)
    }

    /// Completions whose placement timer ran out by now.
    pub(super) fn place_timers(&mut self, mem: &mut dyn Memory) -> Result<(), Fault> {
        let due = self.place.advance(self.now);
        self.backlog.extend(due.into_iter().map(Out::Placed));
        self.drain_rx(mem)
    }

    /// Writes waiting completions while the ring has room for them.
    pub(super) fn drain_rx(&mut self, mem: &mut dyn Memory) -> Result<(), Fault> {
        while let Some(o) = self.backlog.front() {
            let c = &self.rings[Ring::RxCpl as usize];
            if !self.enabled() || c.room() < o.entries() {
                break;
            }
            let (tail, log) = (c.tail, c.log());
            let phase = |i: u16| rg::phase(tail.wrapping_add(i), log);
            match o {
                Out::Frame(f) => {
                    mem.write(c.entry(tail, rg::RX_CPL_BYTES), &f.to_bytes(phase(0)))?
                }
                Out::Placed(p) => {
                    // Each entry carries the phase of its own index: the
                    // pair may straddle the ring's wrap.
                    for i in 0..o.entries() {
                        let b = p.to_bytes(phase(i));
                        let at = usize::from(i) * rg::RX_CPL_BYTES;
                        mem.write(
                            c.entry(tail.wrapping_add(i), rg::RX_CPL_BYTES),
                            &b[at..at + rg::RX_CPL_BYTES],
                        )?;
                    }
                }
            }
            let n = o.entries();
            self.rings[Ring::RxCpl as usize].tail = tail.wrapping_add(n);
            self.backlog.pop_front();
            self.completed(1);
        }
        Ok(())
    }
}
