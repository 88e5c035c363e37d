//! The stack: connections by 4-tuple, listeners with a SYN backlog that
//! falls back to SYN cookies, RSTs for closed ports, the stack-wide
//! challenge ACK limit, and the socket API. Nothing here blocks or reads
//! a clock: the caller passes `now` and sends what [`Stack::poll`] returns.

use super::config::Config;
use super::conn::{Conn, ConnError, ConnStats, Negotiated, State};
use super::conn_output::Outgoing;
use super::rtt::Micros;
use super::segment::{Header, Options, Received};
use super::syn_cookie::{SynCookies, ts_with_bits};
use spec::tcp::{ACK, RST, SYN};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::net::{IpAddr, SocketAddr};

pub type ConnId = usize;
pub type ListenerId = usize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SocketError {
    #[error("would block: try again after the next poll")]
    WouldBlock,
    #[error("address {0} is in use")]
    InUse(SocketAddr),
    #[error("{0} is not an address of this stack")]
    NotLocal(IpAddr),
    #[error("no such socket")]
    BadId,
    #[error("the connection is closed for writing")]
    Shutdown,
    #[error(transparent)]
    Conn(#[from] ConnError),
}

/// What the engine glue must hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Reached ESTABLISHED: install it.
    Established(ConnId),
    /// The peer is done sending, or the connection ended: remove it.
    ReceiveEnded(ConnId),
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct StackStats {
    pub segments_in: u64,
    /// Segments the stack checksummed itself (no engine verdict).
    pub software_checksums: u64,
    pub bad_checksum_drops: u64,
    pub no_socket_resets: u64,
    pub syn_cookies_sent: u64,
    pub syn_cookies_accepted: u64,
    pub syn_cookies_rejected: u64,
    pub listen_overflows: u64,
    pub challenge_acks: u64,
    pub challenge_acks_limited: u64,
    pub connections: u64,
    /// Summed over connections, live and gone.
    pub conn: ConnTotals,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct ConnTotals {
    pub retransmits: u64,
    pub fast_retransmits: u64,
    pub lost_retransmits: u64,
    pub tail_probes: u64,
    pub reorder_timeouts: u64,
    pub timeouts: u64,
    pub paws_drops: u64,
    pub out_of_window: u64,
    pub zero_window_probes: u64,
    pub ce_marks: u64,
    pub cwnd_reductions: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

impl ConnTotals {
    fn add(&mut self, s: &ConnStats) {
        self.retransmits += s.retransmits;
        self.fast_retransmits += s.fast_retransmits;
        self.lost_retransmits += s.lost_retransmits;
        self.tail_probes += s.tail_probes;
        self.reorder_timeouts += s.reorder_timeouts;
        self.timeouts += s.timeouts;
        self.paws_drops += s.paws_drops;
        self.out_of_window += s.out_of_window;
        self.zero_window_probes += s.zero_window_probes;
        self.ce_marks += s.ce_marks;
        self.cwnd_reductions += s.cwnd_reductions;
        self.bytes_in += s.bytes_in;
        self.bytes_out += s.bytes_out;
    }
}

struct Listener {
    addr: SocketAddr,
    backlog: usize,
    ready: VecDeque<ConnId>,
    half_open: usize,
}

pub struct Stack {
    cfg: Config,
    mac: [u8; 6],
    addrs: Vec<IpAddr>,
    conns: Vec<Option<Conn>>,
    /// Listener of an accepted, not yet established connection.
    parent: HashMap<ConnId, ListenerId>,
    by_tuple: HashMap<(SocketAddr, SocketAddr), ConnId>,
    listeners: Vec<Listener>,
    cookies: SynCookies,
    isn_key: RandomState,
    next_port: u16,
    /// (second, challenge ACKs sent in it).
    challenge: (u64, u32),
    replies: Vec<Outgoing>,
    events: Vec<Event>,
    gone: ConnTotals,
    pub stats: StackStats,
}

impl Stack {
    pub fn new(cfg: Config, mac: [u8; 6], addrs: Vec<IpAddr>) -> Stack {
        Stack {
            cfg,
            mac,
            addrs,
            conns: Vec::new(),
            parent: HashMap::new(),
            by_tuple: HashMap::new(),
            listeners: Vec::new(),
            cookies: SynCookies::default(),
            isn_key: RandomState::new(),
            next_port: 49_152,
            challenge: (0, 0),
            replies: Vec::new(),
            events: Vec::new(),
            gone: ConnTotals::default(),
            stats: StackStats::default(),
        }
    }

    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn listen(&mut self, addr: SocketAddr, backlog: usize) -> Result<ListenerId, SocketError> {
        if !addr.ip().is_unspecified() && !self.addrs.contains(&addr.ip()) {
            return Err(SocketError::NotLocal(addr.ip()));
        }
        if self.listeners.iter().any(|l| l.addr == addr) {
            return Err(SocketError::InUse(addr));
        }
        self.listeners.push(Listener {
            addr,
            backlog: backlog.max(1),
            ready: VecDeque::new(),
            half_open: 0,
        });
        Ok(self.listeners.len() - 1)
    }

    pub fn accept(&mut self, l: ListenerId) -> Result<ConnId, SocketError> {
        let l = self.listeners.get_mut(l).ok_or(SocketError::BadId)?;
        l.ready.pop_front().ok_or(SocketError::WouldBlock)
    }

    /// An active open from `local` (port 0: an ephemeral one) to `remote`,
    /// whose MAC is `peer_mac`.
    pub fn connect(
        &mut self,
        local: SocketAddr,
        remote: SocketAddr,
        peer_mac: [u8; 6],
        now: Micros,
    ) -> Result<ConnId, SocketError> {
        if !self.addrs.contains(&local.ip()) {
            return Err(SocketError::NotLocal(local.ip()));
        }
        let mut local = local;
        if local.port() == 0 {
            loop {
                self.next_port = self.next_port.checked_add(1).unwrap_or(49_152);
                local.set_port(self.next_port);
                if !self.by_tuple.contains_key(&(local, remote)) {
                    break;
                }
            }
        } else if self.by_tuple.contains_key(&(local, remote)) {
            return Err(SocketError::InUse(local));
        }
        let iss = self.isn(local, remote, now);
        let c = Conn::new(&self.cfg, local, remote, peer_mac, iss, now).connect();
        Ok(self.add(c))
    }

    /// The connection of a segment from `remote` to `local`.
    pub fn find(&self, local: SocketAddr, remote: SocketAddr) -> Option<ConnId> {
        self.by_tuple.get(&(local, remote)).copied()
    }

    pub fn conn(&self, id: ConnId) -> Option<&Conn> {
        self.conns.get(id).and_then(|c| c.as_ref())
    }

    fn conn_mut(&mut self, id: ConnId) -> Result<&mut Conn, SocketError> {
        self.conns
            .get_mut(id)
            .and_then(|c| c.as_mut())
            .ok_or(SocketError::BadId)
    }

    /// Reads into `buf`: `Ok(0)` is the end of the peer's data.
    pub fn read(&mut self, id: ConnId, buf: &mut [u8]) -> Result<usize, SocketError> {
        let c = self.conn_mut(id)?;
        if c.readable() > 0 {
            return Ok(c.read(buf));
        }
        if c.at_eof() {
            return Ok(0);
        }
        match c.error() {
            Some(e) => Err(e.into()),
            None => Err(SocketError::WouldBlock),
        }
    }

    pub fn write(&mut self, id: ConnId, data: &[u8]) -> Result<usize, SocketError> {
        let c = self.conn_mut(id)?;
        if let Some(e) = c.error() {
            return Err(e.into());
        }
        if c.fin_queued {
            return Err(SocketError::Shutdown);
        }
        match c.write(data) {
            0 if !data.is_empty() => Err(SocketError::WouldBlock),
            n => Ok(n),
        }
    }

    /// No more writes; the FIN follows the data.
    pub fn shutdown(&mut self, id: ConnId) -> Result<(), SocketError> {
        self.conn_mut(id)?.shutdown();
        Ok(())
    }

    /// Gives the connection up; it lingers until closed on the wire.
    pub fn close(&mut self, id: ConnId) -> Result<(), SocketError> {
        self.conn_mut(id)?.close();
        Ok(())
    }

    pub fn abort(&mut self, id: ConnId) -> Result<(), SocketError> {
        let c = self.conn_mut(id)?;
        c.abort();
        c.released = true;
        Ok(())
    }

    /// Live connections.
    pub fn connections(&self) -> impl Iterator<Item = (ConnId, &Conn)> {
        self.conns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    pub fn totals(&self) -> ConnTotals {
        let mut t = self.gone;
        for (_, c) in self.connections() {
            t.add(&c.stats);
        }
        t
    }

    /// RFC 6528: ISN = M + F(4-tuple, secret), M a 4 µs clock.
    fn isn(&self, local: SocketAddr, remote: SocketAddr, now: Micros) -> u32 {
        let mut h = self.isn_key.build_hasher();
        h.write(format!("{local}{remote}").as_bytes());
        (h.finish() as u32).wrapping_add((now / 4) as u32)
    }

    fn add(&mut self, c: Conn) -> ConnId {
        let key = (c.local(), c.remote());
        let id = match self.conns.iter().position(|c| c.is_none()) {
            Some(i) => {
                self.conns[i] = Some(c);
                i
            }
            None => {
                self.conns.push(Some(c));
                self.conns.len() - 1
            }
        };
        self.by_tuple.insert(key, id);
        self.stats.connections += 1;
        id
    }

    /// A segment for this stack. `verified` says the engine checked its
    /// checksums (and passed it); otherwise the stack checks them itself.
    pub fn input(&mut self, seg: &Received<'_>, verified: bool, now: Micros) {
        self.stats.segments_in += 1;
        if !verified {
            self.stats.software_checksums += 1;
            if !seg.checksum_ok {
                self.stats.bad_checksum_drops += 1;
                return;
            }
        }
        if let Some(&id) = self.by_tuple.get(&(seg.dst, seg.src)) {
            self.deliver(id, seg, now);
            return;
        }
        let h = &seg.h;
        let l = self.listeners.iter().position(|l| {
            l.addr.port() == seg.dst.port()
                && (l.addr.ip() == seg.dst.ip() || l.addr.ip().is_unspecified())
                && self.addrs.contains(&seg.dst.ip())
        });
        match l {
            Some(l) if h.flags & (SYN | ACK | RST) == SYN => self.syn(l, seg, now),
            Some(l) if h.flags & (SYN | ACK | RST) == ACK => {
                if !self.cookie_ack(l, seg, now) {
                    self.reset_for(seg);
                }
            }
            _ => self.reset_for(seg),
        }
    }

    fn deliver(&mut self, id: ConnId, seg: &Received<'_>, now: Micros) {
        let limit = self.cfg.challenge_ack_limit;
        let c = self.conns[id].as_mut().expect("indexed");
        let was = c.state();
        let r = c.input(&seg.h, seg.payload, seg.ce, now);
        if r.challenge {
            let second = now / 1_000_000;
            if self.challenge.0 != second {
                self.challenge = (second, 0);
            }
            if self.challenge.1 < limit {
                self.challenge.1 += 1;
                self.stats.challenge_acks += 1;
                c.stats.challenge_acks += 1;
                c.ack_now = true;
            } else {
                self.stats.challenge_acks_limited += 1;
            }
        }
        let now_state = c.state();
        if let Some((seq, ack, with_ack)) = r.reset {
            self.reset(seg, seq, ack, with_ack);
        }
        self.transitions(id, was, now_state);
    }

    fn transitions(&mut self, id: ConnId, was: State, now_state: State) {
        if was == now_state {
            return;
        }
        let receiving =
            |s: State| matches!(s, State::Established | State::FinWait1 | State::FinWait2);
        if !receiving(was) && receiving(now_state) {
            self.events.push(Event::Established(id));
            if let Some(l) = self.parent.remove(&id) {
                let li = &mut self.listeners[l];
                li.half_open = li.half_open.saturating_sub(1);
                if li.ready.len() < li.backlog {
                    li.ready.push_back(id);
                } else {
                    // Linux drops the ACK and lets the SYN-ACK retry; a
                    // reset is the other answer RFC 9293 allows.
                    self.stats.listen_overflows += 1;
                    if let Some(c) = self.conns[id].as_mut() {
                        c.abort();
                        c.released = true;
                    }
                }
            }
        } else if receiving(was) && !receiving(now_state) {
            self.events.push(Event::ReceiveEnded(id));
        }
        if now_state == State::Closed
            && let Some(l) = self.parent.remove(&id)
        {
            let li = &mut self.listeners[l];
            li.half_open = li.half_open.saturating_sub(1);
            if let Some(c) = self.conns[id].as_mut() {
                c.released = true;
            }
        }
    }

    fn syn(&mut self, l: ListenerId, seg: &Received<'_>, now: Micros) {
        let n = Negotiated::from_syn(&seg.h.opts, seg.h.flags, &self.cfg);
        let li = &self.listeners[l];
        if li.half_open >= self.cfg.syn_backlog || li.ready.len() >= li.backlog {
            self.cookie_synack(seg, &n, now);
            return;
        }
        let iss = self.isn(seg.dst, seg.src, now);
        let c = Conn::new(&self.cfg, seg.dst, seg.src, seg.src_mac, iss, now)
            .accept(seg.h.seq, &n, false);
        let mut c = c;
        c.snd_wnd = u32::from(seg.h.window);
        c.max_snd_wnd = c.snd_wnd;
        c.snd_wl1 = seg.h.seq;
        let id = self.add(c);
        self.parent.insert(id, l);
        self.listeners[l].half_open += 1;
    }

    /// A SYN-ACK that keeps no state (RFC 4987 §3.6).
    fn cookie_synack(&mut self, seg: &Received<'_>, n: &Negotiated, now: Micros) {
        let (isn, bits) = self.cookies.make(seg.dst, seg.src, seg.h.seq, n, now);
        self.stats.syn_cookies_sent += 1;
        // Build it as the connection would, then fold the options in.
        let mut c = Conn::new(&self.cfg, seg.dst, seg.src, seg.src_mac, isn, now)
            .accept(seg.h.seq, n, false);
        let mut out = Vec::new();
        c.poll(now, &mut out);
        for mut o in out {
            if let Some((v, e)) = o.h.opts.ts {
                o.h.opts.ts = Some((ts_with_bits(v, bits), e));
            }
            self.replies.push(o);
        }
    }

    fn cookie_ack(&mut self, l: ListenerId, seg: &Received<'_>, now: Micros) -> bool {
        let h = &seg.h;
        let tsecr = h.opts.ts.map(|t| t.1);
        let Some(mut n) = self
            .cookies
            .check(seg.dst, seg.src, h.seq, h.ack, tsecr, now)
        else {
            self.stats.syn_cookies_rejected += 1;
            return false;
        };
        if let Some((v, _)) = h.opts.ts
            && n.ts.is_some()
        {
            n.ts = Some(v);
        }
        if self.listeners[l].ready.len() >= self.listeners[l].backlog {
            self.stats.listen_overflows += 1;
            return true;
        }
        self.stats.syn_cookies_accepted += 1;
        let isn = h.ack.wrapping_sub(1);
        let mut c = Conn::new(&self.cfg, seg.dst, seg.src, seg.src_mac, isn, now).accept(
            h.seq.wrapping_sub(1),
            &n,
            true,
        );
        c.snd_wnd = u32::from(h.window) << c.snd_shift;
        c.max_snd_wnd = c.snd_wnd;
        c.snd_wl1 = h.seq;
        c.snd_wl2 = h.ack;
        let id = self.add(c);
        let c = self.conns[id].as_mut().expect("added");
        // The ACK may carry data already.
        c.input(h, seg.payload, seg.ce, now);
        self.listeners[l].ready.push_back(id);
        self.events.push(Event::Established(id));
        true
    }

    /// RFC 9293 §3.10.7.1: the reply to a segment for no connection.
    fn reset_for(&mut self, seg: &Received<'_>) {
        let h = &seg.h;
        if h.flags & RST != 0 {
            return;
        }
        self.stats.no_socket_resets += 1;
        if h.flags & ACK != 0 {
            self.reset(seg, h.ack, 0, false);
        } else {
            let mut len = seg.payload.len() as u32;
            if h.flags & SYN != 0 {
                len += 1;
            }
            if h.flags & spec::tcp::FIN != 0 {
                len += 1;
            }
            self.reset(seg, 0, h.seq.wrapping_add(len), true);
        }
    }

    fn reset(&mut self, seg: &Received<'_>, seq: u32, ack: u32, with_ack: bool) {
        self.replies.push(Outgoing {
            local: seg.dst,
            remote: seg.src,
            peer_mac: seg.src_mac,
            h: Header {
                seq,
                ack,
                flags: RST | if with_ack { ACK } else { 0 },
                window: 0,
                opts: Options::default(),
            },
            payload: Vec::new(),
            mss: 0,
            ect: false,
            retransmit: false,
        });
    }

    /// Runs the timers and returns every segment due now.
    pub fn poll(&mut self, now: Micros) -> Vec<Outgoing> {
        let mut out = std::mem::take(&mut self.replies);
        for id in 0..self.conns.len() {
            self.poll_one(id, now, &mut out);
        }
        out
    }

    /// What is due now from one connection, and the stack's own replies:
    /// the answer a segment's arrival makes urgent (an ACK for data out of
    /// order, data its ACK let out), without walking every connection.
    pub fn poll_conn(&mut self, id: ConnId, now: Micros) -> Vec<Outgoing> {
        let mut out = std::mem::take(&mut self.replies);
        self.poll_one(id, now, &mut out);
        out
    }

    fn poll_one(&mut self, id: ConnId, now: Micros, out: &mut Vec<Outgoing>) {
        let Some(c) = self.conns.get_mut(id).and_then(Option::as_mut) else {
            return;
        };
        let was = c.state();
        c.poll(now, out);
        let now_state = c.state();
        self.transitions(id, was, now_state);
        let c = self.conns[id].as_ref().expect("still here");
        if c.finished() {
            let c = self.conns[id].take().expect("still here");
            self.gone.add(&c.stats);
            self.by_tuple.remove(&(c.local(), c.remote()));
        }
    }

    /// When `poll` next has work, if no segment arrives before.
    pub fn deadline(&self) -> Option<Micros> {
        self.connections().filter_map(|(_, c)| c.deadline()).min()
    }
}
