//! Faults the guard does not own behave as they would without it. Each test runs its
//! real half in a child process (this binary, re-run with one test selected), because
//! the child changes process-wide signal state or dies.

mod support;

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use logscan_sigbus::{Registration, install};
use support::{
    MappedFile, assert_killed_by_sigbus, assert_success, is_child, no_core_dump, page_size,
    pattern, run_child, stderr_of,
};

fn register(mapped: &MappedFile) -> Registration {
    // SAFETY: read-only file mapping; every test drops the registration (or dies)
    // before `mapped` is unmapped.
    unsafe { Registration::register(mapped.map.as_ptr(), mapped.map.len()) }
        .expect("register mapping")
}

/// A registered mapping whose file was emptied: reading its last page is repaired.
fn guarded_fault_is_repaired() {
    let page = page_size();
    let guarded = MappedFile::new(2 * page);
    let guard = register(&guarded);
    guarded.set_len(0);
    assert_eq!(guarded.read_byte(2 * page - 1), 0);
    assert!(guard.faulted());
    drop(guard);
    eprintln!("guarded fault repaired");
}

/// Reads past the end of an emptied, unregistered mapping: a SIGBUS nobody guards.
fn foreign_fault() -> u8 {
    let page = page_size();
    let foreign = MappedFile::new(2 * page);
    foreign.set_len(0);
    foreign.read_byte(2 * page - 1)
}

fn set_disposition(handler: libc::sighandler_t, flags: c_int) {
    // SAFETY: all-zero is a valid sigaction; `handler` is SIG_DFL, SIG_IGN or a function
    // whose signature matches `flags`.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        action.sa_flags = flags;
        assert_eq!(
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()),
            0
        );
    }
}

#[test]
fn foreign_fault_still_kills_with_the_runtime_handler_before() {
    const NAME: &str = "foreign_fault_still_kills_with_the_runtime_handler_before";
    if is_child(NAME) {
        // The previous handler is the one Rust's runtime installs for stack overflows.
        no_core_dump();
        install().expect("install");
        guarded_fault_is_repaired();
        let byte = foreign_fault();
        eprintln!("foreign fault survived, read {byte}");
        return;
    }
    let output = run_child(NAME, &[]);
    assert_killed_by_sigbus(&output);
    let stderr = stderr_of(&output);
    assert!(stderr.contains("guarded fault repaired"), "{stderr}");
    assert!(!stderr.contains("survived"), "{stderr}");
}

#[test]
fn foreign_fault_still_kills_with_the_default_action_before() {
    const NAME: &str = "foreign_fault_still_kills_with_the_default_action_before";
    if is_child(NAME) {
        no_core_dump();
        set_disposition(libc::SIG_DFL, 0);
        install().expect("install");
        guarded_fault_is_repaired();
        let byte = foreign_fault();
        eprintln!("foreign fault survived, read {byte}");
        return;
    }
    let output = run_child(NAME, &[]);
    assert_killed_by_sigbus(&output);
    let stderr = stderr_of(&output);
    assert!(stderr.contains("guarded fault repaired"), "{stderr}");
    assert!(!stderr.contains("survived"), "{stderr}");
}

#[test]
fn fault_after_the_registration_is_dropped_kills() {
    const NAME: &str = "fault_after_the_registration_is_dropped_kills";
    if is_child(NAME) {
        no_core_dump();
        let page = page_size();
        let mapped = MappedFile::new(2 * page);
        drop(register(&mapped));
        mapped.set_len(0);
        eprintln!("reading after unregistering");
        let byte = mapped.read_byte(2 * page - 1);
        eprintln!("fault survived, read {byte}");
        return;
    }
    let output = run_child(NAME, &[]);
    assert_killed_by_sigbus(&output);
    let stderr = stderr_of(&output);
    assert!(stderr.contains("reading after unregistering"), "{stderr}");
    assert!(!stderr.contains("survived"), "{stderr}");
}

static SIGINFO_CALLS: AtomicUsize = AtomicUsize::new(0);
static PAGE: AtomicUsize = AtomicUsize::new(0);

/// A previous handler in the style of a database's own guard: counts the call and maps
/// a zero page over the faulting page itself.
extern "C" fn previous_siginfo(_sig: c_int, info: *mut libc::siginfo_t, _ctx: *mut c_void) {
    SIGINFO_CALLS.fetch_add(1, Ordering::SeqCst);
    let page = PAGE.load(Ordering::SeqCst);
    // SAFETY: the kernel's siginfo for a memory fault; the page belongs to the test's
    // own foreign mapping, which is only read.
    unsafe {
        let addr = (*info).si_addr() as usize & !(page - 1);
        libc::mmap(
            addr as *mut c_void,
            page,
            libc::PROT_READ,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        );
    }
}

#[test]
fn previous_siginfo_handler_still_gets_foreign_faults() {
    const NAME: &str = "previous_siginfo_handler_still_gets_foreign_faults";
    if is_child(NAME) {
        PAGE.store(page_size(), Ordering::SeqCst);
        set_disposition(
            previous_siginfo as *const () as libc::sighandler_t,
            libc::SA_SIGINFO,
        );
        install().expect("install");
        install().expect("second install is a no-op");

        assert_eq!(foreign_fault(), 0);
        assert_eq!(
            SIGINFO_CALLS.load(Ordering::SeqCst),
            1,
            "foreign fault not chained"
        );
        guarded_fault_is_repaired();
        assert_eq!(
            SIGINFO_CALLS.load(Ordering::SeqCst),
            1,
            "guarded fault was chained"
        );
        eprintln!("chained once");
        return;
    }
    let output = run_child(NAME, &[]);
    assert_success(&output);
    assert!(stderr_of(&output).contains("chained once"));
}

static PLAIN_CALLS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn previous_plain(_sig: c_int) {
    PLAIN_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn previous_plain_handler_still_gets_raised_signals() {
    const NAME: &str = "previous_plain_handler_still_gets_raised_signals";
    if is_child(NAME) {
        set_disposition(previous_plain as *const () as libc::sighandler_t, 0);
        install().expect("install");
        // A registered region must not matter for a signal that is not a memory fault.
        let mapped = MappedFile::new(page_size());
        let guard = register(&mapped);
        // SAFETY: raising a signal whose handler is installed.
        assert_eq!(unsafe { libc::raise(libc::SIGBUS) }, 0);
        assert_eq!(PLAIN_CALLS.load(Ordering::SeqCst), 1);
        assert!(!guard.faulted());
        assert_eq!(mapped.read_byte(0), pattern(0));
        drop(guard);
        eprintln!("plain handler called");
        return;
    }
    let output = run_child(NAME, &[]);
    assert_success(&output);
    assert!(stderr_of(&output).contains("plain handler called"));
}

#[test]
fn ignored_sigbus_stays_ignored_but_faults_still_kill() {
    const NAME: &str = "ignored_sigbus_stays_ignored_but_faults_still_kill";
    if is_child(NAME) {
        no_core_dump();
        set_disposition(libc::SIG_IGN, 0);
        install().expect("install");
        // SAFETY: raising a signal the previous disposition ignores.
        assert_eq!(unsafe { libc::raise(libc::SIGBUS) }, 0);
        eprintln!("raised signal ignored");
        guarded_fault_is_repaired();
        // The kernel does not let a process ignore a real fault, nor does the guard.
        let byte = foreign_fault();
        eprintln!("foreign fault survived, read {byte}");
        return;
    }
    let output = run_child(NAME, &[]);
    assert_killed_by_sigbus(&output);
    let stderr = stderr_of(&output);
    assert!(stderr.contains("raised signal ignored"), "{stderr}");
    assert!(stderr.contains("guarded fault repaired"), "{stderr}");
    assert!(!stderr.contains("survived"), "{stderr}");
}
