//! The Stream reader: newline-aligned blocks of complete lines from any `Read`.

use std::{
    io::{self, Read},
    mem,
    path::PathBuf,
    sync::{Mutex, PoisonError},
};

use logscan_pool::{BufferPool, PooledBuf};

use crate::{
    block::Block,
    error::Error,
    lines::{LineLimit, LongLinePolicy, count_lines},
};

/// Reads an input into pooled blocks that end on a line boundary; the unfinished last
/// line of each read is carried into the next block.
///
/// Memory stays O(`block_size + limit.max_len()`) per block in flight (at most about
/// twice that sum, counting vector growth): a partial line is only buffered until it is
/// provably longer than the limit (more than `max_len + 1` bytes with no `\n`: even a
/// stripped `\r` cannot bring it back under).
/// Complete lines inside a block are not checked here; the consumer's
/// [`LineLimit::lines`] does that for every strategy alike.
///
/// A read that fails (a cut or corrupt gzip stream, an I/O error) ends the input where
/// it failed, but not its lines: the complete lines read before the failure, those of
/// the block being filled included, are handed out first, and the error comes after
/// them, as `zcat` prints what it could decode before it complains. The unfinished
/// line the failure cut is not a line and is dropped, unless it is already provably
/// over the limit, where it is the over-long line any block size would have met (so
/// what comes out does not depend on the block size).
pub(crate) struct StreamReader {
    /// In a `Mutex` only so that `Source` is `Sync` (a scanner shares `&Source` between
    /// workers to call `check_intact`); it is only ever reached through `&mut self`
    /// with `get_mut`, which takes no lock.
    input: Mutex<Box<dyn Read + Send>>,
    path: PathBuf,
    gzip: bool,
    pool: BufferPool,
    block_size: usize,
    limit: LineLimit,
    /// The start of the next block: bytes of an unfinished line (never a `\n`).
    carry: Option<PooledBuf>,
    /// Number of the first line of the next block.
    next_line: u64,
    /// Offset of the first byte of the next block.
    next_offset: u64,
    /// Lines dropped as too long since the last block was handed out.
    skipped_pending: u64,
    reading: Reading,
    /// Nothing more of a live input is waiting right now: its last read returned less
    /// than asked, or filled it and `poll` found nothing more.
    drained: bool,
    /// The input ended, or a read failed (then `failed` is set).
    eof: bool,
    /// The error of the read that failed, held back until the lines before it are out.
    failed: Option<Error>,
    done: bool,
}

/// Most bytes one read of a live input asks for. The buffer's spare room must be
/// zeroed before a plain `read` (stable Rust cannot read into uninitialised bytes
/// through `dyn Read`), so asking for a pipe's capacity rather than a whole block keeps
/// that cost to about the bytes read.
const LIVE_READ: usize = 64 * 1024;

/// How a Stream input is read.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reading {
    /// A file or a decoder, which does not pause: each read fills what it asks for
    /// until the end.
    Blocks,
    /// A pipe, socket, device or other reader that may pause: read with one `read`
    /// call at a time, so that lines written a while ago are handed out when the
    /// writer pauses (`tail -f | logscan filter`) instead of when a block is full;
    /// with its descriptor when it has one, since a read that fills all it asked for
    /// cannot tell whether more is waiting, and `poll` can.
    Live(Option<Waiting>),
}

/// Asks a live input's descriptor whether a read would return at once.
///
/// A read that returns exactly the bytes asked for (a writer's burst of 64 KiB, a
/// pipe's whole capacity) says nothing about what follows: reading again blocks until
/// the writer's next write, and the complete lines already read would wait with it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Waiting(std::os::fd::RawFd);

impl Waiting {
    /// For a descriptor that stays open as long as the reader using it (the reader
    /// owns the input the descriptor belongs to).
    pub(crate) fn of(input: &impl std::os::fd::AsRawFd) -> Waiting {
        Waiting(input.as_raw_fd())
    }

    /// Whether a read would return without waiting: bytes are there, or the writer
    /// has gone (end of input). An error of `poll` itself reads as "nothing waiting",
    /// which only hands out the lines read so far a little early.
    fn now(self) -> bool {
        let mut fd = libc::pollfd {
            fd: self.0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: `fd` is one initialised `pollfd` and the count passed is 1; a zero
        // timeout makes the call return at once. The descriptor is open: it belongs
        // to the input that the reader holding this `Waiting` owns.
        let ready = unsafe { libc::poll(&mut fd, 1, 0) };
        ready > 0
    }
}

impl StreamReader {
    /// `prefix` holds bytes already taken from `input` (to sniff for gzip) that belong
    /// at the start of the data.
    #[allow(clippy::too_many_arguments)] // crate-private; every caller names each one
    pub(crate) fn new(
        input: Box<dyn Read + Send>,
        prefix: &[u8],
        path: PathBuf,
        gzip: bool,
        reading: Reading,
        pool: BufferPool,
        block_size: usize,
        limit: LineLimit,
    ) -> Self {
        let carry = (!prefix.is_empty()).then(|| {
            let mut buf = pool.get();
            buf.extend_from_slice(prefix);
            buf
        });
        Self {
            input: Mutex::new(input),
            path,
            gzip,
            pool,
            block_size,
            limit,
            carry,
            next_line: 1,
            next_offset: 0,
            skipped_pending: 0,
            reading,
            drained: false,
            eof: false,
            failed: None,
            done: false,
        }
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub(crate) fn next_block(&mut self) -> Option<Result<Block, Error>> {
        if self.done {
            return None;
        }
        let result = self.fill_block();
        match &result {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => self.done = true,
        }
        result.transpose()
    }

    fn fill_block(&mut self) -> Result<Option<Block>, Error> {
        let mut buf = match self.carry.take() {
            Some(buf) => buf,
            None => self.pool.get(),
        };
        // Invariant: `buf[..line_start]` is complete lines (ends with `\n`, or is empty)
        // and `buf[..scanned]` has been searched for `\n`.
        let mut line_start = 0;
        let mut scanned = 0;
        loop {
            if scanned < buf.len() {
                if let Some(i) = memchr::memrchr(b'\n', &buf[scanned..]) {
                    line_start = scanned + i + 1;
                }
                scanned = buf.len();
            }
            if self.eof && self.failed.is_some() {
                if line_start > 0 {
                    // The lines before the failure first; the cut line is carried.
                    return Ok(Some(self.emit(buf, line_start)));
                }
                if !buf.is_empty() {
                    self.end_cut_line(&mut buf)?;
                }
                if self.skipped_pending > 0 {
                    return Ok(Some(self.emit(buf, 0)));
                }
                return self.failed.take().map_or(Ok(None), Err);
            }
            if self.eof {
                if buf.is_empty() && self.skipped_pending == 0 {
                    return Ok(None);
                }
                let end = buf.len();
                return Ok(Some(self.emit(buf, end)));
            }
            if line_start > 0 && (buf.len() >= self.block_size || self.drained) {
                return Ok(Some(self.emit(buf, line_start)));
            }
            let partial = buf.len() - line_start;
            if partial.saturating_sub(1) > self.limit.max_len() {
                if line_start > 0 {
                    // Hand out the complete lines first, so lines come in order; the
                    // long line is carried and handled on the next call.
                    return Ok(Some(self.emit(buf, line_start)));
                }
                match self.limit.policy() {
                    LongLinePolicy::Error => {
                        return Err(self.too_long());
                    }
                    LongLinePolicy::Skip => {
                        self.skip_rest_of_line(&mut buf);
                        line_start = 0;
                        scanned = 0;
                        continue;
                    }
                }
            }
            self.read_more(&mut buf);
        }
    }

    /// The error for the line that starts at the next line number and offset.
    fn too_long(&self) -> Error {
        Error::LineTooLong {
            path: self.path.clone(),
            line_number: self.next_line,
            byte_offset: self.next_offset,
            limit: self.limit.max_len(),
        }
    }

    /// Deals with the unfinished line left in `buf` by a failed read: a line already
    /// longer than the limit by the test above is over-long as ever (an error, or
    /// skipped and counted); any other is dropped, as it is no line. Leaves `buf` empty.
    fn end_cut_line(&mut self, buf: &mut PooledBuf) -> Result<(), Error> {
        if buf.len().saturating_sub(1) > self.limit.max_len() {
            match self.limit.policy() {
                LongLinePolicy::Error => {
                    // It starts before the failure, so it is the first error.
                    return Err(self.too_long());
                }
                LongLinePolicy::Skip => {
                    self.skipped_pending += 1;
                    self.next_line += 1;
                }
            }
        }
        self.next_offset += buf.len() as u64;
        buf.clear();
        Ok(())
    }

    /// Reads up to one block more into `buf`, setting `eof` if the input ended. A read
    /// that fails sets `eof` too, and `failed`; the bytes it delivered before failing
    /// stay in `buf`.
    fn read_more(&mut self, buf: &mut PooledBuf) {
        let want = if buf.len() < self.block_size {
            self.block_size - buf.len()
        } else {
            self.block_size
        };
        let needed = buf.len() + want;
        if needed > buf.capacity() {
            // Grow geometrically, but never past what the longest allowed line (plus
            // one read) needs: doubling a 40 MiB partial line to 80 MiB would let one
            // over-long line pin twice the limit.
            let ceiling = self
                .limit
                .max_len()
                .saturating_add(self.block_size)
                .saturating_add(2);
            let target = buf.capacity().saturating_mul(2).min(ceiling).max(needed);
            let len = buf.len();
            buf.reserve_exact(target - len);
        }
        // Never locked, so never poisoned; `into_inner` only satisfies the type.
        let input = self.input.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Reading::Live(waiting) = self.reading {
            let want = want.min(LIVE_READ);
            let len = buf.len();
            buf.resize(len + want, 0);
            let read = loop {
                match input.read(&mut buf[len..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let n = match read {
                Ok(n) => n,
                Err(e) => {
                    buf.truncate(len);
                    self.fail(e, len);
                    return;
                }
            };
            buf.truncate(len + n);
            self.eof = n == 0;
            self.drained = n < want || waiting.is_some_and(|w| !w.now());
            return;
        }
        // `read_to_end` on `Take` fills the spare capacity without zeroing it first
        // (for inputs that support it, like `File`) and retries on `Interrupted`. It
        // returns short only at end of input. On error, what it read before failing is
        // kept in `buf`.
        match input.take(want as u64).read_to_end(buf) {
            Ok(read) if read < want => self.eof = true,
            Ok(_) => {}
            Err(e) => self.fail(e, buf.len()),
        }
    }

    /// Drops the too-long line at the start of `buf` and the rest of it still unread,
    /// leaving in `buf` whatever followed its `\n`.
    fn skip_rest_of_line(&mut self, buf: &mut PooledBuf) {
        // The offset passes each dropped piece at once, so that a read failing on the
        // way is placed after the bytes already dropped, not at the line's start.
        loop {
            self.next_offset += buf.len() as u64;
            buf.clear();
            if self.eof {
                break;
            }
            self.read_more(buf);
            if let Some(i) = memchr::memchr(b'\n', buf) {
                self.next_offset += (i + 1) as u64;
                buf.drain(..=i);
                break;
            }
        }
        self.skipped_pending += 1;
        self.next_line += 1;
    }

    /// Hands out `buf[..end]` as a block and carries the rest into the next one.
    fn emit(&mut self, mut buf: PooledBuf, end: usize) -> Block {
        if end < buf.len() {
            let mut carry = self.pool.get();
            carry.extend_from_slice(&buf[end..]);
            buf.truncate(end);
            self.carry = Some(carry);
        }
        let first_line = self.next_line;
        let byte_offset = self.next_offset;
        let line_count = count_lines(&buf);
        self.next_line += line_count;
        self.next_offset += buf.len() as u64;
        Block::pooled(
            buf,
            first_line,
            line_count,
            byte_offset,
            mem::take(&mut self.skipped_pending),
        )
    }

    /// Ends the input with the error of a read that failed with `buffered` bytes in
    /// the block being filled (which starts at `next_offset`).
    fn fail(&mut self, e: io::Error, buffered: usize) {
        let error = if self.gzip {
            Error::from_gzip_read(&self.path, self.next_offset + buffered as u64, e)
        } else {
            Error::from_io(&self.path, e)
        };
        self.failed = Some(error);
        self.eof = true;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    /// Hands out its bytes, then fails every read.
    struct FailsAfter(Cursor<&'static [u8]>);

    impl Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 if !buf.is_empty() => Err(io::Error::other("the disk went away")),
                n => Ok(n),
            }
        }
    }

    /// A read that fails after some lines, not gzip: the complete lines come out, the
    /// cut line does not, then the I/O error. A file is read block by block, so the
    /// lines and the failure arrive in one fill; a live input one read at a time.
    #[test]
    fn lines_read_before_an_io_error_come_out_first() {
        for reading in [Reading::Blocks, Reading::Live(None)] {
            for block_size in [1, 2, 7, 256 * 1024] {
                let mut reader = StreamReader::new(
                    Box::new(FailsAfter(Cursor::new(b"one\ntwo\r\nthr"))),
                    &[],
                    PathBuf::from("disk"),
                    false,
                    reading,
                    BufferPool::new(),
                    block_size,
                    LineLimit::default(),
                );
                let mut lines = Vec::new();
                let error = loop {
                    match reader.next_block() {
                        Some(Ok(block)) => lines.extend(
                            block
                                .lines(LineLimit::default())
                                .map(|l| l.map(|l| l.bytes.to_vec())),
                        ),
                        Some(Err(e)) => break e,
                        None => panic!("{reading:?} {block_size}: no error"),
                    }
                };
                let lines: Vec<_> = lines.into_iter().collect::<Result<_, _>>().expect("short");
                assert_eq!(lines, [&b"one"[..], b"two"], "{reading:?} {block_size}");
                assert_eq!(error.to_string(), "disk: the disk went away");
                assert!(reader.next_block().is_none(), "nothing after the error");
            }
        }
    }
}
