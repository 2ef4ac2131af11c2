//! `logscan records`: parsed records as NDJSON, one object per line.
//!
//! Each object starts with `"_line"` (the 1-based line number) and, when several
//! inputs are read, `"_file"`; then come the record's fields in line order, typed:
//! numbers as numbers, times as RFC 3339 strings, durations as seconds, `-` as
//! `null`, nested JSON as written. Text that is not UTF-8 is written with U+FFFD in
//! place of the bad bytes. An application-log record whose stack trace follows it
//! ends with `"continued"`: the trace's lines as strings, also when they come in a
//! later chunk (except from a live pipe, whose records are written as they come).
//! With conditions (those of `filter`), only the records that meet them are written;
//! the trace of a record left out is left out with it.

use std::{
    io::{self, Write},
    ops::ControlFlow,
};

use logscan_parse::{ParseErrorKind, Record, Value};
use logscan_scan::MapError;

use crate::{
    cli::RecordsArgs,
    error::{CliError, Exit},
    filter::{Filter, UnmetConditionsNote},
    format::{FormatSpec, UnreadNumberNote},
    input::{self, Inputs},
    notes::Notes,
    out::Output,
};

/// Lines of a stack trace, each a JSON string, comma-separated.
#[derive(Debug, Default)]
struct Trace {
    json: Vec<u8>,
    lines: u64,
}

impl Trace {
    fn push(&mut self, line: &[u8]) {
        if self.lines > 0 {
            self.json.push(b',');
        }
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.json, &*String::from_utf8_lossy(line));
        self.lines += 1;
    }

    fn append(&mut self, more: Trace) {
        if more.lines == 0 {
            return;
        }
        if self.lines > 0 {
            self.json.push(b',');
        }
        self.json.extend_from_slice(&more.json);
        self.lines += more.lines;
    }
}

/// A record written but for its closing brace: the lines of its stack trace may
/// still come, in a later chunk.
#[derive(Debug)]
struct Open {
    /// The record's JSON object without its closing `}`.
    json: Vec<u8>,
    trace: Trace,
    line: u64,
}

impl Open {
    /// The record, with its stack trace as `"continued"` if it has one, and a newline.
    fn close_into(self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.json);
        if self.trace.lines > 0 {
            w.extend_from_slice(b",\"continued\":[");
            w.extend_from_slice(&self.trace.json);
            w.push(b']');
        }
        w.extend_from_slice(b"}\n");
    }
}

/// What a chunk's line goes on from.
#[derive(Debug)]
enum Current {
    /// No record of this chunk yet: a record of an earlier chunk, or none.
    Before,
    /// A record written by an attempt before this one (with its trace).
    Written,
    /// A record the conditions left out: its trace is left out with it, unannounced.
    Excluded,
    /// A malformed line: it ends the trace of the record before it (as it does for
    /// `filter`), so trace lines after it belong to no record.
    Broken,
    Open(Open),
}

/// What the last chunk that had anything but trace lines ended with, for the trace
/// lines at the start of the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing yet: such lines come before the first record.
    Nothing,
    /// A record, now written (only on a live input, which writes as it goes).
    Open,
    Written,
    Excluded,
    Broken,
}

/// One chunk's records, and what was left out.
#[derive(Debug)]
struct Batch {
    /// Stack-trace lines before the chunk's first record.
    lead: Trace,
    /// The chunk's records but the last, closed.
    ndjson: Vec<u8>,
    last_line: u64,
    /// The last record, or where the chunk's last lines go.
    current: Current,
    malformed: u64,
    first_malformed: Option<u64>,
    /// Trace lines after a malformed line: they belong to no record.
    orphans: u64,
    /// Records that parsed, and of those the ones the conditions kept.
    records: u64,
    kept: u64,
}

/// Runs `logscan records`.
///
/// As `filter` does, an input that fails part-way (a cut or corrupt `.gz`, a line over
/// the limit) has its records before the failure written, the last one too, then its
/// error; exit status 2.
pub fn run(args: RecordsArgs) -> Result<Exit, CliError> {
    let conditions = Filter::new(&args.conditions)?;
    let unread_number = UnreadNumberNote::new(conditions.reads_served_time());
    let unmet = UnmetConditionsNote::default();
    let spec = FormatSpec::from_args(&args.format)?;
    let inputs = Inputs::from_args(&args.input)?;
    let notes = Notes::new(inputs.quiet, &inputs.paths);
    let with_file = inputs.paths.len() > 1;
    let mut out = Output::stdout();
    let failed = input::for_each_input(&inputs, &notes, |path| {
        // Records written before a mapped file changed are not written again.
        let mut written_up_to = 0u64;
        let (malformed, first_malformed, orphans, (records, kept)) =
            inputs.scan(path, spec.needs_head(), &notes, |opened, _| {
                let file_name = opened.source.path().to_string_lossy().into_owned();
                let file = with_file.then_some(file_name.as_str());
                let format = spec.for_input(opened.source.path(), opened.head.as_deref())?;
                let Some(format) = format else {
                    return Ok((0, None, 0, (0, 0))); // an empty input
                };
                let head = opened.head.as_deref();
                unread_number.check(&spec, &format, opened.source.path(), head, &notes);
                unmet.check(&conditions, &format, opened.source.path(), &notes);
                let skip_up_to = written_up_to;
                let (mut malformed, mut first_malformed) = (0u64, None);
                // Stack-trace lines left out: before the input's first record, after
                // a malformed line, or from a live input after their record was
                // written (not those of a record the conditions left out).
                let mut orphans = 0u64;
                let (mut records, mut kept) = (0u64, 0u64);
                let mut last = Last::Nothing;
                // The last record so far, open for the trace lines of later chunks.
                let mut pending: Option<Open> = None;
                let scanner = notes.scanner(inputs.scanner_for(&opened.source));
                // A pipe may be a live log (`tail -f`): each batch is written through,
                // and a record's trace is what came with it.
                let live = opened.source.size_at_open().is_none();
                let result = scanner.map_ordered(
                    opened.source,
                    |chunk| {
                        let mut batch = Batch {
                            lead: Trace::default(),
                            ndjson: Vec::new(),
                            last_line: 0,
                            current: Current::Before,
                            malformed: 0,
                            first_malformed: None,
                            orphans: 0,
                            records: 0,
                            kept: 0,
                        };
                        for line in chunk.lines() {
                            match format.parse(line.bytes) {
                                Ok(record) => {
                                    batch.records += 1;
                                    // A record the conditions leave out is not
                                    // written, and nor is its stack trace.
                                    let keep = conditions.matches(&record);
                                    batch.kept += u64::from(keep);
                                    let next = if !keep {
                                        Current::Excluded
                                    } else if line.number > skip_up_to {
                                        let mut json = Vec::new();
                                        // Writing into a Vec cannot fail.
                                        let _ = write_record_open(
                                            &mut json,
                                            line.number,
                                            file,
                                            &record,
                                        );
                                        Current::Open(Open {
                                            json,
                                            trace: Trace::default(),
                                            line: line.number,
                                        })
                                    } else {
                                        Current::Written
                                    };
                                    if let Current::Open(done) =
                                        std::mem::replace(&mut batch.current, next)
                                    {
                                        batch.last_line = done.line;
                                        done.close_into(&mut batch.ndjson);
                                    }
                                }
                                Err(e) if e.kind == ParseErrorKind::Continuation => {
                                    match &mut batch.current {
                                        Current::Before => batch.lead.push(line.bytes),
                                        Current::Written | Current::Excluded => {}
                                        Current::Broken => batch.orphans += 1,
                                        Current::Open(open) => open.trace.push(line.bytes),
                                    }
                                }
                                Err(_) => {
                                    batch.malformed += 1;
                                    batch.first_malformed.get_or_insert(line.number);
                                    // It ends the trace of the record before it;
                                    // after a record left out, the lines stay
                                    // left out unannounced.
                                    let next = match batch.current {
                                        Current::Excluded => Current::Excluded,
                                        _ => Current::Broken,
                                    };
                                    if let Current::Open(done) =
                                        std::mem::replace(&mut batch.current, next)
                                    {
                                        batch.last_line = done.line;
                                        done.close_into(&mut batch.ndjson);
                                    }
                                }
                            }
                        }
                        batch
                    },
                    |batch| {
                        malformed += batch.malformed;
                        first_malformed = first_malformed.or(batch.first_malformed);
                        orphans += batch.orphans;
                        records += batch.records;
                        kept += batch.kept;
                        match (&mut pending, last) {
                            (Some(open), _) => open.trace.append(batch.lead),
                            // The trace of a record left out, or of one written by
                            // an earlier attempt.
                            (None, Last::Excluded | Last::Written) => {}
                            // Before the first record, after a malformed line, or
                            // (live) after its record was written.
                            (None, Last::Nothing | Last::Broken | Last::Open) => {
                                orphans += batch.lead.lines;
                            }
                        }
                        let mut bytes = Vec::new();
                        let mut last_line = 0;
                        if !matches!(batch.current, Current::Before) {
                            if let Some(open) = pending.take() {
                                last_line = open.line;
                                open.close_into(&mut bytes);
                            }
                            bytes.extend_from_slice(&batch.ndjson);
                            last_line = last_line.max(batch.last_line);
                            last = match batch.current {
                                Current::Open(open) => {
                                    pending = Some(open);
                                    Last::Open
                                }
                                Current::Written => Last::Written,
                                Current::Excluded => Last::Excluded,
                                Current::Broken | Current::Before => Last::Broken,
                            };
                        }
                        if live && let Some(open) = pending.take() {
                            last_line = open.line;
                            open.close_into(&mut bytes);
                        }
                        if bytes.is_empty() {
                            return Ok(());
                        }
                        written_up_to = last_line;
                        match out.bytes(&bytes, live) {
                            ControlFlow::Continue(()) => Ok(()),
                            ControlFlow::Break(()) => Err(()),
                        }
                    },
                );
                // The record still open has every trace line it will get once the
                // input ended, or stopped at a read error (a cut `.gz`) or an over-long
                // line: it is written, as the lines before the error are by `filter`.
                // Not after a closed pipe, nor from a mapped file that changed, whose
                // bytes may not be the file's (and which `--io auto` reads again,
                // writing it then).
                let (ended, outcome) = match result {
                    Ok(_) => (true, Ok(())),
                    Err(MapError::Sink(())) => (false, Ok(())),
                    Err(MapError::Scan(e)) => {
                        let error = CliError::from(e);
                        (!error.is_truncated(), Err(error))
                    }
                };
                if ended && let Some(open) = pending.take() {
                    let mut bytes = Vec::new();
                    written_up_to = open.line;
                    open.close_into(&mut bytes);
                    let _ = out.bytes(&bytes, live);
                }
                outcome.map(|()| (malformed, first_malformed, orphans, (records, kept)))
            })?;
        // After the reader went away the count is partial, and nobody asked.
        if let Some(first) = first_malformed
            && !out.is_closed()
        {
            notes.note(format_args!(
                "{}: {malformed} malformed line{} left out (the first is line {first})",
                path.display(),
                if malformed == 1 { "" } else { "s" }
            ));
            if let Some(note) = spec.named_format_fits_nothing(records, malformed) {
                notes.note(format_args!("{}: {note}", path.display()));
            }
        }
        if !conditions.is_empty() && records > 0 && kept == 0 && !out.is_closed() {
            notes.note(format_args!(
                "{}: no record met the conditions",
                path.display()
            ));
        }
        if orphans > 0 && !out.is_closed() {
            notes.note(format_args!(
                "{}: {orphans} line{} of stack traces left out (before the first record, after a malformed line, or after their record was written)",
                path.display(),
                if orphans == 1 { "" } else { "s" }
            ));
        }
        Ok(())
    })?;
    notes.finish();
    out.finish()?;
    Ok(if failed { Exit::Error } else { Exit::Success })
}

/// Writes one record as a JSON object and a newline.
#[cfg(test)]
fn write_record(
    w: &mut Vec<u8>,
    line: u64,
    file: Option<&str>,
    record: &Record<'_>,
) -> io::Result<()> {
    write_record_open(w, line, file, record)?;
    w.extend_from_slice(b"}\n");
    Ok(())
}

/// Writes one record as a JSON object but for its closing `}`, so that fields can
/// follow (its stack trace, in `"continued"`).
fn write_record_open(
    w: &mut Vec<u8>,
    line: u64,
    file: Option<&str>,
    record: &Record<'_>,
) -> io::Result<()> {
    write!(w, "{{\"_line\":{line}")?;
    if let Some(file) = file {
        w.extend_from_slice(b",\"_file\":");
        serde_json::to_writer(&mut *w, file)?;
    }
    for field in record.fields() {
        w.push(b',');
        serde_json::to_writer(&mut *w, &*field.name)?;
        w.push(b':');
        write_value(w, &field.value)?;
    }
    Ok(())
}

fn write_value(w: &mut Vec<u8>, value: &Value<'_>) -> io::Result<()> {
    match value {
        Value::Null => w.extend_from_slice(b"null"),
        Value::Bool(b) => write!(w, "{b}")?,
        Value::UInt(n) => write!(w, "{n}")?,
        Value::Int(n) => write!(w, "{n}")?,
        Value::Float(x) if x.is_finite() => serde_json::to_writer(&mut *w, x)?,
        Value::Float(_) => w.extend_from_slice(b"null"),
        Value::Str(s) => serde_json::to_writer(&mut *w, &*String::from_utf8_lossy(s))?,
        Value::Time(t) => write!(w, "\"{t}\"")?,
        Value::Duration(d) => {
            // Microsecond precision, printed without float rounding noise.
            let micros = d.as_micros();
            let text = format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000);
            let text = text.trim_end_matches('0').trim_end_matches('.');
            w.extend_from_slice(text.as_bytes());
        }
        Value::Level(l) => write!(w, "\"{l}\"")?,
        Value::Json(raw) => {
            // The parser checked the line's structure; this makes sure the nested
            // value is exactly one JSON value before pasting it in.
            if serde_json::from_slice::<serde::de::IgnoredAny>(raw).is_ok() {
                w.extend_from_slice(raw);
            } else {
                serde_json::to_writer(&mut *w, &*String::from_utf8_lossy(raw))?;
            }
        }
        // `Value` may grow; a variant this build does not know is written as text.
        #[allow(unreachable_patterns)]
        other => serde_json::to_writer(&mut *w, &format!("{other:?}"))?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use logscan_parse::LogFormat;

    fn ndjson(format: &LogFormat, line: &[u8]) -> serde_json::Value {
        let record = format.parse(line).expect("parses");
        let mut buf = Vec::new();
        write_record(&mut buf, 7, None, &record).expect("writes");
        assert_eq!(buf.last(), Some(&b'\n'));
        serde_json::from_slice(&buf).expect("valid JSON")
    }

    #[test]
    fn access_fields_are_typed() {
        let v = ndjson(
            &LogFormat::combined_extras(),
            br#"192.0.2.1 - alice [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326 "-" "Mozilla \"x\"" "-" 0.004 0.120"#,
        );
        assert_eq!(v["_line"], 7);
        assert_eq!(v["remote_addr"], "192.0.2.1");
        assert_eq!(v["remote_user"], "alice");
        assert_eq!(v["time_local"], "2000-10-10T13:55:36-07:00");
        assert_eq!(v["status"], 200);
        assert_eq!(v["body_bytes_sent"], 2326);
        assert_eq!(v["http_referer"], serde_json::Value::Null);
        assert_eq!(v["request_time"], 0.004);
        assert_eq!(v["upstream_response_time"], 0.12);
    }

    #[test]
    fn json_lines_keep_nested_values_and_bad_utf8_is_replaced() {
        let v = ndjson(
            &LogFormat::json(),
            b"{\"time\":\"2025-03-14T06:25:00Z\",\"level\":\"warn\",\"ctx\":{\"a\":[1,2]},\"n\":-3,\"x\":1.5,\"ok\":true,\"msg\":\"caf\xc3\xa9 \xff\"}",
        );
        assert_eq!(v["ctx"]["a"][1], 2);
        assert_eq!(v["n"], -3);
        assert_eq!(v["x"], 1.5);
        assert_eq!(v["ok"], true);
        assert_eq!(v["msg"], "café \u{fffd}");
    }

    /// nginx's `escape=json` quotes every value: the status, bytes and served time the
    /// format reads come out as numbers (so `jq 'select(.status >= 500)'` works), in
    /// their key's own unit; other quoted numbers, and values that are no plain
    /// number, stay strings.
    #[test]
    fn quoted_numbers_the_format_reads_come_out_as_numbers() {
        let v = ndjson(
            &LogFormat::json(),
            br#"{"status":"502","body_bytes_sent":"0","request_time":"1.500","upstream_status":"502","request_uri":"/x"}"#,
        );
        assert_eq!(v["status"], 502);
        assert_eq!(v["body_bytes_sent"], 0);
        assert_eq!(v["request_time"], 1.5);
        assert_eq!(v["upstream_status"], "502");
        assert_eq!(v["request_uri"], "/x");
        let pino_ms = LogFormat::json_builder()
            .request_time_keys(["responseTime:ms"])
            .build()
            .expect("keys");
        let v = ndjson(&pino_ms, br#"{"responseTime":"7","statusCode":"-"}"#);
        assert_eq!(v["responseTime"], 7, "as written, in its key's unit");
        for odd in [
            "1e3",
            "0x10",
            "",
            "inf",
            "12.",
            ".5",
            "1.2.3",
            "-",
            "99999999999999999999999",
        ] {
            let line = format!(r#"{{"status":"{odd}","msg":"m"}}"#);
            let v = ndjson(&LogFormat::json(), line.as_bytes());
            assert_eq!(v["status"], odd, "{odd:?} stays text");
        }
    }
}
