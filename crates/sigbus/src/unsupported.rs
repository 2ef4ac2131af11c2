//! Fallback for platforms without a guard implementation.
use crate::Error;

/// Installs the process-wide SIGBUS handler; on this platform there is none.
///
/// # Errors
///
/// Always [`Error::Unsupported`]: only Linux has an implementation. Callers should
/// read files without a mapping (or accept that truncation may kill the process).
pub fn install() -> Result<(), Error> {
    Err(Error::Unsupported)
}
