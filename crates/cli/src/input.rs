//! Opening inputs with the user's I/O options, iterating their lines, and retrying a
//! mapped file that shrank.

use std::{
    fs::File,
    io::{self, Read},
    ops::ControlFlow,
    os::fd::AsFd,
    path::{Path, PathBuf},
};

use logscan_scan::Scanner;
use logscan_source::{
    Compression, Line, LineCounts, LineLimit, LongLinePolicy, MmapAdvice, Source, SourceBuilder,
    Strategy,
};

use crate::{
    cli::{AdviceChoice, InputArgs, IoChoice},
    error::CliError,
    format::DETECT_LINES,
    notes::Notes,
};

/// The input options of one command.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The paths to read, `-` for stdin; never empty.
    pub paths: Vec<PathBuf>,
    /// `--io`.
    pub strategy: Strategy,
    /// `--mmap-advice`.
    pub advice: MmapAdvice,
    /// `--max-line-length` and `--skip-long-lines`.
    pub limit: LineLimit,
    /// The scanner, with `--threads` workers, shared by every input.
    pub scanner: Scanner,
    /// A one-thread scanner (no pool) for inputs of one chunk or less.
    pub single: Scanner,
    /// `-q`.
    pub quiet: bool,
}

/// An opened input, and the start of its bytes when they were asked for.
#[derive(Debug)]
pub struct Opened {
    /// The input.
    pub source: Source,
    /// The start of the (decompressed) input, for guessing its format: [`HEAD_BYTES`],
    /// or more when no line ends within them (see [`head_of`]); `None` unless asked
    /// for, empty for an empty input.
    pub head: Option<Vec<u8>>,
}

impl Inputs {
    /// Reads the input options (no files means stdin) and starts the scanner.
    pub fn from_args(args: &InputArgs) -> Result<Inputs, CliError> {
        let paths = if args.files.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            args.files.clone()
        };
        let strategy = match args.io {
            IoChoice::Auto => Strategy::Auto,
            IoChoice::Stream => Strategy::Stream,
            IoChoice::Read => Strategy::ReadAll,
            IoChoice::Mmap => Strategy::Mmap,
        };
        let advice = match args.mmap_advice {
            AdviceChoice::Sequential => MmapAdvice::Sequential,
            AdviceChoice::Willneed => MmapAdvice::WillNeed,
            AdviceChoice::Normal => MmapAdvice::Normal,
        };
        let policy = if args.skip_long_lines {
            LongLinePolicy::Skip
        } else {
            LongLinePolicy::Error
        };
        let mut scanner = Scanner::builder();
        if args.threads > 0 {
            scanner.threads(args.threads);
        }
        let scanner = scanner
            .build()
            .map_err(|e| CliError::usage(format!("--threads: {e}")))?;
        let single = Scanner::builder()
            .threads(1)
            .build()
            .map_err(|e| CliError::usage(format!("--threads: {e}")))?;
        Ok(Inputs {
            paths,
            strategy,
            advice,
            limit: LineLimit::new(args.max_line_length, policy),
            scanner,
            single,
            quiet: args.quiet,
        })
    }

    /// The scanner for `source`: the one-thread scanner when the input is known to
    /// fit in one chunk, since handing a single chunk to a pool (or a Stream input
    /// to a reader thread) costs more than it saves: many small files are read
    /// faster one after the other. Results do not depend on the choice.
    pub fn scanner_for(&self, source: &Source) -> &Scanner {
        let known_size = match source.contents() {
            Some(c) => Some(c.len() as u64),
            None if source.compression() == Compression::None => source.size_at_open(),
            None => None,
        };
        match known_size {
            Some(size) if size <= self.scanner.chunk_size() as u64 => &self.single,
            _ => &self.scanner,
        }
    }

    /// A source builder with these options and `strategy`.
    pub fn builder(&self, strategy: Strategy) -> SourceBuilder {
        let mut builder = Source::builder();
        builder
            .strategy(strategy)
            .line_limit(self.limit)
            .mmap_advice(self.advice);
        builder
    }

    /// Opens `path` with `strategy`; with `want_head`, also reads the start of the
    /// input without taking it from the scan.
    ///
    /// A contiguous input shows its start directly. A regular file read as a stream
    /// (gzip, `--io stream`) is opened a second time to read its first block. A pipe,
    /// FIFO, device or stdin cannot be read twice: its first bytes are read here and
    /// put back in front of the rest for the source.
    pub fn open(
        &self,
        path: &Path,
        strategy: Strategy,
        want_head: bool,
    ) -> Result<Opened, CliError> {
        let builder = self.builder(strategy);
        if !want_head {
            return Ok(Opened {
                source: builder.open(path)?,
                head: None,
            });
        }
        let is_stdin = path.as_os_str() == "-";
        let no_size =
            is_stdin || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if no_size {
            let mut reader: Box<dyn Read + Send> = if is_stdin {
                let fd = io::stdin()
                    .as_fd()
                    .try_clone_to_owned()
                    .map_err(|e| io_error(path, e))?;
                Box::new(File::from(fd))
            } else {
                Box::new(File::open(path).map_err(|e| io_error(path, e))?)
            };
            let prefix = read_prefix(&mut reader).map_err(|e| io_error(path, e))?;
            let head = decompressed_head(&prefix);
            let source = builder.open_reader(path, io::Cursor::new(prefix).chain(reader))?;
            return Ok(Opened {
                source,
                head: Some(head),
            });
        }
        let source = builder.open(path)?;
        let head = self.head_of_file(&source)?;
        Ok(Opened {
            source,
            head: Some(head),
        })
    }

    /// The head of a regular file opened as `source`: read from its contents, or (a
    /// stream) from a second opening.
    fn head_of_file(&self, source: &Source) -> Result<Vec<u8>, CliError> {
        match source.contents() {
            Some(c) => {
                let head = head_of(c).to_vec();
                // A mapped file cut short reads as zeros past its new end: the head
                // would then be garbage that fits no format. Say what happened.
                source.check_intact()?;
                Ok(head)
            }
            None => {
                let mut first = self.builder(Strategy::Stream);
                first.block_size(HEAD_BYTES);
                Ok(match first.open(source.path())?.into_blocks().next() {
                    Some(block) => block?.bytes().to_vec(),
                    None => Vec::new(),
                })
            }
        }
    }

    /// Opens `path` and runs `scan` over it. Under `--io auto`, a mapped file that
    /// changed during the scan is read once more with Stream (saying so on stderr);
    /// `scan` then starts again from nothing, told that it is the retry. Data after the
    /// last member of a gzip input that the scan read to its end was left out, as
    /// `gzip -d` leaves it out; a note says where it starts.
    pub fn scan<T>(
        &self,
        path: &Path,
        want_head: bool,
        notes: &Notes,
        scan: impl FnMut(Opened, Attempt) -> Result<T, CliError>,
    ) -> Result<T, CliError> {
        self.scan_opened(
            path,
            notes,
            |strategy| self.open(path, strategy, want_head),
            scan,
        )
    }

    /// [`scan`](Self::scan) with the opening passed in, so that a test can have it
    /// fail as a file cut short at just that moment would.
    fn scan_opened<T>(
        &self,
        path: &Path,
        notes: &Notes,
        mut open: impl FnMut(Strategy) -> Result<Opened, CliError>,
        mut scan: impl FnMut(Opened, Attempt) -> Result<T, CliError>,
    ) -> Result<T, CliError> {
        let mut trailer = None;
        // A mapped file can be found changed while its head is read, before the scan.
        let first = open(self.strategy).and_then(|opened| {
            if let Some(why) = opened.source.auto_fallback() {
                notes.note(format_args!("{why}; reading it with --io stream instead"));
            }
            trailer = Some(opened.source.gzip_trailer());
            scan(opened, Attempt::First)
        });
        // Only a mapped input can be found changed (`is_truncated`).
        let done = match first {
            Err(e) if e.is_truncated() && self.strategy == Strategy::Auto => {
                notes.note(format_args!(
                    "{}; reading it again with --io stream",
                    e.report().trim_start_matches("logscan: ")
                ));
                let opened = open(Strategy::Stream)?;
                trailer = Some(opened.source.gzip_trailer());
                scan(opened, Attempt::Retry)
            }
            other => other,
        };
        if done.is_ok()
            && let Some(at) = trailer.and_then(|t| t.ignored_from())
        {
            notes.note(format_args!(
                "{}: ignored what follows the last gzip member (from byte {at} of the compressed input): it is not gzip, and `gzip -d` ignores it too, as trailing garbage",
                path.display()
            ));
        }
        done
    }
}

/// Reads until the prefix holds enough lines to guess a format, [`HEAD_BYTES`] (more
/// while no line ends within them, as for [`head_of`]), or the end; not more, and not
/// past a pause: once a read comes back short (the writer has nothing more for now, as
/// with `tail -f`) and a line is complete, the lines so far must do.
fn read_prefix(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut window = HEAD_BYTES;
    loop {
        if prefix.len() >= window {
            // As far as a contiguous input's head would reach (`head_window`).
            if memchr::memchr(b'\n', &prefix[..window]).is_some() || window >= MAX_HEAD_BYTES {
                break;
            }
            window *= 2;
        }
        let want = buf.len().min(window - prefix.len());
        let n = match reader.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        prefix.extend_from_slice(&buf[..n]);
        let gzip = prefix.starts_with(&[0x1f, 0x8b]);
        if gzip {
            continue;
        }
        let lines = memchr::memchr_iter(b'\n', &prefix).count();
        if lines > DETECT_LINES || (n < want && lines > 0) {
            break;
        }
    }
    Ok(prefix)
}

/// The start of the lines in `prefix`, decompressed if it is the start of gzip data
/// (as far as it goes: a cut stream yields what it had).
fn decompressed_head(prefix: &[u8]) -> Vec<u8> {
    if !prefix.starts_with(&[0x1f, 0x8b]) {
        return prefix.to_vec();
    }
    let mut head = Vec::new();
    let mut decoder = flate2::read::MultiGzDecoder::new(prefix).take(HEAD_BYTES as u64);
    let mut buf = [0u8; 16 * 1024];
    loop {
        match decoder.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    head
}

/// An I/O error about `path`, classified as the source classifies its own.
fn io_error(path: &Path, e: io::Error) -> CliError {
    let path = path.to_owned();
    CliError::Source(match e.kind() {
        io::ErrorKind::NotFound => logscan_source::Error::NotFound { path },
        io::ErrorKind::PermissionDenied => logscan_source::Error::PermissionDenied { path },
        _ => logscan_source::Error::Io { path, source: e },
    })
}

/// Runs `each` for every input in order. An error about one input is printed and the
/// next input is read; any other error stops at once. Returns whether any input
/// failed.
pub fn for_each_input(
    inputs: &Inputs,
    notes: &Notes,
    mut each: impl FnMut(&Path) -> Result<(), CliError>,
) -> Result<bool, CliError> {
    let mut failed = false;
    for path in &inputs.paths {
        match each(path) {
            Ok(()) => {}
            Err(e) if e.is_per_input() => {
                notes.error(&e.report());
                failed = true;
            }
            Err(e) => return Err(e),
        }
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        notes.finish_input(size);
    }
    Ok(failed)
}

/// Whether a scan is the first over its input or the retry after a truncation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The first scan.
    First,
    /// The Stream scan after a mapped file shrank.
    Retry,
}

/// How many bytes of an input are shown to format detection: the lines that start
/// within them (see [`head_of`]).
pub const HEAD_BYTES: usize = 256 * 1024;

/// The most a head grows to when no line ends within [`HEAD_BYTES`].
const MAX_HEAD_BYTES: usize = 64 << 20;

/// How far the head of an input reaches, given its start: [`HEAD_BYTES`], doubled
/// until a line ends within it (up to [`MAX_HEAD_BYTES`]). A Stream reader's first
/// block grows the same way to hold a whole line, so an input whose first line is
/// longer than `HEAD_BYTES` shows detection the same lines on every strategy.
fn head_window(start: &[u8]) -> usize {
    let mut window = HEAD_BYTES;
    while window < MAX_HEAD_BYTES
        && start.len() > window
        && memchr::memchr(b'\n', &start[..window]).is_none()
    {
        window *= 2;
    }
    window
}

/// The head of a contiguous input, for format detection (see [`head_window`]).
pub fn head_of(contents: &[u8]) -> &[u8] {
    &contents[..contents.len().min(head_window(contents))]
}

/// `error`, unless `source` is a mapped file that changed, which is then the error
/// (a failure that came from reading it, such as a format guessed from zeros, is
/// better explained so).
pub fn changed_or(source: &Source, error: CliError) -> CliError {
    match source.check_intact() {
        Err(changed) => changed.into(),
        Ok(()) => error,
    }
}

/// Calls `f` for every line of `source` in order, on this thread, until it breaks.
///
/// Before the first line, `on_head` sees the start of the input ([`head_of`] a
/// contiguous input, or the first Stream block) to guess its format; it is not called
/// for an empty input. Unlike [`Source::for_each_line`] this can stop early (a closed
/// pipe), and it reports progress after every piece.
pub fn each_line(
    source: Source,
    notes: &Notes,
    on_head: impl FnOnce(&[u8]) -> Result<(), CliError>,
    mut f: impl FnMut(Line<'_>) -> ControlFlow<()>,
) -> Result<LineCounts, CliError> {
    let limit = source.line_limit();
    let mut counts = LineCounts::default();
    let mut on_head = Some(on_head);
    // Contiguous inputs are cut into pieces only to report progress and to check a
    // mapping between pieces; the lines are the same.
    const PIECE: usize = 4 << 20;
    if let Some(contents) = source.contents() {
        if !contents.is_empty()
            && let Some(on_head) = on_head.take()
        {
            // A guess from a mapped head that has since been cut short (zeros) is no
            // guess: the change is the error.
            on_head(head_of(contents)).map_err(|e| changed_or(&source, e))?;
        }
        let mut line_number = 1;
        for (offset, piece) in logscan_source::aligned_chunks(contents, PIECE) {
            let mut lines = limit.lines(piece, line_number, offset as u64);
            for line in &mut lines {
                let line = line.map_err(|e| e.into_error(source.path()))?;
                counts.lines += 1;
                if f(line).is_break() {
                    source.check_intact()?;
                    return Ok(counts);
                }
            }
            counts.skipped += lines.skipped();
            line_number = lines.next_line_number();
            source.check_intact()?;
            notes.progress((offset + piece.len()) as u64);
        }
        counts.bytes = contents.len() as u64;
        return Ok(counts);
    }
    let path = source.path().to_owned();
    for block in source.into_blocks() {
        let block = block?;
        if !block.bytes().is_empty()
            && let Some(on_head) = on_head.take()
        {
            on_head(block.bytes())?;
        }
        counts.skipped += block.skipped_lines();
        let end = block.byte_offset() + block.bytes().len() as u64;
        let mut lines = block.lines(limit);
        for line in &mut lines {
            let line = line.map_err(|e| e.into_error(&path))?;
            counts.lines += 1;
            if f(line).is_break() {
                return Ok(counts);
            }
        }
        counts.skipped += lines.skipped();
        counts.bytes = end;
        notes.progress(end);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{AdviceChoice, InputArgs, IoChoice};

    fn inputs(io: IoChoice) -> Inputs {
        Inputs::from_args(&InputArgs {
            files: Vec::new(),
            io,
            mmap_advice: AdviceChoice::Sequential,
            threads: 1,
            max_line_length: 1 << 20,
            skip_long_lines: false,
            quiet: true,
        })
        .expect("options")
    }

    fn truncated(path: &Path) -> CliError {
        CliError::Source(logscan_source::Error::Truncated {
            path: path.to_owned(),
            size_at_open: 10,
            size_now: 5,
        })
    }

    /// Lines of [`big_file`]: enough for Auto to map it, and more than one chunk.
    const BIG_FILE_LINES: usize = {
        let threshold = SourceBuilder::DEFAULT_AUTO_MMAP_THRESHOLD as usize;
        let chunks = 2 * logscan_scan::ScannerBuilder::DEFAULT_CHUNK_SIZE;
        (if threshold > chunks {
            threshold
        } else {
            chunks
        }) / 2
            + 5
    };

    /// A file big enough for Auto to map it, of more than one chunk.
    fn big_file() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.log");
        std::fs::write(&path, b"x\n".repeat(BIG_FILE_LINES)).expect("write");
        (dir, path)
    }

    #[test]
    fn auto_retries_a_shrunk_mapping_once_with_stream() {
        let (_dir, path) = big_file();
        let notes = Notes::new(true, &[]);
        let mut seen = Vec::new();
        let got = inputs(IoChoice::Auto).scan(&path, false, &notes, |opened, attempt| {
            seen.push((opened.source.strategy(), attempt));
            match attempt {
                Attempt::First => Err(truncated(&path)),
                Attempt::Retry => Ok(opened.source.for_each_line(|_| {})?.lines),
            }
        });
        assert_eq!(got.expect("the retry succeeds"), BIG_FILE_LINES as u64);
        assert_eq!(
            seen,
            [
                (Strategy::Mmap, Attempt::First),
                (Strategy::Stream, Attempt::Retry)
            ]
        );
    }

    /// The change found while the head is read, before any scan: Auto opens the file
    /// again with Stream and scans it once, as the retry; an explicit `--io mmap` gives
    /// the change as the error and scans nothing.
    #[test]
    fn a_change_found_at_open_is_retried_under_auto_only() {
        let (_dir, path) = big_file();
        let notes = Notes::new(true, &[]);
        for (io, retried) in [(IoChoice::Auto, true), (IoChoice::Mmap, false)] {
            let args = inputs(io);
            let (mut opens, mut scans) = (Vec::new(), Vec::new());
            let got = args.scan_opened(
                &path,
                &notes,
                |strategy| {
                    opens.push(strategy);
                    if opens.len() == 1 {
                        return Err(truncated(&path));
                    }
                    args.open(&path, strategy, true)
                },
                |opened, attempt| {
                    scans.push((opened.source.strategy(), attempt));
                    assert!(opened.head.is_some_and(|h| h.starts_with(b"x\n")));
                    Ok(opened.source.for_each_line(|_| {})?.lines)
                },
            );
            if retried {
                assert_eq!(got.expect("the retry succeeds"), BIG_FILE_LINES as u64);
                assert_eq!(opens, [Strategy::Auto, Strategy::Stream]);
                assert_eq!(scans, [(Strategy::Stream, Attempt::Retry)]);
            } else {
                assert!(got.is_err_and(|e| e.is_truncated()), "{io:?}");
                assert_eq!(opens, [Strategy::Mmap]);
                assert_eq!(scans, []);
            }
        }
    }

    /// A mapped file cut short before its head is read: the head is not zeros that fit
    /// no format (a misleading "cannot tell the log format") but the change, which Auto
    /// then reads again with Stream.
    #[test]
    fn a_head_read_from_a_shrunk_mapping_is_the_change() {
        let (_dir, path) = big_file();
        let args = inputs(IoChoice::Auto);
        let source = args.builder(Strategy::Mmap).open(&path).expect("maps");
        assert_eq!(source.strategy(), Strategy::Mmap);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_len(0))
            .expect("truncate");
        match args.head_of_file(&source) {
            Err(e) => assert!(e.is_truncated(), "{e:?}"),
            Ok(head) => panic!("a head of {} bytes, not the change", head.len()),
        }
        let error = changed_or(&source, CliError::UnknownFormat { path: path.clone() });
        assert!(error.is_truncated(), "{error:?}");
    }

    #[test]
    fn inputs_of_one_chunk_run_on_one_thread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let small = dir.path().join("small.log");
        std::fs::write(&small, b"a\nb\n").expect("write");
        let mut args = inputs(IoChoice::Auto);
        args.scanner = Scanner::builder().threads(3).build().expect("scanner");
        for strategy in [Strategy::Stream, Strategy::ReadAll, Strategy::Mmap] {
            let source = args.builder(strategy).open(&small).expect("opens");
            assert_eq!(args.scanner_for(&source).threads(), 1, "{strategy}");
        }
        let (_big_dir, big) = big_file();
        let source = args.builder(Strategy::Auto).open(&big).expect("opens");
        assert_eq!(args.scanner_for(&source).threads(), 3);
        // A pipe's size is unknown: all threads.
        let piped = args
            .builder(Strategy::Auto)
            .open_reader("-", &b"a\n"[..])
            .expect("opens");
        assert_eq!(args.scanner_for(&piped).threads(), 3);
    }

    #[test]
    fn explicit_mmap_reports_the_truncation() {
        let (_dir, path) = big_file();
        let notes = Notes::new(true, &[]);
        let mut attempts = 0;
        let got: Result<(), _> = inputs(IoChoice::Mmap).scan(&path, false, &notes, |_, _| {
            attempts += 1;
            Err(truncated(&path))
        });
        assert!(got.is_err_and(|e| e.is_truncated()));
        assert_eq!(attempts, 1);
    }

    #[test]
    fn each_line_stops_when_asked_and_sees_the_head_first() {
        let source = Source::builder()
            .open_reader("r", &b"a\nb\nc\n"[..])
            .expect("opens");
        let notes = Notes::new(true, &[]);
        let mut head = None;
        let mut seen = Vec::new();
        let counts = each_line(
            source,
            &notes,
            |h| {
                head = Some(h.to_vec());
                Ok(())
            },
            |line| {
                seen.push(line.bytes.to_vec());
                if line.number == 2 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .expect("reads");
        assert_eq!(head.as_deref(), Some(&b"a\nb\nc\n"[..]));
        assert_eq!(seen, [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(counts.lines, 2);
    }
}
