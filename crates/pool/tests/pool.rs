use std::{collections::HashSet, sync::Barrier, thread};

use logscan_pool::{BufferPool, PoolStats};

fn small_pool(max_buffers: usize) -> BufferPool {
    BufferPool::builder()
        .max_buffers(max_buffers)
        .buffer_capacity(16)
        .max_retained_capacity(64)
        .build()
}

#[test]
fn returned_buffer_is_reused_and_cleared() {
    let pool = small_pool(4);
    let first_ptr = {
        let mut buf = pool.get();
        buf.extend_from_slice(b"stale bytes");
        buf.as_ptr()
    };
    let buf = pool.get();
    assert_eq!(buf.as_ptr(), first_ptr, "the same allocation comes back");
    assert!(buf.is_empty(), "a reused buffer starts empty");
    assert!(buf.capacity() >= 16);
    drop(buf);
    assert_eq!(
        pool.stats(),
        PoolStats {
            gets: 2,
            hits: 1,
            misses: 1,
            returns: 2,
            ..PoolStats::default()
        }
    );
    assert_eq!(pool.idle(), 1);
}

#[test]
fn several_outstanding_buffers_are_distinct_and_all_come_back() {
    let pool = small_pool(4);
    let bufs: Vec<_> = (0..3).map(|_| pool.get()).collect();
    let ptrs: HashSet<_> = bufs.iter().map(|b| b.as_ptr()).collect();
    assert_eq!(ptrs.len(), 3);
    assert_eq!(pool.stats().outstanding(), 3);
    drop(bufs);
    assert_eq!(pool.idle(), 3);
    let again: Vec<_> = (0..3).map(|_| pool.get()).collect();
    let stats = pool.stats();
    assert_eq!((stats.hits, stats.misses), (3, 3));
    let again_ptrs: HashSet<_> = again.iter().map(|b| b.as_ptr()).collect();
    assert_eq!(again_ptrs, ptrs);
}

#[test]
fn oversize_buffer_is_dropped_not_kept() {
    let pool = small_pool(4);
    {
        let mut buf = pool.get();
        buf.extend_from_slice(&[b'x'; 1000]); // grows past max_retained_capacity (64)
        assert!(buf.capacity() > 64);
    }
    let stats = pool.stats();
    assert_eq!(stats.dropped_oversize, 1);
    assert_eq!(stats.returns, 0);
    assert_eq!(pool.idle(), 0);
    let buf = pool.get();
    assert!(
        buf.capacity() <= 64,
        "the big buffer was not handed out again"
    );
    assert_eq!(pool.stats().misses, 2);
}

#[test]
fn buffer_at_exactly_the_retained_limit_is_kept() {
    let pool = BufferPool::builder()
        .max_buffers(1)
        .buffer_capacity(0)
        .max_retained_capacity(32)
        .build();
    {
        let mut buf = pool.get();
        buf.reserve_exact(32);
        assert_eq!(buf.capacity(), 32);
    }
    assert_eq!(pool.stats().returns, 1);
    assert_eq!(pool.stats().dropped_oversize, 0);
}

#[test]
fn full_pool_frees_extra_buffers() {
    let pool = small_pool(2);
    let bufs: Vec<_> = (0..5).map(|_| pool.get()).collect();
    drop(bufs);
    let stats = pool.stats();
    assert_eq!(stats.returns, 2);
    assert_eq!(stats.dropped_full, 3);
    assert_eq!(pool.idle(), 2);
}

#[test]
fn zero_capacity_pool_never_retains() {
    let pool = small_pool(0);
    assert_eq!(pool.max_buffers(), 0);
    drop(pool.get());
    drop(pool.get());
    let stats = pool.stats();
    assert_eq!((stats.hits, stats.misses, stats.dropped_full), (0, 2, 2));
}

#[test]
fn into_vec_detaches_the_buffer() {
    let pool = small_pool(4);
    let mut buf = pool.get();
    buf.extend_from_slice(b"keep me");
    let owned = buf.into_vec();
    assert_eq!(owned, b"keep me");
    let stats = pool.stats();
    assert_eq!(stats.detached, 1);
    assert_eq!(stats.returns, 0);
    assert_eq!(stats.outstanding(), 0);
    assert_eq!(pool.idle(), 0);
}

#[test]
fn frozen_buffer_returns_when_last_clone_drops() {
    let pool = small_pool(4);
    let mut buf = pool.get();
    buf.extend_from_slice(b"shared\n");
    let a = buf.freeze();
    let b = a.clone();
    let handle = thread::spawn(move || b.len());
    assert_eq!(handle.join().ok(), Some(7));
    assert_eq!(pool.stats().outstanding(), 1);
    drop(a);
    assert_eq!(pool.stats().outstanding(), 0);
    assert_eq!(pool.stats().returns, 1);
}

#[test]
fn clones_share_buffers_and_counters() {
    let pool = small_pool(4);
    let other = pool.clone();
    drop(pool.get());
    let buf = other.get();
    assert_eq!(other.stats().hits, 1);
    drop(buf);
    assert_eq!(pool.stats(), other.stats());
}

#[test]
fn concurrent_get_and_return_keep_the_books_balanced() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 2_000;
    let pool = small_pool(4);
    let barrier = Barrier::new(THREADS);
    thread::scope(|s| {
        for t in 0..THREADS {
            let pool = pool.clone();
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                for i in 0..ROUNDS {
                    let mut buf = pool.get();
                    assert!(buf.is_empty(), "a handed-out buffer must be empty");
                    // Write a per-thread pattern and read it back: if two threads ever
                    // held the same buffer at once, one would see the other's bytes.
                    let tag = (t * 31 + i) as u8;
                    buf.extend_from_slice(&[tag; 8]);
                    if i % 100 == 0 {
                        buf.extend_from_slice(&[tag; 200]); // oversize: must be freed
                    }
                    thread::yield_now();
                    assert!(buf.iter().all(|&b| b == tag));
                }
            });
        }
    });
    let stats = pool.stats();
    let total = (THREADS * ROUNDS) as u64;
    assert_eq!(stats.gets, total);
    assert_eq!(stats.hits + stats.misses, total);
    assert_eq!(
        stats.returns + stats.dropped_oversize + stats.dropped_full,
        total
    );
    assert_eq!(stats.dropped_oversize, (THREADS * ROUNDS / 100) as u64);
    assert_eq!(stats.outstanding(), 0);
    assert!(stats.hits > 0, "buffers were reused across threads");
    assert!(pool.idle() <= 4);
}

/// A buffer whose allocation was taken comes back too small: it is not kept, so every
/// `get` still hands out at least `buffer_capacity`, and no allocation is counted as
/// saved that was not.
#[test]
fn a_buffer_whose_allocation_was_taken_is_not_kept() {
    let pool = small_pool(4);
    let mut buf = pool.get();
    let taken = std::mem::take(&mut *buf);
    assert!(taken.capacity() >= 16);
    drop(buf);
    assert_eq!(pool.idle(), 0);
    let stats = pool.stats();
    assert_eq!((stats.dropped_undersize, stats.returns), (1, 0));
    assert_eq!(stats.outstanding(), 0);
    let next = pool.get();
    assert!(next.capacity() >= 16);
    assert_eq!(pool.stats().hits, 0, "a fresh allocation, counted as one");
}
