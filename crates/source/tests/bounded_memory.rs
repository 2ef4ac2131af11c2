//! Stream memory stays bounded by block size + line limit, whatever the input. One test
//! in its own binary: the counting allocator's peak is process-wide.

use std::io::{Cursor, Read, repeat};

use logscan_alloc::{CountingAlloc, reset_peak, stats};
use logscan_source::{LineLimit, LongLinePolicy, Source, Strategy};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::system();

const MIB: usize = 1024 * 1024;

/// 32 MiB of one line without a newline, then a short line; allocates nothing itself.
fn huge_line_then_ok() -> impl Read + Send + 'static {
    repeat(b'x')
        .take(32 * MIB as u64)
        .chain(Cursor::new(b"\nok\n"))
}

/// Peak heap growth while `f` runs.
fn peak_growth(f: impl FnOnce()) -> usize {
    let live = stats().live_bytes;
    reset_peak();
    f();
    stats().peak_bytes.saturating_sub(live)
}

#[test]
fn stream_memory_is_bounded_by_block_and_limit_not_by_input() {
    let mut b = Source::builder();
    b.block_size(64 * 1024)
        .line_limit(LineLimit::new(256 * 1024, LongLinePolicy::Skip));

    let skipping = peak_growth(|| {
        let source = b.open_reader("huge", huge_line_then_ok()).unwrap();
        let mut lines = Vec::new();
        let counts = source
            .for_each_line(|l| lines.push(l.bytes.to_vec()))
            .unwrap();
        assert_eq!(lines, [b"ok".to_vec()]);
        assert_eq!(counts.skipped, 1);
    });
    // The bound is about block + limit + one read (~400 KiB); 2 MiB leaves room for
    // the pool and the reader, and is 16x below the line's 32 MiB.
    assert!(
        skipping < 2 * MIB,
        "peak grew by {skipping} bytes while skipping"
    );

    b.long_lines(LongLinePolicy::Error);
    let failing = peak_growth(|| {
        let source = b.open_reader("huge", huge_line_then_ok()).unwrap();
        assert!(source.for_each_line(|_| {}).is_err());
    });
    assert!(
        failing < 2 * MIB,
        "peak grew by {failing} bytes before the error"
    );

    // The measurement itself works: ReadAll has to hold the whole line.
    b.strategy(Strategy::ReadAll);
    let whole = peak_growth(|| {
        let source = b.open_reader("huge", huge_line_then_ok()).unwrap();
        assert_eq!(source.contents().map(<[u8]>::len), Some(32 * MIB + 4));
    });
    assert!(
        whole >= 32 * MIB,
        "ReadAll peak {whole} should cover the input"
    );
}
