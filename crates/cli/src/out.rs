//! Standard output through one locked, buffered writer; a reader that goes away
//! (`logscan filter ... | head`) ends the command quietly with success.

use std::{
    io::{self, BufWriter, StdoutLock, Write},
    ops::ControlFlow,
};

use crate::error::CliError;

/// Buffered, locked stdout that remembers the first write error.
pub struct Output {
    writer: BufWriter<StdoutLock<'static>>,
    error: Option<io::Error>,
}

impl Output {
    /// Locks stdout for the life of the command.
    pub fn stdout() -> Output {
        Output {
            writer: BufWriter::with_capacity(OUTPUT_BUFFER, io::stdout().lock()),
            error: None,
        }
    }

    /// Writes one or several whole input lines as they were read
    /// ([`write_raw_lines`]); breaks once writing has failed, so that a scan stops when
    /// nobody reads any more.
    pub fn raw_line(&mut self, raw: &[u8]) -> ControlFlow<()> {
        self.write(|w| write_raw_lines(w, raw))
    }

    /// Writes `bytes`; with `flush`, also flushes them out at once (output that follows
    /// a live input, such as `tail -f`, must not wait in the buffer).
    pub fn bytes(&mut self, bytes: &[u8], flush: bool) -> ControlFlow<()> {
        self.write(|w| {
            w.write_all(bytes)?;
            if flush { w.flush() } else { Ok(()) }
        })
    }

    /// Runs `write` against the writer unless an earlier write failed.
    pub fn write(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        match write(&mut self.writer) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    /// Whether writing has failed (the reader went away, or worse).
    pub fn is_closed(&self) -> bool {
        self.error.is_some()
    }

    /// Flushes. A closed pipe is success; any other write error is reported.
    pub fn finish(mut self) -> Result<(), CliError> {
        if self.error.is_none()
            && let Err(e) = self.writer.flush()
        {
            self.error = Some(e);
        }
        match self.error.take() {
            None => Ok(()),
            Some(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Some(e) => Err(CliError::Output(e)),
        }
    }
}

/// Most bytes of input handed to the writer in one call: less than the output buffer
/// holds, so that the buffer copies them. Input lines may live in a mapped file, and a
/// copy in user space reads a page the file lost (it shrank) under the SIGBUS guard, as
/// zeros, which the scan's intact check then reports as the shrink. A slice as large as
/// the buffer would go to `write(2)` straight from the mapping, and the kernel's read
/// of the lost page would fail the write with EFAULT ("Bad address") instead.
const WRITE_PIECE: usize = 64 * 1024;

/// The output buffer's size.
const OUTPUT_BUFFER: usize = 128 * 1024;

const _: () = assert!(
    WRITE_PIECE < OUTPUT_BUFFER,
    "pieces must be copied by the buffer"
);

/// Writes whole input lines as they were read (see [`Line::raw`](logscan_source::Line)),
/// CRLF kept, with a newline added only where the input's last line had none.
pub fn write_raw_lines<W: Write + ?Sized>(w: &mut W, raw: &[u8]) -> io::Result<()> {
    for piece in raw.chunks(WRITE_PIECE) {
        w.write_all(piece)?;
    }
    if raw.ends_with(b"\n") {
        Ok(())
    } else {
        w.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use std::{
        fs::{self, OpenOptions},
        io::BufWriter,
    };

    use logscan_source::{Source, Strategy};

    use super::*;

    /// A printed input line may lie in a mapped file (`slice`'s line-by-line scan, a
    /// line longer than the buffer). If the file shrinks meanwhile, its bytes must be
    /// copied in user space (where the SIGBUS guard reads a lost page as zeros and the
    /// scan's intact check then reports the shrink), not handed to `write(2)` straight
    /// from the mapping, which fails with EFAULT, "Bad address".
    #[test]
    fn mapped_lines_of_a_file_that_shrank_are_copied_not_handed_to_the_kernel() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let line = format!("{}\n", "x".repeat(63));
        fs::write(&path, line.repeat(16 * 1024)).unwrap(); // 1 MiB
        let source = Source::builder()
            .strategy(Strategy::Mmap)
            .open(&path)
            .unwrap();
        let contents = source.contents().unwrap();
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, tempfile::tempfile().unwrap());
        write_raw_lines(&mut out, contents).unwrap();
        out.flush().unwrap();
        assert!(source.check_intact().is_err());
    }
}
