//! Building capture files byte by byte, and reading them back.

use std::path::PathBuf;

use capture::{CaptureError, Reader, Record};

/// A fresh path under cargo's scratch directory for integration tests.
pub fn temp_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("capture");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

pub fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    let path = temp_path(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every record, or the error that stopped the reader, and whether it
/// ended on a cut record.
pub fn read(path: &std::path::Path) -> (Vec<Record>, Option<CaptureError>, bool) {
    let mut reader = match Reader::open(path) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e), false),
    };
    let mut records = Vec::new();
    let mut error = None;
    for item in reader.by_ref() {
        match item {
            Ok(r) => records.push(r),
            Err(e) => error = Some(e),
        }
    }
    (records, error, reader.truncated())
}

/// Every record of a file that must read cleanly to its end.
pub fn read_ok(path: &std::path::Path) -> Vec<Record> {
    let (records, error, truncated) = read(path);
    if let Some(e) = error {
        panic!("{e}");
    }
    assert!(!truncated, "{}: truncated", path.display());
    records
}

/// A 40-byte IPv4 TCP SYN from 127.0.0.1:1234 to 127.0.0.1:80.
pub const IPV4_TCP: [u8; 40] = [
    0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x7c, 0xcd, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, 0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x02, 0x20, 0x00, 0x91, 0xa5, 0x00, 0x00,
];

/// A 60-byte IPv6 TCP SYN from ::1 to ::1.
pub fn ipv6_tcp() -> Vec<u8> {
    let mut p = vec![0x60, 0, 0, 0, 0, 20, 6, 64];
    p.extend_from_slice(&[0; 15]);
    p.push(1);
    p.extend_from_slice(&[0; 15]);
    p.push(1);
    p.extend_from_slice(&IPV4_TCP[20..]);
    p
}

/// An Ethernet frame carrying [`IPV4_TCP`].
pub fn ethernet_frame() -> Vec<u8> {
    let mut f = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    ];
    f.extend_from_slice(&[0x08, 0x00]);
    f.extend_from_slice(&IPV4_TCP);
    f
}

fn u16b(be: bool, v: u16) -> [u8; 2] {
    if be { v.to_be_bytes() } else { v.to_le_bytes() }
}

fn u32b(be: bool, v: u32) -> [u8; 4] {
    if be { v.to_be_bytes() } else { v.to_le_bytes() }
}

/// A packet to put in a file: its time, captured bytes and wire length.
pub struct Pkt<'a> {
    pub ts_ns: u64,
    pub data: &'a [u8],
    pub orig_len: u32,
}

impl<'a> Pkt<'a> {
    /// Captured whole, at `ts_ns`.
    pub fn at(ts_ns: u64, data: &'a [u8]) -> Self {
        Pkt {
            ts_ns,
            data,
            orig_len: data.len() as u32,
        }
    }
}

/// A classic pcap file.
pub fn pcap(link_type: u32, big_endian: bool, nanos: bool, packets: &[Pkt]) -> Vec<u8> {
    let be = big_endian;
    let mut out = Vec::new();
    out.extend(u32b(be, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    out.extend(u16b(be, 2));
    out.extend(u16b(be, 4));
    out.extend([0; 8]);
    out.extend(u32b(be, 262_144));
    out.extend(u32b(be, link_type));
    for p in packets {
        let frac = p.ts_ns % 1_000_000_000;
        out.extend(u32b(be, (p.ts_ns / 1_000_000_000) as u32));
        out.extend(u32b(be, if nanos { frac } else { frac / 1000 } as u32));
        out.extend(u32b(be, p.data.len() as u32));
        out.extend(u32b(be, p.orig_len));
        out.extend_from_slice(p.data);
    }
    out
}

/// A pcapng file, block by block.
pub struct PcapNg {
    be: bool,
    out: Vec<u8>,
}

impl PcapNg {
    /// Starts with a section header in the given byte order.
    pub fn new(big_endian: bool) -> Self {
        let mut ng = PcapNg {
            be: big_endian,
            out: Vec::new(),
        };
        ng.section(big_endian);
        ng
    }

    /// Starts a new section, which forgets the interfaces.
    pub fn section(&mut self, big_endian: bool) -> &mut Self {
        self.be = big_endian;
        let mut body = u32b(self.be, 0x1a2b_3c4d).to_vec();
        body.extend(u16b(self.be, 1));
        body.extend(u16b(self.be, 0));
        body.extend([0xff; 8]); // section length -1 (unknown), in either order
        self.block(0x0a0d_0d0a, &body)
    }

    /// An interface with optional if_tsresol and if_tsoffset options.
    pub fn interface(
        &mut self,
        link_type: u16,
        snaplen: u32,
        tsresol: Option<u8>,
        tsoffset: Option<i64>,
    ) -> &mut Self {
        let be = self.be;
        let mut body = u16b(be, link_type).to_vec();
        body.extend(u16b(be, 0));
        body.extend(u32b(be, snaplen));
        if let Some(r) = tsresol {
            body.extend(u16b(be, 9));
            body.extend(u16b(be, 1));
            body.extend([r, 0, 0, 0]);
        }
        if let Some(o) = tsoffset {
            body.extend(u16b(be, 14));
            body.extend(u16b(be, 8));
            body.extend(if be { o.to_be_bytes() } else { o.to_le_bytes() });
        }
        if tsresol.is_some() || tsoffset.is_some() {
            body.extend([0; 4]);
        }
        self.block(1, &body)
    }

    /// An enhanced packet block with `ticks` in the interface's units.
    pub fn epb(&mut self, if_id: u32, ticks: u64, data: &[u8], orig_len: u32) -> &mut Self {
        let be = self.be;
        let mut body = u32b(be, if_id).to_vec();
        body.extend(u32b(be, (ticks >> 32) as u32));
        body.extend(u32b(be, ticks as u32));
        body.extend(u32b(be, data.len() as u32));
        body.extend(u32b(be, orig_len));
        body.extend_from_slice(data);
        self.block(6, &body)
    }

    pub fn spb(&mut self, data: &[u8], orig_len: u32) -> &mut Self {
        let mut body = u32b(self.be, orig_len).to_vec();
        body.extend_from_slice(data);
        self.block(3, &body)
    }

    /// The obsolete packet block of pre-1.0 drafts.
    pub fn opb(&mut self, if_id: u16, ticks: u64, data: &[u8]) -> &mut Self {
        let be = self.be;
        let mut body = u16b(be, if_id).to_vec();
        body.extend(u16b(be, 0));
        body.extend(u32b(be, (ticks >> 32) as u32));
        body.extend(u32b(be, ticks as u32));
        body.extend(u32b(be, data.len() as u32));
        body.extend(u32b(be, data.len() as u32));
        body.extend_from_slice(data);
        self.block(2, &body)
    }

    /// Any block: `body` is padded to 4 bytes and framed by the lengths.
    pub fn block(&mut self, block_type: u32, body: &[u8]) -> &mut Self {
        let padded = body.len().div_ceil(4) * 4;
        let len = (padded + 12) as u32;
        self.out.extend(u32b(self.be, block_type));
        self.out.extend(u32b(self.be, len));
        self.out.extend_from_slice(body);
        self.out.resize(self.out.len() + padded - body.len(), 0);
        self.out.extend(u32b(self.be, len));
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.out.clone()
    }
}

/// The frames of `records`, none skipped.
pub fn frames(records: Vec<Record>) -> Vec<capture::Frame> {
    records
        .into_iter()
        .map(|r| match r {
            Record::Frame(f) => f,
            Record::Skipped { number, reason } => panic!("record {number} skipped: {reason}"),
        })
        .collect()
}

/// The link-layer header that reframing as Ethernet drops, by link type.
pub fn link_header_len(link_type: u32) -> usize {
    match link_type {
        0 | 108 => 4,
        113 => 16,
        276 => 20,
        _ => 0,
    }
}
