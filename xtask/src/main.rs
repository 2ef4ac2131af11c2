//! `cargo xtask`: project tasks. See the library documentation for each task.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_bench;
mod cmd_flamegraph;
mod cmd_fuzz;
mod cmd_gen;

/// logscan project tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// One variant per task.
#[derive(Debug, Subcommand)]
enum Task {
    /// Generate a deterministic, realistic log dataset.
    Gen(cmd_gen::GenArgs),
    /// Time the logscan binary per I/O strategy, thread count and command, against
    /// baselines; write target/bench/report.{md,json} and strategies.svg.
    Bench(cmd_bench::BenchArgs),
    /// Profile the work of `logscan summary` or `count` in-process with pprof; write a
    /// flamegraph SVG and list the hottest frames by self time.
    Flamegraph(cmd_flamegraph::FlamegraphArgs),
    /// Run every cargo-fuzz target in fuzz/ for a while, one after another, and
    /// summarise executions and crashes.
    Fuzz(cmd_fuzz::FuzzArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Gen(args) => cmd_gen::run(args).map(|()| true),
        Task::Bench(args) => cmd_bench::run(args),
        Task::Flamegraph(args) => cmd_flamegraph::run(args),
        Task::Fuzz(args) => cmd_fuzz::run(args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
