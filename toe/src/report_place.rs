//! The `placement` object of the `toe replay` report: what the direct
//! path's `rx_place` did.

use model::rx_place::Counts;
use serde::Serialize;
use spec::rx_place::{Flush, Unplaced};
use std::collections::BTreeMap;

#[derive(Debug, Default, Serialize)]
pub struct Placement {
    pub placed_frames: u64,
    pub placed_bytes: u64,
    /// ACKs that moved snd_una and reached the host only in a completion.
    pub coalesced_acks: u64,
    /// Coalesced completions written.
    pub completions: u64,
    /// Completions by why they were written.
    pub flushes: BTreeMap<&'static str, u64>,
    /// Data frames of installed directions left to the host, by reason.
    pub unplaced: BTreeMap<&'static str, u64>,
}

impl From<Counts> for Placement {
    fn from(c: Counts) -> Placement {
        Placement {
            placed_frames: c.placed_frames,
            placed_bytes: c.placed_bytes,
            coalesced_acks: c.coalesced_acks,
            completions: c.completions,
            flushes: Flush::ALL
                .iter()
                .map(|f| (f.name(), c.flushes[*f as usize]))
                .collect(),
            unplaced: Unplaced::ALL
                .iter()
                .map(|u| (u.name(), c.unplaced[*u as usize]))
                .collect(),
        }
    }
}

impl Placement {
    pub fn text(&self) -> String {
        let unplaced: Vec<String> = self
            .unplaced
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        format!(
            "  rx_place: {} frames ({} bytes) placed, {} ACKs coalesced, {} completions; \
             left to the host: {}\n",
            self.placed_frames,
            self.placed_bytes,
            self.coalesced_acks,
            self.completions,
            if unplaced.is_empty() {
                "none".to_string()
            } else {
                unplaced.join(", ")
            }
        )
    }
}
