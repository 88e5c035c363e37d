//! Loss repaired before the RTO, and the RTO's go-back, judged on the
//! segments the link carried: the tail loss probe of RFC 8985 §7 when a
//! burst's ACKs are lost, no resending of what the receiver SACKed after
//! a timeout (Linux's tcp_enter_loss keeps the SACK marks), and bulk data
//! in full TSO units (Linux's tcp_tso_should_defer).

mod common;

use common::{Faults, Net, transfer_on};
use host::tcp::Config;
use host::tcp::rtt::Micros;

/// The RFC 6298 floor this stack keeps (Linux's 200 ms).
const MIN_RTO: Micros = 200_000;

fn net(seed: u64) -> (Net, std::net::SocketAddr, std::net::SocketAddr) {
    Net::new(Config::default(), Faults::default(), seed, false)
}

#[test]
fn a_burst_whose_acks_are_lost_gets_a_tail_probe_before_the_rto() {
    let (mut n, ca, cb) = net(21);
    // Every ACK for a little over one round trip (5 ms each way).
    let (from, to) = (60_000, 72_000);
    n.drop = Box::new(move |at, to_b, _| !to_b && (from..to).contains(&at));
    let (_, _, n) = transfer_on(n, ca, cb, 21, 400_000, 0);
    let data: Vec<_> = n.sent.iter().filter(|s| s.to_b && s.len > 0).collect();
    let mut top = data[0].seq;
    let mut first_resend = None;
    for s in &data {
        let end = s.seq.wrapping_add(s.len);
        if (end.wrapping_sub(top) as i32) <= 0 {
            first_resend = Some((s.at, end == top));
            break;
        }
        top = end;
    }
    let (at, last) = first_resend.expect("the lost ACKs must cause a resend");
    assert!(at >= to, "a resend at {at} µs, before the ACKs were lost");
    assert!(
        at < to + MIN_RTO / 2,
        "the first resend came at {at} µs: the RTO, not a probe"
    );
    assert!(
        last,
        "the probe must be the last segment sent (RFC 8985 §7.3)"
    );
}

#[test]
fn after_a_timeout_what_the_receiver_sacked_is_not_sent_again() {
    let (mut n, ca, cb) = net(22);
    // Two segments' every copy is lost for a while: fast retransmit, the
    // probe and the first RTOs all fail. When the first hole is filled,
    // the go-back reaches the second, which is still lost, with SACKed
    // data beyond it.
    let holes = [(200_001, 1_000_000), (300_001, 1_700_000)];
    let mut isn = None;
    let mut first: [Option<Micros>; 2] = [None; 2];
    n.drop = Box::new(move |at, to_b, seg| {
        if !to_b {
            return false;
        }
        let isn = *isn.get_or_insert(seg.h.seq);
        holes.iter().zip(&mut first).any(|(&(off, lasts), first)| {
            let byte = isn.wrapping_add(off);
            let holds = byte.wrapping_sub(seg.h.seq) < seg.payload.len() as u32;
            holds && at < *first.get_or_insert(at) + lasts
        })
    });
    let delay = n.delay;
    let (_, _, n) = transfer_on(n, ca, cb, 22, 600_000, 0);
    let sack_arrivals: Vec<(Micros, (u32, u32))> = n
        .sent
        .iter()
        .filter(|s| !s.to_b && !s.dropped)
        .flat_map(|s| s.sack.iter().map(move |b| (s.at + delay, *b)))
        .collect();
    let longest_gap = n
        .sent
        .iter()
        .filter(|s| s.to_b)
        .map(|s| s.at)
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap();
    assert!(longest_gap >= MIN_RTO, "no timeout happened");
    let mut resent_sacked = 0u64;
    for s in n.sent.iter().filter(|s| s.to_b && s.len > 0) {
        let (a, b) = (s.seq, s.seq.wrapping_add(s.len));
        for &(_, (l, r)) in sack_arrivals.iter().filter(|(t, _)| *t <= s.at) {
            let lo = if (a.wrapping_sub(l) as i32) > 0 { a } else { l };
            let hi = if (b.wrapping_sub(r) as i32) < 0 { b } else { r };
            if (hi.wrapping_sub(lo) as i32) > 0 {
                resent_sacked += u64::from(hi.wrapping_sub(lo));
                break;
            }
        }
    }
    assert_eq!(
        resent_sacked, 0,
        "bytes the receiver had SACKed, sent again"
    );
}

#[test]
fn bulk_data_leaves_in_full_tso_units() {
    let (mut n, ca, cb) = net(23);
    // 1 Gb/s, so that ACKs come spread out as on a wire.
    n.rate = Some(1000);
    let (_, _, n) = transfer_on(n, ca, cb, 23, 8 << 20, 0);
    // Past slow start: the units of the last 6 MB.
    let mut seen = 0usize;
    let (mut units, mut bytes) = (0usize, 0usize);
    for &(_, len) in n.units.iter().filter(|(a_to_b, _)| *a_to_b) {
        seen += len;
        if seen > 2 << 20 {
            units += 1;
            bytes += len;
        }
    }
    // 64 KB less headers, in whole 1448-byte segments.
    let ideal = bytes.div_ceil(45 * 1448);
    assert!(
        units * 100 <= ideal * 115,
        "{units} units for {bytes} bytes, {ideal} if each were full"
    );
}
