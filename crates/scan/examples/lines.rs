//! Counts the lines of a file with the scanner, to measure the scan path alone.
//!
//! `cargo run --release -p logscan-scan --example lines -- FILE [stream|read|mmap|auto]
//! [THREADS] [CHUNK_BYTES] [REPEAT] [split|totals]`
//!
//! `split` (the default) feeds every line to [`LineCount`]; `totals` scans with `()`,
//! which only counts newlines.

use std::{process::ExitCode, time::Instant};

use logscan_scan::{LineCount, Scanner};
use logscan_source::{Source, Strategy};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: lines FILE [stream|read|mmap|auto] [THREADS] [CHUNK_BYTES] [REPEAT]");
        return ExitCode::from(2);
    };
    let strategy: Strategy = args.get(1).and_then(|s| s.parse().ok()).unwrap_or_default();
    let mut builder = Scanner::builder();
    if let Some(threads) = args.get(2).and_then(|s| s.parse().ok()) {
        builder.threads(threads);
    }
    if let Some(chunk) = args.get(3).and_then(|s| s.parse().ok()) {
        builder.chunk_size(chunk);
    }
    let repeat: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let split = args.get(5).is_none_or(|mode| mode != "totals");
    let scanner = match builder.build() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("lines: {e}");
            return ExitCode::from(2);
        }
    };
    for _ in 0..repeat {
        let start = Instant::now();
        let result = Source::builder()
            .strategy(strategy)
            .open(path)
            .map_err(logscan_scan::Error::from)
            .and_then(|source| {
                if split {
                    scanner.scan(source, LineCount::default).map(|o| o.stats)
                } else {
                    scanner.scan(source, || ()).map(|o| o.stats)
                }
            });
        match result {
            Ok(stats) => println!(
                "{} lines, {} bytes, {} ({} threads, {} chunks) in {:.3} s",
                stats.lines,
                stats.bytes,
                stats.strategy,
                stats.threads,
                stats.chunks,
                start.elapsed().as_secs_f64()
            ),
            Err(e) => {
                eprintln!("lines: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
