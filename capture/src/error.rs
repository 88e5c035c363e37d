//! What can go wrong reading a capture, said in one line with where.

use std::path::{Path, PathBuf};

use super::MAX_CAPLEN;
use super::pcapng::MAX_BLOCK_LEN;

/// A capture file that cannot be read further, located to the byte so the
/// file can be inspected or cut there.
#[derive(Debug, thiserror::Error)]
#[error("{}: offset {offset}: {problem}{}", path.display(), advice(.problem, *.records_before))]
pub struct CaptureError {
    pub path: PathBuf,
    /// Start of the record or header at fault.
    pub offset: u64,
    /// Records read successfully before the fault.
    pub records_before: u64,
    pub problem: Problem,
}

impl CaptureError {
    pub(super) fn new(path: &Path, records_before: u64, fault: Fault) -> Self {
        CaptureError {
            path: path.to_path_buf(),
            offset: fault.offset,
            records_before,
            problem: fault.problem,
        }
    }
}

/// What to do about a corrupt file: keep its good part.
fn advice(problem: &Problem, records_before: u64) -> String {
    match problem {
        Problem::Io(_)
        | Problem::TooShort(_)
        | Problem::BadMagic(_)
        | Problem::ModifiedPcap
        | Problem::UnsupportedLinkType(_) => String::new(),
        _ if records_before == 0 => "; the file is corrupt before its first record".into(),
        _ => format!(
            "; the file is corrupt after record {records_before} \
             (`editcap -r FILE OUT 1-{records_before}` keeps the good part)"
        ),
    }
}

/// Why reading stopped; the corrupt-file ones get advice on salvaging.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is only {0} bytes, too short for a capture file header")]
    TooShort(usize),
    #[error("not a pcap or pcapng file (magic {0:#010x}); `file FILE` may tell what it is")]
    BadMagic(u32),
    #[error(
        "modified (Kuznetzov) pcap is not supported; convert it with `editcap -F pcap FILE OUT`"
    )]
    ModifiedPcap,
    #[error(
        "unsupported link type {0}: replay takes Ethernet (1), Linux cooked SLL (113) and \
         SLL2 (276), raw IP (12, 14, 101, 228, 229) and BSD loopback (0, 108) captures"
    )]
    UnsupportedLinkType(u32),
    #[error("record length {0} exceeds the {MAX_CAPLEN}-byte limit")]
    RecordTooLong(u32),
    #[error("captured length {caplen} exceeds the original length {orig_len}")]
    CaplenOverOrig { caplen: u32, orig_len: u32 },
    #[error("block length {0} is not a multiple of 4 between 12 and {MAX_BLOCK_LEN}")]
    BadBlockLength(u32),
    #[error("block length {head} does not match the {tail} at its end")]
    BlockLengthMismatch { head: u32, tail: u32 },
    #[error("section header byte-order magic {0:#010x} is not 0x1a2b3c4d")]
    BadByteOrder(u32),
    #[error("packet on interface {if_id} but the section describes {count}")]
    UnknownInterface { if_id: u32, count: usize },
    #[error("interface timestamp resolution {0:#04x} is out of range")]
    BadTsResolution(u8),
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// A [`Problem`] at an offset, before the path is attached.
#[derive(Debug)]
pub(super) struct Fault {
    pub offset: u64,
    pub problem: Problem,
}
