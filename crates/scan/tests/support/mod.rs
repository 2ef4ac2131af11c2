//! Helpers shared by the scanner's integration tests: a deterministic input generator,
//! a deliberately naive reference splitter, and an aggregate that records everything.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::Path;

use logscan_scan::{Aggregate, Scanner};
use logscan_source::{LineLimit, LongLinePolicy, Source, Strategy};

/// A small xorshift generator: deterministic, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Lines of varied shapes: empty, CRLF, lone CR inside, NUL and high bytes, some long
/// ones (up to `max_len` bytes), with or without a final newline.
pub fn generate(seed: u64, lines: usize, max_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for i in 0..lines {
        let len = match rng.below(10) {
            0 => 0,
            1 => rng.below(max_len as u64 + 1) as usize,
            _ => rng.below(40) as usize,
        };
        for _ in 0..len {
            let b = match rng.below(30) {
                0 => 0,
                1 => 0xff,
                2 => b'\r',
                _ => b'a' + rng.below(26) as u8,
            };
            out.push(b);
        }
        let last = i + 1 == lines;
        match rng.below(4) {
            0 => out.extend_from_slice(b"\r\n"),
            _ if last && rng.below(2) == 0 => {}
            _ => out.push(b'\n'),
        }
    }
    out
}

/// What a scan can observe, in a form that compares across strategies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// (true line number, bytes) of every line, in input order.
    pub lines: Vec<(u64, Vec<u8>)>,
    pub skipped: u64,
    pub bytes: u64,
    /// (line number, byte offset) of the first over-long line, under the Error policy.
    pub too_long: Option<(u64, u64)>,
}

/// The obvious way to split, sharing no code with the crates under test.
pub fn reference(input: &[u8], limit: LineLimit) -> Outcome {
    let mut pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.is_empty() || input.ends_with(b"\n") {
        pieces.pop();
    }
    let mut out = Outcome {
        lines: Vec::new(),
        skipped: 0,
        bytes: input.len() as u64,
        too_long: None,
    };
    let mut offset = 0u64;
    for (i, raw) in pieces.into_iter().enumerate() {
        let number = i as u64 + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.len() > limit.max_len() {
            match limit.policy() {
                LongLinePolicy::Skip => out.skipped += 1,
                LongLinePolicy::Error => {
                    out.too_long = Some((number, offset));
                    return out;
                }
            }
        } else {
            out.lines.push((number, line.to_vec()));
        }
        offset += raw.len() as u64 + 1;
    }
    out
}

/// Records every line with its number; merges by concatenating and sorting by line
/// number, which is order-independent because line numbers are unique.
#[derive(Default)]
pub struct Collect(pub Vec<(u64, Vec<u8>)>);

impl Aggregate for Collect {
    fn add_line(&mut self, line: &[u8], line_number: u64) {
        self.0.push((line_number, line.to_vec()));
    }

    fn merge(&mut self, other: Self) {
        self.0.extend(other.0);
        self.0.sort_unstable_by_key(|(n, _)| *n);
    }
}

/// Like [`Collect`], but takes whole chunks through its own `add_chunk`, checking each
/// chunk's position against its lines on the way.
#[derive(Default)]
pub struct CollectChunks(pub Vec<(u64, Vec<u8>)>);

impl Aggregate for CollectChunks {
    fn add_line(&mut self, _line: &[u8], _line_number: u64) {
        unreachable!("the scanner hands this aggregate whole chunks");
    }

    fn add_chunk(&mut self, chunk: &logscan_scan::Chunk<'_>) {
        let mut expected_offset = chunk.byte_offset();
        for line in chunk.lines() {
            assert!(line.number >= chunk.first_line());
            assert!(line.byte_offset >= expected_offset);
            expected_offset = line.byte_offset + line.bytes.len() as u64;
            self.0.push((line.number, line.bytes.to_vec()));
        }
        assert!(expected_offset <= chunk.byte_offset() + chunk.bytes().len() as u64);
    }

    fn merge(&mut self, other: Self) {
        self.0.extend(other.0);
        self.0.sort_unstable_by_key(|(n, _)| *n);
    }
}

pub const STRATEGIES: [Strategy; 3] = [Strategy::Stream, Strategy::ReadAll, Strategy::Mmap];
pub const THREADS: [usize; 3] = [1, 2, 7];
pub const CHUNK_SIZES: [usize; 4] = [
    1,
    64,
    4096,
    logscan_scan::ScannerBuilder::DEFAULT_CHUNK_SIZE,
];

pub fn scanner(threads: usize, chunk_size: usize) -> Scanner {
    Scanner::builder()
        .threads(threads)
        .chunk_size(chunk_size)
        .build()
        .unwrap()
}

/// Opens `path` with `strategy`; Stream blocks are as small as the chunk size (at
/// least 1 byte and at most 4 KiB) so that lines straddle blocks too.
pub fn open(path: &Path, strategy: Strategy, chunk_size: usize, limit: LineLimit) -> Source {
    Source::builder()
        .strategy(strategy)
        .block_size(chunk_size.clamp(1, 4096))
        .line_limit(limit)
        .open(path)
        .unwrap()
}

/// Scans with the aggregate path and turns the result into an [`Outcome`].
pub fn scan_outcome(scanner: &Scanner, source: Source) -> Outcome {
    match scanner.scan(source, Collect::default) {
        Ok(out) => {
            assert_eq!(out.stats.lines, out.aggregate.0.len() as u64);
            Outcome {
                lines: out.aggregate.0,
                skipped: out.stats.skipped_lines,
                bytes: out.stats.bytes,
                too_long: None,
            }
        }
        Err(e) => too_long_outcome(e),
    }
}

/// Scans with an aggregate that takes whole chunks.
pub fn chunk_outcome(scanner: &Scanner, source: Source) -> Outcome {
    match scanner.scan(source, CollectChunks::default) {
        Ok(out) => Outcome {
            lines: out.aggregate.0,
            skipped: out.stats.skipped_lines,
            bytes: out.stats.bytes,
            too_long: None,
        },
        Err(e) => too_long_outcome(e),
    }
}

/// Scans with the ordered map, collecting lines in sink order.
pub fn map_outcome(scanner: &Scanner, source: Source) -> Outcome {
    let mut lines = Vec::new();
    let result = scanner.map_ordered(
        source,
        |chunk| {
            chunk
                .lines()
                .map(|l| (l.number, l.bytes.to_vec()))
                .collect::<Vec<_>>()
        },
        |found| {
            lines.extend(found);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    match result {
        Ok(stats) => {
            assert_eq!(stats.lines, lines.len() as u64);
            Outcome {
                lines,
                skipped: stats.skipped_lines,
                bytes: stats.bytes,
                too_long: None,
            }
        }
        Err(logscan_scan::MapError::Scan(e)) => too_long_outcome(e),
        Err(logscan_scan::MapError::Sink(never)) => match never {},
    }
}

fn too_long_outcome(e: logscan_scan::Error) -> Outcome {
    match (e.line_number(), e.byte_offset()) {
        (Some(line), Some(offset)) => Outcome {
            lines: Vec::new(),
            skipped: 0,
            bytes: 0,
            too_long: Some((line, offset)),
        },
        _ => panic!("unexpected scan error: {e}"),
    }
}

/// Outcome with the lines dropped when the reference stopped on an error (a failed
/// scan returns no lines).
pub fn expected(input: &[u8], limit: LineLimit) -> Outcome {
    let mut out = reference(input, limit);
    if out.too_long.is_some() {
        out.lines.clear();
        out.skipped = 0;
        out.bytes = 0;
    }
    out
}
