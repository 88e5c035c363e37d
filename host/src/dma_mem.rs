//! DMA-able host memory with an IOMMU's view of it.
//!
//! The driver allocates rings and buffers here and maps each for the
//! device (read, write or both) only while the device owns it: an RX
//! buffer from posting to its completion, a TX buffer from its descriptor
//! to its completion. Every device access is checked against the mappings;
//! one outside them is refused and recorded, so a test fails on any stray
//! write just as a real IOMMU would fault. Accesses are counted on both
//! sides (the driver's "memory touches" and the device's DMA traffic).

use spec::dma::{Fault, Memory};
use std::collections::BTreeMap;

/// Allocations start high, so a device dropping address bits is caught.
const FIRST_ADDR: u64 = 0x0000_7F00_0000_0000;
const PAGE: u64 = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perm {
    Read,
    Write,
    ReadWrite,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MemStats {
    /// Driver (CPU) accesses and their bytes.
    pub cpu_reads: u64,
    pub cpu_read_bytes: u64,
    pub cpu_writes: u64,
    pub cpu_write_bytes: u64,
    /// Device (DMA) bytes.
    pub dev_read_bytes: u64,
    pub dev_write_bytes: u64,
}

#[derive(Default)]
pub struct DmaMem {
    /// Allocations by base address.
    blocks: BTreeMap<u64, Vec<u8>>,
    next: u64,
    /// Device mappings by base address: length and permission.
    maps: BTreeMap<u64, (u64, Perm)>,
    faults: Vec<Fault>,
    pub stats: MemStats,
}

impl DmaMem {
    pub fn new() -> DmaMem {
        DmaMem {
            next: FIRST_ADDR,
            ..DmaMem::default()
        }
    }

    /// A zeroed, page-aligned block of `len` bytes (not mapped).
    pub fn alloc(&mut self, len: usize) -> u64 {
        let addr = self.next;
        self.next += (len as u64).div_ceil(PAGE).max(1) * PAGE;
        self.blocks.insert(addr, vec![0; len]);
        addr
    }

    pub fn free(&mut self, addr: u64) {
        self.unmap(addr);
        self.blocks.remove(&addr);
    }

    /// Lets the device reach `[addr, addr + len)`.
    pub fn map(&mut self, addr: u64, len: usize, perm: Perm) {
        self.maps.insert(addr, (len as u64, perm));
    }

    pub fn unmap(&mut self, addr: u64) {
        self.maps.remove(&addr);
    }

    /// Mapped ranges now (a driver that reclaimed everything has only its
    /// rings mapped).
    pub fn mapped(&self) -> usize {
        self.maps.len()
    }

    /// The accesses refused so far.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    fn block(&mut self, addr: u64, len: usize) -> Option<&mut [u8]> {
        let (base, b) = self.blocks.range_mut(..=addr).next_back()?;
        let off = usize::try_from(addr - base).ok()?;
        b.get_mut(off..off.checked_add(len)?)
    }

    /// The driver reads its memory.
    pub fn cpu_read(&mut self, addr: u64, buf: &mut [u8]) {
        self.stats.cpu_reads += 1;
        self.stats.cpu_read_bytes += buf.len() as u64;
        let b = self
            .block(addr, buf.len())
            .expect("driver reads its own memory");
        buf.copy_from_slice(b);
    }

    pub fn cpu_write(&mut self, addr: u64, data: &[u8]) {
        self.stats.cpu_writes += 1;
        self.stats.cpu_write_bytes += data.len() as u64;
        let b = self
            .block(addr, data.len())
            .expect("driver writes its own memory");
        b.copy_from_slice(data);
    }

    pub fn cpu_read_u64(&mut self, addr: u64) -> u64 {
        let mut b = [0; 8];
        self.cpu_read(addr, &mut b);
        u64::from_le_bytes(b)
    }

    fn check(&mut self, addr: u64, len: usize, write: bool) -> Result<(), Fault> {
        let end = addr.checked_add(len as u64);
        let allowed = self
            .maps
            .range(..=addr)
            .next_back()
            .filter(|(base, (mlen, _))| end.is_some_and(|e| e <= *base + mlen))
            .map(|(_, (_, perm))| *perm);
        let why = match allowed {
            None => "outside every range mapped for the device",
            Some(Perm::Read) if write => "the range is mapped read-only",
            Some(Perm::Write) if !write => "the range is mapped write-only",
            Some(_) => return Ok(()),
        };
        let f = Fault {
            addr,
            len,
            write,
            why: why.into(),
        };
        self.faults.push(f.clone());
        Err(f)
    }
}

impl Memory for DmaMem {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        self.check(addr, buf.len(), false)?;
        self.stats.dev_read_bytes += buf.len() as u64;
        let b = self
            .block(addr, buf.len())
            .expect("mapped memory is allocated");
        buf.copy_from_slice(b);
        Ok(())
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        self.check(addr, data.len(), true)?;
        self.stats.dev_write_bytes += data.len() as u64;
        let b = self
            .block(addr, data.len())
            .expect("mapped memory is allocated");
        b.copy_from_slice(data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_reaches_only_what_is_mapped() {
        let mut m = DmaMem::new();
        let a = m.alloc(100);
        let b = m.alloc(100);
        m.map(a, 64, Perm::Write);
        m.map(b, 100, Perm::Read);
        assert!(m.write(a, &[1; 64]).is_ok());
        assert!(m.write(a + 60, &[1; 5]).is_err(), "past the mapping");
        assert!(m.write(a - 1, &[1]).is_err(), "before it");
        assert!(m.write(b, &[1]).is_err(), "read-only");
        let mut buf = [0; 4];
        assert!(m.read(a, &mut buf).is_err(), "write-only");
        assert!(m.read(b + 96, &mut buf).is_ok());
        m.unmap(a);
        assert!(m.write(a, &[1]).is_err(), "unmapped");
        assert_eq!(m.faults().len(), 5);
        let mut got = [0; 2];
        m.cpu_read(a + 63, &mut got);
        assert_eq!(got, [1, 0], "only the accepted write landed");
    }
}
