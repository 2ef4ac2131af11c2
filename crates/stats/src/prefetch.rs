//! A cache prefetch hint, so that several hash-table lookups can wait for memory at
//! the same time instead of one after another.

/// Asks the CPU to start loading the cache line holding `value`. Only a hint: it
/// changes no result, and is a no-op on targets without a prefetch instruction.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 CPU has (it is part of
        // the baseline target). A prefetch never faults and reads nothing into the
        // program: the pointer comes from a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
