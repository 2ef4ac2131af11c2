//! Merging per-worker aggregates: the cost, at the end of a parallel scan, of folding
//! one worker's `logscan_stats::Summary` into another's (every count table, the
//! served-time histogram, the per-minute counters, the malformed samples). Each side
//! has summarised a different run of generated nginx lines (the `cargo xtask gen`
//! generator: Zipf-distributed paths and clients, so the two sides share their
//! common keys and each has rare keys of its own). `add_lines` feeds the same number
//! of lines to a fresh summary: the work a merge is set against. Results and the
//! command are recorded in docs/benchmarks.md.

use std::hint::black_box;

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use logscan_benches::generated;
use logscan_parse::LogFormat;
use logscan_scan::Aggregate;
use logscan_stats::Summary;

/// A summary of `lines`, numbered from `first_number`.
fn summarise(format: &LogFormat, lines: &[&[u8]], first_number: u64) -> Summary {
    let mut summary = Summary::new(format);
    for (i, line) in lines.iter().enumerate() {
        summary.add_line(line, first_number + i as u64);
    }
    summary
}

fn bench_merge(c: &mut Criterion) {
    let format = LogFormat::combined_timed();
    let buf = generated(xtask::Format::Combined, 48 << 20);
    let all: Vec<&[u8]> = logscan_source::lines(&buf).collect();
    let mut g = c.benchmark_group("summary_merge");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    for per_side in [10_000usize, 100_000] {
        assert!(all.len() >= 2 * per_side, "dataset too small");
        let (a, b) = all.split_at(per_side);
        let b = &b[..per_side];
        let probe = (
            summarise(&format, a, 1),
            summarise(&format, b, 1 + per_side as u64),
        );
        eprintln!(
            "{per_side} lines per side: tables of {} and {} KiB",
            probe.0.table_bytes() >> 10,
            probe.1.table_bytes() >> 10
        );
        g.throughput(Throughput::Elements(per_side as u64));
        g.bench_with_input(
            BenchmarkId::new("merge", per_side),
            &per_side,
            |bench, _| {
                bench.iter_batched(
                    || {
                        (
                            summarise(&format, a, 1),
                            summarise(&format, b, 1 + per_side as u64),
                        )
                    },
                    |(mut left, right)| {
                        left.merge(right);
                        // Dropping the merged summary is part of the cost at the end of
                        // a scan, but not of the merge: hand it back to criterion.
                        left
                    },
                    BatchSize::PerIteration,
                )
            },
        );
        g.bench_with_input(
            BenchmarkId::new("add_lines", per_side),
            &per_side,
            |bench, _| bench.iter(|| black_box(summarise(&format, black_box(a), 1))),
        );
    }
    g.finish();
}

criterion_group!(benches, bench_merge);
criterion_main!(benches);
