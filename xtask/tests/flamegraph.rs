//! `cargo xtask flamegraph` end to end on a tiny dataset: an SVG that names our
//! functions, and the hottest frames by self time.
//!
//! The profiler is process-wide (one `SIGPROF` timer), so this binary holds one test.

use std::time::Duration;

use xtask::{IoStrategy, ProfileConfig, ProfiledCommand, run_profile};

#[test]
fn a_short_profile_writes_a_flamegraph_and_ranks_five_frames() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let svg = tmp.path().join("out").join("flame.svg");
    let config = ProfileConfig::builder(tmp.path().join("data"), &svg)
        .io(IoStrategy::Read)
        .command(ProfiledCommand::Summary)
        .threads(2)
        .lines(3_000)
        .frequency(999)
        .min_duration(Duration::from_millis(700))
        .build()
        .unwrap_or_else(|e| panic!("config: {e}"));
    let profile = run_profile(&config).unwrap_or_else(|e| panic!("profile: {e}"));

    assert_eq!(profile.lines, 3_000);
    assert!(profile.runs >= 1);
    assert_eq!(profile.format.as_deref(), Some("combined_timed"));
    let text = std::fs::read_to_string(&svg).unwrap_or_else(|e| panic!("read svg: {e}"));
    assert!(
        text.contains("<svg"),
        "not an SVG: {}",
        &text[..text.len().min(200)]
    );
    // Symbols resolved: the scan's own crates appear by name.
    assert!(
        text.contains("logscan_scan"),
        "no logscan_scan frame in the SVG"
    );
    assert!(
        text.contains("logscan_stats"),
        "no logscan_stats frame in the SVG"
    );
    // The profiler's signal handler and unwinder were cut off every sample.
    assert!(!text.contains("perf_signal_handler"));
    assert!(!text.contains("libunwind::trace"));

    assert_eq!(profile.hot.len(), 5, "{:?}", profile.hot);
    let listed: u64 = profile.hot.iter().map(|f| f.self_samples).sum();
    assert!(listed <= profile.samples);
    assert!(profile.hot.iter().all(|f| f.self_samples > 0));
    assert!(
        profile
            .hot
            .windows(2)
            .all(|w| w[0].self_samples >= w[1].self_samples),
        "not ranked: {:?}",
        profile.hot
    );
    assert!(
        profile
            .hot
            .iter()
            .all(|f| !f.function.starts_with("backtrace::") && !f.function.contains("pprof::")),
        "{:?}",
        profile.hot
    );
}
