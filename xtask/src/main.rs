//! `cargo xtask`: project tasks. See the library documentation for each task.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_bench;
mod cmd_gen;

/// logscan project tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// One variant per task; `flamegraph` and `fuzz` join here once the scanner
/// crates they drive exist.
#[derive(Debug, Subcommand)]
enum Task {
    /// Generate a deterministic, realistic log dataset.
    Gen(cmd_gen::GenArgs),
    /// Time the logscan binary per I/O strategy, thread count and command, against
    /// baselines; write target/bench/report.{md,json} and strategies.svg.
    Bench(cmd_bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Gen(args) => cmd_gen::run(args).map(|()| true),
        Task::Bench(args) => cmd_bench::run(args),
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
