//! The connection table's hash: Toeplitz, as in receive-side scaling, so the
//! host computes the same bucket the hardware does.
//!
//! Input: source address, destination address, source port, destination
//! port, each in network byte order, as they arrive (12 bytes for IPv4, 36
//! for IPv6). Bit `i` of the input (most significant bit of byte 0 first),
//! when set, XORs into the result the 32 key bits starting at key bit `i`.
//! The key is [`KEY_BYTES`] bytes, programmed by the host.

pub const KEY_BYTES: usize = 40;
/// The longest input: an IPv6 4-tuple.
pub const MAX_INPUT_BYTES: usize = 36;

/// The key Microsoft's RSS documentation verifies against ("Verifying the
/// RSS Hash Calculation"); the table's reset value.
pub const DEFAULT_KEY: [u8; KEY_BYTES] = [
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
];

/// The hash of `input` (at most [`MAX_INPUT_BYTES`]) under `key`.
pub fn hash(key: &[u8; KEY_BYTES], input: &[u8]) -> u32 {
    assert!(input.len() <= MAX_INPUT_BYTES, "Toeplitz input too long");
    let mut out = 0u32;
    for (i, byte) in input.iter().enumerate() {
        for b in 0..8 {
            if byte & (0x80 >> b) != 0 {
                out ^= window(key, 8 * i + b);
            }
        }
    }
    out
}

/// Key bits `bit .. bit + 32`, most significant first.
fn window(key: &[u8; KEY_BYTES], bit: usize) -> u32 {
    let byte = bit / 8;
    let mut w = 0u64;
    for k in 0..5 {
        w = w << 8 | u64::from(*key.get(byte + k).unwrap_or(&0));
    }
    (w >> (8 - bit % 8)) as u32
}

/// The hash input of a 4-tuple: addresses of 4 (IPv4) or 16 (IPv6) bytes.
pub fn tuple(src: &[u8], dst: &[u8], sport: u16, dport: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(MAX_INPUT_BYTES);
    v.extend_from_slice(src);
    v.extend_from_slice(dst);
    v.extend_from_slice(&sport.to_be_bytes());
    v.extend_from_slice(&dport.to_be_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    /// Microsoft's verification table: (destination, port), (source, port),
    /// hash of the addresses only, hash with TCP ports.
    const V4: [(&str, u16, &str, u16, u32, u32); 5] = [
        (
            "161.142.100.80",
            1766,
            "66.9.149.187",
            2794,
            0x323e8fc2,
            0x51ccc178,
        ),
        (
            "65.69.140.83",
            4739,
            "199.92.111.2",
            14230,
            0xd718262a,
            0xc626b0ea,
        ),
        (
            "12.22.207.184",
            38024,
            "24.19.198.95",
            12898,
            0xd2d0a5de,
            0x5c2b394a,
        ),
        (
            "209.142.163.6",
            2217,
            "38.27.205.30",
            48228,
            0x82989176,
            0xafc7327f,
        ),
        (
            "202.188.127.2",
            1303,
            "153.39.163.191",
            44251,
            0x5d1809c5,
            0x10e828a2,
        ),
    ];
    const V6: [(&str, u16, &str, u16, u32, u32); 3] = [
        (
            "3ffe:2501:200:3::1",
            1766,
            "3ffe:2501:200:1fff::7",
            2794,
            0x2cc18cd5,
            0x40207d3d,
        ),
        (
            "ff02::1",
            4739,
            "3ffe:501:8::260:97ff:fe40:efab",
            14230,
            0x0f0c461c,
            0xdde51bbf,
        ),
        (
            "fe80::200:f8ff:fe21:67cf",
            38024,
            "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
            44251,
            0x4b61e985,
            0x02d1feef,
        ),
    ];

    #[test]
    fn microsoft_rss_verification_vectors() {
        for (dst, dport, src, sport, ip_only, with_tcp) in V4 {
            let s = src.parse::<Ipv4Addr>().unwrap().octets();
            let d = dst.parse::<Ipv4Addr>().unwrap().octets();
            assert_eq!(hash(&DEFAULT_KEY, &[s, d].concat()), ip_only, "{src} {dst}");
            assert_eq!(hash(&DEFAULT_KEY, &tuple(&s, &d, sport, dport)), with_tcp);
        }
        for (dst, dport, src, sport, ip_only, with_tcp) in V6 {
            let s = src.parse::<Ipv6Addr>().unwrap().octets();
            let d = dst.parse::<Ipv6Addr>().unwrap().octets();
            assert_eq!(hash(&DEFAULT_KEY, &[s, d].concat()), ip_only, "{src} {dst}");
            assert_eq!(hash(&DEFAULT_KEY, &tuple(&s, &d, sport, dport)), with_tcp);
        }
    }
}
