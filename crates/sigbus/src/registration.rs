use crate::{CAPACITY, Error, install, table};

/// A region of a read-only file mapping that the SIGBUS handler guards while this value
/// lives.
///
/// It owns one slot of a fixed, process-wide table (see [`CAPACITY`]); dropping it frees
/// the slot. It does not own the mapping: the caller keeps the mapping alive and must
/// drop the registration *before* unmapping (declare it before the mapping in a struct,
/// since fields drop in declaration order).
///
/// Not `Clone`, because it is the unique owner of its slot. `Send` and `Sync`: the fault
/// mark is an atomic that any thread may read.
///
/// ```compile_fail
/// fn copy(guard: &logscan_sigbus::Registration) -> logscan_sigbus::Registration {
///     guard.clone() // a second owner of the slot would free it twice
/// }
/// ```
#[derive(Debug)]
pub struct Registration {
    slot: usize,
}

impl Registration {
    /// Guards `[ptr, ptr + len)` against SIGBUS, installing the handler first if needed.
    ///
    /// From the moment this returns until the registration is dropped, a SIGBUS caused by
    /// reading a page that overlaps the region (a page of the file that no longer exists
    /// because the file shrank, or that could not be read) no longer kills the process:
    /// the page is replaced by a page of zeros, the read returns zeros, and
    /// [`faulted`](Self::faulted) turns true. Faults before registration, or elsewhere,
    /// behave as if the guard were absent.
    ///
    /// # Safety
    ///
    /// * `[ptr, ptr + len)` lies in a read-only file mapping that the caller created, and
    ///   every page overlapping that range stays mapped for the whole life of the returned
    ///   value (forever, if it is leaked). The handler replaces such pages, whole, with
    ///   anonymous read-only zero pages; the caller must accept that any page of the
    ///   mapping, including the bytes just before `ptr` and just after `ptr + len` on the
    ///   first and last page, may read as zeros afterwards.
    /// * Nothing writes through the mapping (a replaced page is read-only, so a write would
    ///   be a SIGSEGV).
    /// * Unmapping the region in any other way while registered, then mapping something
    ///   else at that address, would let the handler replace a page of that other
    ///   mapping.
    ///
    /// # Errors
    ///
    /// * [`Error::EmptyRegion`] if `len` is 0, [`Error::InvalidRegion`] if `ptr` is null
    ///   or the range wraps the address space.
    /// * [`Error::TableFull`] if [`CAPACITY`] registrations are alive.
    /// * [`Error::Install`] or [`Error::Unsupported`] from [`install`].
    pub unsafe fn register(ptr: *const u8, len: usize) -> Result<Registration, Error> {
        let addr = ptr as usize;
        if len == 0 {
            return Err(Error::EmptyRegion);
        }
        let end = addr
            .checked_add(len)
            .filter(|_| addr != 0)
            .ok_or(Error::InvalidRegion { addr, len })?;
        install()?;
        let slot = table::claim(addr, end).ok_or(Error::TableFull { capacity: CAPACITY })?;
        Ok(Registration { slot })
    }

    /// Whether any fault in this region was repaired since it was registered.
    ///
    /// Once true, some read of the region returned zeros instead of file contents, so
    /// whatever was computed from the region cannot be trusted. It stays true for the life
    /// of the registration. A fault repaired on another thread is visible here once that
    /// thread's read is ordered before this call (for example by joining the thread).
    pub fn faulted(&self) -> bool {
        self.fault_count() > 0
    }

    /// How many faults (each one page replaced by zeros) were repaired in this region.
    ///
    /// Usually the number of pages read past the new end of a truncated file; a page
    /// hit by two threads at once may count twice.
    pub fn fault_count(&self) -> usize {
        table::faults(self.slot)
    }
}

impl Drop for Registration {
    /// Stops guarding the region. Waits (briefly) for a handler that is repairing a
    /// fault in it on another thread, so that after the drop the handler will never
    /// touch the region again and the caller may unmap it.
    fn drop(&mut self) {
        table::release(self.slot);
    }
}
