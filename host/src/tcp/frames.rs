//! Outgoing segments to frames: one TSO super-frame with its descriptor
//! when the engine segments, or MSS-sized frames cut here (the software
//! path, as Linux's GSO fallback).

use super::conn_output::Outgoing;
use super::segment::{Addressing, Checksums, build};
use spec::tcp::{FIN, PSH};
use spec::tso::Desc;

/// What the engine is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offloads {
    pub checksum: bool,
    pub tso: bool,
}

/// One frame for the TX ring.
pub struct TxFrame {
    pub frame: Vec<u8>,
    pub desc: Desc,
}

/// The frames of `o`, from the stack's MAC `mac`.
pub fn frames(o: &Outgoing, mac: [u8; 6], off: Offloads) -> Vec<TxFrame> {
    let a = Addressing {
        src_mac: mac,
        dst_mac: o.peer_mac,
        src: o.local,
        dst: o.remote,
        ect: o.ect,
    };
    let sums = if off.checksum {
        Checksums::Offload
    } else {
        Checksums::Software
    };
    let mss = o.mss.max(1) as usize;
    if o.payload.len() <= mss || (off.tso && off.checksum) {
        let mut frame = Vec::with_capacity(o.payload.len() + 100);
        let b = build(&a, &o.h, &o.payload, sums, &mut frame);
        let desc = if o.payload.len() > mss {
            Desc::tso(frame.len(), mss as u16, b.l3, b.l4, b.hdr_len, b.v6)
        } else {
            Desc {
                len: frame.len() as u32,
                l3_offset: b.l3,
                l4_offset: b.l4,
                v6: b.v6,
                ip_csum: off.checksum && !b.v6,
                l4_csum: off.checksum,
                ..Default::default()
            }
        };
        return vec![TxFrame { frame, desc }];
    }
    // Cut here: FIN and PSH go on the last piece only (as TSO does).
    let n = o.payload.len().div_ceil(mss);
    (0..n)
        .map(|i| {
            let piece = &o.payload[i * mss..((i + 1) * mss).min(o.payload.len())];
            let mut h = o.h.clone();
            h.seq = h.seq.wrapping_add((i * mss) as u32);
            if i + 1 < n {
                h.flags &= !(FIN | PSH);
            }
            let mut frame = Vec::with_capacity(piece.len() + 100);
            let b = build(&a, &h, piece, sums, &mut frame);
            let desc = Desc {
                len: frame.len() as u32,
                l3_offset: b.l3,
                l4_offset: b.l4,
                v6: b.v6,
                ip_csum: off.checksum && !b.v6,
                l4_csum: off.checksum,
                ..Default::default()
            };
            TxFrame { frame, desc }
        })
        .collect()
}
