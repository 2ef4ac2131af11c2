//! Byte search tuned for log fields.
//!
//! A [`LineIndex`] marks, in one vector pass over a line, every quote and blank (the
//! bytes most separators start with); finding the next one is then a bit scan,
//! whatever the field's length. For lines too long to index, most fields
//! are short (addresses, numbers, `-`), where `memchr`'s set-up costs more than the
//! search, and a few are long (requests, user agents), where its vector loop wins. So:
//! 16 bytes at a time with SSE2 (eight with a SWAR test off x86_64) for the first 32
//! bytes, `memchr` after that.

use memchr::memchr;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bytes examined word by word before handing over to `memchr`.
const SWAR_SPAN: usize = 32;

/// The first `b` in `hay` at or after `from`.
#[inline(always)]
pub(crate) fn find_byte(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        find_byte_sse2(hay, from, b)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        find_byte_swar(hay, from, b)
    }
}

/// [`find_byte`] 16 bytes at a time with SSE2, which every x86_64 CPU has: the short
/// fields it is used on (a method, a path up to its `?`) take one or two compares.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn find_byte_sse2(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };

    // Bits of the bytes equal to `b` among the 16 at `at`.
    let hits = |at: usize| -> u32 {
        let Some(block) = hay.get(at..at.saturating_add(16)) else {
            return 0;
        };
        // SAFETY: SSE2 is part of the x86_64 baseline, so every CPU this runs on has
        // it. `block` is 16 live bytes (a shorter one is caught above: the callers only
        // ask where 16 bytes remain), and `_mm_loadu_si128` reads exactly 16 with no
        // alignment requirement.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u32
        }
    };
    let mut k = from;
    let span_end = from.saturating_add(SWAR_SPAN);
    while k < span_end && k.checked_add(16).is_some_and(|e| e <= hay.len()) {
        let m = hits(k);
        if m != 0 {
            return Some(k + m.trailing_zeros() as usize);
        }
        k += 16;
    }
    if k.checked_add(16).is_some_and(|e| e <= hay.len()) {
        return memchr(b, &hay[k..]).map(|o| k + o);
    }
    if k >= hay.len() {
        return None;
    }
    // Fewer than 16 bytes left: the 16 that end where `hay` ends, if they start at or
    // after `from`, with the bits of the bytes before `k` (searched already) dropped.
    match hay.len().checked_sub(16) {
        Some(start) if start >= from => {
            let m = hits(start) >> (k - start);
            (m != 0).then(|| k + m.trailing_zeros() as usize)
        }
        _ => find_byte_swar(hay, k, b),
    }
}

/// [`find_byte`] eight bytes at a time with a SWAR test for the first 32 bytes,
/// `memchr` after that.
#[inline(always)]
fn find_byte_swar(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    let pat = LO.wrapping_mul(u64::from(b));
    let mut k = from;
    let swar_end = from.saturating_add(SWAR_SPAN);
    while k < swar_end {
        let Some(chunk) = hay.get(k..k + 8) else {
            break;
        };
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word) ^ pat;
        // The lowest byte of x that is zero sets the lowest high bit here; borrows
        // can only mark bytes above a real zero, so the first hit is exact.
        let m = x.wrapping_sub(LO) & !x & HI;
        if m != 0 {
            return Some(k + (m.trailing_zeros() / 8) as usize);
        }
        k += 8;
    }
    if k + 8 <= hay.len() {
        return memchr(b, &hay[k..]).map(|o| k + o);
    }
    while k < hay.len() {
        if hay[k] == b {
            return Some(k);
        }
        k += 1;
    }
    None
}

/// Whether `lit` occurs in `hay` at `k`. Separators are a few bytes: a loop, not a
/// `memcmp` call.
#[inline(always)]
pub(crate) fn lit_at(hay: &[u8], k: usize, lit: &[u8]) -> bool {
    match hay.get(k..k.saturating_add(lit.len())) {
        Some(window) => window.iter().zip(lit).all(|(a, b)| a == b),
        None => false,
    }
}

/// The eight bytes of `hay` that end at `end`, as a little-endian word (so the byte
/// just before `end` is the high byte). `None` if `end` is before 8 or past the end.
#[inline(always)]
pub(crate) fn word_ending_at(hay: &[u8], end: usize) -> Option<u64> {
    let start = end.checked_sub(8)?;
    hay.get(start..end)?
        .first_chunk::<8>()
        .map(|w| u64::from_le_bytes(*w))
}

/// The last `len` (1 to 8) bytes of `word` (its high bytes) as digit values 0 to 9,
/// one per byte, with the other bytes 0; `None` unless all of them are ASCII digits.
#[inline(always)]
pub(crate) fn digit_values(word: u64, len: usize) -> Option<u64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    let keep = u64::MAX << (8 * (8 - len) as u32 % 64);
    let t = word & keep;
    let zeros = ZEROS & keep;
    // A digit is 0x30..=0x39: high nibble 3, and still 3 after adding 6. The bytes
    // dropped are 0 and stay 0 and 6, matching `zeros`. A carry out of a non-digit
    // byte can only spoil a word the first test already rejects.
    let bad = (t & HIGH_NIBBLES != zeros)
        | (t.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != zeros);
    (!bad).then(|| t - zeros)
}

/// A separator prepared for comparison: its first eight bytes (or fewer) compare as
/// one masked word; a longer one then compares byte by byte.
#[derive(Clone, Debug)]
pub(crate) struct Sep {
    bytes: Box<[u8]>,
    word: u64,
    /// Which bytes of `word` take part (none for an empty separator).
    mask: u64,
    /// Longer than the word: the rest is compared byte by byte.
    long: bool,
}

impl Sep {
    pub(crate) fn new(bytes: Vec<u8>) -> Sep {
        // The first eight bytes (at most) go into the word; `long` says whether bytes
        // after them must be compared too.
        let head = &bytes[..bytes.len().min(8)];
        let mut w = [0u8; 8];
        w[..head.len()].copy_from_slice(head);
        let mask = match head.len() {
            8 => u64::MAX,
            n => (1u64 << (8 * n)) - 1,
        };
        Sep {
            long: bytes.len() > 8,
            bytes: bytes.into_boxed_slice(),
            word: u64::from_le_bytes(w),
            mask,
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the separator occurs in `hay` at `k`.
    #[inline(always)]
    pub(crate) fn at(&self, hay: &[u8], k: usize) -> bool {
        if hay.len().checked_sub(8).is_some_and(|last| k <= last) {
            let mut w = [0u8; 8];
            w.copy_from_slice(&hay[k..k + 8]);
            return (u64::from_le_bytes(w) ^ self.word) & self.mask == 0
                && (!self.long || lit_at(hay, k, &self.bytes));
        }
        lit_at(hay, k, &self.bytes)
    }
}

/// The longest line a [`LineIndex`] covers. Access lines are nearly always shorter;
/// a longer one is matched by searching field by field.
pub(crate) const INDEX_LEN: usize = 512;
const INDEX_WORDS: usize = INDEX_LEN / 64;

/// Where the quotes and the blanks (space or tab) of a line of at most [`INDEX_LEN`]
/// bytes are, as bits: position `i` is bit `i % 64` of word `i / 64`.
///
/// Building it reads the line once, 32 bytes at a time with AVX2 (16 with SSE2 where
/// the CPU lacks it); each search afterwards is a mask and a trailing-zero count, with
/// no call and no loop over bytes, however long the field.
pub(crate) struct LineIndex {
    quotes: [u64; INDEX_WORDS],
    blanks: [u64; INDEX_WORDS],
}

impl LineIndex {
    /// Indexes `line` (its first [`INDEX_LEN`] bytes).
    #[inline]
    pub(crate) fn build(line: &[u8]) -> LineIndex {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above (the answer is cached).
            return unsafe { build_avx2(line) };
        }
        build_with(line, block_masks)
    }

    /// The first quote at or after `from`.
    #[inline(always)]
    pub(crate) fn next_quote(&self, from: usize) -> Option<usize> {
        next_bit(&self.quotes, from)
    }

    /// The first space or tab at or after `from`.
    #[inline(always)]
    pub(crate) fn next_blank(&self, from: usize) -> Option<usize> {
        next_bit(&self.blanks, from)
    }

    /// The quote that closes a quoted value starting at `p`: the first quote not
    /// escaped by an odd run of backslashes that `end` (the separator after the
    /// value) follows.
    #[inline(always)]
    pub(crate) fn closing_quote(&self, line: &[u8], p: usize, end: &impl EndTest) -> Option<usize> {
        let mut from = p;
        loop {
            let k = self.next_quote(from)?;
            from = k + 1;
            if is_escaped(line, p, k) {
                continue;
            }
            if end.ends_at(line, k) {
                return Some(k);
            }
        }
    }

    /// The first space or tab at or after `from` that `end` starts at.
    #[inline(always)]
    pub(crate) fn blank_where(
        &self,
        line: &[u8],
        from: usize,
        end: &impl EndTest,
    ) -> Option<usize> {
        let mut from = from;
        loop {
            let k = self.next_blank(from)?;
            if end.ends_at(line, k) {
                return Some(k);
            }
            from = k + 1;
        }
    }
}

/// Whether the quote at `k` is escaped: preceded by an odd run of backslashes, counted
/// back no further than the value's start `p`.
#[inline(always)]
pub(crate) fn is_escaped(line: &[u8], p: usize, k: usize) -> bool {
    k > p
        && line[k - 1] == b'\\'
        && line[p..k].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// What ends a value: the separator that follows it, tested at a position. A trait
/// rather than a closure so that the test is always inlined into the search loops of
/// [`LineIndex`] (a closure there may be left as a call, and a call per candidate
/// separator costs more than the test).
pub(crate) trait EndTest {
    /// Whether the separator occurs in `line` at `k`.
    fn ends_at(&self, line: &[u8], k: usize) -> bool;
}

impl EndTest for Sep {
    #[inline(always)]
    fn ends_at(&self, line: &[u8], k: usize) -> bool {
        self.at(line, k)
    }
}

#[inline(always)]
fn next_bit(words: &[u64; INDEX_WORDS], from: usize) -> Option<usize> {
    let mut w = from / 64;
    let mut bits = *words.get(w)? & (u64::MAX << (from % 64));
    while bits == 0 {
        w += 1;
        bits = *words.get(w)?;
    }
    Some(w * 64 + bits.trailing_zeros() as usize)
}

/// The index of `line`, with `masks` giving the quote and blank bits of 64 bytes.
#[inline(always)]
fn build_with(line: &[u8], masks: impl Fn(&[u8; 64]) -> (u64, u64)) -> LineIndex {
    let mut index = LineIndex {
        quotes: [0; INDEX_WORDS],
        blanks: [0; INDEX_WORDS],
    };
    let line = &line[..line.len().min(INDEX_LEN)];
    let full = line.len() / 64;
    for (w, block) in line.chunks_exact(64).enumerate() {
        if let Ok(block) = <&[u8; 64]>::try_from(block) {
            let (q, b) = masks(block);
            index.quotes[w % INDEX_WORDS] = q;
            index.blanks[w % INDEX_WORDS] = b;
        }
    }
    let rem = line.len() % 64;
    if rem != 0 {
        let (q, b) = if let Some(last) = line.last_chunk::<64>() {
            // The last 64 bytes of the line, overlapping the previous word: shifting
            // out the overlap leaves the tail's bits in place, with no copy.
            let (q, b) = masks(last);
            (q >> (64 - rem), b >> (64 - rem))
        } else {
            // A short line: padded with zeros, which are neither quotes nor blanks.
            let mut block = [0u8; 64];
            block[..rem].copy_from_slice(line);
            masks(&block)
        };
        index.quotes[full % INDEX_WORDS] = q;
        index.blanks[full % INDEX_WORDS] = b;
    }
    index
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn build_avx2(line: &[u8]) -> LineIndex {
    build_with(line, |block| {
        let (lo, hi) = block.split_at(32);
        let (Ok(lo), Ok(hi)) = (<&[u8; 32]>::try_from(lo), <&[u8; 32]>::try_from(hi)) else {
            return (0, 0);
        };
        let (q0, b0) = unit_masks_avx2(lo);
        let (q1, b1) = unit_masks_avx2(hi);
        (q0 | q1 << 32, b0 | b1 << 32)
    })
}

/// Quote and blank bits of 32 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn unit_masks_avx2(unit: &[u8; 32]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    // SAFETY: `unit` is a live 32-byte array, and `_mm256_loadu_si256` reads exactly
    // 32 bytes, with no alignment requirement.
    let v = unsafe { _mm256_loadu_si256(unit.as_ptr().cast::<__m256i>()) };
    let q = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8)));
    let b = _mm256_movemask_epi8(_mm256_or_si256(
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8)),
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\t' as i8)),
    ));
    (u64::from(q as u32), u64::from(b as u32))
}

/// Quote and blank bits of 64 bytes, 16 at a time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut quotes = 0u64;
    let mut blanks = 0u64;
    for (i, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: these are SSE2 instructions, which every x86_64 CPU has (they are
        // part of the target's baseline, so no detection is needed). `part` is 16
        // bytes of a live array (`chunks_exact(16)`), and `_mm_loadu_si128` reads
        // exactly 16 bytes, with no alignment requirement.
        let (q, b) = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8))),
                _mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8)),
                )),
            )
        };
        quotes |= u64::from(q as u32 & 0xFFFF) << (16 * i);
        blanks |= u64::from(b as u32 & 0xFFFF) << (16 * i);
    }
    (quotes, blanks)
}

/// Quote and blank bits of 64 bytes, a byte at a time.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    block.iter().enumerate().fold((0, 0), |(q, b), (i, &x)| {
        (
            q | (u64::from(x == b'"') << i),
            b | (u64::from(x == b' ' || x == b'\t') << i),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_finds_what_a_plain_search_finds() {
        for len in [
            0, 1, 5, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 511, 512, 513, 700,
        ] {
            let line: Vec<u8> = (0..len as u32)
                .map(|i| [b'"', b' ', 0, b'\t', b'a', b'b'][(i * 7 % 13 % 6) as usize])
                .collect();
            let want = |from: usize, hit: &dyn Fn(u8) -> bool| {
                line.get(from..INDEX_LEN.min(len))
                    .and_then(|h| h.iter().position(|&x| hit(x)))
                    .map(|o| from + o)
            };
            let mut indexes = vec![LineIndex::build(&line), build_with(&line, block_masks)];
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                indexes.push(unsafe { build_avx2(&line) });
            }
            for index in &indexes {
                for from in 0..len + 70 {
                    assert_eq!(
                        index.next_quote(from),
                        want(from, &|x| x == b'"'),
                        "{len} {from}"
                    );
                    assert_eq!(
                        index.next_blank(from),
                        want(from, &|x| x == b' ' || x == b'\t'),
                        "{len} {from}"
                    );
                }
            }
        }
    }

    #[test]
    fn agrees_with_a_plain_search() {
        let hay: Vec<u8> = (0..200u32).map(|i| (i * 7 % 13) as u8 + b'a').collect();
        for from in 0..hay.len() + 2 {
            for b in b'a'..b'a' + 14 {
                let want = hay
                    .get(from..)
                    .and_then(|h| h.iter().position(|&x| x == b))
                    .map(|o| from + o);
                assert_eq!(find_byte(&hay, from, b), want, "from {from} byte {b}");
            }
        }
        assert_eq!(find_byte(&[0x80, 0x00, 0x01], 0, 0x00), Some(1));
        assert_eq!(find_byte(&[0xff; 40], 0, 0x7f), None);
        // Short tails, where matches before `from` share the last word with the bytes
        // searched, and bytes next to a match could be mistaken for one.
        let bytes = [0x00, 0x01, 0x7f, 0x80, 0xff, b'?', b'?', 0x3e];
        for len in 0..52 {
            let hay: Vec<u8> = (0..len)
                .map(|i| bytes[(i * 5 + len) % bytes.len()])
                .collect();
            for from in 0..=len + 1 {
                for b in bytes {
                    let want = hay
                        .get(from..)
                        .and_then(|h| h.iter().position(|&x| x == b))
                        .map(|o| from + o);
                    assert_eq!(
                        find_byte(&hay, from, b),
                        want,
                        "{hay:?} from {from} byte {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn separators_compare_like_slices() {
        let hay = b"ab\" \"x] [y\" 1234567890abcdef";
        for sep in [
            &b""[..],
            b"\"",
            b"\" ",
            b"\" \"",
            b"] [",
            b"1234567890",
            b"90abcdef",
            b"f",
        ] {
            let s = Sep::new(sep.to_vec());
            for k in 0..hay.len() + 10 {
                assert_eq!(s.at(hay, k), lit_at(hay, k, sep), "{sep:?} at {k}");
            }
        }
    }
}
