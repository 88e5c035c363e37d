//! Loss found before the RTO, as Linux finds it. Without these, a stack
//! that sends a whole window per burst waits out the RTO whenever the
//! burst's only ACK, its last segment or a resent hole is lost:
//! - the tail loss probe (RFC 8985 §7);
//! - a SACKed hole that outlives the reordering window (RACK's
//!   reordering timer, RFC 8985 §6.2, with sequence order standing for
//!   send order), short of three duplicate ACKs;
//! - a resent hole still missing below data sent after it (Linux's
//!   tcp_mark_lost_retrans).

use super::conn::Conn;
use super::rtt::Micros;
use spec::conn_table::{seq_le, seq_lt};

/// The peer's worst-case delayed ACK (RFC 8985 §7.2 WCDelAckT).
const WORST_DELAYED_ACK: Micros = 200_000;
/// Linux's TCP_TIMEOUT_MIN: the probe's slack when more than one
/// segment is out.
const PROBE_SLACK: Micros = 2_000;

impl Conn {
    /// (Re)starts the probe timer after new data went or an ACK came:
    /// 2·SRTT (RFC 8985 §7.2), before the RTO or not at all.
    pub(super) fn arm_tail_probe(&mut self, now: Micros) {
        self.tlp_at = None;
        let Some(srtt) = self.rtt.srtt() else {
            return;
        };
        let open = self.recovery.is_none() && seq_le(self.loss_until, self.snd_una);
        if self.snd_una == self.snd_max || !open || self.tlp_high.is_some() || self.snd_wnd == 0 {
            return;
        }
        let slack = if self.flight() <= self.mss {
            WORST_DELAYED_ACK
        } else {
            PROBE_SLACK
        };
        let at = now + 2 * srtt + slack;
        if self.rto_at.is_none_or(|r| at < r) {
            self.tlp_at = Some(at);
        }
    }

    /// The probe: the last segment again, one per episode (until an ACK
    /// passes what was sent). Its ACK either covers all (the burst's ACK
    /// was lost) or SACKs it, and the reordering timer takes over.
    pub(super) fn tail_probe(&mut self) {
        self.tlp_at = None;
        if self.snd_una == self.snd_max || self.recovery.is_some() {
            return;
        }
        // The last byte sent, or the FIN alone.
        let data_end = self.data_end();
        let end = if seq_lt(self.snd_max, data_end) {
            self.snd_max
        } else {
            data_end
        };
        let seq = if seq_lt(self.snd_una, end) {
            let back = end.wrapping_sub(self.mss);
            if seq_lt(self.snd_una, back) {
                back
            } else {
                self.snd_una
            }
        } else {
            end
        };
        self.rexmit.push(seq);
        self.tlp_high = Some(self.snd_max);
        self.stats.tail_probes += 1;
    }

    /// After each ACK: the probe episode ends once an ACK passes it; a
    /// hole below SACKed data gets the reordering window (SRTT/4).
    pub(super) fn after_ack(&mut self, now: Micros) {
        if self.tlp_high.is_some_and(|h| seq_le(h, self.snd_una)) {
            self.tlp_high = None;
        }
        if self.recovery.is_some() {
            self.lost_retransmits();
        }
        if self.recovery.is_some() || self.sacked.is_empty() {
            self.reo_at = None;
        } else if self.reo_at.is_none() && seq_le(self.loss_until, self.snd_una) {
            let srtt = self.rtt.srtt().unwrap_or(self.rtt.rto());
            self.reo_at = Some(now + srtt / 4);
        }
        self.arm_tail_probe(now);
    }

    /// The reordering window passed and the hole is still there.
    pub(super) fn reorder_timeout(&mut self, now: Micros) {
        self.reo_at = None;
        if self.recovery.is_none() && !self.sacked.is_empty() {
            self.stats.reorder_timeouts += 1;
            self.enter_recovery(now);
        }
    }

    /// A resent hole still missing below SACKed data that was sent after
    /// it is lost again: it goes once more, at once.
    fn lost_retransmits(&mut self) {
        let Some(&(_, top)) = self.sacked.last() else {
            return;
        };
        let mut resent = std::mem::take(&mut self.resent);
        resent.retain(|&(s, _)| seq_le(self.snd_una, s) && self.past_sacked(s) == s);
        for (s, at) in &mut resent {
            if seq_lt(*at, top) {
                self.rexmit.push(*s);
                *at = self.snd_max;
                self.stats.lost_retransmits += 1;
            }
        }
        self.resent = resent;
    }
}
