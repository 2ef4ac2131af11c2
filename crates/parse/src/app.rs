//! Application logs: a leading timestamp in one of the common shapes, a level token
//! among the first fields, an optional component, then the message.

use crate::error::{ParseError, ParseErrorKind};
use crate::level::Level;
use crate::nginx::Span;
use crate::time::{Timestamp, month_from_abbrev, parse_epoch, parse_iso_prefix, two_digits};

/// Which leading-timestamp shape a line used; syslog lines get host/tag parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    None,
    Syslog,
    Other,
}

/// The parsed parts of an application-log line (spans into the line).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AppParts {
    pub(crate) time: Option<Timestamp>,
    pub(crate) level: Option<Level>,
    /// The level was not written but assumed (RFC 3164: syslog without `<PRI>`).
    pub(crate) level_assumed: bool,
    pub(crate) host: Option<Span>,
    pub(crate) component: Option<Span>,
    pub(crate) message: Span,
    /// The timestamp's year was not in the line (syslog) and was assumed.
    pub(crate) year_assumed: bool,
}

/// Settings for application logs.
#[derive(Clone, Debug)]
pub(crate) struct AppFormat {
    pub(crate) year: YearRule,
}

/// The year a syslog time (`Mmm dd HH:MM:SS`, which has none) is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct YearRule {
    /// The year assumed.
    pub(crate) year: i32,
    /// A time later than this (Unix seconds) is put in the year before: a log is read
    /// after it was written, so `Dec 31` read on 2 January is last year's. `None` when
    /// the year was given.
    pub(crate) latest: Option<i64>,
}

impl YearRule {
    /// `year` for every syslog time, as given.
    pub(crate) fn fixed(year: i32) -> YearRule {
        YearRule {
            year: year.clamp(0, 9999),
            latest: None,
        }
    }

    /// For a log read at `now` (Unix seconds): its year, or the year before for a
    /// time more than a day after `now` (a day: syslog times are local, in any zone).
    pub(crate) fn read_at(now: i64) -> YearRule {
        YearRule {
            year: crate::time::year_of(now).clamp(0, 9999),
            latest: Some(now.saturating_add(86_400)),
        }
    }
}

fn span(start: usize, end: usize) -> Span {
    Span {
        start: start as u32,
        end: end as u32,
    }
}

fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
        i += 1;
    }
    i
}

/// The end of the token starting at `i`: a bracketed token runs to its matching
/// bracket (nesting counted, so `[QuorumPeer[myid=1]/...]` is one token), any other
/// to the next space.
fn token_end(s: &[u8], i: usize) -> usize {
    if s.get(i) == Some(&b'[') {
        let mut depth = 0usize;
        for (k, &b) in s[i..].iter().enumerate() {
            match b {
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + k + 1;
                    }
                }
                _ => {}
            }
        }
        return s.len();
    }
    s[i..]
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .map_or(s.len(), |k| i + k)
}

/// A token with its decoration removed: `[INFO]`, `<warn>`, `ERROR:`, `(debug)`.
fn level_of(token: &[u8]) -> Option<Level> {
    let t = token.strip_suffix(b":").unwrap_or(token);
    let t = match t {
        [b'[', inner @ .., b']'] | [b'<', inner @ .., b'>'] | [b'(', inner @ .., b')'] => inner,
        _ => t,
    };
    let t = t.trim_ascii();
    // Apache 2.4 writes `[module:level]` (`[core:error]`).
    match t.iter().rposition(|&b| b == b':') {
        Some(k) if k + 1 < t.len() => Level::from_bytes(&t[k + 1..]),
        _ => Level::from_bytes(t),
    }
}

impl AppFormat {
    #[inline(never)] // keeps the access-log path of `LogFormat::parse` small
    pub(crate) fn parse(&self, line: &[u8]) -> Result<AppParts, ParseError> {
        let s = line;
        if s.is_empty() {
            // A blank line goes on from the record before, as a line of blanks does: Go
            // writes one after `panic:` and between goroutines, and a multi-line
            // message may hold one.
            return Err(ParseError::new(ParseErrorKind::Continuation, 0));
        }
        // Two layouts that start with a one-letter level, tried before the others
        // (a cheap test of their first bytes rules them out for other lines).
        if let Some(parts) = self.klog(s).or_else(|| ruby_logger(s)) {
            return Ok(parts);
        }
        let mut i = 0;
        let mut pri_level = None;
        let mut rfc5424 = false;
        if s[0] == b'<'
            && let Some(close) = s.iter().take(5).position(|&b| b == b'>')
            && close > 1
            && let Some(pri) = crate::request::parse_u64(&s[1..close])
            && pri <= 191
        {
            pri_level = Level::from_syslog_severity((pri % 8) as u8);
            i = close + 1;
            // RFC 5424 puts a version digit after the priority.
            if s.len() > i + 1 && s[i].is_ascii_digit() && s[i + 1] == b' ' {
                i += 2;
                rfc5424 = true;
            }
        }
        let (time, used, shape, year_assumed) = match leading_timestamp(&s[i..], self.year) {
            Some((ts, used, shape)) => (Some(ts), used, shape, shape == Shape::Syslog),
            // RFC 5424's NILVALUE: the sender had no time; the fields after it stay
            // where they are.
            None if rfc5424 && s[i..].starts_with(b"- ") => (None, 1, Shape::None, false),
            None => (None, 0, Shape::None, false),
        };
        i = skip_spaces(s, i + used);
        let mut parts = AppParts {
            time,
            level: None,
            level_assumed: false,
            host: None,
            component: None,
            message: span(i, s.len()),
            year_assumed,
        };
        if rfc5424 {
            parse_rfc5424_rest(s, i, pri_level, &mut parts);
            return Ok(parts);
        }
        if shape == Shape::Syslog || pri_level.is_some() {
            self.parse_syslog_rest(s, i, pri_level, &mut parts);
            return Ok(parts);
        }
        // Look for a level among the first four tokens, stepping over separators,
        // thread names and numeric ids (HDFS writes a thread id before the level).
        let mut k = i;
        for _ in 0..4 {
            if k >= s.len() {
                break;
            }
            let end = token_end(s, k);
            let tok = &s[k..end];
            if let Some(level) = level_of(tok) {
                parts.level = Some(level);
                self.parse_after_level(s, skip_spaces(s, end), &mut parts);
                return Ok(parts);
            }
            let skippable = tok == b"-"
                || tok == b"|"
                || tok.first() == Some(&b'[')
                || tok.iter().all(u8::is_ascii_digit);
            if !skippable {
                // Python's default `%(asctime)s - %(name)s - %(levelname)s - %(message)s`:
                // a logger name, a dash, the level, a dash, the message.
                if looks_like_name(tok)
                    && let Some(at) = separator_dash(s, skip_spaces(s, end))
                    && let level_end = token_end(s, at)
                    && let Some(level) = level_of(&s[at..level_end])
                {
                    let after = skip_spaces(s, level_end);
                    parts.level = Some(level);
                    parts.component = Some(span(k, end));
                    parts.message = span(separator_dash(s, after).unwrap_or(after), s.len());
                    return Ok(parts);
                }
                break;
            }
            k = skip_spaces(s, end);
        }
        if parts.time.is_none() {
            let kind = if continues_a_record(s) {
                ParseErrorKind::Continuation
            } else {
                ParseErrorKind::NoTimestampOrLevel
            };
            return Err(ParseError::new(kind, 0));
        }
        Ok(parts)
    }

    /// Kubernetes' klog: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] message`, with
    /// `L` one of `I`, `W`, `E`, `F`. It has no year: `self.year` gives it one, as for
    /// syslog. The component is the source file (its line number left out).
    fn klog(&self, s: &[u8]) -> Option<AppParts> {
        let level = match s.first()? {
            b'I' => Level::Info,
            b'W' => Level::Warn,
            b'E' => Level::Error,
            b'F' => Level::Fatal,
            _ => return None,
        };
        if s.len() < 22 || s[5] != b' ' {
            return None;
        }
        let month = two_digits(s[1], s[2])?;
        let day = two_digits(s[3], s[4])?;
        let (h, m, sec, nanos, used) = hms(&s[6..])?;
        let mut i = skip_spaces(s, 6 + used);
        let id_len = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if id_len == 0 || s.get(i + id_len) != Some(&b' ') {
            return None;
        }
        i += id_len + 1;
        let close = i + s[i..].iter().take(256).position(|&b| b == b']')?;
        let source = &s[i..close];
        let file_end = source
            .iter()
            .rposition(|&b| b == b':')
            .map_or(close, |k| i + k);
        let time = in_assumed_year(self.year, month, day, (h, m, sec, nanos))?;
        Some(AppParts {
            time: Some(time),
            level: Some(level),
            level_assumed: false,
            host: None,
            component: (file_end > i).then(|| span(i, file_end)),
            message: span(skip_spaces(s, close + 1), s.len()),
            year_assumed: true,
        })
    }

    /// After the level: an optional `[thread]`, an optional `component:` (or a
    /// `component -` / `[component] -` in log4j's `%c - %m` layouts), then the message.
    fn parse_after_level(&self, s: &[u8], mut i: usize, parts: &mut AppParts) {
        if s.get(i) == Some(&b'-') && s.get(i + 1).is_none_or(|&b| b == b' ') {
            i = skip_spaces(s, i + 1);
        }
        let mut bracket: Option<Span> = None;
        if s.get(i) == Some(&b'[') {
            let end = token_end(s, i);
            bracket = Some(span(i + 1, end.saturating_sub(1).max(i + 1)));
            let after = skip_spaces(s, end);
            if let Some(next) = separator_dash(s, after) {
                parts.component = bracket;
                parts.message = span(next, s.len());
                return;
            }
            i = after;
        }
        if i < s.len() {
            let mut end = token_end(s, i);
            // nginx's error log: `pid#tid:` after the level names a worker, not a
            // component; the message follows it.
            if is_pid_tid(&s[i..end]) {
                i = skip_spaces(s, end);
                end = token_end(s, i);
            }
            let tok = &s[i..end];
            if tok.len() > 1 && tok.ends_with(b":") && s[i] != b'[' {
                parts.component = Some(span(i, end - 1));
                parts.message = span(skip_spaces(s, end), s.len());
                return;
            }
            let after = skip_spaces(s, end);
            if bracket.is_none()
                && looks_like_logger(tok)
                && let Some(next) = separator_dash(s, after)
            {
                parts.component = Some(span(i, end));
                parts.message = span(next, s.len());
                return;
            }
        }
        parts.message = span(i, s.len());
    }

    /// Syslog after the timestamp: `host tag[pid]: message`. Syslog has no level
    /// token; the level comes from `<PRI>`, or from a message that starts with one
    /// (`error: ...`), or is RFC 3164's default for a message without PRI: notice.
    fn parse_syslog_rest(&self, s: &[u8], i: usize, pri: Option<Level>, parts: &mut AppParts) {
        let mut k = i;
        let host_end = token_end(s, k);
        let host = &s[k..host_end];
        if !host.is_empty() && !host.ends_with(b":") && host.iter().any(u8::is_ascii_alphanumeric) {
            parts.host = Some(span(k, host_end));
            k = skip_spaces(s, host_end);
        }
        let tag_end = token_end(s, k);
        let tag = &s[k..tag_end];
        if tag.len() > 1 && tag.ends_with(b":") {
            let tag = &tag[..tag.len() - 1];
            // Drop a trailing `[pid]` so the component names the program.
            let name_len = match (tag.last(), tag.iter().rposition(|&b| b == b'[')) {
                (Some(b']'), Some(open)) if open > 0 => open,
                _ => tag.len(),
            };
            parts.component = Some(span(k, k + name_len));
            k = skip_spaces(s, tag_end);
        }
        parts.message = span(k, s.len());
        let first = &s[k..token_end(s, k)];
        parts.level = match (
            pri,
            first.ends_with(b":").then(|| level_of(first)).flatten(),
        ) {
            (Some(level), _) => Some(level),
            (None, Some(level)) => Some(level),
            (None, None) => {
                parts.level_assumed = true;
                Some(Level::Notice)
            }
        };
    }
}

/// RFC 5424 after the timestamp: `HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`,
/// `-` standing for an absent field.
fn parse_rfc5424_rest(s: &[u8], mut i: usize, pri: Option<Level>, parts: &mut AppParts) {
    parts.level = pri;
    let field = |i: &mut usize| {
        let end = token_end(s, *i);
        let sp = span(*i, end);
        *i = skip_spaces(s, end);
        (sp.of(s) != b"-" && sp.start != sp.end).then_some(sp)
    };
    parts.host = field(&mut i);
    parts.component = field(&mut i);
    field(&mut i); // PROCID
    field(&mut i); // MSGID
    if s.get(i) == Some(&b'-') {
        i = skip_spaces(s, i + 1);
    } else {
        while s.get(i) == Some(&b'[') {
            i = sd_element_end(s, i);
        }
        i = skip_spaces(s, i);
    }
    let msg = &s[i.min(s.len())..];
    let bom = usize::from(msg.starts_with(b"\xEF\xBB\xBF")) * 3;
    parts.message = span((i + bom).min(s.len()), s.len());
}

/// The end of the RFC 5424 structured-data element that starts at `s[i]` (a `[`):
/// just past its closing `]`. Parameter values are quoted and may hold `[` and `]`,
/// with `\` escaping the next byte (`\"`, `\\`, `\]`), so brackets are not counted.
fn sd_element_end(s: &[u8], i: usize) -> usize {
    let mut quoted = false;
    let mut k = i + 1;
    while k < s.len() {
        match s[k] {
            b'\\' if quoted => k += 1,
            b'"' => quoted = !quoted,
            b']' if !quoted => return k + 1,
            _ => {}
        }
        k += 1;
    }
    s.len()
}

/// If `s[i..]` starts with a `-` separator word, where the text after it starts.
fn separator_dash(s: &[u8], i: usize) -> Option<usize> {
    (s.get(i) == Some(&b'-') && s.get(i + 1).is_none_or(|&b| b == b' '))
        .then(|| skip_spaces(s, i + 1))
}

/// The exception a line of a stack trace names, if it names one: the class at the
/// start of an exception's first line (`java.io.IOException` for `java.io.IOException:
/// disk`, `ValueError` for Python's `ValueError: bad`), also after Java's `Caused by: `
/// and (indented) `Suppressed: `. A name ends in `Exception` or `Error` and stands
/// alone or before `:`.
///
/// ```
/// use logscan_parse::exception_of;
///
/// assert_eq!(exception_of(b"Caused by: java.io.IOException: disk"), Some(&b"java.io.IOException"[..]));
/// assert_eq!(exception_of(b"KeyError: 'user'"), Some(&b"KeyError"[..]));
/// assert_eq!(exception_of(b"\tat com.example.App.run(App.java:12)"), None);
/// ```
pub fn exception_of(line: &[u8]) -> Option<&[u8]> {
    let s = line.trim_ascii_start();
    let s = s
        .strip_prefix(b"Caused by: ")
        .or_else(|| s.strip_prefix(b"Suppressed: "))
        .unwrap_or(s);
    let name_end = s
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$')))
        .unwrap_or(s.len());
    let (name, after) = s.split_at(name_end);
    ((name.ends_with(b"Exception") || name.ends_with(b"Error"))
        && name.first().is_some_and(u8::is_ascii_alphabetic)
        && (after.is_empty() || after.starts_with(b": ") || after == b":"))
        .then_some(name)
}

/// Whether a line with neither time nor level goes on from the record before it: an
/// indented line (Java's `\tat ...` frames, `\t... 2 more`, Python's `  File ...`,
/// Go's `\t/app/main.go:10 +0x1d`), Java's `Caused by:` and `Suppressed:`, Python's
/// `Traceback (most recent call last):`, Go's `goroutine 1 [running]:` and the other
/// unindented lines of a goroutine's trace ([`is_go_trace_line`]), or an exception's
/// first line: a name ending in `Exception` or `Error` (a dotted class name, or
/// Python's bare one), alone or before `: message`.
fn continues_a_record(s: &[u8]) -> bool {
    if matches!(s.first(), Some(b' ' | b'\t')) {
        return true;
    }
    const STARTS: [&[u8]; 5] = [
        b"Caused by: ",
        b"Suppressed: ",
        b"Traceback (most recent call last):",
        b"goroutine ",
        // Go's `fatal error:` dumps: the runtime's own stack follows this header.
        b"runtime stack:",
    ];
    STARTS.iter().any(|p| s.starts_with(p)) || exception_of(s).is_some() || is_go_trace_line(s)
}

/// The unindented lines of a Go goroutine trace (what a panic or `GOTRACEBACK` writes)
/// other than its `goroutine N [...]:` header: a call, `pkg.F(args)`
/// ([`is_go_call`]); `created by pkg.F`, with ` in goroutine N` since Go 1.21; the
/// runtime's `[signal SIGSEGV: ...]` and `...additional frames elided...`. `panic:`
/// and `fatal error:` lines need nothing here: they read as records of level fatal,
/// which the trace after them goes on from.
fn is_go_trace_line(s: &[u8]) -> bool {
    let s = s.trim_ascii_end();
    if let Some(created) = s.strip_prefix(b"created by ") {
        let func = match created.iter().position(|&b| b == b' ') {
            Some(end) => {
                let goroutine = created[end..].strip_prefix(b" in goroutine ");
                if !goroutine.is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit)) {
                    return false;
                }
                &created[..end]
            }
            None => created,
        };
        return is_go_func(func);
    }
    (s.starts_with(b"[signal ") && s.ends_with(b"]"))
        || s == b"...additional frames elided..."
        || is_go_call(s)
}

/// A call of a Go trace: a qualified function name ([`is_go_func`]), or `panic` (the
/// runtime's own frame), then an argument list as the runtime prints one: words of the
/// stack in hex (`0xc000012345`, `?` after one that may be stale), `{...}` around a
/// struct's, `...` for the rest or an inlined call's, `_` for one out of reach,
/// separated by `, `. Kept this narrow because it decides between a trace and a
/// malformed line, and many lines end in `)`: a name holds no blank, and an argument
/// is no word or decimal number (`retry failed (attempt 3)`, `user.login(42)`).
fn is_go_call(s: &[u8]) -> bool {
    // The name may hold `(*T)` receivers, the arguments no parenthesis: they are
    // what follows the last `(`.
    let Some(call) = s.strip_suffix(b")") else {
        return false;
    };
    let Some(open) = call.iter().rposition(|&b| b == b'(') else {
        return false;
    };
    let (name, args) = (&call[..open], &call[open + 1..]);
    (name == b"panic" || is_go_func(name)) && is_go_args(args)
}

/// The inside of a Go trace's argument list (see [`is_go_call`]).
fn is_go_args(args: &[u8]) -> bool {
    let mut depth = 0usize;
    for &b in args {
        match b {
            b'{' => depth += 1,
            b'}' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    if depth != 0 {
        return false;
    }
    args.is_empty()
        || args.split(|&b| b == b',').enumerate().all(|(k, item)| {
            // Every item but the first follows `, `.
            let item = match k {
                0 => item,
                _ => match item.strip_prefix(b" ") {
                    Some(item) => item,
                    None => return false,
                },
            };
            let braces = |b: &u8| matches!(b, b'{' | b'}');
            let start = item.iter().position(|b| !braces(b)).unwrap_or(item.len());
            let end = item
                .iter()
                .rposition(|b| !braces(b))
                .map_or(start, |e| e + 1);
            let word = &item[start..end];
            let opens_or_closes = start > 0 || end < item.len();
            if word.is_empty() {
                return opens_or_closes;
            }
            let hex = word.strip_suffix(b"?").unwrap_or(word);
            word == b"..."
                || word == b"_"
                || hex
                    .strip_prefix(b"0x")
                    .is_some_and(|h| !h.is_empty() && h.iter().all(u8::is_ascii_hexdigit))
        })
}

/// A Go function's name as a trace prints it: an import path (`net/http`,
/// `github.com/a/b-c`, the last element's dots escaped as `%2e`), a dot, then the
/// function: identifiers joined by dots, each possibly with type arguments (`[...]`),
/// a method's receiver in parentheses when it is a pointer (`(*conn)`, `(*T[...])`),
/// closures as `func1`, method values as `M-fm`. `net/http.(*conn).serve`,
/// `main.main.func1`, `main.F[...]`.
fn is_go_func(name: &[u8]) -> bool {
    // The compiler's generated functions (`type:.eq.main.T`, equality since Go 1.21)
    // have a package-like prefix of their own.
    let name = name.strip_prefix(b"type:.").unwrap_or(name);
    let base = name.iter().rposition(|&b| b == b'/').map_or(0, |k| k + 1);
    let (path, last) = name.split_at(base);
    let path_ok = path.split(|&b| b == b'/').all(|element| {
        element.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~' | b'%') || b >= 0x80
        })
    }) && !path.starts_with(b"/")
        && !path.windows(2).any(|w| w == b"//");
    let Some(dot) = last.iter().position(|&b| b == b'.') else {
        return false;
    };
    let (package, mut rest) = (&last[..dot], &last[dot + 1..]);
    if !path_ok
        || package.is_empty()
        || !package
            .iter()
            .all(|&b| is_go_ident_byte(b) || matches!(b, b'%' | b'-'))
    {
        return false;
    }
    // The function: elements separated by dots.
    loop {
        let receiver = rest.starts_with(b"(*");
        let mut k = usize::from(receiver) * 2;
        let ident = rest[k..]
            .iter()
            .take_while(|&&b| is_go_ident_byte(b) || b == b'-')
            .count();
        if ident == 0 {
            return false;
        }
        k += ident;
        if rest.get(k) == Some(&b'[') {
            let Some(close) = rest[k..].iter().position(|&b| b == b']') else {
                return false;
            };
            let inside = &rest[k + 1..k + close];
            if inside.is_empty() || inside.iter().any(|&b| b == b'[' || b.is_ascii_whitespace()) {
                return false;
            }
            k += close + 1;
        }
        if receiver {
            if rest.get(k) != Some(&b')') {
                return false;
            }
            k += 1;
        }
        match rest.get(k) {
            // A receiver is followed by its method.
            None => return !receiver,
            Some(b'.') => rest = &rest[k + 1..],
            Some(_) => return false,
        }
    }
}

/// A byte of a Go identifier (any non-ASCII byte, as identifiers may be Unicode).
fn is_go_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// nginx's `1234#5678:` (process and thread of the worker that wrote the line).
fn is_pid_tid(tok: &[u8]) -> bool {
    let Some(t) = tok.strip_suffix(b":") else {
        return false;
    };
    let Some(hash) = t.iter().position(|&b| b == b'#') else {
        return false;
    };
    let (pid, tid) = (&t[..hash], &t[hash + 1..]);
    !pid.is_empty()
        && !tid.is_empty()
        && pid.iter().all(u8::is_ascii_digit)
        && tid.iter().all(u8::is_ascii_digit)
}

/// A logger name of any language: `root`, `__main__`, `uvicorn.error`, `org.apache.Foo`.
fn looks_like_name(tok: &[u8]) -> bool {
    !tok.is_empty()
        && tok.len() <= 200
        && tok
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$' | b'-'))
}

/// A Java-style logger or class name: `org.apache.Foo`, `c.f.Bar$Inner`.
fn looks_like_logger(tok: &[u8]) -> bool {
    tok.contains(&b'.') && looks_like_name(tok)
}

/// Recognises a timestamp at the start of `input` in any shape this crate reads from
/// logs, and returns it with the number of bytes it used. Besides the shapes of
/// [`parse_timestamp`](crate::parse_timestamp) (RFC 3339 / ISO 8601, `$time_local`,
/// Unix seconds), it knows Spark's `yy/MM/dd HH:mm:ss`, Go's `yyyy/MM/dd HH:mm:ss`,
/// HDFS's `yyMMdd HHmmss`,
/// syslog's `Mmm dd HH:MM:SS` (which has no year: `assumed_year` is used), C's ctime
/// `Www Mmm dd HH:MM:SS yyyy`, and any of these in `[` `]`.
///
/// ```
/// use logscan_parse::parse_timestamp_prefix;
///
/// let (t, used) = parse_timestamp_prefix(b"Jun 14 15:16:01 combo sshd[1]: hi", 2024).unwrap();
/// assert_eq!((t.to_string().as_str(), used), ("2024-06-14T15:16:01", 15));
/// let (t, used) = parse_timestamp_prefix(b"081109 203615 148 INFO x", 2024).unwrap();
/// assert_eq!((t.to_string().as_str(), used), ("2008-11-09T20:36:15", 13));
/// ```
pub fn parse_timestamp_prefix(input: &[u8], assumed_year: i32) -> Option<(Timestamp, usize)> {
    let year = YearRule::fixed(assumed_year);
    for len in [26, 20] {
        if let Some(head) = input.get(..len)
            && let Some(t) = crate::time::parse_clf(head)
            && at_boundary(input, len)
        {
            return Some((t, len));
        }
    }
    leading_timestamp(input, year).map(|(t, used, _)| (t, used))
}

/// Recognises a timestamp at the start of `s`; returns it, the bytes it used, and
/// its shape.
fn leading_timestamp(s: &[u8], year: YearRule) -> Option<(Timestamp, usize, Shape)> {
    let first = *s.first()?;
    if first == b'[' {
        let close = s.iter().take(48).position(|&b| b == b']')?;
        let inner = &s[1..close];
        let (ts, shape) = if let Some((ts, used)) = ctime(inner) {
            (used == inner.len()).then_some((ts, Shape::Other))?
        } else if let Some((ts, used, shape)) = leading_timestamp(inner, year) {
            (used == inner.len() && shape != Shape::Syslog).then_some((ts, shape))?
        } else {
            (crate::time::parse_clf(inner)?, Shape::Other)
        };
        return Some((ts, close + 1, shape));
    }
    if first.is_ascii_digit() {
        if let Some((ts, used)) = parse_iso_prefix(s) {
            return Some((ts, used, Shape::Other));
        }
        if let Some(r) = slashed(s).or_else(|| hdfs(s)) {
            return Some((r.0, r.1, Shape::Other));
        }
        let tok_len = s.iter().position(|&b| b == b' ').unwrap_or(s.len());
        return parse_epoch(&s[..tok_len]).map(|ts| (ts, tok_len, Shape::Other));
    }
    if first.is_ascii_alphabetic() {
        if let Some((ts, used)) = ctime(s) {
            return Some((ts, used, Shape::Other));
        }
        let (ts, used) = syslog(s, year)?;
        return Some((ts, used, Shape::Syslog));
    }
    None
}

/// Hour, minute, second and nanoseconds of a time of day.
type Hms = (u8, u8, u8, u32);

/// `HH:MM:SS` with an optional `.fraction`; returns (h, m, s, nanos, bytes used).
fn hms(s: &[u8]) -> Option<(u8, u8, u8, u32, usize)> {
    if s.len() < 8 || s[2] != b':' || s[5] != b':' {
        return None;
    }
    let h = two_digits(s[0], s[1])?;
    let m = two_digits(s[3], s[4])?;
    let sec = two_digits(s[6], s[7])?;
    let mut used = 8;
    let mut nanos = 0;
    if s.len() > 9 && matches!(s[8], b'.' | b',') && s[9].is_ascii_digit() {
        let digits = s[9..].iter().take_while(|b| b.is_ascii_digit()).count();
        let mut n: u32 = 0;
        for (k, &b) in s[9..9 + digits].iter().enumerate() {
            if k < 9 {
                n = n * 10 + u32::from(b - b'0');
            }
        }
        for _ in digits.min(9)..9 {
            n *= 10;
        }
        nanos = n;
        used = 9 + digits;
    }
    Some((h, m, sec, nanos, used))
}

/// The end of a token at `i`, which must be followed by a space or the end.
fn at_boundary(s: &[u8], i: usize) -> bool {
    s.get(i).is_none_or(|&b| b == b' ' || b == b'\t')
}

/// A date with slashes and a time: Go's `log` package's `yyyy/MM/dd HH:mm:ss` (with
/// `.micro` under `log.Lmicroseconds`) and Spark's `yy/MM/dd HH:mm:ss`.
fn slashed(s: &[u8]) -> Option<(Timestamp, usize)> {
    let (year, at) = if s.get(2) == Some(&b'/') {
        let yy = two_digits(s[0], s[1])?;
        (if yy < 70 { 2000 } else { 1900 } + i32::from(yy), 3)
    } else if s.get(4) == Some(&b'/') {
        (crate::time::four_digits(&s[..4])?, 5)
    } else {
        return None;
    };
    let md = s.get(at..at + 6)?;
    if md[2] != b'/' || md[5] != b' ' {
        return None;
    }
    let month = two_digits(md[0], md[1])?;
    let day = two_digits(md[3], md[4])?;
    let (h, m, sec, nanos, used) = hms(&s[at + 6..])?;
    let end = at + 6 + used;
    if !at_boundary(s, end) {
        return None;
    }
    Some((
        Timestamp::from_civil(year, month, day, h, m, sec, nanos, None)?,
        end,
    ))
}

/// HDFS's `yyMMdd HHmmss`.
fn hdfs(s: &[u8]) -> Option<(Timestamp, usize)> {
    if s.len() < 13 || s[6] != b' ' || !at_boundary(s, 13) {
        return None;
    }
    let yy = two_digits(s[0], s[1])?;
    let month = two_digits(s[2], s[3])?;
    let day = two_digits(s[4], s[5])?;
    let h = two_digits(s[7], s[8])?;
    let m = two_digits(s[9], s[10])?;
    let sec = two_digits(s[11], s[12])?;
    let year = if yy < 70 { 2000 } else { 1900 } + i32::from(yy);
    Some((
        Timestamp::from_civil(year, month, day, h, m, sec, 0, None)?,
        13,
    ))
}

/// `Mon dd HH:MM:SS` (the day may be space-padded: `Jan  3`), month and day only:
/// returns (month, day, time parts, bytes used).
fn month_day_time(s: &[u8]) -> Option<(u8, u8, Hms, usize)> {
    if s.len() < 15 || s[3] != b' ' {
        return None;
    }
    let month = month_from_abbrev(&s[..3])?;
    let (day, next) = match (s[4], s[5], s[6]) {
        (b' ', d, b' ') if d.is_ascii_digit() => (d - b'0', 7),
        (a, b, b' ') => (two_digits(a, b)?, 7),
        (d, b' ', _) if d.is_ascii_digit() => (d - b'0', 6),
        _ => return None,
    };
    let (h, m, sec, nanos, used) = hms(&s[next..])?;
    Some((month, day, (h, m, sec, nanos), next + used))
}

/// Syslog's `Mon dd HH:MM:SS`, which has no year: `rule` gives it one.
fn syslog(s: &[u8], rule: YearRule) -> Option<(Timestamp, usize)> {
    let (month, day, (h, m, sec, nanos), used) = month_day_time(s)?;
    if !at_boundary(s, used) {
        return None;
    }
    Some((in_assumed_year(rule, month, day, (h, m, sec, nanos))?, used))
}

/// A month, day and time of day without a year (syslog, klog), in the year `rule`
/// gives it.
fn in_assumed_year(
    rule: YearRule,
    month: u8,
    day: u8,
    (h, m, sec, nanos): Hms,
) -> Option<Timestamp> {
    let in_year = |year: i32| {
        // A leap day in a year that has none would be rejected; keep the line's time
        // by falling back to the previous leap year rather than losing it.
        let mut year = year;
        if month == 2 && day == 29 {
            // At most seven years back (2100 → 2096): centuries not divisible by 400
            // have no leap day.
            while !crate::time::is_leap(year) {
                year -= 1;
            }
        }
        Timestamp::from_civil(year, month, day, h, m, sec, nanos, None)
    };
    let ts = in_year(rule.year)?;
    match rule.latest {
        Some(latest) if ts.unix_seconds() > latest => in_year(rule.year - 1),
        _ => Some(ts),
    }
}

/// Ruby's `Logger` (and Rails'): `I, [2024-11-27T09:00:00.123456 #1234]  INFO -- prog:
/// message`. The component is the program name, when there is one.
fn ruby_logger(s: &[u8]) -> Option<AppParts> {
    if s.len() < 30 || !b"DIWEFA".contains(&s[0]) || &s[1..4] != b", [" {
        return None;
    }
    let (time, used) = crate::time::parse_iso_prefix(&s[4..])?;
    let mut i = 4 + used;
    if s.get(i..i + 2) != Some(b" #") {
        return None;
    }
    i += 2;
    let pid_len = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if s.get(i + pid_len) != Some(&b']') {
        return None;
    }
    i = skip_spaces(s, i + pid_len + 1);
    let level_end = token_end(s, i);
    let level = level_of(&s[i..level_end]);
    i = skip_spaces(s, level_end);
    if s.get(i..i + 2) != Some(b"--") {
        return None;
    }
    i = skip_spaces(s, i + 2);
    // The program name runs to the first `: `; an empty one leaves just `: `.
    let colon = s[i..].windows(2).position(|w| w == b": ").map(|k| i + k);
    let (component, message_at) = match colon {
        Some(c) if c > i => (Some(span(i, c)), c + 2),
        Some(c) => (None, c + 2),
        None => (None, i),
    };
    Some(AppParts {
        time: Some(time),
        level,
        level_assumed: false,
        host: None,
        component,
        message: span(message_at.min(s.len()), s.len()),
        year_assumed: false,
    })
}

/// `Sun Dec 04 04:47:44 2005` (Apache error logs, C's ctime), fraction allowed.
fn ctime(s: &[u8]) -> Option<(Timestamp, usize)> {
    if s.len() < 24 || s[3] != b' ' || !s[..3].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let (month, day, (h, m, sec, nanos), used) = month_day_time(&s[4..])?;
    let rest = &s[4 + used..];
    if rest.len() < 5 || rest[0] != b' ' {
        return None;
    }
    let year = crate::time::four_digits(&rest[1..5])?;
    let end = 4 + used + 5;
    if !at_boundary(s, end) && s.get(end) != Some(&b']') {
        return None;
    }
    Some((
        Timestamp::from_civil(year, month, day, h, m, sec, nanos, None)?,
        end,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt() -> AppFormat {
        AppFormat {
            year: YearRule::fixed(2024),
        }
    }

    fn text(line: &[u8], sp: Option<Span>) -> Option<&str> {
        sp.map(|s| std::str::from_utf8(s.of(line)).unwrap())
    }

    /// RFC 5424 with no time (`-`), and structured data whose quoted values hold
    /// brackets, escaped or not.
    #[test]
    fn rfc5424_nil_time_and_structured_data_values() {
        let l = b"<165>1 - myhost myapp - - - hello world";
        let p = fmt().parse(l).unwrap();
        assert_eq!(p.time, None);
        assert_eq!(text(l, p.host), Some("myhost"));
        assert_eq!(text(l, p.component), Some("myapp"));
        assert_eq!(text(l, Some(p.message)), Some("hello world"));
        for l in [
            &br#"<165>1 2003-10-11T22:14:15.003Z h app - ID47 [ex@32473 a="[x"] hello world"#[..],
            br#"<165>1 2003-10-11T22:14:15.003Z h app - ID47 [ex@32473 a="x\]y"] hello world"#,
            br#"<165>1 2003-10-11T22:14:15.003Z h app - ID47 [ex@32473 a="q\"]"][b c="d"] hello world"#,
        ] {
            let p = fmt().parse(l).unwrap();
            assert_eq!(text(l, Some(p.message)), Some("hello world"), "{}", String::from_utf8_lossy(l));
            assert_eq!(text(l, p.component), Some("app"));
        }
    }

    /// A syslog leap day in an assumed year without one goes to the leap year before,
    /// also across a century that is not a leap year.
    #[test]
    fn a_syslog_leap_day_lands_on_a_leap_year() {
        for (assumed, year) in [(2024, 2024), (2025, 2024), (2100, 2096), (2101, 2096)] {
            let (ts, _) = parse_timestamp_prefix(b"Feb 29 12:00:00 host app[1]: leap", assumed)
                .unwrap_or_else(|| panic!("assumed {assumed}"));
            assert!(
                ts.to_string()
                    .starts_with(&format!("{year}-02-29T12:00:00")),
                "{ts}"
            );
        }
    }

    /// Without a given year, a syslog time gets the year of the reading, or the one
    /// before if it would be more than a day ahead of the reading; so a log across New
    /// Year read in January stays in order. A given year is kept whatever the date.
    #[test]
    fn a_syslog_time_ahead_of_the_reading_is_last_years() {
        let at = |y: i32, mo: u8, d: u8, h: u8| {
            Timestamp::from_civil(y, mo, d, h, 0, 0, 0, None)
                .unwrap()
                .unix_seconds()
        };
        let year_of = |rule: YearRule, line: &[u8]| {
            let f = AppFormat { year: rule };
            f.parse(line).unwrap().time.unwrap().to_string()[..10].to_owned()
        };
        let nov27 = YearRule::read_at(at(2026, 11, 27, 7));
        for (line, want) in [
            (&b"Jan  1 00:00:00 h app: new year"[..], "2026-01-01"),
            (b"Nov 27 06:00:00 h app: an hour ago", "2026-11-27"),
            (
                b"Nov 28 06:00:00 h app: ahead, within the day",
                "2026-11-28",
            ),
            (
                b"Nov 28 08:00:01 h app: more than a day ahead",
                "2025-11-28",
            ),
            (b"Dec 10 06:55:46 h sshd[1]: last december", "2025-12-10"),
            (b"Feb 29 12:00:00 h app: leap day", "2024-02-29"),
        ] {
            assert_eq!(
                year_of(nov27, line),
                want,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let jan2 = YearRule::read_at(at(2027, 1, 2, 12));
        let times: Vec<String> = [
            &b"Dec 31 23:59:59 h app: old year"[..],
            b"Jan  1 00:00:01 h app: new year",
            b"Jan  2 11:00:00 h app: today",
        ]
        .iter()
        .map(|l| year_of(jan2, l))
        .collect();
        assert_eq!(times, ["2026-12-31", "2027-01-01", "2027-01-02"]);
        // A given year is the year.
        assert_eq!(
            year_of(YearRule::fixed(2026), b"Dec 10 06:55:46 h sshd[1]: x"),
            "2026-12-10"
        );
    }

    /// Python's default format (name, then level, between dashes), Go's `log`
    /// package, PostgreSQL's default prefix.
    #[test]
    fn python_go_and_postgres_lines() {
        let l = b"2024-11-27 09:00:00,123 - myapp.db - ERROR - query failed - retrying";
        let p = fmt().parse(l).unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(text(l, p.component), Some("myapp.db"));
        assert_eq!(text(l, Some(p.message)), Some("query failed - retrying"));
        let l = b"2024-11-27 09:00:00,123 - root - INFO - started";
        let p = fmt().parse(l).unwrap();
        assert_eq!(
            (p.level, text(l, p.component)),
            (Some(Level::Info), Some("root"))
        );
        assert_eq!(text(l, Some(p.message)), Some("started"));
        // A dash that is not followed by a level leaves the message whole.
        let l = b"2024-11-27 09:00:00,123 - ticket - 42 closed";
        let p = fmt().parse(l).unwrap();
        assert_eq!((p.level, p.component), (None, None));

        for (l, want) in [
            (
                &b"2024/11/27 09:00:00 listening on :8080"[..],
                "2024-11-27T09:00:00",
            ),
            (
                b"2024/11/27 09:00:00.123456 listening",
                "2024-11-27T09:00:00.123456",
            ),
        ] {
            let p = fmt().parse(l).unwrap();
            assert_eq!(p.time.unwrap().to_string(), want);
        }

        let l = b"2024-11-27 09:00:00.123 UTC [1234] LOG:  statement: select 1";
        let p = fmt().parse(l).unwrap();
        assert_eq!(p.time.unwrap().to_string(), "2024-11-27T09:00:00.123Z");
        assert_eq!(p.level, Some(Level::Info));
        // A first word with a colon reads as a component, as in any app line.
        assert_eq!(text(l, p.component), Some("statement"));
        assert_eq!(text(l, Some(p.message)), Some("select 1"));
        let l = b"2024-11-27 09:00:00.123 UTC [1234] DEBUG2:  x";
        assert_eq!(fmt().parse(l).unwrap().level, Some(Level::Debug));
    }

    #[test]
    fn klog_and_ruby_logger_lines() {
        let f = AppFormat {
            year: YearRule::fixed(2024),
        };
        let l = b"E1127 09:00:00.123456    1234 kubelet.go:2412] failed to sync pod";
        let p = f.parse(l).unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.time.unwrap().to_string(), "2024-11-27T09:00:00.123456");
        assert!(p.year_assumed);
        assert_eq!(text(l, p.component), Some("kubelet.go"));
        assert_eq!(text(l, Some(p.message)), Some("failed to sync pod"));
        let l = b"I0102 00:00:01.000001       7 main.go:9] ok";
        assert_eq!(f.parse(l).unwrap().level, Some(Level::Info));
        // Not klog: an ordinary line that starts with a capital.
        let l = b"INFO 2024-11-27 09:00:00 something";
        assert_ne!(
            f.parse(l).unwrap().component.map(|c| c.of(l)),
            Some(&b"2024-11-27"[..])
        );

        let l = b"I, [2024-11-27T09:00:00.123456 #1234]  INFO -- : Started GET \"/\" for 127.0.0.1";
        let p = f.parse(l).unwrap();
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.time.unwrap().to_string(), "2024-11-27T09:00:00.123456");
        assert_eq!(p.component, None);
        assert_eq!(
            text(l, Some(p.message)),
            Some("Started GET \"/\" for 127.0.0.1")
        );
        let l = b"E, [2024-11-27T09:00:01.5 #99] ERROR -- worker: job 42 failed: timeout";
        let p = f.parse(l).unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(text(l, p.component), Some("worker"));
        assert_eq!(text(l, Some(p.message)), Some("job 42 failed: timeout"));
    }

    /// nginx's error log: Go-style date, bracketed level, then `pid#tid:`, which is no
    /// component.
    #[test]
    fn nginx_error_log_line() {
        let l = br#"2024/11/27 09:00:00 [error] 1234#1234: *5 open() "/x" failed (2: No such file or directory), client: 1.2.3.4"#;
        let p = fmt().parse(l).unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.time.unwrap().to_string(), "2024-11-27T09:00:00");
        assert_eq!(p.component, None);
        assert!(text(l, Some(p.message)).unwrap().starts_with("*5 open()"));
        let l = b"2024/11/27 09:00:02 [notice] 1#1: signal process started";
        let p = fmt().parse(l).unwrap();
        assert_eq!((p.level, p.component), (Some(Level::Notice), None));
        assert_eq!(text(l, Some(p.message)), Some("signal process started"));
    }

    /// The lines of a stack trace go on from the record before them: not a new record,
    /// not malformed either.
    #[test]
    fn stack_trace_lines_continue_a_record() {
        for l in [
            &b"\tat com.example.App.run(App.java:12)"[..],
            b"\t... 2 more",
            b"Caused by: java.io.IOException: disk",
            b"java.lang.IllegalStateException: boom",
            b"java.lang.NullPointerException",
            b"Traceback (most recent call last):",
            b"  File \"x.py\", line 1, in <module>",
            b"ValueError: bad value 3",
            b"goroutine 1 [running]:",
        ] {
            let e = fmt().parse(l).unwrap_err();
            assert_eq!(
                e.kind,
                ParseErrorKind::Continuation,
                "{}",
                String::from_utf8_lossy(l)
            );
        }
        for l in [&b"just some words"[..], b"the Error: x", b"1Error: x"] {
            let e = fmt().parse(l).unwrap_err();
            assert_eq!(
                e.kind,
                ParseErrorKind::NoTimestampOrLevel,
                "{}",
                String::from_utf8_lossy(l)
            );
        }
    }

    /// The unindented lines of Go's goroutine traces, as its runtime writes them.
    #[test]
    fn go_trace_lines_continue_a_record() {
        for l in [
            &b"main.main()"[..],
            b"main.main.func1()",
            b"main.main.func1.2(0x1)",
            b"main.init.0()",
            b"net/http.(*conn).serve(0xc000102000, {0x6c4a80, 0xc0000a2000})",
            b"net/http.HandlerFunc.ServeHTTP(0x6c4a80?, {0x6c7ae0?, 0xc0001de000?}, 0x46e5c5?)",
            b"testing.(*T).Run(0xc000007380, {0x526b0a?, 0x4?}, 0x533d70)",
            b"github.com/gin-gonic/gin.(*Context).Next(...)",
            b"gopkg.in/yaml%2ev3.handleErr(0xc000093c48)",
            b"main.Map[...](...)",
            b"main.process[go.shape.int](0xc00001c030, 0x3)",
            b"main.(*Tree[...]).Insert(0xc000010018, {0x0, 0x0, 0x0}, ...)",
            b"main.T.M-fm()",
            b"main.f({{0x1, 0x2}, 0x3}, _)",
            b"panic({0x4a7a40?, 0xc000014090?})",
            b"runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)",
            b"main.main()\r",
            b"created by net/http.(*Server).Serve in goroutine 1",
            b"created by main.main",
            b"created by main.work[...] in goroutine 18",
            b"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47c8b2]",
            b"...additional frames elided...",
            b"goroutine 7 gp=0xc0000061c0 m=0 mp=0x58a7e0 [running]:",
        ] {
            let e = fmt().parse(l).unwrap_err();
            assert_eq!(
                e.kind,
                ParseErrorKind::Continuation,
                "{}",
                String::from_utf8_lossy(l)
            );
        }
        // A panic's own line starts a record, of level fatal, that its trace goes on from.
        for l in [
            &b"panic: runtime error: index out of range [5] with length 3"[..],
            b"fatal error: all goroutines are asleep - deadlock!",
        ] {
            assert_eq!(fmt().parse(l).unwrap().level, Some(Level::Fatal));
        }
    }

    /// Lines that end in `)` as Go's calls do, yet are none: they stay malformed.
    #[test]
    fn lines_ending_in_a_parenthesis_are_no_go_calls() {
        for l in [
            &b"retry failed (attempt 3)"[..],
            b"Connection reset by peer (os error 104)",
            b"user.login(42)",
            b"user.login(alice)",
            b"config.load(0xZZ)",
            b"config.load(0x1,0x2)",
            b"config.load(0x1, )",
            b"config.load({0x1)",
            b"config.load(0x1})",
            b"config.load(0x)",
            b"main()",
            b"(*T).M()",
            b"main.(*T)()",
            b"main.(*T.M()",
            b"main..f()",
            b"main.f[]()",
            b"/app/main.f()",
            b"a//b.f()",
            b"main.f ()",
            b"see http://example.com/a.b()",
            b"created by the operator",
            b"created by admin",
            b"created by admin in goroutine 3",
            b"created by main.main in goroutine",
            b"created by main.main in goroutine one",
            b"created by main.main yesterday",
            b"[signal lost",
            b"signal SIGSEGV: segmentation violation]",
        ] {
            let e = fmt().parse(l).unwrap_err();
            assert_eq!(
                e.kind,
                ParseErrorKind::NoTimestampOrLevel,
                "{}",
                String::from_utf8_lossy(l)
            );
        }
    }

    #[test]
    fn zookeeper_line() {
        let l = b"2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200";
        let p = fmt().parse(l).unwrap();
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(
            text(l, p.component),
            Some("QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774")
        );
        assert_eq!(
            text(l, Some(p.message)),
            Some("Notification time out: 3200")
        );
        assert_eq!(p.time.unwrap().subsec_nanos(), 747_000_000);
    }

    #[test]
    fn hdfs_spark_hadoop_apache_syslog() {
        let l =
            b"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating";
        let p = fmt().parse(l).unwrap();
        assert_eq!(
            (p.level, text(l, p.component)),
            (Some(Level::Info), Some("dfs.DataNode$PacketResponder"))
        );
        assert_eq!(p.time.unwrap().to_string(), "2008-11-09T20:36:15");

        let l = b"17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn,curi";
        let p = fmt().parse(l).unwrap();
        assert_eq!(text(l, p.component), Some("spark.SecurityManager"));
        assert_eq!(p.time.unwrap().to_string(), "2017-06-09T20:10:40");

        let l = b"2015-10-18 18:01:48,963 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Executing with tokens:";
        let p = fmt().parse(l).unwrap();
        assert_eq!(
            text(l, p.component),
            Some("org.apache.hadoop.mapreduce.v2.app.MRAppMaster")
        );
        assert_eq!(text(l, Some(p.message)), Some("Executing with tokens:"));

        let l = b"[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6";
        let p = fmt().parse(l).unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.time.unwrap().to_string(), "2005-12-04T04:47:44");
        assert_eq!(
            text(l, Some(p.message)),
            Some("mod_jk child workerEnv in error state 6")
        );

        let l = b"Jun  4 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname=";
        let p = fmt().parse(l).unwrap();
        assert_eq!((p.level, p.level_assumed), (Some(Level::Notice), true));
        assert_eq!(text(l, p.host), Some("combo"));
        assert_eq!(text(l, p.component), Some("sshd(pam_unix)"));
        assert_eq!(p.time.unwrap().to_string(), "2024-06-04T15:16:01");

        let l = b"<11>Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster";
        let p = fmt().parse(l).unwrap();
        assert_eq!((p.level, p.level_assumed), (Some(Level::Error), false));
    }

    #[test]
    fn no_time_no_level_is_an_error() {
        let e = fmt().parse(b"no time, no level here").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::NoTimestampOrLevel);
        let p = fmt().parse(b"[WARN] disk almost full").unwrap();
        assert_eq!((p.level, p.time), (Some(Level::Warn), None));
    }
}
