//! Descriptor and mapping hygiene. One test in its own binary: the count of open
//! descriptors is process-wide, so no other test may run beside it.

mod support;

use std::{fs, io::Cursor};

use logscan_source::{Error, LineLimit, LongLinePolicy, Source, Strategy};
use support::{builder, gzip};

fn open_fds() -> usize {
    fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

fn mappings_of(path: &std::path::Path) -> usize {
    let maps = fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
    let name = path.to_str().expect("utf-8 temp path");
    maps.lines().filter(|l| l.ends_with(name)).count()
}

#[test]
fn ten_thousand_opens_and_drops_leak_no_descriptor_or_mapping() {
    // Opens `-` among the rest: its reads must not wait on the terminal.
    support::stdin_from_dev_null();
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.log");
    let empty = dir.path().join("empty.log");
    let zipped = dir.path().join("zipped.log");
    let corrupt = dir.path().join("corrupt.log");
    let body: Vec<u8> = (0..2000)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    fs::write(&plain, &body).unwrap();
    fs::write(&empty, b"").unwrap();
    fs::write(&zipped, gzip(&body)).unwrap();
    let mut bad = gzip(&body);
    bad.truncate(bad.len() / 2);
    fs::write(&corrupt, bad).unwrap();

    // The check can fail: a live mapped source shows up in /proc/self/maps.
    let mapped = Source::builder()
        .strategy(Strategy::Mmap)
        .open(&plain)
        .unwrap();
    assert_eq!(mappings_of(&plain), 1);
    drop(mapped);
    assert_eq!(mappings_of(&plain), 0);

    let before = open_fds();
    let small = builder(64, LineLimit::new(6, LongLinePolicy::Error));
    let with = |s: Strategy| {
        let mut b = small.clone();
        b.strategy(s);
        b
    };
    for i in 0..10_000 {
        match i % 12 {
            0 => assert!(matches!(
                Source::open(dir.path().join("missing.log")),
                Err(Error::NotFound { .. })
            )),
            1 => assert!(matches!(
                Source::open(dir.path()),
                Err(Error::IsADirectory { .. })
            )),
            2 => assert!(
                with(Strategy::ReadAll)
                    .open(&plain)
                    .unwrap()
                    .contents()
                    .is_some()
            ),
            3 => {
                let s = with(Strategy::Mmap).open(&plain).unwrap();
                assert_eq!(s.contents().map(<[u8]>::len), Some(body.len()));
                // A block outlives the source: the mapping must stay until it drops.
                let block = s.into_blocks().next().unwrap().unwrap();
                assert!(block.bytes().starts_with(b"line 0\n"));
            }
            4 => assert_eq!(
                with(Strategy::Mmap).open(&empty).unwrap().contents(),
                Some(&[][..])
            ),
            5 => {
                // Dropped in the middle of the input.
                let mut blocks = with(Strategy::Stream).open(&plain).unwrap().into_blocks();
                assert!(blocks.next().unwrap().is_ok());
            }
            6 => {
                let mut blocks = with(Strategy::Auto).open(&zipped).unwrap().into_blocks();
                assert!(blocks.next().unwrap().is_ok());
            }
            7 => assert!(matches!(
                with(Strategy::Mmap).open(&zipped),
                Err(Error::Unsupported { .. })
            )),
            8 => {
                let r = builder(64, LineLimit::default())
                    .open(&corrupt)
                    .unwrap()
                    .for_each_line(|_| {});
                assert!(matches!(r, Err(Error::BadGzip { .. })), "{r:?}");
            }
            9 => {
                // Too long a line: the error path closes the file too.
                let r = with(Strategy::Stream)
                    .open(&plain)
                    .unwrap()
                    .for_each_line(|_| {});
                assert!(
                    matches!(
                        r,
                        Err(Error::LineTooLong {
                            line_number: 11,
                            ..
                        })
                    ),
                    "{r:?}"
                );
            }
            10 => drop(Source::builder().open("-").unwrap()),
            _ => assert!(matches!(
                with(Strategy::Mmap).open_reader("r", Cursor::new(b"x\n".to_vec())),
                Err(Error::Unsupported { .. })
            )),
        }
    }
    assert_eq!(open_fds(), before, "descriptors leaked");
    assert_eq!(mappings_of(&plain), 0, "a mapping leaked");
}
