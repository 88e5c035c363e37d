//! What `tx_checksum` must emit for a frame (rules in [`spec::tx_csum`]).

use crate::csum;
use spec::tx_csum::{Command, Status};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub frame: Vec<u8>,
    pub status: Status,
    /// The frame leaves marked bad: refused, or already bad on input.
    pub user: bool,
}

/// Applies `cmd` to `frame`; `max_len` is the longest frame the instance
/// buffers.
pub fn apply(frame: &[u8], user: bool, cmd: Command, max_len: usize) -> Output {
    let status = check(frame, cmd, max_len);
    let mut out = frame[..frame.len().min(max_len)].to_vec();
    if status == Status::Ok {
        insert(&mut out, frame, cmd);
    }
    Output {
        frame: out,
        status,
        user: user || status != Status::Ok,
    }
}

fn check(f: &[u8], cmd: Command, max_len: usize) -> Status {
    let n = f.len();
    if n > max_len {
        return Status::TooLong;
    }
    if cmd.ip {
        let l3 = usize::from(cmd.l3_offset);
        if l3 + 20 > n {
            return Status::IpOutsideFrame;
        }
        if f[l3] >> 4 != 4 {
            return Status::IpNotV4;
        }
        let ihl = usize::from(f[l3] & 0x0F);
        if ihl < 5 {
            return Status::IpBadIhl;
        }
        if l3 + 4 * ihl > n {
            return Status::IpOptionsOutsideFrame;
        }
    }
    if cmd.l4 && usize::from(cmd.csum_start) + usize::from(cmd.csum_offset) + 2 > n {
        return Status::L4OutsideFrame;
    }
    Status::Ok
}

/// Writes the requested checksums into `out`, summing over `orig`.
fn insert(out: &mut [u8], orig: &[u8], cmd: Command) {
    if cmd.ip {
        let l3 = usize::from(cmd.l3_offset);
        let end = l3 + 4 * usize::from(orig[l3] & 0x0F);
        let without_field = csum::add_bytes(0, &orig[l3..end])
            - u64::from(u16::from_be_bytes([orig[l3 + 10], orig[l3 + 11]]));
        let value = !csum::fold(without_field);
        out[l3 + 10..l3 + 12].copy_from_slice(&value.to_be_bytes());
    }
    if cmd.l4 {
        let start = usize::from(cmd.csum_start);
        let at = start + usize::from(cmd.csum_offset);
        let value = match !csum::sum(&orig[start..]) {
            0 => 0xFFFF,
            v => v,
        };
        out[at..at + 2].copy_from_slice(&value.to_be_bytes());
    }
}
