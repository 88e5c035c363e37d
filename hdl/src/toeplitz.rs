//! `toeplitz`: the connection table's hash ([`spec::toeplitz`]), one input
//! per cycle, [`LATENCY`] cycles deep, no stalls.
//!
//! Ports hold bit strings big-endian: bit 0 of the key and of the input
//! (the top bit of byte 0) in the top port bit. An IPv4 4-tuple fills the top 12 input bytes and leaves
//! the rest zero, which adds nothing to the hash. Stage 1 sums (XOR) nine
//! groups of 32 input bits, each bit selecting its 32-bit key window; stage
//! 2 adds the nine.

use rust_hdl::prelude::*;

pub const LATENCY: usize = 2;
/// Input width in bits.
pub const IN_BITS: usize = 8 * spec::toeplitz::MAX_INPUT_BYTES;
/// Key bits the longest input reaches: the first `IN_BITS + 31` of the key
/// (the rest never count).
pub const KEY_BITS: usize = IN_BITS + 31;
const _: () = assert!(KEY_BITS <= 8 * spec::toeplitz::KEY_BYTES);
const GROUPS: usize = IN_BITS / 32;
// The HDL below spells these out: rust-hdl does not carry Rust constants
// into the Verilog.
const _: () = assert!(IN_BITS == 288);

#[derive(LogicBlock)]
pub struct Toeplitz {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub key: Signal<In, Bits<KEY_BITS>>,
    pub data: Signal<In, Bits<IN_BITS>>,
    pub valid: Signal<In, Bit>,
    pub hash: Signal<Out, Bits<32>>,
    pub hash_valid: Signal<Out, Bit>,
    part: Vec<DFF<Bits<32>>>,
    v1: DFF<Bit>,
    sum: DFF<Bits<32>>,
    v2: DFF<Bit>,
    acc: Signal<Local, Bits<32>>,
    sel: Signal<Local, Bits<32>>,
    total: Signal<Local, Bits<32>>,
}

impl Toeplitz {
    pub fn new() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            key: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            hash: Default::default(),
            hash_valid: Default::default(),
            part: (0..GROUPS).map(|_| Default::default()).collect(),
            v1: Default::default(),
            sum: Default::default(),
            v2: Default::default(),
            acc: Default::default(),
            sel: Default::default(),
            total: Default::default(),
        }
    }
}

impl Default for Toeplitz {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for Toeplitz {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, v1, sum, v2);
        // Input bit i (from the top, port bit 287 - i) selects key bits
        // i .. i + 32: the 32 port bits from KEY_BITS - 32 - i = 287 - i up.
        for g in 0..GROUPS {
            self.part[g].clock.next = self.clock.val();
            self.acc.next = 0.into();
            for b in 0..32 {
                self.sel.next = 0.into();
                if self.data.val().get_bit(287 - 32 * g - b) {
                    self.sel.next = !self.sel.val();
                }
                self.acc.next = self.acc.val()
                    ^ (self.key.val().get_bits::<32>(287 - 32 * g - b) & self.sel.val());
            }
            self.part[g].d.next = self.acc.val();
        }
        self.v1.d.next = self.valid.val();
        self.total.next = 0.into();
        for g in 0..GROUPS {
            self.total.next = self.total.val() ^ self.part[g].q.val();
        }
        self.sum.d.next = self.total.val();
        self.v2.d.next = self.v1.q.val();
        self.hash.next = self.sum.q.val();
        self.hash_valid.next = self.v2.q.val();
        if self.reset.val() {
            self.v1.d.next = false;
            self.v2.d.next = false;
        }
    }
}

/// `key` as the `key` port holds it (its first bit in the top port bit).
pub fn key_port(key: &[u8; spec::toeplitz::KEY_BYTES]) -> Bits<KEY_BITS> {
    let mut port = Bits::<KEY_BITS>::default();
    for j in 0..KEY_BITS {
        if key[j / 8] >> (7 - j % 8) & 1 == 1 {
            port = port.replace_bit(KEY_BITS - 1 - j, true);
        }
    }
    port
}
