//! Helpers shared by the integration tests: a reference splitter written independently
//! of the crate, and the consumers that read a source each way a scanner would.
#![allow(dead_code)] // each test binary uses a different subset

use std::{io::Write, path::Path};

use flate2::{Compression, write::GzEncoder};
use logscan_source::{
    Error, LineLimit, LongLinePolicy, Source, SourceBuilder, aligned_chunks, count_lines,
};

/// Everything a consumer can observe from reading a source to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// (line number, byte offset, bytes) of every line yielded, in order.
    pub lines: Vec<(u64, u64, Vec<u8>)>,
    pub skipped: u64,
    /// `Some((line_number, byte_offset))` if reading stopped on a too-long line.
    pub too_long: Option<(u64, u64)>,
}

impl Outcome {
    pub fn plain_lines(&self) -> Vec<Vec<u8>> {
        self.lines.iter().map(|(_, _, l)| l.clone()).collect()
    }
}

/// The obvious way to split, deliberately not sharing code with the crate.
pub fn reference(input: &[u8], limit: LineLimit) -> Outcome {
    let mut pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.is_empty() || input.ends_with(b"\n") {
        pieces.pop();
    }
    let mut out = Outcome {
        lines: Vec::new(),
        skipped: 0,
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
            out.lines.push((number, offset, line.to_vec()));
        }
        offset += raw.len() as u64 + 1;
    }
    out
}

fn too_long_of(e: Error, out: &mut Outcome) {
    match e {
        Error::LineTooLong {
            line_number,
            byte_offset,
            ..
        } => out.too_long = Some((line_number, byte_offset)),
        other => panic!("unexpected error: {other}"),
    }
}

/// Reads with `Source::for_each_line`.
pub fn via_for_each_line(source: Source) -> Outcome {
    let mut out = Outcome {
        lines: Vec::new(),
        skipped: 0,
        too_long: None,
    };
    let mut lines = Vec::new();
    match source.for_each_line(|l| lines.push((l.number, l.byte_offset, l.bytes.to_vec()))) {
        Ok(counts) => {
            out.skipped = counts.skipped;
            assert_eq!(counts.lines, lines.len() as u64);
        }
        Err(e) => too_long_of(e, &mut out),
    }
    out.lines = lines;
    out
}

/// Reads with `into_blocks`, checking the block invariants on the way.
pub fn via_blocks(source: Source) -> Outcome {
    let limit = source.line_limit();
    let mut out = Outcome {
        lines: Vec::new(),
        skipped: 0,
        too_long: None,
    };
    let mut expected_first_line = 1;
    let mut expected_offset = 0;
    let mut last_ended_without_newline = false;
    for block in source.into_blocks() {
        let block = match block {
            Ok(b) => b,
            Err(e) => {
                too_long_of(e, &mut out);
                return out;
            }
        };
        assert!(
            !last_ended_without_newline,
            "only the last block may end without a newline"
        );
        last_ended_without_newline = !block.bytes().is_empty() && !block.bytes().ends_with(b"\n");
        assert_eq!(
            block.first_line(),
            expected_first_line + block.skipped_lines()
        );
        if block.skipped_lines() == 0 {
            assert_eq!(block.byte_offset(), expected_offset);
        }
        expected_first_line = block.first_line() + count_lines(block.bytes());
        expected_offset = block.byte_offset() + block.bytes().len() as u64;
        out.skipped += block.skipped_lines();
        let mut lines = block.lines(limit);
        for line in &mut lines {
            match line {
                Ok(l) => out.lines.push((l.number, l.byte_offset, l.bytes.to_vec())),
                Err(e) => {
                    out.too_long = Some((e.line_number, e.byte_offset));
                    return out;
                }
            }
        }
        out.skipped += lines.skipped();
    }
    out
}

/// Reads contiguous contents the way a parallel scanner would: aligned chunks numbered
/// from 1 each, fixed up afterwards with the line counts of the chunks before.
pub fn via_chunks(source: &Source, target: usize) -> Outcome {
    let limit = source.line_limit();
    let contents = source.contents().expect("contiguous source");
    let mut out = Outcome {
        lines: Vec::new(),
        skipped: 0,
        too_long: None,
    };
    let mut lines_before = 0;
    for (offset, chunk) in aligned_chunks(contents, target) {
        let mut it = limit.lines(chunk, 1, offset as u64);
        for line in &mut it {
            match line {
                Ok(l) => out
                    .lines
                    .push((l.number + lines_before, l.byte_offset, l.bytes.to_vec())),
                Err(e) => {
                    out.too_long = Some((e.line_number + lines_before, e.byte_offset));
                    return out;
                }
            }
        }
        out.skipped += it.skipped();
        assert_eq!(it.next_line_number() - 1, count_lines(chunk));
        lines_before += count_lines(chunk);
        source.check_intact().expect("file unchanged");
    }
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).expect("write to Vec");
    enc.finish().expect("finish to Vec")
}

pub fn builder(block_size: usize, limit: LineLimit) -> SourceBuilder {
    let mut b = Source::builder();
    b.block_size(block_size).line_limit(limit);
    b
}

pub fn realdata_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/realdata")
}

/// Points this test process's standard input at `/dev/null`, once. Opening `-` reads
/// its first bytes (the gzip check), so a test that opens it would wait for input on
/// a terminal, or on a pipe left open, such as `cargo test` run by hand.
pub fn stdin_from_dev_null() {
    use std::os::fd::AsRawFd;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let null = std::fs::File::open("/dev/null").expect("/dev/null");
        // SAFETY: `dup2` only replaces descriptor 0 with a duplicate of a descriptor
        // this function owns and keeps open for the call; no Rust object owns fd 0
        // (std's `Stdin` borrows it and reads through it, which then reads /dev/null).
        let done = unsafe { libc::dup2(null.as_raw_fd(), 0) };
        assert_eq!(done, 0, "dup2 onto stdin");
    });
}
