//! The driver's side of `rx_place`: a receive ring per connection
//! direction, mapped for the engine's writes while it is posted, and the
//! two-entry coalesced completions on the RX completion ring.

use super::{Nic, NicError};
use crate::device::Device;
use crate::dma_mem::Perm;
use spec::conn_table::{CmdStatus, Command};
use spec::regs;
use spec::ring as rg;
use spec::rx_place::{self as rp, PLACE_CPL_BYTES, PlaceCpl};

/// A receive ring the driver posted: byte `s` at `base + s mod 2^log_size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostedRing {
    pub slot: usize,
    pub base: u64,
    pub log_size: u8,
}

impl<D: Device> Nic<D> {
    /// Whether the engine has `rx_place` (`CAPS_PLACE`).
    pub fn places(&mut self) -> Result<bool, NicError> {
        Ok(self.read_reg(regs::CAPS.offset)? & regs::CAPS_PLACE != 0)
    }

    /// Posts a ring of `2^log_size` bytes for installed `slot`, whose
    /// first unconsumed byte is `head`, with the connection's TS.Recent
    /// where it negotiated timestamps (the engine then checks PAWS).
    pub fn post(
        &mut self,
        slot: usize,
        log_size: u8,
        head: u32,
        ts_recent: Option<u32>,
    ) -> Result<PostedRing, NicError> {
        let bytes = 1usize << log_size;
        let mem = self.dev.mem();
        let base = mem.alloc(bytes);
        let lo = rp::ring_lo(base, log_size).ok_or_else(|| {
            NicError::Config(format!(
                "a receive ring of 2^{log_size} bytes: use {}..={}",
                rp::MIN_LOG_SIZE,
                rp::MAX_LOG_SIZE
            ))
        })?;
        mem.map(base, bytes, Perm::Write);
        let ring = PostedRing {
            slot,
            base,
            log_size,
        };
        self.write_reg(regs::CT_SLOT.offset, slot as u32)?;
        let paws = if ts_recent.is_some() {
            rp::RING_PAWS
        } else {
            0
        };
        self.write_reg(regs::CT_RING_LO.offset, lo | paws)?;
        self.write_reg(regs::CT_RING_HI.offset, (base >> 32) as u32)?;
        self.write_reg(regs::CT_RCV_NXT.offset, head)?;
        self.write_reg(regs::CT_SND_UNA.offset, ts_recent.unwrap_or(0))?;
        match self.run_command(Command::Post, slot as u16)? {
            CmdStatus::Ok => Ok(ring),
            s => {
                self.dev.mem().free(base);
                Err(NicError::Config(format!(
                    "the engine answered {s:?} to posting a ring for slot {slot}"
                )))
            }
        }
    }

    /// The application consumed `ring` up to `head`: the engine may write
    /// there again.
    pub fn consume(&mut self, ring: &PostedRing, head: u32) -> Result<(), NicError> {
        self.write_reg(regs::CT_SLOT.offset, ring.slot as u32)?;
        self.write_reg(regs::CT_RCV_NXT.offset, head)?;
        self.expect_ok(Command::Consume, ring.slot)
    }

    /// Asks for `ring`'s pending completion now; it arrives on the RX
    /// completion ring.
    pub fn flush_placed(&mut self, ring: &PostedRing) -> Result<(), NicError> {
        self.write_reg(regs::CT_SLOT.offset, ring.slot as u32)?;
        self.expect_ok(Command::Flush, ring.slot)
    }

    /// Asks for every pending completion (the end of a poll).
    pub fn flush_all_placed(&mut self) -> Result<(), NicError> {
        self.write_reg(regs::CT_SLOT.offset, u32::from(rp::FLUSH_ALL))?;
        self.expect_ok(Command::Flush, usize::from(rp::FLUSH_ALL))
    }

    /// Takes back the memory of a ring whose slot was removed (removing
    /// the slot is what stops the engine writing it).
    pub fn unpost(&mut self, ring: PostedRing) {
        self.dev.mem().free(ring.base);
    }

    /// `len` bytes of `ring` from sequence number `seq`.
    pub fn ring_read(&mut self, ring: &PostedRing, seq: u32, len: usize) -> Vec<u8> {
        let size = 1usize << ring.log_size;
        let off = seq as usize & (size - 1);
        let first = len.min(size - off);
        let mut v = vec![0; len];
        let mem = self.dev.mem();
        mem.cpu_read(ring.base + off as u64, &mut v[..first]);
        if first < len {
            mem.cpu_read(ring.base, &mut v[first..]);
        }
        v
    }

    fn expect_ok(&mut self, op: Command, slot: usize) -> Result<(), NicError> {
        match self.run_command(op, slot as u16)? {
            CmdStatus::Ok => Ok(()),
            s => Err(NicError::BadCompletion {
                ring: "CT",
                index: slot as u16,
                why: format!("{op:?} answered {s:?}: the slot has no ring posted"),
            }),
        }
    }

    /// The coalesced completion whose entry 0 is at `index`, or `None`
    /// while its entry 1 is not written yet.
    pub(super) fn placed_cpl(&mut self, index: u16) -> Result<Option<PlaceCpl>, NicError> {
        let mut b = [0; PLACE_CPL_BYTES];
        let next = index.wrapping_add(1);
        let mem = self.dev.mem();
        mem.cpu_read(self.rxc.addr(index), &mut b[..rg::RX_CPL_BYTES]);
        mem.cpu_read(self.rxc.addr(next), &mut b[rg::RX_CPL_BYTES..]);
        let second = u64::from(b[rg::RX_CPL_BYTES]);
        if rg::FIELD_PHASE.get(second) != rg::phase(next, self.rxc.log) {
            return Ok(None);
        }
        let c = PlaceCpl::from_bytes(&b).ok_or_else(|| NicError::BadCompletion {
            ring: "RX",
            index,
            why: format!("a placement completion with bytes {b:02x?}"),
        })?;
        self.rxc.head = index.wrapping_add(2);
        Ok(Some(c))
    }
}
