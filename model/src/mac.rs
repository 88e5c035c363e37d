//! The MAC's receive side over the GMII byte stream, frame by frame: what
//! `hdl/src/mac_rx.rs` passes on and counts (rules in [`spec::mac`]). The
//! FCS is checked with `crc32fast`, not with the RTL's bitwise loop.

use spec::mac::{FCS_BYTES, MAX_FRAME, MIN_FRAME, PREAMBLE, RxReason, SFD};

/// One GMII receive cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gmii {
    pub dv: bool,
    pub er: bool,
    pub d: u8,
}

/// The MAC's counters: good frames, and one per [`RxReason`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxCounters {
    pub frames: u32,
    pub oversize: u32,
    pub runts: u32,
    pub errors: u32,
    pub bad_fcs: u32,
}

impl RxCounters {
    fn count(&mut self, why: Option<RxReason>) {
        let c = match why {
            None => &mut self.frames,
            Some(RxReason::Oversize) => &mut self.oversize,
            Some(RxReason::Runt) => &mut self.runts,
            Some(RxReason::Error) => &mut self.errors,
            Some(RxReason::BadFcs) => &mut self.bad_fcs,
        };
        *c = c.wrapping_add(1);
    }
}

/// A frame as passed on: its bytes without the FCS, and whether it is
/// marked bad.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RxFrame {
    pub bytes: Vec<u8>,
    pub bad: bool,
}

/// The frames a stream of GMII cycles carries, and the counters after it.
/// A frame ends at the first cycle without `dv`; so does a stream.
pub fn receive(cycles: &[Gmii]) -> (Vec<RxFrame>, RxCounters) {
    let mut frames = Vec::new();
    let mut c = RxCounters::default();
    let mut at = 0;
    while at < cycles.len() {
        if !cycles[at].dv {
            at += 1;
            continue;
        }
        let end = cycles[at..]
            .iter()
            .position(|g| !g.dv)
            .map_or(cycles.len(), |n| at + n);
        let burst = &cycles[at..end];
        at = end;
        let pre = burst.iter().take_while(|g| g.d == PREAMBLE).count();
        match burst.get(pre) {
            Some(g) if g.d == SFD => {}
            // Only preamble: nothing started, nothing to count.
            None => continue,
            Some(_) => {
                c.count(Some(RxReason::Error));
                continue;
            }
        }
        let data = &burst[pre + 1..];
        let bytes: Vec<u8> = data.iter().map(|g| g.d).collect();
        if bytes.len() > MAX_FRAME {
            c.count(Some(RxReason::Oversize));
            frames.push(RxFrame {
                bytes: bytes[..MAX_FRAME - FCS_BYTES].to_vec(),
                bad: true,
            });
            continue;
        }
        let why = if bytes.len() < MIN_FRAME {
            Some(RxReason::Runt)
        } else if data.iter().any(|g| g.er) {
            Some(RxReason::Error)
        } else if !fcs_ok(&bytes) {
            Some(RxReason::BadFcs)
        } else {
            None
        };
        c.count(why);
        if bytes.len() > FCS_BYTES {
            frames.push(RxFrame {
                bytes: bytes[..bytes.len() - FCS_BYTES].to_vec(),
                bad: why.is_some(),
            });
        }
    }
    (frames, c)
}

/// Whether the last 4 bytes are the CRC-32 of the rest, least significant
/// byte first, as IEEE 802.3 sends the FCS.
pub fn fcs_ok(frame_with_fcs: &[u8]) -> bool {
    let (body, fcs) = frame_with_fcs.split_at(frame_with_fcs.len() - FCS_BYTES);
    crc32fast::hash(body).to_le_bytes() == fcs
}

/// `frame` as a PHY delivers it: 7 preamble bytes, the SFD, the frame,
/// its FCS.
pub fn on_the_wire(frame: &[u8]) -> Vec<u8> {
    let mut w = vec![PREAMBLE; 7];
    w.push(SFD);
    w.extend_from_slice(frame);
    w.extend_from_slice(&crc32fast::hash(frame).to_le_bytes());
    w
}

/// The GMII burst that sends `frame`: preamble, SFD, the frame (with
/// `TX_ER` on its last byte when `bad`), zeros up to 60 bytes, the FCS.
pub fn transmit(frame: &[u8], bad: bool) -> Vec<Gmii> {
    let mut body = frame.to_vec();
    if body.len() < MIN_FRAME - FCS_BYTES {
        body.resize(MIN_FRAME - FCS_BYTES, 0);
    }
    on_the_wire(&body)
        .into_iter()
        .enumerate()
        .map(|(i, d)| Gmii {
            dv: true,
            er: bad && i + 1 == 8 + frame.len(),
            d,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycles(wire: &[u8]) -> Vec<Gmii> {
        wire.iter()
            .map(|&d| Gmii {
                dv: true,
                er: false,
                d,
            })
            .collect()
    }

    #[test]
    fn the_crc_residue_is_what_ieee_802_3_says() {
        // The CRC-32 check value of "123456789" (Koopman/Greg Cook's
        // catalogue: CRC-32/ISO-HDLC, check 0xCBF43926).
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        let frame = [0x5a_u8; 60];
        let wire = on_the_wire(&frame);
        let mut reg = 0xffff_ffff_u32;
        for &b in &wire[8..] {
            reg ^= u32::from(b);
            for _ in 0..8 {
                reg = (reg >> 1) ^ if reg & 1 == 1 { 0xEDB8_8320 } else { 0 };
            }
        }
        assert_eq!(reg, spec::mac::CRC_RESIDUE);
    }

    #[test]
    fn a_good_frame_passes_without_its_fcs() {
        let frame: Vec<u8> = (0..60).collect();
        let (f, c) = receive(&cycles(&on_the_wire(&frame)));
        assert_eq!(
            f,
            vec![RxFrame {
                bytes: frame,
                bad: false
            }]
        );
        assert_eq!(c.frames, 1);
    }

    #[test]
    fn bad_fcs_runt_oversize_and_a_bad_preamble_are_counted() {
        let mut wire = on_the_wire(&[7; 100]);
        *wire.last_mut().unwrap() ^= 1;
        let (f, c) = receive(&cycles(&wire));
        assert!(f[0].bad && c.bad_fcs == 1);
        let (f, c) = receive(&cycles(&on_the_wire(&[7; 40])));
        assert!(f[0].bad && c.runts == 1);
        let (f, c) = receive(&cycles(&on_the_wire(&vec![7; MAX_FRAME])));
        assert_eq!(f[0].bytes.len(), MAX_FRAME - FCS_BYTES);
        assert!(f[0].bad && c.oversize == 1);
        let (f, c) = receive(&cycles(&[0x55, 0x55, 0x12, 0xd5, 1, 2, 3, 4, 5, 6]));
        assert!(f.is_empty() && c.errors == 1);
    }
}
