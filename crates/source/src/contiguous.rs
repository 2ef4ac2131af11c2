//! Inputs held whole in memory: a heap buffer (ReadAll) or a file mapping (Mmap).

use std::{fs::File, ops::Deref, path::Path};

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
    pub(crate) fn check_intact(&self, path: &Path) -> Result<(), Error> {
        match self {
            Contents::Heap(_) => Ok(()),
            Contents::Mapped(mapped) => mapped.check_intact(path),
        }
    }
}

/// A read-only mapping of a whole regular file, its length fixed by `fstat` at open.
///
/// Field order matters: fields drop in declaration order. When the SIGBUS guard
/// (logscan-sigbus) is wired in, its `Registration` for this mapping goes FIRST, so it
/// is unregistered before `map` is unmapped; a fault handler must never see a
/// registration for an address range that is no longer mapped (or is mapped again by
/// someone else).
pub(crate) struct Mapped {
    // Future: `guard: Option<logscan_sigbus::Registration>,` here, before `map`.
    /// `None` for an empty file: mapping zero bytes is an error on Linux.
    map: Option<Mmap>,
    /// Kept open to `fstat` it in `check_intact`.
    file: File,
    size_at_open: u64,
}

impl Mapped {
    pub(crate) fn new(
        path: &Path,
        file: File,
        size: u64,
        advice: MmapAdvice,
        populate: bool,
    ) -> Result<Self, Error> {
        let len = usize::try_from(size).map_err(|_| Error::Unsupported {
            path: path.to_owned(),
            strategy: crate::Strategy::Mmap,
            reason: "the file is larger than the address space",
        })?;
        if len == 0 {
            return Ok(Self {
                map: None,
                file,
                size_at_open: 0,
            });
        }
        let mut options = MmapOptions::new();
        options.len(len);
        if populate {
            options.populate();
        }
        // SAFETY: memmap2 requires that the mapped file is not modified while mapped, or
        // else a shared reference sees bytes change. We cannot stop other processes, so
        // we rely on two things instead: (1) no code in logscan derives memory safety
        // from the mapped bytes (they are only compared and copied out, never used as
        // lengths or indices without bounds checks), so changed bytes give wrong lines,
        // not undefined reads; (2) a file that shrinks raises SIGBUS on access past its
        // end, which `check_intact` reports and the SIGBUS guard (logscan-sigbus) will
        // turn into `Error::Truncated` instead of a crash. The length is the `fstat`
        // size the caller just read, so the mapping never starts out past the end.
        let map = unsafe { options.map(&file) }.map_err(|e| Error::from_io(path, e))?;
        // Future: register the mapping with the SIGBUS guard here, before the first
        // access or `madvise` (docs/mmap-safety.md, integration notes).
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
            map: Some(map),
            file,
            size_at_open: size,
        })
    }

    fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    /// Today: compares the file's current size with the mapped length, which catches a
    /// truncation before the scanner touches the lost pages (a truncation that races
    /// with a read still faults). The SIGBUS guard will add: `if guard.faulted()`.
    fn check_intact(&self, path: &Path) -> Result<(), Error> {
        let size_now = self
            .file
            .metadata()
            .map_err(|e| Error::from_io(path, e))?
            .len();
        if size_now < self.size_at_open {
            return Err(Error::Truncated {
                path: path.to_owned(),
                size_at_open: self.size_at_open,
                size_now,
            });
        }
        Ok(())
    }
}
