//! The one read of a capture that every pass of `toe replay` is fed from:
//! records in bounded batches, so memory stays bounded whatever the size
//! of the file, and a read error stops every pass at once.

use anyhow::Result;
use capture::{Frame, Reader, Record, SkipReason};
use std::path::Path;

/// A batch ends after this many frames or bytes, whichever comes first.
pub const BATCH_FRAMES: usize = 1024;
pub const BATCH_BYTES: usize = 8 << 20;

/// Consecutive records of the capture.
#[derive(Default)]
pub struct Batch {
    pub frames: Vec<Frame>,
    /// Records that gave no frame, with their number.
    pub skipped: Vec<(u64, SkipReason)>,
}

pub struct Input {
    reader: Reader,
}

impl Input {
    pub fn open(path: &Path) -> Result<Input> {
        Ok(Input {
            reader: Reader::open(path)?,
        })
    }

    /// The next batch; `None` at the end of the capture (or where a
    /// truncated file stops). A corrupt record is an error, and the
    /// passes fed so far stop with it.
    pub fn next_batch(&mut self) -> Result<Option<Batch>> {
        let mut batch = Batch::default();
        let mut bytes = 0;
        while batch.frames.len() < BATCH_FRAMES && bytes < BATCH_BYTES {
            match self.reader.next().transpose()? {
                None => break,
                Some(Record::Frame(f)) => {
                    bytes += f.data.len();
                    batch.frames.push(f);
                }
                Some(Record::Skipped { number, reason }) => batch.skipped.push((number, reason)),
            }
        }
        let empty = batch.frames.is_empty() && batch.skipped.is_empty();
        Ok((!empty).then_some(batch))
    }

    /// Whether the file ended in the middle of a record.
    pub fn truncated(&self) -> bool {
        self.reader.truncated()
    }

    /// Bytes read and the file's length, for the progress bar.
    pub fn position(&self) -> (u64, u64) {
        (self.reader.bytes_read(), self.reader.file_len())
    }
}
