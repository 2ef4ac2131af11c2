//! The core invariant: every strategy, thread count and chunk size gives the lines a
//! naive reference splitter gives, with their true line numbers, through the aggregate
//! path and through the ordered map.

mod support;

use logscan_source::{LineLimit, LongLinePolicy, Strategy};
use proptest::prelude::*;
use support::*;

fn check_all_ways(input: &[u8], limit: LineLimit) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.log");
    std::fs::write(&path, input).unwrap();
    let want = expected(input, limit);
    for threads in THREADS {
        for chunk_size in CHUNK_SIZES {
            let scanner = scanner(threads, chunk_size);
            for strategy in STRATEGIES {
                let ctx =
                    format!("{strategy} threads={threads} chunk={chunk_size} limit={limit:?}");
                let got = scan_outcome(&scanner, open(&path, strategy, chunk_size, limit));
                assert_eq!(got, want, "scan: {ctx}");
                let got = map_outcome(&scanner, open(&path, strategy, chunk_size, limit));
                assert_eq!(got, want, "map_ordered: {ctx}");
                let got = chunk_outcome(&scanner, open(&path, strategy, chunk_size, limit));
                assert_eq!(got, want, "add_chunk: {ctx}");
                let totals = scanner.scan(open(&path, strategy, chunk_size, limit), || ());
                match (totals, want.too_long) {
                    (Ok(out), None) => {
                        let s = out.stats;
                        let want = (want.lines.len() as u64, want.skipped, want.bytes);
                        assert_eq!((s.lines, s.skipped_lines, s.bytes), want, "totals: {ctx}");
                    }
                    (Err(e), Some(at)) => {
                        assert_eq!((e.line_number(), e.byte_offset()), (Some(at.0), Some(at.1)));
                    }
                    (got, _) => panic!("totals: {ctx}: {got:?}"),
                }
            }
        }
    }
}

#[test]
fn generated_inputs_agree_with_the_reference_every_way() {
    for seed in 0..4 {
        let input = generate(seed, 300, 200);
        check_all_ways(&input, LineLimit::default());
    }
}

#[test]
fn over_long_lines_are_skipped_and_counted_the_same_every_way() {
    let input = generate(11, 300, 200);
    let limit = LineLimit::new(50, LongLinePolicy::Skip);
    assert!(
        reference(&input, limit).skipped > 5,
        "the input must exercise skipping"
    );
    check_all_ways(&input, limit);
}

#[test]
fn the_first_over_long_line_is_the_error_every_way() {
    let input = generate(12, 300, 200);
    let limit = LineLimit::new(120, LongLinePolicy::Error);
    let want = reference(&input, limit).too_long;
    assert!(
        want.is_some_and(|(line, _)| line > 10),
        "the error must not be on the first lines"
    );
    check_all_ways(&input, limit);
}

#[test]
fn edge_inputs_agree_with_the_reference() {
    let cases: [&[u8]; 9] = [
        b"",
        b"\n",
        b"\r\n",
        b"a",
        b"a\r",
        b"\n\n\n",
        b"no final newline\nlast",
        b"crlf\r\nlines\r\n",
        b"\0\xff\n\r\r\n",
    ];
    for input in cases {
        check_all_ways(input, LineLimit::default());
        check_all_ways(input, LineLimit::new(1, LongLinePolicy::Skip));
    }
}

#[test]
fn gzip_input_streams_with_true_line_numbers() {
    let input = generate(5, 500, 100);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.log.gz");
    std::fs::write(&path, stored_gzip(&input)).unwrap();
    let want = expected(&input, LineLimit::default());
    for threads in THREADS {
        let scanner = scanner(threads, 64);
        let source = open(&path, Strategy::Auto, 64, LineLimit::default());
        assert_eq!(source.strategy(), Strategy::Stream);
        assert_eq!(scan_outcome(&scanner, source), want, "threads={threads}");
    }
}

/// A gzip member with stored (uncompressed) deflate blocks, written by hand so the test
/// needs no compression crate: header, blocks of at most 65535 bytes, CRC32, size.
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(65_535).peekable();
    if data.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_agree_with_the_reference(
        input in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'\r'), Just(0u8), Just(0xffu8), Just(b'x')],
            0..200,
        ),
        threads in prop::sample::select(&THREADS[..]),
        chunk_size in prop::sample::select(&[1usize, 3, 64][..]),
        max_len in prop::sample::select(&[usize::MAX, 0, 3][..]),
        skip in any::<bool>(),
    ) {
        let policy = if skip { LongLinePolicy::Skip } else { LongLinePolicy::Error };
        let limit = LineLimit::new(max_len, policy);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.log");
        std::fs::write(&path, &input).unwrap();
        let want = expected(&input, limit);
        let scanner = scanner(threads, chunk_size);
        for strategy in STRATEGIES {
            prop_assert_eq!(&scan_outcome(&scanner, open(&path, strategy, chunk_size, limit)), &want);
            prop_assert_eq!(&map_outcome(&scanner, open(&path, strategy, chunk_size, limit)), &want);
        }
    }
}
