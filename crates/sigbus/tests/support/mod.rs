//! Helpers shared by the integration tests: private mapped files, page-wise reads, and
//! re-running one test of the current binary in a child process.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

use memmap2::Mmap;
use tempfile::NamedTempFile;

/// Set in a child process to the name of the test it runs the child half of.
pub const CHILD_ENV: &str = "LOGSCAN_SIGBUS_TEST_CHILD";

pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page).expect("page size")
}

/// The byte every test file holds at `offset`; never zero, so a zero read from a test
/// mapping always means a page was replaced (or lies past a shrunken end).
pub fn pattern(offset: usize) -> u8 {
    (offset % 251) as u8 + 1
}

/// A temporary file filled with [`pattern`] and a read-only shared mapping of it.
///
/// Fields drop in order: the mapping before the file. Tests that register the mapping
/// must drop their `Registration` before this value.
pub struct MappedFile {
    pub map: Mmap,
    pub file: NamedTempFile,
}

impl MappedFile {
    pub fn new(len: usize) -> MappedFile {
        let mut file = NamedTempFile::new().expect("temp file");
        let bytes: Vec<u8> = (0..len).map(pattern).collect();
        file.write_all(&bytes).expect("write temp file");
        file.flush().expect("flush temp file");
        // SAFETY: the file is private to this test; the tests only truncate or extend
        // it, which the SIGBUS guard (or the test's expectations) account for.
        let map = unsafe { Mmap::map(file.as_file()) }.expect("map temp file");
        MappedFile { map, file }
    }

    /// Shrinks (or grows) the file under the mapping.
    pub fn set_len(&self, len: usize) {
        self.file.as_file().set_len(len as u64).expect("ftruncate");
    }

    /// Copies one page of the mapping into `out` (one page long).
    pub fn read_page(&self, page: usize, out: &mut [u8]) {
        let offset = page * out.len();
        assert!(offset + out.len() <= self.map.len());
        // SAFETY: the range is inside the mapping, which is alive while `self` is. The
        // mapped bytes may change under us (that is what the tests provoke); a raw copy
        // does not let the compiler assume otherwise.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.map.as_ptr().add(offset),
                out.as_mut_ptr(),
                out.len(),
            )
        };
    }

    /// One byte at `offset`, read with a volatile load so it really touches the page.
    pub fn read_byte(&self, offset: usize) -> u8 {
        assert!(offset < self.map.len());
        // SAFETY: in bounds of the live mapping.
        unsafe { std::ptr::read_volatile(self.map.as_ptr().add(offset)) }
    }
}

/// Whether this process is the child half of test `name`.
pub fn is_child(name: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|v| v == name)
}

/// Runs test `name` of this test binary in a child process with [`CHILD_ENV`] set.
pub fn run_child(name: &str, env: &[(&str, String)]) -> Output {
    let exe = std::env::current_exe().expect("current test binary");
    let mut command = Command::new(exe);
    command
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("spawn child test process")
}

/// Asserts that a child died of SIGBUS, printing its output otherwise.
pub fn assert_killed_by_sigbus(output: &Output) {
    assert_eq!(
        output.status.signal(),
        Some(libc::SIGBUS),
        "child did not die of SIGBUS: {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// Asserts that a child exited successfully, printing its output otherwise.
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "child failed: {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Keeps a child that is meant to die of SIGBUS from writing a core file.
pub fn no_core_dump() {
    let limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on this process with valid arguments.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &limit);
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
