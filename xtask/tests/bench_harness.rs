//! The benchmark harness end to end, against a stand-in for the `logscan` binary
//! that honours the CLI contract (so these tests do not need the real CLI).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use xtask::{BenchConfig, Case, Outcome, Report, check_report, planned_rows, run_bench};

/// Counts with `wc`, summarises with `awk`, prints the allocation line when asked.
/// It fails on purpose for `mmap+willneed` (message on stderr) and dies by SIGKILL
/// for `summary --io auto`, so both failure paths are exercised.
const FAKE_LOGSCAN: &str = r#"#!/bin/sh
cmd=$1; shift
io=auto; advice=
while [ $# -gt 0 ]; do
  case $1 in
    --io) io=$2; shift 2;;
    --mmap-advice) advice=$2; shift 2;;
    --threads) shift 2;;
    -q) shift;;
    *) break;;
  esac
done
if [ "$advice" = willneed ]; then
  echo "" >&2
  echo "logscan: $1: madvise(WILLNEED) not supported here" >&2
  echo "second line" >&2
  exit 2
fi
if [ "$cmd" = summary ] && [ "$io" = auto ]; then kill -KILL $$; fi
case $cmd in
  count) cat "$@" | wc -l >/dev/null;;
  summary) awk '{c[$9]++} END {for (s in c) print s, c[s]}' "$@";;
  *) echo "logscan: unknown command $cmd" >&2; exit 2;;
esac
[ -n "$LOGSCAN_ALLOC_STATS" ] && echo "logscan-alloc: allocations=17 peak_heap_bytes=65536" >&2
exit 0
"#;

fn write_fake(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("logscan");
    fs::write(&path, FAKE_LOGSCAN).unwrap_or_else(|e| panic!("write fake: {e}"));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("chmod fake: {e}"));
    path
}

// One test spawns processes in this binary: writing an executable while another
// thread forks can make exec fail with ETXTBSY.
#[test]
fn every_planned_row_is_reported_whatever_its_outcome() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let bin = write_fake(tmp.path());
    let config = BenchConfig::builder(&bin, tmp.path().join("data"), tmp.path().join("out"))
        .lines(300)
        .reps(2)
        .threads(vec![1, 3])
        .small_files(25)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_else(|e| panic!("config: {e}"));

    let (report, files) = run_bench(&config).unwrap_or_else(|e| panic!("bench: {e}"));

    // Completeness: every planned row, in plan order.
    let planned = planned_rows(&config);
    let got: Vec<_> = report.rows.iter().map(|r| r.key()).collect();
    assert_eq!(got, planned);
    // 5 strategies x 2 thread counts x (count + summary) on the dataset, the same
    // for count on small files, plus wc (x2), awk and goaccess.
    assert_eq!(planned.len(), 20 + 10 + 4);

    assert_eq!(report.dataset.lines, 300);
    assert_eq!(report.small_files.as_ref().map(|s| s.files), Some(25));
    for row in &report.rows {
        let key = row.key();
        let strategy = key.strategy.as_deref();
        match (&row.outcome, row.tool.as_str()) {
            (Outcome::Failed { error }, "logscan") if strategy == Some("mmap+willneed") => {
                assert!(
                    error.starts_with("logscan: ") && error.ends_with("not supported here"),
                    "first non-empty stderr line expected, got {error:?}"
                );
            }
            (Outcome::Failed { error }, "logscan")
                if strategy == Some("auto") && row.command == "summary" =>
            {
                assert_eq!(error, "killed by signal 9");
            }
            (Outcome::Ok(m), "logscan") => {
                assert_eq!(m.runs_s.len(), 2);
                assert!(m.min_s <= m.median_s && m.median_s <= m.max_s);
                assert_eq!(m.allocations, Some(17));
                assert_eq!(m.peak_heap_bytes, Some(65536));
                assert!(m.peak_rss_bytes > 0);
                assert!(row.argv.iter().any(|a| a == "--threads"));
            }
            (Outcome::Ok(m), _) => {
                assert_eq!(m.allocations, None, "baselines print no allocation line");
            }
            (Outcome::Skipped { reason }, "goaccess" | "wc -l" | "awk") => {
                assert!(reason.contains("not on PATH"), "{reason}");
            }
            (outcome, tool) => panic!("unexpected {tool} {key:?}: {outcome:?}"),
        }
        let expected_input = match row.case {
            Case::SmallFiles => report.small_files.as_ref().map(|s| s.bytes),
            Case::Dataset => Some(report.dataset.bytes),
            Case::Excerpt => report.excerpt.as_ref().map(|e| e.bytes),
        };
        if !matches!(row.outcome, Outcome::Skipped { .. }) {
            assert_eq!(Some(row.input_bytes), expected_input, "{key:?}");
        }
    }

    // The three files, consistent with the returned report.
    let json = fs::read_to_string(&files.json).unwrap_or_default();
    let back: Report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("json: {e}"));
    assert_eq!(back, report);
    let md = fs::read_to_string(&files.markdown).unwrap_or_default();
    let table_rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| tool"))
        .count();
    assert_eq!(table_rows, report.rows.len());
    assert!(md.contains("failed: killed by signal 9"));
    let svg = fs::read_to_string(&files.svg).unwrap_or_default();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));

    // The strict check (CI's) names exactly the failed logscan rows: willneed for
    // every command, case and thread count, and summary --io auto.
    let problems = check_report(&config, &files);
    assert_eq!(problems.len(), 2 * 3 + 2, "{problems:#?}");
    assert!(
        problems.iter().all(|p| p.starts_with("failed: ")),
        "{problems:#?}"
    );
    assert!(problems.contains(
        &"failed: dataset logscan summary --io auto --threads 3: killed by signal 9".to_owned()
    ));
    // A row taken out of report.json, and one put in twice, are found.
    let mut tampered = report.clone();
    let dropped = tampered.rows.remove(0);
    tampered.rows.push(tampered.rows[0].clone());
    let text = serde_json::to_string(&tampered).unwrap_or_default();
    fs::write(&files.json, text).unwrap_or_else(|e| panic!("{e}"));
    let problems = check_report(&config, &files);
    let missing = format!(
        "missing row: dataset logscan count --io {} --threads 1",
        dropped.strategy.as_deref().unwrap_or_default()
    );
    assert!(problems.contains(&missing), "{problems:#?}");
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("row reported 2 times: ")),
        "{problems:#?}"
    );
    fs::write(&files.json, "{").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check_report(&config, &files).len(), 1);

    // The datasets are cached: a second run reuses them byte for byte.
    let dataset = Path::new(&report.dataset.path);
    let before = fs::metadata(dataset).and_then(|m| m.modified()).ok();
    let (again, _) = run_bench(&config).unwrap_or_else(|e| panic!("bench again: {e}"));
    let after = fs::metadata(dataset).and_then(|m| m.modified()).ok();
    assert!(before.is_some());
    assert_eq!(before, after);
    assert_eq!(again.dataset, report.dataset);
    assert_eq!(again.small_files, report.small_files);
}

#[test]
fn configuration_errors_are_reported_not_panics() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let missing = tmp.path().join("no-such-logscan");
    let err = BenchConfig::builder(&missing, tmp.path(), tmp.path())
        .build()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("no logscan binary"), "{err}");

    // An existing file is enough for the builder; it is never executed here.
    let bin = tmp.path().join("bin");
    fs::write(&bin, "").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        BenchConfig::builder(&bin, tmp.path(), tmp.path())
            .reps(0)
            .build()
            .is_err()
    );
    assert!(
        BenchConfig::builder(&bin, tmp.path(), tmp.path())
            .lines(0)
            .build()
            .is_err()
    );
    assert!(
        BenchConfig::builder(&bin, tmp.path(), tmp.path())
            .threads(vec![])
            .build()
            .is_err()
    );
    let quick = BenchConfig::builder(&bin, tmp.path(), tmp.path())
        .quick(true)
        .threads(vec![1])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    // 5 strategies x 1 thread x 2 commands + wc + awk + goaccess + small files.
    assert_eq!(planned_rows(&quick).len(), 10 + 3 + 5 + 1);
}
