//! Inputs held whole in memory: a heap buffer (ReadAll) or a file mapping (Mmap).

use std::{
    fs::File,
    ops::Deref,
    path::{Path, PathBuf},
};

use logscan_sigbus::Registration;
use memmap2::{Advice, Mmap, MmapOptions};

use crate::{error::Error, strategy::MmapAdvice};

/// The bytes of a ReadAll or Mmap source. Shared through an `Arc` by the source and by
/// any blocks cut from it, so the memory lives until the last of them is dropped.
pub(crate) enum Contents {
    Heap(Vec<u8>),
    Mapped(Mapped),
}

impl Deref for Contents {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Contents::Heap(bytes) => bytes,
            Contents::Mapped(mapped) => mapped.bytes(),
        }
    }
}

impl AsRef<[u8]> for Contents {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Contents {
    /// See [`Source::check_intact`](crate::Source::check_intact).
    pub(crate) fn check_intact(&self) -> Result<(), Error> {
        match self {
            Contents::Heap(_) => Ok(()),
            Contents::Mapped(mapped) => mapped.check_intact(),
        }
    }
}

/// A read-only mapping of a whole regular file, its length fixed by `fstat` at open,
/// guarded against SIGBUS by logscan-sigbus.
///
/// Field order matters: fields drop in declaration order, so `guard` is unregistered
/// before `map` is unmapped. The fault handler must never hold a registration for an
/// address range that is no longer mapped (or is mapped again by someone else): it
/// would map a zero page over somebody else's memory.
pub(crate) struct Mapped {
    /// `None` exactly when `map` is `None`: an empty file has nothing to guard.
    guard: Option<Registration>,
    /// `None` for an empty file: mapping zero bytes is an error on Linux.
    map: Option<Mmap>,
    /// Kept open to `fstat` it in `check_intact`.
    file: File,
    path: PathBuf,
    size_at_open: u64,
}

/// Why [`Mapped::new`] gave up.
pub(crate) enum MapFailure {
    /// The mapping was made but the SIGBUS guard could not take it (so it was unmapped
    /// again). The file comes back so that Auto can read it another way; the error is
    /// [`Error::Unguarded`].
    Unguarded {
        /// The file, unread, at position 0.
        file: File,
        /// [`Error::Unguarded`] for the path.
        error: Error,
    },
    /// Anything else (the file is dropped).
    Other(Error),
}

impl From<Error> for MapFailure {
    fn from(error: Error) -> Self {
        MapFailure::Other(error)
    }
}

impl Mapped {
    pub(crate) fn new(
        path: &Path,
        file: File,
        size: u64,
        advice: MmapAdvice,
        populate: bool,
    ) -> Result<Self, MapFailure> {
        let len = usize::try_from(size).map_err(|_| Error::Unsupported {
            path: path.to_owned(),
            strategy: crate::Strategy::Mmap,
            reason: "the file is larger than the address space",
        })?;
        if len == 0 {
            return Ok(Self {
                guard: None,
                map: None,
                file,
                path: path.to_owned(),
                size_at_open: 0,
            });
        }
        let mut options = MmapOptions::new();
        options.len(len);
        if populate {
            // MAP_POPULATE reads ahead without raising SIGBUS for pages past the end, so
            // it is safe before the guard is in place.
            options.populate();
        }
        // SAFETY: memmap2 requires that the mapped file is not modified while mapped, or
        // else a shared reference sees bytes change. We cannot stop other processes, so
        // we rely on two things instead: (1) no code in logscan derives memory safety
        // from the mapped bytes (they are only compared and copied out, never used as
        // lengths or indices without bounds checks), so changed bytes give wrong lines,
        // not undefined reads; (2) a page lost to a shrinking file raises SIGBUS, which
        // the guard registered just below turns into a page of zeros and a fault mark
        // that `check_intact` reports. The length is the `fstat` size the caller just
        // read, so the mapping never starts out past the end.
        let map = unsafe { options.map(&file) }.map_err(|e| Error::from_io(path, e))?;
        // Registered before the first access (and before madvise, which may start
        // reading pages), so no read of the mapping is ever unguarded.
        // SAFETY: `map` is a read-only (PROT_READ) file mapping made just above, and the
        // registration's contract holds for its whole life: it is stored in `guard`,
        // declared before `map`, so it drops (unregisters) before `map` unmaps; nothing
        // unmaps or remaps the range otherwise; nothing writes through it (`Mmap` only
        // hands out `&[u8]`); and every reader of these bytes goes through
        // `check_intact` (or discards its work on error), so pages that read as zeros
        // after a repaired fault are never reported as file contents.
        let guard = match unsafe { Registration::register(map.as_ptr(), map.len()) } {
            Ok(guard) => guard,
            Err(source) => {
                drop(map);
                return Err(MapFailure::Unguarded {
                    file,
                    error: Error::Unguarded {
                        path: path.to_owned(),
                        source,
                    },
                });
            }
        };
        let advice = match advice {
            MmapAdvice::Normal => None,
            MmapAdvice::Sequential => Some(Advice::Sequential),
            MmapAdvice::WillNeed => Some(Advice::WillNeed),
        };
        if let Some(advice) = advice {
            // Advice is a hint: a kernel that refuses it still serves the pages, so a
            // failure changes speed, never results.
            let _ = map.advise(advice);
        }
        Ok(Self {
            guard: Some(guard),
            map: Some(map),
            file,
            path: path.to_owned(),
            size_at_open: size,
        })
    }

    fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    /// Whether the guard repaired a fault in the mapping: some read returned zeros
    /// instead of the file's bytes.
    fn faulted(&self) -> bool {
        self.guard.as_ref().is_some_and(Registration::faulted)
    }

    /// Two checks, because each catches what the other cannot: the guard's fault mark
    /// (a read hit a page the file no longer had, or that could not be read) and the
    /// current `fstat` size (a shrink inside the last page raises no fault; a shrink
    /// past pages nobody read yet has not faulted yet).
    fn check_intact(&self) -> Result<(), Error> {
        // The mark is read before the size: a truncation happens before the faults it
        // causes, so a fault that lands between the two reads still comes with a
        // smaller size and is reported as `Truncated`, not as a failed read of a file
        // whose size did not change.
        let faulted = self.faulted();
        let size_now = match self.file.metadata() {
            Ok(meta) => Some(meta.len()),
            // With a fault the answer is "the bytes are gone" whatever fstat says.
            Err(_) if faulted => None,
            Err(e) => return Err(Error::from_io(&self.path, e)),
        };
        match size_now {
            Some(size_now) if size_now < self.size_at_open => Err(Error::Truncated {
                path: self.path.clone(),
                size_at_open: self.size_at_open,
                size_now,
            }),
            _ if faulted => Err(Error::MappedReadFailed {
                path: self.path.clone(),
                size_at_open: self.size_at_open,
                size_now,
            }),
            _ => Ok(()),
        }
    }
}
