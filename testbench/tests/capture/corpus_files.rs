//! Every trace of the corpus reads cleanly with the packet count the
//! manifest measured.

use capture::{Reader, Record};
use testbench::corpus;

#[test]
fn every_trace_yields_its_manifest_packet_count() {
    let Some(traces) = corpus::for_test() else {
        return;
    };
    assert!(!traces.is_empty(), "empty manifest");
    for t in &traces {
        let mut reader = Reader::open(&t.path).unwrap_or_else(|e| panic!("{e}"));
        let records: Vec<Record> = reader
            .by_ref()
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let name = &t.relative_path;
        assert!(!reader.truncated(), "{name}: truncated");
        assert_eq!(records.len() as u64, t.packets, "{name}: record count");
        assert_eq!(reader.file_len(), t.bytes, "{name}: size");
        assert_eq!(reader.bytes_read(), t.bytes, "{name}: bytes read");
        for (i, r) in records.iter().enumerate() {
            match r {
                Record::Frame(f) => {
                    assert_eq!(f.number, i as u64 + 1);
                    assert!(f.data.len() <= f.orig_len as usize);
                }
                Record::Skipped { number, reason } => {
                    panic!("{name}: frame {number} skipped: {reason}")
                }
            }
        }
    }
}
