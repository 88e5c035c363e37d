//! Capture files for `toe replay`: every record of a classic pcap or pcapng
//! file, turned into the Ethernet II frame the hardware understands.
//!
//! The file is streamed, so memory stays bounded by the largest record (and
//! records are capped), whatever the file size or its contents.

mod error;
mod link;
mod pcap;
mod pcapng;
mod source;
mod writer;

use std::fmt;
use std::path::{Path, PathBuf};

pub use error::{CaptureError, Problem};
pub use link::{SYNTH_DST_MAC, SYNTH_SRC_MAC};
pub use writer::PcapWriter;

use error::Fault;
use source::Source;

/// Largest captured length accepted, as in libpcap and Wireshark: anything
/// longer is taken as a corrupt length field rather than a real packet.
pub const MAX_CAPLEN: u32 = 256 * 1024;

/// One packet, as the hardware will see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// 1-based position among all records, skipped ones included, so that it
    /// matches tshark's `frame.number` when reporting a problem.
    pub number: u64,
    /// Nanoseconds since the epoch (0 for pcapng simple packet blocks, which
    /// carry no time).
    pub ts_ns: u64,
    /// The link type the packet was captured with, before reframing.
    pub link_type: u32,
    /// Length of the Ethernet frame on the wire: the original length with the
    /// same header swap as `data`, so `data.len() < orig_len` still means
    /// "cut by the snaplen".
    pub orig_len: u32,
    /// The captured bytes as an Ethernet II frame.
    pub data: Vec<u8>,
    /// Bytes of Ethernet header we made up (0 for Ethernet captures), so a
    /// consumer can tell real MAC addresses from synthetic ones.
    pub added: usize,
}

/// One record of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Frame(Frame),
    /// A record that cannot become an Ethernet frame; kept so that frame
    /// numbers stay aligned with tshark's.
    Skipped {
        number: u64,
        reason: SkipReason,
    },
}

/// Why a record produced no frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// A pcapng interface whose link type has no Ethernet equivalent here.
    UnsupportedLinkType(u32),
    /// The link header announces a payload that is not an Ethernet type
    /// (an address family, an IP version or an SLL protocol below 0x0600).
    UnsupportedProtocol { link_type: u32, protocol: u32 },
    /// Fewer bytes captured than the link header needs.
    TooShort { link_type: u32, caplen: usize },
    /// A pcapng block that tshark counts as a frame but that holds no
    /// packet (systemd journal entry, custom block).
    NotAPacket { block_type: u32 },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::UnsupportedLinkType(lt) => write!(f, "unsupported link type {lt}"),
            SkipReason::UnsupportedProtocol {
                link_type,
                protocol,
            } => write!(
                f,
                "link type {link_type}: unsupported protocol {protocol:#x}"
            ),
            SkipReason::TooShort { link_type, caplen } => write!(
                f,
                "link type {link_type}: {caplen} bytes captured, too short for its link header"
            ),
            SkipReason::NotAPacket { block_type } => {
                write!(f, "pcapng block type {block_type:#010x} holds no packet")
            }
        }
    }
}

/// A packet as stored in the file, before reframing.
struct Packet<'a> {
    link_type: u32,
    ts_ns: u64,
    orig_len: u32,
    data: &'a [u8],
}

/// What a format reader found next.
enum Step<'a> {
    Packet(Packet<'a>),
    /// A record that is numbered but yields no frame.
    Skip(SkipReason),
    /// A block that is not a record (section or interface description,
    /// statistics, name resolution...).
    Meta,
    /// Clean end of file, on a record boundary.
    End,
    /// The file ends inside a record.
    Cut,
}

enum Format {
    Pcap(pcap::Pcap),
    PcapNg(pcapng::PcapNg),
}

/// Streams the records of a capture file; ends after the first error.
pub struct Reader {
    path: PathBuf,
    src: Source,
    /// The record being read, reused to avoid an allocation per record.
    buf: Vec<u8>,
    format: Format,
    number: u64,
    truncated: bool,
    done: bool,
}

impl Reader {
    /// Opens a classic pcap or pcapng file, telling them apart by content.
    pub fn open(path: &Path) -> Result<Reader, CaptureError> {
        let at0 = |problem| CaptureError::new(path, 0, Fault { offset: 0, problem });
        let mut src = Source::open(path).map_err(|e| at0(Problem::Io(e)))?;
        let mut buf = Vec::new();
        let format = Self::detect(&mut src, &mut buf).map_err(|f| CaptureError::new(path, 0, f))?;
        Ok(Reader {
            path: path.to_path_buf(),
            src,
            buf,
            format,
            number: 0,
            truncated: false,
            done: false,
        })
    }

    fn detect(src: &mut Source, buf: &mut Vec<u8>) -> Result<Format, Fault> {
        let fault = |problem| Fault { offset: 0, problem };
        let io = |e| fault(Problem::Io(e));
        if !src.fill_to(buf, 4).map_err(io)? {
            return Err(fault(Problem::TooShort(buf.len())));
        }
        let magic = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
        if pcapng::is_magic(magic) {
            return Ok(Format::PcapNg(pcapng::PcapNg::new()));
        }
        if !pcap::is_magic(magic) {
            return Err(fault(Problem::BadMagic(magic)));
        }
        if !src.fill_to(buf, pcap::HEADER_LEN).map_err(io)? {
            return Err(fault(Problem::TooShort(buf.len())));
        }
        let p = pcap::Pcap::from_header(buf)?;
        buf.clear();
        Ok(Format::Pcap(p))
    }

    /// True once the file ended in the middle of a record: every complete
    /// record was returned, the rest of the capture is missing.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Bytes consumed so far, for a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.src.offset()
    }

    /// Size of the file when it was opened, for a progress bar.
    pub fn file_len(&self) -> u64 {
        self.src.file_len()
    }

    fn step(&mut self) -> Result<Option<Record>, Fault> {
        loop {
            // `buf` holds the bytes of the next record already read (the
            // pcapng magic, at the start), so formats know where it began.
            let step = match &mut self.format {
                Format::Pcap(p) => p.next(&mut self.src, &mut self.buf)?,
                Format::PcapNg(p) => p.next(&mut self.src, &mut self.buf)?,
            };
            let number = self.number + 1;
            let record = match step {
                Step::Meta => {
                    self.buf.clear();
                    continue;
                }
                Step::End => return Ok(None),
                Step::Cut => {
                    self.truncated = true;
                    return Ok(None);
                }
                Step::Skip(reason) => Record::Skipped { number, reason },
                Step::Packet(p) => match link::to_ethernet(p.link_type, p.data) {
                    Ok(eth) => Record::Frame(Frame {
                        number,
                        ts_ns: p.ts_ns,
                        link_type: p.link_type,
                        orig_len: eth.reframed_len(p.orig_len),
                        data: eth.data,
                        added: eth.added,
                    }),
                    Err(reason) => Record::Skipped { number, reason },
                },
            };
            self.number = number;
            self.buf.clear();
            return Ok(Some(record));
        }
    }
}

impl Iterator for Reader {
    type Item = Result<Record, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.step();
        if !matches!(item, Ok(Some(_))) {
            self.done = true;
        }
        match item {
            Ok(record) => record.map(Ok),
            Err(fault) => Some(Err(CaptureError::new(&self.path, self.number, fault))),
        }
    }
}
