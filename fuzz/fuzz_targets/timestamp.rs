//! `parse_timestamp` on arbitrary bytes: never panics, and every time it returns
//! displays as text that parses back to the same instant and offset (and that jiff
//! reads as the same instant), whatever offset it is shown at.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::parse_timestamp;

fuzz_target!(|data: &[u8]| {
    let Some(ts) = parse_timestamp(data) else {
        return;
    };
    logscan_fuzz::check_timestamp(ts);
    // Shown at another offset, a time within a day of year 0 or 9999 has a local date
    // outside what the parser accepts (years 0-9999): not a round trip to ask for.
    const FIRST: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    if ts.unix_seconds() < FIRST + 86_400 || ts.unix_seconds() > LAST - 86_400 {
        return;
    }
    // The same instant shown elsewhere: UTC, no zone, and an offset taken from the
    // input's length (whole minutes, within a day, as logs write them).
    let minutes = (data.len() as i32 * 37) % (24 * 60);
    for offset in [Some(0), None, Some(minutes * 60), Some(-minutes * 60)] {
        logscan_fuzz::check_timestamp(ts.with_offset(offset));
    }
});
