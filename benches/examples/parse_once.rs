//! One pass of a parse benchmark workload over 16 MiB, for instruction counts:
//! `valgrind --tool=callgrind target/release/examples/parse_once all` (or `match`, or
//! `summary`). `all` and `match` read the hand-made `combined` + `$request_time`
//! lines of the parse bench; `summary` runs `logscan summary`'s aggregate over the
//! generator's dataset (Zipf-distributed paths and clients, as `cargo xtask bench`
//! uses), with the format `logscan` detects for it. Prints the line count and checksum so a run can be checked.

use logscan_benches::{
    DIRECTIVE, combined_request_time_lines, generated, scan_all_fields, scan_match_only,
    scan_summary,
};
use logscan_parse::LogFormat;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".to_owned());
    let format = match LogFormat::from_nginx(DIRECTIVE) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("the bench format does not compile: {e}");
            std::process::exit(1);
        }
    };
    let buf = if which == "summary" {
        generated(xtask::Format::Combined, 16 << 20)
    } else {
        combined_request_time_lines(16 << 20)
    };
    // The summary gets the format `logscan summary` would detect for this dataset.
    let detected = logscan_source::lines(&buf).take(32).collect::<Vec<_>>();
    let format = match (which.as_str(), LogFormat::detect(&detected)) {
        ("summary", Some(detected)) => detected,
        _ => format,
    };
    let lines = memchr::memchr_iter(b'\n', &buf).count();
    let sum = match which.as_str() {
        "match" => scan_match_only(&format, &buf),
        "summary" => scan_summary(&format, &buf),
        _ => scan_all_fields(&format, &buf),
    };
    println!(
        "{which}: {lines} lines, {} bytes, checksum {sum}",
        buf.len()
    );
}
