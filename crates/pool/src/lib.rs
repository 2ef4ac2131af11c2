//! Bounded pool of reusable byte buffers with RAII return.
//!
//! (Skeleton: the issue that builds this crate replaces this file.)
#![deny(missing_docs)]
