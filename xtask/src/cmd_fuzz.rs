//! `cargo xtask fuzz`: argument parsing, one target after another, the summary.

use std::path::PathBuf;

use clap::Args;
use xtask::{FuzzOutcome, ensure_cargo_fuzz, list_fuzz_targets, render_fuzz_summary};

/// Arguments of `cargo xtask fuzz`.
#[derive(Debug, Args)]
#[command(
    after_help = "Runs `cargo +nightly fuzz run <target> -- -max_total_time=N` in fuzz/ \
    for each target `cargo +nightly fuzz list` names, one after another (installing \
    cargo-fuzz with `cargo install cargo-fuzz` if it is missing). Each target's output \
    goes to <target-dir>/fuzz-logs/<target>.log; crash inputs go where libFuzzer puts them \
    (fuzz/artifacts/<target>/). Exits with status 1 if any target crashed or did not run.\n\n\
    Examples:\n  cargo xtask fuzz --seconds 600\n  cargo xtask fuzz --seconds 5 --target parse_json"
)]
pub struct FuzzArgs {
    /// Seconds of fuzzing per target (building comes on top).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Only this target (repeatable); default: every target.
    #[arg(long = "target", value_name = "NAME")]
    targets: Vec<String>,
    /// Directory for the per-target logs (default <target-dir>/fuzz-logs).
    #[arg(long)]
    log_dir: Option<PathBuf>,
}

pub fn run(args: FuzzArgs) -> Result<bool, Box<dyn std::error::Error>> {
    if args.seconds == 0 {
        return Err("--seconds must be at least 1 (libFuzzer reads 0 as no limit)".into());
    }
    let fuzz_dir = xtask::workspace_root().join("fuzz");
    let version = ensure_cargo_fuzz(&fuzz_dir)?;
    let targets = xtask::select_targets(&list_fuzz_targets(&fuzz_dir)?, &args.targets)?;
    let log_dir = match args.log_dir {
        Some(dir) => dir,
        None => xtask::workspace_target_dir()?.join("fuzz-logs"),
    };
    eprintln!(
        "xtask fuzz: {version}; {} target(s), {} s each",
        targets.len(),
        args.seconds
    );
    let mut runs = Vec::with_capacity(targets.len());
    for (i, target) in targets.iter().enumerate() {
        let log = log_dir.join(format!("{target}.log"));
        eprintln!(
            "[{}/{}] {target}: cargo +nightly fuzz run {target} -- -max_total_time={} (log: {})",
            i + 1,
            targets.len(),
            args.seconds,
            log.display()
        );
        let run = xtask::run_fuzz_target(&fuzz_dir, target, args.seconds, &log)?;
        let what = match &run.outcome {
            FuzzOutcome::Clean => "no crash".to_owned(),
            FuzzOutcome::Crash { kind, artifact } => format!(
                "CRASH ({kind}){}",
                artifact
                    .as_ref()
                    .map(|a| format!(": {}", a.display()))
                    .unwrap_or_default()
            ),
            FuzzOutcome::Failed { reason } => format!("did not run: {reason}"),
        };
        eprintln!(
            "[{}/{}] {target}: {} executions in {:.0} s, {what}",
            i + 1,
            targets.len(),
            run.execs.map_or_else(|| "?".to_owned(), |n| n.to_string()),
            run.wall.as_secs_f64()
        );
        runs.push(run);
    }
    print!("{}", render_fuzz_summary(&runs, args.seconds));
    Ok(runs.iter().all(|r| r.outcome == FuzzOutcome::Clean))
}
