//! Apache's `LogFormat` (mod_log_config), translated into the pieces of an nginx
//! `log_format`, which the nginx compiler then compiles: the two describe lines the
//! same way (literals between values), so one matcher serves both.
//!
//! Each `%` directive becomes a variable with the name nginx gives the same value
//! (`%h` is `$remote_addr`, `%{Referer}i` is `$http_referer`), so typed accessors,
//! the summary and detection's presets see no difference: Apache's own `combined`
//! compiles to the `combined` preset, step for step. Three values nginx has no
//! variable for get names of logscan's own: `%D` is `$request_time_us`, `%{ms}T`
//! is `$request_time_ms` and `%{sec}t` (or `%{msec}t`, `%{usec}t`) is `$time_epoch`.
//! Another `%{layout}t` is `$time`; when its strftime layout names an instant, the
//! compiled format also keeps the layout (`NginxFormat::set_time_layout`), and the
//! record's time is read with it.

use crate::error::FormatError;
use crate::nginx::{Escape, NginxFormat, Piece};
use crate::strftime::{TimeLayout, TimeParts};

/// Compiles an Apache `LogFormat`: a whole `LogFormat "..." nickname` line, a
/// `CustomLog path "..."` line, or the format string alone.
pub(crate) fn compile(text: &str) -> Result<NginxFormat, FormatError> {
    let (format, columns) = unwrap_directive(text)?;
    if format.is_empty() {
        return Err(FormatError::Empty);
    }
    let Translated {
        pieces,
        directives,
        time_layout,
    } = translate(&format, &columns)?;
    let source = nginx_source(&pieces);
    let compiled = NginxFormat::compile_pieces(pieces, source.into(), Escape::Default);
    let mut compiled = compiled.map_err(|e| match e {
        // The nginx compiler names variables; the user wrote directives.
        FormatError::AdjacentVariables { column, .. } => {
            let at = directives.iter().position(|&(c, _)| c == column);
            let text = |i: Option<usize>| {
                i.and_then(|i| directives.get(i))
                    .map_or_else(String::new, |(_, d)| d.clone())
            };
            FormatError::AdjacentDirectives {
                first: text(at.and_then(|i| i.checked_sub(1))),
                second: text(at),
                column,
            }
        }
        other => other,
    })?;
    if let Some(parts) = time_layout {
        compiled.set_time_layout(parts);
    }
    Ok(compiled)
}

/// The format string a directive line holds, with Apache's backslash escapes
/// resolved, and for each of its bytes the column it came from in `text`.
fn unwrap_directive(text: &str) -> Result<(Vec<u8>, Vec<usize>), FormatError> {
    let bytes = text.as_bytes();
    let start = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    // On bytes: the text's first characters need not be ASCII.
    let word = |w: &str| {
        let t = trimmed.as_bytes();
        t.get(..w.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(w.as_bytes()))
            && t.get(w.len()).is_some_and(u8::is_ascii_whitespace)
    };
    let mut at = if word("LogFormat") {
        start + "LogFormat".len()
    } else if word("CustomLog") {
        // The log's path (quoted when it is a piped command), then the format.
        let mut at = skip_blanks(bytes, start + "CustomLog".len());
        at = match bytes.get(at) {
            Some(&q @ (b'"' | b'\'')) => quoted_end(bytes, at, q)?,
            _ => bytes[at..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |n| at + n),
        };
        at
    } else {
        // The format alone; a configuration's quoted argument if it is one whole.
        let end = start + trimmed.len();
        if let Some(&q @ (b'"' | b'\'')) = bytes.get(start)
            && quoted_end(bytes, start, q).ok() == Some(end)
        {
            return Ok(log_unescape(
                config_unquote(bytes, start + 1, end - 1, q),
                false,
            ));
        }
        return Ok(log_unescape(config_unquote(bytes, start, end, 0), true));
    };
    at = skip_blanks(bytes, at);
    let Some(&q @ (b'"' | b'\'')) = bytes.get(at) else {
        // `CustomLog path combined` names a format defined elsewhere.
        return Err(FormatError::NotAFormatString { column: at });
    };
    let end = quoted_end(bytes, at, q)?;
    Ok(log_unescape(
        config_unquote(bytes, at + 1, end - 1, q),
        false,
    ))
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Where the argument quoted with `quote` opening at `open` ends (one past its closing
/// quote); a backslash escapes the byte after it.
fn quoted_end(bytes: &[u8], open: usize, quote: u8) -> Result<usize, FormatError> {
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b if b == quote => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(FormatError::UnbalancedQuote {
        quote: char::from(quote),
        column: open,
    })
}

/// `bytes[from..to]` as Apache's configuration reader hands an argument quoted with
/// `quote` (0: not quoted) on: `\\` is a backslash and a backslash before the quote is
/// the quote; any other backslash stays. With each byte, the column it came from.
fn config_unquote(bytes: &[u8], from: usize, to: usize, quote: u8) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::with_capacity(to - from);
    let mut columns = Vec::with_capacity(to - from);
    let mut i = from;
    while i < to {
        let next = bytes.get(i + 1).filter(|_| i + 1 < to);
        let used = match (bytes[i], next) {
            (b'\\', Some(&n)) if n == b'\\' || (quote != 0 && n == quote) => 2,
            _ => 1,
        };
        out.push(bytes[i + used - 1]);
        columns.push(i);
        i += used;
    }
    (out, columns)
}

/// A format string with mod_log_config's escapes resolved: `\\`, `\r`, `\n` and `\t`
/// are a backslash, a carriage return, a newline and a tab; a backslash before
/// anything else stays, and what follows it is read as usual. `lenient` (a format
/// given alone, not from a configuration) also takes `\"` for a quote, as pasted from
/// a configuration.
fn log_unescape((text, at): (Vec<u8>, Vec<usize>), lenient: bool) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::with_capacity(text.len());
    let mut columns = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let (byte, used) = match (text[i], text.get(i + 1)) {
            (b'\\', Some(b'\\')) => (b'\\', 2),
            (b'\\', Some(b'r')) => (b'\r', 2),
            (b'\\', Some(b'n')) => (b'\n', 2),
            (b'\\', Some(b't')) => (b'\t', 2),
            (b'\\', Some(b'"')) if lenient => (b'"', 2),
            (b, _) => (b, 1),
        };
        out.push(byte);
        columns.push(at.get(i).copied().unwrap_or(0));
        i += used;
    }
    (out, columns)
}

struct Translated {
    pieces: Vec<Piece>,
    /// Each variable's column and the directive it came from, for errors.
    directives: Vec<(usize, String)>,
    /// The first `%{layout}t` whose layout pins down an instant (its variable's index
    /// and the layout compiled, so that its time is read), with the `%{msec_frac}t` or
    /// `%{usec_frac}t` and the `%{%z}t` written beside it.
    time_layout: Option<TimeParts>,
}

/// Splits the format into literals and directives, each directive translated.
fn translate(format: &[u8], columns: &[usize]) -> Result<Translated, FormatError> {
    let column = |i: usize| columns.get(i).copied().unwrap_or(0);
    let mut pieces = Vec::new();
    let mut directives = Vec::new();
    let mut lit = Vec::new();
    let mut quotes = Vec::new();
    let (mut layout_at, mut fraction, mut zone) = (None, None, None);
    let mut i = 0;
    while i < format.len() {
        let b = format[i];
        if b != b'%' {
            if b == b'"' {
                quotes.push(column(i));
            }
            lit.push(b);
            i += 1;
            continue;
        }
        if format.get(i + 1) == Some(&b'%') {
            lit.push(b'%');
            i += 2;
            continue;
        }
        let directive =
            Directive::read(format, i).ok_or_else(|| FormatError::UnknownDirective {
                directive: String::from_utf8_lossy(&format[i..(i + 2).min(format.len())])
                    .into_owned(),
                column: column(i),
            })?;
        let text = String::from_utf8_lossy(&format[i..directive.end]).into_owned();
        let unknown = || FormatError::UnknownDirective {
            directive: text.clone(),
            column: column(i),
        };
        // `%U%q` is the path and its query (`?a=1`, or nothing): nginx's `$request_uri`.
        let mut end = directive.end;
        let name = if directive.letter == b"U"
            && directive.arg.is_none()
            && format.get(end..end + 2) == Some(b"%q")
        {
            end += 2;
            "request_uri".to_owned()
        } else {
            directive.name().ok_or_else(unknown)?
        };
        let spec = (directive.letter == b"t")
            .then(|| directive.arg.map_or(TimeSpec::Bracketed, time_spec));
        let bracketed = matches!(spec, Some(TimeSpec::Bracketed));
        if bracketed {
            // `%t` writes its brackets itself: `[10/Oct/2000:13:55:36 -0700]`.
            lit.push(b'[');
        }
        if !lit.is_empty() {
            pieces.push(Piece::Lit(std::mem::take(&mut lit)));
        }
        // This directive's variable is the next: its index is the count so far.
        let index = directives.len();
        match spec {
            Some(TimeSpec::Layout(layout)) if layout_at.is_none() => {
                layout_at = Some((index, layout))
            }
            Some(TimeSpec::Fraction(digits)) if fraction.is_none() => {
                fraction = Some((index, digits))
            }
            Some(TimeSpec::Zone) if zone.is_none() => zone = Some(index),
            _ => {}
        }
        pieces.push(Piece::Var {
            name,
            column: column(i),
        });
        directives.push((
            column(i),
            String::from_utf8_lossy(&format[i..end]).into_owned(),
        ));
        if bracketed {
            lit.push(b']');
        }
        i = end;
    }
    if quotes.len() % 2 == 1 {
        return Err(FormatError::UnbalancedQuote {
            quote: '"',
            column: quotes.last().copied().unwrap_or(0),
        });
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    // With `%D` or `%{ms}T` beside it, `%T`'s whole seconds are not the request time:
    // kept by another name, so that the finer figure is the one read.
    let finer = pieces.iter().any(
        |p| matches!(p, Piece::Var { name, .. } if name == "request_time_us" || name == "request_time_ms"),
    );
    if finer {
        for piece in &mut pieces {
            if let Piece::Var { name, .. } = piece
                && name == "request_time"
            {
                *name = "request_time_s".to_owned();
            }
        }
    }
    let time_layout = layout_at.map(|(index, layout)| TimeParts {
        index,
        layout,
        fraction,
        zone,
    });
    Ok(Translated {
        pieces,
        directives,
        time_layout,
    })
}

/// One `%` directive: `%[!][codes][<|>][{arg}]letter`.
struct Directive<'a> {
    arg: Option<&'a str>,
    letter: &'a [u8],
    /// One past its last byte.
    end: usize,
}

impl<'a> Directive<'a> {
    /// Reads the directive at `format[at]` (a `%`); `None` if it never reaches a letter.
    fn read(format: &'a [u8], at: usize) -> Option<Directive<'a>> {
        let mut i = at + 1;
        let mut arg = None;
        loop {
            match *format.get(i)? {
                // Status conditions (`%400,501{User-agent}i`, `%!200i`) and the
                // original-or-final request modifiers decide when Apache writes `-`
                // instead of the value; the value's place in the line is the same.
                b'!' | b',' | b'<' | b'>' | b'0'..=b'9' => i += 1,
                b'{' if arg.is_none() => {
                    let close = format[i..].iter().position(|&b| b == b'}')?;
                    arg = Some(std::str::from_utf8(&format[i + 1..i + close]).ok()?);
                    i += close + 1;
                }
                b'^' => {
                    // `%{name}^ti` and `%{name}^to`: request and response trailers.
                    let letter = format.get(i..i + 3)?;
                    return matches!(letter, b"^ti" | b"^to").then_some(Directive {
                        arg,
                        letter,
                        end: i + 3,
                    });
                }
                b if b.is_ascii_alphabetic() => {
                    return Some(Directive {
                        arg,
                        letter: &format[i..i + 1],
                        end: i + 1,
                    });
                }
                _ => return None,
            }
        }
    }

    /// The nginx variable (or logscan's own name) for this directive's value.
    fn name(&self) -> Option<String> {
        let arg = self.arg.map(str::trim);
        let named = |prefix: &str| -> Option<String> {
            let arg = arg.filter(|a| !a.is_empty())?;
            Some(format!("{prefix}{}", variable_name(arg)))
        };
        Some(
            match (self.letter, arg) {
                (b"h", _) | (b"a", None) => "remote_addr",
                (b"a", Some("c")) => "peer_addr",
                (b"A", _) => "server_addr",
                (b"b" | b"B", _) => "body_bytes_sent",
                (b"O", _) => "bytes_sent",
                (b"I", _) => "request_length",
                (b"S", _) => "bytes_transferred",
                (b"D", _) => "request_time_us",
                (b"T", None | Some("s")) => "request_time",
                (b"T", Some("ms")) => "request_time_ms",
                (b"T", Some("us")) => "request_time_us",
                (b"f", _) => "request_filename",
                (b"H", _) => "server_protocol",
                (b"k", _) => "keepalive_requests",
                (b"l", _) => "remote_logname",
                (b"L", _) => "log_id",
                (b"m", _) => "request_method",
                (b"p", None | Some("canonical" | "local")) => "server_port",
                (b"p", Some("remote")) => "remote_port",
                (b"P", None | Some("pid")) => "pid",
                (b"P", Some("tid" | "hextid")) => "tid",
                // Apache's query keeps its `?`, nginx's `$args` does not.
                (b"q", _) => "query",
                (b"r", _) => "request",
                (b"R", _) => "handler",
                (b"s", _) => "status",
                (b"t", None) => "time_local",
                (b"t", Some(spec)) => match time_spec(spec) {
                    TimeSpec::Bracketed => "time_local",
                    TimeSpec::Named(name) => name,
                    TimeSpec::Layout(_)
                    | TimeSpec::Fraction(_)
                    | TimeSpec::Zone
                    | TimeSpec::Text => "time",
                },
                (b"u", _) => "remote_user",
                (b"U", _) => "uri",
                (b"v" | b"V", _) => "server_name",
                (b"X", _) => "connection_status",
                (b"i", Some(h)) if !h.is_empty() => {
                    return Some(match variable_name(h).as_str() {
                        "host" => "host".to_owned(),
                        name => format!("http_{name}"),
                    });
                }
                (b"o", _) => return named("sent_http_"),
                (b"C", _) => return named("cookie_"),
                (b"e", _) => return named("env_"),
                (b"n", _) => return named("note_"),
                // mod_ssl's `%{SSL_PROTOCOL}x` and `%{errcode}c`.
                (b"x", _) => return named(""),
                (b"c", _) => return named("ssl_"),
                (b"^ti", _) => return named("trailer_in_"),
                (b"^to", _) => return named("trailer_out_"),
                _ => return None,
            }
            .to_owned(),
        )
    }
}

/// The time `%{spec}t` writes: the `%t` layout with its brackets (no layout, as in
/// `%{begin}t`), that layout written out, seconds since the epoch, another strftime
/// layout that pins down an instant (`%{%Y-%m-%d %T}t`, read with its layout), the
/// fraction of that time's second (`msec_frac`, `usec_frac`: the digits) or its zone
/// (`%z`), or any other layout (a date alone), kept as text. The last four are `$time`.
enum TimeSpec {
    Bracketed,
    Named(&'static str),
    Layout(TimeLayout),
    Fraction(usize),
    Zone,
    Text,
}

/// What `%{spec}t` writes. The keywords are compared without blanks around them; a
/// layout keeps its blanks, which Apache writes.
fn time_spec(spec: &str) -> TimeSpec {
    // `begin` and `end` say when the time was taken, optionally before a `:` and a layout.
    let trimmed = spec.trim_start();
    let spec = ["begin", "end"]
        .iter()
        .find_map(|w| trimmed.strip_prefix(w))
        .map_or(spec, |rest| rest.strip_prefix(':').unwrap_or(rest));
    match spec.trim() {
        "" => TimeSpec::Bracketed,
        "sec" | "msec" | "usec" => TimeSpec::Named("time_epoch"),
        "msec_frac" => TimeSpec::Fraction(3),
        "usec_frac" => TimeSpec::Fraction(6),
        _ if spec == "%d/%b/%Y:%H:%M:%S %z" => TimeSpec::Named("time_local"),
        _ if spec == "%z" => TimeSpec::Zone,
        _ => TimeLayout::compile(spec).map_or(TimeSpec::Text, TimeSpec::Layout),
    }
}

/// A header or variable name as nginx spells its variables: lower case, `_` for
/// anything but letters and digits (`User-Agent` is `user_agent`).
fn variable_name(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b.to_ascii_lowercase())
            } else {
                '_'
            }
        })
        .collect()
}

/// The nginx format string the pieces stand for (`${name}` where a letter follows).
/// A `$` among the literals has no nginx spelling and is left as it is.
fn nginx_source(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Lit(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
            Piece::Var { name, .. } => {
                let glued = matches!(pieces.get(i + 1), Some(Piece::Lit(next))
                    if next.first().is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_'));
                if glued {
                    out.push_str(&format!("${{{name}}}"));
                } else {
                    out.push('$');
                    out.push_str(name);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::LogFormat;

    fn source(text: &str) -> String {
        LogFormat::from_apache(text)
            .unwrap()
            .nginx_format()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn apaches_own_formats_are_the_presets() {
        let combined =
            r#"LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"" combined"#;
        assert_eq!(
            source(combined),
            LogFormat::combined().nginx_format().unwrap()
        );
        let common = r#"LogFormat "%h %l %u %t \"%r\" %>s %b" common"#;
        assert_eq!(source(common), LogFormat::common().nginx_format().unwrap());
        let vhost = r#"LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" vhost_combined"#;
        let vhost = source(vhost).replace("bytes_sent", "body_bytes_sent");
        assert_eq!(vhost, LogFormat::vhost_combined().nginx_format().unwrap());
    }

    #[test]
    fn a_request_without_a_host_header_is_for_the_servers_name() {
        // HTTP/1.0 sends no Host header: Apache logs `-`, and `%v` names the server.
        let format = LogFormat::from_apache(r#"%v %{Host}i %h %l %u %t "%r" %>s %b"#).unwrap();
        let host = |line: &str| {
            format
                .parse(line.as_bytes())
                .unwrap()
                .host()
                .map(|h| h.to_vec())
        };
        let head = r#"10.0.0.1 - - [14/Mar/2025:06:25:00 +0000] "GET / HTTP/1.0" 200 5"#;
        assert_eq!(
            host(&format!("shop.example - {head}")),
            Some(b"shop.example".to_vec())
        );
        assert_eq!(
            host(&format!("shop.example Alias.example {head}")),
            Some(b"Alias.example".to_vec())
        );
        assert_eq!(host(&format!("- - {head}")), None);
    }

    /// nginx's `$http_host` (the Host header as sent) is the virtual host too, for a
    /// format that logs it rather than `$host`.
    #[test]
    fn http_host_is_the_virtual_host() {
        let format =
            LogFormat::from_nginx(r#"$remote_addr [$time_local] "$request" $status $http_host"#)
                .unwrap();
        assert!(format.may_have(crate::FieldKind::Host));
        let line =
            br#"10.0.0.1 [14/Mar/2025:06:25:00 +0000] "GET / HTTP/1.1" 200 shop.example:8080"#;
        let record = format.parse(line).unwrap();
        assert_eq!(record.host().as_deref(), Some(&b"shop.example:8080"[..]));
        assert_eq!(record.var("http_host"), Some(&b"shop.example:8080"[..]));
    }

    #[test]
    fn directive_lines_and_bare_strings_read_the_same() {
        let bare = r#"%h %l %u %t "%r" %>s %b %D"#;
        let want = source(bare);
        assert_eq!(
            source(r#"LogFormat "%h %l %u %t \"%r\" %>s %b %D" timed"#),
            want
        );
        assert_eq!(
            source(r#"  logformat "%h %l %u %t \"%r\" %>s %b %D""#),
            want
        );
        assert_eq!(
            source(
                r#"CustomLog "|/usr/bin/rotatelogs /var/log/a 86400" "%h %l %u %t \"%r\" %>s %b %D""#
            ),
            want
        );
        assert_eq!(
            source(r#"CustomLog logs/access_log "%h %l %u %t \"%r\" %>s %b %D""#),
            want
        );
        assert_eq!(source(r#""%h %l %u %t \"%r\" %>s %b %D""#), want);
        assert!(
            want.ends_with("$body_bytes_sent $request_time_us"),
            "{want}"
        );
    }

    #[test]
    fn directives_take_nginx_names() {
        assert_eq!(
            source(
                r#"%a %{c}a %A %B %O %I %S %{ms}T %{us}T %T %f %H %k %L %m %p %{remote}p %P %{tid}P %q %R %s %u %U %v %X"#
            ),
            "$remote_addr $peer_addr $server_addr $body_bytes_sent $bytes_sent $request_length \
             $bytes_transferred $request_time_ms $request_time_us $request_time_s $request_filename \
             $server_protocol $keepalive_requests $log_id $request_method $server_port $remote_port \
             $pid $tid $query $handler $status $remote_user $uri $server_name $connection_status"
        );
        assert_eq!(
            source(
                r#"%{X-Forwarded-For}i %{Host}i %{Set-Cookie}o %{sid}C %{UNIQUE_ID}e %{note}n %{SSL_PROTOCOL}x %{errcode}c %{Foo}^ti %{Foo}^to"#
            ),
            "$http_x_forwarded_for $host $sent_http_set_cookie $cookie_sid $env_unique_id $note_note \
             $ssl_protocol $ssl_errcode $trailer_in_foo $trailer_out_foo"
        );
        assert_eq!(
            source(r#"%{sec}t %{begin:%d/%b/%Y:%H:%M:%S %z}t %{%Y-%m-%d}t %{end:msec}t %{usec}t"#),
            "$time_epoch $time_local $time $time_epoch $time_epoch"
        );
        assert_eq!(
            source("%m %U%q %H"),
            "$request_method $request_uri $server_protocol"
        );
        assert_eq!(source("100%% %s"), "100% $status");
        assert_eq!(
            source(r#"%>s %<s %400,501{Referer}i %!200,304b"#),
            "$status $status $http_referer $body_bytes_sent"
        );
        assert_eq!(source(r#"%h\t%s\n"#), "$remote_addr\t$status\n");
        // mod_log_config's escapes: `\\`, `\r`, `\n`, `\t`; any other keeps its backslash.
        assert_eq!(source(r#"%h\r%s"#), "$remote_addr\r$status");
        assert_eq!(
            source(r#"%h \[%s\] \\%m"#),
            "$remote_addr \\[$status\\] \\$request_method"
        );
        // In a configuration's quotes the reader resolves `\\` first, then mod_log_config
        // its own escapes: `\\t` there is a tab, `\\\\` one backslash.
        assert_eq!(
            source(r#"LogFormat "%h\\t%>s" tabbed"#),
            "$remote_addr\t$status"
        );
        assert_eq!(
            source(r#"LogFormat "%h \\\\ %>s" bs"#),
            "$remote_addr \\ $status"
        );
        // Apache takes single quotes as well.
        assert_eq!(
            source(r#"LogFormat '%h %l "%r" \'%s\'' sq"#),
            r#"$remote_addr $remote_logname "$request" '$status'"#
        );
        assert_eq!(
            source(r#"CustomLog 'logs/a b' '%h %s'"#),
            "$remote_addr $status"
        );
        // A time layout, or none (`%{begin}t` is `%t`: with its brackets).
        assert_eq!(
            source(r#"%{begin}t %{end}t %{}t %{end:sec}t %{begin:%d/%b/%Y:%H:%M:%S %z}t"#),
            "[$time_local] [$time_local] [$time_local] $time_epoch $time_local"
        );
        // `%T` is the request time alone; beside a finer one, it is kept by another name.
        assert_eq!(source("%T"), "$request_time");
        assert_eq!(source("%T %D"), "$request_time_s $request_time_us");
        assert_eq!(source("%{ms}T %T"), "$request_time_ms $request_time_s");
        assert_eq!(source("%s_%m"), "${status}_$request_method");
    }

    #[test]
    fn errors_point_at_the_users_text() {
        let err = |text| LogFormat::from_apache(text).err().map(|e| e.to_string());
        assert_eq!(
            err("%h %Z %s"),
            Some("unknown or incomplete Apache directive `%Z` at column 3".into())
        );
        assert_eq!(
            err("%h %{Referer %s"),
            Some("unknown or incomplete Apache directive `%{` at column 3".into())
        );
        assert_eq!(
            err(r#"LogFormat "%h %{Foo}o %s%m" x"#),
            Some(
                "Apache directives %s and %m at column 24 have no separator between them, \
                 so a line cannot say where one ends"
                    .into()
            )
        );
        assert_eq!(
            err(r#"%h "%r %s"#),
            Some("unbalanced quote: the \" opened at column 3 is never closed".into())
        );
        assert_eq!(
            err(r#"LogFormat "%h %s"#),
            Some("unbalanced quote: the \" opened at column 10 is never closed".into())
        );
        assert_eq!(
            err("CustomLog logs/access_log combined"),
            Some("expected a quoted format string at column 26 (a nickname such as `combined` names a LogFormat defined elsewhere: give that LogFormat line)".into())
        );
        assert_eq!(err("   "), Some("the format is empty".into()));
        assert_eq!(
            err("%"),
            Some("unknown or incomplete Apache directive `%` at column 0".into())
        );
        assert_eq!(
            err("plain text"),
            Some("the format has no variables".into())
        );
        // Found by fuzzing: a first character of two bytes where `LogFormat` would end.
        assert_eq!(
            err("\u{712}IIIII(\u{712}IIIII(III(I7"),
            Some("the format has no variables".into())
        );
        assert!(LogFormat::from_apache("\u{712}IIIIIII %h").is_ok());
    }

    #[test]
    fn apache_lines_parse_with_their_units() {
        let f = LogFormat::from_apache(r#"LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %{ms}T" x"#).unwrap();
        let r = f
            .parse(br#"192.0.2.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 - "-" "curl/8" 12345 12"#)
            .unwrap();
        assert_eq!(r.request_time_us(), Some(12_345));
        assert_eq!(r.status(), Some(200));
        assert_eq!(r.body_bytes(), None);
        assert_eq!(r.path().as_deref(), Some(&b"/a"[..]));
        assert_eq!(r.timestamp().map(|t| t.unix_seconds()), Some(971_211_336));
        assert_eq!(f.name(), "apache");
        // In the fields, the numbers as written, under names that give their units.
        let fields: Vec<_> = r.fields().map(|f| (f.name, f.value)).collect();
        let value = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n.as_ref() == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value("request_time_us"), Some(crate::Value::UInt(12_345)));
        assert_eq!(value("request_time_ms"), Some(crate::Value::UInt(12)));

        let ms = LogFormat::from_apache(r#"%h %t "%r" %>s %{ms}T"#).unwrap();
        let r = ms
            .parse(br#"192.0.2.7 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 7"#)
            .unwrap();
        assert_eq!(r.request_time_us(), Some(7_000));

        let both = LogFormat::from_apache(r#"%h %T %D"#).unwrap();
        let r = both.parse(b"192.0.2.7 0 900000").unwrap();
        assert_eq!(
            r.request_time_us(),
            Some(900_000),
            "%D, not %T's whole seconds"
        );

        // Epoch times in seconds, milliseconds, microseconds: the digits say which.
        for (format, line) in [
            ("%{msec}t %h", &b"971211336123 192.0.2.7"[..]),
            ("%{usec}t %h", b"971211336123456 192.0.2.7"),
        ] {
            let f = LogFormat::from_apache(format).unwrap();
            let t = f.parse(line).unwrap().timestamp().unwrap();
            assert_eq!(t.unix_seconds(), 971_211_336, "{format}");
            assert!(t.subsec_nanos() >= 123_000_000, "{format}");
        }

        let secs = LogFormat::from_apache(r#"%{sec}t %h "%m %U%q %H" %s %T"#).unwrap();
        let r = secs
            .parse(br#"971211336 192.0.2.7 "GET /x?y=2 HTTP/1.0" 404 3"#)
            .unwrap();
        assert_eq!(r.request_time_us(), Some(3_000_000));
        assert_eq!(r.timestamp().map(|t| t.unix_seconds()), Some(971_211_336));
        assert_eq!(r.path().as_deref(), Some(&b"/x"[..]));
        assert_eq!(r.query().as_deref(), Some(&b"y=2"[..]));
        assert_eq!(r.method().as_deref(), Some(&b"GET"[..]));
    }

    /// `%{layout}t` with a strftime layout of an instant: the record's time, read in
    /// that layout, also when the time holds the blank that ends the next value.
    #[test]
    fn strftime_layouts_give_the_records_time() {
        use crate::Value;
        let time = |format: &str, line: &[u8]| {
            let f = LogFormat::from_apache(format).unwrap();
            let r = f.parse(line).unwrap();
            (r.timestamp().map(|t| t.to_string()), r.status())
        };
        let want = (Some("2024-11-27T09:05:07".to_owned()), Some(200));
        assert_eq!(
            time(
                r#"%{%Y-%m-%d %H:%M:%S}t %h "%r" %>s %b"#,
                br#"2024-11-27 09:05:07 10.0.0.1 "GET / HTTP/1.1" 200 5"#
            ),
            want
        );
        assert_eq!(
            time(
                r#"%h [%{%F %T}t] "%r" %>s"#,
                br#"10.0.0.1 [2024-11-27 09:05:07] "GET / HTTP/1.1" 200"#
            ),
            want
        );
        assert_eq!(
            time(
                r#"%h %{end:%d/%b/%Y %T %z}t %>s"#,
                br#"10.0.0.1 27/Nov/2024 09:05:07 +0100 200"#
            ),
            (Some("2024-11-27T09:05:07+01:00".to_owned()), Some(200))
        );
        // Names of varying width: the time ends where the layout says, not at the
        // first blank; and at the end of the line.
        assert_eq!(
            time(
                r#"%h %{%A %e %B %Y %T}t %>s"#,
                br#"10.0.0.1 Wednesday 27 November 2024 09:05:07 200"#
            ),
            want
        );
        assert_eq!(
            time(
                r#"%h %{%A %e %B %Y %T}t %>s %b"#,
                br#"10.0.0.1 Wednesday 27 November 2024 09:05:07 200 5"#
            ),
            want
        );
        assert_eq!(
            time(
                r#"%>s %h %{%A %e %B %Y %T}t"#,
                br#"200 10.0.0.1 Wednesday 27 November 2024 09:05:07"#
            ),
            want
        );
        // mod_log_config's own example: the fraction and the zone written apart.
        assert_eq!(
            time(
                r#"%h [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] "%r" %>s"#,
                br#"10.0.0.1 [27/Nov/2024 09:05:07.123 +0100] "GET / HTTP/1.1" 200"#
            ),
            (Some("2024-11-27T09:05:07.123+01:00".to_owned()), Some(200))
        );
        // A layout's own blanks are written, and read.
        assert_eq!(
            time(
                r#"%h %{ %F %T}t %>s"#,
                br#"10.0.0.1  2024-11-27 09:05:07 200"#
            ),
            want
        );
        // A date alone, or a time written in another language: text, no time.
        assert_eq!(
            time(r#"%h %{%Y-%m-%d}t %>s"#, br#"10.0.0.1 2024-11-27 200"#),
            (None, Some(200))
        );
        assert_eq!(
            time(
                r#"%h %{%d %b %Y %T}t %>s"#,
                br#"10.0.0.1 27 Dez 2024 09:05:07 200"#
            ),
            (None, Some(200))
        );
        // In the record's fields: a time, or the text when it is not one.
        let f = LogFormat::from_apache(r#"%h %{%F %T}t %>s"#).unwrap();
        let field = |line: &[u8]| {
            let r = f.parse(line).unwrap();
            r.fields()
                .find(|f| f.name == "time")
                .map(|f| f.value.clone())
                .map(|v| match v {
                    Value::Time(t) => t.to_string(),
                    other => format!("{other:?}"),
                })
        };
        assert_eq!(
            field(b"10.0.0.1 2024-11-27 09:05:07 200").as_deref(),
            Some("2024-11-27T09:05:07")
        );
        assert_eq!(
            field(b"10.0.0.1 2024-99-27 09:05:07 200").as_deref(),
            Some(
                r#"Str([50, 48, 50, 52, 45, 57, 57, 45, 50, 55, 32, 48, 57, 58, 48, 53, 58, 48, 55])"#
            )
        );
    }
}
