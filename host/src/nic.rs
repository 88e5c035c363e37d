//! The driver: owns the rings and buffers of one engine and never loses a
//! completion.
//!
//! TX: [`Nic::send`] copies the frame into a DMA buffer and writes its
//! descriptor; the doorbell is rung once per [`Config::doorbell_batch`]
//! descriptors or on [`Nic::flush`]. A full ring is reported as
//! [`NicError::TxFull`]: the caller reaps completions and retries.
//! RX: the driver keeps every free buffer posted; [`Nic::poll_rx`] reaps
//! completions in a batch, copies the frames out, returns the completion
//! slots and reposts the buffers with one doorbell each.
//!
//! Buffers are mapped for the device only while it owns them, so with
//! [`DmaMem`]'s checks any write outside them is caught.

use crate::device::{Device, DeviceError};
use crate::dma_mem::{DmaMem, Perm};
use spec::conn_table::{self as ct, Answer, Cmd, CmdStatus, Command, Key};
use spec::regs::{self, Counter, Ring, RingReg};
use spec::ring::{self as rg, RxCpl, RxDesc, RxStatus, TxCpl, TxDesc};
use spec::tso::Desc;

mod place;
pub use place::PostedRing;

#[derive(Debug, thiserror::Error)]
pub enum NicError {
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("no opentoe engine here: ID reads {0:#010x}")]
    WrongId(u32),
    #[error("engine version {0:#x} is not major 1: update the driver")]
    WrongVersion(u32),
    #[error("bad configuration: {0}")]
    Config(String),
    #[error("the TX ring is full: reap completions (poll_tx) and send again")]
    TxFull,
    #[error("the frame is {len} bytes; the descriptor says {desc}")]
    LengthMismatch { len: usize, desc: u32 },
    #[error("descriptor field does not fit: {0}")]
    Field(#[from] spec::tso::FieldTooLarge),
    #[error("the engine did not {0} in time")]
    Timeout(&'static str),
    #[error("{ring} completion {index}: {why}")]
    BadCompletion {
        ring: &'static str,
        index: u16,
        why: String,
    },
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Entries of the TX descriptor ring and its completion ring.
    pub tx_ring: usize,
    /// Entries of the RX free-buffer ring and its completion ring.
    pub rx_ring: usize,
    /// RX buffers the driver owns (at most `rx_ring` are posted at once).
    pub rx_buffers: usize,
    pub rx_buffer_bytes: usize,
    pub irq_count: u16,
    pub irq_time: u32,
    pub doorbell_batch: usize,
    /// `rx_place`'s `N` and `T` (`PLACE_BYTES`, `PLACE_TIME`), written
    /// where the engine places.
    pub place_bytes: u32,
    pub place_time: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tx_ring: 256,
            rx_ring: 256,
            rx_buffers: 256,
            rx_buffer_bytes: 9728,
            irq_count: 1,
            irq_time: 0,
            doorbell_batch: 16,
            place_bytes: spec::rx_place::DEFAULT_BYTES,
            place_time: spec::rx_place::DEFAULT_TIME as u32,
        }
    }
}

/// What the driver did, for the cost benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DriverStats {
    pub reg_reads: u64,
    pub reg_writes: u64,
    pub doorbells: u64,
    pub tx_descriptors: u64,
    pub rx_descriptors: u64,
    pub tx_completions: u64,
    pub rx_completions: u64,
    /// Most descriptors sent between two doorbells / reaped in one poll.
    pub largest_tx_batch: u64,
    pub largest_rx_batch: u64,
}

/// A frame the engine received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RxFrame {
    pub cpl: RxCpl,
    /// The bytes written (all of them, or the buffer's capacity with
    /// `RxStatus::TooBig`).
    pub data: Vec<u8>,
}

/// What the RX completion ring said, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RxEvent {
    Frame(RxFrame),
    /// `rx_place` wrote payload into a posted ring ([`Nic::post`]).
    Placed(spec::rx_place::PlaceCpl),
}

/// A ring in host memory as the driver tracks it.
struct HostRing {
    base: u64,
    log: u32,
    head: u16,
    tail: u16,
    entry: usize,
}

impl HostRing {
    fn new(mem: &mut DmaMem, entries: usize, entry: usize, perm: Perm) -> HostRing {
        let base = mem.alloc(entries * entry);
        mem.map(base, entries * entry, perm);
        HostRing {
            base,
            log: entries.trailing_zeros(),
            head: 0,
            tail: 0,
            entry,
        }
    }

    fn size(&self) -> u16 {
        1 << self.log
    }

    fn used(&self) -> u16 {
        self.tail.wrapping_sub(self.head)
    }

    fn slot(&self, index: u16) -> usize {
        usize::from(index & (self.size() - 1))
    }

    fn addr(&self, index: u16) -> u64 {
        self.base + (self.slot(index) * self.entry) as u64
    }
}

pub struct Nic<D: Device> {
    dev: D,
    cfg: Config,
    tx: HostRing,
    txc: HostRing,
    rx: HostRing,
    rxc: HostRing,
    /// The TX tail the device has been told.
    tx_rung: u16,
    /// Per TX slot: the buffer in flight.
    tx_bufs: Vec<Option<u64>>,
    /// Per RX slot: the buffer posted and its capacity.
    rx_bufs: Vec<Option<u64>>,
    rx_free: Vec<u64>,
    pub stats: DriverStats,
}

fn check_ring(what: &str, n: usize) -> Result<(), NicError> {
    if n.is_power_of_two() && n <= 1 << regs::MAX_LOG_SIZE {
        Ok(())
    } else {
        Err(NicError::Config(format!(
            "{what} of {n} entries: use a power of two up to {}",
            1 << regs::MAX_LOG_SIZE
        )))
    }
}

impl<D: Device> Nic<D> {
    /// Resets the engine, checks what it is, sets up the rings and posts
    /// the RX buffers.
    pub fn open(mut dev: D, cfg: Config) -> Result<Nic<D>, NicError> {
        check_ring("the TX ring", cfg.tx_ring)?;
        check_ring("the RX ring", cfg.rx_ring)?;
        let max = rg::FIELD_RXD_CAPACITY.max() as usize;
        if cfg.rx_buffers == 0 || cfg.rx_buffer_bytes == 0 || cfg.rx_buffer_bytes > max {
            return Err(NicError::Config(format!(
                "{} RX buffers of {} bytes: need at least one buffer of 1..={max} bytes",
                cfg.rx_buffers, cfg.rx_buffer_bytes
            )));
        }
        let id = dev.read_reg(regs::ID.offset)?;
        if id != regs::ID_VALUE {
            return Err(NicError::WrongId(id));
        }
        let version = dev.read_reg(regs::VERSION.offset)?;
        if version >> 16 != regs::VERSION_VALUE >> 16 {
            return Err(NicError::WrongVersion(version));
        }
        let mem = dev.mem();
        let tx = HostRing::new(mem, cfg.tx_ring, rg::TX_DESC_BYTES, Perm::Read);
        let txc = HostRing::new(mem, cfg.tx_ring, rg::TX_CPL_BYTES, Perm::Write);
        let rx = HostRing::new(mem, cfg.rx_ring, rg::RX_DESC_BYTES, Perm::Read);
        let rxc = HostRing::new(mem, cfg.rx_ring, rg::RX_CPL_BYTES, Perm::Write);
        let rx_free = (0..cfg.rx_buffers)
            .map(|_| mem.alloc(cfg.rx_buffer_bytes))
            .collect();
        let mut nic = Nic {
            dev,
            tx_bufs: vec![None; cfg.tx_ring],
            rx_bufs: vec![None; cfg.rx_ring],
            cfg,
            tx,
            txc,
            rx,
            rxc,
            tx_rung: 0,
            rx_free,
            stats: DriverStats::default(),
        };
        nic.restart()?;
        Ok(nic)
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn device(&mut self) -> &mut D {
        &mut self.dev
    }

    pub fn read_reg(&mut self, offset: u32) -> Result<u32, NicError> {
        self.stats.reg_reads += 1;
        Ok(self.dev.read_reg(offset)?)
    }

    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), NicError> {
        self.stats.reg_writes += 1;
        Ok(self.dev.write_reg(offset, value)?)
    }

    /// Resets the engine in the middle of anything: waits until its memory
    /// traffic has stopped, takes every buffer back (TX frames not yet
    /// completed are abandoned: their count is returned) and starts again.
    pub fn reset(&mut self) -> Result<usize, NicError> {
        let abandoned = self.tx_bufs.iter().filter(|b| b.is_some()).count();
        self.restart()?;
        Ok(abandoned)
    }

    fn restart(&mut self) -> Result<(), NicError> {
        self.write_reg(regs::CONTROL.offset, regs::CTRL_RESET)?;
        self.wait_until("go idle after reset", |n| {
            Ok(n.read_reg(regs::STATUS.offset)? & regs::STATUS_IDLE != 0)
        })?;
        let mem = self.dev.mem();
        for b in self.tx_bufs.iter_mut().filter_map(Option::take) {
            mem.free(b);
        }
        for b in self.rx_bufs.iter_mut().filter_map(Option::take) {
            mem.unmap(b);
            self.rx_free.push(b);
        }
        for r in [&mut self.tx, &mut self.txc, &mut self.rx, &mut self.rxc] {
            // Completion rings restart at phase 1: zeroed slots read empty.
            mem.cpu_write(r.base, &vec![0; usize::from(r.size()) * r.entry]);
            r.head = 0;
            r.tail = 0;
        }
        self.tx_rung = 0;
        let rings = [&self.tx, &self.txc, &self.rx, &self.rxc].map(|r| (r.base, r.log));
        for (ring, (base, log)) in Ring::ALL.into_iter().zip(rings) {
            self.write_reg(ring.reg(RingReg::BaseLo), base as u32)?;
            self.write_reg(ring.reg(RingReg::BaseHi), (base >> 32) as u32)?;
            self.write_reg(ring.reg(RingReg::LogSize), log)?;
        }
        self.write_reg(regs::IRQ_MOD_COUNT.offset, u32::from(self.cfg.irq_count))?;
        self.write_reg(regs::IRQ_MOD_TIME.offset, self.cfg.irq_time)?;
        if self.places()? {
            self.write_reg(regs::PLACE_BYTES.offset, self.cfg.place_bytes)?;
            self.write_reg(regs::PLACE_TIME.offset, self.cfg.place_time)?;
        }
        self.write_reg(regs::IRQ_ENABLE.offset, regs::IRQ_TX | regs::IRQ_RX)?;
        self.write_reg(regs::CONTROL.offset, regs::CTRL_ENABLE)?;
        self.post_rx()
    }

    /// Polls `done` (reading registers lets the device run) a bounded
    /// number of times.
    fn wait_until(
        &mut self,
        what: &'static str,
        mut done: impl FnMut(&mut Self) -> Result<bool, NicError>,
    ) -> Result<(), NicError> {
        for _ in 0..100_000 {
            if done(self)? {
                return Ok(());
            }
            self.dev.wait(1)?;
        }
        Err(NicError::Timeout(what))
    }

    /// Queues a frame (or a TSO super-frame) for sending; returns its
    /// descriptor index.
    pub fn send(&mut self, frame: &[u8], desc: Desc) -> Result<u16, NicError> {
        if frame.len() != desc.len as usize {
            return Err(NicError::LengthMismatch {
                len: frame.len(),
                desc: desc.len,
            });
        }
        if self.tx.used() == self.tx.size() {
            return Err(NicError::TxFull);
        }
        let bytes = TxDesc { addr: 0, desc }.to_bytes()?;
        let mem = self.dev.mem();
        // The engine reads whole 8-byte words.
        let words = frame.len().next_multiple_of(spec::dma::WORD_BYTES);
        let buf = mem.alloc(words);
        mem.cpu_write(buf, frame);
        mem.map(buf, words, Perm::Read);
        let index = self.tx.tail;
        let mut d = bytes;
        d[..8].copy_from_slice(&buf.to_le_bytes());
        mem.cpu_write(self.tx.addr(index), &d);
        let slot = self.tx.slot(index);
        self.tx_bufs[slot] = Some(buf);
        self.tx.tail = index.wrapping_add(1);
        self.stats.tx_descriptors += 1;
        if usize::from(self.tx.tail.wrapping_sub(self.tx_rung)) >= self.cfg.doorbell_batch {
            self.flush()?;
        }
        Ok(index)
    }

    /// Rings the TX doorbell for the descriptors written since the last.
    pub fn flush(&mut self) -> Result<(), NicError> {
        let batch = self.tx.tail.wrapping_sub(self.tx_rung);
        if batch == 0 {
            return Ok(());
        }
        self.stats.largest_tx_batch = self.stats.largest_tx_batch.max(u64::from(batch));
        self.stats.doorbells += 1;
        self.tx_rung = self.tx.tail;
        self.write_reg(Ring::Tx.reg(RingReg::Tail), u32::from(self.tx.tail))
    }

    /// TX descriptors not yet completed.
    pub fn tx_in_flight(&self) -> usize {
        usize::from(self.tx.used())
    }

    /// Reaps the TX completions written so far, frees their buffers and
    /// returns the slots with one doorbell.
    pub fn poll_tx(&mut self) -> Result<Vec<TxCpl>, NicError> {
        let mut done = Vec::new();
        loop {
            let index = self.txc.head;
            let w = self.dev.mem().cpu_read_u64(self.txc.addr(index));
            if rg::FIELD_PHASE.get(w) != rg::phase(index, self.txc.log) {
                break;
            }
            let cpl = TxCpl::from_word(w);
            if cpl.index != self.tx.head || self.tx.used() == 0 {
                return Err(NicError::BadCompletion {
                    ring: "TX",
                    index: cpl.index,
                    why: format!("expected descriptor {} next", self.tx.head),
                });
            }
            let slot = self.tx.slot(cpl.index);
            if let Some(b) = self.tx_bufs[slot].take() {
                self.dev.mem().free(b);
            }
            self.tx.head = self.tx.head.wrapping_add(1);
            self.txc.head = index.wrapping_add(1);
            done.push(cpl);
        }
        if !done.is_empty() {
            self.stats.tx_completions += done.len() as u64;
            self.stats.doorbells += 1;
            self.write_reg(Ring::TxCpl.reg(RingReg::Head), u32::from(self.txc.head))?;
        }
        Ok(done)
    }

    /// Reaps up to `max` RX completions, copies their frames out and
    /// reposts the buffers; for a driver that posts no `rx_place` rings.
    pub fn poll_rx(&mut self, max: usize) -> Result<Vec<RxFrame>, NicError> {
        self.poll_rx_events(max)?
            .into_iter()
            .map(|e| match e {
                RxEvent::Frame(f) => Ok(f),
                RxEvent::Placed(c) => Err(NicError::BadCompletion {
                    ring: "RX",
                    index: self.rxc.head,
                    why: format!(
                        "a placement completion for slot {}, which has no ring",
                        c.slot
                    ),
                }),
            })
            .collect()
    }

    /// Reaps up to `max` RX completions in order: frames (copied out, their
    /// buffers reposted) and `rx_place`'s coalesced completions.
    pub fn poll_rx_events(&mut self, max: usize) -> Result<Vec<RxEvent>, NicError> {
        let mut got = Vec::new();
        while got.len() < max {
            let index = self.rxc.head;
            let mut b = [0; rg::RX_CPL_BYTES];
            self.dev.mem().cpu_read(self.rxc.addr(index), &mut b);
            if rg::FIELD_PHASE.get(b[0].into()) != rg::phase(index, self.rxc.log) {
                break;
            }
            if spec::rx_place::FIELD_PC_STATUS.get(b[0].into()) == spec::rx_place::STATUS_PLACED {
                match self.placed_cpl(index)? {
                    Some(c) => got.push(RxEvent::Placed(c)),
                    None => break,
                }
                continue;
            }
            let bad = |why: String| NicError::BadCompletion {
                ring: "RX",
                index,
                why,
            };
            let cpl = RxCpl::from_bytes(&b).ok_or_else(|| bad(format!("bytes {b:02x?}")))?;
            if cpl.index != self.rx.head || self.rx.used() == 0 {
                return Err(bad(format!(
                    "names buffer {}, expected {}",
                    cpl.index, self.rx.head
                )));
            }
            let slot = self.rx.slot(cpl.index);
            let buf = self.rx_bufs[slot]
                .take()
                .ok_or_else(|| bad("names a slot without a buffer".into()))?;
            let len = spec::rx_csum::FIELD_LEN.get(cpl.verdict.into()) as usize;
            let len = match cpl.status {
                RxStatus::Ok if len <= self.cfg.rx_buffer_bytes => len,
                RxStatus::TooBig => self.cfg.rx_buffer_bytes,
                RxStatus::Ok => return Err(bad(format!("length {len} past the buffer"))),
                RxStatus::BadDesc => return Err(bad("the engine refused our buffer".into())),
            };
            let mem = self.dev.mem();
            mem.unmap(buf);
            let mut data = vec![0; len];
            mem.cpu_read(buf, &mut data);
            self.rx_free.push(buf);
            self.rx.head = self.rx.head.wrapping_add(1);
            self.rxc.head = index.wrapping_add(1);
            got.push(RxEvent::Frame(RxFrame { cpl, data }));
        }
        if !got.is_empty() {
            let n = got.len() as u64;
            self.stats.rx_completions += n;
            self.stats.largest_rx_batch = self.stats.largest_rx_batch.max(n);
            self.stats.doorbells += 1;
            self.write_reg(Ring::RxCpl.reg(RingReg::Head), u32::from(self.rxc.head))?;
            self.post_rx()?;
        }
        Ok(got)
    }

    /// Posts every free buffer the ring has room for, one doorbell.
    fn post_rx(&mut self) -> Result<(), NicError> {
        let mut posted = false;
        while self.rx.used() < self.rx.size() {
            let Some(buf) = self.rx_free.pop() else { break };
            let index = self.rx.tail;
            let d = RxDesc {
                addr: buf,
                capacity: self.cfg.rx_buffer_bytes as u32,
            };
            let mem = self.dev.mem();
            mem.map(buf, self.cfg.rx_buffer_bytes, Perm::Write);
            mem.cpu_write(self.rx.addr(index), &d.to_bytes());
            let slot = self.rx.slot(index);
            self.rx_bufs[slot] = Some(buf);
            self.rx.tail = index.wrapping_add(1);
            self.stats.rx_descriptors += 1;
            posted = true;
        }
        if posted {
            self.stats.doorbells += 1;
            self.write_reg(Ring::Rx.reg(RingReg::Tail), u32::from(self.rx.tail))?;
        }
        Ok(())
    }

    /// RX buffers posted to the engine now.
    pub fn rx_posted(&self) -> usize {
        usize::from(self.rx.used())
    }

    /// Waits up to `cycles` for an interrupt; returns the `IRQ_STATUS` bits
    /// it found (and cleared).
    pub fn wait(&mut self, cycles: u64) -> Result<u32, NicError> {
        if !self.dev.wait(cycles)? {
            return Ok(0);
        }
        let bits = self.read_reg(regs::IRQ_STATUS.offset)?;
        self.write_reg(regs::IRQ_STATUS.offset, bits)?;
        Ok(bits)
    }

    /// One connection-table command over the registers.
    pub fn command(&mut self, cmd: &Cmd) -> Result<Answer, NicError> {
        let (op, bank, slot, key, rcv, una) = match *cmd {
            Cmd::Insert {
                key,
                rcv_nxt,
                snd_una,
                bank,
            } => {
                let bank = bank.map_or(0, |b| 1 + b.min(1) as u32);
                (Command::Insert, bank, 0, Some(key), rcv_nxt, snd_una)
            }
            Cmd::Remove(s) => (Command::Remove, 0, s, None, 0, 0),
            Cmd::Read(s) => (Command::Read, 0, s, None, 0, 0),
            Cmd::WriteRcvNxt(s, v) => (Command::WriteRcvNxt, 0, s, None, v, 0),
            Cmd::WriteSndUna(s, v) => (Command::WriteSndUna, 0, s, None, 0, v),
            Cmd::ReadCounters(s) => (Command::ReadCounters, 0, s, None, 0, 0),
        };
        let Ok(slot) = u16::try_from(slot) else {
            return Ok(Answer::status(CmdStatus::BadSlot));
        };
        if let Some(k) = key {
            let port = k.to_port();
            for i in 0..regs::CT_KEY_WORDS as usize {
                let w = regs::word(&port, i);
                self.write_reg(regs::CT_KEY + 4 * i as u32, w)?;
            }
            self.write_reg(regs::CT_BANK.offset, bank)?;
            self.write_reg(regs::CT_SND_UNA.offset, una)?;
        } else {
            self.write_reg(regs::CT_SLOT.offset, u32::from(slot))?;
        }
        if matches!(cmd, Cmd::Insert { .. } | Cmd::WriteRcvNxt(..)) {
            self.write_reg(regs::CT_RCV_NXT.offset, rcv)?;
        }
        if matches!(cmd, Cmd::WriteSndUna(..)) {
            self.write_reg(regs::CT_SND_UNA.offset, una)?;
        }
        let status = self.run_command(op, slot)?;
        let mut a = Answer::status(status);
        let ok = status == CmdStatus::Ok;
        match cmd {
            Cmd::Insert { .. } if ok || status == CmdStatus::Exists => {
                a.slot = Some(self.read_reg(regs::CT_RSP_SLOT.offset)? as usize);
            }
            Cmd::Read(_) if ok => {
                let mut port = [0u8; 37];
                for i in 0..regs::CT_KEY_WORDS as usize {
                    let w = self.read_reg(regs::CT_RSP_KEY + 4 * i as u32)?;
                    regs::put_word(&mut port, i, w);
                }
                let key = Key::from_port(&port).ok_or_else(|| NicError::BadCompletion {
                    ring: "CT",
                    index: slot,
                    why: format!("malformed key {port:02x?}"),
                })?;
                let s = self.read_state()?;
                a.entry = Some((key, s[0] as u32, s[1] as u32));
            }
            Cmd::ReadCounters(_) if ok => {
                let s = self.read_state()?;
                a.counters = Some([s[2], s[3], s[4], s[5]]);
            }
            _ => {}
        }
        Ok(a)
    }

    /// Starts command `op` (its arguments written) and waits for its status.
    fn run_command(&mut self, op: Command, slot: u16) -> Result<CmdStatus, NicError> {
        self.write_reg(regs::CT_COMMAND.offset, op as u32)?;
        let mut status = 0;
        self.wait_until("answer a table command", |n| {
            status = n.read_reg(regs::CT_STATUS.offset)?;
            Ok(status & regs::CT_BUSY == 0)
        })?;
        let code = u64::from(status & 7);
        CmdStatus::from_code(code).ok_or_else(|| NicError::BadCompletion {
            ring: "CT",
            index: slot,
            why: format!("status code {code}"),
        })
    }

    fn read_state(&mut self) -> Result<[u64; 6], NicError> {
        let mut b = [0u8; ct::STATE_BITS as usize / 8];
        for i in 0..regs::CT_RSP_STATE_WORDS as usize {
            let w = self.read_reg(regs::CT_RSP_STATE + 4 * i as u32)?;
            regs::put_word(&mut b, i, w);
        }
        Ok(ct::unpack_state(&b))
    }

    pub fn counter(&mut self, c: Counter) -> Result<u32, NicError> {
        self.read_reg(c.offset())
    }

    /// Every counter, in `Counter::ALL` order.
    pub fn counters(&mut self) -> Result<Vec<(Counter, u32)>, NicError> {
        Counter::ALL
            .into_iter()
            .map(|c| Ok((c, self.counter(c)?)))
            .collect()
    }

    /// `rx_place`'s counters by name, where the engine places.
    pub fn place_counters(&mut self) -> Result<Vec<(&'static str, u32)>, NicError> {
        use spec::rx_place::{COUNTER_BASE, COUNTERS};
        if !self.places()? {
            return Ok(Vec::new());
        }
        (0..COUNTERS.len())
            .map(|i| Ok((COUNTERS[i], self.read_reg(COUNTER_BASE + 4 * i as u32)?)))
            .collect()
    }
}
