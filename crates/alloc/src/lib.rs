//! A counting global allocator.
//!
//! [`CountingAlloc`] wraps another [`GlobalAlloc`] (the system allocator by default)
//! and keeps three process-wide counters: how many allocations were made, how many
//! bytes are live now, and the most bytes that were ever live at once (the peak
//! heap). [`stats`] reads them. The `logscan` binary installs it so that
//! `cargo xtask bench` can print allocations and peak heap next to wall time, and
//! tests install it to prove that a hot path does not allocate.
//!
//! The counters are global because the allocator is: there is exactly one
//! `#[global_allocator]` per process, so per-instance counters would only mislead.
//! One more counts the allocations of the calling thread alone
//! ([`thread_allocations`]): a test that proves a loop allocates nothing must not
//! count what the test harness's own threads allocate meanwhile.
//!
//! # Example
//!
//! ```
//! use logscan_alloc::{CountingAlloc, stats};
//!
//! #[global_allocator]
//! static ALLOC: CountingAlloc = CountingAlloc::system();
//!
//! let before = stats();
//! let v: Vec<u8> = Vec::with_capacity(4096);
//! let after = stats();
//! assert!(after.allocations > before.allocations);
//! assert!(after.peak_bytes >= 4096);
//! drop(v);
//! ```
#![deny(missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Const-initialised and without a destructor: reading or bumping it never
    // allocates, so the allocator can use it.
    static THREAD_ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A [`GlobalAlloc`] that forwards to `A` and counts what passes through.
///
/// Install it with `#[global_allocator]`; read the counters with [`stats`].
/// Counting costs three relaxed atomic operations per allocation, which is
/// negligible next to the allocation itself.
#[derive(Debug, Default)]
pub struct CountingAlloc<A = System> {
    inner: A,
}

impl CountingAlloc<System> {
    /// A counting wrapper around the system allocator, usable in a `static`.
    pub const fn system() -> Self {
        CountingAlloc { inner: System }
    }
}

impl<A> CountingAlloc<A> {
    /// A counting wrapper around `inner`.
    pub const fn new(inner: A) -> Self {
        CountingAlloc { inner }
    }
}

/// A snapshot of the process-wide allocation counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocStats {
    /// Allocations since the process started (`alloc`, `alloc_zeroed` and every
    /// `realloc`, since a reallocation may move and copy the block).
    pub allocations: u64,
    /// Bytes allocated and not yet freed.
    pub live_bytes: usize,
    /// The largest value `live_bytes` has had since start or the last [`reset_peak`].
    pub peak_bytes: usize,
}

/// Reads the counters. Counts only what went through a [`CountingAlloc`] installed
/// as the global allocator; without one, everything stays zero.
pub fn stats() -> AllocStats {
    AllocStats {
        allocations: ALLOCATIONS.load(Ordering::Relaxed),
        live_bytes: LIVE_BYTES.load(Ordering::Relaxed),
        peak_bytes: PEAK_BYTES.load(Ordering::Relaxed),
    }
}

/// Allocations made by the calling thread so far (as counted in
/// [`AllocStats::allocations`]).
///
/// ```
/// use logscan_alloc::{CountingAlloc, thread_allocations};
///
/// #[global_allocator]
/// static ALLOC: CountingAlloc = CountingAlloc::system();
///
/// let before = thread_allocations();
/// std::thread::spawn(|| vec![0u8; 64]).join().unwrap();
/// let spawned = thread_allocations() - before; // the thread's own setup, not the Vec
/// let before = thread_allocations();
/// let v = vec![0u8; 64];
/// assert_eq!(thread_allocations() - before, 1);
/// # let _ = (v, spawned);
/// ```
pub fn thread_allocations() -> u64 {
    THREAD_ALLOCATIONS
        .try_with(std::cell::Cell::get)
        .unwrap_or(0)
}

/// Sets the peak to the current live bytes, so a later [`stats`] reports the peak
/// of what happened in between.
pub fn reset_peak() {
    PEAK_BYTES.store(LIVE_BYTES.load(Ordering::Relaxed), Ordering::Relaxed);
}

fn grew(bytes: usize) {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    // Unavailable only while the thread is being torn down; nothing to count then.
    let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    let live = LIVE_BYTES.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    LIVE_BYTES.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every method forwards to `inner`, which upholds the GlobalAlloc contract;
// the counting around it touches only atomics and a const thread-local cell, and never
// allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed through unchanged.
        let ptr = unsafe { self.inner.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed` is passed through unchanged.
        let ptr = unsafe { self.inner.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed through unchanged.
        unsafe { self.inner.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc` is passed through unchanged.
        let new_ptr = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            // Count the size change only. Large blocks grow in place or by
            // `mremap` (glibc), so old and new never coexist; a small block that
            // moves is briefly held twice, which is too small to matter for a peak.
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
            let old_size = layout.size();
            if new_size >= old_size {
                let live = LIVE_BYTES.fetch_add(new_size - old_size, Ordering::Relaxed)
                    + (new_size - old_size);
                PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
            } else {
                shrank(old_size - new_size);
            }
        }
        new_ptr
    }
}
