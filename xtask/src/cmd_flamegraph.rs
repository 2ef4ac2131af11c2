//! `cargo xtask flamegraph`: argument parsing, moving to an optimised build, printing.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use clap::Args;
use xtask::{Format, IoStrategy, ProfileConfig, ProfiledCommand, parse_count, run_profile};

/// Arguments of `cargo xtask flamegraph`.
#[derive(Debug, Args)]
#[command(
    after_help = "`cargo xtask` builds the logscan crates without optimisation, which \
    would profile the wrong code: unless --as-built is given, this task runs itself again \
    from `cargo run --release -p xtask` (optimised like the logscan binary, with line \
    tables so frames resolve to functions and files).\n\n\
    Examples:\n  cargo xtask flamegraph\n  cargo xtask flamegraph --io stream --cmd count \
    --threads 1\n  cargo xtask flamegraph --lines 100k --seconds 1 --out /tmp/f.svg"
)]
pub struct FlamegraphArgs {
    /// I/O strategy: stream, read, mmap, mmap+willneed or auto.
    #[arg(long, default_value = "mmap", value_parser = parse_io)]
    io: IoStrategy,
    /// The command whose work is profiled.
    #[arg(long, value_enum, default_value_t = ProfiledCommand::Summary)]
    cmd: ProfiledCommand,
    /// Scanner threads (0 = one per logical CPU, as the CLI's default).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Lines in the generated dataset (cached with the benchmark's datasets).
    #[arg(long, value_parser = parse_count, default_value = "1000000")]
    lines: u64,
    /// Dataset format.
    #[arg(long, value_enum, default_value_t = Format::Combined)]
    format: Format,
    /// Dataset seed.
    #[arg(long, default_value_t = xtask::DEFAULT_SEED)]
    seed: u64,
    /// Repeat the work until this many seconds have passed (at least one run).
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Samples per second of CPU time.
    #[arg(long, default_value_t = 999)]
    frequency: i32,
    /// How many frames to list by self time.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// The SVG to write (default <target-dir>/flamegraph.svg).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Profile in this process as it was built, without moving to a release build.
    #[arg(long)]
    as_built: bool,
}

fn parse_io(s: &str) -> Result<IoStrategy, String> {
    IoStrategy::from_label(s).ok_or_else(|| {
        let labels: Vec<&str> = IoStrategy::ALL.iter().map(|s| s.label()).collect();
        format!("expected one of {}", labels.join(", "))
    })
}

/// Runs this task again from an optimised build of xtask, with the same arguments.
fn rerun_optimised() -> Result<bool, Box<dyn std::error::Error>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = xtask::workspace_root().join("Cargo.toml");
    eprintln!("xtask flamegraph: cargo run --release -p xtask (an optimised build to profile)");
    let status = Command::new(&cargo)
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "xtask",
            "--bin",
            "xtask",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--")
        .args(std::env::args_os().skip(1))
        .arg("--as-built")
        .status()
        .map_err(|e| format!("cannot run {}: {e}", cargo.to_string_lossy()))?;
    Ok(status.success())
}

pub fn run(args: FlamegraphArgs) -> Result<bool, Box<dyn std::error::Error>> {
    if cfg!(debug_assertions) && !args.as_built {
        return rerun_optimised();
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "xtask flamegraph: note: this is a debug build; the profile shows unoptimised code"
        );
    }
    if !(args.seconds.is_finite() && args.seconds >= 0.0) {
        return Err("--seconds must be a non-negative number".into());
    }
    let target = xtask::workspace_target_dir()?;
    let out = args.out.unwrap_or_else(|| target.join("flamegraph.svg"));
    let config = ProfileConfig::builder(target.join("bench-data"), out)
        .io(args.io)
        .command(args.cmd)
        .threads(args.threads)
        .lines(args.lines)
        .format(args.format)
        .seed(args.seed)
        .frequency(args.frequency)
        .min_duration(Duration::from_secs_f64(args.seconds))
        .top(args.top)
        .progress(true)
        .build()?;
    let profile = run_profile(&config)?;
    let per_run = profile.wall.as_secs_f64() / f64::from(profile.runs.max(1));
    eprintln!(
        "xtask flamegraph: {} run(s) of `{}` over {} lines{} in {:.2} s ({:.0} MB/s per run), {} samples",
        profile.runs,
        config.equivalent_command(),
        profile.lines,
        profile
            .format
            .as_deref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default(),
        profile.wall.as_secs_f64(),
        profile.bytes as f64 / per_run.max(1e-9) / 1e6,
        profile.samples
    );
    println!("{}", profile.svg.display());
    println!("top {} frames by self time:", profile.hot.len());
    for frame in &profile.hot {
        let share = 100.0 * frame.self_samples as f64 / profile.samples.max(1) as f64;
        let mut line = format!(
            "{:>8} {:>6.2}%  {}",
            frame.self_samples, share, frame.function
        );
        if let Some(file) = &frame.file {
            line.push_str(&format!("  ({file})"));
        }
        if let Some(via) = &frame.via {
            line.push_str(&format!("\n{:>17}via {via}", ""));
        }
        println!("{line}");
    }
    Ok(true)
}
