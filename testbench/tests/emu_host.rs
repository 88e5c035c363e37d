//! The emulated host on a hand-written connection, checked against the
//! issue's rules worked out by hand: install values after the handshake
//! (data on the handshake ACK counts), a hole the host closes and writes
//! back, FIN removing one direction and RST the other.

use host::emu_host::{FlowState, Host};
use host::table_engine::TableEngine;
use model::conn_table::{Cmd, Request, Table};
use spec::conn_table::{Class, Key};
use spec::toeplitz::DEFAULT_KEY;

const A_TO_B: Key = Key {
    v6: false,
    src: [10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    dst: [10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    sport: 1000,
    dport: 80,
};

fn seg(key: Key, flags: u16, seq: u32, ack: u32, plen: u32) -> Request {
    Request {
        status: 0,
        csum_bad: false,
        key,
        seq,
        ack,
        plen,
        flags,
        opts: 0,
    }
}

/// rcv_nxt and snd_una of `key`'s entry.
fn entry(t: &mut Table, key: &Key) -> Option<(u32, u32)> {
    let slot = t.lookup(key)?;
    let (_, rcv, una) = t.execute(&Cmd::Read(slot)).entry?;
    Some((rcv, una))
}

#[test]
fn handshake_hole_fin_and_rst_as_the_rules_say() {
    let b_to_a = A_TO_B.reverse();
    let mut t = Table::new(16, 4, DEFAULT_KEY);
    let mut host = Host::default();
    let mut n = 0;
    let mut send = |t: &mut Table, host: &mut Host, r: Request| {
        n += 1;
        let o = TableEngine::classify(t, &r).unwrap();
        let payload = vec![0; r.plen as usize];
        host.frame(n, &r, &o, Some(&payload), t).unwrap();
        o.class
    };
    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x02, 100, 0, 0)),
        Class::Miss
    );
    assert_eq!(
        send(&mut t, &mut host, seg(b_to_a, 0x12, 500, 101, 0)),
        Class::Miss
    );
    // The handshake ACK carries 10 bytes: A->B has received up to 111.
    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x18, 101, 501, 10)),
        Class::Miss
    );
    assert_eq!(host.stats.installs, 2);
    assert_eq!(entry(&mut t, &A_TO_B), Some((111, 501)));
    assert_eq!(entry(&mut t, &b_to_a), Some((501, 101)));

    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x10, 111, 501, 20)),
        Class::Fast
    );
    // 131..151 is missing: the host keeps 151..161.
    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x10, 151, 501, 10)),
        Class::Ahead
    );
    assert_eq!(entry(&mut t, &A_TO_B), Some((131, 501)));
    // The engine fills the hole alone; the host learns of it from the
    // fast completion and writes back the end of everything it holds, so
    // the next segment stays on the fast path.
    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x10, 131, 501, 20)),
        Class::Fast
    );
    assert_eq!(entry(&mut t, &A_TO_B), Some((161, 501)));
    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x10, 161, 501, 5)),
        Class::Fast
    );
    assert_eq!(entry(&mut t, &A_TO_B), Some((166, 501)));
    assert_eq!(host.stats.rcv_nxt_writes, 1);
    // A retransmission, then B's ACK moving B->A's snd_una.
    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x10, 111, 501, 20)),
        Class::Old
    );
    assert_eq!(
        send(&mut t, &mut host, seg(b_to_a, 0x10, 501, 166, 0)),
        Class::Ack
    );
    assert_eq!(entry(&mut t, &b_to_a), Some((501, 166)));

    assert_eq!(
        send(&mut t, &mut host, seg(A_TO_B, 0x11, 166, 501, 0)),
        Class::Ctrl
    );
    assert_eq!(entry(&mut t, &A_TO_B), None, "FIN removes its direction");
    assert!(entry(&mut t, &b_to_a).is_some(), "and only its direction");
    assert_eq!(
        send(&mut t, &mut host, seg(b_to_a, 0x04, 501, 0, 0)),
        Class::Ctrl
    );
    assert_eq!(t.used(), 0, "RST removes both");
    assert_eq!(host.stats.removes, 2);
    host.finish(&mut t).unwrap();
    let states: Vec<FlowState> = host.flows.iter().map(|f| f.state).collect();
    assert_eq!(states, [FlowState::Fin, FlowState::Rst]);
    // A->B's counters as read before its removal: every frame after the
    // install (5 data, 1 FIN), 75 payload bytes, 3 fast (111, 131, 161).
    let f = &host.flows[0];
    assert_eq!((f.frames, f.bytes, f.fast, f.slow), (6, 75, 3, 3));
}
