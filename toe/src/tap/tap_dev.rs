//! A Linux TAP device, opened through /dev/net/tun, non-blocking.
//! (The tun-tap crate would do this but builds a C shim with cc, which
//! `toe --backend model` must build without.)

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;

const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
const IFF_TAP: libc::c_short = 0x0002;
const IFF_NO_PI: libc::c_short = 0x1000;

#[repr(C)]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _pad: [u8; 22],
}

pub struct Tap {
    file: File,
    pub name: String,
}

impl Tap {
    pub fn create(name: &str) -> Result<Tap> {
        if name.len() >= libc::IFNAMSIZ {
            bail!("interface name {name} is too long");
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/net/tun")
            .context(
                "opening /dev/net/tun (toe tap needs root or CAP_NET_ADMIN, and the tun module)",
            )?;
        let mut req = IfReq {
            name: [0; libc::IFNAMSIZ],
            flags: IFF_TAP | IFF_NO_PI,
            _pad: [0; 22],
        };
        req.name[..name.len()].copy_from_slice(name.as_bytes());
        // SAFETY: TUNSETIFF reads and writes one `struct ifreq`, which
        // `IfReq` lays out (name, flags, padding to its 40 bytes), and the
        // fd is the open tun control file.
        let r = unsafe { libc::ioctl(file.as_raw_fd(), TUNSETIFF, &mut req) };
        if r < 0 {
            return Err(std::io::Error::last_os_error())
                .with_context(|| format!("creating TAP device {name} (TUNSETIFF)"));
        }
        Ok(Tap {
            file,
            name: name.to_string(),
        })
    }

    /// One frame if one is waiting.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>> {
        match self.file.read(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e).context("reading the TAP device"),
        }
    }

    pub fn send(&mut self, frame: &[u8]) -> Result<()> {
        match self.file.write(frame) {
            Ok(_) => Ok(()),
            // The kernel's queue is full: a drop, as on a real wire.
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(e).context("writing the TAP device"),
        }
    }

    /// Waits up to `micros` for a frame to read.
    pub fn wait(&self, micros: u64) {
        let mut p = libc::pollfd {
            fd: self.file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = micros.div_ceil(1000).min(1000) as libc::c_int;
        // SAFETY: one valid pollfd for the duration of the call.
        unsafe { libc::poll(&mut p, 1, ms) };
    }
}
