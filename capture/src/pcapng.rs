//! pcapng: blocks of (type, length, body, length again), grouped in sections
//! that each set their byte order and describe their interfaces; packets
//! name the interface, which gives their link type and clock.

use pcap_parser::OptionCode;
use pcap_parser::pcapng::{
    InterfaceDescriptionBlock, parse_enhancedpacketblock_be, parse_enhancedpacketblock_le,
    parse_interfacedescriptionblock_be, parse_interfacedescriptionblock_le,
    parse_sectionheaderblock, parse_simplepacketblock_be, parse_simplepacketblock_le,
};

use super::error::{Fault, Problem};
use super::source::Source;
use super::{MAX_CAPLEN, Packet, SkipReason, Step};

/// Largest block accepted: packets are capped far lower, but name
/// resolution or decryption secrets may be big. Bounds memory on garbage.
pub(super) const MAX_BLOCK_LEN: u32 = 16 << 20;

const SECTION_HEADER: u32 = 0x0a0d_0d0a;
const INTERFACE_DESCRIPTION: u32 = 1;
const OBSOLETE_PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const ENHANCED_PACKET: u32 = 6;
const SYSTEMD_JOURNAL: u32 = 9;
const CUSTOM: u32 = 0x0000_0bad;
const CUSTOM_NO_COPY: u32 = 0x4000_0bad;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;

/// Type, length, and the section header's byte-order magic.
const BLOCK_HEADER_LEN: usize = 8;
const SECTION_PREFIX_LEN: usize = 12;

pub(super) fn is_magic(magic: u32) -> bool {
    magic == SECTION_HEADER
}

struct Interface {
    link_type: u32,
    snaplen: u32,
    /// Timestamp ticks per second (if_tsresol).
    ticks_per_s: u64,
    /// Seconds added to every timestamp (if_tsoffset).
    offset_s: i64,
}

impl Interface {
    fn new(idb: &InterfaceDescriptionBlock, big_endian: bool) -> Result<Self, Problem> {
        let resol = idb.if_tsresol;
        let exp = u32::from(resol & 0x7f);
        let ticks_per_s = if resol & 0x80 == 0 {
            10u64.checked_pow(exp)
        } else {
            1u64.checked_shl(exp)
        };
        // pcap-parser reads if_tsoffset little-endian whatever the section.
        let offset_s = idb
            .options
            .iter()
            .filter(|o| o.code == OptionCode::IfTsoffset)
            .find_map(|o| <[u8; 8]>::try_from(o.value().get(..8)?).ok())
            .map_or(0, |b| {
                if big_endian {
                    i64::from_be_bytes(b)
                } else {
                    i64::from_le_bytes(b)
                }
            });
        Ok(Interface {
            link_type: idb.linktype.0 as u32,
            snaplen: idb.snaplen,
            ticks_per_s: ticks_per_s.ok_or(Problem::BadTsResolution(resol))?,
            offset_s,
        })
    }

    fn ts_ns(&self, ticks: u64) -> u64 {
        const NS: i128 = 1_000_000_000;
        let ns =
            i128::from(ticks) * NS / i128::from(self.ticks_per_s) + i128::from(self.offset_s) * NS;
        u64::try_from(ns.max(0)).unwrap_or(u64::MAX)
    }
}

pub(super) struct PcapNg {
    big_endian: bool,
    /// Interfaces of the current section, by id.
    interfaces: Vec<Interface>,
}

impl PcapNg {
    pub fn new() -> Self {
        PcapNg {
            big_endian: false,
            interfaces: Vec::new(),
        }
    }

    fn u32_at(&self, b: &[u8], at: usize) -> u32 {
        let b = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    pub fn next<'a>(&mut self, src: &mut Source, buf: &'a mut Vec<u8>) -> Result<Step<'a>, Fault> {
        let offset = src.offset() - buf.len() as u64;
        let fault = |problem| Fault { offset, problem };
        let mut fill = |buf: &mut Vec<u8>, len| src.fill_to(buf, len).map_err(|e| fault(e.into()));
        if !fill(buf, BLOCK_HEADER_LEN)? {
            return Ok(if buf.is_empty() { Step::End } else { Step::Cut });
        }
        // The section header's type reads the same in both byte orders; its
        // byte-order magic sets the order of everything up to the next one.
        let mut block_type = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
        if block_type == SECTION_HEADER {
            if !fill(buf, SECTION_PREFIX_LEN)? {
                return Ok(Step::Cut);
            }
            self.big_endian = match u32::from_le_bytes([buf[8], buf[9], buf[10], buf[11]]) {
                BYTE_ORDER_MAGIC => false,
                m if m == BYTE_ORDER_MAGIC.swap_bytes() => true,
                m => return Err(fault(Problem::BadByteOrder(m))),
            };
        } else {
            block_type = self.u32_at(buf, 0);
        }
        let len = self.u32_at(buf, 4);
        if len < 12 || len & 3 != 0 || len > MAX_BLOCK_LEN {
            return Err(fault(Problem::BadBlockLength(len)));
        }
        if !fill(buf, len as usize)? {
            return Ok(Step::Cut);
        }
        let tail = self.u32_at(buf, len as usize - 4);
        if tail != len {
            return Err(fault(Problem::BlockLengthMismatch { head: len, tail }));
        }
        self.block(block_type, buf).map_err(fault)
    }

    /// Interprets a complete block whose framing was checked.
    fn block<'a>(&mut self, block_type: u32, block: &'a [u8]) -> Result<Step<'a>, Problem> {
        let be = self.big_endian;
        match block_type {
            SECTION_HEADER => {
                parse_sectionheaderblock(block)
                    .map_err(|_| Problem::Malformed("section header block"))?;
                self.interfaces.clear();
                Ok(Step::Meta)
            }
            INTERFACE_DESCRIPTION => {
                let parsed = if be {
                    parse_interfacedescriptionblock_be(block)
                } else {
                    parse_interfacedescriptionblock_le(block)
                };
                let (_, idb) =
                    parsed.map_err(|_| Problem::Malformed("interface description block"))?;
                self.interfaces.push(Interface::new(&idb, be)?);
                Ok(Step::Meta)
            }
            ENHANCED_PACKET => {
                let parsed = if be {
                    parse_enhancedpacketblock_be(block)
                } else {
                    parse_enhancedpacketblock_le(block)
                };
                let (_, epb) = parsed.map_err(|_| Problem::Malformed("enhanced packet block"))?;
                let ticks = u64::from(epb.ts_high) << 32 | u64::from(epb.ts_low);
                self.packet(epb.if_id, Some(ticks), epb.caplen, epb.origlen, epb.data)
            }
            SIMPLE_PACKET => {
                let parsed = if be {
                    parse_simplepacketblock_be(block)
                } else {
                    parse_simplepacketblock_le(block)
                };
                let (_, spb) = parsed.map_err(|_| Problem::Malformed("simple packet block"))?;
                // The captured length is implied: the original length cut
                // to the block and to the interface's snaplen.
                let mut caplen = spb.origlen.min(spb.data.len() as u32);
                if let Some(snaplen) = self.interfaces.first().map(|i| i.snaplen)
                    && snaplen != 0
                {
                    caplen = caplen.min(snaplen);
                }
                self.packet(0, None, caplen, spb.origlen, spb.data)
            }
            OBSOLETE_PACKET => self.obsolete_packet(block),
            SYSTEMD_JOURNAL | CUSTOM | CUSTOM_NO_COPY => {
                Ok(Step::Skip(SkipReason::NotAPacket { block_type }))
            }
            _ => Ok(Step::Meta),
        }
    }

    /// The packet block of pcapng drafts before 1.0, which pcap-parser
    /// does not know; tshark still reads it.
    fn obsolete_packet<'a>(&self, block: &'a [u8]) -> Result<Step<'a>, Problem> {
        const FIXED: usize = BLOCK_HEADER_LEN + 20;
        if block.len() < FIXED + 4 {
            return Err(Problem::Malformed("obsolete packet block"));
        }
        let if_id = if self.big_endian {
            u16::from_be_bytes([block[8], block[9]])
        } else {
            u16::from_le_bytes([block[8], block[9]])
        };
        let ticks = u64::from(self.u32_at(block, 12)) << 32 | u64::from(self.u32_at(block, 16));
        let (caplen, orig_len) = (self.u32_at(block, 20), self.u32_at(block, 24));
        let data = &block[FIXED..block.len() - 4];
        self.packet(u32::from(if_id), Some(ticks), caplen, orig_len, data)
    }

    /// A packet of `caplen` bytes at the start of `data` (which may carry
    /// padding and options after it).
    fn packet<'a>(
        &self,
        if_id: u32,
        ticks: Option<u64>,
        caplen: u32,
        orig_len: u32,
        data: &'a [u8],
    ) -> Result<Step<'a>, Problem> {
        let count = self.interfaces.len();
        let iface = (self.interfaces.get(if_id as usize))
            .ok_or(Problem::UnknownInterface { if_id, count })?;
        if caplen > MAX_CAPLEN {
            return Err(Problem::RecordTooLong(caplen));
        }
        if caplen > orig_len {
            return Err(Problem::CaplenOverOrig { caplen, orig_len });
        }
        let data = (data.get(..caplen as usize)).ok_or(Problem::Malformed("packet block"))?;
        Ok(Step::Packet(Packet {
            link_type: iface.link_type,
            ts_ns: ticks.map_or(0, |t| iface.ts_ns(t)),
            orig_len,
            data,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(ticks_per_s: u64, offset_s: i64) -> Interface {
        Interface {
            link_type: 1,
            snaplen: 0,
            ticks_per_s,
            offset_s,
        }
    }

    #[test]
    fn timestamps_saturate_instead_of_overflowing() {
        assert_eq!(clock(1, 0).ts_ns(u64::MAX), u64::MAX);
        assert_eq!(clock(1 << 63, 0).ts_ns(u64::MAX), 1_999_999_999);
        assert_eq!(clock(10u64.pow(19), 0).ts_ns(10u64.pow(19)), 1_000_000_000);
        assert_eq!(clock(1, i64::MIN).ts_ns(5), 0);
        assert_eq!(clock(1, i64::MAX).ts_ns(5), u64::MAX);
    }
}
