//! `cargo xtask fuzz`: every cargo-fuzz target in `fuzz/`, one after another, for a
//! fixed time each, with a summary of executions and crashes.
//!
//! The fuzz project is a workspace of its own on the nightly toolchain (its
//! `rust-toolchain.toml`); this module only drives `cargo +nightly fuzz` and reads
//! libFuzzer's output.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Errors that stop a fuzzing session (a crashing target does not: it is reported).
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// A command could not be started.
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        /// The command.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// A command ran and failed.
    #[error("`{command}` failed ({status}){detail}")]
    Failed {
        /// The command.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// Its last words, if any.
        detail: String,
    },
    /// A target was asked for that `cargo fuzz list` does not know.
    #[error("no fuzz target {name:?}; the targets are: {}", known.join(", "))]
    UnknownTarget {
        /// The name asked for.
        name: String,
        /// What `cargo fuzz list` printed.
        known: Vec<String>,
    },
    /// Writing a log file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// How a target's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuzzOutcome {
    /// Ran for the whole time without finding anything.
    Clean,
    /// libFuzzer found an input that crashes, hangs, leaks or runs out of memory.
    Crash {
        /// `crash`, `timeout`, `oom`, `leak`, … (the artifact's name prefix).
        kind: String,
        /// The input as libFuzzer saved it.
        artifact: Option<PathBuf>,
    },
    /// The target did not get to fuzz (build failure, bad option).
    Failed {
        /// The last line of its output.
        reason: String,
    },
}

/// One target's run.
#[derive(Debug, Clone)]
pub struct FuzzRun {
    /// The target's name.
    pub target: String,
    /// How it ended.
    pub outcome: FuzzOutcome,
    /// Inputs executed, from libFuzzer's final statistics or its `DONE` line.
    pub execs: Option<u64>,
    /// Wall time, build included.
    pub wall: Duration,
    /// Everything cargo and libFuzzer printed.
    pub log: PathBuf,
}

/// What libFuzzer's output says: executions, and the artifact of a finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibFuzzerOutput {
    /// `stat::number_of_executed_units`, else the count of the `#N DONE` line, else
    /// of the last `#N` status line.
    pub execs: Option<u64>,
    /// The path after "Test unit written to".
    pub artifact: Option<PathBuf>,
    /// Whether libFuzzer started at all (it prints its seed first).
    pub started: bool,
}

/// Reads libFuzzer's stderr (cargo's lines around it are ignored).
pub fn parse_libfuzzer_output(text: &str) -> LibFuzzerOutput {
    let mut out = LibFuzzerOutput::default();
    let mut stat = None;
    let mut done = None;
    let mut last_status = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("INFO: Seed:") || line.starts_with("INFO: Running with entropic") {
            out.started = true;
        }
        if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
            stat = rest.trim().parse().ok().or(stat);
        }
        // `#1234\tDONE   cov: ...`, `#4096\tpulse  cov: ...`, `#17\tNEW    cov: ...`
        if let Some(rest) = line.strip_prefix('#') {
            let mut words = rest.split_whitespace();
            if let Some(n) = words.next().and_then(|w| w.parse::<u64>().ok()) {
                if words.next() == Some("DONE") {
                    done = Some(n);
                }
                last_status = Some(n);
            }
        }
        if let Some(i) = line.find("Test unit written to ") {
            let path = line[i + "Test unit written to ".len()..].trim();
            if !path.is_empty() {
                out.artifact = Some(PathBuf::from(path));
            }
        }
    }
    out.execs = stat.or(done).or(last_status);
    out
}

/// The kind of finding an artifact's name records (`crash-<sha1>` → `crash`).
fn artifact_kind(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split_once('-'))
        .map_or_else(|| "crash".to_owned(), |(kind, _)| kind.to_owned())
}

/// `cargo +nightly <args>` in `dir`: the rustup proxy from PATH (the `CARGO` that ran
/// us is a specific toolchain's cargo and knows no `+toolchain`), without the
/// variables that would pin the child to this toolchain.
fn nightly_cargo(dir: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly").current_dir(dir);
    for var in ["RUSTUP_TOOLCHAIN", "RUSTC", "RUSTDOC", "CARGO"] {
        cmd.env_remove(var);
    }
    cmd
}

fn spawn_err(command: &str) -> impl FnOnce(std::io::Error) -> FuzzError + '_ {
    move |source| FuzzError::Spawn {
        command: command.to_owned(),
        source,
    }
}

fn last_words(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| format!(": {}", l.trim()))
        .unwrap_or_default()
}

/// Makes sure `cargo +nightly fuzz` works, installing cargo-fuzz with
/// `cargo install cargo-fuzz` when it is not there. Returns its version line.
pub fn ensure_cargo_fuzz(fuzz_dir: &Path) -> Result<String, FuzzError> {
    let probe = "cargo +nightly fuzz --version";
    let version = |cmd: &mut Command| {
        cmd.arg("fuzz")
            .arg("--version")
            .stdin(Stdio::null())
            .output()
    };
    let out = version(&mut nightly_cargo(fuzz_dir)).map_err(spawn_err(probe))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned());
    }
    // Tell a missing toolchain apart from a missing cargo-fuzz.
    let toolchain = nightly_cargo(fuzz_dir)
        .arg("--version")
        .output()
        .map_err(spawn_err("cargo +nightly --version"))?;
    if !toolchain.status.success() {
        return Err(FuzzError::Failed {
            command: "cargo +nightly --version".into(),
            status: toolchain.status,
            detail: format!(
                "{} (cargo-fuzz needs a nightly toolchain: rustup toolchain install nightly)",
                last_words(&toolchain.stderr)
            ),
        });
    }
    eprintln!("xtask fuzz: cargo-fuzz not found; cargo install cargo-fuzz");
    let install = "cargo install cargo-fuzz";
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz"])
        .current_dir(fuzz_dir)
        .status()
        .map_err(spawn_err(install))?;
    if !status.success() {
        return Err(FuzzError::Failed {
            command: install.into(),
            status,
            detail: String::new(),
        });
    }
    let out = version(&mut nightly_cargo(fuzz_dir)).map_err(spawn_err(probe))?;
    if !out.status.success() {
        return Err(FuzzError::Failed {
            command: probe.into(),
            status: out.status,
            detail: last_words(&out.stderr),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The targets `cargo +nightly fuzz list` names, in its order.
pub fn list_fuzz_targets(fuzz_dir: &Path) -> Result<Vec<String>, FuzzError> {
    let command = "cargo +nightly fuzz list";
    let out = nightly_cargo(fuzz_dir)
        .args(["fuzz", "list"])
        .stdin(Stdio::null())
        .output()
        .map_err(spawn_err(command))?;
    if !out.status.success() {
        return Err(FuzzError::Failed {
            command: command.into(),
            status: out.status,
            detail: last_words(&out.stderr),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Picks `wanted` out of `known` (all of `known` when `wanted` is empty), keeping the
/// order of `known`.
pub fn select_targets(known: &[String], wanted: &[String]) -> Result<Vec<String>, FuzzError> {
    if let Some(name) = wanted.iter().find(|w| !known.contains(w)) {
        return Err(FuzzError::UnknownTarget {
            name: name.clone(),
            known: known.to_vec(),
        });
    }
    Ok(known
        .iter()
        .filter(|k| wanted.is_empty() || wanted.contains(k))
        .cloned()
        .collect())
}

/// Runs `cargo +nightly fuzz run <target> -- -max_total_time=<seconds>` in
/// `fuzz_dir`, its output going to `log`, and reads how it ended.
pub fn run_fuzz_target(
    fuzz_dir: &Path,
    target: &str,
    seconds: u64,
    log: &Path,
) -> Result<FuzzRun, FuzzError> {
    let io_err = |source| FuzzError::Io {
        path: log.to_path_buf(),
        source,
    };
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).map_err(io_err)?;
    }
    let file = File::create(log).map_err(io_err)?;
    let file2 = file.try_clone().map_err(io_err)?;
    let args: Vec<OsString> = vec![
        "fuzz".into(),
        "run".into(),
        target.into(),
        "--".into(),
        format!("-max_total_time={seconds}").into(),
        // The final statistics carry the execution count.
        "-print_final_stats=1".into(),
        // One input taking this long is a finding for a line parser.
        "-timeout=10".into(),
    ];
    let command = format!(
        "cargo +nightly {}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let start = Instant::now();
    let status = nightly_cargo(fuzz_dir)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(file2)
        .status()
        .map_err(spawn_err(&command))?;
    let wall = start.elapsed();
    let text = std::fs::read(log).map_err(io_err)?;
    let text = String::from_utf8_lossy(&text);
    let parsed = parse_libfuzzer_output(&text);
    let outcome = if let Some(artifact) = parsed.artifact.clone() {
        FuzzOutcome::Crash {
            kind: artifact_kind(&artifact),
            artifact: Some(artifact),
        }
    } else if status.success() {
        FuzzOutcome::Clean
    } else if parsed.started {
        // libFuzzer ran and stopped early without saving an input (killed, say).
        FuzzOutcome::Crash {
            kind: format!("exit {status}"),
            artifact: None,
        }
    } else {
        FuzzOutcome::Failed {
            reason: last_words(text.as_bytes())
                .trim_start_matches(": ")
                .to_owned(),
        }
    };
    Ok(FuzzRun {
        target: target.to_owned(),
        outcome,
        execs: parsed.execs,
        wall,
        log: log.to_path_buf(),
    })
}

/// The summary table, one row per run, in Markdown.
pub fn render_fuzz_summary(runs: &[FuzzRun], seconds: u64) -> String {
    let mut out = String::from(
        "| target | seconds | executions | crash | artifact / reason |\n|---|---|---|---|---|\n",
    );
    for run in runs {
        let execs = run.execs.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let (crash, detail) = match &run.outcome {
            FuzzOutcome::Clean => ("no".to_owned(), String::new()),
            FuzzOutcome::Crash { kind, artifact } => (
                format!("yes ({kind})"),
                artifact.as_ref().map_or_else(
                    || "no artifact saved".to_owned(),
                    |a| a.display().to_string(),
                ),
            ),
            FuzzOutcome::Failed { reason } => ("did not run".to_owned(), reason.clone()),
        };
        out.push_str(&format!(
            "| {} | {seconds} | {execs} | {crash} | {detail} |\n",
            run.target
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_stats_win_over_status_lines() {
        let text = "\
   Compiling logscan-fuzz v0.0.0 (/w/fuzz)
INFO: Running with entropic power schedule (0xFF, 100).
INFO: Seed: 1234
#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb
#4096\tpulse  cov: 50 ft: 60 corp: 5/40b lim: 43 exec/s: 2048 rss: 31Mb
#52311\tDONE   cov: 80 ft: 99 corp: 9/80b lim: 100 exec/s: 10462 rss: 33Mb
Done 52311 runs in 5 second(s)
stat::number_of_executed_units: 52312
stat::average_exec_per_sec:     10462
";
        let out = parse_libfuzzer_output(text);
        assert!(out.started);
        assert_eq!(out.execs, Some(52312));
        assert_eq!(out.artifact, None);
        let without_stats = text.replace("stat::number_of_executed_units: 52312\n", "");
        assert_eq!(parse_libfuzzer_output(&without_stats).execs, Some(52311));
    }

    #[test]
    fn a_crash_names_its_artifact() {
        let text = "\
INFO: Seed: 99
#100\tNEW    cov: 20 ft: 21 corp: 2/3b lim: 4 exec/s: 0 rss: 30Mb L: 2/2 MS: 1 ChangeBit-
thread '<unnamed>' panicked at src/lib.rs:3:5:
==4242== ERROR: libFuzzer: deadly signal
artifact_prefix='/w/fuzz/artifacts/parse_json/'; Test unit written to /w/fuzz/artifacts/parse_json/crash-da39a3ee5e6b4b0d3255bfef95601890afd80709
Base64: e30=
stat::number_of_executed_units: 101
";
        let out = parse_libfuzzer_output(text);
        assert_eq!(out.execs, Some(101));
        let artifact = out.artifact.unwrap_or_default();
        assert_eq!(
            artifact,
            Path::new(
                "/w/fuzz/artifacts/parse_json/crash-da39a3ee5e6b4b0d3255bfef95601890afd80709"
            )
        );
        assert_eq!(artifact_kind(&artifact), "crash");
        assert_eq!(artifact_kind(Path::new("/a/timeout-0123")), "timeout");
    }

    #[test]
    fn output_without_libfuzzer_has_nothing() {
        let out = parse_libfuzzer_output("error: could not compile `logscan-fuzz`\n");
        assert_eq!(out, LibFuzzerOutput::default());
    }

    #[test]
    fn targets_are_selected_in_list_order_and_unknown_ones_refused() {
        let known: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(select_targets(&known, &[]).unwrap_or_default(), known);
        assert_eq!(
            select_targets(&known, &["c".into(), "a".into()]).unwrap_or_default(),
            ["a", "c"]
        );
        assert!(matches!(
            select_targets(&known, &["x".into()]),
            Err(FuzzError::UnknownTarget { name, .. }) if name == "x"
        ));
    }

    #[test]
    fn summary_has_a_row_per_run() {
        let run = |target: &str, outcome| FuzzRun {
            target: target.to_owned(),
            outcome,
            execs: Some(7),
            wall: Duration::from_secs(5),
            log: PathBuf::from("/l"),
        };
        let table = render_fuzz_summary(
            &[
                run("a", FuzzOutcome::Clean),
                run(
                    "b",
                    FuzzOutcome::Crash {
                        kind: "oom".into(),
                        artifact: Some(PathBuf::from("/x/oom-1")),
                    },
                ),
            ],
            5,
        );
        assert!(table.contains("| a | 5 | 7 | no |  |"), "{table}");
        assert!(
            table.contains("| b | 5 | 7 | yes (oom) | /x/oom-1 |"),
            "{table}"
        );
    }
}
