//! Checks shared by the fuzz targets: what must hold for any record, any timestamp and
//! any line split, whatever the input. A target panics (and libFuzzer keeps the input)
//! when one does not.
//!
//! Only properties the crates document are checked, so a failure is a bug, not a
//! difference of opinion: records borrow from their line and never read outside it,
//! every accessor and the field iterator finish without panicking, and a timestamp's
//! `Display` parses back to the same instant and offset.

use std::borrow::Cow;

use logscan_parse::{LogFormat, Record, Timestamp, Value, parse_timestamp};

/// Whether `part` lies inside `whole` (an empty slice anywhere counts: empty accessors
/// may return a static empty slice).
pub fn is_within(whole: &[u8], part: &[u8]) -> bool {
    if part.is_empty() {
        return true;
    }
    let start = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    p >= start && p + part.len() <= start + whole.len()
}

fn within(line: &[u8], part: Option<&[u8]>, what: &str) {
    if let Some(part) = part {
        assert!(
            is_within(line, part),
            "{what} does not borrow from the line"
        );
    }
}

fn within_cow(line: &[u8], part: Option<Cow<'_, [u8]>>, what: &str) {
    if let Some(Cow::Borrowed(part)) = part {
        assert!(
            is_within(line, part),
            "{what} does not borrow from the line"
        );
    }
}

/// The line `LogFormat::parse` is documented to see: one trailing `\n`, then one `\r`,
/// removed.
pub fn without_ending(input: &[u8]) -> &[u8] {
    let line = input.strip_suffix(b"\n").unwrap_or(input);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Parses `input` with `format` and, if it matches, calls every accessor.
pub fn parse_and_check(format: &LogFormat, input: &[u8]) {
    if let Ok(record) = format.parse(input) {
        check_record(format, &record, without_ending(input));
    }
}

/// Parses the whole input as one line, then each of its lines.
pub fn parse_all(format: &LogFormat, data: &[u8]) {
    parse_and_check(format, data);
    if data.contains(&b'\n') {
        for line in data.split(|&b| b == b'\n') {
            parse_and_check(format, line);
        }
    }
}

/// Everything a consumer can ask a record, with the borrowing rules checked.
pub fn check_record(format: &LogFormat, record: &Record<'_>, line: &[u8]) {
    assert_eq!(
        record.line(),
        line,
        "the record's line is not the input line"
    );
    let line = record.line();
    let _ = record.kind();
    within(line, record.client(), "client");
    let _ = record.client_ip();
    within(line, record.remote_user(), "remote_user");
    if let Some(ts) = record.timestamp() {
        check_timestamp(ts);
    }
    if let Some(request) = record.request() {
        within(line, Some(request.raw()), "request");
        within(line, request.method(), "request method");
        within(line, request.target(), "request target");
        within(line, request.path(), "request path");
        within(line, request.query(), "request query");
        within(line, request.protocol(), "request protocol");
    }
    within_cow(line, record.method(), "method");
    within_cow(line, record.path(), "path");
    within_cow(line, record.query(), "query");
    within(line, record.protocol(), "protocol");
    let _ = record.status();
    let _ = record.body_bytes();
    let _ = record.bytes_sent();
    let _ = record.request_length();
    let _ = record.request_time_us();
    let _ = record.upstream_time_us();
    within(line, record.upstream_addr(), "upstream_addr");
    within_cow(line, record.referrer(), "referrer");
    within_cow(line, record.user_agent(), "user_agent");
    within(line, record.x_forwarded_for(), "x_forwarded_for");
    within(line, record.forwarded_client(), "forwarded_client");
    within_cow(line, record.host(), "host");
    let _ = record.level();
    let _ = record.level_is_assumed();
    let _ = record.year_is_assumed();
    within(line, record.component(), "component");
    within_cow(line, record.message(), "message");
    within_cow(line, record.exception(), "exception");
    // Any line as a stack-trace line: the exception it names is part of it.
    within(line, logscan_parse::exception_of(line), "exception_of");
    within(line, Some(record.trailing()), "trailing");
    let _ = record.is_truncated();
    for name in format.variables() {
        within(line, record.var(name), "var");
    }

    // The field iterator ends, and each borrowed value comes from the line. A field
    // needs at least one byte of the line (access formats: one per variable, at most
    // 32), so more fields than bytes plus 32 means it does not end.
    let mut count = 0usize;
    for field in record.fields() {
        count += 1;
        assert!(count <= line.len() + 32, "fields() does not end");
        match field.value {
            Value::Str(Cow::Borrowed(s)) | Value::Json(s) => {
                assert!(is_within(line, s), "field {} does not borrow", field.name);
            }
            Value::Time(ts) => check_timestamp(ts),
            _ => {}
        }
    }
    let _ = format!("{record:?}");
}

/// A timestamp's own invariants, and that its `Display` parses back to the same instant
/// and the same offset (as `Timestamp`'s documentation promises), and that jiff reads
/// that text as the same instant.
pub fn check_timestamp(ts: Timestamp) {
    assert!(ts.subsec_nanos() < 1_000_000_000);
    assert_eq!(
        ts.unix_nanos(),
        i128::from(ts.unix_seconds()) * 1_000_000_000 + i128::from(ts.subsec_nanos())
    );
    let text = ts.to_string();
    let back = parse_timestamp(text.as_bytes())
        .unwrap_or_else(|| panic!("{text:?} (Display of a parsed time) does not parse"));
    assert_eq!(back, ts, "{text:?} parses to another instant");
    assert_eq!(
        back.utc_offset_seconds(),
        ts.utc_offset_seconds(),
        "{text:?} parses with another offset"
    );
    assert_eq!(back.subsec_nanos(), ts.subsec_nanos(), "{text:?}");

    // jiff as an independent reader of the same text: with an offset as an instant,
    // without one as a civil time taken as UTC (what logscan does).
    let jiff_nanos = if ts.utc_offset_seconds().is_some() {
        text.parse::<jiff::Timestamp>()
            .map(|t| t.as_nanosecond())
            .ok()
    } else {
        text.parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
            .map(|t| t.as_nanosecond())
    };
    if let Some(nanos) = jiff_nanos {
        assert_eq!(
            nanos,
            ts.unix_nanos(),
            "jiff reads {text:?} as another instant"
        );
    }
}
