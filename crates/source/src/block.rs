//! Blocks of complete lines, owned and `Send`, for handing to worker threads.

use std::{fmt, path::Path, sync::Arc};

use bytes::Bytes;
use logscan_pool::PooledBuf;

use crate::{
    contiguous::Contents,
    error::Error,
    lines::{LineLimit, NumberedLines, aligned_end, count_lines},
    strategy::Strategy,
    stream::StreamReader,
};

/// A run of complete lines with its place in the input.
///
/// A block starts at a line start and ends just after a `\n`; only the last block of an
/// input may end without one. It owns its bytes (`Send + 'static`), so it can be moved to
/// a worker thread:
///
/// - from a Stream source, the bytes live in a pooled buffer that goes back to the
///   pool when the block (or the last clone of [`into_bytes`](Self::into_bytes)) drops;
/// - from a ReadAll or Mmap source, the block is a window on the shared contents, no
///   copy made; the contents live until the last block is dropped.
pub struct Block {
    data: BlockData,
    first_line: u64,
    line_count: u64,
    byte_offset: u64,
    skipped_before: u64,
}

enum BlockData {
    Pooled(PooledBuf),
    Shared(SharedRange),
}

/// A range of contiguous contents, kept alive by its `Arc`.
struct SharedRange {
    contents: Arc<Contents>,
    start: usize,
    end: usize,
}

impl AsRef<[u8]> for SharedRange {
    fn as_ref(&self) -> &[u8] {
        &self.contents[self.start..self.end]
    }
}

impl Block {
    pub(crate) fn pooled(
        buf: PooledBuf,
        first_line: u64,
        line_count: u64,
        byte_offset: u64,
        skipped_before: u64,
    ) -> Self {
        Self {
            data: BlockData::Pooled(buf),
            first_line,
            line_count,
            byte_offset,
            skipped_before,
        }
    }

    /// The block's bytes: whole lines with their terminators.
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            BlockData::Pooled(buf) => buf,
            BlockData::Shared(range) => range.as_ref(),
        }
    }

    /// 1-based number of the block's first line.
    pub fn first_line(&self) -> u64 {
        self.first_line
    }

    /// Lines in the block (over-long ones included; not those of
    /// [`skipped_lines`](Self::skipped_lines), which are not in it), counted when the
    /// block was cut, so a consumer need not count them again.
    pub fn line_count(&self) -> u64 {
        self.line_count
    }

    /// Offset of the block's first byte in the input (decompressed input, for gzip).
    pub fn byte_offset(&self) -> u64 {
        self.byte_offset
    }

    /// Lines the Stream reader dropped as too long (policy
    /// [`Skip`](crate::LongLinePolicy::Skip)) between the previous block and this one,
    /// because it could not hold them in bounded memory. They are counted in the line
    /// numbers. Add this to the skips that [`lines`](Self::lines) reports to get the same
    /// total as a contiguous source. May be non-zero on an otherwise empty last block.
    pub fn skipped_lines(&self) -> u64 {
        self.skipped_before
    }

    /// The block's lines, numbered and with `limit` applied (pass
    /// [`Source::line_limit`](crate::Source::line_limit)).
    pub fn lines(&self, limit: LineLimit) -> NumberedLines<'_> {
        limit.lines(self.bytes(), self.first_line, self.byte_offset)
    }

    /// Checks that the bytes of this block (and of every block read so far from the
    /// same mapped file) were the file's, like
    /// [`Source::check_intact`](crate::Source::check_intact): call it after processing
    /// the block on a worker thread, and on `Err` discard the results of the whole
    /// scan. The [`Blocks`] iterator checks the same thing before handing out each
    /// block and once at the end, which covers a consumer that processes each block
    /// before asking for the next; blocks processed in parallel, after the iterator
    /// moved on, need this call.
    ///
    /// Always `Ok` for blocks from Stream and ReadAll sources, whose bytes are owned.
    pub fn check_intact(&self) -> Result<(), Error> {
        match &self.data {
            BlockData::Pooled(_) => Ok(()),
            BlockData::Shared(range) => range.contents.check_intact(),
        }
    }

    /// The bytes as a cheaply clonable, read-only [`Bytes`] to share between threads.
    ///
    /// For a block of a mapped file, the returned bytes can no longer be checked:
    /// call [`check_intact`](Self::check_intact) on another block of the same source
    /// (or rely on the [`Blocks`] iterator's checks) after reading them.
    pub fn into_bytes(self) -> Bytes {
        match self.data {
            BlockData::Pooled(buf) => buf.freeze(),
            BlockData::Shared(range) => Bytes::from_owner(range),
        }
    }
}

impl fmt::Debug for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Block")
            .field("len", &self.bytes().len())
            .field("first_line", &self.first_line)
            .field("byte_offset", &self.byte_offset)
            .field("skipped_before", &self.skipped_before)
            .finish()
    }
}

/// The blocks of a source, in input order; made by
/// [`Source::into_blocks`](crate::Source::into_blocks).
///
/// Yields `Err` at most once, then ends. It is `Send + 'static`, so it can run on a
/// reader thread that feeds a bounded channel.
///
/// A read that fails part-way (gzip cut short or corrupt, an I/O error) ends the blocks
/// with its error, but only after the complete lines read before it: they come in
/// blocks first, whatever the block size, and the unfinished line the failure cut is
/// left out (or, if already longer than the limit, is that over-long line: skipped, or
/// [`Error::LineTooLong`] in place of the read's error).
pub struct Blocks {
    inner: BlocksImpl,
    strategy: Strategy,
}

enum BlocksImpl {
    Stream(StreamReader),
    Contiguous(ContiguousBlocks),
}

struct ContiguousBlocks {
    contents: Arc<Contents>,
    path: std::path::PathBuf,
    block_size: usize,
    pos: usize,
    next_line: u64,
    done: bool,
}

impl Blocks {
    pub(crate) fn stream(reader: StreamReader) -> Self {
        Self {
            inner: BlocksImpl::Stream(reader),
            strategy: Strategy::Stream,
        }
    }

    pub(crate) fn contiguous(
        contents: Arc<Contents>,
        path: std::path::PathBuf,
        block_size: usize,
        strategy: Strategy,
    ) -> Self {
        Self {
            inner: BlocksImpl::Contiguous(ContiguousBlocks {
                contents,
                path,
                block_size,
                pos: 0,
                next_line: 1,
                done: false,
            }),
            strategy,
        }
    }

    /// The strategy of the source the blocks come from (never `Auto`).
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The input's path (`-` for stdin).
    pub fn path(&self) -> &Path {
        match &self.inner {
            BlocksImpl::Stream(reader) => reader.path(),
            BlocksImpl::Contiguous(c) => &c.path,
        }
    }
}

impl Iterator for Blocks {
    type Item = Result<Block, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            BlocksImpl::Stream(reader) => reader.next_block(),
            BlocksImpl::Contiguous(c) => c.next_block(),
        }
    }
}

impl std::iter::FusedIterator for Blocks {}

impl fmt::Debug for Blocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocks")
            .field("path", &self.path())
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}

impl ContiguousBlocks {
    fn next_block(&mut self) -> Option<Result<Block, Error>> {
        if self.done {
            return None;
        }
        if self.pos >= self.contents.len() {
            self.done = true;
            // The last block was read after the last check.
            return self.contents.check_intact().err().map(Err);
        }
        // Checked before each block is handed out, as a scanner checks after each
        // chunk: a consumer that takes the next block after finishing the previous one
        // gets every block it read checked, the last one by the check at the end.
        if let Err(e) = self.contents.check_intact() {
            self.done = true;
            return Some(Err(e));
        }
        let start = self.pos;
        let end = aligned_end(&self.contents, start, self.block_size);
        let first_line = self.next_line;
        let line_count = count_lines(&self.contents[start..end]);
        self.next_line += line_count;
        self.pos = end;
        Some(Ok(Block {
            data: BlockData::Shared(SharedRange {
                contents: Arc::clone(&self.contents),
                start,
                end,
            }),
            first_line,
            line_count,
            byte_offset: start as u64,
            skipped_before: 0,
        }))
    }
}
