//! How the scanner behaves around the edges: threads, progress, the ordered map's
//! bounds and early exits, panics, truncated mappings, configuration errors.

mod support;

use std::{
    io::{self, Read},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    thread,
};

use logscan_scan::{BuildError, LineCount, MapError, Progress, Scanner, from_fn};
use logscan_source::{LineLimit, Source, Strategy};
use support::*;

fn write_temp(input: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.log");
    std::fs::write(&path, input).unwrap();
    (dir, path)
}

#[test]
fn one_thread_runs_on_the_calling_thread() {
    let (_dir, path) = write_temp(&generate(1, 200, 50));
    let caller = thread::current().id();
    let scanner = scanner(1, 64);
    for strategy in STRATEGIES {
        let source = open(&path, strategy, 64, LineLimit::default());
        let out = scanner
            .scan(source, || {
                from_fn(
                    true,
                    move |same: &mut bool, _: &[u8], _| *same &= thread::current().id() == caller,
                    |same: &mut bool, other: bool| *same &= other,
                )
            })
            .unwrap();
        assert!(
            out.aggregate.into_state(),
            "{strategy}: a line was scanned on another thread"
        );
        let source = open(&path, strategy, 64, LineLimit::default());
        scanner
            .map_ordered(
                source,
                |_| thread::current().id(),
                |id| {
                    assert_eq!(
                        id, caller,
                        "{strategy}: a chunk was mapped on another thread"
                    );
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
    }
}

#[test]
fn several_threads_do_share_the_work() {
    // Many small chunks, each taking a little while: with 4 workers more than one of
    // them takes part. (Not a timing assertion: only who did the work is checked.)
    let (_dir, path) = write_temp(&generate(2, 400, 50));
    let scanner = scanner(4, 1);
    let source = open(&path, Strategy::ReadAll, 1, LineLimit::default());
    let out = scanner
        .scan(source, || {
            from_fn(
                std::collections::BTreeSet::new(),
                |ids: &mut std::collections::BTreeSet<String>, _: &[u8], _| {
                    ids.insert(format!("{:?}", thread::current().id()));
                    thread::sleep(std::time::Duration::from_micros(200));
                },
                |ids, other| ids.extend(other),
            )
        })
        .unwrap();
    assert!(out.aggregate.state().len() > 1, "only one worker scanned");
    assert_eq!(out.stats.threads, 4);
}

#[test]
fn progress_grows_and_ends_at_the_input_size() {
    let input = generate(3, 500, 80);
    let (_dir, path) = write_temp(&input);
    for strategy in STRATEGIES {
        for threads in [1, 3] {
            let calls: Arc<Mutex<Vec<Progress>>> = Arc::default();
            let seen = Arc::clone(&calls);
            let scanner = Scanner::builder()
                .threads(threads)
                .chunk_size(100)
                .progress(move |p| seen.lock().unwrap().push(p))
                .build()
                .unwrap();
            let source = Source::builder()
                .strategy(strategy)
                .block_size(100)
                .open(&path)
                .unwrap();
            let out = scanner.scan(source, LineCount::default).unwrap();
            let calls = calls.lock().unwrap();
            assert!(
                calls.len() > 10,
                "{strategy}: progress was reported {} times",
                calls.len()
            );
            assert!(calls.windows(2).all(|w| w[0].bytes_done < w[1].bytes_done));
            let last = calls.last().unwrap();
            assert_eq!(last.bytes_done, input.len() as u64);
            assert_eq!(last.bytes_total, Some(input.len() as u64));
            assert_eq!(out.stats.bytes, input.len() as u64);
        }
    }
}

#[test]
fn with_progress_shares_the_pool_and_reports_to_the_new_callback() {
    let (_dir, path) = write_temp(b"a\nb\nc\n");
    let base = scanner(2, 1);
    let done = Arc::new(AtomicU64::new(0));
    let d = Arc::clone(&done);
    let reporting = base.with_progress(move |p| d.store(p.bytes_done, Ordering::Relaxed));
    reporting.scan(Source::open(&path).unwrap(), || ()).unwrap();
    assert_eq!(done.load(Ordering::Relaxed), 6);
    assert_eq!(reporting.threads(), 2);
}

#[test]
fn stdin_like_input_has_no_total() {
    let calls: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let seen = Arc::clone(&calls);
    let scanner = Scanner::builder()
        .threads(2)
        .progress(move |p| seen.lock().unwrap().push(p))
        .build()
        .unwrap();
    let source = Source::builder()
        .open_reader("pipe", &b"x\ny\n"[..])
        .unwrap();
    let out = scanner.scan(source, LineCount::default).unwrap();
    assert_eq!(out.aggregate.lines, 2);
    let calls = calls.lock().unwrap();
    assert_eq!(
        calls.last().map(|p| (p.bytes_done, p.bytes_total)),
        Some((4, None))
    );
}

#[test]
fn the_ordered_map_keeps_a_bounded_number_of_chunks_in_flight() {
    let input = generate(4, 2000, 30);
    let (_dir, path) = write_temp(&input);
    for strategy in STRATEGIES {
        let threads = 3;
        let queue = 2;
        let scanner = Scanner::builder()
            .threads(threads)
            .chunk_size(16)
            .queue_depth(queue)
            .build()
            .unwrap();
        let source = Source::builder()
            .strategy(strategy)
            .block_size(16)
            .open(&path)
            .unwrap();
        let mapped = AtomicU64::new(0);
        let mut sunk = 0u64;
        let sunk_shared = AtomicU64::new(0);
        let max_ahead = AtomicU64::new(0);
        let mut first_lines = Vec::new();
        let stats = scanner
            .map_ordered(
                source,
                |chunk| {
                    let n = mapped.fetch_add(1, Ordering::SeqCst) + 1;
                    max_ahead.fetch_max(n - sunk_shared.load(Ordering::SeqCst), Ordering::SeqCst);
                    chunk.first_line()
                },
                |first_line| {
                    // A slow sink lets the workers run ahead as far as they may.
                    thread::sleep(std::time::Duration::from_micros(50));
                    first_lines.push(first_line);
                    sunk += 1;
                    sunk_shared.store(sunk, Ordering::SeqCst);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
        assert_eq!(stats.chunks, first_lines.len() as u64);
        assert!(
            first_lines.windows(2).all(|w| w[0] < w[1]),
            "{strategy}: out of order"
        );
        let ahead = max_ahead.load(Ordering::SeqCst);
        assert!(
            ahead <= (queue + threads) as u64,
            "{strategy}: {ahead} chunks in flight"
        );
    }
}

#[test]
fn a_sink_error_stops_the_scan_early() {
    let input = generate(5, 3000, 30);
    let (_dir, path) = write_temp(&input);
    for strategy in STRATEGIES {
        for threads in [1, 2] {
            let scanner = Scanner::builder()
                .threads(threads)
                .chunk_size(16)
                .queue_depth(2)
                .build()
                .unwrap();
            let source = Source::builder()
                .strategy(strategy)
                .block_size(16)
                .open(&path)
                .unwrap();
            let mapped = AtomicU64::new(0);
            let mut sunk = 0;
            let result = scanner.map_ordered(
                source,
                |_| mapped.fetch_add(1, Ordering::SeqCst),
                |_| {
                    sunk += 1;
                    if sunk == 3 {
                        Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
                    } else {
                        Ok(())
                    }
                },
            );
            match result {
                Err(MapError::Sink(e)) => assert_eq!(e.kind(), io::ErrorKind::BrokenPipe),
                other => panic!("{strategy}: expected the sink's error, got {other:?}"),
            }
            assert_eq!(sunk, 3);
            // Far fewer than the ~6000 chunks of the input were mapped.
            assert!(
                mapped.load(Ordering::SeqCst) < 50,
                "{strategy}: mapped too many"
            );
        }
    }
}

#[test]
fn the_sink_gets_every_line_before_an_over_long_one_and_nothing_after() {
    let mut input = Vec::new();
    for i in 0..100 {
        input.extend_from_slice(format!("line {i}\n").as_bytes());
    }
    input.extend_from_slice(&[b'x'; 100]);
    input.extend_from_slice(b"\nafter\n");
    let (_dir, path) = write_temp(&input);
    // Chunks and blocks of 32 bytes, and of 1 MiB: the over-long line then sits in the
    // middle of the one chunk (and block) that holds everything.
    for (strategy, size) in STRATEGIES.iter().flat_map(|&s| [(s, 32), (s, 1 << 20)]) {
        for threads in [1, 2, 7] {
            let scanner = scanner(threads, size);
            let source = Source::builder()
                .strategy(strategy)
                .block_size(size)
                .max_line_len(50)
                .open(&path)
                .unwrap();
            let mut numbers = Vec::new();
            let result = scanner.map_ordered(
                source,
                |chunk| chunk.lines().map(|l| l.number).collect::<Vec<_>>(),
                |n| {
                    numbers.extend(n);
                    Ok::<(), ()>(())
                },
            );
            let err = match result {
                Err(MapError::Scan(e)) => e,
                other => panic!("{strategy}: expected a scan error, got {other:?}"),
            };
            assert_eq!(err.line_number(), Some(101), "{strategy} threads={threads}");
            // Every line before the over-long one arrived, in order, and nothing after:
            // the same on every strategy, wherever the chunks were cut.
            assert_eq!(
                numbers,
                (1..=100).collect::<Vec<u64>>(),
                "{strategy} {size} threads={threads}"
            );
        }
    }
}

#[test]
fn a_panic_in_the_map_reaches_the_caller_without_hanging() {
    let (_dir, path) = write_temp(&generate(6, 2000, 30));
    for strategy in STRATEGIES {
        let scanner = scanner(2, 16);
        let source = Source::builder()
            .strategy(strategy)
            .block_size(16)
            .open(&path)
            .unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            scanner.map_ordered(
                source,
                |chunk| {
                    assert!(chunk.first_line() < 500, "boom");
                },
                |()| Ok::<(), ()>(()),
            )
        }));
        assert!(result.is_err(), "{strategy}: the panic was lost");
    }
}

#[test]
fn a_panic_in_an_aggregate_reaches_the_caller() {
    let (_dir, path) = write_temp(&generate(7, 2000, 30));
    for strategy in STRATEGIES {
        let scanner = scanner(2, 16);
        let source = Source::builder()
            .strategy(strategy)
            .block_size(16)
            .open(&path)
            .unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            scanner.scan(source, || {
                from_fn(
                    (),
                    |_: &mut (), _: &[u8], n| assert!(n < 500, "boom"),
                    |_, _| {},
                )
            })
        }));
        assert!(result.is_err(), "{strategy}: the panic was lost");
    }
}

#[test]
fn a_mapped_file_that_shrank_fails_as_truncated() {
    // Shrink within the last page, so reading the mapping cannot fault: the check after
    // each chunk must still notice the file is shorter than the mapping.
    let input = generate(8, 400, 40);
    assert!(input.len() > 5000 && input.len() % 4096 > 10);
    let (_dir, path) = write_temp(&input);
    for threads in [1, 2] {
        let source = Source::builder()
            .strategy(Strategy::Mmap)
            .open(&path)
            .unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(input.len() as u64 - 10)
            .unwrap();
        let err = scanner(threads, 64)
            .scan(source, LineCount::default)
            .unwrap_err();
        assert!(err.is_truncated(), "{err}");
        std::fs::write(&path, &input).unwrap();
    }
}

#[test]
fn a_mapping_cut_to_zeros_is_truncated_not_a_long_line() {
    // Cut the whole file away while it is mapped: every page then reads as zeros, one
    // run without a newline far longer than the limit. The scan must say the file
    // shrank (which the CLI retries) rather than blame an over-long line (which it
    // reports as final).
    let input = generate(11, 4000, 40);
    assert!(input.len() > 3 * 4096);
    let (_dir, path) = write_temp(&input);
    let limit = LineLimit::new(1000, logscan_source::LongLinePolicy::Error);
    for threads in [1, 2] {
        for chunk_size in [64, 1 << 20] {
            // Mapped, then the file cut to nothing under the mapping.
            let mapped_then_emptied = || {
                std::fs::write(&path, &input).unwrap();
                let source = open(&path, Strategy::Mmap, chunk_size, limit);
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_len(0))
                    .unwrap();
                source
            };
            let err = scanner(threads, chunk_size)
                .scan(mapped_then_emptied(), LineCount::default)
                .unwrap_err();
            assert!(
                err.is_truncated(),
                "threads {threads}, chunk {chunk_size}: {err}"
            );
            let err = scanner(threads, chunk_size)
                .map_ordered(
                    mapped_then_emptied(),
                    |c: logscan_scan::Chunk<'_>| c.bytes().len(),
                    |_| Ok::<(), ()>(()),
                )
                .unwrap_err();
            assert!(
                matches!(&err, MapError::Scan(e) if e.is_truncated()),
                "ordered, threads {threads}, chunk {chunk_size}: {err:?}"
            );
        }
    }
}

#[test]
fn the_ordered_map_fails_as_truncated_too_and_reports_progress() {
    let input = generate(10, 400, 40);
    let (_dir, path) = write_temp(&input);
    let done = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&done);
    let scanner = Scanner::builder()
        .threads(2)
        .chunk_size(64)
        .progress(move |p| seen.store(p.bytes_done, Ordering::Relaxed))
        .build()
        .unwrap();
    let map = |chunk: logscan_scan::Chunk<'_>| chunk.bytes().len();
    let source = Source::builder()
        .strategy(Strategy::Mmap)
        .open(&path)
        .unwrap();
    let stats = scanner
        .map_ordered(source, map, |_| Ok::<(), ()>(()))
        .unwrap();
    assert_eq!(done.load(Ordering::Relaxed), input.len() as u64);
    assert_eq!(stats.bytes, input.len() as u64);

    // Shrink within the last page, so that reading the mapping cannot fault.
    assert!(input.len() % 4096 > 10);
    let source = Source::builder()
        .strategy(Strategy::Mmap)
        .open(&path)
        .unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(input.len() as u64 - 10)
        .unwrap();
    match scanner.map_ordered(source, map, |_| Ok::<(), ()>(())) {
        Err(MapError::Scan(e)) => assert!(e.is_truncated(), "{e}"),
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn a_read_error_midway_is_reported_after_the_lines_before_it() {
    /// Gives `good` bytes, then fails.
    struct Failing(io::Cursor<Vec<u8>>);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("disk on fire")),
                n => Ok(n),
            }
        }
    }
    for threads in [1, 2] {
        let source = Source::builder()
            .block_size(8)
            .open_reader("failing", Failing(io::Cursor::new(generate(9, 100, 20))))
            .unwrap();
        let err = scanner(threads, 8)
            .scan(source, LineCount::default)
            .unwrap_err();
        assert!(err.to_string().contains("disk on fire"), "{err}");
        assert_eq!(err.path().map(|p| p.as_os_str() == "failing"), Some(true));
    }
}

#[test]
fn bad_options_are_typed_errors() {
    assert!(matches!(
        Scanner::builder().threads(0).build(),
        Err(BuildError::ZeroThreads)
    ));
    assert!(matches!(
        Scanner::builder().chunk_size(0).build(),
        Err(BuildError::ZeroChunkSize)
    ));
    let default = Scanner::new().unwrap();
    assert!(default.threads() >= 1);
    assert_eq!(
        default.chunk_size(),
        logscan_scan::ScannerBuilder::DEFAULT_CHUNK_SIZE
    );
}

#[test]
fn tuples_of_aggregates_run_in_one_pass() {
    let (_dir, path) = write_temp(b"GET /\nPOST /\n\nGET /x\n");
    let scanner = scanner(2, 1);
    let out = scanner
        .scan(Source::open(&path).unwrap(), || {
            (
                LineCount::default(),
                logscan_scan::count_matching(|l: &[u8]| l.starts_with(b"GET")),
            )
        })
        .unwrap();
    assert_eq!(out.aggregate.0.lines, 4);
    assert_eq!(out.aggregate.1.count(), 2);
}
