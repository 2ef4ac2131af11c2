//! Shared by the stats tests: deterministic log generators, a deliberately naive
//! single-threaded reference summary, and the strategy × threads × chunk matrix.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::path::Path;

use logscan_parse::{Level, LogFormat, Timestamp};
use logscan_scan::{ScanOutput, Scanner, ScannerBuilder};
use logscan_source::{Source, Strategy};
use logscan_stats::{
    AccessReport, AppReport, Entry, LevelCount, LineTotals, MalformedSample, MessageCount,
    MessageTable, PathTime, PathTimeTable, PerMinuteReport, Report, SCHEMA, ServedTimeReport,
    SlowRequestReport, StatusClasses, StatusCount, Summary, SummaryBuilder, Table, TimeRange,
    Timeline, TimelineBucket, UniqueCount,
};

/// xorshift64*: deterministic, no dependency.
pub struct Xorshift(u64);

impl Xorshift {
    pub fn new(seed: u64) -> Self {
        Xorshift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Skewed towards small values, like real traffic: index i with weight ~1/(i+1).
    pub fn skewed(&mut self, n: u64) -> u64 {
        let r = self.below(n * n);
        n - 1 - r.isqrt().min(n - 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// nginx combined plus ` $request_time`, as `cargo xtask gen` writes.
pub const ACCESS_FORMAT: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time"#;

pub fn access_format() -> LogFormat {
    LogFormat::from_nginx(ACCESS_FORMAT).expect("the test format compiles")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn clf_time(unix: i64) -> String {
    // Days to civil date (Howard Hinnant's algorithm), enough for test data.
    let days = unix.div_euclid(86_400);
    let sod = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{d:02}/{}/{y}:{:02}:{:02}:{:02} +0000",
        MONTHS[(m - 1) as usize],
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// Access-log lines with skewed paths and clients, IPv6, odd methods, many statuses,
/// long-tailed request times, timestamps rising with jitter, CRLF now and then, and
/// about 3% malformed lines (cut short, binary, empty).
pub fn access_log(seed: u64, lines: usize) -> Vec<u8> {
    let mut rng = Xorshift::new(seed);
    let methods = [
        "GET", "GET", "GET", "POST", "HEAD", "PUT", "DELETE", "PROPFIND",
    ];
    let statuses = [
        200, 200, 200, 200, 304, 301, 404, 404, 500, 503, 499, 206, 403, 101,
    ];
    let agents = [
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0",
        "curl/8.5.0",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "python-requests/2.31",
        "-",
    ];
    let referrers = [
        "-",
        "-",
        "https://example.com/",
        "https://t.co/x",
        "http://a.b/c?d=e",
    ];
    let mut t = 1_710_400_000i64;
    let mut out = Vec::new();
    for _ in 0..lines {
        t += rng.below(25) as i64;
        let jitter = rng.below(5) as i64 - 2;
        let client = match rng.below(10) {
            0 => format!("2001:db8::{:x}", rng.skewed(40)),
            _ => format!("10.{}.{}.{}", rng.skewed(3), rng.skewed(8), rng.skewed(50)),
        };
        let path = format!("/p/{}", rng.skewed(60));
        let query = if rng.below(4) == 0 {
            format!("?q={}", rng.below(9))
        } else {
            String::new()
        };
        let request_time = match rng.below(20) {
            0 => rng.below(60_000),
            1..=4 => rng.below(2_000),
            _ => rng.below(120),
        };
        let line = format!(
            r#"{client} - {user} [{time}] "{method} {path}{query} HTTP/1.1" {status} {bytes} "{referrer}" "{agent}" {secs}.{millis:03}"#,
            user = if rng.below(10) == 0 { "alice" } else { "-" },
            time = clf_time(t + jitter),
            method = rng.pick(&methods),
            status = rng.pick(&statuses),
            bytes = rng.below(50_000),
            referrer = rng.pick(&referrers),
            agent = rng.pick(&agents),
            secs = request_time / 1000,
            millis = request_time % 1000,
        );
        match rng.below(33) {
            0 => out.extend_from_slice(&line.as_bytes()[..line.len() / 2]),
            1 => out.extend_from_slice(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage"),
            2 => {}
            _ => out.extend_from_slice(line.as_bytes()),
        }
        if rng.below(8) == 0 {
            out.push(b'\r');
        }
        out.push(b'\n');
    }
    out
}

/// Application-log lines: ISO timestamps, levels of every kind (and none), components,
/// messages with numbers, hex ids and negative numbers; a few continuation lines.
pub fn app_log(seed: u64, lines: usize) -> Vec<u8> {
    let mut rng = Xorshift::new(seed);
    let levels = [
        "INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR", "FATAL", "TRACE", "WARNING",
    ];
    let components = [
        "db.Pool",
        "http.Server",
        "cache",
        "auth.Session",
        "jobs.Worker",
    ];
    let messages = [
        "connection to 10.0.0.{} refused after {} ms",
        "block blk_-{} missing on node {}",
        "request 0x{:x} took {} ms",
        "user{} logged in from session {}",
        "retrying in {} s (attempt {})",
    ];
    let mut out = Vec::new();
    let mut t = 1_700_000_000i64;
    for _ in 0..lines {
        t += rng.below(3) as i64;
        match rng.below(60) {
            0 | 1 => {
                out.extend_from_slice(b"\tat com.example.Main.run(Main.java:42)\n");
                continue;
            }
            2 => {
                let exceptions = [
                    "java.io.IOException: disk",
                    "Caused by: java.net.SocketTimeoutException: read timed out",
                    "ValueError: bad value",
                    "\tSuppressed: java.lang.IllegalStateException",
                    "org.example.AppError",
                ];
                out.extend_from_slice(rng.pick(&exceptions).as_bytes());
                out.push(b'\n');
                continue;
            }
            _ => {}
        }
        let (a, b) = (rng.skewed(30), rng.below(1000));
        let message = rng
            .pick(&messages)
            .replacen("{:x}", &format!("{:x}", a * 7919 + 4096), 1)
            .replacen("{}", &a.to_string(), 1)
            .replacen("{}", &b.to_string(), 1);
        let ts = Timestamp::from_unix(t, 0)
            .unwrap()
            .with_offset(None)
            .to_string();
        let line = format!(
            "{} {} [{}] {}",
            ts.replace('T', " "),
            rng.pick(&levels),
            rng.pick(&components),
            message
        );
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

/// A report with the one field that depends on how the work was split (the tables'
/// allocated capacity) cleared.
pub fn canonical(mut report: Report) -> Report {
    report.table_bytes = 0;
    report
}

pub const STRATEGIES: [Strategy; 3] = [Strategy::Stream, Strategy::ReadAll, Strategy::Mmap];
pub const THREADS: [usize; 3] = [1, 2, 7];
pub const CHUNK_SIZES: [usize; 4] = [1, 64, 4096, ScannerBuilder::DEFAULT_CHUNK_SIZE];

/// Summarises `path` every way: 3 strategies × threads {1, 2, 7} × chunk sizes
/// {1 B, 64 B, 4 KiB, default}. Stream blocks are the chunk size, at least
/// `min_block` bytes and at most 4 KiB, so lines straddle blocks too.
pub fn summaries_every_way(
    path: &Path,
    options: &SummaryBuilder,
    format: &LogFormat,
    min_block: usize,
) -> Vec<(String, ScanOutput<Summary>)> {
    every_way(path, min_block, || options.build(format))
}

/// [`summaries_every_way`] with summaries made by `make`.
pub fn every_way(
    path: &Path,
    min_block: usize,
    make: impl Fn() -> Summary + Sync,
) -> Vec<(String, ScanOutput<Summary>)> {
    let mut out = Vec::new();
    for threads in THREADS {
        for chunk in CHUNK_SIZES {
            let scanner = Scanner::builder()
                .threads(threads)
                .chunk_size(chunk)
                .build()
                .unwrap();
            for strategy in STRATEGIES {
                let source = Source::builder()
                    .strategy(strategy)
                    .block_size(chunk.clamp(min_block, 4096))
                    .open(path)
                    .unwrap();
                let scanned = scanner.scan(source, &make).unwrap();
                out.push((
                    format!("{strategy} threads={threads} chunk={chunk}"),
                    scanned,
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// The reference: one thread, one pass, plain maps and sorted vectors, sharing nothing
// with the crate but the parser.
// ---------------------------------------------------------------------------------

fn split_lines(input: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.is_empty() || input.ends_with(b"\n") {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 10_000.0 / whole as f64).round() / 100.0
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn top_table(counts: &BTreeMap<Vec<u8>, u64>, n: usize, base: u64) -> Table {
    let mut all: Vec<(&Vec<u8>, &u64)> = counts.iter().collect();
    all.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    Table {
        distinct: counts.len() as u64,
        complete: true,
        untracked: 0,
        total: counts.values().sum(),
        entries: all
            .into_iter()
            .take(n)
            .map(|(k, &c)| Entry {
                key: lossy(k),
                count: c,
                percent: pct(c, base),
            })
            .collect(),
    }
}

/// The exception a stack-trace line names, written plainly: the name (letters,
/// digits, `.`, `_`, `$`) after optional blanks and `Caused by: ` or `Suppressed: `,
/// if it ends in `Exception` or `Error`, starts with a letter, and is followed by
/// nothing or by `:`, then a space or nothing.
pub fn reference_exception(line: &[u8]) -> Option<&[u8]> {
    let mut s: &[u8] = line;
    while let [b' ' | b'\t' | b'\n' | b'\r' | b'\x0c', rest @ ..] = s {
        s = rest;
    }
    for prefix in [&b"Caused by: "[..], b"Suppressed: "] {
        if s.starts_with(prefix) {
            s = &s[prefix.len()..];
            break;
        }
    }
    let mut n = 0;
    while n < s.len() && (s[n].is_ascii_alphanumeric() || b"._$".contains(&s[n])) {
        n += 1;
    }
    let (name, rest) = (&s[..n], &s[n..]);
    let named = name.ends_with(b"Exception") || name.ends_with(b"Error");
    let starts = name.first().is_some_and(|b| b.is_ascii_alphabetic());
    let ends = rest.is_empty() || rest == b":" || rest.starts_with(b": ");
    (named && starts && ends).then_some(name)
}

/// A host as the summary counts it: lowercase, without a trailing dot before the
/// end or the port.
fn dns_name(host: &[u8]) -> Vec<u8> {
    let host = String::from_utf8_lossy(host).to_ascii_lowercase();
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port))
            if !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (!name.contains(':') || (name.starts_with('[') && name.ends_with(']'))) =>
        {
            (name.to_owned(), format!(":{port}"))
        }
        _ => (host.clone(), String::new()),
    };
    format!("{}{port}", name.strip_suffix('.').unwrap_or(&name)).into_bytes()
}

fn bump(map: &mut BTreeMap<Vec<u8>, u64>, key: &[u8]) {
    *map.entry(key[..key.len().min(1024)].to_vec()).or_default() += 1;
}

/// The template rule, written as a token list: alphanumeric runs and separator runs.
pub fn reference_template(message: &[u8]) -> Vec<u8> {
    let message = &message[..message.len().min(200)];
    let mut tokens: Vec<(bool, Vec<u8>)> = Vec::new();
    for &b in message {
        let alnum = b.is_ascii_alphanumeric();
        match tokens.last_mut() {
            Some((kind, bytes)) if *kind == alnum => bytes.push(b),
            _ => tokens.push((alnum, vec![b])),
        }
    }
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let (alnum, bytes) = &tokens[i];
        if !alnum {
            let mut sep = bytes.clone();
            let next_is_number = tokens
                .get(i + 1)
                .is_some_and(|(_, t)| t[0].is_ascii_digit());
            let sign_alone = sep.len() >= 2 || i == 0;
            if sep.last() == Some(&b'-') && next_is_number && sign_alone {
                sep.pop();
            }
            out.extend(sep);
            continue;
        }
        let has_digit = bytes.iter().any(|b| b.is_ascii_digit());
        let hex_word = bytes.len() >= 4 && bytes.iter().all(|b| b.is_ascii_hexdigit());
        let prefixed = bytes.len() > 2
            && (bytes.starts_with(b"0x") || bytes.starts_with(b"0X"))
            && bytes[2..].iter().all(|b| b.is_ascii_hexdigit());
        if has_digit && (hex_word || prefixed) {
            out.extend_from_slice(b"<*>");
        } else {
            let mut last_digit = false;
            for &b in bytes {
                if b.is_ascii_digit() {
                    if !last_digit {
                        out.extend_from_slice(b"<*>");
                    }
                } else {
                    out.push(b);
                }
                last_digit = b.is_ascii_digit();
            }
        }
    }
    out
}

fn earlier(a: &Timestamp, b: &Timestamp) -> bool {
    (a, a.utc_offset_seconds()) < (b, b.utc_offset_seconds())
}

/// A request with a served time: (time, line, method, path, status).
type Timed = (u64, u64, Vec<u8>, Option<Vec<u8>>, Option<u16>);

/// At most `n` bytes of `text` without splitting a UTF-8 character, `…` after if cut.
fn kept_start(text: &[u8], n: usize) -> String {
    let mut end = text.len().min(n);
    while end < text.len() && end > 0 && (text[end] as i8) < -64 {
        end -= 1; // a continuation byte: 0b10xx_xxxx is -128..=-65 as i8
    }
    let mut s = String::from_utf8_lossy(&text[..end]).into_owned();
    if end < text.len() {
        s.push('…');
    }
    s
}

/// The summary of `input` computed the obvious way. Percentiles come from a sorted
/// vector at rank ceil(q·n), as HdrHistogram defines them; the caller compares them
/// with a tolerance.
pub fn reference(input: &[u8], format: &LogFormat, top: usize) -> Report {
    reference_kept(input, format, top, None)
}

/// The reference of a summary that counts only the records `keep` accepts
/// (`Summary::keep_only`): the others are `excluded`, and a stack trace's exceptions
/// count only when the record it goes on from was kept (a malformed line ends a trace).
pub fn reference_kept(
    input: &[u8],
    format: &LogFormat,
    top: usize,
    keep: Option<&dyn Fn(&logscan_parse::Record<'_>) -> bool>,
) -> Report {
    let kind = format.kind();
    let mut excluded = 0u64;
    // With conditions: whether the record the current trace goes on from was kept.
    let mut following_kept = false;
    let lines = split_lines(input);
    let (mut parsed, mut malformed, mut continued) = (0u64, 0u64, 0u64);
    let mut exceptions: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut samples = Vec::new();
    let (mut first, mut last): (Option<Timestamp>, Option<Timestamp>) = (None, None);
    let mut year_assumed = false;

    let mut requests = 0u64;
    let mut methods = BTreeMap::new();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    let mut status_other = 0u64;
    let mut body: Option<u64> = None;
    let mut clients = BTreeMap::new();
    let mut paths = BTreeMap::new();
    let mut not_found = BTreeMap::new();
    let mut server_errors = BTreeMap::new();
    let mut agents = BTreeMap::new();
    let mut referrers = BTreeMap::new();
    let mut hosts = BTreeMap::new();
    // By path: timed requests, their total and their longest time.
    let mut path_times: BTreeMap<Vec<u8>, (u64, u64, u64)> = BTreeMap::new();
    let mut served: Vec<u64> = Vec::new();
    // Every request with a served time.
    let mut timed: Vec<Timed> = Vec::new();
    let mut minutes: BTreeMap<i64, u64> = BTreeMap::new();
    // Of those, the requests answered with a 5xx.
    let mut failed_minutes: BTreeMap<i64, u64> = BTreeMap::new();

    let mut app_lines = 0u64;
    let mut levels: BTreeMap<Level, u64> = BTreeMap::new();
    let (mut assumed, mut no_level) = (0u64, 0u64);
    let mut components = BTreeMap::new();
    let mut app_hosts = BTreeMap::new();
    let mut messages: BTreeMap<(Level, Vec<u8>), u64> = BTreeMap::new();

    for (i, line) in lines.iter().enumerate() {
        let number = i as u64 + 1;
        let record = match format.parse(line) {
            Ok(r) => r,
            Err(e) if e.kind == logscan_parse::ParseErrorKind::Continuation => {
                continued += 1;
                if (keep.is_none() || following_kept)
                    && let Some(name) = reference_exception(line)
                {
                    bump(&mut exceptions, name);
                }
                continue;
            }
            Err(e) => {
                malformed += 1;
                following_kept = false;
                if samples.len() < 10 {
                    samples.push(MalformedSample {
                        input: None,
                        line: number,
                        error: e.kind.as_str().to_owned(),
                        column: e.column,
                        text: lossy(&line[..line.len().min(512)]),
                        text_cut: line.len() > 512,
                    });
                }
                continue;
            }
        };
        parsed += 1;
        following_kept = keep.is_none_or(|keep| keep(&record));
        if !following_kept {
            excluded += 1;
            continue;
        }
        year_assumed |= record.year_is_assumed();
        let ts = record.timestamp();
        if let Some(ts) = ts {
            if first.is_none_or(|f| earlier(&ts, &f)) {
                first = Some(ts);
            }
            if last.is_none_or(|l| earlier(&l, &ts)) {
                last = Some(ts);
            }
        }
        let json = kind == logscan_parse::FormatKind::Json;
        let access_kind = matches!(kind, logscan_parse::FormatKind::Access) || json;
        if access_kind && (!json || record.status().is_some() || record.path().is_some()) {
            requests += 1;
            bump(&mut methods, record.method().as_deref().unwrap_or(b"-"));
            match record.status() {
                Some(s) if s < 1000 => *statuses.entry(s).or_default() += 1,
                _ => status_other += 1,
            }
            if let Some(p) = record.path() {
                bump(&mut paths, &p);
                match record.status() {
                    Some(404) => bump(&mut not_found, &p),
                    Some(500..=599) => bump(&mut server_errors, &p),
                    _ => {}
                }
            }
            if let Some(b) = record.body_bytes() {
                body = Some(body.unwrap_or(0) + b);
            }
            if let Some(c) = record.client() {
                bump(&mut clients, c);
            }
            if let Some(a) = record.user_agent() {
                bump(&mut agents, &a);
            }
            if let Some(r) = record.referrer() {
                bump(&mut referrers, &r);
            }
            if let Some(h) = record.host() {
                bump(&mut hosts, &dns_name(&h));
            }
            if let Some(us) = record.request_time_us() {
                served.push(us);
                if let Some(p) = record.path() {
                    let e = path_times
                        .entry(p[..p.len().min(1024)].to_vec())
                        .or_default();
                    *e = (e.0 + 1, e.1 + us, e.2.max(us));
                }
                let method = record.method().map_or(b"-".to_vec(), |m| m.to_vec());
                let path = record.path().map(|p| p.to_vec());
                timed.push((us, number, method, path, record.status()));
            }
            if let Some(ts) = ts {
                *minutes.entry(ts.unix_seconds().div_euclid(60)).or_default() += 1;
                if matches!(record.status(), Some(500..=599)) {
                    *failed_minutes
                        .entry(ts.unix_seconds().div_euclid(60))
                        .or_default() += 1;
                }
            }
        }
        let app_kind = matches!(kind, logscan_parse::FormatKind::App) || json;
        if app_kind && (!json || record.level().is_some() || record.message().is_some()) {
            app_lines += 1;
            if let Some(e) = record.exception() {
                bump(&mut exceptions, &e);
            }
            match record.level() {
                Some(l) => {
                    *levels.entry(l).or_default() += 1;
                    assumed += u64::from(record.level_is_assumed());
                }
                None => no_level += 1,
            }
            if let Some(c) = record.component() {
                bump(&mut components, c);
            }
            if let Some(h) = record.host() {
                bump(&mut app_hosts, &dns_name(&h));
            }
            if let (Some(l), Some(m)) = (record.level(), record.message())
                && l >= Level::Warn
            {
                *messages.entry((l, reference_template(&m))).or_default() += 1;
            }
        }
    }

    let access = (requests > 0).then(|| {
        let mut classes = StatusClasses {
            other: status_other,
            ..StatusClasses::default()
        };
        for (&s, &n) in &statuses {
            match s {
                100..=199 => classes.informational += n,
                200..=299 => classes.success += n,
                300..=399 => classes.redirection += n,
                400..=499 => classes.client_error += n,
                500..=599 => classes.server_error += n,
                _ => classes.other += n,
            }
        }
        served.sort_unstable();
        let rank = |q: f64| {
            let r = ((q * served.len() as f64).ceil() as usize).max(1);
            served[r - 1]
        };
        let offset = first.and_then(|f| f.utc_offset_seconds());
        AccessReport {
            requests,
            methods: top_table(&methods, top.max(20), requests),
            statuses: statuses
                .iter()
                .map(|(&status, &count)| StatusCount {
                    status,
                    count,
                    percent: pct(count, requests),
                })
                .collect(),
            status_classes: classes,
            body_bytes: body,
            unique_clients: (!clients.is_empty()).then_some(UniqueCount {
                count: clients.len() as u64,
                estimated: false,
            }),
            requests_per_minute: minutes.first_key_value().map(|(&lo, _)| {
                let hi = *minutes.keys().last().unwrap();
                let span = (hi - lo) as u64 + 1;
                let timed: u64 = minutes.values().sum();
                let peak = *minutes.values().max().unwrap();
                let peak_minute = *minutes.iter().find(|(_, n)| **n == peak).unwrap().0;
                PerMinuteReport {
                    mean: (timed as f64 / span as f64 * 100.0).round() / 100.0,
                    peak,
                    peak_minute: Timestamp::from_unix(peak_minute * 60, 0)
                        .unwrap()
                        .with_offset(offset)
                        .to_string(),
                    minutes: span,
                }
            }),
            requests_over_time: reference_timeline(&minutes, &failed_minutes, offset),
            slowest_requests: {
                // All of them, slowest first and, of equal times, earlier first.
                timed.sort_by_key(|&(us, line, ..)| (std::cmp::Reverse(us), line));
                timed
                    .iter()
                    .take(top)
                    .map(|(us, line, method, path, status)| SlowRequestReport {
                        served_us: *us,
                        method: kept_start(method, 16),
                        path: path.as_deref().map(|p| kept_start(p, 256)),
                        status: *status,
                        input: None,
                        line: *line,
                    })
                    .collect()
            },
            served_time_us: (!served.is_empty()).then(|| ServedTimeReport {
                count: served.len() as u64,
                min: served[0],
                mean: (served.iter().sum::<u64>() as f64 / served.len() as f64 * 10.0).round()
                    / 10.0,
                p50: rank(0.5),
                p90: rank(0.9),
                p99: rank(0.99),
                max: *served.last().unwrap(),
            }),
            top_paths: top_table(&paths, top, requests),
            top_clients: top_table(&clients, top, requests),
            top_user_agents: top_table(&agents, top, requests),
            top_referrers: top_table(&referrers, top, requests),
            // Shares of the 404s and of the 5xx.
            top_not_found_paths: top_table(&not_found, top, not_found.values().sum()),
            top_server_error_paths: top_table(&server_errors, top, server_errors.values().sum()),
            top_hosts: top_table(&hosts, top, requests),
            paths_by_served_time: (!path_times.is_empty()).then(|| {
                let all: u64 = served.iter().sum();
                let mut by_total: Vec<_> = path_times.iter().collect();
                by_total.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(b.0)));
                PathTimeTable {
                    distinct: path_times.len() as u64,
                    complete: true,
                    untracked_requests: 0,
                    untracked_us: 0,
                    entries: by_total
                        .into_iter()
                        .take(top)
                        .map(|(path, &(requests, total, max))| PathTime {
                            path: lossy(path),
                            requests,
                            total_us: total,
                            mean_us: (total as f64 / requests as f64 * 10.0).round() / 10.0,
                            max_us: max,
                            percent: pct(total, all),
                        })
                        .collect(),
                }
            }),
        }
    });

    let app = (app_lines > 0).then(|| {
        let mut all: Vec<(&(Level, Vec<u8>), &u64)> = messages.iter().collect();
        all.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        AppReport {
            lines: app_lines,
            levels: levels
                .iter()
                .map(|(l, &n)| LevelCount {
                    level: l.to_string().to_uppercase(),
                    count: n,
                    percent: pct(n, app_lines),
                })
                .collect(),
            levels_assumed: assumed,
            no_level,
            top_components: top_table(&components, top, app_lines),
            top_hosts: top_table(&app_hosts, top, app_lines),
            top_exceptions: top_table(&exceptions, top, exceptions.values().sum()),
            top_messages: MessageTable {
                distinct: messages.len() as u64,
                complete: true,
                untracked: 0,
                total: messages.values().sum(),
                entries: all
                    .into_iter()
                    .take(top)
                    .map(|((l, t), &n)| MessageCount {
                        level: l.to_string().to_uppercase(),
                        template: lossy(t),
                        count: n,
                        percent: pct(n, app_lines),
                    })
                    .collect(),
            },
        }
    });

    Report {
        schema: SCHEMA,
        format: format.name().to_owned(),
        filtered: keep.is_some(),
        lines: LineTotals {
            total: lines.len() as u64,
            parsed,
            excluded,
            malformed,
            continued,
        },
        malformed_samples: samples,
        time: first.zip(last).map(|(f, l)| TimeRange {
            first: f.to_string(),
            last: l.to_string(),
            first_unix: f.unix_seconds(),
            last_unix: l.unix_seconds(),
            span_seconds: l.unix_seconds() - f.unix_seconds(),
            year_assumed,
        }),
        access,
        app,
        scan: None,
        table_bytes: 0,
    }
}

/// Asserts that `got` is the reference: served-time percentiles within HdrHistogram's
/// 3-significant-digit error (at or above the exact value, by at most 0.1% + 1), every
/// other field exactly.
pub fn assert_matches_reference(got: &Report, want: &Report, ctx: &str) {
    let mut got = canonical(got.clone());
    if let (Some(g), Some(w)) = (
        got.access.as_mut().and_then(|a| a.served_time_us.as_mut()),
        want.access.as_ref().and_then(|a| a.served_time_us.as_ref()),
    ) {
        for (name, g, w) in [
            ("p50", &mut g.p50, w.p50),
            ("p90", &mut g.p90, w.p90),
            ("p99", &mut g.p99, w.p99),
        ] {
            assert!(
                *g >= w && *g - w <= w / 1000 + 1,
                "{ctx}: {name} is {g}, the sorted reference says {w}"
            );
            *g = w;
        }
    }
    assert_eq!(&got, want, "{ctx}");
}

/// The timeline the long way: each candidate bucket length in turn (then every whole
/// number of weeks) until the buckets from the first minute to the last are at most
/// 24, then every bucket summed over all the minutes. Buckets of whole weeks start on
/// a Monday: 1970-01-05 was one.
fn reference_timeline(
    minutes: &BTreeMap<i64, u64>,
    failed: &BTreeMap<i64, u64>,
    offset: Option<i32>,
) -> Option<Timeline> {
    let off = i64::from(offset.unwrap_or(0));
    let local: Vec<(i64, u64)> = minutes.iter().map(|(&m, &n)| (m * 60 + off, n)).collect();
    let (lo, hi) = (local.first()?.0, local.last()?.0);
    let week = 604_800;
    let bucket_of = |t: i64, b: i64| {
        if b % week == 0 {
            (t - 345_600).div_euclid(b) // from Monday 1970-01-05
        } else {
            t.div_euclid(b)
        }
    };
    let start_of = |i: i64, b: i64| {
        if b % week == 0 {
            i * b + 345_600
        } else {
            i * b
        }
    };
    let aligned = |b: i64| bucket_of(hi, b) - bucket_of(lo, b) + 1;
    let b = [
        60, 300, 600, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400,
    ]
    .into_iter()
    .chain((1..).map(|k| k * week))
    .find(|&b| aligned(b) <= 24)
    .unwrap();
    let first = bucket_of(lo, b);
    let buckets = (0..aligned(b))
        .map(|i| TimelineBucket {
            start: Timestamp::from_unix(start_of(first + i, b) - off, 0)
                .unwrap()
                .with_offset(offset)
                .to_string(),
            requests: local
                .iter()
                .filter(|(t, _)| bucket_of(*t, b) == first + i)
                .map(|(_, n)| n)
                .sum(),
            server_errors: failed
                .iter()
                .filter(|(m, _)| bucket_of(*m * 60 + off, b) == first + i)
                .map(|(_, n)| n)
                .sum(),
        })
        .collect();
    Some(Timeline {
        bucket_seconds: b as u64,
        buckets,
    })
}
