//! Aggregates for logs (Summary, top-k, percentiles) and their renderers.
//!
//! A [`Summary`] is an [`Aggregate`](logscan_scan::Aggregate): give it a
//! [`LogFormat`](logscan_parse::LogFormat), let a [`Scanner`](logscan_scan::Scanner)
//! feed it every line on all cores, and it counts what an operator wants to know
//! first — requests by method and status, top paths, clients, user agents, referrers,
//! virtual hosts and the paths of 404s and 5xx errors with exact counts, unique
//! clients, served-time percentiles, requests per minute; levels, components, hosts and
//! the commonest warning and error messages for application logs; malformed lines with their true line numbers. [`SummaryBuilder`]
//! sets the top-N size, the samples kept and the memory bound of the tables, and can
//! add up the served time of each path (where the server spent its time).
//!
//! [`Summary::report`] finishes it into a [`Report`]: plain data with a stable, documented
//! serialized schema (see [`Report`]; `logscan summary --json` prints it), rendered as a
//! terminal report ([`Report::to_text`]), JSON ([`Report::write_json`]) or CSV
//! ([`Report::write_csv`]).
//!
//! # Memory
//!
//! Counting a key already seen allocates nothing (the table is searched with the bytes
//! of the line); a new key is copied once into an arena. So memory grows with the
//! number of *distinct* keys, not with the number of lines: about (key length + 32
//! bytes) per key in each of the tables — paths, clients, user agents, referrers, 404
//! and 5xx paths, hosts, components, message templates — held per worker until the final merge. A
//! log with a million distinct paths of 60 bytes needs about 100 MB for that table per
//! worker. Each table stops growing at [`SummaryBuilder::max_keys`] keys (default one
//! million): from there on, keys not yet in it are counted as `untracked`, the table is
//! reported as incomplete, the unique-client count switches to a HyperLogLog estimate
//! (labelled as one), and which keys made it into a full table depends on the order of
//! the scan. Below the bound every number is exact and every scan order, strategy and
//! thread count gives the identical summary. Everything else is small: an 8 KB status
//! array, a 16 KB HyperLogLog (made only once the client table is full), a served-time
//! histogram (8 KB per doubling of the largest
//! time, some 200 KB for times up to an hour) with a 32 KB array counting whole
//! milliseconds under four seconds exactly before they reach it, one counter per minute
//! of the log's time span, and the malformed samples (512 bytes each).
//!
//! # Hostile keys
//!
//! Paths, user agents and referrers are chosen by whoever sent the requests. The
//! tables hash them with a seed drawn at random once per process (as std's `HashMap`
//! does), so nobody can prepare keys that pile into one probe run and make every
//! lookup walk the table. Nothing in a summary depends on that seed: top lists are
//! ordered by count and then by key, and merges visit keys in the order they were first
//! stored. The unique-client sketch hashes with a fixed seed, so that an estimate is
//! the same in every run; chosen keys can only skew it.
//!
//! # Example
//!
//! ```
//! use logscan_parse::LogFormat;
//! use logscan_scan::Scanner;
//! use logscan_source::Source;
//! use logscan_stats::{Summary, TextOptions};
//!
//! let log = br#"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326 "-" "curl/8.0"
//! 10.0.0.2 - - [10/Oct/2000:13:55:37 -0700] "GET /missing HTTP/1.1" 404 0 "-" "curl/8.0"
//! this line is not an access log line
//! 10.0.0.1 - - [10/Oct/2000:13:56:01 -0700] "POST /a HTTP/1.1" 200 12 "-" "curl/8.0"
//! "#;
//! let format = LogFormat::combined();
//! let source = Source::builder().open_reader("access.log", &log[..])?;
//! let out = Scanner::builder().threads(2).build()?.scan(source, || Summary::new(&format))?;
//!
//! let report = out.aggregate.report().with_scan(&out.stats);
//! assert_eq!((report.lines.parsed, report.lines.malformed), (3, 1));
//! assert_eq!(report.malformed_samples[0].line, 3);
//! let access = report.access.as_ref().unwrap();
//! assert_eq!(access.status_classes.client_error, 1);
//! assert_eq!(access.top_paths.entries[0].key, "/a");
//! assert_eq!(access.top_paths.entries[0].count, 2);
//! assert_eq!(access.unique_clients.map(|u| u.count), Some(2));
//!
//! let text = report.to_text(TextOptions::default());
//! assert!(text.contains("Top paths"));
//! let mut json = Vec::new();
//! report.write_json(&mut json)?;
//! assert!(String::from_utf8(json)?.contains(r#""schema": "logscan.summary/1""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod hll;
mod path_times;
mod prefetch;
mod render;
mod report;
mod summary;
mod table;
mod template;

pub use crate::{
    render::{TextOptions, thousands},
    report::{
        AccessReport, AppReport, Entry, LevelCount, LineTotals, MalformedSample, MessageCount,
        MessageTable, PathTime, PathTimeTable, PerMinuteReport, Report, SCHEMA, ScanReport,
        ServedTimeReport, SlowRequestReport, StatusClasses, StatusCount, Table, TimeRange,
        Timeline, TimelineBucket, UniqueCount,
    },
    summary::{MalformedLine, Summary, SummaryBuilder},
};
