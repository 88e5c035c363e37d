//! RFC 1071 ones' complement arithmetic.

/// Adds `data` as big-endian 16-bit words (a trailing odd byte is the high
/// byte of a word padded with zero) to `acc`, without folding.
pub fn add_bytes(acc: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(2);
    let mut sum = acc;
    for w in &mut chunks {
        sum += u64::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u64::from(*last) << 8;
    }
    sum
}

/// Folds carries back in until the sum fits 16 bits.
pub fn fold(mut sum: u64) -> u16 {
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    sum as u16
}

/// The ones' complement sum of `data`.
pub fn sum(data: &[u8]) -> u16 {
    fold(add_bytes(0, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1071 section 3 worked example: bytes 00 01 f2 03 f4 f5 f6 f7 sum
    /// to ddf2 (the text shows the byte-swapped 0xf2dd on a little-endian
    /// machine; the big-endian sum is 0xddf2).
    #[test]
    fn rfc1071_worked_example() {
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(add_bytes(0, &data), 0x2_ddf0);
        assert_eq!(sum(&data), 0xddf2);
        assert_eq!(!sum(&data), 0x220d);
    }

    /// The IPv4 header of Wikipedia's "IPv4 header checksum" article,
    /// computed by hand there: its checksum is b861.
    #[test]
    fn ipv4_header_example() {
        let hdr = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(!sum(&hdr), 0xb861);
    }

    #[test]
    fn odd_length_pads_low_byte() {
        assert_eq!(sum(&[0xab]), 0xab00);
        assert_eq!(sum(&[0x12, 0x34, 0x56]), 0x6834);
    }

    #[test]
    fn fold_handles_multiple_carries() {
        assert_eq!(fold(0x1_fffe), 0xffff);
        assert_eq!(fold(0xffff_ffff), 0xffff);
        assert_eq!(fold(0), 0);
    }
}
