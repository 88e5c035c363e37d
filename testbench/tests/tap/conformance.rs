//! Conformance: a scripted peer (scripted_peer.py, a raw AF_PACKET
//! socket on the TAP, from an address the kernel does not own) sends
//! crafted segments and asserts each exact reply from RFC 9293, 5961 and
//! 7323. The stack runs on the model engine with offloads on, so the
//! segments of an established connection cross the fast path.

use crate::harness::{Spec, tap, workdir};
use toe::tap::Mode;
use toe::tap::apps::Service;

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tap/scripted_peer.py");

fn scenario(name: &str, mode: impl FnOnce(&std::path::Path) -> Mode) {
    if !testbench::tools::tap() {
        return;
    }
    let dir = workdir(&format!("conf-{name}"));
    let cmd = format!("python3 {PEER} {name}");
    let r = tap(
        &dir,
        Spec {
            mode: Some(mode(&dir)),
            cmd: &cmd,
            ..Spec::default()
        },
    );
    assert_eq!(
        r.code, 0,
        "scenario {name}: the scripted peer saw a wrong reply (its stderr says which)"
    );
}

fn echo(_: &std::path::Path) -> Mode {
    Mode::Serve(Service::Echo, 7)
}

#[test]
fn an_out_of_window_rst_is_ignored() {
    scenario("rst_out_of_window", echo);
}

#[test]
fn an_in_window_rst_gets_a_challenge_ack_and_the_exact_one_resets() {
    scenario("rst_in_window", echo);
}

#[test]
fn a_syn_on_an_established_connection_gets_a_challenge_ack() {
    scenario("syn_on_established", echo);
}

#[test]
fn an_old_timestamp_is_dropped_with_an_ack() {
    scenario("paws", echo);
}

#[test]
fn data_beyond_the_window_is_dropped_with_an_ack() {
    scenario("beyond_window", echo);
}

#[test]
fn a_zero_window_probe_is_answered() {
    scenario("probe_to_stack", echo);
}

#[test]
fn a_zero_window_gets_probes_with_backoff() {
    scenario("probes_from_stack", echo);
}

#[test]
fn a_fin_that_carries_data_is_acknowledged_with_the_data() {
    scenario("fin_with_data", echo);
}

#[test]
fn a_simultaneous_close_goes_through_closing_and_time_wait() {
    scenario("simultaneous_close", |d| {
        std::fs::write(d.join("www/small.txt"), b"small\n").unwrap();
        Mode::Serve(Service::Http(d.join("www")), 80)
    });
}

#[test]
fn a_retransmitted_syn_ack_gets_the_same_ack_again() {
    scenario("retransmitted_syn_ack", |d| {
        let send = d.join("hello.txt");
        std::fs::write(&send, b"hello").unwrap();
        Mode::Connect {
            port: 5001,
            to: Some("10.77.0.3".parse().unwrap()),
            send: Some(send),
            out: Some(d.join("back.txt")),
        }
    });
}
