//! What a sender's stack with TSO and checksum offload would have handed to
//! the TX path, rebuilt from a capture for `toe replay --tx`.
//!
//! Frames come from [`capture::Reader`] (every link type as
//! Ethernet II). Per TCP direction (4-tuple, IPv4 or IPv6), consecutive
//! in-order data segments are merged into TSO super-frames; everything else
//! passes as a frame of its own. The rules, exactly:
//!
//! * **Parsing.** Ethernet II with up to two VLAN tags (0x8100, 0x88a8,
//!   0x9100), then IPv4 (IHL >= 5, total length >= header; a total length
//!   of 0 on a frame not cut by the snaplen means the rest of the frame: a
//!   capture on a TSO sender, read as tshark reads it) or IPv6 (payload
//!   length not 0; TCP/UDP only right after the fixed header, no extension
//!   headers). A frame is *whole* when the IP datagram, as long as
//!   its length field says, is all in the captured bytes (snaplen cuts and
//!   edited frames whose IP length runs past the data are not). A *fragment*
//!   is an IPv4 datagram with MF or an offset, or an IPv6 fragment header.
//! * **Merge candidates**: whole, unfragmented TCP segments with a sound
//!   header (data offset >= 5, inside the datagram), payload > 0, no SYN,
//!   RST or URG, whose super-frame offsets fit the descriptor (<= 255).
//! * **A candidate joins the open run of its direction** when its sequence
//!   number is the run's next (previous seq + previous payload), its link
//!   header bytes (everything before IP), first IP byte (version and IHL)
//!   and TCP byte 12 (data offset, AE) equal the run's first segment's, its
//!   ACK and ECE flags equal the run's, it has no CWR (Linux keeps CWR on the
//!   first segment only, so a CWR segment starts a run), the run has no FIN
//!   yet, and the super-frame's IP datagram stays <= 65535 bytes. The ACK
//!   number, IPv4 ID, TTL/TOS, window and option contents may differ: the
//!   first segment's are used, as the stack would build one header.
//! * **A run closes** when a candidate of its direction does not join (that
//!   candidate then starts a new run), when it takes a FIN segment (FIN with
//!   data ends a run), when a TCP frame of its direction that is not a
//!   candidate carries payload or SYN/FIN/RST (pure ACKs in between do not
//!   close it), when a frame of the *reverse* direction carries payload or
//!   SYN/FIN/RST (a stack cannot put data sent after an answer into the
//!   super-frame sent before it), when [`WINDOW`] records have passed since
//!   its first segment (bounds memory), and at the end of the file.
//! * **The super-frame** is the first segment's headers (link, IP, TCP,
//!   options) and the payloads of all merged segments, IP datagram only
//!   (Ethernet padding and trailers dropped). IPv4 total length / IPv6
//!   payload length are set to the super-frame's; PSH and FIN are the union
//!   over the merged segments (GSO puts them on the last segment); the TCP
//!   checksum field holds fold(pseudo-header sum) for the super-frame's TCP
//!   length, not complemented (Linux `CHECKSUM_PARTIAL`); the IPv4 header
//!   checksum is left as captured (the engine writes it). It is sent with
//!   `Desc::tso` and its direction's MSS; a run of one segment is a
//!   super-frame too (one segment out when its payload <= MSS).
//! * **MSS of a direction** (first pass over the whole file): the smallest
//!   non-zero MSS option in a SYN of either direction of its 4-tuple (the
//!   sender uses the smaller of its own and its peer's), else the largest
//!   TCP payload (by IP length) seen in that direction; then at most
//!   [`spec::tso::MSS_MAX`] (counted as clamped: a link this engine drives
//!   has at most a 9000-byte MTU, e.g. loopback captures advertise 65483).
//! * **Everything else passes** as a non-TSO frame. Whole, unfragmented
//!   TCP or UDP frames with a sound header get a checksum request, as from a
//!   stack with checksum offload: `ip_csum` on IPv4, `l4_csum` (`udp` for
//!   UDP) with the L4 checksum field set to fold(pseudo-header sum); UDP over
//!   IPv4 sent without a checksum (0) gets `ip_csum` only; a UDP length that
//!   is not the IP payload's gets none. These frames are cut to their IP
//!   datagram (the engine must not see Ethernet padding when asked for an L4
//!   checksum; padding is the MAC's job), counted as `trimmed`. Any other
//!   frame (ARP, ICMP, PPPoE, IPv6 extension headers, fragments, cut or
//!   unsound frames) passes unchanged with no request. A frame that would be
//!   handed over longer than [`spec::tso::FRAME_MAX`] is kept out of the
//!   engine and written to the output unchanged, counted `too_long`.
//! * **Order**: a super-frame leaves at the position of its first merged
//!   segment (frames of the run's direction that did not join cannot
//!   overtake it, see above, so each direction's byte order is the
//!   capture's); its segments carry that segment's timestamp.

use capture::Frame;
use host::tx_engine::TxFrame;
use spec::conn_table::Key;
use spec::tcp;
use spec::tso::{DATAGRAM_MAX, Desc, FRAME_MAX, MSS_MAX};
use std::collections::{HashMap, VecDeque};

/// A run still open after this many records is closed (memory bound).
pub const WINDOW: u64 = 1024;

const TCP: u8 = 6;
const UDP: u8 = 17;
// The TCP header's flags byte: the low 8 of the 12 flag bits.
const FIN: u8 = tcp::FIN as u8;
const SYN: u8 = tcp::SYN as u8;
const RST: u8 = tcp::RST as u8;
const PSH: u8 = tcp::PSH as u8;
const ACK: u8 = tcp::ACK as u8;
const URG: u8 = tcp::URG as u8;
const ECE: u8 = tcp::ECE as u8;
const CWR: u8 = tcp::CWR as u8;

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

/// The IP layer of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ip {
    pub l3: usize,
    pub v6: bool,
    /// Where the L4 header starts (IPv6: right after the fixed header).
    pub l4: usize,
    /// IPv4 protocol or IPv6 next header.
    pub proto: u8,
    /// `l3` + the datagram's length as its header says.
    pub end: usize,
    pub fragment: bool,
    /// The whole datagram is in the captured bytes.
    pub whole: bool,
}

/// Why an Ethernet frame has no usable IP layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoIp {
    /// Not IPv4/IPv6 after at most two VLAN tags.
    NotIp,
    /// IPv4/IPv6 EtherType, but a header that cannot be used.
    BadIp,
}

/// Finds the IP header of a captured frame.
pub fn ip_of(f: &Frame) -> Result<Ip, NoIp> {
    ip(&f.data, f.data.len() < f.orig_len as usize)
}

/// Finds the IP header of an Ethernet frame; `cut`: the capture holds
/// only part of it (snaplen).
///
/// An IPv4 total length of 0 on a frame that is not cut is taken as "the
/// rest of the frame", as tshark reads it: a capture taken on a TSO sender
/// shows the super-frame the stack handed over, before the NIC filled in
/// the length.
pub fn ip(d: &[u8], cut: bool) -> Result<Ip, NoIp> {
    let mut at = 12;
    let mut tags = 0;
    let ethertype = loop {
        let t = be16(d, at).ok_or(NoIp::NotIp)?;
        if matches!(t, 0x8100 | 0x88a8 | 0x9100) && tags < 2 {
            at += 4;
            tags += 1;
            continue;
        }
        break t;
    };
    let l3 = at + 2;
    match ethertype {
        0x0800 => {
            let vihl = *d.get(l3).ok_or(NoIp::BadIp)?;
            let ihl = 4 * usize::from(vihl & 0x0F);
            if vihl >> 4 != 4 || ihl < 20 || d.len() < l3 + ihl {
                return Err(NoIp::BadIp);
            }
            let total = match be16(d, l3 + 2).ok_or(NoIp::BadIp)? {
                0 if !cut => d.len() - l3,
                n => usize::from(n),
            };
            if total < ihl {
                return Err(NoIp::BadIp);
            }
            let frag = be16(d, l3 + 6).ok_or(NoIp::BadIp)?;
            Ok(Ip {
                l3,
                v6: false,
                l4: l3 + ihl,
                proto: d[l3 + 9],
                end: l3 + total,
                fragment: frag & 0x3FFF != 0,
                whole: l3 + total <= d.len(),
            })
        }
        0x86DD => {
            if d.len() < l3 + 40 || d[l3] >> 4 != 6 {
                return Err(NoIp::BadIp);
            }
            let plen = usize::from(be16(d, l3 + 4).ok_or(NoIp::BadIp)?);
            if plen == 0 {
                return Err(NoIp::BadIp);
            }
            let end = l3 + 40 + plen;
            Ok(Ip {
                l3,
                v6: true,
                l4: l3 + 40,
                proto: d[l3 + 6],
                end,
                fragment: d[l3 + 6] == 44,
                whole: end <= d.len(),
            })
        }
        _ => Err(NoIp::NotIp),
    }
}

/// The TCP header of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tcp {
    pub key: Key,
    pub seq: u32,
    pub flags: u8,
    /// Where the payload starts (the end of the TCP header).
    pub hdr_end: usize,
    /// Payload bytes by the IP length (some may not be captured).
    pub payload: usize,
    /// The MSS option, in a SYN.
    pub syn_mss: Option<u16>,
}

/// The direction of an IP frame's transport flow.
pub fn key(d: &[u8], ip: &Ip, sport: u16, dport: u16) -> Key {
    let mut k = Key {
        v6: ip.v6,
        src: [0; 16],
        dst: [0; 16],
        sport,
        dport,
    };
    if ip.v6 {
        k.src.copy_from_slice(&d[ip.l3 + 8..ip.l3 + 24]);
        k.dst.copy_from_slice(&d[ip.l3 + 24..ip.l3 + 40]);
    } else {
        k.src[..4].copy_from_slice(&d[ip.l3 + 12..ip.l3 + 16]);
        k.dst[..4].copy_from_slice(&d[ip.l3 + 16..ip.l3 + 20]);
    }
    k
}

/// The other direction of the same connection.
pub fn reverse(k: &Key) -> Key {
    Key {
        v6: k.v6,
        src: k.dst,
        dst: k.src,
        sport: k.dport,
        dport: k.sport,
    }
}

/// Parses a sound, unfragmented TCP header (the payload may be cut).
pub fn tcp(d: &[u8], ip: &Ip) -> Option<Tcp> {
    if ip.proto != TCP || ip.fragment {
        return None;
    }
    let l4 = ip.l4;
    let limit = ip.end.min(d.len());
    if l4 + 20 > limit {
        return None;
    }
    let hdr_end = l4 + 4 * usize::from(d[l4 + 12] >> 4);
    if hdr_end < l4 + 20 || hdr_end > limit {
        return None;
    }
    let flags = d[l4 + 13];
    let syn_mss = (flags & SYN != 0)
        .then(|| mss_option(&d[l4 + 20..hdr_end]))
        .flatten();
    Some(Tcp {
        key: key(d, ip, be16(d, l4)?, be16(d, l4 + 2)?),
        seq: u32::from_be_bytes(d[l4 + 4..l4 + 8].try_into().ok()?),
        flags,
        hdr_end,
        payload: ip.end - hdr_end,
        syn_mss,
    })
}

fn mss_option(mut o: &[u8]) -> Option<u16> {
    while let Some(&kind) = o.first() {
        match kind {
            0 => return None,
            1 => o = &o[1..],
            _ => {
                let len = usize::from(*o.get(1)?);
                if len < 2 || len > o.len() {
                    return None;
                }
                if kind == 2 && len == 4 {
                    return be16(o, 2);
                }
                o = &o[len..];
            }
        }
    }
    None
}

/// What the first pass learnt about a direction.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    syn_mss: Option<u16>,
    largest: usize,
}

/// Where a direction's MSS came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MssSource {
    /// The smallest MSS option in the connection's SYNs.
    Syn,
    /// The largest payload the direction sent.
    Largest,
}

/// A direction's MSS for its super-frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mss {
    pub mss: u16,
    pub source: MssSource,
    /// The value before it was cut to [`MSS_MAX`], when it was.
    pub clamped_from: Option<usize>,
}

/// Every direction's MSS, from a first pass over the capture.
#[derive(Debug, Default)]
pub struct MssTable {
    seen: HashMap<Key, Seen>,
}

impl MssTable {
    /// Learns from one frame.
    pub fn add(&mut self, f: &Frame) {
        let d = &f.data;
        let Ok(ip) = ip_of(f) else { return };
        let Some(t) = tcp(d, &ip) else { return };
        let s = self.seen.entry(t.key).or_default();
        s.largest = s.largest.max(t.payload);
        if let Some(m) = t.syn_mss.filter(|&m| m > 0) {
            s.syn_mss = Some(s.syn_mss.map_or(m, |x| x.min(m)));
        }
    }

    /// The MSS of direction `k`.
    pub fn get(&self, k: &Key) -> Mss {
        let this = self.seen.get(k).copied().unwrap_or_default();
        let back = self.seen.get(&reverse(k)).copied().unwrap_or_default();
        let syn = match (this.syn_mss, back.syn_mss) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let (raw, source) = match syn {
            Some(m) => (usize::from(m), MssSource::Syn),
            None => (this.largest.max(1), MssSource::Largest),
        };
        let max = usize::from(MSS_MAX);
        Mss {
            mss: raw.min(max) as u16,
            source,
            clamped_from: (raw > max).then_some(raw),
        }
    }
}

/// What became of an input frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A TSO super-frame of one or more merged segments.
    Super,
    /// A frame with a checksum request.
    Checksummed,
    /// A frame with no request.
    Plain,
    /// Too long for the engine: written unchanged, never sent.
    TooLong,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Super => "segment",
            Kind::Checksummed => "checksummed",
            Kind::Plain => "plain",
            Kind::TooLong => "too_long",
        }
    }
}

/// One thing to send (or to write as it is), in output order.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: Kind,
    /// What the engine gets; `None` for [`Kind::TooLong`].
    pub tx: Option<TxFrame>,
    /// The captured frames it was built from, in capture order.
    pub originals: Vec<Frame>,
    /// The timestamp its frames leave with.
    pub ts_ns: u64,
    /// Why it is not (part of) a super-frame; "" for super-frames.
    pub reason: &'static str,
    /// Its TCP direction, if any.
    pub dir: Option<Key>,
    /// The direction's MSS, for super-frames.
    pub mss: u16,
    /// Ethernet padding or trailer bytes cut before the engine.
    pub trimmed: bool,
}

/// Ones' complement sum of an IP pseudo-header, folded, not complemented.
pub fn pseudo_sum(d: &[u8], ip: &Ip, l4_len: usize) -> u16 {
    let addrs = if ip.v6 {
        &d[ip.l3 + 8..ip.l3 + 40]
    } else {
        &d[ip.l3 + 12..ip.l3 + 20]
    };
    let sum = model::csum::add_bytes(0, addrs) + u64::from(ip.proto) + l4_len as u64;
    model::csum::fold(sum)
}

fn put16(d: &mut [u8], at: usize, v: u16) {
    d[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// How the segments of a run are laid out; equal for all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Layout {
    ip: Ip,
    hdr_end: usize,
    /// The link header, the IP version/IHL byte and TCP byte 12.
    link: Vec<u8>,
    vihl: u8,
    offset_byte: u8,
    flags: u8,
}

impl Layout {
    fn of(d: &[u8], ip: &Ip, t: &Tcp) -> Layout {
        Layout {
            ip: Ip {
                end: 0,
                whole: true,
                ..*ip
            },
            hdr_end: t.hdr_end,
            link: d[..ip.l3].to_vec(),
            vihl: d[ip.l3],
            offset_byte: d[ip.l4 + 12],
            flags: t.flags & (ACK | ECE),
        }
    }
}

struct Run {
    id: u64,
    first_number: u64,
    layout: Layout,
    next_seq: u32,
    /// Bytes of the super-frame's IP datagram so far.
    datagram: usize,
    flags: u8,
    members: Vec<(Frame, usize)>,
    mss: u16,
}

enum Slot {
    Ready(Box<Item>),
    Pending(u64),
}

/// Turns captured frames, in order, into [`Item`]s, in output order.
pub struct Merger {
    mss: MssTable,
    open: HashMap<Key, Run>,
    /// Open runs by id.
    open_ids: HashMap<u64, Key>,
    closed: HashMap<u64, Item>,
    queue: VecDeque<Slot>,
    next_id: u64,
}

impl Merger {
    pub fn new(mss: MssTable) -> Merger {
        Merger {
            mss,
            open: HashMap::new(),
            open_ids: HashMap::new(),
            closed: HashMap::new(),
            queue: VecDeque::new(),
            next_id: 0,
        }
    }

    /// The MSS table of the first pass.
    pub fn mss(&self) -> &MssTable {
        &self.mss
    }

    /// Takes the next captured frame.
    pub fn push(&mut self, f: Frame) {
        self.expire(f.number);
        let ip = match ip_of(&f) {
            Ok(ip) => ip,
            Err(NoIp::NotIp) => return self.pass(f, "not_ip", None),
            Err(NoIp::BadIp) => return self.pass(f, "bad_ip", None),
        };
        if ip.fragment {
            return self.pass(f, "fragment", None);
        }
        if !ip.whole {
            // Still close runs its direction cannot continue past.
            if let Some(t) = tcp(&f.data, &ip) {
                self.interrupt(&t);
            }
            return self.pass(f, "cut", None);
        }
        match ip.proto {
            TCP => {}
            UDP => return self.udp(f, ip),
            _ => return self.pass(f, "other_l4", None),
        }
        let Some(t) = tcp(&f.data, &ip) else {
            return self.pass(f, "bad_l4", None);
        };
        let reason = if t.flags & SYN != 0 {
            "tcp_syn"
        } else if t.flags & RST != 0 {
            "tcp_rst"
        } else if t.flags & URG != 0 {
            "tcp_urg"
        } else if t.payload == 0 {
            "tcp_no_payload"
        } else if ip.end - ip.l3 > DATAGRAM_MAX {
            "tcp_over_64k"
        } else if ip.l4 > 255 || t.hdr_end > 255 {
            "tcp_offsets"
        } else {
            ""
        };
        if !reason.is_empty() {
            self.interrupt(&t);
            return self.checksummed(f, ip, reason, Some(t.key), 16);
        }
        self.segment(f, ip, t);
    }

    /// Closes every open run: the end of the capture.
    pub fn finish(&mut self) {
        let keys: Vec<Key> = self.open.keys().copied().collect();
        for k in keys {
            self.close(&k);
        }
    }

    /// The next item in output order, once it is complete.
    pub fn pop(&mut self) -> Option<Item> {
        match self.queue.front()? {
            Slot::Ready(_) => match self.queue.pop_front() {
                Some(Slot::Ready(item)) => Some(*item),
                _ => unreachable!("the front was ready"),
            },
            Slot::Pending(id) => {
                let item = self.closed.remove(id)?;
                self.queue.pop_front();
                Some(item)
            }
        }
    }

    /// Closes the runs that started [`WINDOW`] records before `number`.
    fn expire(&mut self, number: u64) {
        while let Some(Slot::Pending(id)) = self.queue.front() {
            let Some(k) = self.open_ids.get(id).copied() else {
                break;
            };
            if self.open[&k].first_number + WINDOW > number {
                break;
            }
            self.close(&k);
        }
    }

    /// A TCP frame that does not join a run: closes its own direction's
    /// run if it carries data or SYN/FIN/RST (pure ACKs may sit between
    /// merged segments), and the reverse direction's likewise.
    fn interrupt(&mut self, t: &Tcp) {
        if t.payload > 0 || t.flags & (SYN | FIN | RST) != 0 {
            self.close(&t.key);
            self.close(&reverse(&t.key));
        }
    }

    fn close(&mut self, k: &Key) {
        let Some(run) = self.open.remove(k) else {
            return;
        };
        self.open_ids.remove(&run.id);
        let id = run.id;
        self.closed.insert(id, build_super(run, *k));
    }

    fn segment(&mut self, f: Frame, ip: Ip, t: Tcp) {
        // Data of this direction answers whatever the other one sent.
        self.close(&reverse(&t.key));
        let layout = Layout::of(&f.data, &ip, &t);
        let joins = self.open.get(&t.key).is_some_and(|r| {
            r.next_seq == t.seq
                && r.layout == layout
                && t.flags & CWR == 0
                && r.flags & FIN == 0
                && r.datagram + t.payload <= DATAGRAM_MAX
        });
        if !joins {
            self.close(&t.key);
            let id = self.next_id;
            self.next_id += 1;
            self.queue.push_back(Slot::Pending(id));
            self.open_ids.insert(id, t.key);
            self.open.insert(
                t.key,
                Run {
                    id,
                    first_number: f.number,
                    datagram: t.hdr_end - ip.l3,
                    next_seq: t.seq,
                    flags: t.flags,
                    layout,
                    members: Vec::new(),
                    mss: self.mss.get(&t.key).mss,
                },
            );
        }
        let run = self.open.get_mut(&t.key).expect("opened above");
        run.next_seq = t.seq.wrapping_add(t.payload as u32);
        run.datagram += t.payload;
        run.flags |= t.flags & (PSH | FIN);
        run.members.push((f, ip.end));
        if run.flags & FIN != 0 {
            self.close(&t.key);
        }
    }

    fn udp(&mut self, f: Frame, ip: Ip) {
        let d = &f.data;
        let fits = ip.l4 + 8 <= ip.end;
        let len_ok = fits && be16(d, ip.l4 + 4).map(usize::from) == Some(ip.end - ip.l4);
        if !len_ok {
            return self.pass(f, "bad_l4", None);
        }
        let no_sum = !ip.v6 && be16(d, ip.l4 + 6) == Some(0);
        let k = key(
            d,
            &ip,
            be16(d, ip.l4).unwrap_or(0),
            be16(d, ip.l4 + 2).unwrap_or(0),
        );
        if no_sum {
            self.checksummed(f, ip, "udp_no_checksum", Some(k), 0)
        } else {
            self.checksummed(f, ip, "udp", Some(k), 6)
        }
    }

    /// A whole TCP/UDP frame with a checksum request; `csum_at` is the L4
    /// checksum field's offset in its header, 0 for none.
    fn checksummed(&mut self, f: Frame, ip: Ip, reason: &'static str, dir: Option<Key>, at: usize) {
        // Offsets past a byte cannot be described: pass it unchanged.
        if ip.l3 > 255 || (at != 0 && ip.l4 > 255) {
            return self.pass(f, "l4_offset", dir);
        }
        let mut d = f.data[..ip.end].to_vec();
        let trimmed = d.len() < f.data.len();
        // A TSO sender's capture (IPv4 total length 0): the stack's length.
        let datagram = ip.end - ip.l3;
        if !ip.v6 && be16(&d, ip.l3 + 2) == Some(0) && datagram <= 0xFFFF {
            put16(&mut d, ip.l3 + 2, datagram as u16);
        }
        if at != 0 {
            let seed = pseudo_sum(&d, &ip, ip.end - ip.l4);
            put16(&mut d, ip.l4 + at, seed);
        }
        let desc = Desc {
            len: d.len() as u32,
            l3_offset: ip.l3 as u8,
            l4_offset: ip.l4.min(255) as u8,
            v6: ip.v6,
            ip_csum: !ip.v6,
            l4_csum: at != 0,
            udp: at == 6,
            ..Default::default()
        };
        self.ready(Item {
            kind: Kind::Checksummed,
            tx: Some(TxFrame { frame: d, desc }),
            ts_ns: f.ts_ns,
            originals: vec![f],
            reason,
            dir,
            mss: 0,
            trimmed,
        });
    }

    /// A frame that passes unchanged with no request.
    fn pass(&mut self, f: Frame, reason: &'static str, dir: Option<Key>) {
        self.ready(Item {
            kind: Kind::Plain,
            tx: Some(TxFrame {
                frame: f.data.clone(),
                desc: Desc {
                    len: f.data.len() as u32,
                    ..Default::default()
                },
            }),
            ts_ns: f.ts_ns,
            originals: vec![f],
            reason,
            dir,
            mss: 0,
            trimmed: false,
        });
    }

    fn ready(&mut self, mut item: Item) {
        if item.tx.as_ref().is_some_and(|t| t.frame.len() > FRAME_MAX) {
            item.kind = Kind::TooLong;
            item.tx = None;
            item.trimmed = false;
        }
        self.queue.push_back(Slot::Ready(Box::new(item)));
    }
}

/// The super-frame of a closed run.
fn build_super(run: Run, k: Key) -> Item {
    let Layout { ip, hdr_end, .. } = run.layout;
    let first = &run.members[0].0;
    let mut d = first.data[..hdr_end].to_vec();
    let mut trimmed = false;
    for (m, end) in &run.members {
        d.extend_from_slice(&m.data[hdr_end..*end]);
        trimmed |= *end < m.data.len();
    }
    let n = d.len();
    if ip.v6 {
        put16(&mut d, ip.l3 + 4, (n - ip.l3 - 40) as u16);
    } else {
        put16(&mut d, ip.l3 + 2, (n - ip.l3) as u16);
    }
    let l4 = ip.l4;
    d[l4 + 13] |= run.flags & (PSH | FIN);
    let seed = pseudo_sum(&d, &ip, d.len() - l4);
    put16(&mut d, l4 + 16, seed);
    let desc = Desc::tso(
        d.len(),
        run.mss,
        ip.l3 as u8,
        l4 as u8,
        hdr_end as u8,
        ip.v6,
    );
    Item {
        kind: Kind::Super,
        ts_ns: first.ts_ns,
        tx: Some(TxFrame { frame: d, desc }),
        originals: run.members.into_iter().map(|(f, _)| f).collect(),
        reason: "",
        dir: Some(k),
        mss: run.mss,
        trimmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ethernet + IPv4 + TCP (20-byte header) with `payload` bytes.
    fn seg(number: u64, seq: u32, flags: u8, payload: &[u8], reverse: bool) -> Frame {
        let mut f = vec![0u8; 54];
        f[12] = 0x08;
        f[14] = 0x45;
        put16(&mut f, 16, (40 + payload.len()) as u16);
        f[23] = TCP;
        let (a, b) = if reverse { (2, 1) } else { (1, 2) };
        f[26..30].copy_from_slice(&[10, 0, 0, a]);
        f[30..34].copy_from_slice(&[10, 0, 0, b]);
        put16(&mut f, 34, if reverse { 80 } else { 1000 });
        put16(&mut f, 36, if reverse { 1000 } else { 80 });
        f[38..42].copy_from_slice(&seq.to_be_bytes());
        f[46] = 0x50;
        f[47] = flags;
        f.extend_from_slice(payload);
        while f.len() < 60 {
            f.push(0);
        }
        Frame {
            number,
            ts_ns: number * 1000,
            link_type: 1,
            orig_len: f.len() as u32,
            data: f,
            added: 0,
        }
    }

    fn run(frames: Vec<Frame>) -> Vec<Item> {
        let mut mss = MssTable::default();
        for f in &frames {
            mss.add(f);
        }
        let mut m = Merger::new(mss);
        let mut out = Vec::new();
        for f in frames {
            m.push(f);
            while let Some(i) = m.pop() {
                out.push(i);
            }
        }
        m.finish();
        while let Some(i) = m.pop() {
            out.push(i);
        }
        out
    }

    #[test]
    fn in_order_segments_merge_and_acks_stay_behind() {
        let items = run(vec![
            seg(1, 100, ACK, &[1; 10], false),
            seg(2, 7, ACK, &[], true),
            seg(3, 110, ACK | PSH, &[2; 10], false),
            seg(4, 120, ACK, &[3; 5], false),
        ]);
        let kinds: Vec<_> = items.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [Kind::Super, Kind::Checksummed]);
        let s = items[0].tx.as_ref().unwrap();
        assert_eq!(s.frame.len(), 54 + 25);
        assert_eq!(s.frame[16..18], [0, 65]);
        assert_eq!(s.frame[47], ACK | PSH);
        assert_eq!(s.desc.mss, 10);
        assert!(s.desc.tso);
        assert_eq!(items[0].originals.len(), 3);
        assert_eq!(items[0].ts_ns, 1000);
        // The pure ACK was cut to its datagram (it had padding).
        assert_eq!(items[1].tx.as_ref().unwrap().frame.len(), 54);
        assert!(items[1].trimmed);
    }

    #[test]
    fn gaps_reverse_data_and_fin_end_runs() {
        let items = run(vec![
            seg(1, 100, ACK, &[1; 10], false),
            seg(2, 200, ACK, &[1; 10], false), // not in order
            seg(3, 7, ACK, &[9; 3], true),     // reverse data
            seg(4, 210, ACK | FIN, &[1; 4], false),
            seg(5, 214, ACK, &[1; 4], false),
        ]);
        let n: Vec<_> = items.iter().map(|i| (i.kind, i.originals.len())).collect();
        assert_eq!(
            n,
            [
                (Kind::Super, 1),
                (Kind::Super, 1),
                (Kind::Super, 1),
                (Kind::Super, 1),
                (Kind::Super, 1)
            ]
        );
        assert_eq!(items[3].tx.as_ref().unwrap().frame[47], ACK | FIN);
    }

    #[test]
    fn the_checksum_field_holds_the_pseudo_header_sum() {
        let items = run(vec![seg(1, 1, ACK, &[0xAB; 30], false)]);
        let d = &items[0].tx.as_ref().unwrap().frame;
        // 10.0.0.1 + 10.0.0.2 + 6 + 50
        let want = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 50;
        assert_eq!(u16::from_be_bytes([d[50], d[51]]), want);
    }

    #[test]
    fn a_tso_senders_capture_is_a_super_frame() {
        let mut f = seg(1, 1, ACK, &[7; 3000], false);
        put16(&mut f.data, 16, 0);
        let items = run(vec![f, seg(2, 3001, ACK, &[7; 100], false)]);
        assert_eq!(items.len(), 1);
        let s = items[0].tx.as_ref().unwrap();
        assert_eq!(s.frame.len(), 54 + 3100);
        assert_eq!(s.frame[16..18], 3140u16.to_be_bytes());
        assert_eq!(s.desc.mss, 3000);
    }

    #[test]
    fn frames_over_frame_max_stay_out_of_the_engine() {
        let mut f = seg(1, 1, ACK, &[], false);
        f.data[23] = 47; // GRE: passes with no request
        f.data.resize(FRAME_MAX + 1, 0);
        let items = run(vec![f]);
        assert_eq!(items[0].kind, Kind::TooLong);
        assert!(items[0].tx.is_none());
    }

    #[test]
    fn old_runs_are_closed_so_memory_stays_bounded() {
        let mut frames = vec![seg(1, 1, ACK, &[1; 10], false)];
        for n in 2..WINDOW + 10 {
            let mut f = seg(n, 1, ACK, &[], true);
            f.data[23] = 47;
            frames.push(f);
        }
        frames.push(seg(WINDOW + 10, 11, ACK, &[1; 10], false));
        let items = run(frames);
        let supers: Vec<_> = items.iter().filter(|i| i.kind == Kind::Super).collect();
        assert_eq!(supers.len(), 2);
        assert_eq!(items[0].kind, Kind::Super);
    }

    #[test]
    fn mss_comes_from_the_smaller_syn_option() {
        let mut syn = seg(1, 1, SYN, &[], false);
        syn.data[46] = 0x60;
        syn.data.splice(54..54, [2, 4, 0x05, 0xb4]);
        put16(&mut syn.data, 16, 44);
        let mut t = MssTable::default();
        t.add(&syn);
        t.add(&seg(2, 1, ACK, &[0; 40], true));
        let k = tcp(&syn.data, &ip_of(&syn).unwrap()).unwrap().key;
        assert_eq!(t.get(&k).mss, 1460);
        assert_eq!(t.get(&reverse(&k)).mss, 1460);
        assert_eq!(t.get(&reverse(&k)).source, MssSource::Syn);
    }
}
