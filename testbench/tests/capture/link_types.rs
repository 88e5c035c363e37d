//! Every supported link type becomes the right Ethernet frame; tshark
//! confirms each hand-built file is the link type we meant.

use capture::{Problem, Record, SYNTH_DST_MAC, SYNTH_SRC_MAC, SkipReason};

use crate::files::{
    IPV4_TCP, PcapNg, Pkt, ethernet_frame, frames, ipv6_tcp, pcap, read, read_ok, write_temp,
};
use crate::tshark::{tshark, tshark_installed};

const SLL_MAC: [u8; 6] = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];

fn sll(protocol: u16, addr_len: u16, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0, 0, 0, 1];
    h.extend(addr_len.to_be_bytes());
    h.extend(SLL_MAC);
    h.extend([0, 0]);
    h.extend(protocol.to_be_bytes());
    [h, payload.to_vec()].concat()
}

fn sll2(protocol: u16, addr_len: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = protocol.to_be_bytes().to_vec();
    h.extend([0, 0, 0, 0, 0, 3, 0, 1, 0, addr_len]);
    h.extend(SLL_MAC);
    h.extend([0x12, 0x34]);
    [h, payload.to_vec()].concat()
}

/// A 4-byte loopback header with the address family in the given order.
fn null(family: u32, big_endian: bool, payload: &[u8]) -> Vec<u8> {
    let af = if big_endian {
        family.to_be_bytes()
    } else {
        family.to_le_bytes()
    };
    [af.to_vec(), payload.to_vec()].concat()
}

struct Case {
    name: &'static str,
    link_type: u32,
    big_endian_file: bool,
    /// The link-level bytes captured.
    packet: Vec<u8>,
    /// The IP packet at their end.
    payload: Vec<u8>,
    ethertype: u16,
    src_mac: [u8; 6],
    /// tshark's frame.protocols for the file.
    protocols: &'static str,
}

fn cases() -> Vec<Case> {
    let v4 = IPV4_TCP.to_vec();
    let v6 = ipv6_tcp();
    let case = |name, link_type, packet, v6: bool, protocols| Case {
        name,
        link_type,
        big_endian_file: false,
        packet,
        payload: if v6 { ipv6_tcp() } else { IPV4_TCP.to_vec() },
        ethertype: if v6 { 0x86dd } else { 0x0800 },
        src_mac: SYNTH_SRC_MAC,
        protocols,
    };
    vec![
        Case {
            src_mac: SLL_MAC,
            ..case(
                "sll-v4",
                113,
                sll(0x0800, 6, &v4),
                false,
                "sll:ethertype:ip:tcp",
            )
        },
        case(
            "sll-v6-no-addr",
            113,
            sll(0x86dd, 0, &v6),
            true,
            "sll:ethertype:ipv6:tcp",
        ),
        Case {
            src_mac: SLL_MAC,
            ..case(
                "sll2-v4",
                276,
                sll2(0x0800, 6, &v4),
                false,
                "sll:ethertype:ip:tcp",
            )
        },
        case(
            "sll2-v6-8-byte-addr",
            276,
            sll2(0x86dd, 8, &v6),
            true,
            "sll:ethertype:ipv6:tcp",
        ),
        case("raw-v4", 101, v4.clone(), false, "raw:ip:tcp"),
        case("raw-v6", 101, v6.clone(), true, "raw:ipv6:tcp"),
        case("dlt-raw-12", 12, v4.clone(), false, "raw:ip:tcp"),
        case("dlt-raw-14", 14, v6.clone(), true, "raw:ipv6:tcp"),
        case("ipv4", 228, v4.clone(), false, "ip:tcp"),
        case("ipv6", 229, v6.clone(), true, "ipv6:tcp"),
        case("null-le-inet", 0, null(2, false, &v4), false, "null:ip:tcp"),
        Case {
            big_endian_file: true,
            ..case("null-be-inet", 0, null(2, true, &v4), false, "null:ip:tcp")
        },
        // The family's order is the capturing host's, not the file's.
        case(
            "null-be-on-le-file",
            0,
            null(2, true, &v4),
            false,
            "null:ip:tcp",
        ),
        case(
            "null-linux-inet6",
            0,
            null(10, false, &v6),
            true,
            "null:data", // tshark knows only the BSD values of AF_INET6
        ),
        case(
            "null-netbsd-inet6",
            0,
            null(24, true, &v6),
            true,
            "null:ipv6:tcp",
        ),
        case(
            "null-freebsd-inet6",
            0,
            null(28, false, &v6),
            true,
            "null:ipv6:tcp",
        ),
        case(
            "null-macos-inet6",
            0,
            null(30, false, &v6),
            true,
            "null:ipv6:tcp",
        ),
        case("loop-inet", 108, null(2, true, &v4), false, "null:ip:tcp"),
        case(
            "loop-inet6",
            108,
            null(24, true, &v6),
            true,
            "null:ipv6:tcp",
        ),
    ]
}

#[test]
fn every_link_type_becomes_ethernet() {
    for c in cases() {
        // A second copy of the packet, cut 10 bytes short by the snaplen.
        let cut = &c.packet[..c.packet.len() - 10];
        let wire = c.packet.len() as u32;
        let pkts = [
            Pkt::at(1, &c.packet),
            Pkt {
                ts_ns: 2,
                data: cut,
                orig_len: wire,
            },
        ];
        let bytes = pcap(c.link_type, c.big_endian_file, true, &pkts);
        let path = write_temp(&format!("{}.pcap", c.name), &bytes);
        let got = frames(read_ok(&path));
        assert_eq!(got.len(), 2, "{}", c.name);
        let header = c.packet.len() - c.payload.len();
        assert_eq!(c.packet[header..], c.payload);
        for (f, captured) in got.iter().zip([&c.packet[..], cut]) {
            let payload = &captured[header..];
            assert_eq!(f.link_type, c.link_type);
            assert_eq!(f.added, 14, "{}", c.name);
            assert_eq!(f.data[..6], SYNTH_DST_MAC, "{}", c.name);
            assert_eq!(f.data[6..12], c.src_mac, "{}", c.name);
            assert_eq!(f.data[12..14], c.ethertype.to_be_bytes(), "{}", c.name);
            assert_eq!(&f.data[14..], payload, "{}", c.name);
            assert_eq!(
                f.orig_len as usize,
                14 + c.packet.len() - header,
                "{}",
                c.name
            );
        }
    }
}

/// All the cases as one pcapng with an interface each: it reads as the
/// separate files do, and tshark (run once, it is slow to start) sees in
/// each packet the link type we meant.
#[test]
fn tshark_sees_the_link_types_we_meant() {
    let cases = cases();
    let mut ng = PcapNg::new(false);
    for (i, c) in cases.iter().enumerate() {
        ng.interface(c.link_type as u16, 0, None, None);
        ng.epb(i as u32, 0, &c.packet, c.packet.len() as u32);
    }
    let path = write_temp("all-link-types.pcapng", &ng.bytes());
    let got = frames(read_ok(&path));
    for (f, c) in got.iter().zip(&cases) {
        assert_eq!(f.data[14..], c.payload, "{}", c.name);
    }
    if tshark_installed() {
        let out = tshark(&path, &["-T", "fields", "-e", "frame.protocols"]);
        let protocols: Vec<&str> = out.lines().collect();
        let want: Vec<&str> = cases.iter().map(|c| c.protocols).collect();
        assert_eq!(protocols, want);
    }
}

#[test]
fn ethernet_is_kept_as_is_and_timestamps_scale() {
    let f = ethernet_frame();
    let ts = 1_700_000_000_123_456_789;
    for (be, nanos) in [(false, false), (true, false), (false, true), (true, true)] {
        let bytes = pcap(1, be, nanos, &[Pkt::at(ts, &f), Pkt::at(ts, &[])]);
        let got = frames(read_ok(&write_temp("eth.pcap", &bytes)));
        let want_ts = if nanos { ts } else { ts - 789 };
        assert_eq!(
            (got[0].ts_ns, got[0].added, got[0].orig_len),
            (want_ts, 0, 54)
        );
        assert_eq!(got[0].data, f);
        assert!(got[1].data.is_empty(), "empty frames pass through");
    }
}

#[test]
fn packets_without_an_ethernet_equivalent_are_skipped() {
    let v4 = IPV4_TCP;
    let cases = [
        (
            113,
            sll(0x0004, 6, &v4),
            SkipReason::UnsupportedProtocol {
                link_type: 113,
                protocol: 4,
            },
        ),
        (
            276,
            sll2(0x000c, 0, &v4),
            SkipReason::UnsupportedProtocol {
                link_type: 276,
                protocol: 12,
            },
        ),
        (
            113,
            v4[..10].to_vec(),
            SkipReason::TooShort {
                link_type: 113,
                caplen: 10,
            },
        ),
        (
            101,
            vec![0x50; 20],
            SkipReason::UnsupportedProtocol {
                link_type: 101,
                protocol: 5,
            },
        ),
        (
            101,
            vec![],
            SkipReason::TooShort {
                link_type: 101,
                caplen: 0,
            },
        ),
        (
            0,
            null(7, false, &v4),
            SkipReason::UnsupportedProtocol {
                link_type: 0,
                protocol: 7,
            },
        ),
        (
            108,
            null(2, false, &v4),
            SkipReason::UnsupportedProtocol {
                link_type: 108,
                protocol: 0x0200_0000,
            },
        ),
        (
            0,
            vec![2, 0],
            SkipReason::TooShort {
                link_type: 0,
                caplen: 2,
            },
        ),
    ];
    for (link_type, packet, reason) in cases {
        let bytes = pcap(
            link_type,
            false,
            false,
            &[Pkt::at(0, &packet), Pkt::at(0, &packet)],
        );
        let records = read_ok(&write_temp("skip.pcap", &bytes));
        let skipped = |number| Record::Skipped {
            number,
            reason: reason.clone(),
        };
        assert_eq!(records, [skipped(1), skipped(2)]);
    }
}

#[test]
fn unsupported_pcap_link_type_is_an_error() {
    let bytes = pcap(147, false, false, &[Pkt::at(0, &IPV4_TCP)]);
    let path = write_temp("user0.pcap", &bytes);
    let (records, error, _) = read(&path);
    let e = error.expect("an error");
    assert!(records.is_empty());
    assert!(matches!(e.problem, Problem::UnsupportedLinkType(147)));
    assert_eq!(e.offset, 20);
    let msg = e.to_string();
    assert!(
        msg.contains("user0.pcap: offset 20: unsupported link type 147"),
        "{msg}"
    );
}
