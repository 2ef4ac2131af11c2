//! The fixed region table: a full table is a clean error, dropped registrations free
//! their slot for reuse, and bad regions are refused. The tests in this binary are the
//! only users of its table and take turns through `TABLE_LOCK`.

mod support;

use std::sync::{Mutex, MutexGuard, PoisonError};

use logscan_sigbus::{CAPACITY, Error, Registration, install};
use support::{MappedFile, page_size, pattern};

static TABLE_LOCK: Mutex<()> = Mutex::new(());

fn exclusive_table() -> MutexGuard<'static, ()> {
    TABLE_LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

fn register(mapped: &MappedFile) -> Result<Registration, Error> {
    // SAFETY: read-only file mapping; every registration is dropped before `mapped`.
    // The same region may be registered several times.
    unsafe { Registration::register(mapped.map.as_ptr(), mapped.map.len()) }
}

#[test]
fn a_full_table_is_an_error_and_dropped_slots_are_reused() {
    let _table = exclusive_table();
    let mapped = MappedFile::new(page_size());

    let mut held: Vec<Registration> = (0..CAPACITY)
        .map(|i| register(&mapped).unwrap_or_else(|e| panic!("registration {i}: {e}")))
        .collect();
    match register(&mapped) {
        Err(Error::TableFull { capacity }) => assert_eq!(capacity, CAPACITY),
        other => panic!("expected TableFull, got {other:?}"),
    }
    // Still full on a second try: the failed attempt took nothing and broke nothing.
    assert!(matches!(register(&mapped), Err(Error::TableFull { .. })));

    drop(held.swap_remove(CAPACITY / 2));
    held.push(register(&mapped).expect("the freed slot is reused"));
    assert!(matches!(register(&mapped), Err(Error::TableFull { .. })));

    held.clear();
    let again: Vec<Registration> = (0..CAPACITY)
        .map(|_| register(&mapped).expect("every slot is free again"))
        .collect();
    assert!(again.iter().all(|r| !r.faulted()));
}

#[test]
fn a_reused_slot_starts_without_faults() {
    let _table = exclusive_table();
    let page = page_size();
    let mapped = MappedFile::new(2 * page);
    let guard = register(&mapped).expect("register");
    mapped.set_len(page);
    assert_eq!(mapped.read_byte(2 * page - 1), 0);
    assert_eq!(guard.fault_count(), 1);
    drop(guard);

    // Take every slot, so the one that just counted a fault is certainly among them.
    let fresh_map = MappedFile::new(page);
    let fresh: Vec<Registration> = (0..CAPACITY)
        .map(|_| register(&fresh_map).expect("register again"))
        .collect();
    assert!(fresh.iter().all(|r| !r.faulted() && r.fault_count() == 0));
    assert_eq!(fresh_map.read_byte(page - 1), pattern(page - 1));
}

#[test]
fn bad_regions_are_refused() {
    let _table = exclusive_table();
    let byte = 0u8;
    // SAFETY: these calls are refused before the region is used or recorded.
    unsafe {
        assert!(matches!(
            Registration::register(&byte, 0),
            Err(Error::EmptyRegion)
        ));
        assert!(matches!(
            Registration::register(std::ptr::null(), 16),
            Err(Error::InvalidRegion { addr: 0, len: 16 })
        ));
        let near_end = usize::MAX - 8;
        assert!(matches!(
            Registration::register(near_end as *const u8, 16),
            Err(Error::InvalidRegion { len: 16, .. })
        ));
    }
}

#[test]
fn install_is_idempotent() {
    fn current_handler() -> libc::sighandler_t {
        // SAFETY: a query with a null new action; `old` is valid for writes.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            assert_eq!(libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old), 0);
            old.sa_sigaction
        }
    }
    install().expect("install");
    let first = current_handler();
    assert_ne!(first, libc::SIG_DFL);
    install().expect("install again");
    assert_eq!(current_handler(), first);
}

#[test]
fn errors_say_what_went_wrong() {
    let full = Error::TableFull { capacity: CAPACITY };
    assert_eq!(
        full.to_string(),
        format!("all {CAPACITY} SIGBUS guard slots are in use")
    );
    assert_eq!(
        Error::EmptyRegion.to_string(),
        "cannot guard an empty region"
    );
}

#[test]
fn registrations_can_move_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Registration>();
    send_sync::<Error>();
}
