//! The line splitter across block boundaries: Stream blocks of 1 to 16 bytes, with a
//! line limit and policy taken from the input, must yield exactly the lines, numbers,
//! offsets, skip count and first error of the contiguous splitter over the same bytes,
//! and so must aligned chunks of any size.
//!
//! Input: byte 0 picks the block size, byte 1 the line limit, byte 2 the policy and the
//! chunk size; the rest is the log.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use logscan_source::{
    Error, LineLimit, LongLinePolicy, Source, Strategy, aligned_chunks, count_lines, lines,
};

/// What a consumer sees: (number, offset, bytes) per line, the skip count, and the
/// (line number, offset) of a too-long line that stopped it.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    lines: Vec<(u64, u64, Vec<u8>)>,
    skipped: u64,
    too_long: Option<(u64, u64)>,
}

fn contiguous(data: &[u8], limit: LineLimit) -> Outcome {
    let mut out = Outcome::default();
    let mut it = limit.lines(data, 1, 0);
    for line in &mut it {
        match line {
            Ok(l) => out.lines.push((l.number, l.byte_offset, l.bytes.to_vec())),
            Err(e) => {
                out.too_long = Some((e.line_number, e.byte_offset));
                return out;
            }
        }
    }
    out.skipped = it.skipped();
    out
}

fn streamed(data: &[u8], limit: LineLimit, block_size: usize) -> Result<Outcome, Error> {
    let source = Source::builder()
        .strategy(Strategy::Stream)
        .block_size(block_size)
        .line_limit(limit)
        .open_reader("fuzz", Cursor::new(data.to_vec()))
        .expect("opening a reader does not fail");
    let mut out = Outcome::default();
    for block in source.into_blocks() {
        let block = match block {
            Ok(b) => b,
            Err(Error::LineTooLong {
                line_number,
                byte_offset,
                ..
            }) => {
                out.too_long = Some((line_number, byte_offset));
                return Ok(out);
            }
            Err(e) => return Err(e),
        };
        out.skipped += block.skipped_lines();
        let mut it = block.lines(limit);
        for line in &mut it {
            match line {
                Ok(l) => out.lines.push((l.number, l.byte_offset, l.bytes.to_vec())),
                Err(e) => {
                    out.too_long = Some((e.line_number, e.byte_offset));
                    return Ok(out);
                }
            }
        }
        out.skipped += it.skipped();
    }
    Ok(out)
}

fn chunked(data: &[u8], limit: LineLimit, target: usize) -> Outcome {
    let mut out = Outcome::default();
    let mut before = 0;
    let mut next_offset = 0;
    for (offset, chunk) in aligned_chunks(data, target) {
        assert_eq!(offset, next_offset, "chunks leave a gap or overlap");
        next_offset = offset + chunk.len();
        let mut it = limit.lines(chunk, 1, offset as u64);
        for line in &mut it {
            match line {
                Ok(l) => out
                    .lines
                    .push((l.number + before, l.byte_offset, l.bytes.to_vec())),
                Err(e) => {
                    out.too_long = Some((e.line_number + before, e.byte_offset));
                    return out;
                }
            }
        }
        out.skipped += it.skipped();
        before += count_lines(chunk);
    }
    assert_eq!(next_offset, data.len(), "chunks do not cover the input");
    out
}

fuzz_target!(|input: &[u8]| {
    let [b0, b1, b2, data @ ..] = input else {
        return;
    };
    let block_size = usize::from(b0 % 16) + 1;
    let max_len = match b1 {
        0..=239 => usize::from(b1 % 40),
        _ => usize::MAX / 2, // no limit in practice
    };
    let policy = if b2 & 1 == 0 {
        LongLinePolicy::Error
    } else {
        LongLinePolicy::Skip
    };
    let chunk_target = usize::from(b2 >> 1) + 1;
    let limit = LineLimit::new(max_len, policy);

    // The plain splitter and the counter agree with each other.
    let plain: Vec<&[u8]> = lines(data).collect();
    assert_eq!(plain.len() as u64, count_lines(data));

    let reference = contiguous(data, limit);
    if reference.too_long.is_none() {
        let yielded = reference.lines.len() as u64 + reference.skipped;
        assert_eq!(yielded, count_lines(data), "lines lost or invented");
    }
    assert_eq!(
        chunked(data, limit, chunk_target),
        reference,
        "aligned chunks differ"
    );

    // Data starting with the gzip magic is decompressed by Stream (and is usually not
    // valid gzip): only "no panic" applies.
    let stream = streamed(data, limit, block_size);
    if data.starts_with(&[0x1f, 0x8b]) {
        return;
    }
    match stream {
        Ok(outcome) => assert_eq!(outcome, reference, "stream blocks differ"),
        Err(e) => panic!("reading from memory failed: {e}"),
    }
});
