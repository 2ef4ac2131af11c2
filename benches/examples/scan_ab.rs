//! Scanner settings compared in one process: `summary`'s aggregate over one mapped
//! file, each setting in turn, round after round; then the minimum and median wall
//! time of each.
//!
//! ```sh
//! cargo run --release -p logscan-benches --example scan_ab -- FILE ROUNDS CHUNK_KIB:THREADS...
//! cargo run --release -p logscan-benches --example scan_ab -- big.log 10 1024:2 256:2 64:2
//! ```
//!
//! On a shared machine whose speed drifts within minutes, settings run in turn within
//! one process (the same mapping, the same page cache, the same heap) compare more
//! steadily than separate runs of two binaries. The summaries must agree; the program
//! stops if they do not.

use std::time::Instant;

use logscan_parse::LogFormat;
use logscan_scan::Scanner;
use logscan_source::{Source, Strategy};
use logscan_stats::Summary;

/// One setting: chunk size and worker threads.
struct Setting {
    label: String,
    scanner: Scanner,
}

fn usage() -> ! {
    eprintln!("usage: scan_ab FILE ROUNDS CHUNK_KIB:THREADS...");
    std::process::exit(2);
}

fn setting(text: &str) -> Setting {
    let parsed = text
        .split_once(':')
        .and_then(|(c, t)| Some((c.parse::<usize>().ok()?, t.parse::<usize>().ok()?)));
    let Some((chunk_kib, threads)) = parsed else {
        usage()
    };
    let scanner = Scanner::builder()
        .chunk_size(chunk_kib * 1024)
        .threads(threads)
        .build();
    match scanner {
        Ok(scanner) => Setting {
            label: format!("{chunk_kib} KiB chunks, {threads} threads"),
            scanner,
        },
        Err(e) => {
            eprintln!("{text}: {e}");
            std::process::exit(2);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, rounds, settings @ ..] = &args[..] else {
        usage()
    };
    let rounds: usize = rounds.parse().unwrap_or_else(|_| usage());
    if settings.is_empty() {
        usage();
    }
    let settings: Vec<Setting> = settings.iter().map(|s| setting(s)).collect();

    let open = || Source::builder().strategy(Strategy::Mmap).open(path);
    let head = open()?;
    let contents = head.contents().unwrap_or_default();
    let first_lines: Vec<&[u8]> = logscan_source::lines(contents).take(32).collect();
    let format = LogFormat::detect(&first_lines).ok_or("no format fits the first lines")?;

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); settings.len()];
    let mut reports: Vec<String> = vec![String::new(); settings.len()];
    for _ in 0..rounds {
        for (i, s) in settings.iter().enumerate() {
            let source = open()?;
            let start = Instant::now();
            let out = s.scanner.scan(source, || Summary::new(&format))?;
            times[i].push(start.elapsed().as_secs_f64() * 1e3);
            let mut report = out.aggregate.report();
            report.table_bytes = 0; // capacity, which depends on how the work was split
            reports[i] = serde_json::to_string(&report)?;
        }
    }
    if reports.windows(2).any(|w| w[0] != w[1]) {
        return Err("the settings gave different summaries".into());
    }
    for (s, mut t) in settings.iter().zip(times) {
        t.sort_by(f64::total_cmp);
        println!(
            "{:28} min {:7.1} ms  median {:7.1} ms",
            s.label,
            t[0],
            t[t.len() / 2]
        );
    }
    Ok(())
}
