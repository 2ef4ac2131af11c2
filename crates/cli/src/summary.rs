//! `logscan summary`: waits for logscan-stats.

use crate::{
    cli::SummaryArgs,
    error::{CliError, Exit},
};

/// Runs `logscan summary`.
pub fn run(_args: SummaryArgs) -> Result<Exit, CliError> {
    Err(CliError::usage("summary is not built yet"))
}
