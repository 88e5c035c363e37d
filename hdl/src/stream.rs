//! The stream interface every block speaks (see [`spec::stream`]).
//!
//! `D` is the data width in bits and `K = D / 8` the keep width; stable Rust
//! cannot compute `D / 8` in a type, so both are parameters and
//! [`check_widths`] keeps them honest.

use rust_hdl::prelude::*;

/// The receiving end of a stream, as seen from inside a block.
#[derive(LogicInterface, Default)]
#[join = "StreamSource"]
pub struct StreamSink<const D: usize, const K: usize> {
    pub data: Signal<In, Bits<D>>,
    pub keep: Signal<In, Bits<K>>,
    pub valid: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    pub last: Signal<In, Bit>,
    pub user: Signal<In, Bit>,
}

/// The sending end of a stream, as seen from inside a block.
#[derive(LogicInterface, Default)]
#[join = "StreamSink"]
pub struct StreamSource<const D: usize, const K: usize> {
    pub data: Signal<Out, Bits<D>>,
    pub keep: Signal<Out, Bits<K>>,
    pub valid: Signal<Out, Bit>,
    pub ready: Signal<In, Bit>,
    pub last: Signal<Out, Bit>,
    pub user: Signal<Out, Bit>,
}

/// Panics unless `D`/`K` describe one of the supported datapath widths.
pub fn check_widths(d: usize, k: usize) {
    assert_eq!(d, 8 * k, "data width {d} must be 8 x keep width {k}");
    assert!(
        spec::stream::WIDTHS.contains(&k),
        "{k} bytes per beat is not a supported width {:?}",
        spec::stream::WIDTHS
    );
}

/// A byte offset inside a frame ([`spec::stream::OFFSET_BITS`] wide).
pub type Offset = Bits<17>;
const _: () = assert!(spec::stream::OFFSET_BITS == 17);

/// An offset constant for the HDL kernels.
pub fn offset(value: u32) -> Constant<Offset> {
    Constant::new(u64::from(value).to_bits())
}

/// One constant per byte lane holding the lane number, so HDL loops can add
/// a lane index to a byte offset.
pub fn lane_constants(lanes: usize) -> Vec<Constant<Offset>> {
    (0..lanes as u32).map(offset).collect()
}
