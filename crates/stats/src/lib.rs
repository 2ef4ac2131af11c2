//! Aggregates for logs (Summary, top-k, percentiles) and their renderers.
//!
//! (Skeleton: the issue that builds this crate replaces this file.)
#![deny(missing_docs)]
