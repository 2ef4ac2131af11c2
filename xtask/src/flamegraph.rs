//! `cargo xtask flamegraph`: the work of `logscan summary` or `logscan count`, done in
//! this process through the library crates (Source → Scanner → Summary) while pprof's
//! sampling profiler runs, written out as a flamegraph SVG with the hottest frames by
//! self time.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use logscan_parse::LogFormat;
use logscan_scan::Scanner;
use logscan_source::{MmapAdvice, Source, Strategy};
use logscan_stats::{Summary, TextOptions};

use crate::bench::{BenchError, IoStrategy, data};
use crate::generate::{DEFAULT_SEED, Format};

/// Lines of the dataset the CLI looks at to pick a format (its `--format auto`).
const DETECT_LINES: usize = 200;

/// Which logscan command's work is profiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ProfiledCommand {
    /// `logscan summary`: detect the format, parse every line into a [`Summary`],
    /// render the text report.
    Summary,
    /// `logscan count`: lines only (the scanner's `()` aggregate).
    Count,
}

impl ProfiledCommand {
    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            ProfiledCommand::Summary => "summary",
            ProfiledCommand::Count => "count",
        }
    }
}

/// Errors that stop a profile.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The configuration cannot work.
    #[error("invalid flamegraph configuration: {0}")]
    Config(String),
    /// Preparing the dataset failed.
    #[error(transparent)]
    Dataset(#[from] BenchError),
    /// Opening the dataset failed.
    #[error(transparent)]
    Source(#[from] logscan_source::Error),
    /// The scanner could not be built.
    #[error("cannot build the scanner: {0}")]
    Scanner(#[from] logscan_scan::BuildError),
    /// The scan failed.
    #[error(transparent)]
    Scan(#[from] logscan_scan::Error),
    /// No preset fits the start of the dataset.
    #[error("no log format fits the first lines of {}", path.display())]
    UnknownFormat {
        /// The dataset.
        path: PathBuf,
    },
    /// The profiler could not start or report.
    #[error("profiler: {0}")]
    Profiler(#[from] pprof::Error),
    /// Writing the SVG failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// A ready profile configuration. Build with [`ProfileConfig::builder`].
#[derive(Debug, Clone)]
pub struct ProfileConfig {
    data_dir: PathBuf,
    out: PathBuf,
    io: IoStrategy,
    command: ProfiledCommand,
    threads: usize,
    lines: u64,
    format: Format,
    seed: u64,
    frequency: i32,
    min_duration: Duration,
    top: usize,
    progress: bool,
}

/// Builder for [`ProfileConfig`].
#[derive(Debug, Clone)]
pub struct ProfileConfigBuilder {
    config: ProfileConfig,
}

impl ProfileConfig {
    /// Profiles over the dataset cached in `data_dir` (generated there if missing,
    /// under the same name `cargo xtask bench` uses) and writes the SVG to `out`.
    pub fn builder(data_dir: impl Into<PathBuf>, out: impl Into<PathBuf>) -> ProfileConfigBuilder {
        ProfileConfigBuilder {
            config: ProfileConfig {
                data_dir: data_dir.into(),
                out: out.into(),
                io: IoStrategy::Mmap,
                command: ProfiledCommand::Summary,
                threads: 0,
                lines: crate::DEFAULT_LINES,
                format: Format::Combined,
                seed: DEFAULT_SEED,
                frequency: 999,
                min_duration: Duration::from_secs(3),
                top: 5,
                progress: false,
            },
        }
    }

    /// The command line of `logscan` that does the same work.
    pub fn equivalent_command(&self) -> String {
        let mut cmd = format!("logscan {}", self.command.name());
        for arg in self.io.cli_args() {
            cmd.push(' ');
            cmd.push_str(arg);
        }
        cmd.push_str(&format!(" --threads {}", self.threads));
        cmd
    }
}

impl ProfileConfigBuilder {
    /// I/O strategy (default mmap).
    pub fn io(mut self, io: IoStrategy) -> Self {
        self.config.io = io;
        self
    }

    /// The command whose work is profiled (default summary).
    pub fn command(mut self, command: ProfiledCommand) -> Self {
        self.config.command = command;
        self
    }

    /// Scanner threads; 0 (the default) means one per logical CPU, as in the CLI.
    pub fn threads(mut self, threads: usize) -> Self {
        self.config.threads = threads;
        self
    }

    /// Lines in the dataset (default 1,000,000).
    pub fn lines(mut self, lines: u64) -> Self {
        self.config.lines = lines;
        self
    }

    /// Dataset format (default combined).
    pub fn format(mut self, format: Format) -> Self {
        self.config.format = format;
        self
    }

    /// Dataset seed (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Samples per second of CPU time (default 999: not a multiple of common timer
    /// periods, so sampling does not fall into step with periodic work).
    pub fn frequency(mut self, hz: i32) -> Self {
        self.config.frequency = hz;
        self
    }

    /// The work is repeated until this much wall time has passed, so a small dataset
    /// still gives enough samples (default 3 s; zero runs it once).
    pub fn min_duration(mut self, d: Duration) -> Self {
        self.config.min_duration = d;
        self
    }

    /// How many frames [`Profile::hot`] lists (default 5).
    pub fn top(mut self, n: usize) -> Self {
        self.config.top = n;
        self
    }

    /// Print progress to stderr (default false).
    pub fn progress(mut self, on: bool) -> Self {
        self.config.progress = on;
        self
    }

    /// Checks the configuration.
    pub fn build(self) -> Result<ProfileConfig, ProfileError> {
        let c = &self.config;
        if c.lines == 0 {
            return Err(ProfileError::Config(
                "the dataset needs at least one line".into(),
            ));
        }
        // pprof's timer period is 1e6 / frequency microseconds: past 1 MHz it is zero,
        // which stops the timer; far below that the signal handler is all it measures.
        if !(1..=10_000).contains(&c.frequency) {
            return Err(ProfileError::Config(format!(
                "frequency {} Hz is outside 1..=10000",
                c.frequency
            )));
        }
        Ok(self.config)
    }
}

/// A function and the samples that stopped in it (its self time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotFrame {
    /// Demangled name, without the symbol hash; inlined functions are named
    /// themselves, not by the function they were inlined into.
    pub function: String,
    /// The source file of the sampled code, shortened (workspace-relative, or from
    /// `library/` for the standard library), when the debug info names it.
    pub file: Option<String>,
    /// Samples whose innermost frame is this function.
    pub self_samples: u64,
    /// For a function outside the workspace (the standard library, memchr, a hash
    /// function), the nearest caller in the workspace's own code (`crates/`) in most of
    /// its samples, as `function (file)`: which of our code spends the time.
    pub via: Option<String>,
}

/// What a profile run found.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The flamegraph SVG.
    pub svg: PathBuf,
    /// The dataset profiled.
    pub dataset: PathBuf,
    /// The format the summary parsed with (`None` for count).
    pub format: Option<String>,
    /// Times the command's work ran.
    pub runs: u32,
    /// Lines scanned per run.
    pub lines: u64,
    /// Bytes scanned per run.
    pub bytes: u64,
    /// Wall time of all runs together.
    pub wall: Duration,
    /// Samples taken (after the profiler's own frames were removed).
    pub samples: u64,
    /// The hottest functions by self time, most samples first.
    pub hot: Vec<HotFrame>,
}

/// The work of one command over one source: a few numbers that depend on every line,
/// so none of it can be optimised away.
fn run_once(
    config: &ProfileConfig,
    scanner: &Scanner,
    format: Option<&LogFormat>,
    path: &Path,
) -> Result<(u64, u64, usize), ProfileError> {
    let (strategy, advice) = match config.io {
        IoStrategy::Stream => (Strategy::Stream, MmapAdvice::Sequential),
        IoStrategy::Read => (Strategy::ReadAll, MmapAdvice::Sequential),
        IoStrategy::Mmap => (Strategy::Mmap, MmapAdvice::Sequential),
        IoStrategy::MmapWillNeed => (Strategy::Mmap, MmapAdvice::WillNeed),
        IoStrategy::Auto => (Strategy::Auto, MmapAdvice::Sequential),
    };
    let source = Source::builder()
        .strategy(strategy)
        .mmap_advice(advice)
        .open(path)?;
    match format {
        Some(format) => {
            let out = scanner.scan(source, || Summary::new(format))?;
            // The CLI renders the report too; that is part of the command's cost.
            let text = out
                .aggregate
                .report()
                .with_scan(&out.stats)
                .to_text(TextOptions::default());
            Ok((out.stats.lines, out.stats.bytes, text.len()))
        }
        None => {
            let out = scanner.scan(source, || ())?;
            Ok((out.stats.lines, out.stats.bytes, 0))
        }
    }
}

/// The format `logscan summary --format auto` would pick for the dataset.
fn detect_format(path: &Path) -> Result<LogFormat, ProfileError> {
    use std::io::{BufRead, BufReader};
    let io_err = |source| ProfileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io_err)?);
    let mut lines = Vec::new();
    let mut line = Vec::new();
    while lines.len() < DETECT_LINES {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io_err)? == 0 {
            break;
        }
        lines.push(line.clone());
    }
    let refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    LogFormat::detect(&refs).ok_or_else(|| ProfileError::UnknownFormat {
        path: path.to_path_buf(),
    })
}

/// Prepares the dataset, runs the command's work under the profiler until the
/// minimum duration has passed, writes the flamegraph and ranks frames by self time.
pub fn run_profile(config: &ProfileConfig) -> Result<Profile, ProfileError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ProfileError::Io {
        path: config.data_dir.clone(),
        source,
    })?;
    let dataset = data::dataset(
        &config.data_dir,
        config.format,
        config.lines,
        config.seed,
        config.progress,
    )?;
    let format = match config.command {
        ProfiledCommand::Summary => Some(detect_format(&dataset.path)?),
        ProfiledCommand::Count => None,
    };
    let mut scanner = Scanner::builder();
    if config.threads > 0 {
        scanner.threads(config.threads);
    }
    let scanner = scanner.build()?;
    if config.progress {
        eprintln!(
            "xtask flamegraph: {} over {} ({} threads, {} Hz, at least {:.1} s)",
            config.command.name(),
            dataset.path.display(),
            scanner.threads(),
            config.frequency,
            config.min_duration.as_secs_f64()
        );
    }

    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(config.frequency)
        // Samples taken inside the unwinder or the vDSO are dropped: unwinding from
        // there is unreliable. libc stays in: memcpy and malloc time is ours.
        .blocklist(&["libgcc", "vdso"])
        .build()?;
    let start = Instant::now();
    let mut runs = 0u32;
    let (mut lines, mut bytes, mut check) = (0, 0, 0usize);
    while runs == 0 || start.elapsed() < config.min_duration {
        (lines, bytes, check) = run_once(config, &scanner, format.as_ref(), &dataset.path)?;
        runs += 1;
    }
    let wall = start.elapsed();
    let report = guard
        .report()
        .frames_post_processor(strip_profiler_frames)
        .build()?;
    drop(guard);
    std::hint::black_box(check);

    if let Some(dir) = config.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ProfileError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let svg_err = |source| ProfileError::Io {
        path: config.out.clone(),
        source,
    };
    let mut options = pprof::flamegraph::Options::default();
    options.title = format!(
        "{} — {} lines, {} run(s)",
        config.equivalent_command(),
        lines,
        runs
    );
    options.count_name = "samples".to_owned();
    let mut out = BufWriter::new(File::create(&config.out).map_err(svg_err)?);
    report.flamegraph_with_options(&mut out, &mut options)?;
    out.flush().map_err(svg_err)?;

    let samples = report.data.values().map(|&n| n.max(0) as u64).sum();
    let hot = hot_frames(&report, config.top);
    Ok(Profile {
        svg: config.out.clone(),
        dataset: dataset.path,
        format: format.map(|f| f.name().to_owned()),
        runs,
        lines,
        bytes,
        wall,
        samples,
        hot,
    })
}

/// Whether a resolved symbol belongs to the sampling machinery (pprof's signal
/// handler and the unwinder it calls) rather than to the sampled program.
fn is_profiler_symbol(name: &str) -> bool {
    name.starts_with("backtrace::")
        || name.starts_with("pprof::")
        || name.starts_with("<pprof::")
        || name.contains("perf_signal_handler")
}

/// Removes the profiler's own frames from the leaf end of a sample, and the kernel's
/// signal trampoline under them when it is named: they are in every sample and would
/// otherwise be everyone's "self time".
fn strip_profiler_frames(frames: &mut pprof::Frames) {
    let profiler_frame = |frame: &Vec<pprof::Symbol>| {
        !frame.is_empty() && frame.iter().all(|s| is_profiler_symbol(&s.name()))
    };
    let mut cut = frames
        .frames
        .iter()
        .take_while(|frame| profiler_frame(frame))
        .count();
    // The handler can sit below frames that did not resolve; it marks the cut too.
    if let Some(i) = frames.frames.iter().rposition(|frame| {
        frame
            .iter()
            .any(|s| s.name().contains("perf_signal_handler"))
    }) {
        cut = cut.max(i + 1);
    }
    frames.frames.drain(..cut);
    // An unnamed frame here may be the trampoline or libc code without symbols: only
    // a named trampoline is removed.
    if frames.frames.first().is_some_and(|frame| {
        !frame.is_empty()
            && frame
                .iter()
                .all(|s| s.raw_name().ends_with(b"__restore_rt"))
    }) {
        frames.frames.remove(0);
    }
}

/// `foo::bar::h0123456789abcdef` → `foo::bar` (legacy mangling keeps the hash).
fn strip_hash(name: &str) -> &str {
    match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head
        }
        _ => name,
    }
}

/// A shorter path for the listing: workspace-relative for our code, from
/// `library/` for the standard library, from the crate directory for registry
/// crates; `..` segments folded.
fn short_path(path: &Path) -> String {
    let mut folded = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir if folded.file_name().is_some() => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    if let Ok(rel) = folded.strip_prefix(crate::workspace_root()) {
        return rel.display().to_string();
    }
    let text = folded.display().to_string();
    if let Some(i) = text.find("/registry/src/") {
        let rest = &text[i + "/registry/src/".len()..];
        if let Some((_index, krate)) = rest.split_once('/') {
            return krate.to_owned();
        }
    }
    if let Some(i) = text.find("/library/") {
        return text[i + 1..].to_owned();
    }
    text
}

/// Whether a source file is the workspace's own library code.
fn in_workspace_crates(path: &Path) -> bool {
    path.strip_prefix(crate::workspace_root())
        .is_ok_and(|rel| rel.starts_with("crates"))
}

/// `function (file)` for a symbol.
fn describe(symbol: &pprof::Symbol) -> (String, Option<String>) {
    (
        strip_hash(&symbol.name()).to_owned(),
        symbol.filename.as_deref().map(short_path),
    )
}

/// Samples per innermost function, most first (ties by name, so the order is stable).
fn hot_frames(report: &pprof::Report, top: usize) -> Vec<HotFrame> {
    #[derive(Default)]
    struct Tally {
        samples: u64,
        file: Option<String>,
        via: HashMap<String, u64>,
    }
    let mut by_function: HashMap<String, Tally> = HashMap::new();
    for (frames, &count) in &report.data {
        let count = count.max(0) as u64;
        // Innermost first: inlined functions before the function they sit in, callees
        // before callers.
        let mut symbols = frames.frames.iter().flatten();
        let Some(leaf) = symbols.next() else {
            let tally = by_function.entry("[unknown]".to_owned()).or_default();
            tally.samples += count;
            continue;
        };
        let (function, file) = describe(leaf);
        let tally = by_function.entry(function).or_default();
        tally.samples += count;
        if tally.file.is_none() {
            tally.file = file;
        }
        let ours = |s: &pprof::Symbol| s.filename.as_deref().is_some_and(in_workspace_crates);
        if !ours(leaf)
            && let Some(caller) = symbols.find(|s| ours(s))
        {
            let (name, file) = describe(caller);
            let shown = match file {
                Some(file) => format!("{name} ({file})"),
                None => name,
            };
            *tally.via.entry(shown).or_default() += count;
        }
    }
    let mut hot: Vec<HotFrame> = by_function
        .into_iter()
        .map(|(function, tally)| HotFrame {
            function,
            file: tally.file,
            self_samples: tally.samples,
            via: tally
                .via
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(caller, _)| caller),
        })
        .collect();
    hot.sort_by(|a, b| {
        b.self_samples
            .cmp(&a.self_samples)
            .then_with(|| a.function.cmp(&b.function))
    });
    hot.truncate(top);
    hot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_hashes_are_stripped_and_only_hashes() {
        assert_eq!(
            strip_hash("logscan_parse::format::LogFormat::parse::h0123456789abcdef"),
            "logscan_parse::format::LogFormat::parse"
        );
        assert_eq!(strip_hash("a::hash_map::get"), "a::hash_map::get");
        assert_eq!(strip_hash("a::h01234"), "a::h01234");
    }

    #[test]
    fn paths_are_shortened() {
        let root = crate::workspace_root();
        assert_eq!(
            short_path(&root.join("crates/parse/src/nginx.rs")),
            "crates/parse/src/nginx.rs"
        );
        assert_eq!(
            short_path(Path::new("/rustc/abc/library/core/src/slice/mod.rs")),
            "library/core/src/slice/mod.rs"
        );
        assert_eq!(
            short_path(Path::new(
                "/rustc/abc/library/core/src/../../stdarch/crates/core_arch/src/x86/avx2.rs"
            )),
            "library/stdarch/crates/core_arch/src/x86/avx2.rs"
        );
        assert_eq!(
            short_path(Path::new(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/memchr-2.7.4/src/lib.rs"
            )),
            "memchr-2.7.4/src/lib.rs"
        );
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let b = || ProfileConfig::builder("/nonexistent", "/nonexistent/f.svg");
        assert!(matches!(b().lines(0).build(), Err(ProfileError::Config(_))));
        assert!(matches!(
            b().frequency(0).build(),
            Err(ProfileError::Config(_))
        ));
        assert!(b().frequency(999).lines(10).build().is_ok());
    }
}
