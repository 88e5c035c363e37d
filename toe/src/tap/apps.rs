//! What runs on the stack in `toe tap`: servers (echo, discard, HTTP) and
//! the client, over the stack's non-blocking socket API.

use super::http::HttpSession;
use anyhow::Result;
use host::tcp::{ConnError, ConnId, ListenerId, Micros, SocketError, Stack};
use std::net::SocketAddr;

/// Bytes moved by the applications: what they read and wrote.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct AppBytes {
    pub read: u64,
    pub written: u64,
    pub sessions: u64,
    pub resets: u64,
}

pub trait App {
    fn poll(&mut self, s: &mut Stack, now: Micros) -> Result<()>;
    /// Closes every session (the command ended).
    fn close_all(&mut self, s: &mut Stack);
    /// The client finished (servers never do).
    fn done(&self) -> Option<Result<()>> {
        None
    }
    fn bytes(&self) -> AppBytes;
}

/// What a session does with the bytes it reads.
pub enum Service {
    Echo,
    Discard,
    Http(std::path::PathBuf),
}

struct Session {
    id: ConnId,
    out: Vec<u8>,
    sent: usize,
    eof: bool,
    http: Option<HttpSession>,
}

pub struct Server {
    listener: ListenerId,
    service: Service,
    sessions: Vec<Session>,
    bytes: AppBytes,
}

impl Server {
    pub fn new(listener: ListenerId, service: Service) -> Server {
        Server {
            listener,
            service,
            sessions: Vec::new(),
            bytes: AppBytes::default(),
        }
    }
}

/// Reads what is there; `Ok(true)` at the end of the peer's data.
fn drain(
    s: &mut Stack,
    id: ConnId,
    into: &mut Vec<u8>,
    bytes: &mut AppBytes,
) -> Result<bool, SocketError> {
    let mut buf = [0u8; 65536];
    loop {
        match s.read(id, &mut buf) {
            Ok(0) => return Ok(true),
            Ok(n) => {
                bytes.read += n as u64;
                into.extend_from_slice(&buf[..n]);
            }
            Err(SocketError::WouldBlock) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}

/// Writes what the stack takes; true when all of `out` is gone.
fn flush(
    s: &mut Stack,
    id: ConnId,
    out: &[u8],
    sent: &mut usize,
    bytes: &mut AppBytes,
) -> Result<bool, SocketError> {
    while *sent < out.len() {
        match s.write(id, &out[*sent..]) {
            Ok(n) => {
                *sent += n;
                bytes.written += n as u64;
            }
            Err(SocketError::WouldBlock) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

impl App for Server {
    fn poll(&mut self, s: &mut Stack, _now: Micros) -> Result<()> {
        while let Ok(id) = s.accept(self.listener) {
            self.bytes.sessions += 1;
            let http = match &self.service {
                Service::Http(dir) => Some(HttpSession::new(dir.clone())),
                _ => None,
            };
            self.sessions.push(Session {
                id,
                out: Vec::new(),
                sent: 0,
                eof: false,
                http,
            });
        }
        let bytes = &mut self.bytes;
        self.sessions.retain_mut(|x| {
            let mut input = Vec::new();
            let step = (|| -> Result<bool, SocketError> {
                if !x.eof {
                    x.eof = drain(s, x.id, &mut input, bytes)?;
                }
                match (&self.service, x.http.as_mut()) {
                    (Service::Echo, _) => x.out.extend_from_slice(&input),
                    (_, Some(h)) => h.feed(&input, &mut x.out),
                    _ => {}
                }
                if x.sent == x.out.len() && x.sent > 0 {
                    x.out.clear();
                    x.sent = 0;
                }
                let flushed = flush(s, x.id, &x.out, &mut x.sent, bytes)?;
                let wants_close = x.http.as_ref().is_some_and(|h| h.close_after());
                Ok(flushed && (x.eof || wants_close))
            })();
            match step {
                Ok(true) => {
                    let _ = s.close(x.id);
                    false
                }
                Ok(false) => true,
                Err(_) => {
                    bytes.resets += 1;
                    let _ = s.close(x.id);
                    false
                }
            }
        });
        Ok(())
    }

    fn close_all(&mut self, s: &mut Stack) {
        for x in self.sessions.drain(..) {
            let _ = s.close(x.id);
        }
    }

    fn bytes(&self) -> AppBytes {
        self.bytes
    }
}

/// The client mode: connect, send a file, read until the peer closes.
pub struct Client {
    id: ConnId,
    ends: (SocketAddr, SocketAddr, [u8; 6]),
    /// Connects refused so far (the listener may not be up yet).
    refused: u32,
    retry_at: Option<Micros>,
    send: Vec<u8>,
    sent: usize,
    shut: bool,
    got: Vec<u8>,
    out: Option<std::path::PathBuf>,
    result: Option<Result<(), String>>,
    bytes: AppBytes,
}

impl Client {
    /// Connects from `local` to `remote` (a listener behind `mac`).
    pub fn connect(
        s: &mut Stack,
        local: SocketAddr,
        remote: SocketAddr,
        mac: [u8; 6],
        send: Vec<u8>,
        out: Option<std::path::PathBuf>,
        now: Micros,
    ) -> Result<Client, SocketError> {
        let id = s.connect(local, remote, mac, now)?;
        Ok(Client {
            id,
            ends: (local, remote, mac),
            refused: 0,
            retry_at: None,
            send,
            sent: 0,
            shut: false,
            got: Vec::new(),
            out,
            result: None,
            bytes: AppBytes {
                sessions: 1,
                ..AppBytes::default()
            },
        })
    }
}

/// Tries while the listener is not up: 50 times, 100 ms apart.
const RETRIES: u32 = 50;
const RETRY_GAP: Micros = 100_000;

impl App for Client {
    fn poll(&mut self, s: &mut Stack, now: Micros) -> Result<()> {
        if self.result.is_some() {
            return Ok(());
        }
        if let Some(at) = self.retry_at {
            if now < at {
                return Ok(());
            }
            self.retry_at = None;
            let (local, remote, mac) = self.ends;
            self.id = s.connect(local, remote, mac, now)?;
        }
        let step = (|| -> Result<bool, SocketError> {
            flush(s, self.id, &self.send, &mut self.sent, &mut self.bytes)?;
            if self.sent == self.send.len() && !self.shut {
                s.shutdown(self.id)?;
                self.shut = true;
            }
            drain(s, self.id, &mut self.got, &mut self.bytes)
        })();
        match step {
            Ok(false) => {}
            Ok(true) => {
                let _ = s.close(self.id);
                let saved = match &self.out {
                    Some(p) => std::fs::write(p, &self.got)
                        .map_err(|e| format!("writing {}: {e}", p.display())),
                    None => Ok(()),
                };
                self.result = Some(saved);
            }
            // Refused is an answer to the SYN: nothing was delivered yet.
            Err(SocketError::Conn(ConnError::Refused)) if self.refused < RETRIES => {
                self.refused += 1;
                self.bytes.written -= self.sent as u64;
                (self.sent, self.shut) = (0, false);
                let _ = s.close(self.id);
                self.retry_at = Some(now + RETRY_GAP);
            }
            Err(e) => {
                self.bytes.resets += 1;
                self.result = Some(Err(format!("the connection failed: {e}")));
            }
        }
        Ok(())
    }

    fn close_all(&mut self, s: &mut Stack) {
        let _ = s.close(self.id);
    }

    fn done(&self) -> Option<Result<()>> {
        self.result
            .as_ref()
            .map(|r| r.clone().map_err(|e| anyhow::anyhow!(e)))
    }

    fn bytes(&self) -> AppBytes {
        self.bytes
    }
}
