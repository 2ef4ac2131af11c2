//! A buffer from logscan-pool (taken, written, returned on drop) against a fresh
//! `Vec::with_capacity` allocated and freed each time, at three buffer sizes: 4 KiB,
//! 64 KiB (the pool's default) and 256 KiB (the Stream reader's default block, above
//! glibc's initial mmap threshold of 128 KiB).
//!
//! - `buffer_empty`: take a buffer and give it back untouched: the bookkeeping alone.
//! - `buffer_fill`: write the whole capacity first, as a read would, so the cost of
//!   touching fresh memory shows. One thread.
//! - `buffer_handoff`: the Stream strategy's pattern: one thread takes and fills
//!   buffers and sends them over a bounded channel (depth 4) to another thread that
//!   drops them, so every buffer is freed (or returned) by a thread other than the
//!   one that allocated (or took) it.
//!
//! Results and the command are recorded in docs/benchmarks.md.

use std::hint::black_box;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use logscan_pool::BufferPool;

const SIZES: [usize; 3] = [4 << 10, 64 << 10, 256 << 10];

fn pool_of(size: usize) -> BufferPool {
    BufferPool::builder()
        .buffer_capacity(size)
        .max_retained_capacity(size)
        .max_buffers(8)
        .build()
}

fn bench_single_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("buffer_empty");
    g.throughput(Throughput::Elements(1));
    for size in SIZES {
        let pool = pool_of(size);
        // The buffer itself is the routine's output, so the allocation cannot be
        // optimised away; criterion drops it inside the timed loop.
        g.bench_with_input(BenchmarkId::new("pool_get_return", size), &size, |b, _| {
            b.iter(|| pool.get())
        });
        g.bench_with_input(
            BenchmarkId::new("vec_with_capacity", size),
            &size,
            |b, &n| b.iter(|| Vec::<u8>::with_capacity(black_box(n))),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("buffer_fill");
    for size in SIZES {
        let src = vec![b'x'; size];
        g.throughput(Throughput::Bytes(size as u64));
        let pool = pool_of(size);
        g.bench_with_input(BenchmarkId::new("pool_get_return", size), &size, |b, _| {
            b.iter(|| {
                let mut buf = pool.get();
                buf.extend_from_slice(black_box(&src));
                buf
            })
        });
        g.bench_with_input(
            BenchmarkId::new("vec_with_capacity", size),
            &size,
            |b, &n| {
                b.iter(|| {
                    let mut buf: Vec<u8> = Vec::with_capacity(black_box(n));
                    buf.extend_from_slice(black_box(&src));
                    buf
                })
            },
        );
        // Every buffer after the first came from the pool's idle set: otherwise the
        // comparison measured allocation twice.
        let stats = pool.stats();
        assert!(stats.misses <= 1, "pool did not reuse: {stats:?}");
    }
    g.finish();
}

enum Msg<T> {
    Buf(T),
    /// Answer once every buffer sent before has been dropped.
    Flush(mpsc::Sender<()>),
}

/// `iters` buffers made by `make` on this thread and dropped on a consumer thread;
/// the time until the consumer has dropped the last one.
fn handoff<T: Send + 'static>(
    tx: &mpsc::SyncSender<Msg<T>>,
    iters: u64,
    mut make: impl FnMut() -> T,
) -> Duration {
    let (done_tx, done_rx) = mpsc::channel();
    let start = Instant::now();
    for _ in 0..iters {
        if tx.send(Msg::Buf(make())).is_err() {
            break;
        }
    }
    let _ = tx.send(Msg::Flush(done_tx));
    let _ = done_rx.recv();
    start.elapsed()
}

fn consumer<T: Send + 'static>() -> (mpsc::SyncSender<Msg<T>>, thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::sync_channel::<Msg<T>>(4);
    let handle = thread::spawn(move || {
        for msg in rx {
            match msg {
                Msg::Buf(buf) => drop(black_box(buf)),
                Msg::Flush(done) => {
                    let _ = done.send(());
                }
            }
        }
    });
    (tx, handle)
}

fn bench_handoff(c: &mut Criterion) {
    let mut g = c.benchmark_group("buffer_handoff");
    for size in SIZES {
        let src = vec![b'x'; size];
        g.throughput(Throughput::Bytes(size as u64));
        let pool = pool_of(size);
        let (tx, worker) = consumer();
        g.bench_with_input(BenchmarkId::new("pool_get_return", size), &size, |b, _| {
            b.iter_custom(|iters| {
                handoff(&tx, iters, || {
                    let mut buf = pool.get();
                    buf.extend_from_slice(&src);
                    buf
                })
            })
        });
        drop(tx);
        let _ = worker.join();
        let (tx, worker) = consumer();
        g.bench_with_input(
            BenchmarkId::new("vec_with_capacity", size),
            &size,
            |b, &n| {
                b.iter_custom(|iters| {
                    handoff(&tx, iters, || {
                        let mut buf: Vec<u8> = Vec::with_capacity(black_box(n));
                        buf.extend_from_slice(&src);
                        buf
                    })
                })
            },
        );
        drop(tx);
        let _ = worker.join();
        let stats = pool.stats();
        // The channel holds at most 4 buffers and each side one more: the pool (8
        // idle slots) never needed more than 6 buffers.
        assert!(stats.misses <= 6, "pool did not reuse: {stats:?}");
    }
    g.finish();
}

criterion_group!(benches, bench_single_thread, bench_handoff);
criterion_main!(benches);
