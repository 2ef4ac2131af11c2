//! What can stop a command, and how it is shown: one line,
//! `logscan: <file>: <what went wrong> (line N, byte M)`.

use std::{fmt, io, path::PathBuf};

use logscan_parse::FormatError;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (malformed lines are reported, not failures).
    Success,
    /// `filter` or `slice` matched nothing (grep's convention).
    NoMatch,
    /// A usage or I/O error.
    Error,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            Exit::Success => 0,
            Exit::NoMatch => 1,
            Exit::Error => 2,
        }
    }
}

/// An error that ends a command with exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Opening or reading an input failed.
    #[error(transparent)]
    Source(#[from] logscan_source::Error),
    /// The scanner failed in a way this build does not know in detail.
    #[error("{0}")]
    Scan(logscan_scan::Error),
    /// A `--log-format` (or a `log_format` of an nginx config) does not compile.
    #[error("{origin}: {error}")]
    Format {
        /// Where the format came from (`--log-format`, or `FILE: log_format NAME`).
        origin: String,
        /// Why it does not compile.
        error: FormatError,
    },
    /// The nginx or Apache configuration cannot give a format.
    #[error("{}: {message}", path.display())]
    ConfFile {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
        /// The line of the configuration it concerns, if one.
        line: Option<u64>,
    },
    /// `--format auto` found no format that fits the first lines of an input.
    #[error("{}: cannot tell the log format from the first lines; pass --format, --log-format or --apache-format", path.display())]
    UnknownFormat {
        /// The input.
        path: PathBuf,
    },
    /// A value given on the command line that cannot work.
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed (other than the reader going away).
    #[error("<stdout>: {0}")]
    Output(io::Error),
}

impl From<logscan_scan::Error> for CliError {
    fn from(e: logscan_scan::Error) -> CliError {
        match e {
            logscan_scan::Error::Source(e) => CliError::Source(e),
            #[allow(unreachable_patterns)] // the enum is non-exhaustive
            other => CliError::Scan(other),
        }
    }
}

impl CliError {
    /// A usage error with this message.
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::Usage(message.into())
    }

    /// Whether a mapped file changed (shrank, or failed a read) while it was scanned,
    /// so that reading it again with Stream may succeed.
    pub fn is_truncated(&self) -> bool {
        matches!(self, CliError::Source(e) if e.changed_while_mapped())
    }

    /// Whether the error concerns one input only, so that the other inputs can still be
    /// read (as `grep` and `wc` do); the command then exits with status 2.
    pub fn is_per_input(&self) -> bool {
        matches!(self, CliError::Source(_) | CliError::UnknownFormat { .. })
    }

    /// The line shown on stderr, without the trailing newline.
    pub fn report(&self) -> String {
        format!("logscan: {}", Report(self))
    }
}

/// Renders an error with its line and byte position at the end, where known.
struct Report<'a>(&'a CliError);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use logscan_source::Error as E;
        match self.0 {
            CliError::Source(error) => match error {
                E::LineTooLong {
                    path,
                    line_number,
                    byte_offset,
                    limit,
                } => write!(
                    f,
                    "{}: line longer than {limit} bytes; raise --max-line-length or pass \
                     --skip-long-lines (line {line_number}, byte {byte_offset})",
                    path.display()
                ),
                E::Unsupported {
                    path,
                    strategy,
                    reason,
                } => write!(
                    f,
                    "{}: --io {strategy} cannot read this input: {reason}",
                    path.display()
                ),
                E::Io { path, source } => {
                    write!(f, "{}: {}", path.display(), describe_io(source))
                }
                other => write!(f, "{other}"),
            },
            CliError::ConfFile {
                path,
                message,
                line: Some(line),
            } => write!(f, "{}: {message} (line {line})", path.display()),
            CliError::Output(e) => write!(f, "<stdout>: {}", describe_io(e)),
            other => write!(f, "{other}"),
        }
    }
}

/// An I/O error's message without Rust's ` (os error N)` suffix.
fn describe_io(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_names_its_line_and_byte_last() {
        let e = CliError::from(logscan_source::Error::LineTooLong {
            path: "big.log".into(),
            line_number: 7,
            byte_offset: 1234,
            limit: 100,
        });
        let line = e.report();
        assert!(line.starts_with("logscan: big.log: line longer than 100 bytes"));
        assert!(line.ends_with("(line 7, byte 1234)"), "{line}");
    }

    #[test]
    fn io_errors_lose_the_os_error_suffix() {
        let e = CliError::from(logscan_source::Error::Io {
            path: "x".into(),
            source: io::Error::from_raw_os_error(libc_eio()),
        });
        let line = e.report();
        assert!(line.starts_with("logscan: x: "), "{line}");
        assert!(!line.contains("os error"), "{line}");
    }

    fn libc_eio() -> i32 {
        5 // EIO on Linux
    }

    #[test]
    fn exit_codes_follow_grep() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::NoMatch.code(), 1);
        assert_eq!(Exit::Error.code(), 2);
    }
}
