//! [`Report`]: a finished summary as plain data, with the stable serialized schema.

use logscan_parse::{Level, Timestamp};
use logscan_scan::ScanStats;
use serde::Serialize;

use crate::{summary::Summary, table::CountTable};

/// The value of [`Report::schema`]; it changes only when a field changes meaning or
/// goes away (new fields may be added within a version).
pub const SCHEMA: &str = "logscan.summary/1";

/// A finished [`Summary`]: plain data, ready to print or serialize. Made by
/// [`Summary::report`]; a `Summary` serializes as its report.
///
/// # Schema
///
/// This is the JSON that `logscan summary --json` prints (`schema` is
/// `"logscan.summary/1"`). Text from the log (keys, samples) is decoded as UTF-8, with
/// invalid bytes replaced by U+FFFD. Percentages are of all requests for the `access`
/// tables (of the 404s and of the 5xx for `top_not_found_paths` and
/// `top_server_error_paths`) and of all application lines for the `app` tables, rounded
/// to 2 decimals.
/// Times are RFC 3339 in the offset the log wrote (no suffix if it wrote none).
/// Sections are `null` when the log had nothing for them.
///
/// ```text
/// {
///   "schema": "logscan.summary/1",
///   "format": "combined",                      // LogFormat::name()
///   "filtered": false,            // true: only the records that met conditions count
///   "lines": {"total": 0, "parsed": 0,
///             "excluded": 0,      // of the parsed, those not meeting the conditions
///             "malformed": 0,
///             "continued": 0},    // stack-trace lines: total = parsed + these two
///   "malformed_samples": [                     // lowest line numbers first
///     {"input": "a.log",                       // only when several inputs merge
///      "line": 17, "error": "line does not match the format's separators",
///      "column": 12, "text": "...", "text_cut": false}],
///   "time": {"first": "2025-03-14T06:25:00+00:00", "last": "...",
///            "first_unix": 0, "last_unix": 0, "span_seconds": 0,
///            "year_assumed": false} | null,   // true: syslog times, year not in the log
///   "access": {
///     "requests": 0,
///     "methods": Table,
///     "statuses": [{"status": 200, "count": 0, "percent": 0.0}],   // by code
///     "status_classes": {"1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0,
///                        "other": 0},               // other: no status, or >= 600
///     "body_bytes": 0 | null,                      // null: no line had the field
///     "unique_clients": {"count": 0, "estimated": false} | null,
///     "requests_per_minute": {"mean": 0.0, "peak": 0, "peak_minute": "...",
///                             "minutes": 0} | null,
///     "requests_over_time": {"bucket_seconds": 600,
///                            "buckets": [{"start": "...", "requests": 0,
///                                         "server_errors": 0}]} | null,  // 5xx
///     "served_time_us": {"count": 0, "min": 0, "mean": 0.0, "p50": 0, "p90": 0,
///                        "p99": 0, "max": 0} | null,
///     "slowest_requests": [{"served_us": 0, "method": "GET", "path": "/" | null,
///                           "status": 200 | null, "input": "..." (several inputs
///                           only), "line": 0}],            // slowest first
///     "top_paths": Table, "top_clients": Table, "top_user_agents": Table,
///     "top_referrers": Table, "top_not_found_paths": Table,
///     "top_server_error_paths": Table,
///     "top_hosts": Table,          // virtual hosts; empty if the format names none
///     "paths_by_served_time": {    // only with SummaryBuilder::path_times (--path-times)
///       "distinct": 0, "complete": true,
///       "untracked_requests": 0, "untracked_us": 0,  // paths past the key bound
///       "entries": [{"path": "/", "requests": 0,      // most total time first,
///                    "total_us": 0, "mean_us": 0.0,  // ties by path bytes
///                    "max_us": 0, "percent": 0.0}]   // percent of all served time
///     } | null
///   } | null,
///   "app": {
///     "lines": 0,
///     "levels": [{"level": "ERROR", "count": 0, "percent": 0.0}], // severity order
///     "levels_assumed": 0,          // syslog lines without <PRI>: level assumed
///     "no_level": 0,
///     "top_components": Table,
///     "top_hosts": Table,           // syslog hosts, JSON host keys
///     "top_exceptions": Table,      // named by stack traces; percent of all names
///     "top_messages": {"distinct": 0, "complete": true, "untracked": 0, "total": 0,
///                      "entries": [{"level": "WARN", "template": "took <*> ms",
///                                   "count": 0, "percent": 0.0}]}
///   } | null,
///   "scan": {"bytes": 0, "strategy": "mmap", "skipped_long_lines": 0,
///            "threads": 2} | null,            // set by Report::with_scan
///   "table_bytes": 0   // heap the tables held; varies with threads and growth, so
///                      // it is a memory figure, not part of the result
/// }
///
/// Table = {"distinct": 0,      // distinct keys counted
///          "complete": true,   // false once the table hit its key bound
///          "untracked": 0,     // occurrences of keys past the bound
///          "total": 0,         // occurrences counted, untracked included
///          "entries": [{"key": "/index.html", "count": 0, "percent": 0.0}]}
///          // highest count first, ties by key bytes
/// ```
///
/// Served-time percentiles come from an HdrHistogram with 3 significant digits: each
/// is within 0.1 % of the exact value at that rank; `min`, `max` and `mean` are exact.
/// The unique-client count is exact while the client table is complete; past its
/// bound it is a HyperLogLog estimate (standard error 0.8 %) and `estimated` is true.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The log format's name.
    pub format: String,
    /// Whether the summary counted only the records that met its conditions
    /// ([`Summary::keep_only`](crate::Summary::keep_only); `summary --status 5xx`, ...):
    /// then `lines.excluded` were left out, and the time range and every section are
    /// of the records kept (the exceptions that stack traces name, of the traces of
    /// records kept).
    pub filtered: bool,
    /// Line totals.
    pub lines: LineTotals,
    /// The first malformed lines, lowest line numbers first.
    pub malformed_samples: Vec<MalformedSample>,
    /// Earliest and latest timestamp of the records counted (with conditions, of
    /// those kept).
    pub time: Option<TimeRange>,
    /// Access-log statistics.
    pub access: Option<AccessReport>,
    /// Application-log statistics.
    pub app: Option<AppReport>,
    /// What the scan saw, when added with [`with_scan`](Report::with_scan).
    pub scan: Option<ScanReport>,
    /// Heap bytes the summary's tables held ([`Summary::table_bytes`]). It depends on
    /// how the work was split (capacity, not content), so it differs between otherwise
    /// identical reports.
    pub table_bytes: u64,
}

/// Line totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineTotals {
    /// Lines seen.
    pub total: u64,
    /// Lines that parsed.
    pub parsed: u64,
    /// Of those, the records left out by the summary's conditions
    /// ([`Summary::keep_only`](crate::Summary::keep_only), `summary --status ...`):
    /// the rest of the report counts none of them. 0 without conditions.
    pub excluded: u64,
    /// Lines that did not parse, apart from `continued` ones.
    pub malformed: u64,
    /// Lines that go on from the record before them (the lines of a stack trace in an
    /// application log): not records of their own, and not malformed either.
    pub continued: u64,
}

/// A malformed line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MalformedSample {
    /// The input it is from, when the report merges several named inputs
    /// ([`Summary::name_input`](crate::Summary::name_input)); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Its 1-based line number in the input.
    pub line: u64,
    /// Why it did not parse.
    pub error: String,
    /// The 0-based byte offset in the line where the parser gave up (the text report
    /// says `at byte N`).
    pub column: usize,
    /// The line's first 512 bytes.
    pub text: String,
    /// True when `text` is only the start of the line.
    pub text_cut: bool,
}

/// The earliest and latest timestamp seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimeRange {
    /// Earliest, RFC 3339.
    pub first: String,
    /// Latest, RFC 3339.
    pub last: String,
    /// Earliest, Unix seconds.
    pub first_unix: i64,
    /// Latest, Unix seconds.
    pub last_unix: i64,
    /// Seconds from first to last.
    pub span_seconds: i64,
    /// Whether some timestamp had no year in the log (syslog's `Mmm dd HH:MM:SS`) and
    /// was given one: the year of the reading, or the year before for a date ahead of
    /// it (see `AppFormatBuilder::assumed_year` in `logscan-parse`).
    pub year_assumed: bool,
}

/// Statistics of the requests of an access log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccessReport {
    /// Lines counted as requests.
    pub requests: u64,
    /// Requests by method (`-` for none, as for a binary request).
    pub methods: Table,
    /// Requests by status code, lowest code first.
    pub statuses: Vec<StatusCount>,
    /// Requests by status class.
    pub status_classes: StatusClasses,
    /// Sum of `$body_bytes_sent`; `None` if no request had it (JSON lines, say).
    pub body_bytes: Option<u64>,
    /// Distinct client addresses; `None` if no request had one.
    pub unique_clients: Option<UniqueCount>,
    /// Requests per minute over the time the log spans.
    pub requests_per_minute: Option<PerMinuteReport>,
    /// Requests over the time the log spans, in at most 24 equal buckets.
    pub requests_over_time: Option<Timeline>,
    /// `$request_time` in microseconds.
    pub served_time_us: Option<ServedTimeReport>,
    /// The requests that took longest (as many as the top tables' entries), slowest
    /// first; of equal times, the earlier line first.
    pub slowest_requests: Vec<SlowRequestReport>,
    /// Most requested paths (without query).
    pub top_paths: Table,
    /// Most frequent client addresses.
    pub top_clients: Table,
    /// Most frequent user agents.
    pub top_user_agents: Table,
    /// Most frequent referrers.
    pub top_referrers: Table,
    /// Most frequent paths answered 404; percentages of the requests answered 404.
    pub top_not_found_paths: Table,
    /// Most frequent paths answered with a 5xx status (the server failed); percentages
    /// of the requests answered with a 5xx.
    pub top_server_error_paths: Table,
    /// Most frequent virtual hosts (`$host` or `$http_host`, else `$server_name`; Apache's `%v`; a
    /// JSON line's host key, which is the machine's name when the line names no
    /// virtual host); empty when the format names none. Counted as DNS names
    /// compare: in lowercase, without a trailing dot; a port stays as logged.
    pub top_hosts: Table,
    /// The paths with the most served time in total, when the summary was asked to
    /// add it up ([`SummaryBuilder::path_times`](crate::SummaryBuilder::path_times))
    /// and some request with a path had a served time; `None` otherwise.
    pub paths_by_served_time: Option<PathTimeTable>,
}

/// Served time by path: where the server spent its time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathTimeTable {
    /// Distinct paths with a served time.
    pub distinct: u64,
    /// False once the table hit its key bound: later paths' requests are untracked.
    pub complete: bool,
    /// Timed requests whose path came after the bound.
    pub untracked_requests: u64,
    /// Their served time, in microseconds.
    pub untracked_us: u64,
    /// The paths with the most served time in total, most first; ties by path bytes.
    pub entries: Vec<PathTime>,
}

/// One path's served times: exact.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathTime {
    /// The path, without the query (UTF-8, invalid bytes replaced).
    pub path: String,
    /// Its requests with a served time.
    pub requests: u64,
    /// Their served times added up, in microseconds (at most `u64::MAX`; the mean
    /// and the percent are computed before that cut).
    pub total_us: u64,
    /// Their mean, in microseconds, to one decimal.
    pub mean_us: f64,
    /// The longest, in microseconds.
    pub max_us: u64,
    /// Percent of all requests' served time.
    pub percent: f64,
}

/// Requests with one status code.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StatusCount {
    /// The code.
    pub status: u16,
    /// Requests.
    pub count: u64,
    /// Percent of all requests.
    pub percent: f64,
}

/// Requests by status class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusClasses {
    /// 100-199.
    #[serde(rename = "1xx")]
    pub informational: u64,
    /// 200-299.
    #[serde(rename = "2xx")]
    pub success: u64,
    /// 300-399.
    #[serde(rename = "3xx")]
    pub redirection: u64,
    /// 400-499.
    #[serde(rename = "4xx")]
    pub client_error: u64,
    /// 500-599.
    #[serde(rename = "5xx")]
    pub server_error: u64,
    /// No status, or a code outside 100-599.
    pub other: u64,
}

/// A count that may be an estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UniqueCount {
    /// The count.
    pub count: u64,
    /// True when `count` is a HyperLogLog estimate (standard error 0.8 %) because the
    /// exact table hit its bound.
    pub estimated: bool,
}

/// Requests per minute.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PerMinuteReport {
    /// Requests with a timestamp divided by the minutes from the first to the last.
    pub mean: f64,
    /// The most requests in one minute.
    pub peak: u64,
    /// That minute (the earliest, if several tie), RFC 3339 in the offset of the first
    /// timestamp.
    pub peak_minute: String,
    /// Minutes from the first to the last, both included.
    pub minutes: u64,
}

/// One of the slowest requests, and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlowRequestReport {
    /// Its served time in microseconds.
    pub served_us: u64,
    /// Its method (`-` if none; a method of more than 16 bytes cut, ending in `…`).
    pub method: String,
    /// Its path, without the query; `None` if it had none. A path of more than 256
    /// bytes is cut at a character and ends in `…`.
    pub path: Option<String>,
    /// Its status, if it had one.
    pub status: Option<u16>,
    /// The input it is from, when the report merges several named inputs; absent
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Its 1-based line number in the input.
    pub line: u64,
}

/// Requests over time, in buckets of one length: when the traffic came.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Timeline {
    /// Each bucket's length in seconds: the shortest of 1, 5, 10, 15 and 30 minutes,
    /// 1, 3, 6 and 12 hours, a day, a week and whole numbers of weeks whose buckets
    /// cover the log's time span in at most [`Timeline::MAX_BUCKETS`]. Buckets start
    /// at multiples of their length on the log's clock: a day at midnight, a week on
    /// a Monday.
    pub bucket_seconds: u64,
    /// Every bucket from the first request's to the last's, empty ones included.
    pub buckets: Vec<TimelineBucket>,
}

/// One bucket of a [`Timeline`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineBucket {
    /// Its start, RFC 3339 in the offset of the first timestamp. Buckets are aligned
    /// to that offset's clock: a day starts at the log's local midnight, a week on
    /// its Monday.
    pub start: String,
    /// Requests with a timestamp in it.
    pub requests: u64,
    /// Of those, the ones answered with a 5xx status: when the server failed.
    pub server_errors: u64,
}

impl Timeline {
    /// The most buckets a timeline has.
    pub const MAX_BUCKETS: u64 = 24;

    /// The timeline of requests counted per minute: `(minute, requests, of them the
    /// ones answered with a 5xx status)`, `minute` being Unix seconds / 60, shown and
    /// aligned at `offset` seconds east of UTC.
    pub fn of_minutes(
        per_minute: impl IntoIterator<Item = (i64, u64, u64)>,
        offset: Option<i32>,
    ) -> Option<Timeline> {
        const STEPS: [u64; 11] = [
            60, 300, 600, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800,
        ];
        let local = i64::from(offset.unwrap_or(0));
        let mut counts = std::collections::BTreeMap::new();
        for (minute, requests, server_errors) in per_minute {
            let at = counts
                .entry(minute.saturating_mul(60).saturating_add(local))
                .or_insert((0, 0));
            *at = (at.0 + requests, at.1 + server_errors);
        }
        let (&first, _) = counts.first_key_value()?;
        let (&last, _) = counts.last_key_value()?;
        // Buckets start at multiples of their length on the log's clock; weeks (and
        // whole numbers of them) from a Monday, 1969-12-29, three days before the epoch.
        let anchor = |b: i64| if b % 604_800 == 0 { -259_200 } else { 0 };
        let index = |t: i64, b: i64| (t - anchor(b)).div_euclid(b);
        let count = |b: i64| index(last, b) - index(first, b) + 1;
        let fits = |b: u64| i64::try_from(b).is_ok_and(|b| count(b) <= Self::MAX_BUCKETS as i64);
        // Past a week, the fewest whole weeks that fit; as many as make 23 of them
        // longer than the span always do, so the search ends there.
        let most_weeks = u64::try_from(last - first).ok()? / (604_800 * 23) + 1;
        let bucket = STEPS
            .into_iter()
            .chain((2..=most_weeks).map(|k| k * 604_800))
            .find(|&b| fits(b))?;
        let step = i64::try_from(bucket).ok()?;
        let start = index(first, step) * step + anchor(step);
        let n = usize::try_from(count(step)).ok()?;
        let mut sums = vec![(0u64, 0u64); n];
        for (t, (requests, server_errors)) in counts {
            if let Some(slot) = usize::try_from((t - start).div_euclid(step))
                .ok()
                .and_then(|i| sums.get_mut(i))
            {
                *slot = (slot.0 + requests, slot.1 + server_errors);
            }
        }
        let buckets = sums
            .into_iter()
            .enumerate()
            .map(|(i, (requests, server_errors))| TimelineBucket {
                start: Timestamp::from_unix(start + i as i64 * step - local, 0)
                    .map(|t| t.with_offset(offset).to_string())
                    .unwrap_or_default(),
                requests,
                server_errors,
            })
            .collect();
        Some(Timeline {
            bucket_seconds: bucket,
            buckets,
        })
    }
}

/// Served time (`$request_time`) in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ServedTimeReport {
    /// Requests with a served time.
    pub count: u64,
    /// Exact minimum.
    pub min: u64,
    /// Exact mean.
    pub mean: f64,
    /// Median, within 0.1 %.
    pub p50: u64,
    /// 90th percentile, within 0.1 %.
    pub p90: u64,
    /// 99th percentile, within 0.1 %.
    pub p99: u64,
    /// Exact maximum.
    pub max: u64,
}

/// A top-N table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    /// Distinct keys counted.
    pub distinct: u64,
    /// False once the table hit its key bound: counts shown are still exact, but a
    /// key first seen after that is missing.
    pub complete: bool,
    /// Occurrences of keys that arrived after the bound.
    pub untracked: u64,
    /// All occurrences counted, untracked included.
    pub total: u64,
    /// The top entries: highest count first, ties by key bytes.
    pub entries: Vec<Entry>,
}

/// One entry of a [`Table`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// The key (UTF-8, invalid bytes replaced).
    pub key: String,
    /// Occurrences (exact).
    pub count: u64,
    /// Percent of the table's base: all requests for the paths, clients, user agents,
    /// referrers and hosts; the table's own total for the 404 and 5xx paths (so the top
    /// 404 path's percentage is its share of the 404s); application lines for an
    /// application log's tables.
    pub percent: f64,
}

/// Statistics of the lines of an application log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppReport {
    /// Lines counted.
    pub lines: u64,
    /// Lines per level, least severe first; levels with no line are left out.
    pub levels: Vec<LevelCount>,
    /// Lines whose level was assumed, not written (syslog lines without `<PRI>`).
    pub levels_assumed: u64,
    /// Lines without a level.
    pub no_level: u64,
    /// Most frequent components (loggers, classes, programs).
    pub top_components: Table,
    /// Most frequent hosts of the lines: a syslog line's host (the machine that wrote
    /// it), a JSON line's host key (the virtual host if the line names one, else the
    /// machine); empty when the lines name none. Counted as DNS names compare: in
    /// lowercase, without a trailing dot.
    pub top_hosts: Table,
    /// Most frequent warning-and-worse messages, grouped by template.
    pub top_messages: MessageTable,
    /// Exceptions named by the lines of stack traces (the first line of each, and
    /// each `Caused by:`) or by a JSON line's exception key, most frequent first;
    /// percent of all such names.
    pub top_exceptions: Table,
}

/// Lines of one level.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelCount {
    /// The level, upper case (`ERROR`).
    pub level: String,
    /// Lines.
    pub count: u64,
    /// Percent of application lines.
    pub percent: f64,
}

/// The top message templates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageTable {
    /// Distinct (level, template) pairs.
    pub distinct: u64,
    /// See [`Table::complete`].
    pub complete: bool,
    /// See [`Table::untracked`].
    pub untracked: u64,
    /// Warning-and-worse lines with a message.
    pub total: u64,
    /// The top entries: highest count first, ties by level then template.
    pub entries: Vec<MessageCount>,
}

/// One message template.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageCount {
    /// The level of the lines.
    pub level: String,
    /// The message with numbers and ids masked as `<*>` (first 200 bytes).
    pub template: String,
    /// Lines.
    pub count: u64,
    /// Percent of application lines.
    pub percent: f64,
}

/// What the scan saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// Bytes of input (decompressed).
    pub bytes: u64,
    /// The I/O strategy used (`stream`, `read`, `mmap`).
    pub strategy: String,
    /// Lines left out as longer than the limit.
    pub skipped_long_lines: u64,
    /// Threads used.
    pub threads: usize,
}

impl Report {
    pub(crate) fn from_summary(summary: &Summary) -> Report {
        let c = &summary.counts;
        let top = summary.options().top;
        let access = (c.access.requests > 0).then(|| access_report(summary, top));
        let app = (c.app.lines > 0).then(|| app_report(summary, top));
        Report {
            schema: SCHEMA,
            format: summary.format().name().to_owned(),
            filtered: summary.is_filtered(),
            lines: LineTotals {
                total: c.lines,
                parsed: c.parsed,
                excluded: c.excluded,
                malformed: c.malformed,
                continued: c.continued,
            },
            malformed_samples: c
                .samples
                .iter()
                .map(|s| MalformedSample {
                    input: s.input.as_ref().map(|(_, name)| name.to_string()),
                    line: s.line_number,
                    error: s.error.kind.as_str().to_owned(),
                    column: s.error.column,
                    text: String::from_utf8_lossy(&s.text).into_owned(),
                    text_cut: s.text_cut,
                })
                .collect(),
            time: match (c.first, c.last) {
                (Some(first), Some(last)) => Some(TimeRange {
                    first: first.to_string(),
                    last: last.to_string(),
                    first_unix: first.unix_seconds(),
                    last_unix: last.unix_seconds(),
                    span_seconds: last.unix_seconds() - first.unix_seconds(),
                    year_assumed: c.app.year_assumed,
                }),
                _ => None,
            },
            access,
            app,
            scan: None,
            table_bytes: summary.table_bytes() as u64,
        }
    }

    /// The same report with the scan's totals added (bytes, strategy, skipped
    /// over-long lines, threads).
    pub fn with_scan(mut self, stats: &ScanStats) -> Report {
        self.scan = Some(ScanReport {
            bytes: stats.bytes,
            strategy: stats.strategy.name().to_owned(),
            skipped_long_lines: stats.skipped_lines,
            threads: stats.threads,
        });
        self
    }
}

pub(crate) fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 10_000.0 / whole as f64).round() / 100.0
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A kept start of a text, `…` after it when more was left out.
fn inline_text<const N: usize>(t: &crate::summary::Inline<N>) -> String {
    let mut s = text(t.as_bytes());
    if t.cut {
        s.push('…');
    }
    s
}

fn table(t: &CountTable, n: usize, base: u64) -> Table {
    Table {
        distinct: t.len() as u64,
        complete: t.is_complete(),
        untracked: t.untracked(),
        total: t.total(),
        entries: t
            .top(n)
            .into_iter()
            .map(|(key, count)| Entry {
                key: text(key),
                count,
                percent: percent(count, base),
            })
            .collect(),
    }
}

fn access_report(summary: &Summary, top: usize) -> AccessReport {
    let a = &summary.counts.access;
    let requests = a.requests;
    let mut classes = StatusClasses {
        other: a.status_other,
        ..StatusClasses::default()
    };
    let mut statuses = Vec::new();
    for (code, &count) in a.statuses.iter().enumerate() {
        if count == 0 {
            continue;
        }
        statuses.push(StatusCount {
            status: code as u16,
            count,
            percent: percent(count, requests),
        });
        let class = match code / 100 {
            1 => &mut classes.informational,
            2 => &mut classes.success,
            3 => &mut classes.redirection,
            4 => &mut classes.client_error,
            5 => &mut classes.server_error,
            _ => &mut classes.other,
        };
        *class += count;
    }
    let unique_clients = (a.clients.total() > 0).then(|| {
        let (count, estimated) = a.unique_clients();
        UniqueCount { count, estimated }
    });
    AccessReport {
        requests,
        // Every method is worth showing, up to a sane number (binary garbage can make
        // many "methods").
        methods: table(&a.all_methods(), top.max(20), requests),
        statuses,
        status_classes: classes,
        body_bytes: (a.body_bytes_seen > 0).then_some(a.body_bytes),
        unique_clients,
        requests_per_minute: per_minute(summary),
        requests_over_time: Timeline::of_minutes(
            {
                let failed = a.failed_minutes.settled();
                a.minutes
                    .settled()
                    .into_iter()
                    .map(move |(m, n)| (m, n, failed.get(&m).copied().unwrap_or(0)))
            },
            summary.counts.first.and_then(|t| t.utc_offset_seconds()),
        ),
        served_time_us: served_time(summary),
        slowest_requests: a
            .slowest
            .sorted()
            .into_iter()
            .map(|r| SlowRequestReport {
                served_us: r.served_us,
                method: inline_text(&r.method),
                path: r.path.as_ref().map(inline_text),
                status: r.status,
                input: r.input.map(|(_, name)| name.to_string()),
                line: r.line_number,
            })
            .collect(),
        top_paths: table(&a.paths, top, requests),
        top_clients: table(&a.clients, top, requests),
        top_user_agents: table(&a.user_agents, top, requests),
        top_referrers: table(&a.referrers, top, requests),
        // Shares of the 404s and of the 5xx: which path is most of the errors.
        top_not_found_paths: table(&a.not_found, top, a.not_found.total()),
        top_server_error_paths: table(&a.server_errors, top, a.server_errors.total()),
        top_hosts: table(&a.hosts, top, requests),
        paths_by_served_time: path_times(summary, top),
    }
}

fn path_times(summary: &Summary, top: usize) -> Option<PathTimeTable> {
    let a = &summary.counts.access;
    let t = &a.path_times;
    if t.len() == 0 && t.untracked().requests == 0 {
        return None;
    }
    // Of all requests' served time, those without a path included.
    let all_us = a.served.sum;
    let wide = |us: u128| u64::try_from(us).unwrap_or(u64::MAX);
    Some(PathTimeTable {
        distinct: t.len() as u64,
        complete: t.is_complete(),
        untracked_requests: t.untracked().requests,
        untracked_us: wide(t.untracked().total_us),
        entries: t
            .top(top)
            .into_iter()
            .map(|(path, times)| PathTime {
                path: text(path),
                requests: times.requests,
                total_us: wide(times.total_us),
                mean_us: (times.total_us as f64 / times.requests as f64 * 10.0).round() / 10.0,
                max_us: times.max_us,
                percent: if all_us == 0 {
                    0.0
                } else {
                    (times.total_us as f64 * 10_000.0 / all_us as f64).round() / 100.0
                },
            })
            .collect(),
    })
}

fn per_minute(summary: &Summary) -> Option<PerMinuteReport> {
    let counts = summary.counts.access.minutes.settled();
    let first = *counts.keys().min()?;
    let last = *counts.keys().max()?;
    let timed: u64 = counts.values().sum();
    let (peak_minute, peak) = counts
        .iter()
        .map(|(&m, &n)| (m, n))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?;
    let minutes = u64::try_from(last - first).ok()? + 1;
    // Shown in the zone the log wrote, like the first and last times.
    let offset = summary.counts.first.and_then(|t| t.utc_offset_seconds());
    Some(PerMinuteReport {
        mean: (timed as f64 / minutes as f64 * 100.0).round() / 100.0,
        peak,
        peak_minute: Timestamp::from_unix(peak_minute.saturating_mul(60), 0)
            .map(|t| t.with_offset(offset).to_string())
            .unwrap_or_default(),
        minutes,
    })
}

fn served_time(summary: &Summary) -> Option<ServedTimeReport> {
    let s = &summary.counts.access.served;
    if s.count == 0 {
        return None;
    }
    let sketch = s.full_sketch();
    let at = |q: f64| {
        sketch
            .as_ref()
            .map_or(0, |h| h.value_at_quantile(q))
            // The sketch answers with the top of a bucket, which can lie a little past
            // the exact extremes; the true value at any rank lies between them.
            .clamp(s.min, s.max)
    };
    Some(ServedTimeReport {
        count: s.count,
        min: s.min,
        mean: (s.sum as f64 / s.count as f64 * 10.0).round() / 10.0,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: s.max,
    })
}

fn app_report(summary: &Summary, top: usize) -> AppReport {
    let app = &summary.counts.app;
    let lines = app.lines;
    // With conditions, the traces that cross into a chunk from a kept record.
    let leads = summary.counts.traces.settled_leads();
    let exceptions = if leads.is_empty() {
        std::borrow::Cow::Borrowed(&app.exceptions)
    } else {
        let mut all = app.exceptions.clone();
        for name in leads {
            all.add(name);
        }
        std::borrow::Cow::Owned(all)
    };
    let levels = Level::ALL
        .iter()
        .zip(app.levels)
        .filter(|(_, count)| *count > 0)
        .map(|(level, count)| LevelCount {
            level: level.to_string().to_ascii_uppercase(),
            count,
            percent: percent(count, lines),
        })
        .collect();
    let m = &app.messages;
    let top_messages = MessageTable {
        distinct: m.len() as u64,
        complete: m.is_complete(),
        untracked: m.untracked(),
        total: m.total(),
        entries: m
            .top(top)
            .into_iter()
            .map(|(key, count)| {
                let (level, template) = key.split_first().unwrap_or((&0, &[]));
                MessageCount {
                    level: Level::ALL
                        .get(usize::from(*level))
                        .map(|l| l.to_string().to_ascii_uppercase())
                        .unwrap_or_default(),
                    template: text(template),
                    count,
                    percent: percent(count, lines),
                }
            })
            .collect(),
    };
    AppReport {
        lines,
        levels,
        levels_assumed: app.levels_assumed,
        no_level: app.no_level,
        top_components: table(&app.components, top, lines),
        top_hosts: table(&app.hosts, top, lines),
        top_messages,
        top_exceptions: table(&exceptions, top, exceptions.total()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(t: &Timeline) -> Vec<(&str, u64)> {
        t.buckets
            .iter()
            .map(|b| (b.start.as_str(), b.requests))
            .collect()
    }

    #[test]
    fn the_shortest_bucket_that_fits_in_24() {
        // 2025-03-14T06:00Z is minute 29,032,200.
        let m0 = 29_032_200;
        // Ten minutes: one-minute buckets, the empty ones kept.
        let t = Timeline::of_minutes([(m0, 3, 0), (m0 + 9, 1, 0)], Some(0)).unwrap();
        assert_eq!(t.bucket_seconds, 60);
        assert_eq!(t.buckets.len(), 10);
        assert_eq!(t.buckets.iter().map(|b| b.requests).sum::<u64>(), 4);
        // Three hours from 06:07: 5-minute buckets would be 37, 10-minute ones 19.
        let t = Timeline::of_minutes([(m0 + 7, 1, 0), (m0 + 8, 4, 3), (m0 + 187, 2, 1)], Some(0))
            .unwrap();
        assert_eq!(t.bucket_seconds, 600);
        assert_eq!(t.buckets.len(), 19);
        let sums = |b: &TimelineBucket| (b.requests, b.server_errors);
        assert_eq!(
            (sums(&t.buckets[0]), sums(&t.buckets[18])),
            ((5, 3), (2, 1))
        );
        assert_eq!(t.buckets[0].start, "2025-03-14T06:00:00Z");
        assert_eq!(t.buckets[18].start, "2025-03-14T09:00:00Z");
        // 24 aligned minutes fit; 25 do not.
        assert_eq!(
            Timeline::of_minutes([(m0, 1, 0), (m0 + 23, 1, 0)], None)
                .unwrap()
                .bucket_seconds,
            60
        );
        assert_eq!(
            Timeline::of_minutes([(m0, 1, 0), (m0 + 24, 1, 0)], None)
                .unwrap()
                .bucket_seconds,
            300
        );
    }

    #[test]
    fn buckets_align_to_the_logs_own_clock() {
        // Twenty days at +03:30: day buckets start at the log's midnight, not UTC's.
        let m0 = 29_032_200; // 2025-03-14T06:00Z, 09:30 at +03:30
        let t =
            Timeline::of_minutes([(m0, 1, 0), (m0 + 20 * 1440 + 900, 5, 0)], Some(12_600)).unwrap();
        assert_eq!(t.bucket_seconds, 86_400);
        assert_eq!(t.buckets.len(), 22);
        assert_eq!(starts(&t)[0], ("2025-03-14T00:00:00+03:30", 1));
        assert_eq!(starts(&t)[20], ("2025-04-03T00:00:00+03:30", 0));
        // 20 days and 15 hours later: 2025-04-04T00:30+03:30, past the local midnight
        // (in UTC it is still the 3rd).
        assert_eq!(starts(&t)[21], ("2025-04-04T00:00:00+03:30", 5));
    }

    #[test]
    fn a_long_log_gets_whole_weeks_and_at_most_24_buckets() {
        let m0 = 29_032_200;
        for days in [200, 365, 3_650] {
            let t = Timeline::of_minutes([(m0, 1, 0), (m0 + days * 1440, 1, 0)], Some(0)).unwrap();
            assert_eq!(t.bucket_seconds % 604_800, 0, "{days} days");
            assert!(
                (2..=24).contains(&t.buckets.len()),
                "{days} days: {}",
                t.buckets.len()
            );
            assert_eq!(t.buckets.iter().map(|b| b.requests).sum::<u64>(), 2);
        }
        assert_eq!(Timeline::of_minutes([], None), None);
        // 2025-01-02 to 2025-11-20, 46 weeks: two-week buckets fit in exactly 24.
        let (jan2, nov20) = (1_735_776_000 / 60, 1_763_596_800 / 60);
        let t = Timeline::of_minutes([(jan2, 1, 0), (nov20, 1, 0)], Some(0)).unwrap();
        assert_eq!((t.bucket_seconds, t.buckets.len()), (2 * 604_800, 24));
    }

    #[test]
    fn weeks_start_on_mondays() {
        // 2025-03-05 (a Wednesday) to 2025-05-20: weekly buckets from Monday 03-03.
        let (mar5, may20) = (1_741_132_800 / 60, 1_747_699_200 / 60);
        let t = Timeline::of_minutes([(mar5, 1, 0), (may20, 1, 0)], Some(0)).unwrap();
        assert_eq!(t.bucket_seconds, 604_800);
        assert_eq!(t.buckets[0].start, "2025-03-03T00:00:00Z");
        assert_eq!(t.buckets[1].start, "2025-03-10T00:00:00Z");
        // In the log's own zone too: Monday at its midnight.
        let t = Timeline::of_minutes([(mar5, 1, 0), (may20, 1, 0)], Some(-34_200)).unwrap();
        assert_eq!(t.buckets[0].start, "2025-03-03T00:00:00-09:30");
    }
}
