//! Runs `toe tap` from the library with a shell command in the namespace.

use host::tcp::Config;
use rand::rngs::SmallRng;
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use toe::options::Backend;
use toe::tap::apps::Service;
use toe::tap::summary::Summary;
use toe::tap::{FaultRates, Mode, TapOptions};

pub struct Run {
    pub summary: Summary,
    pub code: i32,
    pub dir: PathBuf,
}

pub fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("toe-tap-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("www")).unwrap();
    d
}

pub fn random_file(path: &Path, len: usize, seed: u64) {
    let mut data = vec![0u8; len];
    SmallRng::seed_from_u64(seed).fill_bytes(&mut data);
    std::fs::write(path, data).unwrap();
}

pub fn sha(path: &Path) -> String {
    let d = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(d)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub struct Spec<'a> {
    pub backend: Backend,
    pub v6: bool,
    pub faults: FaultRates,
    pub max_offloaded: usize,
    pub place: bool,
    pub mode: Option<Mode>,
    pub pcap: bool,
    pub cmd: &'a str,
}

impl Default for Spec<'_> {
    fn default() -> Self {
        Spec {
            backend: Backend::Model,
            v6: false,
            faults: FaultRates::default(),
            max_offloaded: 1024,
            place: true,
            mode: None,
            pcap: false,
            cmd: "true",
        }
    }
}

/// Serves `dir/www` over HTTP (unless `spec.mode` says otherwise) and
/// runs `spec.cmd` with bash in the namespace, with $D set to `dir`.
pub fn tap(dir: &Path, spec: Spec) -> Run {
    let mode = spec
        .mode
        .unwrap_or_else(|| Mode::Serve(Service::Http(dir.join("www")), 80));
    let o = TapOptions {
        backend: spec.backend,
        v6: spec.v6,
        faults: spec.faults,
        seed: 7,
        max_offloaded: spec.max_offloaded,
        offloads: host::tcp::frames::Offloads {
            checksum: true,
            tso: true,
        },
        place: spec.place,
        pcap: spec.pcap.then(|| dir.join("wire.pcap")),
        mode,
        command: vec![
            "env".into(),
            format!("D={}", dir.display()),
            "bash".into(),
            "-euc".into(),
            spec.cmd.into(),
        ],
        stack: Config {
            ecn: true,
            ..Config::default()
        },
        command_stdout_to_stderr: false,
    };
    let (summary, code) = toe::tap::run(&o, Arc::new(AtomicBool::new(false))).unwrap();
    Run {
        summary,
        code,
        dir: dir.to_path_buf(),
    }
}

/// The namespace's TCP counters, as the command saved them with
/// [`SAVE_COUNTERS`]: "TcpExt.TCPSackRecovery" and so on.
pub fn counters(dir: &Path) -> HashMap<String, i64> {
    let text = std::fs::read_to_string(dir.join("counters.txt")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut m = HashMap::new();
    for pair in lines.chunks(2) {
        let [names, values] = pair else { continue };
        let mut n = names.split_whitespace();
        let mut v = values.split_whitespace();
        let prefix = n.next().unwrap_or("").trim_end_matches(':').to_string();
        v.next();
        for (k, x) in n.zip(v) {
            m.insert(format!("{prefix}.{k}"), x.parse().unwrap_or(0));
        }
    }
    m
}

/// Appended to a command: saves the namespace's counters for [`counters`].
pub const SAVE_COUNTERS: &str = "cat /proc/net/netstat /proc/net/snmp > $D/counters.txt";

/// A TCP frame of the run's pcap.
pub struct WireTcp {
    pub ts_ns: u64,
    pub from_stack: bool,
    pub tcp: etherparse::TcpHeader,
    pub payload: usize,
    /// The IP ECN codepoint.
    pub ecn: u8,
}

pub fn wire(dir: &Path) -> Vec<WireTcp> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let r = capture::Reader::open(&dir.join("wire.pcap")).unwrap();
    let mut out = Vec::new();
    for rec in r {
        let capture::Record::Frame(f) = rec.unwrap() else {
            continue;
        };
        let Ok(p) = SlicedPacket::from_ethernet(&f.data) else {
            continue;
        };
        let ecn = match &p.net {
            Some(NetSlice::Ipv4(ip)) => ip.header().ecn().value(),
            Some(NetSlice::Ipv6(ip)) => ip.header().traffic_class() & 3,
            None => continue,
        };
        let Some(TransportSlice::Tcp(t)) = p.transport else {
            continue;
        };
        out.push(WireTcp {
            ts_ns: f.ts_ns,
            from_stack: f.data[6..12] == toe::tap::netns::STACK_MAC,
            tcp: t.to_header(),
            payload: t.payload().len(),
            ecn,
        });
    }
    out
}
