//! The parser on the real logs in `testdata/realdata` (sources and licences in each
//! folder's SOURCES.md): level and time coverage on the loghub application logs,
//! format detection, and snapshots of the first 50 records of every file.

mod common;

use common::{lines_of, render};
use logscan_parse::LogFormat;

/// The gonx example's own nginx format (satyrius_gonx/example/access.log); the names
/// of its unnamed numeric columns are ours.
const GONX_FORMAT: &str = r#"$remote_addr [$time_local] "$request" $status $request_length $body_bytes_sent $request_time "$t_size" $read_time $gen_time"#;

/// The year syslog lines are given, fixed so snapshots do not change with the calendar.
const YEAR: i32 = 2024;

fn app() -> LogFormat {
    LogFormat::app_builder().assumed_year(YEAR).build()
}

const LOGHUB: [&str; 7] = [
    "logpai_loghub/Apache/Apache_2k.log",
    "logpai_loghub/HDFS/HDFS_2k.log",
    "logpai_loghub/Hadoop/Hadoop_2k.log",
    "logpai_loghub/Linux/Linux_2k.log",
    "logpai_loghub/OpenSSH/OpenSSH_2k.log",
    "logpai_loghub/Spark/Spark_2k.log",
    "logpai_loghub/Zookeeper/Zookeeper_2k.log",
];

/// The access logs and the format each should be detected as.
const ACCESS: [(&str, &str); 8] = [
    ("tstack_lnav/test/logfile_access_log.0", "combined"),
    ("tstack_lnav/test/logfile_haproxy.0", "haproxy_syslog"),
    ("tstack_lnav/test/logfile_access_log.1", "combined"),
    ("tstack_lnav/test/logfile_bad_access_log.0", "combined"),
    (
        "tstack_lnav/test/logfile_regexp_access_log.0",
        "vhost_combined",
    ),
    ("tstack_lnav/test/logfile_shop_access_log.0", "combined_xff"),
    (
        "jwodder_apachelogs/test/data/vhost_combined.log",
        "vhost_combined",
    ),
    ("satyrius_gonx/example/access.log", "nginx"),
];

#[test]
fn loghub_level_and_time_found_for_99_percent() {
    let format = app();
    for file in LOGHUB {
        let lines = lines_of(file);
        assert_eq!(lines.len(), 2000, "{file}");
        let mut both = 0;
        let mut explicit_level = 0;
        for line in &lines {
            if let Ok(r) = format.parse(line) {
                if r.timestamp().is_some() && r.level().is_some() {
                    both += 1;
                }
                if r.level().is_some() && !r.level_is_assumed() {
                    explicit_level += 1;
                }
            }
        }
        assert!(
            both * 100 >= lines.len() * 99,
            "{file}: level and time found on {both} of {} lines",
            lines.len()
        );
        // Syslog (Linux, OpenSSH) writes no severity: those levels are RFC 3164's
        // default. Everywhere else the level must come from the line itself.
        if !file.contains("Linux") && !file.contains("OpenSSH") {
            assert!(
                explicit_level * 100 >= lines.len() * 99,
                "{file}: explicit level on {explicit_level} lines"
            );
        }
    }
}

#[test]
fn loghub_files_are_detected_as_app_logs() {
    for file in LOGHUB {
        let lines = lines_of(file);
        let first: Vec<&[u8]> = lines.iter().take(20).map(Vec::as_slice).collect();
        let f = LogFormat::detect(&first).unwrap_or_else(|| panic!("{file}: nothing detected"));
        assert_eq!(f.name(), "app", "{file}");
    }
}

#[test]
fn access_logs_are_detected() {
    for (file, want) in ACCESS {
        let lines = lines_of(file);
        let first: Vec<&[u8]> = lines.iter().take(20).map(Vec::as_slice).collect();
        let got = LogFormat::detect(&first).map(|f| f.name().to_owned());
        if want == "nginx" {
            // A custom format is not a preset: detection may only find a partial
            // match or nothing, and must not claim JSON or app.
            assert!(
                got.as_deref().is_none_or(|n| n != "json" && n != "app"),
                "{file}: {got:?}"
            );
        } else {
            assert_eq!(got.as_deref(), Some(want), "{file}");
        }
    }
}

#[test]
fn every_line_of_the_big_access_logs_parses() {
    let shop = LogFormat::combined_xff();
    let lines = lines_of("tstack_lnav/test/logfile_shop_access_log.0");
    for (n, line) in lines.iter().enumerate() {
        let r = shop
            .parse(line)
            .unwrap_or_else(|e| panic!("shop line {}: {e}", n + 1));
        assert!(
            r.status().is_some() && r.timestamp().is_some(),
            "shop line {}",
            n + 1
        );
        assert_eq!(r.timestamp().unwrap().utc_offset_seconds(), Some(12_600)); // +0330
    }
    let gonx = LogFormat::from_nginx(GONX_FORMAT).unwrap();
    let lines = lines_of("satyrius_gonx/example/access.log");
    let mut with_time = 0;
    for (n, line) in lines.iter().enumerate() {
        let r = gonx
            .parse(line)
            .unwrap_or_else(|e| panic!("gonx line {}: {e}", n + 1));
        assert!(r.trailing().is_empty(), "gonx line {}", n + 1);
        with_time += usize::from(r.request_time_us().is_some());
    }
    assert_eq!(with_time, lines.len());
}

fn snapshot_of(format: &LogFormat, file: &str) -> String {
    let mut out = format!("format: {}\n", format.name());
    for (n, line) in lines_of(file).iter().take(50).enumerate() {
        out.push_str(&format!("{}: {}\n", n + 1, common::show(line)));
        out.push_str(&render(format, line, false));
        out.push('\n');
    }
    out
}

#[test]
fn snapshots_of_the_first_50_lines() {
    let mut all: Vec<(String, LogFormat)> = LOGHUB.iter().map(|f| (f.to_string(), app())).collect();
    for (file, name) in ACCESS {
        let format = if name == "nginx" {
            LogFormat::from_nginx(GONX_FORMAT).unwrap()
        } else {
            name.parse().unwrap()
        };
        all.push((file.to_owned(), format));
    }
    all.push((
        "tstack_lnav/test/logfile_syslog_with_access_log.0".to_owned(),
        app(),
    ));
    for (file, format) in all {
        let name = file.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, snapshot_of(&format, &file));
    }
}
