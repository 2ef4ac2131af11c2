//! Inputs that crashed a fuzz target, each kept as a test of the normal suite (see
//! docs/reliability.md, "Findings").

use logscan_parse::LogFormat;

/// `log_format` target, 2026-11-27: the Apache `LogFormat` compiler compared the
/// text's first nine bytes with `LogFormat` by slicing the string, which panicked when
/// the ninth byte fell inside a character (U+0712 takes two). The whole input is the
/// directive line; it must compile or fail, never panic.
#[test]
fn an_apache_format_whose_first_characters_are_not_ascii() {
    let input: &[u8] = &[
        0xdc, 0x92, 0x49, 0x49, 0x49, 0x49, 0x49, 0x28, 0xdc, 0x92, 0x49, 0x49, 0x49, 0x49, 0x49,
        0x28, 0x49, 0x49, 0x49, 0x28, 0x49, 0x37,
    ];
    let text = std::str::from_utf8(input).expect("the crashing input is UTF-8");
    assert!(LogFormat::from_apache(text).is_err(), "no directive in it");
    assert!(LogFormat::from_nginx(text).is_err(), "no variable in it");
    // The same shape where `CustomLog` would end.
    assert!(LogFormat::from_apache("CustomLoܒ %h").is_ok());
}
