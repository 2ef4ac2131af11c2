//! Zero-copy parsers for nginx/Apache access logs, nginx log_format, application logs and JSON lines.
//!
//! (Skeleton: the issue that builds this crate replaces this file.)
#![deny(missing_docs)]
