//! Helpers shared by the integration tests: the binary, real-data paths, generated
//! logs.
#![allow(dead_code)] // each test file uses a different part

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use assert_cmd::Command;

/// The `logscan` binary under test, with a clean environment for the variables it
/// reads.
pub fn logscan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_logscan"));
    cmd.env_remove("LOGSCAN_ALLOC_STATS").env_remove("NO_COLOR");
    cmd
}

/// A file under `testdata/realdata` (read only; see its README.md for sources).
pub fn realdata(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/realdata")
        .join(relative)
}

/// tstack/lnav `test/logfile_shop_access_log.0`: 1,000 combined + XFF lines, +0330.
pub fn shop_log() -> PathBuf {
    realdata("tstack_lnav/test/logfile_shop_access_log.0")
}

/// A deterministic combined access log: `n` lines one second apart from
/// 2025-03-14T06:25:01Z (under a fortnight); every 7th is a 404, every 13th a 503, every 5th a POST,
/// clients cycle through 10.0.0.1..=10.0.0.9 and 192.0.2.1; every 97th line
/// (line 97, 194, ...) is malformed.
pub fn combined_log(n: u64) -> Vec<u8> {
    let mut log = Vec::new();
    for i in 1..=n {
        if i % 97 == 0 {
            log.extend_from_slice(b"this line is not an access log line\n");
            continue;
        }
        let t = 1_741_933_500 + i as i64;
        let (m, s) = ((t / 60) % 60, t % 60);
        let h = (t / 3600) % 24;
        // 2025-03-14T00:00:00Z is 1_741_910_400.
        let day = 14 + (t - 1_741_910_400) / 86_400;
        let status = if i % 13 == 0 {
            503
        } else if i % 7 == 0 {
            404
        } else {
            200
        };
        let method = if i % 5 == 0 { "POST" } else { "GET" };
        let ip = if i % 10 == 0 {
            "192.0.2.1".to_owned()
        } else {
            format!("10.0.0.{}", i % 10)
        };
        let path = match i % 4 {
            0 => "/api/v1/items",
            1 => "/index.html",
            2 => "/static/app.js",
            _ => "/api/v2/users?id=7",
        };
        writeln!(
            log,
            "{ip} - - [{day}/Mar/2025:{h:02}:{m:02}:{s:02} +0000] \"{method} {path} HTTP/1.1\" {status} {} \"-\" \"test-agent/1.0\"",
            100 + i % 1000
        )
        .expect("writing to a Vec");
    }
    log
}

/// Writes `bytes` to `name` in `dir` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// Writes `bytes` gzip-compressed.
pub fn write_gz(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("compress");
    write(dir, name, &enc.finish().expect("finish gzip"))
}

/// The stdout of a successful run, as a string.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}
