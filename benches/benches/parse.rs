//! logscan-parse throughput: the nginx `combined` format plus `$request_time`, every
//! field extracted and typed, over a buffer of realistic synthetic lines. Results and
//! the command that produced them are recorded in docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logscan_benches::{
    DIRECTIVE, combined_request_time_lines, scan_all_fields, scan_match_only, typed_only,
};
use logscan_parse::{LogFormat, parse_timestamp};

fn bench_combined(c: &mut Criterion) {
    let format = LogFormat::from_nginx(DIRECTIVE).expect("the bench format compiles");
    let buf = combined_request_time_lines(16 << 20);
    let lines = memchr::memchr_iter(b'\n', &buf).count();
    eprintln!(
        "dataset: {} bytes, {} lines, {:.0} bytes/line",
        buf.len(),
        lines,
        buf.len() as f64 / lines as f64
    );
    let mut g = c.benchmark_group("parse_combined_request_time");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.sample_size(10);
    g.bench_function("all_fields_typed", |b| {
        b.iter(|| scan_all_fields(&format, black_box(&buf)))
    });
    g.bench_function("match_only", |b| {
        b.iter(|| scan_match_only(&format, black_box(&buf)))
    });
    let records: Vec<logscan_parse::Record<'_>> = buf
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| format.parse(l).ok())
        .collect();
    g.bench_function("typed_only", |b| b.iter(|| typed_only(black_box(&records))));
    g.finish();
}

fn bench_timestamp(c: &mut Criterion) {
    let mut g = c.benchmark_group("timestamp");
    g.throughput(Throughput::Elements(1));
    // The same day as the previous call: the per-thread day memo answers.
    g.bench_function("clf_same_day", |b| {
        b.iter(|| parse_timestamp(black_box(b"10/Oct/2000:13:55:36 -0700")))
    });
    // Alternating days: every call parses the date in full.
    let days: [&[u8]; 2] = [b"10/Oct/2000:13:55:36 -0700", b"11/Oct/2000:13:55:36 -0700"];
    let mut k = 0usize;
    g.bench_function("clf_new_day", |b| {
        b.iter(|| {
            k += 1;
            parse_timestamp(black_box(days[k & 1]))
        })
    });
    g.bench_function("rfc3339", |b| {
        b.iter(|| parse_timestamp(black_box(b"2000-10-10T13:55:36.123+02:00")))
    });
    g.finish();
}

criterion_group!(benches, bench_combined, bench_timestamp);
criterion_main!(benches);
