//! The retransmission timer of RFC 6298: SRTT/RTTVAR, Karn's rule (the
//! caller samples only segments sent once, or timestamps), exponential
//! backoff, and a floor that defaults to Linux's 200 ms rather than the
//! RFC's 1 s.

/// Microseconds.
pub type Micros = u64;

#[derive(Clone, Copy, Debug)]
pub struct RttConfig {
    pub min_rto: Micros,
    pub max_rto: Micros,
    /// Before any sample (RFC 6298 §2.1).
    pub initial_rto: Micros,
}

impl Default for RttConfig {
    fn default() -> RttConfig {
        RttConfig {
            min_rto: 200_000,
            max_rto: 120_000_000,
            initial_rto: 1_000_000,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Rtt {
    cfg: RttConfig,
    srtt: Option<Micros>,
    rttvar: Micros,
    backoff: u32,
}

/// Clock granularity G of RFC 6298 §2.
const GRANULARITY: Micros = 1_000;

impl Rtt {
    pub fn new(cfg: RttConfig) -> Rtt {
        Rtt {
            cfg,
            srtt: None,
            rttvar: 0,
            backoff: 0,
        }
    }

    pub fn srtt(&self) -> Option<Micros> {
        self.srtt
    }

    pub fn sample(&mut self, r: Micros) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(s) => {
                // beta = 1/4, alpha = 1/8.
                self.rttvar = (3 * self.rttvar + s.abs_diff(r)) / 4;
                self.srtt = Some((7 * s + r) / 8);
            }
        }
        self.backoff = 0;
    }

    /// The timer to arm now, backoff included.
    pub fn rto(&self) -> Micros {
        let base = match self.srtt {
            None => self.cfg.initial_rto,
            Some(s) => s + GRANULARITY.max(4 * self.rttvar),
        };
        let backed = base.saturating_mul(1 << self.backoff.min(16));
        backed.clamp(self.cfg.min_rto, self.cfg.max_rto)
    }

    /// The timer expired (RFC 6298 §5.5).
    pub fn back_off(&mut self) {
        self.backoff = (self.backoff + 1).min(16);
    }

    pub fn backoffs(&self) -> u32 {
        self.backoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6298 §2.2-2.3 by hand: R=100 ms gives SRTT 100, RTTVAR 50,
    /// RTO 300 ms; then R=200 ms gives RTTVAR (3*50+100)/4 = 62.5,
    /// SRTT (7*100+200)/8 = 112.5, RTO 362.5 ms.
    #[test]
    fn the_rfc_formulas() {
        let mut r = Rtt::new(RttConfig::default());
        assert_eq!(r.rto(), 1_000_000);
        r.sample(100_000);
        assert_eq!(r.rto(), 300_000);
        r.sample(200_000);
        assert_eq!(r.srtt(), Some(112_500));
        assert_eq!(r.rto(), 112_500 + 250_000);
        r.back_off();
        r.back_off();
        assert_eq!(r.rto(), 4 * 362_500);
    }

    #[test]
    fn the_floor_holds() {
        let mut r = Rtt::new(RttConfig::default());
        r.sample(10);
        assert_eq!(r.rto(), 200_000);
    }
}
