//! Bad input, exit codes, closed pipes and the allocation statistics line: the
//! binary ends with one clear line and a known status, never a panic.

mod support;

use std::{
    io::Read,
    process::{Command as StdCommand, Stdio},
};

use predicates::prelude::*;
use support::*;

const COMMANDS: [&[&str]; 6] = [
    &["count"],
    &["count", "--format", "combined"],
    &["summary"],
    &["filter", "--status", "5xx"],
    &[
        "slice",
        "--from",
        "2025-01-01T00:00:00Z",
        "--to",
        "2025-12-31T00:00:00Z",
    ],
    &["records"],
];

#[test]
fn a_missing_file_is_one_line_and_exit_2() {
    for args in COMMANDS {
        logscan()
            .args(args)
            .arg("/nonexistent/access.log")
            .assert()
            .code(2)
            .stdout("")
            .stderr("logscan: /nonexistent/access.log: no such file\n");
    }
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    for io in ["auto", "stream", "read", "mmap"] {
        logscan()
            .args(["count", "--io", io])
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(format!(
                "logscan: {}: is a directory\n",
                dir.path().display()
            ));
    }
}

#[test]
fn the_other_files_are_still_read_after_a_bad_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "a.log", &combined_log(10));
    logscan()
        .arg("count")
        .arg("/nonexistent")
        .arg(&log)
        .assert()
        .code(2)
        .stdout("lines: 10\n")
        .stderr("logscan: /nonexistent: no such file\n");
}

#[test]
fn an_unreadable_file_is_an_io_error() {
    // The tests may run as root, which reads any file whatever its mode. Linux's
    // /proc/self/mem opens fine for anyone but fails the first read (address 0 is not
    // mapped): an honest unreadable file. logscan reads its own /proc/self/mem.
    logscan()
        .args(["count", "/proc/self/mem"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with("logscan: /proc/self/mem: ").and(
                predicate::str::contains("rror"), // "Input/output error"
            ),
        );
    // A file without read permission, where permissions apply (not for root).
    let dir = tempfile::tempdir().expect("tempdir");
    let locked = write(dir.path(), "locked.log", b"secret\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        eprintln!("skipping the mode-000 case: this process can read it anyway (root)");
        return;
    }
    logscan()
        .arg("count")
        .arg(&locked)
        .assert()
        .code(2)
        .stderr(format!(
            "logscan: {}: permission denied\n",
            locked.display()
        ));
}

#[test]
fn a_binary_file_is_counted_and_has_no_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let lines =
        bytes.iter().filter(|&&b| b == b'\n').count() + usize::from(bytes.last() != Some(&b'\n'));
    let bin = write(dir.path(), "blob.bin", &bytes);
    logscan()
        .arg("count")
        .arg(&bin)
        .assert()
        .success()
        .stdout(format!("lines: {lines}\n"));
    for args in [
        &["records"][..],
        &["filter", "--status", "200"],
        &["count", "--format", "auto"],
    ] {
        logscan()
            .args(args)
            .arg(&bin)
            .assert()
            .code(2)
            .stderr(format!(
                "logscan: {}: cannot tell the log format from the first lines; pass --format, --log-format or --apache-format\n",
                bin.display()
            ));
    }
    // With a format named, every line is malformed, which is not an error.
    logscan()
        .args(["count", "--format", "combined"])
        .arg(&bin)
        .assert()
        .success()
        .stdout(format!("lines: {lines}\nmalformed: {lines}\n"));
}

#[test]
fn usage_errors_exit_2() {
    let log = shop_log();
    for args in [
        &["count", "--no-such-flag"][..],
        &["count", "--io", "fast"],
        &["count", "--threads", "many"],
        &["count", "--max-line-length", "12X"],
        &["bogus"],
        &[],
        &["filter"],
        &["filter", "--status", "abc"],
        &["filter", "--ip", "10.0.0.0/40"],
        &["filter", "--since", "yesterday"],
        &["filter", "--level", "loud"],
        &["filter", "--path-regex", "("],
        &["filter", "--since", "2025-01-02", "--until", "2025-01-01"],
        &["slice", "--from", "2025-01-02", "--to", "2025-01-01"],
        &["slice", "--from", "2025-01-02"],
        &["summary", "--json", "--csv"],
        &["count", "--log-format", "$a$b"],
        &["count", "--apache-format", "%h %Z"],
        &["count", "--apache-format", "%h", "--format", "combined"],
        &["completions", "tcsh"],
    ] {
        let out = logscan().args(args).arg(&log).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn apache_format_errors_name_the_directive_and_column() {
    logscan()
        .args([
            "count",
            "--apache-format",
            r#"LogFormat "%h %{Referer}i%s" x"#,
        ])
        .arg(shop_log())
        .assert()
        .code(2)
        .stderr(
            "logscan: --apache-format: Apache directives %{Referer}i and %s at column 25 have no \
             separator between them, so a line cannot say where one ends\n",
        );
}

#[test]
fn own_usage_errors_are_one_line() {
    logscan()
        .args(["filter", "--status", "abc"])
        .arg(shop_log())
        .assert()
        .code(2)
        .stderr(
            "logscan: --status: cannot read `abc` (try 404, 5xx, 400-499, or a list: 404,5xx)\n",
        );
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Far more output than a pipe buffers, so writing must fail once the reader goes.
    let log = write(dir.path(), "access.log", &combined_log(50_000));
    for args in [&["filter", "--method", "GET"][..], &["records"]] {
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_logscan"))
            .args(args)
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout); // like `| head -c 100`
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn a_closed_stderr_does_not_crash() {
    for (args, code) in [(&["count", "/nonexistent"][..], 2), (&["count", "-"], 0)] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader); // every write to stderr now fails with EPIPE
        let status = StdCommand::new(env!("CARGO_BIN_EXE_logscan"))
            .args(args)
            .env("LOGSCAN_ALLOC_STATS", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(writer)
            .status()
            .expect("runs");
        assert_eq!(status.code(), Some(code), "{args:?}: {status:?}");
    }
}

#[test]
fn alloc_stats_line_on_success_and_on_errors() {
    let pattern =
        predicate::str::is_match(r"(?m)^logscan-alloc: allocations=\d+ peak_heap_bytes=\d+\n\z")
            .expect("regex");
    let with_stats = || {
        let mut cmd = logscan();
        cmd.env("LOGSCAN_ALLOC_STATS", "1");
        cmd
    };
    with_stats()
        .arg("count")
        .arg(shop_log())
        .assert()
        .success()
        .stderr(pattern.clone());
    with_stats()
        .args(["count", "/nonexistent"])
        .assert()
        .code(2)
        .stderr(pattern.clone());
    with_stats()
        .args(["count", "--io", "nope"])
        .assert()
        .code(2)
        .stderr(pattern.clone());
    with_stats()
        .args(["filter", "--status", "418"])
        .arg(shop_log())
        .assert()
        .code(1)
        .stderr(pattern);
    let out = with_stats()
        .arg("count")
        .arg(shop_log())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        text.matches("logscan-alloc:").count(),
        1,
        "exactly one line"
    );
    logscan()
        .arg("count")
        .arg(shop_log())
        .assert()
        .success()
        .stderr("");
}

#[test]
fn hostile_inputs_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let gz = write_gz(d, "ok.gz", &combined_log(100));
    let gz_bytes = std::fs::read(&gz).expect("read gz");
    let mut corrupt = gz_bytes.clone();
    for b in corrupt.iter_mut().skip(20).step_by(7) {
        *b ^= 0x5a;
    }
    let sparse = d.join("sparse.log");
    std::fs::File::create(&sparse)
        .and_then(|f| f.set_len(3 << 20))
        .expect("sparse file");
    let loop_a = d.join("loop_a");
    std::os::unix::fs::symlink(d.join("loop_b"), &loop_a).expect("symlink");
    std::os::unix::fs::symlink(&loop_a, d.join("loop_b")).expect("symlink");
    let inputs = [
        write(d, "empty.log", b""),
        write(d, "newlines.log", b"\n\n\n"),
        write(d, "nul.log", &[0u8; 5000]),
        write(d, "crlf.log", b"a\r\nb\r\n\r\n"),
        write(
            d,
            "utf8.log",
            b"\xff\xfe\xc3\x28 [99/Zzz/2025:99:99:99 +9999] \"\xe2\x82\" 9999\n",
        ),
        write(d, "cut.gz", &gz_bytes[..gz_bytes.len() / 2]),
        write(d, "corrupt.gz", &corrupt),
        write(
            d,
            "json.log",
            b"{\"a\":\n{\"time\":\"nope\",\"status\":\"x\"}\n[1,2]\n",
        ),
        sparse,
        loop_a,
        "/dev/null".into(),
    ];
    for input in &inputs {
        for args in COMMANDS {
            let out = logscan()
                .args(args)
                .args(["--max-line-length", "1M"])
                .arg(input)
                .output()
                .expect("runs");
            let code = out.status.code();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(code, Some(0..=2)),
                "{args:?} {input:?}: {code:?} {stderr}"
            );
            assert!(
                stderr.lines().all(|l| l.starts_with("logscan: ")),
                "{args:?} {input:?}: {stderr}"
            );
            assert!(!stderr.contains("panicked") && !stderr.contains("internal error"));
        }
    }
}

#[test]
fn endless_devices_stop_at_the_line_limit() {
    logscan()
        .args(["count", "--max-line-length", "1M", "/dev/zero"])
        .assert()
        .code(2)
        .stderr("logscan: /dev/zero: line longer than 1048576 bytes; raise --max-line-length or pass --skip-long-lines (line 1, byte 0)\n");
}

#[test]
fn a_fifo_is_read_as_a_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo");
    let made = StdCommand::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    let log = combined_log(1_000);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, log))
    };
    logscan()
        .args(["count", "--format", "combined"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .stdout("lines: 1000\nmalformed: 10\n");
    writer.join().expect("writer thread").expect("write fifo");
}

/// A `.gz` cut short (copied partway, or rotated while being compressed): as `zcat`
/// does, `filter`, `records` and `slice` print what decompressed before the cut, whole lines
/// only, then the error names the input and how far it got; exit status 2. `count`
/// and `summary` leave the failed input out of their totals, as for any input that
/// fails mid-way, and still show the other inputs.
#[test]
fn a_cut_gzip_prints_its_complete_lines_then_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let log = combined_log(2_000);
    let whole = std::fs::read(write_gz(d, "whole.gz", &log)).expect("read gz");
    let cut = write(d, "access.log.gz", &whole[..whole.len() / 2]);
    // What `zcat` gets from it, and its complete lines as a plain log.
    let mut decoded = Vec::new();
    let failed = flate2::read::GzDecoder::new(&whole[..whole.len() / 2])
        .read_to_end(&mut decoded)
        .is_err();
    assert!(failed, "the cut stream must fail");
    let complete = decoded
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    assert!(
        complete < decoded.len(),
        "the cut is inside a line, which must not be printed"
    );
    let good = write(d, "good.log", &decoded[..complete]);
    let error = format!(
        "logscan: {}: bad gzip data after {} decompressed bytes: ",
        cut.display(),
        decoded.len()
    );

    let slice = [
        "slice",
        "--from",
        "2025-03-14T06:30:00Z",
        "--to",
        "2025-03-14T06:35:00Z",
    ];
    for args in [&["filter", "--status", "5xx"][..], &["records"], &slice] {
        let want = stdout_of(logscan().args(args).arg(&good));
        assert!(want.lines().count() > 10, "{args:?}: {want}");
        for io in ["auto", "stream", "read"] {
            let out = logscan()
                .args(args)
                .args(["--io", io])
                .arg(&cut)
                .output()
                .expect("runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?} --io {io}: {stderr}");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                want,
                "{args:?} --io {io}"
            );
            assert_eq!(stderr.lines().count(), 1, "{args:?} --io {io}: {stderr}");
            assert!(stderr.starts_with(&error), "{args:?} --io {io}: {stderr}");
        }
    }
    // Through a pipe too.
    logscan()
        .args(["filter", "--status", "5xx"])
        .write_stdin(&whole[..whole.len() / 2])
        .assert()
        .code(2)
        .stdout(stdout_of(
            logscan().args(["filter", "--status", "5xx"]).arg(&good),
        ))
        .stderr(predicate::str::starts_with(
            error.replace(&cut.display().to_string(), "-"),
        ));

    let a = write(d, "a.log", &combined_log(10));
    logscan()
        .arg("count")
        .arg(&a)
        .arg(&cut)
        .arg(&a)
        .assert()
        .code(2)
        .stdout("lines: 20\n")
        .stderr(predicate::str::starts_with(error.as_str()));
}
