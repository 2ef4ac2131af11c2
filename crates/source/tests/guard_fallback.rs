//! When the SIGBUS guard cannot take another mapping, Auto reads the file with Stream
//! and an explicit Mmap is an error; neither maps the file unguarded. One test in its
//! own binary: it fills the process-wide guard table, which would fail any other
//! mapped source opened beside it.

use std::fs;

use logscan_sigbus::{CAPACITY, Registration};
use logscan_source::{Error, Source, Strategy};

fn mappings_of(path: &std::path::Path) -> usize {
    let maps = fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
    let name = path.to_str().expect("utf-8 temp path");
    maps.lines().filter(|l| l.ends_with(name)).count()
}

fn open_fds() -> usize {
    fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

#[test]
fn a_full_guard_table_makes_auto_stream_and_mmap_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    let body: Vec<u8> = (0..5000)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    fs::write(&path, &body).unwrap();
    let filler_path = dir.path().join("filler");
    fs::write(&filler_path, b"x").unwrap();
    let filler_file = fs::File::open(&filler_path).unwrap();
    // SAFETY: a private, read-only mapping of a file nobody changes.
    let filler = unsafe { memmap2::Mmap::map(&filler_file) }.unwrap();

    let mut auto = Source::builder();
    auto.auto_mmap_threshold(1);
    let mut mmap = Source::builder();
    mmap.strategy(Strategy::Mmap);
    let fds = open_fds();

    // Take every slot. The guard table is process-wide; this binary has no other test.
    let mut held = Vec::new();
    loop {
        // SAFETY: `filler` is a read-only file mapping that outlives every registration
        // (they are dropped below, before it); nothing writes through it.
        match unsafe { Registration::register(filler.as_ptr(), filler.len()) } {
            Ok(r) => held.push(r),
            Err(logscan_sigbus::Error::TableFull { capacity }) => {
                assert_eq!(capacity, CAPACITY);
                break;
            }
            Err(e) => panic!("register: {e}"),
        }
    }
    assert_eq!(held.len(), CAPACITY);

    let err = mmap.open(&path).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Unguarded { path: p, source: logscan_sigbus::Error::TableFull { .. } }
                if p == &path
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("cannot map the file safely"),
        "{err}"
    );
    assert!(!err.changed_while_mapped());
    assert_eq!(
        mappings_of(&path),
        0,
        "the refused mapping was not unmapped"
    );

    let source = auto.open(&path).unwrap();
    assert_eq!(source.strategy(), Strategy::Stream);
    assert!(source.contents().is_none());
    assert!(matches!(
        source.auto_fallback(),
        Some(Error::Unguarded { .. })
    ));
    assert_eq!(mappings_of(&path), 0);
    let mut seen = Vec::new();
    source
        .for_each_line(|l| seen.extend_from_slice(l.bytes))
        .unwrap();
    let expected: Vec<u8> = body.split(|&b| b == b'\n').flatten().copied().collect();
    assert_eq!(seen, expected, "the fallback read the file from its start");
    assert_eq!(open_fds(), fds, "a descriptor leaked on the fallback paths");

    // One free slot is enough again.
    held.pop();
    let source = mmap.open(&path).unwrap();
    assert_eq!(source.strategy(), Strategy::Mmap);
    assert_eq!(mappings_of(&path), 1);
    drop(source);
    let source = auto.open(&path).unwrap();
    assert_eq!(source.strategy(), Strategy::Mmap);
    assert!(source.auto_fallback().is_none());
    drop(source);

    drop(held);
    drop(filler);
}
