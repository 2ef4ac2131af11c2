//! The core invariant: every strategy, every way of consuming, every block size yields
//! exactly the lines of the reference splitter, with the same limit outcome.

mod support;

use std::io::Cursor;

use logscan_source::{LineLimit, LongLinePolicy, Strategy as Io};
use proptest::prelude::*;
use support::{Outcome, builder, gzip, reference, via_blocks, via_chunks, via_for_each_line};

/// Bytes rich in the cases that matter: newlines, CRs (also not before a newline),
/// NUL, invalid UTF-8, and runs of ordinary bytes.
fn input() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => Just(b'\n'),
        2 => Just(b'\r'),
        1 => Just(0u8),
        1 => Just(0xffu8),
        1 => Just(0xc3u8),
        6 => b'a'..=b'e',
    ];
    prop::collection::vec(byte, 0..160)
}

fn limit() -> impl proptest::strategy::Strategy<Value = LineLimit> {
    prop_oneof![
        2 => Just(LineLimit::default()),
        1 => (0usize..12).prop_map(|n| LineLimit::new(n, LongLinePolicy::Error)),
        1 => (0usize..12).prop_map(|n| LineLimit::new(n, LongLinePolicy::Skip)),
    ]
}

/// Opens `bytes` every way there is and reads each every way there is.
fn all_outcomes(bytes: &[u8], limit: LineLimit) -> Vec<(String, Outcome)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.log");
    let zipped = dir.path().join("zipped.log"); // no .gz: detection is by magic bytes
    std::fs::write(&plain, bytes).expect("write");
    let gz = gzip(bytes);
    std::fs::write(&zipped, &gz).expect("write");

    let mut out = Vec::new();
    for block_size in [1usize, 2, 7, 256 * 1024] {
        let b = builder(block_size, limit);
        let with = |strategy| {
            let mut b = b.clone();
            b.strategy(strategy);
            b
        };
        for strategy in Io::ALL {
            let b = with(strategy);
            let tag = format!("file {strategy} block {block_size}");
            out.push((
                format!("{tag} lines"),
                via_for_each_line(b.open(&plain).unwrap()),
            ));
            out.push((format!("{tag} blocks"), via_blocks(b.open(&plain).unwrap())));
            let source = b.open(&plain).unwrap();
            if source.contents().is_some() {
                out.push((format!("{tag} chunks"), via_chunks(&source, block_size)));
            }
            if strategy != Io::Mmap {
                let tag = format!("gzip file {strategy} block {block_size}");
                out.push((
                    format!("{tag} lines"),
                    via_for_each_line(b.open(&zipped).unwrap()),
                ));
                let reader = b.open_reader("pipe", Cursor::new(bytes.to_vec())).unwrap();
                out.push((
                    format!("reader {strategy} block {block_size} blocks"),
                    via_blocks(reader),
                ));
                let reader = b.open_reader("gz pipe", Cursor::new(gz.clone())).unwrap();
                out.push((
                    format!("gzip reader {strategy} block {block_size} lines"),
                    via_for_each_line(reader),
                ));
            }
        }
    }
    out
}

proptest! {
    // No failure files written into the checkout: a failure prints its minimal input,
    // which belongs in `edge_cases_by_hand` once understood.
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_strategy_yields_the_reference_lines(bytes in input(), limit in limit()) {
        let expected = reference(&bytes, limit);
        for (how, got) in all_outcomes(&bytes, limit) {
            prop_assert_eq!(&got, &expected, "{}", how);
        }
    }
}

#[test]
fn edge_cases_by_hand() {
    let cases: &[(&[u8], &[&[u8]])] = &[
        (b"", &[]),
        (b"\n", &[b""]),
        (b"\r\n", &[b""]),
        (b"a", &[b"a"]),
        (b"a\n", &[b"a"]),
        (b"a\r", &[b"a"]),
        (b"a\n\n", &[b"a", b""]),
        (b"a\r\nb\r\n", &[b"a", b"b"]),
        (b"a\r\r\n", &[b"a\r"]),
        (b"\0\xff\n\xc3", &[b"\0\xff", b"\xc3"]),
    ];
    for &(input, lines) in cases {
        let expected: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
        assert_eq!(
            reference(input, LineLimit::default()).plain_lines(),
            expected
        );
        for (how, got) in all_outcomes(input, LineLimit::default()) {
            assert_eq!(got.plain_lines(), expected, "{how} on {input:?}");
        }
    }
}
