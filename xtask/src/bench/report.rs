//! The benchmark report: its data model (serialised as `report.json`) and its two
//! renderings, a Markdown document (`report.md`, also printed) and an SVG bar chart
//! (`strategies.svg`).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// Version of the `report.json` layout; bumped on incompatible changes.
pub const REPORT_SCHEMA: u32 = 1;

/// A whole benchmark run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA`] at the time of writing.
    pub schema: u32,
    /// UTC time the run finished, `YYYY-MM-DDTHH:MM:SSZ`.
    pub generated_at: String,
    /// The command line that produced it, e.g. `cargo xtask bench --quick`.
    pub command: String,
    /// Where it ran.
    pub machine: Machine,
    /// Path of the `logscan` binary measured.
    pub binary: String,
    /// What the binary says it was compiled for (`logscan --version`): `cargo xtask
    /// bench` builds for this machine's CPU unless `--portable`, and the instruction
    /// set changes the times.
    #[serde(default)]
    pub compiled_for: Option<String>,
    /// Untimed runs before the timed ones, per row.
    pub warmups: u32,
    /// Timed runs per row.
    pub reps: u32,
    /// Peak RSS reported for `true` started the same way: the floor under every
    /// RSS figure (Linux carries the spawning process's peak over `exec`).
    pub rss_floor_bytes: Option<u64>,
    /// The main generated dataset.
    pub dataset: Input,
    /// The excerpt of the dataset given to GoAccess, if that baseline was planned.
    pub excerpt: Option<Input>,
    /// The many-small-files dataset, if it was part of the run.
    pub small_files: Option<Input>,
    /// Every planned row, in plan order, whatever its outcome.
    pub rows: Vec<Row>,
    /// The target ratios measured again by alternating their two commands.
    #[serde(default)]
    pub paired: Vec<PairedRatio>,
}

/// A ratio of two commands' wall times, measured by running them alternately (one
/// untimed pair first), so that both see the machine in the same state: the median
/// of the per-pair ratios. Rows of the table run minutes apart; on a shared machine
/// whose speed drifts, their ratio can be off by more than the effect measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedRatio {
    /// The command whose time is divided, e.g. `logscan summary mmap ×2`.
    pub numerator: String,
    /// The command it is divided by, e.g. `wc -l`.
    pub denominator: String,
    /// The row the numerator's command is measured in (absent in reports written
    /// before keys were recorded; such a pair is shown in the table but judges no
    /// target).
    #[serde(default)]
    pub numerator_key: Option<RowKey>,
    /// The row the denominator's command is measured in.
    #[serde(default)]
    pub denominator_key: Option<RowKey>,
    /// Median wall time of the numerator's timed runs, in seconds.
    pub numerator_median_s: f64,
    /// Median wall time of the denominator's timed runs, in seconds.
    pub denominator_median_s: f64,
    /// Median of `ratios`.
    pub median_ratio: f64,
    /// Numerator time over denominator time, per pair, in run order.
    pub ratios: Vec<f64>,
}

/// The machine a report was measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name, as `/proc/cpuinfo` gives it.
    pub cpu: String,
    /// Logical CPUs available to the process.
    pub cores: usize,
    /// Total memory in bytes, from `/proc/meminfo`.
    pub memory_bytes: Option<u64>,
    /// `linux`, `macos`...
    pub os: String,
    /// Kernel release.
    pub kernel: Option<String>,
}

/// One input of the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// A file, or the directory holding many files.
    pub path: String,
    /// Log format of the content.
    pub format: String,
    /// Generator seed.
    pub seed: u64,
    /// Number of files (1 for a single file).
    pub files: u64,
    /// Lines in all files together.
    pub lines: u64,
    /// Bytes in all files together.
    pub bytes: u64,
}

/// Which input a row ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Case {
    /// The main dataset.
    Dataset,
    /// The first 100,000 lines of the dataset (GoAccess only).
    Excerpt,
    /// Many files of about 1 KB.
    SmallFiles,
}

impl Case {
    pub(crate) fn title(self) -> &'static str {
        match self {
            Case::Dataset => "dataset",
            Case::Excerpt => "excerpt",
            Case::SmallFiles => "small files",
        }
    }
}

/// One line of the table: a tool, a command, a strategy and a thread count, with
/// what happened when it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The input.
    pub case: Case,
    /// `logscan`, or a baseline: `wc -l`, `awk`, `goaccess`.
    pub tool: String,
    /// `count` or `summary` (the baselines' nearest equivalent).
    pub command: String,
    /// logscan's I/O strategy label (`stream`, `read`, `mmap`, `mmap+willneed`,
    /// `auto`); none for baselines.
    pub strategy: Option<String>,
    /// `--threads`; none for baselines.
    pub threads: Option<usize>,
    /// When this configuration is the right choice.
    pub use_case: String,
    /// The command run (long file lists elided).
    pub argv: Vec<String>,
    /// Bytes the row read.
    pub input_bytes: u64,
    /// Lines the row read.
    pub input_lines: u64,
    /// What happened.
    pub outcome: Outcome,
}

impl Row {
    /// A key that identifies the row within a report.
    pub fn key(&self) -> RowKey {
        RowKey {
            case: self.case,
            tool: self.tool.clone(),
            command: self.command.clone(),
            strategy: self.strategy.clone(),
            threads: self.threads,
        }
    }

    pub(crate) fn case_title(&self) -> &'static str {
        self.case.title()
    }

    fn label(&self) -> String {
        match (&self.strategy, self.threads) {
            (Some(s), Some(t)) => format!("{s} ×{t}"),
            (Some(s), None) => s.clone(),
            _ => self.tool.clone(),
        }
    }
}

/// Identity of a row: what was run, not how it went.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RowKey {
    /// See [`Row::case`].
    pub case: Case,
    /// See [`Row::tool`].
    pub tool: String,
    /// See [`Row::command`].
    pub command: String,
    /// See [`Row::strategy`].
    pub strategy: Option<String>,
    /// See [`Row::threads`].
    pub threads: Option<usize>,
}

impl PartialOrd for Case {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Case {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

/// How a row went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Every run succeeded.
    Ok(Measurement),
    /// A run failed; `error` is the first line the tool printed on stderr (or how
    /// it ended, when it printed nothing).
    Failed {
        /// What went wrong.
        error: String,
    },
    /// Not run, e.g. a baseline that is not on PATH.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// Timings and memory of a successful row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Wall time of each timed run, in seconds.
    pub runs_s: Vec<f64>,
    /// Median of `runs_s`.
    pub median_s: f64,
    /// Fastest run.
    pub min_s: f64,
    /// Slowest run.
    pub max_s: f64,
    /// Input bytes per median second, in MB (10^6 bytes).
    pub mb_per_s: f64,
    /// Input lines per median second.
    pub lines_per_s: f64,
    /// Highest peak resident set over the timed runs (`wait4` rusage).
    pub peak_rss_bytes: u64,
    /// Highest peak heap reported by the binary (`LOGSCAN_ALLOC_STATS`), if any.
    pub peak_heap_bytes: Option<u64>,
    /// Median allocation count reported by the binary, if any.
    pub allocations: Option<u64>,
}

impl Measurement {
    /// Summarises timed runs. `runs` must not be empty.
    pub fn from_runs(
        runs_s: Vec<f64>,
        input_bytes: u64,
        input_lines: u64,
        peak_rss_bytes: u64,
        peak_heap_bytes: Option<u64>,
        allocations: Option<u64>,
    ) -> Self {
        let mut sorted = runs_s.clone();
        sorted.sort_by(f64::total_cmp);
        let median_s = median(&sorted);
        let min_s = sorted.first().copied().unwrap_or(0.0);
        let max_s = sorted.last().copied().unwrap_or(0.0);
        let per_s = |x: u64| {
            if median_s > 0.0 {
                x as f64 / median_s
            } else {
                0.0
            }
        };
        Measurement {
            runs_s,
            median_s,
            min_s,
            max_s,
            mb_per_s: per_s(input_bytes) / 1e6,
            lines_per_s: per_s(input_lines),
            peak_rss_bytes,
            peak_heap_bytes,
            allocations,
        }
    }
}

/// Median of sorted values (mean of the middle two for an even count; 0 if empty).
pub(crate) fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// `1.23 s`, `45.6 ms`, `789 µs`.
pub(crate) fn fmt_duration(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else if s >= 0.001 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// Binary units: `512 B`, `1.5 KiB`, `230.1 MiB`.
pub(crate) fn fmt_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `1,234,567`.
pub(crate) fn fmt_count(n: u64) -> String {
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

/// `12.3 M`, `456 k`, `78`: for rates.
fn fmt_si(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2} G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.1} M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.0} k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

fn fmt_mb_per_s(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Makes a value safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn describe(input: &Input) -> String {
    let files = if input.files > 1 {
        format!("{} files, ", fmt_count(input.files))
    } else {
        String::new()
    };
    format!(
        "{files}{} lines, {} ({} format, seed {}) — `{}`",
        fmt_count(input.lines),
        fmt_bytes(input.bytes),
        input.format,
        input.seed,
        input.path
    )
}

/// The Markdown table of some rows.
pub fn render_table(rows: &[&Row]) -> String {
    let mut out = String::new();
    out.push_str(
        "| tool | command | strategy | threads | median | min … max | MB/s | lines/s \
         | peak RSS | peak heap | allocations | use case |\n",
    );
    out.push_str("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for r in rows {
        let strategy = r.strategy.as_deref().unwrap_or("–");
        let threads = r.threads.map_or("–".to_owned(), |t| t.to_string());
        let result = match &r.outcome {
            Outcome::Ok(m) => [
                fmt_duration(m.median_s),
                format!("{} … {}", fmt_duration(m.min_s), fmt_duration(m.max_s)),
                fmt_mb_per_s(m.mb_per_s),
                fmt_si(m.lines_per_s),
                fmt_bytes(m.peak_rss_bytes),
                m.peak_heap_bytes.map_or("n/a".to_owned(), fmt_bytes),
                m.allocations.map_or("n/a".to_owned(), fmt_count),
            ]
            .join(" | "),
            Outcome::Failed { error } => {
                format!("failed: {} | – | – | – | – | – | –", cell(error))
            }
            Outcome::Skipped { reason } => {
                format!("skipped: {} | – | – | – | – | – | –", cell(reason))
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&r.tool),
            cell(&r.command),
            strategy,
            threads,
            result,
            cell(&r.use_case)
        );
    }
    out
}

/// The whole `report.md`: where and how it ran, one table per input, and notes.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let m = &report.machine;
    let _ = writeln!(out, "# logscan strategy benchmark\n");
    let _ = writeln!(out, "- date: {}", report.generated_at);
    let _ = writeln!(out, "- command: `{}`", report.command);
    let _ = writeln!(
        out,
        "- machine: {}, {} logical CPUs{}, {}{}",
        m.cpu,
        m.cores,
        m.memory_bytes
            .map_or(String::new(), |b| format!(", {} RAM", fmt_bytes(b))),
        m.os,
        m.kernel
            .as_deref()
            .map_or(String::new(), |k| format!(" {k}"))
    );
    let _ = writeln!(out, "- binary: `{}`", report.binary);
    if let Some(compiled_for) = &report.compiled_for {
        let _ = writeln!(out, "- {compiled_for}");
    }
    let _ = writeln!(
        out,
        "- runs: {} warm-up + {} timed per row; median, min and max of the timed runs",
        report.warmups, report.reps
    );
    let sections: [(Case, Option<&Input>); 3] = [
        (Case::Dataset, Some(&report.dataset)),
        (Case::Excerpt, report.excerpt.as_ref()),
        (Case::SmallFiles, report.small_files.as_ref()),
    ];
    for (case, input) in sections {
        let rows: Vec<&Row> = report.rows.iter().filter(|r| r.case == case).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let heading = match case {
            Case::Dataset => "Dataset",
            Case::Excerpt => "Excerpt (GoAccess; its numbers cover the excerpt only)",
            Case::SmallFiles => "Many small files, one invocation",
        };
        let _ = writeln!(out, "## {heading}\n");
        if let Some(input) = input {
            let _ = writeln!(out, "{}\n", describe(input));
        }
        out.push_str(&render_table(&rows));
    }
    if let Some(targets) = render_targets(report) {
        out.push_str(&targets);
    }
    let failed = report
        .rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
        .count();
    let _ = writeln!(out, "\n## Notes\n");
    let _ = writeln!(
        out,
        "- MB/s is 10^6 bytes of input per median second; lines/s likewise. Peak RSS is \
         the child's `ru_maxrss` from `wait4` (its own children included); peak heap and \
         allocations come from the binary's counting allocator \
         (`LOGSCAN_ALLOC_STATS=1`), n/a where it printed none."
    );
    if let Some(floor) = report.rss_floor_bytes {
        let _ = writeln!(
            out,
            "- RSS floor: `true` started the same way reports {}. Linux folds the \
             spawning process's RSS into a child's figure at `exec`, so no row reads \
             lower; differences between rows are what the strategies cost.",
            fmt_bytes(floor)
        );
    }
    let _ = writeln!(
        out,
        "- The warm-up run reads the input into the page cache, so timed runs measure \
         a warm cache: the case where mmap shines. A cold-cache run needs root \
         (`echo 3 > /proc/sys/vm/drop_caches`) and is not part of this harness."
    );
    if failed > 0 {
        let _ = writeln!(out, "- {failed} row(s) failed; see the table.");
    }
    out
}

/// The project's performance targets (issue 4), read off this run's rows: `summary`
/// over Mmap with all threads against `wc -l` on the same file, Stream against Mmap,
/// and the peak heap of both. Ratios of medians; a line is left out when a row it
/// needs is missing or failed. Nothing here fails a run: timings are reported, never
/// asserted.
pub fn render_targets(report: &Report) -> Option<String> {
    let measured = |tool: &str, command: &str, strategy: Option<&str>| {
        report
            .rows
            .iter()
            .filter(|r| {
                r.case == Case::Dataset
                    && r.tool == tool
                    && r.command == command
                    && r.strategy.as_deref() == strategy
            })
            // All threads: the highest thread count that ran.
            .max_by_key(|r| r.threads)
            .and_then(|r| match &r.outcome {
                Outcome::Ok(m) => Some((r.threads, m, r.key())),
                _ => None,
            })
    };
    let mmap = measured("logscan", "summary", Some("mmap"));
    let stream = measured("logscan", "summary", Some("stream"));
    let wc = measured("wc -l", "count", None);
    let verdict = |ok: bool| if ok { "within" } else { "**not within**" };
    // The verdict comes from the alternating runs when there are some: the rows'
    // ratio is shown too, but their runs were minutes apart.
    // Pairs are found by the keys of the two rows they measure again.
    let paired = |numerator: &RowKey, denominator: &RowKey| {
        report.paired.iter().find(|p| {
            p.numerator_key.as_ref() == Some(numerator)
                && p.denominator_key.as_ref() == Some(denominator)
        })
    };
    let mut lines = Vec::new();
    if let (Some((threads, m, m_key)), Some((_, w, w_key))) = (&mmap, &wc)
        && w.median_s > 0.0
    {
        let rows_ratio = m.median_s / w.median_s;
        let (ratio, how) = match paired(m_key, w_key) {
            Some(p) => (p.median_ratio, paired_text(p, "the wall time", rows_ratio)),
            None => (
                rows_ratio,
                format!(
                    "{} against `wc -l`'s {}: **{rows_ratio:.2}×** the wall time",
                    fmt_duration(m.median_s),
                    fmt_duration(w.median_s),
                ),
            ),
        };
        lines.push(format!(
            "- `summary` over mmap ×{}: {how}, {} the target of at most 4×.",
            threads.unwrap_or(1),
            verdict(ratio <= 4.0)
        ));
    }
    if let (Some((threads, s, s_key)), Some((_, m, m_key))) = (&stream, &mmap)
        && m.median_s > 0.0
    {
        let rows_ratio = s.median_s / m.median_s;
        let (ratio, how) = match paired(s_key, m_key) {
            Some(p) => (
                p.median_ratio,
                paired_text(p, "mmap's wall time", rows_ratio),
            ),
            None => (
                rows_ratio,
                format!("{}, **{rows_ratio:.2}×** mmap's", fmt_duration(s.median_s)),
            ),
        };
        lines.push(format!(
            "- `summary` over stream ×{}: {how}, {} the target of at most 1.5×.",
            threads.unwrap_or(1),
            verdict(ratio <= 1.5)
        ));
    }
    for (name, row) in [("mmap", mmap), ("stream", stream)] {
        if let Some((threads, m, _)) = row
            && let Some(heap) = m.peak_heap_bytes
        {
            lines.push(format!(
                "- Peak heap of `summary` over {name} ×{}: {}, {} the target of at most \
                 64 MiB (top-N tables included).",
                threads.unwrap_or(1),
                fmt_bytes(heap),
                verdict(heap <= 64 << 20)
            ));
        }
    }
    if lines.is_empty() {
        return None;
    }
    let mut out = String::from("\n## Against the targets\n\n");
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    Some(out)
}

/// A paired ratio as the targets section words it, with the spread of its pairs and
/// the rows' ratio beside it: on a machine whose speed drifts, a median near the
/// target says little without the range it was taken from.
fn paired_text(p: &PairedRatio, of_what: &str, rows_ratio: f64) -> String {
    let lowest = p.ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = p.ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let spread = if p.ratios.len() > 1 {
        format!("; pairs {lowest:.2}–{highest:.2}×")
    } else {
        String::new()
    };
    format!(
        "**{:.2}×** {of_what} over {} alternating pairs ({} against {}{spread}; from the \
         table's rows, {rows_ratio:.2}×)",
        p.median_ratio,
        p.ratios.len(),
        fmt_duration(p.numerator_median_s),
        fmt_duration(p.denominator_median_s),
    )
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn bar_colour(r: &Row) -> &'static str {
    match r.strategy.as_deref() {
        Some("stream") => "#4e79a7",
        Some("read") => "#f28e2b",
        Some("mmap") => "#59a14f",
        Some("mmap+willneed") => "#76b7b2",
        Some("auto") => "#b07aa1",
        _ => "#9d9d9d",
    }
}

/// A horizontal bar chart of median wall time, one panel per input and command,
/// each panel on its own scale, with a min–max whisker per bar. Failed rows show as
/// text without a bar; skipped rows are left out.
pub fn render_svg(report: &Report) -> String {
    const WIDTH: f64 = 960.0;
    const LABEL_W: f64 = 190.0;
    const BAR_W: f64 = 600.0;
    const ROW_H: f64 = 22.0;
    const TITLE_H: f64 = 30.0;
    const GAP: f64 = 16.0;

    let mut panels: Vec<(String, Vec<&Row>)> = Vec::new();
    for r in &report.rows {
        if matches!(r.outcome, Outcome::Skipped { .. }) {
            continue;
        }
        let title = format!("{}: {}", r.case.title(), r.command);
        match panels.iter_mut().find(|(t, _)| *t == title) {
            Some((_, rows)) => rows.push(r),
            None => panels.push((title, vec![r])),
        }
    }

    let height = 50.0
        + panels
            .iter()
            .map(|(_, rows)| TITLE_H + rows.len() as f64 * ROW_H + GAP)
            .sum::<f64>();
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="white"/><text x="10" y="24" font-size="16" font-weight="bold">{}</text>"#,
        xml_escape(&format!(
            "logscan: median wall time per strategy ({}, {} lines)",
            report.generated_at,
            fmt_count(report.dataset.lines)
        ))
    );
    let mut y = 50.0;
    for (title, rows) in &panels {
        let scale_max = rows
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Ok(m) => Some(m.max_s),
                _ => None,
            })
            .fold(0.0, f64::max);
        let _ = writeln!(
            svg,
            r#"<text x="10" y="{}" font-weight="bold">{}</text>"#,
            y + 18.0,
            xml_escape(title)
        );
        y += TITLE_H;
        for r in rows {
            let ty = y + 15.0;
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{ty}" text-anchor="end">{}</text>"#,
                LABEL_W - 8.0,
                xml_escape(&r.label())
            );
            match &r.outcome {
                Outcome::Ok(m) if scale_max > 0.0 => {
                    let w = (m.median_s / scale_max * BAR_W).max(1.0);
                    let (x0, x1) = (
                        LABEL_W + m.min_s / scale_max * BAR_W,
                        LABEL_W + m.max_s / scale_max * BAR_W,
                    );
                    let _ = writeln!(
                        svg,
                        r#"<rect x="{LABEL_W}" y="{}" width="{w:.1}" height="{}" fill="{}"><title>{}</title></rect>"#,
                        y + 3.0,
                        ROW_H - 6.0,
                        bar_colour(r),
                        xml_escape(&format!(
                            "median {}, min {}, max {}",
                            fmt_duration(m.median_s),
                            fmt_duration(m.min_s),
                            fmt_duration(m.max_s)
                        ))
                    );
                    let _ = writeln!(
                        svg,
                        r#"<line x1="{x0:.1}" x2="{x1:.1}" y1="{mid}" y2="{mid}" stroke="black" stroke-width="1"/>"#,
                        mid = y + ROW_H / 2.0
                    );
                    let _ = writeln!(
                        svg,
                        r#"<text x="{:.1}" y="{ty}">{} · {} MB/s</text>"#,
                        LABEL_W + w.max(x1 - LABEL_W) + 8.0,
                        xml_escape(&fmt_duration(m.median_s)),
                        fmt_mb_per_s(m.mb_per_s)
                    );
                }
                Outcome::Ok(_) => {}
                Outcome::Failed { error } => {
                    let _ = writeln!(
                        svg,
                        r##"<text x="{LABEL_W}" y="{ty}" fill="#c0392b">{}</text>"##,
                        xml_escape(&format!("failed: {}", shorten(error, 100)))
                    );
                }
                Outcome::Skipped { .. } => {}
            }
            y += ROW_H;
        }
        y += GAP;
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample_report() -> Report {
        let input = Input {
            path: "/tmp/x.log".into(),
            format: "combined".into(),
            seed: 42,
            files: 1,
            lines: 1000,
            bytes: 250_000,
        };
        let row = |strategy: Option<&str>, threads, outcome| Row {
            case: Case::Dataset,
            tool: if strategy.is_some() {
                "logscan"
            } else {
                "wc -l"
            }
            .into(),
            command: "count".into(),
            strategy: strategy.map(str::to_owned),
            threads,
            use_case: "pipes | stdin".into(),
            argv: vec!["logscan".into()],
            input_bytes: 250_000,
            input_lines: 1000,
            outcome,
        };
        Report {
            schema: REPORT_SCHEMA,
            generated_at: "2026-11-26T00:00:00Z".into(),
            command: "cargo xtask bench --quick".into(),
            machine: Machine {
                cpu: "Test CPU".into(),
                cores: 2,
                memory_bytes: Some(1 << 30),
                os: "linux".into(),
                kernel: None,
            },
            binary: "/bin/logscan".into(),
            compiled_for: Some("compiled for x86_64 with avx2".into()),
            warmups: 1,
            reps: 3,
            rss_floor_bytes: Some(3 << 20),
            dataset: input,
            excerpt: None,
            small_files: None,
            paired: Vec::new(),
            rows: vec![
                row(
                    Some("stream"),
                    Some(1),
                    Outcome::Ok(Measurement::from_runs(
                        vec![0.003, 0.001, 0.002],
                        250_000,
                        1000,
                        5 << 20,
                        Some(300_000),
                        Some(42),
                    )),
                ),
                row(
                    Some("mmap"),
                    Some(2),
                    Outcome::Failed {
                        error: "logscan: <x> & \"y\"".into(),
                    },
                ),
                row(
                    None,
                    None,
                    Outcome::Skipped {
                        reason: "not on PATH".into(),
                    },
                ),
            ],
        }
    }

    #[test]
    fn measurement_summarises_runs() {
        let m = Measurement::from_runs(vec![0.4, 0.1, 0.2, 0.3], 1_000_000, 5000, 0, None, None);
        assert_eq!(m.median_s, 0.25);
        assert_eq!((m.min_s, m.max_s), (0.1, 0.4));
        assert!((m.mb_per_s - 4.0).abs() < 1e-9);
        assert!((m.lines_per_s - 20_000.0).abs() < 1e-6);
        assert_eq!(m.runs_s, vec![0.4, 0.1, 0.2, 0.3], "runs keep their order");
    }

    #[test]
    fn formats() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("äbc", 3), "äbc");
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(1_234_567), "1,234,567");
        assert_eq!(fmt_bytes(512), "512 B");
        assert_eq!(fmt_bytes(3 << 20), "3.0 MiB");
        assert_eq!(fmt_duration(1.5), "1.50 s");
        assert_eq!(fmt_duration(0.0123), "12.3 ms");
        assert_eq!(fmt_duration(0.000_25), "250 µs");
    }

    #[test]
    fn json_round_trips_with_tagged_outcomes() {
        let r = sample_report();
        let json = serde_json::to_string_pretty(&r).unwrap_or_default();
        assert!(json.contains(r#""status": "ok""#));
        assert!(json.contains(r#""status": "failed""#));
        assert!(json.contains(r#""status": "skipped""#));
        assert!(json.contains(r#""case": "dataset""#));
        let back: Report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, r);
    }

    #[test]
    fn markdown_has_one_line_per_row_and_escapes_pipes() {
        let r = sample_report();
        let md = render_markdown(&r);
        let table_rows = md
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| tool"))
            .count();
        assert_eq!(table_rows, r.rows.len());
        assert!(md.contains("| 2.00 ms | 1.00 ms … 3.00 ms | 125 | 500 k |"));
        assert!(md.contains("failed: logscan: <x> & \"y\""));
        assert!(md.contains("skipped: not on PATH"));
        assert!(md.contains("pipes \\| stdin"));
        assert!(md.contains("| 293.0 KiB | 42 |"));
    }

    #[test]
    fn targets_are_ratios_of_the_rows_that_ran() {
        let mut r = sample_report();
        assert_eq!(render_targets(&r), None, "no summary rows, no targets");
        let ok = |median: f64, heap: u64| {
            Outcome::Ok(Measurement::from_runs(
                vec![median],
                250_000,
                1000,
                0,
                Some(heap),
                None,
            ))
        };
        let mut summary = |strategy: &str, threads: usize, outcome: Outcome| {
            let mut row = r.rows[0].clone();
            row.command = "summary".into();
            row.strategy = Some(strategy.into());
            row.threads = Some(threads);
            row.outcome = outcome;
            r.rows.push(row);
        };
        summary("mmap", 1, ok(9.0, 1));
        summary("mmap", 2, ok(0.5, 9 << 20));
        summary("stream", 2, ok(0.9, 80 << 20));
        let mut wc = r.rows[2].clone();
        wc.outcome = ok(0.1, 0);
        r.rows.push(wc);
        let t = render_targets(&r).unwrap_or_default();
        assert!(
            t.contains("mmap ×2: 500.0 ms against `wc -l`'s 100.0 ms: **5.00×**"),
            "{t}"
        );
        assert!(t.contains("**not within** the target of at most 4×"), "{t}");
        assert!(t.contains("**1.80×** mmap's, **not within**"), "{t}");
        assert!(t.contains("over mmap ×2: 9.0 MiB, within"), "{t}");
        assert!(
            t.contains("over stream ×2: 80.0 MiB, **not within**"),
            "{t}"
        );
        assert!(render_markdown(&r).contains("## Against the targets"));

        // Alternating runs, when there are some, decide instead of the rows: the
        // pairs whose keys are the rows', not any pair whose label looks alike.
        let key_of = |strategy: Option<&str>, threads: Option<usize>| {
            r.rows
                .iter()
                .rev()
                .find(|row| {
                    row.case == Case::Dataset
                        && row.strategy.as_deref() == strategy
                        && row.threads == threads
                        && (strategy.is_some() || row.tool == "wc -l")
                })
                .map(Row::key)
        };
        let (mmap2, stream2, wc) = (
            key_of(Some("mmap"), Some(2)),
            key_of(Some("stream"), Some(2)),
            key_of(None, None),
        );
        assert!(mmap2.is_some() && stream2.is_some() && wc.is_some());
        let mut willneed = mmap2.clone().unwrap();
        willneed.strategy = Some("mmap+willneed".into());
        r.paired = vec![
            PairedRatio {
                numerator: "logscan summary mmap+willneed ×2".into(),
                denominator: "wc -l".into(),
                numerator_key: Some(willneed),
                denominator_key: wc.clone(),
                numerator_median_s: 0.9,
                denominator_median_s: 0.1,
                median_ratio: 9.0,
                ratios: vec![9.0],
            },
            PairedRatio {
                numerator: "logscan summary mmap ×2".into(),
                denominator: "wc -l".into(),
                numerator_key: mmap2.clone(),
                denominator_key: wc,
                numerator_median_s: 0.35,
                denominator_median_s: 0.1,
                median_ratio: 3.5,
                ratios: vec![3.4, 3.5, 3.9],
            },
            PairedRatio {
                numerator: "logscan summary stream ×2".into(),
                denominator: "logscan summary mmap ×2".into(),
                numerator_key: stream2,
                denominator_key: mmap2,
                numerator_median_s: 0.6,
                denominator_median_s: 0.5,
                median_ratio: 1.2,
                ratios: vec![1.2, 1.1, 1.3],
            },
        ];
        let t = render_targets(&r).unwrap_or_default();
        assert!(
            t.contains(
                "mmap ×2: **3.50×** the wall time over 3 alternating pairs (350.0 ms against \
                 100.0 ms; pairs 3.40–3.90×; from the table's rows, 5.00×), within the target \
                 of at most 4×"
            ),
            "{t}"
        );
        assert!(
            t.contains("**1.20×** mmap's wall time over 3 alternating pairs"),
            "{t}"
        );
        assert!(
            t.contains("1.80×), within the target of at most 1.5×"),
            "{t}"
        );
    }

    #[test]
    fn svg_is_escaped_and_has_a_bar_per_ok_row() {
        let svg = render_svg(&sample_report());
        assert!(svg.starts_with("<svg "));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<rect x=").count(), 1);
        assert!(svg.contains("failed: logscan: &lt;x&gt; &amp; &quot;y&quot;"));
        assert!(!svg.contains("not on PATH"));
    }
}
