//! The pcap writer: what it writes reads back the same, here and in tshark.

use capture::PcapWriter;

use crate::files::{ethernet_frame, frames, read_ok, temp_path};
use crate::tshark::{tshark, tshark_installed};

#[test]
fn written_frames_read_back() {
    let f = ethernet_frame();
    let path = temp_path("written.pcap");
    let mut w = PcapWriter::create(&path).unwrap();
    w.write(1_700_000_000_000_000_001, &f, 54).unwrap();
    w.write(1_700_000_000_999_999_999, &f[..20], 1514).unwrap();
    w.finish().unwrap();

    let got = frames(read_ok(&path));
    let summary: Vec<_> = got
        .iter()
        .map(|g| (g.ts_ns, g.data.as_slice(), g.orig_len, g.added))
        .collect();
    assert_eq!(
        summary,
        [
            (1_700_000_000_000_000_001, &f[..], 54, 0),
            (1_700_000_000_999_999_999, &f[..20], 1514, 0)
        ]
    );
    let fields = [
        "-T",
        "fields",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.len",
        "-e",
        "eth.type",
    ];
    if tshark_installed() {
        assert_eq!(
            tshark(&path, &fields),
            "1700000000.000000001\t54\t0x0800\n1700000000.999999999\t1514\t0x0800\n"
        );
    }
}

#[test]
fn unreadable_frames_are_refused() {
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    assert!(w.write(0, &[0; 60], 59).is_err(), "longer than on the wire");
    assert!(
        w.write(0, &vec![0; 300_000], 300_000).is_err(),
        "over the cap"
    );
    assert!(w.write(u64::MAX, &[0; 60], 60).is_err(), "past 2106");
    assert_eq!(w.finish().unwrap().len(), 24, "nothing but the header");
}
