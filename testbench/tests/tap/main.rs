//! `toe tap` with the Linux kernel as the peer. The oracles are the
//! kernel and the bytes: sha256 of what was sent against what arrived,
//! the kernel's own view of each connection (`ss -tin` in the namespace)
//! and its per-namespace counters (/proc/net/netstat, /proc/net/snmp),
//! and the frames on the wire (the run's pcap). Needs root; skipped with
//! a printed line otherwise, failing under OPENTOE_REQUIRE_TOOLS=1.

mod adversity;
mod harness;
mod transfers;
