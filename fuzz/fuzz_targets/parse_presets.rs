//! Every access-log preset (each has a matcher made for its shape: combined, common,
//! vhost_combined, combined_xff, combined_timed, combined_extras; ingress_nginx,
//! haproxy and haproxy_syslog through the general matcher) and format detection
//! on arbitrary bytes: never panics, records borrow from the line, and a detected
//! format that fits the lines parses every one of them.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use logscan_parse::LogFormat;

static PRESETS: LazyLock<[LogFormat; 9]> = LazyLock::new(|| {
    [
        LogFormat::combined(),
        LogFormat::common(),
        LogFormat::vhost_combined(),
        LogFormat::combined_xff(),
        LogFormat::combined_timed(),
        LogFormat::combined_extras(),
        LogFormat::ingress_nginx(),
        LogFormat::haproxy(),
        LogFormat::haproxy_syslog(),
    ]
});

fuzz_target!(|data: &[u8]| {
    for format in PRESETS.iter() {
        logscan_fuzz::parse_all(format, data);
    }
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').take(64).collect();
    if let Some(format) = LogFormat::detect(&lines)
        && format.fits(&lines)
    {
        for line in lines.iter().map(|l| l.trim_ascii_end()) {
            assert!(
                line.is_empty() || format.parse(line).is_ok(),
                "{} fits the lines but does not parse {line:?}",
                format.name()
            );
        }
    }
});
