//! Corrupt files: a clean one-line error at the right offset, or a stop on
//! a cut record; never a panic, a hang or a huge allocation.

use capture::{CaptureError, Problem};
use proptest::prelude::*;
use testbench::corpus;

use crate::files::{PcapNg, Pkt, ethernet_frame, pcap, read, write_temp};

fn error_of(name: &str, bytes: &[u8]) -> CaptureError {
    let path = write_temp(name, bytes);
    let (_, error, _) = read(&path);
    error.unwrap_or_else(|| panic!("{name}: no error"))
}

fn small_pcap() -> Vec<u8> {
    let f = ethernet_frame();
    pcap(1, false, false, &[Pkt::at(1, &f), Pkt::at(2, &f)])
}

fn small_pcapng() -> Vec<u8> {
    let f = ethernet_frame();
    PcapNg::new(false)
        .interface(1, 0, Some(9), None)
        .epb(0, 1, &f, 54)
        .epb(0, 2, &f, 54)
        .bytes()
}

#[test]
fn garbage_magic() {
    let e = error_of("garbage.pcap", b"<html><body>not found</body></html>");
    assert!(matches!(e.problem, Problem::BadMagic(0x3c68_746d)), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("garbage.pcap: offset 0: not a pcap or pcapng file (magic 0x3c68746d)"));
    assert!(!msg.contains('\n'));
}

#[test]
fn empty_and_tiny_files() {
    for (name, bytes) in [
        ("empty", &b""[..]),
        ("tiny", &b"\xd4\xc3\xb2\xa1\x02\x00"[..]),
    ] {
        let e = error_of(name, bytes);
        assert!(
            matches!(e.problem, Problem::TooShort(n) if n == bytes.len()),
            "{e}"
        );
    }
}

#[test]
fn modified_pcap_is_refused_with_advice() {
    let mut b = small_pcap();
    b[..4].copy_from_slice(&0xa1b2_cd34u32.to_le_bytes());
    let e = error_of("kuznetzov.pcap", &b);
    assert!(matches!(e.problem, Problem::ModifiedPcap), "{e}");
    assert!(e.to_string().contains("editcap -F pcap"));
}

#[test]
fn huge_record_length() {
    let mut b = small_pcap();
    b[24 + 8..24 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = error_of("huge.pcap", &b);
    assert!(matches!(e.problem, Problem::RecordTooLong(u32::MAX)), "{e}");
    assert_eq!(e.offset, 24);
    let msg = e.to_string();
    assert!(
        msg.contains("huge.pcap: offset 24: record length 4294967295 exceeds"),
        "{msg}"
    );
    assert!(msg.contains("corrupt before its first record"), "{msg}");
}

#[test]
fn caplen_over_orig_len_in_second_record() {
    let mut b = small_pcap();
    let second = 24 + 16 + 54;
    b[second + 12..second + 16].copy_from_slice(&53u32.to_le_bytes());
    let e = error_of("over.pcap", &b);
    assert!(
        matches!(
            e.problem,
            Problem::CaplenOverOrig {
                caplen: 54,
                orig_len: 53
            }
        ),
        "{e}"
    );
    assert_eq!((e.offset, e.records_before), (second as u64, 1));
    assert!(e.to_string().contains("editcap -r FILE OUT 1-1"), "{e}");
}

#[test]
fn pcapng_bad_block_lengths() {
    let good = small_pcapng();
    let first_epb = 28 + 32;
    for (len, name) in [(13u32, "odd"), (8, "short"), (64 << 20, "huge")] {
        let mut b = good.clone();
        b[first_epb + 4..first_epb + 8].copy_from_slice(&len.to_le_bytes());
        let e = error_of(&format!("{name}.pcapng"), &b);
        assert!(
            matches!(e.problem, Problem::BadBlockLength(l) if l == len),
            "{e}"
        );
        assert_eq!(e.offset, first_epb as u64);
    }
    let mut b = good.clone();
    let epb_len = 32 + 56;
    b[first_epb + epb_len - 4..first_epb + epb_len].copy_from_slice(&92u32.to_le_bytes());
    let e = error_of("mismatch.pcapng", &b);
    assert!(
        matches!(
            e.problem,
            Problem::BlockLengthMismatch { head: 88, tail: 92 }
        ),
        "{e}"
    );
}

#[test]
fn pcapng_packet_inconsistencies() {
    let f = ethernet_frame();
    let fails = |name: &str, bytes: Vec<u8>, expected: fn(&Problem) -> bool| {
        let e = error_of(name, &bytes);
        assert!(expected(&e.problem), "{name}: {e}");
    };
    fails(
        "no-interface",
        PcapNg::new(false).epb(0, 0, &f, 54).bytes(),
        |p| matches!(p, Problem::UnknownInterface { if_id: 0, count: 0 }),
    );
    let mut b = small_pcapng();
    b[28 + 32 + 20..28 + 32 + 24].copy_from_slice(&200u32.to_le_bytes());
    fails("caplen-over-block", b, |p| {
        matches!(p, Problem::Malformed(_))
    });
    fails(
        "caplen-over-orig",
        PcapNg::new(false)
            .interface(1, 0, None, None)
            .epb(0, 0, &f, 10)
            .bytes(),
        |p| matches!(p, Problem::CaplenOverOrig { .. }),
    );
    fails(
        "bad-tsresol",
        PcapNg::new(false).interface(1, 0, Some(20), None).bytes(),
        |p| matches!(p, Problem::BadTsResolution(20)),
    );
    let mut b = small_pcapng();
    b[8] ^= 0xff;
    fails("bad-byte-order", b, |p| {
        matches!(p, Problem::BadByteOrder(_))
    });
}

/// Reads any bytes to the end: must not panic, must stop, and must not
/// return more records than the bytes could hold.
fn survives(name: &str, bytes: &[u8]) {
    let path = write_temp(name, bytes);
    let (records, error, _) = read(&path);
    assert!(records.len() <= bytes.len() / 12 + 1);
    if let Some(e) = error {
        assert!(!e.to_string().contains('\n'), "{e}");
    }
}

fn magics() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![0xd4, 0xc3, 0xb2, 0xa1]),
        Just(vec![0xa1, 0xb2, 0x3c, 0x4d]),
        Just(vec![0x0a, 0x0d, 0x0d, 0x0a]),
        Just(vec![]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes(magic in magics(), tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        survives("random", &[magic, tail].concat());
    }

    #[test]
    fn random_pcapng_after_a_valid_header(
        be in any::<bool>(),
        tail in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let head = PcapNg::new(be).interface(1, 0, None, None).bytes();
        survives("random-ng", &[head, tail].concat());
    }

    #[test]
    fn flipped_bytes_in_small_files(
        pcapng in any::<bool>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 1..8),
    ) {
        let mut b = if pcapng { small_pcapng() } else { small_pcap() };
        for (at, x) in flips {
            let i = at.index(b.len());
            b[i] ^= x;
        }
        survives("flipped", &b);
    }
}

#[test]
fn flipped_bytes_in_a_real_trace() {
    let Some(traces) = corpus::for_test() else {
        return;
    };
    for rel in ["packets/tcp_handshake.pcapng", "zeek/tcp/syn-then-rst.pcap"] {
        let t = traces.iter().find(|t| t.relative_path == rel).unwrap();
        let original = std::fs::read(&t.path).unwrap();
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(300));
        let flips = proptest::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 1..8);
        runner
            .run(&flips, |flips| {
                let mut b = original.clone();
                for (at, x) in flips {
                    let i = at.index(b.len());
                    b[i] ^= x;
                }
                survives("flipped-real", &b);
                Ok(())
            })
            .unwrap();
    }
}
