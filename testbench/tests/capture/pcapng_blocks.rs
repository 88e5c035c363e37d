//! pcapng structure: interfaces of several link types and clocks, sections
//! of both byte orders, and every block kind numbered as tshark numbers it.

use capture::{Problem, Record, SkipReason};

use crate::files::{IPV4_TCP, PcapNg, ethernet_frame, frames, read, read_ok, write_temp};
use crate::tshark::{tshark, tshark_installed};

#[test]
fn interfaces_with_different_link_types() {
    let eth = ethernet_frame();
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend(IPV4_TCP);
    for be in [false, true] {
        let bytes = PcapNg::new(be)
            .interface(1, 0, None, None)
            .interface(113, 0, None, None)
            .interface(101, 0, None, None)
            .interface(147, 0, None, None)
            .epb(2, 0, &IPV4_TCP, 40)
            .epb(0, 0, &eth, 54)
            .epb(3, 0, &IPV4_TCP, 40)
            .epb(1, 0, &sll, 56)
            .bytes();
        let records = read_ok(&write_temp("multi.pcapng", &bytes));
        let kinds: Vec<(u64, Option<u32>)> = records
            .iter()
            .map(|r| match r {
                Record::Frame(f) => (f.number, Some(f.link_type)),
                Record::Skipped { number, reason } => {
                    assert_eq!(*reason, SkipReason::UnsupportedLinkType(147));
                    (*number, None)
                }
            })
            .collect();
        assert_eq!(
            kinds,
            [(1, Some(101)), (2, Some(1)), (3, None), (4, Some(113))]
        );
        for r in &records {
            if let Record::Frame(f) = r {
                assert_eq!(f.data[12..], [&[0x08, 0x00][..], &IPV4_TCP].concat());
            }
        }
    }
}

#[test]
fn timestamps_follow_each_interface_clock() {
    let f = ethernet_frame();
    let s = 1_700_000_000u64;
    let bytes = PcapNg::new(false)
        .interface(1, 0, None, None) // microseconds by default
        .interface(1, 0, Some(9), None)
        .interface(1, 0, Some(3), Some(-100))
        .interface(1, 0, Some(0x80 | 20), Some(5))
        .epb(0, s * 1_000_000 + 123_456, &f, 54)
        .epb(1, s * 1_000_000_000 + 123_456_789, &f, 54)
        .epb(2, s * 1000 + 7, &f, 54)
        .epb(3, (s << 20) + (1 << 19), &f, 54)
        .bytes();
    let got: Vec<u64> = frames(read_ok(&write_temp("clocks.pcapng", &bytes)))
        .iter()
        .map(|f| f.ts_ns)
        .collect();
    let ns = s * 1_000_000_000;
    assert_eq!(
        got,
        [
            ns + 123_456_000,
            ns + 123_456_789,
            ns - 100_000_000_000 + 7_000_000,
            ns + 5_000_000_000 + 500_000_000,
        ]
    );
}

#[test]
fn sections_switch_byte_order_and_forget_interfaces() {
    let f = ethernet_frame();
    let mut ng = PcapNg::new(true);
    ng.interface(1, 0, None, None)
        .interface(1, 0, None, None)
        .epb(1, 0, &f, 54)
        .section(false)
        .interface(1, 0, None, None)
        .epb(0, 0, &f, 54);
    let good = ng.bytes();
    assert_eq!(
        frames(read_ok(&write_temp("sections.pcapng", &good))).len(),
        2
    );

    let bad = ng.epb(1, 0, &f, 54).bytes();
    let (records, error, _) = read(&write_temp("sections-bad.pcapng", &bad));
    let e = error.expect("an error");
    assert_eq!(records.len(), 2);
    assert!(
        matches!(e.problem, Problem::UnknownInterface { if_id: 1, count: 1 }),
        "{e}"
    );
    assert_eq!(e.offset, good.len() as u64);
}

#[test]
fn simple_packets_are_cut_to_the_snaplen_and_the_original_length() {
    let f = ethernet_frame();
    let bytes = PcapNg::new(false)
        .interface(1, 20, None, None)
        .spb(&f, 54)
        .spb(&f[..15], 15) // padded to 16 in the block
        .bytes();
    let got = frames(read_ok(&write_temp("spb.pcapng", &bytes)));
    assert_eq!(
        (got[0].data.as_slice(), got[0].orig_len, got[0].ts_ns),
        (&f[..20], 54, 0)
    );
    assert_eq!((got[1].data.as_slice(), got[1].orig_len), (&f[..15], 15));
}

/// Every kind of block, counted as tshark 4 counts frames: packets,
/// journal entries and custom blocks are frames; statistics, name
/// resolution, decryption secrets and unknown blocks are not.
#[test]
fn block_kinds_are_numbered_like_tshark() {
    let f = ethernet_frame();
    let bytes = PcapNg::new(false)
        .interface(1, 0, None, None)
        .epb(0, 1, &f, 54)
        .block(5, &[0; 12]) // interface statistics
        .block(4, &[0; 4]) // name resolution, empty
        .spb(&f, 54)
        .block(9, b"__REALTIME_TIMESTAMP=1\nMESSAGE=hi\n")
        .opb(0, 2, &f)
        .block(0x0bad, &[0, 0, 0x7e, 0xd9, 1, 2, 3, 4])
        .block(0x4000_0bad, &[0, 0, 0x7e, 0xd9, 1, 2, 3, 4])
        .block(0x1234, b"unknown")
        .block(0x0a, &[0x4b, 0x53, 0x4c, 0x54, 4, 0, 0, 0, 1, 2, 3, 4]) // secrets
        .epb(0, 3, &f, 54)
        .bytes();
    let path = write_temp("blocks.pcapng", &bytes);
    let records = read_ok(&path);
    let summary: Vec<String> = records
        .iter()
        .map(|r| match r {
            Record::Frame(fr) => {
                assert_eq!(fr.data, f);
                format!("{} frame", fr.number)
            }
            Record::Skipped { number, reason } => format!("{number} {reason}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "1 frame",
            "2 frame",
            "3 pcapng block type 0x00000009 holds no packet",
            "4 frame",
            "5 pcapng block type 0x00000bad holds no packet",
            "6 pcapng block type 0x40000bad holds no packet",
            "7 frame",
        ]
    );
    if tshark_installed() {
        let out = tshark(&path, &["-T", "fields", "-e", "frame.number"]);
        assert_eq!(out.lines().count(), records.len(), "tshark frame count");
    }
}
