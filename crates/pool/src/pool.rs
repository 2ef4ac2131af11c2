use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use crossbeam_queue::ArrayQueue;

use crate::buf::PooledBuf;

/// A bounded, thread-safe set of reusable byte buffers.
///
/// Cloning is cheap and every clone shares the same buffers and counters. See the
/// [crate documentation](crate) for the limits that keep its memory bounded.
#[derive(Clone)]
pub struct BufferPool {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` when the pool retains nothing (`max_buffers == 0`): crossbeam's queue
    /// cannot have capacity zero.
    idle: Option<ArrayQueue<Vec<u8>>>,
    buffer_capacity: usize,
    max_retained_capacity: usize,
    counters: Counters,
}

#[derive(Default)]
struct Counters {
    gets: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    returns: AtomicU64,
    dropped_oversize: AtomicU64,
    dropped_undersize: AtomicU64,
    dropped_full: AtomicU64,
    detached: AtomicU64,
}

impl BufferPool {
    /// Default number of idle buffers a pool keeps.
    pub const DEFAULT_MAX_BUFFERS: usize = 64;
    /// Default capacity of a newly allocated buffer (64 KiB).
    pub const DEFAULT_BUFFER_CAPACITY: usize = 64 * 1024;
    /// Default largest capacity a returned buffer may have and still be kept (1 MiB).
    pub const DEFAULT_MAX_RETAINED_CAPACITY: usize = 1024 * 1024;

    /// A pool with the default limits.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A builder to choose the pool's limits.
    pub fn builder() -> BufferPoolBuilder {
        BufferPoolBuilder::default()
    }

    /// Takes an idle buffer, or allocates one with
    /// [`buffer_capacity`](Self::buffer_capacity) if none is idle.
    ///
    /// The buffer is empty (`len() == 0`). It returns to the pool when the guard drops.
    pub fn get(&self) -> PooledBuf {
        let counters = &self.inner.counters;
        counters.gets.fetch_add(1, Ordering::Relaxed);
        let reused = self.inner.idle.as_ref().and_then(ArrayQueue::pop);
        let buf = match reused {
            Some(buf) => {
                counters.hits.fetch_add(1, Ordering::Relaxed);
                buf
            }
            None => {
                counters.misses.fetch_add(1, Ordering::Relaxed);
                Vec::with_capacity(self.inner.buffer_capacity)
            }
        };
        PooledBuf::new(buf, self.clone())
    }

    /// Counters since the pool was built, summed over all clones.
    pub fn stats(&self) -> PoolStats {
        let c = &self.inner.counters;
        // Relaxed loads: the counters are independent tallies; a snapshot taken while
        // other threads work may be mid-update, which callers accept.
        PoolStats {
            gets: c.gets.load(Ordering::Relaxed),
            hits: c.hits.load(Ordering::Relaxed),
            misses: c.misses.load(Ordering::Relaxed),
            returns: c.returns.load(Ordering::Relaxed),
            dropped_oversize: c.dropped_oversize.load(Ordering::Relaxed),
            dropped_undersize: c.dropped_undersize.load(Ordering::Relaxed),
            dropped_full: c.dropped_full.load(Ordering::Relaxed),
            detached: c.detached.load(Ordering::Relaxed),
        }
    }

    /// Number of buffers idle in the pool right now.
    pub fn idle(&self) -> usize {
        self.inner.idle.as_ref().map_or(0, ArrayQueue::len)
    }

    /// Most buffers the pool keeps idle.
    pub fn max_buffers(&self) -> usize {
        self.inner.idle.as_ref().map_or(0, ArrayQueue::capacity)
    }

    /// Capacity of a newly allocated buffer.
    pub fn buffer_capacity(&self) -> usize {
        self.inner.buffer_capacity
    }

    /// Largest capacity a returned buffer may have and still be kept.
    pub fn max_retained_capacity(&self) -> usize {
        self.inner.max_retained_capacity
    }

    /// Takes a buffer back from a dropped guard.
    pub(crate) fn put(&self, mut buf: Vec<u8>) {
        let counters = &self.inner.counters;
        if buf.capacity() > self.inner.max_retained_capacity {
            counters.dropped_oversize.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if buf.capacity() < self.inner.buffer_capacity {
            // Its allocation was taken (`mem::take`, `shrink_to_fit`): kept, it would
            // make a later `get` hand out less than `buffer_capacity` and count an
            // allocation as saved that was not.
            counters.dropped_undersize.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // Cleared here, not in `get`, so an idle buffer never holds stale data that a
        // later reader could mistake for its own.
        buf.clear();
        let kept = match &self.inner.idle {
            Some(idle) => idle.push(buf).is_ok(),
            None => false,
        };
        let counter = if kept {
            &counters.returns
        } else {
            &counters.dropped_full
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn note_detached(&self) {
        self.inner.counters.detached.fetch_add(1, Ordering::Relaxed);
    }
}

impl Default for BufferPool {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferPool")
            .field("idle", &self.idle())
            .field("max_buffers", &self.max_buffers())
            .field("buffer_capacity", &self.inner.buffer_capacity)
            .field("max_retained_capacity", &self.inner.max_retained_capacity)
            .finish()
    }
}

/// Configures and builds a [`BufferPool`].
///
/// Every combination of values is valid: `max_buffers(0)` gives a pool that never keeps
/// a buffer (every `get` allocates), and a `max_retained_capacity` below
/// `buffer_capacity` likewise means fresh buffers are never kept.
#[derive(Clone, Debug)]
pub struct BufferPoolBuilder {
    max_buffers: usize,
    buffer_capacity: usize,
    max_retained_capacity: usize,
}

impl Default for BufferPoolBuilder {
    fn default() -> Self {
        Self {
            max_buffers: BufferPool::DEFAULT_MAX_BUFFERS,
            buffer_capacity: BufferPool::DEFAULT_BUFFER_CAPACITY,
            max_retained_capacity: BufferPool::DEFAULT_MAX_RETAINED_CAPACITY,
        }
    }
}

impl BufferPoolBuilder {
    /// Most buffers kept idle (default [`BufferPool::DEFAULT_MAX_BUFFERS`]). Buffers
    /// returned beyond this are freed.
    pub fn max_buffers(&mut self, n: usize) -> &mut Self {
        self.max_buffers = n;
        self
    }

    /// Capacity allocated for a new buffer (default
    /// [`BufferPool::DEFAULT_BUFFER_CAPACITY`]).
    pub fn buffer_capacity(&mut self, bytes: usize) -> &mut Self {
        self.buffer_capacity = bytes;
        self
    }

    /// Largest capacity a returned buffer may have and still be kept (default
    /// [`BufferPool::DEFAULT_MAX_RETAINED_CAPACITY`]). Larger buffers are freed.
    pub fn max_retained_capacity(&mut self, bytes: usize) -> &mut Self {
        self.max_retained_capacity = bytes;
        self
    }

    /// Builds an empty pool: buffers are allocated on demand, not up front.
    pub fn build(&self) -> BufferPool {
        BufferPool {
            inner: Arc::new(Inner {
                idle: (self.max_buffers > 0).then(|| ArrayQueue::new(self.max_buffers)),
                buffer_capacity: self.buffer_capacity,
                max_retained_capacity: self.max_retained_capacity,
                counters: Counters::default(),
            }),
        }
    }
}

/// What a [`BufferPool`] has done since it was built.
///
/// Every `get` is either a hit or a miss, and every buffer handed out ends in exactly
/// one of `returns`, `dropped_oversize`, `dropped_full` or `detached`, unless it is
/// still out (see [`outstanding`](Self::outstanding)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Calls to [`BufferPool::get`].
    pub gets: u64,
    /// Gets served by an idle buffer.
    pub hits: u64,
    /// Gets that allocated a new buffer.
    pub misses: u64,
    /// Buffers given back and kept for reuse.
    pub returns: u64,
    /// Buffers given back but freed because their capacity exceeded the retained limit.
    pub dropped_oversize: u64,
    /// Buffers given back but freed because their capacity had fallen below
    /// [`buffer_capacity`](BufferPool::buffer_capacity) (their allocation taken).
    pub dropped_undersize: u64,
    /// Buffers given back but freed because the pool already held `max_buffers`.
    pub dropped_full: u64,
    /// Buffers taken out of the pool for good with [`PooledBuf::into_vec`].
    pub detached: u64,
}

impl PoolStats {
    /// Buffers handed out and not yet given back or detached.
    pub fn outstanding(&self) -> u64 {
        self.gets.saturating_sub(
            self.returns
                + self.dropped_oversize
                + self.dropped_undersize
                + self.dropped_full
                + self.detached,
        )
    }
}
