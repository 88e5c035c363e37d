//! Bulk transfers both ways, IPv4 and IPv6, with the kernel's TCP
//! options off and on, on the model engine (16 MB) and the RTL (1 MB).

use crate::harness::{SAVE_COUNTERS, Spec, counters, random_file, sha, tap, wire, workdir};
use toe::options::Backend;

/// GET (stack → kernel) and PUT (kernel → stack) of www/big.bin; the
/// kernel's view of an idle connection opened first goes to ss.txt.
fn get_and_put(sysctls: &str) -> String {
    format!(
        "sysctl -qw {sysctls}
         exec 3<>/dev/tcp/$TOE_ADDR/80; sleep 0.3
         ss -tin state established '( dport = :80 )' > $D/ss.txt; exec 3>&-
         curl -sS -m 120 http://$TOE_HOST/big.bin -o $D/got.bin
         curl -sS -m 120 -T $D/www/big.bin http://$TOE_HOST/put.bin -o /dev/null
         {SAVE_COUNTERS}"
    )
}

/// What the kernel agreed to, from its own words: window scaling from
/// `ss -tin` (this iproute2 prints no ts/sack flags), timestamps from the
/// options on its non-SYN segments, ECN from ECT on (nearly all) its data packets, and
/// SACK-permitted on its SYN.
fn kernel_options(ss: &str, dir: &std::path::Path) -> (bool, bool, bool, bool) {
    let frames = wire(dir);
    let kernel = || frames.iter().filter(|w| !w.from_stack);
    let ts = kernel().filter(|w| !w.tcp.syn).all(|w| {
        w.tcp
            .options_iterator()
            .any(|o| matches!(o, Ok(etherparse::TcpOptionElement::Timestamp(..))))
    });
    let sack = kernel().filter(|w| w.tcp.syn).all(|w| {
        w.tcp.options_iterator().any(|o| {
            matches!(
                o,
                Ok(etherparse::TcpOptionElement::SelectiveAcknowledgementPermitted)
            )
        })
    });
    // RFC 3168 §6.1.5: retransmissions go without ECT.
    let data = kernel().filter(|w| w.payload > 0).count();
    let ect = kernel().filter(|w| w.payload > 0 && w.ecn == 2).count();
    let ecn = ect * 10 >= data * 9;
    let ws = ss.split_whitespace().any(|w| w.starts_with("wscale:"));
    (ts, sack, ws, ecn)
}

#[test]
fn bulk_both_ways_ipv4_and_ipv6_with_options_off_and_on() {
    if !testbench::tools::tap() {
        return;
    }
    for v6 in [false, true] {
        for on in [false, true] {
            let dir = workdir(&format!("bulk-{v6}-{on}"));
            random_file(&dir.join("www/big.bin"), 16 << 20, 1);
            let b = u8::from(on);
            let sysctls = format!(
                "net.ipv4.tcp_sack={b} net.ipv4.tcp_timestamps={b} net.ipv4.tcp_window_scaling={b} net.ipv4.tcp_ecn={b}"
            );
            let r = tap(
                &dir,
                Spec {
                    v6,
                    pcap: true,
                    cmd: &get_and_put(&sysctls),
                    ..Spec::default()
                },
            );
            let what = format!("v6 {v6}, options {on}");
            assert_eq!(r.code, 0, "{what}: the command failed");
            let want = sha(&dir.join("www/big.bin"));
            assert_eq!(sha(&dir.join("got.bin")), want, "{what}: GET");
            assert_eq!(sha(&dir.join("www/put.bin")), want, "{what}: PUT");
            let ss = std::fs::read_to_string(dir.join("ss.txt")).unwrap();
            assert!(ss.contains(":80"), "{what}: ss saw no connection: {ss}");
            assert_eq!(
                kernel_options(&ss, &dir),
                (on, on, on, on),
                "{what}: the kernel's view: {ss}"
            );
            let k = counters(&dir);
            // No loss recovery on a clean link; a tail loss probe (the
            // kernel's, when an ACK is delayed) is the only retransmission.
            assert_eq!(
                k["TcpExt.TCPTimeouts"] + k["TcpExt.TCPSackRecovery"],
                0,
                "{what}"
            );
            assert!(
                k["Tcp.RetransSegs"] <= k["TcpExt.TCPLossProbes"],
                "{what}: {k:?}"
            );
            assert!(
                r.summary.tso_superframes > 0 && r.summary.installs >= 2,
                "{what}"
            );
            std::fs::remove_dir_all(&r.dir).unwrap();
        }
    }
}

#[test]
fn the_rtl_engine_carries_a_megabyte_each_way() {
    if !testbench::tools::tap() {
        return;
    }
    let dir = workdir("rtl");
    random_file(&dir.join("www/big.bin"), 1 << 20, 2);
    let r = tap(
        &dir,
        Spec {
            backend: Backend::Rtl,
            cmd: &get_and_put("net.ipv4.tcp_sack=1"),
            ..Spec::default()
        },
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.summary.engine, "rtl");
    let want = sha(&dir.join("www/big.bin"));
    assert_eq!(sha(&dir.join("got.bin")), want);
    assert_eq!(sha(&dir.join("www/put.bin")), want);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Reads to the end, sends it all back, closes: the kernel's side of the
/// client-mode test.
const ECHO_ALL: &str = r#"python3 -c '
import socket
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 5000)); l.listen()
c, _ = l.accept(); d = b""
while True:
    x = c.recv(65536)
    if not x: break
    d += x
c.sendall(d); c.close()'"#;

#[test]
fn the_client_mode_sends_a_file_to_a_kernel_listener_and_reads_it_back() {
    if !testbench::tools::tap() {
        return;
    }
    let dir = workdir("client");
    let sent = dir.join("send.bin");
    random_file(&sent, 3 << 20, 10);
    let r = tap(
        &dir,
        Spec {
            mode: Some(toe::tap::Mode::Connect {
                port: 5000,
                to: None,
                send: Some(sent.clone()),
                out: Some(dir.join("back.bin")),
            }),
            cmd: ECHO_ALL,
            ..Spec::default()
        },
    );
    assert_eq!(r.code, 0);
    assert_eq!(sha(&dir.join("back.bin")), sha(&sent));
    std::fs::remove_dir_all(&dir).unwrap();
}
