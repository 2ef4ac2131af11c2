//! Log input sources: Stream, ReadAll, Mmap and Auto strategies with one line semantics.
//!
//! A [`SourceBuilder`] opens a path (`-` for stdin) or any reader as a [`Source`], using
//! a [`Strategy`]: **Stream** reads through bounded, pooled buffers; **ReadAll** reads
//! the whole input into one heap buffer; **Mmap** maps the file; **Auto** picks one by
//! what the input is (rule at [`SourceBuilder::auto_mmap_threshold`]). gzip input is
//! recognised by its magic bytes and decompressed (Stream, or ReadAll if asked). gzip
//! that stops decompressing part-way (cut short, corrupt) is read as `zcat` reads it:
//! the complete lines before the damage, then [`Error::BadGzip`] saying how many bytes
//! were decompressed; the line the damage cut is not a line.
//!
//! Every mapping is registered with the SIGBUS guard of `logscan-sigbus` before it is
//! read, so a file that shrinks while mapped does not kill the process: the lost pages
//! read as zeros and [`Source::check_intact`] reports [`Error::Truncated`] (or
//! [`Error::MappedReadFailed`]). Where the guard cannot take a mapping, Mmap is refused
//! ([`Error::Unguarded`]) and Auto reads the file with Stream instead.
//!
//! A source hands out its bytes in one of two shapes:
//!
//! - [`Source::contents`]: the whole input as one `&[u8]` (ReadAll, Mmap), to split
//!   with [`aligned_chunks`] and scan in parallel;
//! - [`Source::into_blocks`]: owned, `Send` [`Block`]s of complete lines (any strategy;
//!   the only shape for Stream), each knowing its first line number and byte offset.
//!
//! # One line semantics
//!
//! Every strategy yields the same lines, defined once by [`lines`]: split on `\n`,
//! strip one trailing `\r`, keep a last line without `\n`, no phantom empty line at the
//! end, bytes need not be UTF-8. Over-long lines follow one [`LineLimit`]: an error
//! naming the line number and byte offset ([`LongLinePolicy::Error`], the default) or
//! skip-and-count ([`LongLinePolicy::Skip`]); never silent truncation.
//!
//! A consumer gets identical results from every strategy by following these rules
//! (which [`Source::for_each_line`] follows on one thread):
//!
//! 1. Split contiguous input only at line starts ([`aligned_chunks`] does); Stream
//!    blocks already start and end there.
//! 2. Iterate every piece with `source.line_limit().lines(piece, first_line, offset)`
//!    ([`LineLimit::lines`]; [`Block::lines`] fills in the numbers). For a chunk whose
//!    first line number is not known yet, number from 1 and add the count of lines of
//!    the chunks before it ([`count_lines`]) afterwards.
//! 3. Skipped lines = the sum of [`NumberedLines::skipped`] over all pieces plus, for
//!    blocks, the sum of [`Block::skipped_lines`] (lines the Stream reader had to drop
//!    to keep its memory bounded).
//! 4. On errors, report the one with the lowest byte offset: a Stream source returns a
//!    [`Error::LineTooLong`], or the error of a read that failed ([`Error::BadGzip`],
//!    [`Error::Io`]), from [`Blocks`] only after handing out every block before it,
//!    the complete lines read before a failed read included, and pieces scanned in
//!    parallel may fail out of order.
//! 5. For Mmap, call [`Source::check_intact`] after each chunk, and before reporting
//!    an error found in one; on error discard the whole scan's result and report that
//!    error. The [`Blocks`] iterator checks before each block and at its end, which
//!    covers a consumer that reads each block before asking for the next; a block
//!    processed on a worker after the iterator moved on needs [`Block::check_intact`].
//!
//! # Example
//!
//! ```
//! use logscan_source::{Source, Strategy};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("app.log");
//! std::fs::write(&path, "start\r\nwork\r\ndone")?;
//!
//! for strategy in [Strategy::Stream, Strategy::ReadAll, Strategy::Mmap] {
//!     let source = Source::builder().strategy(strategy).open(&path)?;
//!     assert_eq!(source.strategy(), strategy);
//!     let mut lines = Vec::new();
//!     source.for_each_line(|line| lines.push(line.bytes.to_vec()))?;
//!     assert_eq!(lines, [&b"start"[..], b"work", b"done"]);
//! }
//!
//! // Auto reads a small regular file whole.
//! let source = Source::open(&path)?;
//! assert_eq!(source.strategy(), Strategy::ReadAll);
//! assert_eq!(source.contents(), Some(&b"start\r\nwork\r\ndone"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod block;
mod contiguous;
mod error;
mod gzip;
mod lines;
mod source;
mod strategy;
mod stream;

pub use crate::{
    block::{Block, Blocks},
    error::{Error, ParseStrategyError},
    gzip::GzipTrailer,
    lines::{
        AlignedChunks, Line, LineLimit, LineTooLong, Lines, LongLinePolicy, NumberedLines,
        aligned_chunks, count_lines, lines,
    },
    source::{LineCounts, Source, SourceBuilder},
    strategy::{Compression, MmapAdvice, Strategy},
};
