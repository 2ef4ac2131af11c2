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
            writer: BufWriter::with_capacity(128 * 1024, io::stdout().lock()),
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

/// Writes whole input lines as they were read (see [`Line::raw`](logscan_source::Line)),
/// CRLF kept, with a newline added only where the input's last line had none.
pub fn write_raw_lines<W: Write + ?Sized>(w: &mut W, raw: &[u8]) -> io::Result<()> {
    w.write_all(raw)?;
    if raw.ends_with(b"\n") {
        Ok(())
    } else {
        w.write_all(b"\n")
    }
}
