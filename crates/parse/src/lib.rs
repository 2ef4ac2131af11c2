//! Zero-copy parsers for access logs (nginx/Apache presets, any nginx `log_format`
//! and any Apache `LogFormat`), application logs and JSON lines.
//!
//! A [`LogFormat`] says what a line looks like; it is compiled once and shared.
//! [`LogFormat::parse`] takes one line as `&[u8]` and returns a [`Record`] that
//! borrows from it: the record knows where each field is, and its typed accessors
//! ([`Record::status`], [`Record::timestamp`], [`Record::request_time_us`], ...)
//! parse a field only when asked. A line that does not match is a [`ParseError`]
//! with the column where matching stopped; the parser never panics and never reads
//! outside the line. Times are [`Timestamp`]s (a UTC instant plus the offset the log
//! wrote), and [`parse_timestamp`] reads the same shapes from user input
//! ([`parse_timestamp_prefix`] also the year-less and compact shapes application logs
//! write).
//! [`Request`] splits a request line; [`Level`] is an application log's severity;
//! [`Record::fields`] yields every field by name as a typed [`Value`].
//!
//! Access and application lines are parsed without touching the heap; JSON strings
//! are decoded (allocating) only when they hold escapes and are asked for.
//!
//! # Limits and conventions
//!
//! - An access format has at most 32 variables, and an access line at most
//!   65,535 bytes (a longer one is [`ParseErrorKind::TooLong`], never truncated).
//! - `-` is "no value": accessors return `None` for it.
//! - Times written without a zone are taken as UTC ([`Timestamp::utc_offset_seconds`]
//!   is `None`). A leap second (`23:59:60`) is read as second 59. Syslog's `Mmm dd HH:MM:SS` has no year: the application format's
//!   assumed year is used ([`Record::year_is_assumed`]).
//! - Syslog lines carry no level token. A `<PRI>` prefix gives one; otherwise a
//!   message that starts with `error:` (or another level) does; otherwise the record
//!   gets RFC 3164's default severity, notice, and [`Record::level_is_assumed`] says so.
//!
//! # Example
//!
//! ```
//! use logscan_parse::{LogFormat, Level};
//!
//! let format = LogFormat::from_nginx(
//!     r#"log_format timed '$remote_addr - $remote_user [$time_local] "$request" '
//!                         '$status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';"#,
//! )?;
//! let line = br#"203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.1" 200 2326 "-" "curl/8.0" 0.004"#;
//! let record = format.parse(line)?;
//! assert_eq!(record.status(), Some(200));
//! assert_eq!(record.path().as_deref(), Some(&b"/a.gif"[..]));
//! assert_eq!(record.query().as_deref(), Some(&b"x=1"[..]));
//! assert_eq!(record.request_time_us(), Some(4_000));
//! assert_eq!(record.referrer(), None); // `-`
//! let ts = record.timestamp().unwrap();
//! assert_eq!(ts.unix_seconds(), 971_211_336);
//! assert_eq!(ts.to_string(), "2000-10-10T13:55:36-07:00");
//!
//! let app = LogFormat::app();
//! let r = app.parse(b"2015-10-18 18:01:47,978 INFO [main] org.example.Server: started")?;
//! assert_eq!(r.level(), Some(Level::Info));
//! assert_eq!(r.component(), Some(&b"org.example.Server"[..]));
//! assert_eq!(r.message().as_deref(), Some(&b"started"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod apache;
mod app;
mod error;
mod format;
mod json;
mod level;
mod nginx;
mod record;
mod request;
mod scan;
mod shape;
mod strftime;
mod time;

pub use crate::app::{exception_of, parse_timestamp_prefix};
pub use crate::error::{FormatError, ParseError, ParseErrorKind};
pub use crate::format::{AppFormatBuilder, FieldKind, FormatKind, LogFormat, PRESET_NAMES};
pub use crate::json::JsonFormatBuilder;
pub use crate::level::{Level, UnknownLevel};
pub use crate::record::{Field, Fields, Record, RecordKind, Value, split_port};
pub use crate::request::{Request, parse_duration_us};
pub use crate::time::{Timestamp, parse_timestamp};
