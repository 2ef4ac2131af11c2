//! A mapped file that another thread truncates or extends while it is read: every run
//! ends in `Error::Truncated` or in the complete, correct lines, never in a signal death
//! (the SIGBUS guard repairs the reads of lost pages, `check_intact` reports them).

use std::{
    fs::{self, OpenOptions},
    path::Path,
    sync::{
        Barrier, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    thread,
};

use logscan_source::{Error, LineLimit, LongLinePolicy, Source, SourceBuilder, Strategy};

const RUNS: usize = 100;
const LINE_LEN: usize = 64;

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page).expect("page size")
}

/// Line `i` of every test file: 63 bytes naming `i`, then `\n`. No NUL anywhere, so a
/// NUL seen by a consumer can only come from a page the guard replaced with zeros.
fn line(i: usize) -> Vec<u8> {
    let mut l = format!("{i:08} ").into_bytes();
    l.extend((l.len()..LINE_LEN - 1).map(|k| b'a' + ((i + k) % 26) as u8));
    l
}

fn body(len: usize) -> Vec<u8> {
    assert_eq!(len % LINE_LEN, 0);
    (0..len / LINE_LEN)
        .flat_map(|i| {
            let mut l = line(i);
            l.push(b'\n');
            l
        })
        .collect()
}

/// What a consumer read: every line checked against the file as written, on the fly
/// (collecting 65,536 lines per run would make the test slow).
#[derive(Default)]
struct Seen {
    lines: usize,
    wrong: Option<(u64, Vec<u8>)>,
    nul: bool,
}

impl Seen {
    fn see(&mut self, original: &[u8], l: &logscan_source::Line<'_>) {
        self.lines += 1;
        self.nul |= l.bytes.contains(&0);
        let start = usize::try_from(l.byte_offset).unwrap();
        let right = start % LINE_LEN == 0
            && original.get(start..start + LINE_LEN - 1) == Some(l.bytes)
            && original.get(start + LINE_LEN - 1) == Some(&b'\n');
        if !right && self.wrong.is_none() {
            self.wrong = Some((l.byte_offset, l.bytes.to_vec()));
        }
    }

    fn merge(&mut self, other: Seen) {
        self.lines += other.lines;
        self.nul |= other.nul;
        if self.wrong.is_none() {
            self.wrong = other.wrong;
        }
    }
}

fn set_len(path: &Path, len: usize) {
    OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(len as u64))
        .expect("set_len");
}

/// When, relative to the consumer's progress, the other thread truncates.
#[derive(Clone, Copy, Debug, PartialEq)]
enum When {
    /// As soon as the consumer has passed `at` bytes, without stopping it.
    Racing,
    /// While the consumer waits just after passing `at` bytes: it reads the rest of the
    /// file after the truncation, so a page wholly past the cut must fault.
    Lockstep,
    /// After the consumer returned.
    AfterRead,
}

/// How the consumer reads the source, one per way a scanner can.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Consumer {
    /// `Source::for_each_line` with the default line limit.
    ForEachLine,
    /// `for_each_line` with a 100-byte limit: lost pages make an over-long line of
    /// zeros, which must still be reported as a truncation.
    ForEachLineSmallLimit,
    /// `contents()` cut into aligned chunks, two workers, `check_intact` after each.
    ParallelChunks,
    /// `into_blocks()`, each block read before the next is asked for.
    Blocks,
}

/// Where the consumer tells the truncating thread how far it got.
struct Progress {
    bytes: AtomicUsize,
    paused: AtomicBool,
    barrier: Barrier,
    at: usize,
    when: When,
}

impl Progress {
    fn new(at: usize, when: When) -> Progress {
        Progress {
            bytes: AtomicUsize::new(0),
            paused: AtomicBool::new(false),
            barrier: Barrier::new(2),
            at,
            when,
        }
    }

    /// Called by the consumer after it read `n` more bytes.
    fn advance(&self, n: usize) {
        let now = self.bytes.fetch_add(n, Ordering::AcqRel) + n;
        if self.when == When::Lockstep && now > self.at && !self.paused.swap(true, Ordering::AcqRel)
        {
            self.barrier.wait(); // the truncation happens now
        }
    }

    /// The truncating thread's side.
    fn truncate_when_due(&self, path: &Path, cut: usize, done: &AtomicBool) {
        match self.when {
            When::Racing | When::Lockstep => {
                while self.bytes.load(Ordering::Acquire) <= self.at && !done.load(Ordering::Acquire)
                {
                    thread::yield_now();
                }
            }
            When::AfterRead => {
                while !done.load(Ordering::Acquire) {
                    thread::yield_now();
                }
            }
        }
        set_len(path, cut);
        if self.when == When::Lockstep {
            // The consumer crossed `at` (nothing else ends the wait above before the
            // cut), so it is at the barrier or about to be.
            self.barrier.wait();
        }
    }
}

fn consume(
    source: Source,
    original: &[u8],
    consumer: Consumer,
    progress: &Progress,
    seen: &mut Seen,
) -> Result<(), Error> {
    match consumer {
        Consumer::ForEachLine | Consumer::ForEachLineSmallLimit => {
            source.for_each_line(|l| {
                seen.see(original, &l);
                progress.advance(l.bytes.len() + 1);
            })?;
        }
        Consumer::Blocks => {
            let limit = source.line_limit();
            for block in source.into_blocks() {
                let block = block?;
                for l in block.lines(limit) {
                    let l = l.map_err(|e| e.into_error("blocks"))?;
                    seen.see(original, &l);
                }
                progress.advance(block.bytes().len());
            }
        }
        Consumer::ParallelChunks => {
            let contents = source.contents().expect("a mapped source");
            let limit = source.line_limit();
            let chunks: Vec<_> = logscan_source::aligned_chunks(contents, 16 * 1024).collect();
            let next = AtomicUsize::new(0);
            let merged = Mutex::new(Seen::default());
            let failed = Mutex::new(None);
            thread::scope(|scope| {
                for _ in 0..2 {
                    scope.spawn(|| {
                        while let Some(&(offset, chunk)) =
                            chunks.get(next.fetch_add(1, Ordering::Relaxed))
                        {
                            let mut mine = Seen::default();
                            for l in limit.lines(chunk, 1, offset as u64) {
                                mine.see(original, &l.expect("default limit"));
                            }
                            // As a scanner does: check after each chunk, stop on error.
                            if let Err(e) = source.check_intact() {
                                *failed.lock().unwrap() = Some(e);
                                next.store(usize::MAX / 2, Ordering::Relaxed);
                                return;
                            }
                            merged.lock().unwrap().merge(mine);
                            progress.advance(chunk.len());
                        }
                    });
                }
            });
            seen.merge(merged.into_inner().unwrap());
            if let Some(e) = failed.into_inner().unwrap() {
                return Err(e);
            }
            source.check_intact()?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one run's parameters, named at the call
/// One run: a fresh file of `len` bytes opened with `builder`, read by `consumer`
/// while another thread cuts it to `cut` bytes. Returns whether the consumer saw zeros.
fn run_once(
    dir: &Path,
    builder: &SourceBuilder,
    original: &[u8],
    cut: usize,
    at: usize,
    when: When,
    consumer: Consumer,
    what: &str,
) -> (Outcome, bool) {
    let len = original.len();
    let path = dir.join("live.log");
    fs::write(&path, original).unwrap();
    let source = builder.open(&path).unwrap();
    assert_eq!(source.strategy(), Strategy::Mmap, "{what}");
    assert_eq!(source.size_at_open(), Some(len as u64));

    let progress = Progress::new(at, when);
    let done = AtomicBool::new(false);
    let mut seen = Seen::default();
    let result = thread::scope(|scope| {
        scope.spawn(|| progress.truncate_when_due(&path, cut, &done));
        let result = consume(source, original, consumer, &progress, &mut seen);
        done.store(true, Ordering::Release);
        result
    });
    let outcome = match result {
        Ok(()) => {
            assert_eq!(seen.wrong, None, "{what}: Ok but a line is not the file's");
            assert_eq!(
                seen.lines,
                len / LINE_LEN,
                "{what}: Ok but lines are missing"
            );
            Outcome::Complete
        }
        Err(Error::Truncated {
            path: p,
            size_at_open,
            size_now,
        }) => {
            assert_eq!(p, path, "{what}");
            assert_eq!((size_at_open, size_now), (len as u64, cut as u64), "{what}");
            assert_ne!(
                when,
                When::AfterRead,
                "{what}: the read was over before the cut"
            );
            Outcome::Truncated
        }
        Err(other) => panic!("{what}: expected Truncated or the whole file, got {other}"),
    };
    (outcome, seen.nul)
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Complete,
    Truncated,
}

/// 100 runs over each way of consuming, with cuts anywhere (page boundaries, inside
/// the last page, mid-line, to zero).
fn truncation_runs(builder: &SourceBuilder, pages: usize, runs: usize, label: &str) {
    let page = page_size();
    let len = pages * page;
    let original = body(len);
    let dir = tempfile::tempdir().unwrap();
    let (mut truncated, mut complete, mut lost_page_reads) = (0, 0, 0);
    for run in 0..runs {
        let when = [When::Racing, When::Lockstep, When::AfterRead][run % 3];
        let consumer = [
            Consumer::ForEachLine,
            Consumer::ParallelChunks,
            Consumer::Blocks,
            Consumer::ForEachLineSmallLimit,
        ][(run / 3) % 4];
        let cut = match run % 7 {
            0 => 0,
            1 => len - 1,                      // inside the last page: no fault
            2 => (pages - 1) * page,           // the last page is lost
            3 => ((run * 131) % pages) * page, // a page boundary
            _ => (run * 7919 + run * run * 104_729) % len, // anywhere, usually mid-line
        };
        // The consumer pauses (Lockstep) or is raced from somewhere in the first 3/4,
        // so there is file left to read after the cut.
        let at = (run * 6007) % (len * 3 / 4);
        let mut b = builder.clone();
        if consumer == Consumer::ForEachLineSmallLimit {
            b.line_limit(LineLimit::new(100, LongLinePolicy::Error));
        }
        let what = format!("{label} run {run}: {consumer:?} {when:?}, cut {cut}, at {at}");
        let (outcome, saw_nul) =
            run_once(dir.path(), &b, &original, cut, at, when, consumer, &what);
        match outcome {
            Outcome::Complete => complete += 1,
            Outcome::Truncated => truncated += 1,
        }
        if when == When::Lockstep && cut <= (pages - 1) * page {
            // The consumer read the rest of the file after the cut, including the last
            // page, which no longer exists: only the guard let this process live.
            assert_eq!(outcome, Outcome::Truncated, "{what}");
            lost_page_reads += 1;
            if consumer == Consumer::ForEachLine {
                assert!(saw_nul, "{what}: the lost pages did not read as zeros");
            }
        }
    }
    assert!(
        truncated > 0 && complete > 0 && lost_page_reads >= runs / 5,
        "{label}: {truncated} truncated, {complete} complete, {lost_page_reads} read lost pages"
    );
}

fn mmap_builder() -> SourceBuilder {
    let mut b = Source::builder();
    b.strategy(Strategy::Mmap).block_size(8 * 1024);
    b
}

#[test]
fn truncation_while_reading_a_mapped_source_ends_in_truncated_or_the_whole_file() {
    truncation_runs(&mmap_builder(), 64, RUNS, "mmap");
}

#[test]
fn auto_maps_a_file_at_the_threshold_and_survives_truncation_the_same_way() {
    // The default builder, as the CLI's `--io auto` uses it, on a file exactly at the
    // threshold (run_once asserts that Auto picked Mmap).
    let threshold = usize::try_from(SourceBuilder::DEFAULT_AUTO_MMAP_THRESHOLD).unwrap();
    let pages = threshold.div_ceil(page_size());
    truncation_runs(&Source::builder(), pages, RUNS / 2, "auto");
}

/// Appends to `path` (as a log writer does).
fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .expect("append");
}

#[test]
fn growth_while_reading_yields_the_file_as_it_was_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growing.log");
    let page = page_size();
    let threshold = usize::try_from(SourceBuilder::DEFAULT_AUTO_MMAP_THRESHOLD).unwrap();
    for run in 0..20 {
        // Mmap on small files, Auto on one at the threshold; each ends mid-line, as a
        // log does while its writer is between two writes.
        let (builder, len) = if run % 4 == 3 {
            (Source::builder(), threshold + LINE_LEN)
        } else {
            (mmap_builder(), (4 + run) * page)
        };
        let mut original = body(len - LINE_LEN);
        original.extend_from_slice(b"half a li");
        fs::write(&path, &original).unwrap();
        let source = builder.open(&path).unwrap();
        assert_eq!(source.strategy(), Strategy::Mmap);
        let size_at_open = source.size_at_open();

        let grown = Barrier::new(2);
        let pause_at = (run * 37) % (len / LINE_LEN - 1) + 1;
        let mut lines = 0;
        let mut last = Vec::new();
        let counts = thread::scope(|scope| {
            scope.spawn(|| {
                grown.wait();
                // The writer finishes the line and goes on for several pages.
                append(&path, b"ne, finished after the open\n");
                append(&path, &body(8 * page));
                grown.wait();
            });
            source.for_each_line(|l| {
                lines += 1;
                if lines == pause_at {
                    grown.wait();
                    grown.wait(); // the rest is read after the file grew
                }
                last = l.bytes.to_vec();
            })
        });
        let what = format!("run {run}, paused at line {pause_at}");
        let counts = counts.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(size_at_open, Some(original.len() as u64), "{what}");
        assert_eq!(counts.bytes, original.len() as u64, "{what}");
        assert_eq!(counts.lines, (len / LINE_LEN) as u64, "{what}");
        assert_eq!(
            last, b"half a li",
            "{what}: the snapshot ends where the file did"
        );
        assert!(fs::metadata(&path).unwrap().len() > original.len() as u64);
    }
}

#[test]
fn a_fault_in_a_file_refilled_to_its_old_size_is_a_failed_read_not_a_shrink() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotated.log");
    let page = page_size();
    let original = body(16 * page);
    fs::write(&path, &original).unwrap();
    let source = mmap_builder().open(&path).unwrap();
    let contents = source.contents().unwrap();
    assert_eq!(contents[..LINE_LEN - 1], line(0)[..]);

    // copytruncate, then the writer fills the file past the old size before the check.
    set_len(&path, 0);
    let last = contents[contents.len() - 1]; // a lost page: repaired by the guard
    assert_eq!(last, 0);
    append(&path, &body(32 * page));
    match source.check_intact() {
        Err(e @ Error::MappedReadFailed { .. }) => {
            assert!(e.changed_while_mapped());
            let Error::MappedReadFailed {
                path: p,
                size_at_open,
                size_now,
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(p, &path);
            assert_eq!(*size_at_open, original.len() as u64);
            assert_eq!(*size_now, Some(2 * original.len() as u64));
            let text = e.to_string();
            assert!(text.contains("a read of the mapped file failed"), "{text}");
            assert!(
                text.contains(&format!("{} now", 2 * original.len())),
                "{text}"
            );
        }
        other => panic!("expected MappedReadFailed, got {other:?}"),
    }
    // The mark stays: a second check says the same.
    assert!(matches!(
        source.check_intact(),
        Err(Error::MappedReadFailed { .. })
    ));
}

#[test]
fn a_shrink_inside_the_last_page_faults_nothing_and_is_still_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.log");
    let original = body(4 * page_size());
    fs::write(&path, &original).unwrap();
    let source = mmap_builder().open(&path).unwrap();
    set_len(&path, original.len() - 10);
    // The page holding the new end is still mapped: its tail reads as zeros, no fault.
    assert_eq!(source.contents().unwrap()[original.len() - 1], 0);
    let e = source.for_each_line(|_| {}).unwrap_err();
    assert!(e.changed_while_mapped());
    assert!(
        matches!(e, Error::Truncated { size_now, .. } if size_now == original.len() as u64 - 10),
        "{e:?}"
    );
}

#[test]
fn blocks_are_checked_after_the_last_one_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blocks.log");
    let page = page_size();
    let original = body(8 * page);
    fs::write(&path, &original).unwrap();
    let source = mmap_builder().open(&path).unwrap(); // 8 KiB blocks
    let mut blocks = source.into_blocks();
    let mut last = None;
    for block in &mut blocks {
        let block = block.expect("intact so far");
        assert!(block.check_intact().is_ok());
        if block.byte_offset() + block.bytes().len() as u64 == original.len() as u64 {
            last = Some(block);
            break;
        }
    }
    let last = last.expect("a last block");
    // Cut while the last block is being read; the read of its lost page is repaired.
    set_len(&path, page);
    assert!(last.bytes().ends_with(&[0]));
    assert!(matches!(
        last.check_intact(),
        Err(Error::Truncated { size_now, .. }) if size_now == page as u64
    ));
    // The iterator's check at the end catches it for a sequential consumer too.
    assert!(matches!(blocks.next(), Some(Err(Error::Truncated { .. }))));
    assert!(blocks.next().is_none());
}

#[test]
fn owned_sources_never_report_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("owned.log");
    fs::write(&path, body(4 * LINE_LEN)).unwrap();
    for strategy in [Strategy::ReadAll, Strategy::Stream] {
        let mut b = Source::builder();
        b.strategy(strategy).block_size(LINE_LEN);
        let source = b.open(&path).unwrap();
        let blocks: Vec<_> = source.into_blocks().collect::<Result<_, _>>().unwrap();
        set_len(&path, 0);
        for block in &blocks {
            assert!(block.check_intact().is_ok(), "{strategy}");
        }
        fs::write(&path, body(4 * LINE_LEN)).unwrap();
    }
}
