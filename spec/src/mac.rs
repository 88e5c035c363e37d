//! The 1 GbE MAC's receive rules, shared by the RTL (`hdl/src/mac_rx.rs`)
//! and the model (`model/src/mac.rs`). Lengths count the bytes after the
//! start-of-frame delimiter, the frame check sequence included, as IEEE
//! 802.3 does.

/// Preamble byte and start-of-frame delimiter, as they arrive on GMII
/// (bit 0 first on the wire, so 0x55 and 0xD5).
pub const PREAMBLE: u8 = 0x55;
pub const SFD: u8 = 0xD5;

/// Frame check sequence bytes at the end of every frame.
pub const FCS_BYTES: usize = 4;

/// Shorter frames are runts (IEEE 802.3 clause 4.4.2: 64 bytes).
pub const MIN_FRAME: usize = 64;

/// Longer frames are cut here and counted as oversize: a 9018-byte jumbo
/// frame (9000 bytes of IP, a VLAN tag) with its FCS.
pub const MAX_FRAME: usize = 9022;

/// CRC-32 (reflected, polynomial 0xEDB88320, register preset to all
/// ones) over a frame and its own FCS leaves this in the register: the
/// receiver's check needs no knowledge of where the FCS starts.
pub const CRC_RESIDUE: u32 = 0xDEBB_20E3;

/// Why a frame is marked bad (`user` on its last byte) or not passed at
/// all; each has a counter, and a frame counts under the first that
/// applies, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RxReason {
    /// Longer than [`MAX_FRAME`]: cut there.
    Oversize,
    /// Shorter than [`MIN_FRAME`] (under 5 bytes: nothing is passed).
    Runt,
    /// The PHY flagged a receive error (`RX_ER` with `RX_DV`), or the
    /// preamble held a byte other than [`PREAMBLE`] before the [`SFD`].
    Error,
    /// The FCS does not match.
    BadFcs,
}
