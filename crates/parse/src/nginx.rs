//! The nginx `log_format` compiler and the matcher that runs a compiled format over
//! a line, recording where each variable's value is. Typing happens later, on demand,
//! in `record.rs`.

use crate::error::{FormatError, ParseError, ParseErrorKind};
use crate::scan::{
    INDEX_LEN, LineIndex, Sep, digit_values, find_byte, is_escaped, lit_at, word_ending_at,
};
use crate::shape::{Shape, ShapeMatcher};
use crate::strftime::{Extras, TimeParts};
use crate::time::Timestamp;

/// The most variables one format may have; a record holds one span per variable
/// inline, so this bounds the record's size (and keeps parsing allocation-free).
pub(crate) const MAX_VARS: usize = 32;

/// A byte offset within an access-log line. Sixteen bits keep a record small enough
/// to be moved in registers rather than through `memcpy`, which is measurable at a
/// million lines a second; access lines longer than this are refused as too long
/// (nginx's own request-line and header buffers are far smaller).
pub(crate) type Pos = u16;

/// The longest access-log line a record can address.
pub(crate) const MAX_ACCESS_LINE: usize = Pos::MAX as usize;

/// A byte range `[start, end)` in the line. `u32` halves the record's size; lines of
/// 4 GiB or more are rejected up front.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    #[inline]
    pub(crate) fn of(self, line: &[u8]) -> &[u8] {
        line.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// The nginx variables that have a typed meaning. Any other `$name` is kept by name
/// as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Var {
    RemoteAddr,
    RemoteUser,
    TimeLocal,
    TimeIso8601,
    Msec,
    Request,
    RequestMethod,
    RequestUri,
    Uri,
    Args,
    ServerProtocol,
    Status,
    BodyBytesSent,
    BytesSent,
    RequestLength,
    RequestTime,
    /// logscan's name for a request time in whole microseconds (Apache's `%D`).
    RequestTimeMicros,
    /// logscan's name for a request time in whole milliseconds (Apache's `%{ms}T`).
    RequestTimeMillis,
    UpstreamResponseTime,
    UpstreamAddr,
    HttpReferer,
    HttpUserAgent,
    HttpXForwardedFor,
    Host,
    ServerName,
    /// logscan's name for a client written with its port (`10.0.0.1:5432`,
    /// `2001:db8::1:5432`: HAProxy's `%ci:%cp`), which is split at its last colon.
    RemoteAddrPort,
}

pub(crate) const VAR_COUNT: usize = 26;
const _: () = assert!(
    Var::RemoteAddrPort as usize + 1 == VAR_COUNT,
    "VAR_COUNT is the variant count"
);

impl Var {
    fn from_name(name: &str) -> Option<Var> {
        Some(match name {
            "remote_addr" => Var::RemoteAddr,
            "remote_user" => Var::RemoteUser,
            "time_local" => Var::TimeLocal,
            "time_iso8601" => Var::TimeIso8601,
            // `time_epoch`: Apache's `%{sec}t`, `%{msec}t`, `%{usec}t`. Both are read
            // as a JSON time is, the count of digits saying the unit (nginx's `$msec`
            // is seconds with a millisecond fraction).
            "msec" | "time_epoch" => Var::Msec,
            "request" => Var::Request,
            "request_method" => Var::RequestMethod,
            "request_uri" => Var::RequestUri,
            "uri" => Var::Uri,
            "args" | "query_string" => Var::Args,
            "server_protocol" => Var::ServerProtocol,
            "status" => Var::Status,
            "body_bytes_sent" => Var::BodyBytesSent,
            "bytes_sent" => Var::BytesSent,
            "request_length" => Var::RequestLength,
            "request_time" => Var::RequestTime,
            "request_time_us" => Var::RequestTimeMicros,
            "request_time_ms" => Var::RequestTimeMillis,
            "upstream_response_time" => Var::UpstreamResponseTime,
            "upstream_addr" => Var::UpstreamAddr,
            "http_referer" => Var::HttpReferer,
            "http_user_agent" => Var::HttpUserAgent,
            "http_x_forwarded_for" => Var::HttpXForwardedFor,
            // The Host header as the client sent it (with a port, if it gave one):
            // the virtual host when a format logs it rather than `$host`.
            "host" | "http_host" => Var::Host,
            "server_name" => Var::ServerName,
            "remote_addr_port" => Var::RemoteAddrPort,
            _ => return None,
        })
    }

    /// Whether a value can hold a space, which decides how the last variable of a
    /// format ends: at the first space, or at the end of the line. `$uri` is decoded
    /// (`%20` is logged as a space), and nginx takes a raw space in a request target,
    /// so `$request_uri` and `$args` can hold one too.
    fn may_hold_space(self) -> bool {
        matches!(
            self,
            Var::RemoteUser
                | Var::TimeLocal
                | Var::Request
                | Var::Uri
                | Var::RequestUri
                | Var::Args
                | Var::UpstreamResponseTime
                | Var::UpstreamAddr
                | Var::HttpReferer
                | Var::HttpUserAgent
                | Var::HttpXForwardedFor
        )
    }

    /// What a value must look like for the match to stand. Checking the numeric
    /// fields while matching lets an unescaped quote inside a quoted field be caught
    /// (the field after it would not be a number) and the match retried.
    fn check(self) -> Check {
        match self {
            Var::Status
            | Var::BodyBytesSent
            | Var::BytesSent
            | Var::RequestLength
            | Var::RequestTimeMicros
            | Var::RequestTimeMillis => Check::Digits,
            Var::RequestTime | Var::Msec => Check::Decimal,
            Var::RemoteAddrPort => Check::Address,
            _ => Check::Any,
        }
    }

    /// The usual width of a value, tried before searching for the separator.
    fn width_hint(self) -> u32 {
        match self {
            Var::TimeLocal => 26,   // 10/Oct/2000:13:55:36 -0700
            Var::TimeIso8601 => 25, // 2000-10-10T13:55:36-07:00
            Var::Msec => 14,        // 1700000000.123
            Var::Status => 3,       // 200
            _ => 0,
        }
    }
}

/// How a variable's value ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// At the first unescaped `"` that is followed by the rest of the literal after it.
    Quoted,
    /// At the first occurrence of the literal after it.
    Literal,
    /// Last variable, no literal after: at the first space or tab (trailing junk is
    /// kept apart).
    Token,
    /// Last variable, no literal after: at the end of the line.
    Rest,
    /// A time in the format's strftime layout, of varying width: where the time ends
    /// when the literal follows it there, else as [`End::Literal`].
    Time,
}

/// The shape a value is checked against while matching (see [`Var::check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    Any,
    /// Digits, or `-`; also `-1` and digits after a `+`, which HAProxy writes for an
    /// aborted request and under `option logasap` (the value then reads as none).
    Digits,
    /// Digits with at most a `.`, or `-`.
    Decimal,
    /// A client address, with its port or not: no blank, no `<`, `>` or `"` (which a
    /// header written before it, a syslog priority or time, would bring).
    Address,
}

impl Check {
    /// Whether `line[start..end]` has this shape. Digits of up to eight bytes are
    /// checked as one word.
    #[inline(always)]
    pub(crate) fn accepts_in(self, line: &[u8], start: usize, end: usize) -> bool {
        let len = end.wrapping_sub(start);
        if self == Check::Digits
            && (2..=8).contains(&len)
            && let Some(word) = word_ending_at(line, end)
            && digit_values(word, len).is_some()
        {
            return true;
        }
        self.accepts(line.get(start..end).unwrap_or_default())
    }

    #[inline]
    fn accepts(self, v: &[u8]) -> bool {
        match self {
            Check::Any => true,
            Check::Digits => match v {
                [] | [b'+'] => false,
                [b'-'] | [b'-', b'1'] => true,
                [b'+', digits @ ..] | digits => digits.iter().all(|&b| b.wrapping_sub(b'0') < 10),
            },
            Check::Decimal => match v {
                [] => false,
                [b'-'] => true,
                _ => v.iter().all(|&b| b.wrapping_sub(b'0') < 10 || b == b'.'),
            },
            Check::Address => {
                !v.is_empty()
                    && !v
                        .iter()
                        .any(|b| matches!(b, b' ' | b'\t' | b'<' | b'>' | b'"'))
            }
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Step {
    /// The literal that follows this variable (empty for the last one if the format
    /// ends with a variable).
    pub(crate) after: Sep,
    pub(crate) end: End,
    pub(crate) width_hint: u32,
    pub(crate) check: Check,
    /// The separator starts with a space or a tab, which a [`LineIndex`] marks.
    blank_first: bool,
}

/// nginx's `escape=` parameter: how the server escaped values (informational; the
/// matcher's backslash rule covers `default` and `json` alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Escape {
    Default,
    Json,
    None,
}

/// A compiled nginx `log_format`: the literal before the first variable, then one step
/// per variable.
#[derive(Clone, Debug)]
pub(crate) struct NginxFormat {
    /// The format string after unwrapping the directive (quotes joined, escapes
    /// resolved).
    pub(crate) source: Box<str>,
    prefix: Box<[u8]>,
    steps: Box<[Step]>,
    pub(crate) names: Box<[Box<str>]>,
    pub(crate) known: Box<[Option<Var>]>,
    /// Index of each known variable's first occurrence, `u8::MAX` if absent.
    slots: [u8; VAR_COUNT],
    /// The length of the literal before each variable (the prefix for the first),
    /// inline so that reading a value touches no other allocation.
    gaps: [Pos; MAX_VARS],
    /// Whether a value ends at a quote or a blank: lines are then matched with an
    /// index of their quotes and blanks.
    indexed: bool,
    /// The common format this one is, step for step, if any, and the code made to
    /// match it.
    shape: Option<(Shape, ShapeMatcher)>,
    #[allow(dead_code)] // kept for Debug and a later JSON-escape decoder
    pub(crate) escape: Escape,
    /// A variable whose value is a time in a strftime layout (Apache's
    /// `%{%Y-%m-%d %T}t`), by index, the layout to read it with, and the variables of
    /// its fraction and zone, if written apart.
    time_layout: Option<TimeParts>,
}

/// The result of matching a line: where each variable's value ends (a value starts
/// right after the previous value's separator, so starts need not be stored, which
/// halves what a record carries), where the matched part ends, and whether the last
/// quoted field ran to the end of the line without its quote.
#[derive(Clone, Copy)]
pub(crate) struct Matched {
    /// `ends[i + 1]` is where value `i` ends; `ends[0]` is 0, so value `i` starts at
    /// `ends[i] + gap[i]` with no special case for the first.
    pub(crate) ends: [Pos; MAX_VARS + 1],
    pub(crate) end: Pos,
    pub(crate) unterminated: bool,
}

impl Matched {
    pub(crate) const EMPTY: Matched = Matched {
        ends: [0; MAX_VARS + 1],
        end: 0,
        unterminated: false,
    };
}

/// A piece of a format: literal bytes, or a variable (by its nginx name, with the
/// column where it starts in the text the user gave, for errors).
pub(crate) enum Piece {
    Lit(Vec<u8>),
    Var { name: String, column: usize },
}

impl NginxFormat {
    /// Compiles a `log_format` directive as pasted from a config (`log_format main
    /// '...' '...';`), the quoted pieces alone, or a bare format string.
    pub(crate) fn compile(text: &str) -> Result<NginxFormat, FormatError> {
        let (format, escape) = unwrap_directive(text)?;
        Self::compile_format(&format, escape)
    }

    fn compile_format(format: &str, escape: Escape) -> Result<NginxFormat, FormatError> {
        if format.is_empty() {
            return Err(FormatError::Empty);
        }
        check_quotes(format)?;
        let pieces = tokenize(format)?;
        Self::compile_pieces(pieces, format.into(), escape)
    }

    /// Compiles a format already split into literals and variables; `source` is the
    /// nginx format string it stands for. Apache's `LogFormat` comes in here too, as
    /// the pieces its directives translate to.
    pub(crate) fn compile_pieces(
        pieces: Vec<Piece>,
        source: Box<str>,
        escape: Escape,
    ) -> Result<NginxFormat, FormatError> {
        let mut prefix = Vec::new();
        let mut names: Vec<Box<str>> = Vec::new();
        let mut afters: Vec<Vec<u8>> = Vec::new();
        let mut befores: Vec<u8> = Vec::new(); // the byte before each variable (0 if none)
        let mut last_var: Option<String> = None;
        let mut last_lit: Vec<u8> = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Lit(bytes) => {
                    if names.is_empty() {
                        prefix.extend_from_slice(&bytes);
                    } else if let Some(a) = afters.last_mut() {
                        a.extend_from_slice(&bytes);
                    }
                    last_lit = bytes;
                    last_var = None;
                }
                Piece::Var { name, column } => {
                    if let Some(first) = last_var.take() {
                        return Err(FormatError::AdjacentVariables {
                            first,
                            second: name,
                            column,
                        });
                    }
                    befores.push(last_lit.last().copied().unwrap_or(0));
                    last_lit.clear();
                    names.push(name.clone().into_boxed_str());
                    afters.push(Vec::new());
                    last_var = Some(name);
                }
            }
        }
        if names.is_empty() {
            return Err(FormatError::NoVariables);
        }
        if names.len() > MAX_VARS {
            return Err(FormatError::TooManyVariables {
                count: names.len(),
                max: MAX_VARS,
            });
        }
        let known: Vec<Option<Var>> = names.iter().map(|n| Var::from_name(n)).collect();
        let mut slots = [u8::MAX; VAR_COUNT];
        for (i, k) in known.iter().enumerate() {
            if let Some(v) = k {
                let slot = &mut slots[*v as usize];
                if *slot == u8::MAX {
                    *slot = i as u8;
                }
            }
        }
        let steps: Box<[Step]> = afters
            .into_iter()
            .enumerate()
            .map(|(i, after)| {
                let end = if after.is_empty() {
                    match known[i] {
                        Some(v) if !v.may_hold_space() => End::Token,
                        _ => End::Rest,
                    }
                } else if befores[i] == b'"' && after[0] == b'"' {
                    End::Quoted
                } else {
                    End::Literal
                };
                Step {
                    blank_first: matches!(after.first(), Some(b' ' | b'\t')),
                    after: Sep::new(after),
                    end,
                    width_hint: known[i].map_or(0, Var::width_hint),
                    check: known[i].map_or(Check::Any, Var::check),
                }
            })
            .collect();
        let indexed = steps
            .iter()
            .any(|s| s.end == End::Quoted || s.blank_first || s.end == End::Token);
        let shape = Shape::of(&prefix, &steps).map(|s| (s, s.matcher()));
        let mut gaps = [0; MAX_VARS];
        gaps[0] = Pos::try_from(prefix.len()).unwrap_or(Pos::MAX);
        for (gap, step) in gaps[1..].iter_mut().zip(steps.iter()) {
            *gap = Pos::try_from(step.after.len()).unwrap_or(Pos::MAX);
        }
        Ok(NginxFormat {
            gaps,
            source,
            prefix: prefix.into_boxed_slice(),
            steps,
            names: names.into_boxed_slice(),
            known: known.into_boxed_slice(),
            slots,
            indexed,
            shape,
            escape,
            time_layout: None,
        })
    }

    /// Says that a variable holds a time written in a strftime layout: it is then the
    /// record's time (after `$time_local`), and the matcher tries the layout's width
    /// first.
    pub(crate) fn set_time_layout(&mut self, parts: TimeParts) {
        let Some(step) = self.steps.get_mut(parts.index) else {
            return;
        };
        step.width_hint = parts.layout.width().unwrap_or(0);
        if step.width_hint == 0 && step.end == End::Literal {
            step.end = End::Time;
        }
        self.shape = Shape::of(&self.prefix, &self.steps).map(|s| (s, s.matcher()));
        self.time_layout = Some(parts);
    }

    /// The index of the variable that holds a time in a strftime layout, if any.
    pub(crate) fn layout_time_index(&self) -> Option<usize> {
        self.time_layout.as_ref().map(|parts| parts.index)
    }

    /// The time of a matched line that its strftime layout (and the fraction and zone
    /// written beside it) gives, if the format has one and the line's time reads.
    pub(crate) fn layout_time(&self, line: &[u8], ends: &[Pos; MAX_VARS + 1]) -> Option<Timestamp> {
        let parts = self.time_layout.as_ref()?;
        let value = |i: usize| self.value(line, ends, i);
        let extras = Extras {
            fraction: parts.fraction.map(|(i, digits)| (value(i), digits)),
            zone: parts.zone.map(value),
        };
        parts.layout.parse_with(value(parts.index), extras)
    }

    /// Where the value at `p` ends for an [`End::Time`] step.
    #[inline(never)]
    fn time_end(&self, line: &[u8], p: usize, after: &Sep) -> Option<usize> {
        let measured = self
            .time_layout
            .as_ref()
            .and_then(|parts| parts.layout.measure(line.get(p..)?));
        match measured {
            Some(n) if after.at(line, p + n) => Some(p + n),
            _ => find_literal(line, p, 0, after),
        }
    }

    /// The common format this one is, if any.
    #[cfg(test)]
    pub(crate) fn shape(&self) -> Option<Shape> {
        self.shape.map(|(s, _)| s)
    }

    /// Index of a known variable's value in a record's spans.
    #[inline]
    pub(crate) fn slot(&self, var: Var) -> Option<usize> {
        let s = self.slots[var as usize];
        (s != u8::MAX).then_some(usize::from(s))
    }

    /// The value of variable `i` in a line matched with `ends`.
    #[inline]
    pub(crate) fn value<'l>(
        &self,
        line: &'l [u8],
        ends: &[Pos; MAX_VARS + 1],
        i: usize,
    ) -> &'l [u8] {
        let i = i % MAX_VARS;
        let start = usize::from(ends[i]) + usize::from(self.gaps[i]);
        line.get(start..usize::from(ends[i + 1]))
            .unwrap_or_default()
    }

    /// Whether the last value of a line matched with `m` has its variable's shape. The
    /// matchers check a numeric value only where its end is searched for (there the
    /// check catches a quote that was not escaped); a last value that runs to a blank
    /// or to the end of the line is taken whole, so `… "curl" example.com` matches a
    /// format that ends in `$request_time`. Detection asks this, so that such lines do
    /// not count for that format. A last `$request_time` must be as nginx writes it,
    /// with a fraction (`0.004`, or `-`): a whole number there is another server's
    /// figure, such as Apache's `%D` in microseconds, which read as seconds would be a
    /// million times too long.
    pub(crate) fn last_value_fits(&self, line: &[u8], m: &Matched) -> bool {
        let Some(i) = self.steps.len().checked_sub(1) else {
            return true;
        };
        let step = &self.steps[i];
        let value = self.value(line, &m.ends, i);
        if self.known.get(i).copied().flatten() == Some(Var::RequestTime)
            && value != b"-"
            && !value.contains(&b'.')
        {
            return false;
        }
        !matches!(step.end, End::Token | End::Rest) || step.check.accepts(value)
    }

    /// Where value `i` is in a line matched with `ends`: `(start, end)`, which
    /// [`value`](Self::value) checks against the line.
    #[inline]
    pub(crate) fn span(&self, ends: &[Pos; MAX_VARS + 1], i: usize) -> (usize, usize) {
        let i = i % MAX_VARS;
        (
            usize::from(ends[i]) + usize::from(self.gaps[i]),
            usize::from(ends[i + 1]),
        )
    }

    /// Index of any variable by name (without the `$`).
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        let name = name.strip_prefix('$').unwrap_or(name);
        self.names.iter().position(|n| &**n == name)
    }

    pub(crate) fn var_count(&self) -> usize {
        self.names.len()
    }

    /// The literal pieces and variable names in order, for generating lines.
    pub(crate) fn layout(&self) -> (&[u8], impl Iterator<Item = (&str, &[u8])>) {
        (
            &self.prefix,
            self.names
                .iter()
                .zip(self.steps.iter())
                .map(|(n, s)| (&**n, s.after.bytes())),
        )
    }

    /// Matches `line` (without its line ending) and records where every variable's
    /// value ends. Never reads outside `line`.
    ///
    /// A straight pass handles the lines that match at the first try, which is nearly
    /// all of them; anything else (a separator missing, a numeric field that is not a
    /// number) goes to the full matcher, which can retry quoted fields and names the
    /// column of a failure. A format of a common shape goes straight to the code made
    /// for it (this much is inlined where records are made); any other to the general
    /// steps.
    #[inline(always)]
    pub(crate) fn match_line(&self, line: &[u8], m: &mut Matched) -> Result<(), ParseError> {
        if let Some((_, shaped)) = self.shape
            && line.len() <= INDEX_LEN
        {
            if shaped(line, m).is_some() {
                return Ok(());
            }
            return self.match_retrying(line, m);
        }
        self.match_general(line, m)
    }

    #[inline(never)]
    fn match_general(&self, line: &[u8], m: &mut Matched) -> Result<(), ParseError> {
        let first_try = if self.indexed && line.len() <= INDEX_LEN {
            self.match_indexed(line, &LineIndex::build(line), m)
        } else {
            self.match_first_try(line, m)
        };
        if first_try.is_some() {
            return Ok(());
        }
        self.match_retrying(line, m)
    }

    #[cold]
    #[inline(never)]
    fn match_retrying(&self, line: &[u8], m: &mut Matched) -> Result<(), ParseError> {
        *m = self.match_with_retries(line)?;
        Ok(())
    }

    /// Fills `m` in place (it is moved into the record afterwards, and building it
    /// here rather than returning it saves copying it on every line).
    #[inline]
    fn match_first_try(&self, line: &[u8], m: &mut Matched) -> Option<()> {
        if !lit_at(line, 0, &self.prefix) {
            return None;
        }
        let n = line.len();
        let mut p = self.prefix.len();
        for (slot, step) in m.ends[1..].iter_mut().zip(self.steps.iter()) {
            let e = match step.end {
                End::Quoted => find_closing_quote(line, p, p, &step.after)?,
                End::Literal => {
                    let e = find_literal(line, p, step.width_hint, &step.after)?;
                    if step.check != Check::Any && !step.check.accepts_in(line, p, e) {
                        return None;
                    }
                    e
                }
                End::Token => line[p..]
                    .iter()
                    .position(|&b| b == b' ' || b == b'\t')
                    .map_or(n, |k| p + k),
                End::Rest => n,
                End::Time => self.time_end(line, p, &step.after)?,
            };
            *slot = e as Pos;
            p = e + step.after.len();
        }
        m.end = p as Pos;
        Some(())
    }

    /// [`match_first_try`](Self::match_first_try) with the quotes and blanks that
    /// end values looked up in an index of the line instead of searched for: the same
    /// result, without a search (or a `memchr` call) per field.
    #[inline]
    pub(crate) fn match_indexed(
        &self,
        line: &[u8],
        index: &LineIndex,
        m: &mut Matched,
    ) -> Option<()> {
        if !lit_at(line, 0, &self.prefix) {
            return None;
        }
        let n = line.len();
        let mut p = self.prefix.len();
        for (slot, step) in m.ends[1..].iter_mut().zip(self.steps.iter()) {
            let e = match step.end {
                End::Quoted => index.closing_quote(line, p, &step.after)?,
                End::Literal => {
                    let hint = p + step.width_hint as usize;
                    let e = if step.width_hint != 0 && step.after.at(line, hint) {
                        hint
                    } else if step.blank_first {
                        index.blank_where(line, p, &step.after)?
                    } else {
                        find_literal(line, p, 0, &step.after)?
                    };
                    if step.check != Check::Any && !step.check.accepts_in(line, p, e) {
                        return None;
                    }
                    e
                }
                End::Token => index.next_blank(p).unwrap_or(n),
                End::Rest => n,
                End::Time => self.time_end(line, p, &step.after)?,
            };
            *slot = e as Pos;
            p = e + step.after.len();
        }
        m.end = p as Pos;
        Some(())
    }

    #[cold]
    fn match_with_retries(&self, line: &[u8]) -> Result<Matched, ParseError> {
        let mut m = Matched {
            ends: [0; MAX_VARS + 1],
            end: 0,
            unterminated: false,
        };
        if !lit_at(line, 0, &self.prefix) {
            return Err(ParseError::new(ParseErrorKind::ExpectedLiteral, 0));
        }
        let steps = &*self.steps;
        let n = line.len();
        let mut i = 0;
        let mut p = self.prefix.len();
        // The most recent quoted step, where matching resumes if a later separator is
        // missing: an unescaped quote inside a value can end it too early.
        let mut choice: Option<(usize, usize, usize)> = None;
        let mut resume_search: Option<usize> = None;
        let mut retries = 0u32;
        while i < steps.len() {
            let step = &steps[i];
            let found = match step.end {
                End::Quoted => {
                    let from = resume_search.take().unwrap_or(p);
                    find_closing_quote(line, p, from, &step.after)
                }
                End::Literal => find_literal(line, p, step.width_hint, &step.after)
                    .filter(|&e| step.check.accepts(&line[p..e])),
                End::Token => Some(
                    line[p..]
                        .iter()
                        .position(|&b| b == b' ' || b == b'\t')
                        .map_or(n, |k| p + k),
                ),
                End::Rest => Some(n),
                End::Time => self.time_end(line, p, &step.after),
            };
            match found {
                Some(e) => {
                    if step.end == End::Quoted {
                        choice = Some((i, p, e + 1));
                    }
                    m.ends[i + 1] = e as Pos;
                    p = e + step.after.len();
                    i += 1;
                }
                None if step.end == End::Quoted
                    && i + 1 == steps.len()
                    && step.after.bytes().trim_ascii_end() == b"\"" =>
                {
                    // A last quoted field cut off before its closing quote (a
                    // truncated user agent): keep what is there.
                    m.ends[i + 1] = n as Pos;
                    m.unterminated = true;
                    p = n;
                    i += 1;
                }
                None => {
                    if let Some((ci, cp, next)) = choice.take()
                        && retries < 8
                    {
                        retries += 1;
                        i = ci;
                        p = cp;
                        resume_search = Some(next);
                        continue;
                    }
                    let kind = if step.end == End::Quoted {
                        ParseErrorKind::UnterminatedQuote
                    } else {
                        ParseErrorKind::ExpectedLiteral
                    };
                    return Err(ParseError::new(kind, p));
                }
            }
        }
        m.end = p as Pos;
        Ok(m)
    }
}

/// The first occurrence of `lit` at or after `p`, trying `p + hint` first.
#[inline(always)]
fn find_literal(line: &[u8], p: usize, hint: u32, sep: &Sep) -> Option<usize> {
    let hint = hint as usize;
    if hint != 0 && sep.at(line, p + hint) {
        return Some(p + hint);
    }
    let first = *sep.bytes().first()?;
    let mut from = p;
    while from < line.len() {
        let k = find_byte(line, from, first)?;
        if sep.at(line, k) {
            return Some(k);
        }
        from = k + 1;
    }
    None
}

/// The first `"` at or after `from` that is not escaped by an odd run of backslashes
/// (counted back no further than the value's start `p`) and is followed by the rest of
/// `lit` (which starts with that quote).
#[inline(always)]
fn find_closing_quote(line: &[u8], p: usize, from: usize, sep: &Sep) -> Option<usize> {
    let mut from = from;
    while from < line.len() {
        let k = find_byte(line, from, b'"')?;
        from = k + 1;
        if is_escaped(line, p, k) {
            continue;
        }
        if sep.at(line, k) {
            return Some(k);
        }
    }
    None
}

/// Every `"` in the format must pair up, or no line could close the quoted field.
fn check_quotes(format: &str) -> Result<(), FormatError> {
    let quotes: Vec<usize> = format
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'"')
        .map(|(i, _)| i)
        .collect();
    if quotes.len() % 2 == 1 {
        let column = quotes.last().copied().unwrap_or(0);
        return Err(FormatError::UnbalancedQuote { quote: '"', column });
    }
    Ok(())
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn tokenize(format: &str) -> Result<Vec<Piece>, FormatError> {
    let bytes = format.as_bytes();
    let mut pieces = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            lit.push(bytes[i]);
            i += 1;
            continue;
        }
        let column = i;
        let (name, next) = if bytes.get(i + 1) == Some(&b'{') {
            let close = bytes[i + 2..]
                .iter()
                .position(|&b| b == b'}')
                .ok_or(FormatError::UnterminatedBrace { column })?;
            (&format[i + 2..i + 2 + close], i + 3 + close)
        } else {
            let len = bytes[i + 1..]
                .iter()
                .take_while(|&&b| is_name_byte(b))
                .count();
            (&format[i + 1..i + 1 + len], i + 1 + len)
        };
        if name.is_empty() || !name.bytes().all(is_name_byte) {
            return Err(FormatError::EmptyVariableName { column });
        }
        if !lit.is_empty() {
            pieces.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        pieces.push(Piece::Var {
            name: name.to_owned(),
            column,
        });
        i = next;
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(pieces)
}

/// Turns what the user pasted into the format string nginx would use.
///
/// `log_format NAME [escape=MODE] ARG...;` and a run of single-quoted pieces are read
/// the way nginx reads directive arguments: each argument is quoted (`'...'` or
/// `"..."`, with `\` escapes) or bare, and the arguments are joined with nothing
/// between them. Any other text, including text that starts with a double quote (as
/// `"$http_user_agent" $status` does), is taken as the format string itself.
fn unwrap_directive(text: &str) -> Result<(String, Escape), FormatError> {
    let trimmed = text.trim();
    let offset = text.len() - text.trim_start().len();
    let mut escape = Escape::Default;
    let (body, base) = if let Some(rest) = trimmed.strip_prefix("log_format")
        && rest.starts_with(|c: char| c.is_ascii_whitespace())
    {
        let mut rest_off = offset + "log_format".len();
        let mut rest = rest;
        // The format's name, then an optional escape= parameter.
        for want_name in [true, false] {
            let lead = rest.len() - rest.trim_start().len();
            rest_off += lead;
            rest = rest.trim_start();
            let tok_len = rest
                .find(|c: char| c.is_ascii_whitespace() || c == ';')
                .unwrap_or(rest.len());
            let tok = &rest[..tok_len];
            if want_name {
                if tok.starts_with(['\'', '"']) {
                    break; // no name: accept the arguments straight away
                }
            } else if let Some(mode) = tok.strip_prefix("escape=") {
                escape = match mode {
                    "default" => Escape::Default,
                    "json" => Escape::Json,
                    "none" => Escape::None,
                    other => return Err(FormatError::UnknownEscape(other.to_owned())),
                };
            } else {
                break;
            }
            rest = &rest[tok_len..];
            rest_off += tok_len;
        }
        (rest, rest_off)
    } else if trimmed.starts_with('\'') {
        (trimmed, offset)
    } else {
        return Ok((trimmed.to_owned(), escape));
    };
    let mut out = String::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if b == b';' {
            if body[i + 1..].trim().is_empty() {
                break;
            }
            return Err(FormatError::TextBetweenPieces {
                column: base + i + 1,
            });
        } else if b == b'\'' || b == b'"' {
            let open = i;
            i += 1;
            loop {
                let Some(&c) = bytes.get(i) else {
                    return Err(FormatError::UnbalancedQuote {
                        quote: char::from(b),
                        column: base + open,
                    });
                };
                if c == b {
                    i += 1;
                    break;
                }
                if c == b'\\' && i + 1 < bytes.len() {
                    let e = bytes[i + 1];
                    match e {
                        b'"' | b'\'' | b'\\' => out.push(char::from(e)),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        _ => {
                            out.push('\\');
                            i += 1;
                            continue;
                        }
                    }
                    i += 2;
                    continue;
                }
                // Copy one UTF-8 character whole.
                let ch_len = body[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&body[i..i + ch_len]);
                i += ch_len;
            }
        } else {
            // A bare argument runs to whitespace, a quote or `;`.
            let len = body[i..]
                .find(|c: char| c.is_ascii_whitespace() || c == ';' || c == '\'' || c == '"')
                .unwrap_or(body.len() - i);
            out.push_str(&body[i..i + len]);
            i += len;
        }
    }
    Ok((out, escape))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 300, failure_persistence: None, ..Default::default()
        })]

        /// The indexed pass and the straight pass succeed on the same lines with the
        /// same spans, and agree with the matcher with retries whenever they succeed
        /// (they are only faster routes to the same first match). The user agent is
        /// padded so that lines cross the index's word boundaries and its length limit.
        #[test]
        fn first_try_agrees_with_the_full_matcher(
            edits in proptest::collection::vec((0usize..600, 0u8..8, 0usize..4), 0..6),
            pad in 0usize..500,
        ) {
            let f = NginxFormat::compile(
                r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time"#,
            ).unwrap();
            let mut line = br#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a?b HTTP/1.1" 200 5 "-" "ua \"x\" y" 0.004"#.to_vec();
            let ua = line.len() - 8;
            line.splice(ua..ua, std::iter::repeat_n(b'y', pad));
            for (at, what, op) in edits {
                let at = at % (line.len() + 1);
                let byte = [b'"', b' ', b'\\', b'x', b'\t', b'7', b'-', b'.'][usize::from(what)];
                match op {
                    0 | 1 => line.insert(at, byte),
                    2 if at < line.len() => { line.remove(at); }
                    _ if at < line.len() => line[at] = byte,
                    _ => {}
                }
            }
            let mut fast = Matched::EMPTY;
            let mut indexed = Matched::EMPTY;
            let found = f.match_first_try(&line, &mut fast);
            if line.len() <= INDEX_LEN {
                let index = LineIndex::build(&line);
                let indexed_found = f.match_indexed(&line, &index, &mut indexed);
                proptest::prop_assert_eq!(indexed_found.is_some(), found.is_some());
                proptest::prop_assert_eq!(indexed.ends, fast.ends);
                proptest::prop_assert_eq!(indexed.end, fast.end);
                let mut shaped = Matched::EMPTY;
                let shape = f.shape().unwrap();
                let shaped_found = shape.matcher()(&line, &mut shaped);
                proptest::prop_assert_eq!(shaped_found.is_some(), found.is_some());
                proptest::prop_assert_eq!(shaped.ends, fast.ends);
                proptest::prop_assert_eq!(shaped.end, fast.end);
            }
            if found.is_some() {
                let full = f.match_with_retries(&line).unwrap();
                proptest::prop_assert_eq!(fast.ends, full.ends);
                proptest::prop_assert_eq!(fast.end, full.end);
            }
        }
    }

    /// The word-at-a-time shape check and the byte loop agree on every value, in
    /// every position of a line.
    #[test]
    fn shape_checks_agree() {
        let alphabet = [b'0', b'1', b'4', b'7', b'9', b'3', b'-', b'.', b' ', 0xB9];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let lead = x as usize % 11;
            let len = (x >> 8) as usize % 11;
            let mut line = vec![b'9'; lead];
            line.extend((0..len).map(|i| alphabet[(x >> (12 + 4 * i)) as usize % 10]));
            let end = line.len();
            line.extend_from_slice(b" 200");
            for check in [Check::Any, Check::Digits, Check::Decimal] {
                assert_eq!(
                    check.accepts_in(&line, lead, end),
                    check.accepts(&line[lead..end]),
                    "{check:?} {:?}",
                    &line[lead..end]
                );
            }
        }
    }

    #[test]
    fn directive_pieces_are_joined() {
        let f = NginxFormat::compile(
            "log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n   \
             '$status $body_bytes_sent';",
        )
        .unwrap();
        assert_eq!(
            &*f.source,
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent"
        );
        assert_eq!(f.var_count(), 6);
    }

    #[test]
    fn escape_parameter_and_braces() {
        let f = NginxFormat::compile("log_format j escape=json '{\"s\":\"${status}x\"}';").unwrap();
        assert_eq!(f.escape, Escape::Json);
        assert_eq!(&*f.names, &["status".into()] as &[Box<str>]);
    }

    #[test]
    fn compile_errors_are_specific() {
        assert!(matches!(
            NginxFormat::compile("$remote_addr$remote_user"),
            Err(FormatError::AdjacentVariables { column: 12, .. })
        ));
        assert!(matches!(
            NginxFormat::compile("log_format x '$status"),
            Err(FormatError::UnbalancedQuote {
                quote: '\'',
                column: 13
            })
        ));
        assert!(matches!(
            NginxFormat::compile("$status \"$request"),
            Err(FormatError::UnbalancedQuote {
                quote: '"',
                column: 8
            })
        ));
        assert!(matches!(
            NginxFormat::compile("a $ b"),
            Err(FormatError::EmptyVariableName { column: 2 })
        ));
        assert!(matches!(
            NginxFormat::compile("${status"),
            Err(FormatError::UnterminatedBrace { column: 0 })
        ));
        assert!(matches!(
            NginxFormat::compile("  "),
            Err(FormatError::Empty)
        ));
        assert!(matches!(
            NginxFormat::compile("no vars"),
            Err(FormatError::NoVariables)
        ));
        assert!(matches!(
            NginxFormat::compile("log_format x escape=xml '$status';"),
            Err(FormatError::UnknownEscape(_))
        ));
    }
}
