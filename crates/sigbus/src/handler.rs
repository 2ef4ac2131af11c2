//! The process-wide SIGBUS handler (Linux).
//!
//! Everything the handler touches is a static atomic or a syscall: it does not allocate,
//! lock, or call into the Rust runtime, so it is safe to run at any point of any thread,
//! including inside `malloc`.
use std::ffi::{c_int, c_void};
use std::io;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::Error;
use crate::table;

static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Serialises installers; the handler never touches it.
static INSTALL_LOCK: Mutex<()> = Mutex::new(());
/// `sysconf` is not async-signal-safe, so the page size is read once at install time.
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);
/// The disposition that was in place before [`install`]: `SIG_DFL`, `SIG_IGN` or a
/// function address. Written once, before our handler is installed.
static PREVIOUS_HANDLER: AtomicUsize = AtomicUsize::new(libc::SIG_DFL);
/// Whether [`PREVIOUS_HANDLER`] takes three arguments (`SA_SIGINFO`).
static PREVIOUS_SIGINFO: AtomicBool = AtomicBool::new(false);

/// Installs the process-wide SIGBUS handler, once.
///
/// Later calls return `Ok(())` at the cost of one atomic load.
/// [`Registration::register`](crate::Registration::register) calls this itself; calling
/// it early (before starting threads) only makes a failure show up sooner.
///
/// The handler repairs faults inside registered regions and passes every other SIGBUS
/// on to the disposition that was in place before the first call: a previous handler is
/// called with the same arguments, an ignored signal stays ignored unless it is a real
/// memory fault (which the kernel would not let a process ignore), and the default
/// action is restored and the signal raised again, so the process dies of SIGBUS as it
/// would have without the guard. A previous handler runs inside ours, so its own
/// `sa_mask` and flags (such as `SA_RESETHAND` or `SA_NODEFER`) are not applied again.
///
/// Code that changes the SIGBUS disposition from another thread while this runs may
/// have its change missed; install before starting such code.
///
/// # Errors
///
/// [`Error::Install`] if the page size cannot be read or `sigaction` fails; nothing was
/// changed then and a later call tries again.
pub fn install() -> Result<(), Error> {
    if INSTALLED.load(Ordering::Acquire) {
        return Ok(());
    }
    let _guard = INSTALL_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    if INSTALLED.load(Ordering::Acquire) {
        return Ok(());
    }

    // SAFETY: sysconf has no memory-safety preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page = usize::try_from(page)
        .ok()
        .filter(|p| p.is_power_of_two())
        .ok_or_else(|| Error::Install(io::Error::other("sysconf(_SC_PAGESIZE) failed")))?;
    PAGE_SIZE.store(page, Ordering::Relaxed);

    let mut old = MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: a null new action only queries; `old` is valid for writes of a sigaction.
    if unsafe { libc::sigaction(libc::SIGBUS, ptr::null(), old.as_mut_ptr()) } != 0 {
        return Err(Error::Install(io::Error::last_os_error()));
    }
    // SAFETY: sigaction succeeded, so it filled `old` (which was zeroed to begin with).
    let old = unsafe { old.assume_init() };
    let ours = on_sigbus as *const () as usize;
    let (previous, siginfo) = if old.sa_sigaction == ours {
        // Only possible if someone saved and restored our handler behind our back;
        // chaining to ourselves would recurse forever.
        (libc::SIG_DFL, false)
    } else {
        (old.sa_sigaction, old.sa_flags & libc::SA_SIGINFO != 0)
    };
    PREVIOUS_SIGINFO.store(siginfo, Ordering::Relaxed);
    PREVIOUS_HANDLER.store(previous, Ordering::Release);

    // SAFETY: libc::sigaction is plain data for which all-zero is valid: SIG_DFL, no
    // flags, an empty mask and no restorer.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = ours;
    // SA_ONSTACK: run on the thread's alternate stack when it has one (Rust's runtime
    // gives its threads one), so a fault near the stack limit is still handled.
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
    // SAFETY: `action` is initialised; on_sigbus has the three-argument signature that
    // SA_SIGINFO requires and is async-signal-safe.
    if unsafe { libc::sigaction(libc::SIGBUS, &action, ptr::null_mut()) } != 0 {
        return Err(Error::Install(io::Error::last_os_error()));
    }
    INSTALLED.store(true, Ordering::Release);
    Ok(())
}

/// The SIGBUS handler. See the crate documentation for what it does.
extern "C" fn on_sigbus(sig: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    // SAFETY: __errno_location returns the calling thread's errno slot, which lives as
    // long as the thread. The interrupted code may be between a failed call and its
    // errno check, so whatever mmap does to errno here must be undone.
    let errno = unsafe { libc::__errno_location() };
    // SAFETY: `errno` is valid (above).
    let saved_errno = unsafe { *errno };

    // SAFETY: the kernel passes a valid siginfo for an SA_SIGINFO handler; a null
    // pointer (never seen in practice) is treated as a fault we do not own.
    let repaired = unsafe { info.as_ref() }.is_some_and(repair);
    if !repaired {
        chain(sig, info, context);
    }

    // SAFETY: as above.
    unsafe { *errno = saved_errno };
}

/// Maps a zero page over the faulting page if it lies in a registered region.
fn repair(info: &libc::siginfo_t) -> bool {
    // Only faults the kernel raised for a real access carry a meaningful address; for
    // kill()/raise() the same bytes hold a pid and uid. Misaligned accesses
    // (BUS_ADRALN) are not a missing page, so a zero page would not help.
    if !matches!(
        info.si_code,
        libc::BUS_ADRERR | libc::BUS_OBJERR | libc::BUS_MCEERR_AR
    ) {
        return false;
    }
    // SAFETY: for these codes the kernel filled the si_addr member of the union.
    let addr = unsafe { info.si_addr() } as usize;
    let page = PAGE_SIZE.load(Ordering::Relaxed);
    if page == 0 {
        return false;
    }
    let page_start = addr & !(page - 1);
    table::repair_fault(addr, || map_zero_page(page_start, page))
}

/// Replaces the page at `page_start` with an anonymous read-only zero page.
///
/// Only called while the slot of a registered region holding the page is pinned, so
/// the page belongs to a live mapping the caller made for logscan (the `register`
/// contract) and replacing it cannot touch anyone else's memory.
fn map_zero_page(page_start: usize, page: usize) -> bool {
    // SAFETY: MAP_FIXED replaces exactly one page-aligned page that belongs to a
    // registered, read-only file mapping (see above); the replacement is readable like
    // the original, so the interrupted load can be retried. mmap is a plain system call
    // wrapper on Linux and safe to call from a signal handler.
    let mapped = unsafe {
        libc::mmap(
            page_start as *mut c_void,
            page,
            libc::PROT_READ,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    mapped as usize == page_start
}

/// Hands a fault we do not own to the disposition that was there before us.
fn chain(sig: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    let previous = PREVIOUS_HANDLER.load(Ordering::Acquire);
    let siginfo = PREVIOUS_SIGINFO.load(Ordering::Relaxed);
    match previous {
        libc::SIG_DFL => die_by_default(sig),
        libc::SIG_IGN => {
            // SAFETY: `info` is null or the kernel's valid siginfo.
            let from_kernel = unsafe { info.as_ref() }.is_some_and(|i| i.si_code > 0);
            // The kernel kills a process that ignores or blocks a fault it raised
            // itself; returning here would fault again forever.
            if from_kernel {
                die_by_default(sig);
            }
        }
        handler if siginfo => {
            // SAFETY: the previous disposition had SA_SIGINFO, so this address is a
            // function taking (int, siginfo_t *, void *), called as the kernel would.
            let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
                unsafe { std::mem::transmute(handler) };
            handler(sig, info, context);
        }
        handler => {
            // SAFETY: without SA_SIGINFO the address is a function taking (int).
            let handler: extern "C" fn(c_int) = unsafe { std::mem::transmute(handler) };
            handler(sig);
        }
    }
}

/// Restores the default action and raises `sig` again; the process dies of it as soon
/// as the handler returns and the signal is unblocked.
fn die_by_default(sig: c_int) {
    // SAFETY: all-zero is a valid sigaction meaning SIG_DFL with no flags and an empty
    // mask. sigaction and raise are async-signal-safe; `sig` stays blocked until the
    // handler returns, so raise only leaves it pending.
    unsafe {
        let action: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, &action, ptr::null_mut());
        libc::raise(sig);
    }
}
