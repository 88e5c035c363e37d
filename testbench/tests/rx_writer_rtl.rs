//! The `rx_writer` RTL against host memory as the model fills it: a
//! frame's payload at the ring offsets `model::rx_place::Ring::spans`
//! gives (wrapping at the ring's end), or a whole frame into an RX
//! buffer. Frames of 1 byte to jumbo size, any skip and length (some
//! longer than the frame holds: only what it has is written), any byte
//! alignment, with random idle on the frame and backpressure on the port.
//! Every write must be an aligned word with strobes, no byte written
//! twice, and memory must hold exactly the bytes the model put there.

use model::rx_place::Ring;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::rx_writer::{Cmd, RxWriterRtl};
use std::collections::HashMap;

const RINGS: u64 = 0x1000_0000;
const BUFFERS: u64 = 0x8000_0000;

/// The bytes a command must leave in memory: `frame[skip..skip + len]`
/// (as far as the frame goes) at `pieces`, in order.
fn expected(frame: &[u8], skip: u32, pieces: &[(u64, u32)]) -> HashMap<u64, u8> {
    let mut want = HashMap::new();
    let mut src = skip as usize;
    for &(at, n) in pieces {
        for i in 0..u64::from(n) {
            if let Some(&b) = frame.get(src) {
                want.insert(at + i, b);
            }
            src += 1;
        }
    }
    want
}

fn frame_len(rng: &mut StdRng) -> usize {
    match rng.gen_range(0..10) {
        0 => rng.gen_range(1..=16),
        1 => 9018,
        2 => rng.gen_range(1519..=9100),
        _ => rng.gen_range(17..=1518),
    }
}

fn run(seed: u64, commands: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (idle, stall) = [(0.0, 0.0), (0.3, 0.3), (0.1, 0.6), (0.6, 0.1)][seed as usize % 4];
    let mut rtl = RxWriterRtl::new(seed, idle, stall, None).expect("the rx_writer build");
    let (mut beats, mut written, mut wrapped) = (0u64, 0u64, 0u64);
    for n in 0..commands {
        let frame: Vec<u8> = (0..frame_len(&mut rng)).map(|_| rng.r#gen()).collect();
        let (cmd, pieces) = if rng.gen_bool(0.8) {
            // Payload into a ring: the header skipped, the rest at its
            // sequence number's offset.
            let log_size = rng.gen_range(12..=16u8);
            let ring = Ring {
                base: RINGS + (rng.gen_range(0..64u64) << 16),
                log_size,
                head: rng.r#gen(),
            };
            let skip = rng.gen_range(0..frame.len().min(130)) as u32;
            let have = frame.len() as u32 - skip;
            let len = match rng.gen_range(0..10) {
                0 => 0,
                1 => have + rng.gen_range(1..20),
                _ => rng.gen_range(0..=have),
            }
            .min(ring.size());
            let seq = ring.head.wrapping_add(rng.gen_range(0..=ring.size() - len));
            let pieces = if len == 0 {
                Vec::new()
            } else {
                ring.spans(seq, len)
            };
            wrapped += u64::from(pieces.len() == 2);
            let (addr, first) = pieces.first().copied().unwrap_or((ring.base, 0));
            let cmd = Cmd {
                skip,
                len,
                first,
                addr,
                base: ring.base,
            };
            (cmd, pieces)
        } else {
            // A whole frame into a buffer, cut at its capacity.
            let addr = BUFFERS + 8 * rng.gen_range(0..1 << 20);
            let len = (frame.len() as u32).min(rng.gen_range(64..=9216));
            let cmd = Cmd {
                skip: 0,
                len,
                first: len,
                addr,
                base: 0,
            };
            (cmd, vec![(addr, len)])
        };
        let writes = rtl
            .run(&cmd, &frame)
            .unwrap_or_else(|e| panic!("command {n} {cmd:?}: {e:#}"));
        let mut got = HashMap::new();
        for w in &writes {
            assert!(
                w.addr.is_multiple_of(8) && w.strb != 0,
                "command {n} {cmd:?}: write {w:?} is not an aligned word with strobes"
            );
            for j in (0..8).filter(|j| w.strb >> j & 1 == 1) {
                let dup = got.insert(w.addr + j, w.data[j as usize]);
                assert!(
                    dup.is_none(),
                    "command {n} {cmd:?}: byte {:#x} written twice",
                    w.addr + j
                );
            }
        }
        let want = expected(&frame, cmd.skip, &pieces);
        if got != want {
            let mut diff: Vec<_> = want
                .iter()
                .filter(|(a, b)| got.get(a) != Some(b))
                .map(|(a, b)| (*a, *b, got.get(a).copied()))
                .collect();
            diff.sort_unstable();
            let extra = got.keys().filter(|a| !want.contains_key(a)).count();
            panic!(
                "command {n} {cmd:?} over {} bytes: {} bytes wrong or missing (first {:x?}), \
                 {extra} written outside",
                frame.len(),
                diff.len(),
                &diff[..diff.len().min(4)]
            );
        }
        beats += frame.len().div_ceil(8) as u64;
        written += want.len() as u64;
    }
    eprintln!(
        "rx_writer RTL = model, seed {seed} (idle {idle}, stall {stall}): {commands} commands, \
         {wrapped} wrapped, {written} bytes written, {beats} beats in {} cycles",
        rtl.cycles()
    );
    assert!(wrapped > 0, "no command wrapped at a ring's end");
}

#[test]
fn rtl_writes_what_the_model_places() {
    for seed in 0..4 {
        run(seed, 1500);
    }
}
