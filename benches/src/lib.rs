//! Shared pieces of the logscan benchmarks: deterministic datasets and the measured
//! workloads, so that the criterion benches in `benches/benches/` and the single-pass
//! examples in `benches/examples/` (used for instruction counts under callgrind, a
//! figure that does not move when other work shares the CPU) run the same code.
//!
//! Besides the hand-made [`combined_request_time_lines`], [`generated`] takes any
//! format from the dataset generator behind `cargo xtask gen` (Zipf-distributed
//! paths and clients, malformed and very long lines included), and the `naive_*`
//! functions are the plain byte loops the line splitter is measured against.
#![deny(missing_docs)]

use logscan_parse::LogFormat;

/// `bytes` bytes (rounded up to a whole line) of generated log in `format`, from the
/// generator behind `cargo xtask gen` with its default seed.
///
/// # Panics
///
/// If the generator refuses the amount (zero bytes), which is a bug in the bench.
pub fn generated(format: xtask::Format, bytes: u64) -> Vec<u8> {
    let generator = xtask::Generator::builder()
        .format(format)
        .seed(xtask::DEFAULT_SEED)
        .bytes(bytes)
        .build()
        .expect("the bench's generator configuration is valid");
    let mut out = Vec::with_capacity(bytes as usize + (256 << 10));
    generator
        .write_to(&mut out)
        .expect("writing to a Vec cannot fail");
    out
}

/// The same lines with their last space-separated field removed: the generator's
/// `combined` + `$request_time` lines become plain nginx `combined` lines.
pub fn without_last_field(buf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len());
    for line in logscan_source::lines(buf) {
        let kept = match memchr::memrchr(b' ', line) {
            Some(i) => &line[..i],
            None => line,
        };
        out.extend_from_slice(kept);
        out.push(b'\n');
    }
    out
}

/// Lines counted one byte at a time, by the rule of [`logscan_source::count_lines`]
/// (a last line without `\n` counts).
#[inline(never)]
pub fn naive_count(buf: &[u8]) -> u64 {
    let mut n = 0u64;
    for &b in buf {
        n += u64::from(b == b'\n');
    }
    match buf.last() {
        Some(b'\n') | None => n,
        Some(_) => n + 1,
    }
}

/// Line count and total line length (terminators and a `\r` before `\n`
/// excluded) through [`logscan_source::lines`].
#[inline(never)]
pub fn split_with_lines(buf: &[u8]) -> (u64, u64) {
    let (mut n, mut len) = (0u64, 0u64);
    for line in logscan_source::lines(buf) {
        n += 1;
        len += line.len() as u64;
    }
    (n, len)
}

/// [`split_with_lines`] done with a byte-at-a-time search for each `\n`.
#[inline(never)]
pub fn naive_split(buf: &[u8]) -> (u64, u64) {
    let (mut n, mut len) = (0u64, 0u64);
    let mut visit = |line: &[u8]| {
        let line = match line {
            [rest @ .., b'\r'] => rest,
            _ => line,
        };
        n += 1;
        len += line.len() as u64;
    };
    let mut start = 0;
    for (i, &b) in buf.iter().enumerate() {
        if b == b'\n' {
            visit(&buf[start..i]);
            start = i + 1;
        }
    }
    if start < buf.len() {
        visit(&buf[start..]);
    }
    (n, len)
}

/// Parses every line with `format` and reads the fields a summary reads whatever the
/// format (time, status, level, path, message), folded into a checksum; lines that
/// do not parse are counted in the top bits.
#[inline(never)]
pub fn parse_typed(format: &LogFormat, buf: &[u8]) -> u64 {
    let mut sum = 0u64;
    let mut bad = 0u64;
    for line in logscan_source::lines(buf) {
        let Ok(r) = format.parse(line) else {
            bad += 1;
            continue;
        };
        sum = sum
            .wrapping_add(r.timestamp().map_or(0, |t| t.unix_seconds() as u64))
            .wrapping_add(u64::from(r.status().unwrap_or(0)))
            .wrapping_add(u64::from(r.level().is_some()))
            .wrapping_add(r.path().map_or(0, |p| p.len() as u64))
            .wrapping_add(r.message().map_or(0, |m| m.len() as u64));
    }
    sum.wrapping_add(bad << 48)
}

/// The format under test, pasted as an nginx directive.
pub const DIRECTIVE: &str = r#"log_format timed '$remote_addr - $remote_user [$time_local] "$request" '
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
/// A deterministic buffer of about `target` bytes of newline-terminated lines in
/// the [`DIRECTIVE`] format: realistic field lengths, time moving forward.
pub fn combined_request_time_lines(target: usize) -> Vec<u8> {
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
            "{}.{}.{}.{} - {} [{:02}/Jan/2024:{:02}:{:02}:{:02} +0000] \"{} {}{} HTTP/1.1\" {} {} \"{}\" \"{}\" {}.{:03}\n",
            (r >> 24) % 223 + 1,
            (r >> 32) % 256,
            (r >> 40) % 256,
            (r >> 48) % 254 + 1,
            if (r >> 16) % 20 == 0 { "alice" } else { "-" },
            d,
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
pub fn scan_all_fields(format: &LogFormat, buf: &[u8]) -> u64 {
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
        let referrer = r.referrer().map_or(0, |v| v.len());
        let agent = r.user_agent().map_or(0, |v| v.len());
        let rt = r.request_time_us().unwrap_or(0);
        sum = sum
            .wrapping_add(ts)
            .wrapping_add((client + user + method + path + query + proto + referrer + agent) as u64)
            .wrapping_add(status)
            .wrapping_add(bytes)
            .wrapping_add(rt);
    }
    // Folded in so a parse failure changes the checksum instead of going unnoticed.
    sum.wrapping_add(bad << 48)
}

/// The whole `logscan summary` aggregate over `buf`, line by line on one thread (as
/// one worker of a scan does); returns the lines it counted.
#[inline(never)]
pub fn scan_summary(format: &LogFormat, buf: &[u8]) -> u64 {
    use logscan_scan::Aggregate;
    let mut summary = logscan_stats::Summary::new(format);
    for (i, line) in logscan_source::lines(buf).enumerate() {
        summary.add_line(line, i as u64 + 1);
    }
    summary.lines()
}

/// The typed accessors alone, over records parsed beforehand.
#[inline(never)]
pub fn typed_only(records: &[logscan_parse::Record<'_>]) -> u64 {
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
        sum = sum.wrapping_add(r.referrer().map_or(0, |v| v.len()) as u64);
        sum = sum.wrapping_add(r.user_agent().map_or(0, |v| v.len()) as u64);
    }
    sum
}

/// Finding the fields only (no typed accessor called).
#[inline(never)]
pub fn scan_match_only(format: &LogFormat, buf: &[u8]) -> u64 {
    let mut n = 0u64;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', buf) {
        n += u64::from(format.parse(&buf[start..end]).is_ok());
        start = end + 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_splitters_agree_with_the_source_crate() {
        let cases: [&[u8]; 7] = [
            b"",
            b"\n",
            b"a",
            b"a\r\n\nb\xff\nlast",
            b"one\ntwo\n",
            b"\r\n\r",
            b"x\ry\n\n\n",
        ];
        for case in cases {
            let want_lines: Vec<&[u8]> = logscan_source::lines(case).collect();
            let want_len: u64 = want_lines.iter().map(|l| l.len() as u64).sum();
            assert_eq!(split_with_lines(case), (want_lines.len() as u64, want_len));
            assert_eq!(naive_split(case), split_with_lines(case), "{case:?}");
            assert_eq!(
                naive_count(case),
                logscan_source::count_lines(case),
                "{case:?}"
            );
        }
        let buf = generated(xtask::Format::Combined, 256 << 10);
        assert_eq!(naive_split(&buf), split_with_lines(&buf));
        assert_eq!(naive_count(&buf), logscan_source::count_lines(&buf));
    }

    #[test]
    fn every_format_parses_its_generated_lines() {
        let combined = generated(xtask::Format::Combined, 256 << 10);
        let plain = without_last_field(&combined);
        let app = generated(xtask::Format::App, 256 << 10);
        let json = generated(xtask::Format::Json, 256 << 10);
        for (format, buf) in [
            (LogFormat::combined(), &plain),
            (LogFormat::combined_timed(), &combined),
            (LogFormat::app(), &app),
            (LogFormat::json(), &json),
        ] {
            let lines = logscan_source::count_lines(buf);
            let bad = parse_typed(&format, buf) >> 48;
            // The generator makes about 0.1% of lines malformed (and stack-trace
            // continuations for app logs); the rest must parse.
            assert!(
                bad * 20 < lines,
                "{}: {bad} of {lines} lines did not parse",
                format.name()
            );
        }
        // The plain lines really lost their last field, and nothing else.
        assert_eq!(
            logscan_source::count_lines(&plain),
            logscan_source::count_lines(&combined)
        );
        assert!(plain.len() < combined.len());
    }

    #[test]
    fn the_dataset_parses_completely_and_every_field_is_typed() {
        let format = LogFormat::from_nginx(DIRECTIVE).unwrap();
        let buf = combined_request_time_lines(64 << 10);
        let mut lines = 0;
        for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let r = format.parse(line).unwrap();
            assert!(
                r.timestamp().is_some() && r.status().is_some() && r.request_time_us().is_some()
            );
            assert!(r.request().and_then(|q| q.path()).is_some());
            lines += 1;
        }
        assert!(lines > 200);
        // The checksum sees no failed line (failures are folded into its top bits).
        assert_eq!(scan_all_fields(&format, &buf) >> 48, 0);
        assert_eq!(scan_match_only(&format, &buf), lines);
    }
}
