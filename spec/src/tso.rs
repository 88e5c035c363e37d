//! `tso`: cuts a TCP super-frame into segments the way Linux GSO does.
//!
//! Each frame on the TX stream carries a 64-bit [`Desc`] on its first beat
//! (the `desc` sideband). With `tso` clear the frame passes as it is, and
//! the checksum flags are handed on to `tx_checksum`. With `tso` set the
//! frame is a super-frame: `hdr_len` bytes of Ethernet (+802.1Q), IPv4 or
//! IPv6 (no extension headers) and TCP header, then up to 64 KB of payload.
//! It leaves as ceil(payload / `mss`) segments (one if the payload is at
//! most `mss`), each with the header copied and fixed as
//! `tcp_gso_segment`/`inet_gso_segment`/`ipv6_gso_segment` fix it:
//!
//! * IPv4 total length and IPv6 payload length of the segment;
//! * IPv4 ID plus the segment's index, unless `fixed_id`;
//! * TCP sequence number plus `mss` per segment; CWR kept on the first
//!   segment only, FIN and PSH on the last only; options copied unchanged;
//! * the TCP checksum field holds the pseudo-header sum the host wrote for
//!   the whole super-frame (Linux `CHECKSUM_PARTIAL`); it is moved to each
//!   segment's length the way Linux does (`check - len + seg_len`, ones'
//!   complement), then `tx_checksum` sums the segment over it; the IPv4
//!   header checksum is computed afresh.
//!
//! A single-segment super-frame leaves with its header untouched, as on
//! Linux (which returns it unsegmented), except for the checksums.
//!
//! `len` is the frame's length as the host posted it: the descriptor is
//! checked before any byte leaves. A refused frame is dropped whole and
//! never sent; a frame that ends early loses the segments it does not hold
//! entirely; bytes past `len` are dropped. A frame the host marks bad
//! (`user` on its last beat) cannot be recalled, as segments may already be
//! out; its last segment, which always waits for the last byte, leaves
//! marked bad (the MAC drops it, so the peer sees a hole and TCP recovers).
//! Every frame ends with one [`Status`] and the count of segments sent on
//! the `done` port.

use crate::field::{Field, layout_is_sound};
use crate::tx_csum;

/// Bits of the descriptor (61: the host keeps it in a `u64`).
pub const DESC_BITS: u32 = 61;
pub const FIELD_LEN: Field = Field::new("len", 0, 17);
pub const FIELD_MSS: Field = Field::new("mss", 17, 14);
pub const FIELD_L3: Field = Field::new("l3_offset", 31, 8);
pub const FIELD_L4: Field = Field::new("l4_offset", 39, 8);
pub const FIELD_HDR: Field = Field::new("hdr_len", 47, 8);
pub const FIELD_TSO: Field = Field::new("tso", 55, 1);
pub const FIELD_V6: Field = Field::new("v6", 56, 1);
pub const FIELD_FIXED_ID: Field = Field::new("fixed_id", 57, 1);
pub const FIELD_IP_CSUM: Field = Field::new("ip_csum", 58, 1);
pub const FIELD_L4_CSUM: Field = Field::new("l4_csum", 59, 1);
pub const FIELD_UDP: Field = Field::new("udp", 60, 1);

pub const FIELDS: [Field; 11] = [
    FIELD_LEN,
    FIELD_MSS,
    FIELD_L3,
    FIELD_L4,
    FIELD_HDR,
    FIELD_TSO,
    FIELD_V6,
    FIELD_FIXED_ID,
    FIELD_IP_CSUM,
    FIELD_L4_CSUM,
    FIELD_UDP,
];
const _: () = assert!(layout_is_sound(&FIELDS, DESC_BITS));

/// Largest MSS a super-frame may ask for (a 9000-byte jumbo payload).
pub const MSS_MAX: u16 = 9000;
/// Longest frame the block sends: a jumbo segment with the longest header.
pub const FRAME_MAX: usize = 9600;
/// A super-frame's IP datagram (from `l3_offset`) may be at most this long.
pub const DATAGRAM_MAX: usize = 65535;
/// Smallest IP header before the TCP header: IPv4 without options, IPv6.
pub const IPV4_MIN: usize = 20;
pub const IPV6_LEN: usize = 40;
pub const TCP_MIN: usize = 20;
/// TCP flags Linux moves between segments.
pub const TCP_FIN: u8 = 0x01;
pub const TCP_PSH: u8 = 0x08;
pub const TCP_CWR: u8 = 0x80;

/// Width of the `done` port's status and segment count.
pub const STATUS_BITS: u32 = 4;
pub const SEGMENTS_BITS: u32 = 16;

/// What to do with one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Desc {
    /// Bytes the host posted for this frame.
    pub len: u32,
    pub mss: u16,
    pub l3_offset: u8,
    pub l4_offset: u8,
    pub hdr_len: u8,
    pub tso: bool,
    pub v6: bool,
    pub fixed_id: bool,
    /// Without `tso`: ask `tx_checksum` for the IPv4 header checksum.
    pub ip_csum: bool,
    /// Without `tso`: ask `tx_checksum` for the L4 checksum at `l4_offset`.
    pub l4_csum: bool,
    /// The L4 checksum is UDP's (offset 6), not TCP's (16).
    pub udp: bool,
}

/// A descriptor that cannot be encoded: one of its fields is too large.
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
            "tso descriptor: {} = {} exceeds {}",
            self.field, self.value, self.max
        )
    }
}

impl std::error::Error for FieldTooLarge {}

impl Desc {
    fn values(&self) -> [(Field, u64); 11] {
        [
            (FIELD_LEN, u64::from(self.len)),
            (FIELD_MSS, u64::from(self.mss)),
            (FIELD_L3, u64::from(self.l3_offset)),
            (FIELD_L4, u64::from(self.l4_offset)),
            (FIELD_HDR, u64::from(self.hdr_len)),
            (FIELD_TSO, u64::from(self.tso)),
            (FIELD_V6, u64::from(self.v6)),
            (FIELD_FIXED_ID, u64::from(self.fixed_id)),
            (FIELD_IP_CSUM, u64::from(self.ip_csum)),
            (FIELD_L4_CSUM, u64::from(self.l4_csum)),
            (FIELD_UDP, u64::from(self.udp)),
        ]
    }

    pub fn pack(&self) -> Result<u64, FieldTooLarge> {
        self.values().into_iter().try_fold(0, |w, (f, v)| {
            f.put(w, v).ok_or(FieldTooLarge {
                field: f.name,
                value: v,
                max: f.max(),
            })
        })
    }

    pub fn unpack(w: u64) -> Self {
        let g = |f: Field| f.get(w);
        Self {
            len: g(FIELD_LEN) as u32,
            mss: g(FIELD_MSS) as u16,
            l3_offset: g(FIELD_L3) as u8,
            l4_offset: g(FIELD_L4) as u8,
            hdr_len: g(FIELD_HDR) as u8,
            tso: g(FIELD_TSO) != 0,
            v6: g(FIELD_V6) != 0,
            fixed_id: g(FIELD_FIXED_ID) != 0,
            ip_csum: g(FIELD_IP_CSUM) != 0,
            l4_csum: g(FIELD_L4_CSUM) != 0,
            udp: g(FIELD_UDP) != 0,
        }
    }

    /// A TSO super-frame descriptor for a frame of `len` bytes whose TCP
    /// header ends at `hdr_len`.
    pub fn tso(len: usize, mss: u16, l3: u8, l4: u8, hdr_len: u8, v6: bool) -> Self {
        Self {
            len: len as u32,
            mss,
            l3_offset: l3,
            l4_offset: l4,
            hdr_len,
            tso: true,
            v6,
            ..Default::default()
        }
    }

    /// What `tx_checksum` is asked to fill in for each frame sent.
    pub fn checksum_command(&self) -> tx_csum::Command {
        tx_csum::Command {
            ip: if self.tso { !self.v6 } else { self.ip_csum },
            l4: self.tso || self.l4_csum,
            l3_offset: self.l3_offset.into(),
            csum_start: self.l4_offset.into(),
            csum_offset: if self.udp && !self.tso {
                tx_csum::UDP_CSUM_OFFSET
            } else {
                tx_csum::TCP_CSUM_OFFSET
            },
        }
    }
}

/// How a frame ended, checked in this order (the first that applies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Status {
    Ok = 0,
    /// `tso` with an MSS of 0 or above [`MSS_MAX`]. Refused.
    BadMss = 1,
    /// `tso`: the datagram is over [`DATAGRAM_MAX`]; without `tso`: `len`
    /// is over [`FRAME_MAX`]. Refused.
    TooLong = 2,
    /// `tso`: the headers do not fit: `hdr_len` past `len`, the IP header
    /// shorter than its minimum before `l4_offset`, or the TCP header
    /// shorter than 20 bytes. Refused.
    BadHeader = 3,
    /// `tso`: the IP version is not the one `v6` says, or the protocol /
    /// next header is not TCP. Refused.
    NotTcp = 4,
    /// `tso`: `hdr_len` is not where the TCP data offset ends the header.
    /// Refused.
    HeaderLengthMismatch = 5,
    /// The frame ended before `len` bytes: the segments it held whole were
    /// sent, the rest dropped.
    Truncated = 6,
    /// The frame ran past `len`: the bytes past it were dropped.
    Overlong = 7,
    /// The host marked the frame bad: its last segment left marked bad.
    HostError = 8,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Ok,
        Status::BadMss,
        Status::TooLong,
        Status::BadHeader,
        Status::NotTcp,
        Status::HeaderLengthMismatch,
        Status::Truncated,
        Status::Overlong,
        Status::HostError,
    ];

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u8 == code)
    }

    /// Whether the descriptor was refused (nothing of the frame was sent).
    pub fn refused(self) -> bool {
        !matches!(
            self,
            Status::Ok | Status::Truncated | Status::Overlong | Status::HostError
        )
    }

    /// Stable name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::BadMss => "bad_mss",
            Status::TooLong => "too_long",
            Status::BadHeader => "bad_header",
            Status::NotTcp => "not_tcp",
            Status::HeaderLengthMismatch => "header_length_mismatch",
            Status::Truncated => "truncated",
            Status::Overlong => "overlong",
            Status::HostError => "host_error",
        }
    }
}

const _: () = assert!((Status::HostError as u32) < (1 << STATUS_BITS));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_round_trip() {
        let d = Desc {
            len: 65_549,
            mss: 8960,
            l3_offset: 18,
            l4_offset: 58,
            hdr_len: 90,
            tso: true,
            v6: true,
            fixed_id: true,
            ip_csum: false,
            l4_csum: true,
            udp: true,
        };
        assert_eq!(Desc::unpack(d.pack().unwrap()), d);
    }

    #[test]
    fn oversized_fields_are_refused() {
        let d = Desc {
            mss: 16384,
            ..Default::default()
        };
        assert_eq!(d.pack().unwrap_err().field, "mss");
    }

    #[test]
    fn status_codes_are_unique_and_decode() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s as u8), Some(s));
        }
        assert_eq!(Status::from_code(9), None);
    }

    #[test]
    fn super_frames_ask_for_both_checksums_on_v4_and_l4_on_v6() {
        let v4 = Desc::tso(1000, 100, 14, 34, 54, false).checksum_command();
        assert!(v4.ip && v4.l4 && v4.csum_offset == 16 && v4.csum_start == 34);
        let v6 = Desc::tso(1000, 100, 14, 54, 74, true).checksum_command();
        assert!(!v6.ip && v6.l4);
    }
}
