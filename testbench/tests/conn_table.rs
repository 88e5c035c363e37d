//! The `conn_table` RTL against the model: host commands while the table
//! fills past FULL, and lookups of every class with random idle cycles and
//! backpressure, including one connection's frames back to back (the
//! state forwarding). The result's hash is checked against the contract's
//! software Toeplitz hash under a random key.

use model::conn_table::{Answer, Cmd, Request, Table};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::conn_table::ConnTableRtl;
use sim::stream::Traffic;
use spec::conn_table::{Class, CmdStatus, Key};
use spec::rx_parse::Status;
use spec::toeplitz::{KEY_BYTES, hash};
use std::collections::BTreeMap;

const WAYS: usize = 4;

fn random_key(rng: &mut StdRng) -> Key {
    let v6 = rng.gen_bool(0.3);
    let n = if v6 { 16 } else { 4 };
    let mut k = Key {
        v6,
        src: [0; 16],
        dst: [0; 16],
        sport: rng.r#gen(),
        dport: rng.r#gen(),
    };
    rng.fill(&mut k.src[..n]);
    rng.fill(&mut k.dst[..n]);
    k
}

fn hash_key(rng: &mut StdRng) -> [u8; KEY_BYTES] {
    let mut k = [0u8; KEY_BYTES];
    rng.fill(&mut k[..]);
    k
}

/// Runs `cmd` on both and fails on any difference.
fn both(rtl: &mut ConnTableRtl, table: &mut Table, cmd: &Cmd) -> Answer {
    let want = table.execute(cmd);
    let got = rtl.command(cmd).expect("command");
    assert_eq!(got, want, "command {cmd:?}");
    want
}

#[test]
fn commands_equal_the_model_while_the_table_fills_past_full() {
    let mut rng = StdRng::seed_from_u64(41);
    let hk = hash_key(&mut rng);
    let mut rtl = ConnTableRtl::new(&hk, None).unwrap();
    let mut table = Table::new(rtl.entries(), WAYS, hk);
    let mut seen: BTreeMap<CmdStatus, usize> = BTreeMap::new();
    let mut keys = Vec::new();
    // More inserts than slots: buckets fill and inserts report FULL.
    for i in 0..rtl.entries() + rtl.entries() / 4 {
        let key = if i % 50 == 7 && !keys.is_empty() {
            keys[rng.gen_range(0..keys.len())]
        } else {
            random_key(&mut rng)
        };
        let bank = match rng.gen_range(0..8) {
            0 => Some(0),
            1 => Some(1),
            _ => None,
        };
        let cmd = Cmd::Insert {
            key,
            rcv_nxt: rng.r#gen(),
            snd_una: rng.r#gen(),
            bank,
        };
        let a = both(&mut rtl, &mut table, &cmd);
        *seen.entry(a.status).or_default() += 1;
        keys.push(key);
    }
    let slots = rtl.entries();
    for _ in 0..3000 {
        let slot = match rng.gen_range(0..10) {
            0 => rng.gen_range(slots..1 << 16),
            _ => rng.gen_range(0..slots),
        };
        let cmd = match rng.gen_range(0..6) {
            0 => Cmd::Remove(slot),
            1 => Cmd::WriteRcvNxt(slot, rng.r#gen()),
            2 => Cmd::WriteSndUna(slot, rng.r#gen()),
            3 => Cmd::ReadCounters(slot),
            4 => Cmd::Insert {
                key: random_key(&mut rng),
                rcv_nxt: rng.r#gen(),
                snd_una: rng.r#gen(),
                bank: None,
            },
            _ => Cmd::Read(slot),
        };
        let a = both(&mut rtl, &mut table, &cmd);
        *seen.entry(a.status).or_default() += 1;
    }
    println!("command answers: {seen:?}");
    for s in CmdStatus::ALL {
        assert!(seen.get(&s).copied().unwrap_or(0) > 0, "no {s:?} answer");
    }
}

/// A frame of `key`, mostly plain ACK/data segments near the connection's
/// next sequence number (`nxt`), sometimes anything at all.
fn request(rng: &mut StdRng, key: Key, nxt: &mut u32) -> Request {
    let plen = match rng.gen_range(0..10) {
        0..=2 => 0,
        3 => rng.gen_range(0..1 << 17),
        _ => rng.gen_range(1..1500),
    };
    let seq = match rng.gen_range(0..10) {
        0..=5 => {
            let s = *nxt;
            *nxt = nxt.wrapping_add(plen);
            s
        }
        6 => nxt.wrapping_sub(plen + rng.gen_range(0..3000)),
        7 => nxt.wrapping_add(rng.gen_range(1..100_000)),
        8 => nxt.wrapping_sub(rng.gen_range(1..plen.max(2))),
        _ => rng.r#gen(),
    };
    Request {
        status: if rng.gen_bool(0.95) {
            Status::Ok as u8
        } else {
            rng.gen_range(1..10)
        },
        csum_bad: rng.gen_bool(0.04),
        key,
        seq,
        ack: rng.r#gen(),
        plen,
        flags: match rng.gen_range(0..10) {
            0 => rng.gen_range(0..1 << 12),
            1 => 0x18,
            _ => 0x10,
        },
        opts: match rng.gen_range(0..10) {
            0 => rng.gen_range(0..1 << 7),
            1..=4 => 1 << 4,
            _ => 0,
        },
    }
}

#[test]
fn lookups_equal_the_model_with_idle_and_backpressure() {
    let mut rng = StdRng::seed_from_u64(7);
    let hk = hash_key(&mut rng);
    let mut rtl = ConnTableRtl::new(&hk, None).unwrap();
    let mut table = Table::new(rtl.entries(), WAYS, hk);
    let mut conns: Vec<(Key, u32)> = Vec::new();
    for _ in 0..300 {
        let key = random_key(&mut rng);
        let rcv_nxt = rng.r#gen();
        let cmd = Cmd::Insert {
            key,
            rcv_nxt,
            snd_una: rng.r#gen(),
            bank: None,
        };
        if both(&mut rtl, &mut table, &cmd).status == CmdStatus::Ok {
            conns.push((key, rcv_nxt));
        }
    }
    let mut classes: BTreeMap<Class, usize> = BTreeMap::new();
    let traffics = [
        Traffic::FULL_RATE,
        Traffic {
            idle: 0.3,
            backpressure: 0.3,
            seed: 1,
        },
        Traffic {
            idle: 0.0,
            backpressure: 0.6,
            seed: 2,
        },
        Traffic {
            idle: 0.7,
            backpressure: 0.0,
            seed: 3,
        },
    ];
    for round in 0..24 {
        let mut reqs = Vec::new();
        for _ in 0..400 {
            // A few hot connections make back-to-back frames of one entry.
            let i = match rng.gen_range(0..10) {
                0..=3 => rng.gen_range(0..3.min(conns.len())),
                4..=8 => rng.gen_range(0..conns.len()),
                _ => usize::MAX,
            };
            let r = match conns.get_mut(i) {
                Some((key, nxt)) => request(&mut rng, *key, nxt),
                None => {
                    let key = random_key(&mut rng);
                    request(&mut rng, key, &mut 0)
                }
            };
            reqs.push(r);
        }
        let (got, _) = rtl
            .classify(&reqs, &traffics[round % traffics.len()])
            .unwrap();
        for (n, (r, g)) in reqs.iter().zip(&got).enumerate() {
            let want = table.classify(r);
            assert_eq!(g.outcome, want, "round {round}, frame {n}: {r:?}");
            assert_eq!(g.hash, hash(&hk, &r.key.hash_input()), "hash of {r:?}");
            *classes.entry(want.class).or_default() += 1;
        }
        // The host meanwhile: rewinds or advances rcv_nxt, moves entries.
        for _ in 0..5 {
            let (key, nxt) = conns[rng.gen_range(0..conns.len())];
            let slot = table.lookup(&key);
            let cmd = match (rng.gen_range(0..4), slot) {
                (0, Some(s)) => Cmd::WriteRcvNxt(s, nxt),
                (1, Some(s)) => Cmd::WriteSndUna(s, rng.r#gen()),
                (2, Some(s)) => Cmd::Remove(s),
                _ => Cmd::Insert {
                    key,
                    rcv_nxt: nxt,
                    snd_una: 0,
                    bank: None,
                },
            };
            both(&mut rtl, &mut table, &cmd);
        }
    }
    for s in 0..rtl.entries() {
        both(&mut rtl, &mut table, &Cmd::ReadCounters(s));
        both(&mut rtl, &mut table, &Cmd::Read(s));
    }
    println!("classes: {classes:?}");
    for c in Class::ALL {
        assert!(classes.get(&c).copied().unwrap_or(0) > 0, "no {c:?} frame");
    }
}

#[test]
fn one_lookup_per_cycle_at_full_rate() {
    let mut rng = StdRng::seed_from_u64(3);
    let hk = hash_key(&mut rng);
    let mut rtl = ConnTableRtl::new(&hk, None).unwrap();
    let mut table = Table::new(rtl.entries(), WAYS, hk);
    let key = random_key(&mut rng);
    let cmd = Cmd::Insert {
        key,
        rcv_nxt: 1000,
        snd_una: 0,
        bank: None,
    };
    both(&mut rtl, &mut table, &cmd);
    // One connection's in-order segments back to back: each reads the
    // rcv_nxt the one before it wrote.
    let reqs: Vec<Request> = (0..2000u32)
        .map(|i| Request {
            status: 0,
            csum_bad: false,
            key,
            seq: 1000 + 100 * i,
            ack: i,
            plen: 100,
            flags: 0x10,
            opts: 0,
        })
        .collect();
    let start = rtl.cycles();
    let (got, stalls) = rtl.classify(&reqs, &Traffic::FULL_RATE).unwrap();
    let cycles = rtl.cycles() - start;
    for (r, g) in reqs.iter().zip(&got) {
        assert_eq!(g.outcome, table.classify(r));
        assert_eq!(g.outcome.class, Class::Fast);
    }
    assert_eq!(stalls, 0, "the input waited");
    // Every request entered in its own cycle; the rest is pipeline depth.
    assert!(cycles < reqs.len() as u64 + 20, "{cycles} cycles");
}
