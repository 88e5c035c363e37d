//! Classic pcap output for the frames the engine emits: the most widely
//! read format, with nanosecond timestamps since the simulation clock is
//! finer than a microsecond.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::MAX_CAPLEN;

const NANOS_MAGIC: u32 = 0xa1b2_3c4d;
const LINKTYPE_ETHERNET: u32 = 1;

/// Writes Ethernet frames to a classic pcap file, little-endian whatever
/// the host so that runs give byte-identical files.
pub struct PcapWriter<W: Write> {
    out: W,
}

impl PcapWriter<BufWriter<File>> {
    pub fn create(path: &Path) -> io::Result<Self> {
        PcapWriter::new(BufWriter::new(File::create(path)?))
    }
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&NANOS_MAGIC.to_le_bytes());
        header.extend_from_slice(&2u16.to_le_bytes());
        header.extend_from_slice(&4u16.to_le_bytes());
        header.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        header.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        header.extend_from_slice(&MAX_CAPLEN.to_le_bytes()); // snaplen
        header.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        out.write_all(&header)?;
        Ok(PcapWriter { out })
    }

    /// Appends a frame; `orig_len` is its length on the wire, larger than
    /// `frame.len()` when only part of it is kept. Frames our own reader
    /// would reject are refused here rather than written.
    pub fn write(&mut self, ts_ns: u64, frame: &[u8], orig_len: u32) -> io::Result<()> {
        let caplen = u32::try_from(frame.len())
            .ok()
            .filter(|&n| n <= MAX_CAPLEN && n <= orig_len)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "frame of {} bytes cannot be written with original length {orig_len} \
                         (at most {MAX_CAPLEN} bytes, and no more than the original)",
                        frame.len()
                    ),
                )
            })?;
        let secs = u32::try_from(ts_ns / 1_000_000_000).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("timestamp {ts_ns} ns is past 2106, beyond pcap's 32-bit seconds"),
            )
        })?;
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&secs.to_le_bytes());
        header[4..8].copy_from_slice(&((ts_ns % 1_000_000_000) as u32).to_le_bytes());
        header[8..12].copy_from_slice(&caplen.to_le_bytes());
        header[12..16].copy_from_slice(&orig_len.to_le_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(frame)
    }

    /// Flushes and hands back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
