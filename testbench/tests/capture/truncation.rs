//! A capture cut short, at every byte: every complete record comes back,
//! then the reader stops and says the file was truncated, without error.

use capture::{Problem, Reader, Record};
use testbench::corpus;

use crate::files::{PcapNg, Pkt, ethernet_frame, pcap, read, write_temp};

/// Offsets where a record or block ends (the pcap file header counts),
/// found by walking the little-endian file without the reader.
fn boundaries(bytes: &[u8]) -> Vec<usize> {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let mut ends = Vec::new();
    let (mut at, header, len_at, fixed) = if bytes[..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
        (0, 8, 4, 0)
    } else {
        assert_eq!(bytes[..4], [0xd4, 0xc3, 0xb2, 0xa1]);
        ends.push(24);
        (24, 16, 8, 16)
    };
    while at + header <= bytes.len() {
        at += fixed + u32_at(at + len_at);
        ends.push(at);
    }
    assert_eq!(ends.last(), Some(&bytes.len()));
    ends
}

/// The records of the whole file and the offset where each ends.
fn records_and_ends(name: &str, bytes: &[u8]) -> Vec<(Record, u64)> {
    let mut reader = Reader::open(&write_temp(name, bytes)).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next() {
        out.push((r.unwrap(), reader.bytes_read()));
    }
    assert!(!reader.truncated());
    out
}

fn check_cuts(name: &str, bytes: &[u8], cuts: impl Iterator<Item = usize>) {
    let whole = records_and_ends(name, bytes);
    let ends = boundaries(bytes);
    let pcapng = bytes[0] == 0x0a;
    for cut in cuts {
        let path = write_temp(&format!("cut-{name}"), &bytes[..cut]);
        let (records, error, truncated) = read(&path);
        if cut < 4 || (!pcapng && cut < 24) {
            let e = error.unwrap_or_else(|| panic!("{name} cut at {cut}: no error"));
            assert!(matches!(e.problem, Problem::TooShort(n) if n == cut), "{e}");
            continue;
        }
        if let Some(e) = error {
            panic!("{name} cut at {cut}: {e}");
        }
        let complete: Vec<&Record> = (whole.iter())
            .filter(|(_, end)| *end as usize <= cut)
            .map(|(r, _)| r)
            .collect();
        assert_eq!(
            records.iter().collect::<Vec<_>>(),
            complete,
            "{name} cut at {cut}"
        );
        assert_eq!(truncated, !ends.contains(&cut), "{name} cut at {cut}");
    }
}

#[test]
fn hand_built_files_cut_at_every_byte() {
    let frame = ethernet_frame();
    let packets: Vec<Pkt> = (0..3)
        .map(|i| Pkt::at(i * 1000, &frame[..40 + i as usize]))
        .collect();
    let classic = pcap(1, false, false, &packets);
    check_cuts("hand.pcap", &classic, 0..=classic.len());

    let ng = PcapNg::new(false)
        .interface(1, 0, None, None)
        .epb(0, 1, &frame, 60)
        .block(5, &[0; 12])
        .epb(0, 2, &frame[..13], 13)
        .bytes();
    check_cuts("hand.pcapng", &ng, 0..=ng.len());
}

#[test]
fn corpus_traces_cut_short() {
    let Some(traces) = corpus::for_test() else {
        return;
    };
    let bytes = |rel: &str| {
        let t = traces.iter().find(|t| t.relative_path == rel).unwrap();
        std::fs::read(&t.path).unwrap()
    };
    for (rel, step) in [
        ("zeek/tcp/options.pcap", 1),
        ("packets/tcp_handshake.pcapng", 1),
        ("zeek/tcp/ssh-dups.pcap", 997),
        ("packets/tcp_dupack.pcapng", 97),
    ] {
        let b = bytes(rel);
        let name = rel.replace('/', "_");
        check_cuts(&name, &b, (0..=b.len()).step_by(step));
    }
}
