//! Application logs (timestamp, level, component, message) on arbitrary bytes, with a
//! fixed assumed year so runs are reproducible.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use logscan_parse::LogFormat;

static FORMAT: LazyLock<LogFormat> =
    LazyLock::new(|| LogFormat::app_builder().assumed_year(2024).build());

fuzz_target!(|data: &[u8]| logscan_fuzz::parse_all(&FORMAT, data));
