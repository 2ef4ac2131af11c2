//! Access-log events (one HTTP request each) and their two renderings: nginx
//! combined with `$request_time`, and one JSON object per line.

use super::clock::Clock;
use super::rng::Rng;
use super::text::{
    EXTERNAL_REFERRERS, USER_AGENTS, USERS, push_json_escaped, push_seconds_3, push_u64,
};
use super::world::{PathKind, World};

/// The site's own origin, for internal referrers.
const ORIGIN: &[u8] = b"https://shop.example.com";

/// What went between the quotes of `"$request"`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Request<'a> {
    Http {
        method: &'static [u8],
        target: &'a [u8],
        query_at: Option<usize>,
        protocol: &'static [u8],
    },
    /// The client closed the connection before sending a request line.
    Dash,
    /// Bytes that are not HTTP (a TLS handshake sent to the plain-text port),
    /// already escaped or left raw as the log's writer would have.
    Bytes(&'a [u8]),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Referer<'a> {
    None,
    Internal(&'a [u8]),
    External(&'static str),
}

/// One request, borrowed from the world's tables (or the long-line scratch buffer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Access<'a> {
    pub(crate) ip: &'a [u8],
    pub(crate) user: &'static [u8],
    pub(crate) request: Request<'a>,
    pub(crate) status: u16,
    pub(crate) bytes: u64,
    pub(crate) referer: Referer<'a>,
    pub(crate) user_agent: &'a [u8],
    pub(crate) request_millis: u64,
}

fn pick<T: Copy>(rng: &mut Rng, table: &[(T, u32)]) -> T {
    // Tables are tiny and fixed; a linear scan beats anything cleverer here.
    let total: u32 = table.iter().map(|&(_, w)| w).sum();
    let mut x = rng.below(u64::from(total)) as u32;
    for &(v, w) in table {
        if x < w {
            return v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

const PAGE_STATUS: &[(u16, u32)] = &[
    (200, 880),
    (304, 30),
    (301, 10),
    (302, 15),
    (404, 30),
    (499, 6),
    (500, 5),
    (502, 3),
    (503, 2),
    (504, 1),
];
const STATIC_STATUS: &[(u16, u32)] = &[(200, 780), (304, 190), (206, 8), (404, 20), (499, 2)];
const API_STATUS: &[(u16, u32)] = &[
    (200, 860),
    (400, 25),
    (401, 20),
    (403, 8),
    (404, 20),
    (409, 3),
    (422, 6),
    (429, 10),
    (500, 15),
    (502, 7),
    (503, 5),
    (504, 3),
];
const PROBE_STATUS: &[(u16, u32)] = &[(404, 900), (403, 60), (400, 20), (301, 20)];
const HEALTH_STATUS: &[(u16, u32)] = &[(200, 998), (503, 2)];
const REDIRECT_STATUS: &[(u16, u32)] = &[(301, 900), (302, 100)];

const API_METHODS: &[(&[u8], u32)] = &[
    (b"GET", 70),
    (b"POST", 20),
    (b"PUT", 4),
    (b"DELETE", 3),
    (b"PATCH", 2),
    (b"OPTIONS", 1),
];
const PROTOCOLS: &[(&[u8], u32)] = &[(b"HTTP/1.1", 62), (b"HTTP/2.0", 36), (b"HTTP/1.0", 2)];

/// Body size nginx reports for its own error pages.
fn error_page_bytes(status: u16) -> u64 {
    match status {
        301 => 162,
        302 => 138,
        400 => 157,
        401 => 179,
        403 => 153,
        404 => 153,
        429 => 169,
        500 => 177,
        502 => 157,
        503 => 197,
        504 => 167,
        _ => 150,
    }
}

/// Draws one ordinary request. `long_target`, when given, replaces the path: a very
/// long URI of the kind scanners and broken clients send.
pub(crate) fn sample<'a>(
    world: &'a World,
    rng: &mut Rng,
    long_target: Option<&'a [u8]>,
) -> Access<'a> {
    let client = world.sample_client(rng);
    let path = world.sample_path(rng);
    let kind = path.kind;

    let method: &'static [u8] = match kind {
        PathKind::Page if rng.chance(0.015) => b"HEAD",
        PathKind::Api => pick(rng, API_METHODS),
        PathKind::Probe if rng.chance(0.15) => b"POST",
        _ => b"GET",
    };
    let mut status = match kind {
        PathKind::Page => pick(rng, PAGE_STATUS),
        PathKind::Static | PathKind::Image => pick(rng, STATIC_STATUS),
        PathKind::Api => pick(rng, API_STATUS),
        PathKind::Probe => pick(rng, PROBE_STATUS),
        PathKind::Health => pick(rng, HEALTH_STATUS),
        PathKind::Redirect => pick(rng, REDIRECT_STATUS),
    };
    if status == 200 && method == b"POST" && rng.chance(0.5) {
        status = 201;
    }
    if status == 200 && method == b"DELETE" {
        status = 204;
    }

    let size = u64::from(path.size);
    let bytes = match status {
        _ if method == b"HEAD" => 0,
        204 | 304 | 499 => 0,
        200 | 201 => match kind {
            PathKind::Static | PathKind::Image => size,
            PathKind::Api => size / 2 + rng.below(size + 1),
            _ => size - size / 40 + rng.below(size / 20 + 1),
        },
        206 => rng.range(1, size.max(1)),
        404 if kind == PathKind::Api => rng.range(40, 90),
        s => error_page_bytes(s),
    };

    let request_millis = match status {
        504 => 60_000 + rng.below(20),
        499 => 1_000 + rng.exp(5_000.0) as u64,
        _ => {
            let base = match kind {
                PathKind::Static | PathKind::Image => rng.exp(0.8),
                PathKind::Page => 15.0 + rng.exp(40.0),
                PathKind::Api => 5.0 + rng.exp(25.0),
                PathKind::Probe | PathKind::Redirect => rng.exp(1.0),
                PathKind::Health => rng.exp(2.0),
            };
            // The long tail: a few percent of dynamic requests wait on a lock, a
            // cold cache or a slow upstream.
            let tail = matches!(kind, PathKind::Page | PathKind::Api) && rng.chance(0.03);
            let t = if tail {
                base + rng.pareto(100.0, 1.2)
            } else {
                base
            };
            t.min(59_000.0) as u64
        }
    };

    let referer = match kind {
        PathKind::Page => match rng.below(20) {
            0..=8 => Referer::None,
            9..=15 => Referer::Internal(world.path_bytes(world.sample_page(rng))),
            _ => Referer::External(EXTERNAL_REFERRERS[rng.index(EXTERNAL_REFERRERS.len())]),
        },
        PathKind::Static | PathKind::Image | PathKind::Api if rng.chance(0.85) => {
            Referer::Internal(world.path_bytes(world.sample_page(rng)))
        }
        _ => Referer::None,
    };

    // Mostly the client's own browser; sometimes another device behind the same NAT.
    let ua_index = if rng.chance(0.03) {
        world.random_user_agent(rng)
    } else {
        client.user_agent
    };
    let user: &'static [u8] =
        if matches!(kind, PathKind::Page | PathKind::Api) && status != 401 && rng.chance(0.004) {
            USERS[rng.index(USERS.len())].as_bytes()
        } else {
            b"-"
        };

    let (target, query_at) = match long_target {
        Some(t) => (t, t.iter().position(|&b| b == b'?')),
        None => (world.path_bytes(path), path.query_at.map(|q| q as usize)),
    };
    let (status, bytes) = match long_target {
        Some(_) if rng.chance(0.5) => (414, 173),
        _ => (status, bytes),
    };

    // Health checks come from the orchestrator, not from the public.
    let (ip, user_agent): (&[u8], &[u8]) = if kind == PathKind::Health {
        (b"10.0.3.17", b"kube-probe/1.29")
    } else {
        (
            world.client_bytes(client),
            USER_AGENTS[ua_index as usize].0.as_bytes(),
        )
    };

    Access {
        ip,
        user,
        request: Request::Http {
            method,
            target,
            query_at,
            protocol: pick(rng, PROTOCOLS),
        },
        status,
        bytes,
        referer,
        user_agent,
        request_millis,
    }
}

/// Builds a very long request target into `scratch`: a search stuffed with an
/// injection attempt or a runaway query string, 10 KiB to 256 KiB.
pub(crate) fn long_target(rng: &mut Rng, scratch: &mut Vec<u8>) {
    scratch.clear();
    let len = rng.range(10 * 1024, 256 * 1024) as usize;
    if rng.chance(0.5) {
        scratch.extend_from_slice(b"/search?q=");
        let payload: &[u8] = b"%27%20OR%201%3D1%20UNION%20SELECT%20NULL--%20";
        while scratch.len() < len {
            scratch.extend_from_slice(payload);
        }
    } else {
        scratch.extend_from_slice(b"/api/v1/products?ids=");
        while scratch.len() < len {
            push_u64(scratch, rng.range(1_000, 99_999));
            scratch.extend_from_slice(b"%2C");
        }
    }
}

/// Fills `scratch` with the start of a TLS ClientHello, the classic "binary
/// request" in a plain-HTTP access log. `escape` writes bytes outside printable
/// ASCII as nginx does (`\x16`); otherwise they stay raw (only newline and the
/// closing quote are kept out, since no writer could emit those inside the field).
pub(crate) fn binary_request(rng: &mut Rng, scratch: &mut Vec<u8>, escape: bool) {
    scratch.clear();
    let n = rng.range(16, 60) as usize;
    let hello = [
        0x16u8, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    for i in 0..n {
        let b = match hello.get(i) {
            Some(&b) => b,
            None => rng.below(256) as u8,
        };
        if escape {
            if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
                scratch.push(b);
            } else {
                scratch.extend_from_slice(b"\\x");
                scratch.push(b"0123456789ABCDEF"[usize::from(b >> 4)]);
                scratch.push(b"0123456789ABCDEF"[usize::from(b & 0xf)]);
            }
        } else if b != b'\n' && b != b'"' && b != b'\r' {
            scratch.push(b);
        }
    }
}

/// `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
/// "$http_referer" "$http_user_agent" $request_time`
pub(crate) fn write_combined(a: &Access<'_>, clock: &Clock, line: &mut Vec<u8>) {
    line.extend_from_slice(a.ip);
    line.extend_from_slice(b" - ");
    line.extend_from_slice(a.user);
    line.extend_from_slice(b" [");
    line.extend_from_slice(clock.nginx());
    line.extend_from_slice(b"] \"");
    match a.request {
        Request::Http {
            method,
            target,
            protocol,
            ..
        } => {
            line.extend_from_slice(method);
            line.push(b' ');
            line.extend_from_slice(target);
            line.push(b' ');
            line.extend_from_slice(protocol);
        }
        Request::Dash => line.push(b'-'),
        Request::Bytes(b) => line.extend_from_slice(b),
    }
    line.extend_from_slice(b"\" ");
    push_u64(line, u64::from(a.status));
    line.push(b' ');
    push_u64(line, a.bytes);
    line.extend_from_slice(b" \"");
    match a.referer {
        Referer::None => line.push(b'-'),
        Referer::Internal(p) => {
            line.extend_from_slice(ORIGIN);
            line.extend_from_slice(p);
        }
        Referer::External(r) => line.extend_from_slice(r.as_bytes()),
    }
    line.extend_from_slice(b"\" \"");
    line.extend_from_slice(a.user_agent);
    line.extend_from_slice(b"\" ");
    push_seconds_3(line, a.request_millis);
}

/// Writes `"key":` with the separator that precedes every key but the first.
fn key(line: &mut Vec<u8>, k: &[u8]) {
    line.extend_from_slice(b",\"");
    line.extend_from_slice(k);
    line.extend_from_slice(b"\":");
}

fn string_field(line: &mut Vec<u8>, k: &[u8], v: &[u8]) {
    key(line, k);
    line.push(b'"');
    push_json_escaped(line, v);
    line.push(b'"');
}

/// Writes the ISO timestamp with milliseconds and a `+00:00` zone, quoted.
pub(crate) fn push_iso_millis(line: &mut Vec<u8>, clock: &Clock, zone: &[u8]) {
    line.extend_from_slice(clock.iso_seconds());
    line.push(b'.');
    super::text::push_padded(line, u64::from(clock.millis()), 3);
    line.extend_from_slice(zone);
}

/// One access object per line, the shape of an nginx `log_format ... escape=json`.
/// Keys that would be empty (query, referer, user) are left out, as such formats do.
pub(crate) fn write_json(a: &Access<'_>, clock: &Clock, line: &mut Vec<u8>) {
    line.extend_from_slice(b"{\"ts\":\"");
    push_iso_millis(line, clock, b"+00:00");
    line.push(b'"');
    string_field(line, b"remote_addr", a.ip);
    if a.user != b"-" {
        string_field(line, b"remote_user", a.user);
    }
    match a.request {
        Request::Http {
            method,
            target,
            query_at,
            protocol,
        } => {
            string_field(line, b"method", method);
            match query_at {
                Some(q) => {
                    string_field(line, b"path", &target[..q]);
                    string_field(line, b"query", &target[q + 1..]);
                }
                None => string_field(line, b"path", target),
            }
            string_field(line, b"protocol", protocol);
        }
        Request::Dash => string_field(line, b"request", b"-"),
        Request::Bytes(b) => string_field(line, b"request", b),
    }
    key(line, b"status");
    push_u64(line, u64::from(a.status));
    key(line, b"bytes");
    push_u64(line, a.bytes);
    key(line, b"request_time");
    push_seconds_3(line, a.request_millis);
    match a.referer {
        Referer::None => {}
        Referer::Internal(p) => {
            key(line, b"referer");
            line.push(b'"');
            line.extend_from_slice(ORIGIN);
            push_json_escaped(line, p);
            line.push(b'"');
        }
        Referer::External(r) => string_field(line, b"referer", r.as_bytes()),
    }
    string_field(line, b"user_agent", a.user_agent);
    line.push(b'}');
}
