//! Numbers that must be right beyond "the same every way": percentiles against a sorted
//! reference, true line numbers of malformed lines, the table bound and the estimate,
//! the empty input.

mod support;

use logscan_parse::LogFormat;
use logscan_scan::{Aggregate, Scanner};
use logscan_source::{LongLinePolicy, Source, Strategy};
use logscan_stats::{Summary, SummaryBuilder};
use support::*;

fn line(client: &str, path: &str, status: u16, millis: u64) -> String {
    format!(
        r#"{client} - - [14/Mar/2024:10:00:00 +0000] "GET {path} HTTP/1.1" {status} 10 "-" "ua" {}.{:03}"#,
        millis / 1000,
        millis % 1000
    )
}

#[test]
fn served_time_percentiles_are_within_the_sketch_error_of_a_sorted_reference() {
    let format = access_format();
    let mut rng = Xorshift::new(9);
    // The last case has hours-long values, as a log writes when its unit is misread.
    for (n, max_ms) in [
        (1usize, 5u64),
        (10, 100),
        (20_000, 3_000_000),
        (5_000, 10),
        (300, 900_000_000),
    ] {
        let mut summary = Summary::new(&format);
        let mut values = Vec::new();
        for i in 0..n {
            // A long tail: mostly small, some up to `max_ms`.
            let ms = if rng.below(10) == 0 {
                rng.below(max_ms)
            } else {
                rng.below(max_ms.min(200))
            };
            values.push(ms * 1000);
            summary.add_line(line("10.0.0.1", "/", 200, ms).as_bytes(), i as u64 + 1);
        }
        values.sort_unstable();
        let served = summary.report().access.unwrap().served_time_us.unwrap();
        for (q, got) in [(0.5, served.p50), (0.9, served.p90), (0.99, served.p99)] {
            let rank = ((q * n as f64).ceil() as usize).max(1);
            let want = values[rank - 1];
            assert!(
                got >= want && got - want <= want / 1000 + 1,
                "n={n} q={q}: sketch says {got}, sorted reference {want}"
            );
        }
        assert_eq!(served.min, values[0]);
        assert_eq!(served.max, values[n - 1]);
        let mean = values.iter().sum::<u64>() as f64 / n as f64;
        assert!(
            (served.mean - mean).abs() <= 0.05,
            "mean {} vs {mean}",
            served.mean
        );
    }
}

#[test]
fn malformed_samples_carry_true_line_numbers_whatever_the_chunking() {
    // Malformed lines at known places, CRLF endings, and over-long lines that are
    // skipped (they keep their numbers) between them.
    let bad = [3u64, 77, 78, 500, 1999];
    let long = [50u64, 499, 1500];
    let mut input = Vec::new();
    for n in 1..=2000u64 {
        if bad.contains(&n) {
            input.extend_from_slice(format!("garbage on line {n}").as_bytes());
        } else if long.contains(&n) {
            input.extend_from_slice(&[b'x'; 300]);
        } else {
            input.extend_from_slice(line("10.0.0.2", "/a", 200, n % 7).as_bytes());
        }
        input.extend_from_slice(if n % 3 == 0 { b"\r\n" } else { b"\n" });
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numbers.log");
    std::fs::write(&path, &input).unwrap();
    let format = access_format();
    for threads in [1, 2, 7] {
        for chunk in [1usize, 100, 4096] {
            for strategy in STRATEGIES {
                let scanner = Scanner::builder()
                    .threads(threads)
                    .chunk_size(chunk)
                    .build()
                    .unwrap();
                let source = Source::builder()
                    .strategy(strategy)
                    .block_size(chunk.max(64))
                    .max_line_len(200)
                    .long_lines(LongLinePolicy::Skip)
                    .open(&path)
                    .unwrap();
                let out = scanner.scan(source, || Summary::new(&format)).unwrap();
                let report = out.aggregate.report();
                let lines: Vec<u64> = report.malformed_samples.iter().map(|s| s.line).collect();
                assert_eq!(lines, bad, "{strategy} threads={threads} chunk={chunk}");
                assert_eq!(report.malformed_samples[0].text, "garbage on line 3");
                assert_eq!(out.stats.skipped_lines, 3);
                assert_eq!(report.lines.total, 2000 - 3);
            }
        }
    }
}

#[test]
fn past_the_key_bound_tables_say_so_and_unique_clients_become_an_estimate() {
    let format = access_format();
    let mut options = SummaryBuilder::new();
    options.max_keys(1000);
    let clients = 30_000u32;
    let mut summary = options.build(&format);
    for i in 0..clients {
        let ip = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
        summary.add_line(
            line(&ip, &format!("/p{}", i % 10), 200, 1).as_bytes(),
            u64::from(i) + 1,
        );
    }
    let access = summary.report().access.unwrap();
    assert!(access.unique_clients.unwrap().estimated);
    let err = (access.unique_clients.unwrap().count as f64 - f64::from(clients)).abs()
        / f64::from(clients);
    assert!(
        err < 0.03,
        "estimate {} for {clients}",
        access.unique_clients.unwrap().count
    );
    assert!(!access.top_clients.complete);
    assert_eq!(access.top_clients.distinct, 1000);
    assert_eq!(access.top_clients.untracked, u64::from(clients) - 1000);
    assert_eq!(access.top_clients.total, u64::from(clients));
    // The path table stayed under its bound: complete and exact.
    assert!(access.top_paths.complete);
    assert_eq!(access.top_paths.entries[0].count, u64::from(clients) / 10);

    // Under the bound the count is exact and not labelled an estimate.
    let mut small = Summary::new(&format);
    for i in 0..500u32 {
        small.add_line(
            line(&format!("10.0.{}.{}", i / 256, i % 256), "/", 200, 1).as_bytes(),
            1,
        );
    }
    let unique = small.report().access.unwrap().unique_clients.unwrap();
    assert_eq!((unique.count, unique.estimated), (500, false));
}

#[test]
fn the_estimate_is_the_same_whatever_the_split() {
    // Past the bound, which keys a table kept depends on the scan order, but the
    // unique-client estimate (register-wise maximum) does not.
    let format = access_format();
    let mut options = SummaryBuilder::new();
    options.max_keys(100);
    let lines: Vec<String> = (0..5000u32)
        .map(|i| line(&format!("10.1.{}.{}", i / 256 % 20, i % 256), "/", 200, 1))
        .collect();
    let input = lines.join("\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.log");
    std::fs::write(&path, &input).unwrap();
    let mut seen = Vec::new();
    for threads in [1, 2, 7] {
        for chunk in [64, 100_000] {
            let scanner = Scanner::builder()
                .threads(threads)
                .chunk_size(chunk)
                .build()
                .unwrap();
            let source = Source::builder()
                .strategy(Strategy::ReadAll)
                .open(&path)
                .unwrap();
            let out = scanner.scan(source, || options.build(&format)).unwrap();
            let access = out.aggregate.report().access.unwrap();
            assert!(access.unique_clients.unwrap().estimated);
            assert_eq!(access.top_clients.total, 5000);
            seen.push(access.unique_clients.unwrap().count);
        }
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}

#[test]
fn the_estimate_is_the_same_whether_one_worker_or_the_merge_overflows_the_table() {
    // One summary sees all 3,000 clients and overflows its 1,000-key table while
    // counting; three others see 900 each (under the bound, so none of them keeps a
    // sketch) and overflow only when merged. The sketch made at the merge, from the
    // tables' keys, must be the one kept from the overflow on.
    let format = access_format();
    let mut options = SummaryBuilder::new();
    options.max_keys(1000);
    let client = |i: u32| line(&format!("10.2.{}.{}", i / 256, i % 256), "/", 200, 1);
    let mut whole = options.build(&format);
    for i in 0..3000 {
        whole.add_line(client(i % 2700).as_bytes(), u64::from(i) + 1);
    }
    let mut parts: Vec<Summary> = (0..3).map(|_| options.build(&format)).collect();
    for i in 0..3000 {
        parts[(i % 2700 / 900) as usize].add_line(client(i % 2700).as_bytes(), 1);
    }
    let mut merged = parts.remove(0);
    for part in parts {
        let unique = part.report().access.unwrap().unique_clients.unwrap();
        assert_eq!((unique.count, unique.estimated), (900, false));
        merged.merge(part);
    }
    let whole = whole.report().access.unwrap().unique_clients.unwrap();
    let merged = merged.report().access.unwrap().unique_clients.unwrap();
    assert!(whole.estimated && merged.estimated);
    assert_eq!(whole.count, merged.count);
    assert!(
        whole.count.abs_diff(2700) < 2700 * 3 / 100,
        "{}",
        whole.count
    );
}

#[test]
fn an_empty_input_gives_an_empty_report() {
    for format in [access_format(), LogFormat::app(), LogFormat::json()] {
        let summary = Summary::new(&format);
        let report = summary.report();
        assert_eq!(report.lines.total, 0);
        assert!(report.access.is_none() && report.app.is_none() && report.time.is_none());
        let text = report.to_text(Default::default());
        assert!(text.starts_with("0 lines"), "{text}");
    }
}

#[test]
fn merging_is_order_independent_for_any_split_of_the_lines() {
    let input = access_log(21, 300);
    let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let format = access_format();
    let whole = {
        let mut s = Summary::new(&format);
        for (i, l) in lines.iter().enumerate() {
            s.add_line(l.strip_suffix(b"\r").unwrap_or(l), i as u64 + 1);
        }
        canonical(s.report())
    };
    // Deal the lines round-robin to three accumulators, merge in two different orders.
    for order in [[0usize, 1, 2], [2, 0, 1]] {
        let mut parts: Vec<Summary> = (0..3).map(|_| Summary::new(&format)).collect();
        for (i, l) in lines.iter().enumerate() {
            parts[(i * 7) % 3].add_line(l.strip_suffix(b"\r").unwrap_or(l), i as u64 + 1);
        }
        let mut parts: Vec<Option<Summary>> = parts.into_iter().map(Some).collect();
        let mut merged = parts[order[0]].take().unwrap();
        for &k in &order[1..] {
            merged.merge(parts[k].take().unwrap());
        }
        assert_eq!(canonical(merged.report()), whole, "merge order {order:?}");
    }
}
