//! Gzip input read the way `gzip -d` reads it: every member in turn and, after the
//! last one, zeros ignored (the padding that tape formats and some writers leave).
//!
//! flate2's `MultiGzDecoder` reads any bytes after a member as the next member's
//! header, so a file with padding or other data after its last member failed as a
//! whole with "invalid gzip header". Here padding is read as the end of the input,
//! and other data is reported as what it is, with its offset in the file.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

/// The first byte of every gzip member.
const GZIP_FIRST_BYTE: u8 = 0x1f;

/// Compressed bytes read ahead of the decoder.
const BUFFER: usize = 64 * 1024;

/// Data after a complete member that is neither another member nor zeros: what gzip(1)
/// calls trailing garbage. Travels inside an `io::Error` out of [`GzMembers::read`];
/// [`Error::from_gzip_read`](crate::Error) turns it into
/// [`Error::GzipTrailingData`](crate::Error::GzipTrailingData).
#[derive(Debug, thiserror::Error)]
#[error("data at byte {compressed_offset} after the last gzip member is not gzip")]
pub(crate) struct TrailingData {
    /// Where the data starts, in the compressed input.
    pub(crate) compressed_offset: u64,
}

/// A buffered reader that counts the bytes taken from it, so that data found after the
/// last member can be located.
struct Counted<R> {
    inner: BufReader<R>,
    taken: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken += n as u64;
        Ok(n)
    }
}

impl<R: Read> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.taken += amount as u64;
        self.inner.consume(amount);
    }
}

/// The decompressed bytes of every gzip member of a reader, one member after another.
pub(crate) struct GzMembers<R> {
    /// The member being decompressed.
    member: Option<GzDecoder<Counted<R>>>,
    /// The input between two members (or after the last).
    between: Option<Counted<R>>,
}

impl<R: Read> GzMembers<R> {
    /// Decompresses `input`, which starts with a gzip member.
    pub(crate) fn new(input: R) -> GzMembers<R> {
        let input = Counted {
            inner: BufReader::with_capacity(BUFFER, input),
            taken: 0,
        };
        GzMembers {
            member: Some(GzDecoder::new(input)),
            between: None,
        }
    }
}

/// What follows a complete member.
enum AfterMember {
    /// Another member (its header is the decoder's to check, as gzip(1) does once the
    /// first byte matches).
    Member,
    /// Nothing, or zeros to the end.
    End,
}

/// Looks at what follows a member, taking zero padding but nothing else.
fn after_member<R: Read>(input: &mut Counted<R>) -> io::Result<AfterMember> {
    let start = input.taken;
    match input.fill_buf()?.first() {
        None => return Ok(AfterMember::End),
        Some(&GZIP_FIRST_BYTE) => return Ok(AfterMember::Member),
        Some(0) => {}
        Some(_) => return Err(trailing(start)),
    }
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(AfterMember::End);
        }
        if buf.iter().any(|&b| b != 0) {
            return Err(trailing(start));
        }
        let n = buf.len();
        input.consume(n);
    }
}

fn trailing(compressed_offset: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        TrailingData { compressed_offset },
    )
}

impl<R: Read> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(member) = &mut self.member {
                let n = member.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                // The member ended (its trailer checked); the input goes on after it.
                self.between = self.member.take().map(GzDecoder::into_inner);
            }
            let Some(mut input) = self.between.take() else {
                return Ok(0);
            };
            match after_member(&mut input)? {
                AfterMember::Member => self.member = Some(GzDecoder::new(input)),
                AfterMember::End => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{Compression, write::GzEncoder};

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn decompress(input: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        GzMembers::new(input).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn members_in_turn_then_zeros_are_the_end() {
        let mut input = gzip(b"one\n");
        input.extend(gzip(b""));
        input.extend(gzip(b"two\n"));
        assert_eq!(decompress(&input).unwrap(), b"one\ntwo\n");
        // Padding longer than the read buffer, so that it takes several fills.
        input.extend(vec![0; BUFFER * 2 + 5]);
        assert_eq!(decompress(&input).unwrap(), b"one\ntwo\n");
    }

    #[test]
    fn other_data_after_a_member_is_located() {
        let first = gzip(b"one\n");
        for trailer in [&b"junk"[..], b"\0\0\0x", b"\n"] {
            let mut input = first.clone();
            input.extend(trailer);
            let err = decompress(&input).unwrap_err();
            let at = err
                .get_ref()
                .and_then(|e| e.downcast_ref::<TrailingData>())
                .map(|t| t.compressed_offset);
            assert_eq!(at, Some(first.len() as u64), "{trailer:?}: {err}");
        }
    }

    proptest::proptest! {
        /// Whatever follows a member: zeros (or nothing) end the input, a byte other
        /// than zero or a member's first byte is trailing data at the member's end,
        /// and a member's first byte starts a member, good or bad. Never a panic.
        #[test]
        fn what_follows_a_member_decides_the_outcome(
            log in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            trailer in proptest::collection::vec(
                proptest::prop_oneof![proptest::strategy::Just(0u8), proptest::num::u8::ANY],
                0..40,
            ),
        ) {
            let first = gzip(&log);
            let mut input = first.clone();
            input.extend(&trailer);
            let got = decompress(&input);
            let offset = match &got {
                Err(e) => e
                    .get_ref()
                    .and_then(|e| e.downcast_ref::<TrailingData>())
                    .map(|t| t.compressed_offset),
                Ok(_) => None,
            };
            match trailer.first() {
                _ if trailer.iter().all(|&b| b == 0) => {
                    proptest::prop_assert_eq!(got.ok(), Some(log));
                }
                Some(&GZIP_FIRST_BYTE) => proptest::prop_assert!(got.is_err()),
                _ => proptest::prop_assert_eq!(offset, Some(first.len() as u64)),
            }
        }
    }

    #[test]
    fn a_bad_member_after_a_good_one_is_bad_gzip() {
        let mut input = gzip(b"one\n");
        input.extend([GZIP_FIRST_BYTE, 0x00, 0x08, 0x00]);
        let err = decompress(&input).unwrap_err();
        assert!(
            err.get_ref()
                .and_then(|e| e.downcast_ref::<TrailingData>())
                .is_none(),
            "{err}"
        );
    }
}
