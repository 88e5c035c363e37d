//! Random Ethernet frames for testing blocks against the model: mostly
//! well-formed TCP/UDP over IPv4/IPv6 (VLAN, QinQ, IP options, extension
//! headers, TCP options, padding), with a steady share of everything a
//! parser must survive: bad checksums, wrong lengths, fragments, unknown
//! protocols, truncation, runts and garbage.

use model::csum;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub struct FrameGen {
    rng: SmallRng,
}

/// Offsets of the parts of a generated packet, for fixing up fields.
struct Layout {
    l3: usize,
    ipv6: bool,
    l4: usize,
    proto: u8,
}

impl FrameGen {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: SmallRng::seed_from_u64(seed),
        }
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.rng.r#gen()).collect()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    /// A frame of random length between 1 and `max` bytes, most of them
    /// near common sizes.
    pub fn any(&mut self, max: usize) -> Vec<u8> {
        let len = match self.rng.gen_range(0..10) {
            0 => self.rng.gen_range(1..=60.min(max)),
            1..=5 => self.rng.gen_range(60.min(max)..=1518.min(max)),
            _ => self.rng.gen_range(1..=max),
        };
        self.frame(len)
    }

    /// A frame of exactly `len` bytes.
    pub fn frame(&mut self, len: usize) -> Vec<u8> {
        if self.chance(0.03) {
            return self.bytes(len);
        }
        let mut f = self.bytes(12);
        let tags = match self.rng.gen_range(0..100) {
            0..=59 => 0,
            60..=79 => 1,
            80..=96 => 2,
            _ => 3,
        };
        for _ in 0..tags {
            let tpid: u16 = if self.chance(0.5) { 0x8100 } else { 0x88A8 };
            f.extend_from_slice(&tpid.to_be_bytes());
            let tci = self.bytes(2);
            f.extend_from_slice(&tci);
        }
        let l3 = f.len() + 2;
        let kind = self.rng.gen_range(0..100);
        let layout = if kind < 45 {
            f.extend_from_slice(&0x0800u16.to_be_bytes());
            self.ipv4_header(&mut f, l3)
        } else if kind < 88 {
            f.extend_from_slice(&0x86DDu16.to_be_bytes());
            self.ipv6_header(&mut f, l3)
        } else {
            let et = self.rng.r#gen::<u16>();
            f.extend_from_slice(&et.to_be_bytes());
            return self.fill(f, len);
        };
        self.l4_header(&mut f, layout.proto);
        if f.len() >= len {
            f.truncate(len);
            return f;
        }
        let mut f = self.fill(f, len);
        // Ethernet padding: the IP packet ends before the frame does.
        let pad = if self.chance(0.15) {
            self.rng.gen_range(0..=40.min(len - layout.l4))
        } else {
            0
        };
        self.finish(&mut f, &layout, len - pad);
        f
    }

    fn fill(&mut self, mut f: Vec<u8>, len: usize) -> Vec<u8> {
        let more = len.saturating_sub(f.len());
        let tail = self.bytes(more);
        f.extend_from_slice(&tail);
        f.truncate(len);
        f
    }

    fn proto(&mut self) -> u8 {
        match self.rng.gen_range(0..100) {
            0..=54 => 6,
            55..=89 => 17,
            _ => self.rng.r#gen(),
        }
    }

    fn ipv4_header(&mut self, f: &mut Vec<u8>, l3: usize) -> Layout {
        let ihl: u8 = if self.chance(0.7) {
            5
        } else {
            self.rng.gen_range(0..=15)
        };
        let version: u8 = if self.chance(0.97) {
            4
        } else {
            self.rng.gen_range(0..16)
        };
        let frag: u16 = match self.rng.gen_range(0..100) {
            0..=79 => 0x4000,
            80..=89 => 0,
            90..=94 => 0x2000,
            _ => self.rng.r#gen(),
        };
        let proto = self.proto();
        let mut h = self.bytes(4 * usize::from(ihl.max(5)));
        h[0] = version << 4 | ihl;
        h[6..8].copy_from_slice(&frag.to_be_bytes());
        h[9] = proto;
        if ihl < 5 {
            h.truncate(4 * usize::from(ihl));
        }
        f.extend_from_slice(&h);
        Layout {
            l3,
            ipv6: false,
            l4: f.len(),
            proto,
        }
    }

    fn ipv6_header(&mut self, f: &mut Vec<u8>, l3: usize) -> Layout {
        let mut h = self.bytes(40);
        h[0] = if self.chance(0.97) {
            0x60 | (h[0] & 0x0F)
        } else {
            h[0]
        };
        let n_ext = match self.rng.gen_range(0..10) {
            0..=4 => 0,
            5..=8 => self.rng.gen_range(1..=5),
            _ => self.rng.gen_range(6..=12),
        };
        let mut chain = Vec::new();
        for _ in 0..n_ext {
            let t = match self.rng.gen_range(0..100) {
                0..=29 => 0,
                30..=59 => 43,
                60..=94 => 60,
                95..=97 => 44,
                _ => 51,
            };
            chain.push(t);
        }
        let proto = self.proto();
        chain.push(proto);
        h[6] = chain[0];
        f.extend_from_slice(&h);
        for w in chain.windows(2) {
            let len: u8 = if self.chance(0.9) {
                self.rng.gen_range(0..4)
            } else {
                self.rng.r#gen()
            };
            let mut e = self.bytes(8 * (usize::from(len) + 1));
            e[0] = w[1];
            e[1] = len;
            f.extend_from_slice(&e);
        }
        Layout {
            l3,
            ipv6: true,
            l4: f.len(),
            proto,
        }
    }

    fn l4_header(&mut self, f: &mut Vec<u8>, proto: u8) {
        match proto {
            6 => {
                let words: u8 = if self.chance(0.6) {
                    5
                } else {
                    self.rng.gen_range(5..=15)
                };
                let mut h = self.bytes(4 * usize::from(words));
                h[12] = words << 4 | (h[12] & 0x0F);
                if self.chance(0.03) {
                    // A data offset that lies.
                    h[12] = self.rng.gen_range(0..16) << 4 | (h[12] & 0x0F);
                }
                if self.chance(0.7) {
                    let opts = self.tcp_options(h.len() - 20);
                    h[20..].copy_from_slice(&opts);
                }
                f.extend_from_slice(&h);
            }
            17 => {
                let h = self.bytes(8);
                f.extend_from_slice(&h);
            }
            _ => {}
        }
    }

    /// `n` bytes of TCP options as stacks write them (NOP, MSS, window
    /// scale, SACK permitted, SACK blocks, timestamps, EOL), now and then
    /// an unknown kind or a broken length.
    fn tcp_options(&mut self, n: usize) -> Vec<u8> {
        let mut o = Vec::with_capacity(n);
        while o.len() < n {
            let (kind, len) = match self.rng.gen_range(0..100) {
                0..=29 => (1, 1),
                30..=39 => (2, 4),
                40..=47 => (3, 3),
                48..=55 => (4, 2),
                56..=67 => (5, 2 + 8 * self.rng.gen_range(1..=4)),
                68..=87 => (8, 10),
                88..=91 => (0, 1),
                92..=95 => (self.rng.gen_range(9..=254), self.rng.gen_range(2..=12)),
                _ => (self.rng.gen_range(2..=8), self.rng.r#gen()),
            };
            if o.len() + usize::from(len) > n && self.chance(0.8) {
                // Pad the rest as stacks do, with NOPs or an EOL.
                let pad = if self.chance(0.5) { 1 } else { 0 };
                o.resize(n, pad);
                break;
            }
            o.push(kind);
            if len > 1 {
                o.push(len);
                for _ in 2..len {
                    o.push(self.rng.r#gen());
                }
            }
        }
        o.truncate(n);
        o
    }

    /// Sets lengths and checksums for an IP packet ending at `end`: mostly
    /// right, sometimes wrong on purpose.
    fn finish(&mut self, f: &mut [u8], l: &Layout, end: usize) {
        let mut ip_len = end - l.l3;
        if self.chance(0.05) {
            ip_len = self.rng.gen_range(0..=ip_len + 64);
        }
        let ip_len = ip_len.min(0xFFFF) as u16;
        if l.ipv6 {
            let plen = ip_len.saturating_sub(40);
            f[l.l3 + 4..l.l3 + 6].copy_from_slice(&plen.to_be_bytes());
        } else if f.len() >= l.l3 + 4 {
            f[l.l3 + 2..l.l3 + 4].copy_from_slice(&ip_len.to_be_bytes());
        }
        let seg_end = (l.l3 + usize::from(ip_len)).min(f.len());
        if seg_end > l.l4 {
            self.l4_checksum(f, l, seg_end);
        }
        if !l.ipv6 {
            let hlen = 4 * usize::from(f[l.l3] & 0x0F);
            if hlen >= 20 && l.l3 + hlen <= f.len() {
                f[l.l3 + 10..l.l3 + 12].fill(0);
                let c = !csum::sum(&f[l.l3..l.l3 + hlen]);
                let c = if self.chance(0.9) {
                    c
                } else {
                    self.rng.r#gen()
                };
                f[l.l3 + 10..l.l3 + 12].copy_from_slice(&c.to_be_bytes());
            }
        }
    }

    fn l4_checksum(&mut self, f: &mut [u8], l: &Layout, end: usize) {
        let (at, min) = match l.proto {
            6 => (l.l4 + 16, 20),
            17 => (l.l4 + 6, 8),
            _ => return,
        };
        let seg_len = end - l.l4;
        if seg_len < min || (!l.ipv6 && l.l4 < l.l3 + 20) {
            return;
        }
        if l.proto == 17 && self.chance(0.95) {
            f[l.l4 + 4..l.l4 + 6].copy_from_slice(&(seg_len as u16).to_be_bytes());
        }
        f[at..at + 2].fill(0);
        let addrs = if l.ipv6 {
            &f[l.l3 + 8..l.l3 + 40]
        } else {
            &f[l.l3 + 12..l.l3 + 20]
        };
        let pseudo = csum::add_bytes(0, addrs) + u64::from(l.proto) + seg_len as u64;
        let mut s = csum::fold(csum::add_bytes(pseudo, &f[l.l4..end]));
        // Now and then force the sum so the checksum is 0x0000 or 0xFFFF,
        // the two ones' complement zeros, by adjusting a payload word.
        if self.chance(0.05) && seg_len >= min + 2 {
            let w = l.l4 + min;
            let old = u16::from_be_bytes([f[w], f[w + 1]]);
            let new = csum::fold(u64::from(old) + u64::from(!s));
            f[w..w + 2].copy_from_slice(&new.to_be_bytes());
            s = csum::fold(csum::add_bytes(pseudo, &f[l.l4..end]));
        }
        let c = match self.rng.gen_range(0..100) {
            0..=74 if !s == 0 && self.chance(0.5) => 0xFFFF,
            0..=74 => !s,
            75..=84 if l.proto == 17 => 0,
            _ => self.rng.r#gen(),
        };
        f[at..at + 2].copy_from_slice(&c.to_be_bytes());
    }
}

/// `n` frames of random bytes for blocks that only move bytes (`widen`,
/// `narrow`): a tenth of 1 to 16 bytes, a tenth of 1500 to 9018, the rest
/// up to 1518; a fifth marked bad.
pub fn random_bytes(rng: &mut impl Rng, n: usize) -> Vec<(Vec<u8>, bool)> {
    (0..n)
        .map(|_| {
            let len = match rng.gen_range(0..10) {
                0 => rng.gen_range(1..=16),
                1 => rng.gen_range(1500..=9018),
                _ => rng.gen_range(17..=1518),
            };
            ((0..len).map(|_| rng.r#gen()).collect(), rng.gen_bool(0.2))
        })
        .collect()
}
