//! Typed errors: [`Error`] for a scan that failed, [`MapError`] for an ordered map whose
//! sink may fail too, [`BuildError`] for a scanner that cannot be configured.

use std::path::Path;

/// Why a scan failed. A failed scan returns no aggregate: partial results are dropped,
/// because they would silently miss the lines after the failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be read to the end: an I/O error, a line longer than the
    /// limit ([`logscan_source::Error::LineTooLong`], with line number and byte offset),
    /// a mapped file that shrank ([`logscan_source::Error::Truncated`]), bad gzip data.
    /// When several parts of the input fail, this is the failure nearest its start.
    #[error(transparent)]
    Source(#[from] logscan_source::Error),
}

impl Error {
    /// The input the error is about, if known.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Error::Source(e) => e.path(),
        }
    }

    /// The 1-based line number the error points at, if it points at a line.
    pub fn line_number(&self) -> Option<u64> {
        match self {
            Error::Source(logscan_source::Error::LineTooLong { line_number, .. }) => {
                Some(*line_number)
            }
            Error::Source(_) => None,
        }
    }

    /// The byte offset the error points at, if it points at a line.
    pub fn byte_offset(&self) -> Option<u64> {
        match self {
            Error::Source(logscan_source::Error::LineTooLong { byte_offset, .. }) => {
                Some(*byte_offset)
            }
            Error::Source(_) => None,
        }
    }

    /// True when a mapped file shrank during the scan; scanning it again with
    /// [`Strategy::Stream`](logscan_source::Strategy::Stream) reads what is there now.
    pub fn is_truncated(&self) -> bool {
        matches!(self, Error::Source(logscan_source::Error::Truncated { .. }))
    }
}

/// Why [`Scanner::map_ordered`](crate::Scanner::map_ordered) stopped: the scan failed,
/// or the sink returned an error (a closed pipe, say).
#[derive(Debug, thiserror::Error)]
pub enum MapError<E> {
    /// Reading the input failed; the sink has received every value before the failing
    /// chunk, in order, and nothing after it.
    #[error(transparent)]
    Scan(#[from] Error),
    /// The sink returned this error; the scan stopped as soon as the workers noticed.
    #[error("{0}")]
    Sink(E),
}

/// A [`ScannerBuilder`](crate::ScannerBuilder) setting that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// `threads(0)`: a scan needs at least one thread.
    #[error("a scanner needs at least one thread")]
    ZeroThreads,
    /// `chunk_size(0)`: chunks hold at least one byte.
    #[error("the chunk size must be at least 1 byte")]
    ZeroChunkSize,
    /// The worker threads could not be started.
    #[error("cannot start the scan threads: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
}
