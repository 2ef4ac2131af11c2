//! The nginx `log_format` and Apache `LogFormat` compilers: the first line of the input
//! is a directive (or a bare format string), the other lines are parsed with whatever
//! it compiles to. Also `LogFormat::detect` over those lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::LogFormat;

fuzz_target!(|data: &[u8]| {
    let (head, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let lines: Vec<&[u8]> = rest.split(|&b| b == b'\n').collect();
    let _ = LogFormat::detect(&lines);

    let Ok(directive) = std::str::from_utf8(head) else {
        return;
    };
    // The same text as an Apache LogFormat, then as an nginx log_format.
    if let Ok(apache) = LogFormat::from_apache(directive) {
        for line in &lines {
            logscan_fuzz::parse_and_check(&apache, line);
        }
    }
    let Ok(format) = LogFormat::from_nginx(directive) else {
        return;
    };
    let _ = format.name();
    let _ = format.kind();
    let _ = format.nginx_format();
    assert!(
        format.variables().count() <= 32,
        "more variables than a record holds"
    );
    for line in &lines {
        logscan_fuzz::parse_and_check(&format, line);
    }
    // A line of `-` for every variable: the shape of an all-empty log line.
    if let Some(blank) = format.format_line(|_| None) {
        logscan_fuzz::parse_and_check(&format, &blank);
    }
});
