//! The fixed table of guarded regions, shared by ordinary code and the signal handler.
//!
//! The handler may not allocate or take a lock, so the table is a static array and every
//! field is an atomic. The hard part is the race between a handler that is looking at a
//! slot and a thread that unregisters the slot (and then unmaps the region, and may then
//! reuse the slot for another region):
//!
//! * If a handler decided "this address is in slot 3's region" and the owner then
//!   unmapped that region and some other code mapped something else at the same
//!   address, the handler's `MAP_FIXED` would silently replace a page of a mapping
//!   logscan does not own. So a handler must never act on a slot whose region may
//!   already have been unmapped.
//! * A handler must never see a half-written slot (start of one region, end of another).
//!
//! Each slot therefore has one `state` word that is both an owner lock and a reader count:
//!
//! | `state`        | meaning                                                         |
//! |----------------|-----------------------------------------------------------------|
//! | `FREE` (0)     | unused; `claim` may take it                                      |
//! | `OWNED` (1)    | a thread is writing or tearing down the slot; handlers skip it   |
//! | `PUBLISHED`+n  | the region is live and `n` handlers are inside the slot right now |
//!
//! * `claim` moves `FREE -> OWNED` with a compare-exchange (so two registering threads
//!   never share a slot), writes the bounds, then stores `PUBLISHED` with `Release`.
//! * A handler enters with a compare-exchange `s -> s + 1` that only succeeds while
//!   `s >= PUBLISHED`, with `Acquire`, so it sees the bounds written before the publish
//!   (read-modify-writes continue the release sequence of that store, so the
//!   increments of other handlers do not break this). It re-reads the bounds only after
//!   entering, acts, and leaves with a `Release` decrement.
//! * `release` waits until it can move the slot `PUBLISHED -> OWNED`, i.e. until no
//!   handler is inside, and from then on no handler can enter. Its `Acquire` pairs with
//!   the handlers' `Release` decrements, so every zero page a handler mapped and every
//!   fault it counted happen before `release` returns, and so before the caller unmaps
//!   the region. Only then is the slot reset and made `FREE` again.
//!
//! Because the slot cannot change while a handler is inside it, a handler that enters
//! and finds the faulting address inside the bounds knows the region is still mapped
//! (the [`Registration`](crate::Registration) contract says it stays mapped until the
//! registration is dropped, and the drop is waiting on this handler).
//!
//! The wait in `release` cannot deadlock: a handler never blocks and never calls out of
//! this crate while inside a slot, and a handler that interrupts the releasing thread
//! itself sees `OWNED` and skips the slot. A handler only ever spins on a compare-exchange
//! that failed because another thread changed the word, which is lock-free progress.
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many regions can be guarded at the same time.
pub const CAPACITY: usize = 256;

const FREE: usize = 0;
const OWNED: usize = 1;
const PUBLISHED: usize = 2;

struct Slot {
    state: AtomicUsize,
    /// First byte of the region.
    start: AtomicUsize,
    /// One past the last byte of the region.
    end: AtomicUsize,
    /// Faults the handler repaired inside this region since it was claimed.
    faults: AtomicUsize,
}

impl Slot {
    const fn new() -> Slot {
        Slot {
            state: AtomicUsize::new(FREE),
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            faults: AtomicUsize::new(0),
        }
    }

    /// Handler side: try to become one of the slot's readers.
    fn enter(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state < PUBLISHED {
                return false;
            }
            match self.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    fn leave(&self) {
        self.state.fetch_sub(1, Ordering::Release);
    }

    fn contains(&self, addr: usize) -> bool {
        let start = self.start.load(Ordering::Relaxed);
        let end = self.end.load(Ordering::Relaxed);
        start <= addr && addr < end
    }
}

static TABLE: [Slot; CAPACITY] = [const { Slot::new() }; CAPACITY];

/// Takes a free slot for `[start, end)` and publishes it; `None` when all are taken.
pub(crate) fn claim(start: usize, end: usize) -> Option<usize> {
    for (index, slot) in TABLE.iter().enumerate() {
        if slot
            .state
            .compare_exchange(FREE, OWNED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            // Relaxed is enough: the Release store of PUBLISHED below orders these
            // writes before any handler's Acquire entry.
            slot.start.store(start, Ordering::Relaxed);
            slot.end.store(end, Ordering::Relaxed);
            slot.faults.store(0, Ordering::Relaxed);
            slot.state.store(PUBLISHED, Ordering::Release);
            return Some(index);
        }
    }
    None
}

/// Unpublishes a slot, waiting for handlers that are inside it, and frees it.
///
/// `index` must come from [`claim`] and not have been released yet.
pub(crate) fn release(index: usize) {
    let slot = &TABLE[index];
    let mut spins = 0u32;
    while slot
        .state
        .compare_exchange_weak(PUBLISHED, OWNED, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        // A handler is inside: it is a few instructions and one mmap away from leaving.
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(64) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    slot.start.store(0, Ordering::Relaxed);
    slot.end.store(0, Ordering::Relaxed);
    slot.state.store(FREE, Ordering::Release);
}

/// Number of faults repaired in the region of a claimed slot.
pub(crate) fn faults(index: usize) -> usize {
    TABLE[index].faults.load(Ordering::Acquire)
}

/// Handler side: if `addr` lies in a published region, calls `repair` once while that
/// region is pinned and, if it succeeds, counts a fault on every region holding `addr`.
///
/// Returns whether the fault was repaired. Async-signal-safe as long as `repair` is.
pub(crate) fn repair_fault(addr: usize, mut repair: impl FnMut() -> bool) -> bool {
    let mut repaired = false;
    for slot in &TABLE {
        // Cheap filter without entering, so that faults elsewhere do not make unrelated
        // `release` calls wait. For a region whose registration is live and was made
        // before the faulting access, the slot is published and nobody writes its
        // bounds, so this reads them exactly; a slot that is being claimed or released
        // right now cannot describe such a region. The decision that matters is made
        // again below, after entering, when the slot can no longer change.
        if slot.state.load(Ordering::Acquire) < PUBLISHED || !slot.contains(addr) {
            continue;
        }
        if !slot.enter() {
            continue;
        }
        let mut failed = false;
        if slot.contains(addr) {
            if !repaired {
                repaired = repair();
                failed = !repaired;
            }
            if repaired {
                slot.faults.fetch_add(1, Ordering::Release);
            }
        }
        slot.leave();
        if failed {
            // The zero page could not be mapped: let the previous handler decide.
            return false;
        }
    }
    repaired
}

#[cfg(test)]
mod tests {
    //! The table's protocol without signals: `repair_fault` is driven directly with fake
    //! addresses and a fake repair. Each test uses its own address range, because the
    //! tests share the table and run in parallel.
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_fault_is_repaired_once_and_counted_on_every_covering_region() {
        let outer = claim(0x10_0000, 0x10_4000).expect("slot");
        let inner = claim(0x10_1000, 0x10_2000).expect("slot");
        let repairs = Cell::new(0);
        let repair = || {
            repairs.set(repairs.get() + 1);
            true
        };
        assert!(repair_fault(0x10_1800, repair));
        assert_eq!(repairs.get(), 1);
        assert_eq!((faults(outer), faults(inner)), (1, 1));

        assert!(repair_fault(0x10_3000, repair));
        assert_eq!((faults(outer), faults(inner)), (2, 1));

        // One past the end, and just before the start, are outside.
        assert!(!repair_fault(0x10_4000, repair));
        assert!(!repair_fault(0x0f_ffff, repair));
        assert_eq!(repairs.get(), 2);
        release(inner);
        release(outer);
    }

    #[test]
    fn a_failed_repair_is_not_counted() {
        let slot = claim(0x20_0000, 0x20_1000).expect("slot");
        assert!(!repair_fault(0x20_0010, || false));
        assert_eq!(faults(slot), 0);
        release(slot);
    }

    #[test]
    fn released_and_unpublished_slots_are_skipped() {
        let slot = claim(0x30_0000, 0x30_1000).expect("slot");
        // A slot that is being written or torn down: the bounds may be half-updated.
        TABLE[slot].state.store(OWNED, Ordering::Release);
        assert!(!repair_fault(0x30_0000, || panic!(
            "repaired an owned slot"
        )));
        TABLE[slot].state.store(PUBLISHED, Ordering::Release);
        release(slot);
        assert!(!repair_fault(0x30_0000, || panic!(
            "repaired a released slot"
        )));
    }

    #[test]
    fn a_new_claim_starts_with_no_faults() {
        let slot = claim(0x40_0000, 0x40_1000).expect("slot");
        assert!(repair_fault(0x40_0000, || true));
        assert_eq!(faults(slot), 1);
        release(slot);
        let again = claim(0x40_0000, 0x40_1000).expect("slot");
        assert_eq!(faults(again), 0);
        release(again);
    }

    #[test]
    fn release_waits_for_a_handler_inside_the_slot() {
        let slot = claim(0x50_0000, 0x50_1000).expect("slot");
        assert!(TABLE[slot].enter()); // a handler is now in the middle of a repair
        std::thread::scope(|scope| {
            let releaser = scope.spawn(|| release(slot));
            for _ in 0..1000 {
                std::thread::yield_now();
            }
            // If release did not wait, it would have reset the slot by now (given the
            // scheduler ran it), and the handler could act on a region being unmapped.
            assert!(!releaser.is_finished());
            assert_eq!(TABLE[slot].state.load(Ordering::Acquire), PUBLISHED + 1);
            assert_eq!(TABLE[slot].start.load(Ordering::Relaxed), 0x50_0000);
            TABLE[slot].leave();
            releaser.join().expect("release");
        });
        assert_eq!(TABLE[slot].state.load(Ordering::Acquire), FREE);
    }
}
