//! Byte search tuned for log fields: most fields are short (addresses, numbers, `-`),
//! where `memchr`'s set-up costs more than the search, and a few are long (requests,
//! user agents), where its vector loop wins. So: eight bytes at a time with a SWAR
//! test for the first 32 bytes, `memchr` after that.

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

#[cfg(test)]
mod tests {
    use super::*;

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
