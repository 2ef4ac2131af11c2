//! Log input sources: Stream, ReadAll, Mmap and Auto strategies with one line semantics.
//!
//! (Skeleton: the issue that builds this crate replaces this file.)
#![deny(missing_docs)]
