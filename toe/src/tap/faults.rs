//! The user-space fault stage between the TAP and the engine (this kernel
//! has no netem): loss, reordering, duplication, corruption and CE marks,
//! each direction from its own seeded generator so runs repeat.

use host::tcp::Micros;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct FaultRates {
    pub loss: f64,
    pub reorder: f64,
    pub dup: f64,
    pub corrupt: f64,
    pub ce: f64,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct FaultCounts {
    pub frames: u64,
    pub lost: u64,
    pub reordered: u64,
    pub duplicated: u64,
    pub corrupted: u64,
    pub ce_marked: u64,
}

pub struct Faults {
    rates: FaultRates,
    rng: SmallRng,
    /// (due, frame), not yet passed on.
    held: Vec<(Micros, Vec<u8>)>,
    pub counts: FaultCounts,
}

/// How long a reordered frame is held back.
const REORDER_HOLD: Micros = 3_000;

impl Faults {
    pub fn new(rates: FaultRates, seed: u64) -> Faults {
        Faults {
            rates,
            rng: SmallRng::seed_from_u64(seed),
            held: Vec::new(),
            counts: FaultCounts::default(),
        }
    }

    pub fn push(&mut self, frame: Vec<u8>, now: Micros) {
        let r = self.rates;
        self.counts.frames += 1;
        if self.rng.gen_bool(r.loss) {
            self.counts.lost += 1;
            return;
        }
        let mut f = frame;
        if self.rng.gen_bool(r.ce) && mark_ce(&mut f) {
            self.counts.ce_marked += 1;
        }
        if self.rng.gen_bool(r.corrupt) && f.len() > 34 {
            // Past the Ethernet header: the IP or TCP checksum must catch it.
            let at = self.rng.gen_range(34..f.len());
            f[at] ^= 1 << self.rng.gen_range(0..8);
            self.counts.corrupted += 1;
        }
        if self.rng.gen_bool(r.dup) {
            self.counts.duplicated += 1;
            self.held.push((now, f.clone()));
        }
        let due = if self.rng.gen_bool(r.reorder) {
            self.counts.reordered += 1;
            now + REORDER_HOLD
        } else {
            now
        };
        self.held.push((due, f));
    }

    /// The frames due by `now`, in order.
    pub fn due(&mut self, now: Micros) -> Vec<Vec<u8>> {
        let (due, keep): (Vec<_>, Vec<_>) = self.held.drain(..).partition(|(t, _)| *t <= now);
        self.held = keep;
        due.into_iter().map(|(_, f)| f).collect()
    }

    pub fn next_due(&self) -> Option<Micros> {
        self.held.iter().map(|(t, _)| *t).min()
    }
}

/// Sets CE on an ECN-capable IPv4 or IPv6 packet (RFC 3168 §5), fixing
/// the IPv4 header checksum as a router would.
fn mark_ce(f: &mut [u8]) -> bool {
    if f.len() < 54 {
        return false;
    }
    match u16::from_be_bytes([f[12], f[13]]) {
        0x0800 => {
            if f[15] & 3 == 0 {
                return false;
            }
            f[15] |= 3;
            f[24] = 0;
            f[25] = 0;
            let ihl = usize::from(f[14] & 0xF) * 4;
            let sum = model::csum::sum(&f[14..14 + ihl]);
            f[24..26].copy_from_slice(&(!sum).to_be_bytes());
            true
        }
        0x86DD => {
            let tc = (f[14] & 0x0F) << 4 | f[15] >> 4;
            if tc & 3 == 0 {
                return false;
            }
            f[15] |= 0x30;
            true
        }
        _ => false,
    }
}
