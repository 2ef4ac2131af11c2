//! Opening an input with a strategy, and reading it back.

use std::{
    fmt,
    fs::File,
    io::{self, Cursor, Read},
    os::{fd::AsFd, unix::fs::FileExt},
    path::{Path, PathBuf},
    sync::Arc,
};

use logscan_pool::BufferPool;

use crate::{
    block::Blocks,
    contiguous::{Contents, MapFailure, Mapped},
    error::Error,
    gzip::{GzMembers, GzipTrailer},
    lines::{LineLimit, LongLinePolicy},
    strategy::{Compression, MmapAdvice, Strategy},
    stream::{Reading, StreamReader, Waiting},
};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An opened input: a file, stdin, or any reader, read with one [`Strategy`].
///
/// Its bytes are reached in one of two ways:
///
/// - [`contents`](Self::contents) gives the whole input as one slice for ReadAll and
///   Mmap (`None` for Stream): split it with [`aligned_chunks`](crate::aligned_chunks)
///   and scan the pieces in parallel, calling [`check_intact`](Self::check_intact) after
///   each (a mapped file can change under the scan);
/// - [`into_blocks`](Self::into_blocks) turns any source into an iterator of owned
///   [`Block`](crate::Block)s of complete lines, for a reader thread.
///
/// [`for_each_line`](Self::for_each_line) does either, on one thread.
///
/// Dropping the source closes its file and unmaps its memory (blocks cut from a ReadAll
/// or Mmap source keep the contents alive until they drop too).
pub struct Source {
    path: PathBuf,
    strategy: Strategy,
    compression: Compression,
    limit: LineLimit,
    block_size: usize,
    size_at_open: Option<u64>,
    /// Why Auto did not map a file its rule said to map.
    auto_fallback: Option<Error>,
    /// Set by the gzip reader if data that is not gzip follows the last member.
    gzip_trailer: GzipTrailer,
    inner: SourceImpl,
}

enum SourceImpl {
    Contiguous(Arc<Contents>),
    Stream(StreamReader),
}

/// What [`Source::for_each_line`] saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineCounts {
    /// Lines passed to the callback.
    pub lines: u64,
    /// Lines left out as longer than the limit ([`LongLinePolicy::Skip`]).
    pub skipped: u64,
    /// Bytes of input (decompressed, for gzip), terminators included.
    pub bytes: u64,
}

impl Source {
    /// Opens `path` (`-` for stdin) with the default options: [`Strategy::Auto`], a
    /// 64 MiB line limit that errors, 256 KiB blocks.
    pub fn open(path: impl AsRef<Path>) -> Result<Source, Error> {
        SourceBuilder::new().open(path)
    }

    /// A builder for the other options.
    pub fn builder() -> SourceBuilder {
        SourceBuilder::new()
    }

    /// The input's path: as given to `open`, `-` for stdin, or the name given to
    /// [`SourceBuilder::open_reader`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The strategy in use: `Stream`, `ReadAll` or `Mmap`, never `Auto` (what `Auto`
    /// picked, for a benchmark to print). ReadAll of gzip that fails to decompress
    /// part-way gives `Stream`: what decompressed is handed out in blocks, then the
    /// error, as a Stream source gives them; contents that stop at the damage would
    /// pass for the whole input.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Whether the input was gzip (it is decompressed transparently).
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The line limit to apply with [`LineLimit::lines`] to every piece of input.
    pub fn line_limit(&self) -> LineLimit {
        self.limit
    }

    /// The block size this source was opened with.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// The input's size by `fstat` when opened, for regular files (`None` for pipes,
    /// devices, readers). For Mmap it is the mapped length. For ReadAll, a
    /// [`contents`](Self::contents) length that differs from it means the file shrank
    /// or grew while it was read; the contents are what was read.
    pub fn size_at_open(&self) -> Option<u64> {
        self.size_at_open
    }

    /// The whole input as one slice, for ReadAll and Mmap; `None` for Stream.
    pub fn contents(&self) -> Option<&[u8]> {
        match &self.inner {
            SourceImpl::Contiguous(contents) => Some(contents),
            SourceImpl::Stream(_) => None,
        }
    }

    /// Checks that the bytes read so far from [`contents`](Self::contents) were the
    /// file's. Call it after scanning each chunk of a mapped file, and before reporting
    /// any error found in one (a line too long, say).
    ///
    /// On `Err`, **discard the results of every chunk whose reading overlapped the
    /// failure, which in practice means the whole scan**: some read of the mapping
    /// may have returned zeros in place of pages the file no longer has, so a chunk can
    /// hold lines of zeros, lines cut short, or one over-long line of zeros. Do not
    /// report those lines or an error about them; report this error instead. Reading
    /// the file again with [`Strategy::Stream`] reads what is there now
    /// ([`Error::changed_while_mapped`]).
    ///
    /// For Mmap it returns:
    ///
    /// - [`Error::Truncated`] if the file is now shorter than the mapping, whether or not
    ///   a read already hit the missing pages (a shrink inside the last page never
    ///   raises a fault; one past pages not yet read has not yet);
    /// - [`Error::MappedReadFailed`] if a read hit a missing page (the SIGBUS guard
    ///   repaired it with zeros) but the file is not shorter now: it was refilled after
    ///   a truncation, or its storage could not deliver the page;
    /// - an I/O error if `fstat` fails.
    ///
    /// A fault on another thread is seen once that thread's reads are ordered before
    /// this call (a join, a channel message, a mutex). A change that leaves the size
    /// as it was and faults nothing (a rewrite in place) is not detected; see
    /// docs/mmap-safety.md.
    ///
    /// For ReadAll and Stream it always returns `Ok`: their bytes are owned.
    pub fn check_intact(&self) -> Result<(), Error> {
        match &self.inner {
            SourceImpl::Contiguous(contents) => contents.check_intact(),
            SourceImpl::Stream(_) => Ok(()),
        }
    }

    /// Why [`Strategy::Auto`] did not map a file that its rule says to map, if it did
    /// not: the SIGBUS guard could not protect the mapping ([`Error::Unguarded`]), so
    /// the file is read with [`Strategy::Stream`] (which [`strategy`](Self::strategy)
    /// reports). `None` otherwise. A CLI can print it as a note.
    pub fn auto_fallback(&self) -> Option<&Error> {
        self.auto_fallback.as_ref()
    }

    /// Where data that is not gzip started after the last member of a gzip input,
    /// once reading has reached it: the input ends with the last member and that data
    /// is not read, as with `gzip -d` ("trailing garbage ignored"). A handle shared
    /// with the reader: take it before handing the source to a scan, ask it after.
    /// Never set for other inputs, nor for zeros after the last member (padding).
    pub fn gzip_trailer(&self) -> GzipTrailer {
        self.gzip_trailer.clone()
    }

    /// The input as blocks of complete lines, whatever the strategy. Stream blocks are
    /// read as the iterator advances; ReadAll and Mmap blocks are windows on the
    /// contents (no copy) of about the block size.
    pub fn into_blocks(self) -> Blocks {
        match self.inner {
            SourceImpl::Stream(reader) => Blocks::stream(reader),
            SourceImpl::Contiguous(contents) => {
                Blocks::contiguous(contents, self.path, self.block_size, self.strategy)
            }
        }
    }

    /// Calls `f` for every line in order, on this thread, with the line limit applied;
    /// the reference consumer that every strategy must agree with.
    ///
    /// ```
    /// use logscan_source::Source;
    ///
    /// let source = Source::builder().open_reader("example", &b"a\r\nb\n\nc"[..])?;
    /// let mut seen = Vec::new();
    /// let counts = source.for_each_line(|line| seen.push((line.number, line.bytes.to_vec())))?;
    /// assert_eq!(seen, [(1, b"a".to_vec()), (2, b"b".to_vec()), (3, vec![]), (4, b"c".to_vec())]);
    /// assert_eq!((counts.lines, counts.skipped, counts.bytes), (4, 0, 7));
    /// # Ok::<(), logscan_source::Error>(())
    /// ```
    pub fn for_each_line<F>(self, mut f: F) -> Result<LineCounts, Error>
    where
        F: FnMut(crate::Line<'_>),
    {
        let limit = self.limit;
        let mut counts = LineCounts::default();
        match self.inner {
            SourceImpl::Contiguous(ref contents) => {
                let mut lines = limit.lines(contents, 1, 0);
                for line in &mut lines {
                    // A lost page reads as zeros, which can make one huge "line": the
                    // mapping's state explains the error better than the line does.
                    let line = line.map_err(|e| match contents.check_intact() {
                        Ok(()) => e.into_error(&self.path),
                        Err(lost) => lost,
                    })?;
                    counts.lines += 1;
                    f(line);
                }
                counts.skipped = lines.skipped();
                counts.bytes = contents.len() as u64;
                contents.check_intact()?;
            }
            SourceImpl::Stream(reader) => {
                for block in Blocks::stream(reader) {
                    let block = block?;
                    counts.skipped += block.skipped_lines();
                    counts.bytes = block.byte_offset() + block.bytes().len() as u64;
                    let mut lines = block.lines(limit);
                    for line in &mut lines {
                        let line = line.map_err(|e| e.into_error(&self.path))?;
                        counts.lines += 1;
                        f(line);
                    }
                    counts.skipped += lines.skipped();
                }
            }
        }
        Ok(counts)
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("path", &self.path)
            .field("strategy", &self.strategy)
            .field("compression", &self.compression)
            .field("limit", &self.limit)
            .field("size_at_open", &self.size_at_open)
            .field("auto_fallback", &self.auto_fallback)
            .field("gzip_trailer", &self.gzip_trailer.ignored_from())
            .finish_non_exhaustive()
    }
}

/// Options for opening a [`Source`]; reusable for many opens.
///
/// ```
/// use logscan_source::{LongLinePolicy, Source, Strategy};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("access.log");
/// std::fs::write(&path, "GET /a\nGET /b\n")?;
///
/// let source = Source::builder()
///     .strategy(Strategy::Stream)
///     .max_line_len(1024)
///     .long_lines(LongLinePolicy::Skip)
///     .block_size(4096)
///     .open(&path)?;
/// assert_eq!(source.strategy(), Strategy::Stream);
/// assert_eq!(source.for_each_line(|_| {})?.lines, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SourceBuilder {
    strategy: Strategy,
    limit: LineLimit,
    block_size: usize,
    pool: Option<BufferPool>,
    mmap_advice: MmapAdvice,
    mmap_populate: bool,
    auto_mmap_threshold: u64,
}

impl Default for SourceBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SourceBuilder {
    /// Default block size for Stream reads and for blocks cut from contents: 256 KiB.
    pub const DEFAULT_BLOCK_SIZE: usize = 256 * 1024;
    /// Default size from which [`Strategy::Auto`] maps a regular file: 256 KiB, set
    /// by measurement (docs/benchmarks.md, "Where Auto switches to Mmap").
    pub const DEFAULT_AUTO_MMAP_THRESHOLD: u64 = 256 * 1024;
    /// Idle buffers kept by the pool a source makes when none is given.
    const DEFAULT_POOL_BUFFERS: usize = 32;

    /// The defaults: Auto, 64 MiB line limit with errors, 256 KiB blocks, sequential
    /// mmap advice without populate, 256 KiB Auto threshold.
    pub fn new() -> Self {
        Self {
            strategy: Strategy::Auto,
            limit: LineLimit::default(),
            block_size: Self::DEFAULT_BLOCK_SIZE,
            pool: None,
            mmap_advice: MmapAdvice::default(),
            mmap_populate: false,
            auto_mmap_threshold: Self::DEFAULT_AUTO_MMAP_THRESHOLD,
        }
    }

    /// The strategy (default [`Strategy::Auto`]).
    pub fn strategy(&mut self, strategy: Strategy) -> &mut Self {
        self.strategy = strategy;
        self
    }

    /// The longest allowed line in bytes (default 64 MiB). See [`LineLimit`].
    pub fn max_line_len(&mut self, bytes: usize) -> &mut Self {
        self.limit = LineLimit::new(bytes, self.limit.policy());
        self
    }

    /// What a longer line does (default [`LongLinePolicy::Error`]).
    pub fn long_lines(&mut self, policy: LongLinePolicy) -> &mut Self {
        self.limit = LineLimit::new(self.limit.max_len(), policy);
        self
    }

    /// Both parts of the limit at once.
    pub fn line_limit(&mut self, limit: LineLimit) -> &mut Self {
        self.limit = limit;
        self
    }

    /// Bytes per Stream read and target size of a block (default 256 KiB; at least 1).
    pub fn block_size(&mut self, bytes: usize) -> &mut Self {
        self.block_size = bytes;
        self
    }

    /// The pool Stream blocks come from, to share buffers between sources. Its buffer
    /// capacity should be at least the block size, or buffers grow on first use. By
    /// default each source makes its own pool sized for its blocks.
    pub fn pool(&mut self, pool: BufferPool) -> &mut Self {
        self.pool = Some(pool);
        self
    }

    /// Paging advice for Mmap (default [`MmapAdvice::Sequential`]).
    pub fn mmap_advice(&mut self, advice: MmapAdvice) -> &mut Self {
        self.mmap_advice = advice;
        self
    }

    /// Whether Mmap pre-faults the whole file at open (`MAP_POPULATE`; default off).
    pub fn mmap_populate(&mut self, yes: bool) -> &mut Self {
        self.mmap_populate = yes;
        self
    }

    /// The size from which [`Strategy::Auto`] maps a regular file (default 256 KiB).
    ///
    /// The rule Auto follows:
    ///
    /// 1. stdin, pipes, FIFOs, sockets and devices → Stream: they cannot be mapped, and
    ///    their size is unknown, so reading them whole could need any amount of memory;
    /// 2. gzip input (by its first two bytes) → Stream: it must be decompressed, and
    ///    bounded blocks keep memory flat whatever the ratio;
    /// 3. regular files of at least the threshold → Mmap: no copy and no heap
    ///    allocation the size of the file, and workers fault pages in parallel. If the
    ///    SIGBUS guard cannot take the mapping (all its slots in use, or a platform
    ///    without it), → Stream instead, never an unguarded mapping: a file this large
    ///    may not fit in memory, and Stream's memory is bounded
    ///    ([`Source::auto_fallback`] says why);
    /// 4. smaller regular files → ReadAll: for small inputs, one `read` is cheaper than
    ///    setting up and tearing down a mapping and taking its page faults.
    ///
    /// The default, 256 KiB, comes from measuring both on this project's data
    /// (docs/benchmarks.md): one file is scanned faster mapped at every size from
    /// 64 KiB up, but across a thousand files of 64 KiB each, the mapping set-up,
    /// faults and teardown cost more than the copy (`count`: 35 ms mapped against
    /// 26 ms read); from 256 KiB the two are even, and from 1 MiB mapping wins.
    pub fn auto_mmap_threshold(&mut self, bytes: u64) -> &mut Self {
        self.auto_mmap_threshold = bytes;
        self
    }

    /// Opens `path`; `-` means stdin.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<Source, Error> {
        self.validate()?;
        let path = path.as_ref();
        if path.as_os_str() == "-" {
            return self.open_stdin();
        }
        let file = File::open(path).map_err(|e| Error::from_io(path, e))?;
        self.open_file(path.to_owned(), file, false)
    }

    /// Opens standard input, named `-`. It is read through a duplicate of descriptor 0,
    /// bypassing (and never draining) the buffer of [`std::io::stdin`]. Auto picks
    /// Stream; Mmap is refused.
    pub fn open_stdin(&self) -> Result<Source, Error> {
        self.validate()?;
        let path = PathBuf::from("-");
        let fd = io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| Error::from_io(&path, e))?;
        self.open_file(path, File::from(fd), true)
    }

    /// Opens any reader as an input called `name` (for pipes, sockets, tests). gzip is
    /// detected as for files. Auto and Stream read it in blocks; ReadAll reads it whole;
    /// Mmap is refused.
    ///
    /// Like a pipe, the reader is taken to be *live*: it may pause between writes. A
    /// block is handed out when it is full, or as soon as a `read` comes back short
    /// (nothing more is waiting) with at least one complete line in it, so a consumer
    /// of `tail -f` output sees each line without waiting for a block to fill.
    pub fn open_reader<R>(&self, name: impl Into<PathBuf>, reader: R) -> Result<Source, Error>
    where
        R: Read + Send + 'static,
    {
        self.validate()?;
        let path = name.into();
        if self.strategy == Strategy::Mmap {
            return Err(self.unsupported(path, "only regular files can be mapped"));
        }
        self.open_unsized(path, Box::new(reader), Reading::Live(None))
    }

    fn validate(&self) -> Result<(), Error> {
        if self.block_size == 0 {
            return Err(Error::InvalidOptions {
                reason: "block size must be at least 1 byte",
            });
        }
        Ok(())
    }

    fn open_file(&self, path: PathBuf, file: File, is_stdin: bool) -> Result<Source, Error> {
        let meta = file.metadata().map_err(|e| Error::from_io(&path, e))?;
        if meta.is_dir() {
            return Err(Error::IsADirectory { path });
        }
        if !meta.is_file() || is_stdin {
            if self.strategy == Strategy::Mmap {
                let reason = if is_stdin {
                    "stdin is never mapped"
                } else {
                    "only regular files can be mapped"
                };
                return Err(self.unsupported(path, reason));
            }
            // stdin redirected from a regular file cannot pause; anything else can.
            let reading = if meta.is_file() {
                Reading::Blocks
            } else {
                Reading::Live(Some(Waiting::of(&file)))
            };
            return self.open_unsized(path, Box::new(file), reading);
        }
        let size = meta.len();
        // pread: sniffing must not move the file position the readers start from.
        let (gzip, seen) = sniff_start(&file).map_err(|e| Error::from_io(&path, e))?;
        // Files of /proc (and some of /sys) say they hold 0 bytes and have contents:
        // a mapping of their size would read nothing. They are read, never mapped.
        let size_unknown = size == 0 && seen > 0;
        if size_unknown && self.strategy == Strategy::Mmap {
            return Err(self.unsupported(
                path,
                "the file reports a size of 0 but has contents (a /proc or /sys file); \
                 use stream or read",
            ));
        }
        let mut strategy = match self.strategy {
            Strategy::Auto if gzip || size_unknown => Strategy::Stream,
            Strategy::Auto if size >= self.auto_mmap_threshold => Strategy::Mmap,
            Strategy::Auto => Strategy::ReadAll,
            explicit => explicit,
        };
        let compression = if gzip {
            Compression::Gzip
        } else {
            Compression::None
        };
        let mut auto_fallback = None;
        let gzip_trailer = GzipTrailer::default();
        let inner = match (strategy, gzip) {
            (Strategy::Mmap, true) => {
                return Err(
                    self.unsupported(path, "gzip input must be decompressed: use stream or read")
                );
            }
            (Strategy::Mmap, false) => {
                match Mapped::new(&path, file, size, self.mmap_advice, self.mmap_populate) {
                    Ok(mapped) => SourceImpl::Contiguous(Arc::new(Contents::Mapped(mapped))),
                    Err(MapFailure::Other(e)) => return Err(e),
                    Err(MapFailure::Unguarded { error, .. }) if self.strategy == Strategy::Mmap => {
                        return Err(error);
                    }
                    // Auto never maps unguarded: a file that shrinks would kill the
                    // process. Stream, not ReadAll: the file is at least the mmap
                    // threshold and may be far larger than memory, and Stream's memory
                    // stays bounded whatever the size.
                    Err(MapFailure::Unguarded { file, error }) => {
                        strategy = Strategy::Stream;
                        auto_fallback = Some(error);
                        SourceImpl::Stream(self.stream_reader(
                            path.clone(),
                            Box::new(file),
                            &[],
                            false,
                            Reading::Blocks,
                        ))
                    }
                }
            }
            (Strategy::ReadAll, false) => {
                let mut bytes = Vec::new();
                // One allocation of the fstat size; `read_to_end` then reads to the real
                // end, growing only if the file grew meanwhile.
                bytes
                    .try_reserve_exact(usize::try_from(size).unwrap_or(usize::MAX))
                    .map_err(|e| {
                        Error::from_io(&path, io::Error::new(io::ErrorKind::OutOfMemory, e))
                    })?;
                let mut file = file;
                file.read_to_end(&mut bytes)
                    .map_err(|e| Error::from_io(&path, e))?;
                SourceImpl::Contiguous(Arc::new(Contents::Heap(bytes)))
            }
            (Strategy::ReadAll, true) => {
                let (read_as, inner) =
                    self.read_gzip_whole(&path, &[], Box::new(file), &gzip_trailer);
                strategy = read_as;
                inner
            }
            (_, false) => SourceImpl::Stream(self.stream_reader(
                path.clone(),
                Box::new(file),
                &[],
                false,
                Reading::Blocks,
            )),
            (_, true) => SourceImpl::Stream(self.stream_reader(
                path.clone(),
                Box::new(GzMembers::new(file, gzip_trailer.clone())),
                &[],
                true,
                Reading::Blocks,
            )),
        };
        Ok(Source {
            path,
            strategy,
            compression,
            limit: self.limit,
            block_size: self.block_size,
            size_at_open: Some(size),
            auto_fallback,
            gzip_trailer,
            inner,
        })
    }

    /// Pipes, devices, stdin and readers: no size, no mapping, sniffed by reading.
    /// `reading`: whether the input may pause between writes (see `Reading`).
    fn open_unsized(
        &self,
        path: PathBuf,
        mut input: Box<dyn Read + Send>,
        reading: Reading,
    ) -> Result<Source, Error> {
        let (magic, n) = read_prefix(&mut input).map_err(|e| Error::from_io(&path, e))?;
        let prefix = &magic[..n];
        let gzip = prefix == GZIP_MAGIC;
        let gzip_trailer = GzipTrailer::default();
        let mut strategy = match self.strategy {
            Strategy::Auto => Strategy::Stream,
            explicit => explicit,
        };
        let inner = match (strategy, gzip) {
            (Strategy::ReadAll, false) => {
                let mut bytes = prefix.to_vec();
                input
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::from_io(&path, e))?;
                SourceImpl::Contiguous(Arc::new(Contents::Heap(bytes)))
            }
            (Strategy::ReadAll, true) => {
                let (read_as, inner) = self.read_gzip_whole(&path, prefix, input, &gzip_trailer);
                strategy = read_as;
                inner
            }
            // A pipe, socket or device may pause between writes: read it live. gzip
            // is decompressed in whole members anyway, so it is read like a file.
            (_, false) => {
                SourceImpl::Stream(self.stream_reader(path.clone(), input, prefix, false, reading))
            }
            (_, true) => {
                let decoder = GzMembers::new(
                    Cursor::new(magic).take(n as u64).chain(input),
                    gzip_trailer.clone(),
                );
                SourceImpl::Stream(self.stream_reader(
                    path.clone(),
                    Box::new(decoder),
                    &[],
                    true,
                    Reading::Blocks,
                ))
            }
        };
        Ok(Source {
            path,
            strategy,
            compression: if gzip {
                Compression::Gzip
            } else {
                Compression::None
            },
            limit: self.limit,
            block_size: self.block_size,
            size_at_open: None,
            auto_fallback: None,
            gzip_trailer,
            inner,
        })
    }

    fn stream_reader(
        &self,
        path: PathBuf,
        input: Box<dyn Read + Send>,
        prefix: &[u8],
        gzip: bool,
        reading: Reading,
    ) -> StreamReader {
        let pool = self.pool.clone().unwrap_or_else(|| {
            BufferPool::builder()
                .max_buffers(Self::DEFAULT_POOL_BUFFERS)
                .buffer_capacity(self.block_size)
                // Room for a carried partial line on top of a block; a buffer that grew
                // around a longer line is freed rather than kept.
                .max_retained_capacity(self.block_size.saturating_mul(2))
                .build()
        });
        StreamReader::new(
            input,
            prefix,
            path,
            gzip,
            reading,
            pool,
            self.block_size,
            self.limit,
        )
    }

    /// ReadAll of gzip input (`prefix`, then `input`): its decompressed bytes as the
    /// contents; or, if it fails to decompress part-way (cut short, corrupt), a Stream
    /// over the bytes decompressed before the failure and then the failure, so that
    /// the lines before the damage come out and then the same error, at the same
    /// offset, as from a Stream source of the input. Contents that end at the damage
    /// would pass for the whole input, hence Stream, which [`Source::strategy`]
    /// reports.
    fn read_gzip_whole(
        &self,
        path: &Path,
        prefix: &[u8],
        input: Box<dyn Read + Send>,
        trailer: &GzipTrailer,
    ) -> (Strategy, SourceImpl) {
        let mut decoder =
            GzMembers::new(Cursor::new(prefix.to_vec()).chain(input), trailer.clone());
        let mut bytes = Vec::new();
        match decoder.read_to_end(&mut bytes) {
            Ok(_) => (
                Strategy::ReadAll,
                SourceImpl::Contiguous(Arc::new(Contents::Heap(bytes))),
            ),
            Err(error) => {
                let cut = CutShort {
                    bytes: Cursor::new(bytes),
                    error: Some(error),
                };
                let reader =
                    self.stream_reader(path.to_owned(), Box::new(cut), &[], true, Reading::Blocks);
                (Strategy::Stream, SourceImpl::Stream(reader))
            }
        }
    }

    fn unsupported(&self, path: PathBuf, reason: &'static str) -> Error {
        Error::Unsupported {
            path,
            strategy: self.strategy,
            reason,
        }
    }
}

/// Whether a file starts with the gzip magic, and how many of its first two bytes it
/// has (0 for an empty file); read without moving its position.
fn sniff_start(file: &File) -> io::Result<(bool, usize)> {
    let mut magic = [0u8; 2];
    let mut n = 0;
    while n < magic.len() {
        match file.read_at(&mut magic[n..], n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((n == magic.len() && magic == GZIP_MAGIC, n))
}

/// Reads up to two bytes (fewer only at end of input) to sniff for gzip.
fn read_prefix(input: &mut dyn Read) -> io::Result<([u8; 2], usize)> {
    let mut magic = [0u8; 2];
    let mut n = 0;
    while n < magic.len() {
        match input.read(&mut magic[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((magic, n))
}

/// Bytes already decompressed, then the error that stopped the decompression: what a
/// gzip decoder gave, replayed.
struct CutShort {
    bytes: Cursor<Vec<u8>>,
    /// Given out once, when the bytes are all read.
    error: Option<io::Error>,
}

impl Read for CutShort {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.bytes.read(buf)?;
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        match self.error.take() {
            Some(error) => Err(error),
            None => Ok(0),
        }
    }
}
