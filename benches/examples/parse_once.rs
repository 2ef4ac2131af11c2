//! One pass of a parse benchmark workload over the 16 MiB dataset, for instruction
//! counts: `valgrind --tool=callgrind target/release/examples/parse_once all` (or
//! `match`). Prints the line count and checksum so a run can be checked.

use logscan_benches::{DIRECTIVE, combined_request_time_lines, scan_all_fields, scan_match_only};
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
    let buf = combined_request_time_lines(16 << 20);
    let lines = memchr::memchr_iter(b'\n', &buf).count();
    let sum = match which.as_str() {
        "match" => scan_match_only(&format, &buf),
        _ => scan_all_fields(&format, &buf),
    };
    println!(
        "{which}: {lines} lines, {} bytes, checksum {sum}",
        buf.len()
    );
}
