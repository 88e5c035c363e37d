//! `rx_parser`: one header record per received frame.
//!
//! # What the block parses
//!
//! Offsets are bytes from the start of the frame `f` of length `n`. The
//! checks run in this order; the first that fails names the [`Status`] and
//! the record then carries only `status`, `kind`, `l3`, `user` and `len`
//! (everything else is zero).
//!
//! 1. **Link layer** as in [`crate::rx_csum`]: `n >= 14`, at most two VLAN
//!    tags (each needs its 4 bytes in the frame, else `Truncated`); a third
//!    tag, or an EtherType that is neither IPv4 nor IPv6, is `NotIp`.
//! 2. **IPv4**: `n >= l3 + 20` (`Truncated`), version 4 (`BadVersion`),
//!    `ihl >= 5` (`BadIhl`), `n >= l3 + 4 * ihl` (`Truncated`),
//!    `4 * ihl <= total_length` and `l3 + total_length <= n` (`BadLength`),
//!    MF = 0 and fragment offset 0 (`Fragment`), protocol 6 (`NotTcp`).
//!    `l4 = l3 + 4 * ihl`, `end = l3 + total_length`.
//! 3. **IPv6**: `n >= l3 + 40` (`Truncated`), version 6 (`BadVersion`),
//!    payload length not 0 (no jumbograms) and `l3 + 40 + payload_length <=
//!    n` (`BadLength`); `end = l3 + 40 + payload_length`. Extension headers
//!    hop-by-hop, routing and destination options are walked as in
//!    [`crate::rx_csum`]: one at `o` is walked only if `o + 2 <=
//!    MAX_WALK` (else `TooManyExt`) and `o + 2 <= n` (else `BadLength`: the
//!    chain runs off the packet). A fragment header is `Fragment`; the walk
//!    ends at `l4`. `l4 > end` is `BadLength`; a next header other than 6 is
//!    `NotTcp`.
//! 4. **TCP**: the segment `[l4, end)` holds at least 20 bytes
//!    (`Truncated`), `5 <= data_offset` and `4 * data_offset <= end - l4`
//!    (`BadDataOffset`). The payload is `[l4 + 4 * data_offset, end)`: IP
//!    lengths, never the frame length, so Ethernet padding is not payload.
//! 5. **Options** (`4 * data_offset - 20` bytes after the fixed header), a
//!    walk that never changes the status: EOL ends it, NOP is skipped, every
//!    other option needs a length byte inside the options with `2 <= len`
//!    and its end inside the options, else `opt_bad` is set and the walk
//!    stops. MSS (2, len 4), window scale (3, len 3), SACK permitted (4,
//!    len 2), SACK (5, len 10/18/26/34: 1 to 4 blocks) and timestamps (8,
//!    len 10) set their flag and value (a later copy overwrites an earlier
//!    one); any other kind, or a known kind with another length, sets
//!    `opt_unknown`.

use crate::field::Field;

/// Width of a header record in bits: nine 64-bit words.
pub const RECORD_BITS: u32 = 576;
/// Bytes of TCP options the block can hold (data offset 15).
pub const MAX_OPTIONS: u32 = 40;

pub const FIELD_STATUS: Field = Field::new("status", 0, 4);
pub const FIELD_KIND: Field = Field::new("kind", 4, 2);
pub const FIELD_USER: Field = Field::new("user", 6, 1);
pub const FIELD_L3: Field = Field::new("l3", 8, 5);
/// The 12 bits after the data offset: bits 11..8 the low nibble of header
/// byte 12 (reserved bits, AE/NS in bit 8), bits 7..0 CWR .. FIN (byte 13).
pub const FIELD_FLAGS: Field = Field::new("flags", 16, 12);
pub const FIELD_DOFF: Field = Field::new("doff", 28, 4);
pub const FIELD_L4: Field = Field::new("l4", 32, 17);
/// One bit per [`Opt`].
pub const FIELD_OPTS: Field = Field::new("opts", 49, 7);
pub const FIELD_SACK_BLOCKS: Field = Field::new("sack_blocks", 56, 3);
pub const FIELD_SEQ: Field = Field::new("seq", 64, 32);
pub const FIELD_ACK: Field = Field::new("ack", 96, 32);
pub const FIELD_SPORT: Field = Field::new("sport", 128, 16);
pub const FIELD_DPORT: Field = Field::new("dport", 144, 16);
pub const FIELD_WINDOW: Field = Field::new("window", 160, 16);
pub const FIELD_MSS: Field = Field::new("mss", 176, 16);
pub const FIELD_TSVAL: Field = Field::new("tsval", 192, 32);
pub const FIELD_TSECR: Field = Field::new("tsecr", 224, 32);
pub const FIELD_POFF: Field = Field::new("poff", 256, 17);
pub const FIELD_PLEN: Field = Field::new("plen", 273, 17);
pub const FIELD_LEN: Field = Field::new("len", 290, 17);
pub const FIELD_WSCALE: Field = Field::new("wscale", 307, 8);
/// Source address, 4 big-endian 32-bit words (IPv4: the first word, the
/// rest zero).
pub const FIELD_SRC: [Field; 4] = [
    Field::new("src0", 320, 32),
    Field::new("src1", 352, 32),
    Field::new("src2", 384, 32),
    Field::new("src3", 416, 32),
];
pub const FIELD_DST: [Field; 4] = [
    Field::new("dst0", 448, 32),
    Field::new("dst1", 480, 32),
    Field::new("dst2", 512, 32),
    Field::new("dst3", 544, 32),
];

pub const FIELDS: [Field; 29] = [
    FIELD_STATUS,
    FIELD_KIND,
    FIELD_USER,
    FIELD_L3,
    FIELD_FLAGS,
    FIELD_DOFF,
    FIELD_L4,
    FIELD_OPTS,
    FIELD_SACK_BLOCKS,
    FIELD_SEQ,
    FIELD_ACK,
    FIELD_SPORT,
    FIELD_DPORT,
    FIELD_WINDOW,
    FIELD_MSS,
    FIELD_TSVAL,
    FIELD_TSECR,
    FIELD_POFF,
    FIELD_PLEN,
    FIELD_LEN,
    FIELD_WSCALE,
    FIELD_SRC[0],
    FIELD_SRC[1],
    FIELD_SRC[2],
    FIELD_SRC[3],
    FIELD_DST[0],
    FIELD_DST[1],
    FIELD_DST[2],
    FIELD_DST[3],
];

/// No field may straddle a 64-bit word, so each packs with [`Field::get`].
const fn fields_sound() -> bool {
    let mut i = 0;
    while i < FIELDS.len() {
        let f = FIELDS[i];
        if f.lsb / 64 != (f.lsb + f.width - 1) / 64 || f.lsb + f.width > RECORD_BITS {
            return false;
        }
        let mut j = i + 1;
        while j < FIELDS.len() {
            let g = FIELDS[j];
            if f.lsb < g.lsb + g.width && g.lsb < f.lsb + f.width {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}
const _: () = assert!(fields_sound());
const _: () = assert!(FIELD_LEN.width == crate::stream::OFFSET_BITS);

/// Why the parser refused a frame (0: it did not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Status {
    Ok = 0,
    Truncated = 1,
    NotIp = 2,
    BadVersion = 3,
    BadIhl = 4,
    BadLength = 5,
    Fragment = 6,
    TooManyExt = 7,
    NotTcp = 8,
    BadDataOffset = 9,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Ok,
        Status::Truncated,
        Status::NotIp,
        Status::BadVersion,
        Status::BadIhl,
        Status::BadLength,
        Status::Fragment,
        Status::TooManyExt,
        Status::NotTcp,
        Status::BadDataOffset,
    ];

    pub fn from_code(code: u64) -> Option<Status> {
        Self::ALL.into_iter().find(|s| *s as u64 == code)
    }

    /// The name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Truncated => "truncated",
            Status::NotIp => "not_ip",
            Status::BadVersion => "bad_version",
            Status::BadIhl => "bad_ihl",
            Status::BadLength => "bad_length",
            Status::Fragment => "fragment",
            Status::TooManyExt => "too_many_ext",
            Status::NotTcp => "not_tcp",
            Status::BadDataOffset => "bad_data_offset",
        }
    }
}

/// Bits of [`FIELD_OPTS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Opt {
    Mss = 0,
    WScale = 1,
    SackOk = 2,
    Sack = 3,
    Timestamps = 4,
    Unknown = 5,
    /// The option list is malformed (a length byte missing, below 2 or
    /// running past the options).
    Bad = 6,
}

/// IPv6 next header of a fragment header.
pub const NH_FRAGMENT: u8 = 44;

pub const KIND_EOL: u8 = 0;
pub const KIND_NOP: u8 = 1;
pub const KIND_MSS: u8 = 2;
pub const KIND_WSCALE: u8 = 3;
pub const KIND_SACK_OK: u8 = 4;
pub const KIND_SACK: u8 = 5;
pub const KIND_TIMESTAMPS: u8 = 8;

/// A decoded header record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Header {
    pub status: u8,
    /// [`crate::rx_csum::L3Kind`] code.
    pub kind: u8,
    pub user: bool,
    pub l3: u32,
    pub flags: u16,
    pub doff: u8,
    pub l4: u32,
    pub opts: u8,
    pub sack_blocks: u8,
    pub seq: u32,
    pub ack: u32,
    pub sport: u16,
    pub dport: u16,
    pub window: u16,
    pub mss: u16,
    pub tsval: u32,
    pub tsecr: u32,
    pub poff: u32,
    pub plen: u32,
    pub len: u32,
    pub wscale: u8,
    pub src: [u32; 4],
    pub dst: [u32; 4],
}

/// A record as the hardware packs it: nine words, least significant first.
pub type Record = [u64; (RECORD_BITS / 64) as usize];

fn put(r: &mut Record, f: Field, v: u64) {
    let w = (f.lsb / 64) as usize;
    let local = Field::new(f.name, f.lsb % 64, f.width);
    r[w] = local.put(r[w], v & f.max()).expect("masked");
}

fn get(r: &Record, f: Field) -> u64 {
    Field::new(f.name, f.lsb % 64, f.width).get(r[(f.lsb / 64) as usize])
}

impl Header {
    pub fn status(&self) -> Option<Status> {
        Status::from_code(u64::from(self.status))
    }

    pub fn has(&self, o: Opt) -> bool {
        self.opts >> (o as u8) & 1 == 1
    }

    pub fn pack(&self) -> Record {
        let mut r = Record::default();
        let scalar: [(Field, u64); 21] = [
            (FIELD_STATUS, u64::from(self.status)),
            (FIELD_KIND, u64::from(self.kind)),
            (FIELD_USER, u64::from(self.user)),
            (FIELD_L3, u64::from(self.l3)),
            (FIELD_FLAGS, u64::from(self.flags)),
            (FIELD_DOFF, u64::from(self.doff)),
            (FIELD_L4, u64::from(self.l4)),
            (FIELD_OPTS, u64::from(self.opts)),
            (FIELD_SACK_BLOCKS, u64::from(self.sack_blocks)),
            (FIELD_SEQ, u64::from(self.seq)),
            (FIELD_ACK, u64::from(self.ack)),
            (FIELD_SPORT, u64::from(self.sport)),
            (FIELD_DPORT, u64::from(self.dport)),
            (FIELD_WINDOW, u64::from(self.window)),
            (FIELD_MSS, u64::from(self.mss)),
            (FIELD_TSVAL, u64::from(self.tsval)),
            (FIELD_TSECR, u64::from(self.tsecr)),
            (FIELD_POFF, u64::from(self.poff)),
            (FIELD_PLEN, u64::from(self.plen)),
            (FIELD_LEN, u64::from(self.len)),
            (FIELD_WSCALE, u64::from(self.wscale)),
        ];
        for (f, v) in scalar {
            put(&mut r, f, v);
        }
        for k in 0..4 {
            put(&mut r, FIELD_SRC[k], u64::from(self.src[k]));
            put(&mut r, FIELD_DST[k], u64::from(self.dst[k]));
        }
        r
    }

    pub fn unpack(r: &Record) -> Header {
        let g = |f| get(r, f);
        Header {
            status: g(FIELD_STATUS) as u8,
            kind: g(FIELD_KIND) as u8,
            user: g(FIELD_USER) == 1,
            l3: g(FIELD_L3) as u32,
            flags: g(FIELD_FLAGS) as u16,
            doff: g(FIELD_DOFF) as u8,
            l4: g(FIELD_L4) as u32,
            opts: g(FIELD_OPTS) as u8,
            sack_blocks: g(FIELD_SACK_BLOCKS) as u8,
            seq: g(FIELD_SEQ) as u32,
            ack: g(FIELD_ACK) as u32,
            sport: g(FIELD_SPORT) as u16,
            dport: g(FIELD_DPORT) as u16,
            window: g(FIELD_WINDOW) as u16,
            mss: g(FIELD_MSS) as u16,
            tsval: g(FIELD_TSVAL) as u32,
            tsecr: g(FIELD_TSECR) as u32,
            poff: g(FIELD_POFF) as u32,
            plen: g(FIELD_PLEN) as u32,
            len: g(FIELD_LEN) as u32,
            wscale: g(FIELD_WSCALE) as u8,
            src: FIELD_SRC.map(|f| g(f) as u32),
            dst: FIELD_DST.map(|f| g(f) as u32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_unpack_round_trip_keeps_every_field_apart() {
        let h = Header {
            status: 9,
            kind: 2,
            user: true,
            l3: 22,
            flags: 0xFFF,
            doff: 15,
            l4: 0x1FFFF,
            opts: 0x7F,
            sack_blocks: 4,
            seq: 0xDEAD_BEEF,
            ack: 0x0123_4567,
            sport: 0xFFFE,
            dport: 1,
            window: 0x8001,
            mss: 1460,
            tsval: 0xFFFF_FFFF,
            tsecr: 7,
            poff: 0x1FFFE,
            plen: 3,
            len: 0x10000,
            wscale: 14,
            src: [1, 2, 3, 0xFFFF_FFFF],
            dst: [5, 0x8000_0000, 7, 8],
        };
        assert_eq!(Header::unpack(&h.pack()), h);
    }
}
