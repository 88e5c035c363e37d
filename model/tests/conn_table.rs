//! The table model: fill level at the first FULL for random 4-tuples (two
//! choices against the one-bucket baseline, measured in the same run),
//! host commands, and hand-checked classification sequences (sequence
//! numbers wrapping included).

use model::conn_table::{Request, Table};
use rand::{Rng, SeedableRng};
use spec::conn_table::{Class, CmdStatus, Key, buckets};
use spec::rx_csum::{IpVerdict, L3Kind, L4Proto, L4Verdict, Verdict};
use spec::rx_parse::{Header, Opt, Status};
use spec::toeplitz::{DEFAULT_KEY, hash};

fn random_key(rng: &mut impl Rng) -> Key {
    let v6 = rng.gen_bool(0.5);
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    let n = if v6 { 16 } else { 4 };
    rng.fill(&mut src[..n]);
    rng.fill(&mut dst[..n]);
    Key {
        v6,
        src,
        dst,
        sport: rng.r#gen(),
        dport: rng.r#gen(),
    }
}

/// Fills a table with random 4-tuples until the first FULL; the fill level
/// then, for inserts that relocate up to `moves` entries (0: plain insert).
fn fill_at_first_full(moves: usize, seed: u64) -> f64 {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut t = Table::new(4096, 4, DEFAULT_KEY);
    loop {
        match t.insert_relocating(random_key(&mut rng), 0, 0, moves) {
            Ok(_) => {}
            Err(CmdStatus::Full) => return t.used() as f64 / t.entries() as f64,
            Err(e) => panic!("{e:?}"),
        }
    }
}

/// One bucket per key (bank 0's choice), the baseline: the fill level when
/// the first bucket overflows.
fn one_bucket_fill(seed: u64) -> f64 {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut load = vec![0usize; 1024];
    for n in 0.. {
        let k = random_key(&mut rng);
        let b = buckets(hash(&DEFAULT_KEY, &k.hash_input()), 1024)[0];
        load[b] += 1;
        if load[b] > 4 {
            return n as f64 / 4096.0;
        }
    }
    unreachable!()
}

#[test]
fn fill_level_at_first_full() {
    let runs = 10;
    let stats = |f: &dyn Fn(u64) -> f64| {
        let v: Vec<f64> = (0..runs).map(f).collect();
        let min = v.iter().cloned().fold(1.0, f64::min);
        (v.iter().sum::<f64>() / runs as f64, min)
    };
    let one = stats(&one_bucket_fill);
    let two = stats(&|s| fill_at_first_full(0, s));
    let moved = stats(&|s| fill_at_first_full(4, s));
    println!(
        "fill at first FULL, 4096 entries, 4 ways, {runs} runs (mean, min): \
         one bucket {one:.3?}, two choices {two:.3?}, two choices + host relocation {moved:.3?}"
    );
    assert!(one.0 < two.0 && two.0 < moved.0);
    assert!(moved.1 >= 0.90, "relocating inserts FULL at {:.3}", moved.1);
}

#[test]
fn commands_report_what_went_wrong() {
    let mut t = Table::new(64, 4, DEFAULT_KEY);
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let k = random_key(&mut rng);
    let slot = t.insert(k, 100, 200).unwrap();
    assert_eq!(t.insert(k, 1, 2), Err(CmdStatus::Exists));
    assert_eq!(t.lookup(&k), Some(slot));
    assert_eq!(t.lookup(&k.reverse()), None);
    let e = t.read(slot).unwrap();
    assert_eq!((e.key, e.rcv_nxt, e.snd_una), (k, 100, 200));
    t.write_rcv_nxt(slot, 7).unwrap();
    t.write_snd_una(slot, 8).unwrap();
    assert_eq!(
        (t.read(slot).unwrap().rcv_nxt, t.read(slot).unwrap().snd_una),
        (7, 8)
    );
    assert_eq!(t.remove(slot), Ok(()));
    assert_eq!(t.remove(slot), Err(CmdStatus::Empty));
    assert_eq!(t.read(64), Err(CmdStatus::BadSlot));
    assert_eq!(t.lookup(&k), None);
}

const CLEAN: Verdict = Verdict {
    l3: L3Kind::Ipv4,
    ip: IpVerdict::Ok,
    proto: L4Proto::Tcp,
    l4: L4Verdict::Ok,
    user: false,
    len: 60,
};

fn segment(k: &Key, seq: u32, ack: u32, plen: u32, flags: u16) -> Header {
    let word = |b: &[u8; 16], i: usize| u32::from_be_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
    Header {
        status: Status::Ok as u8,
        kind: if k.v6 { 2 } else { 1 },
        src: [0, 1, 2, 3].map(|i| word(&k.src, i)),
        dst: [0, 1, 2, 3].map(|i| word(&k.dst, i)),
        sport: k.sport,
        dport: k.dport,
        seq,
        ack,
        plen,
        flags,
        ..Header::default()
    }
}

#[test]
fn classes_follow_the_rules_in_order() {
    let mut t = Table::new(64, 4, DEFAULT_KEY);
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let k = random_key(&mut rng);
    let slot = t.insert(k, 0xFFFF_FFF0, 1000).unwrap();
    let ack_psh = 0x18;
    let mut class = |h: Header, v: Verdict| t.classify(&Request::of(&h, &v)).class;
    // In order across the wrap: rcv_nxt 0xFFFFFFF0 + 0x20 = 0x10.
    assert_eq!(
        class(segment(&k, 0xFFFF_FFF0, 1000, 0x20, ack_psh), CLEAN),
        Class::Fast
    );
    // The same bytes again: old. Half of them again plus new ones: overlap.
    assert_eq!(
        class(segment(&k, 0xFFFF_FFF0, 1000, 0x20, ack_psh), CLEAN),
        Class::Old
    );
    assert_eq!(
        class(segment(&k, 0x0000_0000, 1000, 0x20, ack_psh), CLEAN),
        Class::Overlap
    );
    // A hole: ahead.
    assert_eq!(
        class(segment(&k, 0x0000_0100, 1000, 0x20, 0x10), CLEAN),
        Class::Ahead
    );
    // A pure ACK moves snd_una forward (1000 -> 5000), never back.
    assert_eq!(class(segment(&k, 0x10, 5000, 0, 0x10), CLEAN), Class::Ack);
    assert_eq!(class(segment(&k, 0x10, 4000, 0, 0x10), CLEAN), Class::Ack);
    // Control, options, checksums, parse refusals, strangers.
    assert_eq!(class(segment(&k, 0x10, 5000, 0, 0x11), CLEAN), Class::Ctrl);
    assert_eq!(class(segment(&k, 0x10, 5000, 4, 0x08), CLEAN), Class::Ctrl);
    assert_eq!(class(segment(&k, 0x10, 5000, 4, 0x110), CLEAN), Class::Ctrl);
    let mut sack = segment(&k, 0x10, 5000, 4, 0x10);
    sack.opts = 1 << Opt::Sack as u8 | 1 << Opt::Timestamps as u8;
    assert_eq!(class(sack, CLEAN), Class::Opts);
    sack.opts = 1 << Opt::Timestamps as u8;
    assert_eq!(class(sack, CLEAN), Class::Fast);
    let bad = Verdict {
        l4: L4Verdict::Bad,
        ..CLEAN
    };
    assert_eq!(class(segment(&k, 0x14, 5000, 4, 0x10), bad), Class::BadCsum);
    let mut refused = segment(&k, 0x14, 5000, 4, 0x10);
    refused.status = Status::Fragment as u8;
    assert_eq!(class(refused, CLEAN), Class::Unparsed);
    assert_eq!(
        class(segment(&k.reverse(), 0, 0, 4, 0x10), CLEAN),
        Class::Miss
    );
    let e = t.read(slot).unwrap();
    // Fast 0x20 + 4 bytes; snd_una from the ACK-flagged segments the engine
    // handled (5000), not the slow ones.
    assert_eq!((e.rcv_nxt, e.snd_una), (0x14, 5000));
    assert_eq!((e.frames, e.fast, e.slow), (11, 4, 7));
    assert_eq!(e.bytes, 0x20 * 4 + 4 * 4);
}
