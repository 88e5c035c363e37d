//! What `conn_table` must do (rules in [`spec::conn_table`]): the table,
//! the host commands, and the class of each frame with its state update.

pub use spec::conn_table::{Answer, Cmd};
use spec::conn_table::{BANKS, Class, CmdStatus, Key, buckets, seq_le, seq_lt};
use spec::conn_table::{FIELD_BYTES, FIELD_FAST, FIELD_FRAMES, FIELD_SLOW};
use spec::rx_csum::{IpVerdict, L4Verdict, Verdict};
use spec::rx_parse::{Header, Status};
use spec::{conn_table as ct, tcp, toeplitz};

/// TCP flag bits of [`Header::flags`].

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Key,
    pub rcv_nxt: u32,
    pub snd_una: u32,
    pub frames: u64,
    pub bytes: u64,
    pub fast: u64,
    pub slow: u64,
}

pub struct Table {
    ways: usize,
    buckets: usize,
    hash_key: [u8; toeplitz::KEY_BYTES],
    slots: Vec<Option<Entry>>,
}

/// What the table needs of a frame: its parse status, checksum verdict,
/// key and TCP fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub status: u8,
    pub csum_bad: bool,
    pub key: Key,
    pub seq: u32,
    pub ack: u32,
    pub plen: u32,
    pub flags: u16,
    pub opts: u8,
}

impl Request {
    pub fn of(h: &Header, v: &Verdict) -> Request {
        Request {
            status: h.status,
            csum_bad: v.ip == IpVerdict::Bad || v.l4 == L4Verdict::Bad,
            key: key_of(h),
            seq: h.seq,
            ack: h.ack,
            plen: h.plen,
            flags: h.flags,
            opts: h.opts,
        }
    }
}

/// A frame's outcome: its class and, for a found entry, the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub class: Class,
    pub slot: Option<usize>,
}

impl Table {
    /// `entries` over both banks; `entries / (2 * ways)` must be a power of
    /// two.
    pub fn new(entries: usize, ways: usize, hash_key: [u8; toeplitz::KEY_BYTES]) -> Table {
        let buckets = entries / (BANKS * ways);
        assert!(
            ways > 0 && buckets.is_power_of_two() && buckets * BANKS * ways == entries,
            "{entries} entries cannot be 2 banks of a power-of-two number of {ways}-way buckets"
        );
        Table {
            ways,
            buckets,
            hash_key,
            slots: vec![None; entries],
        }
    }

    pub fn entries(&self) -> usize {
        self.slots.len()
    }

    pub fn ways(&self) -> usize {
        self.ways
    }

    pub fn hash_key(&self) -> &[u8; toeplitz::KEY_BYTES] {
        &self.hash_key
    }

    pub fn used(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// The slots of the two candidate buckets, bank 0's first.
    fn candidates(&self, key: &Key) -> [std::ops::Range<usize>; BANKS] {
        let h = toeplitz::hash(&self.hash_key, &key.hash_input());
        let [b0, b1] = buckets(h, self.buckets);
        let first = |bank: usize, b: usize| (bank * self.buckets + b) * self.ways;
        [
            first(0, b0)..first(0, b0) + self.ways,
            first(1, b1)..first(1, b1) + self.ways,
        ]
    }

    pub fn lookup(&self, key: &Key) -> Option<usize> {
        self.candidates(key)
            .into_iter()
            .flatten()
            .find(|&s| self.slots[s].is_some_and(|e| e.key == *key))
    }

    /// The insert command: `key` into the bank with more free ways in its
    /// bucket, or into `bank` only; the slot, or why not.
    pub fn insert_in(
        &mut self,
        key: Key,
        rcv_nxt: u32,
        snd_una: u32,
        bank: Option<usize>,
    ) -> Result<usize, CmdStatus> {
        if self.lookup(&key).is_some() {
            return Err(CmdStatus::Exists);
        }
        let [a, b] = self.candidates(&key);
        let free = |r: &std::ops::Range<usize>| r.clone().filter(|&s| self.slots[s].is_none());
        let range = match bank {
            Some(0) => a,
            Some(_) => b,
            None if free(&b).count() > free(&a).count() => b,
            None => a,
        };
        let slot = free(&range).next().ok_or(CmdStatus::Full)?;
        self.slots[slot] = Some(Entry {
            key,
            rcv_nxt,
            snd_una,
            frames: 0,
            bytes: 0,
            fast: 0,
            slow: 0,
        });
        Ok(slot)
    }

    pub fn insert(&mut self, key: Key, rcv_nxt: u32, snd_una: u32) -> Result<usize, CmdStatus> {
        self.insert_in(key, rcv_nxt, snd_una, None)
    }

    /// What the host does when an insert reports FULL: find a chain of at
    /// most `max_moves` entries, each movable to its other bucket, that
    /// frees a way for `key` (breadth first, as in cuckoo hashing), move
    /// them with remove and insert commands (carrying their state), then
    /// insert. A frame of a moving entry meanwhile misses and goes to the
    /// host, which owns the connection while it moves; nothing is lost.
    pub fn insert_relocating(
        &mut self,
        key: Key,
        rcv_nxt: u32,
        snd_una: u32,
        max_moves: usize,
    ) -> Result<usize, CmdStatus> {
        match self.insert(key, rcv_nxt, snd_una) {
            Err(CmdStatus::Full) => {}
            r => return r,
        }
        // Each path: the slots whose entries move, last one first to move.
        let mut frontier: Vec<Vec<usize>> = self
            .candidates(&key)
            .into_iter()
            .flatten()
            .map(|s| vec![s])
            .collect();
        for _ in 0..max_moves {
            let mut next = Vec::new();
            for path in frontier {
                let slot = *path.last().expect("non-empty");
                let e = self.slots[slot].expect("full bucket");
                let other = self.other_bucket(&e.key, slot);
                if let Some(free) = other.clone().find(|&s| self.slots[s].is_none()) {
                    self.shift(&path, free);
                    return self.insert(key, rcv_nxt, snd_una);
                }
                for s in other.filter(|s| !path.contains(s)) {
                    let mut longer = path.clone();
                    longer.push(s);
                    next.push(longer);
                }
            }
            frontier = next;
        }
        Err(CmdStatus::Full)
    }

    /// The bucket `key` may also live in, other than the one holding `slot`.
    fn other_bucket(&self, key: &Key, slot: usize) -> std::ops::Range<usize> {
        let [a, b] = self.candidates(key);
        if a.contains(&slot) { b } else { a }
    }

    /// Moves the entry at the end of `path` into `free`, then each earlier
    /// one into the slot the next one left.
    fn shift(&mut self, path: &[usize], free: usize) {
        let mut to = free;
        for &from in path.iter().rev() {
            self.slots[to] = self.slots[from].take();
            to = from;
        }
    }

    pub fn remove(&mut self, slot: usize) -> Result<(), CmdStatus> {
        let s = self.slots.get_mut(slot).ok_or(CmdStatus::BadSlot)?;
        s.take().map(|_| ()).ok_or(CmdStatus::Empty)
    }

    pub fn read(&self, slot: usize) -> Result<Entry, CmdStatus> {
        self.slots
            .get(slot)
            .ok_or(CmdStatus::BadSlot)?
            .ok_or(CmdStatus::Empty)
    }

    pub fn write_rcv_nxt(&mut self, slot: usize, v: u32) -> Result<(), CmdStatus> {
        self.entry_mut(slot)?.rcv_nxt = v;
        Ok(())
    }

    pub fn write_snd_una(&mut self, slot: usize, v: u32) -> Result<(), CmdStatus> {
        self.entry_mut(slot)?.snd_una = v;
        Ok(())
    }

    fn entry_mut(&mut self, slot: usize) -> Result<&mut Entry, CmdStatus> {
        self.slots
            .get_mut(slot)
            .ok_or(CmdStatus::BadSlot)?
            .as_mut()
            .ok_or(CmdStatus::Empty)
    }

    /// Classifies one frame and updates the entry it belongs to.
    pub fn classify(&mut self, r: &Request) -> Outcome {
        let none = |class| Outcome { class, slot: None };
        if r.status != Status::Ok as u8 {
            return none(Class::Unparsed);
        }
        if r.csum_bad {
            return none(Class::BadCsum);
        }
        let Some(slot) = self.lookup(&r.key) else {
            return none(Class::Miss);
        };
        let e = self.slots[slot].as_mut().expect("looked up");
        let (seq, len) = (r.seq, r.plen);
        let class = if r.flags & ct::CTRL_FLAGS != 0 || r.flags & tcp::ACK == 0 {
            Class::Ctrl
        } else if r.opts & ct::OTHER_OPTS != 0 {
            Class::Opts
        } else if len == 0 {
            Class::Ack
        } else if seq == e.rcv_nxt {
            Class::Fast
        } else if seq_le(seq.wrapping_add(len), e.rcv_nxt) {
            Class::Old
        } else if seq_lt(e.rcv_nxt, seq) {
            Class::Ahead
        } else {
            Class::Overlap
        };
        if class == Class::Fast {
            e.rcv_nxt = e.rcv_nxt.wrapping_add(len);
        }
        if class.in_hardware() && seq_lt(e.snd_una, r.ack) {
            e.snd_una = r.ack;
        }
        let add = |v: u64, n: u64, f: spec::field::Field| v.wrapping_add(n) & f.max();
        e.frames = add(e.frames, 1, FIELD_FRAMES);
        e.bytes = add(e.bytes, u64::from(len), FIELD_BYTES);
        if class.in_hardware() {
            e.fast = add(e.fast, 1, FIELD_FAST);
        } else {
            e.slow = add(e.slow, 1, FIELD_SLOW);
        }
        Outcome {
            class,
            slot: Some(slot),
        }
    }
}

/// The table key of a parsed frame.
pub fn key_of(h: &Header) -> Key {
    let words = |w: [u32; 4]| {
        let mut b = [0u8; 16];
        for (k, x) in w.iter().enumerate() {
            b[4 * k..4 * k + 4].copy_from_slice(&x.to_be_bytes());
        }
        b
    };
    Key {
        v6: h.kind == 2,
        src: words(h.src),
        dst: words(h.dst),
        sport: h.sport,
        dport: h.dport,
    }
}

impl Table {
    /// Carries out one host command.
    pub fn execute(&mut self, cmd: &Cmd) -> Answer {
        let done = |r: Result<(), CmdStatus>| Answer::status(r.err().unwrap_or(CmdStatus::Ok));
        match *cmd {
            Cmd::Insert {
                key,
                rcv_nxt,
                snd_una,
                bank,
            } => match self.insert_in(key, rcv_nxt, snd_una, bank) {
                Ok(slot) => Answer {
                    slot: Some(slot),
                    ..Answer::status(CmdStatus::Ok)
                },
                Err(CmdStatus::Exists) => Answer {
                    slot: self.lookup(&key),
                    ..Answer::status(CmdStatus::Exists)
                },
                Err(e) => Answer::status(e),
            },
            Cmd::Remove(slot) => done(self.remove(slot)),
            Cmd::Read(slot) => match self.read(slot) {
                Ok(e) => Answer {
                    entry: Some((e.key, e.rcv_nxt, e.snd_una)),
                    ..Answer::status(CmdStatus::Ok)
                },
                Err(e) => Answer::status(e),
            },
            Cmd::WriteRcvNxt(slot, v) => done(self.write_rcv_nxt(slot, v)),
            Cmd::WriteSndUna(slot, v) => done(self.write_snd_una(slot, v)),
            Cmd::ReadCounters(slot) => match self.read(slot) {
                Ok(e) => Answer {
                    counters: Some([e.frames, e.bytes, e.fast, e.slow]),
                    ..Answer::status(CmdStatus::Ok)
                },
                Err(e) => Answer::status(e),
            },
        }
    }
}
