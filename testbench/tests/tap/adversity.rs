//! Faults on the wire, a stalled reader, a reset, more connections than
//! the offload cap, and a SYN flood.

use crate::harness::{SAVE_COUNTERS, Spec, counters, random_file, sha, tap, wire, workdir};
use toe::tap::FaultRates;

const GET_PUT: &str = "curl -sS -m 200 http://$TOE_HOST/big.bin -o $D/got.bin
     curl -sS -m 200 -T $D/www/big.bin http://$TOE_HOST/put.bin -o /dev/null";

#[test]
fn faults_on_the_wire_still_deliver_every_byte() {
    if !testbench::tools::tap() {
        return;
    }
    let cases = [
        (
            "loss1",
            FaultRates {
                loss: 0.01,
                ..Default::default()
            },
        ),
        (
            "loss5",
            FaultRates {
                loss: 0.05,
                ..Default::default()
            },
        ),
        (
            "reorder-dup",
            FaultRates {
                reorder: 0.05,
                dup: 0.02,
                ..Default::default()
            },
        ),
        (
            "corrupt",
            FaultRates {
                corrupt: 0.01,
                ..Default::default()
            },
        ),
        (
            "ce",
            FaultRates {
                ce: 0.05,
                ..Default::default()
            },
        ),
    ];
    for (name, faults) in cases {
        for v6 in [false, true] {
            let dir = workdir(&format!("{name}-{v6}"));
            random_file(&dir.join("www/big.bin"), 4 << 20, 3);
            let cmd = format!("sysctl -qw net.ipv4.tcp_ecn=1\n{GET_PUT}\n{SAVE_COUNTERS}");
            let r = tap(
                &dir,
                Spec {
                    v6,
                    faults,
                    cmd: &cmd,
                    ..Spec::default()
                },
            );
            let what = format!("{name}, v6 {v6}");
            assert_eq!(r.code, 0, "{what}: the command failed");
            let want = sha(&dir.join("www/big.bin"));
            assert_eq!(sha(&dir.join("got.bin")), want, "{what}: GET");
            assert_eq!(sha(&dir.join("www/put.bin")), want, "{what}: PUT");
            // The PUT's bytes came through the engine's receive rings.
            let s = &r.summary;
            assert!(
                s.placing && s.placed_bytes * 2 > 4 << 20,
                "{what}: {} bytes placed",
                s.placed_bytes
            );
            let k = counters(&dir);
            match name {
                "loss1" | "loss5" => {
                    assert!(
                        k["Tcp.RetransSegs"] > 0,
                        "{what}: the kernel retransmitted nothing"
                    );
                    // The kernel recovered with the SACK blocks the stack sent.
                    assert!(k["TcpExt.TCPSackRecovery"] > 0, "{what}: {k:?}");
                }
                "corrupt" => {
                    assert!(
                        k["Tcp.InCsumErrors"] > 0,
                        "{what}: the kernel saw no bad checksum"
                    );
                    assert!(
                        r.summary.engine_counters["ClassBadCsum"] > 0,
                        "{what}: the engine flagged none"
                    );
                }
                // The stack echoed the CE marks on the kernel's packets (ECE).
                "ce" => assert!(k["TcpExt.TCPDeliveredCE"] > 0, "{what}: {k:?}"),
                _ => {}
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}

#[test]
fn a_stalled_reader_closes_the_window_and_the_transfer_resumes() {
    if !testbench::tools::tap() {
        return;
    }
    let dir = workdir("stall");
    random_file(&dir.join("www/big.bin"), 4 << 20, 4);
    let r = tap(
        &dir,
        Spec {
            pcap: true,
            cmd: &format!(
                "sysctl -qw net.ipv4.tcp_rmem='4096 32768 65536'
                 curl -sS -m 60 http://$TOE_HOST/big.bin | (sleep 2; cat > $D/got.bin)
                 {SAVE_COUNTERS}"
            ),
            ..Spec::default()
        },
    );
    assert_eq!(r.code, 0);
    assert_eq!(sha(&dir.join("got.bin")), sha(&dir.join("www/big.bin")));
    let k = counters(&dir);
    assert!(
        k["TcpExt.TCPToZeroWindowAdv"] > 0,
        "the kernel never closed its window: {k:?}"
    );
    // While the kernel's window was zero the stack sent probes (persist).
    let mut zero = false;
    let mut probes = 0;
    for w in wire(&dir) {
        let (from_stack, h, len) = (w.from_stack, w.tcp, w.payload);
        if !from_stack {
            zero = h.window_size == 0 && !h.syn;
        } else if zero && len <= 1 && !h.syn && !h.fin {
            probes += usize::from(len == 1);
        }
    }
    assert!(probes > 0, "no zero-window probe from the stack");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_peer_that_resets_mid_transfer_ends_that_connection_only() {
    if !testbench::tools::tap() {
        return;
    }
    let dir = workdir("reset");
    random_file(&dir.join("www/big.bin"), 8 << 20, 5);
    random_file(&dir.join("www/small.bin"), 100_000, 6);
    let r = tap(
        &dir,
        Spec {
            pcap: true,
            cmd: RESET_PEER,
            ..Spec::default()
        },
    );
    assert_eq!(r.code, 0);
    assert_eq!(sha(&dir.join("got.bin")), sha(&dir.join("www/small.bin")));
    let frames = wire(&dir);
    let (rst_at, port) = frames
        .iter()
        .find(|w| !w.from_stack && w.tcp.rst)
        .map(|w| (w.ts_ns, w.tcp.source_port))
        .expect("the kernel sent a RST");
    let after = frames
        .iter()
        .filter(|w| {
            w.from_stack
                && w.tcp.destination_port == port
                && w.ts_ns > rst_at + 100_000_000
                && w.payload > 0
        })
        .count();
    assert_eq!(after, 0, "the stack kept sending on a reset connection");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Reads 200 kB of a GET, then closes with SO_LINGER 0: a RST.
const RESET_PEER: &str = r#"python3 -c '
import os, socket, struct
s = socket.create_connection((os.environ["TOE_ADDR"], 80))
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
got = 0
while got < 200000:
    got += len(s.recv(65536))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
'
sleep 0.5
curl -sS -m 30 http://$TOE_HOST/small.bin -o $D/got.bin"#;

#[test]
fn ten_times_the_offload_cap_are_all_served() {
    if !testbench::tools::tap() {
        return;
    }
    let dir = workdir("cap");
    random_file(&dir.join("www/f.bin"), 512 << 10, 7);
    let r = tap(
        &dir,
        Spec {
            max_offloaded: 2,
            cmd: "for i in $(seq 20); do curl -sS -m 60 http://$TOE_HOST/f.bin -o $D/got$i.bin & done; wait",
            ..Spec::default()
        },
    );
    assert_eq!(r.code, 0);
    let want = sha(&dir.join("www/f.bin"));
    for i in 1..=20 {
        assert_eq!(
            sha(&dir.join(format!("got{i}.bin"))),
            want,
            "connection {i}"
        );
    }
    // The cap holds at any time; a slot freed by a finished connection
    // takes a later one.
    assert!(
        r.summary.offload_refused >= 10,
        "{}",
        r.summary.offload_refused
    );
    assert_eq!(r.summary.installs + r.summary.offload_refused, 20);
    // The engine saw the others as connections it does not hold.
    assert!(r.summary.engine_counters["ClassMiss"] > 100);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_syn_flood_during_a_transfer_engages_cookies_and_spares_the_table() {
    if !testbench::tools::tap() {
        return;
    }
    let dir = workdir("flood");
    random_file(&dir.join("www/big.bin"), 4 << 20, 8);
    random_file(&dir.join("www/small.bin"), 100_000, 9);
    let flood = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tap/syn_flood.py");
    let r = tap(
        &dir,
        Spec {
            cmd: &format!(
                "curl -sS -m 120 --limit-rate 2M http://$TOE_HOST/big.bin -o $D/got.bin &
                 python3 {flood} $TOE_ADDR 80 100000
                 wait
                 curl -sS -m 30 http://$TOE_HOST/small.bin -o $D/small.bin
                 cat /sys/class/net/$TOE_DEV/statistics/tx_dropped > $D/tap_dropped"
            ),
            ..Spec::default()
        },
    );
    assert_eq!(r.code, 0);
    assert_eq!(sha(&dir.join("got.bin")), sha(&dir.join("www/big.bin")));
    assert_eq!(sha(&dir.join("small.bin")), sha(&dir.join("www/small.bin")));
    let s = &r.summary;
    assert!(s.syn_cookies > 1000, "cookies: {}", s.syn_cookies);
    assert_eq!(
        s.installs, 2,
        "only the two established connections go in the table"
    );
    // The TAP's queue drops what the stack's loop did not read in time
    // (more on a loaded machine); every SYN either reached the engine or
    // is in the kernel's count of those drops.
    let dropped: u64 = std::fs::read_to_string(dir.join("tap_dropped"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        s.rx_frames + dropped >= 100_000 && s.rx_frames > 50_000,
        "the flood did not reach the engine: {} frames, {dropped} dropped by the TAP",
        s.rx_frames
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
