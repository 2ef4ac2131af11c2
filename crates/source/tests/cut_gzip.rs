//! gzip input that stops decompressing part-way (cut short by a copy or a rotation
//! caught mid-write, or corrupt): the complete lines decompressed before the damage come
//! out first, then the error, as `zcat` prints what it can decode and then complains.
//! The same for every strategy that reads gzip, every block size and both ways of
//! reading a source.

mod support;

use std::io::{Cursor, Read};

use logscan_source::{Error, LineLimit, LongLinePolicy, Source, Strategy};
use proptest::{prelude::*, strategy::Strategy as _};
use support::{builder, gzip, reference};

/// The block sizes of the equivalence property tests.
const BLOCK_SIZES: [usize; 4] = [1, 2, 7, 256 * 1024];

/// How reading ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    Clean,
    TooLong { line_number: u64, byte_offset: u64 },
    BadGzip { decompressed: u64 },
}

/// What a consumer saw.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    /// (line number, byte offset, bytes) of every line, in order.
    lines: Vec<(u64, u64, Vec<u8>)>,
    skipped: u64,
    end: End,
}

fn end_of(error: Error, name: &str) -> End {
    match error {
        Error::LineTooLong {
            line_number,
            byte_offset,
            ..
        } => End::TooLong {
            line_number,
            byte_offset,
        },
        Error::BadGzip {
            path, decompressed, ..
        } => {
            assert_eq!(path.as_os_str(), name, "the error names its input");
            End::BadGzip { decompressed }
        }
        other => panic!("unexpected error: {other}"),
    }
}

/// The bytes a gzip decoder yields from `gz` before it fails (any read sizes), and
/// whether it failed: what `zcat` prints.
fn zcat(gz: &[u8]) -> (Vec<u8>, bool) {
    let mut decoder = flate2::read::GzDecoder::new(gz);
    let mut out = Vec::new();
    let failed = decoder.read_to_end(&mut out).is_err();
    (out, failed)
}

/// What reading `gz` must give: the lines of what decompressed up to its last `\n`;
/// after a failure, the unfinished line it cut is no line (unless already provably
/// over the limit: more than `max_len + 1` bytes, which no `\r` can bring under), and
/// the error says how many bytes were decompressed.
fn expected(gz: &[u8], limit: LineLimit) -> Seen {
    let (decoded, failed) = zcat(gz);
    let as_seen = |out: support::Outcome, end| Seen {
        lines: out.lines,
        skipped: out.skipped,
        end: match out.too_long {
            Some((line_number, byte_offset)) => End::TooLong {
                line_number,
                byte_offset,
            },
            None => end,
        },
    };
    if !failed {
        return as_seen(reference(&decoded, limit), End::Clean);
    }
    let complete = decoded
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let mut out = reference(&decoded[..complete], limit);
    let cut = &decoded[complete..];
    if out.too_long.is_none() && cut.len().saturating_sub(1) > limit.max_len() {
        match limit.policy() {
            LongLinePolicy::Skip => out.skipped += 1,
            LongLinePolicy::Error => {
                let line_number = decoded[..complete].iter().filter(|&&b| b == b'\n').count();
                out.too_long = Some((line_number as u64 + 1, complete as u64));
            }
        }
    }
    let end = End::BadGzip {
        decompressed: decoded.len() as u64,
    };
    as_seen(out, end)
}

/// Reads with `Source::for_each_line`, which cannot report the skip count of a read
/// that fails (taken as 0 then).
fn via_for_each_line(source: Source) -> Seen {
    let name = source.path().to_owned();
    let mut lines = Vec::new();
    let result = source.for_each_line(|l| lines.push((l.number, l.byte_offset, l.bytes.to_vec())));
    let (skipped, end) = match result {
        Ok(counts) => (counts.skipped, End::Clean),
        Err(e) => (0, end_of(e, &name.to_string_lossy())),
    };
    Seen {
        lines,
        skipped,
        end,
    }
}

/// Reads with `into_blocks`: blocks until at most one error, then nothing.
fn via_blocks(source: Source) -> Seen {
    let limit = source.line_limit();
    let name = source.path().to_string_lossy().into_owned();
    let mut seen = Seen {
        lines: Vec::new(),
        skipped: 0,
        end: End::Clean,
    };
    let mut blocks = source.into_blocks();
    for block in &mut blocks {
        let block = match block {
            Ok(block) => block,
            Err(e) => {
                seen.end = end_of(e, &name);
                break;
            }
        };
        seen.skipped += block.skipped_lines();
        let mut lines = block.lines(limit);
        for line in &mut lines {
            match line {
                Ok(l) => seen.lines.push((l.number, l.byte_offset, l.bytes.to_vec())),
                Err(e) => {
                    seen.end = End::TooLong {
                        line_number: e.line_number,
                        byte_offset: e.byte_offset,
                    };
                    return seen;
                }
            }
        }
        seen.skipped += lines.skipped();
    }
    assert!(
        blocks.next().is_none(),
        "nothing after the end or the error"
    );
    seen
}

/// Opens `gz` as a file and as a reader with every strategy that reads gzip, at every
/// block size, and reads each both ways.
fn all_seen(gz: &[u8], limit: LineLimit) -> Vec<(String, Seen)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cut.log.gz");
    std::fs::write(&path, gz).expect("write");
    let name = path.to_string_lossy().into_owned();
    let mut out = Vec::new();
    for block_size in BLOCK_SIZES {
        for strategy in [Strategy::Auto, Strategy::Stream, Strategy::ReadAll] {
            let mut b = builder(block_size, limit);
            b.strategy(strategy);
            let tag = format!("{strategy} block {block_size}");
            let file = || b.open(&path).expect("opens");
            let reader = || {
                b.open_reader(&name, Cursor::new(gz.to_vec()))
                    .expect("opens")
            };
            out.push((format!("file {tag} lines"), via_for_each_line(file())));
            out.push((format!("file {tag} blocks"), via_blocks(file())));
            out.push((format!("reader {tag} lines"), via_for_each_line(reader())));
            out.push((format!("reader {tag} blocks"), via_blocks(reader())));
        }
    }
    out
}

/// Compares what every way of reading saw with what it must see.
fn check(gz: &[u8], limit: LineLimit) -> Result<(), TestCaseError> {
    let want = expected(gz, limit);
    for (how, mut got) in all_seen(gz, limit) {
        if how.ends_with("lines") && got.end != End::Clean {
            got.skipped = want.skipped;
        }
        prop_assert_eq!(&got, &want, "{}", how);
    }
    Ok(())
}

/// Twenty access-log lines, each different so that they compress to a few hundred
/// bytes that a cut leaves partly readable.
fn access_log() -> Vec<u8> {
    (1..=20u32)
        .flat_map(|i| {
            format!(
                "10.0.{}.{} - - [14/Mar/2025:06:25:{i:02} +0000] \"GET /p/{}/{:x} HTTP/1.1\" {} {} \"-\" \"curl/{i}\"\n",
                i * 7 % 255,
                i * 13 % 255,
                i * i * 31,
                i * 977,
                if i % 3 == 0 { 404 } else { 200 },
                i * 1234,
            )
            .into_bytes()
        })
        .collect()
}

/// The user's case: a `.gz` copied partway. Its complete lines come out, in order and
/// numbered as in the whole log, the cut line does not, and then the error.
#[test]
fn a_cut_gzip_yields_its_complete_lines_then_the_error() {
    let log = access_log();
    let whole = gzip(&log);
    let cut = &whole[..whole.len() * 3 / 5];
    let (decoded, failed) = zcat(cut);
    assert!(failed, "the cut stream must fail");
    let complete = decoded
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    assert!(
        complete < decoded.len(),
        "the cut falls inside a line, which must not come out"
    );
    let want: Vec<&[u8]> = log[..complete].split(|&b| b == b'\n').collect();
    let want = &want[..want.len() - 1];
    assert!(want.len() >= 5, "{} complete lines", want.len());

    for (how, got) in all_seen(cut, LineLimit::default()) {
        let lines: Vec<&[u8]> = got.lines.iter().map(|(_, _, l)| &l[..]).collect();
        assert_eq!(lines, want, "{how}");
        let numbers: Vec<u64> = got.lines.iter().map(|&(n, _, _)| n).collect();
        assert_eq!(
            numbers,
            (1..=want.len() as u64).collect::<Vec<_>>(),
            "{how}"
        );
        assert_eq!(
            got.end,
            End::BadGzip {
                decompressed: decoded.len() as u64
            },
            "{how}"
        );
    }

    // The defaults, as the CLI opens a `.gz`: the message names the place.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("access.log.gz");
    std::fs::write(&path, cut).expect("write");
    let mut count = 0;
    let err = Source::open(&path)
        .and_then(|s| s.for_each_line(|_| count += 1))
        .expect_err("cut short");
    assert_eq!(count, want.len());
    assert!(
        err.to_string().contains(&format!(
            "bad gzip data after {} decompressed bytes",
            decoded.len()
        )),
        "{err}"
    );
}

/// A cut inside a line longer than the limit: under Skip the line is skipped and the
/// error still says how far decompression got (the bytes of the line dropped before
/// the failure count); under Error it is the over-long line, as with any block size.
#[test]
fn a_cut_inside_an_over_long_line_is_placed_after_its_dropped_bytes() {
    let mut log = b"short\n".to_vec();
    // Varied, so that it compresses to more than a few bytes and the cut lands in it.
    log.extend(
        (0..4000u32).flat_map(|i| format!("{:x}", i.wrapping_mul(2_654_435_761)).into_bytes()),
    );
    log.extend(b"\nafter\n");
    let whole = gzip(&log);
    let cut = &whole[..whole.len() / 2];
    let (decoded, failed) = zcat(cut);
    assert!(failed && decoded.len() > 100, "{}", decoded.len());
    for policy in [LongLinePolicy::Skip, LongLinePolicy::Error] {
        let limit = LineLimit::new(10, policy);
        for (how, got) in all_seen(cut, limit) {
            assert_eq!(got.lines, [(1, 0, b"short".to_vec())], "{how}");
            let want = match policy {
                LongLinePolicy::Skip => End::BadGzip {
                    decompressed: decoded.len() as u64,
                },
                LongLinePolicy::Error => End::TooLong {
                    line_number: 2,
                    byte_offset: 6,
                },
            };
            assert_eq!(got.end, want, "{how} {policy:?}");
            if how.ends_with("blocks") {
                let skipped = u64::from(policy == LongLinePolicy::Skip);
                assert_eq!(got.skipped, skipped, "{how}");
            }
        }
    }
}

/// Log-like bytes: newlines, CRs, and runs of ordinary bytes.
fn log_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => Just(b'\n'),
        1 => Just(b'\r'),
        1 => Just(0u8),
        8 => b'a'..=b'z',
    ];
    prop::collection::vec(byte, 0..400)
}

fn limit() -> impl proptest::strategy::Strategy<Value = LineLimit> {
    prop_oneof![
        2 => Just(LineLimit::default()),
        1 => (0usize..12).prop_map(|n| LineLimit::new(n, LongLinePolicy::Error)),
        1 => (0usize..12).prop_map(|n| LineLimit::new(n, LongLinePolicy::Skip)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Cut anywhere after the two magic bytes (in the header, the data or the
    /// trailer): the lines before the cut, then the error.
    #[test]
    fn a_gzip_cut_anywhere_yields_the_lines_before_the_cut(
        log in log_bytes(),
        at in any::<prop::sample::Index>(),
        limit in limit(),
    ) {
        let whole = gzip(&log);
        let cut = &whole[..2 + at.index(whole.len() - 2)];
        check(cut, limit)?;
    }

    /// One byte changed after the magic: whatever decompressed before the decoder
    /// noticed comes out as lines, then the error (or all of it, if it did not).
    #[test]
    fn a_corrupt_gzip_yields_the_lines_before_the_damage(
        log in log_bytes(),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        limit in limit(),
    ) {
        let mut gz = gzip(&log);
        let i = 2 + at.index(gz.len() - 2);
        gz[i] ^= flip;
        check(&gz, limit)?;
    }
}
