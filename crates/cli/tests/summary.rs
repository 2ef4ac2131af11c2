//! `logscan summary`: the terminal report and the JSON (snapshots), merging several
//! files, one report per file, colour rules.

mod support;

use predicates::prelude::*;
use serde_json::Value;
use support::*;

/// The JSON summary with the fields that depend on the machine or on the table
/// implementation's capacity policy blanked out.
fn summary_json(cmd: &mut assert_cmd::Command) -> Value {
    let mut v: Value = serde_json::from_str(&stdout_of(cmd)).expect("JSON");
    v["table_bytes"] = Value::from("[table_bytes]");
    v
}

/// The JSON summary as printed (field order kept), `table_bytes` blanked out.
fn summary_json_text(cmd: &mut assert_cmd::Command) -> String {
    let text = stdout_of(cmd);
    let _: Value = serde_json::from_str(&text).expect("JSON");
    regex::Regex::new(r#""table_bytes": \d+"#)
        .expect("regex")
        .replace(&text, r#""table_bytes": "[table_bytes]""#)
        .into_owned()
}

#[test]
fn terminal_report_of_a_real_log() {
    // tstack/lnav test/logfile_shop_access_log.0
    let text = stdout_of(
        logscan()
            .args([
                "summary",
                "--color",
                "never",
                "--threads",
                "1",
                "--io",
                "read",
            ])
            .arg(shop_log()),
    );
    assert!(!text.contains('\x1b'), "no colour when asked for none");
    insta::assert_snapshot!("shop_access_log_text", text);
}

#[test]
fn json_report_of_a_real_log() {
    let text = summary_json_text(
        logscan()
            .args(["summary", "--json", "--threads", "1", "--io", "read"])
            .arg(shop_log()),
    );
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["schema"], "logscan.summary/1");
    assert_eq!(v["lines"]["total"], 1000);
    insta::assert_snapshot!("shop_access_log_json", text);
}

#[test]
fn json_report_of_an_application_log() {
    // logpai/loghub Zookeeper/Zookeeper_2k.log
    let text = summary_json_text(
        logscan()
            .args([
                "summary",
                "--json",
                "--top",
                "3",
                "--threads",
                "1",
                "--io",
                "read",
            ])
            .arg(realdata("logpai_loghub/Zookeeper/Zookeeper_2k.log")),
    );
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["format"], "app");
    assert!(v["access"].is_null());
    insta::assert_snapshot!("zookeeper_app_log_json", text);
}

/// Syslog times carry no year. The report says the year was assumed, and never puts
/// the log ahead of the day it is read: `Dec 10` read before December is last year's.
#[test]
fn syslog_times_get_a_year_that_is_not_in_the_future() {
    // logpai/loghub OpenSSH_2k.log: Dec 10 06:55:46 to Dec 10 11:04:45.
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let text = summary_json_text(
        logscan()
            .args(["summary", "--json"])
            .arg(realdata("logpai_loghub/OpenSSH/OpenSSH_2k.log")),
    );
    let v: Value = serde_json::from_str(&text).expect("JSON");
    let time = &v["time"];
    assert_eq!(time["year_assumed"], true, "{time}");
    let last = time["last_unix"].as_i64().expect("last_unix");
    assert!(last <= before + 86_400, "{time}: ahead of the reading");
    assert!(
        last > before - 366 * 86_400,
        "{time}: more than a year back"
    );
    let first = time["first"].as_str().expect("first");
    assert!(first.ends_with("-12-10T06:55:46"), "{first}");
    let report = stdout_of(
        logscan()
            .arg("summary")
            .arg(realdata("logpai_loghub/OpenSSH/OpenSSH_2k.log")),
    );
    assert!(
        report.contains("(4h 8m 59s; year not in the log, assumed)"),
        "{report}"
    );
    // --year gives the year, detected or named format alike.
    for format in ["auto", "app"] {
        let v: Value = serde_json::from_str(&summary_json_text(
            logscan()
                .args(["summary", "--json", "--year", "2019", "--format", format])
                .arg(realdata("logpai_loghub/OpenSSH/OpenSSH_2k.log")),
        ))
        .expect("JSON");
        assert_eq!(v["time"]["first"], "2019-12-10T06:55:46", "{format}");
    }
    // Times with their year say nothing of the kind.
    let zookeeper = summary_json_text(
        logscan()
            .args(["summary", "--json"])
            .arg(realdata("logpai_loghub/Zookeeper/Zookeeper_2k.log")),
    );
    let v: Value = serde_json::from_str(&zookeeper).expect("JSON");
    assert_eq!(v["time"]["year_assumed"], false);
}

/// An application log whose errors carry stack traces: detected as one, its frames
/// counted as continuing their record (not malformed), by every command.
#[test]
fn stack_trace_lines_continue_their_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = Vec::new();
    for i in 0..50 {
        log.extend_from_slice(
            format!(
                "2024-11-27 09:00:{:02},000 INFO [main] com.example.App: step {i}\n",
                i % 60
            )
            .as_bytes(),
        );
        if i % 10 == 0 {
            log.extend_from_slice(
                b"2024-11-27 09:01:00,000 ERROR [main] com.example.App: step failed\n\
java.lang.IllegalStateException: boom\n\
\tat com.example.App.run(App.java:12)\n\
\tat com.example.App.main(App.java:5)\n\
Caused by: java.io.IOException: disk\n\
\t... 2 more\n",
            );
        }
    }
    // A first record with a trace long enough to outnumber the records near it.
    let mut first = b"2024-11-27 08:59:59,000 ERROR [main] com.example.App: at start\n".to_vec();
    for _ in 0..40 {
        first.extend_from_slice(b"\tat com.example.App.run(App.java:12)\n");
    }
    first.extend_from_slice(&log);
    let path = write(dir.path(), "app.log", &first);

    let v: Value =
        serde_json::from_str(&stdout_of(logscan().args(["summary", "--json"]).arg(&path)))
            .expect("JSON");
    assert_eq!(v["format"], "app");
    let lines = &v["lines"];
    // 1 + 40 + 50 + 5 * 6 lines; 40 + 5 * 5 of them go on from the record before.
    assert_eq!(lines["total"], 121, "{lines}");
    assert_eq!(lines["continued"], 65, "{lines}");
    assert_eq!(lines["malformed"], 0, "{lines}");
    assert_eq!(lines["parsed"], 56, "{lines}");
    let exceptions = &v["app"]["top_exceptions"]["entries"];
    assert_eq!(exceptions[0]["key"], "java.io.IOException", "{exceptions}");
    assert_eq!(exceptions[0]["count"], 5, "{exceptions}");
    assert_eq!(exceptions[1]["key"], "java.lang.IllegalStateException");
    let text = stdout_of(logscan().arg("summary").arg(&path));
    assert!(text.contains("continued"), "{text}");
    assert!(
        text.contains("Top exceptions in stack traces (2 distinct)"),
        "{text}"
    );

    let count = stdout_of(logscan().args(["count", "--format", "app"]).arg(&path));
    assert_eq!(
        count,
        "lines: 121\nmalformed: 0\ncontinued (stack traces): 65\n"
    );

    // records: each record carries its trace, in every strategy and thread count.
    let mut want: Option<Vec<Value>> = None;
    for io in ["stream", "read", "mmap"] {
        for threads in ["1", "2"] {
            let out = logscan()
                .args(["records", "--io", io, "-j", threads])
                .arg(&path)
                .output()
                .expect("runs");
            assert!(out.status.success());
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "nothing left out");
            let records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| serde_json::from_str(l).expect("JSON"))
                .collect();
            assert_eq!(records.len(), 56);
            let traces: usize = records
                .iter()
                .filter_map(|r| r["continued"].as_array())
                .map(Vec::len)
                .sum();
            assert_eq!(traces, 65);
            assert_eq!(records[0]["continued"].as_array().map(Vec::len), Some(40));
            assert_eq!(
                records[2]["continued"][0], "java.lang.IllegalStateException: boom",
                "{}",
                records[2]
            );
            match &want {
                None => want = Some(records),
                Some(w) => assert!(*w == records, "--io {io} -j {threads}"),
            }
        }
    }
}

/// A Go panic that net/http recovered and logged: the lines of its goroutine trace,
/// the unindented calls and `created by` too, go on from the record.
#[test]
fn go_panic_traces_continue_their_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trace = "goroutine 1 [running]:\n\
main.main()\n\
\t/app/main.go:10 +0x1d\n\
net/http.(*conn).serve(0xc000102000, {0x6c4a80, 0xc0000a2000})\n\
\t/usr/local/go/src/net/http/server.go:1850 +0x2c5\n\
created by net/http.(*Server).Serve in goroutine 1\n\
\t/usr/local/go/src/net/http/server.go:3086 +0x5cb\n";
    let log = format!(
        "2025-03-14 06:00:01 ERROR http: panic serving 10.0.0.1:5000: runtime error: index out of range\n{trace}\
2025-03-14 06:00:02 INFO http: serving\n"
    );
    let path = write(dir.path(), "go.log", log.as_bytes());
    let v = summary_json(logscan().args(["summary", "--json"]).arg(&path));
    assert_eq!(v["format"], "app");
    let lines = &v["lines"];
    assert_eq!(
        (&lines["parsed"], &lines["continued"], &lines["malformed"]),
        (&Value::from(2), &Value::from(7), &Value::from(0)),
        "{lines}"
    );
    let out = logscan().arg("records").arg(&path).output().expect("runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "nothing left out");
    let first: Value = serde_json::from_str(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .expect("a record"),
    )
    .expect("JSON");
    let continued: Vec<&str> = first["continued"]
        .as_array()
        .expect("a trace")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(continued, trace.lines().collect::<Vec<_>>());
}

#[test]
fn the_summary_is_the_same_for_every_strategy_and_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    // About 3 MB: several chunks.
    let log = write(dir.path(), "access.log", &combined_log(30_000));
    let gz = write_gz(dir.path(), "access.log.gz", &combined_log(30_000));
    let without_scan = |mut v: Value| {
        v["scan"] = Value::Null;
        v
    };
    let want = without_scan(summary_json(
        logscan()
            .args(["summary", "--json", "--io", "stream", "--threads", "1"])
            .arg(&log),
    ));
    assert_eq!(want["lines"]["malformed"], 309);
    for io in ["auto", "stream", "read", "mmap"] {
        for threads in ["1", "3"] {
            let got = without_scan(summary_json(
                logscan()
                    .args(["summary", "--json", "--io", io, "--threads", threads])
                    .arg(&log),
            ));
            assert_eq!(got, want, "--io {io} --threads {threads}");
        }
    }
    let got = without_scan(summary_json(logscan().args(["summary", "--json"]).arg(&gz)));
    assert_eq!(got, want, "gzip");
    let piped = without_scan(summary_json(
        logscan()
            .args(["summary", "--json"])
            .write_stdin(std::fs::read(&gz).expect("read")),
    ));
    assert_eq!(piped, want, "gzip on stdin");
}

#[test]
fn several_files_merge_into_one_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let whole = std::fs::read(shop_log()).expect("read");
    let cut = whole[whole.len() / 2..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| whole.len() / 2 + i + 1)
        .expect("a newline");
    let a = write(dir.path(), "a.log", &whole[..cut]);
    let b = write(dir.path(), "b.log", &whole[cut..]);
    let merged = summary_json(logscan().args(["summary", "--json"]).arg(&a).arg(&b));
    let one = summary_json(logscan().args(["summary", "--json"]).arg(shop_log()));
    for section in ["format", "lines", "time", "access"] {
        assert_eq!(merged[section], one[section], "{section}");
    }
    assert_eq!(merged["scan"]["bytes"], one["scan"]["bytes"]);
}

#[test]
fn merged_malformed_samples_name_their_input() {
    // combined_log marks every 97th line as not an access line.
    let dir = tempfile::tempdir().expect("tempdir");
    let log = combined_log(200);
    let b = write(dir.path(), "b.log", &log);
    let a = write(dir.path(), "a.log", &log);
    // b first: samples follow the order the inputs were given, then the line.
    let json = summary_json(logscan().args(["summary", "--json"]).arg(&b).arg(&a));
    let samples: Vec<(String, u64)> = json["malformed_samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            let input = s["input"].as_str().expect("input named");
            let name = input.rsplit('/').next().unwrap_or(input).to_owned();
            (name, s["line"].as_u64().expect("line"))
        })
        .collect();
    let expected: Vec<(String, u64)> =
        [("b.log", 97), ("b.log", 194), ("a.log", 97), ("a.log", 194)]
            .map(|(f, l)| (f.to_owned(), l))
            .to_vec();
    assert_eq!(samples, expected);
    let text = stdout_of(
        logscan()
            .args(["summary", "--color", "never"])
            .arg(&b)
            .arg(&a),
    );
    assert!(text.contains("a.log line 194"), "{text}");
    // One input: no input named, as before.
    let one = summary_json(logscan().args(["summary", "--json"]).arg(&a));
    assert!(one["malformed_samples"][0].get("input").is_none(), "{one}");
    assert_eq!(one["malformed_samples"][0]["line"], 97);
}

#[test]
fn an_access_log_written_as_json_gets_the_access_summary() {
    // What nginx writes with `log_format j escape=json '{"time_local":"$time_local",...}'`.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = Vec::new();
    for i in 0..40u32 {
        let (ip, agent, status) = match i % 4 {
            0 => ("10.0.0.1", "curl/8.0", 200),
            1 => ("10.0.0.2", "Mozilla/5.0", 200),
            2 => ("10.0.0.1", "curl/8.0", 404),
            _ => ("2001:db8::7", "Mozilla/5.0", 503),
        };
        log.extend_from_slice(
            format!(
                r#"{{"time_local":"14/Mar/2025:06:25:{:02} +0000","remote_addr":"{ip}","request_method":"GET","request_uri":"/p/{}?x=1","status":"{status}","body_bytes_sent":"100","request_time":"0.010","http_referer":"-","http_user_agent":"{agent}"}}"#,
                i % 60,
                i % 3
            )
            .as_bytes(),
        );
        log.push(b'\n');
    }
    let path = write(dir.path(), "access.json", &log);
    let json = summary_json(logscan().args(["summary", "--json"]).arg(&path));
    assert_eq!(json["format"], "json");
    let access = &json["access"];
    assert_eq!(access["requests"], 40);
    assert_eq!(access["unique_clients"]["count"], 3);
    assert_eq!(access["top_clients"]["entries"][0]["key"], "10.0.0.1");
    assert_eq!(access["top_clients"]["entries"][0]["count"], 20);
    assert_eq!(access["top_user_agents"]["distinct"], 2);
    assert_eq!(access["methods"]["entries"][0]["key"], "GET");
    assert_eq!(access["body_bytes"], 4000);
    assert_eq!(access["served_time_us"]["p50"], 10_000);
    assert_eq!(access["top_paths"]["distinct"], 3);
    assert_eq!(access["top_referrers"]["distinct"], 0, "- is no referrer");
    assert_eq!(json["time"]["first"], "2025-03-14T06:25:00Z");
}

#[test]
fn per_file_reports_keep_inputs_apart() {
    let access = realdata("tstack_lnav/test/logfile_access_log.0");
    let app = realdata("logpai_loghub/Zookeeper/Zookeeper_2k.log");
    let v: Value = serde_json::from_str(&stdout_of(
        logscan()
            .args(["summary", "--per-file", "--json"])
            .arg(&access)
            .arg(&app),
    ))
    .expect("JSON");
    assert_eq!(v["schema"], "logscan.summary.per_file/1");
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], access.display().to_string());
    assert_eq!(files[0]["summary"]["format"], "combined");
    assert_eq!(files[0]["summary"]["lines"]["total"], 3);
    assert_eq!(files[1]["summary"]["format"], "app");
    assert_eq!(files[1]["summary"]["lines"]["total"], 2000);

    let csv = stdout_of(
        logscan()
            .args(["summary", "--per-file", "--csv"])
            .arg(&access)
            .arg(&app),
    );
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("file,section,key,value,percent"));
    assert!(
        rows.clone()
            .any(|r| r == format!("{},lines,total,3,", access.display()))
    );
    assert!(rows.any(|r| r.starts_with(&format!("{},level,WARN,", app.display()))));

    let text = stdout_of(
        logscan()
            .args(["summary", "--per-file", "--color", "never"])
            .arg(&access)
            .arg(&app),
    );
    assert!(text.starts_with(&format!("==> {} <==\n3 lines", access.display())));
    assert!(text.contains(&format!("\n\n==> {} <==\n2,000 lines", app.display())));
}

#[test]
fn merging_different_formats_names_them_all() {
    let v = summary_json(
        logscan()
            .args(["summary", "--json"])
            .arg(realdata("tstack_lnav/test/logfile_access_log.0"))
            .arg(realdata("logpai_loghub/Zookeeper/Zookeeper_2k.log")),
    );
    assert_eq!(v["format"], "combined+app");
    assert_eq!(v["lines"]["total"], 2003);
    assert!(v["access"].is_object() && v["app"].is_object());
}

#[test]
fn colour_only_when_asked_and_an_explicit_choice_overrides_no_color() {
    let colored = |cmd: &mut assert_cmd::Command| stdout_of(cmd).contains('\x1b');
    // stdout is a pipe here: auto means no colour.
    assert!(!colored(logscan().arg("summary").arg(shop_log())));
    assert!(colored(
        logscan()
            .args(["summary", "--color", "always"])
            .arg(shop_log())
    ));
    // no-color.org: NO_COLOR sets the default, a per-run option overrides it.
    assert!(colored(
        logscan()
            .args(["summary", "--color", "always"])
            .env("NO_COLOR", "1")
            .arg(shop_log())
    ));
    assert!(!colored(
        logscan()
            .args(["summary", "--color", "never"])
            .arg(shop_log())
    ));
}

#[test]
fn csv_report_has_its_header_and_the_status_rows() {
    logscan()
        .args(["summary", "--csv"])
        .arg(shop_log())
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("section,key,value,percent\n")
                .and(predicate::str::contains("\nstatus,404,24,2.4")),
        );
}

#[test]
fn an_empty_input_is_an_empty_summary() {
    let v = summary_json(logscan().args(["summary", "--json"]).write_stdin(""));
    assert_eq!(v["lines"]["total"], 0);
    assert_eq!(v["format"], "none");
}

#[test]
fn apache_format_reads_the_served_time_in_its_unit_and_detection_hints_at_it() {
    // Apache's combined with %D: the request's time in microseconds, last.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = Vec::new();
    for i in 1..=20u32 {
        log.extend_from_slice(
            format!(
                "192.0.2.{} - - [14/Mar/2025:06:25:{i:02} +0000] \"GET /p{} HTTP/1.1\" 200 512 \"-\" \"curl/8.0\" {}\n",
                i % 3,
                i % 2,
                i * 1000
            )
            .as_bytes(),
        );
    }
    let path = write(dir.path(), "access_log", &log);
    let apache =
        r#"LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D" timed"#;
    let json = summary_json(
        logscan()
            .args(["summary", "--json", "--apache-format", apache])
            .arg(&path),
    );
    assert_eq!(json["format"], "apache");
    assert_eq!(json["lines"]["malformed"], 0);
    let served = &json["access"]["served_time_us"];
    assert_eq!(served["min"], 1_000, "{served}");
    assert_eq!(served["max"], 20_000, "{served}");
    assert_eq!(json["access"]["top_paths"]["distinct"], 2);

    // Guessed, the format is combined and the number unread; the note says how to
    // read it, once, and the same command with the note's format reads it.
    let guessed = logscan()
        .args(["summary", "--json"])
        .arg(&path)
        .arg(&path)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&guessed.stderr);
    assert_eq!(stderr.matches("Apache's %D").count(), 1, "{stderr}");
    let json: Value = serde_json::from_slice(&guessed.stdout).expect("JSON");
    assert_eq!(json["format"], "combined");
    assert!(
        json["access"]["served_time_us"].is_null(),
        "{}",
        json["access"]
    );
    let suggested = stderr
        .split("--apache-format \"")
        .nth(1)
        .and_then(|rest| rest.split("\" (or").next())
        .expect("the note names a format")
        .replace("\\\"", "\"");
    let json = summary_json(
        logscan()
            .args(["summary", "--json", "--apache-format", &suggested])
            .arg(&path),
    );
    assert_eq!(json["access"]["served_time_us"]["max"], 20_000);
    // Quiet, or a format given, or lines without the number: no note.
    for args in [&["summary", "-q"][..], &["summary", "--format", "combined"]] {
        logscan()
            .args(args)
            .arg(&path)
            .assert()
            .success()
            .stderr("");
    }
    logscan()
        .args(["summary"])
        .arg(shop_log())
        .assert()
        .success()
        .stderr(predicate::str::contains("%D").not());
}

#[test]
fn json_access_logs_give_served_times_in_their_keys_units() {
    // Traefik (nanoseconds), pino-http (milliseconds) and a key given with its unit.
    let dir = tempfile::tempdir().expect("tempdir");
    let traefik = write(
        dir.path(),
        "traefik.json",
        br#"{"ClientHost":"10.0.0.1","RequestMethod":"GET","RequestPath":"/a","DownstreamStatus":200,"Duration":2000000,"time":"2024-11-27T09:00:00Z"}
{"ClientHost":"10.0.0.2","RequestMethod":"GET","RequestPath":"/b","DownstreamStatus":502,"Duration":30000000,"time":"2024-11-27T09:00:01Z"}
"#,
    );
    let pino = write(
        dir.path(),
        "pino.json",
        br#"{"level":30,"time":1714557600123,"req":{"method":"GET","url":"/u","remoteAddress":"::1"},"res":{"statusCode":200},"responseTime":2,"msg":"request completed"}
{"level":30,"time":1714557601123,"req":{"method":"POST","url":"/v","remoteAddress":"::1"},"res":{"statusCode":201},"responseTime":30,"msg":"request completed"}
"#,
    );
    // Caddy (seconds, as a fraction) and Go's slog (whole nanoseconds), in one key.
    let caddy = write(
        dir.path(),
        "caddy.json",
        br#"{"level":"info","ts":1732700000.25,"logger":"http.log.access","msg":"handled request","request":{"client_ip":"10.0.0.8","method":"GET","host":"x","uri":"/c"},"duration":0.002,"size":10,"status":200}
{"level":"info","ts":1732700001.5,"logger":"http.log.access","msg":"handled request","request":{"client_ip":"10.0.0.8","method":"GET","host":"x","uri":"/d"},"duration":0.0300004,"size":10,"status":200}
"#,
    );
    let slog = write(
        dir.path(),
        "slog.json",
        br#"{"time":"2024-11-27T09:00:00Z","level":"INFO","msg":"request","method":"GET","path":"/a","status":200,"duration":2000999}
{"time":"2024-11-27T09:00:01Z","level":"INFO","msg":"request","method":"GET","path":"/b","status":200,"duration":"30ms"}
"#,
    );
    // Caddy's access log is told by its logger and read without a key (`caddy`).
    for (log, keys) in [
        (&traefik, None),
        (&pino, None),
        (&caddy, None),
        (&slog, Some("request_time=duration:go")),
    ] {
        let mut cmd = logscan();
        cmd.args(["summary", "--json"]);
        if let Some(keys) = keys {
            cmd.args(["--json-key", keys]);
        }
        let json = summary_json(cmd.arg(log));
        assert_eq!(json["access"]["requests"], 2, "{log:?}");
        let served = &json["access"]["served_time_us"];
        assert_eq!(
            (&served["min"], &served["max"]),
            (&2_000.into(), &30_000.into()),
            "{log:?}"
        );
    }
    assert_eq!(
        summary_json(logscan().args(["summary", "--json"]).arg(&caddy))["format"],
        "caddy"
    );
    // Elsewhere `duration` is not read without its unit, and a note says how to give it.
    let envoy = write(
        dir.path(),
        "envoy.json",
        b"{\"method\":\"GET\",\"path\":\"/a\",\"response_code\":200,\"duration\":2}\n",
    );
    logscan()
        .args(["summary", "--json"])
        .arg(&envoy)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "--json-key request_time=duration:ms (Envoy, Istio",
        ));
    let json = summary_json(
        logscan()
            .args([
                "summary",
                "--json",
                "--json-key",
                "request_time=duration:ms",
            ])
            .arg(&envoy),
    );
    assert_eq!(json["access"]["served_time_us"]["max"], 2_000);
    // One after the other, each input gets its own dialect: Envoy's `duration` is not
    // read as Caddy's seconds, nor Caddy's left unread after Envoy's.
    for pair in [[&caddy, &envoy], [&envoy, &caddy]] {
        let json = summary_json(logscan().args(["summary", "--json"]).args(pair));
        assert_eq!(json["access"]["served_time_us"]["max"], 30_000, "{pair:?}");
    }
    let took = write(
        dir.path(),
        "took.json",
        b"{\"path\":\"/a\",\"status\":200,\"took\":2}\n{\"path\":\"/b\",\"status\":200,\"took\":30}\n",
    );
    let json = summary_json(
        logscan()
            .args(["summary", "--json", "--json-key", "request_time=took:ms"])
            .arg(&took),
    );
    assert_eq!(json["access"]["served_time_us"]["max"], 30_000);
}

#[test]
fn the_paths_that_failed_with_5xx_are_counted() {
    // combined_log: every 13th line is a 503, every 97th malformed.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "access.log", &combined_log(1_000));
    let failed = (1..=1_000u64)
        .filter(|i| i % 13 == 0 && i % 97 != 0)
        .count();
    let json = summary_json(logscan().args(["summary", "--json"]).arg(&path));
    let table = &json["access"]["top_server_error_paths"];
    assert_eq!(table["total"], failed as u64, "{table}");
    assert_eq!(table["distinct"], 4, "the four paths of the generator");
    let text = stdout_of(logscan().args(["summary", "--color", "never"]).arg(&path));
    assert!(
        text.contains("\nTop 5xx paths (4 distinct; % of the 5xx)\n"),
        "{text}"
    );

    // And when they failed: the timeline's buckets hold every 5xx.
    let buckets = json["access"]["requests_over_time"]["buckets"]
        .as_array()
        .expect("buckets");
    let in_buckets: u64 = buckets
        .iter()
        .map(|b| b["server_errors"].as_u64().unwrap())
        .sum();
    assert_eq!(in_buckets, failed as u64);
    assert!(
        text.contains("\nRequests over time (per ") && text.contains("  5xx\n"),
        "{text}"
    );
    let csv = stdout_of(logscan().args(["summary", "--csv"]).arg(&path));
    let in_rows: u64 = csv
        .lines()
        .filter_map(|row| row.strip_prefix("timeline_5xx,"))
        .map(|row| row.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(in_rows, failed as u64);
}

#[test]
fn virtual_hosts_and_syslog_hosts_are_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines: String = ["shop.example", "api.example", "shop.example", "-"]
        .iter()
        .enumerate()
        .map(|(i, host)| {
            format!(
                "{host} 10.0.0.{i} - - [14/Mar/2025:06:25:0{i} +0000] \"GET /{i} HTTP/1.1\" 200 5 \"-\" \"t\"\n"
            )
        })
        .collect();
    let log = write(dir.path(), "vhosts.log", lines.as_bytes());
    let format = [
        "--log-format",
        r#"$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#,
    ];
    let text = stdout_of(
        logscan()
            .args(["summary", "--color", "never"])
            .args(format)
            .arg(&log),
    );
    assert!(
        text.contains(
            "\nTop virtual hosts (2 distinct)\n  2   50.00%  shop.example\n  1   25.00%  api.example\n"
        ),
        "{text}"
    );
    let csv = stdout_of(logscan().args(["summary", "--csv"]).args(format).arg(&log));
    assert!(csv.contains("\nhost,shop.example,2,50\n"), "{csv}");

    // A syslog log's lines, by the host that wrote them (loghub's Linux log: one host).
    let json = summary_json(
        logscan()
            .args(["summary", "--json"])
            .arg(realdata("logpai_loghub/Linux/Linux_2k.log")),
    );
    let hosts = &json["app"]["top_hosts"];
    assert_eq!(hosts["entries"][0]["key"], "combo", "{hosts}");
    assert_eq!(hosts["total"], json["app"]["lines"], "{hosts}");
}

#[test]
fn path_times_add_up_each_paths_served_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    // `/search` takes the most time in total (3.0 s over 3 requests), `/report` the
    // longest single time (2.5 s), `/` the most requests.
    let requests = [
        ("/", "0.010"),
        ("/search?q=a", "1.000"),
        ("/", "0.020"),
        ("/report", "2.500"),
        ("/search?q=b", "0.500"),
        ("/", "0.030"),
        ("/search", "1.500"),
        ("/", "0.040"),
    ];
    let log: String = requests
        .iter()
        .enumerate()
        .map(|(i, (path, time))| {
            format!(
                "10.0.0.1 - - [14/Mar/2025:06:25:0{i} +0000] \"GET {path} HTTP/1.1\" 200 5 \"-\" \"t\" {time}\n"
            )
        })
        .collect();
    let log = write(dir.path(), "timed.log", log.as_bytes());
    let plain = summary_json(logscan().args(["summary", "--json"]).arg(&log));
    assert!(
        plain["access"]["paths_by_served_time"].is_null(),
        "off by default"
    );

    let json = summary_json(
        logscan()
            .args(["summary", "--json", "--path-times"])
            .arg(&log),
    );
    let t = &json["access"]["paths_by_served_time"];
    assert_eq!(t["distinct"], 3, "{t}");
    let rows: Vec<(&str, u64, u64, f64, u64)> = t["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap(),
                e["requests"].as_u64().unwrap(),
                e["total_us"].as_u64().unwrap(),
                e["mean_us"].as_f64().unwrap(),
                e["max_us"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("/search", 3, 3_000_000, 1_000_000.0, 1_500_000),
            ("/report", 1, 2_500_000, 2_500_000.0, 2_500_000),
            ("/", 4, 100_000, 25_000.0, 40_000),
        ]
    );
    // Shares of all served time (5.6 s).
    assert_eq!(t["entries"][0]["percent"], 53.57);

    let text = stdout_of(
        logscan()
            .args(["summary", "--path-times", "--color", "never"])
            .arg(&log),
    );
    assert!(
        text.contains(concat!(
            "\nPaths by served time (3 distinct)\n",
            "     total   share  requests     mean      max  path\n",
            "    3.00 s  53.57%         3   1.00 s   1.50 s  /search\n",
            "    2.50 s  44.64%         1   2.50 s   2.50 s  /report\n",
            "  100.0 ms   1.79%         4  25.0 ms  40.0 ms  /\n",
        )),
        "{text}"
    );
}

#[test]
fn conditions_summarise_the_records_filter_prints() {
    // tstack/lnav's shop log: the summary of its 4xx GET requests, asked for directly,
    // is the summary of what `filter` prints for the same conditions.
    let dir = tempfile::tempdir().expect("tempdir");
    let log = shop_log();
    let conditions = [
        "--status",
        "4xx",
        "--method",
        "GET",
        "--until",
        "2019-01-22T03:59:00+03:30",
    ];
    let kept = stdout_of(logscan().arg("filter").args(conditions).arg(&log));
    let kept_lines = kept.lines().count() as u64;
    assert!(kept_lines > 5, "{kept}");
    let kept = write(dir.path(), "kept.log", kept.as_bytes());
    let format = ["--format", "combined_xff"];
    let direct = summary_json(
        logscan()
            .args(["summary", "--json", "-j", "2"])
            .args(format)
            .args(conditions)
            .arg(&log),
    );
    let filtered = summary_json(
        logscan()
            .args(["summary", "--json"])
            .args(format)
            .arg(&kept),
    );
    assert_eq!(direct["access"], filtered["access"]);
    assert_eq!(direct["time"], filtered["time"]);
    assert_eq!(direct["lines"]["total"], 1_000);
    assert_eq!(direct["lines"]["excluded"], 1_000 - kept_lines);
    assert_eq!(filtered["lines"]["excluded"], 0);

    assert_eq!(
        (&direct["filtered"], &filtered["filtered"]),
        (&true.into(), &false.into())
    );

    // An application log whose stack traces cross chunks: the exceptions they name
    // count for the records kept, as in the summary of what `filter` prints.
    let mut app = Vec::new();
    for i in 0..40_000u32 {
        let level = if i % 7 == 0 { "ERROR" } else { "INFO" };
        app.extend_from_slice(
            format!(
                "2024-11-27 09:{:02}:{:02},000 {level} [main] a.B: step {i}\n",
                i / 60 % 60,
                i % 60
            )
            .as_bytes(),
        );
        if i % 3 == 0 {
            let name = ["java.io.IOException", "java.lang.IllegalStateException"][i as usize % 2];
            app.extend_from_slice(format!("{name}: step {i}\n\tat a.B.c(B.java:1)\n").as_bytes());
        }
    }
    let app = write(dir.path(), "app.log", &app);
    let kept = stdout_of(logscan().args(["filter", "--level", "error"]).arg(&app));
    let kept = write(dir.path(), "kept-app.log", kept.as_bytes());
    let via_filter = summary_json(
        logscan()
            .args(["summary", "--json", "--format", "app"])
            .arg(&kept),
    );
    for io in ["stream", "mmap"] {
        let direct = summary_json(
            logscan()
                .args([
                    "summary", "--json", "--format", "app", "--level", "error", "-j", "2", "--io",
                    io,
                ])
                .arg(&app),
        );
        assert_eq!(
            direct["app"]["top_exceptions"], via_filter["app"]["top_exceptions"],
            "{io}"
        );
        assert!(
            direct["app"]["top_exceptions"]["total"].as_u64() > Some(1_000),
            "{io}"
        );
    }

    // Conditions are checked as filter checks them.
    for bad in [["--status", "teapot"], ["--method", "GET,,HEAD"]] {
        logscan()
            .arg("summary")
            .args(bad)
            .arg(&log)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(bad[0]));
    }
    // Conditions no record meets give an empty report, and a note that says so.
    logscan()
        .args(["summary", "--status", "599"])
        .arg(&log)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "\n  excluded        1,000  100.00%  (parsed, but not meeting",
        ))
        .stderr("logscan: no record met the conditions (1000 parsed, all excluded)\n");
}

#[test]
fn the_slowest_requests_name_their_input_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = |i: u32, path: &str, time: &str| {
        format!(
            "10.0.0.{i} - - [14/Mar/2025:06:25:{i:02} +0000] \"GET {path} HTTP/1.1\" 200 5 \"-\" \"t\" {time}\n"
        )
    };
    let a = write(
        dir.path(),
        "a.log",
        format!("{}{}", line(1, "/fast", "0.010"), line(2, "/slow", "2.500")).as_bytes(),
    );
    let b = write(
        dir.path(),
        "b.log",
        format!(
            "{}{}",
            line(3, "/slower", "9.000"),
            line(4, "/tie", "2.500")
        )
        .as_bytes(),
    );
    let json = summary_json(
        logscan()
            .args(["summary", "--json", "--top", "3"])
            .arg(&a)
            .arg(&b),
    );
    let slow: Vec<(u64, String, String, u64)> = json["access"]["slowest_requests"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            let input = r["input"].as_str().unwrap_or_default();
            let input = input.rsplit('/').next().unwrap_or_default().to_owned();
            (
                r["served_us"].as_u64().unwrap(),
                r["path"].as_str().unwrap().to_owned(),
                input,
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Slowest first; of two equal times, the earlier input's first; --top of them.
    assert_eq!(
        slow,
        [
            (9_000_000, "/slower".into(), "b.log".into(), 1),
            (2_500_000, "/slow".into(), "a.log".into(), 2),
            (2_500_000, "/tie".into(), "b.log".into(), 2),
        ]
    );
    let text = stdout_of(logscan().args(["summary", "--color", "never"]).arg(&a));
    // Times aligned on their right.
    let want = "\nSlowest requests\n   2.50 s  200  GET /slow  (line 2)\n  10.0 ms  200  GET /fast  (line 1)\n";
    assert!(text.contains(want), "{text}");
}

#[test]
fn max_keys_bounds_every_table_and_the_report_says_so() {
    let v = summary_json(
        logscan()
            .args(["summary", "--json", "--max-keys", "2"])
            .arg(shop_log()),
    );
    let paths = &v["access"]["top_paths"];
    assert_eq!(paths["distinct"], 2);
    assert_eq!(paths["complete"], false);
    assert!(paths["untracked"].as_u64().unwrap() > 0, "{paths}");
    assert_eq!(paths["total"], v["access"]["requests"], "{paths}");
    assert_eq!(v["access"]["unique_clients"]["estimated"], true);
    logscan()
        .args(["summary", "--max-keys", "0"])
        .arg(shop_log())
        .assert()
        .code(2);
}

/// An empty input has its place in `--per-file`, with a report of nothing read.
#[test]
fn per_file_lists_an_empty_input_too() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, b"").unwrap();
    let out = stdout_of(
        logscan()
            .args(["summary", "--per-file", "--json"])
            .arg(shop_log())
            .arg(&empty),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{out}");
    assert_eq!(files[1]["path"], empty.display().to_string());
    assert_eq!(files[1]["summary"]["lines"]["total"], 0);
    assert_eq!(files[1]["summary"]["format"], "none");
    let text = stdout_of(logscan().args(["summary", "--per-file"]).arg(&empty));
    assert!(text.contains("0 lines (nothing read)"), "{text}");
    // With conditions, every input's report says so, the empty one's too.
    let out = stdout_of(
        logscan()
            .args(["summary", "--per-file", "--json", "--status", "5xx"])
            .arg(shop_log())
            .arg(&empty),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for file in v["files"].as_array().unwrap() {
        assert_eq!(file["summary"]["filtered"], true, "{file}");
    }
}

/// A format named by the user that no line fits: the summary is all malformed, and a
/// note says the format may be the wrong one. A guessed format, or one some line
/// fits, gives no such note.
#[test]
fn a_named_format_no_line_fits_is_pointed_out() {
    let hint = "no line parsed as the json format";
    let out = logscan()
        .args(["summary", "--format", "json"])
        .arg(shop_log())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(hint), "{stderr}");
    for args in [&["summary"][..], &["summary", "--format", "combined"]] {
        let out = logscan().args(args).arg(shop_log()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("no line parsed"), "{args:?}: {stderr}");
    }
    for args in [
        &["records", "--format", "json"][..],
        &["filter", "--format", "json", "--status", "200"],
    ] {
        let out = logscan().args(args).arg(shop_log()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(hint), "{args:?}: {stderr}");
        assert!(stderr.contains("(1,000 malformed)"), "{args:?}: {stderr}");
    }
}

/// A condition the format cannot answer is named on stderr (once per format) by every
/// command that takes conditions, instead of a silent empty result.
#[test]
fn conditions_the_format_cannot_meet_are_named_once() {
    for command in ["filter", "records", "summary"] {
        let out = logscan()
            .args([command, "--slower-than", "1s"])
            .arg(shop_log())
            .arg(shop_log())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = stderr
            .matches("--slower-than: the records of the combined_xff format have no served time")
            .count();
        assert_eq!(said, 1, "{command}: {stderr}");
    }
}

/// `slice` asked in UTC (a time without a zone) over a log in another offset: the note
/// says which clock each side is in. Asked with the log's offset, it says nothing more.
#[test]
fn slice_names_the_logs_offset_when_asked_in_utc() {
    let stderr_of = |from: &str, to: &str| {
        let out = logscan()
            .args(["slice", "--from", from, "--to", to])
            .arg(shop_log())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // 03:57-03:58 in the log's own clock is in the log; read as UTC it is after it.
    let utc = stderr_of("2019-01-22T03:57:00", "2019-01-22T03:58:00");
    assert!(utc.contains("is outside the log"), "{utc}");
    assert!(utc.contains("this log's times are at +03:30"), "{utc}");
    // Read in the log's clock these would miss it too: the offset is not the cause.
    let before = stderr_of("2019-01-22T03:50:00", "2019-01-22T03:55:10");
    assert!(!before.contains("this log's times are at"), "{before}");
    // Given with a zone, or in Unix seconds: no word about zones.
    let zoned = stderr_of("2019-01-22T03:50:00+03:30", "2019-01-22T03:55:10+03:30");
    assert!(zoned.contains("is outside the log"), "{zoned}");
    assert!(!zoned.contains("this log's times are at"), "{zoned}");
    let unix = stderr_of("1548118000", "1548118100");
    assert!(!unix.contains("this log's times are at"), "{unix}");
}

/// An uncaught Go panic: the blank line Go writes after `panic:` does not end its
/// trace, so `records` keeps the goroutine's frames on the panic's record.
#[test]
fn an_uncaught_go_panic_keeps_its_trace() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("go.log");
    std::fs::write(
        &log,
        "2024-05-01 10:00:00 INFO starting\n\
         panic: runtime error: index out of range [5] with length 3\n\
         \n\
         goroutine 1 [running]:\n\
         main.main()\n\
         \t/tmp/prog.go:9 +0x1d\n\
         2024-05-01 10:00:01 INFO next\n",
    )
    .unwrap();
    let out = logscan()
        .args(["records", "--level", "fatal"])
        .arg(&log)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let record: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        record["continued"],
        serde_json::json!([
            "",
            "goroutine 1 [running]:",
            "main.main()",
            "\t/tmp/prog.go:9 +0x1d"
        ]),
        "{stdout}"
    );
    let v = summary_json(logscan().args(["summary", "--json"]).arg(&log));
    assert_eq!(v["lines"]["malformed"], 0);
    assert_eq!(v["lines"]["continued"], 4);
}
