//! `tx_checksum`: fills in checksums of outgoing frames on request.
//!
//! Each frame carries a 32-bit [`Command`] on its first beat (the `cmd`
//! sideband of the input stream). The request follows Linux's
//! `CHECKSUM_PARTIAL` contract, so a driver can hand over what the stack
//! gives it:
//!
//! * `l4`: sum every byte from `csum_start` to the end of the frame as it
//!   arrives (the checksum field holds the pseudo-header sum the stack put
//!   there), and write the ones' complement of the sum at
//!   `csum_start + csum_offset`, most significant byte first. A result of
//!   0x0000 is written as 0xFFFF, as `skb_checksum_help` does (RFC 768).
//! * `ip`: compute the IPv4 header checksum of the header at `l3_offset`
//!   (its length taken from its IHL, its checksum field counted as zero) and
//!   write it at `l3_offset + 10`.
//!
//! Both sums are taken over the frame as it arrived; if the two fields
//! overlap, the L4 checksum is written last. The frame must not carry
//! Ethernet padding when `l4` is requested (padding is added after this
//! block, as on Linux).
//!
//! A request that does not fit the frame is refused: the frame leaves
//! unchanged, with `user` set on its last beat so the MAC drops it, and the
//! [`Status`] on the output `status` sideband says why. Frames longer than
//! the instance's buffer are cut to its maximum length and refused with
//! [`Status::TooLong`].

use crate::field::{Field, layout_is_sound};

pub const CMD_BITS: u32 = 32;
pub const FIELD_L3_OFFSET: Field = Field::new("l3_offset", 0, 10);
pub const FIELD_CSUM_START: Field = Field::new("csum_start", 10, 10);
pub const FIELD_CSUM_OFFSET: Field = Field::new("csum_offset", 20, 8);
pub const FIELD_IP_EN: Field = Field::new("ip", 28, 1);
pub const FIELD_L4_EN: Field = Field::new("l4", 29, 1);

pub const FIELDS: [Field; 5] = [
    FIELD_L3_OFFSET,
    FIELD_CSUM_START,
    FIELD_CSUM_OFFSET,
    FIELD_IP_EN,
    FIELD_L4_EN,
];
const _: () = assert!(layout_is_sound(&FIELDS, CMD_BITS));

/// Width of the `status` sideband on the output stream.
pub const STATUS_BITS: u32 = 3;

/// Offset of the checksum field inside a TCP header (Linux `csum_offset`).
pub const TCP_CSUM_OFFSET: u16 = 16;
/// Offset of the checksum field inside a UDP header.
pub const UDP_CSUM_OFFSET: u16 = 6;

/// What to fill in for one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Command {
    pub ip: bool,
    pub l4: bool,
    pub l3_offset: u16,
    pub csum_start: u16,
    pub csum_offset: u16,
}

/// A command that cannot be encoded: one of its offsets is too large.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldTooLarge {
    pub field: &'static str,
    pub value: u64,
    pub max: u64,
}

impl std::fmt::Display for FieldTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "tx checksum command: {} = {} exceeds {}",
            self.field, self.value, self.max
        )
    }
}

impl std::error::Error for FieldTooLarge {}

impl Command {
    pub fn pack(&self) -> Result<u32, FieldTooLarge> {
        let mut w = 0;
        for (f, v) in [
            (FIELD_L3_OFFSET, u64::from(self.l3_offset)),
            (FIELD_CSUM_START, u64::from(self.csum_start)),
            (FIELD_CSUM_OFFSET, u64::from(self.csum_offset)),
            (FIELD_IP_EN, u64::from(self.ip)),
            (FIELD_L4_EN, u64::from(self.l4)),
        ] {
            w = f.put(w, v).ok_or(FieldTooLarge {
                field: f.name,
                value: v,
                max: f.max(),
            })?;
        }
        Ok(w as u32)
    }

    pub fn unpack(raw: u32) -> Self {
        let w = u64::from(raw);
        Self {
            ip: FIELD_IP_EN.get(w) != 0,
            l4: FIELD_L4_EN.get(w) != 0,
            l3_offset: FIELD_L3_OFFSET.get(w) as u16,
            csum_start: FIELD_CSUM_START.get(w) as u16,
            csum_offset: FIELD_CSUM_OFFSET.get(w) as u16,
        }
    }
}

/// Outcome for one frame, checked in this order (the first that applies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    Ok = 0,
    /// The frame is longer than the block can buffer.
    TooLong = 1,
    /// `ip` asked, but the frame is shorter than `l3_offset + 20`.
    IpOutsideFrame = 2,
    /// `ip` asked, but the byte at `l3_offset` does not say version 4.
    IpNotV4 = 3,
    /// `ip` asked, but the IHL is below 5.
    IpBadIhl = 4,
    /// `ip` asked, but the IHL says the header runs past the frame.
    IpOptionsOutsideFrame = 5,
    /// `l4` asked, but the checksum field lies outside the frame.
    L4OutsideFrame = 6,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Ok,
        Status::TooLong,
        Status::IpOutsideFrame,
        Status::IpNotV4,
        Status::IpBadIhl,
        Status::IpOptionsOutsideFrame,
        Status::L4OutsideFrame,
    ];

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u8 == code)
    }

    /// Stable name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::TooLong => "too_long",
            Status::IpOutsideFrame => "ip_outside_frame",
            Status::IpNotV4 => "ip_not_v4",
            Status::IpBadIhl => "ip_bad_ihl",
            Status::IpOptionsOutsideFrame => "ip_options_outside_frame",
            Status::L4OutsideFrame => "l4_outside_frame",
        }
    }
}

const _: () = assert!((Status::L4OutsideFrame as u32) < (1 << STATUS_BITS));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_round_trip() {
        let c = Command {
            ip: true,
            l4: true,
            l3_offset: 22,
            csum_start: 1023,
            csum_offset: 16,
        };
        assert_eq!(Command::unpack(c.pack().unwrap()), c);
    }

    #[test]
    fn oversized_offsets_are_refused() {
        let c = Command {
            csum_start: 1024,
            ..Default::default()
        };
        assert_eq!(c.pack().unwrap_err().field, "csum_start");
    }

    #[test]
    fn status_codes_are_unique_and_decode() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s as u8), Some(s));
        }
        assert_eq!(Status::from_code(7), None);
    }
}
