//! Byte-level formatting helpers and the fixed vocabularies the generator draws from.

/// Appends the decimal form of `v` without going through `fmt` (millions of calls).
#[inline]
pub(crate) fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends `v` as exactly `width` digits, zero padded (wider values keep all digits).
#[inline]
pub(crate) fn push_padded(buf: &mut Vec<u8>, v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut x = v;
    let mut i = tmp.len();
    while x > 0 {
        i -= 1;
        tmp[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    let start = i.min(tmp.len() - width.min(tmp.len()));
    buf.extend_from_slice(&tmp[start..]);
}

/// Appends `millis / 1000` with three decimals: nginx's `$request_time` style.
#[inline]
pub(crate) fn push_seconds_3(buf: &mut Vec<u8>, millis: u64) {
    push_u64(buf, millis / 1000);
    buf.push(b'.');
    push_padded(buf, millis % 1000, 3);
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends the low `digits` hex digits of `v`, most significant first.
#[inline]
pub(crate) fn push_hex(buf: &mut Vec<u8>, v: u64, digits: u32) {
    for k in (0..digits).rev() {
        buf.push(HEX[((v >> (4 * k)) & 0xf) as usize]);
    }
}

/// Appends `v` in hex without leading zeros (IPv6 groups).
#[inline]
pub(crate) fn push_hex_trim(buf: &mut Vec<u8>, v: u16) {
    let digits = (16 - v.leading_zeros()).div_ceil(4).max(1);
    push_hex(buf, u64::from(v), digits);
}

/// Appends a UUID-shaped id (8-4-4-4-12) built from two random words.
pub(crate) fn push_uuid(buf: &mut Vec<u8>, a: u64, b: u64) {
    push_hex(buf, a >> 32, 8);
    buf.push(b'-');
    push_hex(buf, (a >> 16) & 0xffff, 4);
    buf.push(b'-');
    push_hex(buf, 0x4000 | (a & 0x0fff), 4);
    buf.push(b'-');
    push_hex(buf, 0x8000 | (b >> 48 & 0x3fff), 4);
    buf.push(b'-');
    push_hex(buf, b, 12);
}

/// Appends `src` as the inside of a JSON string. Runs of bytes that need no escape
/// are copied whole; bytes >= 0x80 pass through untouched, as nginx's
/// `escape=json` does, so invalid UTF-8 stays invalid.
pub(crate) fn push_json_escaped(buf: &mut Vec<u8>, src: &[u8]) {
    let mut rest = src;
    while let Some(i) = rest
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
    {
        buf.extend_from_slice(&rest[..i]);
        match rest[i] {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b => {
                buf.extend_from_slice(b"\\u00");
                push_hex(buf, u64::from(b), 2);
            }
        }
        rest = &rest[i + 1..];
    }
    buf.extend_from_slice(rest);
}

/// (user agent, weight among ordinary clients). Browsers dominate, then bots and
/// tools, as on a public shop site.
pub(crate) const USER_AGENTS: &[(&str, u32)] = &[
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        180,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
        60,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        45,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        70,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        60,
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        20,
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
        10,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        140,
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
        20,
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        150,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        30,
    ),
    (
        "Mozilla/5.0 (Linux; Android 6.0; ALE-L21 Build/HuaweiALE-L21) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/66.0.3359.158 Mobile Safari/537.36",
        5,
    ),
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        25,
    ),
    (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        15,
    ),
    (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        12,
    ),
    (
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        12,
    ),
    (
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        8,
    ),
    (
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        5,
    ),
    (
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        6,
    ),
    (
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        4,
    ),
    ("curl/8.5.0", 6),
    ("Wget/1.21.4", 2),
    ("python-requests/2.31.0", 6),
    ("Go-http-client/1.1", 5),
    ("okhttp/4.12.0", 10),
    ("Shop/5.12.1 (iPhone; iOS 17.4.1; Scale/3.00)", 25),
    ("Prometheus/2.51.1", 2),
    ("kube-probe/1.29", 2),
    (
        "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
        1,
    ),
    ("zgrab/0.x", 1),
    ("-", 3),
];

/// Words for slugs, search queries and application messages.
pub(crate) const WORDS: &[&str] = &[
    "red", "blue", "green", "black", "white", "linen", "wool", "cotton", "leather", "steel", "oak",
    "walnut", "lamp", "chair", "table", "sofa", "desk", "shelf", "rug", "mirror", "kettle", "mug",
    "plate", "bowl", "knife", "pan", "jacket", "shirt", "boots", "scarf", "hat", "bag", "wallet",
    "watch", "phone", "case", "cable", "charger", "laptop", "stand", "garden", "hose", "spring",
    "summer", "autumn", "winter", "sale", "new", "classic", "vintage", "small", "large",
];

/// Well-known external referrers.
pub(crate) const EXTERNAL_REFERRERS: &[&str] = &[
    "https://www.google.com/",
    "https://www.google.de/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
    "https://t.co/",
    "https://www.facebook.com/",
    "https://l.instagram.com/",
    "android-app://com.google.android.gm/",
    "https://news.ycombinator.com/",
];

/// Paths that vulnerability scanners probe on every public server.
pub(crate) const PROBE_PATHS: &[&str] = &[
    "/wp-login.php",
    "/xmlrpc.php",
    "/.env",
    "/.git/config",
    "/wp-admin/setup-config.php",
    "/phpmyadmin/index.php",
    "/admin/config.php",
    "/cgi-bin/luci/;stok=/locale",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/boaform/admin/formLogin",
    "/actuator/health",
    "/solr/admin/info/system?wt=json",
    "/.aws/credentials",
    "/server-status",
    "/HNAP1/",
    "/owa/auth/logon.aspx",
];

/// User names for authenticated paths and application messages.
pub(crate) const USERS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "deploy",
    "ops",
    "admin",
    "svc-backup",
    "jenkins",
    "m.rossi",
    "li.wei",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn numbers_render_like_fmt() {
        for v in [0u64, 7, 10, 99, 1234, u64::MAX] {
            assert_eq!(s(|b| push_u64(b, v)), v.to_string());
        }
        assert_eq!(s(|b| push_padded(b, 7, 3)), "007");
        assert_eq!(s(|b| push_padded(b, 1234, 3)), "1234");
        assert_eq!(s(|b| push_seconds_3(b, 0)), "0.000");
        assert_eq!(s(|b| push_seconds_3(b, 60_012)), "60.012");
        assert_eq!(s(|b| push_hex_trim(b, 0)), "0");
        assert_eq!(s(|b| push_hex_trim(b, 0xdb8)), "db8");
        assert_eq!(s(|b| push_hex_trim(b, 0x2001)), "2001");
    }

    #[test]
    fn uuid_shape_and_json_escape() {
        let u = s(|b| push_uuid(b, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210));
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
        assert_eq!(
            s(|b| push_json_escaped(b, b"a\"b\\c\x16\n")),
            r#"a\"b\\c\u0016\n"#
        );
    }
}
