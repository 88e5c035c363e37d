//! The network namespace `toe tap` makes for the kernel peer: the TAP
//! device moved into it, addresses that exist only there, a static
//! neighbour entry for the stack. Removed on drop (exit, error, Ctrl-C).

use super::tap_dev::Tap;
use anyhow::{Context, Result, bail};
use std::net::IpAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const PEER_V4: &str = "10.77.0.1";
pub const STACK_V4: &str = "10.77.0.2";
pub const PEER_V6: &str = "fd77::1";
pub const STACK_V6: &str = "fd77::2";
pub const STACK_MAC: [u8; 6] = [0x02, 0x70, 0x74, 0x6f, 0x65, 0x02];
pub const PEER_MAC: [u8; 6] = [0x02, 0x70, 0x74, 0x6f, 0x65, 0x01];

pub struct Namespace {
    pub name: String,
    pub tap: Tap,
}

fn mac_text(m: [u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn ip(args: &[&str]) -> Result<()> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("running `ip` (install iproute2)")?;
    if !out.status.success() {
        bail!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

impl Namespace {
    pub fn create() -> Result<Namespace> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            bail!(
                "toe tap makes a network namespace and a TAP device: run it as root (or with CAP_NET_ADMIN and CAP_SYS_ADMIN)"
            );
        }
        // Unique per run, also for several runs in one process (tests).
        static RUNS: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        );
        let name = format!("toe-{id}");
        let tap = Tap::create(&format!("toe{id}"))?;
        ip(&["netns", "add", &name])
            .context("network namespaces are needed for the kernel peer")?;
        let ns = Namespace { name, tap };
        ns.configure()?;
        Ok(ns)
    }

    fn configure(&self) -> Result<()> {
        let (n, dev) = (self.name.as_str(), self.tap.name.as_str());
        ip(&[
            "link",
            "set",
            dev,
            "address",
            &mac_text(PEER_MAC),
            "netns",
            n,
        ])?;
        ip(&["-n", n, "link", "set", "lo", "up"])?;
        ip(&["-n", n, "addr", "add", &format!("{PEER_V4}/24"), "dev", dev])?;
        ip(&[
            "-n",
            n,
            "addr",
            "add",
            &format!("{PEER_V6}/64"),
            "dev",
            dev,
            "nodad",
        ])?;
        ip(&["-n", n, "link", "set", dev, "up"])?;
        let stack = mac_text(STACK_MAC);
        for a in [STACK_V4, STACK_V6] {
            ip(&[
                "-n",
                n,
                "neigh",
                "replace",
                a,
                "lladdr",
                &stack,
                "dev",
                dev,
                "nud",
                "permanent",
            ])?;
        }
        Ok(())
    }

    /// A command run inside the namespace.
    pub fn command(&self, argv: &[String]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).args(argv);
        c
    }

    pub fn stack_addr(v6: bool) -> IpAddr {
        if v6 { STACK_V6 } else { STACK_V4 }
            .parse()
            .expect("a literal address")
    }

    pub fn peer_addr(v6: bool) -> IpAddr {
        if v6 { PEER_V6 } else { PEER_V4 }
            .parse()
            .expect("a literal address")
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        if let Err(e) = ip(&["netns", "del", &self.name]) {
            eprintln!("toe: warning: removing namespace {}: {e:#}", self.name);
        }
    }
}
