//! The capture file, read front to back with its position known, so errors
//! can point at a byte and a short read can be told from a clean end.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

pub(super) struct Source {
    file: BufReader<File>,
    offset: u64,
    len: u64,
}

impl Source {
    pub fn open(path: &Path) -> io::Result<Source> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Source {
            file: BufReader::with_capacity(64 * 1024, file),
            offset: 0,
            len,
        })
    }

    /// Reads until `buf` holds `len` bytes; false if the file ended first.
    /// `buf` grows with the bytes that actually arrive, so a huge length
    /// field in a short file costs no memory.
    pub fn fill_to(&mut self, buf: &mut Vec<u8>, len: usize) -> io::Result<bool> {
        let Some(want) = len.checked_sub(buf.len()) else {
            return Ok(true);
        };
        let got = (&mut self.file).take(want as u64).read_to_end(buf)?;
        self.offset += got as u64;
        Ok(got == want)
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn file_len(&self) -> u64 {
        self.len
    }
}
