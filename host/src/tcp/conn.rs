//! One connection's control block (RFC 9293 §3.3.1) and what the socket
//! API does to it. Segment arrival is in `conn_input.rs`, sending and the
//! timers in `conn_output.rs`.

use super::cc::{Congestion, Cubic, NewReno};
use super::config::{CcKind, Config};
use super::reassembly::Reassembly;
use super::rtt::{Micros, Rtt};
use super::segment::Options;
use spec::conn_table::{seq_le, seq_lt};
use std::collections::VecDeque;
use std::net::SocketAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
    Closed,
}

impl State {
    pub fn synchronized(self) -> bool {
        !matches!(self, State::SynSent | State::SynReceived | State::Closed)
    }
}

/// Why a connection ended other than by a clean close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub enum ConnError {
    #[error("connection refused (RST in reply to our SYN)")]
    Refused,
    #[error("connection reset by the peer")]
    Reset,
    #[error("connection timed out")]
    TimedOut,
    #[error("connection aborted here")]
    Aborted,
}

/// Counters of one connection, summed by the stack.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct ConnStats {
    pub retransmits: u64,
    pub fast_retransmits: u64,
    /// Retransmissions found lost and sent again within one recovery.
    pub lost_retransmits: u64,
    pub tail_probes: u64,
    /// Holes found lost by the reordering window, not by dup ACKs.
    pub reorder_timeouts: u64,
    pub timeouts: u64,
    pub challenge_acks: u64,
    pub paws_drops: u64,
    pub out_of_window: u64,
    pub dup_acks: u64,
    pub zero_window_probes: u64,
    pub ce_marks: u64,
    pub cwnd_reductions: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

pub struct Conn {
    pub(super) state: State,
    pub(super) local: SocketAddr,
    pub(super) remote: SocketAddr,
    pub(super) peer_mac: [u8; 6],
    pub(super) cfg: Config,

    pub(super) iss: u32,
    pub(super) snd_una: u32,
    pub(super) snd_nxt: u32,
    /// Highest sequence sent: `snd_nxt` goes back after a timeout.
    pub(super) snd_max: u32,
    pub(super) snd_wnd: u32,
    pub(super) max_snd_wnd: u32,
    pub(super) snd_wl1: u32,
    pub(super) snd_wl2: u32,
    /// The peer's window scale, ours.
    pub(super) snd_shift: u8,
    pub(super) rcv_shift: u8,
    /// Payload bytes per segment on the wire (options of every segment
    /// subtracted).
    pub(super) mss: u32,
    /// From `snd_una` on: sent and unsent bytes (no SYN, no FIN).
    pub(super) send: VecDeque<u8>,
    pub(super) fin_queued: bool,
    /// The FIN's sequence number once sent.
    pub(super) fin_seq: Option<u32>,

    pub(super) irs: u32,
    pub(super) rx: Reassembly,
    pub(super) recv: VecDeque<u8>,
    pub(super) fin_received: bool,
    /// Right edge of the window last advertised (never moves left).
    pub(super) rcv_adv: u32,

    pub(super) ts_on: bool,
    pub(super) ts_recent: u32,
    pub(super) ts_offset: u32,
    pub(super) last_ack_sent: u32,
    pub(super) sack_on: bool,
    /// SACKed ranges above `snd_una`, disjoint and ordered.
    pub(super) sacked: Vec<(u32, u32)>,
    /// Highest sequence retransmitted in this recovery (RFC 6675 HighRxt).
    pub(super) high_rxt: u32,
    pub(super) ecn_on: bool,
    /// CE seen: send ECE until the peer's CWR.
    pub(super) ece_pending: bool,
    /// ECE acted upon: send CWR on the next new data.
    pub(super) cwr_pending: bool,
    /// No second reduction before this is acked.
    pub(super) ecn_recover: u32,

    pub(super) rtt: Rtt,
    /// A segment sent once, for an RTT sample without timestamps (Karn).
    pub(super) timed: Option<(u32, Micros)>,
    pub(super) cc: Box<dyn Congestion>,
    pub(super) dupacks: u32,
    /// NewReno's `recover` while in fast recovery (RFC 6582).
    pub(super) recovery: Option<u32>,
    /// `snd_max` at the last timeout: duplicate ACKs below it are the
    /// go-back's echoes, not a new loss (RFC 6582 §3.2 step 1; Linux
    /// leaves its Loss state at `high_seq`).
    pub(super) loss_until: u32,
    /// NewReno's window inflation by duplicate ACKs in recovery.
    pub(super) inflate: u32,
    /// Sequence numbers to retransmit one segment from, on the next poll.
    pub(super) rexmit: Vec<u32>,
    /// Holes resent in this recovery, each with `snd_max` when it went:
    /// SACKs for data sent after it mean it was lost too (Linux's
    /// tcp_mark_lost_retrans), rather than waiting for the RTO.
    pub(super) resent: Vec<(u32, u32)>,
    pub(super) persist_shift: u32,
    /// Zero-window probes no ACK answered (Linux's `icsk_probes_out`):
    /// a peer that answers keeps the connection, however long it waits.
    pub(super) probes_out: u32,
    /// The persist timer found a window too small for the SWS rule.
    pub(super) sws_override: bool,
    /// Until when a unit short of the TSO maximum may wait for ACKs.
    pub(super) defer_until: Option<Micros>,
    /// The peer sent a window scale option (perhaps of 0).
    pub(super) negotiated_ws: bool,
    pub(super) rto_at: Option<Micros>,
    pub(super) retries: u32,
    pub(super) delack_at: Option<Micros>,
    pub(super) persist_at: Option<Micros>,
    /// The tail loss probe's timer, and `snd_max` while its probe is out.
    pub(super) tlp_at: Option<Micros>,
    pub(super) tlp_high: Option<u32>,
    /// When the hole below SACKed data counts as lost.
    pub(super) reo_at: Option<Micros>,
    pub(super) time_wait_at: Option<Micros>,
    /// Full-size segments received since our last ACK.
    pub(super) unacked_segs: u32,
    pub(super) ack_now: bool,
    /// The SYN or SYN-ACK must go (again).
    pub(super) syn_due: bool,
    pub(super) rst_due: bool,

    pub(super) error: Option<ConnError>,
    /// The application called close: free the block once it is Closed.
    pub(super) released: bool,
    pub stats: ConnStats,
}

/// Options negotiated from the peer's SYN, as a listener or a cookie saw them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Negotiated {
    pub mss: u16,
    pub wscale: Option<u8>,
    pub sack: bool,
    /// The peer's TSval, when it offered timestamps.
    pub ts: Option<u32>,
    pub ecn: bool,
}

impl Negotiated {
    pub fn from_syn(o: &Options, flags: u16, cfg: &Config) -> Negotiated {
        use spec::tcp::{CWR, ECE};
        Negotiated {
            // RFC 9293 §3.7.1: 536 when the option is absent.
            mss: o.mss.unwrap_or(536),
            wscale: o.wscale.filter(|_| cfg.window_scaling).map(|w| w.min(14)),
            sack: o.sack_ok && cfg.sack,
            ts: o.ts.filter(|_| cfg.timestamps).map(|t| t.0),
            ecn: cfg.ecn && flags & (ECE | CWR) == (ECE | CWR),
        }
    }
}

impl Conn {
    pub(super) fn new(
        cfg: &Config,
        local: SocketAddr,
        remote: SocketAddr,
        peer_mac: [u8; 6],
        iss: u32,
        now: Micros,
    ) -> Conn {
        let mss = u32::from(cfg.mtu) - if local.is_ipv6() { 60 } else { 40 };
        Conn {
            state: State::Closed,
            local,
            remote,
            peer_mac,
            cfg: cfg.clone(),
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: 0,
            snd_wl2: 0,
            snd_shift: 0,
            rcv_shift: 0,
            mss,
            send: VecDeque::new(),
            fin_queued: false,
            fin_seq: None,
            irs: 0,
            rx: Reassembly::new(0, true),
            recv: VecDeque::new(),
            fin_received: false,
            rcv_adv: 0,
            ts_on: false,
            ts_recent: 0,
            // RFC 7323 §5.4: a per-connection offset hides the clock.
            ts_offset: iss.rotate_left(7),
            last_ack_sent: 0,
            sack_on: false,
            sacked: Vec::new(),
            high_rxt: iss,
            ecn_on: false,
            ece_pending: false,
            cwr_pending: false,
            ecn_recover: iss,
            rtt: Rtt::new(cfg.rtt),
            timed: None,
            cc: match cfg.cc {
                CcKind::NewReno => Box::new(NewReno::new(mss)),
                CcKind::Cubic => Box::new(Cubic::new(mss)),
            },
            dupacks: 0,
            recovery: None,
            loss_until: iss,
            inflate: 0,
            rexmit: Vec::new(),
            resent: Vec::new(),
            persist_shift: 0,
            probes_out: 0,
            sws_override: false,
            defer_until: None,
            negotiated_ws: false,
            rto_at: None,
            retries: 0,
            delack_at: None,
            persist_at: None,
            tlp_at: None,
            tlp_high: None,
            reo_at: None,
            time_wait_at: None,
            unacked_segs: 0,
            ack_now: false,
            syn_due: false,
            rst_due: false,
            error: None,
            released: false,
            stats: ConnStats::default(),
        }
        .started(now)
    }

    fn started(mut self, now: Micros) -> Conn {
        self.rto_at = Some(now + self.rtt.rto());
        self
    }

    /// An active open: SYN-SENT, the SYN goes out on the next poll.
    pub(super) fn connect(mut self) -> Conn {
        self.state = State::SynSent;
        self.syn_due = true;
        self.snd_nxt = self.iss.wrapping_add(1);
        self.snd_max = self.snd_nxt;
        self
    }

    /// A passive open from a SYN (or an ACK carrying a valid cookie:
    /// then `established`).
    pub(super) fn accept(mut self, irs: u32, n: &Negotiated, established: bool) -> Conn {
        self.irs = irs;
        self.rx = Reassembly::new(irs.wrapping_add(1), true);
        self.open_window();
        self.apply(n);
        self.snd_nxt = self.iss.wrapping_add(1);
        self.snd_max = self.snd_nxt;
        if established {
            self.snd_una = self.snd_nxt;
            self.state = State::Established;
            self.rto_at = None;
        } else {
            self.state = State::SynReceived;
            self.syn_due = true;
        }
        self
    }

    /// The window of our SYN or SYN-ACK, which is never scaled.
    pub(super) fn open_window(&mut self) {
        self.rcv_adv = self.rx.rcv_nxt().wrapping_add(self.cfg.rcv_buf.min(65_535));
    }

    /// What the peer's SYN (or SYN-ACK) settled.
    pub(super) fn apply(&mut self, n: &Negotiated) {
        let ours = u32::from(self.cfg.mtu) - if self.local.is_ipv6() { 60 } else { 40 };
        self.mss = ours.min(u32::from(n.mss).max(64));
        if let Some(w) = n.wscale {
            self.negotiated_ws = true;
            self.snd_shift = w;
            self.rcv_shift = self.cfg.wscale();
        }
        self.sack_on = n.sack;
        if let Some(tsval) = n.ts {
            self.ts_on = true;
            self.ts_recent = tsval;
            self.mss -= 12;
        }
        self.ecn_on = n.ecn;
    }

    pub fn state(&self) -> State {
        self.state
    }
    pub fn local(&self) -> SocketAddr {
        self.local
    }
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }
    pub fn error(&self) -> Option<ConnError> {
        self.error
    }
    pub fn rcv_nxt(&self) -> u32 {
        self.rx.rcv_nxt()
    }
    pub fn snd_una(&self) -> u32 {
        self.snd_una
    }
    /// TS.Recent, where the connection negotiated timestamps.
    pub fn ts_recent(&self) -> Option<u32> {
        self.ts_on.then_some(self.ts_recent)
    }
    pub fn mss(&self) -> u32 {
        self.mss
    }
    pub fn cwnd(&self) -> u32 {
        self.cc.cwnd()
    }

    /// Bytes the application can read now.
    pub fn readable(&self) -> usize {
        self.recv.len()
    }

    /// The peer finished sending and everything was read.
    pub fn at_eof(&self) -> bool {
        self.fin_received && self.recv.is_empty()
    }

    pub(super) fn read(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.recv.len());
        for (d, s) in buf.iter_mut().zip(self.recv.drain(..n)) {
            *d = s;
        }
        // Tell the peer when the window opened by a segment or half the
        // buffer (RFC 9293 §3.8.6.2.2), as Linux does after a read.
        if n > 0 && self.window_gain() >= self.window_step() {
            self.ack_now = true;
        }
        n
    }

    /// Room in the send buffer.
    pub fn writable(&self) -> usize {
        if self.fin_queued || self.error.is_some() {
            return 0;
        }
        (self.cfg.snd_buf as usize).saturating_sub(self.send.len())
    }

    pub(super) fn write(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.writable());
        self.send.extend(&data[..n]);
        n
    }

    pub(super) fn shutdown(&mut self) {
        self.fin_queued = true;
    }

    /// Closing with unread data resets, as Linux does (RFC 9293 §3.10.4
    /// leaves it open; RFC 2525 §2.17 asks for it).
    pub(super) fn close(&mut self) {
        self.released = true;
        if !self.recv.is_empty() && self.state.synchronized() {
            self.abort();
        } else if self.state == State::SynSent {
            self.state = State::Closed;
        } else {
            self.shutdown();
        }
    }

    pub(super) fn abort(&mut self) {
        if self.state.synchronized() || self.state == State::SynReceived {
            self.rst_due = true;
        }
        self.enter_closed(Some(ConnError::Aborted));
    }

    /// `why` is `None` for a clean end.
    pub(super) fn enter_closed(&mut self, why: Option<ConnError>) {
        if self.error.is_none() {
            self.error = why;
        }
        self.state = State::Closed;
        self.rto_at = None;
        self.delack_at = None;
        self.persist_at = None;
        self.time_wait_at = None;
        self.tlp_at = None;
        self.reo_at = None;
    }

    pub(super) fn enter_time_wait(&mut self, now: Micros) {
        self.state = State::TimeWait;
        self.rto_at = None;
        self.persist_at = None;
        self.tlp_at = None;
        self.reo_at = None;
        self.time_wait_at = Some(now + self.cfg.time_wait);
    }

    /// The space the application has not filled.
    pub(super) fn rcv_space(&self) -> u32 {
        let held = self.recv.len() as u64 + self.rx.queued();
        (u64::from(self.cfg.rcv_buf).saturating_sub(held)) as u32
    }

    /// How far the right edge could move beyond what was advertised.
    fn window_gain(&self) -> u32 {
        let edge = self.rx.rcv_nxt().wrapping_add(self.rcv_space());
        let gain = edge.wrapping_sub(self.rcv_adv) as i32;
        gain.max(0) as u32
    }

    fn window_step(&self) -> u32 {
        self.mss.min(self.cfg.rcv_buf / 2)
    }

    /// The window to advertise now, moving the right edge only by whole
    /// steps (receiver-side silly window avoidance) and never left.
    pub(super) fn advertise(&mut self) -> u32 {
        if self.window_gain() >= self.window_step() || self.rcv_adv == 0 {
            self.rcv_adv = self.rx.rcv_nxt().wrapping_add(self.rcv_space());
        }
        let w = self.rcv_adv.wrapping_sub(self.rx.rcv_nxt()) as i32;
        w.max(0) as u32
    }

    /// Bytes in flight (sent, not acked, not SACKed); after a timeout
    /// only what was sent again counts (`snd_nxt` went back).
    pub(super) fn flight(&self) -> u32 {
        let out = self.snd_nxt.wrapping_sub(self.snd_una);
        let below: u32 = self
            .sacked
            .iter()
            .filter(|(s, _)| seq_lt(*s, self.snd_nxt))
            .map(|(s, e)| {
                let e = if seq_lt(self.snd_nxt, *e) {
                    self.snd_nxt
                } else {
                    *e
                };
                e.wrapping_sub(*s)
            })
            .sum();
        out.saturating_sub(below)
    }

    /// `at`, or the end of the SACKed block that holds it (blocks are
    /// disjoint and never touch: `note_sack` merges them).
    pub(super) fn past_sacked(&self, at: u32) -> u32 {
        self.sacked
            .iter()
            .find(|&&(s, e)| seq_le(s, at) && seq_lt(at, e))
            .map_or(at, |&(_, e)| e)
    }

    /// The start of the first SACKed block beyond `at`.
    pub(super) fn next_sacked(&self, at: u32) -> Option<u32> {
        self.sacked.iter().map(|&(s, _)| s).find(|&s| seq_lt(at, s))
    }

    pub(super) fn sacked_bytes(&self) -> u32 {
        self.sacked.iter().map(|(s, e)| e.wrapping_sub(*s)).sum()
    }

    pub(super) fn tsval(&self, now: Micros) -> u32 {
        ((now / 1000) as u32).wrapping_add(self.ts_offset)
    }

    /// Nothing left to do: the stack may free it.
    pub(super) fn finished(&self) -> bool {
        self.state == State::Closed && !self.rst_due && self.released
    }
}
