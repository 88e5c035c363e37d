//! A table smaller than the connections of a trace (the 16-entry RTL build
//! and the model side by side): installs report FULL, the connections left
//! out stay with the host (their frames are `miss`), the others keep their
//! fast path, and every frame still gets exactly one class.

use capture::{Reader, Record};
use host::emu_host::FlowState;
use sim::stream::Traffic;
use std::collections::HashMap;
use toe::{
    options::{Backend, Options},
    replay::replay,
};

#[test]
fn a_full_table_leaves_connections_to_the_host_and_loses_nothing() {
    let Some(traces) = testbench::corpus::for_test() else {
        return;
    };
    let t = traces
        .iter()
        .find(|t| t.path.ends_with("packets/http_espn.pcapng"))
        .expect("http_espn.pcapng in the corpus");
    let opts = Options {
        keep_verdicts: true,
        flows: true,
        table_entries: 16,
        // Every frame of a class other than fast/ack then reaches the host
        // as a frame, which the accounting below counts on; placement's
        // own accounting is tshark_delivered's.
        place: None,
        traffic: Traffic {
            idle: 0.1,
            backpressure: 0.2,
            seed: 4,
        },
        ..Options::new(8, Backend::Both)
    };
    let report = replay(&t.path, &opts, &|_, _| {}).unwrap();
    assert_eq!(report.mismatches, 0, "RTL and model differ");
    assert_eq!(report.classes.values().sum::<u64>(), report.frames);
    assert!(report.host.install_full > 0, "the table never filled");
    assert_eq!(report.host.installs, 16, "every slot taken");

    // Frame number -> its direction's key, from the model parser.
    let mut key_of = HashMap::new();
    for r in Reader::open(&t.path).unwrap() {
        if let Record::Frame(f) = r.unwrap() {
            let h = model::rx_parse::parse(&f.data, false);
            key_of.insert(f.number, model::conn_table::key_of(&h));
        }
    }
    let class: HashMap<u64, &str> = report
        .frame_classes
        .iter()
        .map(|c| (c.frame, c.class))
        .collect();
    let (mut left_out, mut fast) = (0, 0);
    for flow in &report.flows {
        let later = class
            .iter()
            .filter(|(n, _)| **n > flow.since_frame && key_of[n] == flow.key);
        for (n, c) in later {
            match flow.state {
                FlowState::Full => {
                    left_out += 1;
                    assert!(
                        matches!(*c, "miss" | "bad_csum" | "unparsed"),
                        "frame {n} of a connection the table refused is {c}"
                    );
                }
                _ => fast += u64::from(*c == "fast"),
            }
        }
    }
    let to_host: u64 = report
        .classes
        .iter()
        .filter(|(c, _)| !matches!(**c, "fast" | "ack" | "bad_csum" | "unparsed"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(report.host.host_frames, to_host, "a frame went nowhere");
    println!(
        "{} installs, {} FULL; {left_out} frames of refused connections went to the host, \
         {fast} fast frames on the installed ones",
        report.host.installs, report.host.install_full
    );
    assert!(left_out > 100 && fast > 100);
}
