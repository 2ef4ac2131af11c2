//! A custom nginx `log_format` using every typed variable kind (times, durations,
//! numbers, a request, quoted and bare strings) on arbitrary bytes.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use logscan_parse::LogFormat;

static FORMAT: LazyLock<LogFormat> = LazyLock::new(|| {
    LogFormat::from_nginx(
        r#"log_format fuzz '$remote_addr $host:$server_name [$time_iso8601] $msec "$request" '
                           '$status $body_bytes_sent $bytes_sent $request_length '
                           '$request_time $upstream_response_time $upstream_addr '
                           '"$http_referer" "$http_user_agent" "$http_x_forwarded_for" '
                           '$request_method $request_uri $uri?$args $server_protocol '
                           '[$time_local] $custom_var "$http_x_trace"';"#,
    )
    .expect("a valid log_format")
});

fuzz_target!(|data: &[u8]| logscan_fuzz::parse_all(&FORMAT, data));
