//! logscan-parse per format, on generated logs (the `cargo xtask gen` generator,
//! 16 MiB each): nginx `combined` (the generator's lines with `$request_time` cut
//! off), `combined_timed` (`combined` + `$request_time`), application logs (`app`:
//! timestamp, level, component, message, with stack-trace continuation lines that do
//! not parse) and JSON lines (`json`: access and application objects). Each line is
//! split off, parsed, and the fields a summary reads whatever the format are read
//! typed: time, status, level, path, message. parse.rs has the detailed combined
//! benchmark; this one compares the formats. Results and the command are recorded in
//! docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logscan_benches::{generated, parse_typed, without_last_field};
use logscan_parse::LogFormat;

fn bench_formats(c: &mut Criterion) {
    let timed = generated(xtask::Format::Combined, 16 << 20);
    let cases = [
        (
            "combined",
            LogFormat::combined(),
            without_last_field(&timed),
        ),
        ("combined_timed", LogFormat::combined_timed(), timed.clone()),
        (
            "app",
            LogFormat::app(),
            generated(xtask::Format::App, 16 << 20),
        ),
        (
            "json",
            LogFormat::json(),
            generated(xtask::Format::Json, 16 << 20),
        ),
    ];
    let mut g = c.benchmark_group("parse_format");
    g.sample_size(10);
    for (name, format, buf) in &cases {
        let lines = logscan_source::count_lines(buf);
        let bad = parse_typed(format, buf) >> 48;
        eprintln!(
            "{name}: {} bytes, {lines} lines, {:.0} bytes/line, {bad} not parsed",
            buf.len(),
            buf.len() as f64 / lines as f64
        );
        g.throughput(Throughput::Bytes(buf.len() as u64));
        g.bench_function(*name, |b| b.iter(|| parse_typed(format, black_box(buf))));
    }
    g.finish();
}

criterion_group!(benches, bench_formats);
criterion_main!(benches);
