//! Two stacks over a simulated link with a clock the test drives, and
//! faults from a seeded generator. The oracle is the byte stream itself:
//! what one application wrote is what the other read, byte for byte.

mod common;

use common::{Faults, Net, pattern, transfer};
use host::tcp::{CcKind, Config, SocketError, State};

#[test]
fn a_clean_link_carries_a_megabyte_each_way_and_closes() {
    for v6 in [false, true] {
        let (_, _, mut n) = transfer(
            Config::default(),
            Faults::default(),
            1,
            1 << 20,
            1 << 20,
            v6,
        );
        for _ in 0..1000 {
            n.step();
        }
        // The active closer waits in TIME-WAIT; the other side is gone.
        let states: Vec<State> = n.a.connections().map(|(_, c)| c.state()).collect();
        assert_eq!(
            states,
            vec![State::TimeWait],
            "{:?}",
            n.b.connections()
                .map(|(_, c)| c.state())
                .collect::<Vec<_>>()
        );
        assert_eq!(n.b.connections().count(), 0);
        assert_eq!(n.a.totals().retransmits, 0);
    }
}

#[test]
fn loss_reordering_duplication_and_corruption_still_deliver_every_byte() {
    for (seed, cc) in [(2, CcKind::NewReno), (3, CcKind::Cubic)] {
        let cfg = Config {
            cc,
            ..Config::default()
        };
        let f = Faults {
            loss: 0.05,
            reorder: 0.05,
            dup: 0.02,
            corrupt: 0.01,
        };
        let (_, _, n) = transfer(cfg, f, seed, 1 << 20, 100_000, false);
        assert!(n.a.totals().retransmits > 0);
        assert!(n.corrupted > 0);
        assert!(
            n.b.stats.bad_checksum_drops > 0,
            "corrupt frames must be dropped by the checksum"
        );
    }
}

#[test]
fn every_option_off_still_works() {
    let cfg = Config {
        window_scaling: false,
        timestamps: false,
        sack: false,
        rcv_buf: 65535,
        ..Config::default()
    };
    let f = Faults {
        loss: 0.01,
        ..Faults::default()
    };
    transfer(cfg, f, 4, 500_000, 500_000, true);
}

#[test]
fn a_connect_to_a_closed_port_is_refused() {
    let (mut n, ca, _) = Net::new(Config::default(), Faults::default(), 5, false);
    let c =
        n.a.connect(ca, "10.0.0.2:81".parse().unwrap(), [2, 0, 0, 0, 0, 2], 0)
            .unwrap();
    for _ in 0..200 {
        n.step();
    }
    assert_eq!(
        n.a.read(c, &mut [0; 1]),
        Err(SocketError::Conn(host::tcp::ConnError::Refused))
    );
}

/// A reader that stalls for longer than the retry budget: the sender
/// probes the zero window with backoff, the answers keep the connection
/// (as Linux resets icsk_probes_out on every ACK), no probe answer counts
/// as a duplicate ACK, and every byte arrives once the reader resumes.
#[test]
fn a_reader_stalled_for_an_hour_keeps_the_connection() {
    let cfg = Config {
        rcv_buf: 65_535,
        snd_buf: 65_535,
        ..Config::default()
    };
    let (mut n, ca, cb) = Net::new(cfg.clone(), Faults::default(), 6, false);
    let l = n.b.listen(cb, 16).unwrap();
    let c = n.a.connect(ca, cb, [2, 0, 0, 0, 0, 2], 0).unwrap();
    let data = pattern(200_000, 6);
    let mut sent = 0;
    let stall_until = 3_600_000_000;
    let (mut got, mut s) = (Vec::new(), None);
    let mut buf = vec![0; 65536];
    while got.len() < data.len() {
        assert!(
            n.now < stall_until + 60_000_000,
            "the transfer did not resume"
        );
        n.step();
        s = s.or_else(|| n.b.accept(l).ok());
        if let Ok(k) = n.a.write(c, &data[sent..]) {
            sent += k;
        }
        if n.now >= stall_until
            && let Some(s) = s
            && let Ok(k) = n.b.read(s, &mut buf)
        {
            got.extend_from_slice(&buf[..k]);
        }
        // Skip the quiet stretches to the next timer: once a second step
        // (a poll after the last delivery) put nothing on the wire.
        if n.wire.is_empty() {
            n.step();
        }
        if n.wire.is_empty() && n.now < stall_until {
            let next = [n.a.deadline(), n.b.deadline()].into_iter().flatten().min();
            n.now = next.unwrap_or(stall_until).clamp(n.now, stall_until);
        }
    }
    assert!(got == data, "bytes differ");
    let t = n.a.totals();
    assert!(
        t.zero_window_probes > u64::from(cfg.retries),
        "{} probes in an hour",
        t.zero_window_probes
    );
    assert_eq!(t.fast_retransmits, 0, "a probe answer taken for a dup ACK");
    assert_eq!(n.a.conn(c).unwrap().state(), State::Established);
}
