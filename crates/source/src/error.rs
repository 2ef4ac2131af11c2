use std::{io, path::PathBuf};

use crate::strategy::Strategy;

/// Everything that can go wrong opening or reading a [`Source`](crate::Source).
///
/// Every variant that concerns an input names its path (`-` for stdin, or the name given
/// to [`SourceBuilder::open_reader`](crate::SourceBuilder::open_reader)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path does not exist.
    #[error("{}: no such file", path.display())]
    NotFound {
        /// The input.
        path: PathBuf,
    },
    /// The path exists but may not be read.
    #[error("{}: permission denied", path.display())]
    PermissionDenied {
        /// The input.
        path: PathBuf,
    },
    /// The path is a directory.
    #[error("{}: is a directory", path.display())]
    IsADirectory {
        /// The input.
        path: PathBuf,
    },
    /// Any other I/O error while opening, mapping or reading.
    #[error("{}: {source}", path.display())]
    Io {
        /// The input.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A line is longer than the limit and the policy is
    /// [`LongLinePolicy::Error`](crate::LongLinePolicy::Error).
    #[error(
        "{}: line {line_number} (at byte {byte_offset}) is longer than the limit of {limit} bytes",
        path.display()
    )]
    LineTooLong {
        /// The input.
        path: PathBuf,
        /// 1-based number of the offending line.
        line_number: u64,
        /// Offset of the line's first byte (in the decompressed input, for gzip).
        byte_offset: u64,
        /// The limit it broke.
        limit: usize,
    },
    /// A mapped file shrank while it was being scanned: the bytes past its new end are
    /// gone. Scanning it again with [`Strategy::Stream`] reads what is there now.
    #[error(
        "{}: file shrank from {size_at_open} to {size_now} bytes while scanning",
        path.display()
    )]
    Truncated {
        /// The input.
        path: PathBuf,
        /// Its size when it was opened (the length of the mapping).
        size_at_open: u64,
        /// Its size when the shrink was noticed.
        size_now: u64,
    },
    /// A read of a mapped file hit a page that was not there (the SIGBUS guard
    /// replaced it with zeros), yet the file is not smaller than at open: it shrank and
    /// was written again past the old length before the check (a truncate-and-rewrite,
    /// logrotate's `copytruncate` followed by new lines), or the storage could not
    /// deliver the page (an I/O error, typically on a network filesystem). Either way
    /// the bytes that were scanned are not the file's. Scanning it again with
    /// [`Strategy::Stream`] reads what is there now.
    #[error(
        "{}: a read of the mapped file failed ({size_at_open} bytes at open, {}): the file was \
         changed in place or its storage reported an error",
        path.display(),
        size_now_text(size_now)
    )]
    MappedReadFailed {
        /// The input.
        path: PathBuf,
        /// Its size when it was opened (the length of the mapping).
        size_at_open: u64,
        /// Its size by `fstat` when the failed read was noticed, `None` if `fstat`
        /// failed too.
        size_now: Option<u64>,
    },
    /// The Mmap strategy was asked for, but the SIGBUS guard could not protect the
    /// mapping (all guard slots in use, no guard on this platform, or the signal
    /// handler could not be installed). Without the guard a file that shrinks while
    /// mapped kills the process, so the file is not mapped. [`Strategy::Auto`] reads
    /// such a file with [`Strategy::Stream`] instead (see
    /// [`Source::auto_fallback`](crate::Source::auto_fallback)).
    #[error("{}: cannot map the file safely: {source}", path.display())]
    Unguarded {
        /// The input.
        path: PathBuf,
        /// Why the guard refused.
        source: logscan_sigbus::Error,
    },
    /// The input starts like gzip but does not decompress (it is cut short, or
    /// corrupt). Reading it gave the complete lines decompressed before the damage
    /// first, as `zcat` prints them before it complains; a consumer that keeps partial
    /// results (printed lines) has them, one that discards a failed input's results
    /// (a summary of it) drops them with the rest.
    #[error(
        "{}: bad gzip data after {decompressed} decompressed bytes: {source}",
        path.display()
    )]
    BadGzip {
        /// The input.
        path: PathBuf,
        /// Bytes decompressed before the decoder failed: where in the log the
        /// damage starts.
        decompressed: u64,
        /// What the decoder reported.
        source: io::Error,
    },
    /// The requested strategy cannot read this input (mapping a pipe, say).
    #[error("{}: the {strategy} strategy cannot read this input: {reason}", path.display())]
    Unsupported {
        /// The input.
        path: PathBuf,
        /// The strategy that was asked for.
        strategy: Strategy,
        /// Why not.
        reason: &'static str,
    },
    /// The options given to [`SourceBuilder`](crate::SourceBuilder) cannot work.
    #[error("invalid source options: {reason}")]
    InvalidOptions {
        /// What is wrong.
        reason: &'static str,
    },
}

impl Error {
    /// The input the error is about, if any.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::NotFound { path }
            | Error::PermissionDenied { path }
            | Error::IsADirectory { path }
            | Error::Io { path, .. }
            | Error::LineTooLong { path, .. }
            | Error::Truncated { path, .. }
            | Error::MappedReadFailed { path, .. }
            | Error::Unguarded { path, .. }
            | Error::BadGzip { path, .. }
            | Error::Unsupported { path, .. } => Some(path),
            Error::InvalidOptions { .. } => None,
        }
    }

    /// Whether the error says that a mapped file changed (or could not be read) while
    /// it was scanned: [`Error::Truncated`] or [`Error::MappedReadFailed`]. The scan's
    /// results must be discarded; reading the file again with [`Strategy::Stream`]
    /// reads it as it is now (what the CLI does once under `--io auto`).
    pub fn changed_while_mapped(&self) -> bool {
        matches!(
            self,
            Error::Truncated { .. } | Error::MappedReadFailed { .. }
        )
    }

    /// Classifies an I/O error about `path` into the specific variants where possible.
    pub(crate) fn from_io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        let path = path.into();
        match source.kind() {
            io::ErrorKind::NotFound => Error::NotFound { path },
            io::ErrorKind::PermissionDenied => Error::PermissionDenied { path },
            io::ErrorKind::IsADirectory => Error::IsADirectory { path },
            _ => Error::Io { path, source },
        }
    }

    /// Classifies an error from reading through the gzip decoder: the kinds flate2 uses
    /// for corrupt or cut-off data become [`Error::BadGzip`].
    pub(crate) fn from_gzip_read(
        path: impl Into<PathBuf>,
        decompressed: u64,
        source: io::Error,
    ) -> Self {
        match source.kind() {
            io::ErrorKind::InvalidInput
            | io::ErrorKind::InvalidData
            | io::ErrorKind::UnexpectedEof => Error::BadGzip {
                path: path.into(),
                decompressed,
                source,
            },
            _ => Error::from_io(path, source),
        }
    }
}

fn size_now_text(size_now: &Option<u64>) -> String {
    match size_now {
        Some(size) => format!("{size} now"),
        None => "size now unknown".to_owned(),
    }
}

/// A `--io` value that is not one of `auto`, `stream`, `read`, `mmap`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown I/O strategy {given:?}: expected one of auto, stream, read, mmap")]
pub struct ParseStrategyError {
    /// The text that did not parse.
    pub given: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_classified_with_their_path() {
        let e = Error::from_io("x.log", io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(matches!(&e, Error::PermissionDenied { path } if path.as_os_str() == "x.log"));
        assert_eq!(e.to_string(), "x.log: permission denied");
        let e = Error::from_io("d", io::Error::from(io::ErrorKind::IsADirectory));
        assert!(matches!(e, Error::IsADirectory { .. }));
        let e = Error::from_io("f", io::Error::other("disk on fire"));
        assert!(matches!(e, Error::Io { .. }));
        assert_eq!(e.to_string(), "f: disk on fire");
        assert_eq!(e.path().map(|p| p.as_os_str() == "f"), Some(true));
    }
}
