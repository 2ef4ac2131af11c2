//! `cargo xtask`: project tasks. See the library documentation for each task.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Gen(args) => cmd_gen::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
