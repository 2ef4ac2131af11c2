//! The counters move as allocations happen (this test binary installs the allocator).

use logscan_alloc::{CountingAlloc, reset_peak, stats};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::system();

#[test]
fn counts_allocations_live_bytes_and_peak() {
    // One test function only: the counters are process-wide and the harness runs
    // tests on several threads, which would blur exact deltas between tests.
    reset_peak();
    let start = stats();

    let big = vec![0u8; 1 << 20];
    let during = stats();
    assert!(during.allocations > start.allocations);
    assert!(during.live_bytes >= start.live_bytes + (1 << 20));
    assert!(during.peak_bytes >= during.live_bytes);

    drop(big);
    let after = stats();
    assert!(after.live_bytes < during.live_bytes);
    assert!(
        after.peak_bytes >= start.live_bytes + (1 << 20),
        "peak remembers the freed block"
    );

    reset_peak();
    let reset = stats();
    assert!(
        reset.peak_bytes < start.live_bytes + (1 << 20),
        "reset_peak forgets it"
    );

    let mut grow: Vec<u64> = Vec::with_capacity(1);
    let before_realloc = stats().allocations;
    grow.reserve(1 << 16);
    assert!(
        stats().allocations > before_realloc,
        "realloc counts as an allocation"
    );
}
