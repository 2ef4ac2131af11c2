//! Allocation behaviour, measured with the counting allocator (one test in its own
//! binary: the counters are process-wide): no allocation per line for keys already
//! seen, and a Stream summary whose memory does not grow with the input.

mod support;

use std::io::Read;

use logscan_alloc::{CountingAlloc, reset_peak, stats, thread_allocations};
use logscan_parse::LogFormat;
use logscan_scan::{Aggregate, Scanner};
use logscan_source::Source;
use logscan_stats::{Summary, SummaryBuilder};
use support::*;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::system();

const MIB: usize = 1024 * 1024;

fn allocations_for_second_pass(make: impl Fn() -> Summary, input: &[u8]) -> u64 {
    let lines: Vec<&[u8]> = input
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    let mut summary = make();
    for (i, l) in lines.iter().enumerate() {
        summary.add_line(l, i as u64 + 1);
    }
    // Every key is now in the tables, every minute seen, the histogram made: a second
    // pass over the same lines (later line numbers, so no new malformed samples) must
    // not allocate at all. Counted on this thread only: the test harness's own
    // threads allocate now and then, and the process-wide count would see that.
    let offset = lines.len() as u64;
    let before = thread_allocations();
    for (i, l) in lines.iter().enumerate() {
        summary.add_line(l, offset + i as u64 + 1);
    }
    let allocations = thread_allocations() - before;
    assert_eq!(summary.lines(), 2 * lines.len() as u64);
    allocations
}

/// 16 MiB of access lines from small pools: the tables stay small, so the peak heap
/// must not depend on the input's size.
struct Repeating {
    lines: Vec<u8>,
    pos: usize,
}

impl Read for Repeating {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.lines.len() - self.pos);
        buf[..n].copy_from_slice(&self.lines[self.pos..self.pos + n]);
        self.pos = (self.pos + n) % self.lines.len();
        Ok(n)
    }
}

#[test]
fn allocation_free_per_line_and_bounded_stream_memory() {
    let access =
        allocations_for_second_pass(|| Summary::new(&access_format()), &access_log(4, 400));
    assert_eq!(access, 0, "access lines with known keys allocated");
    let app = allocations_for_second_pass(|| Summary::new(&LogFormat::app()), &app_log(5, 400));
    assert_eq!(app, 0, "application lines with known templates allocated");
    // With conditions, and with served time per path.
    let kept = allocations_for_second_pass(
        || {
            SummaryBuilder::new()
                .path_times(true)
                .build(&access_format())
                .keep_only(|r| r.status().is_some_and(|s| s != 200))
        },
        &access_log(4, 400),
    );
    assert_eq!(kept, 0, "a summary with conditions allocated on known keys");

    let format = access_format();
    let pattern = access_log(6, 200);
    let size = 16 * MIB as u64;
    let scanner = Scanner::builder().threads(2).build().unwrap();
    let live = stats().live_bytes;
    reset_peak();
    let source = Source::builder()
        .block_size(64 * 1024)
        .open_reader(
            "repeating",
            Repeating {
                lines: pattern,
                pos: 0,
            }
            .take(size),
        )
        .unwrap();
    let out = scanner.scan(source, || Summary::new(&format)).unwrap();
    let peak = stats().peak_bytes.saturating_sub(live);
    assert_eq!(out.stats.bytes, size);
    let tables = out.aggregate.table_bytes();
    eprintln!("16 MiB streamed: peak heap growth {peak} B, tables {tables} B");
    // Blocks in flight (~0.5 MiB), three summaries (statuses, sketch, histogram ~0.25
    // MiB each, small tables): 4 MiB is a quarter of the input.
    assert!(peak < 4 * MIB, "peak heap grew by {peak} bytes");
}
