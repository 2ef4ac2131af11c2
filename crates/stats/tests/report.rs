//! The serialized schema (its field names are the CLI's `--json` contract), the CSV
//! layout, and what the terminal report shows.

mod support;

use logscan_parse::LogFormat;
use logscan_scan::Aggregate;
use logscan_stats::{Summary, SummaryBuilder, TextOptions};
use serde_json::Value;
use support::*;

fn summary_of(format: &LogFormat, input: &[u8]) -> Summary {
    let mut s = Summary::new(format);
    for (i, l) in input.split(|&b| b == b'\n').enumerate() {
        if !l.is_empty() {
            s.add_line(l.strip_suffix(b"\r").unwrap_or(l), i as u64 + 1);
        }
    }
    s
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn the_json_schema_has_the_documented_fields() {
    let mut both = access_log(1, 300);
    both.extend(app_log(2, 100));
    let access = summary_of(&access_format(), &both);
    let app = summary_of(&LogFormat::app(), &app_log(2, 300));
    let json: Value = serde_json::to_value(&access).unwrap();
    assert_eq!(
        keys(&json),
        [
            "access",
            "app",
            "filtered",
            "format",
            "lines",
            "malformed_samples",
            "scan",
            "schema",
            "table_bytes",
            "time"
        ]
    );
    assert_eq!(json["schema"], "logscan.summary/1");
    assert_eq!(json["format"], "nginx");
    assert_eq!(
        keys(&json["lines"]),
        ["continued", "excluded", "malformed", "parsed", "total"]
    );
    assert_eq!(
        keys(&json["malformed_samples"][0]),
        ["column", "error", "line", "text", "text_cut"]
    );
    assert_eq!(
        keys(&json["time"]),
        [
            "first",
            "first_unix",
            "last",
            "last_unix",
            "span_seconds",
            "year_assumed"
        ]
    );
    assert!(json["app"].is_null() && json["scan"].is_null());
    let a = &json["access"];
    assert_eq!(
        keys(a),
        [
            "body_bytes",
            "methods",
            "paths_by_served_time",
            "requests",
            "requests_over_time",
            "requests_per_minute",
            "served_time_us",
            "slowest_requests",
            "status_classes",
            "statuses",
            "top_clients",
            "top_hosts",
            "top_not_found_paths",
            "top_paths",
            "top_referrers",
            "top_server_error_paths",
            "top_user_agents",
            "unique_clients"
        ]
    );
    assert_eq!(
        keys(&a["status_classes"]),
        ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]
    );
    assert_eq!(keys(&a["statuses"][0]), ["count", "percent", "status"]);
    assert_eq!(keys(&a["unique_clients"]), ["count", "estimated"]);
    assert_eq!(
        keys(&a["requests_per_minute"]),
        ["mean", "minutes", "peak", "peak_minute"]
    );
    assert_eq!(
        keys(&a["served_time_us"]),
        ["count", "max", "mean", "min", "p50", "p90", "p99"]
    );
    for table in [
        "methods",
        "top_paths",
        "top_clients",
        "top_user_agents",
        "top_referrers",
        "top_not_found_paths",
        "top_server_error_paths",
    ] {
        assert_eq!(
            keys(&a[table]),
            ["complete", "distinct", "entries", "total", "untracked"],
            "{table}"
        );
        assert_eq!(
            keys(&a[table]["entries"][0]),
            ["count", "key", "percent"],
            "{table}"
        );
    }

    let json: Value = serde_json::to_value(&app).unwrap();
    let p = &json["app"];
    assert!(json["access"].is_null());
    assert_eq!(
        keys(p),
        [
            "levels",
            "levels_assumed",
            "lines",
            "no_level",
            "top_components",
            "top_exceptions",
            "top_hosts",
            "top_messages"
        ]
    );
    assert_eq!(keys(&p["levels"][0]), ["count", "level", "percent"]);
    assert_eq!(
        keys(&p["top_exceptions"]["entries"][0]),
        ["count", "key", "percent"]
    );
    assert_eq!(
        keys(&p["top_messages"]),
        ["complete", "distinct", "entries", "total", "untracked"]
    );
    assert_eq!(
        keys(&p["top_messages"]["entries"][0]),
        ["count", "level", "percent", "template"]
    );

    // Summary serializes as its report; write_json prints the same document.
    let mut printed = Vec::new();
    access.report().write_json(&mut printed).unwrap();
    let reparsed: Value = serde_json::from_slice(&printed).unwrap();
    assert_eq!(reparsed, serde_json::to_value(&access).unwrap());
    assert!(printed.ends_with(b"}\n"));
}

#[test]
fn served_time_by_path_only_when_asked_for() {
    let input = access_log(6, 400);
    let format = access_format();
    let off = serde_json::to_value(summary_of(&format, &input)).unwrap();
    assert!(off["access"]["paths_by_served_time"].is_null());

    let mut options = SummaryBuilder::new();
    options.path_times(true).top(3);
    let mut on = options.build(&format);
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        on.add_line(line, i as u64 + 1);
    }
    let json = serde_json::to_value(&on).unwrap();
    let t = &json["access"]["paths_by_served_time"];
    assert_eq!(
        keys(t),
        [
            "complete",
            "distinct",
            "entries",
            "untracked_requests",
            "untracked_us"
        ]
    );
    assert_eq!(
        keys(&t["entries"][0]),
        [
            "max_us", "mean_us", "path", "percent", "requests", "total_us"
        ]
    );
    let entries = t["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let totals: Vec<u64> = entries
        .iter()
        .map(|e| e["total_us"].as_u64().unwrap())
        .collect();
    assert!(totals.is_sorted_by(|a, b| a >= b), "{totals:?}");

    // The text report shows them; CSV gives four rows per path.
    let report = on.report();
    let text = report.to_text(TextOptions::default());
    assert!(text.contains("\nPaths by served time ("), "{text}");
    assert!(text.contains("  share  requests  "), "{text}");
    let mut csv = Vec::new();
    report.write_csv(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let first = entries[0]["path"].as_str().unwrap();
    for section in [
        "path_served_us",
        "path_served_requests",
        "path_served_mean_us",
        "path_served_max_us",
    ] {
        assert!(
            csv.contains(&format!("\n{section},{first},")),
            "{section}: {csv}"
        );
    }
}

#[test]
fn a_full_table_says_so_in_its_heading() {
    let mut options = SummaryBuilder::new();
    options.max_keys(3).path_times(true);
    let mut summary = options.build(&access_format());
    for (i, line) in access_log(7, 300).split(|&b| b == b'\n').enumerate() {
        summary.add_line(line, i as u64 + 1);
    }
    let report = summary.report();
    let access = report.access.as_ref().unwrap();
    let (paths, times) = (
        &access.top_paths,
        access.paths_by_served_time.as_ref().unwrap(),
    );
    assert!(!paths.complete && !times.complete);
    let text = report.to_text(TextOptions::default());
    let want = format!(
        "\nTop paths (3 distinct; table full, {} occurrences of later keys not counted)\n",
        paths.untracked
    );
    assert!(text.contains(&want), "{text}");
    let want = format!(
        "\nPaths by served time (3 distinct; table full, {} requests of later paths not added)\n",
        times.untracked_requests
    );
    assert!(text.contains(&want), "{text}");
}

#[test]
fn scan_totals_appear_when_added() {
    let stats = logscan_scan::ScanStats {
        lines: 3,
        skipped_lines: 1,
        bytes: 99,
        chunks: 1,
        strategy: logscan_source::Strategy::Mmap,
        threads: 2,
    };
    let report = Summary::new(&access_format()).report().with_scan(&stats);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["scan"],
        serde_json::json!({"bytes": 99, "strategy": "mmap", "skipped_long_lines": 1, "threads": 2})
    );
    let text = report.to_text(TextOptions::default());
    assert!(text.contains("99 B, mmap strategy, 2 threads"), "{text}");
    assert!(text.contains("1 over-long lines"), "{text}");
}

#[test]
fn csv_is_one_number_per_row_with_quoting() {
    let input =
        br#"10.0.0.1 - - [14/Mar/2024:10:00:00 +0000] "GET /a,b HTTP/1.1" 200 10 "-" "ua" 0.010
10.0.0.1 - - [14/Mar/2024:10:00:00 +0000] "GET /q"uote HTTP/1.1" 404 10 "-" "ua" 0.010
bad line
"#;
    let report = summary_of(&access_format(), input).report();
    let mut csv = Vec::new();
    report.write_csv(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "section,key,value,percent");
    for want in [
        "lines,total,3,",
        "lines,malformed,1,33.33",
        "status,404,1,50",
        "status_class,2xx,1,50",
        "path,\"/a,b\",1,50",
        "path,\"/q\"\"uote\",1,50",
        // A share of the 404s.
        "not_found_path,\"/q\"\"uote\",1,100",
        "served_time_us,p50,10000,",
        "slowest_us,1,10000,",
        "slowest_request,1,\"GET /a,b\",",
        "malformed_sample,3,bad line,",
    ] {
        assert!(rows.contains(&want), "missing row {want:?} in\n{csv}");
    }
}

#[test]
fn the_terminal_report_is_aligned_readable_and_safe() {
    let input = b"10.0.0.1 - - [14/Mar/2024:10:00:00 +0000] \"GET /x\x1b]0;pwned\x07 HTTP/1.1\" 500 2048 \"-\" \"ua\" 1.500\n\
10.0.0.2 - - [14/Mar/2024:10:01:00 +0000] \"GET /y HTTP/1.1\" 200 1048576 \"-\" \"ua\" 0.000\n";
    let report = summary_of(&access_format(), input).report();
    let plain = report.to_text(TextOptions { color: false });
    assert!(
        !plain.contains('\x1b'),
        "a control character reached the terminal:\n{plain}"
    );
    assert!(plain.contains("/x\\x1b]0;pwned\\x07"), "{plain}");
    assert!(plain.contains("body bytes      1.0 MiB"), "{plain}");
    assert!(
        plain.contains("served time     min 0 µs  mean 750.0 ms"),
        "{plain}"
    );
    assert!(plain.contains("2 lines (nginx format)"), "{plain}");
    // Counts are right-aligned in a column.
    let status: Vec<&str> = plain
        .lines()
        .skip_while(|l| *l != "Status")
        .skip(1)
        .take(2)
        .collect();
    assert_eq!(
        status,
        ["  1   50.00%  2xx", "  1   50.00%  5xx"],
        "{plain}"
    );

    let colored = report.to_text(TextOptions { color: true });
    assert!(colored.contains("\x1b[1mRequests\x1b[0m"));
    assert!(colored.contains("\x1b[31m5xx\x1b[0m"));
}

#[test]
fn the_app_report_names_levels_and_templates() {
    let input = b"2024-01-01 10:00:00 ERROR [db] connection to 10.0.0.7 refused after 30 ms\n\
2024-01-01 10:00:01 ERROR [db] connection to 10.0.0.9 refused after 12 ms\n\
2024-01-01 10:00:02 INFO [web] started\n\
\tat continuation\n\
no time, no level\n";
    let report = summary_of(&LogFormat::app(), input).report();
    let text = report.to_text(TextOptions::default());
    assert!(
        text.contains("Top warning and error messages (1 template)"),
        "{text}"
    );
    assert!(
        text.contains("ERROR connection to <*>.<*>.<*>.<*> refused after <*> ms"),
        "{text}"
    );
    assert!(
        text.contains("Malformed lines (1; first 1 shown)"),
        "{text}"
    );
    assert!(text.contains("line 5"), "{text}");
    // The frame is no malformed line: it goes on from the record before it.
    assert!(
        text.contains("continued       1   20.00%  (stack traces"),
        "{text}"
    );
}

/// A malformed line longer than a sample keeps is shown cut once: one `…`, not the
/// sample's and the terminal's both.
#[test]
fn a_long_malformed_sample_ends_in_one_ellipsis() {
    let mut long = b"garbage ".repeat(100);
    long.push(b'\n');
    let report = summary_of(&access_format(), &long).report();
    assert!(report.malformed_samples[0].text_cut);
    let text = report.to_text(TextOptions::default());
    assert!(
        text.contains("garbage …") || text.contains("garbage…"),
        "{text}"
    );
    assert!(!text.contains("……"), "{text}");
}

/// A JSON line's user agent and referrer are counted decoded: the same text escaped
/// two ways (PHP's `json_encode` writes `\/`, nginx's `escape=json` writes `\"` and
/// `\u0022` alike) is one key, shown as the client sent it.
#[test]
fn json_texts_are_counted_decoded() {
    let input = concat!(
        r#"{"status":200,"request_uri":"/a","http_user_agent":"curl \"x\" \u00e9","http_referer":"https:\/\/r.example\/p"}"#,
        "\n",
        r#"{"status":200,"request_uri":"/a","http_user_agent":"curl \u0022x\u0022 é","http_referer":"https://r.example/p"}"#,
        "\n",
    );
    let report = summary_of(&LogFormat::json(), input.as_bytes()).report();
    let access = report.access.unwrap();
    let keys = |t: &logscan_stats::Table| {
        t.entries
            .iter()
            .map(|e| (e.key.clone(), e.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&access.top_user_agents),
        [("curl \"x\" é".to_owned(), 2)]
    );
    assert_eq!(
        keys(&access.top_referrers),
        [("https://r.example/p".to_owned(), 2)]
    );
}
