//! Finding the workspace and its target directory, and building the `logscan`
//! binary, by asking cargo itself (so `CARGO_TARGET_DIR` and `.cargo/config.toml`
//! are honoured exactly as for any other cargo command).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// Errors from asking cargo about the workspace or building with it.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// cargo could not be started.
    #[error("cannot run {cargo:?}: {source}")]
    Spawn {
        /// The cargo executable tried.
        cargo: OsString,
        /// Why it failed.
        source: std::io::Error,
    },
    /// cargo ran and failed.
    #[error("`cargo {what}` failed ({status})")]
    Cargo {
        /// The cargo subcommand.
        what: String,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
    /// cargo's output did not have what was asked for.
    #[error("unexpected output from `cargo {what}`: {detail}")]
    Output {
        /// The cargo subcommand.
        what: String,
        /// What was missing.
        detail: String,
    },
}

/// The cargo that is running us (`cargo run` sets `CARGO`), or `cargo` from PATH.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The workspace's target directory as cargo resolves it.
pub fn workspace_target_dir() -> Result<PathBuf, WorkspaceError> {
    let cargo = cargo();
    let manifest = workspace_root().join("Cargo.toml");
    let out = Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(&manifest)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| WorkspaceError::Spawn {
            cargo: cargo.clone(),
            source,
        })?;
    let what = "metadata".to_owned();
    if !out.status.success() {
        return Err(WorkspaceError::Cargo {
            what,
            status: out.status,
        });
    }
    let meta: Value = serde_json::from_slice(&out.stdout).map_err(|e| WorkspaceError::Output {
        what: what.clone(),
        detail: e.to_string(),
    })?;
    meta.get("target_directory")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .ok_or(WorkspaceError::Output {
            what,
            detail: "no target_directory".to_owned(),
        })
}

/// Which CPU a release build is compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuTarget {
    /// The architecture's baseline, what a plain `cargo build` makes: runs on any CPU
    /// of the architecture.
    Portable,
    /// This machine's CPU (`-C target-cpu=native`, added to any `RUSTFLAGS`), built in
    /// `<target-dir>/native` so that it and the portable build do not rebuild each
    /// other. Runs only on CPUs with this one's extensions.
    Native,
}

/// Runs `cargo build --release -p <package>` for `cpu` (compiler messages go to our
/// stderr) and returns the path of the executable named `bin`.
pub fn build_release_binary(
    package: &str,
    bin: &str,
    cpu: CpuTarget,
) -> Result<PathBuf, WorkspaceError> {
    let cargo = cargo();
    let what = format!("build --release -p {package}");
    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace_root())
        .args(["build", "--release", "-p", package])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit());
    if cpu == CpuTarget::Native {
        let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
        flags.push_str(" -C target-cpu=native");
        command
            .arg("--target-dir")
            .arg(workspace_target_dir()?.join("native"))
            .env("RUSTFLAGS", flags.trim_start());
    }
    let out = command.output().map_err(|source| WorkspaceError::Spawn {
        cargo: cargo.clone(),
        source,
    })?;
    if !out.status.success() {
        return Err(WorkspaceError::Cargo {
            what,
            status: out.status,
        });
    }
    executable_from_messages(&out.stdout, bin).ok_or(WorkspaceError::Output {
        what,
        detail: format!("no executable named {bin} among the build artifacts"),
    })
}

/// Picks the executable of binary target `bin` out of cargo's JSON messages.
fn executable_from_messages(stdout: &[u8], bin: &str) -> Option<PathBuf> {
    stdout
        .split(|&b| b == b'\n')
        .rev()
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .filter(|m| m.get("reason").and_then(Value::as_str) == Some("compiler-artifact"))
        .filter(|m| m.pointer("/target/name").and_then(Value::as_str) == Some(bin))
        .filter_map(|m| {
            m.get("executable")
                .and_then(Value::as_str)
                .map(PathBuf::from)
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executable_among_messages() {
        let msgs =
            br#"{"reason":"compiler-artifact","target":{"name":"logscan_stats"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"logscan"},"executable":"/t/release/logscan"}
{"reason":"build-finished","success":true}
"#;
        assert_eq!(
            executable_from_messages(msgs, "logscan"),
            Some(PathBuf::from("/t/release/logscan"))
        );
        assert_eq!(executable_from_messages(msgs, "other"), None);
    }

    #[test]
    fn root_holds_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("xtask").is_dir());
    }
}
