//! Shared pieces of the logscan benchmarks: deterministic datasets and the measured
//! workloads, so that the criterion benches in `benches/benches/` and the single-pass
//! examples in `benches/examples/` (used for instruction counts under callgrind, a
//! figure that does not move when other work shares the CPU) run the same code.
#![deny(missing_docs)]

use logscan_parse::LogFormat;

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
    // Folded in so a parse failure changes the checksum instead of going unnoticed.
    sum.wrapping_add(bad << 48)
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
        sum = sum.wrapping_add(r.referrer().map_or(0, <[u8]>::len) as u64);
        sum = sum.wrapping_add(r.user_agent().map_or(0, <[u8]>::len) as u64);
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
