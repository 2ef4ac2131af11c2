//! The core invariant: the Summary is identical for every strategy × thread count ×
//! chunk size, and equal to a deliberately simple single-threaded reference, on
//! generated logs, on every real log in testdata/realdata, and on proptest inputs.

mod support;

use std::path::Path;

use logscan_parse::LogFormat;
use logscan_stats::SummaryBuilder;
use proptest::prelude::*;
use support::*;

/// Every way of scanning `path` gives the reference's report.
fn check_file(path: &Path, format: &LogFormat, min_block: usize) {
    let input = std::fs::read(path).unwrap();
    let want = reference(&input, format, SummaryBuilder::DEFAULT_TOP);
    // The reference adds up served time per path; so does every summary here.
    let mut options = SummaryBuilder::new();
    options.path_times(true);
    for (ctx, out) in summaries_every_way(path, &options, format, min_block) {
        let ctx = format!("{}: {ctx}", path.display());
        assert_eq!(out.stats.lines, want.lines.total, "{ctx}");
        assert_matches_reference(&out.aggregate.report(), &want, &ctx);
    }
}

fn temp_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.log");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn generated_access_logs_summarise_identically_every_way() {
    let input = access_log(1, 700);
    let (_dir, path) = temp_file(&input);
    let format = access_format();
    // The generated log exercises what the summary counts.
    let want = reference(&input, &format, 10);
    let access = want.access.as_ref().unwrap();
    assert!(want.lines.malformed > 5 && want.malformed_samples.len() == 10);
    assert!(access.top_not_found_paths.distinct > 5);
    assert!(access.top_server_error_paths.distinct > 5);
    assert!(access.paths_by_served_time.as_ref().unwrap().distinct > 20);
    assert!(access.status_classes.server_error > 0 && access.status_classes.informational > 0);
    assert!(access.unique_clients.unwrap().count > 50);
    assert!(
        access
            .requests_per_minute
            .as_ref()
            .is_some_and(|m| m.minutes > 50)
    );
    check_file(&path, &format, 1);
}

#[test]
fn virtual_hosts_are_counted_identically_every_way() {
    // The generated access lines behind a `$host`, as a server of several sites logs
    // them; some hosts are `-` (no host), which is not counted.
    let mut rng = Xorshift::new(5);
    let hosts = [
        "www.example.com",
        "api.example.com",
        "-",
        "static.example.net",
        "WWW.Example.com.",
        "Static.Example.NET.:80",
    ];
    let mut input = Vec::new();
    for line in access_log(4, 500).split_inclusive(|&b| b == b'\n') {
        input.extend_from_slice(hosts[rng.skewed(hosts.len() as u64) as usize].as_bytes());
        input.push(b' ');
        input.extend_from_slice(line);
    }
    let (_dir, path) = temp_file(&input);
    let format = LogFormat::from_nginx(&format!("$host {ACCESS_FORMAT}")).unwrap();
    let want = reference(&input, &format, 10);
    let hosts = &want.access.as_ref().unwrap().top_hosts;
    assert_eq!(hosts.distinct, 4, "{hosts:?}");
    assert!(
        hosts.total < want.access.as_ref().unwrap().requests,
        "`-` is no host"
    );
    check_file(&path, &format, 1);
}

#[test]
fn summaries_with_conditions_count_the_kept_records_identically_every_way() {
    // Access: the failed requests and one path family. Application: warnings and
    // worse, whose stack traces then name no exceptions.
    let access: fn(&logscan_parse::Record<'_>) -> bool = |r| {
        r.status().is_some_and(|s| s >= 500) || r.path().is_some_and(|p| p.starts_with(b"/p/1"))
    };
    let app: fn(&logscan_parse::Record<'_>) -> bool =
        |r| r.level().is_some_and(|l| l >= logscan_parse::Level::Warn);
    for (input, format, keep) in [
        (access_log(8, 600), access_format(), access),
        (app_log(9, 600), LogFormat::app(), app),
    ] {
        let (_dir, path) = temp_file(&input);
        let want = reference_kept(&input, &format, 10, Some(&keep));
        assert!(want.lines.excluded > 100, "{:?}", want.lines);
        if let Some(app) = &want.app {
            // Kept records' traces name exceptions; the others' do not count.
            let all = reference(&input, &format, 10).app.unwrap().top_exceptions;
            assert!(app.top_exceptions.total > 0, "{:?}", app.top_exceptions);
            assert!(app.top_exceptions.total < all.total, "{all:?}");
        }
        assert!(
            want.lines.parsed > want.lines.excluded + 50,
            "{:?}",
            want.lines
        );
        let mut options = SummaryBuilder::new();
        options.path_times(true);
        for (ctx, out) in every_way(&path, 1, || options.build(&format).keep_only(keep)) {
            assert_matches_reference(&out.aggregate.report(), &want, &ctx);
        }
    }
}

#[test]
fn generated_app_logs_summarise_identically_every_way() {
    let input = app_log(2, 700);
    let (_dir, path) = temp_file(&input);
    let format = LogFormat::app();
    let want = reference(&input, &format, 10);
    let app = want.app.as_ref().unwrap();
    assert!(app.top_messages.distinct > 10, "{:?}", app.top_messages);
    assert!(
        want.lines.continued > 5,
        "stack-trace lines go on from a record"
    );
    check_file(&path, &format, 1);
}

#[test]
fn json_lines_summarise_identically_every_way() {
    let mut input = Vec::new();
    let mut rng = Xorshift::new(3);
    for i in 0..300 {
        let line = match rng.below(4) {
            0 => format!(
                r#"{{"ts":"2024-05-01T10:{:02}:{:02}Z","level":"error","msg":"failed job {}","stack_trace":"{}"}}"#,
                i / 60 % 60,
                i % 60,
                rng.below(50),
                rng.pick(&[
                    r"java.io.IOException: disk\n\tat a.B.c(B.java:1)",
                    r#"Traceback (most recent call last):\n  File \"x.py\"\nKeyError: 'k'"#,
                    "",
                ])
            ),
            1 => format!(
                r#"{{"time":"2024-05-01T10:{:02}:00Z","status":{},"path":"/api/{}","host":"{}"}}"#,
                i / 60 % 60,
                rng.pick(&[200, 404, 500]),
                rng.below(7),
                rng.pick(&["a.example", "b.example"])
            ),
            2 => "not json at all".to_owned(),
            _ => format!(
                r#"{{"@timestamp":"2024-05-01T11:00:{:02}Z","severity":"WARN","message":"slow \"query\" {}"}}"#,
                i % 60,
                rng.below(9)
            ),
        };
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    let (_dir, path) = temp_file(&input);
    let format = LogFormat::json();
    let want = reference(&input, &format, 10);
    assert!(want.access.is_some() && want.app.is_some());
    let exceptions = &want.app.as_ref().unwrap().top_exceptions;
    assert_eq!(exceptions.distinct, 2, "{exceptions:?}");
    assert_eq!(want.access.as_ref().unwrap().top_hosts.distinct, 2);
    check_file(&path, &format, 1);
}

/// Every real log, with the format it is known to have; the custom gonx format is
/// compiled from its nginx `log_format` (see testdata/realdata/satyrius_gonx/SOURCES.md).
#[test]
fn every_real_log_summarises_identically_every_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/realdata");
    let gonx = LogFormat::from_nginx(
        r#"$remote_addr [$time_local] "$request" $status $x $body_bytes_sent $request_time "$preset" $a $b"#,
    )
    .unwrap();
    let mut files = Vec::new();
    collect_logs(&root, &mut files);
    assert!(
        files.len() >= 14,
        "testdata/realdata has {} logs",
        files.len()
    );
    // One thread per file: the matrix is 36 scans of each, in a debug build.
    std::thread::scope(|s| {
        for path in &files {
            let gonx = &gonx;
            s.spawn(move || {
                let format = if path.to_string_lossy().contains("satyrius_gonx") {
                    gonx.clone()
                } else {
                    let input = std::fs::read(path).unwrap();
                    let first: Vec<&[u8]> = input.split(|&b| b == b'\n').take(100).collect();
                    LogFormat::detect(&first).unwrap_or_else(LogFormat::combined)
                };
                // One-byte Stream blocks on 2,000-line files would only test the
                // reader's syscall speed; 64 bytes still splits most lines across blocks.
                check_file(path, &format, 64);
            });
        }
    });
}

fn collect_logs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_logs(&path, out);
        } else if path.extension().is_none_or(|e| e != "md") {
            out.push(path);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Random mixes of valid lines, cut lines and junk bytes, scanned a few ways.
    #[test]
    fn random_logs_summarise_like_the_reference(
        seed in any::<u64>(),
        lines in 0usize..80,
        junk in proptest::collection::vec(any::<u8>(), 0..64),
        threads in prop::sample::select(&THREADS[..]),
        chunk in prop::sample::select(&[1usize, 7, 300][..]),
        app in any::<bool>(),
    ) {
        let (format, mut input) = if app {
            (LogFormat::app(), app_log(seed, lines))
        } else {
            (access_format(), access_log(seed, lines))
        };
        let at = (seed as usize) % (input.len() + 1);
        input.splice(at..at, junk);
        let want = reference(&input, &format, 5);
        let (_dir, path) = temp_file(&input);
        let scanner = logscan_scan::Scanner::builder().threads(threads).chunk_size(chunk).build().unwrap();
        let mut options = SummaryBuilder::new();
        options.top(5).path_times(true);
        for strategy in STRATEGIES {
            let source = logscan_source::Source::builder()
                .strategy(strategy)
                .block_size(chunk)
                .open(&path)
                .unwrap();
            let out = scanner.scan(source, || options.build(&format)).unwrap();
            assert_matches_reference(&out.aggregate.report(), &want, &format!("{strategy}"));
        }
    }
}
