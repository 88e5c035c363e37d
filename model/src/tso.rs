//! What `tso` must emit for a frame (rules in [`spec::tso`]), and what the
//! wire sees once `tx_checksum` has filled in the checksums.

use crate::csum;
use crate::tx_checksum;
use spec::tso::{self as ts, Desc, Status};
use spec::tx_csum::Command;

/// One frame `tso` hands to `tx_checksum`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub frame: Vec<u8>,
    pub cmd: Command,
    /// Leaves marked bad: the host marked the frame bad.
    pub user: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub segments: Vec<Segment>,
    pub status: Status,
}

/// Cuts `frame` as `desc` asks; `user`: the host marked it bad.
pub fn segment(frame: &[u8], user: bool, desc: Desc) -> Output {
    let status = refusal(frame, desc);
    if status != Status::Ok {
        return Output {
            segments: vec![],
            status,
        };
    }
    let len = desc.len as usize;
    let cmd = desc.checksum_command();
    let got = frame.len().min(len);
    let mut status = match frame.len().cmp(&len) {
        std::cmp::Ordering::Less => Status::Truncated,
        std::cmp::Ordering::Equal => Status::Ok,
        std::cmp::Ordering::Greater => Status::Overlong,
    };
    let (hdr, bounds) = if desc.tso {
        let hdr = usize::from(desc.hdr_len);
        (hdr, segment_bounds(len, hdr, usize::from(desc.mss)))
    } else {
        (0, vec![(0, len)])
    };
    let single = bounds.len() == 1;
    let mut segments: Vec<Segment> = bounds
        .iter()
        .enumerate()
        .take_while(|(_, (_, end))| *end <= got)
        .filter(|(_, (start, end))| hdr + end - start > 0)
        .map(|(i, &(start, end))| {
            let mut s = frame[..hdr].to_vec();
            s.extend_from_slice(&frame[start..end]);
            if !single {
                fix_header(&mut s, frame, desc, i, i + 1 == bounds.len());
            }
            Segment {
                frame: s,
                cmd,
                user: false,
            }
        })
        .collect();
    // The last segment waits for the frame's last byte, so it alone can
    // still carry the host's verdict.
    if user
        && status != Status::Truncated
        && let Some(last) = segments.last_mut()
    {
        last.user = true;
        status = Status::HostError;
    }
    Output { segments, status }
}

/// The frames on the wire: the segments through `tx_checksum` (whose
/// buffer holds `max_len` bytes).
pub fn send(frame: &[u8], desc: Desc, max_len: usize) -> (Vec<tx_checksum::Output>, Status) {
    send_flagged(frame, false, desc, max_len)
}

/// [`send`] for a frame the host may have marked bad (`user`).
pub fn send_flagged(
    frame: &[u8],
    user: bool,
    desc: Desc,
    max_len: usize,
) -> (Vec<tx_checksum::Output>, Status) {
    let out = segment(frame, user, desc);
    let wire = out
        .segments
        .iter()
        .map(|s| tx_checksum::apply(&s.frame, s.user, s.cmd, max_len))
        .collect();
    (wire, out.status)
}

/// Payload byte ranges of the segments of a super-frame `len` bytes long.
fn segment_bounds(len: usize, hdr: usize, mss: usize) -> Vec<(usize, usize)> {
    let mut v: Vec<_> = (hdr..len)
        .step_by(mss)
        .map(|s| (s, (s + mss).min(len)))
        .collect();
    if v.is_empty() {
        v.push((hdr, hdr));
    }
    v
}

fn refusal(f: &[u8], d: Desc) -> Status {
    let len = d.len as usize;
    if !d.tso {
        return if len > ts::FRAME_MAX {
            Status::TooLong
        } else {
            Status::Ok
        };
    }
    let (l3, l4, hdr) = (
        usize::from(d.l3_offset),
        usize::from(d.l4_offset),
        usize::from(d.hdr_len),
    );
    if d.mss == 0 || d.mss > ts::MSS_MAX {
        return Status::BadMss;
    }
    if len.saturating_sub(l3) > ts::DATAGRAM_MAX {
        return Status::TooLong;
    }
    let ip_min = if d.v6 { ts::IPV6_LEN } else { ts::IPV4_MIN };
    if hdr > len || l3 + ip_min > l4 || l4 + ts::TCP_MIN > hdr {
        return Status::BadHeader;
    }
    if f.len() < hdr {
        return Status::Truncated;
    }
    let (version, proto) = if d.v6 { (6, f[l3 + 6]) } else { (4, f[l3 + 9]) };
    if f[l3] >> 4 != version || proto != 6 {
        return Status::NotTcp;
    }
    if l4 + 4 * usize::from(f[l4 + 12] >> 4) != hdr {
        return Status::HeaderLengthMismatch;
    }
    Status::Ok
}

fn put16(s: &mut [u8], at: usize, v: u16) {
    s[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// Fixes segment `i`'s copied header as Linux GSO does.
fn fix_header(s: &mut [u8], orig: &[u8], d: Desc, i: usize, last: bool) {
    let (l3, l4) = (usize::from(d.l3_offset), usize::from(d.l4_offset));
    let n = s.len();
    if d.v6 {
        put16(s, l3 + 4, (n - l3 - ts::IPV6_LEN) as u16);
    } else {
        put16(s, l3 + 2, (n - l3) as u16);
        if !d.fixed_id {
            let id = u16::from_be_bytes([orig[l3 + 4], orig[l3 + 5]]);
            put16(s, l3 + 4, id.wrapping_add(i as u16));
        }
    }
    let seq = u32::from_be_bytes(orig[l4 + 4..l4 + 8].try_into().unwrap());
    let seq = seq.wrapping_add((i * usize::from(d.mss)) as u32);
    s[l4 + 4..l4 + 8].copy_from_slice(&seq.to_be_bytes());
    if !last {
        s[l4 + 13] &= !(ts::TCP_FIN | ts::TCP_PSH);
    }
    if i > 0 {
        s[l4 + 13] &= !ts::TCP_CWR;
    }
    // The pseudo-header sum covered the super-frame's TCP length; swap in
    // the segment's (tcp_gso_segment's `newcheck`).
    let check = u16::from_be_bytes([orig[l4 + 16], orig[l4 + 17]]);
    let old_len = (d.len as usize - l4) as u16;
    let seed = csum::fold(u64::from(check) + u64::from(!old_len) + (n - l4) as u64);
    put16(s, l4 + 16, seed);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ethernet + IPv4 + TCP super-frame with `payload` bytes 0, 1, 2...
    fn v4(payload: usize, flags: u8) -> Vec<u8> {
        let mut f = vec![0u8; 54];
        f[12] = 0x08;
        f[14] = 0x45;
        f[16..18].copy_from_slice(&((40 + payload) as u16).to_be_bytes());
        f[18..20].copy_from_slice(&0xfffe_u16.to_be_bytes());
        f[23] = 6;
        f[34 + 4..34 + 8].copy_from_slice(&0xffff_fff0_u32.to_be_bytes());
        f[34 + 12] = 0x50;
        f[34 + 13] = flags;
        f.extend((0..payload).map(|i| i as u8));
        f
    }

    #[test]
    fn segments_split_payload_and_fix_headers() {
        let f = v4(25, 0x80 | 0x08 | 0x01 | 0x10);
        let out = segment(&f, false, Desc::tso(f.len(), 10, 14, 34, 54, false));
        assert_eq!(out.status, Status::Ok);
        let s: Vec<_> = out.segments.iter().map(|s| &s.frame).collect();
        assert_eq!(s.iter().map(|s| s.len()).collect::<Vec<_>>(), [64, 64, 59]);
        assert_eq!(s[2][54..], (20u8..25).collect::<Vec<_>>()[..]);
        // IDs wrap, sequence numbers wrap, flags move.
        assert_eq!(
            s.iter().map(|s| s[19]).collect::<Vec<_>>(),
            [0xfe, 0xff, 0x00]
        );
        assert_eq!(s[2][38..42], [0, 0, 0, 4]);
        assert_eq!(
            s.iter().map(|s| s[47]).collect::<Vec<_>>(),
            [0x90, 0x10, 0x19]
        );
        assert_eq!(s[1][16..18], [0, 50]);
    }

    #[test]
    fn short_payload_leaves_untouched() {
        let f = v4(10, 0x19);
        let out = segment(&f, false, Desc::tso(f.len(), 10, 14, 34, 54, false));
        assert_eq!(out.segments.len(), 1);
        assert_eq!(out.segments[0].frame, f);
    }

    #[test]
    fn truncated_frames_keep_whole_segments_only() {
        let f = v4(25, 0);
        let out = segment(&f[..70], false, Desc::tso(f.len(), 10, 14, 34, 54, false));
        assert_eq!(out.status, Status::Truncated);
        assert_eq!(out.segments.len(), 1);
    }

    #[test]
    fn a_frame_marked_bad_loses_its_last_segment_only() {
        let f = v4(25, 0);
        let out = segment(&f, true, Desc::tso(f.len(), 10, 14, 34, 54, false));
        assert_eq!(out.status, Status::HostError);
        let bad: Vec<_> = out.segments.iter().map(|s| s.user).collect();
        assert_eq!(bad, [false, false, true]);
    }

    #[test]
    fn bad_descriptors_are_refused() {
        let f = v4(25, 0);
        let d = Desc::tso(f.len(), 10, 14, 34, 54, false);
        let refused = |d: Desc| segment(&f, false, d).status;
        assert_eq!(refused(Desc { mss: 0, ..d }), Status::BadMss);
        assert_eq!(refused(Desc { hdr_len: 50, ..d }), Status::BadHeader);
        assert_eq!(
            refused(Desc { hdr_len: 58, ..d }),
            Status::HeaderLengthMismatch
        );
        assert_eq!(refused(Desc { v6: true, ..d }), Status::BadHeader);
        assert_eq!(
            refused(Desc {
                l4_offset: 54,
                hdr_len: 74,
                v6: true,
                ..d
            }),
            Status::NotTcp
        );
    }
}
