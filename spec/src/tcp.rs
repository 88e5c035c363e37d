//! TCP header flag bits, as the parser records them: the 12 bits below the
//! data offset (RFC 9293 §3.1; ECE and CWR from RFC 3168; bit 8, once NS,
//! is AccECN's AE).

pub const FIN: u16 = 0x001;
pub const SYN: u16 = 0x002;
pub const RST: u16 = 0x004;
pub const PSH: u16 = 0x008;
pub const ACK: u16 = 0x010;
pub const URG: u16 = 0x020;
pub const ECE: u16 = 0x040;
pub const CWR: u16 = 0x080;
pub const AE: u16 = 0x100;
/// The flag field's width.
pub const FLAG_BITS: u32 = 12;
