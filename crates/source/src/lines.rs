//! The one line semantics every strategy shares, and the long-line limit.

use std::{iter::FusedIterator, path::PathBuf};

use crate::error::Error;

/// Splits off the first line of `bytes`: the line without its terminator and the number
/// of bytes it used up (terminator included). `None` once `bytes` is empty, which is
/// why no phantom empty line follows a final `\n`.
///
/// This function is the single definition of a line: every iterator goes through it.
#[inline]
fn split_first_line(bytes: &[u8]) -> Option<(&[u8], usize)> {
    if bytes.is_empty() {
        return None;
    }
    let (raw, used) = match memchr::memchr(b'\n', bytes) {
        Some(i) => (&bytes[..i], i + 1),
        None => (bytes, bytes.len()),
    };
    Some((strip_cr(raw), used))
}

#[inline]
fn strip_cr(raw: &[u8]) -> &[u8] {
    match raw {
        [rest @ .., b'\r'] => rest,
        _ => raw,
    }
}

/// The lines of `bytes`, without their terminators.
///
/// The rule, the same for every [`Strategy`](crate::Strategy):
///
/// - lines are split on `\n`;
/// - one `\r` directly before the `\n` (or at the very end of the input) is stripped,
///   so CRLF files give the same lines as LF files;
/// - a last line without a final `\n` is still yielded;
/// - a final `\n` does not start another, empty line; an empty input has no lines;
/// - bytes are not decoded: lines need not be UTF-8 and may contain NUL.
///
/// This iterator applies no length limit and counts nothing; see [`LineLimit::lines`] for
/// numbered lines with the limit applied.
///
/// ```
/// use logscan_source::lines;
///
/// let got: Vec<&[u8]> = lines(b"a\r\n\nb\xff\nlast").collect();
/// assert_eq!(got, [&b"a"[..], b"", b"b\xff", b"last"]);
/// assert_eq!(lines(b"one\n").count(), 1);
/// assert_eq!(lines(b"").count(), 0);
/// ```
pub fn lines(bytes: &[u8]) -> Lines<'_> {
    Lines { rest: bytes }
}

/// Number of lines [`lines`] yields for `bytes`, counted without splitting them.
///
/// ```
/// use logscan_source::count_lines;
///
/// assert_eq!(count_lines(b"a\nb\n"), 2);
/// assert_eq!(count_lines(b"a\nb"), 2);
/// assert_eq!(count_lines(b""), 0);
/// ```
pub fn count_lines(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    match bytes.last() {
        Some(b'\n') | None => newlines,
        Some(_) => newlines + 1,
    }
}

/// Iterator over the lines of a byte slice; see [`lines`].
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Lines<'a> {
    /// The bytes not yet split.
    pub fn remainder(&self) -> &'a [u8] {
        self.rest
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        let (line, used) = split_first_line(self.rest)?;
        self.rest = &self.rest[used..];
        Some(line)
    }
}

impl FusedIterator for Lines<'_> {}

/// What to do with a line longer than the limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LongLinePolicy {
    /// Stop with [`Error::LineTooLong`] naming the line number and byte offset.
    #[default]
    Error,
    /// Leave the line out, count it, and go on. Skipped lines still use up a line number.
    Skip,
}

/// The longest line allowed and what happens to a longer one.
///
/// The length compared is the length of the line as [`lines`] yields it: without the
/// `\n` and without a stripped `\r`. A line of exactly `max_len` bytes is allowed.
///
/// Every strategy applies the same limit: the Stream reader while it reads (so that its
/// memory stays bounded), and [`LineLimit::lines`] on contiguous input and on blocks.
/// A consumer that runs `LineLimit::lines` over every piece of input, with the limit
/// from [`Source::line_limit`](crate::Source::line_limit), gets the same lines, the
/// same skip count and the same first error whichever strategy produced the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineLimit {
    max_len: usize,
    policy: LongLinePolicy,
}

impl Default for LineLimit {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_LEN, LongLinePolicy::Error)
    }
}

impl LineLimit {
    /// Default longest line: 64 MiB.
    pub const DEFAULT_MAX_LEN: usize = 64 * 1024 * 1024;

    /// A limit of `max_len` bytes per line with the given policy.
    pub const fn new(max_len: usize, policy: LongLinePolicy) -> Self {
        Self { max_len, policy }
    }

    /// No limit. Only sensible for contiguous input, whose memory is already spent; a
    /// Stream source with no limit can grow without bound on input without newlines.
    pub const fn unlimited() -> Self {
        Self::new(usize::MAX, LongLinePolicy::Error)
    }

    /// The longest allowed line, in bytes.
    pub const fn max_len(&self) -> usize {
        self.max_len
    }

    /// What happens to a longer line.
    pub const fn policy(&self) -> LongLinePolicy {
        self.policy
    }

    /// Whether `line` (as [`lines`] yields it) is over the limit.
    #[inline]
    pub const fn is_exceeded_by(&self, line: &[u8]) -> bool {
        line.len() > self.max_len
    }

    /// The lines of `bytes`, numbered from `first_line` and placed from `byte_offset`,
    /// with this limit applied. See [`NumberedLines`].
    ///
    /// `bytes` should start at a line start: the start of the input, or just after a
    /// `\n` (as every chunk from [`aligned_chunks`] and every [`Block`](crate::Block)
    /// does). Where the true line number is not known yet (a chunk in the middle of a
    /// file scanned in parallel), number from 1 and add the count of lines before the
    /// chunk afterwards.
    ///
    /// ```
    /// use logscan_source::{LineLimit, LongLinePolicy};
    ///
    /// let limit = LineLimit::new(3, LongLinePolicy::Skip);
    /// let mut it = limit.lines(b"abc\r\nlong line\nxy", 10, 100);
    /// let first = it.next().unwrap().unwrap();
    /// assert_eq!((first.number, first.byte_offset, first.bytes), (10, 100, &b"abc"[..]));
    /// let next = it.next().unwrap().unwrap(); // "long line" (line 11) was skipped
    /// assert_eq!((next.number, next.byte_offset, next.bytes), (12, 115, &b"xy"[..]));
    /// assert!(it.next().is_none());
    /// assert_eq!(it.skipped(), 1);
    /// ```
    pub fn lines<'a>(
        &self,
        bytes: &'a [u8],
        first_line: u64,
        byte_offset: u64,
    ) -> NumberedLines<'a> {
        NumberedLines {
            rest: bytes,
            next_number: first_line,
            next_offset: byte_offset,
            limit: *self,
            skipped: 0,
        }
    }
}

/// One line with its position in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number (lines skipped as too long are counted).
    pub number: u64,
    /// Offset of the line's first byte from the start of the input (of the decompressed
    /// input, for gzip).
    pub byte_offset: u64,
    /// The line without its `\n` and without a trailing `\r`.
    pub bytes: &'a [u8],
    /// The line as it is in the input: `bytes` with the `\n` or `\r\n` that ended it,
    /// if any (the last line of an input may have none). For output that must repeat
    /// the input's lines exactly, as `grep` does.
    pub raw: &'a [u8],
}

/// Numbered lines with a [`LineLimit`] applied; made by [`LineLimit::lines`].
///
/// Yields `Ok(Line)` for each line within the limit. A longer line is either skipped
/// and counted in [`skipped`](Self::skipped) ([`LongLinePolicy::Skip`]), or yields one
/// `Err` after which the iterator ends ([`LongLinePolicy::Error`]).
#[derive(Clone, Debug)]
pub struct NumberedLines<'a> {
    rest: &'a [u8],
    next_number: u64,
    next_offset: u64,
    limit: LineLimit,
    skipped: u64,
}

impl NumberedLines<'_> {
    /// Lines left out so far because they were longer than the limit.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The number the next line would get. Once the iterator is exhausted without
    /// error, `next_line_number() - first_line` is the number of lines in the input,
    /// skipped ones included.
    pub fn next_line_number(&self) -> u64 {
        self.next_number
    }

    /// Offset of the first byte not yet split.
    pub fn next_byte_offset(&self) -> u64 {
        self.next_offset
    }
}

impl<'a> Iterator for NumberedLines<'a> {
    type Item = Result<Line<'a>, LineTooLong>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (bytes, used) = split_first_line(self.rest)?;
            let line = Line {
                number: self.next_number,
                byte_offset: self.next_offset,
                bytes,
                raw: &self.rest[..used],
            };
            self.rest = &self.rest[used..];
            self.next_number += 1;
            self.next_offset += used as u64;
            if !self.limit.is_exceeded_by(bytes) {
                return Some(Ok(line));
            }
            match self.limit.policy {
                LongLinePolicy::Skip => self.skipped += 1,
                LongLinePolicy::Error => {
                    // The error ends the input: nothing after it is yielded.
                    self.rest = &[];
                    return Some(Err(LineTooLong {
                        line_number: line.number,
                        byte_offset: line.byte_offset,
                        limit: self.limit.max_len,
                    }));
                }
            }
        }
    }
}

impl FusedIterator for NumberedLines<'_> {}

/// A line over the limit, found by [`NumberedLines`] (which does not know the path).
///
/// Turn it into the crate's [`Error`] with [`into_error`](Self::into_error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("line {line_number} (at byte {byte_offset}) is longer than the limit of {limit} bytes")]
pub struct LineTooLong {
    /// 1-based number of the offending line.
    pub line_number: u64,
    /// Offset of its first byte.
    pub byte_offset: u64,
    /// The limit it broke.
    pub limit: usize,
}

impl LineTooLong {
    /// The same error as [`Error::LineTooLong`] for the input at `path`.
    pub fn into_error(self, path: impl Into<PathBuf>) -> Error {
        Error::LineTooLong {
            path: path.into(),
            line_number: self.line_number,
            byte_offset: self.byte_offset,
            limit: self.limit,
        }
    }
}

/// Splits `bytes` into pieces of about `target_len` bytes that each end just after a
/// `\n` (the last piece may end without one), for scanning in parallel.
///
/// Each item is `(offset of the piece in bytes, piece)`. A piece is at least
/// `target_len` bytes unless it is the last, and longer only by the rest of the line
/// it would otherwise cut. Running [`lines`] over every piece in order yields exactly
/// `lines(bytes)`. A `target_len` of 0 is treated as 1.
///
/// ```
/// use logscan_source::aligned_chunks;
///
/// let pieces: Vec<_> = aligned_chunks(b"aa\nbbbb\nc\nd", 4).collect();
/// assert_eq!(pieces, [(0, &b"aa\nbbbb\n"[..]), (8, b"c\nd")]);
/// ```
pub fn aligned_chunks(bytes: &[u8], target_len: usize) -> AlignedChunks<'_> {
    AlignedChunks {
        bytes,
        pos: 0,
        target_len: target_len.max(1),
    }
}

/// Iterator over newline-aligned pieces; see [`aligned_chunks`].
#[derive(Clone, Debug)]
pub struct AlignedChunks<'a> {
    bytes: &'a [u8],
    pos: usize,
    target_len: usize,
}

impl<'a> Iterator for AlignedChunks<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.pos;
        if start >= self.bytes.len() {
            return None;
        }
        let end = aligned_end(self.bytes, start, self.target_len);
        self.pos = end;
        Some((start, &self.bytes[start..end]))
    }
}

impl FusedIterator for AlignedChunks<'_> {}

/// End (exclusive) of the aligned piece that starts at `start`.
pub(crate) fn aligned_end(bytes: &[u8], start: usize, target_len: usize) -> usize {
    // The piece must hold at least `target_len` bytes, so its closing `\n` is searched
    // from the last byte of that span on.
    let search_from = start.saturating_add(target_len - 1);
    if search_from >= bytes.len() {
        return bytes.len();
    }
    match memchr::memchr(b'\n', &bytes[search_from..]) {
        Some(i) => search_from + i + 1,
        None => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_cr_at_end_of_input_is_stripped_like_before_newline() {
        let got: Vec<&[u8]> = lines(b"a\r").collect();
        assert_eq!(got, [b"a"]);
        let got: Vec<&[u8]> = lines(b"\r").collect();
        assert_eq!(got, [b""]);
    }

    #[test]
    fn only_one_cr_is_stripped() {
        let got: Vec<&[u8]> = lines(b"a\r\r\nb\rc\n").collect();
        assert_eq!(got, [&b"a\r"[..], b"b\rc"]);
    }

    #[test]
    fn empty_lines_are_kept() {
        let got: Vec<&[u8]> = lines(b"\n\n\r\n").collect();
        assert_eq!(got, [b"", b"", b""]);
        assert_eq!(count_lines(b"\n\n\r\n"), 3);
    }

    #[test]
    fn limit_counts_the_yielded_length_not_the_raw_length() {
        let limit = LineLimit::new(2, LongLinePolicy::Error);
        let got: Vec<_> = limit.lines(b"ab\r\nab\r", 1, 0).collect();
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(Result::is_ok));
        let err = limit.lines(b"ab\nabc\nx\n", 1, 0).nth(1);
        assert_eq!(
            err,
            Some(Err(LineTooLong {
                line_number: 2,
                byte_offset: 3,
                limit: 2
            }))
        );
    }

    #[test]
    fn raw_is_the_line_with_its_own_ending() {
        let limit = LineLimit::new(usize::MAX, LongLinePolicy::Error);
        let got: Vec<_> = limit
            .lines(b"a\r\nb\n\r\nc\r", 1, 0)
            .map(|l| l.map(|l| (l.bytes, l.raw)))
            .collect::<Result<_, _>>()
            .expect("no limit");
        let want: [(&[u8], &[u8]); 4] = [
            (b"a", b"a\r\n"),
            (b"b", b"b\n"),
            (b"", b"\r\n"),
            (b"c", b"c\r"),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn error_policy_ends_the_iterator() {
        let limit = LineLimit::new(0, LongLinePolicy::Error);
        let mut it = limit.lines(b"\nx\n\n", 1, 0);
        assert!(matches!(it.next(), Some(Ok(Line { number: 1, .. }))));
        assert!(matches!(
            it.next(),
            Some(Err(LineTooLong { line_number: 2, .. }))
        ));
        assert_eq!(it.next(), None);
    }

    #[test]
    fn aligned_chunks_cover_input_and_end_on_newlines() {
        let input = b"a\nbb\nccc\n\ndddd\ne";
        for target in 0..20 {
            let pieces: Vec<_> = aligned_chunks(input, target).collect();
            let joined: Vec<u8> = pieces.iter().flat_map(|(_, p)| p.iter().copied()).collect();
            assert_eq!(joined, input);
            let mut expected_offset = 0;
            for (i, (offset, piece)) in pieces.iter().enumerate() {
                assert_eq!(*offset, expected_offset);
                expected_offset += piece.len();
                if i + 1 < pieces.len() {
                    assert_eq!(piece.last(), Some(&b'\n'));
                    assert!(piece.len() >= target.max(1));
                }
            }
        }
    }
}
