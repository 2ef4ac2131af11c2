//! Byte search tuned for log fields.
//!
//! A [`LineIndex`] marks, in one vector pass over a line, every position of a byte
//! (the `"` that ends quoted fields); finding the next one is then a bit scan,
//! whatever the field's length. For lines too long to index, most fields
//! are short (addresses, numbers, `-`), where `memchr`'s set-up costs more than the
//! search, and a few are long (requests, user agents), where its vector loop wins. So:
//! eight bytes at a time with a SWAR test for the first 32 bytes, `memchr` after that.

use memchr::memchr;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bytes examined word by word before handing over to `memchr`.
const SWAR_SPAN: usize = 32;

/// The first `b` in `hay` at or after `from`.
#[inline(always)]
pub(crate) fn find_byte(hay: &[u8], from: usize, b: u8) -> Option<usize> {
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

/// A separator prepared for comparison: one of up to eight bytes compares as a single
/// masked word, longer ones byte by byte.
#[derive(Clone, Debug)]
pub(crate) struct Sep {
    bytes: Box<[u8]>,
    word: u64,
    /// Which bytes of `word` take part; 0 for an empty or long separator.
    mask: u64,
}

impl Sep {
    pub(crate) fn new(bytes: Vec<u8>) -> Sep {
        let (word, mask) = match bytes.len() {
            1..=8 => {
                let mut w = [0u8; 8];
                w[..bytes.len()].copy_from_slice(&bytes);
                let mask = if bytes.len() == 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * bytes.len())) - 1
                };
                (u64::from_le_bytes(w), mask)
            }
            _ => (0, 0),
        };
        Sep {
            bytes: bytes.into_boxed_slice(),
            word,
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
        if self.mask != 0
            && let Some(chunk) = hay.get(k..k.saturating_add(8))
            && let Ok(w) = <[u8; 8]>::try_from(chunk)
        {
            return (u64::from_le_bytes(w) ^ self.word) & self.mask == 0;
        }
        lit_at(hay, k, &self.bytes)
    }
}

/// The longest line a [`LineIndex`] covers. Access lines are nearly always shorter;
/// a longer one is matched by searching field by field.
pub(crate) const INDEX_LEN: usize = 512;
const INDEX_WORDS: usize = INDEX_LEN / 64;

/// The positions of one byte in a line of at most [`INDEX_LEN`] bytes, as bits: bit
/// `i % 64` of word `i / 64`.
///
/// Building it reads the line once, 16 bytes at a time, for about a quarter of an
/// instruction per byte; each search afterwards is a mask and a trailing-zero count,
/// with no call and no loop over bytes, however long the field.
pub(crate) struct LineIndex {
    words: [u64; INDEX_WORDS],
}

impl LineIndex {
    /// Indexes the positions of `b` in `line` (its first [`INDEX_LEN`] bytes).
    #[inline]
    pub(crate) fn build(line: &[u8], b: u8) -> LineIndex {
        let mut words = [0u64; INDEX_WORDS];
        let line = &line[..line.len().min(INDEX_LEN)];
        let full = line.len() / 64;
        for (word, block) in words.iter_mut().zip(line.chunks_exact(64)) {
            if let Ok(block) = <&[u8; 64]>::try_from(block) {
                *word = block_mask(block, b);
            }
        }
        let rem = line.len() % 64;
        if rem != 0 {
            let tail = if let Some(last) = line.last_chunk::<64>() {
                // The last 64 bytes of the line, overlapping the previous word:
                // shifting out the overlap leaves the tail's bits in place, no copy.
                block_mask(last, b) >> (64 - rem)
            } else {
                let mut block = [0u8; 64];
                block[..rem].copy_from_slice(line);
                // The padding is zeros, which `b` may be.
                block_mask(&block, b) & ((1u64 << rem) - 1)
            };
            words[full % INDEX_WORDS] = tail;
        }
        LineIndex { words }
    }

    /// The first marked position at or after `from`.
    #[inline(always)]
    pub(crate) fn next(&self, from: usize) -> Option<usize> {
        let mut w = from / 64;
        let mut bits = *self.words.get(w)? & (u64::MAX << (from % 64));
        while bits == 0 {
            w += 1;
            bits = *self.words.get(w)?;
        }
        Some(w * 64 + bits.trailing_zeros() as usize)
    }
}

/// Bit `i` set where `block[i] == b`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_mask(block: &[u8; 64], b: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut mask = 0u64;
    for (i, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: these are SSE2 instructions, which every x86_64 CPU has (they are
        // part of the target's baseline, so no detection is needed). `part` is 16
        // bytes of a live array (`chunks_exact(16)`), and `_mm_loadu_si128` reads
        // exactly 16 bytes, with no alignment requirement.
        let m = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)))
        };
        mask |= u64::from(m as u32 & 0xFFFF) << (16 * i);
    }
    mask
}

/// Bit `i` set where `block[i] == b`.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block_mask(block: &[u8; 64], b: u8) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (i, &x)| m | (u64::from(x == b) << i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_finds_what_a_plain_search_finds() {
        for len in [
            0, 1, 5, 63, 64, 65, 100, 127, 128, 129, 200, 511, 512, 513, 700,
        ] {
            let line: Vec<u8> = (0..len as u32)
                .map(|i| [b'"', b' ', 0, b'a', b'b'][(i * 7 % 11 % 5) as usize])
                .collect();
            for b in [b'"', 0, b'a', b'z'] {
                let index = LineIndex::build(&line, b);
                for from in 0..len + 70 {
                    let want = line
                        .get(from..INDEX_LEN.min(len))
                        .and_then(|h| h.iter().position(|&x| x == b))
                        .map(|o| from + o);
                    assert_eq!(index.next(from), want, "len {len} byte {b} from {from}");
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
