//! Severity levels of application logs.

use std::fmt;
use std::str::FromStr;

/// A log line's severity, ordered from least to most severe.
///
/// Tokens map case-insensitively: `TRACE` (and Apache's `trace1`..`trace8`), `DEBUG`,
/// `INFO`, `NOTICE`, `WARN`/`WARNING`, `ERROR`/`ERR`/`SEVERE`, `CRIT`/`CRITICAL`,
/// `ALERT`, `FATAL`/`EMERG`/`EMERGENCY`/`PANIC`; and .NET's names: Serilog's
/// `VERBOSE`, `INFORMATION` and their three-letter forms `VRB`, `DBG`, `INF`, `WRN`,
/// `ERR`, `FTL`, and Microsoft.Extensions.Logging's console forms `trce`, `dbug`,
/// `fail` (error); PostgreSQL's `LOG` (info) and `DEBUG1`..`DEBUG5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Finest-grained tracing.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation.
    Info,
    /// Normal but significant (syslog's `notice`; the RFC 3164 default).
    Notice,
    /// Something unexpected that did not stop the work.
    Warn,
    /// An operation failed.
    Error,
    /// A critical condition.
    Critical,
    /// Action must be taken immediately (syslog's `alert`).
    Alert,
    /// The program or system cannot go on (`FATAL`, syslog's `emerg`).
    Fatal,
}

impl Level {
    /// All levels, least severe first.
    pub const ALL: [Level; 9] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Notice,
        Level::Warn,
        Level::Error,
        Level::Critical,
        Level::Alert,
        Level::Fatal,
    ];

    /// Recognises a level token, any case, with no surrounding punctuation.
    pub fn from_bytes(token: &[u8]) -> Option<Level> {
        if token.len() < 3 || token.len() > 11 {
            return None;
        }
        let mut buf = [0u8; 11];
        for (d, s) in buf.iter_mut().zip(token) {
            *d = s.to_ascii_lowercase();
        }
        let t = &buf[..token.len()];
        Some(match t {
            b"trace" | b"trce" | b"verbose" | b"vrb" => Level::Trace,
            [b't', b'r', b'a', b'c', b'e', b'1'..=b'8'] => Level::Trace,
            b"debug" | b"dbg" | b"dbug" => Level::Debug,
            [b'd', b'e', b'b', b'u', b'g', b'1'..=b'5'] => Level::Debug,
            b"info" | b"inf" | b"information" | b"log" => Level::Info,
            b"notice" => Level::Notice,
            b"warn" | b"warning" | b"wrn" => Level::Warn,
            b"error" | b"err" | b"severe" | b"fail" => Level::Error,
            b"crit" | b"critical" => Level::Critical,
            b"alert" => Level::Alert,
            b"fatal" | b"emerg" | b"emergency" | b"panic" | b"ftl" => Level::Fatal,
            _ => return None,
        })
    }

    /// The syslog severity (0 emergency .. 7 debug) as a level.
    pub fn from_syslog_severity(severity: u8) -> Option<Level> {
        Some(match severity {
            0 => Level::Fatal,
            1 => Level::Alert,
            2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warn,
            5 => Level::Notice,
            6 => Level::Info,
            7 => Level::Debug,
            _ => return None,
        })
    }

    /// The canonical upper-case name (`"WARN"`, `"ERROR"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
            Level::Alert => "ALERT",
            Level::Fatal => "FATAL",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Level`] from a string that names none.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown log level `{0}`")]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Level, UnknownLevel> {
        Level::from_bytes(s.as_bytes()).ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_any_case() {
        assert_eq!(Level::from_bytes(b"WaRnInG"), Some(Level::Warn));
        assert_eq!(Level::from_bytes(b"trace6"), Some(Level::Trace));
        assert_eq!(Level::from_bytes(b"notice"), Some(Level::Notice));
        assert_eq!(Level::from_bytes(b"Information"), Some(Level::Info));
        for (token, level) in [
            (&b"VRB"[..], Level::Trace),
            (b"Verbose", Level::Trace),
            (b"trce", Level::Trace),
            (b"dbug", Level::Debug),
            (b"INF", Level::Info),
            (b"WRN", Level::Warn),
            (b"fail", Level::Error),
            (b"FTL", Level::Fatal),
        ] {
            assert_eq!(Level::from_bytes(token), Some(level), "{token:?}");
        }
        assert_eq!(Level::from_bytes(b"informational"), None);
        assert_eq!(Level::from_bytes(b"in"), None);
        assert!(Level::Fatal > Level::Error && Level::Error > Level::Warn);
        assert_eq!("crit".parse::<Level>(), Ok(Level::Critical));
    }
}
