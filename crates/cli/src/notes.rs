//! What goes to stderr besides errors: notes (silenced by `-q`) and the progress bar
//! (only for big inputs, only on a terminal, never with `-q`).

use std::{
    fmt,
    fs::File,
    io::{IsTerminal, Read, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use logscan_scan::Scanner;

/// Inputs at least this big (in total) get a progress bar.
pub const PROGRESS_MIN_BYTES: u64 = 100 * 1024 * 1024;

/// Notes and progress on stderr.
#[derive(Debug)]
pub struct Notes {
    quiet: bool,
    bar: Option<ProgressBar>,
    /// Bytes of the inputs finished before the current one.
    base: AtomicU64,
}

impl Notes {
    /// Notes for a command reading `paths`; a progress bar is shown when
    /// [`wants_progress`] says so.
    pub fn new(quiet: bool, paths: &[PathBuf]) -> Notes {
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let total = if quiet || !stderr_is_terminal {
            None
        } else {
            plain_file_bytes(paths)
        };
        let bar = wants_progress(quiet, stderr_is_terminal, total).then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Notes {
            quiet,
            bar,
            base: AtomicU64::new(0),
        }
    }

    /// Prints `logscan: <message>` on stderr unless quiet.
    pub fn note(&self, message: fmt::Arguments<'_>) {
        if self.quiet {
            return;
        }
        let print = || stderr_line(format_args!("logscan: {message}"));
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// Prints an error line on stderr (even when quiet), above the progress bar.
    pub fn error(&self, line: &str) {
        let print = || stderr_line(format_args!("{line}"));
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// Bytes done within the current input.
    pub fn progress(&self, done_in_input: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.base.load(Ordering::Relaxed) + done_in_input);
        }
    }

    /// `scanner`, reporting its progress through the current input to the bar (or
    /// `scanner` itself when there is no bar).
    pub fn scanner(&self, scanner: &Scanner) -> Scanner {
        match &self.bar {
            Some(bar) => {
                let bar = bar.clone();
                let base = self.base.load(Ordering::Relaxed);
                scanner.with_progress(move |p| bar.set_position(base + p.bytes_done))
            }
            None => scanner.clone(),
        }
    }

    /// The current input is finished; it was `size` bytes.
    pub fn finish_input(&self, size: u64) {
        let base = self.base.fetch_add(size, Ordering::Relaxed) + size;
        if let Some(bar) = &self.bar {
            bar.set_position(base);
        }
    }

    /// Removes the bar, if any, before the final output.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Notes {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Writes one line on stderr. Unlike `eprintln!` it does not panic when stderr is
/// gone (`2>&1 | head`): there is nobody left to tell.
pub fn stderr_line(line: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// The rule for showing a progress bar: not quiet, stderr is a terminal, and the
/// inputs are plain files of at least [`PROGRESS_MIN_BYTES`] together (`None` when
/// their size cannot be known up front: stdin, pipes, gzip).
pub fn wants_progress(quiet: bool, stderr_is_terminal: bool, total: Option<u64>) -> bool {
    !quiet && stderr_is_terminal && total.is_some_and(|t| t >= PROGRESS_MIN_BYTES)
}

/// The total size of `paths` if every one is an uncompressed regular file.
fn plain_file_bytes(paths: &[PathBuf]) -> Option<u64> {
    paths
        .iter()
        .try_fold(0u64, |sum, p| Some(sum + plain_size(p)?))
}

fn plain_size(path: &Path) -> Option<u64> {
    if path.as_os_str() == "-" {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut magic = [0u8; 2];
    if file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b] {
        return None;
    }
    Some(meta.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_for_big_plain_inputs_on_a_terminal() {
        let big = Some(PROGRESS_MIN_BYTES);
        assert!(wants_progress(false, true, big));
        assert!(!wants_progress(true, true, big), "-q");
        assert!(!wants_progress(false, false, big), "stderr is a pipe");
        assert!(!wants_progress(false, true, Some(PROGRESS_MIN_BYTES - 1)));
        assert!(!wants_progress(false, true, None), "stdin or gzip");
    }

    #[test]
    fn sizes_are_known_only_for_plain_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, b"hello\n").expect("write");
        let gz = dir.path().join("b.log");
        std::fs::write(&gz, [0x1f, 0x8b, 8, 0]).expect("write");
        assert_eq!(plain_file_bytes(std::slice::from_ref(&plain)), Some(6));
        assert_eq!(plain_file_bytes(&[plain.clone(), gz]), None);
        assert_eq!(plain_file_bytes(&[plain, PathBuf::from("-")]), None);
        assert_eq!(plain_file_bytes(&[dir.path().to_owned()]), None);
    }
}
