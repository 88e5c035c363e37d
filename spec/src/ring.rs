//! Descriptors and completions: the entries of the rings in host memory
//! (see [`crate::regs`] for the rings themselves). Entries are little-endian
//! 64-bit words.
//!
//! * TX descriptor, 16 bytes: the frame's buffer address (8-byte aligned;
//!   one buffer holds the whole frame or super-frame), then the
//!   [`crate::tso::Desc`] word (length, MSS, offsets, checksum and TSO flags).
//! * TX completion, 8 bytes, one per descriptor in order: the `tso` status
//!   and the segments sent, or `bad_desc` when the engine refused the
//!   descriptor before reading the buffer (address not 8-byte aligned, or
//!   length 0).
//! * RX free-buffer descriptor, 16 bytes: address (8-byte aligned), then
//!   the capacity in bytes (≥ 1). The engine writes only inside it.
//! * RX completion, 16 bytes, one per frame in arrival order: which buffer,
//!   the [`crate::rx_csum`] record (verdicts and length), the class, slot
//!   and hash of [`crate::conn_table`]. A frame longer than its buffer is
//!   written up to the capacity and completed as [`RxStatus::TooBig`]
//!   without being classified (the table does not see it).
//!
//! Frames that find no posted buffer or no free completion slot when they
//! arrive (or arrive while the engine is disabled) are dropped whole before
//! classification and counted (`regs::Counter::RxNoBuffer` / `RxCplFull`).

use crate::field::{Field, layout_is_sound};

pub const TX_DESC_BYTES: usize = 16;
pub const TX_CPL_BYTES: usize = 8;
pub const RX_DESC_BYTES: usize = 16;
pub const RX_CPL_BYTES: usize = 16;

/// Completion words: bit 0 is the phase on every completion.
pub const FIELD_PHASE: Field = Field::new("phase", 0, 1);

pub const FIELD_TXC_BAD_DESC: Field = Field::new("bad_desc", 1, 1);
pub const FIELD_TXC_STATUS: Field = Field::new("status", 4, 4);
pub const FIELD_TXC_SEGMENTS: Field = Field::new("segments", 16, 16);
pub const FIELD_TXC_INDEX: Field = Field::new("index", 32, 16);
const _: () = assert!(layout_is_sound(
    &[
        FIELD_PHASE,
        FIELD_TXC_BAD_DESC,
        FIELD_TXC_STATUS,
        FIELD_TXC_SEGMENTS,
        FIELD_TXC_INDEX
    ],
    64
));

pub const FIELD_RXD_CAPACITY: Field = Field::new("capacity", 0, 17);

// RX completion word 0.
pub const FIELD_RXC_STATUS: Field = Field::new("status", 1, 2);
pub const FIELD_RXC_CLASS: Field = Field::new("class", 4, 4);
pub const FIELD_RXC_HIT: Field = Field::new("hit", 8, 1);
pub const FIELD_RXC_INDEX: Field = Field::new("index", 16, 16);
/// The `rx_csum` record (verdicts and the frame's length).
pub const FIELD_RXC_VERDICT: Field = Field::new("verdict", 32, 32);
const _: () = assert!(layout_is_sound(
    &[
        FIELD_PHASE,
        FIELD_RXC_STATUS,
        FIELD_RXC_CLASS,
        FIELD_RXC_HIT,
        FIELD_RXC_INDEX,
        FIELD_RXC_VERDICT
    ],
    64
));
// RX completion word 1.
/// Meaningful only with `hit`.
pub const FIELD_RXC_SLOT: Field = Field::new("slot", 0, 16);
pub const FIELD_RXC_HASH: Field = Field::new("hash", 32, 32);

/// The phase the engine writes into entry `index` of a ring of
/// `2^log_size` entries: 1 on the first pass, flipping every pass.
pub fn phase(index: u16, log_size: u32) -> u64 {
    1 ^ ((u64::from(index) >> log_size) & 1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxDesc {
    pub addr: u64,
    pub desc: crate::tso::Desc,
}

impl TxDesc {
    pub fn to_bytes(&self) -> Result<[u8; TX_DESC_BYTES], crate::tso::FieldTooLarge> {
        let mut b = [0; TX_DESC_BYTES];
        b[..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..].copy_from_slice(&self.desc.pack()?.to_le_bytes());
        Ok(b)
    }

    pub fn from_bytes(b: &[u8; TX_DESC_BYTES]) -> TxDesc {
        let w = words::<2>(b);
        TxDesc {
            addr: w[0],
            desc: crate::tso::Desc::unpack(w[1]),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxCpl {
    pub index: u16,
    pub bad_desc: bool,
    /// `tso::Status` code.
    pub status: u8,
    pub segments: u16,
}

impl TxCpl {
    pub fn to_word(&self, phase: u64) -> u64 {
        [
            (FIELD_PHASE, phase),
            (FIELD_TXC_BAD_DESC, u64::from(self.bad_desc)),
            (FIELD_TXC_STATUS, u64::from(self.status)),
            (FIELD_TXC_SEGMENTS, u64::from(self.segments)),
            (FIELD_TXC_INDEX, u64::from(self.index)),
        ]
        .into_iter()
        .fold(0, |w, (f, v)| f.put(w, v).expect("fits"))
    }

    pub fn from_word(w: u64) -> TxCpl {
        TxCpl {
            index: FIELD_TXC_INDEX.get(w) as u16,
            bad_desc: FIELD_TXC_BAD_DESC.get(w) != 0,
            status: FIELD_TXC_STATUS.get(w) as u8,
            segments: FIELD_TXC_SEGMENTS.get(w) as u16,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxDesc {
    pub addr: u64,
    pub capacity: u32,
}

impl RxDesc {
    pub fn to_bytes(&self) -> [u8; RX_DESC_BYTES] {
        let mut b = [0; RX_DESC_BYTES];
        b[..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..].copy_from_slice(&u64::from(self.capacity).to_le_bytes());
        b
    }

    pub fn from_bytes(b: &[u8; RX_DESC_BYTES]) -> RxDesc {
        let w = words::<2>(b);
        RxDesc {
            addr: w[0],
            capacity: FIELD_RXD_CAPACITY.get(w[1]) as u32,
        }
    }
}

/// Why an RX completion's frame is not whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum RxStatus {
    Ok = 0,
    /// Longer than the buffer: cut at its capacity, not classified.
    TooBig = 1,
    /// The buffer's address is not 8-byte aligned or its capacity is 0:
    /// nothing written, not classified; the buffer is handed back.
    BadDesc = 2,
}

impl RxStatus {
    pub fn from_code(c: u64) -> Option<RxStatus> {
        [RxStatus::Ok, RxStatus::TooBig, RxStatus::BadDesc]
            .into_iter()
            .find(|s| *s as u64 == c)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxCpl {
    /// The RX descriptor (buffer) index the frame went into.
    pub index: u16,
    pub status: RxStatus,
    /// `conn_table::Class` code.
    pub class: u8,
    pub hit: bool,
    /// `rx_csum::Verdict::pack` (holds the frame's length).
    pub verdict: u32,
    pub slot: u16,
    pub hash: u32,
}

impl RxCpl {
    pub fn to_bytes(&self, phase: u64) -> [u8; RX_CPL_BYTES] {
        let w0 = [
            (FIELD_PHASE, phase),
            (FIELD_RXC_STATUS, self.status as u64),
            (FIELD_RXC_CLASS, u64::from(self.class)),
            (FIELD_RXC_HIT, u64::from(self.hit)),
            (FIELD_RXC_INDEX, u64::from(self.index)),
            (FIELD_RXC_VERDICT, u64::from(self.verdict)),
        ]
        .into_iter()
        .fold(0, |w, (f, v)| f.put(w, v).expect("fits"));
        let w1 = u64::from(self.slot) | u64::from(self.hash) << FIELD_RXC_HASH.lsb;
        let mut b = [0; RX_CPL_BYTES];
        b[..8].copy_from_slice(&w0.to_le_bytes());
        b[8..].copy_from_slice(&w1.to_le_bytes());
        b
    }

    /// `None` when the status code is not one the contract defines.
    pub fn from_bytes(b: &[u8; RX_CPL_BYTES]) -> Option<RxCpl> {
        let [w0, w1] = words::<2>(b);
        Some(RxCpl {
            index: FIELD_RXC_INDEX.get(w0) as u16,
            status: RxStatus::from_code(FIELD_RXC_STATUS.get(w0))?,
            class: FIELD_RXC_CLASS.get(w0) as u8,
            hit: FIELD_RXC_HIT.get(w0) != 0,
            verdict: FIELD_RXC_VERDICT.get(w0) as u32,
            slot: FIELD_RXC_SLOT.get(w1) as u16,
            hash: FIELD_RXC_HASH.get(w1) as u32,
        })
    }
}

fn words<const N: usize>(b: &[u8]) -> [u64; N] {
    std::array::from_fn(|i| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_flips_every_pass() {
        assert_eq!(phase(0, 3), 1);
        assert_eq!(phase(7, 3), 1);
        assert_eq!(phase(8, 3), 0);
        assert_eq!(phase(16, 3), 1);
        assert_eq!(phase(0xFFFF, 12), 0);
        assert_eq!(phase(0, 0), 1);
        assert_eq!(phase(1, 0), 0);
    }

    #[test]
    fn entries_round_trip() {
        let c = RxCpl {
            index: 0xBEEF,
            status: RxStatus::TooBig,
            class: 9,
            hit: true,
            verdict: 0xDEAD_BEEF,
            slot: 4095,
            hash: 0x1234_5678,
        };
        let b = c.to_bytes(1);
        assert_eq!(b[0] & 1, 1);
        assert_eq!(RxCpl::from_bytes(&b), Some(c));
        let t = TxCpl {
            index: 3,
            bad_desc: true,
            status: 8,
            segments: 45,
        };
        assert_eq!(TxCpl::from_word(t.to_word(0)), t);
        let d = RxDesc {
            addr: 0x1_0000_0008,
            capacity: 2048,
        };
        assert_eq!(RxDesc::from_bytes(&d.to_bytes()), d);
    }
}
