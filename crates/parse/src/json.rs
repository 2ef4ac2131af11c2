//! JSON lines: one top-level object per line, scanned without building a tree.
//! Strings stay as spans into the line and are decoded only when asked for and only
//! if they hold escapes.

use std::borrow::Cow;

use memchr::memchr2;

use crate::error::{FormatError, ParseError, ParseErrorKind};
use crate::level::Level;
use crate::nginx::Span;
use crate::request::{parse_duration_us, parse_seconds_micros_exp, parse_u64};
use crate::time::{Timestamp, parse_timestamp, parse_unix_any_unit};

/// What kind of JSON value a span holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonKind {
    Str,
    Num,
    True,
    False,
    Null,
    Object,
    Array,
}

/// A value's place in the line: for strings, the span is between the quotes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JsonVal {
    pub(crate) span: Span,
    pub(crate) kind: JsonKind,
    pub(crate) escaped: bool,
    /// For the request time: the unit its key gave (`Duration:ns`); seconds otherwise.
    pub(crate) unit: TimeUnit,
}

/// A fractional number of a unit `per_second` times smaller than a second, in whole
/// microseconds.
fn scaled_down(text: &[u8], per_second: u64) -> Option<u64> {
    if let Some(us) = parse_seconds_micros_exp(text) {
        return Some(us / per_second);
    }
    let v: f64 = std::str::from_utf8(text).ok()?.parse().ok()?;
    let us = v * 1e6 / per_second as f64;
    // `as` saturates; the range check keeps a NaN, a negative or a huge value out.
    (us.is_finite() && (0.0..1.8e19).contains(&us)).then_some(us as u64)
}

/// The unit of a request-time key, given after its name (`Duration:ns`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    #[default]
    Seconds,
    Millis,
    Micros,
    Nanos,
    /// A Go `time.Duration` as Go's loggers write it (`duration:go`): see [`go_micros`].
    Go,
}

impl TimeUnit {
    /// A request-time key and its unit: `Duration:ns` is `Duration` in nanoseconds; a
    /// key with no unit suffix (`:s`, `:ms`, `:us`, `:ns`, `:go`) is in seconds.
    pub(crate) fn split(key: &str) -> (&str, TimeUnit) {
        let Some((name, unit)) = key.rsplit_once(':') else {
            return (key, TimeUnit::Seconds);
        };
        match unit {
            "s" => (name, TimeUnit::Seconds),
            "ms" => (name, TimeUnit::Millis),
            "us" => (name, TimeUnit::Micros),
            "ns" => (name, TimeUnit::Nanos),
            "go" => (name, TimeUnit::Go),
            _ => (key, TimeUnit::Seconds),
        }
    }

    /// A number in this unit (JSON's exponent allowed) in whole microseconds, digits
    /// past the microsecond dropped.
    pub(crate) fn micros(self, text: &[u8]) -> Option<u64> {
        let whole = !text.is_empty() && text.iter().all(u8::is_ascii_digit);
        match self {
            TimeUnit::Seconds => parse_seconds_micros_exp(text),
            TimeUnit::Go => go_micros(text, whole),
            TimeUnit::Millis if whole => parse_u64(text)?.checked_mul(1_000),
            TimeUnit::Micros if whole => parse_u64(text),
            TimeUnit::Nanos if whole => Some(parse_u64(text)? / 1_000),
            // A fraction: read as seconds (exact to the microsecond), then scaled down;
            // past that reader's twelve whole digits, as a float.
            TimeUnit::Millis => scaled_down(text, 1_000),
            TimeUnit::Micros => scaled_down(text, 1_000_000),
            TimeUnit::Nanos => scaled_down(text, 1_000_000_000),
        }
    }
}

/// A Go `time.Duration` as Go's loggers write it, in whole microseconds. The value
/// itself says the unit: a number with a fraction or an exponent is seconds (zap's
/// default encoder, and so Caddy's access log: `0.000828`), a whole number is
/// nanoseconds (`log/slog`'s JSON handler: `1830012`), and text is
/// `Duration.String()`'s (`1.5ms`, `2m3.25s`, `850µs`; zap's development encoder,
/// Caddy's `duration_format string`). A whole number of seconds written by zap (`2`)
/// would be read as nanoseconds; a measured duration is never that round.
fn go_micros(text: &[u8], whole: bool) -> Option<u64> {
    match text.last()? {
        _ if whole => Some(parse_u64(text)? / 1_000),
        b'0'..=b'9' => parse_seconds_micros_exp(text),
        _ => parse_duration_us(text),
    }
}

/// The values of the configured keys, found in one pass.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct JsonParts {
    pub(crate) time: Option<JsonVal>,
    pub(crate) level: Option<JsonVal>,
    pub(crate) message: Option<JsonVal>,
    pub(crate) status: Option<JsonVal>,
    pub(crate) path: Option<JsonVal>,
    pub(crate) client: Option<JsonVal>,
    pub(crate) method: Option<JsonVal>,
    pub(crate) bytes: Option<JsonVal>,
    pub(crate) request_time: Option<JsonVal>,
    pub(crate) user_agent: Option<JsonVal>,
    pub(crate) referrer: Option<JsonVal>,
    pub(crate) exception: Option<JsonVal>,
    pub(crate) host: Option<JsonVal>,
}

/// Which top-level keys hold the well-known fields. Within a list, an earlier key wins
/// when a line has several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonKeys {
    pub(crate) time: Vec<String>,
    pub(crate) level: Vec<String>,
    pub(crate) message: Vec<String>,
    pub(crate) status: Vec<String>,
    pub(crate) path: Vec<String>,
    pub(crate) client: Vec<String>,
    pub(crate) method: Vec<String>,
    pub(crate) bytes: Vec<String>,
    pub(crate) request_time: Vec<String>,
    pub(crate) user_agent: Vec<String>,
    pub(crate) referrer: Vec<String>,
    pub(crate) exception: Vec<String>,
    pub(crate) host: Vec<String>,
}

impl Default for JsonKeys {
    fn default() -> Self {
        let v = |keys: &[&str]| keys.iter().map(|k| (*k).to_owned()).collect();
        // After the common names: Elastic Common Schema's dotted names (flat at the
        // top, as its loggers write them, or nested), Serilog's compact `@t`, `@l`,
        // `@m`, `@mt`, Traefik's access-log names (`ClientHost`, `DownstreamStatus`,
        // ...), Caddy's nested `request` object, and pino-http's and Fastify's `req`
        // and `res` objects.
        JsonKeys {
            time: v(&[
                "time",
                "ts",
                "timestamp",
                "@timestamp",
                "time_iso8601",
                "time_local",
                "msec",
                "@t",
            ]),
            level: v(&["level", "severity", "lvl", "log.level", "@l"]),
            // Docker's json-file driver puts the container's line under `log`.
            message: v(&["msg", "message", "@m", "@mt", "log"]),
            status: v(&[
                "status",
                "status_code",
                "statusCode",
                "http.response.status_code",
                "DownstreamStatus",
                "res.statusCode",
            ]),
            path: v(&[
                "path",
                "url",
                "uri",
                "request_uri",
                "url.path",
                "RequestPath",
                "request.uri",
                "req.url",
            ]),
            // The names nginx variables give these fields (what a JSON `log_format`
            // usually uses), then the common shorter ones.
            client: v(&[
                "remote_addr",
                "client_ip",
                "client",
                "remote_ip",
                "ip",
                "client.ip",
                "source.ip",
                "ClientHost",
                "request.client_ip",
                "request.remote_ip",
                "req.remoteAddress",
            ]),
            method: v(&[
                "request_method",
                "method",
                "http.request.method",
                "RequestMethod",
                "request.method",
                "req.method",
            ]),
            bytes: v(&[
                "body_bytes_sent",
                "bytes",
                "bytes_sent",
                "size",
                "http.response.body.bytes",
                "DownstreamContentSize",
            ]),
            // Seconds unless the key says otherwise: Traefik's `Duration` and ECS's
            // `event.duration` are nanoseconds, pino-http's and Fastify's
            // `responseTime` milliseconds. A bare `duration` is left out: Caddy writes
            // seconds (its access log is detected as `LogFormat::json_caddy`), Go's
            // `slog` nanoseconds, Envoy and zerolog milliseconds (see `duration:go`).
            request_time: v(&[
                "request_time",
                "Duration:ns",
                "event.duration:ns",
                "responseTime:ms",
            ]),
            user_agent: v(&[
                "http_user_agent",
                "user_agent",
                "userAgent",
                "user_agent.original",
                "request_User-Agent",
                "request.headers.User-Agent",
                "req.headers.user-agent",
            ]),
            referrer: v(&[
                "http_referer",
                "referer",
                "referrer",
                "http.request.referrer",
                "request_Referer",
                "request.headers.Referer",
                "req.headers.referer",
            ]),
            // An exception's type (ECS, OpenTelemetry) or a whole stack trace (Logback's
            // and log4j's JSON encoders, python-json-logger, Serilog's `@x`).
            exception: v(&[
                "error.type",
                "exception.type",
                "stack_trace",
                "error.stack_trace",
                "exception",
                "exc_info",
                "@x",
                // pino's and bunyan's serialised error: its type, else its stack.
                "err.type",
                "err.stack",
            ]),
            // The virtual host a request was for, then (for a line that names none) the
            // machine that wrote the line: pino's and bunyan's `hostname`, ECS's
            // `host.name`.
            host: v(&[
                "host",
                "http_host",
                "vhost",
                "server_name",
                "RequestHost",
                "url.domain",
                "request.host",
                "req.headers.host",
                "hostname",
                "host.name",
            ]),
        }
    }
}

/// Builds the JSON-lines configuration: which keys hold the time, level, message,
/// status and path. Start from [`JsonFormatBuilder::new`] (the defaults) and replace
/// any list; [`build`](JsonFormatBuilder::build) checks that no list is empty.
#[derive(Clone, Debug, Default)]
pub struct JsonFormatBuilder {
    keys: JsonKeys,
}

fn owned(keys: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    keys.into_iter().map(Into::into).collect()
}

impl JsonFormatBuilder {
    /// The defaults: time `time|ts|timestamp|@timestamp|time_iso8601|time_local|msec|@t`,
    /// level `level|severity|lvl|log.level|@l`, message `msg|message|@m|@mt|log`, status
    /// `status|status_code|statusCode|http.response.status_code|DownstreamStatus`, path
    /// `path|url|uri|request_uri|url.path|RequestPath`; for access logs written as JSON,
    /// client `remote_addr|client_ip|client|remote_ip|ip|client.ip|source.ip|ClientHost`,
    /// method `request_method|method|http.request.method|RequestMethod`, body bytes
    /// `body_bytes_sent|bytes|bytes_sent|size|http.response.body.bytes|DownstreamContentSize`,
    /// request time `request_time` (seconds, as nginx writes it), `Duration:ns`
    /// (Traefik), `event.duration:ns` (ECS), `responseTime:ms` (pino-http, Fastify); a
    /// request-time key may end in `:s`, `:ms`, `:us`, `:ns` or `:go` to give its unit
    /// (`:go`: a Go `time.Duration` as Caddy, `slog` and zap write it, whose unit the
    /// value says: a fraction is seconds, a whole number nanoseconds, text as `1.5ms`;
    /// a bare `duration` key is not read by default, as its unit differs from one
    /// logger to the next: `duration:go` for Caddy and `slog`, `duration:ms` for
    /// Envoy and Istio); user agent
    /// `http_user_agent|user_agent|userAgent|user_agent.original|request_User-Agent`,
    /// referrer `http_referer|referer|referrer|http.request.referrer|request_Referer`.
    /// A dotted name is looked up as written and as a path into nested objects
    /// (`request.method` finds `{"request":{"method":"GET"}}`, up to four objects
    /// down; an array of strings there stands for its first). Caddy's access log
    /// keeps its request under `request` (client `request.client_ip|request.remote_ip`,
    /// method `request.method`, path `request.uri`, user agent
    /// `request.headers.User-Agent`, referrer `request.headers.Referer`), and pino-http
    /// and Fastify theirs under `req` and `res` (status `res.statusCode`, path
    /// `req.url`, client `req.remoteAddress`, method `req.method`, user agent
    /// `req.headers.user-agent`, referrer `req.headers.referer`); these come last.
    /// The other dotted names are the Elastic Common Schema's; the `@` names are
    /// Serilog's compact JSON; the capitalised ones Traefik's access log; `log` is
    /// where Docker's json-file driver puts a line. Exception (a type, or a stack trace
    /// that names one): `error.type|exception.type|stack_trace|error.stack_trace|
    /// exception|exc_info|@x|err.type|err.stack` (the last two: pino's and bunyan's
    /// `err`). Host (the virtual host, else the machine that wrote the
    /// line): `host|http_host|vhost|server_name|RequestHost|url.domain|request.host|
    /// req.headers.host|hostname|host.name`.
    pub fn new() -> JsonFormatBuilder {
        JsonFormatBuilder::default()
    }

    /// Keys that may hold the time (an RFC 3339 string or Unix seconds, milliseconds,
    /// microseconds or nanoseconds as a number, or as a string of 13, 16 or 19 digits).
    pub fn time_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.time = owned(keys);
        self
    }

    /// Keys that may hold the level (a level name, or pino's numbers 10..60).
    pub fn level_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.level = owned(keys);
        self
    }

    /// Keys that may hold the message.
    pub fn message_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.message = owned(keys);
        self
    }

    /// Keys that may hold an HTTP status (number or numeric string).
    pub fn status_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.status = owned(keys);
        self
    }

    /// Keys that may hold a request path (a query after `?` is split off).
    pub fn path_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.path = owned(keys);
        self
    }

    /// Keys that may hold the client address (a string).
    pub fn client_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.client = owned(keys);
        self
    }

    /// Keys that may hold the HTTP method (a string).
    pub fn method_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.method = owned(keys);
        self
    }

    /// Keys that may hold the body bytes sent (number or numeric string).
    pub fn bytes_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.bytes = owned(keys);
        self
    }

    /// Keys that may hold the request time (number or numeric string, fraction
    /// allowed): in seconds, as nginx's `$request_time`, unless the key ends in a unit
    /// (`took:ms`, `elapsed:us`, `Duration:ns`; `:s` for seconds; `:go` for a Go
    /// `time.Duration`, whose unit the value says: a fraction is seconds, a whole number
    /// nanoseconds, text as `Duration.String()` writes it, `1.5ms`).
    pub fn request_time_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.request_time = owned(keys);
        self
    }

    /// Keys that may hold the user agent (a string).
    pub fn user_agent_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.user_agent = owned(keys);
        self
    }

    /// Keys that may hold the referrer (a string).
    pub fn referrer_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.referrer = owned(keys);
        self
    }

    /// Keys that may hold an exception: its type, or a stack trace whose first line (or
    /// last, for Python's `Traceback ...`) names it.
    pub fn exception_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.exception = owned(keys);
        self
    }

    /// Keys that may hold the host (a string): the virtual host a request was for, or
    /// the machine that wrote the line.
    pub fn host_keys(mut self, keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.host = owned(keys);
        self
    }

    /// The fields whose keys can be configured, by the names
    /// [`keys_for`](Self::keys_for) takes.
    pub const FIELDS: [&'static str; FIELDS] = [
        "time",
        "level",
        "message",
        "status",
        "path",
        "client",
        "method",
        "bytes",
        "request_time",
        "user_agent",
        "referrer",
        "exception",
        "host",
    ];

    /// Keys for the field named `field` (one of [`FIELDS`](Self::FIELDS)): the same as
    /// the method of that name, for configuration that names fields in text, such as
    /// a command line.
    ///
    /// ```
    /// use logscan_parse::{FormatError, JsonFormatBuilder};
    ///
    /// let format = JsonFormatBuilder::new().keys_for("time", ["t"])?.build()?;
    /// let line: &[u8] = br#"{"t":"2025-03-14T06:25:00Z","msg":"up"}"#;
    /// assert_eq!(format.parse(line)?.timestamp().map(|t| t.unix_seconds()), Some(1_741_933_500));
    /// assert!(matches!(
    ///     JsonFormatBuilder::new().keys_for("colour", ["c"]),
    ///     Err(FormatError::UnknownJsonField(_))
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn keys_for(
        self,
        field: &str,
        keys: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self, FormatError> {
        Ok(match field {
            "time" => self.time_keys(keys),
            "level" => self.level_keys(keys),
            "message" => self.message_keys(keys),
            "status" => self.status_keys(keys),
            "path" => self.path_keys(keys),
            "client" => self.client_keys(keys),
            "method" => self.method_keys(keys),
            "bytes" => self.bytes_keys(keys),
            "request_time" => self.request_time_keys(keys),
            "user_agent" => self.user_agent_keys(keys),
            "referrer" => self.referrer_keys(keys),
            "exception" => self.exception_keys(keys),
            "host" => self.host_keys(keys),
            _ => return Err(FormatError::UnknownJsonField(field.to_owned())),
        })
    }

    /// Checks the configuration and returns the format.
    pub fn build(self) -> Result<crate::LogFormat, FormatError> {
        let k = &self.keys;
        let lists = [
            &k.time,
            &k.level,
            &k.message,
            &k.status,
            &k.path,
            &k.client,
            &k.method,
            &k.bytes,
            &k.request_time,
            &k.user_agent,
            &k.referrer,
            &k.exception,
            &k.host,
        ];
        for (name, list) in Self::FIELDS.into_iter().zip(lists) {
            if list.is_empty() {
                return Err(FormatError::EmptyKeyList(name));
            }
        }
        Ok(crate::LogFormat::from_json(JsonFormat::new(self.keys)))
    }
}

/// The well-known fields, in [`JsonParts`] order.
const FIELDS: usize = 13;

/// A configured key: its bytes, which field it names, its rank in that field's list.
type KnownKey = (Box<[u8]>, u8, u8);

#[derive(Clone, Debug)]
pub(crate) struct JsonFormat {
    /// `json`, or the name of a dialect [`LogFormat::detect`](crate::LogFormat::detect)
    /// picks (`caddy`).
    pub(crate) name: &'static str,
    pub(crate) keys: JsonKeys,
    /// Every configured key by its length: (key, field, rank in its list). A line's
    /// key is compared only with the few configured keys of the same length.
    by_len: Vec<Vec<KnownKey>>,
    /// The configured keys with a dot, which may also name a path into nested objects
    /// (`request.method` in `{"request":{"method":"GET"}}`).
    dotted: Vec<KnownKey>,
    /// The unit of each request-time key, by its rank in the list.
    request_time_units: Vec<TimeUnit>,
}

/// The request time's place in [`JsonParts`] and in the lists of [`JsonFormat::new`].
const REQUEST_TIME: usize = 8;

/// The host's place in [`JsonParts`] and in the lists of [`JsonFormat::new`].
const HOST: usize = 12;

/// Whether `val` is a string that names something: not empty, not `-`.
fn is_named(line: &[u8], val: JsonVal) -> bool {
    val.kind == JsonKind::Str && !matches!(val.span.of(line), b"" | b"-")
}

/// How deep a dotted key may reach into nested objects.
const MAX_NESTING: usize = 4;

impl JsonFormat {
    pub(crate) fn new(keys: JsonKeys) -> JsonFormat {
        let lists: [&[String]; FIELDS] = [
            &keys.time,
            &keys.level,
            &keys.message,
            &keys.status,
            &keys.path,
            &keys.client,
            &keys.method,
            &keys.bytes,
            &keys.request_time,
            &keys.user_agent,
            &keys.referrer,
            &keys.exception,
            &keys.host,
        ];
        let mut by_len: Vec<Vec<KnownKey>> = Vec::new();
        let mut dotted: Vec<KnownKey> = Vec::new();
        for (field, list) in lists.iter().enumerate() {
            // Past 255 keys in one list the rest rank last together; nobody lists that many.
            for (rank, key) in list.iter().enumerate() {
                let key = if field == REQUEST_TIME {
                    TimeUnit::split(key).0
                } else {
                    key
                };
                let key = key.as_bytes();
                if by_len.len() <= key.len() {
                    by_len.resize(key.len() + 1, Vec::new());
                }
                let rank = u8::try_from(rank).unwrap_or(u8::MAX);
                by_len[key.len()].push((key.into(), field as u8, rank));
                if key.contains(&b'.') {
                    dotted.push((key.into(), field as u8, rank));
                }
            }
        }
        let request_time_units = keys
            .request_time
            .iter()
            .map(|k| TimeUnit::split(k).1)
            .collect();
        JsonFormat {
            name: "json",
            keys,
            by_len,
            dotted,
            request_time_units,
        }
    }

    #[inline(never)] // keeps the access-log path of `LogFormat::parse` small
    pub(crate) fn parse(&self, line: &[u8]) -> Result<JsonParts, ParseError> {
        let mut found: [Option<(u8, JsonVal)>; FIELDS] = [None; FIELDS];
        let mut pairs = Pairs::new(line)?;
        for pair in &mut pairs {
            let (key, val) = pair?;
            let key = key.span.of(line);
            let mut take = |field: u8, rank: u8, val: JsonVal| {
                // A virtual-host key without a name (`""`, `"-"`, `null`) must not hide
                // the machine's name further down the host list.
                if usize::from(field) == HOST && !is_named(line, val) {
                    return;
                }
                let slot = &mut found[usize::from(field)];
                if slot.is_none_or(|(best, _)| rank < best) {
                    *slot = Some((rank, val));
                }
            };
            if val.kind == JsonKind::Object {
                for (name, field, rank) in &self.dotted {
                    if let Some(rest) = path_below(name, key)
                        && let Some(v) = find_path(line, val, rest, MAX_NESTING)
                    {
                        take(*field, *rank, v);
                    }
                }
                continue;
            }
            let Some(candidates) = self.by_len.get(key.len()) else {
                continue;
            };
            for (name, field, rank) in candidates {
                if **name == *key {
                    take(*field, *rank, val);
                }
            }
        }
        if let Some((rank, v)) = &mut found[REQUEST_TIME] {
            v.unit = self
                .request_time_units
                .get(usize::from(*rank))
                .copied()
                .unwrap_or_default();
        }
        // In the order of the lists in `new`.
        let [
            time,
            level,
            message,
            status,
            path,
            client,
            method,
            bytes,
            request_time,
            user_agent,
            referrer,
            exception,
            host,
        ] = found.map(|slot| slot.map(|(_, v)| v));
        Ok(JsonParts {
            time,
            level,
            message,
            status,
            path,
            client,
            method,
            bytes,
            request_time,
            user_agent,
            referrer,
            exception,
            host,
        })
    }
}

/// The rest of the dotted key `name` below the object key `key`: `method` for
/// `request.method` below `request`.
fn path_below<'n>(name: &'n [u8], key: &[u8]) -> Option<&'n [u8]> {
    name.strip_prefix(key)?.strip_prefix(b".")
}

/// The value at the dotted `path` inside the object `obj` (its keys as written, dots
/// splitting anywhere a nested object lets them), at most `depth` objects down. An
/// array of strings stands for its first string (Caddy logs each header as one).
fn find_path(line: &[u8], obj: JsonVal, path: &[u8], depth: usize) -> Option<JsonVal> {
    let pairs = Pairs::inside(line, obj.span.start as usize)?;
    for pair in pairs {
        let (key, val) = pair.ok()?;
        let key = key.span.of(line);
        if key == path {
            return match val.kind {
                JsonKind::Array => first_string(line, val),
                _ => Some(val),
            };
        }
        if val.kind == JsonKind::Object
            && depth > 1
            && let Some(rest) = path_below(path, key)
            && let Some(v) = find_path(line, val, rest, depth - 1)
        {
            return Some(v);
        }
    }
    None
}

/// The first element of an array, if it is a string.
fn first_string(line: &[u8], array: JsonVal) -> Option<JsonVal> {
    let i = ws(line, array.span.start as usize + 1);
    (line.get(i) == Some(&b'"'))
        .then(|| scan_string(line, i).ok())
        .flatten()
}

/// The top-level key/value pairs of a JSON object line, in order. Construction checks
/// the opening `{`; iteration reports malformed input as an error item and then stops.
pub(crate) struct Pairs<'a> {
    s: &'a [u8],
    i: usize,
    done: bool,
    /// An object inside the line: its closing `}` ends the pairs, whatever follows.
    nested: bool,
}

fn ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

fn bad(i: usize) -> ParseError {
    ParseError::new(ParseErrorKind::InvalidJson, i)
}

impl<'a> Pairs<'a> {
    pub(crate) fn new(s: &'a [u8]) -> Result<Pairs<'a>, ParseError> {
        let i = ws(s, 0);
        if i >= s.len() {
            return Err(ParseError::new(ParseErrorKind::Empty, 0));
        }
        if s[i] != b'{' {
            return Err(bad(i));
        }
        let mut p = Pairs {
            s,
            i: i + 1,
            done: false,
            nested: false,
        };
        let j = ws(s, p.i);
        if s.get(j) == Some(&b'}') {
            p.finish(j + 1)?;
        }
        Ok(p)
    }

    /// The pairs of the object whose `{` is at `start` in `s` (checked already, as a
    /// value of the line).
    fn inside(s: &'a [u8], start: usize) -> Option<Pairs<'a>> {
        if s.get(start) != Some(&b'{') {
            return None;
        }
        let mut p = Pairs {
            s,
            i: start + 1,
            done: false,
            nested: true,
        };
        if s.get(ws(s, p.i)) == Some(&b'}') {
            p.done = true;
        }
        Some(p)
    }

    /// After the closing `}`: only whitespace may follow the line's object.
    fn finish(&mut self, after: usize) -> Result<(), ParseError> {
        self.done = true;
        if self.nested {
            return Ok(());
        }
        let k = ws(self.s, after);
        if k != self.s.len() {
            return Err(bad(k));
        }
        Ok(())
    }

    fn next_pair(&mut self) -> Result<(JsonVal, JsonVal), ParseError> {
        let s = self.s;
        let i = ws(s, self.i);
        if s.get(i) != Some(&b'"') {
            return Err(bad(i));
        }
        let key = scan_string(s, i)?;
        let i = ws(s, key.span.end as usize + 1);
        if s.get(i) != Some(&b':') {
            return Err(bad(i));
        }
        let i = ws(s, i + 1);
        let (val, end) = scan_value(s, i)?;
        let i = ws(s, end);
        match s.get(i) {
            Some(b',') => self.i = i + 1,
            Some(b'}') => self.finish(i + 1)?,
            _ => return Err(bad(i)),
        }
        Ok((key, val))
    }
}

impl Iterator for Pairs<'_> {
    type Item = Result<(JsonVal, JsonVal), ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.next_pair();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

/// A string starting with the `"` at `i`: its contents' span and whether it holds
/// escapes.
fn scan_string(s: &[u8], i: usize) -> Result<JsonVal, ParseError> {
    let mut k = i + 1;
    let mut escaped = false;
    loop {
        let Some(off) = memchr2(b'"', b'\\', &s[k.min(s.len())..]) else {
            return Err(bad(i));
        };
        let at = k + off;
        if s[at] == b'\\' {
            escaped = true;
            k = at + 2;
            continue;
        }
        return Ok(JsonVal {
            span: Span {
                start: (i + 1) as u32,
                end: at as u32,
            },
            kind: JsonKind::Str,
            escaped,
            unit: TimeUnit::Seconds,
        });
    }
}

/// A value starting at `i`; returns it and the index just past it. Nested objects and
/// arrays are skipped with a depth counter (no recursion, so no stack limit to hit).
fn scan_value(s: &[u8], i: usize) -> Result<(JsonVal, usize), ParseError> {
    let simple = |kind, end: usize| {
        (
            JsonVal {
                span: Span {
                    start: i as u32,
                    end: end as u32,
                },
                kind,
                escaped: false,
                unit: TimeUnit::Seconds,
            },
            end,
        )
    };
    match s.get(i) {
        Some(b'"') => {
            let v = scan_string(s, i)?;
            Ok((v, v.span.end as usize + 1))
        }
        Some(b'{') | Some(b'[') => {
            let kind = if s[i] == b'{' {
                JsonKind::Object
            } else {
                JsonKind::Array
            };
            let mut depth = 0usize;
            let mut k = i;
            while k < s.len() {
                match s[k] {
                    b'"' => {
                        k = scan_string(s, k)?.span.end as usize + 1;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(simple(kind, k + 1));
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            Err(bad(i))
        }
        Some(b't') if s[i..].starts_with(b"true") => Ok(simple(JsonKind::True, i + 4)),
        Some(b'f') if s[i..].starts_with(b"false") => Ok(simple(JsonKind::False, i + 5)),
        Some(b'n') if s[i..].starts_with(b"null") => Ok(simple(JsonKind::Null, i + 4)),
        Some(b'-' | b'0'..=b'9') => {
            let len = s[i..]
                .iter()
                .take_while(|&&b| {
                    b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                })
                .count();
            Ok(simple(JsonKind::Num, i + len))
        }
        _ => Err(bad(i)),
    }
}

/// A string value's bytes: borrowed when it holds no escapes, decoded otherwise.
/// Invalid escapes are kept as written; lone surrogates become U+FFFD.
pub(crate) fn decode<'a>(line: &'a [u8], v: JsonVal) -> Cow<'a, [u8]> {
    let raw = v.span.of(line);
    if !v.escaped {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' || i + 1 >= raw.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let e = raw[i + 1];
        i += 2;
        match e {
            b'"' | b'\\' | b'/' => out.push(e),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'u' => {
                let Some(hi) = hex4(raw, i) else {
                    out.extend_from_slice(b"\\u");
                    continue;
                };
                i += 4;
                let mut cp = u32::from(hi);
                if (0xD800..0xDC00).contains(&hi)
                    && raw.get(i..i + 2) == Some(b"\\u")
                    && let Some(lo) = hex4(raw, i + 2)
                    && (0xDC00..0xE000).contains(&lo)
                {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                    i += 6;
                }
                let ch = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Cow::Owned(out)
}

fn hex4(s: &[u8], i: usize) -> Option<u16> {
    let h = s.get(i..i + 4)?;
    let text = std::str::from_utf8(h).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(text, 16).ok()
}

/// A time value: an RFC 3339 string, or a Unix number whose digit count says the unit
/// (9 to 11 digits: seconds, 12-14: milliseconds, 15-17: microseconds, more:
/// nanoseconds; fewer are no time), written as a number or as a string of digits.
pub(crate) fn time_of(line: &[u8], v: JsonVal) -> Option<Timestamp> {
    match v.kind {
        JsonKind::Str => {
            let text = decode(line, v);
            parse_timestamp(&text).or_else(|| unix_string(&text))
        }
        JsonKind::Num => parse_unix_any_unit(v.span.of(line)),
        _ => None,
    }
}

/// A Unix time in milliseconds, microseconds or nanoseconds written as a string: 13,
/// 16 or 19 whole digits (this century's lengths), so that a date written without
/// separators (`20240101`, `20240101123045`) is not taken for one. Seconds (10
/// digits) are [`parse_timestamp`]'s already.
fn unix_string(text: &[u8]) -> Option<Timestamp> {
    let whole = text.iter().take_while(|b| b.is_ascii_digit()).count();
    matches!(whole, 13 | 16 | 19)
        .then(|| parse_unix_any_unit(text))
        .flatten()
}

/// A level value: a name, or pino's numbers (10 trace .. 60 fatal).
pub(crate) fn level_of(line: &[u8], v: JsonVal) -> Option<Level> {
    match v.kind {
        JsonKind::Str => Level::from_bytes(&decode(line, v)),
        JsonKind::Num => Some(match parse_u64(v.span.of(line))? {
            10 => Level::Trace,
            20 => Level::Debug,
            30 => Level::Info,
            40 => Level::Warn,
            50 => Level::Error,
            60 => Level::Fatal,
            _ => return None,
        }),
        _ => None,
    }
}

/// A status value: a number or a numeric string, 0..=999.
pub(crate) fn status_of(line: &[u8], v: JsonVal) -> Option<u16> {
    match v.kind {
        JsonKind::Str | JsonKind::Num => {
            let n = parse_u64(v.span.of(line))?;
            u16::try_from(n).ok().filter(|&s| s <= 999)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt() -> JsonFormat {
        JsonFormat::new(JsonKeys::default())
    }

    #[test]
    fn access_logs_written_as_json_have_their_access_fields() {
        // nginx `log_format ... escape=json` with the variables' own names, all strings.
        let nginx = br#"{"time_local":"01/May/2024:10:00:00 +0000","remote_addr":"10.0.0.1","request_method":"GET","request_uri":"/a?b=1","status":"200","body_bytes_sent":"512","request_time":"0.012","http_referer":"-","http_user_agent":"curl/8.0 \"x\""}"#;
        let f = crate::LogFormat::json();
        let r = f.parse(nginx).unwrap();
        assert_eq!(r.client(), Some(&b"10.0.0.1"[..]));
        assert_eq!(r.client_ip(), "10.0.0.1".parse().ok());
        assert_eq!(r.timestamp().map(|t| t.unix_seconds()), Some(1_714_557_600));
        assert_eq!(r.method().as_deref(), Some(&b"GET"[..]));
        assert_eq!(r.path().as_deref(), Some(&b"/a"[..]));
        assert_eq!(r.status(), Some(200));
        assert_eq!(r.body_bytes(), Some(512));
        assert_eq!(r.request_time_us(), Some(12_000));
        assert_eq!(r.referrer().as_deref(), None, "- is no value");
        assert_eq!(
            r.user_agent().as_deref(),
            Some(&br#"curl/8.0 "x""#[..]),
            "decoded"
        );

        // Other common names, numbers as numbers; the earlier key of a list wins.
        let app = br#"{"ts":1714557600,"client_ip":"2001:db8::1","ip":"10.9.9.9","method":"POST","path":"/b","status":201,"bytes":7,"request_time":1.5,"user_agent":"","referer":"https://e.x/"}"#;
        let r = f.parse(app).unwrap();
        assert_eq!(r.client(), Some(&b"2001:db8::1"[..]));
        assert_eq!(r.method().as_deref(), Some(&b"POST"[..]));
        assert_eq!(r.body_bytes(), Some(7));
        assert_eq!(r.request_time_us(), Some(1_500_000));
        assert_eq!(
            r.user_agent().as_deref(),
            None,
            "an empty string is no value"
        );
        assert_eq!(r.referrer().as_deref(), Some(&b"https://e.x/"[..]));

        // A line without them has none; a number is no client.
        let r = f
            .parse(br#"{"msg":"hi","remote_addr":5,"bytes":"many"}"#)
            .unwrap();
        assert_eq!((r.client(), r.method(), r.body_bytes()), (None, None, None));
        assert_eq!(
            (
                r.request_time_us(),
                r.user_agent().as_deref(),
                r.referrer().as_deref()
            ),
            (None, None, None)
        );

        // Keys can be renamed.
        let f = crate::LogFormat::json_builder()
            .client_keys(["peer"])
            .user_agent_keys(["agent"])
            .bytes_keys(["len"])
            .request_time_keys(["secs"])
            .method_keys(["verb"])
            .referrer_keys(["from"])
            .build()
            .unwrap();
        let r = f
            .parse(br#"{"peer":"10.0.0.2","agent":"a","len":3,"secs":"0.5","verb":"PUT","from":"r","remote_addr":"10.0.0.1"}"#)
            .unwrap();
        assert_eq!(r.client(), Some(&b"10.0.0.2"[..]));
        assert_eq!(
            (r.user_agent().as_deref(), r.referrer().as_deref()),
            (Some(&b"a"[..]), Some(&b"r"[..]))
        );
        assert_eq!(
            (r.body_bytes(), r.request_time_us()),
            (Some(3), Some(500_000))
        );
        assert_eq!(r.method().as_deref(), Some(&b"PUT"[..]));
        assert!(matches!(
            crate::LogFormat::json_builder()
                .client_keys(Vec::<String>::new())
                .build(),
            Err(FormatError::EmptyKeyList("client"))
        ));
    }

    /// Elastic Common Schema loggers and Serilog's compact JSON need no `--json-key`.
    #[test]
    fn request_times_in_the_unit_their_key_gives() {
        let json = crate::LogFormat::json();
        let us = |line: &[u8]| json.parse(line).unwrap().request_time_us();
        // Traefik's access log: nanoseconds.
        assert_eq!(
            us(br#"{"ClientHost":"10.0.0.1","DownstreamStatus":200,"Duration":1830012,"RequestPath":"/"}"#),
            Some(1_830)
        );
        // ECS: nanoseconds, as a path into nested objects too.
        assert_eq!(
            us(br#"{"event":{"duration":2500000000},"url.path":"/"}"#),
            Some(2_500_000)
        );
        assert_eq!(
            us(br#"{"event.duration":"42000","url.path":"/"}"#),
            Some(42)
        );
        // pino-http (whole) and Fastify (fraction) milliseconds.
        assert_eq!(
            us(br#"{"msg":"request completed","responseTime":12}"#),
            Some(12_000)
        );
        assert_eq!(
            us(br#"{"msg":"request completed","responseTime":3.2513}"#),
            Some(3_251)
        );
        assert_eq!(us(br#"{"responseTime":1.5e1}"#), Some(15_000));
        // nginx's `request_time` (seconds) comes first when a line has both.
        assert_eq!(
            us(br#"{"Duration":5000,"request_time":"0.250"}"#),
            Some(250_000)
        );
        assert_eq!(us(br#"{"Duration":"soon"}"#), None);
        // A bare `duration` is not read by default: its unit depends on the logger
        // (Envoy's whole milliseconds would read as nanoseconds).
        assert_eq!(
            us(br#"{"method":"GET","path":"/","response_code":200,"duration":12}"#),
            None
        );
        // Given as a Go duration: Caddy's seconds, `slog`'s nanoseconds,
        // `Duration.String()`.
        let go = crate::LogFormat::json_builder()
            .request_time_keys(["responseTime:ms", "duration:go"])
            .build()
            .unwrap();
        let go = |line: &[u8]| go.parse(line).unwrap().request_time_us();
        assert_eq!(
            go(br#"{"logger":"http.log.access","duration":0.000828,"status":200}"#),
            Some(828)
        );
        assert_eq!(
            go(br#"{"time":"2024-11-27T09:00:00Z","level":"INFO","msg":"request","duration":1830012}"#),
            Some(1_830)
        );
        assert_eq!(go(br#"{"duration":"2m3.25s"}"#), Some(123_250_000));
        assert_eq!(go(br#"{"duration":"soon"}"#), None);
        assert_eq!(
            go(br#"{"duration":5,"responseTime":7}"#),
            Some(7_000),
            "an earlier key wins"
        );

        // Any key may say its unit; a suffix that is no unit is part of the key.
        let f = crate::LogFormat::json_builder()
            .request_time_keys(["took:ms", "elapsed:us", "a:b", "wall:s"])
            .build()
            .unwrap();
        let us = |line: &[u8]| f.parse(line).unwrap().request_time_us();
        assert_eq!(us(br#"{"took":250}"#), Some(250_000));
        assert_eq!(us(br#"{"elapsed":"1234.9"}"#), Some(1_234));
        assert_eq!(us(br#"{"a:b":2}"#), Some(2_000_000));
        assert_eq!(us(br#"{"wall":0.5}"#), Some(500_000));
        assert_eq!(
            us(br#"{"took:ms":250}"#),
            None,
            "the unit is not part of the key"
        );
        assert_eq!(
            us(br#"{"request_time":1}"#),
            None,
            "the list replaced the defaults"
        );
    }

    #[test]
    fn pino_http_and_fastify_requests_are_access_records() {
        let json = crate::LogFormat::json();
        // pino-http's "request completed", trimmed.
        let line = br#"{"level":30,"time":1714557600123,"req":{"id":1,"method":"GET","url":"/users?id=7","headers":{"host":"localhost:3000","user-agent":"curl/8.4.0","referer":"https://e.x/"},"remoteAddress":"::1","remotePort":51234},"res":{"statusCode":404,"headers":{}},"responseTime":7,"msg":"request completed"}"#;
        let r = json.parse(line).unwrap();
        assert_eq!(r.status(), Some(404));
        assert_eq!(r.method().as_deref(), Some(&b"GET"[..]));
        assert_eq!(r.path().as_deref(), Some(&b"/users"[..]));
        assert_eq!(r.client(), Some(&b"::1"[..]));
        assert_eq!(r.user_agent().as_deref(), Some(&b"curl/8.4.0"[..]));
        assert_eq!(r.referrer().as_deref(), Some(&b"https://e.x/"[..]));
        assert_eq!(r.request_time_us(), Some(7_000));
        assert_eq!(r.timestamp().map(|t| t.unix_seconds()), Some(1_714_557_600));
    }

    #[test]
    fn units_scale_whole_and_fractional_numbers() {
        use TimeUnit::*;
        for (unit, text, want) in [
            (Seconds, &b"1.5"[..], Some(1_500_000)),
            (Millis, b"7", Some(7_000)),
            (Millis, b"0.0019", Some(1)),
            (Micros, b"18446744073709551615", Some(u64::MAX)),
            (Millis, b"18446744073709551615", None),
            (Nanos, b"999", Some(0)),
            (Nanos, b"1e6", Some(1_000)),
            (Nanos, b"2.5e12", Some(2_500_000_000)),
            (Millis, b"1.5e12", Some(1_500_000_000_000_000)),
            (Nanos, b"-2.5e12", None),
            (Nanos, b"1e400", None),
            (Micros, b"", None),
            (Nanos, b"-5", None),
            // A Go duration: the value says its unit.
            (Go, b"0.000828", Some(828)),
            (Go, b"1.5e-3", Some(1_500)),
            (Go, b"1830012", Some(1_830)),
            (Go, b"2", Some(0)),
            (Go, b"1.5ms", Some(1_500)),
            (Go, b"850\xc2\xb5s", Some(850)),
            (Go, b"850\xce\xbcs", Some(850)),
            (Go, b"850us", Some(850)),
            (Go, b"999ns", Some(0)),
            (Go, b"0s", Some(0)),
            (Go, b"2m3.25s", Some(123_250_000)),
            (Go, b"1h0m0.000001s", Some(3_600_000_001)),
            (Go, b".5s", Some(500_000)),
            (Go, b"1.00000000000000000000000009h", Some(3_600_000_000)),
            (Go, b"2562047h47m16.854775807s", Some(9_223_372_036_854_775)),
            (Go, b"999999999999999999999999h", None),
            (Go, b"-1.5ms", None),
            (Go, b"+1s", None),
            (Go, b"1.5", Some(1_500_000)),
            (Go, b"1.5 ms", None),
            (Go, b"1.5d", None),
            (Go, b"ms", None),
            (Go, b"5.s", Some(5_000_000)),
            (Go, b"1s.", None),
            (Go, b"", None),
        ] {
            assert_eq!(unit.micros(text), want, "{unit:?} {text:?}");
        }
    }

    #[test]
    fn ecs_and_serilog_names_are_read_by_default() {
        let f = crate::LogFormat::json();
        let ecs = br#"{"@timestamp":"2024-11-27T09:00:01.000Z","log.level":"error","message":"boom 17","ecs.version":"1.6.0","http.request.method":"GET","url.path":"/y","http.response.status_code":500,"http.response.body.bytes":12,"client.ip":"10.0.0.3","user_agent.original":"curl/8","http.request.referrer":"https://r.example/"}"#;
        let r = f.parse(ecs).unwrap();
        assert_eq!(r.timestamp().map(|t| t.unix_seconds()), Some(1_732_698_001));
        assert_eq!(r.level(), Some(Level::Error));
        assert_eq!(r.message().as_deref(), Some(&b"boom 17"[..]));
        assert_eq!(r.method().as_deref(), Some(&b"GET"[..]));
        assert_eq!(r.path().as_deref(), Some(&b"/y"[..]));
        assert_eq!((r.status(), r.body_bytes()), (Some(500), Some(12)));
        assert_eq!(r.client(), Some(&b"10.0.0.3"[..]));
        assert_eq!(r.user_agent().as_deref(), Some(&b"curl/8"[..]));
        assert_eq!(r.referrer().as_deref(), Some(&b"https://r.example/"[..]));
        // A source address counts when no client one is given.
        let r = f
            .parse(br#"{"message":"x","source.ip":"10.0.0.4"}"#)
            .unwrap();
        assert_eq!(r.client(), Some(&b"10.0.0.4"[..]));

        let serilog = br#"{"@t":"2024-11-27T09:00:02.5Z","@mt":"Request {Path} took {Ms} ms","@l":"Warning","Path":"/z","Ms":1200}"#;
        let r = f.parse(serilog).unwrap();
        assert_eq!(r.timestamp().map(|t| t.unix_seconds()), Some(1_732_698_002));
        assert_eq!(r.level(), Some(Level::Warn));
        assert_eq!(
            r.message().as_deref(),
            Some(&b"Request {Path} took {Ms} ms"[..])
        );
        // Traefik's access log; Docker's json-file lines.
        let traefik = br#"{"ClientHost":"10.0.0.5","RequestMethod":"POST","RequestPath":"/t","DownstreamStatus":502,"DownstreamContentSize":9,"request_User-Agent":"k6","time":"2024-11-27T09:00:00Z"}"#;
        let r = f.parse(traefik).unwrap();
        assert_eq!(r.client(), Some(&b"10.0.0.5"[..]));
        assert_eq!(r.method().as_deref(), Some(&b"POST"[..]));
        assert_eq!(r.path().as_deref(), Some(&b"/t"[..]));
        assert_eq!((r.status(), r.body_bytes()), (Some(502), Some(9)));
        assert_eq!(r.user_agent().as_deref(), Some(&b"k6"[..]));
        let docker =
            br#"{"log":"panic: boom\n","stream":"stderr","time":"2024-11-27T09:00:00.5Z"}"#;
        let r = f.parse(docker).unwrap();
        assert_eq!(r.message().as_deref(), Some(&b"panic: boom\n"[..]));
        // Caddy's access log: the request's fields in a nested object.
        let caddy = br#"{"level":"info","ts":1732700000.25,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"10.0.0.9","client_ip":"10.0.0.8","proto":"HTTP/2.0","method":"GET","host":"x","uri":"/c?q=1","headers":{"User-Agent":["curl/8.5"],"Referer":["https://r/"]}},"bytes_read":0,"duration":0.001,"size":10900,"status":404}"#;
        let r = f.parse(caddy).unwrap();
        assert_eq!(r.client(), Some(&b"10.0.0.8"[..]), "client_ip first");
        assert_eq!(r.method().as_deref(), Some(&b"GET"[..]));
        assert_eq!(r.path().as_deref(), Some(&b"/c"[..]));
        assert_eq!((r.status(), r.body_bytes()), (Some(404), Some(10900)));
        assert_eq!(r.user_agent().as_deref(), Some(&b"curl/8.5"[..]));
        assert_eq!(r.referrer().as_deref(), Some(&b"https://r/"[..]));
        assert_eq!(r.message().as_deref(), Some(&b"handled request"[..]));
        assert_eq!(r.request_time_us(), None, "`duration` needs its unit given");
        // ECS nested, and a key given on the command line as a path.
        let nested = br#"{"@timestamp":"2024-11-27T09:00:01Z","log":{"level":"warn","logger":"a"},"message":"m","http":{"response":{"status_code":503}}}"#;
        let r = f.parse(nested).unwrap();
        assert_eq!((r.level(), r.status()), (Some(Level::Warn), Some(503)));
        let custom = crate::LogFormat::json_builder()
            .status_keys(["resp.code"])
            .build()
            .unwrap();
        let r = custom
            .parse(br#"{"resp":{"code":201,"x":{"y":1}},"status":500}"#)
            .unwrap();
        assert_eq!(r.status(), Some(201));
        // Deeper than four objects: no value, no error.
        let deep = crate::LogFormat::json_builder()
            .status_keys(["a.b.c.d.e", "a.b.c.d.e.f"])
            .build()
            .unwrap();
        let r = deep.parse(br#"{"a":{"b":{"c":{"d":{"e":200}}}}}"#).unwrap();
        assert_eq!(r.status(), Some(200), "four objects down");
        let r = deep
            .parse(br#"{"a":{"b":{"c":{"d":{"e":{"f":200}}}}}}"#)
            .unwrap();
        assert_eq!(r.status(), None, "five");
        // The common names come first.
        let r = f
            .parse(br#"{"@m":"rendered","msg":"plain","log.level":"debug","level":"info"}"#)
            .unwrap();
        assert_eq!(r.message().as_deref(), Some(&b"plain"[..]));
        assert_eq!(r.level(), Some(Level::Info));
    }

    #[test]
    fn finds_keys_and_borrows_plain_strings() {
        let l = br#" {"ts":"2024-05-01T10:00:00.5Z","level":"warn","msg":"disk \"sda\" full","n":{"a":[1,"}"]},"status":503,"path":"/a?b=1"} "#;
        let p = fmt().parse(l).unwrap();
        assert_eq!(
            time_of(l, p.time.unwrap()).unwrap().subsec_nanos(),
            500_000_000
        );
        assert_eq!(level_of(l, p.level.unwrap()), Some(Level::Warn));
        assert_eq!(&*decode(l, p.message.unwrap()), br#"disk "sda" full"#);
        assert!(matches!(
            decode(l, p.path.unwrap()),
            Cow::Borrowed(b"/a?b=1")
        ));
        assert_eq!(status_of(l, p.status.unwrap()), Some(503));
    }

    #[test]
    fn numbers_as_times_and_pino_levels() {
        let l = br#"{"time":1700000000123,"level":50}"#;
        let p = fmt().parse(l).unwrap();
        let t = time_of(l, p.time.unwrap()).unwrap();
        assert_eq!(
            (t.unix_seconds(), t.subsec_nanos()),
            (1_700_000_000, 123_000_000)
        );
        assert_eq!(level_of(l, p.level.unwrap()), Some(Level::Error));
        // The same times as strings of digits, in every unit.
        for (l, nanos) in [
            (&br#"{"ts":"1700000000123"}"#[..], 123_000_000),
            (br#"{"ts":"1700000000123456"}"#, 123_456_000),
            (br#"{"ts":"1700000000123456789"}"#, 123_456_789),
            (br#"{"ts":"1700000000.5"}"#, 500_000_000),
            (br#"{"ts":"1700000000"}"#, 0),
        ] {
            let p = fmt().parse(l).unwrap();
            let t = time_of(l, p.time.unwrap()).unwrap();
            assert_eq!((t.unix_seconds(), t.subsec_nanos()), (1_700_000_000, nanos));
        }
        // Not Unix times: dates without separators, a year, a stray letter, nothing.
        for l in [
            &br#"{"ts":"17000000001x"}"#[..],
            br#"{"ts":""}"#,
            br#"{"ts":"."}"#,
            br#"{"ts":"20240101"}"#,
            br#"{"ts":"20240101123045"}"#,
            br#"{"ts":"2024"}"#,
            br#"{"ts":"1700000000123x"}"#,
            br#"{"ts":20240101}"#,
            br#"{"ts":0}"#,
        ] {
            let p = fmt().parse(l).unwrap();
            assert_eq!(
                time_of(l, p.time.unwrap()),
                None,
                "{}",
                String::from_utf8_lossy(l)
            );
        }
    }

    #[test]
    fn texts_are_decoded_and_borrowed_unless_escaped() {
        let f = crate::LogFormat::json();
        let r = f
            .parse(br#"{"host":"a\u002eexample","http_referer":"https:\/\/r\/","http_user_agent":"k6"}"#)
            .unwrap();
        assert_eq!(r.host().as_deref(), Some(&b"a.example"[..]));
        assert_eq!(r.referrer().as_deref(), Some(&b"https://r/"[..]));
        assert!(matches!(r.user_agent(), Some(Cow::Borrowed(b"k6"))));
        // Decoded to nothing but a dash is still no value.
        let r = f.parse(br#"{"http_referer":"\u002d","msg":"m"}"#).unwrap();
        assert_eq!(r.referrer(), None);
    }

    #[test]
    fn hosts_are_the_virtual_host_first_then_the_machine() {
        let f = crate::LogFormat::json();
        let host = |line: &[u8]| f.parse(line).unwrap().host().map(|h| h.to_vec());
        // pino-http: the request's Host header wins over the machine's name.
        assert_eq!(
            host(br#"{"hostname":"box-1","req":{"headers":{"host":"shop.example:3000"}},"res":{"statusCode":200}}"#),
            Some(b"shop.example:3000".to_vec())
        );
        assert_eq!(
            host(br#"{"hostname":"box-1","msg":"up"}"#),
            Some(b"box-1".to_vec())
        );
        assert_eq!(
            host(br#"{"RequestHost":"traefik.example","DownstreamStatus":200}"#),
            Some(b"traefik.example".to_vec())
        );
        assert_eq!(
            host(br#"{"request":{"host":"caddy.example","uri":"/"},"status":200}"#),
            Some(b"caddy.example".to_vec())
        );
        assert_eq!(
            host(br#"{"host":{"name":"ecs-box"},"msg":"x"}"#),
            Some(b"ecs-box".to_vec())
        );
        // Not a string, `-` or empty: no host, and the machine's name is not hidden.
        for line in [&br#"{"host":7}"#[..], br#"{"host":"-"}"#, br#"{"host":""}"#] {
            assert_eq!(host(line), None, "{}", String::from_utf8_lossy(line));
        }
        for line in [
            &br#"{"http_host":"","hostname":"box-1"}"#[..],
            br#"{"host":null,"hostname":"box-1"}"#,
            br#"{"hostname":"box-1","host":"-"}"#,
            br#"{"req":{"headers":{"host":""}},"hostname":"box-1"}"#,
        ] {
            assert_eq!(
                host(line),
                Some(b"box-1".to_vec()),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let f = crate::LogFormat::json_builder()
            .host_keys(["site"])
            .build()
            .unwrap();
        assert_eq!(
            f.parse(br#"{"host":"a","site":"b"}"#)
                .unwrap()
                .host()
                .as_deref(),
            Some(&b"b"[..])
        );
    }

    #[test]
    fn unicode_escapes() {
        let l = br#"{"msg":"caf\u00e9 \ud83d\ude00 \ud800 \/"}"#;
        let p = fmt().parse(l).unwrap();
        assert_eq!(
            String::from_utf8(decode(l, p.message.unwrap()).into_owned()).unwrap(),
            "café 😀 \u{FFFD} /"
        );
    }

    #[test]
    fn malformed() {
        for l in [
            &br#"{"a":1"#[..],
            br#"{"a" 1}"#,
            br#"["a"]"#,
            br#"{"a":1} x"#,
            br#"{"a":tru}"#,
            br#"{"a":"x}"#,
            b"{",
        ] {
            assert_eq!(
                fmt().parse(l).unwrap_err().kind,
                ParseErrorKind::InvalidJson,
                "{:?}",
                String::from_utf8_lossy(l)
            );
        }
        assert!(fmt().parse(b"{}").is_ok());
    }
}
