//! Parallel chunked scanner joining a logscan source to any mergeable Aggregate.
//!
//! (Skeleton: the issue that builds this crate replaces this file.)
#![deny(missing_docs)]
