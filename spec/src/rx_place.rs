//! `rx_place`: receive payload placement, one out-of-order interval per
//! connection, and coalesced completions.
//!
//! # Buffers
//!
//! The host posts one receive ring per installed direction: `2^log_size`
//! bytes of host memory at `base` ([`RING_ALIGN`]-aligned, `log_size` in
//! [`MIN_LOG_SIZE`]..=[`MAX_LOG_SIZE`]), and `head`, the sequence number of
//! the first byte the application has not consumed. The byte with sequence
//! number `s` lives at offset `s mod 2^log_size`, so the ring needs no
//! origin and the host moves it forward by writing a new `head`. A segment
//! `[seq, seq + len)` fits when `head <= seq` and
//! `seq + len <= head + 2^log_size` (sequence space): the ring is the
//! receive window, and nothing the application has not read is overwritten.
//!
//! # Placement
//!
//! After `conn_table` has classed a frame of an installed direction
//! (payload only, headers are never written):
//!
//! - `Fast` (seq == rcv_nxt) that fits: placed.
//! - `Ahead` (seq > rcv_nxt) that fits, when the direction has no interval
//!   or the segment touches it (`seq <= ooo_end` and `ooo_start <= end`):
//!   placed, and the interval becomes the union.
//! - `Ahead` that fits and starts past the interval (`ooo_end < seq`, a
//!   new hole after it): placed, and the interval becomes the segment.
//!   The sender's next segments land there, so after a second loss in a
//!   window the engine keeps placing the newest data instead of leaving
//!   the rest of the window to the host. Nothing is lost: the host was
//!   told of the old interval (an out-of-order event) and holds its
//!   bytes, and its rcv_nxt write moves the engine past them.
//! - `Ahead` inside the hole, apart from the interval (a retransmission
//!   after a second loss): the host's ([`Unplaced::SecondHole`]).
//! - Whenever rcv_nxt reaches the interval (`ooo_start <= rcv_nxt`), by a
//!   frame or by the host writing rcv_nxt, rcv_nxt jumps to
//!   `max(rcv_nxt, ooo_end)` and the interval is gone.
//! - `Old` and `Overlap` go to the host as before: the host answers them
//!   (duplicate ACK, D-SACK), as Linux does for data below rcv_nxt.
//!
//! A data frame that is not placed goes to the host as a frame, counted
//! with its [`Unplaced`] reason. rcv_nxt moves only over bytes in the ring
//! or by a host write: a `Fast` frame that is not placed puts the table's
//! rcv_nxt back where it was, and the host writes it forward once its
//! stack has taken the frame. Otherwise bytes the stack refused would
//! leave a range of the ring, never written, below rcv_nxt.
//!
//! # PAWS
//!
//! Where the host posted the ring with [`RING_PAWS`] (the connection
//! negotiated timestamps), the direction keeps TS.Recent, given with the
//! post. A `Fast`, `Ahead` or coalescible ACK frame whose TSval is older
//! (`TSval < TS.Recent`, sequence space) goes to the host
//! ([`Unplaced::Paws`]), as RFC 7323 §5.3 drops it; every other such
//! frame with a timestamp moves TS.Recent to its TSval. A completion
//! covers only frames that pass, and carries TS.Recent and that frame's
//! TSecr, so the host's own PAWS check of the completion is the check of
//! every frame it covers. A frame without the option is not checked
//! (Linux accepts it) and leaves the timestamps alone. TS.Recent moves on
//! every frame that passes, not only at Last.ACK.sent as RFC 7323 §4.3
//! says: it is never behind the host's, so the engine refuses at least
//! what the host would.
//!
//! # Coalescing
//!
//! Placed frames and ACKs that move snd_una (pure ACKs whose ACK number is
//! newer than the last one seen) add to the direction's pending
//! completion, which records the latest ACK number, window and timestamps
//! and counts frames and CE marks. A duplicate ACK (no data, ACK number not
//! newer) and every other frame goes to the host as a frame. The pending
//! completion is written ([`Flush`]) when its bytes (in order, or grown
//! onto the interval, as GRO merges an out-of-order train too) reach `N`,
//! `T` cycles after its first frame, on a placed frame with PSH, on an
//! out-of-order event (the interval appears, moves or is consumed: the
//! stack ACKs those at once), on the host's flush command, and before any frame of the same direction
//! goes to the host, so that the host sees every direction's events in
//! arrival order. The RTL keeps its timers in a queue with one entry per
//! table slot; if more completions than that start within `T` (never at
//! one frame per five cycles while `T < 5 * slots`, 20 475 cycles for
//! 4096 slots), the oldest timer runs early.
//!
//! # Commands
//!
//! Where `regs::CAPS` has `CAPS_PLACE`, the host posts a slot's ring after
//! installing it (`conn_table::Command::Post`, [`ring_lo`] in
//! `CT_RING_LO`, with [`RING_PAWS`] and TS.Recent in `CT_SND_UNA` where
//! the connection negotiated timestamps), moves its head with `Consume`, and may ask for the
//! pending completion with `Flush` ([`FLUSH_ALL`] in `CT_SLOT`: every
//! slot's, oldest first, as Linux flushes GRO at the end of a NAPI poll). Removing the slot drops its ring and
//! any pending completion (write `Flush` first to keep it).
//!
//! # Completion
//!
//! A [`PlaceCpl`] takes two consecutive 16-byte entries of the RX
//! completion ring, each with its phase in bit 0; entry 0 has
//! [`STATUS_PLACED`] in the RX completion's status field.

use crate::field::{Field, layout_is_sound};

pub const MIN_LOG_SIZE: u8 = 12;
/// `CT_SLOT` of a `Flush` that writes every pending completion (no table
/// has this many slots).
pub const FLUSH_ALL: u16 = 0xFFFF;
/// A ring's base is a multiple of its smallest size, so `CT_RING_LO`
/// has room for the log size below it.
pub const RING_ALIGN: u64 = 1 << MIN_LOG_SIZE;
/// 16 MiB: the interval's length field ([`FIELD_PC_OOO_LEN`]) holds any
/// offset in the ring.
pub const MAX_LOG_SIZE: u8 = 24;
/// `N` and `T` (`regs::PLACE_BYTES`, `regs::PLACE_TIME`). Defaults: 64 KiB, a GRO super-segment, and
/// 12 500 cycles, 100 µs at the 1 Gb/s build's [`CLOCK_HZ`] (the order of
/// a NIC's interrupt moderation timer, e.g. ixgbe's 125 µs).
pub const DEFAULT_BYTES: u32 = 64 * 1024;
pub const DEFAULT_TIME: u64 = 12_500;
pub const CLOCK_HZ: u64 = 125_000_000;

/// `CT_RING_LO` for a ring at `base` of `2^log_size` bytes; `None` when
/// the contract refuses the ring.
pub fn ring_lo(base: u64, log_size: u8) -> Option<u32> {
    let ok = base.is_multiple_of(RING_ALIGN) && (MIN_LOG_SIZE..=MAX_LOG_SIZE).contains(&log_size);
    ok.then_some(base as u32 | u32::from(log_size))
}

/// `CT_RING_LO` bit 5 of a post: the direction checks PAWS against the
/// TS.Recent in `CT_SND_UNA`.
pub const RING_PAWS: u32 = 1 << 5;

/// The base and log size `CT_RING_LO` and `CT_RING_HI` name.
pub fn ring_of(lo: u32, hi: u32) -> (u64, u8) {
    let base = u64::from(hi) << 32 | u64::from(lo) & !(RING_ALIGN - 1);
    (base, (lo & 0x1F) as u8)
}

/// `rx_place`'s counters (32 bits, wrapping, read-only, cleared by
/// reset), present where `CAPS_PLACE` is set: what was placed, and each
/// [`Unplaced`] reason and [`Flush`] reason, in their code order.
pub const COUNTER_BASE: u32 = 0x480;
pub const COUNTERS: [&str; 15] = [
    "PLACED_FRAMES",
    "PLACED_BYTES",
    "COALESCED_ACKS",
    "PLACE_COMPLETIONS",
    "UNPLACED_NO_BUFFER",
    "UNPLACED_FULL",
    "UNPLACED_SECOND_HOLE",
    "UNPLACED_BELOW",
    "UNPLACED_PAWS",
    "FLUSH_BYTES",
    "FLUSH_TIME",
    "FLUSH_PSH",
    "FLUSH_OUT_OF_ORDER",
    "FLUSH_HOST",
    "FLUSH_ORDER",
];
const _: () = assert!(4 + Unplaced::ALL.len() + Flush::ALL.len() == COUNTERS.len());

/// The RX completion status code of entry 0 of a [`PlaceCpl`]; the
/// per-frame codes are `ring::RxStatus`.
pub const STATUS_PLACED: u64 = 3;
pub const PLACE_CPL_BYTES: usize = 32;

/// Why a data frame of an installed direction was not placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Unplaced {
    /// The host posted no ring for the direction.
    NoBuffer = 0,
    /// The segment does not fit between `head` and `head + size`.
    Full = 1,
    /// Ahead of rcv_nxt, in the hole before the interval and apart from it.
    SecondHole = 2,
    /// Below rcv_nxt in part or whole (`Old`, `Overlap`).
    Below = 3,
    /// A TSval older than TS.Recent (data or a coalescible ACK).
    Paws = 4,
}

impl Unplaced {
    pub const ALL: [Unplaced; 5] = [
        Unplaced::NoBuffer,
        Unplaced::Full,
        Unplaced::SecondHole,
        Unplaced::Below,
        Unplaced::Paws,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Unplaced::NoBuffer => "no_buffer",
            Unplaced::Full => "full",
            Unplaced::SecondHole => "second_hole",
            Unplaced::Below => "below",
            Unplaced::Paws => "paws",
        }
    }
}

/// Why a pending completion was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Flush {
    Bytes = 0,
    Time = 1,
    Psh = 2,
    OutOfOrder = 3,
    Host = 4,
    /// A frame of the direction goes to the host next.
    Order = 5,
}

impl Flush {
    pub const ALL: [Flush; 6] = [
        Flush::Bytes,
        Flush::Time,
        Flush::Psh,
        Flush::OutOfOrder,
        Flush::Host,
        Flush::Order,
    ];

    pub fn from_code(c: u64) -> Option<Flush> {
        Flush::ALL.into_iter().find(|f| *f as u64 == c)
    }

    pub fn name(self) -> &'static str {
        match self {
            Flush::Bytes => "bytes",
            Flush::Time => "time",
            Flush::Psh => "psh",
            Flush::OutOfOrder => "out_of_order",
            Flush::Host => "host",
            Flush::Order => "order",
        }
    }
}

// Entry 0, word 0 (phase and status as in every RX completion).
pub const FIELD_PC_STATUS: Field = Field::new("status", 1, 2);
pub const FIELD_PC_FLUSH: Field = Field::new("flush", 4, 4);
pub const FIELD_PC_SLOT: Field = Field::new("slot", 16, 16);
pub const FIELD_PC_RCV_NXT: Field = Field::new("rcv_nxt", 32, 32);
// Entry 0, word 1.
pub const FIELD_PC_ACK: Field = Field::new("ack", 0, 32);
pub const FIELD_PC_WINDOW: Field = Field::new("window", 32, 16);
pub const FIELD_PC_FRAMES: Field = Field::new("frames", 48, 8);
pub const FIELD_PC_CE: Field = Field::new("ce", 56, 8);
// Entry 1, word 0 (phase in bit 0); the interval is `[ooo_start,
// ooo_start + ooo_len)`, empty when `ooo_len` is 0.
pub const FIELD_PC_OOO_LEN: Field = Field::new("ooo_len", 8, 24);
pub const FIELD_PC_OOO_START: Field = Field::new("ooo_start", 32, 32);
// Entry 1, word 1.
pub const FIELD_PC_TSVAL: Field = Field::new("tsval", 0, 32);
pub const FIELD_PC_TSECR: Field = Field::new("tsecr", 32, 32);

const PHASE: Field = crate::ring::FIELD_PHASE;
const _: () = assert!(layout_is_sound(
    &[
        PHASE,
        FIELD_PC_STATUS,
        FIELD_PC_FLUSH,
        FIELD_PC_SLOT,
        FIELD_PC_RCV_NXT
    ],
    64
));
const _: () = assert!(layout_is_sound(
    &[FIELD_PC_ACK, FIELD_PC_WINDOW, FIELD_PC_FRAMES, FIELD_PC_CE],
    64
));
const _: () = assert!(layout_is_sound(
    &[PHASE, FIELD_PC_OOO_LEN, FIELD_PC_OOO_START],
    64
));
const _: () = assert!(1 << MAX_LOG_SIZE <= FIELD_PC_OOO_LEN.max() + 1);

/// A coalesced completion: where a direction stands after the frames it
/// covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceCpl {
    pub slot: u16,
    pub flush: Flush,
    /// The table's rcv_nxt: every byte before it is in the ring.
    pub rcv_nxt: u32,
    /// The latest ACK number and window seen; TS.Recent and the TSecr
    /// of the frame that set it (0 when no frame carried the option).
    pub ack: u32,
    pub window: u16,
    pub tsval: u32,
    pub tsecr: u32,
    /// Frames covered (saturating) and CE marks among them (saturating).
    pub frames: u8,
    pub ce: u8,
    /// `[start, end)` placed beyond rcv_nxt, if any.
    pub ooo: Option<(u32, u32)>,
}

impl PlaceCpl {
    /// Both ring entries, each with `phase` in bit 0.
    pub fn to_bytes(&self, phase: u64) -> [u8; PLACE_CPL_BYTES] {
        let pack = |fields: &[(Field, u64)]| {
            fields
                .iter()
                .fold(0u64, |w, &(f, v)| f.put(w, v).expect("fits"))
        };
        let (start, len) = self
            .ooo
            .map_or((0, 0), |(s, e)| (s, u64::from(e.wrapping_sub(s))));
        let w = [
            pack(&[
                (PHASE, phase),
                (FIELD_PC_STATUS, STATUS_PLACED),
                (FIELD_PC_FLUSH, self.flush as u64),
                (FIELD_PC_SLOT, self.slot.into()),
                (FIELD_PC_RCV_NXT, self.rcv_nxt.into()),
            ]),
            pack(&[
                (FIELD_PC_ACK, self.ack.into()),
                (FIELD_PC_WINDOW, self.window.into()),
                (FIELD_PC_FRAMES, self.frames.into()),
                (FIELD_PC_CE, self.ce.into()),
            ]),
            pack(&[
                (PHASE, phase),
                (FIELD_PC_OOO_LEN, len),
                (FIELD_PC_OOO_START, start.into()),
            ]),
            pack(&[
                (FIELD_PC_TSVAL, self.tsval.into()),
                (FIELD_PC_TSECR, self.tsecr.into()),
            ]),
        ];
        let mut b = [0; PLACE_CPL_BYTES];
        for (i, x) in w.iter().enumerate() {
            b[8 * i..8 * i + 8].copy_from_slice(&x.to_le_bytes());
        }
        b
    }

    /// `None` when entry 0 is not a placement completion or the flush code
    /// is not one the contract defines.
    pub fn from_bytes(b: &[u8; PLACE_CPL_BYTES]) -> Option<PlaceCpl> {
        let w: [u64; 4] = std::array::from_fn(|i| {
            u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8 bytes"))
        });
        if FIELD_PC_STATUS.get(w[0]) != STATUS_PLACED {
            return None;
        }
        let start = FIELD_PC_OOO_START.get(w[2]) as u32;
        let len = FIELD_PC_OOO_LEN.get(w[2]) as u32;
        Some(PlaceCpl {
            slot: FIELD_PC_SLOT.get(w[0]) as u16,
            flush: Flush::from_code(FIELD_PC_FLUSH.get(w[0]))?,
            rcv_nxt: FIELD_PC_RCV_NXT.get(w[0]) as u32,
            ack: FIELD_PC_ACK.get(w[1]) as u32,
            window: FIELD_PC_WINDOW.get(w[1]) as u16,
            frames: FIELD_PC_FRAMES.get(w[1]) as u8,
            ce: FIELD_PC_CE.get(w[1]) as u8,
            ooo: (len > 0).then(|| (start, start.wrapping_add(len))),
            tsval: FIELD_PC_TSVAL.get(w[3]) as u32,
            tsecr: FIELD_PC_TSECR.get(w[3]) as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::RxStatus;

    #[test]
    fn placed_status_is_no_per_frame_status() {
        assert_eq!(RxStatus::from_code(STATUS_PLACED), None);
        assert_eq!(crate::ring::FIELD_RXC_STATUS, FIELD_PC_STATUS);
    }

    #[test]
    fn ring_registers_round_trip_and_refuse_what_the_contract_does() {
        let base = 0x1234_5678_9ABC_D000;
        let lo = ring_lo(base, 20).unwrap();
        assert_eq!(ring_of(lo, (base >> 32) as u32), (base, 20));
        assert_eq!(ring_lo(base + 8, 20), None);
        assert_eq!(ring_lo(base, 11), None);
        assert_eq!(ring_lo(base, 25), None);
    }

    #[test]
    fn completion_round_trips_with_a_wrapping_interval() {
        let c = PlaceCpl {
            slot: 4095,
            flush: Flush::OutOfOrder,
            rcv_nxt: 0xFFFF_F000,
            ack: 0xDEAD_BEEF,
            window: 0xFFFF,
            tsval: 1,
            tsecr: 0x8000_0000,
            frames: 255,
            ce: 3,
            ooo: Some((0xFFFF_FF00, 0x100)),
        };
        let b = c.to_bytes(1);
        assert_eq!((b[0] & 1, b[16] & 1), (1, 1));
        // Status 3 in bits 2..1 of entry 0.
        assert_eq!(b[0] >> 1 & 3, 3);
        // The interval is 0x200 long, across the wrap.
        assert_eq!(u32::from_le_bytes([b[17], b[18], b[19], 0]), 0x200);
        assert_eq!(PlaceCpl::from_bytes(&b), Some(c));
        assert_eq!(PlaceCpl::from_bytes(&[0; PLACE_CPL_BYTES]), None);
    }
}
