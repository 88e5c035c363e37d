//! `toe replay` through the driver and the engine's rings gives what the
//! direct path gives, on every trace of the corpus: each frame's bytes,
//! checksum verdict, class and slot, and the emulated host's work, with
//! rings of 256 and of 8 entries (wrapping every 8 frames). `toe ss` lists,
//! read over the registers, exactly the connections the direct path's host
//! holds installed at the end, with the same counters. Both on the model
//! engine and on the RTL engine under Verilator.

use host::emu_host::{FlowState, tuple_text};
use toe::{
    options::{Backend, Options},
    replay::replay,
};

#[test]
fn replay_through_the_driver_equals_the_direct_path() {
    through_the_driver(Backend::Model, "model");
}

#[test]
fn replay_through_the_rtl_engine_equals_the_direct_path() {
    through_the_driver(Backend::Rtl, "rtl");
}

fn through_the_driver(backend: Backend, device: &str) {
    let Some(traces) = testbench::corpus::for_test() else {
        return;
    };
    let (mut frames, mut listed) = (0, 0);
    for t in &traces {
        for ring in [256, 8] {
            let opts = Options {
                rx_ring: ring,
                rx_buffers: ring,
                flows: true,
                // The engine behind the driver does not place yet: the
                // direct path does the same, so the host's work must match.
                place: None,
                ..Options::new(8, backend)
            };
            let r = replay(&t.path, &opts, &|_, _| {}).unwrap();
            let d = r.driver.as_ref().expect("the driver pass ran");
            let name = &t.relative_path;
            assert_eq!(d.device, device, "{name}: the engine behind the driver");
            assert_eq!(
                d.mismatches, 0,
                "{name}, ring {ring}: {:?}",
                d.mismatch_examples
            );
            assert_eq!(d.completions, r.frames, "{name}: a completion per frame");
            assert_eq!(d.dma_faults, 0, "{name}");
            assert_eq!(d.host, r.host, "{name}: the host's work");
            for drop in ["rx_no_buffer", "rx_cpl_full", "rx_too_big"] {
                assert_eq!(d.counters[drop], 0, "{name}: {drop}");
            }
            assert_eq!(u64::from(d.counters["rx_frames"]), r.frames, "{name}");
            frames += r.frames;
            if ring == 8 {
                continue;
            }
            let ss = toe::replay::ss(&t.path, &opts, &|_, _| {}).unwrap();
            let mut want: Vec<_> = r
                .flows
                .iter()
                .filter(|f| f.state == FlowState::Installed)
                .map(|f| {
                    let slot = f.slot.expect("installed flows have a slot");
                    (
                        slot,
                        tuple_text(&f.key),
                        [f.frames, f.bytes, f.fast, f.slow],
                    )
                })
                .collect();
            want.sort();
            let got: Vec<_> = ss
                .iter()
                .map(|e| (e.slot, e.tuple.clone(), [e.frames, e.bytes, e.fast, e.slow]))
                .collect();
            assert_eq!(
                got, want,
                "{name}: toe ss vs the direct path's installed flows"
            );
            listed += got.len();
        }
    }
    eprintln!(
        "{device}: {} traces, {frames} frames through the driver, {listed} connections listed by ss",
        traces.len()
    );
    assert!(listed > 0, "some trace leaves connections installed");
}
