//! `Record`: one parsed line. It holds the line and where each field is; every typed
//! accessor parses its field when called, so a caller pays only for what it reads.

use std::borrow::Cow;
use std::time::Duration;

use crate::app::AppParts;
use crate::json::{self, JsonKind, JsonParts, JsonVal, Pairs};
use crate::level::Level;
use crate::nginx::{MAX_VARS, Matched, NginxFormat, Pos, Var};
use crate::request::{
    Request, parse_seconds_micros, parse_seconds_micros_in, parse_u64, parse_u64_in,
    parse_upstream_micros, split_query,
};
use crate::time::{Timestamp, parse_clf, parse_iso_prefix, parse_unix_any_unit};

/// Which family of format produced a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// An access log (a preset or any nginx `log_format`).
    Access,
    /// An application log (timestamp, level, component, message).
    App,
    /// A JSON object per line.
    Json,
}

// The access variant is large (a span per variable, inline): boxing it would put an
// allocation on every line, which is what this crate avoids.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy)]
pub(crate) enum Body<'a> {
    Access { format: &'a NginxFormat, m: Matched },
    App(AppParts),
    Json(JsonParts),
}

/// One parsed line. Fields borrow from the line (`'a` is also the format's borrow);
/// nothing is copied or allocated to make a record of an access log or an
/// application log.
///
/// Accessors return `None` when the format has no such field, when the field is
/// `-` (nginx's "empty"), or when its text does not parse as the type. String
/// accessors return the bytes as logged, without decoding nginx's `\x22` escapes; the
/// ones whose value may come from a JSON string ([`method`](Record::method),
/// [`path`](Record::path), [`query`](Record::query), [`message`](Record::message))
/// return a `Cow` that borrows unless the JSON string held escapes.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    line: &'a [u8],
    body: Body<'a>,
}

/// A host as logged, split into its name and the port after it, if it ends in one:
/// `shop.example:8080` is `shop.example` and `8080`, `[2001:db8::1]:443` is
/// `[2001:db8::1]` and `443`. A bare IPv6 address (`2001:db8::1`) has no port.
///
/// ```
/// use logscan_parse::split_port;
///
/// assert_eq!(split_port(b"shop.example:8080"), (&b"shop.example"[..], Some(&b"8080"[..])));
/// assert_eq!(split_port(b"[2001:db8::1]:443"), (&b"[2001:db8::1]"[..], Some(&b"443"[..])));
/// assert_eq!(split_port(b"2001:db8::1"), (&b"2001:db8::1"[..], None));
/// assert_eq!(split_port(b"shop.example:http"), (&b"shop.example:http"[..], None));
/// ```
pub fn split_port(host: &[u8]) -> (&[u8], Option<&[u8]>) {
    let Some(colon) = host.iter().rposition(|&b| b == b':') else {
        return (host, None);
    };
    let (name, port) = (&host[..colon], &host[colon + 1..]);
    let digits = !port.is_empty() && port.iter().all(u8::is_ascii_digit);
    let one_colon = !name.contains(&b':');
    let bracketed = name.starts_with(b"[") && name.ends_with(b"]");
    if digits && (one_colon || bracketed) {
        (name, Some(port))
    } else {
        (host, None)
    }
}

/// `-` is how nginx and Apache write "no value".
#[inline]
fn present(v: &[u8]) -> Option<&[u8]> {
    (v != b"-").then_some(v)
}

impl<'a> Record<'a> {
    pub(crate) fn new(line: &'a [u8], body: Body<'a>) -> Record<'a> {
        Record { line, body }
    }

    #[inline(always)]
    pub(crate) fn body_mut(&mut self) -> &mut Body<'a> {
        &mut self.body
    }

    /// The line this record was parsed from (without its line ending).
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// Which family of format produced it.
    pub fn kind(&self) -> RecordKind {
        match self.body {
            Body::Access { .. } => RecordKind::Access,
            Body::App(_) => RecordKind::App,
            Body::Json(_) => RecordKind::Json,
        }
    }

    #[inline]
    fn access(&self, var: Var) -> Option<&'a [u8]> {
        match &self.body {
            Body::Access { format, m, .. } => {
                // Matched values always lie within the line; the check is for the
                // compiler, and a branch is cheaper than an empty slice's cmovs.
                let (start, end) = format.span(&m.ends, format.slot(var)?);
                self.line.get(start..end)
            }
            _ => None,
        }
    }

    /// For detection: whether an access line's last value has its variable's shape
    /// (see `NginxFormat::last_value_fits`); true for other records.
    pub(crate) fn last_value_fits(&self) -> bool {
        match &self.body {
            Body::Access { format, m, .. } => format.last_value_fits(self.line, m),
            _ => true,
        }
    }

    /// Where the value of `var` is in the line: `(start, end)`, unchecked against the
    /// line (the number readers check).
    #[inline]
    fn access_span(&self, var: Var) -> Option<(usize, usize)> {
        match &self.body {
            Body::Access { format, m, .. } => {
                let i = format.slot(var)?;
                Some(format.span(&m.ends, i))
            }
            _ => None,
        }
    }

    fn json_val(&self, pick: impl Fn(&JsonParts) -> Option<JsonVal>) -> Option<JsonVal> {
        match &self.body {
            Body::Json(parts) => pick(parts),
            _ => None,
        }
    }

    /// A JSON line's string value for an access field, as written (JSON escapes not
    /// decoded; `-` and `""` are no value). Out of line: the access path never needs it.
    #[inline(never)]
    fn json_text(&self, pick: impl Fn(&JsonParts) -> Option<JsonVal>) -> Option<&'a [u8]> {
        let v = self.json_val(pick)?;
        let text = (v.kind == JsonKind::Str).then(|| v.span.of(self.line))?;
        present(text).filter(|t| !t.is_empty())
    }

    /// A JSON line's string value, its escapes decoded (`\"`, `\/`, `\u00e9`): the
    /// same user agent is one key however its writer escaped it. `-` and `""` are no
    /// value. Out of line, as [`json_text`](Self::json_text).
    #[inline(never)]
    fn json_string(&self, pick: impl Fn(&JsonParts) -> Option<JsonVal>) -> Option<Cow<'a, [u8]>> {
        let v = self.json_val(pick)?;
        if v.kind != JsonKind::Str {
            return None;
        }
        let text = json::decode(self.line, v);
        (!text.is_empty() && *text != *b"-").then_some(text)
    }

    /// A JSON line's number (or numeric string) for an access field, as written.
    #[inline(never)]
    fn json_number(&self, pick: impl Fn(&JsonParts) -> Option<JsonVal>) -> Option<&'a [u8]> {
        let v = self.json_val(pick)?;
        matches!(v.kind, JsonKind::Num | JsonKind::Str).then(|| v.span.of(self.line))
    }

    /// The raw value of any variable of an access format by name (`"status"` or
    /// `"$status"`, custom variables included), or of a top-level key of a JSON line
    /// (a string without its quotes and undecoded; other values as written). `-` is
    /// returned as is.
    pub fn var(&self, name: &str) -> Option<&'a [u8]> {
        match &self.body {
            Body::Access { format, m, .. } => {
                let i = format.index_of(name)?;
                Some(format.value(self.line, &m.ends, i))
            }
            Body::Json(_) => {
                let pairs = Pairs::new(self.line).ok()?;
                pairs
                    .map_while(Result::ok)
                    .find(|(k, _)| k.span.of(self.line) == name.as_bytes())
                    .map(|(_, v)| v.span.of(self.line))
            }
            Body::App(_) => None,
        }
    }

    /// The client address (`$remote_addr`, or the client key of a JSON line): an IPv4
    /// or IPv6 address, or `unix:`.
    pub fn client(&self) -> Option<&'a [u8]> {
        match self.access(Var::RemoteAddr) {
            Some(addr) => present(addr),
            None => self
                .json_text(|p| p.client)
                .or_else(|| self.client_with_port()),
        }
    }

    /// The client of an access format that writes it with its port (HAProxy:
    /// `2001:db8::1:5432`, split at the last colon before digits).
    #[cold]
    #[inline(never)]
    fn client_with_port(&self) -> Option<&'a [u8]> {
        let with_port = present(self.access(Var::RemoteAddrPort)?)?;
        if with_port.starts_with(b"unix:") {
            return Some(with_port);
        }
        let addr = match memchr::memrchr(b':', with_port) {
            Some(colon)
                if colon + 1 < with_port.len()
                    && (with_port[colon + 1..].iter().all(u8::is_ascii_digit)
                        || &with_port[colon + 1..] == b"-") =>
            {
                &with_port[..colon]
            }
            _ => with_port,
        };
        // `[::1]:80` names `::1`; `-:-` (no address) names none.
        let addr = addr
            .strip_prefix(b"[")
            .and_then(|a| a.strip_suffix(b"]"))
            .unwrap_or(addr);
        present(addr).filter(|a| !a.is_empty())
    }

    /// The client address parsed as an IP address (`None` for `unix:` and junk).
    pub fn client_ip(&self) -> Option<std::net::IpAddr> {
        std::str::from_utf8(self.client()?).ok()?.parse().ok()
    }

    /// The authenticated user (`$remote_user`).
    pub fn remote_user(&self) -> Option<&'a [u8]> {
        self.access(Var::RemoteUser).and_then(present)
    }

    /// The time of the event: `$time_local`, an Apache `%{layout}t` time (with the
    /// `%{msec_frac}t` and `%{%z}t` beside it), `$time_iso8601` or `$msec` for access
    /// logs, the leading timestamp of an application log, the time key of a JSON line.
    #[inline]
    pub fn timestamp(&self) -> Option<Timestamp> {
        // `$time_local`, what nearly every access log has, inline; the rest out of line.
        if let Body::Access { .. } = self.body
            && let Some(t) = self.access(Var::TimeLocal)
        {
            return parse_clf(t);
        }
        self.other_timestamp()
    }

    /// [`timestamp`](Self::timestamp) of anything but an access line with
    /// `$time_local` (which it has answered already).
    #[inline(never)]
    fn other_timestamp(&self) -> Option<Timestamp> {
        match &self.body {
            Body::Access { format, m, .. } => {
                if let Some(t) = format.layout_time(self.line, &m.ends) {
                    return Some(t);
                }
                if let Some(t) = self.access(Var::TimeIso8601) {
                    return parse_iso_prefix(t)
                        .filter(|&(_, used)| used == t.len())
                        .map(|(ts, _)| ts);
                }
                parse_unix_any_unit(self.access(Var::Msec)?)
            }
            Body::App(parts) => parts.time,
            Body::Json(parts) => json::time_of(self.line, parts.time?),
        }
    }

    /// The request line (`$request`), split lazily. `None` if the format has no
    /// `$request` or it is `-` or empty.
    #[inline(always)]
    pub fn request(&self) -> Option<Request<'a>> {
        let r = self.access(Var::Request).and_then(present)?;
        (!r.is_empty()).then(|| Request::parse(r))
    }

    /// The HTTP method: `$request_method`, else from `$request`; for JSON, the method
    /// key.
    pub fn method(&self) -> Option<Cow<'a, [u8]>> {
        if let Some(m) = self.access(Var::RequestMethod) {
            return present(m).map(Cow::Borrowed);
        }
        if let Some(v) = self.json_val(|p| p.method) {
            return (v.kind == JsonKind::Str).then(|| json::decode(self.line, v));
        }
        self.request()?.method().map(Cow::Borrowed)
    }

    /// The path without the query: `$uri`, else `$request_uri` or `$request` up to the
    /// `?`; for JSON, the path key up to its `?`.
    pub fn path(&self) -> Option<Cow<'a, [u8]>> {
        if let Some(u) = self.access(Var::Uri) {
            return present(u).map(Cow::Borrowed);
        }
        if let Some(u) = self.access(Var::RequestUri) {
            return present(u).map(|u| Cow::Borrowed(split_query(u).0));
        }
        if let Some(v) = self.json_val(|p| p.path) {
            if v.kind != JsonKind::Str {
                return None;
            }
            return Some(match json::decode(self.line, v) {
                Cow::Borrowed(b) => Cow::Borrowed(split_query(b).0),
                Cow::Owned(b) => Cow::Owned(split_query(&b).0.to_vec()),
            });
        }
        self.request()?.path().map(Cow::Borrowed)
    }

    /// The query string without the `?`: `$args`, else from `$request_uri` or
    /// `$request`; for JSON, after the `?` of the path key.
    pub fn query(&self) -> Option<Cow<'a, [u8]>> {
        if let Some(a) = self.access(Var::Args) {
            return present(a).filter(|a| !a.is_empty()).map(Cow::Borrowed);
        }
        if let Some(u) = self.access(Var::RequestUri) {
            return split_query(u).1.map(Cow::Borrowed);
        }
        if let Some(v) = self.json_val(|p| p.path) {
            if v.kind != JsonKind::Str {
                return None;
            }
            return match json::decode(self.line, v) {
                Cow::Borrowed(b) => split_query(b).1.map(Cow::Borrowed),
                Cow::Owned(b) => split_query(&b).1.map(|q| Cow::Owned(q.to_vec())),
            };
        }
        self.request()?.query().map(Cow::Borrowed)
    }

    /// The protocol (`HTTP/1.1`): `$server_protocol`, else from `$request`.
    pub fn protocol(&self) -> Option<&'a [u8]> {
        if let Some(p) = self.access(Var::ServerProtocol) {
            return present(p);
        }
        self.request()?.protocol()
    }

    /// The response status (`$status`, or the status key of a JSON line).
    #[inline(always)]
    pub fn status(&self) -> Option<u16> {
        if let Body::Access { .. } = self.body {
            let (start, end) = self.access_span(Var::Status)?;
            return u16::try_from(parse_u64_in(self.line, start, end)?).ok();
        }
        self.json_status()
    }

    #[inline(never)]
    fn json_status(&self) -> Option<u16> {
        json::status_of(self.line, self.json_val(|p| p.status)?)
    }

    /// Body bytes sent (`$body_bytes_sent`, or the bytes key of a JSON line).
    #[inline]
    pub fn body_bytes(&self) -> Option<u64> {
        match self.access_span(Var::BodyBytesSent) {
            Some((start, end)) => parse_u64_in(self.line, start, end),
            None => self.json_body_bytes(),
        }
    }

    #[inline(never)]
    fn json_body_bytes(&self) -> Option<u64> {
        parse_u64(self.json_number(|p| p.bytes)?)
    }

    /// All bytes sent, headers included (`$bytes_sent`).
    pub fn bytes_sent(&self) -> Option<u64> {
        let (start, end) = self.access_span(Var::BytesSent)?;
        parse_u64_in(self.line, start, end)
    }

    /// Request length, line and headers and body (`$request_length`).
    pub fn request_length(&self) -> Option<u64> {
        let (start, end) = self.access_span(Var::RequestLength)?;
        parse_u64_in(self.line, start, end)
    }

    /// The time the request took, in whole microseconds: `$request_time` (seconds,
    /// nginx writes milliseconds), Apache's `%D` (`$request_time_us`, microseconds) or
    /// `%{ms}T` (`$request_time_ms`), or the request-time key of a JSON line (seconds).
    #[inline]
    pub fn request_time_us(&self) -> Option<u64> {
        match self.access_span(Var::RequestTime) {
            Some((start, end)) => parse_seconds_micros_in(self.line, start, end),
            None => self.other_request_time_us(),
        }
    }

    /// The request time of a format without `$request_time`: out of line, so that the
    /// common case inlines into its callers small.
    #[inline(never)]
    fn other_request_time_us(&self) -> Option<u64> {
        if let Some(us) = self.access(Var::RequestTimeMicros) {
            return parse_u64(us);
        }
        if let Some(ms) = self.access(Var::RequestTimeMillis) {
            return parse_u64(ms)?.checked_mul(1000);
        }
        let unit = self.json_val(|p| p.request_time)?.unit;
        unit.micros(self.json_number(|p| p.request_time)?)
    }

    /// `$upstream_response_time` in microseconds: the sum over all upstreams tried
    /// (`0.010, 0.002 : 0.001`), `-` entries counting as nothing.
    pub fn upstream_time_us(&self) -> Option<u64> {
        parse_upstream_micros(self.access(Var::UpstreamResponseTime)?)
    }

    /// `$upstream_addr`, as written (may list several).
    pub fn upstream_addr(&self) -> Option<&'a [u8]> {
        self.access(Var::UpstreamAddr).and_then(present)
    }

    /// The exception a JSON line names (its exception key: a type such as ECS's
    /// `error.type`, or a stack trace such as Logback's `stack_trace`, whose first line
    /// names it, or Python's `Traceback ...`, whose last line does). `None` for other
    /// lines: an application log's stack trace comes on lines of its own (see
    /// [`exception_of`](crate::exception_of)).
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    ///
    /// let json = LogFormat::json();
    /// let r = json.parse(br#"{"msg":"failed","stack_trace":"java.io.IOException: disk\n\tat a.B.c(B.java:1)"}"#)?;
    /// assert_eq!(r.exception().as_deref(), Some(&b"java.io.IOException"[..]));
    /// let r = json.parse(br#"{"msg":"failed","exc_info":"Traceback (most recent call last):\n  File \"x.py\"\nKeyError: 'k'"}"#)?;
    /// assert_eq!(r.exception().as_deref(), Some(&b"KeyError"[..]));
    /// // pino's serialised error names its type; bunyan's, its stack.
    /// let r = json.parse(br#"{"level":50,"err":{"type":"TypeError","message":"x","stack":"TypeError: x\n    at f (a.js:1:2)"},"msg":"x"}"#)?;
    /// assert_eq!(r.exception().as_deref(), Some(&b"TypeError"[..]));
    /// let r = json.parse(br#"{"level":50,"err":{"message":"boom","name":"Error","stack":"RangeError: boom\n    at g (b.js:3:4)"},"msg":"boom"}"#)?;
    /// assert_eq!(r.exception().as_deref(), Some(&b"RangeError"[..]));
    /// # Ok::<(), logscan_parse::ParseError>(())
    /// ```
    pub fn exception(&self) -> Option<Cow<'a, [u8]>> {
        let v = self.json_val(|p| p.exception)?;
        if v.kind != JsonKind::Str {
            return None;
        }
        Some(match json::decode(self.line, v) {
            // The value had no escape: the name borrows the line.
            Cow::Borrowed(text) => Cow::Borrowed(exception_in(text)?),
            Cow::Owned(text) => Cow::Owned(exception_in(&text)?.to_vec()),
        })
    }

    /// The referrer: `$http_referer` as written (with the escapes nginx or Apache
    /// wrote, such as `\x22`), or the referrer key of a JSON line, its JSON escapes
    /// decoded. Borrowed from the line unless the JSON string had escapes.
    #[inline]
    pub fn referrer(&self) -> Option<Cow<'a, [u8]>> {
        match self.access(Var::HttpReferer) {
            Some(referrer) => present(referrer).map(Cow::Borrowed),
            None => self.json_string(|p| p.referrer),
        }
    }

    /// The user agent: `$http_user_agent` as written, or the user-agent key of a JSON
    /// line, its JSON escapes decoded (as [`referrer`](Self::referrer)). If the line
    /// ended before its closing quote, this is what was there
    /// ([`is_truncated`](Record::is_truncated) says so).
    #[inline]
    pub fn user_agent(&self) -> Option<Cow<'a, [u8]>> {
        match self.access(Var::HttpUserAgent) {
            Some(agent) => present(agent).map(Cow::Borrowed),
            None => self.json_string(|p| p.user_agent),
        }
    }

    /// `$http_x_forwarded_for` as written: a comma-separated list of addresses.
    pub fn x_forwarded_for(&self) -> Option<&'a [u8]> {
        self.access(Var::HttpXForwardedFor).and_then(present)
    }

    /// The first address of `X-Forwarded-For`: the original client as the first proxy
    /// saw it.
    pub fn forwarded_client(&self) -> Option<&'a [u8]> {
        let xff = self.x_forwarded_for()?;
        let first = xff.split(|&b| b == b',').next()?.trim_ascii();
        (!first.is_empty()).then_some(first)
    }

    /// The virtual host: `$host` (or `$http_host`, Apache's `%{Host}i`), else
    /// `$server_name` (Apache's `%v`); for a syslog
    /// line, the host that wrote it; for a JSON line, the host key (see
    /// [`JsonFormatBuilder::host_keys`](crate::JsonFormatBuilder::host_keys)), its JSON
    /// escapes decoded.
    pub fn host(&self) -> Option<Cow<'a, [u8]>> {
        // Apache logs `-` for the Host header of a request that sent none (and a
        // quoted `$host` may be empty); the server's name stands in then.
        let named = |v: &'a [u8]| present(v).filter(|v| !v.is_empty());
        match &self.body {
            Body::App(parts) => parts.host.map(|s| Cow::Borrowed(s.of(self.line))),
            Body::Json(..) => self.json_string(|p| p.host),
            _ => self
                .access(Var::Host)
                .and_then(named)
                .or_else(|| self.access(Var::ServerName).and_then(named))
                .map(Cow::Borrowed),
        }
    }

    /// The severity of an application log or JSON line.
    pub fn level(&self) -> Option<Level> {
        match &self.body {
            Body::App(parts) => parts.level,
            Body::Json(parts) => json::level_of(self.line, parts.level?),
            Body::Access { .. } => None,
        }
    }

    /// True when [`level`](Record::level) was not written in the line but assumed:
    /// a syslog line without `<PRI>` gets RFC 3164's default severity, notice.
    pub fn level_is_assumed(&self) -> bool {
        matches!(&self.body, Body::App(parts) if parts.level_assumed)
    }

    /// True when the timestamp's year was not in the line (syslog) and was taken from
    /// the format's assumed year.
    pub fn year_is_assumed(&self) -> bool {
        matches!(&self.body, Body::App(parts) if parts.year_assumed && parts.time.is_some())
    }

    /// The component of an application log: a logger or class (`dfs.DataNode`), a
    /// bracketed source (`[QuorumPeer@774]` without brackets), or a syslog program
    /// name without its `[pid]`.
    pub fn component(&self) -> Option<&'a [u8]> {
        match &self.body {
            Body::App(parts) => parts.component.map(|s| s.of(self.line)),
            _ => None,
        }
    }

    /// The message of an application log (the text after timestamp, level and
    /// component) or the message key of a JSON line.
    pub fn message(&self) -> Option<Cow<'a, [u8]>> {
        match &self.body {
            Body::App(parts) => Some(Cow::Borrowed(parts.message.of(self.line))),
            Body::Json(parts) => {
                let v = parts.message?;
                match v.kind {
                    JsonKind::Str => Some(json::decode(self.line, v)),
                    _ => Some(Cow::Borrowed(v.span.of(self.line))),
                }
            }
            Body::Access { .. } => None,
        }
    }

    /// What followed the last field of an access format (trailing junk, or extra
    /// fields the format does not name), without leading spaces. Empty otherwise.
    pub fn trailing(&self) -> &'a [u8] {
        match &self.body {
            Body::Access { m, .. } => self
                .line
                .get(usize::from(m.end)..)
                .unwrap_or_default()
                .trim_ascii_start(),
            _ => &[],
        }
    }

    /// True when the last quoted field of an access line had no closing quote (the
    /// line was cut short) and was taken to the end of the line.
    pub fn is_truncated(&self) -> bool {
        matches!(&self.body, Body::Access { m, .. } if m.unterminated)
    }

    /// Every field by name with a typed value, in line order: the variables of an
    /// access format (names without `$`; times, numbers and durations typed, `-` as
    /// [`Value::Null`]), `time`/`level`/`host`/`component`/`message` of an application
    /// log, the top-level keys of a JSON line (the keys read as time and level typed as
    /// such, other values by their JSON type).
    pub fn fields(&self) -> Fields<'a> {
        let state = match self.body {
            Body::Access { format, m } => State::Access {
                format,
                ends: m.ends,
                i: 0,
            },
            Body::App(parts) => State::App { parts, i: 0 },
            Body::Json(parts) => match Pairs::new(self.line) {
                Ok(p) => State::Json(p, parts),
                Err(_) => State::Done,
            },
        };
        Fields {
            line: self.line,
            state,
        }
    }
}

impl std::fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for field in self.fields() {
            m.entry(&field.name, &field.value);
        }
        m.finish()
    }
}

/// A typed field value. Strings are bytes as logged (logs need not be UTF-8).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// No value: `-` in an access log, `null` in JSON.
    Null,
    /// A JSON boolean.
    Bool(bool),
    /// An unsigned number (status, byte counts, JSON non-negative integers).
    UInt(u64),
    /// A negative JSON integer.
    Int(i64),
    /// A JSON number with a fraction or exponent.
    Float(f64),
    /// Text; borrowed unless it was a JSON string with escapes.
    Str(Cow<'a, [u8]>),
    /// A time (`$time_local`, `$time_iso8601`, `$msec`, an app log's timestamp).
    Time(Timestamp),
    /// A duration (`$request_time`, `$upstream_response_time`), microsecond precision.
    Duration(Duration),
    /// An application log's level.
    Level(Level),
    /// A nested JSON object or array, as written.
    Json(&'a [u8]),
}

/// One named field of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<'a> {
    /// The field's name: a variable name without `$`, or a JSON key.
    pub name: Cow<'a, str>,
    /// Its typed value.
    pub value: Value<'a>,
}

enum State<'a> {
    Access {
        format: &'a NginxFormat,
        ends: [Pos; MAX_VARS + 1],
        i: usize,
    },
    App {
        parts: AppParts,
        i: usize,
    },
    Json(Pairs<'a>, JsonParts),
    Done,
}

/// The iterator of [`Record::fields`].
pub struct Fields<'a> {
    line: &'a [u8],
    state: State<'a>,
}

fn access_value<'a>(var: Option<Var>, raw: &'a [u8]) -> Value<'a> {
    if raw == b"-" {
        return Value::Null;
    }
    let typed = match var {
        Some(Var::TimeLocal) => parse_clf(raw).map(Value::Time),
        Some(Var::TimeIso8601) => parse_iso_prefix(raw)
            .filter(|&(_, used)| used == raw.len())
            .map(|(t, _)| Value::Time(t)),
        Some(Var::Msec) => parse_unix_any_unit(raw).map(Value::Time),
        // Apache's `%D` and `%{ms}T` stay the numbers written, as their names (`_us`,
        // `_ms`) say; `request_time_us()` reads either as a duration.
        Some(
            Var::Status
            | Var::BodyBytesSent
            | Var::BytesSent
            | Var::RequestLength
            | Var::RequestTimeMicros
            | Var::RequestTimeMillis,
        ) => parse_u64(raw).map(Value::UInt),
        Some(Var::RequestTime) => {
            parse_seconds_micros(raw).map(|us| Value::Duration(Duration::from_micros(us)))
        }
        Some(Var::UpstreamResponseTime) => {
            parse_upstream_micros(raw).map(|us| Value::Duration(Duration::from_micros(us)))
        }
        _ => None,
    };
    typed.unwrap_or(Value::Str(Cow::Borrowed(raw)))
}

/// The exception a JSON exception value names: a stack trace's first line, a Python
/// traceback's last, or the value itself if it is a bare type.
fn exception_in(text: &[u8]) -> Option<&[u8]> {
    let mut lines = text
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .filter(|l| !l.is_empty());
    let first = lines.next()?;
    if first.starts_with(b"Traceback") {
        return lines.next_back().and_then(crate::exception_of);
    }
    if let Some(name) = crate::exception_of(first) {
        return Some(name);
    }
    // A bare type (ECS's `error.type`) need not end in Exception or Error.
    let bare = lines.next().is_none()
        && first
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$' | b':'));
    bare.then_some(first)
}

fn json_value<'a>(line: &'a [u8], v: JsonVal) -> Value<'a> {
    let raw = v.span.of(line);
    match v.kind {
        JsonKind::Str => Value::Str(json::decode(line, v)),
        JsonKind::Null => Value::Null,
        JsonKind::True => Value::Bool(true),
        JsonKind::False => Value::Bool(false),
        JsonKind::Object | JsonKind::Array => Value::Json(raw),
        JsonKind::Num => {
            if let Some(u) = parse_u64(raw) {
                return Value::UInt(u);
            }
            let text = std::str::from_utf8(raw).unwrap_or("");
            if let Ok(i) = text.parse::<i64>() {
                return Value::Int(i);
            }
            match text.parse::<f64>() {
                Ok(f) => Value::Float(f),
                Err(_) => Value::Str(Cow::Borrowed(raw)),
            }
        }
    }
}

/// A JSON string that holds a plain decimal number (`"502"`, `"1.500"`, `"-3"`), as
/// that number; `None` for any other value.
fn numeric_string<'a>(line: &'a [u8], v: JsonVal) -> Option<Value<'a>> {
    let text = v.span.of(line);
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    let plain = v.kind == JsonKind::Str
        && !v.escaped
        && digits.first().is_some_and(u8::is_ascii_digit)
        && digits.last().is_some_and(u8::is_ascii_digit)
        && digits.iter().filter(|&&b| b == b'.').count() <= 1
        && digits.iter().all(|&b| b.is_ascii_digit() || b == b'.');
    plain
        .then(|| {
            json_value(
                line,
                JsonVal {
                    kind: JsonKind::Num,
                    ..v
                },
            )
        })
        // A whole number past 64 bits stays text rather than lose digits as a float.
        .filter(|value| match value {
            Value::UInt(_) | Value::Int(_) => true,
            Value::Float(_) => digits.contains(&b'.'),
            _ => false,
        })
}

fn name_of(bytes: Cow<'_, [u8]>) -> Cow<'_, str> {
    match bytes {
        Cow::Borrowed(b) => String::from_utf8_lossy(b),
        Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        let line = self.line;
        match &mut self.state {
            State::Access { format, ends, i } => {
                let format: &'a NginxFormat = format;
                if *i >= format.var_count() {
                    return None;
                }
                let k = *i;
                *i += 1;
                let raw = format.value(line, ends, k);
                let value = match format.layout_time_index() {
                    Some(t) if t == k && raw != b"-" => format
                        .layout_time(line, ends)
                        .map_or(Value::Str(Cow::Borrowed(raw)), Value::Time),
                    _ => access_value(format.known[k], raw),
                };
                Some(Field {
                    name: Cow::Borrowed(&format.names[k]),
                    value,
                })
            }
            State::App { parts, i } => loop {
                let k = *i;
                *i += 1;
                let (name, value) = match k {
                    0 => ("time", parts.time.map(Value::Time)),
                    1 => ("level", parts.level.map(Value::Level)),
                    2 => (
                        "host",
                        parts.host.map(|s| Value::Str(Cow::Borrowed(s.of(line)))),
                    ),
                    3 => (
                        "component",
                        parts
                            .component
                            .map(|s| Value::Str(Cow::Borrowed(s.of(line)))),
                    ),
                    4 => (
                        "message",
                        Some(Value::Str(Cow::Borrowed(parts.message.of(line)))),
                    ),
                    _ => return None,
                };
                if let Some(value) = value {
                    return Some(Field {
                        name: Cow::Borrowed(name),
                        value,
                    });
                }
            },
            State::Json(pairs, parts) => {
                let (k, v) = pairs.next()?.ok()?;
                // The values the format reads as time and level come out typed.
                let is = |picked: Option<JsonVal>| picked.is_some_and(|p| p.span == v.span);
                let typed = if is(parts.time) {
                    json::time_of(line, v).map(Value::Time)
                } else if is(parts.level) {
                    json::level_of(line, v).map(Value::Level)
                } else if is(parts.status) || is(parts.bytes) || is(parts.request_time) {
                    // nginx's `escape=json` formats quote every value (`"status":"502"`):
                    // the fields the format reads as numbers come out as the numbers they
                    // hold, in their key's own unit, so that `.status >= 500` works.
                    numeric_string(line, v)
                } else {
                    None
                };
                Some(Field {
                    name: name_of(json::decode(line, k)),
                    value: typed.unwrap_or_else(|| json_value(line, v)),
                })
            }
            State::Done => None,
        }
    }
}
