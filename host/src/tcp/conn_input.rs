//! SEGMENT ARRIVES (RFC 9293 §3.10.7) for a connection past LISTEN, with
//! PAWS (RFC 7323 §5), the RFC 5961 defences, SACK scoreboard updates
//! (RFC 2018/6675), NewReno recovery (RFC 6582) and ECN (RFC 3168).

use super::conn::{Conn, ConnError, Negotiated, State};
use super::rtt::Micros;
use super::segment::Header;
use spec::conn_table::{seq_le, seq_lt};
use spec::tcp::{ACK, CWR, ECE, FIN, RST, SYN};

/// What the stack must do after a segment, beyond the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reaction {
    /// Answer with a challenge ACK, subject to the stack-wide limit.
    pub challenge: bool,
    /// Answer with a RST (seq, ack, whether the ACK bit is set).
    pub reset: Option<(u32, u32, bool)>,
}

impl Conn {
    pub(super) fn input(&mut self, h: &Header, payload: &[u8], ce: bool, now: Micros) -> Reaction {
        match self.state {
            State::SynSent => self.syn_sent(h, now),
            State::Closed => Reaction::default(),
            _ => self.synchronized_input(h, payload, ce, now),
        }
    }

    fn syn_sent(&mut self, h: &Header, now: Micros) -> Reaction {
        let mut r = Reaction::default();
        let ack_ok = h.flags & ACK != 0 && seq_lt(self.iss, h.ack) && seq_le(h.ack, self.snd_nxt);
        if h.flags & ACK != 0 && !ack_ok {
            if h.flags & RST == 0 {
                r.reset = Some((h.ack, 0, false));
            }
            return r;
        }
        if h.flags & RST != 0 {
            if ack_ok {
                self.enter_closed(Some(ConnError::Refused));
            }
            return r;
        }
        if h.flags & SYN == 0 {
            return r;
        }
        let n = Negotiated::from_syn(&h.opts, h.flags & !ACK, &self.cfg);
        let n = Negotiated {
            // A SYN-ACK answers ECN with ECE alone (RFC 3168 §6.1.1).
            ecn: self.cfg.ecn && h.flags & (ECE | CWR) == ECE || n.ecn,
            ..n
        };
        self.irs = h.seq;
        self.rx = super::reassembly::Reassembly::new(h.seq.wrapping_add(1), true);
        self.open_window();
        self.apply(&n);
        self.snd_wnd = u32::from(h.window);
        self.snd_wl1 = h.seq;
        if ack_ok {
            self.snd_una = h.ack;
            self.snd_wl2 = h.ack;
            self.state = State::Established;
            self.rto_at = None;
            self.retries = 0;
            self.ack_now = true;
            if self.rtt.backoffs() == 0 {
                self.sample_syn_rtt(h, now);
            }
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8).
            self.state = State::SynReceived;
            self.syn_due = true;
        }
        self.max_snd_wnd = self.snd_wnd;
        r
    }

    fn sample_syn_rtt(&mut self, h: &Header, now: Micros) {
        if let Some((_, ecr)) = h.opts.ts.filter(|_| self.ts_on) {
            let ms = self.tsval(now).wrapping_sub(ecr);
            self.rtt.sample(u64::from(ms) * 1000);
        }
    }

    fn acceptable(&self, seq: u32, len: u32) -> bool {
        let nxt = self.rx.rcv_nxt();
        let wnd = self.rcv_adv.wrapping_sub(nxt) as i32;
        let wnd = wnd.max(0) as u32;
        let in_wnd = |s: u32| seq_le(nxt, s) && seq_lt(s, nxt.wrapping_add(wnd));
        match (len, wnd) {
            (0, 0) => seq == nxt,
            (0, _) => in_wnd(seq),
            (_, 0) => false,
            _ => in_wnd(seq) || in_wnd(seq.wrapping_add(len - 1)),
        }
    }

    fn synchronized_input(
        &mut self,
        h: &Header,
        payload: &[u8],
        ce: bool,
        now: Micros,
    ) -> Reaction {
        let mut r = Reaction::default();
        let mut len = payload.len() as u32;
        if h.flags & SYN != 0 {
            len += 1;
        }
        if h.flags & FIN != 0 {
            len += 1;
        }
        // PAWS (RFC 7323 §5.3 R1): an old TSval is dropped with an ACK.
        if self.ts_on
            && h.flags & RST == 0
            && let Some((tsval, _)) = h.opts.ts
            && seq_lt(tsval, self.ts_recent)
        {
            self.stats.paws_drops += 1;
            self.ack_now = true;
            return r;
        }
        // A SYN-ACK again in SYN-RECEIVED or later: our ACK was lost.
        if h.flags & SYN != 0
            && h.flags & ACK != 0
            && h.seq == self.irs
            && self.state != State::SynReceived
        {
            self.ack_now = true;
            return r;
        }
        if !self.acceptable(h.seq, len) {
            if h.flags & RST == 0 {
                self.stats.out_of_window += 1;
                self.ack_now = true;
            }
            return r;
        }
        if h.flags & RST != 0 {
            // RFC 5961 §3.2: only the exact sequence resets.
            if h.seq == self.rx.rcv_nxt() {
                let why = if self.state == State::SynReceived {
                    ConnError::Refused
                } else {
                    ConnError::Reset
                };
                self.enter_closed(Some(why));
            } else {
                r.challenge = true;
            }
            return r;
        }
        if h.flags & SYN != 0 {
            // RFC 5961 §4.2: any SYN here gets a challenge ACK.
            if self.state == State::SynReceived && h.seq == self.irs {
                // Our SYN-ACK was lost: send it again.
                self.syn_due = true;
            } else {
                r.challenge = true;
            }
            return r;
        }
        if h.flags & ACK == 0 {
            return r;
        }
        if self.state == State::SynReceived {
            if seq_lt(self.snd_una, h.ack) && seq_le(h.ack, self.snd_max) {
                self.state = State::Established;
                self.snd_wnd = u32::from(h.window) << self.snd_shift;
                self.max_snd_wnd = self.snd_wnd;
                self.snd_wl1 = h.seq;
                self.snd_wl2 = h.ack;
                self.retries = 0;
                if self.rtt.backoffs() == 0 {
                    self.sample_syn_rtt(h, now);
                }
            } else {
                r.reset = Some((h.ack, 0, false));
                return r;
            }
        }
        // RFC 5961 §5.2: an ACK outside [snd_una - max_wnd, snd_max] is
        // answered, never believed.
        let floor = self.snd_una.wrapping_sub(self.max_snd_wnd);
        if seq_lt(self.snd_max, h.ack) || seq_lt(h.ack, floor) {
            r.challenge = seq_lt(h.ack, floor);
            self.ack_now = !r.challenge;
            return r;
        }
        // RFC 7323 §4.3: TS.Recent from a segment at or before Last.ACK.sent.
        if self.ts_on
            && let Some((tsval, _)) = h.opts.ts
            && seq_le(h.seq, self.last_ack_sent)
        {
            self.ts_recent = tsval;
        }
        self.ack(h, payload.len() as u32, now);
        if self.state == State::Closed {
            return r;
        }
        if ce {
            self.stats.ce_marks += 1;
            if self.ecn_on {
                self.ece_pending = true;
            }
        }
        if h.flags & CWR != 0 {
            self.ece_pending = false;
        }
        if !payload.is_empty()
            && matches!(
                self.state,
                State::Established | State::FinWait1 | State::FinWait2
            )
        {
            self.data(h.seq, payload, now);
        }
        if h.flags & FIN != 0 && h.seq.wrapping_add(payload.len() as u32) == self.rx.rcv_nxt() {
            self.fin(now);
        }
        r
    }

    fn ack(&mut self, h: &Header, plen: u32, now: Micros) {
        if self.ecn_on && h.flags & ECE != 0 && seq_le(self.ecn_recover, self.snd_una) {
            // RFC 3168 §6.1.2: once per window, like a loss, no retransmit.
            self.cc.on_loss(self.flight(), self.mss, now);
            self.cc.on_recovered(self.mss);
            self.cwr_pending = true;
            self.ecn_recover = self.snd_max;
            self.stats.cwnd_reductions += 1;
        }
        self.probes_out = 0;
        // RFC 6675 §2: an ACK that SACKs new data is a duplicate ACK,
        // whatever its window (Linux's tcp_fastretrans_alert too).
        let sacks_new = self.sack_on && self.note_sack(&h.opts.sack);
        let wnd = u32::from(h.window) << self.snd_shift;
        if seq_lt(self.snd_una, h.ack) {
            self.new_ack(h, now);
        } else if h.ack == self.snd_una
            && self.snd_max != self.snd_una
            && (sacks_new
                || (plen == 0
                    // The answer to a zero-window probe is no sign of loss.
                    && wnd != 0
                    && h.flags & FIN == 0
                    && wnd == self.snd_wnd))
        {
            self.dup_ack(now);
        }
        self.after_ack(now);
        // RFC 9293 §3.10.7.4: window update from a newer segment.
        if seq_lt(self.snd_wl1, h.seq) || (self.snd_wl1 == h.seq && seq_le(self.snd_wl2, h.ack)) {
            self.snd_wnd = wnd;
            self.max_snd_wnd = self.max_snd_wnd.max(wnd);
            self.snd_wl1 = h.seq;
            self.snd_wl2 = h.ack;
            if wnd > 0 {
                self.persist_at = None;
            }
        }
        let fin_acked = self.fin_seq.is_some_and(|f| seq_lt(f, self.snd_una));
        match self.state {
            State::FinWait1 if fin_acked => self.state = State::FinWait2,
            State::Closing if fin_acked => self.enter_time_wait(now),
            State::LastAck if fin_acked => self.enter_closed(None),
            // A retransmitted FIN restarts the wait (RFC 9293 §3.10.7.4).
            State::TimeWait if h.flags & FIN != 0 => {
                self.ack_now = true;
                self.enter_time_wait(now);
            }
            _ => {}
        }
    }

    fn new_ack(&mut self, h: &Header, now: Micros) {
        let acked = h.ack.wrapping_sub(self.snd_una);
        // The FIN takes a sequence number but no buffer byte.
        let data = acked.min(self.send.len() as u32);
        self.send.drain(..data as usize);
        self.snd_una = h.ack;
        if seq_lt(self.snd_nxt, self.snd_una) {
            self.snd_nxt = self.snd_una;
        }
        self.sacked.retain_mut(|(s, e)| {
            if seq_lt(*s, h.ack) {
                *s = h.ack;
            }
            seq_lt(*s, *e)
        });
        self.retries = 0;
        self.stats.bytes_out += u64::from(data);
        // RTT: the echoed timestamp, else the timed segment (Karn).
        if let Some((_, ecr)) = h.opts.ts.filter(|(_, e)| self.ts_on && *e != 0) {
            let ms = self.tsval(now).wrapping_sub(ecr);
            if ms < 60_000 {
                self.rtt.sample(u64::from(ms) * 1000 + 500);
            }
        } else if let Some((end, at)) = self.timed
            && seq_le(end, h.ack)
        {
            self.rtt.sample(now - at);
            self.timed = None;
        }
        match self.recovery {
            Some(recover) if seq_lt(h.ack, recover) => {
                // Partial ACK (RFC 6582 §3.2 step 5): the next hole goes
                // now; with SACK, the next one not yet resent (RFC 6675
                // NextSeg()), which may be past a head resent already.
                if !self.sacked.is_empty() {
                    self.retransmit_next_hole(now);
                } else if seq_lt(self.high_rxt, self.snd_una) || !self.sack_on {
                    self.retransmit_head(now);
                }
                self.dupacks = 0;
            }
            Some(_) => {
                self.recovery = None;
                self.resent.clear();
                self.inflate = 0;
                self.cc.on_recovered(self.mss);
                self.dupacks = 0;
            }
            None => {
                self.dupacks = 0;
                self.cc.on_ack(data, self.mss, now, self.rtt.srtt());
            }
        }
        self.rto_at = (self.snd_una != self.snd_max).then(|| now + self.rtt.rto());
    }

    pub(super) fn enter_recovery(&mut self, now: Micros) {
        self.cc.on_loss(self.flight(), self.mss, now);
        self.recovery = Some(self.snd_max);
        self.high_rxt = self.snd_una;
        self.stats.fast_retransmits += 1;
        self.retransmit_head(now);
    }

    fn dup_ack(&mut self, now: Micros) {
        self.dupacks += 1;
        self.stats.dup_acks += 1;
        let sack_says_lost = self.sack_on && self.sacked_bytes() >= 3 * self.mss;
        let lost = self.dupacks == 3 || sack_says_lost;
        if self.recovery.is_none() && seq_le(self.loss_until, self.snd_una) && lost {
            self.enter_recovery(now);
        } else if self.recovery.is_some() {
            // RFC 6582 §3.2 step 4: each further duplicate ACK lets one
            // more segment out; with SACK, the next hole goes first
            // (RFC 6675 NextSeg()).
            self.inflate = self.inflate.saturating_add(self.mss);
            if self.sack_on {
                self.retransmit_next_hole(now);
            }
        }
    }

    /// Whether the blocks SACKed bytes not SACKed before.
    fn note_sack(&mut self, blocks: &[(u32, u32)]) -> bool {
        let before = self.sacked_bytes();
        for &(s, e) in blocks {
            // Ignore blocks below snd_una (D-SACK) or beyond what was sent.
            if !seq_lt(s, e) || seq_le(e, self.snd_una) || seq_lt(self.snd_max, e) {
                continue;
            }
            let s = if seq_lt(s, self.snd_una) {
                self.snd_una
            } else {
                s
            };
            let mut merged = (s, e);
            self.sacked.retain(|&(a, b)| {
                let touches = seq_le(a, merged.1) && seq_le(merged.0, b);
                if touches {
                    if seq_lt(a, merged.0) {
                        merged.0 = a;
                    }
                    if seq_lt(merged.1, b) {
                        merged.1 = b;
                    }
                }
                !touches
            });
            let at = self.sacked.partition_point(|&(a, _)| seq_lt(a, merged.0));
            self.sacked.insert(at, merged);
        }
        self.sacked_bytes() > before
    }

    fn data(&mut self, seq: u32, payload: &[u8], now: Micros) {
        // Keep to the window we offered.
        let nxt = self.rx.rcv_nxt();
        let edge = self.rcv_adv;
        let (mut seq, mut payload) = (seq, payload);
        if seq_lt(seq, nxt) {
            let cut = nxt.wrapping_sub(seq) as usize;
            payload = &payload[cut.min(payload.len())..];
            seq = nxt;
        }
        let room = edge.wrapping_sub(seq) as i32;
        let room = room.max(0) as usize;
        if payload.len() > room {
            payload = &payload[..room];
        }
        if payload.is_empty() {
            self.ack_now = true;
            return;
        }
        let a = self.rx.data(seq, payload);
        self.stats.bytes_in += a.delivered.len() as u64;
        self.recv.extend(&a.delivered);
        // RFC 5681 §4.2 / 9293 §3.8.6.3: ACK at once when out of order or
        // filling a hole, else every second full segment or on the timer.
        if a.out_of_order || a.duplicate || a.write_back {
            self.ack_now = true;
        } else {
            self.unacked_segs += (payload.len() as u32).div_ceil(self.mss).max(1);
            if self.unacked_segs >= 2 {
                self.ack_now = true;
            } else if self.delack_at.is_none() {
                self.delack_at = Some(now + self.cfg.delayed_ack);
            }
        }
    }

    fn fin(&mut self, now: Micros) {
        if self.fin_received {
            self.ack_now = true;
            return;
        }
        self.fin_received = true;
        self.rx.learn(self.rx.rcv_nxt().wrapping_add(1));
        self.ack_now = true;
        match self.state {
            State::Established => self.state = State::CloseWait,
            State::FinWait1 => {
                let acked = self.fin_seq.is_some_and(|f| seq_lt(f, self.snd_una));
                if acked {
                    self.enter_time_wait(now);
                } else {
                    // Simultaneous close (RFC 9293 figure 13).
                    self.state = State::Closing;
                }
            }
            State::FinWait2 => self.enter_time_wait(now),
            _ => {}
        }
    }
}
