//! The parser on every trace of the corpus: the RTL equals the model record
//! by record (at 64 bits on every frame, at 8 bits on the first 200 of each
//! trace, with idle and backpressure), and the TCP
//! fields it extracts equal tshark's, frame by frame. tshark is the
//! independent oracle: ports, raw sequence and acknowledgement numbers, the
//! 12 flag bits, header length, window, payload length (from IP lengths)
//! and the options present, with their values.
//!
//! Where tshark dissects TCP and the parser refuses the frame, the reason
//! must be one the spec names for that case, and is counted:
//! - IP behind something the engine does not walk (MPLS, PPPoE, tunnels);
//! - an IPv4 total length of 0 (a TSO sender's capture) or an IP length past
//!   the end of the frame: `bad_length`, where tshark trusts the frame;
//! - a segment the snap length cut: `truncated` or `bad_length`.

use capture::{Reader, Record};
use sim::rx_parser::RxParserRtl;
use sim::stream::{Traffic, run};
use spec::rx_parse::{Header, Opt, Status};
use std::collections::{BTreeMap, HashMap};
use std::process::Command;

const FIELDS: [&str; 16] = [
    "frame.number",
    "frame.protocols",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.flags",
    "tcp.hdr_len",
    "tcp.window_size_value",
    "tcp.len",
    "tcp.option_kind",
    "tcp.options.mss_val",
    "tcp.options.wscale.shift",
    "tcp.options.sack_le",
    "tcp.options.timestamp.tsval",
    "tcp.options.timestamp.tsecr",
];

/// Frames per trace run through the 8-bit build.
const W1_FRAMES: usize = 200;

/// One tshark row: the field values, in [`FIELDS`] order.
type Row = Vec<String>;

fn tshark(path: &std::path::Path) -> HashMap<u64, Row> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"]).arg(path).args([
        "-o",
        "tcp.relative_sequence_numbers:FALSE",
        "-o",
        "tcp.analyze_sequence_numbers:FALSE",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd
        .output()
        .expect("tshark runs: install it with scripts/setup.sh (Debian package tshark)");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let row: Row = l.split('\t').map(String::from).collect();
            (row[0].parse().unwrap(), row)
        })
        .collect()
}

/// The first of a comma-separated list, parsed (hex when `0x`-prefixed).
fn first(s: &str) -> Option<u64> {
    let v = s.split(',').next()?.trim();
    if v.is_empty() {
        return None;
    }
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The last of a list: for a repeated option the parser keeps the last copy.
fn last(s: &str) -> Option<u64> {
    s.rsplit(',').next().and_then(first)
}

/// Whether tshark dissected one plain TCP segment right behind Ethernet,
/// at most two VLAN tags and one IP header (with IPv6 extension headers).
fn plain_tcp(protocols: &str) -> Result<(), String> {
    let p: Vec<&str> = protocols.split(':').collect();
    let Some(at) = p.iter().position(|t| *t == "ip" || *t == "ipv6") else {
        return Err("no IP".into());
    };
    if let Some(t) = p[..at]
        .iter()
        .find(|t| !matches!(**t, "eth" | "ethertype" | "vlan" | "null" | "sll" | "raw"))
    {
        return Err(format!("IP behind {t}"));
    }
    match p[at + 1..].iter().find(|t| !t.starts_with("ipv6.")) {
        Some(&"tcp") => Ok(()),
        Some(t) => Err(format!("not TCP ({t})")),
        None => Err("no transport".into()),
    }
}

/// The parser's fields in tshark's terms, and tshark's; equal when the two
/// agree.
fn compare(h: &Header, row: &Row) -> Option<String> {
    let kinds: Vec<u64> = row[10].split(',').filter_map(first).collect();
    let has = |k: u64| kinds.contains(&k);
    let known = [0, 1, 2, 3, 4, 5, 8];
    let sack_blocks = row[13].split(',').filter(|s| !s.is_empty()).count();
    let tshark = (
        [
            first(&row[2]),
            first(&row[3]),
            first(&row[4]),
            first(&row[5]),
        ],
        [
            first(&row[6]),
            first(&row[7]),
            first(&row[8]),
            first(&row[9]),
        ],
        [has(2), has(3), has(4), has(5), has(8)],
        kinds.iter().any(|k| !known.contains(k)),
        [
            last(&row[11]),
            last(&row[12]),
            last(&row[14]),
            last(&row[15]),
        ],
        sack_blocks.min(4) as u8,
    );
    let v = |x: u64, present: bool| present.then_some(x);
    let mine = (
        [
            Some(u64::from(h.sport)),
            Some(u64::from(h.dport)),
            Some(u64::from(h.seq)),
            Some(u64::from(h.ack)),
        ],
        [
            Some(u64::from(h.flags)),
            Some(4 * u64::from(h.doff)),
            Some(u64::from(h.window)),
            Some(u64::from(h.plen)),
        ],
        [
            h.has(Opt::Mss),
            h.has(Opt::WScale),
            h.has(Opt::SackOk),
            h.has(Opt::Sack),
            h.has(Opt::Timestamps),
        ],
        h.has(Opt::Unknown),
        [
            v(u64::from(h.mss), h.has(Opt::Mss)),
            v(u64::from(h.wscale), h.has(Opt::WScale)),
            v(u64::from(h.tsval), h.has(Opt::Timestamps)),
            v(u64::from(h.tsecr), h.has(Opt::Timestamps)),
        ],
        if h.has(Opt::Sack) { h.sack_blocks } else { 0 },
    );
    (mine != tshark).then(|| format!("parser {mine:?}\n  tshark {tshark:?}"))
}

/// Why the parser may refuse a frame tshark reads as TCP, or `None` if it
/// must not.
fn allowed_refusal(h: &Header, frame: &[u8], cut: bool) -> Option<&'static str> {
    let status = h.status()?;
    let l3 = h.l3 as usize;
    let ipv4_len = (h.kind == 1)
        .then(|| frame.get(l3 + 2..l3 + 4))
        .flatten()
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
    match status {
        Status::BadLength if ipv4_len == Some(0) => Some("IPv4 total length 0 (TSO capture)"),
        Status::BadLength | Status::Truncated if cut => Some("segment cut by the snap length"),
        Status::BadLength => Some("IP length past the end of the frame"),
        _ => None,
    }
}

/// `frames`: number, bytes, cut by the snap length (unused here).
fn rtl_equals_model(width: usize, frames: &[(u64, Vec<u8>, bool)], name: &str) {
    let mut rtl = RxParserRtl::new(width, None).unwrap();
    let traffic = Traffic {
        idle: 0.2,
        backpressure: 0.3,
        seed: 5,
    };
    let mut i = 0;
    run(
        &mut rtl,
        frames.iter().map(|(_, f, _)| (f, false, ())),
        &traffic,
        |raw| {
            let (n, f, _) = &frames[i];
            assert_eq!(
                Header::unpack(&raw),
                model::rx_parse::parse(f, false),
                "{name} frame {n}, {} bits: RTL and model disagree",
                8 * width
            );
            i += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(i, frames.len());
}

#[test]
fn tcp_fields_equal_tsharks_on_every_trace() {
    let Some(traces) = testbench::corpus::for_test() else {
        return;
    };
    if !testbench::tools::tshark() {
        return;
    }
    let mut refused: BTreeMap<String, u64> = BTreeMap::new();
    let mut statuses: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut compared, mut failures) = (0u64, Vec::new());
    for t in &traces {
        let rows = tshark(&t.path);
        let frames: Vec<(u64, Vec<u8>, bool)> = Reader::open(&t.path)
            .unwrap()
            .filter_map(|r| match r.unwrap() {
                Record::Frame(f) => {
                    let cut = f.data.len() < f.orig_len as usize;
                    Some((f.number, f.data, cut))
                }
                Record::Skipped { .. } => None,
            })
            .collect();
        // At one byte per beat the first frames of each trace suffice: the
        // simulation is eight times longer, and the random tests cover it.
        rtl_equals_model(8, &frames, &t.relative_path);
        rtl_equals_model(1, &frames[..frames.len().min(W1_FRAMES)], &t.relative_path);
        for (n, frame, cut) in &frames {
            let h = model::rx_parse::parse(frame, false);
            let status = h.status().unwrap();
            *statuses.entry(status.name()).or_default() += 1;
            let row = &rows[n];
            match (plain_tcp(&row[1]), status) {
                (Ok(()), Status::Ok) => {
                    compared += 1;
                    if let Some(d) = compare(&h, row) {
                        failures.push(format!("{} frame {n}:\n  {d}", t.relative_path));
                    }
                }
                (Ok(()), _) => match allowed_refusal(&h, frame, *cut) {
                    Some(why) => *refused.entry(why.to_owned()).or_default() += 1,
                    None => failures.push(format!(
                        "{} frame {n}: tshark reads TCP, parser says {}",
                        t.relative_path,
                        status.name()
                    )),
                },
                (Err(why), Status::Ok) => failures.push(format!(
                    "{} frame {n}: parser reads TCP, tshark: {why}",
                    t.relative_path
                )),
                (Err(why), _) => {
                    if row[1].contains(":tcp") && why.starts_with("IP behind") {
                        *refused.entry(why).or_default() += 1;
                    }
                }
            }
        }
    }
    println!("{compared} TCP headers compared; parser statuses {statuses:?}");
    println!("refused where tshark reads TCP: {refused:?}");
    assert!(
        failures.is_empty(),
        "{} frames differ:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
    assert!(compared > 1000, "only {compared} TCP headers compared");
}
