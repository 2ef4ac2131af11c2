//! `cargo xtask bench`: runs the `logscan` binary as a child process for every I/O
//! strategy × thread count × command, plus baselines, and writes the report.

pub(crate) mod data;
mod report;
mod runner;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use report::{
    Case, Input, Machine, Measurement, Outcome, PairedRatio, REPORT_SCHEMA, Report, Row, RowKey,
    render_markdown, render_svg, render_table,
};

use crate::generate::{Format, GenError, iso_utc};
use crate::workspace::WorkspaceError;
use data::Prepared;
use runner::{Exit, RunResult, RunSpec};

/// Lines of the main dataset with `--quick`.
pub const QUICK_LINES: u64 = 20_000;
/// Small files with `--quick` (10,000 otherwise).
pub const QUICK_SMALL_FILES: usize = 1_000;
/// Lines GoAccess gets: it is far slower than the rest, so it reads an excerpt.
pub const EXCERPT_LINES: u64 = 100_000;

/// One of logscan's I/O strategies as the CLI spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IoStrategy {
    /// `--io stream`: `read()` into pooled buffers.
    Stream,
    /// `--io read`: the whole file into one heap buffer.
    Read,
    /// `--io mmap`: a memory map with sequential advice.
    Mmap,
    /// `--io mmap --mmap-advice willneed`.
    MmapWillNeed,
    /// `--io auto`: logscan picks per input.
    Auto,
}

impl IoStrategy {
    /// Every strategy, in table order.
    pub const ALL: [IoStrategy; 5] = [
        IoStrategy::Stream,
        IoStrategy::Read,
        IoStrategy::Mmap,
        IoStrategy::MmapWillNeed,
        IoStrategy::Auto,
    ];

    /// The row label.
    pub fn label(self) -> &'static str {
        match self {
            IoStrategy::Stream => "stream",
            IoStrategy::Read => "read",
            IoStrategy::Mmap => "mmap",
            IoStrategy::MmapWillNeed => "mmap+willneed",
            IoStrategy::Auto => "auto",
        }
    }

    /// The CLI flags that select it.
    pub fn cli_args(self) -> &'static [&'static str] {
        match self {
            IoStrategy::Stream => &["--io", "stream"],
            IoStrategy::Read => &["--io", "read"],
            IoStrategy::Mmap => &["--io", "mmap"],
            IoStrategy::MmapWillNeed => &["--io", "mmap", "--mmap-advice", "willneed"],
            IoStrategy::Auto => &["--io", "auto"],
        }
    }

    /// The strategy whose [`label`](Self::label) is `label`.
    pub fn from_label(label: &str) -> Option<IoStrategy> {
        IoStrategy::ALL.into_iter().find(|s| s.label() == label)
    }

    /// When to use it: the table's "use case" column.
    pub fn use_case(self) -> &'static str {
        match self {
            IoStrategy::Stream => "pipes, stdin, gzip; memory bounded by the buffer pool",
            IoStrategy::Read => "small files: one read, one heap copy",
            IoStrategy::Mmap => "large files in the page cache: no copy, O(1) heap",
            IoStrategy::MmapWillNeed => "large files about to be read whole: kernel reads ahead",
            IoStrategy::Auto => "the default: picks per input",
        }
    }
}

/// Errors that stop a benchmark run (a failing row does not: it is reported).
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The configuration cannot work.
    #[error("invalid benchmark configuration: {0}")]
    Config(String),
    /// Generating a dataset failed.
    #[error(transparent)]
    Gen(#[from] GenError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Building the binary or asking cargo failed.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// The report could not be serialised.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
}

/// A ready benchmark configuration. Build with [`BenchConfig::builder`].
#[derive(Debug, Clone)]
pub struct BenchConfig {
    bin: PathBuf,
    data_dir: PathBuf,
    out_dir: PathBuf,
    lines: u64,
    format: Format,
    seed: u64,
    warmups: u32,
    reps: u32,
    threads: Vec<usize>,
    small_files: usize,
    baselines: bool,
    timeout: Duration,
    command_line: String,
    progress: bool,
}

/// Builder for [`BenchConfig`]. `quick` changes the defaults of the amounts; any
/// amount set explicitly wins over it.
#[derive(Debug, Clone)]
pub struct BenchConfigBuilder {
    bin: PathBuf,
    data_dir: PathBuf,
    out_dir: PathBuf,
    quick: bool,
    lines: Option<u64>,
    format: Format,
    seed: u64,
    reps: Option<u32>,
    threads: Option<Vec<usize>>,
    small_files: Option<usize>,
    baselines: bool,
    timeout: Duration,
    command_line: String,
    progress: bool,
}

impl BenchConfig {
    /// Measures `bin`, caching datasets in `data_dir` and writing the report files
    /// to `out_dir`.
    pub fn builder(
        bin: impl Into<PathBuf>,
        data_dir: impl Into<PathBuf>,
        out_dir: impl Into<PathBuf>,
    ) -> BenchConfigBuilder {
        BenchConfigBuilder {
            bin: bin.into(),
            data_dir: data_dir.into(),
            out_dir: out_dir.into(),
            quick: false,
            lines: None,
            format: Format::Combined,
            seed: crate::generate::DEFAULT_SEED,
            reps: None,
            threads: None,
            small_files: None,
            baselines: true,
            timeout: Duration::from_secs(600),
            command_line: "cargo xtask bench".to_owned(),
            progress: false,
        }
    }

    /// Where the report files go.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }
}

impl BenchConfigBuilder {
    /// The `--quick` defaults: 20,000 lines, 1,000 small files, 3 timed runs.
    pub fn quick(mut self, on: bool) -> Self {
        self.quick = on;
        self
    }

    /// Lines in the main dataset (default 1,000,000).
    pub fn lines(mut self, n: u64) -> Self {
        self.lines = Some(n);
        self
    }

    /// Dataset format (default combined).
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Generator seed (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Timed runs per row after the one warm-up (default 5).
    pub fn reps(mut self, n: u32) -> Self {
        self.reps = Some(n);
        self
    }

    /// Thread counts to try (default: 1 and all logical CPUs).
    pub fn threads(mut self, threads: Vec<usize>) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Number of ~1 KB files in the small-files case; 0 leaves the case out.
    pub fn small_files(mut self, n: usize) -> Self {
        self.small_files = Some(n);
        self
    }

    /// Whether to plan the `wc -l`, `awk` and GoAccess rows (default true); those
    /// not on PATH are reported as skipped.
    pub fn baselines(mut self, on: bool) -> Self {
        self.baselines = on;
        self
    }

    /// Longest a single run may take before it is killed and its row failed
    /// (default 10 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The command line recorded in the report.
    pub fn command_line(mut self, command: impl Into<String>) -> Self {
        self.command_line = command.into();
        self
    }

    /// Print progress to stderr (default false).
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// Checks the configuration.
    pub fn build(self) -> Result<BenchConfig, BenchError> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let lines = self.lines.unwrap_or(if self.quick {
            QUICK_LINES
        } else {
            crate::DEFAULT_LINES
        });
        let reps = self.reps.unwrap_or(if self.quick { 3 } else { 5 });
        let small_files = self.small_files.unwrap_or(if self.quick {
            QUICK_SMALL_FILES
        } else {
            10_000
        });
        let mut threads = self.threads.unwrap_or_else(|| vec![1, cores]);
        threads.sort_unstable();
        threads.dedup();
        if lines == 0 {
            return Err(BenchError::Config(
                "the dataset needs at least one line".into(),
            ));
        }
        if reps == 0 {
            return Err(BenchError::Config(
                "at least one timed run is needed".into(),
            ));
        }
        if threads.is_empty() || threads.contains(&0) {
            return Err(BenchError::Config(
                "thread counts must be at least 1".into(),
            ));
        }
        // Absolute paths: the small-files rows run with the files' directory as
        // their working directory, where a relative binary path would not resolve.
        let bin = std::fs::canonicalize(&self.bin)
            .ok()
            .filter(|b| b.is_file())
            .ok_or_else(|| {
                BenchError::Config(format!("no logscan binary at {}", self.bin.display()))
            })?;
        let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
        Ok(BenchConfig {
            bin,
            data_dir: absolute(self.data_dir),
            out_dir: absolute(self.out_dir),
            lines,
            format: self.format,
            seed: self.seed,
            warmups: 1,
            reps,
            threads,
            small_files,
            baselines: self.baselines,
            timeout: self.timeout,
            command_line: self.command_line,
            progress: self.progress,
        })
    }
}

/// What one row runs.
#[derive(Debug, Clone, Copy)]
enum Job {
    Logscan {
        case: Case,
        command: &'static str,
        strategy: IoStrategy,
        threads: usize,
    },
    Wc {
        case: Case,
    },
    Awk,
    GoAccess,
}

impl Job {
    fn key(&self) -> RowKey {
        let (case, tool, command, strategy, threads) = match *self {
            Job::Logscan {
                case,
                command,
                strategy,
                threads,
            } => (
                case,
                "logscan",
                command,
                Some(strategy.label().to_owned()),
                Some(threads),
            ),
            Job::Wc { case } => (case, "wc -l", "count", None, None),
            Job::Awk => (Case::Dataset, "awk", "summary", None, None),
            Job::GoAccess => (Case::Excerpt, "goaccess", "summary", None, None),
        };
        RowKey {
            case,
            tool: tool.to_owned(),
            command: command.to_owned(),
            strategy,
            threads,
        }
    }

    fn use_case(&self, config: &BenchConfig) -> String {
        match self {
            Job::Logscan { strategy, .. } => strategy.use_case().to_owned(),
            Job::Wc { .. } => "baseline: newline counting only".to_owned(),
            Job::Awk => "baseline: status histogram (`{c[$9]++}`), one thread".to_owned(),
            Job::GoAccess => format!(
                "baseline: full dashboard; first {} lines only, not extrapolated",
                report::fmt_count(EXCERPT_LINES.min(config.lines))
            ),
        }
    }
}

fn jobs(config: &BenchConfig) -> Vec<Job> {
    let mut jobs = Vec::new();
    let logscan = |jobs: &mut Vec<Job>, case, command| {
        for strategy in IoStrategy::ALL {
            for &threads in &config.threads {
                jobs.push(Job::Logscan {
                    case,
                    command,
                    strategy,
                    threads,
                });
            }
        }
    };
    logscan(&mut jobs, Case::Dataset, "count");
    if config.baselines {
        jobs.push(Job::Wc {
            case: Case::Dataset,
        });
    }
    logscan(&mut jobs, Case::Dataset, "summary");
    if config.baselines {
        jobs.push(Job::Awk);
        jobs.push(Job::GoAccess);
    }
    if config.small_files > 0 {
        logscan(&mut jobs, Case::SmallFiles, "count");
        if config.baselines {
            jobs.push(Job::Wc {
                case: Case::SmallFiles,
            });
        }
    }
    jobs
}

/// The rows a run with `config` reports, in order, whatever their outcome: what a
/// check of a finished report compares against.
pub fn planned_rows(config: &BenchConfig) -> Vec<RowKey> {
    jobs(config).iter().map(Job::key).collect()
}

/// Finds an executable on PATH.
fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Parses `logscan-alloc: allocations=<N> peak_heap_bytes=<M>` from stderr.
pub(crate) fn parse_alloc_stats(stderr: &[u8]) -> (Option<u64>, Option<u64>) {
    let text = String::from_utf8_lossy(stderr);
    let Some(line) = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("logscan-alloc:"))
    else {
        return (None, None);
    };
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|tok| tok.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
    };
    (field("allocations"), field("peak_heap_bytes"))
}

/// The message for a failed run: the first line the tool printed on stderr (other
/// than our statistics line), else how it ended.
fn failure_message(run: &RunResult, timeout: Duration) -> String {
    let text = String::from_utf8_lossy(&run.stderr);
    if run.exit != Exit::TimedOut
        && let Some(line) = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("logscan-alloc:"))
    {
        return line.to_owned();
    }
    match run.exit {
        Exit::Code(c) => format!("exit status {c}"),
        Exit::Signal(s) => format!("killed by signal {s}"),
        Exit::TimedOut => format!("timed out after {} s", timeout.as_secs()),
    }
}

/// A ready-to-run row.
struct Prepped<'a> {
    program: OsString,
    args: Vec<OsString>,
    cwd: Option<&'a Path>,
    shown: Vec<String>,
    input: &'a Prepared,
    alloc_env: bool,
}

impl Prepped<'_> {
    /// How to run it, with `env` added to the environment.
    fn spec<'s>(&'s self, env: &'s [(&'s str, &'s str)], timeout: Duration) -> RunSpec<'s> {
        RunSpec {
            program: &self.program,
            args: &self.args,
            cwd: self.cwd,
            env,
            timeout,
        }
    }
}

struct Inputs {
    dataset: Prepared,
    excerpt: Option<Prepared>,
    small: Option<Prepared>,
}

/// Long file lists are elided in the recorded command.
fn shown_files(files: &[String]) -> Vec<String> {
    match files {
        [] => vec![],
        [one] => vec![one.clone()],
        [first, .., last] => vec![
            first.clone(),
            format!("… ({} files) …", files.len()),
            last.clone(),
        ],
    }
}

fn prep<'a>(job: &Job, config: &'a BenchConfig, inputs: &'a Inputs) -> Result<Prepped<'a>, String> {
    let input_for = |case: Case| -> Result<&'a Prepared, String> {
        match case {
            Case::Dataset => Ok(&inputs.dataset),
            Case::Excerpt => inputs.excerpt.as_ref().ok_or("no excerpt".to_owned()),
            Case::SmallFiles => inputs.small.as_ref().ok_or("no small files".to_owned()),
        }
    };
    let cwd_for = |case: Case| match case {
        Case::SmallFiles => inputs.small.as_ref().map(|p| p.path.as_path()),
        _ => None,
    };
    let found = |tool: &str| which(tool).ok_or_else(|| format!("{tool} not on PATH"));
    let (program, mut args, case, alloc_env): (OsString, Vec<String>, Case, bool) = match *job {
        Job::Logscan {
            case,
            command,
            strategy,
            threads,
        } => {
            let mut args = vec![command.to_owned()];
            args.extend(strategy.cli_args().iter().map(|s| (*s).to_owned()));
            args.extend(["--threads".to_owned(), threads.to_string(), "-q".to_owned()]);
            (config.bin.clone().into_os_string(), args, case, true)
        }
        Job::Wc { case } => (
            found("wc")?.into_os_string(),
            vec!["-l".into()],
            case,
            false,
        ),
        Job::Awk => (
            found("awk")?.into_os_string(),
            vec!["{c[$9]++} END {for (s in c) print s, c[s]}".into()],
            Case::Dataset,
            false,
        ),
        Job::GoAccess => {
            if config.format != Format::Combined {
                return Err("GoAccess is given the combined format only".into());
            }
            let program = found("goaccess")?.into_os_string();
            let out = config.out_dir.join("goaccess-excerpt.json");
            let args = vec![
                "--no-global-config".into(),
                "--no-progress".into(),
                r#"--log-format=%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T"#.into(),
                "--date-format=%d/%b/%Y".into(),
                "--time-format=%T".into(),
                "-o".into(),
                out.display().to_string(),
            ];
            (program, args, Case::Excerpt, false)
        }
    };
    let input = input_for(case)?;
    let mut shown = vec![
        Path::new(&program)
            .file_name()
            .map_or_else(|| program.to_string_lossy(), |n| n.to_string_lossy())
            .into_owned(),
    ];
    shown.extend(args.iter().cloned());
    shown.extend(shown_files(&input.files));
    args.extend(input.files.iter().cloned());
    Ok(Prepped {
        program,
        args: args.into_iter().map(OsString::from).collect(),
        cwd: cwd_for(case),
        shown,
        input,
        alloc_env,
    })
}

fn execute(job: &Job, config: &BenchConfig, inputs: &Inputs) -> Row {
    let key = job.key();
    let mut row = Row {
        case: key.case,
        tool: key.tool,
        command: key.command,
        strategy: key.strategy,
        threads: key.threads,
        use_case: job.use_case(config),
        argv: Vec::new(),
        input_bytes: 0,
        input_lines: 0,
        outcome: Outcome::Skipped {
            reason: String::new(),
        },
    };
    let p = match prep(job, config, inputs) {
        Ok(p) => p,
        Err(reason) => {
            row.outcome = Outcome::Skipped { reason };
            return row;
        }
    };
    row.argv = p.shown.clone();
    row.input_bytes = p.input.bytes;
    row.input_lines = p.input.lines;
    let env: &[(&str, &str)] = if p.alloc_env {
        &[("LOGSCAN_ALLOC_STATS", "1")]
    } else {
        &[]
    };
    let spec = p.spec(env, config.timeout);
    let mut times = Vec::new();
    let (mut rss, mut heap, mut allocs) = (0u64, None::<u64>, Vec::new());
    for i in 0..config.warmups + config.reps {
        let run = match runner::run(&spec) {
            Ok(run) => run,
            Err(e) => {
                row.outcome = Outcome::Failed {
                    error: format!("cannot run {}: {e}", p.shown[0]),
                };
                return row;
            }
        };
        if !run.success() {
            row.outcome = Outcome::Failed {
                error: failure_message(&run, config.timeout),
            };
            return row;
        }
        if i < config.warmups {
            continue;
        }
        times.push(run.wall.as_secs_f64());
        rss = rss.max(run.max_rss_bytes);
        let (a, h) = parse_alloc_stats(&run.stderr);
        allocs.extend(a);
        if let Some(h) = h {
            heap = Some(heap.map_or(h, |m: u64| m.max(h)));
        }
    }
    allocs.sort_unstable();
    let allocations = (!allocs.is_empty()).then(|| allocs[allocs.len() / 2]);
    row.outcome = Outcome::Ok(Measurement::from_runs(
        times,
        row.input_bytes,
        row.input_lines,
        rss,
        heap,
        allocations,
    ));
    row
}

/// The ratios the targets are about, each measured by running its two commands
/// alternately ([`PairedRatio`]): the machine's speed drifts over the minutes a table
/// takes, which skews a ratio of two rows measured far apart, but hardly within one
/// pair of runs.
fn paired_ratios(config: &BenchConfig, inputs: &Inputs) -> Vec<PairedRatio> {
    let Some(&threads) = config.threads.iter().max() else {
        return Vec::new();
    };
    let summary = |strategy| Job::Logscan {
        case: Case::Dataset,
        command: "summary",
        strategy,
        threads,
    };
    let mut pairs = vec![(summary(IoStrategy::Stream), summary(IoStrategy::Mmap))];
    if config.baselines {
        pairs.insert(
            0,
            (
                summary(IoStrategy::Mmap),
                Job::Wc {
                    case: Case::Dataset,
                },
            ),
        );
    }
    let mut out = Vec::new();
    for (numerator, denominator) in pairs {
        let label = |job: &Job| {
            let key = job.key();
            match key.strategy {
                Some(strategy) => format!(
                    "{} {} {strategy} ×{}",
                    key.tool,
                    key.command,
                    key.threads.unwrap_or(1)
                ),
                None => key.tool,
            }
        };
        let (Ok(a), Ok(b)) = (
            prep(&numerator, config, inputs),
            prep(&denominator, config, inputs),
        ) else {
            continue;
        };
        let (a_spec, b_spec) = (a.spec(&[], config.timeout), b.spec(&[], config.timeout));
        let mut ratios = Vec::new();
        let (mut a_times, mut b_times) = (Vec::new(), Vec::new());
        // One untimed pair, then twice as many timed pairs as a row has runs: a
        // ratio is noisier than either of its times.
        let timed_pairs = 2 * config.reps;
        for i in 0..=timed_pairs {
            let (Ok(ra), Ok(rb)) = (runner::run(&a_spec), runner::run(&b_spec)) else {
                break;
            };
            if !ra.success() || !rb.success() {
                break;
            }
            if i == 0 {
                continue;
            }
            let (ta, tb) = (ra.wall.as_secs_f64(), rb.wall.as_secs_f64());
            a_times.push(ta);
            b_times.push(tb);
            if tb > 0.0 {
                ratios.push(ta / tb);
            }
        }
        if ratios.len() as u32 != timed_pairs {
            continue;
        }
        let ratio = PairedRatio {
            numerator: label(&numerator),
            denominator: label(&denominator),
            numerator_key: Some(numerator.key()),
            denominator_key: Some(denominator.key()),
            numerator_median_s: median(&mut a_times),
            denominator_median_s: median(&mut b_times),
            median_ratio: median(&mut ratios.clone()),
            ratios,
        };
        if config.progress {
            eprintln!(
                "[paired] {} / {}: {:.2}× (median of {} alternating pairs)",
                ratio.numerator,
                ratio.denominator,
                ratio.median_ratio,
                ratio.ratios.len()
            );
        }
        out.push(ratio);
    }
    out
}

/// The median of `values`, sorted in place.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    report::median(values)
}

/// The `compiled for ...` line of `logscan --version`, if the binary prints one.
fn compiled_for(bin: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new(bin)
        .arg("--version")
        .output()
        .ok()?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .find(|l| l.starts_with("compiled for "))
        .map(str::to_owned)
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == "model name").then(|| v.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let memory_bytes = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    });
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_bytes,
        os: std::env::consts::OS.to_owned(),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .ok()
            .map(|s| s.trim().to_owned()),
    }
}

fn describe_input(p: &Prepared, format: Format, seed: u64) -> Input {
    Input {
        path: p.path.display().to_string(),
        format: format.name().to_owned(),
        seed,
        files: p.files.len() as u64,
        lines: p.lines,
        bytes: p.bytes,
    }
}

/// Paths of the files a run wrote.
#[derive(Debug, Clone)]
pub struct ReportFiles {
    /// `report.md`.
    pub markdown: PathBuf,
    /// `report.json`.
    pub json: PathBuf,
    /// `strategies.svg`.
    pub svg: PathBuf,
}

/// Writes `report.md`, `report.json` and `strategies.svg` into `dir`.
pub fn write_report(report: &Report, dir: &Path) -> Result<ReportFiles, BenchError> {
    std::fs::create_dir_all(dir).map_err(|source| BenchError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let files = ReportFiles {
        markdown: dir.join("report.md"),
        json: dir.join("report.json"),
        svg: dir.join("strategies.svg"),
    };
    let mut json = serde_json::to_string_pretty(report)?;
    json.push('\n');
    for (path, text) in [
        (&files.markdown, render_markdown(report)),
        (&files.json, json),
        (&files.svg, render_svg(report)),
    ] {
        std::fs::write(path, text).map_err(|source| BenchError::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok(files)
}

/// What a written report lacks against the plan of `config`, one message per
/// problem; empty when the report is complete. `cargo xtask bench --strict` (what CI
/// runs) fails on any. Never about timings: it reads `report.json` back from disk
/// and checks that every planned row is there exactly once and no other, that no
/// logscan row failed or was skipped (baselines may be skipped when not on PATH),
/// that every measured row has its runs, and that `report.md` and `strategies.svg`
/// were written with a table line per row and a chart.
pub fn check_report(config: &BenchConfig, files: &ReportFiles) -> Vec<String> {
    let mut problems = Vec::new();
    let report: Report = match std::fs::read_to_string(&files.json)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(report) => report,
        Err(e) => return vec![format!("{}: {e}", files.json.display())],
    };
    if report.schema != REPORT_SCHEMA {
        problems.push(format!(
            "report.json has schema {}, expected {REPORT_SCHEMA}",
            report.schema
        ));
    }
    let describe = |k: &RowKey| {
        let mut s = format!("{} {} {}", k.case.title(), k.tool, k.command);
        if let Some(strategy) = &k.strategy {
            s.push_str(&format!(" --io {strategy}"));
        }
        if let Some(threads) = k.threads {
            s.push_str(&format!(" --threads {threads}"));
        }
        s
    };
    let planned = planned_rows(config);
    let got: Vec<RowKey> = report.rows.iter().map(Row::key).collect();
    for key in &planned {
        match got.iter().filter(|k| *k == key).count() {
            1 => {}
            0 => problems.push(format!("missing row: {}", describe(key))),
            n => problems.push(format!("row reported {n} times: {}", describe(key))),
        }
    }
    for key in got.iter().filter(|k| !planned.contains(k)) {
        problems.push(format!("row not planned: {}", describe(key)));
    }
    for row in &report.rows {
        let what = describe(&row.key());
        match &row.outcome {
            Outcome::Failed { error } if row.tool == "logscan" => {
                problems.push(format!("failed: {what}: {error}"));
            }
            Outcome::Skipped { reason } if row.tool == "logscan" => {
                problems.push(format!("skipped: {what}: {reason}"));
            }
            Outcome::Ok(m) if m.runs_s.len() != report.reps as usize => problems.push(format!(
                "{what}: {} timed runs, expected {}",
                m.runs_s.len(),
                report.reps
            )),
            _ => {}
        }
    }
    // Both of logscan's commands of the stream/mmap pair run in every plan.
    if !report
        .paired
        .iter()
        .any(|p| p.numerator.contains("summary stream") && p.denominator.contains("summary mmap"))
    {
        problems.push("missing the alternating stream/mmap summary runs".to_owned());
    }
    match std::fs::read_to_string(&files.markdown) {
        Ok(md) => {
            let table_rows = md
                .lines()
                .filter(|l| l.starts_with("| ") && !l.starts_with("| tool"))
                .count();
            if table_rows != report.rows.len() {
                problems.push(format!(
                    "report.md has {table_rows} table rows for {} report rows",
                    report.rows.len()
                ));
            }
        }
        Err(e) => problems.push(format!("{}: {e}", files.markdown.display())),
    }
    match std::fs::read_to_string(&files.svg) {
        Ok(svg) if svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>") => {}
        Ok(_) => problems.push(format!("{} is not a whole SVG", files.svg.display())),
        Err(e) => problems.push(format!("{}: {e}", files.svg.display())),
    }
    problems
}

/// Prepares the inputs (cached), runs every planned row and writes the report
/// files into the configured output directory.
pub fn run_bench(config: &BenchConfig) -> Result<(Report, ReportFiles), BenchError> {
    for dir in [&config.data_dir, &config.out_dir] {
        std::fs::create_dir_all(dir).map_err(|source| BenchError::Io {
            path: dir.clone(),
            source,
        })?;
    }
    let jobs = jobs(config);
    let dataset = data::dataset(
        &config.data_dir,
        config.format,
        config.lines,
        config.seed,
        config.progress,
    )?;
    let wants_excerpt = jobs.iter().any(|j| matches!(j, Job::GoAccess))
        && config.format == Format::Combined
        && which("goaccess").is_some();
    let excerpt = if wants_excerpt {
        Some(data::excerpt(&dataset, EXCERPT_LINES)?)
    } else {
        None
    };
    let small = if config.small_files > 0 {
        Some(data::small_files(
            &config.data_dir,
            config.format,
            config.small_files,
            config.seed,
            config.progress,
        )?)
    } else {
        None
    };
    let inputs = Inputs {
        dataset,
        excerpt,
        small,
    };

    let rss_floor_bytes = which("true").and_then(|t| {
        let run = runner::run(&RunSpec {
            program: t.as_os_str(),
            args: &[],
            cwd: None,
            env: &[],
            timeout: config.timeout,
        });
        run.ok().filter(RunResult::success).map(|r| r.max_rss_bytes)
    });

    let mut rows = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        let row = execute(job, config, &inputs);
        if config.progress {
            let what = match &row.outcome {
                Outcome::Ok(m) => format!(
                    "{} (min {}, max {})",
                    report::fmt_duration(m.median_s),
                    report::fmt_duration(m.min_s),
                    report::fmt_duration(m.max_s)
                ),
                Outcome::Failed { error } => format!("failed: {error}"),
                Outcome::Skipped { reason } => format!("skipped: {reason}"),
            };
            eprintln!(
                "[{:>2}/{}] {} {} {} {}: {what}",
                i + 1,
                jobs.len(),
                row.case_title(),
                row.tool,
                row.command,
                row.strategy
                    .as_deref()
                    .map(|s| format!("{s} ×{}", row.threads.unwrap_or(1)))
                    .unwrap_or_default(),
            );
        }
        rows.push(row);
    }

    let paired = paired_ratios(config, &inputs);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let report = Report {
        schema: REPORT_SCHEMA,
        generated_at: iso_utc(now),
        command: config.command_line.clone(),
        machine: machine(),
        binary: config.bin.display().to_string(),
        compiled_for: compiled_for(&config.bin),
        warmups: config.warmups,
        reps: config.reps,
        rss_floor_bytes,
        dataset: describe_input(&inputs.dataset, config.format, config.seed),
        excerpt: inputs
            .excerpt
            .as_ref()
            .map(|p| describe_input(p, config.format, config.seed)),
        small_files: inputs
            .small
            .as_ref()
            .map(|p| describe_input(p, config.format, config.seed)),
        rows,
        paired,
    };
    let files = write_report(&report, &config.out_dir)?;
    Ok((report, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_line_is_parsed_and_absence_is_none() {
        let err = b"warming up\nlogscan-alloc: allocations=1234 peak_heap_bytes=56789\n";
        assert_eq!(parse_alloc_stats(err), (Some(1234), Some(56789)));
        assert_eq!(parse_alloc_stats(b"nothing here\n"), (None, None));
        assert_eq!(
            parse_alloc_stats(b"logscan-alloc: allocations=x peak_heap_bytes=9\n"),
            (None, Some(9))
        );
    }

    #[test]
    fn failure_message_prefers_stderr() {
        let run = |stderr: &[u8], exit| RunResult {
            wall: Duration::ZERO,
            exit,
            max_rss_bytes: 0,
            stderr: stderr.to_vec(),
        };
        let t = Duration::from_secs(9);
        assert_eq!(
            failure_message(&run(b"\nlogscan: x: boom\nmore\n", Exit::Code(2)), t),
            "logscan: x: boom"
        );
        assert_eq!(
            failure_message(&run(b"logscan-alloc: allocations=1\n", Exit::Code(2)), t),
            "exit status 2"
        );
        assert_eq!(
            failure_message(&run(b"", Exit::Signal(7)), t),
            "killed by signal 7"
        );
        assert_eq!(
            failure_message(&run(b"partial", Exit::TimedOut), t),
            "timed out after 9 s"
        );
    }

    #[test]
    fn file_lists_are_elided() {
        let files: Vec<String> = (0..5).map(|i| format!("f{i}")).collect();
        assert_eq!(shown_files(&files), ["f0", "… (5 files) …", "f4"]);
        assert_eq!(shown_files(&files[..1]), ["f0"]);
    }
}
