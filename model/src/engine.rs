//! The whole engine at register level: what a driver sees through the
//! registers and host memory, per `spec::regs` and `spec::ring`, with the
//! data path of the other models (`rx_checksum`, `rx_parse`, `conn_table`,
//! `tso` + `tx_checksum`) behind it.
//!
//! It has no clock of its own: a TX doorbell is served at once, RX frames
//! when they are handed in, and time passes only through [`Engine::advance`]
//! (for interrupt moderation by time). Memory latency and throughput are the
//! RTL's business; the order and content of every memory write are this
//! model's.

mod rx;

use crate::conn_table::Table;
use crate::engine_regs::{Irq, RingRegs};
use crate::rx_place::{Placer, Ring as PlaceRing};
use rx::Out;
use spec::conn_table::{self as ct, Answer, Cmd, CmdStatus, Command, Key};
use spec::dma::{Fault, Memory};
use spec::regs::{self, Counter, Ring, RingReg};
use spec::ring::{self as rg, TxCpl, TxDesc};
use spec::rx_place::{self as rp, Flush};
use std::collections::VecDeque;

/// A frame the engine put on the wire.
pub type WireFrame = crate::tx_checksum::Output;

pub struct Engine {
    /// Bytes per beat (reported in `CAPS`).
    width: u32,
    /// The longest frame `tx_checksum` takes.
    max_frame: usize,
    table: Table,
    control: u32,
    irq_status: u32,
    irq_enable: u32,
    irq_count: u32,
    irq_time: u32,
    irq: [Irq; 2],
    rings: [RingRegs; 4],
    /// CT_* argument registers by word offset from `CT_COMMAND`.
    ct_args: [u32; 32],
    ct_answer: Answer,
    ct_state: [u8; ct::STATE_BITS as usize / 8],
    counters: [u32; Counter::ALL.len()],
    now: u64,
    wire: Vec<WireFrame>,
    /// `rx_place`: the rings posted, intervals and pending completions
    /// (kept across a reset, like the table).
    place: Placer,
    /// RX completions waiting for room in the completion ring, in order.
    backlog: VecDeque<Out>,
}

impl Engine {
    pub fn new(width: u32, max_frame: usize, table: Table) -> Engine {
        Engine {
            width,
            max_frame,
            table,
            control: 0,
            irq_status: 0,
            irq_enable: 0,
            irq_count: 0,
            irq_time: 0,
            irq: [Irq::default(); 2],
            rings: [RingRegs::default(); 4],
            ct_args: [0; 32],
            ct_answer: Answer::status(CmdStatus::Ok),
            ct_state: [0; ct::STATE_BITS as usize / 8],
            counters: [0; Counter::ALL.len()],
            now: 0,
            wire: Vec::new(),
            place: Placer::new(rp::DEFAULT_BYTES, rp::DEFAULT_TIME),
            backlog: VecDeque::new(),
        }
    }

    pub fn placer(&self) -> &Placer {
        &self.place
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    fn enabled(&self) -> bool {
        self.control & regs::CTRL_ENABLE != 0
    }

    pub fn irq_line(&self) -> bool {
        self.irq_status & self.irq_enable != 0
    }

    pub fn now(&self) -> u64 {
        self.now
    }

    /// The frames sent since the last call.
    pub fn take_wire(&mut self) -> Vec<WireFrame> {
        std::mem::take(&mut self.wire)
    }

    fn count(&mut self, c: Counter, n: u64) {
        let v = &mut self.counters[c as usize];
        *v = v.wrapping_add(n as u32);
    }

    pub fn read(&self, offset: u32) -> u32 {
        let ring = ring_of(offset);
        match offset {
            o if o == regs::ID.offset => regs::ID_VALUE,
            o if o == regs::VERSION.offset => regs::VERSION_VALUE,
            o if o == regs::CAPS.offset => {
                let entries = self.table.entries().trailing_zeros();
                self.width | entries << 8 | (self.table.ways() as u32) << 16 | regs::CAPS_PLACE
            }
            o if o == regs::CONTROL.offset => self.control,
            o if o == regs::STATUS.offset => regs::STATUS_IDLE,
            o if o == regs::IRQ_STATUS.offset => self.irq_status,
            o if o == regs::IRQ_ENABLE.offset => self.irq_enable,
            o if o == regs::IRQ_MOD_COUNT.offset => self.irq_count,
            o if o == regs::IRQ_MOD_TIME.offset => self.irq_time,
            o if o == regs::PLACE_BYTES.offset => self.place.bytes,
            o if o == regs::PLACE_TIME.offset => self.place.time as u32,
            _ if ring.is_some() => {
                let (r, reg) = ring.expect("checked");
                self.rings[r as usize].read(reg)
            }
            o if o == regs::CT_STATUS.offset => self.ct_answer.status as u32,
            o if o == regs::CT_RSP_SLOT.offset => self.ct_answer.slot.unwrap_or(0) as u32,
            o if (regs::CT_RSP_KEY..regs::CT_RSP_KEY + 4 * regs::CT_KEY_WORDS).contains(&o) => {
                let port = self.ct_answer.entry.map_or([0; 37], |e| e.0.to_port());
                regs::word(&port, ((o - regs::CT_RSP_KEY) / 4) as usize)
            }
            o if (regs::CT_RSP_STATE..regs::CT_RSP_STATE + 4 * regs::CT_RSP_STATE_WORDS)
                .contains(&o) =>
            {
                regs::word(&self.ct_state, ((o - regs::CT_RSP_STATE) / 4) as usize)
            }
            o if (regs::CT_COMMAND.offset..regs::CT_RSP_SLOT.offset).contains(&o) => {
                self.ct_args[((o - regs::CT_COMMAND.offset) / 4) as usize]
            }
            o if (regs::COUNTER_BASE..regs::COUNTER_BASE + 4 * Counter::ALL.len() as u32)
                .contains(&o) =>
            {
                self.counters[((o - regs::COUNTER_BASE) / 4) as usize]
            }
            o if (rp::COUNTER_BASE..rp::COUNTER_BASE + 4 * rp::COUNTERS.len() as u32)
                .contains(&o) =>
            {
                self.place.counts.words()[((o - rp::COUNTER_BASE) / 4) as usize]
            }
            _ => 0,
        }
    }

    /// A register write; doorbells run the engine at once.
    pub fn write(&mut self, offset: u32, v: u32, mem: &mut dyn Memory) -> Result<(), Fault> {
        match offset {
            o if o == regs::CONTROL.offset => {
                if v & regs::CTRL_RESET != 0 {
                    self.reset();
                } else {
                    self.control = v & regs::CTRL_ENABLE;
                }
            }
            o if o == regs::IRQ_STATUS.offset => self.irq_status &= !v,
            o if o == regs::IRQ_ENABLE.offset => {
                self.irq_enable = v & (regs::IRQ_TX | regs::IRQ_RX)
            }
            o if o == regs::IRQ_MOD_COUNT.offset => self.irq_count = v & 0xFFFF,
            o if o == regs::IRQ_MOD_TIME.offset => self.irq_time = v & 0xFF_FFFF,
            o if o == regs::PLACE_BYTES.offset => self.place.bytes = (v & regs::PLACE_MASK).max(1),
            o if o == regs::PLACE_TIME.offset => {
                self.place.time = u64::from((v & regs::PLACE_MASK).max(1))
            }
            o if ring_of(o).is_some() => {
                let (r, reg) = ring_of(o).expect("checked");
                let enabled = self.enabled();
                self.rings[r as usize].write(r, reg, v, enabled);
            }
            o if o == regs::CT_COMMAND.offset => {
                self.ct_args[0] = v;
                self.command(v);
            }
            o if (regs::CT_BANK.offset..regs::CT_RSP_SLOT.offset).contains(&o) => {
                self.ct_args[((o - regs::CT_COMMAND.offset) / 4) as usize] = v;
            }
            _ => {}
        }
        self.drain_rx(mem)?;
        self.run_tx(mem)
    }

    /// Clears everything but the connection table and the rings posted to
    /// `rx_place` (`spec::regs`: Reset).
    fn reset(&mut self) {
        self.control = 0;
        self.irq_status = 0;
        self.irq_enable = 0;
        self.irq_count = 0;
        self.irq_time = 0;
        self.irq = [Irq::default(); 2];
        self.rings = [RingRegs::default(); 4];
        self.counters = [0; Counter::ALL.len()];
        self.backlog.clear();
        self.place.bytes = rp::DEFAULT_BYTES;
        self.place.time = rp::DEFAULT_TIME;
        self.place.counts = Default::default();
    }

    fn arg(&self, reg: u32) -> u32 {
        self.ct_args[((reg - regs::CT_COMMAND.offset) / 4) as usize]
    }

    fn command(&mut self, op: u32) {
        let slot = self.arg(regs::CT_SLOT.offset) as usize & 0xFFFF;
        let rcv = self.arg(regs::CT_RCV_NXT.offset);
        let una = self.arg(regs::CT_SND_UNA.offset);
        let mut port = [0u8; 37];
        for i in 0..regs::CT_KEY_WORDS {
            regs::put_word(&mut port, i as usize, self.arg(regs::CT_KEY + 4 * i));
        }
        let cmd = match op {
            x if x == Command::Insert as u32 => match Key::from_port(&port) {
                Some(key) => Cmd::Insert {
                    key,
                    rcv_nxt: rcv,
                    snd_una: una,
                    bank: match self.arg(regs::CT_BANK.offset) & 3 {
                        0 => None,
                        1 => Some(0),
                        _ => Some(1),
                    },
                },
                // Outside the contract; the model refuses it.
                None => return self.answer(Answer::status(CmdStatus::BadSlot), None),
            },
            x if x == Command::Remove as u32 => Cmd::Remove(slot),
            x if x == Command::Read as u32 => Cmd::Read(slot),
            x if x == Command::WriteRcvNxt as u32 => Cmd::WriteRcvNxt(slot, rcv),
            x if x == Command::WriteSndUna as u32 => Cmd::WriteSndUna(slot, una),
            x if x == Command::ReadCounters as u32 => Cmd::ReadCounters(slot),
            x if x == Command::Post as u32 => return self.post(slot),
            x if x == Command::Consume as u32 => {
                let ok = self.place.ring(slot).is_some();
                self.place.advance_head(slot, rcv);
                return self.answer(Answer::status(status(ok)), None);
            }
            x if x == Command::Flush as u32 && slot == usize::from(rp::FLUSH_ALL) => {
                let all = self.place.flush_all(Flush::Host);
                self.backlog.extend(all.into_iter().map(Out::Placed));
                return self.answer(Answer::status(CmdStatus::Ok), None);
            }
            x if x == Command::Flush as u32 => {
                let ok = self.place.ring(slot).is_some();
                if let Some(c) = self.place.flush(slot, Flush::Host) {
                    self.backlog.push_back(Out::Placed(c));
                }
                return self.answer(Answer::status(status(ok)), None);
            }
            _ => return,
        };
        let cmd = match cmd {
            Cmd::WriteRcvNxt(s, v) if self.place.ring(s).is_some() => {
                let to = self.place.write_rcv_nxt(s, v);
                if to != v {
                    // The host filled the hole: it learns the jump at once.
                    self.backlog
                        .extend(self.place.report(s, Flush::OutOfOrder).map(Out::Placed));
                }
                Cmd::WriteRcvNxt(s, to)
            }
            c => c,
        };
        let a = self.table.execute(&cmd);
        if matches!(cmd, Cmd::Remove(_)) && a.status == CmdStatus::Ok {
            self.place.remove(slot);
        }
        let entry = match cmd {
            Cmd::Read(s) | Cmd::ReadCounters(s) => self.table.read(s).ok(),
            _ => None,
        };
        self.answer(a, entry);
    }

    /// `Command::Post`: the slot's ring, starting where its table entry
    /// stands.
    fn post(&mut self, slot: usize) {
        let (base, log_size) = rp::ring_of(
            self.arg(regs::CT_RING_LO.offset),
            self.arg(regs::CT_RING_HI.offset),
        );
        let head = self.arg(regs::CT_RCV_NXT.offset);
        let ts_recent = (self.arg(regs::CT_RING_LO.offset) & rp::RING_PAWS != 0)
            .then(|| self.arg(regs::CT_SND_UNA.offset));
        let ok = self.table.read(slot).ok().is_some_and(|e| {
            let ring = PlaceRing {
                base,
                log_size,
                head,
            };
            self.place.post(slot, ring, e.rcv_nxt, e.snd_una, ts_recent)
        });
        self.answer(Answer::status(status(ok)), None)
    }

    fn answer(&mut self, a: Answer, entry: Option<crate::conn_table::Entry>) {
        self.ct_answer = a;
        if let Some(e) = entry {
            self.ct_answer.entry = Some((e.key, e.rcv_nxt, e.snd_una));
            self.ct_state = ct::pack_state([
                e.rcv_nxt.into(),
                e.snd_una.into(),
                e.frames,
                e.bytes,
                e.fast,
                e.slow,
            ]);
        }
    }

    /// Takes TX descriptors while there are any and a completion slot is
    /// free.
    fn run_tx(&mut self, mem: &mut dyn Memory) -> Result<(), Fault> {
        while self.enabled()
            && self.rings[Ring::Tx as usize].pending() > 0
            && self.rings[Ring::TxCpl as usize].room() > 0
        {
            let index = self.rings[Ring::Tx as usize].head;
            let mut b = [0; rg::TX_DESC_BYTES];
            mem.read(
                self.rings[Ring::Tx as usize].entry(index, rg::TX_DESC_BYTES),
                &mut b,
            )?;
            let d = TxDesc::from_bytes(&b);
            let mut cpl = TxCpl {
                index,
                bad_desc: !d.addr.is_multiple_of(8) || d.desc.len == 0,
                status: 0,
                segments: 0,
            };
            if !cpl.bad_desc {
                let mut frame = vec![0; d.desc.len as usize];
                mem.read(d.addr, &mut frame)?;
                let (out, status) = crate::tso::send(&frame, d.desc, self.max_frame);
                cpl.status = status as u8;
                cpl.segments = out.len() as u16;
                self.count(Counter::TxSegments, out.len() as u64);
                let bytes: usize = out.iter().map(|o| o.frame.len()).sum();
                self.count(Counter::TxBytes, bytes as u64);
                self.wire.extend(out);
            }
            self.count(Counter::TxDescriptors, 1);
            if cpl.bad_desc || cpl.status != 0 {
                self.count(Counter::TxErrors, 1);
            }
            let c = &mut self.rings[Ring::TxCpl as usize];
            let at = c.entry(c.tail, rg::TX_CPL_BYTES);
            let phase = rg::phase(c.tail, c.log());
            mem.write(at, &cpl.to_word(phase).to_le_bytes())?;
            c.tail = c.tail.wrapping_add(1);
            self.rings[Ring::Tx as usize].head = index.wrapping_add(1);
            self.completed(0);
        }
        Ok(())
    }

    /// A completion on ring `which` (0 TX, 1 RX) for interrupt moderation.
    fn completed(&mut self, which: usize) {
        let now = self.now;
        if self.irq[which].add(now, self.irq_count) {
            self.irq_status |= 1 << which;
        }
    }

    /// Lets up to `cycles` pass (at least one), stopping early when the
    /// interrupt line goes up; says whether it is up. Placement timers
    /// that run out on the way write their completions.
    pub fn advance(&mut self, cycles: u64, mem: &mut dyn Memory) -> Result<bool, Fault> {
        let end = self.now + cycles.max(1);
        self.now += 1;
        loop {
            self.place_timers(mem)?;
            if self.irq_line() {
                return Ok(true);
            }
            let irq = (0..2)
                .filter_map(|i| self.irq[i].due(self.irq_time).map(|t| (t, Some(i))))
                .min();
            let place = self.place.next_due().map(|t| (t.max(self.now), None));
            match irq
                .into_iter()
                .chain(place)
                .min()
                .filter(|(t, _)| *t <= end)
            {
                Some((t, which)) => {
                    self.now = self.now.max(t);
                    if let Some(i) = which {
                        self.irq[i].fire();
                        self.irq_status |= 1 << i;
                    }
                }
                None => {
                    self.now = end;
                    self.place_timers(mem)?;
                    return Ok(self.irq_line());
                }
            }
        }
    }
}

fn status(ok: bool) -> CmdStatus {
    if ok {
        CmdStatus::Ok
    } else {
        CmdStatus::BadSlot
    }
}

/// Which ring register `offset` is, if any.
fn ring_of(offset: u32) -> Option<(Ring, RingReg)> {
    let rel = offset.checked_sub(regs::RING_BASE)?;
    let ring = *Ring::ALL.get((rel / regs::RING_STRIDE) as usize)?;
    let reg = *RingReg::ALL.get((rel % regs::RING_STRIDE / 4) as usize)?;
    (rel % 4 == 0).then_some((ring, reg))
}
