//! Per-ring registers and per-ring interrupt moderation of the engine
//! model (`spec::regs`).

use spec::regs::{MAX_LOG_SIZE, Ring, RingReg};

#[derive(Clone, Copy, Debug, Default)]
pub struct RingRegs {
    pub base: u64,
    log: u32,
    pub head: u16,
    pub tail: u16,
}

impl RingRegs {
    pub fn log(&self) -> u32 {
        self.log
    }

    fn size(&self) -> u16 {
        1 << self.log
    }

    /// Entries the host posted and the engine has not taken.
    pub fn pending(&self) -> u16 {
        self.tail.wrapping_sub(self.head)
    }

    /// Completion slots the engine may write.
    pub fn room(&self) -> u16 {
        self.size().saturating_sub(self.pending())
    }

    /// The address of entry `index` (of `bytes` each).
    pub fn entry(&self, index: u16, bytes: usize) -> u64 {
        self.base + (u64::from(index & (self.size() - 1)) * bytes as u64)
    }

    pub fn read(&self, reg: RingReg) -> u32 {
        match reg {
            RingReg::BaseLo => self.base as u32,
            RingReg::BaseHi => (self.base >> 32) as u32,
            RingReg::LogSize => self.log,
            RingReg::Head => self.head.into(),
            RingReg::Tail => self.tail.into(),
        }
    }

    /// A host write; what the host may not write is ignored.
    pub fn write(&mut self, ring: Ring, reg: RingReg, v: u32, enabled: bool) {
        let v64 = u64::from(v);
        match reg {
            RingReg::BaseLo if !enabled => self.base = (self.base & !0xFFFF_FFFF) | (v64 & !7),
            RingReg::BaseHi if !enabled => self.base = (self.base & 0xFFFF_FFFF) | v64 << 32,
            RingReg::LogSize if !enabled => self.log = (v & 0xF).min(MAX_LOG_SIZE),
            RingReg::Tail if ring.host_produces() => self.tail = v as u16,
            RingReg::Head if !ring.host_produces() => self.head = v as u16,
            _ => {}
        }
    }
}

/// Completions written since the ring's interrupt bit was last set.
#[derive(Clone, Copy, Debug, Default)]
pub struct Irq {
    count: u32,
    oldest: Option<u64>,
}

impl Irq {
    /// One more completion at `now`; true when `threshold` (0 as 1) is met.
    pub fn add(&mut self, now: u64, threshold: u32) -> bool {
        self.count += 1;
        self.oldest.get_or_insert(now);
        if self.count >= threshold.max(1) {
            self.fire();
            return true;
        }
        false
    }

    /// When the timer of `time` cycles fires, if anything waits.
    pub fn due(&self, time: u32) -> Option<u64> {
        (time > 0).then_some(())?;
        self.oldest.map(|t| t + u64::from(time))
    }

    pub fn fire(&mut self) {
        *self = Irq::default();
    }
}
