//! The HTTP request line, split on demand, and the small number parsers the typed
//! accessors share.

use memchr::memrchr;

use crate::scan::{digit_values, find_byte, word_ending_at};

/// An HTTP request line (`GET /a?b=1 HTTP/1.1`) split into its parts. Every part
/// borrows from the log line.
///
/// Splitting never fails: a request that is `-`, empty, or binary garbage (a TLS
/// handshake sent to a plain-HTTP port) keeps its [`raw`](Request::raw) bytes and
/// returns `None` for the parts it lacks. A target may hold spaces; the protocol is
/// the last word only when it starts with `HTTP/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    raw: &'a [u8],
    method: Option<&'a [u8]>,
    path: Option<&'a [u8]>,
    query: Option<&'a [u8]>,
    target: Option<&'a [u8]>,
    protocol: Option<&'a [u8]>,
}

const HTTP_1_1: u64 = u64::from_le_bytes(*b"HTTP/1.1");
const HTTP_1_0: u64 = u64::from_le_bytes(*b"HTTP/1.0");
const HTTP_2_0: u64 = u64::from_le_bytes(*b"HTTP/2.0");

impl<'a> Request<'a> {
    /// Splits a request line.
    #[inline(always)]
    pub fn parse(raw: &'a [u8]) -> Request<'a> {
        let none = Request {
            raw,
            method: None,
            path: None,
            query: None,
            target: None,
            protocol: None,
        };
        // Nearly every request is `GET` or `POST` and ends with ` HTTP/1.1`, ` HTTP/1.0`
        // or ` HTTP/2.0`: those shapes are checked as words before anything is searched.
        let head = raw.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w));
        let sp = if head & 0xFF_FFFF_FFFF == u64::from_le_bytes(*b"POST \0\0\0") {
            4
        } else if head & 0xFFFF_FFFF == u64::from_le_bytes(*b"GET \0\0\0\0") {
            3
        } else {
            let Some(sp) = method_end(raw) else {
                return none;
            };
            sp
        };
        let method = &raw[..sp];
        let rest = &raw[sp + 1..];
        let (target, protocol) = match rest.split_last_chunk::<9>() {
            Some((target, [b' ', version @ ..]))
                if matches!(u64::from_le_bytes(*version), HTTP_1_1 | HTTP_1_0 | HTTP_2_0) =>
            {
                (target, Some(&version[..]))
            }
            _ => {
                let last_space = match rest.len().checked_sub(9) {
                    Some(k) if rest[k] == b' ' && rest[k + 1..].iter().all(|&b| b != b' ') => {
                        Some(k)
                    }
                    _ => memrchr(b' ', rest),
                };
                match last_space {
                    Some(k) if rest[k + 1..].starts_with(b"HTTP/") => {
                        (&rest[..k], Some(&rest[k + 1..]))
                    }
                    _ => (rest, None),
                }
            }
        };
        if target.is_empty() {
            return Request {
                method: Some(method),
                protocol,
                ..none
            };
        }
        // An absolute-form target (`https://example.com/a`: HTTP/2 as HAProxy logs it,
        // a forward proxy's requests) has the path after its authority.
        let (path, query) = if target.first() == Some(&b'/') {
            split_query(target)
        } else {
            split_other_target(target)
        };
        Request {
            raw,
            method: Some(method),
            path: Some(path),
            query,
            target: Some(target),
            protocol,
        }
    }

    /// The whole request as logged.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The method (`GET`), if the request starts with a method-shaped word.
    pub fn method(&self) -> Option<&'a [u8]> {
        self.method
    }

    /// The request target as sent: path plus `?query`.
    pub fn target(&self) -> Option<&'a [u8]> {
        self.target
    }

    /// The target up to its first `?`.
    pub fn path(&self) -> Option<&'a [u8]> {
        self.path
    }

    /// The part of the target after its first `?` (`Some(b"")` for a bare `?`).
    pub fn query(&self) -> Option<&'a [u8]> {
        self.query
    }

    /// The protocol (`HTTP/1.1`), if the request ends with one.
    pub fn protocol(&self) -> Option<&'a [u8]> {
        self.protocol
    }
}

/// [`split_query`] of a target that does not start with `/`, its path taken from
/// [`origin_path`]: out of line, as nearly every target starts with `/`.
#[cold]
#[inline(never)]
fn split_other_target(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    let (path, query) = split_query(target);
    (origin_path(path), query)
}

/// The path of an absolute-form target without its query (`http://host:8080/a/b` is
/// `/a/b`; `http://host` is `/`); any other target as it is (`*`, a CONNECT's
/// `host:443`, junk).
fn origin_path(target: &[u8]) -> &[u8] {
    let Some(colon) = memchr::memchr(b':', target) else {
        return target;
    };
    let scheme = &target[..colon];
    let is_scheme = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let Some(authority_and_path) = target[colon..].strip_prefix(b"://") else {
        return target;
    };
    if !is_scheme {
        return target;
    }
    match memchr::memchr(b'/', authority_and_path) {
        Some(slash) => &authority_and_path[slash..],
        None => b"/",
    }
}

/// Where the method of a request line ends (its first space), if it starts with a
/// method-shaped word: 1 to 24 letters, `-` or `_`.
#[inline(never)]
fn method_end(raw: &[u8]) -> Option<usize> {
    let sp = find_byte(raw, 0, b' ')?;
    let method = &raw[..sp];
    let shaped = !method.is_empty()
        && method.len() <= 24
        && method
            .iter()
            .all(|&b| b.is_ascii_alphabetic() || b == b'-' || b == b'_');
    shaped.then_some(sp)
}

#[inline]
pub(crate) fn split_query(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    match find_byte(target, 0, b'?') {
        Some(q) => (&target[..q], Some(&target[q + 1..])),
        None => (target, None),
    }
}

/// A decimal `u64` (1 to 20 digits, no sign, no spaces; `-` and overflow are `None`).
#[inline(always)]
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    if s.len() < 20 {
        // 19 digits cannot overflow: plain arithmetic on the hot path.
        for &b in s {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            v = v * 10 + u64::from(d);
        }
        return Some(v);
    }
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

/// `line[start..end]` read by [`parse_u64`]'s rules. A value of 1 to 8 bytes (a status,
/// most byte counts) is read as one word, the eight bytes of the line that end where
/// it ends, instead of digit by digit.
#[inline(always)]
pub(crate) fn parse_u64_in(line: &[u8], start: usize, end: usize) -> Option<u64> {
    let len = end.wrapping_sub(start);
    if len == 3
        && let Some(&[a, b, c]) = line.get(start..end)
    {
        // A status: three digits, read directly.
        let (a, b, c) = (
            a.wrapping_sub(b'0'),
            b.wrapping_sub(b'0'),
            c.wrapping_sub(b'0'),
        );
        return (a < 10 && b < 10 && c < 10)
            .then(|| u64::from(a) * 100 + u64::from(b) * 10 + u64::from(c));
    }
    if (1..=8).contains(&len)
        && let Some(word) = word_ending_at(line, end)
    {
        // The dropped bytes act as leading zeros. Adjacent digits are joined pairwise:
        // bytes to two-digit lanes, to four-digit lanes, to the number.
        let d = digit_values(word, len)?;
        let d = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
        let d = (d * 100 + (d >> 16)) & 0x0000_FFFF_0000_FFFF;
        return Some((d * 10_000 + (d >> 32)) & 0xFFFF_FFFF);
    }
    parse_u64(line.get(start..end)?)
}

/// `line[start..end]` read by [`parse_seconds_micros`]'s rules, with nginx's own shape
/// (whole seconds, `.`, three digits of milliseconds) read as two words.
#[inline(always)]
pub(crate) fn parse_seconds_micros_in(line: &[u8], start: usize, end: usize) -> Option<u64> {
    let len = end.wrapping_sub(start);
    // Nearly every request takes under ten seconds: `d.ddd`, read byte by byte.
    if len == 5
        && let Some(&[s, b'.', a, b, c]) = line.get(start..end)
    {
        let [s, a, b, c] = [s, a, b, c].map(|d| u64::from(d.wrapping_sub(b'0')));
        if s < 10 && a < 10 && b < 10 && c < 10 {
            return Some(s * 1_000_000 + (a * 100 + b * 10 + c) * 1_000);
        }
    }
    if (5..=12).contains(&len) && line.get(end - 4) == Some(&b'.') {
        let whole = parse_u64_in(line, start, end - 4);
        let millis = parse_u64_in(line, end - 3, end);
        if let (Some(whole), Some(millis)) = (whole, millis) {
            return Some(whole * 1_000_000 + millis * 1_000);
        }
    }
    parse_seconds_micros_slow(line.get(start..end)?)
}

/// [`parse_seconds_micros`] kept out of line, for the rare shapes the fast paths above
/// leave: the callers stay small enough to inline.
#[inline(never)]
fn parse_seconds_micros_slow(s: &[u8]) -> Option<u64> {
    parse_seconds_micros(s)
}

/// Seconds with an optional fraction (`0.123`, `12`, `.5`) as whole microseconds,
/// digits past the sixth dropped. `None` for `-`, empty, anything non-numeric, or more
/// than 12 whole-second digits.
#[inline]
pub(crate) fn parse_seconds_micros(s: &[u8]) -> Option<u64> {
    const SCALE: [u64; 7] = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];
    let mut whole: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i] != b'.' {
        let d = s[i].wrapping_sub(b'0');
        if d > 9 || i >= 12 {
            // Not a digit, or more whole seconds than any request takes (10^12 s
            // keeps the arithmetic below from overflowing).
            return None;
        }
        whole = whole * 10 + u64::from(d);
        i += 1;
    }
    let int_digits = i;
    let mut frac: u64 = 0;
    let mut frac_digits = 0;
    if i < s.len() {
        i += 1; // the '.'
        while i < s.len() {
            let d = s[i].wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            if frac_digits < 6 {
                frac = frac * 10 + u64::from(d);
                frac_digits += 1;
            }
            i += 1;
        }
        if int_digits == 0 && i == int_digits + 1 {
            return None; // a lone "."
        }
    } else if int_digits == 0 {
        return None;
    }
    Some(whole * 1_000_000 + frac * SCALE[frac_digits])
}

/// [`parse_seconds_micros`] for a number that may have an exponent (`1e-3`, `2.5E+1`:
/// JSON encoders write small floats so), by the same rules: the decimal point is moved
/// over the digits, so no binary rounding enters, and digits past the microsecond are
/// dropped.
pub(crate) fn parse_seconds_micros_exp(s: &[u8]) -> Option<u64> {
    let Some(e) = s.iter().position(|&b| b == b'e' || b == b'E') else {
        return parse_seconds_micros(s);
    };
    let (mantissa, exponent) = (&s[..e], &s[e + 1..]);
    let exponent = exponent.strip_prefix(b"+").unwrap_or(exponent);
    let exponent: i64 = std::str::from_utf8(exponent).ok()?.parse().ok()?;
    let point = mantissa
        .iter()
        .position(|&b| b == b'.')
        .unwrap_or(mantissa.len());
    let digits = || mantissa.iter().copied().filter(|&b| b != b'.');
    let count = digits().count();
    if count == 0 || count + 1 < mantissa.len() || !digits().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Where the point goes: past 12 whole digits the value is refused, as by
    // `parse_seconds_micros`; far below a microsecond it is 0.
    let point = (point as i64).saturating_add(exponent).clamp(-8, 13);
    if point > 12 {
        return None;
    }
    // The digit at index `k` now stands for 10^(point - 1 - k) seconds.
    let mut micros = 0u64;
    for (k, d) in digits().enumerate() {
        let power = point - 1 - k as i64 + 6;
        if power < 0 {
            break;
        }
        micros += u64::from(d - b'0') * 10u64.pow(power as u32);
    }
    Some(micros)
}

/// nginx's `$upstream_response_time`: one time per upstream tried, separated by `, `
/// (next server) or ` : ` (internal redirect). The sum of the numbers; `-` entries
/// (no response) count as nothing; `None` if no entry is a number.
pub(crate) fn parse_upstream_micros(s: &[u8]) -> Option<u64> {
    let mut total: Option<u64> = None;
    for part in s.split(|&b| b == b',' || b == b':') {
        if let Some(us) = parse_seconds_micros(part.trim_ascii()) {
            total = Some(total.unwrap_or(0).saturating_add(us));
        }
    }
    total
}

/// A duration as Go's `time.Duration` prints it (`1h2m3.5s`, `1.5ms`, `850µs`, `0s`:
/// numbers with a fraction, each with its unit `h`, `m`, `s`, `ms`, `us`/`µs` or `ns`),
/// or a bare number of seconds (`1.5`, as nginx's `$request_time`), in whole
/// microseconds. Exact: it is summed in nanoseconds with 128 bits, and digits below a
/// microsecond are dropped. A sign, an exponent, another unit, a number of more than
/// 24 whole digits (or a bare one of more than 12), or a result past `u64::MAX`
/// microseconds gives `None`.
///
/// ```
/// use logscan_parse::parse_duration_us;
///
/// assert_eq!(parse_duration_us(b"1m30.5s"), Some(90_500_000));
/// assert_eq!(parse_duration_us(b"850\xc2\xb5s"), Some(850)); // 850µs
/// assert_eq!(parse_duration_us(b"0.25"), Some(250_000));
/// assert_eq!(parse_duration_us(b"1.5 ms"), None);
/// ```
pub fn parse_duration_us(mut text: &[u8]) -> Option<u64> {
    if text.last()?.is_ascii_digit() {
        return parse_seconds_micros(text);
    }
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut nanos: u128 = 0;
    while !text.is_empty() {
        let (whole, rest) = text.split_at(digits(text));
        let (fraction, rest) = match rest.strip_prefix(b".") {
            Some(rest) => rest.split_at(digits(rest)),
            None => (&[][..], rest),
        };
        if (whole.is_empty() && fraction.is_empty()) || whole.len() > 24 {
            return None;
        }
        let unit_len = rest
            .iter()
            .take_while(|&&b| !b.is_ascii_digit() && b != b'.')
            .count();
        let (unit, rest) = rest.split_at(unit_len);
        let per_unit: u128 = match unit {
            b"ns" => 1,
            // Go writes U+00B5 (micro sign) and reads U+03BC (Greek mu) too.
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => return None,
        };
        let number = |ds: &[u8]| ds.iter().fold(0u128, |n, d| n * 10 + u128::from(d - b'0'));
        // Past 20 digits a fraction's digits are below a nanosecond of any unit here.
        let fraction = &fraction[..fraction.len().min(20)];
        let scale = 10u128.pow(fraction.len() as u32);
        nanos = nanos
            .checked_add(number(whole).checked_mul(per_unit)?)?
            .checked_add(number(fraction) * per_unit / scale)?;
        text = rest;
    }
    u64::try_from(nanos / 1_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_form_targets_have_their_path_after_the_authority() {
        let parts = |raw: &'static [u8]| {
            let r = Request::parse(raw);
            (r.path(), r.query(), r.target())
        };
        assert_eq!(
            parts(b"GET https://example.com/api/x?y=1 HTTP/2.0"),
            (
                Some(&b"/api/x"[..]),
                Some(&b"y=1"[..]),
                Some(&b"https://example.com/api/x?y=1"[..])
            )
        );
        assert_eq!(
            parts(b"GET http://example.com:8080 HTTP/1.1").0,
            Some(&b"/"[..])
        );
        assert_eq!(
            parts(b"GET http://example.com?q HTTP/1.1").0,
            Some(&b"/"[..])
        );
        for kept in [
            &b"CONNECT example.com:443 HTTP/1.1"[..],
            b"OPTIONS * HTTP/1.1",
            b"GET 1a://x/y HTTP/1.1",
            b"GET mailto:someone HTTP/1.1",
        ] {
            let r = Request::parse(kept);
            assert_eq!(r.path(), r.target(), "{:?}", String::from_utf8_lossy(kept));
        }
    }

    #[test]
    fn seconds_with_an_exponent_are_read_exactly() {
        for (text, us) in [
            (&b"1e-3"[..], Some(1_000)),
            (b"5e-05", Some(50)),
            (b"2.5E+1", Some(25_000_000)),
            (b"1.234567e2", Some(123_456_700)),
            (b"3e-7", Some(0)),
            (b"7e-300", Some(0)),
            (b"1e13", None),
            (b"0.5", Some(500_000)),
            (b"-1e-3", None),
            (b"1e", None),
            (b"e3", None),
            (b"1.2.3e1", None),
        ] {
            assert_eq!(
                parse_seconds_micros_exp(text),
                us,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    /// Every value of up to 13 bytes from a small alphabet, at every place in a line,
    /// read by the word-at-a-time paths and by the byte loops: the same answer.
    #[test]
    fn word_paths_agree_with_the_byte_loops() {
        let alphabet = [b'0', b'1', b'5', b'9', b'.', b'-', b'/', b':', b' ', 0xFF];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 14) as usize;
            let lead = (x >> 8) as usize % 12;
            let mut line: Vec<u8> = (0..lead).map(|i| b"ab 7."[i % 5]).collect();
            let start = line.len();
            for i in 0..len {
                // Mostly digits, so that numbers are common.
                let pick = (x >> (16 + 3 * i)) as usize;
                line.push(if pick.is_multiple_of(3) {
                    alphabet[pick / 3 % alphabet.len()]
                } else {
                    b'0' + (pick % 10) as u8
                });
            }
            if x & 1 == 0 && len >= 5 {
                line[start + len - 4] = b'.';
            }
            let end = line.len();
            line.extend_from_slice(b" tail");
            let v = &line[start..end];
            assert_eq!(parse_u64_in(&line, start, end), parse_u64(v), "{v:?}");
            assert_eq!(
                parse_seconds_micros_in(&line, start, end),
                parse_seconds_micros(v),
                "{v:?}"
            );
        }
    }

    #[test]
    fn splits_a_normal_request() {
        let r = Request::parse(b"GET /a/b?x=1&y HTTP/1.1");
        assert_eq!(r.method(), Some(&b"GET"[..]));
        assert_eq!(r.path(), Some(&b"/a/b"[..]));
        assert_eq!(r.query(), Some(&b"x=1&y"[..]));
        assert_eq!(r.protocol(), Some(&b"HTTP/1.1"[..]));
    }

    /// Method, path, query and protocol.
    type Parts<'a> = (
        Option<&'a [u8]>,
        Option<&'a [u8]>,
        Option<&'a [u8]>,
        Option<&'a [u8]>,
    );

    /// The split as it reads in words, without the word-at-a-time shortcuts: the
    /// shortcuts must give the same parts.
    fn reference(raw: &[u8]) -> Parts<'_> {
        let Some(sp) = raw.iter().position(|&b| b == b' ') else {
            return (None, None, None, None);
        };
        let method = &raw[..sp];
        if method.is_empty()
            || method.len() > 24
            || !method
                .iter()
                .all(|&b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
        {
            return (None, None, None, None);
        }
        let rest = &raw[sp + 1..];
        let (target, protocol) = match rest.iter().rposition(|&b| b == b' ') {
            Some(k) if rest[k + 1..].starts_with(b"HTTP/") => (&rest[..k], Some(&rest[k + 1..])),
            _ => (rest, None),
        };
        if target.is_empty() {
            return (Some(method), None, None, protocol);
        }
        let (path, query) = match target.iter().position(|&b| b == b'?') {
            Some(q) => (&target[..q], Some(&target[q + 1..])),
            None => (target, None),
        };
        (Some(method), Some(path), query, protocol)
    }

    #[test]
    fn shortcuts_agree_with_the_plain_split() {
        let methods = [
            "GET", "POST", "get", "POSTS", "GETX", "PUT", "", "G-T", "\x16",
        ];
        let targets = [
            "",
            "/",
            "/a?b",
            "/a b",
            "/x?",
            "?",
            "/ HTTP/1.1",
            "/a?b=1 c",
        ];
        let protocols = [
            "",
            " HTTP/1.1",
            " HTTP/1.0",
            " HTTP/2.0",
            " HTTP/3",
            " HTTP/1.1 ",
            "HTTP/1.1",
            " http/1.1",
            " HTTP/1.1x",
        ];
        for m in methods {
            for sep in ["", " ", "  "] {
                for t in targets {
                    for p in protocols {
                        let raw = format!("{m}{sep}{t}{p}");
                        let r = Request::parse(raw.as_bytes());
                        assert_eq!(
                            (r.method(), r.path(), r.query(), r.protocol()),
                            reference(raw.as_bytes()),
                            "{raw:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn odd_requests() {
        let r = Request::parse(b"GET /");
        assert_eq!((r.path(), r.protocol()), (Some(&b"/"[..]), None));
        let r = Request::parse(b"GET /a b HTTP/1.0");
        assert_eq!(r.target(), Some(&b"/a b"[..]));
        for junk in [&b"-"[..], b"", b"\\x16\\x03\\x01", b"\x16\x03\x01 \xff"] {
            let r = Request::parse(junk);
            assert_eq!((r.method(), r.path(), r.protocol()), (None, None, None));
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_seconds_micros(b"0.123"), Some(123_000));
        assert_eq!(parse_seconds_micros(b"12"), Some(12_000_000));
        assert_eq!(parse_seconds_micros(b".5"), Some(500_000));
        assert_eq!(parse_seconds_micros(b"0.0000019"), Some(1));
        assert_eq!(parse_seconds_micros(b"-"), None);
        assert_eq!(parse_seconds_micros(b"."), None);
        assert_eq!(parse_seconds_micros(b"1.2.3"), None);
        assert_eq!(parse_upstream_micros(b"0.010, 0.002 : -"), Some(12_000));
        assert_eq!(parse_upstream_micros(b"-"), None);
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64_in(b"x 12345678", 2, 10), Some(12_345_678));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(
            parse_u64(b"1234567890123456789"),
            Some(1_234_567_890_123_456_789)
        );
    }
}
