//! Parallel chunked scanner joining a logscan source to any mergeable aggregate.
//!
//! A [`Scanner`] reads a [`Source`](logscan_source::Source) on all cores and feeds
//! every line, with its true line number, to an [`Aggregate`]: a per-worker
//! accumulator that merges with the others at the end. Contiguous input (ReadAll,
//! Mmap) is cut into newline-aligned chunks that the workers of the scanner's rayon
//! pool take in input order; Stream input is read by one reader thread into pooled
//! blocks passed over a bounded channel, so memory stays bounded whatever the input
//! size. [`ScanOutput`] holds the merged aggregate and the [`ScanStats`] (lines, bytes,
//! skipped over-long lines, strategy). [`Scanner::map_ordered`] maps each [`Chunk`] to
//! a value in parallel and hands the values to a sink in input order, for output that
//! must keep the order of the input (a parallel grep).
//!
//! Ready aggregates: [`LineCount`], [`count_matching`], [`from_fn`] for closures, and
//! `()` for the totals alone; tuples of aggregates run in one pass. The scanner hands an
//! aggregate whole chunks ([`Aggregate::add_chunk`]), line by line unless it chooses to
//! work across the lines of a chunk.
//!
//! Every strategy, thread count and chunk size gives the same result, provided the
//! aggregate's `merge` is order-independent (see [`Aggregate`]). How the line numbers
//! stay true in parallel: the chunks of contiguous input are handed out in order by a
//! cursor that counts each chunk's lines (one `memchr` pass, which also warms the
//! cache for the worker about to read the chunk), so each chunk knows its first line
//! number before any of its lines is read; Stream blocks are numbered by the reader.
//!
//! # Example
//!
//! ```
//! use logscan_scan::{Aggregate, Scanner};
//! use logscan_source::{Source, Strategy};
//!
//! /// Lines per HTTP status class, and the first line that is not a request.
//! #[derive(Default)]
//! struct Classes {
//!     by_class: [u64; 6],
//!     first_odd_line: Option<u64>,
//! }
//!
//! impl Aggregate for Classes {
//!     fn add_line(&mut self, line: &[u8], line_number: u64) {
//!         match line.split(|&b| b == b' ').nth(1) {
//!             Some([c @ b'1'..=b'5', _, _]) => self.by_class[usize::from(c - b'0')] += 1,
//!             _ => {
//!                 let first = self.first_odd_line.get_or_insert(line_number);
//!                 *first = (*first).min(line_number);
//!             }
//!         }
//!     }
//!     fn merge(&mut self, other: Self) {
//!         for (a, b) in self.by_class.iter_mut().zip(other.by_class) {
//!             *a += b;
//!         }
//!         self.first_odd_line = match (self.first_odd_line, other.first_odd_line) {
//!             (Some(a), Some(b)) => Some(a.min(b)),
//!             (a, b) => a.or(b),
//!         };
//!     }
//! }
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("access.log");
//! std::fs::write(&path, "GET 200\nGET 404\nhello\nPOST 500\nGET 200\n")?;
//!
//! let scanner = Scanner::builder().threads(2).chunk_size(8).build()?;
//! for strategy in [Strategy::Stream, Strategy::ReadAll, Strategy::Mmap] {
//!     let source = Source::builder().strategy(strategy).open(&path)?;
//!     let out = scanner.scan(source, Classes::default)?;
//!     assert_eq!(out.aggregate.by_class, [0, 0, 2, 0, 1, 1]);
//!     assert_eq!(out.aggregate.first_odd_line, Some(3));
//!     assert_eq!((out.stats.lines, out.stats.bytes, out.stats.strategy), (5, 39, strategy));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod aggregate;
mod chunk;
mod error;
mod ordered;
mod piece;
mod scanner;

pub use crate::{
    aggregate::{Aggregate, CountMatching, FromFn, LineCount, count_matching, from_fn},
    chunk::{Chunk, ChunkLines},
    error::{BuildError, Error, MapError},
    scanner::{Progress, ScanOutput, ScanStats, Scanner, ScannerBuilder},
};
