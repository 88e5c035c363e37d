//! Stream conventions shared by every block (as in verilog-ethernet and
//! Corundum): `data` is `8 * bytes` bits wide, `keep` has one bit per byte,
//! and the first byte on the wire travels in the lowest byte lane
//! (`data[7:0]`). A beat moves when `valid && ready`; `last` marks the final
//! beat of a frame and `user` on that beat flags the frame as bad (for
//! example a MAC-level error), which every block passes on.
//!
//! Only the last beat of a frame may have a partial `keep`, and its bytes are
//! contiguous from lane 0. A frame is at least one byte long.

/// Datapath widths, in bytes per beat, that every block is built and tested at.
pub const WIDTHS: [usize; 2] = [1, 8];

/// Byte offsets inside a frame are counted with this many bits and saturate,
/// so an over-long frame can never wrap an offset back into a header.
pub const OFFSET_BITS: u32 = 17;

/// Largest byte offset (and frame length) the blocks count; longer frames
/// report this value.
pub const OFFSET_MAX: u32 = (1 << OFFSET_BITS) - 1;
