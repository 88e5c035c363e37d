//! Congestion control behind a trait: NewReno (RFC 5681, 6582) and CUBIC
//! (RFC 9438). Windows are in bytes.

use super::rtt::Micros;

pub trait Congestion: Send {
    fn name(&self) -> &'static str;
    fn cwnd(&self) -> u32;
    fn ssthresh(&self) -> u32;
    /// `acked` new bytes were acknowledged outside recovery.
    fn on_ack(&mut self, acked: u32, mss: u32, now: Micros, srtt: Option<Micros>);
    /// Three duplicate ACKs (or SACK evidence): enter fast recovery.
    fn on_loss(&mut self, flight: u32, mss: u32, now: Micros);
    /// Recovery ended (the recovery point was acked): deflate.
    fn on_recovered(&mut self, mss: u32);
    /// The retransmission timer fired.
    fn on_timeout(&mut self, flight: u32, mss: u32);
}

/// RFC 5681 §3.1: IW = min(4*MSS, max(2*MSS, 4380)), here Linux's 10 MSS (RFC 6928).
pub fn initial_window(mss: u32) -> u32 {
    10 * mss
}

pub struct NewReno {
    cwnd: u32,
    ssthresh: u32,
    /// Bytes acked in congestion avoidance since cwnd last grew.
    acked_ca: u32,
}

impl NewReno {
    pub fn new(mss: u32) -> NewReno {
        NewReno {
            cwnd: initial_window(mss),
            ssthresh: u32::MAX,
            acked_ca: 0,
        }
    }
}

impl Congestion for NewReno {
    fn name(&self) -> &'static str {
        "newreno"
    }
    fn cwnd(&self) -> u32 {
        self.cwnd
    }
    fn ssthresh(&self) -> u32 {
        self.ssthresh
    }
    fn on_ack(&mut self, acked: u32, mss: u32, _: Micros, _: Option<Micros>) {
        if self.cwnd < self.ssthresh {
            // RFC 5681 (3.2) with appropriate byte counting, L = 2.
            self.cwnd = self.cwnd.saturating_add(acked.min(2 * mss));
        } else {
            self.acked_ca += acked;
            if self.acked_ca >= self.cwnd {
                self.acked_ca -= self.cwnd;
                self.cwnd = self.cwnd.saturating_add(mss);
            }
        }
    }
    fn on_loss(&mut self, flight: u32, mss: u32, _: Micros) {
        // RFC 5681 (4).
        self.ssthresh = (flight / 2).max(2 * mss);
        self.cwnd = self.ssthresh + 3 * mss;
    }
    fn on_recovered(&mut self, _: u32) {
        self.cwnd = self.ssthresh;
        self.acked_ca = 0;
    }
    fn on_timeout(&mut self, flight: u32, mss: u32) {
        self.ssthresh = (flight / 2).max(2 * mss);
        self.cwnd = mss;
        self.acked_ca = 0;
    }
}

/// CUBIC, RFC 9438: W_cubic(t) = C (t - K)^3 + W_max, with the Reno-
/// friendly estimate of §4.3 as a floor.
pub struct Cubic {
    cwnd: u32,
    ssthresh: u32,
    w_max: f64,
    k: f64,
    epoch: Option<Micros>,
    w_est: f64,
}

/// RFC 9438 §5: C = 0.4, beta_cubic = 0.7.
const C: f64 = 0.4;
const BETA: f64 = 0.7;

impl Cubic {
    pub fn new(mss: u32) -> Cubic {
        Cubic {
            cwnd: initial_window(mss),
            ssthresh: u32::MAX,
            w_max: 0.0,
            k: 0.0,
            epoch: None,
            w_est: 0.0,
        }
    }
}

impl Congestion for Cubic {
    fn name(&self) -> &'static str {
        "cubic"
    }
    fn cwnd(&self) -> u32 {
        self.cwnd
    }
    fn ssthresh(&self) -> u32 {
        self.ssthresh
    }
    fn on_ack(&mut self, acked: u32, mss: u32, now: Micros, srtt: Option<Micros>) {
        if self.cwnd < self.ssthresh {
            self.cwnd = self.cwnd.saturating_add(acked.min(2 * mss));
            return;
        }
        let m = f64::from(mss);
        let epoch = *self.epoch.get_or_insert_with(|| {
            self.w_est = f64::from(self.cwnd) / m;
            now
        });
        let rtt = srtt.unwrap_or(100_000) as f64 / 1e6;
        let t = (now - epoch) as f64 / 1e6;
        // In segments (RFC 9438 §4.2).
        let target = C * (t + rtt - self.k).powi(3) + self.w_max;
        let cwnd = f64::from(self.cwnd) / m;
        // §4.3: alpha_cubic = 3 (1 - beta) / (1 + beta).
        self.w_est += 3.0 * (1.0 - BETA) / (1.0 + BETA) * f64::from(acked) / m / cwnd;
        let grow = if target > cwnd {
            (target - cwnd) / cwnd * f64::from(acked) / m
        } else {
            0.0
        };
        let next = (cwnd + grow).max(self.w_est).min(1.5 * cwnd + 1.0);
        self.cwnd = (next * m) as u32;
    }
    fn on_loss(&mut self, _: u32, mss: u32, _: Micros) {
        let m = f64::from(mss);
        let cwnd = f64::from(self.cwnd) / m;
        // §4.7 fast convergence.
        self.w_max = if cwnd < self.w_max {
            cwnd * (1.0 + BETA) / 2.0
        } else {
            cwnd
        };
        self.ssthresh = ((cwnd * BETA * m) as u32).max(2 * mss);
        self.k = (self.w_max * (1.0 - BETA) / C).cbrt();
        self.cwnd = self.ssthresh;
        self.epoch = None;
    }
    fn on_recovered(&mut self, _: u32) {
        self.cwnd = self.ssthresh;
    }
    fn on_timeout(&mut self, flight: u32, mss: u32) {
        self.on_loss(flight, mss, 0);
        self.cwnd = mss;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newreno_halves_on_loss_and_restarts_from_one_segment_on_timeout() {
        let mut c = NewReno::new(1000);
        assert_eq!(c.cwnd(), 10_000);
        c.on_ack(1000, 1000, 0, None);
        assert_eq!(c.cwnd(), 11_000, "slow start");
        c.on_loss(20_000, 1000, 0);
        assert_eq!((c.ssthresh(), c.cwnd()), (10_000, 13_000));
        c.on_recovered(1000);
        assert_eq!(c.cwnd(), 10_000);
        c.on_ack(10_000, 1000, 0, None);
        assert_eq!(c.cwnd(), 11_000, "one MSS per window");
        c.on_timeout(11_000, 1000);
        assert_eq!((c.ssthresh(), c.cwnd()), (5_500, 1000));
    }

    /// RFC 9438 §4.2: K = cbrt(W_max (1 - beta) / C); with W_max = 100
    /// segments K = cbrt(75) = 4.217 s, and W(K) = W_max.
    #[test]
    fn cubic_returns_to_w_max_after_k_seconds() {
        let mss = 1000;
        let mut c = Cubic::new(mss);
        c.cwnd = 100 * mss;
        c.on_loss(0, mss, 0);
        assert_eq!(c.cwnd(), 70 * mss);
        assert!((c.k - 75f64.cbrt()).abs() < 1e-9);
        let mut now = 0;
        while now < 4_217_000 {
            now += 10_000;
            c.on_ack(mss, mss, now, Some(10_000));
        }
        let w = f64::from(c.cwnd()) / f64::from(mss);
        assert!(
            (95.0..=105.0).contains(&w),
            "W(K) = {w} segments, want ~100"
        );
    }
}
