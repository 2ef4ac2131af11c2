//! Helpers shared by the integration tests: reading the real-data fixtures and
//! rendering records as stable text for snapshots.
#![allow(dead_code)] // each test binary uses a different subset

use std::fmt::Write as _;
use std::path::PathBuf;

use logscan_parse::{LogFormat, Record, Value};

/// `testdata/realdata/<rel>` from the workspace root.
pub fn realdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/realdata")
        .join(rel)
}

/// The lines of a real-data file, split on `\n` with no phantom last line (the
/// loghub files are CRLF, most without a final newline; `parse` drops the `\r`).
pub fn lines_of(rel: &str) -> Vec<Vec<u8>> {
    let path = realdata(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    if lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    lines
}

pub fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

fn show_value(v: &Value<'_>) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Str(s) => format!("\"{}\"", show(s)),
        Value::Time(t) => format!("time({t})"),
        Value::Duration(d) => format!("{}us", d.as_micros()),
        Value::Level(l) => format!("level({l})"),
        Value::Json(j) => format!("json({})", show(j)),
    }
}

/// The typed accessors that have a value, on one line.
pub fn accessors(r: &Record<'_>) -> String {
    let mut out = String::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            let _ = write!(out, "{k}={v} ");
        }
    };
    let s = |b: Option<&[u8]>| b.map(|b| format!("\"{}\"", show(b)));
    let c = |b: Option<std::borrow::Cow<'_, [u8]>>| b.map(|b| format!("\"{}\"", show(&b)));
    put("time", r.timestamp().map(|t| t.to_string()));
    put("client", s(r.client()));
    put("user", s(r.remote_user()));
    put("host", s(r.host().as_deref()));
    put("method", c(r.method()));
    put("path", c(r.path()));
    put("query", c(r.query()));
    put("proto", s(r.protocol()));
    put("status", r.status().map(|v| v.to_string()));
    put("bytes", r.body_bytes().map(|v| v.to_string()));
    put("rt_us", r.request_time_us().map(|v| v.to_string()));
    put("up_us", r.upstream_time_us().map(|v| v.to_string()));
    put("ref", s(r.referrer().as_deref()));
    put("ua", s(r.user_agent().as_deref()));
    put("xff", s(r.x_forwarded_for()));
    put(
        "level",
        r.level().map(|l| {
            format!(
                "{l}{}",
                if r.level_is_assumed() {
                    "(assumed)"
                } else {
                    ""
                }
            )
        }),
    );
    put("component", s(r.component()));
    put("msg", c(r.message()));
    put(
        "trailing",
        (!r.trailing().is_empty()).then(|| format!("\"{}\"", show(r.trailing()))),
    );
    put("truncated", r.is_truncated().then(|| "yes".to_owned()));
    out.trim_end().to_owned()
}

/// Every field from `Record::fields`, on one line.
pub fn fields(r: &Record<'_>) -> String {
    r.fields()
        .map(|f| format!("{}: {}", f.name, show_value(&f.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line's parse result: accessors (and fields if asked), or the error.
pub fn render(format: &LogFormat, line: &[u8], with_fields: bool) -> String {
    match format.parse(line) {
        Ok(r) if with_fields => format!("  {}\n  fields: {}", accessors(&r), fields(&r)),
        Ok(r) => format!("  {}", accessors(&r)),
        Err(e) => format!("  ERROR {:?} at {}: {e}", e.kind, e.column),
    }
}
