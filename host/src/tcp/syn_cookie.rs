//! SYN cookies (RFC 4987 §3.6), laid out as Linux lays them: the ISN
//! holds a 5-bit time counter (64 s steps), a 3-bit MSS index and a
//! 24-bit keyed hash of the 4-tuple, the counter and the peer's ISN.
//! With timestamps the SYN-ACK's TSval carries window scale, SACK and
//! ECN in its low 6 bits, and the peer echoes them back in TSecr.

use super::conn::Negotiated;
use super::rtt::Micros;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::net::SocketAddr;

/// MSS values a cookie can name, as Linux's msstab.
const MSS: [u16; 4] = [536, 1300, 1440, 1460];
const STEP: Micros = 64_000_000;
const TS_BITS: u32 = 6;

pub struct SynCookies {
    key: RandomState,
}

impl Default for SynCookies {
    fn default() -> SynCookies {
        SynCookies {
            key: RandomState::new(),
        }
    }
}

impl SynCookies {
    fn hash(&self, local: SocketAddr, remote: SocketAddr, t: u32, peer_isn: u32) -> u32 {
        let mut h = self.key.build_hasher();
        h.write(format!("{local}{remote}").as_bytes());
        h.write_u32(t);
        h.write_u32(peer_isn);
        (h.finish() & 0x00FF_FFFF) as u32
    }

    /// The ISN of the SYN-ACK, and the options to fold into its TSval.
    pub fn make(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
        peer_isn: u32,
        n: &Negotiated,
        now: Micros,
    ) -> (u32, u32) {
        let t = ((now / STEP) & 0x1F) as u32;
        let idx = MSS.iter().rposition(|m| *m <= n.mss).unwrap_or(0) as u32;
        let isn = t << 27 | idx << 24 | self.hash(local, remote, t, peer_isn);
        let ws = n.wscale.map_or(0xF, u32::from);
        let ts_bits = ws | u32::from(n.sack) << 4 | u32::from(n.ecn) << 5;
        (isn, ts_bits)
    }

    /// Checks the ACK that completes a cookie handshake: `ack` acks our
    /// ISN, `seq` is the peer's ISN + 1, `tsecr` echoes our TSval.
    pub fn check(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
        seq: u32,
        ack: u32,
        tsecr: Option<u32>,
        now: Micros,
    ) -> Option<Negotiated> {
        let isn = ack.wrapping_sub(1);
        let peer_isn = seq.wrapping_sub(1);
        let t = isn >> 27;
        let now_t = ((now / STEP) & 0x1F) as u32;
        // Two steps old at most (Linux: MAX_SYNCOOKIE_AGE 2).
        if (now_t.wrapping_sub(t) & 0x1F) > 2
            || isn & 0x00FF_FFFF != self.hash(local, remote, t, peer_isn)
        {
            return None;
        }
        let mut n = Negotiated {
            mss: MSS[((isn >> 24) & 7).min(3) as usize],
            ..Default::default()
        };
        if let Some(e) = tsecr {
            let ws = e & 0xF;
            n.wscale = (ws != 0xF).then_some(ws as u8);
            n.sack = e & 0x10 != 0;
            n.ecn = e & 0x20 != 0;
            n.ts = Some(0);
        }
        Some(n)
    }
}

/// Folds the cookie's option bits into a TSval no later than `tsval`.
pub fn ts_with_bits(tsval: u32, bits: u32) -> u32 {
    (tsval & !((1 << TS_BITS) - 1)) | bits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends() -> (SocketAddr, SocketAddr) {
        (
            "10.0.0.1:80".parse().unwrap(),
            "10.0.0.2:4000".parse().unwrap(),
        )
    }

    #[test]
    fn a_cookie_round_trips_its_options_and_fails_when_tampered_or_old() {
        let c = SynCookies::default();
        let (l, r) = ends();
        let n = Negotiated {
            mss: 1460,
            wscale: Some(7),
            sack: true,
            ts: Some(99),
            ecn: false,
        };
        let now = 10 * STEP;
        let (isn, bits) = c.make(l, r, 5000, &n, now);
        let tsval = ts_with_bits(123_456, bits);
        let got = c
            .check(l, r, 5001, isn.wrapping_add(1), Some(tsval), now + STEP)
            .unwrap();
        assert_eq!((got.mss, got.wscale, got.sack), (1460, Some(7), true));
        assert!(
            c.check(l, r, 5002, isn.wrapping_add(1), Some(tsval), now)
                .is_none()
        );
        assert!(
            c.check(l, r, 5001, isn.wrapping_add(2), Some(tsval), now)
                .is_none()
        );
        assert!(
            c.check(l, r, 5001, isn.wrapping_add(1), None, now + 3 * STEP)
                .is_none()
        );
        let other: SocketAddr = "10.0.0.3:4000".parse().unwrap();
        assert!(
            c.check(l, other, 5001, isn.wrapping_add(1), None, now)
                .is_none()
        );
    }

    #[test]
    fn without_timestamps_only_the_mss_survives_rounded_down() {
        let c = SynCookies::default();
        let (l, r) = ends();
        let n = Negotiated {
            mss: 1400,
            wscale: Some(7),
            ..Default::default()
        };
        let (isn, _) = c.make(l, r, 1, &n, 0);
        let got = c.check(l, r, 2, isn.wrapping_add(1), None, 0).unwrap();
        assert_eq!((got.mss, got.wscale, got.ts), (1300, None, None));
    }
}
