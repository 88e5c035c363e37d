//! `toe tap` with the Linux kernel as the peer. The oracles are the
//! kernel and the bytes: sha256 of what was sent against what arrived,
//! the kernel's own view of each connection (`ss -tin` in the namespace)
//! and its per-namespace counters (/proc/net/netstat, /proc/net/snmp),
//! and the frames on the wire (the run's pcap); in the conformance tests,
//! the exact replies RFC 9293, 5961 and 7323 prescribe to crafted
//! segments. Needs root; skipped with a printed line otherwise, failing
//! under OPENTOE_REQUIRE_TOOLS=1.

mod adversity;
mod conformance;
mod harness;
mod transfers;
