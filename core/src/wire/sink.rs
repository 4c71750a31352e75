//! Where emitters write: a length counter or a caller's buffer.

use crate::Error;

/// A byte destination that fails instead of truncating.
pub trait Sink {
    /// Appends `bytes`, or fails with [`Error::BufferTooSmall`] and appends nothing.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;

    /// Bytes appended so far.
    fn position(&self) -> usize;
}

/// Counts bytes instead of writing them: the exact length an emitter needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter(usize);

impl Counter {
    /// A counter at zero.
    pub const fn new() -> Self {
        Counter(0)
    }

    /// Bytes counted so far.
    pub const fn len(&self) -> usize {
        self.0
    }

    /// Whether nothing was counted.
    pub const fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0 = self
            .0
            .checked_add(bytes.len())
            .ok_or(Error::BufferTooSmall)?;
        Ok(())
    }

    fn position(&self) -> usize {
        self.0
    }
}

/// Writes into a caller's slice from the start.
#[derive(Debug)]
pub struct SliceWriter<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> SliceWriter<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        SliceWriter { buf, pos: 0 }
    }

    /// Bytes written so far.
    pub const fn len(&self) -> usize {
        self.pos
    }

    /// Whether nothing was written.
    pub const fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// The written part of the buffer, for the buffer's whole lifetime.
    pub fn into_written(self) -> &'b mut [u8] {
        let (head, _) = self.buf.split_at_mut(self.pos);
        head
    }
}

impl Sink for SliceWriter<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self
            .pos
            .checked_add(bytes.len())
            .ok_or(Error::BufferTooSmall)?;
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    fn position(&self) -> usize {
        self.pos
    }
}

impl<const N: usize> Sink for heapless::Vec<u8, N> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.extend_from_slice(bytes)
            .map_err(|_| Error::BufferTooSmall)
    }

    fn position(&self) -> usize {
        self.len()
    }
}
