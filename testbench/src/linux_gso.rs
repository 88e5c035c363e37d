//! The running Linux kernel's software GSO, as the oracle for `tso`.
//!
//! `tso` claims to cut a super-frame exactly as Linux's `tcp_gso_segment`
//! does. A reading of the kernel source can be wrong; the kernel itself
//! cannot. So the super-frame is handed to the kernel the way a virtual
//! machine hands one to its host: on a packet socket with
//! `PACKET_VNET_HDR`, behind a `virtio_net_hdr` (the same fields as a
//! [`Desc`]). It leaves on a veth whose segmentation and checksum offloads
//! are off, so the kernel segments and checksums it in software, and a
//! packet socket on the peer veth sees the segments as they were sent.
//!
//! All of it lives in a network namespace of its own, made with
//! `unshare(CLONE_NEWNET)` on a short-lived thread: nothing touches the
//! machine's own interfaces, any number of instances run side by side, and
//! there is no name to clean up. The two sockets are the last things that
//! hold the namespace, so it and its veth pair vanish when they are closed
//! on drop, even if the process dies.
//!
//! Needs root (CAP_SYS_ADMIN for the namespace, CAP_NET_ADMIN and
//! CAP_NET_RAW inside it), `ip` (iproute2) and `ethtool`.

use spec::tso::Desc;
use std::ffi::CString;
use std::io;
use std::mem::{size_of, size_of_val, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// MTU of both ends: a jumbo segment (MSS 9000 plus 120 bytes of IPv6 and
/// TCP headers at most) must pass, or the receiving veth drops it.
pub const MTU: u32 = 9200;

const TX_DEV: &str = "gsotx";
const RX_DEV: &str = "gsorx";

/// `struct virtio_net_hdr` (include/uapi/linux/virtio_net.h), without the
/// `num_buffers` of the mergeable-buffer variant: the packet socket takes
/// the 10-byte legacy header, in the host's byte order.
pub const VNET_HDR_LEN: usize = 10;
pub const VNET_F_NEEDS_CSUM: u8 = 1;
pub const VNET_GSO_NONE: u8 = 0;
pub const VNET_GSO_TCPV4: u8 = 1;
pub const VNET_GSO_TCPV6: u8 = 4;
pub const VNET_GSO_ECN: u8 = 0x80;

/// An IEEE 802 "local experimental" ethertype: marks the frame sent after
/// each super-frame, whose arrival says the kernel has delivered all the
/// segments before it.
const MARKER_ETHERTYPE: u16 = 0x88B5;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the Linux GSO oracle needs root (CAP_SYS_ADMIN for a network namespace, \
         CAP_NET_ADMIN and CAP_NET_RAW in it): {0}"
    )]
    NotRoot(String),
    #[error("{tool} not found: run scripts/setup.sh (Debian package {package})")]
    ToolMissing {
        tool: &'static str,
        package: &'static str,
    },
    #[error("`{cmd}` failed: {stderr}")]
    Command { cmd: String, stderr: String },
    #[error("{what}: {source}")]
    Os {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("the veth pair is not set up as asked: {0}")]
    Setup(String),
    #[error("not a super-frame the oracle can send: {0}")]
    BadFrame(String),
    #[error("timed out after {timeout:?}: the peer received {got} of {want} segments")]
    Timeout {
        got: usize,
        want: usize,
        timeout: Duration,
    },
    #[error("the kernel sent {got} segments, {want} expected")]
    TooMany { got: usize, want: usize },
}

fn os(what: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
    let what = what.into();
    move |source| Error::Os { what, source }
}

/// What the packet socket is told about a super-frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VnetHdr {
    pub flags: u8,
    pub gso_type: u8,
    pub hdr_len: u16,
    pub gso_size: u16,
    pub csum_start: u16,
    pub csum_offset: u16,
}

impl VnetHdr {
    /// The header asking for what `desc` asks of `tso`, and the number of
    /// frames the kernel will send for it.
    ///
    /// A payload of at most one MSS goes as a plain frame (`GSO_NONE`)
    /// with only the checksum to fill in, as the kernel's TCP sends it
    /// (it never makes a GSO packet of one segment). Asked as GSO, such a
    /// frame is refused when its payload plus TCP options exceeds the MSS:
    /// `virtio_net_hdr_to_skb` counts 20 bytes of TCP header and marks it
    /// GSO, `tcp_gso_segment` counts the options and finds one segment,
    /// and send(2) fails with ENOMEM.
    pub fn for_desc(frame: &[u8], desc: &Desc) -> Result<(Self, usize), Error> {
        let bad = |m: String| Err(Error::BadFrame(m));
        if !desc.tso {
            return bad("the descriptor does not ask for TSO".into());
        }
        if frame.len() != desc.len as usize {
            return bad(format!(
                "frame is {} bytes, descriptor says {}",
                frame.len(),
                desc.len
            ));
        }
        let (l3, l4, hdr) = (
            usize::from(desc.l3_offset),
            usize::from(desc.l4_offset),
            usize::from(desc.hdr_len),
        );
        if desc.mss == 0 || hdr > frame.len() || l4 + 20 > hdr || l3 < 14 || l3 + 20 > l4 {
            return bad(format!(
                "mss {}, IP header at {l3}, TCP header at {l4}..{hdr} of {}",
                desc.mss,
                frame.len()
            ));
        }
        let payload = frame.len() - hdr;
        let mss = usize::from(desc.mss);
        let segments = payload.div_ceil(mss).max(1);
        let cwr = frame[l4 + 13] & spec::tso::TCP_CWR != 0;
        let gso_type = match (segments, desc.v6) {
            (1, _) => VNET_GSO_NONE,
            (_, false) => VNET_GSO_TCPV4,
            (_, true) => VNET_GSO_TCPV6,
        };
        // As the kernel's TCP marks a CWR super-frame (tcp_ecn_send), so
        // that hardware without ECN-aware TSO is not handed one.
        let gso_type = if gso_type != VNET_GSO_NONE && cwr {
            gso_type | VNET_GSO_ECN
        } else {
            gso_type
        };
        let hdr = VnetHdr {
            flags: VNET_F_NEEDS_CSUM,
            gso_type,
            hdr_len: u16::from(desc.hdr_len),
            gso_size: if segments > 1 { desc.mss } else { 0 },
            csum_start: u16::from(desc.l4_offset),
            csum_offset: spec::tx_csum::TCP_CSUM_OFFSET,
        };
        Ok((hdr, segments))
    }

    pub fn to_bytes(self) -> [u8; VNET_HDR_LEN] {
        let mut b = [0; VNET_HDR_LEN];
        b[0] = self.flags;
        b[1] = self.gso_type;
        b[2..4].copy_from_slice(&self.hdr_len.to_ne_bytes());
        b[4..6].copy_from_slice(&self.gso_size.to_ne_bytes());
        b[6..8].copy_from_slice(&self.csum_start.to_ne_bytes());
        b[8..10].copy_from_slice(&self.csum_offset.to_ne_bytes());
        b
    }
}

/// A namespace with a veth pair whose sending end segments in software.
pub struct LinuxGso {
    tx: OwnedFd,
    rx: OwnedFd,
    /// How long to wait for the segments of one super-frame.
    pub timeout: Duration,
    marker: u64,
    buf: Vec<u8>,
}

impl LinuxGso {
    /// Makes the namespace, the veth pair and the two sockets, and checks
    /// that a frame gets across.
    pub fn new() -> Result<Self, Error> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let uid = unsafe { libc::geteuid() };
        if uid != 0 {
            return Err(Error::NotRoot(format!("running as uid {uid}")));
        }
        let ip = tool("ip", "iproute2")?;
        let ethtool = tool("ethtool", "ethtool")?;
        let (tx, rx) = std::thread::scope(|s| {
            s.spawn(|| in_new_netns(&ip, &ethtool))
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })?;
        let mut gso = LinuxGso {
            tx,
            rx,
            timeout: Duration::from_secs(3),
            marker: 0,
            buf: vec![0; 1 << 17],
        };
        gso.send_marker()
            .and_then(|m| gso.collect(&|_| false, 0, m).map(|_| ()))
            .map_err(|e| Error::Setup(format!("a test frame did not get across the veth: {e}")))?;
        Ok(gso)
    }

    /// The frames the kernel puts on the wire for the super-frame `frame`
    /// that `desc` describes, in order, as they were sent (an 802.1Q tag
    /// the receiving side took out of the frame is put back).
    pub fn segment(&mut self, frame: &[u8], desc: &Desc) -> Result<Vec<Vec<u8>>, Error> {
        let (hdr, want) = VnetHdr::for_desc(frame, desc)?;
        let l4 = usize::from(desc.l4_offset);
        let key = (frame[..14].to_vec(), frame[l4..l4 + 4].to_vec());
        let ours = move |f: &[u8]| f.len() >= l4 + 4 && f[..14] == key.0 && f[l4..l4 + 4] == key.1;
        self.send(hdr, frame, &ours, want)
    }

    /// Sends `frame` behind `hdr` and collects exactly `want` frames that
    /// `ours` accepts; others seen meanwhile are ignored.
    pub fn send(
        &mut self,
        hdr: VnetHdr,
        frame: &[u8],
        ours: &dyn Fn(&[u8]) -> bool,
        want: usize,
    ) -> Result<Vec<Vec<u8>>, Error> {
        self.drain()?;
        let mut msg = hdr.to_bytes().to_vec();
        msg.extend_from_slice(frame);
        send_all(&self.tx, &msg).map_err(os(format!(
            "sending a {}-byte super-frame with {hdr:?}",
            frame.len()
        )))?;
        let marker = self.send_marker()?;
        self.collect(ours, want, marker)
    }

    /// A small frame sent after a super-frame: the segments and it take
    /// the same path, so once it is in, any segment beyond those expected
    /// is in too and shows.
    fn send_marker(&mut self) -> Result<u64, Error> {
        self.marker += 1;
        let mut f = vec![0u8; VNET_HDR_LEN + 60];
        let e = &mut f[VNET_HDR_LEN..];
        e[..6].fill(0xFF);
        e[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
        e[12..14].copy_from_slice(&MARKER_ETHERTYPE.to_be_bytes());
        e[14..22].copy_from_slice(&self.marker.to_be_bytes());
        send_all(&self.tx, &f).map_err(os("sending a marker frame"))?;
        Ok(self.marker)
    }

    fn collect(
        &mut self,
        ours: &dyn Fn(&[u8]) -> bool,
        want: usize,
        marker: u64,
    ) -> Result<Vec<Vec<u8>>, Error> {
        let deadline = Instant::now() + self.timeout;
        let mut got = Vec::with_capacity(want);
        let mut marked = false;
        while !marked || got.len() < want {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !readable(&self.rx, left)? {
                return Err(Error::Timeout {
                    got: got.len(),
                    want,
                    timeout: self.timeout,
                });
            }
            let Some(f) = recv_frame(&self.rx, &mut self.buf, false)? else {
                continue;
            };
            if is_marker(&f, marker) {
                marked = true;
            } else if ours(&f) {
                got.push(f);
            }
        }
        if got.len() > want {
            return Err(Error::TooMany {
                got: got.len(),
                want,
            });
        }
        Ok(got)
    }

    /// Drops whatever is queued: late frames of an earlier super-frame.
    fn drain(&mut self) -> Result<(), Error> {
        while recv_frame(&self.rx, &mut self.buf, true)?.is_some() {}
        Ok(())
    }
}

fn is_marker(f: &[u8], n: u64) -> bool {
    f.len() >= 22 && f[12..14] == MARKER_ETHERTYPE.to_be_bytes() && f[14..22] == n.to_be_bytes()
}

/// `name` on PATH or in the sbin directories a non-login root shell may
/// lack on PATH.
fn tool(name: &'static str, package: &'static str) -> Result<PathBuf, Error> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(Error::ToolMissing {
            tool: name,
            package,
        })
}

fn run(cmd: &Path, args: &[&str]) -> Result<String, Error> {
    let line = format!("{} {}", cmd.display(), args.join(" "));
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(os(format!("running `{line}`")))?;
    if !out.status.success() {
        return Err(Error::Command {
            cmd: line,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs on a thread of its own, which it moves into a new network
/// namespace; the commands it starts inherit that namespace, and the
/// sockets it opens stay in it after the thread ends.
fn in_new_netns(ip: &Path, ethtool: &Path) -> Result<(OwnedFd, OwnedFd), Error> {
    // SAFETY: unshare(CLONE_NEWNET) moves only the calling thread (this
    // one, which ends right after) into a new network namespace.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        let e = io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::EPERM) => Error::NotRoot(format!("unshare(CLONE_NEWNET): {e}")),
            _ => Error::Os {
                what: "unshare(CLONE_NEWNET)".into(),
                source: e,
            },
        });
    }
    // No IPv6 on the new interfaces: no router solicitation or neighbour
    // discovery frames among the segments. /proc/sys/net is the calling
    // thread's namespace's.
    for conf in ["default", "all"] {
        let p = format!("/proc/sys/net/ipv6/conf/{conf}/disable_ipv6");
        match std::fs::write(&p, "1") {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            r => r.map_err(os(format!("writing {p}")))?,
        }
    }
    let mtu = MTU.to_string();
    run(
        ip,
        &[
            "link", "add", TX_DEV, "mtu", &mtu, "type", "veth", "peer", "name", RX_DEV, "mtu", &mtu,
        ],
    )?;
    // tx-checksumming off makes the kernel fill in the checksums itself;
    // tso and gso off make it segment in software before the driver.
    run(
        ethtool,
        &["-K", TX_DEV, "tso", "off", "gso", "off", "tx", "off"],
    )?;
    // No receive aggregation that could merge the segments back.
    run(ethtool, &["-K", RX_DEV, "gro", "off"])?;
    let features = run(ethtool, &["-k", TX_DEV])?;
    for f in ["tcp-segmentation-offload", "tx-checksumming"] {
        if !features.lines().any(|l| l.trim() == format!("{f}: off")) {
            return Err(Error::Setup(format!(
                "{TX_DEV}: ethtool did not turn {f} off:\n{features}"
            )));
        }
    }
    for dev in [TX_DEV, RX_DEV] {
        run(ip, &["link", "set", dev, "up"])?;
    }
    let rx = packet_socket(libc::ETH_P_ALL as u16).map_err(os("AF_PACKET socket"))?;
    bind(&rx, ifindex(RX_DEV)?, libc::ETH_P_ALL as u16)
        .map_err(os(format!("binding to {RX_DEV}")))?;
    // The receiving side takes an 802.1Q tag out of the frame into the
    // skb; the aux data gives it back.
    set_int(&rx, libc::SOL_PACKET, libc::PACKET_AUXDATA, 1).map_err(os("PACKET_AUXDATA"))?;
    // Room for all segments of a 64 KB super-frame at the smallest MSS.
    set_int(&rx, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, 32 << 20).map_err(os("SO_RCVBUFFORCE"))?;
    // Protocol 0: the sending socket receives nothing.
    let tx = packet_socket(0).map_err(os("AF_PACKET socket"))?;
    set_int(&tx, libc::SOL_PACKET, libc::PACKET_VNET_HDR, 1).map_err(os("PACKET_VNET_HDR"))?;
    bind(&tx, ifindex(TX_DEV)?, 0).map_err(os(format!("binding to {TX_DEV}")))?;
    Ok((tx, rx))
}

fn ifindex(dev: &str) -> Result<i32, Error> {
    let name = CString::new(dev).expect("device names have no NUL");
    // SAFETY: `name` is a valid NUL-terminated string for the call.
    match unsafe { libc::if_nametoindex(name.as_ptr()) } {
        0 => Err(Error::Os {
            what: format!("no interface {dev}"),
            source: io::Error::last_os_error(),
        }),
        i => Ok(i as i32),
    }
}

fn packet_socket(protocol: u16) -> io::Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers; a valid descriptor is owned at
    // once.
    let fd = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            i32::from(protocol.to_be()),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by socket(2) and has no other owner.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn set_int(fd: &OwnedFd, level: i32, name: i32, value: i32) -> io::Result<()> {
    // SAFETY: the option value is a live c_int of the length passed.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&value as *const i32).cast(),
            size_of::<i32>() as libc::socklen_t,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn bind(fd: &OwnedFd, ifindex: i32, protocol: u16) -> io::Result<()> {
    // SAFETY: sockaddr_ll is plain data; all zeroes is a valid value.
    let mut sa: libc::sockaddr_ll = unsafe { zeroed() };
    sa.sll_family = libc::AF_PACKET as u16;
    sa.sll_protocol = protocol.to_be();
    sa.sll_ifindex = ifindex;
    // SAFETY: `sa` is a live sockaddr_ll of the length passed.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&sa as *const libc::sockaddr_ll).cast(),
            size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn send_all(fd: &OwnedFd, msg: &[u8]) -> io::Result<()> {
    // SAFETY: `msg` is a live buffer of the length passed.
    let n = unsafe { libc::send(fd.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0) };
    match n {
        n if n < 0 => Err(io::Error::last_os_error()),
        n if n as usize != msg.len() => {
            Err(io::Error::other(format!("sent {n} of {} bytes", msg.len())))
        }
        _ => Ok(()),
    }
}

fn readable(fd: &OwnedFd, within: Duration) -> Result<bool, Error> {
    let mut p = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = within.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: one live pollfd.
    match unsafe { libc::poll(&mut p, 1, ms) } {
        n if n < 0 => {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(os("poll")(e))
            }
        }
        n => Ok(n > 0),
    }
}

/// One received frame as it was sent, or `None` when nothing is queued
/// (`nonblocking`) or the frame is one the device sent itself.
fn recv_frame(fd: &OwnedFd, buf: &mut [u8], nonblocking: bool) -> Result<Option<Vec<u8>>, Error> {
    // SAFETY: plain data; all zeroes is a valid value for each.
    let mut sa: libc::sockaddr_ll = unsafe { zeroed() };
    let mut msg: libc::msghdr = unsafe { zeroed() };
    // u64 keeps the control buffer aligned for cmsghdr.
    let mut control = [0u64; 16];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    msg.msg_name = (&mut sa as *mut libc::sockaddr_ll).cast();
    msg.msg_namelen = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = size_of_val(&control) as _;
    let flags = libc::MSG_TRUNC | if nonblocking { libc::MSG_DONTWAIT } else { 0 };
    // SAFETY: every pointer in `msg` points at a live local of the length
    // given with it.
    let n = unsafe { libc::recvmsg(fd.as_raw_fd() as RawFd, &mut msg, flags) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
            _ => Err(os("recvmsg on the peer veth")(e)),
        };
    }
    let n = n as usize;
    if n > buf.len() {
        return Err(Error::Setup(format!(
            "a {n}-byte frame does not fit the {}-byte receive buffer",
            buf.len()
        )));
    }
    if sa.sll_pkttype == libc::PACKET_OUTGOING {
        return Ok(None);
    }
    let mut frame = buf[..n].to_vec();
    if let Some(aux) = auxdata(&msg)
        && aux.tp_status & libc::TP_STATUS_VLAN_VALID != 0
        && n >= 12
    {
        let tpid = if aux.tp_status & libc::TP_STATUS_VLAN_TPID_VALID != 0 {
            aux.tp_vlan_tpid
        } else {
            0x8100
        };
        let mut tag = tpid.to_be_bytes().to_vec();
        tag.extend_from_slice(&aux.tp_vlan_tci.to_be_bytes());
        frame.splice(12..12, tag);
    }
    Ok(Some(frame))
}

fn auxdata(msg: &libc::msghdr) -> Option<libc::tpacket_auxdata> {
    // SAFETY: `msg` was filled in by recvmsg; the CMSG_* walk stays within
    // its control buffer, and the aux data is read unaligned by value.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_PACKET && (*c).cmsg_type == libc::PACKET_AUXDATA {
                return Some(std::ptr::read_unaligned(
                    libc::CMSG_DATA(c).cast::<libc::tpacket_auxdata>(),
                ));
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnet_header_layout_is_the_kernels() {
        let h = VnetHdr {
            flags: VNET_F_NEEDS_CSUM,
            gso_type: VNET_GSO_TCPV6 | VNET_GSO_ECN,
            hdr_len: 0x0102,
            gso_size: 0x0304,
            csum_start: 0x0506,
            csum_offset: 16,
        };
        let b = h.to_bytes();
        assert_eq!(b[..2], [1, 0x84]);
        assert_eq!(u16::from_ne_bytes([b[4], b[5]]), 0x0304);
        assert_eq!(u16::from_ne_bytes([b[8], b[9]]), 16);
    }

    #[test]
    fn short_payloads_go_unsegmented() {
        let mut f = vec![0u8; 54 + 100];
        f[34 + 13] = spec::tso::TCP_CWR;
        let d = Desc::tso(f.len(), 100, 14, 34, 54, false);
        let (h, n) = VnetHdr::for_desc(&f, &d).unwrap();
        assert_eq!((h.gso_type, h.gso_size, n), (VNET_GSO_NONE, 0, 1));
        let d = Desc { mss: 99, ..d };
        let (h, n) = VnetHdr::for_desc(&f, &d).unwrap();
        assert_eq!(
            (h.gso_type, h.gso_size, n),
            (VNET_GSO_TCPV4 | VNET_GSO_ECN, 99, 2)
        );
    }
}
