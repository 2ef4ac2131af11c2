//! Gzip input read the way `gzip -d` reads it: every member in turn and, after the
//! last one, zeros ignored (the padding that tape formats and some writers leave) and
//! any other data ignored too, with a warning.
//!
//! flate2's `MultiGzDecoder` reads any bytes after a member as the next member's
//! header, so a file with padding or other data after its last member failed as a
//! whole with "invalid gzip header". gzip(1) decompresses such a file ("decompression
//! OK, trailing garbage ignored"): the members hold the whole log. Here too: the data
//! after the last member ends the input, and [`GzipTrailer`] says where it started, so
//! that the caller can warn as gzip does.

use std::io::{self, BufRead, Read};
use std::sync::{Arc, OnceLock};

use flate2::bufread::GzDecoder;

/// The first two bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Compressed bytes read ahead of the decoder.
const BUFFER: usize = 64 * 1024;

/// Whether a gzip input went on after its last member with data that is neither
/// another member nor zero padding — what gzip(1) calls trailing garbage — and where.
///
/// Such data is not read: the input ends with the last member, as with `gzip -d`,
/// which warns "decompression OK, trailing garbage ignored". A handle from
/// [`Source::gzip_trailer`](crate::Source::gzip_trailer) is shared with the reader and
/// is set once reading has reached the data, so it is to be asked after the input has
/// been read to its end.
///
/// ```
/// use std::io::Write;
/// use logscan_source::Source;
///
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
/// gz.write_all(b"one\ntwo\n")?;
/// let mut input = gz.finish()?;
/// let members_end = input.len() as u64;
/// input.extend(b"not gzip");
///
/// let source = Source::builder().open_reader("log.gz", std::io::Cursor::new(input))?;
/// let trailer = source.gzip_trailer();
/// assert_eq!(source.for_each_line(|_| {})?.lines, 2);
/// assert_eq!(trailer.ignored_from(), Some(members_end));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct GzipTrailer(Arc<OnceLock<u64>>);

impl GzipTrailer {
    /// The byte of the compressed input where data that is not gzip started after the
    /// last member; `None` if reading has not met any (so far).
    pub fn ignored_from(&self) -> Option<u64> {
        self.0.get().copied()
    }

    fn set(&self, compressed_offset: u64) {
        // Set once: a reader meets the end of its input once.
        let _ = self.0.set(compressed_offset);
    }
}

/// A buffered reader that counts the bytes taken from it, so that data found after the
/// last member can be located, and that can look two bytes ahead, so that a member is
/// told from other data by both bytes of the magic number, as gzip(1) tells them.
struct Counted<R> {
    inner: R,
    buf: Box<[u8]>,
    /// The unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    taken: u64,
}

impl<R: Read> Counted<R> {
    fn new(inner: R) -> Self {
        Counted {
            inner,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            end: 0,
            taken: 0,
        }
    }

    /// Reads into the buffer after its unread bytes; `Ok(0)` at the end of the input.
    fn read_more(&mut self) -> io::Result<usize> {
        if self.pos == self.end {
            (self.pos, self.end) = (0, 0);
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.pos..self.end, 0);
            (self.pos, self.end) = (0, self.end - self.pos);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// At least `n` unread bytes (`n` at most the buffer), fewer only at the end.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.end - self.pos < n {
            if self.read_more()? == 0 {
                break;
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let unread = self.fill_buf()?;
            let n = unread.len().min(out.len());
            out[..n].copy_from_slice(&unread[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.read_more()?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.end - self.pos);
        self.pos += amount;
        self.taken += amount as u64;
    }
}

/// The decompressed bytes of every gzip member of a reader, one member after another.
pub(crate) struct GzMembers<R> {
    /// The member being decompressed.
    member: Option<GzDecoder<Counted<R>>>,
    /// The input between two members (or after the last).
    between: Option<Counted<R>>,
    trailer: GzipTrailer,
}

impl<R: Read> GzMembers<R> {
    /// Decompresses `input`, which starts with a gzip member; data after the last
    /// member that is not zero padding is noted in `trailer`.
    pub(crate) fn new(input: R, trailer: GzipTrailer) -> GzMembers<R> {
        GzMembers {
            member: Some(GzDecoder::new(Counted::new(input))),
            between: None,
            trailer,
        }
    }
}

/// What follows a complete member.
enum AfterMember {
    /// Another member: both magic bytes (the rest of its header is the decoder's to
    /// check, as gzip(1) does once the magic matches).
    Member,
    /// Nothing, zeros to the end, or data that is not gzip (noted, not read).
    End,
}

/// Looks at what follows a member, taking zero padding but nothing else.
fn after_member<R: Read>(input: &mut Counted<R>, trailer: &GzipTrailer) -> io::Result<AfterMember> {
    let start = input.taken;
    match input.peek(GZIP_MAGIC.len())? {
        [] => return Ok(AfterMember::End),
        magic if magic.starts_with(&GZIP_MAGIC) => return Ok(AfterMember::Member),
        [0, ..] => {}
        _ => {
            trailer.set(start);
            return Ok(AfterMember::End);
        }
    }
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(AfterMember::End);
        }
        if buf.iter().any(|&b| b != 0) {
            trailer.set(start);
            return Ok(AfterMember::End);
        }
        let n = buf.len();
        input.consume(n);
    }
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
            match after_member(&mut input, &self.trailer)? {
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

    /// The decompressed bytes, and where ignored data started, if any.
    fn decompress(input: &[u8]) -> io::Result<(Vec<u8>, Option<u64>)> {
        let trailer = GzipTrailer::default();
        let mut out = Vec::new();
        GzMembers::new(input, trailer.clone()).read_to_end(&mut out)?;
        Ok((out, trailer.ignored_from()))
    }

    /// A reader that hands out at most `step` bytes per read, so that the two magic
    /// bytes of a member can arrive in two reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn members_in_turn_then_zeros_are_the_end() {
        let mut input = gzip(b"one\n");
        input.extend(gzip(b""));
        input.extend(gzip(b"two\n"));
        assert_eq!(decompress(&input).unwrap(), (b"one\ntwo\n".to_vec(), None));
        // Padding longer than the read buffer, so that it takes several fills.
        input.extend(vec![0; BUFFER * 2 + 5]);
        assert_eq!(decompress(&input).unwrap(), (b"one\ntwo\n".to_vec(), None));
    }

    #[test]
    fn other_data_after_the_last_member_is_ignored_and_located() {
        let first = gzip(b"one\n");
        for trailer in [
            &b"junk"[..],
            b"\0\0\0x",
            b"\n",
            &[GZIP_MAGIC[0]],
            &[GZIP_MAGIC[0], 0],
        ] {
            let mut input = first.clone();
            input.extend(trailer);
            input.extend(gzip(b"never read\n"));
            let got = decompress(&input);
            assert_eq!(
                got.ok(),
                Some((b"one\n".to_vec(), Some(first.len() as u64))),
                "{trailer:?}"
            );
        }
    }

    #[test]
    fn a_member_whose_magic_arrives_in_two_reads_is_a_member() {
        let mut input = gzip(b"one\n");
        input.extend(gzip(b"two\n"));
        for step in [1, 2, 3, 7] {
            let mut out = Vec::new();
            let trailer = GzipTrailer::default();
            GzMembers::new(
                Trickle {
                    bytes: &input,
                    step,
                },
                trailer.clone(),
            )
            .read_to_end(&mut out)
            .unwrap();
            assert_eq!(
                (out, trailer.ignored_from()),
                (b"one\ntwo\n".to_vec(), None)
            );
        }
    }

    proptest::proptest! {
        /// Whatever follows a member: zeros (or nothing) end the input; the two magic
        /// bytes start a member, good or bad; anything else is ignored, located at the
        /// member's end. Never a panic.
        #[test]
        fn what_follows_a_member_decides_the_outcome(
            log in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            trailer in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(0u8),
                    proptest::strategy::Just(GZIP_MAGIC[0]),
                    proptest::strategy::Just(GZIP_MAGIC[1]),
                    proptest::num::u8::ANY,
                ],
                0..40,
            ),
        ) {
            let first = gzip(&log);
            let mut input = first.clone();
            input.extend(&trailer);
            let got = decompress(&input);
            if trailer.iter().all(|&b| b == 0) {
                proptest::prop_assert_eq!(got.ok(), Some((log, None)));
            } else if trailer.starts_with(&GZIP_MAGIC) {
                // No valid member is this short.
                proptest::prop_assert!(got.is_err());
            } else {
                proptest::prop_assert_eq!(got.ok(), Some((log, Some(first.len() as u64))));
            }
        }
    }

    #[test]
    fn a_bad_member_after_a_good_one_is_bad_gzip() {
        let mut input = gzip(b"one\n");
        // The magic, then a compression method gzip does not know.
        input.extend([GZIP_MAGIC[0], GZIP_MAGIC[1], 0x07, 0x00]);
        assert!(decompress(&input).is_err());
    }
}
