//! The TX path (`tso` then `tx_checksum`) as something frames are sent
//! through: the reference model or the RTL, behind one trait.

use spec::tso::{Desc, Status};

/// One frame as the host hands it to the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxFrame {
    pub frame: Vec<u8>,
    pub desc: Desc,
}

/// One frame on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wire {
    pub frame: Vec<u8>,
    /// `tx_checksum`'s status for it.
    pub csum: spec::tx_csum::Status,
    /// Marked bad for the MAC to drop.
    pub user: bool,
}

/// What became of one [`TxFrame`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub wire: Vec<Wire>,
    pub status: Status,
}

pub trait TxEngine {
    fn name(&self) -> &'static str;
    /// Sends `frames` in order; one [`Sent`] per frame, in order.
    fn send(&mut self, frames: &[TxFrame]) -> anyhow::Result<Vec<Sent>>;
}

/// The reference model: `model::tso` then `model::tx_checksum`.
pub struct ModelTx {
    /// The longest frame `tx_checksum` buffers.
    pub max_frame: usize,
}

impl TxEngine for ModelTx {
    fn name(&self) -> &'static str {
        "model"
    }

    fn send(&mut self, frames: &[TxFrame]) -> anyhow::Result<Vec<Sent>> {
        Ok(frames
            .iter()
            .map(|f| {
                let (wire, status) = model::tso::send(&f.frame, f.desc, self.max_frame);
                Sent {
                    wire: wire
                        .into_iter()
                        .map(|o| Wire {
                            frame: o.frame,
                            csum: o.status,
                            user: o.user,
                        })
                        .collect(),
                    status,
                }
            })
            .collect())
    }
}
