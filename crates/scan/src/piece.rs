//! Pieces of input as the scanner hands them to workers, and what a worker does with
//! one: feed it to an aggregate, keep the totals, remember the earliest failure.

use std::sync::{
    Mutex, PoisonError,
    atomic::{AtomicU64, Ordering},
};

use logscan_source::{Block, Blocks, LineLimit, Source, aligned_chunks, count_lines};

use crate::{Aggregate, Chunk, Error, Progress, ScanStats};

/// A newline-aligned run of lines with its true first line number.
pub(crate) struct Piece<'a> {
    /// Position in input order, from 0.
    pub(crate) seq: u64,
    pub(crate) data: PieceData<'a>,
    pub(crate) first_line: u64,
    pub(crate) byte_offset: u64,
    /// Over-long lines the Stream reader dropped just before this piece.
    pub(crate) skipped_before: u64,
    /// Lines in the piece (over-long ones included), when already counted.
    pub(crate) line_count: Option<u64>,
}

pub(crate) enum PieceData<'a> {
    Slice(&'a [u8]),
    Block(Block),
}

impl Piece<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.data {
            PieceData::Slice(bytes) => bytes,
            PieceData::Block(block) => block.bytes(),
        }
    }

    fn from_block(seq: u64, block: Block) -> Piece<'static> {
        Piece {
            seq,
            first_line: block.first_line(),
            byte_offset: block.byte_offset(),
            skipped_before: block.skipped_lines(),
            line_count: Some(block.line_count()),
            data: PieceData::Block(block),
        }
    }

    /// Offset just past the piece.
    pub(crate) fn end(&self) -> u64 {
        self.byte_offset + self.bytes().len() as u64
    }
}

/// The blocks of a Stream source as pieces, each with the line count the reader took
/// when it cut the block, so no worker has to count them again. A piece is handed on
/// as soon as its block is read, never held back for the next one: from a live pipe
/// (`tail -f`) the next block may be a long time coming.
pub(crate) struct BlockPieces {
    blocks: Blocks,
    seq: u64,
}

impl BlockPieces {
    pub(crate) fn new(blocks: Blocks) -> Self {
        Self { blocks, seq: 0 }
    }
}

impl Iterator for BlockPieces {
    type Item = Result<Piece<'static>, logscan_source::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let block = match self.blocks.next()? {
            Ok(block) => block,
            Err(error) => return Some(Err(error)),
        };
        let piece = Piece::from_block(self.seq, block);
        self.seq += 1;
        Some(Ok(piece))
    }
}

/// Hands out the newline-aligned chunks of contiguous input in order, each with its
/// true first line number. Counting a chunk's lines as it is handed out is what gives
/// the next chunk its number; the count is a `memchr` pass over bytes the worker is
/// about to read anyway, so it also pulls them into that core's cache.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    chunk_size: usize,
    pos: usize,
    next_line: u64,
    seq: u64,
    /// Lowest offset at which a worker failed: no chunk after it is needed.
    stop: &'a AtomicU64,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], chunk_size: usize, stop: &'a AtomicU64) -> Self {
        Self {
            bytes,
            chunk_size,
            pos: 0,
            next_line: 1,
            seq: 0,
            stop,
        }
    }
}

impl<'a> Iterator for Cursor<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        if self.pos as u64 > self.stop.load(Ordering::Relaxed) {
            return None;
        }
        let (_, bytes) = aligned_chunks(self.bytes.get(self.pos..)?, self.chunk_size).next()?;
        let line_count = count_lines(bytes);
        let piece = Piece {
            seq: self.seq,
            data: PieceData::Slice(bytes),
            first_line: self.next_line,
            byte_offset: self.pos as u64,
            skipped_before: 0,
            line_count: Some(line_count),
        };
        self.seq += 1;
        self.pos += bytes.len();
        self.next_line += line_count;
        Some(piece)
    }
}

/// A failure and where in the input it happened, so the earliest one can win.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) offset: u64,
    pub(crate) error: Error,
}

impl Failure {
    pub(crate) fn earliest(a: Option<Failure>, b: Option<Failure>) -> Option<Failure> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.offset < a.offset { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// Counters every worker keeps; summed at the end.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Totals {
    pub(crate) lines: u64,
    pub(crate) skipped: u64,
    pub(crate) chunks: u64,
    /// Offset just past the furthest piece seen.
    pub(crate) end: u64,
}

impl Totals {
    pub(crate) fn add(&mut self, other: Totals) {
        self.lines += other.lines;
        self.skipped += other.skipped;
        self.chunks += other.chunks;
        self.end = self.end.max(other.end);
    }

    pub(crate) fn into_stats(
        self,
        strategy: logscan_source::Strategy,
        threads: usize,
    ) -> ScanStats {
        ScanStats {
            lines: self.lines,
            skipped_lines: self.skipped,
            bytes: self.end,
            chunks: self.chunks,
            strategy,
            threads,
        }
    }
}

/// What the workers share besides the input: the limit, the source to check (mapped
/// files), where to stop, and progress reporting.
pub(crate) struct Shared<'a> {
    pub(crate) limit: LineLimit,
    pub(crate) source: Option<&'a Source>,
    pub(crate) path: &'a std::path::Path,
    pub(crate) stop: &'a AtomicU64,
    pub(crate) progress: ProgressState<'a>,
}

impl Shared<'_> {
    /// Marks `offset` as failed, so nothing after it is scanned.
    pub(crate) fn fail_at(&self, offset: u64) {
        self.stop.fetch_min(offset, Ordering::Relaxed);
    }

    /// Whether a piece at `offset` still matters (no failure before it).
    pub(crate) fn wanted(&self, offset: u64) -> bool {
        offset <= self.stop.load(Ordering::Relaxed)
    }

    /// After a piece of a mapped file was read: are its bytes still the file's?
    pub(crate) fn check_intact(&self) -> Result<(), Error> {
        match self.source {
            Some(source) => source.check_intact().map_err(Error::from),
            None => Ok(()),
        }
    }

    /// Lines of the piece that are over the limit, found without feeding anything: the
    /// skip count, or the first over-long line as an error. Free for the usual piece,
    /// which is shorter than the limit and so cannot hold a longer line.
    pub(crate) fn check_lines(&self, piece: &Piece<'_>) -> Result<u64, Failure> {
        let bytes = piece.bytes();
        if bytes.len() <= self.limit.max_len() {
            return Ok(0);
        }
        let mut it = self.limit.lines(bytes, piece.first_line, piece.byte_offset);
        for line in &mut it {
            if let Err(e) = line {
                // A mapped file cut short reads as zeros past its new end: one long
                // run without a newline. Say it shrank rather than blame a line, so
                // the caller can tell the file changed (and retry it as a stream).
                if let Err(error) = self.check_intact() {
                    return Err(Failure {
                        offset: piece.byte_offset,
                        error,
                    });
                }
                return Err(Failure {
                    offset: e.byte_offset,
                    error: e.into_error(self.path).into(),
                });
            }
        }
        Ok(it.skipped())
    }
}

/// One worker's accumulator with its totals and earliest failure.
pub(crate) struct Partial<A> {
    pub(crate) aggregate: A,
    pub(crate) totals: Totals,
    pub(crate) failure: Option<Failure>,
}

impl<A: Aggregate> Partial<A> {
    pub(crate) fn new(aggregate: A) -> Self {
        Self {
            aggregate,
            totals: Totals::default(),
            failure: None,
        }
    }

    /// Feeds one piece's lines to the aggregate, with their true numbers.
    pub(crate) fn take(&mut self, piece: Piece<'_>, shared: &Shared<'_>) {
        if !shared.wanted(piece.byte_offset) {
            return;
        }
        // Over-long lines first (free unless the piece is longer than the limit): an
        // error stops here, before the aggregate sees any line of the piece.
        let skipped = match shared.check_lines(&piece) {
            Ok(skipped) => skipped,
            Err(failure) => {
                shared.fail_at(failure.offset);
                self.fail(failure);
                return;
            }
        };
        let bytes = piece.bytes();
        let line_count = piece.line_count.unwrap_or_else(|| count_lines(bytes));
        self.aggregate.add_chunk(&Chunk::new(
            bytes,
            piece.first_line,
            piece.byte_offset,
            shared.limit,
        ));
        self.totals.chunks += 1;
        self.totals.lines += line_count - skipped;
        self.totals.skipped += skipped + piece.skipped_before;
        self.totals.end = self.totals.end.max(piece.end());
        if let Err(error) = shared.check_intact() {
            shared.fail_at(piece.byte_offset);
            self.fail(Failure {
                offset: piece.byte_offset,
                error,
            });
            return;
        }
        shared.progress.advance(bytes.len() as u64);
    }

    pub(crate) fn fail(&mut self, failure: Failure) {
        self.failure = Failure::earliest(self.failure.take(), Some(failure));
    }

    pub(crate) fn merge(mut self, other: Self) -> Self {
        self.failure = Failure::earliest(self.failure, other.failure);
        if self.failure.is_none() {
            // A failed scan's aggregate is dropped, so merging it would be wasted work.
            self.aggregate.merge(other.aggregate);
        }
        self.totals.add(other.totals);
        self
    }
}

/// Reports bytes done after each piece, from whichever worker finished it. The lock
/// keeps the reported values increasing; it is taken once per piece, not per line.
pub(crate) struct ProgressState<'a> {
    callback: Option<&'a (dyn Fn(Progress) + Send + Sync)>,
    done: Mutex<u64>,
    total: Option<u64>,
}

impl<'a> ProgressState<'a> {
    pub(crate) fn new(
        callback: Option<&'a (dyn Fn(Progress) + Send + Sync)>,
        total: Option<u64>,
    ) -> Self {
        Self {
            callback,
            done: Mutex::new(0),
            total,
        }
    }

    pub(crate) fn advance(&self, bytes: u64) {
        if let Some(callback) = self.callback {
            let mut done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
            *done += bytes;
            callback(Progress {
                bytes_done: *done,
                bytes_total: self.total,
            });
        }
    }

    /// The last call: everything read, skipped long lines included.
    pub(crate) fn finish(&self, bytes: u64) {
        if let Some(callback) = self.callback {
            let mut done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
            if *done != bytes {
                *done = bytes;
                callback(Progress {
                    bytes_done: bytes,
                    bytes_total: self.total,
                });
            }
        }
    }
}
