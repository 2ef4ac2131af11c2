//! JSON lines on arbitrary bytes: the default keys, and a builder with other keys.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use logscan_parse::LogFormat;

static DEFAULT: LazyLock<LogFormat> = LazyLock::new(LogFormat::json);
static CUSTOM: LazyLock<LogFormat> = LazyLock::new(|| {
    LogFormat::json_builder()
        .time_keys(["at"])
        .level_keys(["sev"])
        .message_keys(["text"])
        .status_keys(["code"])
        .path_keys(["url"])
        .build()
        .expect("a valid JSON format")
});

fuzz_target!(|data: &[u8]| {
    logscan_fuzz::parse_all(&DEFAULT, data);
    logscan_fuzz::parse_and_check(&CUSTOM, data);
});
