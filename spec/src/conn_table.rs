//! `conn_table`: the connection table and the class every frame gets.
//!
//! # Table
//!
//! Entries are keyed by the 4-tuple as it arrives (one entry per direction).
//! The table is two banks of `buckets` buckets of `ways` entries ("2-left"
//! hashing): a key may live in bucket `hash[15:0] % buckets` of bank 0 or
//! bucket `hash[31:16] % buckets` of bank 1, where `hash` is the
//! [`crate::toeplitz`] hash of the key. A lookup reads both buckets (one
//! block-RAM read per bank). An insert goes to the bank whose bucket has
//! more free ways (bank 0 on a tie), or to the bank the host names, and
//! reports [`CmdStatus::Full`] when there is no free way. The host, which
//! can compute the hash, may then move an entry of a full bucket to its
//! other bucket (read, remove, insert into the named bank) and retry, as
//! cuckoo hashing does; if it gives up the connection stays in host
//! software. Measured at 4096 entries and 4 ways (`model/tests/conn_table.rs`),
//! the fill level at the first FULL: one bucket per key 17 %, two choices
//! 65 %, two choices with up to 4 moves per insert 97 %. Slot numbers:
//! `(bank * buckets + bucket) * ways + way`.
//!
//! # Classes
//!
//! Every frame gets exactly one [`Class`]; the rules apply in the order of
//! the enum (the first that matches wins), comparisons in 32-bit sequence
//! space ([`seq_lt`]):
//!
//! - `Unparsed`: the parser refused it (its reason code says why).
//! - `BadCsum`: IPv4 header or TCP checksum bad. No state change.
//! - `Miss`: no entry for its 4-tuple.
//! - `Ctrl`: a flag other than ACK and PSH (any of the 12 flag bits,
//!   reserved ones included) is set, or ACK is not.
//! - `Opts`: an option other than NOP, EOL and timestamps (or a malformed
//!   option list).
//! - `Ack`: no payload. snd_una moves to the ACK number if that is newer.
//! - `Fast`: payload and seq == rcv_nxt: rcv_nxt += payload length; snd_una
//!   as for `Ack`.
//! - `Old`: seq + length <= rcv_nxt (retransmission, keep-alive).
//! - `Ahead`: seq > rcv_nxt (a hole).
//! - `Overlap`: seq < rcv_nxt < seq + length.
//!
//! Only `Fast` and `Ack` are handled by the engine. Every frame of a found
//! entry counts in `frames` and its payload in `bytes`; `Fast` and `Ack`
//! count in `fast`, the rest in `slow`. Counters wrap ([`FIELD_FRAMES`] and
//! friends give their widths): the host reads them often enough to extend
//! them, as with any NIC's statistics.
//!
//! # Ports
//!
//! A key travels as [`KEY_BITS`] bits: the Toeplitz input of
//! [`Key::hash_input`] padded with zeros to 36 bytes, byte 0 in the top
//! bits 287..280, and bit 288 set for IPv6 ([`Key::to_port`]). A frame's
//! result is a [`RESULT_BITS`]-bit word ([`FIELD_CLASS`], [`FIELD_HIT`],
//! [`FIELD_SLOT`], [`FIELD_HASH`]); an entry's state a [`STATE_BITS`]-bit word.

use crate::field::{Field, layout_is_sound};
use crate::rx_parse::{FIELD_OPTS, Opt};
use crate::tcp;
use crate::toeplitz;

/// The flags that make a frame `Ctrl`: every flag bit but ACK and PSH
/// (ACK must be set too).
pub const CTRL_FLAGS: u16 = ((1 << tcp::FLAG_BITS) - 1) & !(tcp::ACK | tcp::PSH);
/// The options that make a frame `Opts` (bit `i` is [`Opt`] `i`): every
/// one but timestamps.
pub const OTHER_OPTS: u8 = ((1u16 << FIELD_OPTS.width) - 1) as u8 & !(1 << Opt::Timestamps as u8);

/// The command port's words: a [`Command`] code, the bank an insert asks
/// for (see [`Command::Insert`]), a [`CmdStatus`] code; keys, slots and
/// states are [`KEY_BITS`], [`SLOT_BITS`] and [`STATE_BITS`] wide.
pub const OP_BITS: u32 = 3;
pub const BANK_BITS: u32 = 2;
pub const STATUS_BITS: u32 = 3;

pub const DEFAULT_ENTRIES: usize = 4096;
pub const DEFAULT_WAYS: usize = 4;
pub const BANKS: usize = 2;

pub const KEY_BITS: u32 = 289;
/// Slot numbers on the command port; a slot past the table is `BadSlot`.
pub const SLOT_BITS: u32 = 16;

pub const RESULT_BITS: u32 = 64;
pub const FIELD_CLASS: Field = Field::new("class", 0, 4);
pub const FIELD_HIT: Field = Field::new("hit", 4, 1);
pub const FIELD_SLOT: Field = Field::new("slot", 8, SLOT_BITS);
/// The Toeplitz hash of the key (for RSS queue selection).
pub const FIELD_HASH: Field = Field::new("hash", 32, 32);
const _: () = assert!(layout_is_sound(
    &[FIELD_CLASS, FIELD_HIT, FIELD_SLOT, FIELD_HASH],
    RESULT_BITS
));

pub const STATE_BITS: u32 = 208;
pub const FIELD_RCV_NXT: Field = Field::new("rcv_nxt", 0, 32);
pub const FIELD_SND_UNA: Field = Field::new("snd_una", 32, 32);
pub const FIELD_FRAMES: Field = Field::new("frames", 64, 32);
pub const FIELD_BYTES: Field = Field::new("bytes", 96, 48);
pub const FIELD_FAST: Field = Field::new("fast", 144, 32);
pub const FIELD_SLOW: Field = Field::new("slow", 176, 32);
pub const STATE_FIELDS: [Field; 6] = [
    FIELD_RCV_NXT,
    FIELD_SND_UNA,
    FIELD_FRAMES,
    FIELD_BYTES,
    FIELD_FAST,
    FIELD_SLOW,
];
/// The state fields follow each other from bit 0 and fill the word.
const fn state_is_packed() -> bool {
    let mut at = 0;
    let mut i = 0;
    while i < STATE_FIELDS.len() {
        if STATE_FIELDS[i].lsb != at {
            return false;
        }
        at += STATE_FIELDS[i].width;
        i += 1;
    }
    at == STATE_BITS
}
const _: () = assert!(state_is_packed());

/// The state word's bytes (little-endian, bit 0 first) as [`STATE_FIELDS`]
/// values; the inverse of [`pack_state`].
pub fn unpack_state(b: &[u8; STATE_BITS as usize / 8]) -> [u64; 6] {
    STATE_FIELDS.map(|f| {
        (0..f.width)
            .map(|i| {
                let bit = (f.lsb + i) as usize;
                u64::from(b[bit / 8] >> (bit % 8) & 1) << i
            })
            .sum()
    })
}

/// [`STATE_FIELDS`] values (each cut to its width) as the state word's bytes.
pub fn pack_state(values: [u64; 6]) -> [u8; STATE_BITS as usize / 8] {
    let mut b = [0u8; STATE_BITS as usize / 8];
    for (f, v) in STATE_FIELDS.iter().zip(values) {
        for i in 0..f.width {
            let bit = (f.lsb + i) as usize;
            b[bit / 8] |= ((v >> i & 1) as u8) << (bit % 8);
        }
    }
    b
}

/// A connection direction's 4-tuple, as it arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub v6: bool,
    /// IPv4 addresses in the first 4 bytes, the rest zero.
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub sport: u16,
    pub dport: u16,
}

impl Key {
    /// The Toeplitz input: 12 bytes for IPv4, 36 for IPv6.
    pub fn hash_input(&self) -> Vec<u8> {
        let n = if self.v6 { 16 } else { 4 };
        toeplitz::tuple(&self.src[..n], &self.dst[..n], self.sport, self.dport)
    }

    /// The key port's bits, least significant byte first.
    pub fn to_port(&self) -> [u8; 37] {
        let mut p = [0u8; 37];
        for (i, b) in self.hash_input().iter().enumerate() {
            p[35 - i] = *b;
        }
        p[36] = u8::from(self.v6);
        p
    }

    /// Reads a key port; `None` when the bits are no key (an IPv4 key
    /// with bits set past its 12 bytes, or bits above bit 288).
    pub fn from_port(p: &[u8; 37]) -> Option<Key> {
        let v6 = match p[36] {
            0 => false,
            1 => true,
            _ => return None,
        };
        let n = if v6 { 16 } else { 4 };
        let bytes: Vec<u8> = (0..36).map(|i| p[35 - i]).collect();
        if bytes[2 * n + 4..].iter().any(|&b| b != 0) {
            return None;
        }
        let mut k = Key {
            v6,
            src: [0; 16],
            dst: [0; 16],
            sport: u16::from_be_bytes([bytes[2 * n], bytes[2 * n + 1]]),
            dport: u16::from_be_bytes([bytes[2 * n + 2], bytes[2 * n + 3]]),
        };
        k.src[..n].copy_from_slice(&bytes[..n]);
        k.dst[..n].copy_from_slice(&bytes[n..2 * n]);
        Some(k)
    }

    /// The same connection seen from the other end.
    pub fn reverse(&self) -> Key {
        Key {
            v6: self.v6,
            src: self.dst,
            dst: self.src,
            sport: self.dport,
            dport: self.sport,
        }
    }
}

/// The two candidate buckets of a hash, bank 0 then bank 1.
pub fn buckets(hash: u32, buckets: usize) -> [usize; BANKS] {
    assert!(buckets.is_power_of_two() && buckets <= 1 << 16);
    [
        (hash as usize) & (buckets - 1),
        (hash as usize >> 16) & (buckets - 1),
    ]
}

/// `a` comes before `b` in sequence space (RFC 9293 section 3.4).
pub fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

pub fn seq_le(a: u32, b: u32) -> bool {
    a == b || seq_lt(a, b)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Class {
    Unparsed = 0,
    BadCsum = 1,
    Miss = 2,
    Ctrl = 3,
    Opts = 4,
    Ack = 5,
    Fast = 6,
    Old = 7,
    Ahead = 8,
    Overlap = 9,
}

impl Class {
    pub const ALL: [Class; 10] = [
        Class::Unparsed,
        Class::BadCsum,
        Class::Miss,
        Class::Ctrl,
        Class::Opts,
        Class::Ack,
        Class::Fast,
        Class::Old,
        Class::Ahead,
        Class::Overlap,
    ];

    pub fn from_code(code: u64) -> Option<Class> {
        Class::ALL.into_iter().find(|c| *c as u64 == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Class::Unparsed => "unparsed",
            Class::BadCsum => "bad_csum",
            Class::Miss => "miss",
            Class::Ctrl => "ctrl",
            Class::Opts => "opts",
            Class::Ack => "ack",
            Class::Fast => "fast",
            Class::Old => "old",
            Class::Ahead => "ahead",
            Class::Overlap => "overlap",
        }
    }

    /// Handled by the engine alone, never seen by the host.
    pub fn in_hardware(self) -> bool {
        matches!(self, Class::Fast | Class::Ack)
    }
}

/// Host commands, written to the command register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Command {
    /// Key, rcv_nxt, snd_una and a bank (0: the emptier bucket, 1: bank
    /// 0, 2 or 3: bank 1) in the argument registers; returns the slot
    /// (also with `Exists`).
    Insert = 1,
    Remove = 2,
    /// Returns the key, rcv_nxt and snd_una of a slot.
    Read = 3,
    WriteRcvNxt = 4,
    WriteSndUna = 5,
    /// Returns frames, bytes, fast and slow of a slot.
    ReadCounters = 6,
    /// `rx_place` (with `CAPS_PLACE`): posts the slot's receive ring
    /// (`CT_RING_LO`/`HI`, head in `CT_RCV_NXT`, TS.Recent in `CT_SND_UNA`
    /// with `rx_place::RING_PAWS`); `BadSlot` for a slot not
    /// installed or a ring the contract refuses.
    Post = 7,
    /// The application consumed the slot's ring up to `CT_RCV_NXT`.
    Consume = 8,
    /// Writes the slot's pending coalesced completion now (`Flush::Host`;
    /// `rx_place::FLUSH_ALL`: every slot's).
    Flush = 9,
}

/// What a command answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum CmdStatus {
    Ok = 0,
    /// No free way in the candidate bucket(s).
    Full = 1,
    /// The key is installed already (at the returned slot).
    Exists = 2,
    /// The slot number is outside the table.
    BadSlot = 3,
    /// The slot holds no entry.
    Empty = 4,
}

impl CmdStatus {
    pub const ALL: [CmdStatus; 5] = [
        CmdStatus::Ok,
        CmdStatus::Full,
        CmdStatus::Exists,
        CmdStatus::BadSlot,
        CmdStatus::Empty,
    ];

    pub fn from_code(code: u64) -> Option<CmdStatus> {
        CmdStatus::ALL.into_iter().find(|c| *c as u64 == code)
    }
}

/// A host command with its arguments, as the command registers carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// `bank`: `None` for the emptier bucket, else bank 0 or 1.
    Insert {
        key: Key,
        rcv_nxt: u32,
        snd_una: u32,
        bank: Option<usize>,
    },
    Remove(usize),
    Read(usize),
    WriteRcvNxt(usize, u32),
    WriteSndUna(usize, u32),
    ReadCounters(usize),
}

/// What a command answers: only the fields the command defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: CmdStatus,
    /// Insert: the slot taken (or holding the key, with `Exists`).
    pub slot: Option<usize>,
    /// Read: key, rcv_nxt, snd_una.
    pub entry: Option<(Key, u32, u32)>,
    /// ReadCounters: frames, bytes, fast, slow.
    pub counters: Option<[u64; 4]>,
}

impl Answer {
    pub fn status(status: CmdStatus) -> Answer {
        Answer {
            status,
            slot: None,
            entry: None,
            counters: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_space_comparisons_wrap() {
        // RFC 9293 3.4: comparisons are modulo 2^32.
        assert!(seq_lt(0xFFFF_FFF0, 0x10));
        assert!(!seq_lt(0x10, 0xFFFF_FFF0));
        assert!(seq_lt(1, 2) && !seq_lt(2, 1) && !seq_lt(5, 5));
        assert!(seq_le(5, 5) && seq_le(0xFFFF_FFFF, 0));
        assert!(seq_lt(0, 0x7FFF_FFFF) && seq_lt(0x8000_0001, 0));
    }

    #[test]
    fn key_port_round_trips_and_rejects_stray_bits() {
        let mut k = Key {
            v6: false,
            src: [0; 16],
            dst: [0; 16],
            sport: 0x1234,
            dport: 80,
        };
        k.src[..4].copy_from_slice(&[10, 0, 0, 1]);
        k.dst[..4].copy_from_slice(&[10, 0, 0, 2]);
        let p = k.to_port();
        // Byte 0 of the tuple (10) sits in bits 287..280.
        assert_eq!(p[35], 10);
        assert_eq!(p[24..36], [0x50, 0, 0x34, 0x12, 2, 0, 0, 10, 1, 0, 0, 10]);
        assert_eq!(Key::from_port(&p), Some(k));
        let mut bad = p;
        bad[0] = 1;
        assert_eq!(Key::from_port(&bad), None);
        let mut v6 = k;
        v6.v6 = true;
        v6.src[15] = 7;
        assert_eq!(Key::from_port(&v6.to_port()), Some(v6));
    }

    #[test]
    fn state_word_round_trips_field_by_field() {
        let v = [
            0xDEAD_BEEF,
            1,
            0xFFFF_FFFF,
            0xABCD_EF01_2345,
            7,
            0x8000_0000,
        ];
        let b = pack_state(v);
        // rcv_nxt is the first 32 bits, little-endian.
        assert_eq!(b[..4], [0xEF, 0xBE, 0xAD, 0xDE]);
        assert_eq!(unpack_state(&b), v);
    }

    #[test]
    fn buckets_take_both_halves_of_the_hash() {
        assert_eq!(buckets(0x0123_4567, 512), [0x167, 0x123]);
        assert_eq!(buckets(0xFFFF_0000, 1024), [0, 0x3FF]);
    }
}
