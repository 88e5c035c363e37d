//! The host's header parser: never panics on any input, and finds the
//! headers where hand-written frames put them.

use host::wire::{Ip, WireError, headers};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]
    #[test]
    fn any_bytes_parse_or_fail_cleanly(f in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = headers(&f);
    }

    #[test]
    fn ip_lookalikes_parse_or_fail_cleanly(mut f in prop::collection::vec(any::<u8>(), 14..300), v6 in any::<bool>()) {
        f[12..14].copy_from_slice(if v6 { &[0x86, 0xdd] } else { &[0x08, 0x00] });
        if let Ok(h) = headers(&f) {
            prop_assert!(h.l3 < h.l4 && h.l4 <= h.ip_end && h.ip_end <= f.len());
        }
    }
}

/// 802.1Q + QinQ, IPv4 with 4 bytes of options, TCP.
#[test]
fn tagged_ipv4_with_options() {
    let mut f = vec![0u8; 12];
    f.extend([0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2, 0x08, 0x00]);
    let mut ip = vec![
        0x46, 0, 0, 44, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 1, 1, 1, 0,
    ];
    ip.extend([0u8; 20]);
    f.extend(&ip);
    let h = headers(&f).unwrap();
    assert_eq!((h.l3, h.l4, h.ip_end, h.proto), (22, 46, 66, 6));
    assert_eq!(h.ip, Ip::V4 { header_len: 24 });
}

/// IPv6 with hop-by-hop and destination options before UDP.
#[test]
fn ipv6_extension_chain() {
    let mut f = vec![0u8; 12];
    f.extend([0x86, 0xdd]);
    let payload_len: u16 = 8 + 16 + 8;
    f.extend([0x60, 0, 0, 0]);
    f.extend(payload_len.to_be_bytes());
    f.extend([0, 64]);
    f.extend([0u8; 32]);
    f.extend([60, 0, 0, 0, 0, 0, 0, 0]);
    f.extend([17, 1]);
    f.extend([0u8; 14]);
    f.extend([0u8; 8]);
    let h = headers(&f).unwrap();
    assert_eq!((h.l3, h.l4, h.proto, h.ip), (14, 14 + 40 + 24, 17, Ip::V6));
    f[14 + 40 + 8] = 44;
    assert_eq!(headers(&f), Err(WireError::UnknownExtension(44)));
}
