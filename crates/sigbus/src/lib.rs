//! Process-wide SIGBUS guard that turns faults in registered file mappings into errors.
//!
//! Reading a memory-mapped file that another process truncates kills the reader with
//! SIGBUS: the pages past the new end of the file no longer exist. This crate keeps
//! mmap's speed without that abort.
//!
//! * [`install`] puts one SIGBUS handler in place for the whole process, chaining to
//!   whatever handler was there before.
//! * [`Registration::register`] tells the handler about one mapped region and returns a
//!   [`Registration`] that guards it until dropped.
//! * When a SIGBUS hits a page inside a registered region, the handler maps a read-only
//!   page of zeros over that page (`MAP_FIXED`), counts the fault on the region and
//!   returns, so the interrupted read retries and sees zeros. The reader checks
//!   [`Registration::faulted`] after each piece of work and turns a fault into an error
//!   (for logscan: "the file shrank while scanning").
//! * Any other SIGBUS goes to the previous handler, or kills the process as it would
//!   have without the guard.
//!
//! The handler is async-signal-safe: it does not allocate or lock. Regions live in a fixed
//! table of [`CAPACITY`] slots of atomics; the comment at the top of `src/table.rs`
//! explains how a handler and a thread that drops a registration at the same moment stay
//! out of each other's way. Only Linux is supported; elsewhere [`install`] returns
//! [`Error::Unsupported`].
//!
//! # Example
//!
//! ```
//! use std::io::Write;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut file = tempfile::tempfile()?;
//! file.write_all(&[b'x'; 2 * 65536])?;
//! // SAFETY: the file is private to this example and nothing writes to the mapping.
//! let map = unsafe { memmap2::Mmap::map(&file)? };
//!
//! // SAFETY: `map` is a read-only file mapping that outlives `guard` (dropped first).
//! let guard = unsafe { logscan_sigbus::Registration::register(map.as_ptr(), map.len())? };
//!
//! file.set_len(0)?; // someone truncates the file under us
//! // SAFETY: the offset is inside the mapping, which is still mapped.
//! let last = unsafe { std::ptr::read_volatile(map.as_ptr().add(map.len() - 1)) };
//!
//! assert_eq!(last, 0); // the read survived and saw a zero page
//! assert!(guard.faulted()); // and the loss is reported
//! drop(guard); // unregister before unmapping
//! drop(map);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod error;
#[cfg(target_os = "linux")]
mod handler;
#[cfg(not(target_os = "linux"))]
#[path = "unsupported.rs"]
mod handler;
mod registration;
mod table;

pub use error::Error;
pub use handler::install;
pub use registration::Registration;
pub use table::CAPACITY;
