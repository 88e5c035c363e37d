//! Random TX work for `tso`: well-formed TCP super-frames (IPv4 or IPv6,
//! with or without 802.1Q, with TCP options, every flag), plain frames with
//! checksum requests, and the broken descriptors and streams the block must
//! refuse or survive.

use host::tx_engine::TxFrame;
use model::csum;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use spec::tso::{Desc, MSS_MAX};

pub struct SuperGen {
    rng: SmallRng,
}

/// One host frame: bytes, the host's bad mark, and its descriptor.
pub type Work = (Vec<u8>, bool, Desc);

impl SuperGen {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: SmallRng::seed_from_u64(seed),
        }
    }

    /// A super-frame with `payload` bytes, cut at `mss`.
    pub fn super_frame(&mut self, payload: usize, mss: u16, v6: bool, vlan: bool) -> TxFrame {
        let r = &mut self.rng;
        let mut f: Vec<u8> = (0..12).map(|_| r.r#gen()).collect();
        if vlan {
            f.extend([0x81, 0x00, r.r#gen::<u8>() & 0x0F, r.r#gen()]);
        }
        f.extend(if v6 { [0x86, 0xDD] } else { [0x08, 0x00] });
        let l3 = f.len();
        // TCP options: none, timestamps, or up to 40 random bytes.
        let opts: Vec<u8> = match r.gen_range(0..3) {
            0 => vec![],
            1 => {
                let mut o = vec![1, 1, 8, 10];
                o.extend((0..8).map(|_| r.r#gen::<u8>()));
                o
            }
            _ => (0..4 * r.gen_range(1..=10)).map(|_| r.r#gen()).collect(),
        };
        let tcp_len = 20 + opts.len() + payload;
        if v6 {
            f.extend([
                0x60 | (r.r#gen::<u8>() & 0x0F),
                r.r#gen(),
                r.r#gen(),
                r.r#gen(),
            ]);
            f.extend(((tcp_len) as u16).to_be_bytes());
            f.extend([6, r.r#gen()]);
            f.extend((0..32).map(|_| r.r#gen::<u8>()));
        } else {
            f.extend([0x45, r.r#gen()]);
            f.extend(((20 + tcp_len) as u16).to_be_bytes());
            // IDs near the wrap now and then.
            let id: u16 = if r.gen_bool(0.3) {
                0xFFF0 | r.r#gen::<u16>() & 0xF
            } else {
                r.r#gen()
            };
            f.extend(id.to_be_bytes());
            f.extend([0x40, 0, r.r#gen(), 6, 0, 0]);
            f.extend((0..8).map(|_| r.r#gen::<u8>()));
            let c = !csum::sum(&f[l3..l3 + 20]);
            f[l3 + 10..l3 + 12].copy_from_slice(&c.to_be_bytes());
        }
        let l4 = f.len();
        f.extend((0..4).map(|_| r.r#gen::<u8>()));
        let seq: u32 = if r.gen_bool(0.3) {
            0xFFFF_F000 | r.r#gen::<u32>() & 0xFFF
        } else {
            r.r#gen()
        };
        f.extend(seq.to_be_bytes());
        f.extend((0..4).map(|_| r.r#gen::<u8>()));
        f.extend([
            (((20 + opts.len()) / 4) << 4) as u8,
            r.r#gen(),
            r.r#gen(),
            r.r#gen(),
        ]);
        f.extend([0, 0, r.r#gen(), r.r#gen()]);
        f.extend(&opts);
        let hdr = f.len();
        f.extend((0..payload).map(|_| r.r#gen::<u8>()));
        // Linux's CHECKSUM_PARTIAL seed: the pseudo-header sum, folded.
        let addrs = if v6 {
            l3 + 8..l3 + 40
        } else {
            l3 + 12..l3 + 20
        };
        let pseudo = csum::add_bytes(6 + tcp_len as u64, &f[addrs]);
        f[l4 + 16..l4 + 18].copy_from_slice(&csum::fold(pseudo).to_be_bytes());
        let desc = Desc::tso(f.len(), mss, l3 as u8, l4 as u8, hdr as u8, v6);
        TxFrame { frame: f, desc }
    }

    /// A payload size that hits the edges of `mss` often.
    pub fn payload(&mut self, mss: u16, max: usize) -> usize {
        let m = usize::from(mss);
        let p = match self.rng.gen_range(0..8) {
            0 => 0,
            1 => 1,
            2 => m.saturating_sub(1),
            3 => m,
            4 => m + 1,
            5 => self.rng.gen_range(1..=4) * m,
            _ => self.rng.gen_range(0..=max),
        };
        p.min(max)
    }

    /// An MSS: mostly small so frames make many segments, sometimes jumbo.
    pub fn mss(&mut self) -> u16 {
        match self.rng.gen_range(0..6) {
            0 => self.rng.gen_range(1..=8),
            1 => MSS_MAX,
            2 => 1460,
            _ => self.rng.gen_range(9..=1500),
        }
    }

    /// Anything the block must take: good super-frames (most), plain
    /// frames, broken descriptors, short and long streams, bad marks.
    pub fn any(&mut self, max_payload: usize) -> Work {
        let mss = self.mss();
        let v6 = self.rng.gen_bool(0.4);
        let vlan = self.rng.gen_bool(0.3);
        let payload = self.payload(mss, max_payload);
        let TxFrame {
            mut frame,
            mut desc,
        } = self.super_frame(payload, mss, v6, vlan);
        let r = &mut self.rng;
        let mut user = false;
        match r.gen_range(0..20) {
            0 => {
                desc.mss = if r.r#gen() {
                    0
                } else {
                    r.gen_range(MSS_MAX + 1..16384)
                }
            }
            1 => desc.hdr_len = desc.hdr_len.wrapping_add(r.gen_range(1..=8) * 4),
            2 => desc.hdr_len = desc.l4_offset + 16,
            3 => desc.l4_offset = desc.l3_offset + 8,
            4 => {
                let at = usize::from(desc.l3_offset) + if desc.v6 { 6 } else { 9 };
                frame[at] = 17;
            }
            5 => desc.v6 = !desc.v6,
            6 => {
                let cut = r.gen_range(0..frame.len());
                frame.truncate(cut.max(1));
            }
            7 => frame.extend((0..r.gen_range(1..100)).map(|_| r.r#gen::<u8>())),
            8 => user = true,
            9 => {
                // A plain frame asking for checksums (or not).
                desc.tso = false;
                desc.ip_csum = !desc.v6 && r.r#gen();
                desc.l4_csum = r.r#gen();
                desc.udp = r.gen_bool(0.2);
                desc.len = frame.len().min(spec::tso::FRAME_MAX + 100) as u32;
                frame.truncate(desc.len as usize);
            }
            10 => desc.fixed_id = true,
            11 => desc.len = desc.len.saturating_sub(r.gen_range(1..50)),
            12 => desc.len = 65_536 + u32::from(desc.l3_offset) + r.gen_range(0..1000),
            _ => {}
        }
        (frame, user, desc)
    }
}
