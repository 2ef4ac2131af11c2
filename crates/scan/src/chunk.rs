//! A piece of input handed to a map closure, with its true position.

use std::iter::FusedIterator;

use logscan_source::{Line, LineLimit, NumberedLines};

/// A run of complete lines of the input, with its true place in it: what
/// [`Scanner::map_ordered`](crate::Scanner::map_ordered) gives its map closure.
///
/// A chunk starts at a line start and ends just after a `\n` (only the last chunk of an
/// input may end without one). Its bytes borrow the input (ReadAll, Mmap) or a pooled
/// Stream block; either way they live only as long as the call.
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    bytes: &'a [u8],
    first_line: u64,
    byte_offset: u64,
    limit: LineLimit,
}

impl<'a> Chunk<'a> {
    pub(crate) fn new(
        bytes: &'a [u8],
        first_line: u64,
        byte_offset: u64,
        limit: LineLimit,
    ) -> Self {
        Self {
            bytes,
            first_line,
            byte_offset,
            limit,
        }
    }

    /// The chunk's bytes: whole lines with their terminators, over-long lines
    /// included (use [`lines`](Self::lines) to have them left out).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// True 1-based number of the chunk's first line.
    pub fn first_line(&self) -> u64 {
        self.first_line
    }

    /// Offset of the chunk's first byte in the input (decompressed input, for gzip).
    pub fn byte_offset(&self) -> u64 {
        self.byte_offset
    }

    /// The chunk's lines, in order, with their true numbers and byte offsets, without
    /// terminators. Lines over the source's line limit are left out (with
    /// [`LongLinePolicy::Error`](logscan_source::LongLinePolicy::Error) the scanner
    /// has already failed on them and never hands the chunk out).
    pub fn lines(&self) -> ChunkLines<'a> {
        ChunkLines {
            inner: self
                .limit
                .lines(self.bytes, self.first_line, self.byte_offset),
        }
    }
}

/// The lines of a [`Chunk`]; made by [`Chunk::lines`].
#[derive(Clone, Debug)]
pub struct ChunkLines<'a> {
    inner: NumberedLines<'a>,
}

impl<'a> Iterator for ChunkLines<'a> {
    type Item = Line<'a>;

    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        // An over-long line under the Error policy ends the iterator; the scanner has
        // checked such chunks before handing them out, so this is never reached then.
        self.inner.next()?.ok()
    }
}

impl FusedIterator for ChunkLines<'_> {}
