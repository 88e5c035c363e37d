//! Classic pcap: a 24-byte file header, then records of a 16-byte header and
//! the captured bytes, all in the byte order of the writer.

use pcap_parser::pcap::{parse_pcap_frame, parse_pcap_frame_be, parse_pcap_header};

use super::error::{Fault, Problem};
use super::source::Source;
use super::{MAX_CAPLEN, Packet, Step, link};

pub(super) const HEADER_LEN: usize = 24;
const RECORD_HEADER_LEN: usize = 16;
/// Where the link type sits in the file header, for error offsets.
const LINK_TYPE_OFFSET: u64 = 20;

/// Magics as the first four bytes read big-endian; a byte-swapped one means
/// a little-endian writer.
const MICROS: u32 = 0xa1b2_c3d4;
const NANOS: u32 = 0xa1b2_3c4d;
const MODIFIED: u32 = 0xa1b2_cd34;

pub(super) fn is_magic(magic: u32) -> bool {
    [MICROS, NANOS, MODIFIED]
        .into_iter()
        .any(|m| m == magic || m.swap_bytes() == magic)
}

pub(super) struct Pcap {
    big_endian: bool,
    nanos: bool,
    link_type: u32,
}

impl Pcap {
    /// Reads the file header; the whole file shares its link type, so an
    /// unsupported one is an error up front.
    pub fn from_header(header: &[u8]) -> Result<Pcap, Fault> {
        let fault = |offset, problem| Fault { offset, problem };
        let magic = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        if magic == MODIFIED || magic == MODIFIED.swap_bytes() {
            return Err(fault(0, Problem::ModifiedPcap));
        }
        let (_, h) = parse_pcap_header(header)
            .map_err(|_| fault(0, Problem::Malformed("pcap file header")))?;
        // The upper 16 bits carry FCS information, not the link type.
        let link_type = h.network.0 as u32 & 0xffff;
        if !link::is_supported(link_type) {
            let problem = Problem::UnsupportedLinkType(link_type);
            return Err(fault(LINK_TYPE_OFFSET, problem));
        }
        Ok(Pcap {
            big_endian: h.is_bigendian(),
            nanos: h.is_nanosecond_precision(),
            link_type,
        })
    }

    pub fn next<'a>(&self, src: &mut Source, buf: &'a mut Vec<u8>) -> Result<Step<'a>, Fault> {
        let offset = src.offset() - buf.len() as u64;
        let fault = |problem| Fault { offset, problem };
        if !src
            .fill_to(buf, RECORD_HEADER_LEN)
            .map_err(|e| fault(e.into()))?
        {
            return Ok(if buf.is_empty() { Step::End } else { Step::Cut });
        }
        let field = |at: usize| {
            let b = [buf[at], buf[at + 1], buf[at + 2], buf[at + 3]];
            if self.big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        let (caplen, orig_len) = (field(8), field(12));
        if caplen > MAX_CAPLEN {
            return Err(fault(Problem::RecordTooLong(caplen)));
        }
        if caplen > orig_len {
            return Err(fault(Problem::CaplenOverOrig { caplen, orig_len }));
        }
        let len = RECORD_HEADER_LEN + caplen as usize;
        if !src.fill_to(buf, len).map_err(|e| fault(e.into()))? {
            return Ok(Step::Cut);
        }
        let record: &'a [u8] = buf;
        let parsed = if self.big_endian {
            parse_pcap_frame_be(record)
        } else {
            parse_pcap_frame(record)
        };
        let (_, r) = parsed.map_err(|_| fault(Problem::Malformed("pcap record")))?;
        let frac_ns = if self.nanos {
            u64::from(r.ts_usec)
        } else {
            u64::from(r.ts_usec) * 1000
        };
        Ok(Step::Packet(Packet {
            link_type: self.link_type,
            ts_ns: u64::from(r.ts_sec) * 1_000_000_000 + frac_ns,
            orig_len: r.origlen,
            data: r.data,
        }))
    }
}
