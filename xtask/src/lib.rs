//! Project tasks for logscan, run as `cargo xtask <task>`.
//!
//! - [`Generator`] writes deterministic, realistic logs (nginx combined with
//!   `$request_time`, application logs, JSON lines) for tests and benchmarks:
//!   `cargo xtask gen`.
//! - [`run_bench`] takes a [`BenchConfig`] and runs the `logscan` binary as a child
//!   process for every [`IoStrategy`] × thread count × command, plus baselines
//!   (`wc -l`, `awk`, GoAccess) and a many-small-files case, then writes a
//!   [`Report`] as `report.md`, `report.json` and `strategies.svg`:
//!   `cargo xtask bench`. [`planned_rows`] says which rows a finished report must
//!   hold and [`check_report`] checks a written one against them (`--strict`, what
//!   CI runs); [`render_markdown`] and [`render_svg`] are the two renderings.
//! - [`run_profile`] takes a [`ProfileConfig`] and does the work of `logscan
//!   summary` or `logscan count` ([`ProfiledCommand`]) in this process through the
//!   library crates (Source → Scanner → Summary) under pprof's sampling profiler,
//!   then writes a flamegraph SVG and ranks functions by self time ([`HotFrame`]):
//!   `cargo xtask flamegraph`, which moves itself to an optimised build first.
//! - [`run_fuzz_target`] drives `cargo +nightly fuzz run` for one target of the
//!   cargo-fuzz project in `fuzz/` and reads libFuzzer's output
//!   ([`parse_libfuzzer_output`]): executions, and the artifact of a crash.
//!   `cargo xtask fuzz` runs every target [`list_fuzz_targets`] names, one after
//!   another, installing cargo-fuzz if needed ([`ensure_cargo_fuzz`]).
//! - [`build_release_binary`] and [`workspace_target_dir`] ask cargo where things
//!   are, so `CARGO_TARGET_DIR` and `.cargo/config.toml` are honoured.
//!
//! # What `cargo xtask bench` writes
//!
//! Into `<target-dir>/bench/` (datasets are cached in `<target-dir>/bench-data/`,
//! named by format, amount, seed and [`GENERATOR_VERSION`]):
//!
//! - `report.md`: date, command, machine, binary, then one Markdown table per input
//!   (dataset, GoAccess excerpt, small files) with the columns tool, command,
//!   strategy, threads, median, min … max, MB/s, lines/s, peak RSS, peak heap,
//!   allocations, use case; a failed row reads `failed: <first stderr line>`, a
//!   skipped one `skipped: <reason>`. The same text goes to stdout.
//! - `report.json`: the [`Report`] serialised with serde; `schema` is
//!   [`REPORT_SCHEMA`]; each row's `outcome` is tagged by `status`
//!   (`ok` with a [`Measurement`], `failed` with `error`, `skipped` with `reason`).
//! - `strategies.svg`: horizontal bars of median wall time with min–max whiskers,
//!   one panel per input and command, each on its own scale.
//!
//! The binary's contract that the benchmark relies on: `logscan count|summary
//! --io <auto|stream|read|mmap> [--mmap-advice willneed] --threads N -q FILE...`,
//! exit status 0 on success, and with `LOGSCAN_ALLOC_STATS=1` one stderr line
//! `logscan-alloc: allocations=<N> peak_heap_bytes=<M>` at exit.
//!
//! # Example
//!
//! ```
//! use xtask::{Format, Generator};
//!
//! let generator = Generator::builder()
//!     .format(Format::Combined)
//!     .seed(7)
//!     .lines(100)
//!     .build()?;
//! let mut out = Vec::new();
//! let stats = generator.write_to(&mut out)?;
//! assert_eq!(stats.lines, 100);
//! assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 100);
//!
//! // Same seed, same bytes.
//! let mut again = Vec::new();
//! generator.write_to(&mut again)?;
//! assert_eq!(out, again);
//! # Ok::<(), xtask::GenError>(())
//! ```
#![deny(missing_docs)]

mod bench;
mod flamegraph;
mod fuzz;
mod generate;
mod size;
mod workspace;

pub use bench::{
    BenchConfig, BenchConfigBuilder, BenchError, Case, EXCERPT_LINES, Input, IoStrategy, Machine,
    Measurement, Outcome, PairedRatio, QUICK_LINES, QUICK_SMALL_FILES, REPORT_SCHEMA, Report,
    ReportFiles, Row, RowKey, check_report, planned_rows, render_markdown, render_svg,
    render_table, run_bench, write_report,
};
pub use flamegraph::{
    HotFrame, Profile, ProfileConfig, ProfileConfigBuilder, ProfileError, ProfiledCommand,
    run_profile,
};
pub use fuzz::{
    FuzzError, FuzzOutcome, FuzzRun, LibFuzzerOutput, ensure_cargo_fuzz, list_fuzz_targets,
    parse_libfuzzer_output, render_fuzz_summary, run_fuzz_target, select_targets,
};
pub use generate::{
    Amount, DEFAULT_LINES, DEFAULT_SEED, Format, GENERATOR_VERSION, GenError, GenStats, Generator,
    GeneratorBuilder,
};
pub use size::{ParseSizeError, parse_count, parse_size};
pub use workspace::{
    CpuTarget, WorkspaceError, build_release_binary, workspace_root, workspace_target_dir,
};
