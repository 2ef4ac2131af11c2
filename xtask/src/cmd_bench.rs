//! `cargo xtask bench`: argument parsing, building the binary, and printing.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use xtask::{BenchConfig, Format, Outcome, check_report, parse_count, render_markdown, run_bench};

/// Arguments of `cargo xtask bench`.
#[derive(Debug, Args)]
#[command(
    after_help = "The binary is built with `cargo build --release -p logscan` for this \
    machine's CPU (-C target-cpu=native, in <target-dir>/native; --portable: the default \
    build) unless --bin or LOGSCAN_BIN names one.\nDatasets are cached in <target-dir>/bench-data; the \
    report goes to <target-dir>/bench/{report.md,report.json,strategies.svg}.\n\n\
    Examples:\n  cargo xtask bench --quick\n  cargo xtask bench --lines 5m --reps 7\n  \
    LOGSCAN_BIN=/tmp/fake-logscan cargo xtask bench --quick"
)]
pub struct BenchArgs {
    /// Lines in the dataset (default 1,000,000; 20,000 with --quick).
    #[arg(long, value_parser = parse_count)]
    lines: Option<u64>,
    /// A run in seconds: 20,000 lines, 1,000 small files, 1 warm-up + 3 runs.
    #[arg(long)]
    quick: bool,
    /// The logscan binary to measure (also: env LOGSCAN_BIN); skips the build.
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Measure the default build, which runs on any CPU of the architecture, instead
    /// of one compiled for this machine's CPU.
    #[arg(long, conflicts_with = "bin")]
    portable: bool,
    /// Timed runs per row, after one warm-up (default 5; 3 with --quick); the target
    /// ratios are measured again over twice as many alternating pairs.
    #[arg(long)]
    reps: Option<u32>,
    /// Dataset format.
    #[arg(long, value_enum, default_value_t = Format::Combined)]
    format: Format,
    /// Dataset seed.
    #[arg(long, default_value_t = xtask::DEFAULT_SEED)]
    seed: u64,
    /// Thread counts, comma-separated (default: 1 and all logical CPUs).
    #[arg(long, value_delimiter = ',')]
    threads: Option<Vec<usize>>,
    /// Files in the small-files case (default 10,000; 1,000 with --quick; 0 = none).
    #[arg(long, value_parser = parse_count)]
    small_files: Option<u64>,
    /// Leave out the wc, awk and GoAccess rows.
    #[arg(long)]
    no_baselines: bool,
    /// Seconds a single run may take before it is killed and its row failed.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Report directory (default <target-dir>/bench).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Exit with status 1 if the written report is incomplete: a planned row missing
    /// or doubled, a logscan row failed or skipped, report.md or the SVG not written
    /// (the report is written anyway). Never about timings. CI runs this.
    #[arg(long)]
    strict: bool,
}

/// The command line as the user typed it, for the report.
fn command_line() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .map(|a| {
            if a.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a
            }
        })
        .collect();
    format!("cargo xtask {}", args.join(" "))
}

pub fn run(args: BenchArgs) -> Result<bool, Box<dyn std::error::Error>> {
    let target = xtask::workspace_target_dir()?;
    let bin = match args
        .bin
        .or_else(|| std::env::var_os("LOGSCAN_BIN").map(PathBuf::from))
    {
        Some(bin) => bin,
        None => {
            let cpu = if args.portable {
                eprintln!("xtask bench: cargo build --release -p logscan");
                xtask::CpuTarget::Portable
            } else {
                eprintln!(
                    "xtask bench: cargo build --release -p logscan, for this CPU \
                     (-C target-cpu=native)"
                );
                xtask::CpuTarget::Native
            };
            xtask::build_release_binary("logscan", "logscan", cpu)?
        }
    };
    let out_dir = args.out_dir.unwrap_or_else(|| target.join("bench"));
    let mut builder = BenchConfig::builder(bin, target.join("bench-data"), out_dir)
        .quick(args.quick)
        .format(args.format)
        .seed(args.seed)
        .baselines(!args.no_baselines)
        .timeout(Duration::from_secs(args.timeout))
        .command_line(command_line())
        .progress(true);
    if let Some(n) = args.lines {
        builder = builder.lines(n);
    }
    if let Some(n) = args.reps {
        builder = builder.reps(n);
    }
    if let Some(t) = args.threads {
        builder = builder.threads(t);
    }
    if let Some(n) = args.small_files {
        builder = builder.small_files(usize::try_from(n)?);
    }
    let config = builder.build()?;
    let (report, files) = run_bench(&config)?;
    print!("{}", render_markdown(&report));
    eprintln!(
        "xtask bench: wrote {}, {} and {}",
        files.markdown.display(),
        files.json.display(),
        files.svg.display()
    );
    let failed = report
        .rows
        .iter()
        .filter(|r| r.tool == "logscan" && matches!(r.outcome, Outcome::Failed { .. }))
        .count();
    if failed > 0 {
        eprintln!("xtask bench: {failed} logscan row(s) failed");
    }
    if !args.strict {
        return Ok(true);
    }
    let problems = check_report(&config, &files);
    for problem in &problems {
        eprintln!("xtask bench --strict: {problem}");
    }
    if problems.is_empty() {
        eprintln!(
            "xtask bench --strict: report complete ({} rows)",
            report.rows.len()
        );
    }
    Ok(problems.is_empty())
}
