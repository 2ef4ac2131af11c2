//! `logscan records`: parsed records as NDJSON, one object per line.
//!
//! Each object starts with `"_line"` (the 1-based line number) and, when several
//! inputs are read, `"_file"`; then come the record's fields in line order, typed:
//! numbers as numbers, times as RFC 3339 strings, durations as seconds, `-` as
//! `null`, nested JSON as written. Text that is not UTF-8 is written with U+FFFD in
//! place of the bad bytes.

use std::{
    io::{self, Write},
    ops::ControlFlow,
};

use logscan_parse::{ParseErrorKind, Record, Value};
use logscan_scan::MapError;

use crate::{
    cli::RecordsArgs,
    error::{CliError, Exit},
    format::FormatSpec,
    input::{self, Inputs},
    notes::Notes,
    out::Output,
};

/// One chunk's records, and what was left out.
#[derive(Debug, Default)]
struct Batch {
    ndjson: Vec<u8>,
    last_line: u64,
    malformed: u64,
    first_malformed: Option<u64>,
    /// Lines that go on from the record before them (stack traces).
    continued: u64,
}

/// Runs `logscan records`.
pub fn run(args: RecordsArgs) -> Result<Exit, CliError> {
    let spec = FormatSpec::from_args(&args.format)?;
    let inputs = Inputs::from_args(&args.input)?;
    let notes = Notes::new(inputs.quiet, &inputs.paths);
    let with_file = inputs.paths.len() > 1;
    let mut out = Output::stdout();
    let failed = input::for_each_input(&inputs, &notes, |path| {
        // Records written before a mapped file changed are not written again.
        let mut written_up_to = 0u64;
        let (malformed, first_malformed, continued) =
            inputs.scan(path, spec.needs_head(), &notes, |opened, _| {
                let file_name = opened.source.path().to_string_lossy().into_owned();
                let file = with_file.then_some(file_name.as_str());
                let format = spec.for_input(opened.source.path(), opened.head.as_deref())?;
                let Some(format) = format else {
                    return Ok((0, None, 0)); // an empty input
                };
                let skip_up_to = written_up_to;
                let (mut malformed, mut first_malformed, mut continued) = (0u64, None, 0u64);
                let scanner = notes.scanner(inputs.scanner_for(&opened.source));
                // A pipe may be a live log (`tail -f`): each batch is written through.
                let live = opened.source.size_at_open().is_none();
                let result = scanner.map_ordered(
                    opened.source,
                    |chunk| {
                        let mut batch = Batch::default();
                        for line in chunk.lines() {
                            match format.parse(line.bytes) {
                                Ok(record) => {
                                    if line.number > skip_up_to {
                                        // Writing into a Vec cannot fail.
                                        let _ = write_record(
                                            &mut batch.ndjson,
                                            line.number,
                                            file,
                                            &record,
                                        );
                                        batch.last_line = line.number;
                                    }
                                }
                                Err(e) if e.kind == ParseErrorKind::Continuation => {
                                    batch.continued += 1;
                                }
                                Err(_) => {
                                    batch.malformed += 1;
                                    batch.first_malformed.get_or_insert(line.number);
                                }
                            }
                        }
                        batch
                    },
                    |batch| {
                        malformed += batch.malformed;
                        first_malformed = first_malformed.or(batch.first_malformed);
                        continued += batch.continued;
                        if batch.ndjson.is_empty() {
                            return Ok(());
                        }
                        written_up_to = batch.last_line;
                        match out.bytes(&batch.ndjson, live) {
                            ControlFlow::Continue(()) => Ok(()),
                            ControlFlow::Break(()) => Err(()),
                        }
                    },
                );
                match result {
                    Ok(_) | Err(MapError::Sink(())) => Ok((malformed, first_malformed, continued)),
                    Err(MapError::Scan(e)) => Err(e.into()),
                }
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
        }
        if continued > 0 && !out.is_closed() {
            notes.note(format_args!(
                "{}: {continued} line{} of stack traces left out (they go on from the record before)",
                path.display(),
                if continued == 1 { "" } else { "s" }
            ));
        }
        Ok(())
    })?;
    notes.finish();
    out.finish()?;
    Ok(if failed { Exit::Error } else { Exit::Success })
}

/// Writes one record as a JSON object and a newline.
pub fn write_record(
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
    w.extend_from_slice(b"}\n");
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
}
