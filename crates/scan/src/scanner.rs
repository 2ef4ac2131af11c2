//! The [`Scanner`], its builder, and the aggregate scan over contiguous and streamed
//! input.

use std::{
    fmt,
    panic::resume_unwind,
    sync::{Arc, atomic::AtomicU64},
    thread,
};

use logscan_source::{Blocks, Source, Strategy};
use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::{
    Aggregate, BuildError, Chunk, Error, MapError, ordered,
    piece::{BlockPieces, Cursor, Failure, Partial, Piece, ProgressState, Shared},
};

/// How far a scan has got, given to the progress callback after each chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of input scanned so far (decompressed bytes, for gzip). Increases from
    /// one call to the next.
    pub bytes_done: u64,
    /// The input's size when it is known beforehand: regular files, not gzip, stdin or
    /// pipes.
    pub bytes_total: Option<u64>,
}

/// The totals of a scan, whatever the aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanStats {
    /// Lines given to the aggregate (or to the map closure's chunks).
    pub lines: u64,
    /// Lines left out as longer than the limit
    /// ([`LongLinePolicy::Skip`](logscan_source::LongLinePolicy::Skip)).
    pub skipped_lines: u64,
    /// Bytes of input, terminators and skipped lines included (decompressed, for gzip).
    pub bytes: u64,
    /// Chunks (contiguous input) or blocks (Stream) the input was cut into.
    pub chunks: u64,
    /// The strategy the source used (never `Auto`).
    pub strategy: Strategy,
    /// Threads the scan ran on.
    pub threads: usize,
}

/// A finished scan: the merged aggregate and the totals.
#[derive(Clone, Debug)]
pub struct ScanOutput<A> {
    /// Every worker's accumulator, merged.
    pub aggregate: A,
    /// Lines, bytes, skipped lines, strategy.
    pub stats: ScanStats,
}

type ProgressFn = dyn Fn(Progress) + Send + Sync;

/// Runs an [`Aggregate`] (or an ordered map) over a [`Source`] on several threads.
///
/// Contiguous input (ReadAll, Mmap) is cut into newline-aligned chunks that the
/// workers of a rayon pool take in input order and fold into their own accumulators;
/// Stream input is read by one reader thread into pooled blocks, passed to the workers
/// over a bounded channel. Either way every line reaches the aggregate with its true
/// line number, and the accumulators are merged at the end.
///
/// A scanner owns its thread pool (none at all with one thread: the scan then runs on
/// the calling thread), so build one and reuse it for many inputs. It is cheap to
/// clone; clones share the pool.
#[derive(Clone)]
pub struct Scanner {
    threads: usize,
    chunk_size: usize,
    queue_depth: usize,
    pool: Option<Arc<rayon::ThreadPool>>,
    progress: Option<Arc<ProgressFn>>,
}

impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner")
            .field("threads", &self.threads)
            .field("chunk_size", &self.chunk_size)
            .field("queue_depth", &self.queue_depth)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Options for a [`Scanner`].
///
/// ```
/// use logscan_scan::Scanner;
///
/// let scanner = Scanner::builder()
///     .threads(2)
///     .chunk_size(256 * 1024)
///     .progress(|p| eprint!("\r{} bytes", p.bytes_done))
///     .build()?;
/// assert_eq!(scanner.threads(), 2);
/// # Ok::<(), logscan_scan::BuildError>(())
/// ```
#[derive(Clone)]
pub struct ScannerBuilder {
    threads: Option<usize>,
    chunk_size: usize,
    queue_depth: Option<usize>,
    progress: Option<Arc<ProgressFn>>,
}

impl Default for ScannerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ScannerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScannerBuilder")
            .field("threads", &self.threads)
            .field("chunk_size", &self.chunk_size)
            .field("queue_depth", &self.queue_depth)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl ScannerBuilder {
    /// Default chunk size for contiguous input: 1 MiB. Large enough that the per-chunk
    /// costs (a lock, a progress call, an `fstat` for mapped files) vanish, small
    /// enough to fit in a core's L2 cache, which the line count on hand-out fills.
    pub const DEFAULT_CHUNK_SIZE: usize = 1024 * 1024;

    /// The defaults: all available cores, 1 MiB chunks, a queue of two blocks per
    /// thread, no progress callback.
    pub fn new() -> Self {
        Self {
            threads: None,
            chunk_size: Self::DEFAULT_CHUNK_SIZE,
            queue_depth: None,
            progress: None,
        }
    }

    /// Worker threads (default: the available cores). With 1 no thread is started:
    /// the scan runs on the calling thread.
    pub fn threads(&mut self, threads: usize) -> &mut Self {
        self.threads = Some(threads);
        self
    }

    /// Target chunk size for contiguous input, in bytes (default
    /// [`DEFAULT_CHUNK_SIZE`](Self::DEFAULT_CHUNK_SIZE)). A chunk ends at the first
    /// line end at or after this many bytes, so a line is never split; any size from
    /// 1 byte up gives the same results. Stream input comes in the source's blocks
    /// ([`SourceBuilder::block_size`](logscan_source::SourceBuilder::block_size)).
    pub fn chunk_size(&mut self, bytes: usize) -> &mut Self {
        self.chunk_size = bytes;
        self
    }

    /// Blocks a Stream reader may read ahead of the workers (default: twice the
    /// threads, at least 2). Stream memory is about (queue depth + threads + 2) × block
    /// size: the queue, one block per worker, and the reader's current and next block.
    /// For [`Scanner::map_ordered`], chunks handed out but not yet sunk are at most
    /// queue depth + threads, whatever the input.
    pub fn queue_depth(&mut self, blocks: usize) -> &mut Self {
        self.queue_depth = Some(blocks);
        self
    }

    /// Called after each chunk or block with the bytes done so far, from whichever
    /// thread finished it (calls never overlap and `bytes_done` only grows). Not called
    /// per line, so it costs the scan nothing measurable.
    pub fn progress<F>(&mut self, callback: F) -> &mut Self
    where
        F: Fn(Progress) + Send + Sync + 'static,
    {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Starts the thread pool (unless one thread was asked for).
    pub fn build(&self) -> Result<Scanner, BuildError> {
        let threads = match self.threads {
            Some(0) => return Err(BuildError::ZeroThreads),
            Some(n) => n,
            None => thread::available_parallelism().map_or(1, |n| n.get()),
        };
        if self.chunk_size == 0 {
            return Err(BuildError::ZeroChunkSize);
        }
        let pool = if threads > 1 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(|i| format!("logscan-scan-{i}"))
                .build()?;
            Some(Arc::new(pool))
        } else {
            None
        };
        Ok(Scanner {
            threads,
            chunk_size: self.chunk_size,
            queue_depth: self.queue_depth.unwrap_or(2 * threads).max(1),
            pool,
            progress: self.progress.clone(),
        })
    }
}

impl Scanner {
    /// A builder for the options.
    pub fn builder() -> ScannerBuilder {
        ScannerBuilder::new()
    }

    /// A scanner with the default options (all cores).
    pub fn new() -> Result<Scanner, BuildError> {
        ScannerBuilder::new().build()
    }

    /// Worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Target chunk size for contiguous input.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The same scanner (sharing its threads) reporting progress to `callback`
    /// instead; see [`ScannerBuilder::progress`].
    pub fn with_progress<F>(&self, callback: F) -> Scanner
    where
        F: Fn(Progress) + Send + Sync + 'static,
    {
        Scanner {
            progress: Some(Arc::new(callback)),
            ..self.clone()
        }
    }

    /// Scans `source` to the end, feeding every line to accumulators made by `make`
    /// (one per worker, plus a few spare), and returns them merged.
    ///
    /// Lines are split and limited as [`logscan_source`] defines for every strategy;
    /// each reaches the aggregate with its true line number, a chunk at a time through
    /// [`Aggregate::add_chunk`] (by default line by line through
    /// [`Aggregate::add_line`]). On error, the
    /// one nearest the start of the input is returned and the accumulators are
    /// dropped; a mapped file is checked ([`Source::check_intact`]) after every chunk.
    pub fn scan<A, F>(&self, source: Source, make: F) -> Result<ScanOutput<A>, Error>
    where
        A: Aggregate,
        F: Fn() -> A + Sync,
    {
        let strategy = source.strategy();
        let total = total_size(&source);
        let stop = AtomicU64::new(u64::MAX);
        let progress = ProgressState::new(self.progress.as_deref(), total);
        let partial = if let Some(contents) = source.contents() {
            let shared = Shared {
                limit: source.line_limit(),
                source: Some(&source),
                path: source.path(),
                stop: &stop,
                progress,
            };
            let partial = self.fold_contiguous(contents, &shared, &make);
            if partial.failure.is_none() {
                // Also covers an empty input, which has no chunk to check after.
                source.check_intact()?;
            }
            partial
        } else {
            let limit = source.line_limit();
            let path = source.path().to_owned();
            let shared = Shared {
                limit,
                source: None,
                path: &path,
                stop: &stop,
                progress,
            };
            self.fold_stream(source.into_blocks(), &shared, &make)
        };
        if let Some(failure) = partial.failure {
            return Err(failure.error);
        }
        Ok(ScanOutput {
            aggregate: partial.aggregate,
            stats: partial.totals.into_stats(strategy, self.threads),
        })
    }

    fn fold_contiguous<A, F>(&self, contents: &[u8], shared: &Shared<'_>, make: &F) -> Partial<A>
    where
        A: Aggregate,
        F: Fn() -> A + Sync,
    {
        let mut partial = match &self.pool {
            None => {
                // One thread: the chunks in order, on the calling thread.
                let mut partial = Partial::new(make());
                for piece in Cursor::new(contents, self.chunk_size, shared.stop) {
                    partial.take(piece, shared);
                    if partial.failure.is_some() {
                        break;
                    }
                }
                partial
            }
            Some(pool) => pool.install(|| {
                Cursor::new(contents, self.chunk_size, shared.stop)
                    .par_bridge()
                    .fold(
                        || Partial::new(make()),
                        |mut partial, piece| {
                            partial.take(piece, shared);
                            partial
                        },
                    )
                    .reduce_with(Partial::merge)
                    .unwrap_or_else(|| Partial::new(make()))
            }),
        };
        partial.totals.end = contents.len() as u64;
        shared.progress.finish(partial.totals.end);
        partial
    }

    fn fold_stream<A, F>(&self, blocks: Blocks, shared: &Shared<'_>, make: &F) -> Partial<A>
    where
        A: Aggregate,
        F: Fn() -> A + Sync,
    {
        let partial = match &self.pool {
            None => {
                let mut partial = Partial::new(make());
                for piece in BlockPieces::new(blocks) {
                    match piece {
                        Ok(piece) => partial.take(piece, shared),
                        Err(error) => partial.fail(Failure {
                            offset: u64::MAX,
                            error: error.into(),
                        }),
                    }
                    if partial.failure.is_some() {
                        break;
                    }
                }
                partial
            }
            Some(pool) => {
                let (tx, rx) = crossbeam_channel::bounded::<Piece<'static>>(self.queue_depth);
                thread::scope(|s| {
                    let reader = s.spawn(move || read_blocks(blocks, &tx, shared));
                    let partial = pool.install(|| {
                        rx.into_iter()
                            .par_bridge()
                            .fold(
                                || Partial::new(make()),
                                |mut partial, piece| {
                                    partial.take(piece, shared);
                                    partial
                                },
                            )
                            .reduce_with(Partial::merge)
                            .unwrap_or_else(|| Partial::new(make()))
                    });
                    let mut partial = partial;
                    match reader.join() {
                        // Every block before the reader's failure was handed out, so
                        // any failure a worker found comes earlier and wins.
                        Ok(Some(failure)) => partial.fail(failure),
                        Ok(None) => {}
                        Err(panic) => resume_unwind(panic),
                    }
                    partial
                })
            }
        };
        if partial.failure.is_none() {
            shared.progress.finish(partial.totals.end);
        }
        partial
    }

    /// Maps every chunk of `source` to a value on the worker threads and hands the
    /// values to `sink` on the calling thread **in input order**.
    ///
    /// Each [`Chunk`] gives its lines with their true numbers. At most queue depth +
    /// threads chunks are in flight (handed out or mapped but not yet sunk), so memory
    /// stays bounded however large the input. This is how a parallel `grep` prints matching
    /// lines in order: map a chunk to the bytes of its matching lines, write them in
    /// the sink.
    ///
    /// On a read error the sink has received the values of every chunk before the
    /// failing one, and the error is returned. On a line over the limit (under
    /// [`LongLinePolicy::Error`](logscan_source::LongLinePolicy::Error)) it has also
    /// received the value of the lines before that line in its chunk, made from a
    /// chunk that ends there: every line before the over-long one reaches the sink,
    /// whatever the strategy and chunk size. A sink error stops the scan and is
    /// returned as [`MapError::Sink`].
    ///
    /// ```
    /// use logscan_scan::Scanner;
    /// use logscan_source::Source;
    ///
    /// let source = Source::builder().open_reader("example", &b"ok\nERROR a\nok\nERROR b\n"[..])?;
    /// let scanner = Scanner::builder().threads(2).build()?;
    /// let mut found = Vec::new();
    /// let stats = scanner.map_ordered(
    ///     source,
    ///     |chunk| {
    ///         chunk.lines()
    ///             .filter(|line| line.bytes.starts_with(b"ERROR"))
    ///             .map(|line| line.number)
    ///             .collect::<Vec<u64>>()
    ///     },
    ///     |numbers| {
    ///         found.extend(numbers);
    ///         Ok::<(), std::io::Error>(())
    ///     },
    /// )?;
    /// assert_eq!(found, [2, 4]);
    /// assert_eq!(stats.lines, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn map_ordered<T, M, S, E>(
        &self,
        source: Source,
        map: M,
        sink: S,
    ) -> Result<ScanStats, MapError<E>>
    where
        T: Send,
        M: Fn(Chunk<'_>) -> T + Sync,
        S: FnMut(T) -> Result<(), E>,
    {
        let strategy = source.strategy();
        let total = total_size(&source);
        let stop = AtomicU64::new(u64::MAX);
        let progress = ProgressState::new(self.progress.as_deref(), total);
        let limit = source.line_limit();
        let path = source.path().to_owned();
        let job = ordered::Job {
            threads: self.threads,
            window: (self.queue_depth + self.threads) as u64,
            queue_depth: self.queue_depth,
            pool: self.pool.as_deref(),
        };
        let totals = if let Some(contents) = source.contents() {
            let shared = Shared {
                limit,
                source: Some(&source),
                path: &path,
                stop: &stop,
                progress,
            };
            let pieces = Cursor::new(contents, self.chunk_size, &stop).map(Ok);
            let totals = job.run(pieces, &shared, &map, sink)?;
            source.check_intact().map_err(Error::from)?;
            totals
        } else {
            let shared = Shared {
                limit,
                source: None,
                path: &path,
                stop: &stop,
                progress,
            };
            job.run(BlockPieces::new(source.into_blocks()), &shared, &map, sink)?
        };
        Ok(totals.into_stats(strategy, self.threads))
    }
}

/// The reader thread of a Stream scan: blocks in order into the channel until the end,
/// a failure, or a worker's failure making the rest pointless.
fn read_blocks(
    blocks: Blocks,
    tx: &crossbeam_channel::Sender<Piece<'static>>,
    shared: &Shared<'_>,
) -> Option<Failure> {
    for piece in BlockPieces::new(blocks) {
        match piece {
            Ok(piece) => {
                if !shared.wanted(piece.byte_offset) {
                    return None;
                }
                if tx.send(piece).is_err() {
                    return None;
                }
            }
            Err(error) => {
                return Some(Failure {
                    offset: u64::MAX,
                    error: error.into(),
                });
            }
        }
    }
    None
}

/// The size the progress callback reports as total: known for plain regular files.
fn total_size(source: &Source) -> Option<u64> {
    match source.compression() {
        logscan_source::Compression::None => source
            .contents()
            .map(|c| c.len() as u64)
            .or(source.size_at_open()),
        _ => None,
    }
}
