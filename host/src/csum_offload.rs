//! Checksum offload requests, as a Linux driver builds them.
//!
//! For `CHECKSUM_PARTIAL` the stack leaves the pseudo-header sum (not its
//! complement) in the TCP/UDP checksum field and tells the driver where the
//! segment starts and where the field is; the device sums from there to the
//! end of the frame. [`prepare`] does the stack's part for a frame and
//! returns the [`Command`] for the engine; IPv4 header checksums are
//! requested too, since a segmenting engine must redo them.

use crate::wire::{self, Headers, Ip, WireError};
use spec::tx_csum::{Command, TCP_CSUM_OFFSET, UDP_CSUM_OFFSET};

#[derive(Debug, thiserror::Error)]
pub enum OffloadError {
    #[error(transparent)]
    Wire(#[from] WireError),
    #[error("IP protocol {0} has no checksum the engine can fill")]
    Protocol(u8),
    #[error("segment of {0} bytes is too short for its header")]
    Short(usize),
    #[error("the frame carries {0} bytes of padding after the IP packet")]
    Padded(usize),
    #[error(transparent)]
    Field(#[from] spec::tx_csum::FieldTooLarge),
}

/// Seeds the checksum field of `frame` with the pseudo-header sum and
/// returns the request that completes it.
pub fn prepare(frame: &mut [u8]) -> Result<(Command, u32), OffloadError> {
    let h: Headers = wire::headers(frame)?;
    if h.ip_end != frame.len() {
        return Err(OffloadError::Padded(frame.len() - h.ip_end));
    }
    let (offset, min) = match h.proto {
        6 => (TCP_CSUM_OFFSET, 20),
        17 => (UDP_CSUM_OFFSET, 8),
        p => return Err(OffloadError::Protocol(p)),
    };
    let len = h.ip_end - h.l4;
    if len < min {
        return Err(OffloadError::Short(len));
    }
    let seed = fold(wire::pseudo_header_sum(frame, &h, len));
    let at = h.l4 + usize::from(offset);
    frame[at..at + 2].copy_from_slice(&seed.to_be_bytes());
    let cmd = Command {
        ip: matches!(h.ip, Ip::V4 { .. }),
        l4: true,
        l3_offset: h.l3 as u16,
        csum_start: h.l4 as u16,
        csum_offset: offset,
    };
    let packed = cmd.pack()?;
    Ok((cmd, packed))
}

fn fold(mut s: u64) -> u16 {
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    s as u16
}
