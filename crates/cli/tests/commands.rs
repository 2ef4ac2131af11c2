//! The subcommands on real and generated logs, through every I/O strategy, stdin and
//! gzip.

mod support;

use predicates::prelude::*;
use support::*;

const STRATEGIES: [&str; 4] = ["auto", "stream", "read", "mmap"];

#[test]
fn count_real_access_log() {
    // tstack/lnav test/logfile_shop_access_log.0: 1,000 lines, all combined + XFF.
    let out = stdout_of(logscan().arg("count").arg(shop_log()));
    assert_eq!(out, "lines: 1000\n");
    let out = stdout_of(
        logscan()
            .args(["count", "--format", "auto"])
            .arg(shop_log()),
    );
    assert_eq!(out, "lines: 1000\nmalformed: 0\n");
}

#[test]
fn count_agrees_across_strategies_threads_and_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "access.log", &combined_log(3_000));
    for io in STRATEGIES {
        for threads in ["1", "2"] {
            let out = stdout_of(
                logscan()
                    .args([
                        "count",
                        "--format",
                        "combined",
                        "--io",
                        io,
                        "--threads",
                        threads,
                        "-q",
                    ])
                    .arg(&log),
            );
            assert_eq!(
                out, "lines: 3000\nmalformed: 30\n",
                "--io {io} --threads {threads}"
            );
        }
    }
    let out = stdout_of(
        logscan()
            .args(["count", "--io", "mmap", "--mmap-advice", "willneed", "-q"])
            .arg(&log)
            .arg(&log),
    );
    assert_eq!(out, "lines: 6000\n", "several files add up");
}

#[test]
fn stdin_and_dash_read_standard_input() {
    let log = combined_log(500);
    for args in [&["count"][..], &["count", "-"]] {
        let out = stdout_of(logscan().args(args).write_stdin(log.clone()));
        assert_eq!(out, "lines: 500\n");
    }
    logscan()
        .args(["count", "--io", "mmap", "-"])
        .write_stdin(log)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "logscan: -: --io mmap cannot read",
        ));
}

/// A first line longer than the head that detection reads (256 KiB) does not hide
/// the lines after it: every strategy, and stdin, guess the same format from the
/// same lines and give the same summary.
#[test]
fn a_first_line_longer_than_the_head_does_not_stop_detection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log: Vec<u8> = std::iter::repeat_n(b'x', 300_000).chain([b'\n']).collect();
    log.extend(combined_log(1_000));
    let path = write(dir.path(), "long-first.log", &log);
    // The report names the strategy and the threads that read the input; everything
    // else must agree.
    let without_strategy = |json: String| {
        json.lines()
            .filter(|l| {
                let l = l.trim_start();
                !l.starts_with("\"strategy\"") && !l.starts_with("\"threads\"")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let summary = |io: &str| {
        without_strategy(stdout_of(
            logscan().args(["summary", "--json", "--io", io]).arg(&path),
        ))
    };
    let stream = summary("stream");
    assert!(stream.contains("\"malformed\": 11"), "{stream}");
    for io in ["auto", "read", "mmap"] {
        assert_eq!(summary(io), stream, "--io {io}");
    }
    let piped = without_strategy(stdout_of(
        logscan().args(["summary", "--json"]).write_stdin(log),
    ));
    assert!(piped == stream, "stdin differs from the file");
}

#[test]
fn gzip_input_reads_like_the_plain_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = combined_log(2_000);
    let plain = write(dir.path(), "access.log", &log);
    let gz = write_gz(dir.path(), "access.log.gz", &log);
    for args in [
        &["count", "--format", "combined"][..],
        &["filter", "--status", "5xx"],
        &["records"],
        &[
            "slice",
            "--from",
            "2025-03-14T06:30:00Z",
            "--to",
            "2025-03-14T06:31:00Z",
        ],
    ] {
        let want = stdout_of(logscan().args(args).arg(&plain));
        let got = stdout_of(logscan().args(args).arg(&gz));
        assert_eq!(got, want, "{args:?}");
        let piped = stdout_of(
            logscan()
                .args(args)
                .write_stdin(std::fs::read(&gz).unwrap()),
        );
        assert_eq!(piped, want, "{args:?} on gzip through stdin");
    }
}

/// Data after the last gzip member that is not gzip (a plain log appended to a `.gz`
/// by mistake) is left out as `gzip -d` leaves it out: every command reads the members
/// and says, in one note, where the ignored data starts; the exit status stays 0.
#[test]
fn data_after_the_last_gzip_member_is_ignored_with_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = combined_log(2_000);
    let plain = write(dir.path(), "access.log", &log);
    let gz = write_gz(dir.path(), "access.log.gz", &log);
    let mut bytes = std::fs::read(&gz).expect("read gz");
    let members_end = bytes.len();
    bytes.extend_from_slice(&combined_log(3));
    let trailing = write(dir.path(), "trailing.log.gz", &bytes);
    let note = format!(
        "ignored what follows the last gzip member (from byte {members_end} of the compressed input)"
    );
    for args in [
        &["count", "--format", "combined"][..],
        &["summary", "--json"],
        &["filter", "--status", "5xx"],
        &["records"],
    ] {
        // A summary names how it read its input; the rest must agree.
        let comparable = |out: String| {
            if args[0] != "summary" {
                return out;
            }
            let mut json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            json.as_object_mut().map(|o| o.remove("scan"));
            json.to_string()
        };
        let want = comparable(stdout_of(logscan().args(args).arg(&plain)));
        for (how, mut cmd) in [
            ("file", logscan()),
            ("stdin", logscan()),
            ("file, --io read", logscan()),
        ] {
            cmd.args(args);
            match how {
                "stdin" => {
                    cmd.write_stdin(bytes.clone());
                }
                "file" => {
                    cmd.arg(&trailing);
                }
                _ => {
                    cmd.args(["--io", "read"]).arg(&trailing);
                }
            }
            let out = cmd.output().expect("runs");
            assert_eq!(out.status.code(), Some(0), "{args:?} {how}");
            let stdout = comparable(String::from_utf8_lossy(&out.stdout).into_owned());
            assert!(
                stdout == want,
                "{args:?} {how}: output differs from the plain log's"
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                stderr.lines().filter(|l| l.contains(&note)).count(),
                1,
                "{args:?} {how}: {stderr}"
            );
        }
    }
    // -q keeps it quiet, like every note.
    logscan()
        .args(["count", "-q"])
        .arg(&trailing)
        .assert()
        .success()
        .stderr("");
}

/// `filter` on an application log keeps each stack trace with its record: printed
/// when the record is, across chunk and block boundaries, for every strategy and
/// thread count. A trace before the first record follows no record: it is printed
/// as a line that does not parse would be (only with --invert-match).
#[test]
fn filter_keeps_stack_traces_with_their_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = Vec::new();
    let (mut errors, mut others) = (Vec::new(), Vec::new());
    let orphan = b"\tat orphan.Frame.run(Frame.java:1)\n";
    log.extend_from_slice(orphan);
    others.extend_from_slice(orphan);
    // About 3 MB: three default chunks, a dozen Stream blocks.
    for i in 0..40_000u32 {
        let error = i % 7 == 0;
        let mut record = format!(
            "2024-11-27 09:{:02}:{:02},000 {} [main] com.example.App: step {i}\n",
            i / 60 % 60,
            i % 60,
            if error { "ERROR" } else { "INFO" }
        )
        .into_bytes();
        if i % 3 == 0 {
            for k in 0..=(i % 5) {
                record.extend_from_slice(
                    format!("\tat com.example.App.run(App.java:{k})\n").as_bytes(),
                );
            }
        }
        log.extend_from_slice(&record);
        if error {
            errors.extend_from_slice(&record);
        } else {
            others.extend_from_slice(&record);
        }
    }
    let path = write(dir.path(), "app.log", &log);
    for io in ["stream", "read", "mmap"] {
        for threads in ["1", "2", "3"] {
            let run = |invert: bool| {
                let mut cmd = logscan();
                cmd.args(["filter", "--level", "error", "--io", io, "-j", threads]);
                if invert {
                    cmd.arg("--invert-match");
                }
                cmd.arg(&path).output().expect("runs").stdout
            };
            assert!(run(false) == errors, "--io {io} -j {threads}");
            assert!(run(true) == others, "--io {io} -j {threads} --invert-match");
        }
    }
}

/// Each record of `records`' NDJSON output: its line, and how many trace lines it
/// carries in `"continued"`.
fn lines_and_traces(ndjson: &[u8]) -> Vec<(u64, usize)> {
    String::from_utf8_lossy(ndjson)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
            let trace = v["continued"].as_array().map_or(0, Vec::len);
            (v["_line"].as_u64().expect("_line"), trace)
        })
        .collect()
}

/// About 3 MB of log4j-style records (three default chunks, a dozen Stream blocks),
/// record `i` at `level(i)`, every third with a stack trace of 1 to 5 frames; and per
/// record its line, its trace's length and its level.
fn app_log_with_traces(
    level: impl Fn(u32) -> &'static str,
) -> (Vec<u8>, Vec<(u64, usize, &'static str)>) {
    let (mut log, mut records) = (Vec::new(), Vec::new());
    let mut line = 1u64;
    for i in 0..40_000u32 {
        let level = level(i);
        log.extend_from_slice(
            format!(
                "2024-11-27 09:{:02}:{:02},000 {level} [main] com.example.App: step {i}\n",
                i / 60 % 60,
                i % 60
            )
            .as_bytes(),
        );
        let frames = if i % 3 == 0 { (i % 5 + 1) as usize } else { 0 };
        for k in 0..frames {
            log.extend_from_slice(format!("\tat com.example.App.run(App.java:{k})\n").as_bytes());
        }
        records.push((line, frames, level));
        line += 1 + frames as u64;
    }
    (log, records)
}

/// `records` attaches each stack trace to its record as `"continued"`, also when the
/// trace starts in a later chunk or block than its record; a trace before the first
/// record belongs to none and is left out, with a note.
#[test]
fn records_carry_their_stack_traces_across_chunks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = b"\tat orphan.Frame.run(Frame.java:1)\n".to_vec();
    let (records, traced) = app_log_with_traces(|_| "ERROR");
    log.extend_from_slice(&records);
    // (line, trace length) per record, one line down for the orphan.
    let want: Vec<(u64, usize)> = traced
        .iter()
        .map(|&(line, frames, _)| (line + 1, frames))
        .collect();
    let path = write(dir.path(), "app.log", &log);
    for (how, out) in records_every_way(&path, &[]) {
        assert!(out.status.success(), "{how}");
        let got = lines_and_traces(&out.stdout);
        assert!(got == want, "{how}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("1 line of stack traces left out (before the first record"),
            "{stderr}"
        );
    }
}

/// `records ARGS FILE` with every `--io` and 1, 2 and 3 threads: (the settings as
/// text, the output) for each.
fn records_every_way(path: &std::path::Path, args: &[&str]) -> Vec<(String, std::process::Output)> {
    let mut runs = Vec::new();
    for io in ["stream", "read", "mmap"] {
        for threads in ["1", "2", "3"] {
            let out = logscan()
                .arg("records")
                .args(args)
                .args(["--io", io, "-j", threads])
                .arg(path)
                .output()
                .expect("runs");
            runs.push((format!("--io {io} -j {threads}"), out));
        }
    }
    runs
}

/// `records` with conditions writes the records that meet them, each with its own
/// stack trace; the trace of a record left out is left out with it, also when it
/// starts in a later chunk.
#[test]
fn records_with_conditions_keep_only_their_own_traces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (log, traced) = app_log_with_traces(|i| if i % 7 == 0 { "ERROR" } else { "INFO" });
    // (line, trace length) per record kept.
    let want: Vec<(u64, usize)> = traced
        .iter()
        .filter(|&&(_, _, level)| level == "ERROR")
        .map(|&(line, frames, _)| (line, frames))
        .collect();
    let path = write(dir.path(), "app.log", &log);
    for (how, out) in records_every_way(&path, &["--level", "error"]) {
        assert!(out.status.success(), "{how}");
        let got = lines_and_traces(&out.stdout);
        assert!(got == want, "{how}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A malformed line ends the trace of the record before it, for `records` as for
/// `filter`; the trace of a record the conditions leave out is left out without a
/// note, also on a live pipe whose writer pauses inside it; conditions nothing meets
/// are said on stderr.
#[test]
fn records_with_conditions_agree_with_filter_and_say_what_they_left_out() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("tempdir");
    let log = b"2024-11-27 09:00:00,000 ERROR [main] a.B: kept\n\
                GARBAGE\n\
                \tat a.B.c(B.java:1)\n\
                2024-11-27 09:00:01,000 ERROR [main] a.B: kept too\n\
                \tat a.B.d(B.java:2)\n";
    let path = write(dir.path(), "app.log", log);
    let direct = logscan()
        .args(["records", "--level", "error"])
        .arg(&path)
        .output()
        .expect("runs");
    let filtered = stdout_of(logscan().args(["filter", "--level", "error"]).arg(&path));
    let piped = write(dir.path(), "kept.log", filtered.as_bytes());
    let via_filter = stdout_of(logscan().args(["records", "--format", "app"]).arg(&piped));
    let traces = |ndjson: &str| -> Vec<usize> {
        lines_and_traces(ndjson.as_bytes())
            .into_iter()
            .map(|(_, trace)| trace)
            .collect()
    };
    let direct_out = String::from_utf8_lossy(&direct.stdout);
    assert_eq!(traces(&direct_out), [0, 1], "{direct_out}");
    assert_eq!(traces(&direct_out), traces(&via_filter));
    let stderr = String::from_utf8_lossy(&direct.stderr);
    assert!(
        stderr.contains("1 line of stack traces left out"),
        "{stderr}"
    );

    // A live pipe that pauses inside the trace of a record left out.
    let mut child = Command::new(env!("CARGO_BIN_EXE_logscan"))
        .args(["records", "--format", "app", "--level", "error"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(
            b"2024-11-27 09:00:00,000 ERROR [main] a.B: kept\n\tat k1\n\
              2024-11-27 09:00:01,000 INFO [main] a.B: left out\n\tat e1\n",
        )
        .expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(std::time::Duration::from_millis(700));
    stdin
        .write_all(b"\tat e2\n\tat e3\n2024-11-27 09:00:02,000 ERROR [main] a.B: kept2\n")
        .expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("waits");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Nothing met the conditions: the output is empty, and stderr says why.
    let none = logscan()
        .args(["records", "--status", "5xx"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(none.status.success() && none.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert!(
        stderr.contains("app.log: no record met the conditions"),
        "{stderr}"
    );
}

#[test]
fn filter_conditions_and_invert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log_bytes = combined_log(1_000);
    let log = write(dir.path(), "access.log", &log_bytes);
    let count = |args: &[&str]| -> usize {
        let out = logscan()
            .arg("filter")
            .args(args)
            .arg(&log)
            .output()
            .expect("runs");
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(1),
            "{args:?}"
        );
        out.stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count()
    };
    let is_line = |i: u64| !i.is_multiple_of(97);
    let expect = |f: &dyn Fn(u64) -> bool| (1..=1_000u64).filter(|&i| is_line(i) && f(i)).count();
    let status = |i: u64| {
        if i.is_multiple_of(13) {
            503
        } else if i.is_multiple_of(7) {
            404
        } else {
            200
        }
    };
    assert_eq!(count(&["--status", "5xx"]), expect(&|i| status(i) == 503));
    assert_eq!(count(&["--status", "404"]), expect(&|i| status(i) == 404));
    assert_eq!(
        count(&["--status", "400-599"]),
        expect(&|i| status(i) >= 400)
    );
    assert_eq!(count(&["--method", "post"]), expect(&|i| i % 5 == 0));
    assert_eq!(
        count(&["--path-prefix", "/api/"]),
        expect(&|i| i % 4 == 0 || i % 4 == 3)
    );
    assert_eq!(
        count(&["--path-regex", "^/api/v2/"]),
        expect(&|i| i % 4 == 3)
    );
    assert_eq!(count(&["--ip", "192.0.2.0/24"]), expect(&|i| i % 10 == 0));
    assert_eq!(
        count(&["--ip", "10.0.0.1,10.0.0.2"]),
        expect(&|i| matches!(i % 10, 1 | 2))
    );
    // Line i is stamped 06:25:00 + i seconds.
    assert_eq!(
        count(&[
            "--since",
            "2025-03-14T06:30:00Z",
            "--until",
            "14/Mar/2025:06:35:00 +0000"
        ]),
        expect(&|i| (300..=600).contains(&i))
    );
    // -v prints every other line, malformed ones included.
    assert_eq!(
        count(&["-v", "--status", "5xx"]),
        1_000 - expect(&|i| status(i) == 503)
    );

    // Raw lines, in input order.
    let out = stdout_of(logscan().args(["filter", "--status", "503"]).arg(&log));
    let want: Vec<&[u8]> = log_bytes
        .split(|&b| b == b'\n')
        .filter(|l| l.windows(5).any(|w| w == b"\" 503"))
        .collect();
    let got: Vec<&[u8]> = out
        .as_bytes()
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn ordered_output_is_identical_for_every_strategy_and_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    // About 1.3 MB: two scanner chunks (1 MiB) and several Stream blocks (256 KiB).
    let log = write(dir.path(), "access.log", &combined_log(12_000));
    for args in [&["filter", "--method", "POST"][..], &["records"]] {
        let want = stdout_of(
            logscan()
                .args(args)
                .args(["--io", "stream", "--threads", "1"])
                .arg(&log),
        );
        for io in STRATEGIES {
            for threads in ["1", "3"] {
                let got = stdout_of(
                    logscan()
                        .args(args)
                        .args(["--io", io, "--threads", threads])
                        .arg(&log),
                );
                assert!(
                    got == want,
                    "{args:?} --io {io} --threads {threads} differs"
                );
            }
        }
    }
}

#[test]
fn the_format_is_guessed_on_pipes_too() {
    let log = std::fs::read(shop_log()).expect("read");
    let want = stdout_of(
        logscan()
            .args(["filter", "--status", "404"])
            .arg(shop_log()),
    );
    assert!(!want.is_empty());
    let got = stdout_of(
        logscan()
            .args(["filter", "--status", "404"])
            .write_stdin(log),
    );
    assert_eq!(got, want);
}

#[test]
fn filter_slower_than_reads_the_served_time_in_the_formats_unit() {
    // The same requests written twice: nginx's `$request_time` in seconds and Apache's
    // `%D` in microseconds. `--slower-than` picks the same lines from both.
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut nginx, mut apache) = (Vec::new(), Vec::new());
    for i in 1..=200u64 {
        let us = i * 7_919 % 2_000_000; // 0 to 2 s
        let head = format!(
            "10.0.0.{} - - [14/Mar/2025:06:25:00 +0000] \"GET /r{i} HTTP/1.1\" 200 5 \"-\" \"t\"",
            i % 9
        );
        nginx.extend_from_slice(
            format!("{head} {}.{:03}\n", us / 1_000_000, us / 1_000 % 1_000).as_bytes(),
        );
        apache.extend_from_slice(format!("{head} {}\n", us / 1_000 * 1_000).as_bytes());
    }
    let nginx = write(dir.path(), "nginx.log", &nginx);
    let apache = write(dir.path(), "apache.log", &apache);
    let want = (1..=200u64)
        .filter(|i| i * 7_919 % 2_000_000 / 1_000 >= 500)
        .map(|i| format!("/r{i} "))
        .collect::<Vec<_>>();
    let paths = |out: String| {
        out.lines()
            .map(|l| {
                l.split(' ')
                    .nth(6)
                    .map(|p| format!("{p} "))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    let from_nginx = stdout_of(
        logscan()
            .args(["filter", "--slower-than", "500ms"])
            .arg(&nginx),
    );
    assert_eq!(paths(from_nginx), want);
    let from_apache = stdout_of(
        logscan()
            .args(["filter", "--slower-than", "0.5", "--apache-format"])
            .arg(r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D"#)
            .arg(&apache),
    );
    assert_eq!(paths(from_apache), want);
    // Guessed as combined, Apache's number is unread: nothing is slower, and a note
    // says how to read it.
    logscan()
        .args(["filter", "--slower-than", "0.5"])
        .arg(&apache)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("Apache's %D"));
    // `records` with the same condition writes nothing, says the same, and why none
    // was kept.
    logscan()
        .args(["records", "--slower-than", "0.5"])
        .arg(&apache)
        .assert()
        .code(0)
        .stdout("")
        .stderr(
            predicate::str::contains("Apache's %D")
                .and(predicate::str::contains("no record met the conditions")),
        );
    // Without a served time no line is slower than anything: exit status 1.
    logscan()
        .args(["filter", "--slower-than", "0s"])
        .arg(shop_log())
        .assert()
        .code(1)
        .stdout("");
    logscan()
        .args(["filter", "--slower-than", "soon"])
        .arg(&nginx)
        .assert()
        .code(2)
        .stderr("logscan: --slower-than: cannot read `soon` (try 500ms, 1.5s, 250us, 1m30s, or seconds: 0.5)\n");
}

/// An Apache log whose time is written in a strftime layout: the summary's time range,
/// `filter --since` and `slice` all read it.
#[test]
fn apache_times_in_a_strftime_layout_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let format = r#"%h [%{%Y-%m-%d %H:%M:%S}t] "%r" %>s %b"#;
    let mut log = Vec::new();
    for minute in 0..10 {
        log.extend_from_slice(
            format!(
                "10.0.0.{minute} [2024-11-27 09:0{minute}:30] \"GET /p{minute} HTTP/1.1\" 200 5\n"
            )
            .as_bytes(),
        );
    }
    let log = write(dir.path(), "strftime.log", &log);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        logscan()
            .args(["summary", "--json", "--apache-format", format])
            .arg(&log),
    ))
    .expect("JSON");
    assert_eq!(json["lines"]["malformed"], 0, "{json}");
    assert_eq!(json["time"]["first"], "2024-11-27T09:00:30");
    assert_eq!(json["time"]["last"], "2024-11-27T09:09:30");
    let since = stdout_of(
        logscan()
            .args(["filter", "--apache-format", format, "--since"])
            .arg("2024-11-27T09:08:00Z")
            .arg(&log),
    );
    assert_eq!(since.lines().count(), 2, "{since}");
    let slice = stdout_of(
        logscan()
            .args(["slice", "--apache-format", format, "--from"])
            .arg("2024-11-27T09:03:00Z")
            .args(["--to", "2024-11-27T09:04:59Z"])
            .arg(&log),
    );
    assert_eq!(
        slice
            .lines()
            .map(|l| l.split(' ').nth(4))
            .collect::<Vec<_>>(),
        [Some("/p3"), Some("/p4")]
    );
}

#[test]
fn filter_on_application_logs_by_level() {
    // logpai/loghub Zookeeper/Zookeeper_2k.log: log4j lines with INFO/WARN/ERROR.
    let log = realdata("logpai_loghub/Zookeeper/Zookeeper_2k.log");
    let warn = stdout_of(
        logscan()
            .args(["filter", "--format", "app", "--level", "warn"])
            .arg(&log),
    );
    let error = stdout_of(
        logscan()
            .args(["filter", "--format", "app", "--level", "error"])
            .arg(&log),
    );
    assert!(!warn.is_empty() && !error.is_empty());
    assert!(warn.lines().count() > error.lines().count());
    assert!(
        warn.lines()
            .all(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("FATAL"))
    );
    assert!(!warn.contains(" INFO "));
}

#[test]
fn filter_by_virtual_host() {
    // jwodder/apachelogs vhost_combined.log: six requests for www.varonathe.org:80 and
    // a bad line.
    let log = realdata("jwodder_apachelogs/test/data/vhost_combined.log");
    for wanted in ["www.varonathe.org", "WWW.Varonathe.org", "*.varonathe.org"] {
        let out = stdout_of(logscan().args(["filter", "--host", wanted]).arg(&log));
        assert_eq!(out.lines().count(), 6, "{wanted}: {out}");
        assert!(
            out.lines().all(|l| l.starts_with("www.varonathe.org:80 ")),
            "{out}"
        );
    }
    logscan()
        .args(["filter", "--host", "varonathe.org"])
        .arg(&log)
        .assert()
        .code(1)
        .stdout("");
    let inverted = stdout_of(
        logscan()
            .args(["filter", "--host", "other.example", "--invert-match"])
            .arg(&log),
    );
    // As with grep -v: every line the conditions do not take, the bad one too.
    assert_eq!(inverted.lines().count(), 7, "{inverted}");
}

#[test]
fn filter_matching_nothing_exits_1() {
    logscan()
        .args(["filter", "--status", "418"])
        .arg(shop_log())
        .assert()
        .code(1)
        .stdout("");
}

#[test]
fn records_are_typed_ndjson() {
    let out = stdout_of(logscan().arg("records").arg(shop_log()));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1_000);
    let first: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON");
    assert_eq!(first["_line"], 1);
    assert_eq!(first["status"], 200);
    assert_eq!(first["time_local"], "2019-01-22T03:56:14+03:30");
    assert_eq!(first["remote_addr"], "54.36.149.41");
    for line in lines {
        let _: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
    }
}

#[test]
fn records_leave_out_malformed_lines_and_say_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "access.log", &combined_log(200));
    logscan()
        .args(["records", "--format", "combined"])
        .arg(&log)
        .assert()
        .success()
        .stdout(predicate::function(|s: &str| s.lines().count() == 198))
        .stderr(predicate::str::contains(
            "2 malformed lines left out (the first is line 97)",
        ));
    logscan()
        .args(["records", "-q", "--format", "combined"])
        .arg(&log)
        .assert()
        .success()
        .stderr("");
}

#[test]
fn slice_by_binary_search_equals_a_full_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    // About 10 MB: mapped under --io auto, so the search takes many probes.
    let bytes = combined_log(100_000);
    let log = write(dir.path(), "access.log", &bytes);
    let (from, to) = ("2025-03-14T12:00:00Z", "2025-03-14T12:10:00Z");
    // --io stream cannot search: it is the full scan every other strategy must match.
    let reference = stdout_of(
        logscan()
            .args(["slice", "--io", "stream", "--from", from, "--to", to])
            .arg(&log),
    );
    // Line i is stamped 06:25:00 + i s, so lines 20100..=20700, the malformed line
    // 20176 among them (a line without a time goes with the line before it).
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let mut want = lines[20_099..20_700].join(&b'\n');
    want.push(b'\n');
    assert!(
        reference.as_bytes() == want.as_slice(),
        "the full scan prints lines 20100..=20700"
    );
    for io in STRATEGIES {
        let got = stdout_of(
            logscan()
                .args(["slice", "--io", io, "--from", from, "--to", to])
                .arg(&log),
        );
        assert!(got == reference, "--io {io}");
    }
    // filter reads each line's own time: the malformed line is not printed.
    let filtered = stdout_of(
        logscan()
            .args(["filter", "--since", from, "--until", to])
            .arg(&log),
    );
    let own_time_in_range = (20_100..=20_700u64).filter(|i| i % 97 != 0).count();
    assert_eq!(filtered.lines().count(), own_time_in_range);
}

#[test]
fn slice_outside_the_log_is_a_message_and_exit_1() {
    logscan()
        .args(["slice", "--from", "2030-01-01T00:00:00Z", "--to", "2030-01-02T00:00:00Z"])
        .arg(shop_log())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "is outside the log, which runs from 2019-01-22T03:56:14+03:30 to 2019-01-22T03:59:11+03:30",
        ));
}

#[test]
fn slice_of_a_log_out_of_order_falls_back_to_a_full_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let forward = combined_log(20_000);
    let mut lines: Vec<&[u8]> = forward
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    lines.reverse();
    let mut reversed = lines.join(&b'\n');
    reversed.push(b'\n');
    let log = write(dir.path(), "reversed.log", &reversed);
    let (from, to) = ("2025-03-14T08:00:00Z", "2025-03-14T08:01:00Z");
    let want = stdout_of(
        logscan()
            .args(["slice", "--io", "stream", "--from", from, "--to", to])
            .arg(&log),
    );
    assert!(!want.is_empty());
    logscan()
        .args(["slice", "--from", from, "--to", to])
        .arg(&log)
        .assert()
        .success()
        .stdout(want)
        .stderr(predicate::str::contains("not in time order"));
}

#[test]
fn nginx_conf_supplies_the_format() {
    // satyrius/gonx example/access.log, with its log_format (see SOURCES.md).
    let log = realdata("satyrius_gonx/example/access.log");
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = write(
        dir.path(),
        "nginx.conf",
        br#"
http {
    # the format gonx's example was written with
    log_format gonx '$remote_addr [$time_local] "$request" $status $x $bytes '
                    '$request_time "$preset" $a $b';
    log_format short '$remote_addr';
}
"#,
    );
    let out = stdout_of(
        logscan()
            .args(["count", "--format-name", "gonx", "--nginx-conf"])
            .arg(&conf)
            .arg(&log),
    );
    assert_eq!(out, "lines: 1000\nmalformed: 0\n");
    let direct = stdout_of(
        logscan()
            .args([
                "filter",
                "--status",
                "404",
                "--log-format",
                r#"$remote_addr [$time_local] "$request" $status $x $bytes $request_time "$preset" $a $b"#,
            ])
            .arg(&log),
    );
    let via_conf = stdout_of(
        logscan()
            .args([
                "filter",
                "--status",
                "404",
                "--format-name",
                "gonx",
                "--nginx-conf",
            ])
            .arg(&conf)
            .arg(&log),
    );
    assert_eq!(direct, via_conf);
    assert!(!direct.is_empty());
    logscan()
        .args(["count", "--nginx-conf"])
        .arg(&conf)
        .arg(&log)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "several log_format directives (gonx, short)",
        ));
}

/// A configuration that defines several `log_format`s is read with the one its
/// `access_log` directives write with, as `--apache-conf` reads `CustomLog`.
#[test]
fn nginx_conf_uses_the_format_its_access_log_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let formats = r#"
http {
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" "$http_user_agent"';
    log_format timed '$remote_addr - $remote_user [$time_local] "$request" '
                     '$status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';
"#;
    let conf = |name: &str, access_logs: &str| {
        write(
            dir.path(),
            name,
            format!("{formats}{access_logs}\n}}\n").as_bytes(),
        )
    };
    let log = write(
        dir.path(),
        "access.log",
        b"10.0.0.1 - - [14/Mar/2025:06:00:01 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"curl/8.5\" 0.250\n\
          10.0.0.2 - - [14/Mar/2025:06:00:02 +0000] \"GET /b HTTP/1.1\" 503 9 \"-\" \"curl/8.5\" 1.500\n",
    );
    let first_record = |conf: &std::path::Path| {
        let out = stdout_of(
            logscan()
                .args(["records", "--nginx-conf"])
                .arg(conf)
                .arg(&log),
        );
        let first = out.lines().next().expect("a record").to_owned();
        serde_json::from_str::<serde_json::Value>(&first).expect("JSON")
    };
    let timed = conf(
        "timed.conf",
        "    access_log off;\n    server {\n        access_log /var/log/nginx/access.log timed buffer=32k flush=5m;\n    }",
    );
    let record = first_record(&timed);
    assert_eq!(record["request_time"], 0.25, "{record}");
    assert_eq!(record["http_user_agent"], "curl/8.5", "{record}");
    let summary = stdout_of(
        logscan()
            .args(["summary", "--nginx-conf"])
            .arg(&timed)
            .arg(&log),
    );
    assert!(
        summary.contains("served time     min 250.0 ms"),
        "{summary}"
    );
    // `--format-name` wins.
    let out = stdout_of(
        logscan()
            .args(["records", "--format-name", "main", "--nginx-conf"])
            .arg(&timed)
            .arg(&log),
    );
    assert!(!out.contains("request_time"), "{out}");

    // An access_log that names no format writes nginx's predefined combined.
    let combined = conf("combined.conf", "    access_log /var/log/nginx/access.log;");
    let record = first_record(&combined);
    assert_eq!(record.get("request_time"), None, "{record}");
    assert_eq!(record["status"], 200, "{record}");

    // Two different formats: one line naming them.
    let both = conf(
        "both.conf",
        "    access_log /var/log/nginx/access.log timed;\n    access_log /var/log/nginx/plain.log main;",
    );
    let out = logscan()
        .args(["summary", "--nginx-conf"])
        .arg(&both)
        .arg(&log)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        format!(
            "logscan: {}: its access_log directives use several formats (timed, main); pick one with --format-name\n",
            both.display()
        )
    );
}

#[test]
fn apache_conf_supplies_the_format() {
    // jwodder/apachelogs test/data/vhost_combined.log (see SOURCES.md): Apache's
    // vhost_combined, as Debian's apache2.conf defines it; line 5 is not a log line.
    let log = realdata("jwodder_apachelogs/test/data/vhost_combined.log");
    let dir = tempfile::tempdir().expect("tempdir");
    let debian = r#"
# These deviate from the Common Log Format definitions in that they use %O
LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" vhost_combined
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
LogFormat "%h %l %u %t \"%r\" %>s %O" common
"#;
    let several = write(dir.path(), "apache2.conf", debian.as_bytes());
    let count = |conf: &std::path::Path, name: Option<&str>| {
        let mut cmd = logscan();
        cmd.args(["count", "--apache-conf"]).arg(conf);
        if let Some(name) = name {
            cmd.args(["--format-name", name]);
        }
        cmd.arg(&log).output().expect("runs")
    };
    let out = count(&several, Some("vhost_combined"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "lines: 7\nmalformed: 1\n"
    );
    // Without a name, the CustomLog line chooses; here it writes its format out, over
    // two lines joined by a backslash.
    let site = format!(
        "{debian}<VirtualHost *:80>\n    CustomLog ${{APACHE_LOG_DIR}}/access.log vhost_combined\n</VirtualHost>\n"
    );
    let by_custom_log = write(dir.path(), "site.conf", site.as_bytes());
    assert_eq!(count(&by_custom_log, None).stdout, out.stdout);
    let inline = write(
        dir.path(),
        "inline.conf",
        // Apache joins a line ending in `\` to the next as it stands, indentation and
        // all: so the next line starts at its first column here.
        b"  CustomLog logs/access_log \"%v:%p %h %l %u %t \\\"%r\\\" %>s %O \\\n\\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\"\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&count(&inline, None).stdout),
        "lines: 7\nmalformed: 1\n"
    );
    for (conf, name, error) in [
        (
            &several,
            None,
            "apache2.conf: defines several LogFormat lines (vhost_combined, combined, common); pick one with --format-name\n",
        ),
        (
            &several,
            Some("main"),
            "apache2.conf: no LogFormat nicknamed `main` (it defines: vhost_combined, combined, common)\n",
        ),
    ] {
        let out = count(conf, name);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.ends_with(error), "{stderr}");
    }
    logscan()
        .args(["count", "--format-name", "main"])
        .arg(&log)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--apache-conf"));
}

#[test]
fn long_lines_error_or_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = b"short\nshort\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 300));
    bytes.extend_from_slice(b"\nshort\n");
    let log = write(dir.path(), "long.log", &bytes);
    for io in STRATEGIES {
        logscan()
            .args(["count", "--max-line-length", "100", "--io", io])
            .arg(&log)
            .assert()
            .code(2)
            .stderr(predicate::str::ends_with(
                "line longer than 100 bytes; raise --max-line-length or pass --skip-long-lines (line 3, byte 12)\n",
            ));
        let out = stdout_of(
            logscan()
                .args([
                    "count",
                    "--max-line-length",
                    "100",
                    "--skip-long-lines",
                    "--io",
                    io,
                ])
                .arg(&log),
        );
        assert_eq!(out, "lines: 3\nskipped (too long): 1\n", "--io {io}");
    }
}

/// The commands that print lines as they go print the same lines before an over-long
/// one on every strategy (the mapped and read ones used to drop the chunk that held
/// it, or, for slice, everything), then fail on it.
#[test]
fn lines_before_an_over_long_line_are_printed_on_every_strategy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = combined_log(300);
    let at = bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(199)
        .map_or(0, |(i, _)| i + 1);
    let long: Vec<u8> = std::iter::repeat_n(b'y', 5000).chain([b'\n']).collect();
    bytes.splice(at..at, long);
    let log = write(dir.path(), "long.log", &bytes);
    let commands: [&[&str]; 3] = [
        &["records"],
        &["filter", "--status", "200"],
        &[
            "slice",
            "--from",
            "2000-01-01T00:00:00Z",
            "--to",
            "2100-01-01T00:00:00Z",
        ],
    ];
    for command in commands {
        let mut seen = Vec::new();
        for io in STRATEGIES {
            let out = logscan()
                .args(command)
                .args(["-q", "--max-line-length", "1000", "--io", io])
                .arg(&log)
                .output()
                .expect("runs");
            assert_eq!(out.status.code(), Some(2), "{command:?} --io {io}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("(line 201, byte"),
                "{command:?} --io {io}: {stderr}"
            );
            seen.push((io, out.stdout));
        }
        let lines = seen[0].1.split(|&b| b == b'\n').count() - 1;
        assert!(
            lines > 100,
            "{command:?}: {lines} lines before the long one"
        );
        for (io, out) in &seen[1..] {
            assert!(
                *out == seen[0].1,
                "{command:?}: --io {io} differs from --io {}",
                seen[0].0
            );
        }
    }
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in [
        "summary",
        "count",
        "filter",
        "slice",
        "records",
        "completions",
    ] {
        logscan()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:\n  logscan "));
    }
    logscan()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status"));
    logscan().arg("--version").assert().success();
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker, io_flag) in [
        ("bash", "complete -F", "--io"),
        ("zsh", "#compdef logscan", "--io"),
        ("fish", "complete -c logscan", "-l io"),
    ] {
        logscan()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker).and(predicate::str::contains(io_flag)));
    }
}

/// `tail -f access.log | logscan filter ...`: lines come through while the writer is
/// still running, not only when a block fills or the input ends. The test keeps the
/// pipe open until each expected line has come out (or 30 s passed).
#[test]
fn filter_and_records_follow_a_live_pipe() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    let log = combined_log(30); // line 13 is a 503, line 26 too
    let lines: Vec<&[u8]> = log.split_inclusive(|&b| b == b'\n').collect();
    for (args, first_out) in [
        (&["filter", "--status", "5xx"][..], "GET /index.html"),
        (&["records", "--format", "combined"][..], "\"_line\":1,"),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_logscan"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // The first 20 lines, then a pause with the pipe still open.
        for line in &lines[..20] {
            stdin.write_all(line).expect("write");
        }
        stdin.flush().expect("flush");
        let got = rx.recv_timeout(Duration::from_secs(30));
        let got = got.unwrap_or_else(|_| panic!("{args:?}: no output while the pipe is open"));
        assert!(got.contains(first_out), "{args:?}: {got}");
        for line in &lines[20..] {
            stdin.write_all(line).expect("write");
        }
        drop(stdin);
        let status = child.wait().expect("waits");
        assert!(status.success(), "{args:?}: {status}");
        reader.join().expect("reader");
    }
}

#[test]
fn filter_and_slice_repeat_crlf_lines_as_they_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lf = combined_log(3_000);
    let crlf_of = |lf: &[u8]| {
        let mut crlf = Vec::with_capacity(lf.len() + lf.len() / 100);
        for line in lf.split_inclusive(|&b| b == b'\n') {
            match line.strip_suffix(b"\n") {
                Some(body) => crlf.extend_from_slice(&[body, b"\r\n"].concat()),
                None => crlf.extend_from_slice(line),
            }
        }
        crlf
    };
    // The last line without its line ending: printed with the newline it lacks.
    let mut crlf = crlf_of(&lf);
    crlf.truncate(crlf.len() - 2);
    let lf_log = write(dir.path(), "lf.log", &lf);
    let crlf_log = write(dir.path(), "crlf.log", &crlf);
    let (from, to) = ("2025-03-14T06:40:00Z", "2025-03-14T07:30:00Z");
    let commands: [&[&str]; 3] = [
        &["filter", "--status", "404"],
        &["filter", "--ip", "192.0.2.0/24", "-v"],
        &["slice", "--from", from, "--to", to],
    ];
    for command in commands {
        let from_lf = stdout_of(logscan().args(command).arg(&lf_log));
        assert!(from_lf.lines().count() > 10, "{command:?} prints lines");
        let mut want = crlf_of(from_lf.as_bytes());
        if want.ends_with(b"\r\n") && from_lf.ends_with(&lf_last_line(&lf)) {
            // The file's last line had no ending to repeat.
            want.truncate(want.len() - 2);
            want.push(b'\n');
        }
        for io in STRATEGIES {
            let got = stdout_of(logscan().args(command).args(["--io", io]).arg(&crlf_log));
            assert!(got.as_bytes() == want.as_slice(), "{command:?} --io {io}");
        }
    }
}

/// The last line of `lf`, with its newline.
fn lf_last_line(lf: &[u8]) -> String {
    let body = lf.strip_suffix(b"\n").unwrap_or(lf);
    let start = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    format!("{}\n", String::from_utf8_lossy(&body[start..]))
}

#[test]
fn json_keys_are_chosen_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(
        dir.path(),
        "app.jsonl",
        concat!(
            r#"{"when":"2025-03-14T06:25:00Z","sev":"error","text":"boom 42","code":503,"route":"/x"}"#,
            "\n",
            r#"{"when":"2025-03-14T06:26:00Z","sev":"info","text":"ok","code":200,"route":"/y"}"#,
            "\n",
        )
        .as_bytes(),
    );
    let keys = [
        "--json-key",
        "time=when",
        "--json-key",
        "level=sev",
        "--json-key",
        "message=text,msg",
        "--json-key",
        "status=code",
        "--json-key",
        "path=route",
    ];
    let report: serde_json::Value = serde_json::from_str(&stdout_of(
        logscan().args(["summary", "--json"]).args(keys).arg(&log),
    ))
    .expect("JSON report");
    assert_eq!(report["format"], "json");
    assert_eq!(report["time"]["first"], "2025-03-14T06:25:00Z");
    assert_eq!(report["access"]["requests"], 2);
    assert_eq!(report["access"]["status_classes"]["5xx"], 1);
    assert_eq!(report["app"]["levels"][0]["level"], "INFO");
    assert_eq!(
        report["app"]["top_messages"]["entries"][0]["template"],
        "boom <*>"
    );
    // Without the keys none of these fields is found.
    let plain: serde_json::Value =
        serde_json::from_str(&stdout_of(logscan().args(["summary", "--json"]).arg(&log)))
            .expect("JSON report");
    assert_eq!(plain["time"]["first"], serde_json::Value::Null);

    logscan()
        .args(["filter", "--level", "error"])
        .args(keys)
        .arg(&log)
        .assert()
        .success()
        .stdout(predicate::str::contains("boom 42").and(predicate::str::contains("\"ok\"").not()));
    for (bad, says) in [
        ("colour=c", "unknown JSON field `colour`"),
        ("time", "is not FIELD=KEY"),
        ("time=", "the JSON key list for time is empty"),
    ] {
        logscan()
            .args(["summary", "--json-key", bad])
            .arg(&log)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    logscan()
        .args(["summary", "--format", "combined", "--json-key", "time=t"])
        .arg(&log)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot go with --format combined"));
}
