//! A Stream scan's memory is bounded by the queue depth and block size, not by the
//! input: 48 MiB of lines go through with a peak heap growth of well under 4 MiB, for
//! the aggregate path and for the ordered map. One test per binary: the counting
//! allocator's peak is process-wide.

use std::io::Read;

use logscan_alloc::{CountingAlloc, reset_peak, stats};
use logscan_scan::{LineCount, Scanner};
use logscan_source::Source;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::system();

const MIB: usize = 1024 * 1024;
const INPUT: u64 = 48 * MIB as u64;

/// Endless lines of a fixed shape, cut at `INPUT` bytes; allocates nothing while read.
struct Lines {
    line: [u8; 64],
    pos: usize,
}

impl Read for Lines {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        for b in buf.iter_mut() {
            *b = self.line[self.pos];
            self.pos = (self.pos + 1) % self.line.len();
        }
        Ok(buf.len())
    }
}

fn input() -> impl Read + Send + 'static {
    let mut line = [b'x'; 64];
    line[63] = b'\n';
    Lines { line, pos: 0 }.take(INPUT)
}

fn peak_growth(f: impl FnOnce()) -> usize {
    let live = stats().live_bytes;
    reset_peak();
    f();
    stats().peak_bytes.saturating_sub(live)
}

#[test]
fn stream_memory_is_bounded_by_queue_and_blocks_not_by_input() {
    let block = 64 * 1024;
    let scanner = Scanner::builder()
        .threads(2)
        .queue_depth(4)
        .build()
        .unwrap();
    let mut builder = Source::builder();
    builder.block_size(block);

    let scanning = peak_growth(|| {
        let source = builder.open_reader("lines", input()).unwrap();
        let out = scanner.scan(source, LineCount::default).unwrap();
        assert_eq!(out.aggregate.lines, INPUT / 64);
        assert_eq!(out.stats.bytes, INPUT);
    });
    // (queue 4 + threads 2 + reader 1) blocks of 64 KiB, each with room for a carried
    // line, is under 1 MiB; 4 MiB leaves room for the pool and the threads' own
    // allocations and is 12x below the input.
    assert!(
        scanning < 4 * MIB,
        "peak grew by {scanning} bytes while scanning"
    );

    let mapping = peak_growth(|| {
        let source = builder.open_reader("lines", input()).unwrap();
        let mut total = 0u64;
        scanner
            .map_ordered(
                source,
                |chunk| chunk.bytes().to_vec(),
                |copy| {
                    total += copy.len() as u64;
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
        assert_eq!(total, INPUT);
    });
    eprintln!("peak growth: scan {scanning} B, ordered map {mapping} B");
    assert!(
        mapping < 4 * MIB,
        "peak grew by {mapping} bytes in the ordered map"
    );
}
