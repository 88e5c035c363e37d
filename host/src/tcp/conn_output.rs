//! Sending and the timers: SYN and SYN-ACK with their retries, data in
//! TSO-sized units within the congestion and send windows (sender-side
//! silly window avoidance, TSO deferral), retransmission after the RTO
//! (go-back-N from `snd_una` over what the peer has not SACKed) or of
//! SACK holes in recovery, the persist timer's
//! zero-window probes, delayed ACKs and TIME-WAIT.

use super::conn::{Conn, ConnError, State};
use super::rtt::Micros;
use super::segment::{Header, Options};
use spec::conn_table::seq_lt;
use spec::tcp::{ACK, CWR, ECE, FIN, PSH, RST, SYN};
use std::net::SocketAddr;

/// A segment the connection wants sent. A payload longer than `mss` is
/// a TSO unit: the engine (or the software fallback) cuts it.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub peer_mac: [u8; 6],
    pub h: Header,
    pub payload: Vec<u8>,
    pub mss: u32,
    pub ect: bool,
    pub retransmit: bool,
}

/// IPv4 + TCP headers of a data segment with timestamps, the TSO limit's
/// headroom (IPv6 adds 20).
const HEADERS: u32 = 14 + 40 + 20 + 12;

impl Conn {
    /// The earliest timer, for the caller's sleep.
    pub(super) fn deadline(&self) -> Option<Micros> {
        [
            self.rto_at,
            self.delack_at,
            self.persist_at,
            self.time_wait_at,
            self.defer_until,
            self.tlp_at,
            self.reo_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub(super) fn poll(&mut self, now: Micros, out: &mut Vec<Outgoing>) {
        self.timers(now);
        let before = out.len();
        if self.rst_due {
            self.rst_due = false;
            let h = Header {
                seq: self.snd_nxt,
                ack: self.rx.rcv_nxt(),
                flags: RST | ACK,
                ..Default::default()
            };
            out.push(self.segment(h, Vec::new(), false));
            return;
        }
        if self.state == State::Closed {
            return;
        }
        if self.syn_due {
            self.syn_due = false;
            out.push(self.syn(now));
        }
        if self.state.synchronized() {
            self.retransmissions(now, out);
            self.new_data(now, out);
        }
        if self.ack_now && out.len() == before && self.state.synchronized() {
            let h = self.header(self.snd_nxt, ACK, now);
            out.push(self.segment(h, Vec::new(), false));
        }
        if out.len() > before {
            self.ack_now = false;
            self.unacked_segs = 0;
            self.delack_at = None;
            self.last_ack_sent = self.rx.rcv_nxt();
        }
    }

    fn timers(&mut self, now: Micros) {
        let due = |t: Option<Micros>| t.is_some_and(|t| t <= now);
        if due(self.time_wait_at) {
            self.enter_closed(None);
            return;
        }
        if due(self.delack_at) {
            self.delack_at = None;
            self.ack_now = true;
        }
        if due(self.persist_at) {
            self.persist_at = None;
            self.probe(now);
        }
        if due(self.reo_at) {
            self.reorder_timeout(now);
        }
        if due(self.tlp_at) {
            self.tail_probe();
        }
        if due(self.rto_at) {
            self.timeout(now);
        }
    }

    fn timeout(&mut self, now: Micros) {
        self.retries += 1;
        self.stats.timeouts += 1;
        self.rtt.back_off();
        match self.state {
            State::SynSent | State::SynReceived => {
                if self.retries > self.cfg.syn_retries {
                    self.enter_closed(Some(ConnError::TimedOut));
                    return;
                }
                self.syn_due = true;
            }
            _ => {
                if self.retries > self.cfg.retries {
                    self.enter_closed(Some(ConnError::TimedOut));
                    return;
                }
                // RFC 5681 §3.1 (4) and RFC 6298 §5.4-5.6. What the peer
                // SACKed is not sent again: Linux's tcp_enter_loss keeps
                // the marks too (RFC 2018 §8 allows dropping them for a
                // peer that reneges; Linux and this stack never do).
                self.cc.on_timeout(self.flight(), self.mss);
                self.snd_nxt = self.snd_una;
                self.loss_until = self.snd_max;
                self.recovery = None;
                self.dupacks = 0;
                self.inflate = 0;
                self.rexmit.clear();
                self.resent.clear();
                self.tlp_at = None;
                self.tlp_high = None;
                self.reo_at = None;
                self.timed = None;
            }
        }
        self.rto_at = Some(now + self.rtt.rto());
    }

    /// The persist timer (RFC 9293 §3.8.6.1, 3.8.6.2.1): into a zero
    /// window, a probe of one byte; into a window too small for the
    /// sender's SWS rule, what it holds (the override timeout). Again with
    /// backoff while the window stays so.
    fn probe(&mut self, now: Micros) {
        if self.send.is_empty() || !self.can_send_data() {
            return;
        }
        if self.probes_out >= self.cfg.retries {
            self.enter_closed(Some(ConnError::TimedOut));
            return;
        }
        self.probes_out += 1;
        if self.snd_wnd == 0 {
            self.stats.zero_window_probes += 1;
            self.rexmit.push(self.snd_una);
        } else {
            self.sws_override = true;
        }
        self.persist_shift = (self.persist_shift + 1).min(10);
        self.persist_at =
            Some(now + (self.rtt.rto() << self.persist_shift).min(self.cfg.rtt.max_rto));
    }

    fn can_send_data(&self) -> bool {
        matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        )
    }

    fn syn(&mut self, now: Micros) -> Outgoing {
        let synack = self.state == State::SynReceived;
        let ours = u32::from(self.cfg.mtu) - if self.local.is_ipv6() { 60 } else { 40 };
        let mut flags = SYN;
        if synack {
            flags |= ACK;
            if self.ecn_on {
                flags |= ECE;
            }
        } else if self.cfg.ecn {
            flags |= ECE | CWR;
        }
        let offer_ws = if synack {
            self.negotiated_ws
        } else {
            self.cfg.window_scaling
        };
        let h = Header {
            seq: self.iss,
            ack: if synack { self.rx.rcv_nxt() } else { 0 },
            flags,
            window: self.cfg.rcv_buf.min(65_535) as u16,
            opts: Options {
                mss: Some(ours as u16),
                wscale: offer_ws.then(|| self.cfg.wscale()),
                sack_ok: if synack { self.sack_on } else { self.cfg.sack },
                ts: (if synack {
                    self.ts_on
                } else {
                    self.cfg.timestamps
                })
                .then(|| (self.tsval(now), if synack { self.ts_recent } else { 0 })),
                sack: Vec::new(),
            },
        };
        self.open_window();
        if self.rto_at.is_none() {
            self.rto_at = Some(now + self.rtt.rto());
        }
        self.segment(h, Vec::new(), false)
    }

    pub(super) fn header(&mut self, seq: u32, flags: u16, now: Micros) -> Header {
        let wnd = (self.advertise() >> self.rcv_shift).min(65_535) as u16;
        let mut flags = flags;
        if self.ece_pending {
            flags |= ECE;
        }
        let sack = if self.sack_on {
            self.rx.sack_blocks(if self.ts_on { 3 } else { 4 })
        } else {
            Vec::new()
        };
        Header {
            seq,
            ack: self.rx.rcv_nxt(),
            flags,
            window: wnd,
            opts: Options {
                ts: self.ts_on.then(|| (self.tsval(now), self.ts_recent)),
                sack,
                ..Default::default()
            },
        }
    }

    fn segment(&self, h: Header, payload: Vec<u8>, retransmit: bool) -> Outgoing {
        Outgoing {
            local: self.local,
            remote: self.remote,
            peer_mac: self.peer_mac,
            ect: self.ecn_on && !payload.is_empty() && !retransmit,
            h,
            payload,
            mss: self.mss,
            retransmit,
        }
    }

    pub(super) fn data_end(&self) -> u32 {
        self.snd_una.wrapping_add(self.send.len() as u32)
    }

    /// Retransmits one segment at `snd_una`: fast retransmit and partial
    /// ACKs.
    pub(super) fn retransmit_head(&mut self, _now: Micros) {
        self.rexmit.push(self.snd_una);
        self.high_rxt = self.snd_una;
    }

    /// The next hole below the highest SACKed byte, after those already
    /// retransmitted (RFC 6675 NextSeg() rule 1).
    pub(super) fn retransmit_next_hole(&mut self, _now: Micros) {
        let Some(&(_, top)) = self.sacked.last() else {
            return;
        };
        let mut at = if seq_lt(self.high_rxt, self.snd_una) {
            self.snd_una
        } else {
            self.high_rxt.wrapping_add(self.mss)
        };
        at = self.past_sacked(at);
        if seq_lt(at, top) {
            self.rexmit.push(at);
            self.high_rxt = at;
        }
    }

    fn retransmissions(&mut self, now: Micros, out: &mut Vec<Outgoing>) {
        let asks = std::mem::take(&mut self.rexmit);
        for seq in asks {
            if seq_lt(seq, self.snd_una) || !self.can_send_data() {
                continue;
            }
            let end = self.data_end();
            if !seq_lt(seq, end) {
                // Only the FIN is outstanding.
                if self.fin_seq == Some(seq) {
                    let h = self.header(seq, FIN | ACK, now);
                    out.push(self.segment(h, Vec::new(), true));
                    self.stats.retransmits += 1;
                }
                continue;
            }
            let mut stop = seq.wrapping_add(self.mss);
            if self.snd_wnd == 0 {
                stop = seq.wrapping_add(1);
            }
            if let Some(s) = self.next_sacked(seq)
                && seq_lt(s, stop)
            {
                stop = s;
            }
            if seq_lt(end, stop) {
                stop = end;
            }
            let off = seq.wrapping_sub(self.snd_una) as usize;
            let len = stop.wrapping_sub(seq) as usize;
            let payload: Vec<u8> = self.send.range(off..off + len).copied().collect();
            let mut flags = ACK;
            if stop == end {
                flags |= PSH;
            }
            let h = self.header(seq, flags, now);
            out.push(self.segment(h, payload, true));
            self.stats.retransmits += 1;
            self.timed = None;
            if self.recovery.is_some() {
                self.resent.retain(|&(s, _)| s != seq);
                self.resent.push((seq, self.snd_max));
            }
            if seq_lt(self.snd_max, stop) {
                self.snd_max = stop;
            }
            // A probe is timed by the persist timer, not the RTO.
            if self.rto_at.is_none() && self.snd_wnd != 0 {
                self.rto_at = Some(now + self.rtt.rto());
            }
        }
    }

    /// TSO deferral (Linux's tcp_tso_should_defer): while ACKs are on
    /// their way, a unit short of the maximum waits for them to open the
    /// windows further, for at most half an RTT. Sent at once, each ACK
    /// (one per two segments) would cost a descriptor for two segments.
    /// A unit that carries the FIN goes at once (as Linux's does).
    fn defer(&mut self, len: u32, unit_max: u32, cwnd: u32, last: bool, now: Micros) -> bool {
        let calm = self.snd_nxt == self.snd_max;
        let wanted = len < unit_max
            && len < self.snd_wnd.min(cwnd) / 3
            && !(last && self.fin_queued)
            && self.flight() > 0
            && calm;
        let Some(srtt) = self.rtt.srtt().filter(|_| wanted) else {
            return false;
        };
        now < *self.defer_until.get_or_insert(now + srtt / 2)
    }

    fn new_data(&mut self, now: Micros, out: &mut Vec<Outgoing>) {
        if !self.can_send_data() {
            return;
        }
        let v6_extra = if self.local.is_ipv6() { 20 } else { 0 };
        let unit_max = (self.cfg.tso_max - HEADERS - v6_extra) / self.mss * self.mss;
        loop {
            let end = self.data_end();
            if seq_lt(end, self.snd_nxt) {
                // The FIN is out already.
                return;
            }
            // Going back after a timeout: over what the peer holds.
            self.snd_nxt = self.past_sacked(self.snd_nxt);
            let stop = self.next_sacked(self.snd_nxt).unwrap_or(end);
            let unsent = stop.wrapping_sub(self.snd_nxt);
            let wnd_edge = self.snd_una.wrapping_add(self.snd_wnd);
            let by_wnd = (wnd_edge.wrapping_sub(self.snd_nxt) as i32).max(0) as u32;
            let cwnd = self.cc.cwnd().saturating_add(self.inflate);
            let by_cwnd = cwnd.saturating_sub(self.flight());
            let len = unsent.min(by_wnd).min(by_cwnd).min(unit_max.max(self.mss));
            // Sender SWS avoidance (RFC 9293 §3.8.6.2.1).
            let send_ok = len > 0
                && (len >= self.mss
                    || len == unsent
                    || len >= self.max_snd_wnd / 2
                    || std::mem::take(&mut self.sws_override));
            let fin_ready = self.fin_queued && self.fin_seq.is_none_or(|f| f == end);
            let bare_fin = !send_ok && fin_ready && unsent == 0;
            if send_ok && self.defer(len, unit_max, cwnd, len == unsent, now) {
                return;
            }
            self.defer_until = None;
            if !send_ok && !bare_fin {
                // Nothing in flight to clock data out: the persist timer
                // must (a zero window, or one too small to use).
                if unsent > 0 && self.snd_max == self.snd_una && self.persist_at.is_none() {
                    self.persist_shift = 0;
                    self.persist_at = Some(now + self.rtt.rto());
                }
                return;
            }
            let len = if bare_fin { 0 } else { len };
            let fin_now = fin_ready && self.snd_nxt.wrapping_add(len) == end;
            let seq = self.snd_nxt;
            let off = seq.wrapping_sub(self.snd_una) as usize;
            let payload: Vec<u8> = self.send.range(off..off + len as usize).copied().collect();
            let mut flags = ACK;
            if len > 0 && seq.wrapping_add(len) == end {
                flags |= PSH;
            }
            if fin_now {
                flags |= FIN;
            }
            if self.cwr_pending && len > 0 {
                flags |= CWR;
                self.cwr_pending = false;
            }
            let retransmit = seq_lt(seq, self.snd_max);
            let h = self.header(seq, flags, now);
            out.push(self.segment(h, payload, retransmit));
            let mut next = seq.wrapping_add(len);
            if fin_now {
                self.fin_seq = Some(end);
                next = next.wrapping_add(1);
                self.state = match self.state {
                    State::Established => State::FinWait1,
                    State::CloseWait => State::LastAck,
                    s => s,
                };
            }
            if retransmit {
                self.stats.retransmits += 1;
                self.timed = None;
            } else if self.timed.is_none() && len > 0 && !self.ts_on {
                self.timed = Some((next, now));
            }
            self.snd_nxt = next;
            if seq_lt(self.snd_max, next) {
                self.snd_max = next;
            }
            if self.rto_at.is_none() {
                self.rto_at = Some(now + self.rtt.rto());
            }
            self.arm_tail_probe(now);
            if fin_now || len == 0 {
                return;
            }
        }
    }
}
