//! What a user tunes, with Linux's defaults where Linux has one.

use super::rtt::{Micros, RttConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CcKind {
    NewReno,
    Cubic,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// MSS we announce: the MTU less 40 (IPv4) or 60 (IPv6) bytes.
    pub mtu: u16,
    pub rcv_buf: u32,
    pub snd_buf: u32,
    pub window_scaling: bool,
    pub timestamps: bool,
    pub sack: bool,
    pub ecn: bool,
    pub rtt: RttConfig,
    /// TIME-WAIT lasts this long (2·MSL; Linux: 60 s).
    pub time_wait: Micros,
    /// Delayed ACK timeout (Linux: 40 ms minimum).
    pub delayed_ack: Micros,
    /// Largest segment handed to the engine for TSO, headers included.
    pub tso_max: u32,
    /// SYN (and SYN-ACK) retransmissions before giving up (Linux: 6 and 5).
    pub syn_retries: u32,
    /// Data retransmissions before the connection is reset (Linux: 15).
    pub retries: u32,
    /// Challenge ACKs per second, stack-wide (RFC 5961 §7; Linux 1000).
    pub challenge_ack_limit: u32,
    /// Half-open connections per listener before SYN cookies (Linux's
    /// tcp_max_syn_backlog caps it similarly).
    pub syn_backlog: usize,
    pub cc: CcKind,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            mtu: 1500,
            rcv_buf: 4 << 20,
            snd_buf: 4 << 20,
            window_scaling: true,
            timestamps: true,
            sack: true,
            ecn: false,
            rtt: RttConfig::default(),
            time_wait: 60_000_000,
            delayed_ack: 40_000,
            tso_max: 65_535,
            syn_retries: 6,
            retries: 15,
            challenge_ack_limit: 1000,
            syn_backlog: 256,
            cc: CcKind::Cubic,
        }
    }
}

impl Config {
    /// The shift that lets `rcv_buf` be advertised (RFC 7323 §2.3, at most 14).
    pub fn wscale(&self) -> u8 {
        let mut s = 0;
        while s < 14 && (self.rcv_buf >> s) > 65_535 {
            s += 1;
        }
        s
    }
}
