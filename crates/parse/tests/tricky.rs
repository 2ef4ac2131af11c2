//! A corpus of tricky lines, each seen in real logs: escaped and unescaped quotes,
//! `-` fields, empty and garbage requests, IPv6 and `unix:` clients, vhost prefixes,
//! forwarded-for lists, truncated lines, trailing junk, CRLF, odd timestamps, and
//! application and JSON lines in their common shapes. The snapshot shows every
//! parse; the asserts pin the behaviour that matters most.

mod common;

use common::render;
use logscan_parse::{Level, LogFormat, ParseErrorKind};

const CUSTOM: &str = r#"log_format custom '$time_iso8601 $msec $remote_addr "$request_method $request_uri $server_protocol" '
                   '$status $bytes_sent $request_length $upstream_addr $host "$args" $request_time $upstream_response_time $trace_id';"#;

fn corpus() -> Vec<(&'static str, &'static str, &'static [u8])> {
    vec![
        ("combined", "plain", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /index.html HTTP/1.1" 200 2326 "http://example.com/start" "Mozilla/5.0 (X11; Linux x86_64)""#),
        ("combined", "escaped quote in user agent", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "Mozilla \"quoted\" agent""#),
        ("combined", "nginx \\x22 escape in request", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a\x22b HTTP/1.1" 404 0 "-" "curl/8.0""#),
        ("combined", "dash everywhere", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 304 - "-" "-""#),
        ("combined", "empty request", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "" 400 0 "-" "-""#),
        ("combined", "request is dash", br#"10.112.81.15 - - [15/Feb/2013:06:00:31 +0000] "-" 400 0 "-" "-""#),
        ("combined", "TLS handshake as text escapes", br#"198.51.100.4 - - [10/Oct/2000:13:55:36 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-""#),
        ("combined", "raw high bytes in request", b"198.51.100.4 - - [10/Oct/2000:13:55:36 +0000] \"\x16\x03\x01\xfc\xff\x80 junk\" 400 157 \"-\" \"-\""),
        ("combined", "] inside request", br#"198.51.100.4 - - [10/Oct/2000:13:55:36 +0000] "GET /a]b[c] HTTP/1.1" 200 5 "-" "x""#),
        ("combined", "< inside request", br#"198.51.100.4 - - [10/Oct/2000:13:55:36 +0000] "GET /<script>alert(1)</script> HTTP/1.1" 403 5 "-" "x""#),
        ("combined", "IPv6 client", br#"2001:db8::ff00:42:8329 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/2.0" 200 5 "-" "x""#),
        ("combined", "unix socket client", br#"unix: - - [10/Oct/2000:13:55:36 +0000] "GET /status HTTP/1.1" 200 5 "-" "x""#),
        ("combined", "user agent missing its closing quote", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "Mozilla/5.0 (truncat"#),
        ("combined", "trailing junk after the last field", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "x" 0.003 extra"#),
        ("combined", "CRLF line ending", b"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\r\n"),
        ("combined", "unescaped quote inside request", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET /a"b HTTP/1.1" 200 5 "-" "x""#),
        ("combined", "unescaped quote and space inside request", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET /a" b HTTP/1.1" 200 5 "-" "x""#),
        ("combined", "escaped backslash before closing quote", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET /dir\\ HTTP/1.1" 200 5 "http://r/\\" "x""#),
        ("combined", "HTTP/0.9 request without protocol", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET /" 200 5 "-" "-""#),
        ("combined", "space inside the target", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET /my file.txt?q=a b HTTP/1.1" 404 5 "-" "-""#),
        ("combined", "WebDAV method", br#"203.0.113.7 - alice [10/Oct/2000:13:55:36 +0000] "PROPFIND /dav/ HTTP/1.1" 207 512 "-" "davfs2""#),
        ("combined", "body bytes beyond u64", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 99999999999999999999 "-" "x""#),
        ("combined", "status 499 from nginx", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "POST /api HTTP/1.1" 499 0 "-" "x""#),
        ("combined", "Nepal offset +0545", br#"203.0.113.7 - - [01/Jan/2024:00:00:00 +0545] "GET / HTTP/1.1" 200 1 "-" "x""#),
        ("combined", "impossible date", br#"203.0.113.7 - - [31/Feb/2020:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x""#),
        ("combined", "empty line", b""),
        ("combined", "not an access line", b"this is not an access log line"),
        ("combined", "ident and user missing", br#"192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET /vmkboot.gz HTTP/1.0" 404 46210 "-" "gPXE/0.9.7""#),
        ("combined", "identd name and user (Apache %l)", br#"178.20.184.42 1j0vhgd jsmith [26/Jul/2023:00:01:26 -0700] "GET / HTTP/2.0" 200 17163 "-" "Mozilla/5.0""#),
        ("combined", "NUL and tab inside user agent", b"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"a\x00b\tc\""),
        ("combined", "quote-space-quote inside user agent", br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "evil" "agent""#),
        ("common", "Common Log Format", br#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#),
        ("vhost_combined", "vhost:port prefix", br#"www.example.org:443 203.62.1.80 - - [06/May/2019:06:28:20 +0000] "GET / HTTP/1.1" 301 577 "-" "Mozilla/5.0""#),
        ("combined_xff", "X-Forwarded-For list", br#"10.0.0.2 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "x" "203.0.113.1, 198.51.100.2, 10.0.0.1""#),
        ("combined_extras", "upstream retries and internal redirect", br#"10.0.0.2 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 502 5 "-" "x" "-" 0.250 0.100, 0.050 : 0.010"#),
        ("combined_extras", "upstream dash", br#"10.0.0.2 - - [10/Oct/2000:13:55:36 +0000] "GET /cached HTTP/1.1" 200 5 "-" "x" "-" 0.000 -"#),
        (CUSTOM, "custom format: iso time, msec, request parts, custom variable", br#"2024-03-01T12:00:00+01:00 1709290800.123 2001:db8::1 "GET /search?q=rust HTTP/2.0" 200 1234 321 10.0.0.5:8080 api.example.com "q=rust" 0.012 0.010 4bf92f3577b34da6"#),
        ("app", "ISO with T, Z and bracketed level", b"2024-05-01T10:00:00.123456Z [ERROR] payments: card declined"),
        ("app", "ISO with offset and lower-case warning", b"2024-05-01 10:00:00+02:00 warning cache: evicting 10 entries"),
        ("app", "logback layout", b"2024-01-01 12:00:00.123 [main] INFO  com.example.Server - listening on :8080"),
        ("app", "syslog with PRI", b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"),
        ("app", "RFC 5424 syslog", b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - An application event"),
        ("app", "stack trace continuation", b"\tat com.example.Server.run(Server.java:42)"),
        ("app", "level first, no time", b"FATAL: out of memory"),
        ("app", "Apache 2.4 error log", b"[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /var/www/favicon.ico"),
        ("app", "syslog message starting with a level", b"Dec 10 07:08:28 LabSZ sshd[24208]: error: Received disconnect from 202.100.179.208: 11: Bye Bye [preauth]"),
        ("app", "syslog leap day", b"Feb 29 12:00:00 host app[1]: leap"),
        ("json", "typical structured line", br#"{"time":"2024-05-01T10:00:00Z","level":"info","msg":"request done","status":200,"path":"/api/v1/items?page=2","duration_ms":12.5}"#),
        ("json", "escapes in message and path", br#"{"ts":"2024-05-01T10:00:00.5+02:00","lvl":"WARN","message":"line1\nline2 \"q\" caf\u00e9","url":"\/a\/b"}"#),
        ("json", "pino: numeric time and level", br#"{"level":50,"time":1714557600123,"pid":42,"hostname":"h","msg":"boom","err":{"type":"Error","stack":"x"}}"#),
        ("json", "nested values, @timestamp, severity", br#"{"@timestamp":"2024-05-01T10:00:00.000Z","severity":"ERROR","tags":["a","b"],"ctx":{"user":{"id":7}},"ok":false,"n":null,"neg":-3,"f":1e3}"#),
        ("json", "truncated object", br#"{"time":"2024-05-01T10:00:00Z","msg":"cut"#),
        ("json", "not an object", br#"["a",1]"#),
    ]
}

fn format_for(name: &str) -> LogFormat {
    if name.starts_with("log_format") {
        LogFormat::from_nginx(name).unwrap()
    } else if name == "app" {
        LogFormat::app_builder().assumed_year(2023).build()
    } else {
        name.parse().unwrap()
    }
}

#[test]
fn corpus_snapshot() {
    let cases = corpus();
    assert!(cases.len() >= 40);
    let mut out = String::new();
    for (name, what, line) in cases {
        let format = format_for(name);
        out.push_str(&format!(
            "## {} ({})\n{}\n",
            what,
            format.name(),
            common::show(line)
        ));
        out.push_str(&render(&format, line, true));
        out.push_str("\n\n");
    }
    insta::assert_snapshot!(out);
}

fn parse_case(what: &str) -> (LogFormat, &'static [u8]) {
    let (name, _, line) = corpus()
        .into_iter()
        .find(|c| c.1 == what)
        .unwrap_or_else(|| panic!("no case {what}"));
    (format_for(name), line)
}

#[test]
fn quotes_escaped_and_unescaped() {
    let (f, l) = parse_case("escaped quote in user agent");
    assert_eq!(
        f.parse(l).unwrap().user_agent().as_deref(),
        Some(&br#"Mozilla \"quoted\" agent"#[..])
    );

    let (f, l) = parse_case("unescaped quote and space inside request");
    let r = f.parse(l).unwrap();
    assert_eq!(r.request().unwrap().raw(), br#"GET /a" b HTTP/1.1"#);
    assert_eq!((r.status(), r.body_bytes()), (Some(200), Some(5)));

    let (f, l) = parse_case("escaped backslash before closing quote");
    let r = f.parse(l).unwrap();
    assert_eq!(r.referrer().as_deref(), Some(&br"http://r/\\"[..]));
    assert_eq!(r.path().as_deref(), Some(&br"/dir\\"[..]));
}

/// A format that ends with a variable whose value may hold a space takes the rest of
/// the line for it: `$uri` is logged decoded (`%20` as a space), and a raw space in a
/// request target reaches `$request_uri` and `$args`.
#[test]
fn a_last_uri_or_args_keeps_its_spaces() {
    for (var, line, value) in [
        (
            "uri",
            &b"1.2.3.4 200 /my file.txt"[..],
            &b"/my file.txt"[..],
        ),
        (
            "request_uri",
            b"1.2.3.4 200 /my file.txt?q=a b",
            b"/my file.txt?q=a b",
        ),
        ("args", b"1.2.3.4 200 q=a b", b"q=a b"),
    ] {
        let f = LogFormat::from_nginx(&format!("$remote_addr $status ${var}")).unwrap();
        let r = f.parse(line).unwrap();
        assert_eq!(r.var(var), Some(value), "${var}");
        assert_eq!(r.trailing(), b"", "${var}");
    }
}

/// JSON encoders write small floats with an exponent (Python's `json.dumps(0.00005)`
/// gives `5e-05`).
#[test]
fn a_json_request_time_with_an_exponent_is_read() {
    let f = LogFormat::json();
    for (line, us) in [
        (&br#"{"request_time":1e-3,"status":200}"#[..], Some(1_000)),
        (br#"{"request_time":5e-05,"status":200}"#, Some(50)),
        (br#"{"request_time":0.25,"status":200}"#, Some(250_000)),
    ] {
        assert_eq!(f.parse(line).unwrap().request_time_us(), us);
    }
}

/// A host name after the user agent is no `$request_time`: detection picks
/// `combined` (the host left as trailing text), not `combined_timed`; a number there
/// still picks `combined_timed`.
#[test]
fn detection_checks_the_last_value_too() {
    let line = |last: &str| {
        format!(
            r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "curl" {last}"#
        )
    };
    let hosts: Vec<String> = (0..3).map(|_| line("example.com")).collect();
    let lines: Vec<&[u8]> = hosts.iter().map(|l| l.as_bytes()).collect();
    let f = LogFormat::detect(&lines).unwrap();
    assert_eq!(f.name(), "combined");
    assert_eq!(f.parse(lines[0]).unwrap().trailing(), b"example.com");
    assert!(!LogFormat::combined_timed().fits(&lines));

    let timed: Vec<String> = ["0.005", "1.250", "-"].iter().map(|t| line(t)).collect();
    let lines: Vec<&[u8]> = timed.iter().map(|l| l.as_bytes()).collect();
    assert_eq!(LogFormat::detect(&lines).unwrap().name(), "combined_timed");
}

/// Caddy's access log, between the other lines its server writes (the shapes of the
/// lines in tstack/lnav's test/logfile_caddy_log.0, without docker-compose's prefix):
/// detection picks the `caddy` dialect, which reads `duration` as seconds. Whole-number
/// durations (Caddy told to write another unit) and other loggers' `duration` stay
/// unread.
#[test]
fn caddy_access_logs_are_told_by_their_logger() {
    let startup = br#"{"level":"info","ts":1761019822.3153872,"msg":"GOMEMLIMIT is updated","package":"github.com/KimMachineGun/automemlimit/memlimit","GOMEMLIMIT":29511419904}"#;
    let access = |duration: &str| {
        format!(
            r#"{{"level":"info","ts":1761019828.6153953,"logger":"http.log.access","msg":"handled request","request":{{"remote_ip":"172.19.0.1","remote_port":"46628","client_ip":"172.19.0.1","proto":"HTTP/1.1","method":"GET","host":"localhost","uri":"/","headers":{{"User-Agent":["Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:142.0) Gecko/20100101 Firefox/142.0"]}}}},"bytes_read":0,"user_id":"","duration":{duration},"size":0,"status":304}}"#
        )
    };
    let (a, b) = (access("0.001674508"), access("7.314e-05"));
    let lines: Vec<&[u8]> = vec![startup, a.as_bytes(), b.as_bytes()];
    let f = LogFormat::detect(&lines).unwrap();
    assert_eq!(f.name(), "caddy");
    let us = |line: &[u8]| f.parse(line).unwrap().request_time_us();
    assert_eq!((us(lines[1]), us(lines[2])), (Some(1_674), Some(73)));
    assert_eq!(us(startup), None);
    assert_eq!("caddy".parse::<LogFormat>().unwrap().name(), "caddy");

    // Caddy's startup lines alone (the first lines of a log before any request).
    let boot: &[&[u8]] = &[
        br#"{"level":"info","ts":1761019822.316192,"logger":"admin","msg":"admin endpoint started","address":"localhost:2019","enforce_origin":false}"#,
        br#"{"level":"warn","ts":1761019822.316257,"logger":"http.auto_https","msg":"server is listening only on the HTTP port, so no automatic HTTPS will be applied to this server","server_name":"srv0","http_port":80}"#,
        br#"{"level":"info","ts":1761019822.31631,"logger":"tls.cache.maintenance","msg":"started background certificate maintenance","cache":"0xc0005a2600"}"#,
        startup,
    ];
    assert_eq!(LogFormat::detect(boot).unwrap().name(), "caddy");
    // Another zap program's lines are not Caddy's.
    let other: &[u8] =
        br#"{"level":"info","ts":1761019822.31631,"logger":"worker","msg":"started"}"#;
    assert_eq!(LogFormat::detect(&[other, other]).unwrap().name(), "json");

    // Whole numbers: nanoseconds or milliseconds, which the number cannot say.
    let whole = access("1674508");
    let lines: Vec<&[u8]> = vec![startup, a.as_bytes(), whole.as_bytes()];
    assert_eq!(LogFormat::detect(&lines).unwrap().name(), "json");
    // Another logger's `duration`.
    let envoy: &[u8] = br#"{"method":"GET","path":"/","response_code":200,"duration":0.5}"#;
    let f = LogFormat::detect(&[envoy, envoy]).unwrap();
    assert_eq!(f.name(), "json");
    assert_eq!(f.parse(envoy).unwrap().request_time_us(), None);
    // In one stream with Caddy's lines (a sidecar's), it rules the dialect out.
    let mixed: Vec<&[u8]> = vec![a.as_bytes(), b.as_bytes(), envoy];
    assert_eq!(LogFormat::detect(&mixed).unwrap().name(), "json");
    // A format fits the lines only if detection would pick it: `caddy` does not fit
    // another JSON log, `json` does not fit Caddy's (an input read after another
    // keeps the last format only when it fits).
    let caddy_lines: Vec<&[u8]> = vec![startup, a.as_bytes()];
    assert!(LogFormat::json_caddy().fits(&caddy_lines));
    assert!(!LogFormat::json().fits(&caddy_lines));
    assert!(!LogFormat::json_caddy().fits(&[envoy]));
    assert!(LogFormat::json().fits(&[envoy]));
}

/// HAProxy's HTTP log, raw and after syslog's header: the client without its port
/// (IPv6 too), the accept date with its milliseconds, `%Ta` as the request time; a
/// line that is no request (a proxy starting, a failed TLS handshake) is malformed.
#[test]
fn haproxy_http_logs() {
    let raw: &[&[u8]] = &[
        br#"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1""#,
        br#"2001:db8::1:443 [06/Feb/2009:12:14:15.001] http-in~ app/srv2 0/0/1/-1/5001 503 212 - - sC-- 2/2/1/0/3 0/0 "POST /api/v1/items?id=3 HTTP/1.1""#,
        br#"::ffff:192.0.2.9:60000 [06/Feb/2009:12:14:16.999] http-in app/<NOSRV> -1/-1/-1/-1/0 400 187 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>""#,
    ];
    let f = LogFormat::detect(raw).unwrap();
    assert_eq!(f.name(), "haproxy");
    let r = f.parse(raw[0]).unwrap();
    assert_eq!(r.client(), Some(&b"10.0.1.2"[..]));
    assert_eq!(
        r.timestamp().unwrap().to_string(),
        "2009-02-06T12:14:14.655"
    );
    assert_eq!(
        (r.status(), r.request_time_us()),
        (Some(200), Some(109_000))
    );
    assert_eq!(r.path().as_deref(), Some(&b"/index.html"[..]));
    assert_eq!(r.var("captured_headers"), Some(&b"{1wt.eu} {} "[..]));
    let r = f.parse(raw[1]).unwrap();
    assert_eq!(r.client(), Some(&b"2001:db8::1"[..]));
    assert_eq!(
        (r.status(), r.request_time_us()),
        (Some(503), Some(5_001_000))
    );
    assert_eq!(r.query().as_deref(), Some(&b"id=3"[..]));
    assert_eq!(r.var("captured_headers"), Some(&b""[..]));
    let r = f.parse(raw[2]).unwrap();
    assert_eq!(r.client(), Some(&b"::ffff:192.0.2.9"[..]));
    assert_eq!(r.client_ip(), "::ffff:192.0.2.9".parse().ok());
    assert_eq!(r.status(), Some(400));

    let syslog = LogFormat::haproxy_syslog();
    let line = br#"Feb  6 12:14:14 lb1 haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1""#;
    let r = syslog.parse(line).unwrap();
    assert_eq!(r.var("syslog_head"), Some(&b"Feb  6 12:14:14 lb1"[..]));
    assert_eq!(r.var("pid"), Some(&b"14389"[..]));
    assert_eq!(r.client(), Some(&b"10.0.1.2"[..]));
    // Aborted requests (status `-1`) and `option logasap` (`+` before the times and
    // bytes known so far): the line stands, those values read as none.
    let aborted = br#"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 -1/-1/-1/-1/8490 -1 0 - - CR-- 2/2/0/0/0 0/0 "<BADREQ>""#;
    let r = f.parse(aborted).unwrap();
    assert_eq!((r.status(), r.request_time_us()), (None, Some(8_490_000)));
    let logasap = br#"10.0.1.2:33320 [06/Feb/2009:12:14:14.655] http-in static/srv1 9/0/7/14/+30 200 +243 - - ---- 3/3/3/1/0 0/0 "GET /image.iso HTTP/1.0""#;
    let r = f.parse(logasap).unwrap();
    assert_eq!((r.status(), r.request_time_us()), (Some(200), None));
    // Clients: none for `-:-`, without brackets, a unix socket as written.
    for (client, want) in [
        ("-:-", None),
        ("[::1]:80", Some(&b"::1"[..])),
        ("unix:1", Some(&b"unix:1"[..])),
    ] {
        let line = format!(
            r#"{client} [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1""#
        );
        assert_eq!(f.parse(line.as_bytes()).unwrap().client(), want, "{client}");
    }
    // Something written before the client (an RFC 5424 header, `format short`'s
    // priority) is no client: the line is malformed, not counted under that text.
    let prefixed: &[&[u8]] = &[
        br#"<134>1 2024-06-20T11:47:51.817934+02:00 lb1 haproxy 266980 - - 127.0.0.1:50511 [20/Jun/2024:11:47:51.766] fe be/s1 0/0/24/27/51 404 379 - - ---- 1/1/0/0/0 0/0 "GET /index.html HTTP/1.1""#,
        br#"<134>127.0.0.1:50511 [20/Jun/2024:11:47:51.766] fe be/s1 0/0/24/27/51 404 379 - - ---- 1/1/0/0/0 0/0 "GET /index.html HTTP/1.1""#,
    ];
    for line in prefixed {
        assert!(f.parse(line).is_err());
    }
    assert!(LogFormat::detect(prefixed).is_none_or(|f| !f.name().starts_with("haproxy")));

    for not_a_request in [
        &b"Feb 25 16:19:38 192.168.4.2 haproxy[1]: Proxy prod_http_in started."[..],
        b"Feb 25 16:20:12 192.168.4.2 haproxy[7]: 95.216.197.33:56224 [25/Feb/2019:16:20:10.111] prod_http_in/sktst2: SSL handshake failure",
    ] {
        assert!(syslog.parse(not_a_request).is_err());
    }
}

#[test]
fn truncated_and_trailing() {
    let (f, l) = parse_case("user agent missing its closing quote");
    let r = f.parse(l).unwrap();
    assert!(r.is_truncated());
    assert_eq!(
        r.user_agent().as_deref(),
        Some(&b"Mozilla/5.0 (truncat"[..])
    );

    let (f, l) = parse_case("trailing junk after the last field");
    let r = f.parse(l).unwrap();
    assert_eq!(r.trailing(), b"0.003 extra");
    assert!(!r.is_truncated());
}

#[test]
fn garbage_requests_keep_status() {
    for what in [
        "TLS handshake as text escapes",
        "raw high bytes in request",
        "empty request",
        "request is dash",
    ] {
        let (f, l) = parse_case(what);
        let r = f.parse(l).unwrap();
        assert_eq!(r.status(), Some(400), "{what}");
        assert_eq!((r.method(), r.path()), (None, None), "{what}");
    }
}

#[test]
fn errors_have_kind_and_column() {
    let (f, l) = parse_case("empty line");
    assert_eq!(f.parse(l).unwrap_err().kind, ParseErrorKind::Empty);
    let (f, l) = parse_case("ident and user missing");
    let e = f.parse(l).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::ExpectedLiteral);
    assert!(e.column > 0 && e.column < l.len());
    let (f, l) = parse_case("truncated object");
    assert_eq!(f.parse(l).unwrap_err().kind, ParseErrorKind::InvalidJson);
}

#[test]
fn custom_format_typed_fields() {
    let (f, l) = parse_case("custom format: iso time, msec, request parts, custom variable");
    let r = f.parse(l).unwrap();
    assert_eq!(
        r.timestamp().unwrap().to_string(),
        "2024-03-01T12:00:00+01:00"
    );
    assert_eq!(r.method().as_deref(), Some(&b"GET"[..]));
    assert_eq!(r.path().as_deref(), Some(&b"/search"[..]));
    assert_eq!(r.query().as_deref(), Some(&b"q=rust"[..]));
    assert_eq!(r.protocol(), Some(&b"HTTP/2.0"[..]));
    assert_eq!(
        (r.bytes_sent(), r.request_length()),
        (Some(1234), Some(321))
    );
    assert_eq!(
        (r.request_time_us(), r.upstream_time_us()),
        (Some(12_000), Some(10_000))
    );
    assert_eq!(r.host().as_deref(), Some(&b"api.example.com"[..]));
    assert_eq!(r.var("trace_id"), Some(&b"4bf92f3577b34da6"[..]));
    assert_eq!(r.var("$msec"), Some(&b"1709290800.123"[..]));
    assert_eq!(r.client_ip(), Some("2001:db8::1".parse().unwrap()));
}

#[test]
fn app_and_json_levels() {
    let (f, l) = parse_case("Apache 2.4 error log");
    let r = f.parse(l).unwrap();
    assert_eq!(r.level(), Some(Level::Error));
    assert_eq!(r.timestamp().unwrap().subsec_nanos(), 123_456_000);
    let (f, l) = parse_case("syslog message starting with a level");
    let r = f.parse(l).unwrap();
    assert_eq!(
        (r.level(), r.level_is_assumed()),
        (Some(Level::Error), false)
    );
    let (f, l) = parse_case("pino: numeric time and level");
    let r = f.parse(l).unwrap();
    assert_eq!(r.level(), Some(Level::Error));
    assert_eq!(r.timestamp().unwrap().unix_micros(), 1_714_557_600_123_000);
    let (f, l) = parse_case("escapes in message and path");
    let r = f.parse(l).unwrap();
    assert_eq!(
        r.message().as_deref(),
        Some("line1\nline2 \"q\" café".as_bytes())
    );
    assert_eq!(r.path().as_deref(), Some(&b"/a/b"[..]));
}

#[test]
fn over_long_access_lines_are_refused_not_truncated() {
    let f = LogFormat::combined();
    let mut line = br#"203.0.113.7 - - [10/Oct/2000:13:55:36 +0000] "GET /"#.to_vec();
    line.extend(std::iter::repeat_n(b'a', 70_000));
    line.extend_from_slice(br#" HTTP/1.1" 200 5 "-" "x""#);
    assert_eq!(f.parse(&line).unwrap_err().kind, ParseErrorKind::TooLong);
    // Just under the limit still parses.
    let cut = line.len() - 65_535 + 10;
    let mut ok = line.clone();
    ok.drain(60..60 + cut);
    assert!(ok.len() <= 65_535);
    assert_eq!(f.parse(&ok).unwrap().status(), Some(200));
    // JSON and app lines have no such limit.
    let json = format!(r#"{{"msg":"{}","status":200}}"#, "b".repeat(70_000));
    assert_eq!(
        LogFormat::json().parse(json.as_bytes()).unwrap().status(),
        Some(200)
    );
}

#[test]
fn combined_with_request_time_is_detected_and_typed() {
    let lines: [&[u8]; 3] = [
        br#"203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 512 "-" "curl/8.0" 0.004"#,
        br#"198.51.100.2 - bob [10/Oct/2000:13:55:37 -0700] "POST /b?x=1 HTTP/1.1" 503 0 "https://e.example/" "Mozilla/5.0" 12.250"#,
        br#"2001:db8::1 - - [10/Oct/2000:13:55:38 -0700] "HEAD / HTTP/1.0" 404 153 "-" "-" 0.000"#,
    ];
    // Plain combined also matches these lines, leaving the time as trailing text;
    // detection must prefer the preset that consumes it.
    let format = LogFormat::detect(&lines).expect("detected");
    assert_eq!(format.name(), "combined_timed");
    let r = format.parse(lines[1]).unwrap();
    assert_eq!(r.request_time_us(), Some(12_250_000));
    assert_eq!(r.status(), Some(503));
    assert!(r.trailing().is_empty());
    let by_name: LogFormat = "combined-timed".parse().unwrap();
    assert_eq!(by_name.name(), "combined_timed");
}

/// A Java log whose records carry stack traces: most of its lines are frames, yet it
/// is an application log, and each frame says it goes on from the line before.
#[test]
fn a_log_of_stack_traces_is_detected_as_an_application_log() {
    let log: &[&[u8]] = &[
        b"2024-11-27 09:00:00,123 ERROR [main] com.example.App: request failed",
        b"java.lang.IllegalStateException: boom",
        b"\tat com.example.App.run(App.java:12)",
        b"\tat com.example.App.main(App.java:5)",
        b"Caused by: java.io.IOException: disk",
        b"\tat com.example.Disk.read(Disk.java:40)",
        b"\t... 2 more",
        b"2024-11-27 09:00:01,000 INFO [main] com.example.App: recovered",
    ];
    let format = LogFormat::detect(log).expect("a format");
    assert_eq!(format.name(), "app");
    let kinds: Vec<Option<ParseErrorKind>> = log
        .iter()
        .map(|l| format.parse(l).err().map(|e| e.kind))
        .collect();
    let mut want = vec![Some(ParseErrorKind::Continuation); log.len()];
    want[0] = None;
    want[log.len() - 1] = None;
    assert_eq!(kinds, want);
    // Frames alone are no log of any format.
    assert!(LogFormat::detect(&log[2..4]).is_none());
}

/// Kubernetes ingress-nginx's default format puts `$request_length` where
/// `combined_timed` has `$request_time`: detected as itself, its request time is the
/// time, not the length.
#[test]
fn ingress_nginx_lines_are_detected_with_their_request_time() {
    let lines: &[&[u8]] = &[
        br#"10.244.0.1 - - [27/Nov/2024:09:00:00 +0000] "GET /api/x?id=1 HTTP/1.1" 200 512 "-" "curl/8.5.0" 89 0.004 [default-web-80] [] 10.244.1.5:8080 512 0.004 200 6b1f2c3d4e5f6a7b8c9d0e1f2a3b4c5d"#,
        br#"10.244.0.2 - alice [27/Nov/2024:09:00:01 +0000] "POST /login HTTP/2.0" 502 150 "https://a.example/" "Mozilla/5.0 (X11)" 512 1.250 [default-auth-80] [] 10.244.1.6:8080, 10.244.1.7:8080 0, 0 0.600, 0.650 502, 502 0a1b2c3d4e5f60718293a4b5c6d7e8f9"#,
    ];
    let format = LogFormat::detect(lines).expect("a format");
    assert_eq!(format.name(), "ingress_nginx");
    let r = format.parse(lines[0]).unwrap();
    assert_eq!(r.request_time_us(), Some(4_000));
    assert_eq!(r.status(), Some(200));
    // A retried request lists its upstreams; the fields before them are intact.
    let r = format.parse(lines[1]).unwrap();
    assert_eq!(
        (r.request_time_us(), r.status(), r.body_bytes()),
        (Some(1_250_000), Some(502), Some(150))
    );
    assert_eq!(r.user_agent().as_deref(), Some(&b"Mozilla/5.0 (X11)"[..]));
}

/// Apache's combined with `%D` (microseconds, a whole number) is no `combined_timed`:
/// nginx writes `$request_time` in seconds with a fraction, and reading 12345 µs as
/// seconds would report three and a half hours. Detection leaves the figure unread.
#[test]
fn a_whole_number_after_combined_is_not_a_request_time() {
    let lines: &[&[u8]] = &[
        br#"203.0.113.7 - - [27/Nov/2024:09:00:00 +0000] "GET / HTTP/1.1" 200 2326 "-" "Mozilla/5.0" 12345"#,
        br#"203.0.113.8 - - [27/Nov/2024:09:00:01 +0000] "GET /a HTTP/1.1" 404 0 "-" "curl/8" 987"#,
    ];
    let format = LogFormat::detect(lines).expect("a format");
    assert_eq!(format.name(), "combined");
    assert_eq!(format.parse(lines[0]).unwrap().request_time_us(), None);
    // nginx's own shape still is one.
    let timed: &[&[u8]] = &[
        br#"203.0.113.7 - - [27/Nov/2024:09:00:00 +0000] "GET / HTTP/1.1" 200 2326 "-" "Mozilla/5.0" 0.012"#,
        br#"203.0.113.8 - - [27/Nov/2024:09:00:01 +0000] "GET /a HTTP/1.1" 404 0 "-" "curl/8" -"#,
    ];
    assert_eq!(
        LogFormat::detect(timed).expect("a format").name(),
        "combined_timed"
    );
}

/// A Go service's log with the traces its runtime writes: one of a panic that
/// net/http recovered and logged, one of a crash. Every line of a trace goes on from
/// the record before it; the crash's `panic:` line is a record of its own (level
/// fatal). The blank line Go writes after it goes on from it too, as a blank line
/// does in any application log (in an access log it is an empty line).
#[test]
fn go_panic_traces_continue_their_record() {
    let log: &[&[u8]] = &[
        b"2025-03-14 06:00:01 ERROR http: panic serving 10.0.0.1:5000: runtime error: index out of range",
        b"goroutine 1 [running]:",
        b"main.main()",
        b"\t/app/main.go:10 +0x1d",
        b"net/http.(*conn).serve(0xc000102000, {0x6c4a80, 0xc0000a2000})",
        b"\t/usr/local/go/src/net/http/server.go:1850 +0x2c5",
        b"created by net/http.(*Server).Serve in goroutine 1",
        b"\t/usr/local/go/src/net/http/server.go:3086 +0x5cb",
        b"2025-03-14 06:00:02 INFO worker: started",
        b"panic: runtime error: invalid memory address or nil pointer dereference",
        b"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47c8b2]",
        b"",
        b"goroutine 18 [running]:",
        b"main.(*Tree[...]).Insert(0xc000010018, {0x0?, 0x0?})",
        b"\t/app/tree.go:31 +0x12",
        b"main.Map[...](...)",
        b"\t/app/generic.go:9",
        b"panic({0x4a7a40?, 0xc000014090?})",
        b"\t/usr/local/go/src/runtime/panic.go:770 +0x132",
        b"main.worker.func1()",
        b"\t/app/main.go:20 +0x25",
        b"created by main.worker in goroutine 1",
        b"\t/app/main.go:18 +0x8f",
        // A `fatal error:` dump: the runtime's stack, and a generated function.
        b"runtime stack:",
        b"runtime.throw({0x4b2f1e?, 0x0?})",
        b"\t/usr/local/go/src/runtime/panic.go:1023 +0x5c",
        b"type:.eq.main.T(0xc000012345, 0xc000012350)",
        b"\t<autogenerated>:1 +0x2b",
    ];
    let format = LogFormat::detect(log).expect("a format");
    assert_eq!(format.name(), "app");
    let mut out = String::new();
    for line in log {
        out.push_str(&common::show(line));
        out.push('\n');
        out.push_str(&render(&format, line, false));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
    for (k, line) in log.iter().enumerate() {
        let kind = format.parse(line).err().map(|e| e.kind);
        // The blank line Go writes after `panic:` goes on from it too.
        let want = match k {
            0 | 8 | 9 => None,
            _ => Some(ParseErrorKind::Continuation),
        };
        assert_eq!(kind, want, "line {}: {}", k + 1, common::show(line));
    }
}
