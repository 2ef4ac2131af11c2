//! Counts the lines of a file with a chosen strategy, on one thread, and prints what
//! `auto` picked and how long it took.
//!
//! ```sh
//! cargo run --release -p logscan-source --example count -- auto access.log
//! cargo run --release -p logscan-source --example count -- stream - < access.log
//! ```

use std::{process::ExitCode, time::Instant};

use logscan_source::{Source, Strategy};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [strategy, path] = args.as_slice() else {
        eprintln!("usage: count <auto|stream|read|mmap> <path|->");
        return ExitCode::FAILURE;
    };
    let strategy: Strategy = match strategy.parse() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let result = Source::builder()
        .strategy(strategy)
        .open(path)
        .and_then(|source| {
            let picked = source.strategy();
            source.for_each_line(|_| {}).map(|counts| (picked, counts))
        });
    match result {
        Ok((picked, counts)) => {
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{picked}: {} lines, {} skipped, {} bytes in {secs:.3} s ({:.0} MB/s)",
                counts.lines,
                counts.skipped,
                counts.bytes,
                counts.bytes as f64 / secs / 1e6
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("logscan-source: {e}");
            ExitCode::FAILURE
        }
    }
}
