//! `crc32`: one byte's step of the Ethernet CRC-32 (IEEE 802.3: reflected,
//! polynomial 0xEDB88320), combinational, as both MAC sides use it: the
//! register in, a byte in, the register after that byte out.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Crc32Step {
    pub crc: Signal<In, Bits<32>>,
    pub data: Signal<In, Bits<8>>,
    pub after: Signal<Out, Bits<32>>,
    poly: Constant<Bits<32>>,
    c: Signal<Local, Bits<32>>,
}

impl Default for Crc32Step {
    fn default() -> Self {
        Self {
            crc: Default::default(),
            data: Default::default(),
            after: Default::default(),
            poly: Constant::new(0xEDB8_8320u64.to_bits()),
            c: Default::default(),
        }
    }
}

impl Logic for Crc32Step {
    #[hdl_gen]
    fn update(&mut self) {
        // A bit per step, least significant first.
        self.c.next = self.crc.val() ^ bit_cast::<32, 8>(self.data.val());
        for _bit in 0..8 {
            if self.c.val().get_bit(0) {
                self.c.next = (self.c.val() >> 1) ^ self.poly.val();
            } else {
                self.c.next = self.c.val() >> 1;
            }
        }
        self.after.next = self.c.val();
    }
}
