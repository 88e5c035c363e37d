//! The register map: what the host reads and writes over the `csr` bus.
//!
//! Registers are 32 bits wide at 4-byte aligned byte offsets in a 4 KB
//! window (a Wishbone classic slave: one access per `cyc & stb`, answered by
//! `ack`). Reads of unmapped offsets return 0 and writes to them are
//! ignored, so a driver probing an older engine sees zeros, not a hang.
//!
//! # Rings
//!
//! Four rings live in host memory ([`Ring`]): the TX descriptor ring, the
//! TX completion ring, the RX free-buffer ring and the RX completion ring.
//! Each has a base address (8-byte aligned), a size of `2^log_size` entries
//! (`log_size` ≤ [`MAX_LOG_SIZE`]) and two 16-bit free-running indices; an
//! entry's slot is `index & (size - 1)`, so `tail - head` (mod 2^16) is the
//! number of entries in the ring and the ring is full at `size`.
//!
//! * Descriptor rings (TX, RX free): the host writes entries, then `tail`
//!   (the doorbell, one write for any number of entries); the engine
//!   advances `head` as it takes them.
//! * Completion rings: the engine writes entries at `tail` (readable) with a
//!   phase bit that flips on every pass over the ring (1 on the first pass,
//!   so zeroed memory reads as empty), and the host returns slots by
//!   writing `head`. The engine never writes a completion into a slot the
//!   host has not returned.
//!
//! Base and size are taken while [`CTRL_ENABLE`] is clear; writes to them
//! while it is set are ignored. The low 3 bits of a base read as 0; a
//! `log_size` above [`MAX_LOG_SIZE`] is taken as `MAX_LOG_SIZE`.
//!
//! # Interrupts
//!
//! A completion ring's bit in `IRQ_STATUS` is set when `IRQ_MOD_COUNT`
//! completions (0 counts as 1) have been written since it was last set, or
//! when the oldest of those has waited `IRQ_MOD_TIME` cycles (0: no
//! timer). The `irq` line is `IRQ_STATUS & IRQ_ENABLE != 0`; the host
//! clears bits by writing ones (W1C).
//!
//! # Reset
//!
//! Writing [`CTRL_RESET`] stops the engine: it takes no more descriptors or
//! frames, lets the memory operations in flight finish (frames in the
//! middle of an RX buffer are abandoned, not completed), then clears every
//! ring register, index, interrupt and counter and `CONTROL`. The
//! connection table keeps its entries (the host removes what it wants).
//! The host waits for `STATUS` to read [`STATUS_IDLE`] before it reclaims
//! its buffers.

/// How software may access a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Ro,
    Rw,
    /// Write ones to clear.
    W1c,
    /// Writing starts something (a doorbell or a command); reads return
    /// the value last written.
    Go,
}

impl Access {
    pub fn name(self) -> &'static str {
        match self {
            Access::Ro => "RO",
            Access::Rw => "RW",
            Access::W1c => "W1C",
            Access::Go => "RW (doorbell)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg {
    pub name: &'static str,
    pub offset: u32,
    pub access: Access,
    pub doc: &'static str,
}

const fn reg(name: &'static str, offset: u32, access: Access, doc: &'static str) -> Reg {
    Reg {
        name,
        offset,
        access,
        doc,
    }
}

/// "TOE1".
pub const ID_VALUE: u32 = 0x544F_4531;
/// Major in bits 31..16, minor in 15..0. A driver refuses another major.
pub const VERSION_VALUE: u32 = 0x0001_0000;
pub const MAX_LOG_SIZE: u32 = 12;
/// The registers' window in bytes.
pub const WINDOW: u32 = 0x1000;

pub const ID: Reg = reg("ID", 0x000, Access::Ro, "0x544F4531 (\"TOE1\")");
pub const VERSION: Reg = reg("VERSION", 0x004, Access::Ro, "major 31..16, minor 15..0");
pub const CAPS: Reg = reg(
    "CAPS",
    0x008,
    Access::Ro,
    "data path bytes per beat 7..0; log2 of table entries 15..8; table ways 19..16; \
     bit 24 rx_place (receive placement and coalesced completions)",
);
pub const CAPS_PLACE: u32 = 1 << 24;
pub const CONTROL: Reg = reg(
    "CONTROL",
    0x010,
    Access::Rw,
    "bit 0 enable; bit 1 reset (reads 0)",
);
pub const CTRL_ENABLE: u32 = 1 << 0;
pub const CTRL_RESET: u32 = 1 << 1;
pub const STATUS: Reg = reg(
    "STATUS",
    0x014,
    Access::Ro,
    "bit 0 idle: no memory operation in flight and no reset pending",
);
pub const STATUS_IDLE: u32 = 1 << 0;
pub const IRQ_STATUS: Reg = reg(
    "IRQ_STATUS",
    0x020,
    Access::W1c,
    "bit 0 TX completions, bit 1 RX completions",
);
pub const IRQ_ENABLE: Reg = reg("IRQ_ENABLE", 0x024, Access::Rw, "mask for IRQ_STATUS");
pub const IRQ_TX: u32 = 1 << 0;
pub const IRQ_RX: u32 = 1 << 1;
pub const IRQ_MOD_COUNT: Reg = reg(
    "IRQ_MOD_COUNT",
    0x028,
    Access::Rw,
    "completions per interrupt (16 bits; 0 acts as 1)",
);
pub const IRQ_MOD_TIME: Reg = reg(
    "IRQ_MOD_TIME",
    0x02C,
    Access::Rw,
    "cycles the oldest unsignalled completion may wait (24 bits; 0 = no timer)",
);
pub const PLACE_BYTES: Reg = reg(
    "PLACE_BYTES",
    0x030,
    Access::Rw,
    "rx_place N: in-order bytes that write a coalesced completion (24 bits; reset 65536)",
);
pub const PLACE_TIME: Reg = reg(
    "PLACE_TIME",
    0x034,
    Access::Rw,
    "rx_place T: cycles a pending completion may wait (24 bits; reset 12500)",
);
/// The width of `PLACE_BYTES` and `PLACE_TIME`.
pub const PLACE_MASK: u32 = 0xFF_FFFF;

/// The four rings, in the order of their register blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ring {
    Tx = 0,
    TxCpl = 1,
    Rx = 2,
    RxCpl = 3,
}

impl Ring {
    pub const ALL: [Ring; 4] = [Ring::Tx, Ring::TxCpl, Ring::Rx, Ring::RxCpl];

    pub fn name(self) -> &'static str {
        ["TXQ", "TXCQ", "RXQ", "RXCQ"][self as usize]
    }

    /// The host produces (descriptor rings) or the engine does.
    pub fn host_produces(self) -> bool {
        matches!(self, Ring::Tx | Ring::Rx)
    }

    pub fn reg(self, r: RingReg) -> u32 {
        RING_BASE + RING_STRIDE * self as u32 + 4 * r as u32
    }
}

pub const RING_BASE: u32 = 0x100;
pub const RING_STRIDE: u32 = 0x20;

/// The registers of each ring's block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingReg {
    BaseLo = 0,
    BaseHi = 1,
    LogSize = 2,
    Head = 3,
    Tail = 4,
}

impl RingReg {
    pub const ALL: [RingReg; 5] = [
        RingReg::BaseLo,
        RingReg::BaseHi,
        RingReg::LogSize,
        RingReg::Head,
        RingReg::Tail,
    ];

    pub fn name(self) -> &'static str {
        ["BASE_LO", "BASE_HI", "LOG_SIZE", "HEAD", "TAIL"][self as usize]
    }

    /// Who writes it on `ring`.
    pub fn access(self, ring: Ring) -> Access {
        match self {
            RingReg::BaseLo | RingReg::BaseHi | RingReg::LogSize => Access::Rw,
            RingReg::Head if ring.host_produces() => Access::Ro,
            RingReg::Tail if !ring.host_produces() => Access::Ro,
            _ => Access::Go,
        }
    }
}

// Connection-table commands: arguments, then the opcode into CT_COMMAND
// (`conn_table::Command`), then CT_STATUS until not busy, then the answer.
pub const CT_COMMAND: Reg = reg(
    "CT_COMMAND",
    0x200,
    Access::Go,
    "write the opcode (conn_table::Command) to start a command",
);
pub const CT_STATUS: Reg = reg(
    "CT_STATUS",
    0x204,
    Access::Ro,
    "bit 31 busy; 2..0 the answer's CmdStatus",
);
pub const CT_BUSY: u32 = 1 << 31;
pub const CT_BANK: Reg = reg(
    "CT_BANK",
    0x208,
    Access::Rw,
    "insert: 0 the emptier bucket, 1 bank 0, 2 bank 1",
);
pub const CT_SLOT: Reg = reg("CT_SLOT", 0x20C, Access::Rw, "argument slot (16 bits)");
pub const CT_RCV_NXT: Reg = reg("CT_RCV_NXT", 0x210, Access::Rw, "argument rcv_nxt");
pub const CT_SND_UNA: Reg = reg(
    "CT_SND_UNA",
    0x214,
    Access::Rw,
    "argument snd_una; post: TS.Recent",
);
pub const CT_RING_LO: Reg = reg(
    "CT_RING_LO",
    0x218,
    Access::Rw,
    "post: receive ring base 31..12 (4 KiB aligned); 5 PAWS; log2 of its bytes 4..0 (12..=24)",
);
pub const CT_RING_HI: Reg = reg("CT_RING_HI", 0x21C, Access::Rw, "post: ring base 63..32");
/// The key (`conn_table::Key::to_port`, 289 bits) in 10 words, word 0 =
/// bits 31..0. Other bit patterns (bits past an IPv4 tuple or above bit
/// 288) are outside the contract.
pub const CT_KEY: u32 = 0x220;
pub const CT_KEY_WORDS: u32 = 10;
pub const CT_RSP_SLOT: Reg = reg(
    "CT_RSP_SLOT",
    0x250,
    Access::Ro,
    "insert: the slot taken or holding the key",
);
/// The answer's key in 10 words, as `CT_KEY`.
pub const CT_RSP_KEY: u32 = 0x260;
/// The answer's state (`conn_table::STATE_FIELDS`, 208 bits) in 7 words.
pub const CT_RSP_STATE: u32 = 0x290;
pub const CT_RSP_STATE_WORDS: u32 = 7;

/// Engine counters: 32 bits, wrapping, read-only, cleared by reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    RxFrames = 0,
    RxBytes,
    /// Frames dropped whole at the RX port: no free buffer posted.
    RxNoBuffer,
    /// ... no free completion slot.
    RxCplFull,
    /// Frames longer than their buffer: completed with `RxStatus::TooBig`.
    RxTooBig,
    TxDescriptors,
    TxSegments,
    TxBytes,
    /// Descriptors whose frame was refused or cut (status other than ok).
    TxErrors,
    /// Frames per class, `conn_table::Class` order.
    ClassUnparsed,
    ClassBadCsum,
    ClassMiss,
    ClassCtrl,
    ClassOpts,
    ClassAck,
    ClassFast,
    ClassOld,
    ClassAhead,
    ClassOverlap,
}

pub const COUNTER_BASE: u32 = 0x400;

impl Counter {
    pub const ALL: [Counter; 19] = [
        Counter::RxFrames,
        Counter::RxBytes,
        Counter::RxNoBuffer,
        Counter::RxCplFull,
        Counter::RxTooBig,
        Counter::TxDescriptors,
        Counter::TxSegments,
        Counter::TxBytes,
        Counter::TxErrors,
        Counter::ClassUnparsed,
        Counter::ClassBadCsum,
        Counter::ClassMiss,
        Counter::ClassCtrl,
        Counter::ClassOpts,
        Counter::ClassAck,
        Counter::ClassFast,
        Counter::ClassOld,
        Counter::ClassAhead,
        Counter::ClassOverlap,
    ];

    pub fn offset(self) -> u32 {
        COUNTER_BASE + 4 * self as u32
    }

    pub fn name(self) -> &'static str {
        [
            "rx_frames",
            "rx_bytes",
            "rx_no_buffer",
            "rx_cpl_full",
            "rx_too_big",
            "tx_descriptors",
            "tx_segments",
            "tx_bytes",
            "tx_errors",
            "class_unparsed",
            "class_bad_csum",
            "class_miss",
            "class_ctrl",
            "class_opts",
            "class_ack",
            "class_fast",
            "class_old",
            "class_ahead",
            "class_overlap",
        ][self as usize]
    }

    /// The counter of frames of class `c`.
    pub fn of_class(c: crate::conn_table::Class) -> Counter {
        Counter::ALL[Counter::ClassUnparsed as usize + c as usize]
    }
}

/// Register word `i` (bits 32i..32i+31) of a little-endian byte string
/// wider than a register (a key or a state word), zero-padded past its end.
pub fn word(b: &[u8], i: usize) -> u32 {
    let mut w = [0u8; 4];
    for (j, x) in w.iter_mut().enumerate() {
        *x = b.get(4 * i + j).copied().unwrap_or(0);
    }
    u32::from_le_bytes(w)
}

/// Writes register word `i` into `b`; bytes past its end are dropped.
pub fn put_word(b: &mut [u8], i: usize, w: u32) {
    for (j, x) in w.to_le_bytes().into_iter().enumerate() {
        if let Some(d) = b.get_mut(4 * i + j) {
            *d = x;
        }
    }
}

/// Every register with its name, for the generated documentation and for
/// checking that no two share an offset.
pub fn all() -> Vec<Reg> {
    let mut v = vec![
        ID,
        VERSION,
        CAPS,
        CONTROL,
        STATUS,
        IRQ_STATUS,
        IRQ_ENABLE,
        IRQ_MOD_COUNT,
        IRQ_MOD_TIME,
        PLACE_BYTES,
        PLACE_TIME,
    ];
    const RING_DOCS: [&str; 5] = [
        "ring base address 31..0 (8-byte aligned)",
        "ring base address 63..32",
        "log2 of the entries (0..=12)",
        "index of the oldest entry (16 bits, free-running)",
        "index one past the newest entry (16 bits, free-running)",
    ];
    const RING_NAMES: [&str; 20] = [
        "TXQ_BASE_LO",
        "TXQ_BASE_HI",
        "TXQ_LOG_SIZE",
        "TXQ_HEAD",
        "TXQ_TAIL",
        "TXCQ_BASE_LO",
        "TXCQ_BASE_HI",
        "TXCQ_LOG_SIZE",
        "TXCQ_HEAD",
        "TXCQ_TAIL",
        "RXQ_BASE_LO",
        "RXQ_BASE_HI",
        "RXQ_LOG_SIZE",
        "RXQ_HEAD",
        "RXQ_TAIL",
        "RXCQ_BASE_LO",
        "RXCQ_BASE_HI",
        "RXCQ_LOG_SIZE",
        "RXCQ_HEAD",
        "RXCQ_TAIL",
    ];
    for ring in Ring::ALL {
        for r in RingReg::ALL {
            v.push(reg(
                RING_NAMES[ring as usize * 5 + r as usize],
                ring.reg(r),
                r.access(ring),
                RING_DOCS[r as usize],
            ));
        }
    }
    v.extend([
        CT_COMMAND, CT_STATUS, CT_BANK, CT_SLOT, CT_RCV_NXT, CT_SND_UNA, CT_RING_LO, CT_RING_HI,
    ]);
    const KEY_NAMES: [&str; 10] = [
        "CT_KEY0", "CT_KEY1", "CT_KEY2", "CT_KEY3", "CT_KEY4", "CT_KEY5", "CT_KEY6", "CT_KEY7",
        "CT_KEY8", "CT_KEY9",
    ];
    const RSP_KEY_NAMES: [&str; 10] = [
        "CT_RSP_KEY0",
        "CT_RSP_KEY1",
        "CT_RSP_KEY2",
        "CT_RSP_KEY3",
        "CT_RSP_KEY4",
        "CT_RSP_KEY5",
        "CT_RSP_KEY6",
        "CT_RSP_KEY7",
        "CT_RSP_KEY8",
        "CT_RSP_KEY9",
    ];
    const STATE_NAMES: [&str; 7] = [
        "CT_RSP_STATE0",
        "CT_RSP_STATE1",
        "CT_RSP_STATE2",
        "CT_RSP_STATE3",
        "CT_RSP_STATE4",
        "CT_RSP_STATE5",
        "CT_RSP_STATE6",
    ];
    for (i, n) in KEY_NAMES.iter().enumerate() {
        v.push(reg(
            n,
            CT_KEY + 4 * i as u32,
            Access::Rw,
            "argument key word",
        ));
    }
    v.push(CT_RSP_SLOT);
    for (i, n) in RSP_KEY_NAMES.iter().enumerate() {
        v.push(reg(
            n,
            CT_RSP_KEY + 4 * i as u32,
            Access::Ro,
            "answer key word",
        ));
    }
    for (i, n) in STATE_NAMES.iter().enumerate() {
        v.push(reg(
            n,
            CT_RSP_STATE + 4 * i as u32,
            Access::Ro,
            "answer state word (conn_table::STATE_FIELDS)",
        ));
    }
    const COUNTER_NAMES: [&str; 19] = [
        "RX_FRAMES",
        "RX_BYTES",
        "RX_NO_BUFFER",
        "RX_CPL_FULL",
        "RX_TOO_BIG",
        "TX_DESCRIPTORS",
        "TX_SEGMENTS",
        "TX_BYTES",
        "TX_ERRORS",
        "CLASS_UNPARSED",
        "CLASS_BAD_CSUM",
        "CLASS_MISS",
        "CLASS_CTRL",
        "CLASS_OPTS",
        "CLASS_ACK",
        "CLASS_FAST",
        "CLASS_OLD",
        "CLASS_AHEAD",
        "CLASS_OVERLAP",
    ];
    for c in Counter::ALL {
        v.push(reg(
            COUNTER_NAMES[c as usize],
            c.offset(),
            Access::Ro,
            "counter (32 bits, wrapping)",
        ));
    }
    for (i, n) in crate::rx_place::COUNTERS.iter().enumerate() {
        v.push(reg(
            n,
            crate::rx_place::COUNTER_BASE + 4 * i as u32,
            Access::Ro,
            "rx_place counter (32 bits, wrapping; with CAPS_PLACE)",
        ));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_aligned_distinct_and_in_the_window() {
        let regs = all();
        let mut offsets: Vec<u32> = regs.iter().map(|r| r.offset).collect();
        assert!(offsets.iter().all(|o| o % 4 == 0 && *o < WINDOW));
        offsets.sort();
        offsets.dedup();
        assert_eq!(offsets.len(), regs.len());
        // Register names and the counter names say the same thing.
        for c in Counter::ALL {
            let r = regs.iter().find(|r| r.offset == c.offset()).unwrap();
            assert_eq!(r.name.to_lowercase(), c.name());
        }
        assert_eq!(Ring::Rx.reg(RingReg::Tail), 0x150);
    }
}
