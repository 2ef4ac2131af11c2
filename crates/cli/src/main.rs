//! `logscan`: what is in a log, for a person at a terminal or a script in a pipe.
//!
//! The binary joins the logscan crates: `logscan-source` reads the input with one of
//! three I/O strategies (`--io stream|read|mmap|auto`), `logscan-parse` turns lines
//! into records of a [`LogFormat`](logscan_parse::LogFormat) (a preset, an nginx
//! `log_format`, or a guess), and each subcommand does one job with them:
//!
//! | command | prints |
//! |---|---|
//! | `summary` | a report: statuses, top paths and clients, latency (`--json`, `--csv`) |
//! | `count` | lines, and malformed lines when a format is given |
//! | `filter` | the raw lines that meet every condition, in input order |
//! | `slice` | the lines of a time range, found by binary search |
//! | `records` | parsed records as NDJSON |
//! | `completions` | a bash, zsh or fish completion script |
//!
//! Errors are one line, `logscan: <file>: <what went wrong> (line N, byte M)`; the
//! exit status is 0 on success, 1 when `filter` or `slice` matched nothing, 2 for
//! usage and I/O errors. With `LOGSCAN_ALLOC_STATS=1` the process prints
//! `logscan-alloc: allocations=<N> peak_heap_bytes=<M>` on stderr as it exits (the
//! benchmark harness reads it; the counting allocator is `logscan-alloc`).
//!
//! ```sh
//! logscan summary /var/log/nginx/access.log
//! logscan filter --status 5xx --since 2025-03-14T06:00:00Z access.log | head
//! logscan count --io mmap --threads 4 -q access.log access.log.1
//! ```
#![deny(missing_docs)]

mod cli;
mod count;
mod cpu;
mod error;
mod filter;
mod format;
mod input;
mod notes;
mod out;
mod records;
mod slice;
mod summary;

use clap::{CommandFactory, FromArgMatches};

use crate::{
    cli::{Cli, Command},
    error::Exit,
};

#[global_allocator]
static ALLOC: logscan_alloc::CountingAlloc = logscan_alloc::CountingAlloc::system();

/// The environment variable that asks for the allocation statistics line.
const ALLOC_STATS_ENV: &str = "LOGSCAN_ALLOC_STATS";

fn main() {
    // A bug must still end as one line and exit status 2, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("panic");
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        notes::stderr_line(format_args!(
            "logscan: internal error (please report it): {message}{at}"
        ));
    }));
    let exit = std::panic::catch_unwind(run).unwrap_or(Exit::Error);
    report_alloc_stats();
    std::process::exit(exit.code());
}

fn run() -> Exit {
    // `--version` also says what instruction set the binary was compiled for. clap
    // keeps a `&'static str` here: the text is built once per run and leaked.
    let long_version: &'static str = Box::leak(
        format!(
            "{}\ncompiled for {}",
            env!("CARGO_PKG_VERSION"),
            cpu::compiled_for()
        )
        .into_boxed_str(),
    );
    let parsed = Cli::command()
        .long_version(long_version)
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with success; usage errors to stderr with 2.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Success
            };
        }
    };
    let result = match cli.command {
        Command::Summary(args) => summary::run(args),
        Command::Count(args) => count::run(args),
        Command::Filter(args) => filter::run(args),
        Command::Slice(args) => slice::run(args),
        Command::Records(args) => records::run(args),
        Command::Completions { shell } => completions(shell),
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            notes::stderr_line(format_args!("{}", e.report()));
            Exit::Error
        }
    }
}

fn completions(shell: cli::CompletionShell) -> Result<Exit, error::CliError> {
    let mut out = out::Output::stdout();
    let mut script = Vec::new();
    clap_complete::generate(
        clap_complete::Shell::from(shell),
        &mut Cli::command(),
        "logscan",
        &mut script,
    );
    let _ = out.write(|w| w.write_all(&script));
    out.finish()?;
    Ok(Exit::Success)
}

/// Prints the allocation line when asked; on every exit path that returns from
/// `run`, errors included.
fn report_alloc_stats() {
    let asked = std::env::var_os(ALLOC_STATS_ENV).is_some_and(|v| !v.is_empty() && v != "0");
    if asked {
        let stats = logscan_alloc::stats();
        notes::stderr_line(format_args!(
            "logscan-alloc: allocations={} peak_heap_bytes={}",
            stats.allocations, stats.peak_bytes
        ));
    }
}
