//! Renderers for a [`Report`]: a readable terminal report, JSON, CSV.

use std::fmt::Write as _;
use std::io;

use crate::report::{Report, Table, percent};

/// How [`Report::to_text`] lays out the terminal report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colours and bold headings (the CLI turns this on for a terminal without
    /// `NO_COLOR`).
    pub color: bool,
}

/// Longest key shown in the terminal report; longer keys end in `…`.
const KEY_WIDTH: usize = 96;

impl Report {
    /// The report as readable text: aligned tables with percentages, sizes in KiB /
    /// MiB / GiB, durations in µs / ms / s. Text from the log is shown with control
    /// characters escaped (`\x1b`), so a log cannot drive the terminal.
    pub fn to_text(&self, options: TextOptions) -> String {
        let mut out = Text {
            s: String::new(),
            color: options.color,
        };
        out.overview(self);
        if let Some(access) = &self.access {
            out.access(access);
        }
        if let Some(app) = &self.app {
            out.app(app);
        }
        out.samples(self);
        out.s
    }

    /// The report as pretty-printed JSON (the schema in [`Report`]), with a final
    /// newline.
    pub fn write_json<W: io::Write>(&self, mut writer: W) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut writer, self)?;
        writer.write_all(b"\n")
    }

    /// The report as CSV with the header `section,key,value,percent`, one row per
    /// number; `percent` is empty where it does not apply. Sections:
    ///
    /// | section | key | value |
    /// |---|---|---|
    /// | `lines` | `total`, `parsed`, `malformed`, `continued`, `excluded` | count |
    /// | `time` | `first`, `last`, `year_assumed` | RFC 3339 time, or `true`/`false` |
    /// | `requests` | `total`, `body_bytes`, `unique_clients` (or `unique_clients_estimated`) | count |
    /// | `per_minute` | `mean`, `peak`, `peak_minute` | number or time |
    /// | `slowest_us`, `slowest_request` | the line (`input:line` with several inputs) | µs; `METHOD path` |
    /// | `timeline` | `bucket_seconds`, then each bucket's start (see [`Timeline`](crate::Timeline)) | seconds, then requests |
    /// | `timeline_5xx` | each bucket's start | requests answered with a 5xx |
    /// | `served_time_us` | `count`, `min`, `mean`, `p50`, `p90`, `p99`, `max` | µs |
    /// | `status_class` | `1xx` … `5xx`, `other` | requests |
    /// | `status` | the code | requests |
    /// | `method`, `host`, `path`, `client`, `user_agent`, `referrer`, `not_found_path`, `server_error_path` | the key | requests (percent: of all requests; for `not_found_path` and `server_error_path`, of the 404s and of the 5xx) |
    /// | `path_served_us` (percent: of all served time), `path_served_requests`, `path_served_mean_us`, `path_served_max_us` | the path (with `--path-times`) | µs, requests |
    /// | `level` | the level | lines |
    /// | `component`, `app_host` | the component, the host (see [`AppReport::top_hosts`](crate::AppReport::top_hosts)) | lines |
    /// | `message` | `LEVEL template` | lines |
    /// | `exception` | the exception's name | times a stack trace named it |
    /// | `malformed_sample` | the line number (`input:line` when several inputs merged) | the line's text |
    /// | `scan` | `bytes`, `strategy`, `skipped_long_lines`, `threads` | value |
    pub fn write_csv<W: io::Write>(&self, mut writer: W) -> io::Result<()> {
        let mut rows = Csv {
            s: String::from("section,key,value,percent\n"),
        };
        rows.report(self);
        writer.write_all(rows.s.as_bytes())
    }
}

struct Text {
    s: String,
    color: bool,
}

impl Text {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn heading(&mut self, title: &str) {
        let title = self.paint("1", title);
        let _ = writeln!(self.s, "\n{title}");
    }

    fn row(&mut self, label: &str, value: &str) {
        let _ = writeln!(self.s, "  {label:<16}{value}");
    }

    /// The slowest requests: time, request, status, and where the line is.
    fn slowest(&mut self, slow: &[crate::report::SlowRequestReport]) {
        self.heading("Slowest requests");
        let times: Vec<String> = slow.iter().map(|r| human_us(r.served_us as f64)).collect();
        let width = times.iter().map(|t| t.chars().count()).max().unwrap_or(0);
        for (r, time) in slow.iter().zip(&times) {
            let status = r.status.map_or_else(|| "-".to_owned(), |s| s.to_string());
            let path = r.path.as_deref().unwrap_or("-");
            let place = match &r.input {
                Some(input) => format!("{}, line {}", escape(input), thousands(r.line)),
                None => format!("line {}", thousands(r.line)),
            };
            // Method and path are the log's text: escaped, as every key shown is.
            let _ = writeln!(
                self.s,
                "  {time:>width$}  {status:>3}  {} {}  ({place})",
                escape(&r.method),
                shorten(&escape(path), KEY_WIDTH)
            );
        }
    }

    /// `Title (N distinct)`, then `; ` and `more` when given (`table full, ...` when the
    /// table hit its bound, what its percentages are shares of).
    fn table_heading(&mut self, title: &str, distinct: u64, more: Option<String>) {
        let mut heading = format!("{title} ({} distinct", thousands(distinct));
        if let Some(more) = more {
            heading.push_str("; ");
            heading.push_str(&more);
        }
        heading.push(')');
        self.heading(&heading);
    }

    /// The paths with the most served time: total, share of all, requests, mean, max.
    fn path_times(&mut self, t: &crate::report::PathTimeTable) {
        let full = (!t.complete).then(|| {
            format!(
                "table full, {} of later paths not added",
                plural(t.untracked_requests, "request")
            )
        });
        self.table_heading("Paths by served time", t.distinct, full);
        let rows: Vec<[String; 5]> = t
            .entries
            .iter()
            .map(|e| {
                [
                    human_us(e.total_us as f64),
                    format!("{:.2}%", e.percent),
                    thousands(e.requests),
                    human_us(e.mean_us),
                    human_us(e.max_us as f64),
                ]
            })
            .collect();
        let header = ["total", "share", "requests", "mean", "max"];
        let mut widths = header.map(|h| h.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 5], last: &str| {
            let mut s = String::new();
            for (cell, width) in cells.iter().zip(widths) {
                s.push_str(&format!("  {cell:>width$}"));
            }
            format!("{s}  {last}")
        };
        let _ = writeln!(self.s, "{}", line(header, "path"));
        for (row, e) in rows.iter().zip(&t.entries) {
            let cells = [&*row[0], &row[1], &row[2], &row[3], &row[4]];
            let path = shorten(&escape(&e.path), KEY_WIDTH);
            let _ = writeln!(self.s, "{}", line(cells, &path));
        }
    }

    /// Requests per bucket as bars, the busiest bucket the longest.
    fn timeline(&mut self, t: &crate::report::Timeline) {
        const BAR: u64 = 40;
        self.heading(&format!(
            "Requests over time (per {})",
            bucket_name(t.bucket_seconds)
        ));
        let peak = t
            .buckets
            .iter()
            .map(|b| b.requests)
            .max()
            .unwrap_or(0)
            .max(1);
        let width = t
            .buckets
            .iter()
            .map(|b| thousands(b.requests).len())
            .max()
            .unwrap_or(1);
        // The 5xx of each bucket, in a column of their own when there are any: when
        // the server failed, beside when the traffic came.
        let failed = t.buckets.iter().any(|b| b.server_errors > 0);
        let failed_width = t
            .buckets
            .iter()
            .map(|b| thousands(b.server_errors).len())
            .max()
            .unwrap_or(1)
            .max(3);
        if failed {
            let _ = writeln!(
                self.s,
                "  {:start$}  {:>width$}  {:>failed_width$}",
                "",
                "",
                "5xx",
                start = t.buckets.first().map_or(0, |b| b.start.chars().count()),
            );
        }
        for b in &t.buckets {
            // At least one block for a bucket that had any request at all.
            let blocks = (b.requests * BAR).div_ceil(peak) as usize;
            let errors = if failed {
                let n = if b.server_errors > 0 {
                    thousands(b.server_errors)
                } else {
                    "-".to_owned()
                };
                format!("{n:>failed_width$}  ")
            } else {
                String::new()
            };
            let _ = writeln!(
                self.s,
                "  {}  {:>width$}  {errors}{}",
                b.start,
                thousands(b.requests),
                "█".repeat(blocks)
            );
        }
    }

    fn overview(&mut self, r: &Report) {
        let title = self.paint(
            "1",
            &match r.format.as_str() {
                // Nothing was read: no format was chosen.
                "none" => format!("{} (nothing read)", plural(r.lines.total, "line")),
                format => format!("{} ({format} format)", plural(r.lines.total, "line")),
            },
        );
        let _ = writeln!(self.s, "{title}");
        let width = thousands(r.lines.total).len();
        for (label, n) in [("parsed", r.lines.parsed), ("malformed", r.lines.malformed)] {
            let value = format!(
                "{:>width$}  {:>7}",
                thousands(n),
                pct(percent(n, r.lines.total))
            );
            self.row(label, &value);
        }
        if r.filtered {
            let value = format!(
                "{:>width$}  {:>7}  (parsed, but not meeting the conditions: not counted below)",
                thousands(r.lines.excluded),
                pct(percent(r.lines.excluded, r.lines.total))
            );
            self.row("excluded", &value);
        }
        if r.lines.continued > 0 {
            let value = format!(
                "{:>width$}  {:>7}  (stack traces: lines that go on from the one before)",
                thousands(r.lines.continued),
                pct(percent(r.lines.continued, r.lines.total))
            );
            self.row("continued", &value);
        }
        if let Some(scan) = &r.scan {
            let value = format!(
                "{}, {} strategy, {} thread{}",
                human_bytes(scan.bytes),
                scan.strategy,
                scan.threads,
                if scan.threads == 1 { "" } else { "s" }
            );
            self.row("input", &value);
            if scan.skipped_long_lines > 0 {
                self.row(
                    "skipped",
                    &format!("{} over-long lines", thousands(scan.skipped_long_lines)),
                );
            }
        }
        if let Some(time) = &r.time {
            let year = if time.year_assumed {
                "; year not in the log, assumed"
            } else {
                ""
            };
            let value = format!(
                "{} → {}  ({}{year})",
                time.first,
                time.last,
                human_span(time.span_seconds)
            );
            self.row("time", &value);
        }
    }

    fn access(&mut self, a: &crate::report::AccessReport) {
        self.heading("Requests");
        self.row("requests", &thousands(a.requests));
        if let Some(bytes) = a.body_bytes {
            self.row("body bytes", &human_bytes(bytes));
        }
        if let Some(unique) = &a.unique_clients {
            let value = if unique.estimated {
                format!("≈{} (estimate)", thousands(unique.count))
            } else {
                thousands(unique.count)
            };
            self.row("unique clients", &value);
        }
        if let Some(m) = &a.requests_per_minute {
            // In tenths, with the peak's separators: `mean 17,295.1, peak 1,050,000`.
            let tenths = (m.mean.max(0.0) * 10.0).round() as u64;
            let value = format!(
                "mean {}.{}, peak {} at {}",
                thousands(tenths / 10),
                tenths % 10,
                thousands(m.peak),
                m.peak_minute
            );
            self.row("per minute", &value);
        }
        if let Some(t) = &a.served_time_us {
            let value = format!(
                "min {}  mean {}  p50 {}  p90 {}  p99 {}  max {}",
                human_us(t.min as f64),
                human_us(t.mean),
                human_us(t.p50 as f64),
                human_us(t.p90 as f64),
                human_us(t.p99 as f64),
                human_us(t.max as f64)
            );
            self.row("served time", &value);
        }

        if let Some(t) = a
            .requests_over_time
            .as_ref()
            .filter(|t| t.buckets.len() > 1)
        {
            self.timeline(t);
        }

        self.heading("Status");
        let c = &a.status_classes;
        let classes = [
            ("1xx", c.informational),
            ("2xx", c.success),
            ("3xx", c.redirection),
            ("4xx", c.client_error),
            ("5xx", c.server_error),
            ("other", c.other),
        ];
        let rows: Vec<(String, u64, f64)> = classes
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|&(k, n)| (k.to_owned(), n, percent(n, a.requests)))
            .collect();
        self.counts(&rows);
        let codes: Vec<(String, u64, f64)> = a
            .statuses
            .iter()
            .map(|s| (s.status.to_string(), s.count, s.percent))
            .collect();
        if !codes.is_empty() {
            let _ = writeln!(self.s, "  by code:");
            self.counts(&codes);
        }

        // A log without methods (JSON lines without one) would show a lone `-`.
        if a.methods.entries.iter().any(|e| e.key != "-") {
            self.table("Methods", &a.methods);
        }
        self.table("Top virtual hosts", &a.top_hosts);
        self.table("Top paths", &a.top_paths);
        self.table("Top clients", &a.top_clients);
        self.table("Top user agents", &a.top_user_agents);
        self.table("Top referrers", &a.top_referrers);
        self.table_of("Top 404 paths", &a.top_not_found_paths, Some("the 404s"));
        self.table_of("Top 5xx paths", &a.top_server_error_paths, Some("the 5xx"));
        if let Some(t) = a
            .paths_by_served_time
            .as_ref()
            .filter(|t| !t.entries.is_empty())
        {
            self.path_times(t);
        }
        if !a.slowest_requests.is_empty() {
            self.slowest(&a.slowest_requests);
        }
    }

    fn app(&mut self, app: &crate::report::AppReport) {
        self.heading(&format!("Levels ({})", plural(app.lines, "line")));
        let mut rows: Vec<(String, u64, f64)> = app
            .levels
            .iter()
            .map(|l| (l.level.clone(), l.count, l.percent))
            .collect();
        if app.no_level > 0 {
            rows.push((
                "(none)".into(),
                app.no_level,
                percent(app.no_level, app.lines),
            ));
        }
        self.counts(&rows);
        if app.levels_assumed > 0 {
            let _ = writeln!(
                self.s,
                "  ({} syslog lines had no priority; their level is assumed)",
                thousands(app.levels_assumed)
            );
        }
        self.table("Top components", &app.top_components);
        self.table("Top hosts", &app.top_hosts);
        let m = &app.top_messages;
        if !m.entries.is_empty() {
            self.heading(&format!(
                "Top warning and error messages ({}{})",
                plural(m.distinct, "template"),
                if m.complete { "" } else { ", table full" }
            ));
            let rows: Vec<(String, u64, f64)> = m
                .entries
                .iter()
                .map(|e| (format!("{:<5} {}", e.level, e.template), e.count, e.percent))
                .collect();
            self.counts(&rows);
        }
        self.table("Top exceptions in stack traces", &app.top_exceptions);
    }

    fn samples(&mut self, r: &Report) {
        if r.malformed_samples.is_empty() {
            return;
        }
        self.heading(&format!(
            "Malformed lines ({}; first {} shown)",
            thousands(r.lines.malformed),
            r.malformed_samples.len()
        ));
        // "line 17", or "a.log line 17" when several inputs were merged.
        let labels: Vec<String> = r
            .malformed_samples
            .iter()
            .map(|s| match &s.input {
                Some(input) => format!("{} line", escape(input)),
                None => "line".to_owned(),
            })
            .collect();
        let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4);
        let width = r
            .malformed_samples
            .iter()
            .map(|s| s.line.to_string().len())
            .max()
            .unwrap_or(1);
        for (s, label) in r.malformed_samples.iter().zip(&labels) {
            // A 0-based offset, as `byte` says (and as the JSON's `column` holds it).
            let where_ = self.paint("2", &format!("({}, at byte {})", s.error, s.column));
            let shown = escape(&s.text);
            // One ellipsis however the text was cut: when the sample was taken, or here.
            let cut_here = shown.chars().count() > KEY_WIDTH;
            let text = shorten(&shown, KEY_WIDTH);
            let cut = if s.text_cut && !cut_here { "…" } else { "" };
            let _ = writeln!(
                self.s,
                "  {label:<label_width$} {:>width$}  {where_}\n  {:>w2$}  {text}{cut}",
                s.line,
                "",
                w2 = label_width + width + 1
            );
        }
    }

    fn table(&mut self, title: &str, t: &Table) {
        self.table_of(title, t, None);
    }

    /// A table whose percentages are shares of something else than all requests
    /// (`share_of`: "the 404s"), which its heading says.
    fn table_of(&mut self, title: &str, t: &Table, share_of: Option<&str>) {
        if t.entries.is_empty() {
            return;
        }
        let full = (!t.complete).then(|| {
            format!(
                "{} of later keys not counted",
                plural(t.untracked, "occurrence")
            )
        });
        let full = match (share_of, full) {
            (Some(base), Some(full)) => Some(format!("% of {base}; table full, {full}")),
            (Some(base), None) => Some(format!("% of {base}")),
            (None, full) => full.map(|f| format!("table full, {f}")),
        };
        self.table_heading(title, t.distinct, full);
        let rows: Vec<(String, u64, f64)> = t
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.count, e.percent))
            .collect();
        self.counts(&rows);
    }

    /// Rows of `count  percent  key`, counts right-aligned to the widest.
    fn counts(&mut self, rows: &[(String, u64, f64)]) {
        let width = rows
            .iter()
            .map(|(_, n, _)| thousands(*n).len())
            .max()
            .unwrap_or(1);
        for (key, n, p) in rows {
            let p = self.paint("2", &format!("{:>7}", pct(*p)));
            let key = shorten(&escape(key), KEY_WIDTH);
            let key = match key.as_bytes().first() {
                Some(b'5') if key.len() == 3 => self.paint("31", &key),
                Some(b'4') if key.len() == 3 => self.paint("33", &key),
                _ if key.starts_with("ERROR") || key.starts_with("FATAL") => self.paint("31", &key),
                _ if key.starts_with("WARN") => self.paint("33", &key),
                _ => key,
            };
            let _ = writeln!(self.s, "  {:>width$}  {p}  {key}", thousands(*n));
        }
    }
}

struct Csv {
    s: String,
}

impl Csv {
    fn row(&mut self, section: &str, key: &str, value: &str, percent: Option<f64>) {
        let percent = percent.map(|p| p.to_string()).unwrap_or_default();
        let _ = writeln!(
            self.s,
            "{},{},{},{}",
            field(section),
            field(key),
            field(value),
            percent
        );
    }

    fn table(&mut self, section: &str, t: &Table) {
        for e in &t.entries {
            self.row(section, &e.key, &e.count.to_string(), Some(e.percent));
        }
    }

    fn report(&mut self, r: &Report) {
        let l = &r.lines;
        self.row("lines", "total", &l.total.to_string(), None);
        self.row(
            "lines",
            "parsed",
            &l.parsed.to_string(),
            Some(percent(l.parsed, l.total)),
        );
        self.row(
            "lines",
            "malformed",
            &l.malformed.to_string(),
            Some(percent(l.malformed, l.total)),
        );
        self.row(
            "lines",
            "continued",
            &l.continued.to_string(),
            Some(percent(l.continued, l.total)),
        );
        self.row(
            "lines",
            "excluded",
            &l.excluded.to_string(),
            Some(percent(l.excluded, l.total)),
        );
        if let Some(t) = &r.time {
            self.row("time", "first", &t.first, None);
            self.row("time", "last", &t.last, None);
            self.row("time", "year_assumed", &t.year_assumed.to_string(), None);
        }
        if let Some(s) = &r.scan {
            self.row("scan", "bytes", &s.bytes.to_string(), None);
            self.row("scan", "strategy", &s.strategy, None);
            self.row(
                "scan",
                "skipped_long_lines",
                &s.skipped_long_lines.to_string(),
                None,
            );
            self.row("scan", "threads", &s.threads.to_string(), None);
        }
        if let Some(a) = &r.access {
            self.row("requests", "total", &a.requests.to_string(), None);
            if let Some(bytes) = a.body_bytes {
                self.row("requests", "body_bytes", &bytes.to_string(), None);
            }
            if let Some(unique) = &a.unique_clients {
                let key = if unique.estimated {
                    "unique_clients_estimated"
                } else {
                    "unique_clients"
                };
                self.row("requests", key, &unique.count.to_string(), None);
            }
            if let Some(m) = &a.requests_per_minute {
                self.row("per_minute", "mean", &m.mean.to_string(), None);
                self.row("per_minute", "peak", &m.peak.to_string(), None);
                self.row("per_minute", "peak_minute", &m.peak_minute, None);
            }
            if let Some(t) = &a.requests_over_time {
                let seconds = t.bucket_seconds.to_string();
                self.row("timeline", "bucket_seconds", &seconds, None);
                for b in &t.buckets {
                    self.row("timeline", &b.start, &b.requests.to_string(), None);
                }
                for b in &t.buckets {
                    let failed = b.server_errors.to_string();
                    self.row("timeline_5xx", &b.start, &failed, None);
                }
            }
            if let Some(t) = &a.served_time_us {
                for (k, v) in [
                    ("count", t.count.to_string()),
                    ("min", t.min.to_string()),
                    ("mean", t.mean.to_string()),
                    ("p50", t.p50.to_string()),
                    ("p90", t.p90.to_string()),
                    ("p99", t.p99.to_string()),
                    ("max", t.max.to_string()),
                ] {
                    self.row("served_time_us", k, &v, None);
                }
            }
            // Two rows per request, keyed by where its line is: the time, then the
            // request (method and path, the path `-` if none).
            for r in &a.slowest_requests {
                let place = match &r.input {
                    Some(input) => format!("{input}:{}", r.line),
                    None => r.line.to_string(),
                };
                self.row("slowest_us", &place, &r.served_us.to_string(), None);
                let request = format!("{} {}", r.method, r.path.as_deref().unwrap_or("-"));
                self.row("slowest_request", &place, &request, None);
            }
            let c = &a.status_classes;
            for (k, n) in [
                ("1xx", c.informational),
                ("2xx", c.success),
                ("3xx", c.redirection),
                ("4xx", c.client_error),
                ("5xx", c.server_error),
                ("other", c.other),
            ] {
                self.row(
                    "status_class",
                    k,
                    &n.to_string(),
                    Some(percent(n, a.requests)),
                );
            }
            for s in &a.statuses {
                self.row(
                    "status",
                    &s.status.to_string(),
                    &s.count.to_string(),
                    Some(s.percent),
                );
            }
            self.table("method", &a.methods);
            self.table("host", &a.top_hosts);
            self.table("path", &a.top_paths);
            self.table("client", &a.top_clients);
            self.table("user_agent", &a.top_user_agents);
            self.table("referrer", &a.top_referrers);
            self.table("not_found_path", &a.top_not_found_paths);
            self.table("server_error_path", &a.top_server_error_paths);
            // Four rows per path, keyed by the path: total (with its share of all
            // served time), requests, mean and longest.
            for e in a.paths_by_served_time.iter().flat_map(|t| &t.entries) {
                let total = e.total_us.to_string();
                self.row("path_served_us", &e.path, &total, Some(e.percent));
                self.row(
                    "path_served_requests",
                    &e.path,
                    &e.requests.to_string(),
                    None,
                );
                self.row("path_served_mean_us", &e.path, &e.mean_us.to_string(), None);
                self.row("path_served_max_us", &e.path, &e.max_us.to_string(), None);
            }
        }
        if let Some(app) = &r.app {
            for l in &app.levels {
                self.row("level", &l.level, &l.count.to_string(), Some(l.percent));
            }
            self.table("component", &app.top_components);
            self.table("app_host", &app.top_hosts);
            for m in &app.top_messages.entries {
                let key = format!("{} {}", m.level, m.template);
                self.row("message", &key, &m.count.to_string(), Some(m.percent));
            }
            self.table("exception", &app.top_exceptions);
        }
        for s in &r.malformed_samples {
            let key = match &s.input {
                Some(input) => format!("{input}:{}", s.line),
                None => s.line.to_string(),
            };
            self.row("malformed_sample", &key, &s.text, None);
        }
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// `1234567` → `1,234,567`: how the report writes counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n))
}

fn pct(p: f64) -> String {
    format!("{p:.2}%")
}

/// Bytes in binary units: `512 B`, `1.5 KiB`, `3.2 GiB`.
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Microseconds as `850 µs`, `12.3 ms`, `1.25 s`.
pub(crate) fn human_us(us: f64) -> String {
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// Seconds as `3d 4h 5m`, `2h 3m 4s`, `42s`.
pub(crate) fn human_span(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let sign = if seconds < 0 { "-" } else { "" };
    if d > 0 {
        format!("{sign}{d}d {h}h {m}m")
    } else if h > 0 {
        format!("{sign}{h}h {m}m {sec}s")
    } else if m > 0 {
        format!("{sign}{m}m {sec}s")
    } else {
        format!("{sign}{sec}s")
    }
}

/// Control characters (C0, DEL, C1) as `\xNN`, so log text cannot move the cursor,
/// change colours or set the terminal title.
pub(crate) fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// At most `max` characters, the last one `…` if cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some(_) => {
            let keep: String = s.chars().take(max - 1).collect();
            keep + "…"
        }
        None => s.to_owned(),
    }
}

/// A bucket length in words: `minute`, `10 minutes`, `hour`, `day`, `2 weeks`.
fn bucket_name(seconds: u64) -> String {
    let (n, unit) = match seconds {
        s if s % 604_800 == 0 => (s / 604_800, "week"),
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3_600 == 0 => (s / 3_600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    match n {
        1 => unit.to_owned(),
        n => format!("{n} {unit}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_a_person_writes_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
        assert_eq!(human_us(850.0), "850 µs");
        assert_eq!(human_us(12_345.0), "12.3 ms");
        assert_eq!(human_us(1_250_000.0), "1.25 s");
        assert_eq!(human_span(42), "42s");
        assert_eq!(human_span(3 * 86_400 + 4 * 3600 + 5 * 60), "3d 4h 5m");
    }

    #[test]
    fn control_characters_are_escaped_and_long_keys_cut() {
        assert_eq!(escape("a\x1b[31mb\u{9b}"), "a\\x1b[31mb\\x9b");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
    }
}
