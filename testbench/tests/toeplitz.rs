//! The `toeplitz` RTL against Microsoft's RSS verification vectors (an
//! oracle from outside the project) and against the contract's software
//! hash on random keys and 4-tuples, with inputs on random cycles.

use rand::{Rng, SeedableRng};
use sim::bridge::{Sim, model};
use sim::conn_table::hash_key_port as key_port;
use spec::toeplitz::{DEFAULT_KEY, KEY_BYTES, MAX_INPUT_BYTES, hash, tuple};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The input port: the bytes big-endian, zero-padded after the tuple.
fn input_port(input: &[u8]) -> Vec<u8> {
    let mut padded = input.to_vec();
    padded.resize(MAX_INPUT_BYTES, 0);
    padded.reverse();
    padded
}

/// Hashes every input under its key, one a cycle or with idle cycles
/// between, and returns the hashes in order.
fn rtl_hashes(jobs: &[([u8; KEY_BYTES], Vec<u8>)], idle: f64, seed: u64) -> Vec<u32> {
    let info = model("toeplitz", 8).expect("toeplitz build");
    let mut sim = Sim::new(info, None).unwrap();
    sim.reset().unwrap();
    let (key, data, valid) = (
        sim.input("key").unwrap(),
        sim.input("data").unwrap(),
        sim.input("valid").unwrap(),
    );
    let (out, out_valid) = (
        sim.output("hash").unwrap(),
        sim.output("hash_valid").unwrap(),
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut next = 0;
    let mut got = Vec::new();
    for _ in 0..(10 * jobs.len() + 100) {
        match jobs.get(next).filter(|_| !rng.gen_bool(idle)) {
            Some((k, input)) => {
                sim.set_bytes(key, &key_port(k));
                sim.set_bytes(data, &input_port(input));
                sim.set(valid, 1);
                next += 1;
            }
            None => {
                sim.set_bytes(data, &[0xA5; MAX_INPUT_BYTES]);
                sim.set(valid, 0);
            }
        }
        sim.eval();
        if sim.get(out_valid) == 1 {
            got.push(sim.get(out) as u32);
        }
        sim.tick();
        if got.len() == jobs.len() {
            break;
        }
    }
    got
}

#[test]
fn microsoft_rss_verification_vectors() {
    let v4 = [
        ("161.142.100.80", 1766, "66.9.149.187", 2794, 0x51ccc178),
        ("65.69.140.83", 4739, "199.92.111.2", 14230, 0xc626b0ea),
        ("12.22.207.184", 38024, "24.19.198.95", 12898, 0x5c2b394a),
        ("209.142.163.6", 2217, "38.27.205.30", 48228, 0xafc7327f),
        ("202.188.127.2", 1303, "153.39.163.191", 44251, 0x10e828a2),
    ];
    let v6 = [
        (
            "3ffe:2501:200:3::1",
            1766,
            "3ffe:2501:200:1fff::7",
            2794,
            0x40207d3d,
        ),
        (
            "ff02::1",
            4739,
            "3ffe:501:8::260:97ff:fe40:efab",
            14230,
            0xdde51bbf,
        ),
        (
            "fe80::200:f8ff:fe21:67cf",
            38024,
            "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
            44251,
            0x02d1feef,
        ),
    ];
    let mut jobs = Vec::new();
    let mut want = Vec::new();
    for (dst, dport, src, sport, h) in v4 {
        let s = src.parse::<Ipv4Addr>().unwrap().octets();
        let d = dst.parse::<Ipv4Addr>().unwrap().octets();
        jobs.push((DEFAULT_KEY, tuple(&s, &d, sport, dport)));
        want.push(h);
    }
    for (dst, dport, src, sport, h) in v6 {
        let s = src.parse::<Ipv6Addr>().unwrap().octets();
        let d = dst.parse::<Ipv6Addr>().unwrap().octets();
        jobs.push((DEFAULT_KEY, tuple(&s, &d, sport, dport)));
        want.push(h);
    }
    assert_eq!(rtl_hashes(&jobs, 0.0, 1), want);
}

#[test]
fn random_keys_and_tuples_back_to_back_and_with_gaps() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let jobs: Vec<([u8; KEY_BYTES], Vec<u8>)> = (0..3000)
        .map(|_| {
            let mut key = [0u8; KEY_BYTES];
            rng.fill(&mut key[..]);
            let v6 = rng.gen_bool(0.5);
            let addr = |rng: &mut rand::rngs::StdRng| -> Vec<u8> {
                (0..if v6 { 16 } else { 4 }).map(|_| rng.r#gen()).collect()
            };
            let (s, d) = (addr(&mut rng), addr(&mut rng));
            (key, tuple(&s, &d, rng.r#gen(), rng.r#gen()))
        })
        .collect();
    let want: Vec<u32> = jobs.iter().map(|(k, i)| hash(k, i)).collect();
    assert_eq!(rtl_hashes(&jobs, 0.0, 2), want);
    assert_eq!(rtl_hashes(&jobs, 0.4, 3), want);
}
