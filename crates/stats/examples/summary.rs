//! Summarises a log with the scanner and prints the report, the wall time and the peak
//! heap: a way to measure the summary path before (and apart from) the CLI.
//!
//! ```text
//! cargo run --release -p logscan-stats --example summary -- FILE
//!     [--io stream|read|mmap|auto] [--threads N] [--chunk BYTES]
//!     [--format NAME | --log-format 'NGINX LOG_FORMAT'] [--json | --csv | --quiet]
//!     [--repeat N] [--color]
//! ```
//!
//! Without `--format` the format is detected from the first 100 lines.

use std::{
    io::{BufRead, BufReader, Write},
    process::ExitCode,
    time::Instant,
};

use logscan_alloc::{CountingAlloc, reset_peak, stats};
use logscan_parse::LogFormat;
use logscan_scan::Scanner;
use logscan_source::{Source, Strategy};
use logscan_stats::{Summary, TextOptions};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::system();

struct Args {
    path: String,
    strategy: Strategy,
    threads: Option<usize>,
    chunk: Option<usize>,
    format: Option<String>,
    nginx: Option<String>,
    output: &'static str,
    repeat: usize,
    color: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut out = Args {
        path: String::new(),
        strategy: Strategy::Auto,
        threads: None,
        chunk: None,
        format: None,
        nginx: None,
        output: "text",
        repeat: 1,
        color: false,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--io" => out.strategy = value()?.parse().map_err(|e| format!("{e}"))?,
            "--threads" => out.threads = Some(value()?.parse().map_err(|_| "bad --threads")?),
            "--chunk" => out.chunk = Some(value()?.parse().map_err(|_| "bad --chunk")?),
            "--format" => out.format = Some(value()?),
            "--log-format" => out.nginx = Some(value()?),
            "--repeat" => out.repeat = value()?.parse().map_err(|_| "bad --repeat")?,
            "--json" => out.output = "json",
            "--csv" => out.output = "csv",
            "--quiet" => out.output = "none",
            "--color" => out.color = true,
            _ if out.path.is_empty() => out.path = arg,
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    if out.path.is_empty() {
        return Err("usage: summary FILE [--io S] [--threads N] [--chunk B] [--format F] [--json|--csv|--quiet] [--repeat N]".into());
    }
    Ok(out)
}

fn detect(path: &str) -> Result<LogFormat, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let lines: Vec<Vec<u8>> = BufReader::new(file)
        .split(b'\n')
        .take(100)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{path}: {e}"))?;
    let refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    LogFormat::detect(&refs).ok_or_else(|| format!("{path}: cannot tell the log format"))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let format = match (&args.format, &args.nginx) {
        (_, Some(directive)) => LogFormat::from_nginx(directive).map_err(|e| e.to_string())?,
        (Some(name), None) => name.parse::<LogFormat>().map_err(|e| e.to_string())?,
        (None, None) => detect(&args.path)?,
    };
    let mut builder = Scanner::builder();
    if let Some(n) = args.threads {
        builder.threads(n);
    }
    if let Some(n) = args.chunk {
        builder.chunk_size(n);
    }
    let scanner = builder.build().map_err(|e| e.to_string())?;
    for _ in 0..args.repeat {
        let live = stats().live_bytes;
        reset_peak();
        let start = Instant::now();
        let source = Source::builder()
            .strategy(args.strategy)
            .open(&args.path)
            .map_err(|e| e.to_string())?;
        let out = scanner
            .scan(source, || Summary::new(&format))
            .map_err(|e| e.to_string())?;
        let elapsed = start.elapsed();
        let peak = stats().peak_bytes.saturating_sub(live);
        let table_bytes = out.aggregate.table_bytes();
        let report = out.aggregate.report().with_scan(&out.stats);
        let stdout = std::io::stdout();
        let mut stdout = stdout.lock();
        let written = match args.output {
            "json" => report.write_json(&mut stdout),
            "csv" => report.write_csv(&mut stdout),
            "text" => {
                stdout.write_all(report.to_text(TextOptions { color: args.color }).as_bytes())
            }
            _ => Ok(()),
        };
        written.map_err(|e| e.to_string())?;
        eprintln!(
            "{} lines, {} bytes, {} format, {} strategy, {} threads: {:.3} s, {:.0} MB/s, peak heap {:.1} MiB (tables {:.1} MiB)",
            out.stats.lines,
            out.stats.bytes,
            format.name(),
            out.stats.strategy,
            out.stats.threads,
            elapsed.as_secs_f64(),
            out.stats.bytes as f64 / elapsed.as_secs_f64() / 1e6,
            peak as f64 / 1048576.0,
            table_bytes as f64 / 1048576.0,
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("summary: {e}");
            ExitCode::from(2)
        }
    }
}
