//! `toe tap`: the host TCP stack on the simulated engine, its wire side
//! on a TAP device in a network namespace where the Linux kernel is the
//! peer. Real time drives the stack's clock; the engine runs as many
//! cycles as each step needs.

pub mod apps;
mod faults;
mod http;
pub mod netns;
pub mod summary;
mod tap_dev;

pub use faults::FaultRates;

use crate::backend;
use crate::options::{Backend, Options};
use anyhow::{Context, Result};
use apps::{App, Client, Server, Service};
use faults::Faults;
use host::tcp::engine_link::{EngineLink, LinkConfig};
use host::tcp::frames::Offloads;
use host::tcp::{Config, Stack};
use netns::{Namespace, PEER_MAC, STACK_MAC};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use summary::Summary;

pub enum Mode {
    Serve(Service, u16),
    /// Connect to PORT on the peer (or on `to`, a host the namespace
    /// reaches), send the file, save what comes back.
    Connect {
        port: u16,
        to: Option<IpAddr>,
        send: Option<PathBuf>,
        out: Option<PathBuf>,
    },
}

pub struct TapOptions {
    pub backend: Backend,
    pub v6: bool,
    pub faults: FaultRates,
    pub seed: u64,
    pub max_offloaded: usize,
    pub offloads: Offloads,
    /// Receive rings and coalesced completions where the engine places.
    pub place: bool,
    pub pcap: Option<PathBuf>,
    pub mode: Mode,
    pub command: Vec<String>,
    pub stack: Config,
    /// The command's stdout goes to stderr (stdout carries JSON).
    pub command_stdout_to_stderr: bool,
}

/// How long connections get to close after the command ends.
const LINGER: Duration = Duration::from_secs(3);

/// Runs until the command ends (or Ctrl-C without one); returns the
/// summary and the command's exit code.
pub fn run(o: &TapOptions, stop: Arc<AtomicBool>) -> Result<(Summary, i32)> {
    let mut ns = Namespace::create()?;
    let mut opts = Options::new(8, o.backend);
    opts.table_entries = spec::conn_table::DEFAULT_ENTRIES;
    let nic = backend::engine(&opts, spec::tso::FRAME_MAX, backend::config(&opts, 9728))?;
    let mut link = EngineLink::new(
        nic,
        LinkConfig {
            offloads: o.offloads,
            max_offloaded: o.max_offloaded,
            place: o.place,
        },
    )?;
    let local = Namespace::stack_addr(o.v6);
    let peer = Namespace::peer_addr(o.v6);
    let mut stack = Stack::new(o.stack.clone(), STACK_MAC, vec![local]);
    let start = Instant::now();
    let now = || start.elapsed().as_micros() as u64;
    let mut app: Box<dyn App> = match &o.mode {
        Mode::Serve(service, port) => {
            let l = stack.listen(SocketAddr::new(local, *port), 1024)?;
            Box::new(Server::new(l, clone_service(service)))
        }
        Mode::Connect {
            port,
            to,
            send,
            out,
        } => {
            let data = match send {
                Some(p) => std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
                None => Vec::new(),
            };
            Box::new(Client::connect(
                &mut stack,
                SocketAddr::new(local, 0),
                SocketAddr::new(to.unwrap_or(peer), *port),
                PEER_MAC,
                data,
                out.clone(),
                now(),
            )?)
        }
    };
    let mut pcap = match &o.pcap {
        Some(p) => Some(
            capture::PcapWriter::create(p).with_context(|| format!("creating {}", p.display()))?,
        ),
        None => None,
    };
    let mut child = if o.command.is_empty() {
        None
    } else {
        let port = match &o.mode {
            Mode::Serve(_, p) | Mode::Connect { port: p, .. } => *p,
        };
        let host = if o.v6 {
            format!("[{local}]")
        } else {
            local.to_string()
        };
        let mut c = ns.command(&o.command);
        if o.command_stdout_to_stderr {
            c.stdout(std::process::Stdio::from(std::io::stderr()));
        }
        let c = c
            .env("TOE_ADDR", local.to_string())
            .env("TOE_HOST", host)
            .env("TOE_PEER", peer.to_string())
            .env("TOE_PORT", port.to_string())
            .env("TOE_DEV", &ns.tap.name)
            .spawn()
            .with_context(|| format!("running {}", o.command.join(" ")))?;
        Some(c)
    };
    let mut inbound = Faults::new(o.faults, o.seed);
    let mut outbound = Faults::new(o.faults, o.seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut status: Option<i32> = None;
    let mut ended: Option<Instant> = None;
    let mut buf = vec![0u8; 65536];
    let wire_time = |pcap: &mut Option<capture::PcapWriter<std::io::BufWriter<std::fs::File>>>,
                     f: &[u8]|
     -> Result<()> {
        if let Some(w) = pcap {
            let ts = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos() as u64;
            w.write(ts, f, f.len() as u32)?;
        }
        Ok(())
    };
    loop {
        let t = now();
        while let Some(n) = ns.tap.recv(&mut buf)? {
            inbound.push(buf[..n].to_vec(), t);
        }
        for f in inbound.due(t) {
            wire_time(&mut pcap, &f)?;
            link.wire_in(f);
        }
        app.poll(&mut stack, t)?;
        for f in link.step(&mut stack, t)? {
            outbound.push(f, t);
        }
        app.poll(&mut stack, t)?;
        for f in outbound.due(t) {
            wire_time(&mut pcap, &f)?;
            ns.tap.send(&f)?;
        }
        if status.is_none()
            && let Some(c) = child.as_mut()
            && let Some(s) = c.try_wait()?
        {
            status = Some(s.code().unwrap_or(128 + 1));
        }
        let client_done = app.done().is_some();
        if ended.is_none() && (status.is_some() || client_done || stop.load(Ordering::Relaxed)) {
            app.close_all(&mut stack);
            ended = Some(Instant::now());
        }
        if let Some(e) = ended {
            let quiet = stack.connections().all(|(_, c)| {
                matches!(
                    c.state(),
                    host::tcp::State::TimeWait | host::tcp::State::Closed
                )
            });
            let waiting_child = child.is_some() && status.is_none();
            if (quiet || e.elapsed() > LINGER) && !waiting_child {
                break;
            }
            if waiting_child && e.elapsed() > LINGER {
                // The client finished; give the command the same time.
                if let Some(c) = child.as_mut() {
                    let _ = c.kill();
                }
            }
        }
        let next = [stack.deadline(), inbound.next_due(), outbound.next_due()]
            .into_iter()
            .flatten()
            .min()
            .map_or(1000, |d| d.saturating_sub(now()).min(1000));
        if next > 0 {
            ns.tap.wait(next);
        }
    }
    if let Some(w) = pcap {
        w.finish()?;
    }
    if let Some(r) = app.done() {
        r.context("the client")?;
    } else if matches!(o.mode, Mode::Connect { .. }) {
        anyhow::bail!("the client's connection did not finish before the end");
    }
    let code = status.unwrap_or(0);
    let mut s = summary::collect(
        &stack,
        &link,
        app.bytes(),
        inbound.counts,
        outbound.counts,
        start.elapsed(),
    );
    s.engine = link.nic.device().name();
    s.engine_counters = link
        .nic
        .counters()?
        .into_iter()
        .map(|(c, v)| (format!("{c:?}"), v))
        .collect();
    s.engine_counters.extend(
        link.nic
            .place_counters()?
            .into_iter()
            .map(|(n, v)| (n.to_string(), v)),
    );
    Ok((s, code))
}

fn clone_service(s: &Service) -> Service {
    match s {
        Service::Echo => Service::Echo,
        Service::Discard => Service::Discard,
        Service::Http(d) => Service::Http(d.clone()),
    }
}

/// Stops the run on Ctrl-C (and SIGTERM) so the namespace is removed.
pub fn stop_flag() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    ctrlc::set_handler(move || f.store(true, Ordering::Relaxed))
        .context("installing the Ctrl-C handler")?;
    Ok(flag)
}

/// `Duration` as a duration with 3 decimals, for people.
pub fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}
