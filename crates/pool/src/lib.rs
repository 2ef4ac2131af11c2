//! A bounded, thread-safe pool of reusable byte buffers with RAII return.
//!
//! [`BufferPool`] holds idle `Vec<u8>` buffers. [`BufferPool::get`] hands one out as a
//! [`PooledBuf`] guard; dropping the guard clears the buffer and puts it back. The pool is
//! cheap to clone (an `Arc`), so every thread can hold its own handle to the same buffers.
//!
//! Two limits keep memory bounded:
//!
//! - at most [`max_buffers`](BufferPoolBuilder::max_buffers) buffers sit idle; a buffer
//!   returned to a full pool is freed;
//! - a buffer whose capacity grew past
//!   [`max_retained_capacity`](BufferPoolBuilder::max_retained_capacity) (say, to hold one
//!   huge line) is freed instead of kept, so a single outlier cannot pin its memory for
//!   the rest of the process.
//!
//! A buffer that comes back smaller than it went out (its allocation taken with
//! `mem::take`) is freed too: every [`get`](BufferPool::get) hands out at least
//! [`buffer_capacity`](BufferPoolBuilder::buffer_capacity).
//!
//! [`PoolStats`] counts what happened (gets, hits, misses, returns, drops) so a benchmark
//! can show how many allocations the pool saved.
//!
//! This is what Go's `sync.Pool` is for, without its trap: in Go, a buffer handed back
//! with `Put` can still be written through the old reference while another goroutine
//! already uses it. Here giving a buffer back *is* dropping its guard, so the borrow
//! checker rejects any later use (see [`PooledBuf`] for the doctest that proves it).
//! [`PooledBuf::freeze`] turns a filled buffer into a read-only [`bytes::Bytes`] that
//! threads can share; the buffer goes back to the pool when the last clone is dropped.
//!
//! # Example
//!
//! ```
//! use logscan_pool::BufferPool;
//!
//! let pool = BufferPool::builder()
//!     .max_buffers(4)
//!     .buffer_capacity(1024)
//!     .max_retained_capacity(4096)
//!     .build();
//!
//! {
//!     let mut buf = pool.get(); // a new allocation: the pool starts empty
//!     buf.extend_from_slice(b"GET / HTTP/1.1\n");
//!     assert_eq!(&buf[..], b"GET / HTTP/1.1\n");
//! } // dropped: cleared and returned
//!
//! let buf = pool.get(); // the same allocation, reused
//! assert!(buf.is_empty());
//! assert!(buf.capacity() >= 1024);
//!
//! let stats = pool.stats();
//! assert_eq!((stats.gets, stats.hits, stats.misses), (2, 1, 1));
//! ```
#![deny(missing_docs)]

mod buf;
mod pool;

pub use crate::{
    buf::PooledBuf,
    pool::{BufferPool, BufferPoolBuilder, PoolStats},
};
