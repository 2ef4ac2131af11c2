//! Every real log in testdata/realdata (see its README.md and each folder's SOURCES.md
//! for where the files come from) gives the same lines under every strategy.

mod support;

use std::{fs, io::Cursor, path::PathBuf};

use logscan_source::{LineLimit, Strategy};
use support::{builder, gzip, realdata_dir, reference, via_blocks, via_chunks, via_for_each_line};

fn log_files() -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("read testdata dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_none_or(|e| e != "md") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&realdata_dir(), &mut files);
    files.sort();
    files
}

#[test]
fn every_real_log_gives_the_same_lines_under_every_strategy() {
    let files = log_files();
    assert!(
        files.len() >= 14,
        "testdata/realdata is missing files: {files:?}"
    );
    let limit = LineLimit::default();
    for path in &files {
        let bytes = fs::read(path).expect("read fixture");
        let expected = reference(&bytes, limit);
        assert!(expected.too_long.is_none());
        for block_size in [7, 4096, 256 * 1024] {
            let b = builder(block_size, limit);
            for strategy in Strategy::ALL {
                let mut b = b.clone();
                b.strategy(strategy);
                let how = format!("{} {strategy} block {block_size}", path.display());
                assert_eq!(via_for_each_line(b.open(path).unwrap()), expected, "{how}");
                assert_eq!(via_blocks(b.open(path).unwrap()), expected, "{how} blocks");
                let source = b.open(path).unwrap();
                if source.contents().is_some() {
                    assert_eq!(via_chunks(&source, block_size), expected, "{how} chunks");
                }
            }
            let gz = builder(block_size, limit)
                .open_reader("gz", Cursor::new(gzip(&bytes)))
                .unwrap();
            assert_eq!(via_for_each_line(gz), expected, "{} gzip", path.display());
        }
    }
}

#[test]
fn loghub_crlf_files_have_2000_clean_lines() {
    // logpai_loghub: CRLF line endings; five of the seven have no final newline.
    let dir = realdata_dir().join("logpai_loghub");
    let mut without_final_newline = 0;
    for name in [
        "Apache",
        "HDFS",
        "Hadoop",
        "Linux",
        "OpenSSH",
        "Spark",
        "Zookeeper",
    ] {
        let path = dir.join(name).join(format!("{name}_2k.log"));
        let bytes = fs::read(&path).expect("read fixture");
        assert!(
            bytes.windows(2).any(|w| w == b"\r\n"),
            "{name}: expected CRLF"
        );
        without_final_newline += usize::from(!bytes.ends_with(b"\n"));
        let body = bytes.strip_suffix(b"\r\n").unwrap_or(&bytes);
        let expected_last = body.rsplit(|&b| b == b'\n').next().unwrap();
        for strategy in [Strategy::Stream, Strategy::ReadAll, Strategy::Mmap] {
            let source = builder(4096, LineLimit::default())
                .strategy(strategy)
                .open(&path)
                .unwrap();
            let mut last = Vec::new();
            let mut with_cr = 0;
            let counts = source
                .for_each_line(|line| {
                    with_cr += usize::from(line.bytes.contains(&b'\r'));
                    last = line.bytes.to_vec();
                })
                .unwrap();
            assert_eq!(counts.lines, 2000, "{name} {strategy}");
            assert_eq!(with_cr, 0, "{name} {strategy}: a CR survived");
            assert_eq!(last, expected_last, "{name} {strategy}: last line");
        }
    }
    assert_eq!(without_final_newline, 5);
}

#[test]
fn access_logs_have_their_documented_line_counts() {
    let cases = [
        ("tstack_lnav/test/logfile_shop_access_log.0", 1000),
        ("satyrius_gonx/example/access.log", 1000),
        ("jwodder_apachelogs/test/data/vhost_combined.log", 7),
    ];
    for (file, lines) in cases {
        let source = logscan_source::Source::open(realdata_dir().join(file)).unwrap();
        assert_eq!(source.for_each_line(|_| {}).unwrap().lines, lines, "{file}");
    }
}
