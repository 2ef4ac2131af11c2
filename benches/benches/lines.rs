//! Line splitting: logscan-source's `count_lines` and `lines` (memchr underneath)
//! against plain byte-at-a-time loops, over 16 MiB of generated nginx lines (the
//! `cargo xtask gen` generator: about 210 bytes per line, a few very long lines).
//! Results and the command are recorded in docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logscan_benches::{generated, naive_count, naive_split, split_with_lines};

fn bench_lines(c: &mut Criterion) {
    let buf = generated(xtask::Format::Combined, 16 << 20);
    let (lines, _) = split_with_lines(&buf);
    eprintln!(
        "dataset: {} bytes, {} lines, {:.0} bytes/line",
        buf.len(),
        lines,
        buf.len() as f64 / lines as f64
    );

    let mut g = c.benchmark_group("line_count");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.bench_function("count_lines_memchr", |b| {
        b.iter(|| logscan_source::count_lines(black_box(&buf)))
    });
    g.bench_function("naive_byte_loop", |b| {
        b.iter(|| naive_count(black_box(&buf)))
    });
    g.finish();

    let mut g = c.benchmark_group("line_split");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.bench_function("lines_memchr", |b| {
        b.iter(|| split_with_lines(black_box(&buf)))
    });
    g.bench_function("naive_byte_loop", |b| {
        b.iter(|| naive_split(black_box(&buf)))
    });
    g.finish();
}

criterion_group!(benches, bench_lines);
criterion_main!(benches);
