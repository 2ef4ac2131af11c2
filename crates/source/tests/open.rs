//! Opening: the Auto rule, refusals, errors, gzip, truncation, blocks and pools.

mod support;

use std::{
    fs,
    io::{Cursor, Read, Write},
    process::Command,
    sync::mpsc,
    thread,
};

use logscan_pool::BufferPool;
use logscan_source::{
    Compression, Error, LineLimit, LongLinePolicy, Source, Strategy, count_lines,
};
use support::{builder, gzip, realdata_dir, via_for_each_line};

/// The error of opening and reading `path` whole with `strategy`, which must fail.
fn read_error(path: &std::path::Path, strategy: Strategy) -> Error {
    Source::builder()
        .strategy(strategy)
        .open(path)
        .and_then(|s| s.for_each_line(|_| {}))
        .unwrap_err()
}

fn write_temp(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.log");
    fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn auto_reads_small_files_and_maps_large_ones() {
    let (_dir, path) = write_temp(&b"x\n".repeat(100)); // 200 bytes
    let mut b = Source::builder();
    assert_eq!(b.open(&path).unwrap().strategy(), Strategy::ReadAll);
    b.auto_mmap_threshold(200);
    let source = b.open(&path).unwrap();
    assert_eq!(
        source.strategy(),
        Strategy::Mmap,
        "the threshold is inclusive"
    );
    assert_eq!(source.size_at_open(), Some(200));
    b.auto_mmap_threshold(201);
    assert_eq!(b.open(&path).unwrap().strategy(), Strategy::ReadAll);
}

#[test]
fn auto_streams_gzip_detected_by_magic_not_name() {
    let (_dir, path) = write_temp(&gzip(b"a\nb\n"));
    assert!(path.extension().is_some_and(|e| e == "log"));
    let mut b = Source::builder();
    b.auto_mmap_threshold(0); // would map it, if it were not gzip
    let source = b.open(&path).unwrap();
    assert_eq!(source.strategy(), Strategy::Stream);
    assert_eq!(source.compression(), Compression::Gzip);
    assert_eq!(source.for_each_line(|_| {}).unwrap().lines, 2);
    // ReadAll decompresses into memory; Mmap refuses.
    b.strategy(Strategy::ReadAll);
    assert_eq!(b.open(&path).unwrap().contents(), Some(&b"a\nb\n"[..]));
    b.strategy(Strategy::Mmap);
    assert!(matches!(
        b.open(&path),
        Err(Error::Unsupported {
            strategy: Strategy::Mmap,
            ..
        })
    ));
}

#[test]
fn a_file_starting_with_one_magic_byte_is_not_gzip() {
    let (_dir, path) = write_temp(b"\x1f\n");
    let source = Source::open(&path).unwrap();
    assert_eq!(source.compression(), Compression::None);
    assert_eq!(source.contents(), Some(&b"\x1f\n"[..]));
    let r = Source::builder()
        .open_reader("one byte", Cursor::new(vec![0x1f]))
        .unwrap();
    assert_eq!(via_for_each_line(r).plain_lines(), [vec![0x1f]]);
}

#[test]
fn concatenated_gzip_members_are_all_read() {
    // As `gzip -c a >> all.gz; gzip -c b >> all.gz` makes them.
    let mut both = gzip(b"first\n");
    both.extend(gzip(b"second\n"));
    let (_dir, path) = write_temp(&both);
    let lines = via_for_each_line(Source::open(&path).unwrap()).plain_lines();
    assert_eq!(lines, [b"first".to_vec(), b"second".to_vec()]);
}

/// Zeros after the last member are padding, as `gzip -d` reads them: the same lines as
/// without, whichever way the input arrives.
#[test]
fn zero_padding_after_the_last_gzip_member_is_the_end() {
    let mut padded = gzip(b"first\n");
    padded.extend(gzip(b"second\n"));
    padded.extend([0u8; 4096]);
    let (_dir, path) = write_temp(&padded);
    let want = [b"first".to_vec(), b"second".to_vec()];
    for strategy in [Strategy::Stream, Strategy::ReadAll] {
        let source = Source::builder().strategy(strategy).open(&path).unwrap();
        assert_eq!(via_for_each_line(source).plain_lines(), want, "{strategy}");
    }
    let piped = Source::builder()
        .open_reader("piped", Cursor::new(padded))
        .unwrap();
    assert_eq!(via_for_each_line(piped).plain_lines(), want);
}

/// Other data after the last member (a log appended to a `.gz` by mistake) is not read
/// as a broken member, nor as log: the input ends with the last member, as with
/// `gzip -d`, and the source's trailer says where the ignored data starts, whichever
/// way the input arrives.
#[test]
fn other_data_after_the_last_gzip_member_is_ignored_and_located() {
    let body = gzip(b"first\nsecond\n");
    let mut input = body.clone();
    input.extend(b"203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 2\n");
    let (_dir, path) = write_temp(&input);
    let want = [b"first".to_vec(), b"second".to_vec()];
    let piped = Source::builder()
        .open_reader("piped", Cursor::new(input.clone()))
        .unwrap();
    let mut sources = vec![("piped".to_owned(), piped)];
    for strategy in [Strategy::Stream, Strategy::ReadAll, Strategy::Auto] {
        let source = Source::builder().strategy(strategy).open(&path).unwrap();
        sources.push((strategy.to_string(), source));
    }
    for (how, source) in sources {
        let trailer = source.gzip_trailer();
        assert_eq!(via_for_each_line(source).plain_lines(), want, "{how}");
        assert_eq!(trailer.ignored_from(), Some(body.len() as u64), "{how}");
    }
    // Not set where there is nothing to ignore.
    let (_dir2, clean) = write_temp(&body);
    let source = Source::builder().open(&clean).unwrap();
    let trailer = source.gzip_trailer();
    via_for_each_line(source);
    assert_eq!(trailer.ignored_from(), None);
}

#[test]
fn corrupt_and_cut_gzip_are_bad_gzip_errors() {
    let mut body = gzip(&b"some log line\n".repeat(500));
    let len = body.len();
    body[len / 2] ^= 0xff;
    body[len / 2 + 1] ^= 0x55;
    for (what, bytes) in [("flipped", body.clone()), ("cut", body[..len / 2].to_vec())] {
        for strategy in [Strategy::Stream, Strategy::ReadAll] {
            let (_dir, path) = write_temp(&bytes);
            let result = Source::builder()
                .strategy(strategy)
                .open(&path)
                .and_then(|s| s.for_each_line(|_| {}));
            match result {
                Err(Error::BadGzip { path: p, .. }) => assert_eq!(p, path),
                other => panic!("{what} {strategy}: expected BadGzip, got {other:?}"),
            }
        }
    }
}

/// A cut gzip file says how far it got: the lines before the damage were read.
#[test]
fn a_cut_gzip_error_says_how_much_was_decompressed() {
    let text: Vec<u8> = (0..200_000u32)
        .flat_map(|i| format!("line {i} {}\n", i.wrapping_mul(2_654_435_761)).into_bytes())
        .collect();
    let body = gzip(&text);
    let (_dir, path) = write_temp(&body[..body.len() / 2]);
    for strategy in [Strategy::Stream, Strategy::ReadAll] {
        let err = read_error(&path, strategy);
        let Error::BadGzip { decompressed, .. } = err else {
            panic!("{strategy}: {err:?}");
        };
        assert!(
            decompressed > text.len() as u64 / 4 && decompressed < text.len() as u64,
            "{strategy}: {decompressed} of {}",
            text.len()
        );
        assert!(
            err.to_string().contains(&format!(
                "bad gzip data after {decompressed} decompressed bytes"
            )),
            "{err}"
        );
    }
}

#[test]
fn open_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.log");
    let err = Source::open(&missing).unwrap_err();
    assert!(matches!(&err, Error::NotFound { path } if *path == missing));
    assert!(err.to_string().contains("nope.log"));
    for strategy in Strategy::ALL {
        let err = Source::builder()
            .strategy(strategy)
            .open(dir.path())
            .unwrap_err();
        assert!(
            matches!(&err, Error::IsADirectory { path } if path == dir.path()),
            "{err}"
        );
    }
    let err = Source::builder().block_size(0).open(&missing).unwrap_err();
    assert!(matches!(err, Error::InvalidOptions { .. }));
}

#[test]
fn devices_and_pipes_stream_and_refuse_mmap() {
    let source = Source::open("/dev/null").unwrap();
    assert_eq!(source.strategy(), Strategy::Stream);
    assert_eq!(source.size_at_open(), None);
    assert_eq!(source.for_each_line(|_| {}).unwrap().lines, 0);
    let err = Source::builder()
        .strategy(Strategy::Mmap)
        .open("/dev/null")
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    let r = Source::builder()
        .strategy(Strategy::ReadAll)
        .open("/dev/null")
        .unwrap();
    assert_eq!(r.contents(), Some(&[][..]));
}

#[test]
fn fifo_is_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let writer_path = fifo.clone();
    let writer = thread::spawn(move || {
        let mut w = fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        w.write_all(b"from\na fifo\n").unwrap();
    });
    let source = Source::open(&fifo).unwrap();
    assert_eq!(source.strategy(), Strategy::Stream);
    let lines = via_for_each_line(source).plain_lines();
    writer.join().unwrap();
    assert_eq!(lines, [b"from".to_vec(), b"a fifo".to_vec()]);
}

/// A read that fills all it asked for (here the first 64 KiB read of a pipe, after the
/// 2 bytes taken to check for gzip) cannot tell whether more is coming: the lines in it
/// must come out while the writer pauses, not when it writes again or closes.
#[cfg(target_os = "linux")]
#[test]
fn a_live_read_that_fills_exactly_is_handed_out_while_the_writer_pauses() {
    use std::os::fd::AsRawFd;
    use std::time::Duration;

    let (reader, mut writer) = std::io::pipe().unwrap();
    // Room for the whole burst, so that all of it is in the pipe before the first read.
    // SAFETY: `fcntl` with F_SETPIPE_SZ on the live write end of a pipe this test owns.
    let resized = unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
    assert!(resized >= 1 << 20, "pipe size {resized}");
    let mut burst = b"x\n".to_vec();
    for i in 0..1024 {
        burst.extend_from_slice(format!("{i:063}\n").as_bytes());
    }
    assert_eq!(burst.len(), 2 + 64 * 1024);
    writer.write_all(&burst).unwrap();

    let path = format!("/proc/self/fd/{}", reader.as_raw_fd());
    let source = Source::builder().block_size(1 << 20).open(&path).unwrap();
    drop(reader);
    assert_eq!(source.strategy(), Strategy::Stream);
    // The writer pauses with the pipe open; if the lines have not come out after 20 s,
    // it closes the pipe, which lets the read return, and the test fails.
    let (got_block, wait) = mpsc::channel::<()>();
    let closer = thread::spawn(move || {
        let late = wait.recv_timeout(Duration::from_secs(20)).is_err();
        drop(writer);
        late
    });
    let mut blocks = source.into_blocks();
    let first = blocks.next().unwrap().unwrap();
    let _ = got_block.send(());
    assert!(
        !closer.join().unwrap(),
        "the lines came out only when the pipe closed"
    );
    assert_eq!(first.line_count(), 1025);
    assert_eq!(first.bytes(), &burst[..]);
    assert!(blocks.next().is_none());
}

#[test]
fn stdin_is_named_dash_streams_and_is_never_mapped() {
    support::stdin_from_dev_null();
    let source = Source::open("-").unwrap();
    assert_eq!(source.path().as_os_str(), "-");
    assert_eq!(source.strategy(), Strategy::Stream);
    drop(source);
    let err = Source::builder()
        .strategy(Strategy::Mmap)
        .open("-")
        .unwrap_err();
    assert!(matches!(&err, Error::Unsupported { path, .. } if path.as_os_str() == "-"));
}

#[test]
fn mapped_file_that_shrinks_is_reported_truncated() {
    let body = b"0123456789\n".repeat(1000);
    let (_dir, path) = write_temp(&body);
    let source = Source::builder()
        .strategy(Strategy::Mmap)
        .open(&path)
        .unwrap();
    assert!(source.check_intact().is_ok());
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(100)
        .unwrap();
    // The lost pages are not touched: reading them would raise SIGBUS.
    match source.check_intact() {
        Err(Error::Truncated {
            size_at_open,
            size_now,
            ..
        }) => {
            assert_eq!((size_at_open, size_now), (11_000, 100));
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let first = source.into_blocks().next();
    assert!(
        matches!(first, Some(Err(Error::Truncated { .. }))),
        "{first:?}"
    );
}

#[test]
fn owned_contents_stay_intact_after_the_file_shrinks() {
    let (_dir, path) = write_temp(b"a\nb\n");
    let source = Source::builder()
        .strategy(Strategy::ReadAll)
        .open(&path)
        .unwrap();
    fs::write(&path, b"").unwrap();
    assert!(source.check_intact().is_ok());
    assert_eq!(source.contents(), Some(&b"a\nb\n"[..]));
    assert_eq!(source.size_at_open(), Some(4));
}

#[test]
fn empty_file_under_every_strategy_has_no_lines() {
    let (_dir, path) = write_temp(b"");
    for strategy in Strategy::ALL {
        let source = Source::builder().strategy(strategy).open(&path).unwrap();
        assert!(source.check_intact().is_ok());
        let counts = source
            .for_each_line(|_| panic!("no line expected"))
            .unwrap();
        assert_eq!(counts.lines, 0, "{strategy}");
        let source = Source::builder().strategy(strategy).open(&path).unwrap();
        assert_eq!(
            source.into_blocks().count(),
            0,
            "{strategy}: no empty block"
        );
    }
}

#[test]
fn stream_error_names_line_and_offset_after_the_lines_before_it() {
    let input = b"ok\nfine\nthis one is too long\nlater\n";
    let source = builder(4, LineLimit::new(8, LongLinePolicy::Error))
        .open_reader("in", Cursor::new(input.to_vec()))
        .unwrap();
    let mut seen = Vec::new();
    let err = source
        .for_each_line(|l| seen.push(l.bytes.to_vec()))
        .unwrap_err();
    assert_eq!(seen, [b"ok".to_vec(), b"fine".to_vec()]);
    match err {
        Error::LineTooLong {
            path,
            line_number,
            byte_offset,
            limit,
        } => {
            assert_eq!((line_number, byte_offset, limit), (3, 8, 8));
            assert_eq!(path.as_os_str(), "in");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stream_gives_up_on_endless_input_without_newlines() {
    // Never a newline: an unbounded reader would read forever and grow without end.
    let endless = std::io::repeat(b'x');
    let source = builder(1024, LineLimit::new(64 * 1024, LongLinePolicy::Error))
        .open_reader("endless", endless)
        .unwrap();
    let mut blocks = source.into_blocks();
    match blocks.next() {
        Some(Err(Error::LineTooLong {
            line_number: 1,
            byte_offset: 0,
            limit: 65536,
            ..
        })) => {}
        other => panic!("{other:?}"),
    }
    assert!(blocks.next().is_none(), "the iterator ends after an error");
}

#[test]
fn stream_skips_long_lines_and_keeps_numbering() {
    let mut input = b"first\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1_000_000));
    input.extend(b"\r\nafter\n");
    input.extend(std::iter::repeat_n(b'y', 5000)); // skipped at end of input
    let source = builder(512, LineLimit::new(100, LongLinePolicy::Skip))
        .open_reader("in", Cursor::new(input.clone()))
        .unwrap();
    let mut seen = Vec::new();
    let counts = source
        .for_each_line(|l| seen.push((l.number, l.byte_offset, l.bytes.to_vec())))
        .unwrap();
    assert_eq!(
        seen,
        [(1, 0, b"first".to_vec()), (3, 1_000_008, b"after".to_vec())]
    );
    assert_eq!(counts.skipped, 2);
    assert_eq!(counts.bytes, input.len() as u64);
}

#[test]
fn blocks_cross_threads_through_a_bounded_channel() {
    // The pattern a scanner uses for Stream: a reader thread, a bounded channel, and
    // workers that own their blocks.
    let path = realdata_dir().join("satyrius_gonx/example/access.log");
    let pool = BufferPool::builder()
        .max_buffers(8)
        .buffer_capacity(4096)
        .max_retained_capacity(8192)
        .build();
    let source = Source::builder()
        .strategy(Strategy::Stream)
        .block_size(4096)
        .pool(pool.clone())
        .open(&path)
        .unwrap();
    let limit = source.line_limit();
    let blocks = source.into_blocks();
    let (tx, rx) = mpsc::sync_channel(2);
    let reader = thread::spawn(move || {
        for block in blocks {
            if tx.send(block).is_err() {
                break;
            }
        }
    });
    let mut lines = 0;
    let mut last_number = 0;
    for block in rx {
        let block = block.unwrap();
        for line in block.lines(limit) {
            let line = line.unwrap();
            assert_eq!(line.number, last_number + 1);
            last_number = line.number;
            lines += 1;
        }
    }
    reader.join().unwrap();
    assert_eq!(lines, 1000);
    let stats = pool.stats();
    assert!(stats.hits > 0, "blocks reuse pooled buffers: {stats:?}");
    assert_eq!(stats.outstanding(), 0, "every buffer came back: {stats:?}");
}

#[test]
fn block_bytes_are_shared_without_copy_and_outlive_the_source() {
    let body = b"alpha\nbeta\ngamma\n";
    let (_dir, path) = write_temp(body);
    for strategy in [Strategy::Stream, Strategy::ReadAll, Strategy::Mmap] {
        let source = builder(6, LineLimit::default())
            .strategy(strategy)
            .open(&path)
            .unwrap();
        let blocks: Vec<_> = source.into_blocks().map(Result::unwrap).collect();
        let block = blocks.into_iter().next().unwrap();
        let held_at = block.bytes().as_ptr();
        let first = block.into_bytes();
        assert_eq!(&first[..], b"alpha\n", "{strategy}");
        assert_eq!(
            first.as_ptr(),
            held_at,
            "{strategy}: the block's own bytes, not a copy"
        );
    }
}

/// Files of /proc say they hold 0 bytes and have contents: they are read, whatever
/// the strategy asked, never mapped as empty.
#[test]
fn a_file_that_says_it_is_empty_but_has_contents_is_read_not_mapped() {
    let path = std::path::Path::new("/proc/self/cmdline");
    if std::fs::metadata(path).map_or(true, |m| m.len() != 0) {
        return; // no procfs here
    }
    let expected = std::fs::read(path).unwrap();
    assert!(!expected.is_empty());
    let read = |strategy: Strategy, threshold: u64| {
        let mut b = Source::builder();
        b.strategy(strategy).auto_mmap_threshold(threshold);
        let source = b.open(path)?;
        let chosen = source.strategy();
        let mut bytes = Vec::new();
        for block in source.into_blocks() {
            bytes.extend_from_slice(block?.bytes());
        }
        Ok::<_, Error>((chosen, bytes))
    };
    for (strategy, threshold) in [
        (Strategy::Auto, 0),
        (Strategy::Auto, u64::MAX),
        (Strategy::ReadAll, 0),
        (Strategy::Stream, 0),
    ] {
        let (chosen, bytes) = read(strategy, threshold).unwrap();
        assert_eq!(bytes, expected, "{strategy} (threshold {threshold})");
        assert_ne!(chosen, Strategy::Mmap);
    }
    let err = read(Strategy::Mmap, 0).unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("/proc/self/cmdline"), "{err}");
}

#[test]
fn for_each_line_counts_match_count_lines() {
    let path = realdata_dir().join("tstack_lnav/test/logfile_shop_access_log.0");
    let bytes = fs::read(&path).unwrap();
    let counts = Source::open(&path).unwrap().for_each_line(|_| {}).unwrap();
    assert_eq!(counts.lines, count_lines(&bytes));
    assert_eq!(counts.bytes, bytes.len() as u64);
}

#[test]
fn reader_errors_carry_the_reader_name() {
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("cable unplugged"))
        }
    }
    let err = Source::builder().open_reader("net", Broken).unwrap_err();
    assert_eq!(err.to_string(), "net: cable unplugged");
}

#[test]
fn sources_and_blocks_can_cross_and_be_shared_between_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Source>(); // &Source goes to workers that call check_intact
    send_sync::<logscan_source::Blocks>(); // moves to a reader thread
    send_sync::<logscan_source::Block>(); // moves to a worker
    send_sync::<Error>();
}
