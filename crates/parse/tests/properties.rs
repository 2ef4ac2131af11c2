//! Property tests: no panic on any bytes for any format; timestamps agree with jiff on
//! random valid dates; lines generated from a format string parse back to the values
//! they were generated from. Case counts are kept small enough for debug builds.

use logscan_parse::{LogFormat, Record, Timestamp, parse_timestamp};
use proptest::prelude::*;

fn all_formats() -> Vec<LogFormat> {
    let mut v: Vec<LogFormat> = logscan_parse::PRESET_NAMES
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    v.push(
        LogFormat::from_nginx(
            r#"$time_iso8601 $msec [$remote_addr] "$request_method $request_uri $server_protocol" $status $bytes_sent $request_length $upstream_addr $host "$args" $request_time $upstream_response_time $custom"#,
        )
        .unwrap(),
    );
    v.push(LogFormat::from_nginx(r#"$remote_addr|$status|"$http_user_agent"|$request"#).unwrap());
    // Apache's own units and shapes: epoch seconds, `%U%q`, microseconds, milliseconds.
    v.push(
        LogFormat::from_apache(r#"%{sec}t %h "%m %U%q %H" %>s %b %D %{ms}T "%{User-Agent}i""#)
            .unwrap(),
    );
    v
}

/// Calls every accessor, so a panic anywhere in the lazy parsing is found too.
fn exercise(r: &Record<'_>) {
    let _ = (
        r.timestamp(),
        r.client(),
        r.client_ip(),
        r.remote_user(),
        r.request(),
    );
    let _ = (
        r.method(),
        r.path(),
        r.query(),
        r.protocol(),
        r.status(),
        r.body_bytes(),
    );
    let _ = (
        r.bytes_sent(),
        r.request_length(),
        r.request_time_us(),
        r.upstream_time_us(),
    );
    let _ = (
        r.upstream_addr(),
        r.referrer(),
        r.user_agent(),
        r.x_forwarded_for(),
    );
    let _ = (
        r.forwarded_client(),
        r.host(),
        r.level(),
        r.component(),
        r.message(),
    );
    let _ = (
        r.trailing(),
        r.is_truncated(),
        r.var("status"),
        r.var("custom"),
        r.var("msg"),
    );
    let _ = format!("{r:?}");
    for f in r.fields() {
        let _ = f;
    }
}

const SEED_LINES: [&[u8]; 5] = [
    br#"203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a?b HTTP/1.1" 200 2326 "http://r/" "agent \"x\"" "1.2.3.4, 5.6.7.8" 0.004 0.001, 0.002"#,
    br#"2024-03-01T12:00:00+01:00 1709290800.123 [::1] "GET /s?q=1 HTTP/2.0" 200 12 3 10.0.0.5:80 h "q=1" 0.012 - x"#,
    b"2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification",
    b"<34>1 2003-10-11T22:14:15.003Z host app - ID47 [a b=\"c\"][d] msg",
    br#"{"time":"2024-05-01T10:00:00Z","level":30,"msg":"a\u00e9\n","status":"200","path":"/x?y","n":{"a":[1,{"b":"]"}]}}"#,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(line in proptest::collection::vec(any::<u8>(), 0..200)) {
        for f in all_formats() {
            if let Ok(r) = f.parse(&line) {
                exercise(&r);
            }
        }
        let _ = parse_timestamp(&line);
        let _ = LogFormat::detect(&[&line, &line]);
    }

    #[test]
    fn mutated_real_shapes_never_panic(
        seed in 0..SEED_LINES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut line = SEED_LINES[seed].to_vec();
        for (at, byte, op) in edits {
            let i = at.index(line.len() + 1);
            match op {
                0 if i < line.len() => line[i] = byte,
                1 => line.insert(i, byte),
                _ if i < line.len() => { line.remove(i); }
                _ => {}
            }
        }
        line.truncate(cut.index(line.len() + 1).max(line.len() / 2));
        for f in all_formats() {
            if let Ok(r) = f.parse(&line) {
                exercise(&r);
            }
            // The by-reference path sees exactly what `parse` returns.
            let returned = f.parse(&line).map(|r| format!("{r:?}"));
            let lent = f.parse_then(&line, |r| r.map(|r| format!("{r:?}")));
            prop_assert_eq!(returned, lent);
        }
        let _ = parse_timestamp(&line);
    }

    #[test]
    fn arbitrary_apache_formats_never_panic(text in "((%[!<>,0-9]{0,2}([aAbBDfhHIklLmOpPqrRsStTuUvVX%]|\\{[-A-Za-z:%]{0,8}\\}[iotCenxcTtap]|\\{[a-z]{0,3}\\}\\^t[io])|\"%[!<>,0-9]{0,2}([aAbBDfhHIklLmOpPqrRsStTuUvVX%]|\\{[-A-Za-z:%]{0,8}\\}[iotCenxcTtap]|\\{[a-z]{0,3}\\}\\^t[io])\")[ \\[\\]\\\\:|a-z$]{1,2}){1,8}") {
        if let Ok(f) = LogFormat::from_apache(&text) {
            let _ = f.parse(text.as_bytes());
            let line = f.format_line(|_| Some(&b"v"[..])).unwrap();
            let _ = f.parse(&line);
            // The nginx string it stands for compiles to the same variables, when
            // nginx can say it (it has no way to write a literal `$`).
            let source = f.nginx_format().unwrap();
            if !text.contains('$') {
                let again = LogFormat::from_nginx(source);
                prop_assert!(again.is_ok(), "{text:?} -> {source:?}: {again:?}", again = again.err());
                let again = again.unwrap();
                prop_assert!(again.variables().eq(f.variables()), "{text:?} -> {source:?}");
            }
        }
    }

    #[test]
    fn arbitrary_format_strings_never_panic(text in "[-$a-z_{}'\" \\[\\];|\\\\]{0,60}") {
        if let Ok(f) = LogFormat::from_nginx(&text) {
            let _ = f.parse(text.as_bytes());
            let line = f.format_line(|_| Some(&b"v"[..])).unwrap();
            let _ = f.parse(&line);
        }
    }
}

// ---- timestamps against jiff ----

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Debug, Clone)]
struct Civil {
    y: i32,
    mo: u8,
    d: u8,
    h: u8,
    mi: u8,
    s: u8,
    nanos: u32,
    off_min: i32,
}

fn civil() -> impl Strategy<Value = Civil> {
    (
        1i32..=9998,
        1u8..=12,
        1u8..=31,
        0u8..24,
        0u8..60,
        0u8..60,
        0u32..1_000_000_000,
        -1439i32..=1439,
    )
        .prop_map(|(y, mo, d, h, mi, s, nanos, off_min)| Civil {
            y,
            mo,
            d: d.min(days_in_month(y, mo)),
            h,
            mi,
            s,
            nanos,
            off_min,
        })
}

fn offset_text(off_min: i32, colon: bool) -> String {
    let sign = if off_min < 0 { '-' } else { '+' };
    let a = off_min.unsigned_abs();
    if colon {
        format!("{sign}{:02}:{:02}", a / 60, a % 60)
    } else {
        format!("{sign}{:02}{:02}", a / 60, a % 60)
    }
}

fn jiff_instant(text: &str) -> i128 {
    let ts: jiff::Timestamp = text
        .parse()
        .unwrap_or_else(|e| panic!("jiff rejects {text}: {e}"));
    ts.as_nanosecond()
}

fn ours(ts: Timestamp) -> i128 {
    ts.unix_nanos()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rfc3339_agrees_with_jiff(c in civil(), sep in prop::sample::select(vec!['T', ' ']), digits in 0usize..=9) {
        let frac = if digits == 0 {
            String::new()
        } else {
            format!(".{}", &format!("{:09}", c.nanos)[..digits])
        };
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}{}",
            c.y, c.mo, c.d, c.h, c.mi, c.s, offset_text(c.off_min, true)
        );
        let want = jiff_instant(&text);
        let got = parse_timestamp(text.replacen('T', &sep.to_string(), 1).as_bytes()).unwrap();
        prop_assert_eq!(ours(got), want);
        prop_assert_eq!(got.utc_offset_seconds(), Some(c.off_min * 60));
        // Display round-trips through jiff too.
        prop_assert_eq!(jiff_instant(&got.to_string()), want);
        // The compact offset form means the same instant.
        let compact = text.replace(&offset_text(c.off_min, true), &offset_text(c.off_min, false));
        prop_assert_eq!(ours(parse_timestamp(compact.as_bytes()).unwrap()), want);
    }

    #[test]
    fn clf_agrees_with_jiff(c in civil()) {
        let text = format!(
            "{:02}/{}/{:04}:{:02}:{:02}:{:02} {}",
            c.d, MONTHS[usize::from(c.mo) - 1], c.y, c.h, c.mi, c.s, offset_text(c.off_min, false)
        );
        let want = jiff::fmt::strtime::parse("%d/%b/%Y:%H:%M:%S %z", &text)
            .and_then(|t| t.to_timestamp())
            .unwrap_or_else(|e| panic!("jiff rejects {text}: {e}"));
        let got = parse_timestamp(text.as_bytes()).unwrap();
        prop_assert_eq!(ours(got), want.as_nanosecond());
    }

    /// Consecutive lines of one day go through the per-thread day memo: every time of
    /// day must still agree with jiff, and a new day or zone must not reuse the memo.
    #[test]
    fn clf_same_day_runs_agree_with_jiff(
        days in proptest::collection::vec(civil(), 1..4),
        times in proptest::collection::vec((0u8..24, 0u8..60, 0u8..60), 1..6),
    ) {
        for c in days {
            for &(h, mi, s) in &times {
                let text = format!(
                    "{:02}/{}/{:04}:{:02}:{:02}:{:02} {}",
                    c.d, MONTHS[usize::from(c.mo) - 1], c.y, h, mi, s, offset_text(c.off_min, false)
                );
                let want = jiff::fmt::strtime::parse("%d/%b/%Y:%H:%M:%S %z", &text)
                    .and_then(|t| t.to_timestamp())
                    .unwrap_or_else(|e| panic!("jiff rejects {text}: {e}"));
                let got = parse_timestamp(text.as_bytes()).unwrap();
                prop_assert_eq!(ours(got), want.as_nanosecond(), "{}", text);
                prop_assert_eq!(got.utc_offset_seconds(), Some(c.off_min * 60));
            }
        }
    }

    #[test]
    fn invalid_days_are_rejected(y in 1i32..=9998, mo in 1u8..=12, extra in 1u8..=3) {
        let d = days_in_month(y, mo) + extra;
        let text = format!("{y:04}-{mo:02}-{d:02}T00:00:00Z");
        prop_assert!(parse_timestamp(text.as_bytes()).is_none());
        prop_assert!(text.parse::<jiff::Timestamp>().is_err());
    }
}

// ---- round trip from a format string ----

/// How a generated format wraps a variable, which decides what its value may hold.
#[derive(Debug, Clone, Copy)]
enum Wrap {
    Plain,
    Quoted,
    Bracketed,
}

fn value_for(wrap: Wrap) -> BoxedStrategy<String> {
    match wrap {
        Wrap::Plain => "[A-Za-z0-9._:/=-]{1,12}".boxed(),
        Wrap::Quoted => "[ -!#-\\[\\]-~]{0,20}".boxed(),
        Wrap::Bracketed => "[ -\\\\^-~]{0,20}".boxed(),
    }
}

fn generated_format() -> impl Strategy<Value = (String, Vec<(String, String)>)> {
    proptest::collection::vec(
        prop::sample::select(vec![Wrap::Plain, Wrap::Quoted, Wrap::Bracketed]),
        1..8,
    )
    .prop_flat_map(|wraps| {
        let values: Vec<BoxedStrategy<String>> = wraps.iter().map(|w| value_for(*w)).collect();
        (Just(wraps), values)
    })
    .prop_map(|(wraps, values)| {
        let mut format = String::new();
        let mut pairs = Vec::new();
        for (i, (w, v)) in wraps.iter().zip(values).enumerate() {
            if i > 0 {
                format.push(' ');
            }
            let name = format!("v{i}");
            match w {
                Wrap::Plain => format.push_str(&format!("${name}")),
                Wrap::Quoted => format.push_str(&format!("\"${name}\"")),
                Wrap::Bracketed => format.push_str(&format!("[${name}]")),
            }
            pairs.push((name, v));
        }
        (format, pairs)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_lines_parse_back((format, pairs) in generated_format()) {
        let f = LogFormat::from_nginx(&format).unwrap();
        prop_assert_eq!(f.nginx_format(), Some(format.as_str()));
        let line = f
            .format_line(|name| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_bytes()))
            .unwrap();
        let r = f.parse(&line).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&line))))?;
        for (name, value) in &pairs {
            prop_assert_eq!(r.var(name), Some(value.as_bytes()), "{} in {}", name, format);
        }
        prop_assert!(r.trailing().is_empty());
        // Compiling the format string the record came from gives the same format.
        let again = LogFormat::from_nginx(f.nginx_format().unwrap()).unwrap();
        prop_assert_eq!(again.nginx_format(), f.nginx_format());
    }

    #[test]
    fn typed_values_of_combined_extras_round_trip(
        ip in (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()),
        user in "[a-z]{1,8}|-",
        c in civil(),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PROPFIND"]),
        path in "/[a-z0-9/._%-]{0,30}",
        query in proptest::option::of("[a-z0-9=&]{0,20}"),
        status in 100u16..=599,
        bytes in any::<u64>(),
        referrer in "[ -!#-\\[\\]-~]{1,30}",
        agent in "[ -!#-\\[\\]-~]{1,40}",
        rt_ms in 0u64..100_000,
        up_ms in proptest::collection::vec(0u64..10_000, 1..4),
    ) {
        let f = LogFormat::combined_extras();
        let time = format!(
            "{:02}/{}/{:04}:{:02}:{:02}:{:02} {}",
            c.d, MONTHS[usize::from(c.mo) - 1], c.y, c.h, c.mi, c.s, offset_text(c.off_min, false)
        );
        let target = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let request = format!("{method} {target} HTTP/1.1");
        let addr = format!("{}.{}.{}.{}", ip.0, ip.1, ip.2, ip.3);
        let status_s = status.to_string();
        let bytes_s = bytes.to_string();
        let rt = format!("{}.{:03}", rt_ms / 1000, rt_ms % 1000);
        let up = up_ms.iter().map(|m| format!("{}.{:03}", m / 1000, m % 1000)).collect::<Vec<_>>().join(", ");
        let values: Vec<(&str, &str)> = vec![
            ("remote_addr", &addr), ("remote_user", &user), ("time_local", &time),
            ("request", &request), ("status", &status_s), ("body_bytes_sent", &bytes_s),
            ("http_referer", &referrer), ("http_user_agent", &agent), ("request_time", &rt),
            ("upstream_response_time", &up),
        ];
        let line = f
            .format_line(|name| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_bytes()))
            .unwrap();
        let r = f.parse(&line).unwrap();
        prop_assert_eq!(r.client_ip(), Some(std::net::IpAddr::from([ip.0, ip.1, ip.2, ip.3])));
        prop_assert_eq!(r.remote_user(), (user != "-").then_some(user.as_bytes()));
        let want_time = jiff::fmt::strtime::parse("%d/%b/%Y:%H:%M:%S %z", &time).unwrap().to_timestamp().unwrap();
        prop_assert_eq!(r.timestamp().map(|t| t.unix_seconds()), Some(want_time.as_second()));
        prop_assert_eq!(r.method().map(|m| m.into_owned()), Some(method.as_bytes().to_vec()));
        prop_assert_eq!(r.path().map(|m| m.into_owned()), Some(path.as_bytes().to_vec()));
        prop_assert_eq!(r.query().map(|m| m.into_owned()), query.map(String::into_bytes));
        prop_assert_eq!(r.protocol(), Some(&b"HTTP/1.1"[..]));
        prop_assert_eq!(r.status(), Some(status));
        prop_assert_eq!(r.body_bytes(), Some(bytes));
        prop_assert_eq!(r.referrer().map(|v| v.to_vec()), (referrer != "-").then(|| referrer.as_bytes().to_vec()));
        prop_assert_eq!(r.user_agent().map(|v| v.to_vec()), (agent != "-").then(|| agent.as_bytes().to_vec()));
        prop_assert_eq!(r.request_time_us(), Some(rt_ms * 1000));
        prop_assert_eq!(r.upstream_time_us(), Some(up_ms.iter().sum::<u64>() * 1000));
        prop_assert_eq!(r.x_forwarded_for(), None);
    }
}
