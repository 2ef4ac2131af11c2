//! Project tasks for logscan, run as `cargo xtask <task>`.
//!
//! - [`Generator`] writes deterministic, realistic logs (nginx combined with
//!   `$request_time`, application logs, JSON lines) for tests and benchmarks:
//!   `cargo xtask gen`.
//!
//! # Example
//!
//! ```
//! use xtask::{Format, Generator};
//!
//! let generator = Generator::builder()
//!     .format(Format::Combined)
//!     .seed(7)
//!     .lines(100)
//!     .build()?;
//! let mut out = Vec::new();
//! let stats = generator.write_to(&mut out)?;
//! assert_eq!(stats.lines, 100);
//! assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 100);
//!
//! // Same seed, same bytes.
//! let mut again = Vec::new();
//! generator.write_to(&mut again)?;
//! assert_eq!(out, again);
//! # Ok::<(), xtask::GenError>(())
//! ```
#![deny(missing_docs)]

mod generate;
mod size;
mod workspace;

pub use generate::{
    Amount, DEFAULT_LINES, DEFAULT_SEED, Format, GENERATOR_VERSION, GenError, GenStats, Generator,
    GeneratorBuilder,
};
pub use size::{ParseSizeError, parse_count, parse_size};
pub use workspace::{WorkspaceError, build_release_binary, workspace_root, workspace_target_dir};
