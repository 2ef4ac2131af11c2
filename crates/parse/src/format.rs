//! `LogFormat`: what a line looks like, compiled once and shared by reference or by
//! a cheap clone.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use crate::app::{AppFormat, YearRule};
use crate::error::{FormatError, ParseError, ParseErrorKind};
use crate::json::{JsonFormat, JsonFormatBuilder};
use crate::nginx::NginxFormat;
use crate::record::{Body, Record};
use crate::strftime::{TimeLayout, TimeParts};

/// nginx's predefined `combined` format, with Apache's `%l` (remote logname) as a
/// variable where nginx writes a literal `-`, so Apache logs with identd names parse too.
const COMBINED: &str = r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
const COMMON: &str = r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent"#;
/// Apache's `vhost_combined` (`%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`).
const VHOST_COMBINED: &str = r#"$server_name:$server_port $remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
const COMBINED_XFF: &str = r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#;
/// Combined plus `$request_time`: the `log_format` people add first when they care about
/// latency, and the shape `cargo xtask gen` writes.
const COMBINED_TIMED: &str = r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time"#;
const COMBINED_EXTRAS: &str = r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time $upstream_response_time"#;
/// Kubernetes ingress-nginx's default `log-format-upstream`: combined, then the request
/// length before the request time (which `combined_timed` would take for the time),
/// then the upstream's name and figures and the request id.
const INGRESS_NGINX: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id"#;

/// HAProxy's HTTP log (`option httplog`: `%ci:%cp [%tr] %ft %b/%s
/// %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs
/// %{+Q}r`), as `log stdout format raw` writes it. The header captures (`{...} {...}`,
/// if any) are one value; `%B` is all bytes sent, headers included.
const HAPROXY: &str = r#"$remote_addr_port [$accept_date.$accept_ms] $frontend_name $backend_name/$backend_server $time_request/$time_queue/$time_connect/$time_response/$request_time_ms $status $bytes_sent $captured_request_cookie $captured_response_cookie $termination_state $actconn/$feconn/$beconn/$srv_conn/$retries $srv_queue/$backend_queue $captured_headers"$request""#;
/// The same after a syslog header (`Feb 25 16:19:38 lb1 haproxy[7]: `).
const HAPROXY_SYSLOG: &str = r#"$syslog_head haproxy[$pid]: $remote_addr_port [$accept_date.$accept_ms] $frontend_name $backend_name/$backend_server $time_request/$time_queue/$time_connect/$time_response/$request_time_ms $status $bytes_sent $captured_request_cookie $captured_response_cookie $termination_state $actconn/$feconn/$beconn/$srv_conn/$retries $srv_queue/$backend_queue $captured_headers"$request""#;

/// The names [`LogFormat::from_str`] accepts.
pub const PRESET_NAMES: [&str; 12] = [
    "combined",
    "common",
    "vhost_combined",
    "combined_xff",
    "combined_timed",
    "combined_extras",
    "ingress_nginx",
    "haproxy",
    "haproxy_syslog",
    "app",
    "json",
    "caddy",
];

/// The family of a [`LogFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatKind {
    /// An access log described by an nginx `log_format` (presets included).
    Access,
    /// An application log.
    App,
    /// JSON lines.
    Json,
}

/// A field of a record that a condition or a report may ask for: see
/// [`LogFormat::may_have`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// [`Record::timestamp`](crate::Record::timestamp).
    Time,
    /// [`Record::status`](crate::Record::status).
    Status,
    /// [`Record::client`](crate::Record::client).
    Client,
    /// [`Record::host`](crate::Record::host).
    Host,
    /// [`Record::method`](crate::Record::method).
    Method,
    /// [`Record::path`](crate::Record::path).
    Path,
    /// [`Record::request_time_us`](crate::Record::request_time_us).
    ServedTime,
    /// [`Record::level`](crate::Record::level).
    Level,
}

enum Inner {
    Access {
        name: &'static str,
        nginx: NginxFormat,
    },
    App(AppFormat),
    Json(JsonFormat),
}

/// What a line looks like: an access-log format (a preset or any nginx `log_format`),
/// an application log, or JSON lines. Compiled once; `Clone` shares the compiled form
/// (an `Arc`), and it is `Send + Sync`, so threads can each hold a clone or share a
/// reference.
///
/// | constructor | name |
/// |---|---|
/// | [`combined`](LogFormat::combined) | nginx/Apache combined |
/// | [`common`](LogFormat::common) | Common Log Format |
/// | [`vhost_combined`](LogFormat::vhost_combined) | Apache's `vhost:port` + combined |
/// | [`combined_xff`](LogFormat::combined_xff) | combined + `"$http_x_forwarded_for"` |
/// | [`combined_timed`](LogFormat::combined_timed) | combined + `$request_time` |
/// | [`combined_extras`](LogFormat::combined_extras) | combined + XFF + `$request_time $upstream_response_time` |
/// | [`ingress_nginx`](LogFormat::ingress_nginx) | Kubernetes ingress-nginx's default |
/// | [`haproxy`](LogFormat::haproxy) / [`haproxy_syslog`](LogFormat::haproxy_syslog) | HAProxy's HTTP log, raw or after a syslog header |
/// | [`from_nginx`](LogFormat::from_nginx) | any `log_format` directive |
/// | [`from_apache`](LogFormat::from_apache) | any Apache `LogFormat` |
/// | [`app`](LogFormat::app) / [`app_builder`](LogFormat::app_builder) | application logs |
/// | [`json`](LogFormat::json) / [`json_builder`](LogFormat::json_builder) | JSON lines |
/// | [`json_caddy`](LogFormat::json_caddy) | Caddy's access log (JSON lines, `duration` in seconds) |
#[derive(Clone)]
pub struct LogFormat {
    inner: Arc<Inner>,
}

impl LogFormat {
    /// A preset, compiled once per process and shared after that: detection tries
    /// every preset on every input, and with thousands of small files compiling them
    /// again each time would cost more than reading the files.
    fn preset(cell: &'static OnceLock<LogFormat>, name: &'static str, format: &str) -> LogFormat {
        LogFormat::preset_then(cell, name, format, |_| Ok(()))
    }

    /// A preset compiled, then finished by `finish` (the HAProxy presets' accept date).
    fn preset_then(
        cell: &'static OnceLock<LogFormat>,
        name: &'static str,
        format: &str,
        finish: fn(&mut NginxFormat) -> Result<(), FormatError>,
    ) -> LogFormat {
        let compile = || {
            let mut nginx = NginxFormat::compile(format)?;
            finish(&mut nginx)?;
            Ok::<_, FormatError>(nginx)
        };
        cell.get_or_init(|| match compile() {
            Ok(nginx) => LogFormat {
                inner: Arc::new(Inner::Access { name, nginx }),
            },
            // The preset strings are constants covered by tests; reaching this is a
            // bug in this crate, not in anything a user supplied.
            Err(e) => unreachable!("preset {name} does not compile: {e}"),
        })
        .clone()
    }

    /// nginx's and Apache's `combined`: `$remote_addr $remote_logname $remote_user
    /// [$time_local] "$request" $status $body_bytes_sent "$http_referer"
    /// "$http_user_agent"`, where nginx writes `-` for `$remote_logname`.
    pub fn combined() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset(&COMPILED, "combined", COMBINED)
    }

    /// The Common Log Format: combined without referrer and user agent.
    pub fn common() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset(&COMPILED, "common", COMMON)
    }

    /// Apache's `vhost_combined`: `vhost:port` then combined.
    pub fn vhost_combined() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset(&COMPILED, "vhost_combined", VHOST_COMBINED)
    }

    /// Combined followed by a quoted `$http_x_forwarded_for`.
    pub fn combined_xff() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset(&COMPILED, "combined_xff", COMBINED_XFF)
    }

    /// Combined followed by `$request_time` (seconds with a millisecond fraction).
    pub fn combined_timed() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset(&COMPILED, "combined_timed", COMBINED_TIMED)
    }

    /// Combined with the usual extras: `"$http_x_forwarded_for" $request_time
    /// $upstream_response_time`.
    pub fn combined_extras() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset(&COMPILED, "combined_extras", COMBINED_EXTRAS)
    }

    /// Kubernetes ingress-nginx's default `log-format-upstream`: combined, then
    /// `$request_length $request_time [$proxy_upstream_name]
    /// [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
    /// $upstream_response_time $upstream_status $req_id`.
    pub fn ingress_nginx() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset(&COMPILED, "ingress_nginx", INGRESS_NGINX)
    }

    /// HAProxy's HTTP log (`option httplog`), as `log stdout format raw` writes it:
    /// `$remote_addr_port [$accept_date.$accept_ms] $frontend_name
    /// $backend_name/$backend_server $time_request/$time_queue/$time_connect/$time_response/$request_time_ms
    /// $status $bytes_sent $captured_request_cookie $captured_response_cookie
    /// $termination_state $actconn/$feconn/$beconn/$srv_conn/$retries
    /// $srv_queue/$backend_queue $captured_headers"$request"`. The client is written
    /// with its port and read without it (IPv6 too); the accept date with its
    /// milliseconds is the time, read as UTC (HAProxy writes local time without a zone);
    /// `%Ta` (the request's active time; `%Tt`, the total, before HAProxy 1.7) is the
    /// request time; `%B` is all bytes sent, headers included (`$bytes_sent`, not the
    /// summary's body bytes). A status of `-1` (an aborted request) and `option
    /// logasap`'s `+` before times and bytes read as none. The client must be the
    /// line's first text: anything before it (an RFC 5424 header) makes the line
    /// malformed.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    ///
    /// let f = LogFormat::haproxy();
    /// let r = f.parse(br#"2001:db8::7:53332 [25/Feb/2019:16:19:48.143] http_in~ bk_app/srv1 0/0/7/1457/1487 200 11394 - - ---- 2/1/0/0/0 0/0 {Mozilla/5.0} {} "GET /admin?survey=130 HTTP/1.1""#)?;
    /// assert_eq!(r.client(), Some(&b"2001:db8::7"[..]));
    /// assert_eq!((r.status(), r.request_time_us()), (Some(200), Some(1_487_000)));
    /// assert_eq!(r.path().as_deref(), Some(&b"/admin"[..]));
    /// assert_eq!(r.timestamp().unwrap().to_string(), "2019-02-25T16:19:48.143");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn haproxy() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset_then(&COMPILED, "haproxy", HAPROXY, LogFormat::haproxy_time)
    }

    /// [`haproxy`](Self::haproxy) after a syslog header that ends in `haproxy[pid]: `
    /// (`Feb 25 16:19:38 lb1 haproxy[7]: `, as rsyslog writes HAProxy's log to a file).
    pub fn haproxy_syslog() -> LogFormat {
        static COMPILED: OnceLock<LogFormat> = OnceLock::new();
        LogFormat::preset_then(
            &COMPILED,
            "haproxy_syslog",
            HAPROXY_SYSLOG,
            LogFormat::haproxy_time,
        )
    }

    /// The HAProxy presets' accept date, read with its layout and milliseconds.
    fn haproxy_time(nginx: &mut NginxFormat) -> Result<(), FormatError> {
        let index = |var: &str| nginx.index_of(var).ok_or(FormatError::Empty);
        let parts = TimeParts {
            index: index("accept_date")?,
            layout: TimeLayout::compile("%d/%b/%Y:%H:%M:%S").ok_or(FormatError::Empty)?,
            fraction: Some((index("accept_ms")?, 3)),
            zone: None,
        };
        nginx.set_time_layout(parts);
        Ok(())
    }

    /// Compiles an nginx `log_format`, pasted as it stands in a config
    /// (`log_format main '...' '...';`, with `escape=` allowed), as its single-quoted
    /// pieces alone (`'...' '...'`), or as a bare format string (any other text,
    /// including one that starts with a double quote).
    ///
    /// Known variables get typed accessors on [`Record`]; any other `$name` (or
    /// `${name}`) is kept by name ([`Record::var`]). Errors name the problem and its
    /// column: two variables with no separator, an unbalanced quote, a lone `$`.
    pub fn from_nginx(directive: &str) -> Result<LogFormat, FormatError> {
        let nginx = NginxFormat::compile(directive)?;
        Ok(LogFormat {
            inner: Arc::new(Inner::Access {
                name: "nginx",
                nginx,
            }),
        })
    }

    /// Compiles an Apache `LogFormat` (mod_log_config): a `LogFormat "..." nickname`
    /// line as it stands in a config, a `CustomLog path "..."` line, or the format
    /// string alone. Backslash escapes are Apache's (`\"`, `\\`, `\t`, `\n`, `\r`; a
    /// backslash before anything else stays).
    ///
    /// Each directive reads as the nginx variable for the same value (`%h` is
    /// `$remote_addr`, `%{User-Agent}i` is `$http_user_agent`, `%>s` is `$status`,
    /// `%t` is `[$time_local]`), so Apache's `combined` is the `combined` preset.
    /// Request times keep their unit: `%D` (microseconds, `$request_time_us`),
    /// `%{ms}T` (`$request_time_ms`) and `%T` (seconds) all give
    /// [`Record::request_time_us`] (`%T` beside a finer one is kept as
    /// `$request_time_s`). `%{begin}t` and `%{end}t` are `%t`; `%{sec}t`, `%{msec}t` and
    /// `%{usec}t` are a timestamp (`$time_epoch`), as is `%{%d/%b/%Y:%H:%M:%S %z}t`. Any
    /// other strftime layout that names an instant (a year, month, day, hour and
    /// minute, or `%s`: `%{%Y-%m-%d %T}t`, `%{%c}t`) is `$time`, read as the record's
    /// time in that layout (names in English, as the C locale writes them; no `%z` is
    /// UTC); other layouts (a date alone, `%{msec_frac}t`) are `$time` as text. Such a
    /// time ends where its layout says, also when its names vary in width (`%A`, `%B`)
    /// and it holds the literal after it; a time that does not read in its layout (a
    /// month in another language) ends at that literal's first occurrence.
    /// `%U%q` is the path with its query (`$request_uri`). Status conditions
    /// (`%!200,304{Referer}i`) and `<`/`>` are accepted and change nothing: a value
    /// Apache left out is `-`.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    ///
    /// let f = LogFormat::from_apache(
    ///     r#"LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D" timed"#,
    /// )?;
    /// let r = f.parse(br#"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 512 "-" "curl/8.0" 2071"#)?;
    /// assert_eq!(r.request_time_us(), Some(2_071));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Errors give the column in `text`: an unknown directive, two directives with
    /// nothing between them, an unbalanced quote.
    pub fn from_apache(text: &str) -> Result<LogFormat, FormatError> {
        let nginx = crate::apache::compile(text)?;
        Ok(LogFormat {
            inner: Arc::new(Inner::Access {
                name: "apache",
                nginx,
            }),
        })
    }

    /// Application logs, with syslog's missing year taken as the current year.
    pub fn app() -> LogFormat {
        LogFormat::app_builder().build()
    }

    /// Configures application logs.
    pub fn app_builder() -> AppFormatBuilder {
        AppFormatBuilder {
            year: None,
            read_at: None,
        }
    }

    /// JSON lines with the default keys (see [`JsonFormatBuilder::new`]).
    pub fn json() -> LogFormat {
        // Made once, like the presets: detection asks for it on every input.
        static DEFAULT: OnceLock<LogFormat> = OnceLock::new();
        DEFAULT
            .get_or_init(|| LogFormat::from_json(JsonFormat::new(crate::json::JsonKeys::default())))
            .clone()
    }

    /// JSON lines as Caddy's access log writes them by default: [`json`](Self::json)
    /// with Caddy's `duration` (seconds, as a fraction) read as the request time.
    /// [`detect`](Self::detect) picks it for Caddy's log (a `logger` of
    /// `http.log.access`, every `duration` a fraction; or, before any request, the
    /// startup lines of Caddy's other modules); a bare `duration` is not read
    /// otherwise, as other loggers write it in other units.
    pub fn json_caddy() -> LogFormat {
        static CADDY: OnceLock<LogFormat> = OnceLock::new();
        CADDY
            .get_or_init(|| {
                let mut keys = crate::json::JsonKeys::default();
                keys.request_time.push("duration".to_owned());
                let mut caddy = JsonFormat::new(keys);
                caddy.name = "caddy";
                LogFormat::from_json(caddy)
            })
            .clone()
    }

    /// Configures JSON lines.
    pub fn json_builder() -> JsonFormatBuilder {
        JsonFormatBuilder::new()
    }

    pub(crate) fn from_json(json: JsonFormat) -> LogFormat {
        LogFormat {
            inner: Arc::new(Inner::Json(json)),
        }
    }

    /// The format's name: a preset name, `nginx` for a compiled `log_format`, `apache`
    /// for a compiled `LogFormat`, `app`, or `json`.
    pub fn name(&self) -> &str {
        match &*self.inner {
            Inner::Access { name, .. } => name,
            Inner::App(_) => "app",
            Inner::Json(json) => json.name,
        }
    }

    /// The same format with `year` for every timestamp that carries none (syslog,
    /// klog; see [`AppFormatBuilder::assumed_year`]): a different format for
    /// application logs, this one for the others, which always read a year.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    ///
    /// let app = LogFormat::app().with_assumed_year(2019);
    /// let t = app.parse(b"Dec 10 06:55:46 host sshd[1]: x").unwrap().timestamp().unwrap();
    /// assert!(t.to_string().starts_with("2019-12-10"));
    /// ```
    pub fn with_assumed_year(self, year: i32) -> LogFormat {
        match &*self.inner {
            Inner::App(_) => LogFormat::app_builder().assumed_year(year).build(),
            _ => self,
        }
    }

    /// The family of the format.
    pub fn kind(&self) -> FormatKind {
        match &*self.inner {
            Inner::Access { .. } => FormatKind::Access,
            Inner::App(_) => FormatKind::App,
            Inner::Json(_) => FormatKind::Json,
        }
    }

    /// Whether records of this format can have `field` at all. `false` only when the
    /// format rules it out: an access format without any variable the accessor reads
    /// (no `$request_time`, `$request_time_us` or `$request_time_ms` for the served
    /// time; no `$host`, `$http_host` or `$server_name` for the host), an access log's level, an
    /// application log's request fields. JSON lines may have any key: always `true`.
    ///
    /// ```
    /// use logscan_parse::{FieldKind, LogFormat};
    ///
    /// assert!(!LogFormat::combined().may_have(FieldKind::ServedTime));
    /// assert!(LogFormat::combined_timed().may_have(FieldKind::ServedTime));
    /// assert!(!LogFormat::app().may_have(FieldKind::Status));
    /// assert!(LogFormat::json().may_have(FieldKind::Status));
    /// ```
    pub fn may_have(&self, field: FieldKind) -> bool {
        use crate::nginx::Var;
        let nginx = match &*self.inner {
            Inner::Json(_) => return true,
            Inner::App(_) => {
                return matches!(field, FieldKind::Time | FieldKind::Level | FieldKind::Host);
            }
            Inner::Access { nginx, .. } => nginx,
        };
        let has = |vars: &[Var]| nginx.known.iter().flatten().any(|v| vars.contains(v));
        match field {
            FieldKind::Time => {
                has(&[Var::TimeLocal, Var::TimeIso8601, Var::Msec])
                    || nginx.layout_time_index().is_some()
            }
            FieldKind::Status => has(&[Var::Status]),
            FieldKind::Client => has(&[Var::RemoteAddr, Var::RemoteAddrPort]),
            FieldKind::Host => has(&[Var::Host, Var::ServerName]),
            FieldKind::Method => has(&[Var::Request, Var::RequestMethod]),
            FieldKind::Path => has(&[Var::Request, Var::Uri, Var::RequestUri]),
            FieldKind::ServedTime => has(&[
                Var::RequestTime,
                Var::RequestTimeMicros,
                Var::RequestTimeMillis,
            ]),
            FieldKind::Level => false,
        }
    }

    /// For an access format, the nginx format string it was compiled from (quotes of
    /// the directive joined and removed); [`from_nginx`](LogFormat::from_nginx) of it
    /// gives the same format, but for an Apache `%{layout}t` time: nginx has no
    /// strftime layouts, so its `$time` is text there.
    pub fn nginx_format(&self) -> Option<&str> {
        match &*self.inner {
            Inner::Access { nginx, .. } => Some(&nginx.source),
            _ => None,
        }
    }

    /// For an access format, its variable names in order (without `$`).
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        let names: &[Box<str>] = match &*self.inner {
            Inner::Access { nginx, .. } => &nginx.names,
            _ => &[],
        };
        names.iter().map(|n| &**n)
    }

    /// For an access format, writes a line with the given variable values (a value
    /// missing from `value_of` is written as `-`). Parsing the result gives the values
    /// back, as long as each value does not contain the separator that follows it.
    /// Returns `None` for application and JSON formats.
    pub fn format_line<'v>(
        &self,
        mut value_of: impl FnMut(&str) -> Option<&'v [u8]>,
    ) -> Option<Vec<u8>> {
        let Inner::Access { nginx, .. } = &*self.inner else {
            return None;
        };
        let (prefix, steps) = nginx.layout();
        let mut out = prefix.to_vec();
        for (name, after) in steps {
            out.extend_from_slice(value_of(name).unwrap_or(b"-"));
            out.extend_from_slice(after);
        }
        Some(out)
    }

    /// Parses one line (a trailing `\n` or `\r\n` is ignored). The record borrows the
    /// line and this format. Access and application lines are parsed without touching
    /// the heap.
    #[inline]
    pub fn parse<'a>(&'a self, line: &'a [u8]) -> Result<Record<'a>, ParseError> {
        match &*self.inner {
            Inner::Access { nginx, .. } => parse_access(nginx, line),
            _ => self.parse_other(line),
        }
    }

    /// [`parse`](Self::parse), with the result handed to `f` by reference instead of
    /// returned. For the hot loops that parse a line and then read its record: a
    /// record is about 150 bytes, filled by narrow stores as the line is matched, and
    /// returning it means copying it whole right after those stores, with loads wide
    /// enough to wait for every one of them. Here the record is read where it was
    /// filled.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    ///
    /// let format = LogFormat::combined();
    /// let line = br#"10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "curl""#;
    /// let status = format.parse_then(line, |record| record.ok().and_then(|r| r.status()));
    /// assert_eq!(status, Some(200));
    /// ```
    #[inline(always)]
    pub fn parse_then<'a, R>(
        &'a self,
        line: &'a [u8],
        f: impl FnOnce(Result<&Record<'a>, ParseError>) -> R,
    ) -> R {
        match &*self.inner {
            Inner::Access { nginx, .. } => parse_access_then(nginx, line, f),
            _ => match self.parse_other(line) {
                Ok(record) => f(Ok(&record)),
                Err(error) => f(Err(error)),
            },
        }
    }

    /// [`parse`](Self::parse) for application logs and JSON lines, out of line so that
    /// the access path inlined into callers stays small.
    #[inline(never)]
    fn parse_other<'a>(&'a self, line: &'a [u8]) -> Result<Record<'a>, ParseError> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > u32::MAX as usize {
            return Err(ParseError::new(ParseErrorKind::TooLong, 0));
        }
        let body = match &*self.inner {
            Inner::Access { nginx, .. } => return parse_access(nginx, line),
            Inner::App(app) => Body::App(app.parse(line)?),
            Inner::Json(json) => Body::Json(json.parse(line)?),
        };
        Ok(Record::new(line, body))
    }

    /// Whether this format fits `lines` perfectly: every non-blank line parses, and
    /// for an access format every client is an IP address, the last field has the
    /// shape of its variable (a number for `$request_time`), and nothing is left after
    /// it. A format that fits perfectly is what [`detect`](Self::detect)
    /// would choose for these lines, so a caller reading many files of one log can
    /// keep the format it detected while it fits, and detect again when it does not.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    ///
    /// let line: &[u8] = b"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 2326";
    /// assert!(LogFormat::common().fits(&[line]));
    /// // combined needs the referrer and user agent too.
    /// assert!(!LogFormat::combined().fits(&[line]));
    /// ```
    pub fn fits(&self, lines: &[&[u8]]) -> bool {
        let access = matches!(&*self.inner, Inner::Access { .. });
        let mut any = false;
        for line in lines.iter().map(|l| l.trim_ascii_end()) {
            if line.is_empty() {
                continue;
            }
            any = true;
            match self.parse(line) {
                Ok(r)
                    if !access
                        || (r.client_ip().is_some()
                            && r.trailing().is_empty()
                            && r.last_value_fits()) => {}
                _ => return false,
            }
        }
        // JSON lines fit any JSON format; the dialect must be the one detection picks.
        if let Inner::Json(json) = &*self.inner {
            let lines: Vec<&[u8]> = lines.iter().map(|l| l.trim_ascii_end()).collect();
            if is_caddy_access_log(&LogFormat::json(), &lines) != (json.name == "caddy") {
                return false;
            }
        }
        any
    }

    /// Guesses the format from the first lines of a log: JSON if most lines are JSON
    /// objects; else the access preset that matches the most lines (ties go to the one
    /// with more clients that are IP addresses, then to the one leaving the least
    /// unparsed trailing text, then to the more specific); else
    /// application logs if most lines have a timestamp or level or go on from such a
    /// line (a stack trace: [`ParseErrorKind::Continuation`]). An access line
    /// counts for a preset only if its last field has the shape of its variable too.
    /// Blank lines are ignored. `None` if nothing fits at least half of the lines.
    pub fn detect(first_lines: &[&[u8]]) -> Option<LogFormat> {
        let lines: Vec<&[u8]> = first_lines
            .iter()
            .map(|l| l.trim_ascii_end())
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            return None;
        }
        let half = lines.len().div_ceil(2);
        let count = |f: &LogFormat| lines.iter().filter(|l| f.parse(l).is_ok()).count();
        let json = LogFormat::json();
        if count(&json) >= half {
            if is_caddy_access_log(&json, &lines) {
                return Some(LogFormat::json_caddy());
            }
            return Some(json);
        }
        // Score: lines matched, then lines whose client is an IP address (a format
        // shifted by one field still "matches" `localhost:443 1.2.3.4 - -` with the
        // vhost as client), then the least unparsed trailing text.
        let mut best: Option<(usize, usize, usize, LogFormat)> = None;
        for f in [
            LogFormat::haproxy_syslog(),
            LogFormat::haproxy(),
            LogFormat::ingress_nginx(),
            LogFormat::combined_extras(),
            LogFormat::vhost_combined(),
            LogFormat::combined_xff(),
            LogFormat::combined_timed(),
            LogFormat::combined(),
            LogFormat::common(),
        ] {
            let mut matched = 0;
            let mut with_ip = 0;
            let mut trailing = 0;
            // Most of the cost of detection is here, so stop as soon as this format
            // can no longer match half the lines or beat the best so far (ties go to
            // the earlier format): the outcome is the same as scoring every line.
            let needed = best.as_ref().map_or(0, |b| b.0).max(half);
            for (i, l) in lines.iter().enumerate() {
                // A line counts for a format only if its last value has the shape of
                // its variable too (`example.com` is no `$request_time`).
                if let Ok(r) = f.parse(l)
                    && r.last_value_fits()
                {
                    matched += 1;
                    with_ip += usize::from(r.client_ip().is_some());
                    trailing += r.trailing().len();
                }
                if matched + (lines.len() - i - 1) < needed {
                    break;
                }
            }
            let better = match &best {
                None => true,
                Some((m, ip, t, _)) => {
                    (matched, with_ip) > (*m, *ip)
                        || ((matched, with_ip) == (*m, *ip) && trailing < *t)
                }
            };
            if better {
                best = Some((matched, with_ip, trailing, f));
            }
            if best
                .as_ref()
                .is_some_and(|&(m, ip, t, _)| m == lines.len() && ip == m && t == 0)
            {
                // Every line matched, with a client address and nothing left over:
                // no later format can score higher.
                break;
            }
        }
        if let Some((matched, _, _, f)) = best
            && matched >= half
        {
            return Some(f);
        }
        // Application logs: the lines of a stack trace go on from a record, so they
        // count for the format, as long as some line is a record of its own.
        let app = LogFormat::app();
        let (mut records, mut continued) = (0, 0);
        for l in &lines {
            match app.parse(l) {
                Ok(_) => records += 1,
                Err(e) if e.kind == ParseErrorKind::Continuation => continued += 1,
                Err(_) => {}
            }
        }
        (records > 0 && records + continued >= half).then_some(app)
    }
}

/// An access line (with or without its line ending) matched with `nginx`, the record
/// lent to `f` where it was matched.
#[inline(always)]
fn parse_access_then<'a, R>(
    nginx: &'a NginxFormat,
    line: &'a [u8],
    f: impl FnOnce(Result<&Record<'a>, ParseError>) -> R,
) -> R {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return f(Err(ParseError::new(ParseErrorKind::Empty, 0)));
    }
    if line.len() > crate::nginx::MAX_ACCESS_LINE {
        return f(Err(ParseError::new(ParseErrorKind::TooLong, 0)));
    }
    let mut record = Record::new(
        line,
        Body::Access {
            format: nginx,
            m: crate::nginx::Matched::EMPTY,
        },
    );
    let matched = match record.body_mut() {
        Body::Access { m, .. } => nginx.match_line(line, m),
        _ => Ok(()),
    };
    match matched {
        Ok(()) => f(Ok(&record)),
        Err(error) => f(Err(error)),
    }
}

/// An access line (with or without its line ending) matched with `nginx`.
#[inline(always)]
fn parse_access<'a>(nginx: &'a NginxFormat, line: &'a [u8]) -> Result<Record<'a>, ParseError> {
    parse_access_then(nginx, line, |record| record.copied())
}

impl fmt::Debug for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("LogFormat");
        d.field("name", &self.name());
        match &*self.inner {
            Inner::Access { nginx, .. } => d.field("format", &nginx.source),
            Inner::App(app) => d.field("year", &app.year),
            Inner::Json(json) => d.field("keys", &json.keys),
        };
        d.finish()
    }
}

/// Whether JSON lines are Caddy's log, its access log written as Caddy writes it by
/// default. They are when some come from its access logger (`http.log.access...`), or
/// from one of its other modules (`http.*`, `tls...`, `admin`, `pki`) in zap's shape
/// (`level`, a `ts` with a fraction, `msg`): a log whose first lines are Caddy's
/// startup, before any request. Every access line's `duration` must have a fraction
/// (seconds; Caddy writes whole numbers or text only when told to use another unit,
/// which a whole number cannot say), and no line may have a request time under the
/// default keys. A line of another logger with a `duration` (an Envoy sidecar's, in the
/// same stream) rules it out: the `caddy` format reads every line's `duration`.
fn is_caddy_access_log(json: &LogFormat, lines: &[&[u8]]) -> bool {
    let mut any = false;
    for line in lines {
        let Ok(record) = json.parse(line) else {
            continue;
        };
        if record.request_time_us().is_some() {
            return false;
        }
        let logger = record.var("logger").unwrap_or_default();
        if !logger.starts_with(b"http.log.access") {
            if record.var("duration").is_some() {
                return false;
            }
            let module = logger.starts_with(b"http.")
                || logger.starts_with(b"tls")
                || matches!(logger, b"admin" | b"pki" | b"http");
            let zap = record.var("msg").is_some()
                && record.var("level").is_some()
                && record.var("ts").is_some_and(|t| t.contains(&b'.'));
            any |= module && zap;
            continue;
        }
        let seconds = record
            .var("duration")
            .is_some_and(|d| d.iter().any(|&b| matches!(b, b'.' | b'e' | b'E')));
        if !seconds {
            return false;
        }
        any = true;
    }
    any
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LogFormat {
    type Err = FormatError;

    /// A preset by name: `combined`, `common`, `vhost_combined`, `combined_xff`,
    /// `combined_timed`, `combined_extras`, `ingress_nginx`, `haproxy`, `haproxy_syslog`,
    /// `app`, `json`, `caddy`
    /// (case-insensitive; `-` may replace `_`).
    fn from_str(s: &str) -> Result<LogFormat, FormatError> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        Ok(match key.as_str() {
            "combined" => LogFormat::combined(),
            "common" | "clf" => LogFormat::common(),
            "vhost_combined" => LogFormat::vhost_combined(),
            "combined_xff" => LogFormat::combined_xff(),
            "combined_timed" => LogFormat::combined_timed(),
            "combined_extras" => LogFormat::combined_extras(),
            "ingress_nginx" => LogFormat::ingress_nginx(),
            "haproxy" => LogFormat::haproxy(),
            "haproxy_syslog" => LogFormat::haproxy_syslog(),
            "app" => LogFormat::app(),
            "json" => LogFormat::json(),
            "caddy" => LogFormat::json_caddy(),
            _ => return Err(FormatError::UnknownName(s.to_owned())),
        })
    }
}

/// Configures application-log parsing; [`LogFormat::app_builder`] makes one.
#[derive(Debug, Clone)]
pub struct AppFormatBuilder {
    year: Option<i32>,
    read_at: Option<i64>,
}

impl AppFormatBuilder {
    /// The year given to every timestamp that carries none (syslog's `Jun 14
    /// 15:16:01`), whatever the date.
    ///
    /// Without it, such a time is given the year the log is read in
    /// ([`read_at`](Self::read_at)), or the year before if that would put it more than
    /// a day after the reading: a log is read after it was written, so `Dec 10` read
    /// on 27 November is last year's, and a log that runs from `Dec 31` to `Jan 1`,
    /// read in January, stays in order.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    ///
    /// // 2026-11-27T07:00:00Z
    /// let app = LogFormat::app_builder().read_at(1_795_762_800).build();
    /// let year = |line: &[u8]| app.parse(line).ok()?.timestamp().map(|t| t.to_string()[..4].to_owned());
    /// assert_eq!(year(b"Nov 26 23:00:00 host cron[1]: ran").as_deref(), Some("2026"));
    /// assert_eq!(year(b"Dec 10 06:55:46 host sshd[2]: closed").as_deref(), Some("2025"));
    /// let fixed = LogFormat::app_builder().assumed_year(2026).build();
    /// let t = fixed.parse(b"Dec 10 06:55:46 host sshd[2]: closed").unwrap().timestamp().unwrap();
    /// assert!(t.to_string().starts_with("2026-12-10"));
    /// ```
    pub fn assumed_year(mut self, year: i32) -> Self {
        self.year = Some(year.clamp(0, 9999));
        self
    }

    /// When the log is read, in Unix seconds, for the year of syslog times when no
    /// [`assumed_year`](Self::assumed_year) is given. Defaults to the clock when the
    /// format is built; set it for results that do not depend on the day they are
    /// computed.
    pub fn read_at(mut self, unix_seconds: i64) -> Self {
        self.read_at = Some(unix_seconds);
        self
    }

    /// The configured format.
    pub fn build(self) -> LogFormat {
        let year = match self.year {
            Some(year) => YearRule::fixed(year),
            None => YearRule::read_at(self.read_at.unwrap_or_else(crate::time::now_unix)),
        };
        LogFormat {
            inner: Arc::new(Inner::App(AppFormat { year })),
        }
    }
}

// Scanner threads share one format and may send records between threads: keep both
// Send + Sync (this fails to compile otherwise).
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<LogFormat>();
    send_sync::<Record<'static>>();
};
