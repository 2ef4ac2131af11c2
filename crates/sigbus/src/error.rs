use std::io;

/// Why the guard could not be installed or a region could not be registered.
///
/// Every variant leaves the process as it was: a failed [`install`](crate::install)
/// changes no signal disposition, and a failed
/// [`Registration::register`](crate::Registration::register) holds no table slot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Querying the page size or changing the SIGBUS disposition failed.
    #[error("cannot install the SIGBUS guard: {0}")]
    Install(#[source] io::Error),
    /// Every slot of the fixed region table is held by a live
    /// [`Registration`](crate::Registration).
    ///
    /// The table has a fixed size because the signal handler may not allocate. A
    /// caller that meets this error can read the file without a mapping instead.
    #[error("all {capacity} SIGBUS guard slots are in use")]
    TableFull {
        /// Number of regions that can be guarded at the same time ([`CAPACITY`](crate::CAPACITY)).
        capacity: usize,
    },
    /// The region has length zero; an empty mapping cannot fault and has no address.
    #[error("cannot guard an empty region")]
    EmptyRegion,
    /// The region starts at the null address or runs past the end of the address space.
    #[error("invalid region: {len} bytes at {addr:#x}")]
    InvalidRegion {
        /// Start address of the rejected region.
        addr: usize,
        /// Length in bytes of the rejected region.
        len: usize,
    },
    /// This platform has no implementation of the guard (only Linux has one).
    #[error("the SIGBUS guard is not supported on this platform")]
    Unsupported,
}
