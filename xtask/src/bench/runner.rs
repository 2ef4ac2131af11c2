//! Runs one child process and measures it: wall time from spawn to exit, and the
//! child's own peak RSS from `wait4`'s rusage (per child, unlike
//! `getrusage(RUSAGE_CHILDREN)`, which only keeps a maximum over all children).
//!
//! One Linux quirk shapes the numbers: at `exec` the kernel folds the high-water
//! RSS of the address space being replaced into the process's `maxrss`. A child
//! started with `vfork`/`posix_spawn` (as std does) replaces *our* address space,
//! so its figure never goes below our own high-water RSS. Before each spawn we
//! reset that high-water mark to our current RSS (`/proc/self/clear_refs`, value 5),
//! and the report records the remaining floor (the figure for `true`).

use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Keep at most this much of a child's stderr (the rest is read and dropped, so a
/// chatty child can never block on a full pipe).
const STDERR_KEEP: usize = 64 * 1024;

/// What to run.
#[derive(Debug, Clone)]
pub(crate) struct RunSpec<'a> {
    pub(crate) program: &'a OsStr,
    pub(crate) args: &'a [OsString],
    pub(crate) cwd: Option<&'a Path>,
    pub(crate) env: &'a [(&'a str, &'a str)],
    pub(crate) timeout: Duration,
}

/// How the child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Code(i32),
    Signal(i32),
    /// Killed by us after the timeout.
    TimedOut,
}

/// One measured run.
#[derive(Debug, Clone)]
pub(crate) struct RunResult {
    pub(crate) wall: Duration,
    pub(crate) exit: Exit,
    pub(crate) max_rss_bytes: u64,
    pub(crate) stderr: Vec<u8>,
}

impl RunResult {
    pub(crate) fn success(&self) -> bool {
        self.exit == Exit::Code(0)
    }
}

/// Shared between the waiting thread and the timeout watchdog: whether the child
/// has exited (and may be reaped), and whether the watchdog killed it.
#[derive(Default)]
struct Watch {
    exited: bool,
    killed: bool,
}

/// Blocks until `pid` has exited, without reaping it.
fn wait_exited_no_reap(pid: libc::pid_t) -> io::Result<()> {
    loop {
        // SAFETY: siginfo_t is plain data for which all-zero is a valid value, and
        // waitid only writes into the struct we pass.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid with P_PID on our own child; WNOWAIT leaves it a zombie, so
        // the pid cannot be reused until we reap it below.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Reaps `pid`, returning its wait status and resource usage.
fn reap(pid: libc::pid_t) -> io::Result<(libc::c_int, libc::rusage)> {
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data for which all-zero is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: wait4 on our own child, writing into two locals we own.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            return Ok((status, usage));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

fn drain(mut r: impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = STDERR_KEEP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    kept
}

/// Lowers our RSS high-water mark to the current RSS, so that a child does not
/// inherit a peak we reached earlier (generating data, say). Best effort: without
/// the file (not Linux, or an old kernel) the floor is simply higher.
fn reset_own_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", b"5");
}

/// Runs the child with stdin and stdout on /dev/null and stderr captured.
///
/// The error case is only for failing to start or wait: a child that runs and
/// fails is an `Ok` with its [`Exit`].
pub(crate) fn run(spec: &RunSpec<'_>) -> io::Result<RunResult> {
    let mut cmd = Command::new(spec.program);
    cmd.args(spec.args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group, so that a timeout kills whatever it started too
        // (a grandchild holding the stderr pipe would otherwise keep us waiting).
        .process_group(0);
    if let Some(dir) = spec.cwd {
        cmd.current_dir(dir);
    }
    for (k, v) in spec.env {
        cmd.env(k, v);
    }

    reset_own_peak_rss();
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let reader = child.stderr.take().map(|s| thread::spawn(move || drain(s)));

    let watch = Arc::new((Mutex::new(Watch::default()), Condvar::new()));
    let watchdog = {
        let watch = Arc::clone(&watch);
        let timeout = spec.timeout;
        thread::spawn(move || {
            let (lock, cvar) = &*watch;
            let Ok(guard) = lock.lock() else { return };
            let Ok((mut guard, _)) = cvar.wait_timeout_while(guard, timeout, |w| !w.exited) else {
                return;
            };
            if !guard.exited {
                // SAFETY: kill has no memory-safety preconditions. The child has not
                // been reaped (the waiter reaps only after setting `exited`, under
                // this lock), so its pid, which is also its process group id, still
                // names our child's group and cannot have been reused.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
                guard.killed = true;
            }
        })
    };

    let waited = wait_exited_no_reap(pid);
    let wall = start.elapsed();
    let killed = {
        let (lock, cvar) = &*watch;
        let mut guard = lock.lock().unwrap_or_else(|p| p.into_inner());
        guard.exited = true;
        cvar.notify_all();
        guard.killed
    };
    let _ = watchdog.join();
    waited?;
    let (status, usage) = reap(pid)?;
    // `child` is dropped without waiting: we reaped it ourselves.
    drop(child);
    let stderr = reader.and_then(|r| r.join().ok()).unwrap_or_default();

    let exit = if killed {
        Exit::TimedOut
    } else if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(-1)
    };
    Ok(RunResult {
        wall,
        exit,
        // Linux reports ru_maxrss in KiB.
        max_rss_bytes: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> RunResult {
        let args = [OsString::from("-c"), OsString::from(script)];
        run(&RunSpec {
            program: OsStr::new("/bin/sh"),
            args: &args,
            cwd: None,
            env: &[("XTASK_TEST_VAR", "hello")],
            timeout,
        })
        .unwrap_or_else(|e| panic!("cannot run sh: {e}"))
    }

    #[test]
    fn exit_code_stderr_and_env_come_back() {
        let r = sh(
            "echo \"$XTASK_TEST_VAR\" >&2; exit 3",
            Duration::from_secs(30),
        );
        assert_eq!(r.exit, Exit::Code(3));
        assert_eq!(r.stderr, b"hello\n");
        assert!(r.max_rss_bytes > 0);
    }

    #[test]
    fn rss_is_per_child() {
        // A child that touches ~64 MiB, then one that touches almost nothing: the
        // second must not inherit the first one's peak, as RUSAGE_CHILDREN would.
        // dd reads into (and so touches) one 64 MiB buffer; wait4's figure covers
        // the shell's reaped children too.
        let big = sh(
            "dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null",
            Duration::from_secs(60),
        );
        let small = sh("exit 0", Duration::from_secs(30));
        assert!(big.success() && small.success());
        assert!(big.max_rss_bytes > 128 << 20, "{}", big.max_rss_bytes);
        // The small one carries the test process's own peak (see the module doc),
        // which stays far below what dd touched.
        assert!(
            small.max_rss_bytes + (32 << 20) < big.max_rss_bytes,
            "{} vs {}",
            small.max_rss_bytes,
            big.max_rss_bytes
        );
    }

    #[test]
    fn timeout_kills_the_child_and_its_children() {
        // `sleep` is a grandchild holding the stderr pipe: only killing the group
        // lets the run return promptly.
        let r = sh("sleep 30; true", Duration::from_millis(200));
        assert_eq!(r.exit, Exit::TimedOut);
        assert!(r.wall < Duration::from_secs(20));
    }

    #[test]
    fn signal_is_reported() {
        let r = sh("kill -TERM $$", Duration::from_secs(30));
        assert_eq!(r.exit, Exit::Signal(libc::SIGTERM));
    }
}
