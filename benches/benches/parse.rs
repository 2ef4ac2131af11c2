//! logscan-parse throughput: the nginx `combined` format plus `$request_time`, every
//! field extracted and typed, over a buffer of realistic synthetic lines. Results and
//! the command that produced them are recorded in docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logscan_parse::{LogFormat, parse_timestamp};

/// The format under test, pasted as an nginx directive.
const DIRECTIVE: &str = r#"log_format timed '$remote_addr - $remote_user [$time_local] "$request" '
                       '$status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';"#;

const AGENTS: [&str; 6] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "-",
];
const PATHS: [&str; 6] = [
    "/",
    "/api/v1/items",
    "/static/js/app.3f9c1e.js",
    "/search",
    "/product/31893/62100/sofa-grey",
    "/images/60844/productModel/200x200.jpg",
];
const REFERRERS: [&str; 3] = [
    "-",
    "https://www.example.com/",
    "https://www.google.com/search?q=sofa",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A deterministic buffer of about `target` bytes of newline-terminated lines.
fn dataset(target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 512);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // xorshift64*: deterministic, no dependency, good enough to vary fields.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut second = 0u64;
    while out.len() < target {
        let r = next();
        second += r % 3;
        let (d, h, m, s) = (
            1 + (second / 86_400) % 28,
            (second / 3600) % 24,
            (second / 60) % 60,
            second % 60,
        );
        let path = PATHS[(r >> 8) as usize % PATHS.len()];
        let query = if r & 1 == 0 {
            format!("?page={}&sort=price", (r >> 20) % 50)
        } else {
            String::new()
        };
        let method = if (r >> 4) % 10 == 0 { "POST" } else { "GET" };
        let status = [200, 200, 200, 304, 404, 500, 301][(r >> 12) as usize % 7];
        let line = format!(
            "{}.{}.{}.{} - {} [{:02}/{}/2024:{:02}:{:02}:{:02} +0000] \"{} {}{} HTTP/1.1\" {} {} \"{}\" \"{}\" {}.{:03}\n",
            (r >> 24) % 223 + 1,
            (r >> 32) % 256,
            (r >> 40) % 256,
            (r >> 48) % 254 + 1,
            if (r >> 16) % 20 == 0 { "alice" } else { "-" },
            d,
            MONTHS[((r >> 28) % 12) as usize],
            h,
            m,
            s,
            method,
            path,
            query,
            status,
            (r >> 36) % 100_000,
            REFERRERS[(r >> 44) as usize % REFERRERS.len()],
            AGENTS[(r >> 52) as usize % AGENTS.len()],
            (r >> 56) % 3,
            (r >> 10) % 1000,
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Every field, typed, folded into a checksum so none of the work can be skipped.
#[inline(never)]
fn scan_all_fields(format: &LogFormat, buf: &[u8]) -> u64 {
    let mut sum = 0u64;
    let mut bad = 0u64;
    for line in memchr::memchr_iter(b'\n', buf).scan(0usize, |start, end| {
        let l = &buf[*start..end];
        *start = end + 1;
        Some(l)
    }) {
        let Ok(r) = format.parse(line) else {
            bad += 1;
            continue;
        };
        let ts = r.timestamp().map_or(0, |t| t.unix_seconds() as u64);
        let client = r.client().map_or(0, <[u8]>::len);
        let user = r.remote_user().map_or(0, <[u8]>::len);
        let (method, path, query, proto) = match r.request() {
            Some(req) => (
                req.method().map_or(0, <[u8]>::len),
                req.path().map_or(0, <[u8]>::len),
                req.query().map_or(0, <[u8]>::len),
                req.protocol().map_or(0, <[u8]>::len),
            ),
            None => (0, 0, 0, 0),
        };
        let status = u64::from(r.status().unwrap_or(0));
        let bytes = r.body_bytes().unwrap_or(0);
        let referrer = r.referrer().map_or(0, <[u8]>::len);
        let agent = r.user_agent().map_or(0, <[u8]>::len);
        let rt = r.request_time_us().unwrap_or(0);
        sum = sum
            .wrapping_add(ts)
            .wrapping_add((client + user + method + path + query + proto + referrer + agent) as u64)
            .wrapping_add(status)
            .wrapping_add(bytes)
            .wrapping_add(rt);
    }
    assert_eq!(bad, 0, "the dataset must parse completely");
    sum
}

/// The typed accessors alone, over records parsed beforehand.
#[inline(never)]
fn typed_only(records: &[logscan_parse::Record<'_>]) -> u64 {
    let mut sum = 0u64;
    for r in records {
        sum = sum.wrapping_add(r.timestamp().map_or(0, |t| t.unix_seconds() as u64));
        if let Some(req) = r.request() {
            sum = sum.wrapping_add(req.path().map_or(0, <[u8]>::len) as u64);
            sum = sum.wrapping_add(req.query().map_or(0, <[u8]>::len) as u64);
            sum = sum.wrapping_add(req.method().map_or(0, <[u8]>::len) as u64);
            sum = sum.wrapping_add(req.protocol().map_or(0, <[u8]>::len) as u64);
        }
        sum = sum.wrapping_add(u64::from(r.status().unwrap_or(0)));
        sum = sum.wrapping_add(r.body_bytes().unwrap_or(0));
        sum = sum.wrapping_add(r.request_time_us().unwrap_or(0));
        sum = sum.wrapping_add(r.client().map_or(0, <[u8]>::len) as u64);
        sum = sum.wrapping_add(r.remote_user().map_or(0, <[u8]>::len) as u64);
        sum = sum.wrapping_add(r.referrer().map_or(0, <[u8]>::len) as u64);
        sum = sum.wrapping_add(r.user_agent().map_or(0, <[u8]>::len) as u64);
    }
    sum
}

/// Finding the fields only (no typed accessor called).
#[inline(never)]
fn scan_match_only(format: &LogFormat, buf: &[u8]) -> u64 {
    let mut n = 0u64;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', buf) {
        n += u64::from(format.parse(&buf[start..end]).is_ok());
        start = end + 1;
    }
    n
}

fn bench_combined(c: &mut Criterion) {
    let format = LogFormat::from_nginx(DIRECTIVE).expect("the bench format compiles");
    let buf = dataset(16 << 20);
    let lines = memchr::memchr_iter(b'\n', &buf).count();
    eprintln!(
        "dataset: {} bytes, {} lines, {:.0} bytes/line",
        buf.len(),
        lines,
        buf.len() as f64 / lines as f64
    );
    let mut g = c.benchmark_group("parse_combined_request_time");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.sample_size(10);
    g.bench_function("all_fields_typed", |b| {
        b.iter(|| scan_all_fields(&format, black_box(&buf)))
    });
    g.bench_function("match_only", |b| {
        b.iter(|| scan_match_only(&format, black_box(&buf)))
    });
    let records: Vec<logscan_parse::Record<'_>> = buf
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| format.parse(l).ok())
        .collect();
    g.bench_function("typed_only", |b| b.iter(|| typed_only(black_box(&records))));
    g.finish();
}

fn bench_timestamp(c: &mut Criterion) {
    let mut g = c.benchmark_group("timestamp");
    g.throughput(Throughput::Elements(1));
    g.bench_function("clf", |b| {
        b.iter(|| parse_timestamp(black_box(b"10/Oct/2000:13:55:36 -0700")))
    });
    g.bench_function("rfc3339", |b| {
        b.iter(|| parse_timestamp(black_box(b"2000-10-10T13:55:36.123+02:00")))
    });
    g.finish();
}

criterion_group!(benches, bench_combined, bench_timestamp);
criterion_main!(benches);
