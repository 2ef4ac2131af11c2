//! The `combined` preset on arbitrary bytes: never panics, records borrow from the line,
//! every accessor and the field iterator finish.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use logscan_parse::LogFormat;

static FORMAT: LazyLock<LogFormat> = LazyLock::new(LogFormat::combined);

fuzz_target!(|data: &[u8]| logscan_fuzz::parse_all(&FORMAT, data));
