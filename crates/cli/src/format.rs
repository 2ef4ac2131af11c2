//! Choosing the log format: a preset, an nginx `log_format`, an Apache `LogFormat`, a
//! format taken from an nginx configuration, or a guess from the first lines of each
//! input.

use std::{
    path::Path,
    sync::{Mutex, PoisonError},
};

use logscan_parse::{FormatKind, LogFormat};

use crate::{cli::FormatArgs, error::CliError};

/// How many lines from the start of an input `--format auto` looks at.
pub const DETECT_LINES: usize = 200;

/// How many of an input's first lines the previous input's format must fit perfectly
/// to be kept (see [`FormatSpec::Auto`]).
pub const REUSE_CHECK_LINES: usize = 32;

/// The format the user asked for.
#[derive(Debug)]
pub enum FormatSpec {
    /// This format for every input.
    Fixed(LogFormat),
    /// Guess per input from its first lines.
    Auto {
        /// `--year`, for the application-log format if that is the guess.
        year: Option<i32>,
        /// The format guessed for the previous input. Inputs given together are
        /// usually one log, and scoring every format on every input's first lines
        /// costs more than scanning a small file, so the next input keeps this format
        /// while it fits perfectly ([`LogFormat::fits`], which is what detection would
        /// pick anyway) and is detected afresh when it does not.
        last: Mutex<Option<LogFormat>>,
    },
}

impl FormatSpec {
    /// Reads the format options. `--nginx-conf` is read here, once.
    pub fn from_args(args: &FormatArgs) -> Result<FormatSpec, CliError> {
        Ok(match FormatSpec::from_format_args(args)? {
            FormatSpec::Fixed(format) => FormatSpec::Fixed(match args.year {
                Some(year) => format.with_assumed_year(year),
                None => format,
            }),
            auto => auto,
        })
    }

    fn from_format_args(args: &FormatArgs) -> Result<FormatSpec, CliError> {
        // A format the user wrote out, compiled, its errors naming the option.
        let written = |origin: &str, compiled: Result<LogFormat, _>| {
            compiled
                .map(FormatSpec::Fixed)
                .map_err(|error| CliError::Format {
                    origin: origin.to_owned(),
                    error,
                })
        };
        if let Some(text) = &args.log_format {
            return written("--log-format", LogFormat::from_nginx(text));
        }
        if let Some(text) = &args.apache_format {
            return written("--apache-format", LogFormat::from_apache(text));
        }
        if let Some(conf) = &args.apache_conf {
            return from_apache_conf(conf, args.format_name.as_deref()).map(FormatSpec::Fixed);
        }
        if let Some(conf) = &args.nginx_conf {
            return from_nginx_conf(conf, args.format_name.as_deref()).map(FormatSpec::Fixed);
        }
        if !args.json_key.is_empty() {
            return json_with_keys(args).map(FormatSpec::Fixed);
        }
        match args.format.as_deref() {
            None | Some("auto") => Ok(FormatSpec::Auto {
                year: args.year,
                last: Mutex::new(None),
            }),
            // clap accepted only preset names, so parsing can fail only if the two
            // lists disagree; report it as a format error rather than panic.
            Some(name) => name
                .parse::<LogFormat>()
                .map(FormatSpec::Fixed)
                .map_err(|error| CliError::Format {
                    origin: "--format".to_owned(),
                    error,
                }),
        }
    }

    /// Whether any format option was given at all (`count` parses only then).
    pub fn given(args: &FormatArgs) -> bool {
        args.format.is_some()
            || args.log_format.is_some()
            || args.apache_format.is_some()
            || args.apache_conf.is_some()
            || args.nginx_conf.is_some()
            || !args.json_key.is_empty()
    }

    /// The format for one input: the fixed one, or a guess from `head` (`None` for
    /// an empty input, which has nothing to guess from and nothing to parse).
    pub fn for_input(
        &self,
        path: &Path,
        head: Option<&[u8]>,
    ) -> Result<Option<LogFormat>, CliError> {
        match (self, head) {
            (FormatSpec::Fixed(format), _) => Ok(Some(format.clone())),
            (FormatSpec::Auto { last, year }, Some(head)) if !head.is_empty() => {
                detect_like(last, *year, path, head).map(Some)
            }
            (FormatSpec::Auto { .. }, _) => Ok(None),
        }
    }

    /// For an input of which no line parsed: a note that the format the user named
    /// may not be the log's. `None` when some line parsed, or when the format was
    /// guessed (detection never picks a format that no first line fits).
    pub fn named_format_fits_nothing(&self, parsed: u64, malformed: u64) -> Option<String> {
        match self {
            FormatSpec::Fixed(format) if parsed == 0 && malformed > 0 => Some(format!(
                "no line parsed as the {} format ({} malformed): is it this log's? \
                 Without a format option, logscan guesses each input's format from its first lines",
                format.name(),
                logscan_stats::thousands(malformed)
            )),
            _ => None,
        }
    }

    /// Whether the format depends on the input (so its head must be read).
    pub fn needs_head(&self) -> bool {
        matches!(self, FormatSpec::Auto { .. })
    }

    /// The format for an input whose first bytes are `head` (complete lines or not; a
    /// cut last line is ignored when there is more than one).
    pub fn resolve(&self, path: &Path, head: &[u8]) -> Result<LogFormat, CliError> {
        match self {
            FormatSpec::Fixed(format) => Ok(format.clone()),
            FormatSpec::Auto { last, year } => detect_like(last, *year, path, head),
        }
    }
}

/// JSON lines with the keys of `--json-key FIELD=KEY[,KEY...]` (each given field's
/// list replaces its default). Only with `--format json` or no format.
fn json_with_keys(args: &FormatArgs) -> Result<LogFormat, CliError> {
    let error = |error| CliError::Format {
        origin: "--json-key".to_owned(),
        error,
    };
    if let Some(other) = args
        .format
        .as_deref()
        .filter(|f| !matches!(*f, "json" | "auto"))
    {
        return Err(CliError::Usage(format!(
            "--json-key is for JSON lines; it cannot go with --format {other}"
        )));
    }
    let mut builder = LogFormat::json_builder();
    for setting in &args.json_key {
        let Some((field, keys)) = setting.split_once('=') else {
            return Err(CliError::Usage(format!(
                "--json-key `{setting}` is not FIELD=KEY[,KEY...] (e.g. time=ts)"
            )));
        };
        let keys = keys.split(',').map(str::trim).filter(|k| !k.is_empty());
        builder = builder.keys_for(field.trim(), keys).map_err(error)?;
    }
    builder.build().map_err(error)
}

/// The format `last` names if it fits the first [`REUSE_CHECK_LINES`] of `head`
/// perfectly, else a fresh guess from up to [`DETECT_LINES`], which becomes `last`
/// (an application-log guess with `year`, when given).
fn detect_like(
    last: &Mutex<Option<LogFormat>>,
    year: Option<i32>,
    path: &Path,
    head: &[u8],
) -> Result<LogFormat, CliError> {
    let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(format) = last
        .as_ref()
        .filter(|f| f.fits(&head_lines(head, REUSE_CHECK_LINES)))
    {
        return Ok(format.clone());
    }
    let format = LogFormat::detect(&head_lines(head, DETECT_LINES)).ok_or_else(|| {
        CliError::UnknownFormat {
            path: path.to_owned(),
        }
    })?;
    let format = match year {
        Some(year) => format.with_assumed_year(year),
        None => format,
    };
    *last = Some(format.clone());
    Ok(format)
}

/// For a guessed access format: a hint when most first lines go on after its fields,
/// so that text is not read. When they end in a whole number after `combined`,
/// `common` or `vhost_combined`, the hint is Apache's `%D` (the request's time in microseconds): detection
/// leaves the number unread rather than guess its unit, and `--apache-format` says it.
/// Other text (`rt=0.250`) gets the options that read a whole format.
pub fn unread_number_hint(format: &LogFormat, head: &[u8]) -> Option<String> {
    if format.kind() == FormatKind::Json {
        return unread_duration_hint(format, head);
    }
    if format.kind() != FormatKind::Access {
        return None;
    }
    let (mut parsed, mut numbered, mut trailed) = (0usize, 0usize, 0usize);
    let mut example: Option<&[u8]> = None;
    for line in head_lines(head, DETECT_LINES) {
        let Ok(record) = format.parse(line) else {
            continue;
        };
        parsed += 1;
        let rest = record.trailing().trim_ascii();
        numbered += usize::from(!rest.is_empty() && rest.iter().all(u8::is_ascii_digit));
        trailed += usize::from(!rest.is_empty());
        example = example.or((!rest.is_empty()).then_some(rest));
    }
    // Most lines, not one: a stray number after a few lines is junk, not a field.
    let most = |n: usize| parsed > 0 && n * 10 >= parsed * 9;
    // Only Apache's own three: a number after another preset's fields may be anything.
    let apache_d =
        matches!(format.name(), "combined" | "common" | "vhost_combined") && most(numbered);
    if !apache_d {
        return most(trailed).then(|| {
            let example = String::from_utf8_lossy(example.unwrap_or_default());
            let example: String = example.chars().take(40).collect();
            format!(
                "the lines go on after the fields of the {} format (`{example}`), and that \
                 text is not read: to read it (a served time, say), give the whole format \
                 with --log-format (nginx's log_format) or --apache-format",
                format.name()
            )
        });
    }
    let apache = match format.name() {
        "common" => r#"%h %l %u %t \"%r\" %>s %b %D"#,
        "vhost_combined" => {
            r#"%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D"#
        }
        _ => r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D"#,
    };
    Some(format!(
        "the lines end with a whole number that the {} format does not name; if it is \
         Apache's %D (microseconds), read it as the served time with \
         --apache-format \"{apache}\" (or %T for seconds, %{{ms}}T for milliseconds)",
        format.name()
    ))
}

/// For JSON lines with no served time: a hint when most of the first lines have a
/// `duration` key, which is not read by default because its unit depends on the logger.
fn unread_duration_hint(format: &LogFormat, head: &[u8]) -> Option<String> {
    let (mut parsed, mut with_duration) = (0usize, 0usize);
    for line in head_lines(head, DETECT_LINES) {
        let Ok(record) = format.parse(line) else {
            continue;
        };
        if record.request_time_us().is_some() {
            return None;
        }
        parsed += 1;
        with_duration += usize::from(record.var("duration").is_some_and(|d| d != b"null"));
    }
    (parsed > 0 && with_duration * 10 >= parsed * 9).then(|| {
        "the lines have a `duration` key, not read as the served time because its unit \
         depends on the logger: give it with --json-key request_time=duration:go (Go's \
         slog, Caddy's duration_format ns: a fraction is seconds, a whole number \
         nanoseconds) or --json-key request_time=duration:ms (Envoy, Istio, Caddy's \
         duration_format ms)"
            .to_owned()
    })
}

/// The [`unread_number_hint`], said at most once per command: inputs given together
/// are usually one log, and one note is enough.
pub struct UnreadNumberNote {
    said: std::sync::atomic::AtomicBool,
}

impl UnreadNumberNote {
    /// A note to give if `wanted` (the command reads served times).
    pub fn new(wanted: bool) -> UnreadNumberNote {
        UnreadNumberNote {
            said: std::sync::atomic::AtomicBool::new(!wanted),
        }
    }

    /// Gives the note for an input whose format was guessed from `head`, if it applies
    /// and has not been given yet.
    pub fn check(
        &self,
        spec: &FormatSpec,
        format: &LogFormat,
        path: &Path,
        head: Option<&[u8]>,
        notes: &crate::notes::Notes,
    ) {
        use std::sync::atomic::Ordering;
        if spec.needs_head()
            && !self.said.load(Ordering::Relaxed)
            && let Some(hint) = head.and_then(|head| unread_number_hint(format, head))
        {
            self.said.store(true, Ordering::Relaxed);
            notes.note(format_args!("{}: {hint}", path.display()));
        }
    }
}

/// Up to `max` complete lines from the start of `head`, without their line endings.
/// A last line without a newline counts only when it is the only line: it may have
/// been cut by the end of the sample.
fn head_lines(head: &[u8], max: usize) -> Vec<&[u8]> {
    let mut lines = Vec::with_capacity(max.min(64));
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', head).take(max) {
        let line = &head[start..end];
        lines.push(line.strip_suffix(b"\r").unwrap_or(line));
        start = end + 1;
    }
    if lines.is_empty() && !head.is_empty() {
        lines.push(head.strip_suffix(b"\r").unwrap_or(head));
    }
    lines
}

/// One `log_format` directive found in an nginx configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The format's name.
    pub name: String,
    /// The directive rebuilt without comments, for [`LogFormat::from_nginx`].
    pub text: String,
    /// The 1-based line where it starts.
    pub line: u64,
}

/// A web server's configuration file as text (a byte that is not UTF-8 cannot be in
/// a format anyway).
fn read_conf(path: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|e| logscan_source::Error::Io {
        path: path.to_owned(),
        source: e,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// What is wrong with the configuration at `path`, at `line` if one.
fn conf_error(path: &Path, message: String, line: Option<u64>) -> CliError {
    CliError::ConfFile {
        path: path.to_owned(),
        message,
        line,
    }
}

/// Reads an nginx configuration's format: see [`choose_nginx_format`].
pub fn from_nginx_conf(path: &Path, name: Option<&str>) -> Result<LogFormat, CliError> {
    let conf_error = |(message, line)| conf_error(path, message, line);
    let text = read_conf(path)?;
    let formats =
        log_formats(&text).map_err(|(message, line)| conf_error((message, Some(line))))?;
    // With a name, the access_log lines play no part, so one nginx would refuse cannot
    // stand in the way.
    let logs = match name {
        Some(_) => Vec::new(),
        None => access_logs(&text).map_err(|(message, line)| conf_error((message, Some(line))))?,
    };
    match choose_nginx_format(&formats, &logs, name).map_err(conf_error)? {
        NginxChoice::Combined => {
            LogFormat::from_nginx(NGINX_COMBINED).map_err(|error| CliError::ConfFile {
                path: path.to_owned(),
                message: format!("nginx's combined: {error}"),
                line: None,
            })
        }
        NginxChoice::Defined(chosen) => {
            LogFormat::from_nginx(&chosen.text).map_err(|error| CliError::ConfFile {
                path: path.to_owned(),
                message: format!("log_format {}: {error}", chosen.name),
                line: Some(chosen.line),
            })
        }
    }
}

/// The format nginx writes with when an `access_log` names none. nginx defines it
/// itself (a `log_format` of that name is refused as a duplicate), so a configuration
/// that uses it need not define it.
const NGINX_PREDEFINED: &str = "combined";

/// What nginx's predefined `combined` writes: `-` where Apache's has `%l`, so its
/// records have no `remote_logname`.
const NGINX_COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;

/// The format [`choose_nginx_format`] picks.
#[derive(Debug, PartialEq, Eq)]
enum NginxChoice<'d> {
    /// A `log_format` of the file.
    Defined(&'d Directive),
    /// nginx's predefined `combined`.
    Combined,
}

/// Which format an nginx configuration's logs are read with: the `log_format` `name`
/// names (`combined` is nginx's own unless the file defines it); without a name, the
/// one its `access_log` directives write with, else its only `log_format`. The
/// `access_log` rule is Apache's `CustomLog` rule: the directives that write a log
/// say which format it is in, where several defined formats alone cannot. An error
/// is its message and the line it concerns, if one.
fn choose_nginx_format<'d>(
    formats: &'d [Directive],
    logs: &[AccessLog],
    name: Option<&str>,
) -> Result<NginxChoice<'d>, (String, Option<u64>)> {
    let defined = |name: &str| formats.iter().find(|d| d.name == name);
    let names = || {
        formats
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = name {
        return match defined(name) {
            Some(chosen) => Ok(NginxChoice::Defined(chosen)),
            None if name == NGINX_PREDEFINED => Ok(NginxChoice::Combined),
            None if formats.is_empty() => Err(("has no log_format directive".to_owned(), None)),
            None => Err((
                format!("no log_format named `{name}` (it defines: {})", names()),
                None,
            )),
        };
    }
    // Each format written with, once, with the first access_log that names it.
    let mut used: Vec<(&str, u64)> = Vec::new();
    for log in logs {
        if let Some(format) = log.format.as_deref()
            && !used.iter().any(|(seen, _)| *seen == format)
        {
            used.push((format, log.line));
        }
    }
    match used.as_slice() {
        [] => match formats {
            [] => Err(("has no log_format directive".to_owned(), None)),
            [only] => Ok(NginxChoice::Defined(only)),
            _ => Err((
                format!(
                    "defines several log_format directives ({}); pick one with --format-name",
                    names()
                ),
                None,
            )),
        },
        [(format, line)] => match defined(format) {
            Some(chosen) => Ok(NginxChoice::Defined(chosen)),
            None if *format == NGINX_PREDEFINED => Ok(NginxChoice::Combined),
            None => Err((
                format!("access_log uses `{format}`, which no log_format defines"),
                Some(*line),
            )),
        },
        several => Err((
            format!(
                "its access_log directives use several formats ({}); pick one with --format-name",
                several
                    .iter()
                    .map(|(format, _)| *format)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        )),
    }
}

/// The format of an Apache configuration's `LogFormat` lines: the one `name` names;
/// without a name, the one every `CustomLog` line uses (by nickname or written out),
/// else the only `LogFormat`.
pub fn from_apache_conf(path: &Path, name: Option<&str>) -> Result<LogFormat, CliError> {
    let conf_error = |message, line| conf_error(path, message, line);
    let text = read_conf(path)?;
    let lines = apache_directives(&text);
    // (nickname, directive text, line); a LogFormat without a nickname is the
    // default format, which Apache calls nothing and we call `default`.
    let mut formats: Vec<(String, &str, u64)> = Vec::new();
    // What each CustomLog line logs with: a nickname, or a format written out (then
    // the line itself, which compiles as it stands), and its line.
    let mut uses: Vec<(Result<String, String>, &str, u64)> = Vec::new();
    for (line, directive) in &lines {
        let args = apache_args(directive);
        match args.first().map(|a| a.to_ascii_lowercase()).as_deref() {
            Some("logformat") => {
                let nickname = args.get(2).cloned().unwrap_or_else(|| "default".to_owned());
                formats.push((nickname, directive, *line));
            }
            Some("customlog") => match args.get(2) {
                Some(arg) if arg.contains('%') => uses.push((Err(arg.clone()), directive, *line)),
                Some(nickname) => uses.push((Ok(nickname.to_ascii_lowercase()), directive, *line)),
                None => {}
            },
            _ => {}
        }
    }
    let names = || {
        let mut names: Vec<&str> = Vec::new();
        for (n, ..) in &formats {
            if !names.iter().any(|seen| seen.eq_ignore_ascii_case(n)) {
                names.push(n);
            }
        }
        names.join(", ")
    };
    let compile = |text: &str, what: &str, line: u64| {
        LogFormat::from_apache(text)
            .map_err(|error| conf_error(format!("{what}: {error}"), Some(line)))
    };
    // Apache looks nicknames up without regard to case; a later definition wins.
    let defined = |nickname: &str| {
        formats
            .iter()
            .rev()
            .find(|(n, ..)| n.eq_ignore_ascii_case(nickname))
    };
    if let Some(name) = name {
        return match defined(name) {
            Some((n, text, line)) => compile(text, &format!("LogFormat {n}"), *line),
            None if formats.is_empty() => Err(conf_error("has no LogFormat line".into(), None)),
            None => Err(conf_error(
                format!("no LogFormat nicknamed `{name}` (it defines: {})", names()),
                None,
            )),
        };
    }
    let mut used: Vec<&(Result<String, String>, &str, u64)> = Vec::new();
    for u in &uses {
        if !used.iter().any(|seen| seen.0 == u.0) {
            used.push(u);
        }
    }
    match used.as_slice() {
        [(Ok(nickname), _, line)] => match defined(nickname) {
            Some((n, text, line)) => compile(text, &format!("LogFormat {n}"), *line),
            None => Err(conf_error(
                format!("CustomLog uses `{nickname}`, which no LogFormat line defines"),
                Some(*line),
            )),
        },
        [(Err(_), directive, line)] => compile(directive, "CustomLog", *line),
        [] => match formats.as_slice() {
            [] => Err(conf_error("has no LogFormat line".into(), None)),
            [(n, text, line)] => compile(text, &format!("LogFormat {n}"), *line),
            _ => Err(conf_error(
                format!(
                    "defines several LogFormat lines ({}); pick one with --format-name",
                    names()
                ),
                None,
            )),
        },
        _ => Err(conf_error(
            format!(
                "its CustomLog lines use several formats; pick one with --format-name (it defines: {})",
                names()
            ),
            None,
        )),
    }
}

/// The directives of an Apache configuration with their first line numbers, as
/// Apache reads them: a line whose last character is `\` goes on with the next line
/// as it stands (indentation included, comment lines too), then comment and blank
/// lines are dropped. A directive keeps its leading blanks, so that the columns a
/// format error names are columns of its first line in the file (of a directive
/// continued over several lines, they count on through the joined text).
fn apache_directives(text: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u64, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (number, mut joined) = pending.take().unwrap_or((i as u64 + 1, String::new()));
        match raw.strip_suffix('\\') {
            Some(part) => {
                joined.push_str(part);
                pending = Some((number, joined));
            }
            None => {
                joined.push_str(raw);
                out.push((number, joined));
            }
        }
    }
    out.extend(pending);
    out.retain(|(_, d)| {
        let d = d.trim_start();
        !d.is_empty() && !d.starts_with('#')
    });
    out
}

/// A directive's arguments, as Apache splits them: blank-separated words, an
/// argument in double or single quotes kept whole (its backslash escapes left for the format
/// compiler), quotes removed.
fn apache_args(directive: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = directive.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut arg = String::new();
        if c == '"' || c == '\'' {
            let quote = c;
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        arg.push(c);
                        arg.extend(chars.next());
                    }
                    c if c == quote => break,
                    _ => arg.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                arg.push(c);
                chars.next();
            }
        }
        args.push(arg);
    }
    args
}

/// A token of nginx's configuration syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word or a quoted string, unescaped as nginx does.
    Word { text: String, quoted: bool },
    /// `;`
    End,
    /// `{`
    Open,
    /// `}`
    Close,
}

/// One `access_log` directive of an nginx configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLog {
    /// The format it writes with: its second argument (the first is where to), or
    /// nginx's predefined `combined` when it has none; `None` for `access_log off;`.
    /// What follows the format (`buffer=32k gzip flush=5m if=$loggable`) is options.
    pub format: Option<String>,
    /// The 1-based line where it starts.
    pub line: u64,
}

/// Finds every `log_format` directive, at any block depth. Errors (an unclosed quote
/// or an unfinished directive) carry the line they start on.
pub fn log_formats(conf: &str) -> Result<Vec<Directive>, (String, u64)> {
    statements(&tokenize(conf)?, "log_format")?
        .into_iter()
        .map(|(line, args)| {
            let Some((name, rest)) = args.split_first() else {
                return Err(("log_format without a name".into(), line));
            };
            Ok(Directive {
                name: (*name).to_owned(),
                text: rebuild(name, rest),
                line,
            })
        })
        .collect()
}

/// Finds every `access_log` directive, at any block depth, as nginx reads its
/// arguments: `off`, or a path (a file, or `syslog:server=...`) then the format.
pub fn access_logs(conf: &str) -> Result<Vec<AccessLog>, (String, u64)> {
    Ok(statements(&tokenize(conf)?, "access_log")?
        .into_iter()
        .filter_map(|(line, args)| {
            let format = match args.as_slice() {
                // nginx refuses an access_log without arguments; it writes no log.
                [] => return None,
                ["off"] => None,
                [_path] => Some(NGINX_PREDEFINED.to_owned()),
                [_path, format, ..] => Some((*format).to_owned()),
            };
            Some(AccessLog { format, line })
        })
        .collect())
}

/// A directive of an nginx configuration: the line it starts on and its arguments.
type Statement<'t> = (u64, Vec<&'t str>);

/// Every simple directive called `name`, at any block depth but inside `stream {}`
/// and `mail {}`: those blocks' logs are of TCP/UDP sessions and mail, not of HTTP
/// requests, so their `log_format` and `access_log` are not the HTTP log's. A
/// directive is a word at the start of a statement (a word inside another
/// directive's arguments is no directive), ended by `;`.
fn statements<'t>(
    tokens: &'t [(u64, Token)],
    name: &str,
) -> Result<Vec<Statement<'t>>, (String, u64)> {
    let mut out = Vec::new();
    let mut statement_start = true;
    // The first word of the statement being read, which names the block it opens.
    let mut first_word: Option<&str> = None;
    // For each open block: whether it is (or is inside) a stream or mail block.
    let mut not_http: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (line, token) = &tokens[i];
        let is_named = matches!(token, Token::Word { text, quoted: false } if text == name);
        if statement_start && is_named {
            let mut args = Vec::new();
            let mut j = i + 1;
            loop {
                match tokens.get(j) {
                    Some((_, Token::Word { text, .. })) => args.push(text.as_str()),
                    Some((_, Token::End)) => break,
                    Some((_, Token::Open | Token::Close)) | None => {
                        return Err((format!("{name} directive is not ended by `;`"), *line));
                    }
                }
                j += 1;
            }
            if !not_http.last().copied().unwrap_or(false) {
                out.push((*line, args));
            }
            i = j + 1;
            statement_start = true;
            first_word = None;
            continue;
        }
        match token {
            Token::Word { text, .. } => {
                if statement_start {
                    first_word = Some(text.as_str());
                }
            }
            Token::Open => {
                let inside = not_http.last().copied().unwrap_or(false);
                not_http.push(inside || matches!(first_word, Some("stream" | "mail")));
                first_word = None;
            }
            Token::Close => {
                not_http.pop();
                first_word = None;
            }
            Token::End => first_word = None,
        }
        statement_start = !matches!(token, Token::Word { .. });
        i += 1;
    }
    Ok(out)
}

/// Writes a directive back with every argument single-quoted, escaping `'` and `\`,
/// which [`LogFormat::from_nginx`] reads back to the same arguments.
fn rebuild(name: &str, args: &[&str]) -> String {
    let mut text = format!("log_format {name}");
    for (k, arg) in args.iter().enumerate() {
        text.push(' ');
        if k == 0 && arg.starts_with("escape=") {
            text.push_str(arg);
            continue;
        }
        text.push('\'');
        for c in arg.chars() {
            if c == '\'' || c == '\\' {
                text.push('\\');
            }
            text.push(c);
        }
        text.push('\'');
    }
    text.push(';');
    text
}

fn tokenize(conf: &str) -> Result<Vec<(u64, Token)>, (String, u64)> {
    let mut tokens = Vec::new();
    let mut chars = conf.chars().peekable();
    let mut line = 1u64;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            ';' => tokens.push((line, Token::End)),
            '{' => tokens.push((line, Token::Open)),
            '}' => tokens.push((line, Token::Close)),
            '\'' | '"' => {
                let quote = c;
                let start = line;
                let mut text = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        c if c == quote => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.next() {
                            // nginx unescapes these four; any other pair stays as written.
                            Some(e @ ('"' | '\'' | '\\')) => text.push(e),
                            Some('n') => text.push('\n'),
                            Some('r') => text.push('\r'),
                            Some('t') => text.push('\t'),
                            Some(other) => {
                                if other == '\n' {
                                    line += 1;
                                }
                                text.push('\\');
                                text.push(other);
                            }
                            None => text.push('\\'),
                        },
                        '\n' => {
                            line += 1;
                            text.push('\n');
                        }
                        c => text.push(c),
                    }
                }
                if !closed {
                    return Err((format!("the {quote} opened here is never closed"), start));
                }
                tokens.push((start, Token::Word { text, quoted: true }));
            }
            _ => {
                let mut text = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, ';' | '{' | '}' | '\'' | '"') {
                        break;
                    }
                    text.push(n);
                    chars.next();
                }
                tokens.push((
                    line,
                    Token::Word {
                        text,
                        quoted: false,
                    },
                ));
            }
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_after_a_guessed_formats_fields_is_pointed_out() {
        let combined = b"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"c\" 1234\n";
        let hint = unread_number_hint(&LogFormat::combined(), combined).expect("a hint");
        assert!(hint.contains(r#"\"%{User-Agent}i\" %D"#), "{hint}");
        let common = b"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 1234\n";
        let hint = unread_number_hint(&LogFormat::common(), common).expect("a hint");
        assert!(hint.contains(r#"%>s %b %D""#), "{hint}");
        // vhost_combined's own fields, then %D; and that format reads the number.
        let vhost = b"www.example.com:443 192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"c\" 1234\n";
        let hint = unread_number_hint(&LogFormat::vhost_combined(), vhost).expect("a hint");
        let apache = r#"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D"#;
        assert!(hint.contains(&apache.replace('"', r#"\""#)), "{hint}");
        let record = LogFormat::from_apache(apache).unwrap();
        let record = record.parse(&vhost[..vhost.len() - 1]).unwrap();
        assert_eq!(record.request_time_us(), Some(1234));
        assert_eq!(record.host().as_deref(), Some(&b"www.example.com"[..]));
        // Nothing after the fields: no hint.
        let plain =
            b"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"c\"\n";
        assert_eq!(unread_number_hint(&LogFormat::combined(), plain), None);
        // Other text after the fields: the options that read a whole format.
        let host = b"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"c\" rt=0.250\n";
        let hint = unread_number_hint(&LogFormat::combined(), host).expect("a hint");
        assert!(
            hint.contains("(`rt=0.250`)") && hint.contains("--log-format"),
            "{hint}"
        );
        // A number after another preset's fields may be anything: the general hint.
        let timed = b"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"c\" 0.004 17\n";
        let hint = unread_number_hint(&LogFormat::combined_timed(), timed).expect("a hint");
        assert!(!hint.contains("%D") && hint.contains("(`17`)"), "{hint}");
        // One line of many going on is junk, not a field.
        let mut mostly_plain = plain.repeat(9);
        mostly_plain.extend_from_slice(host);
        mostly_plain.extend_from_slice(host);
        assert_eq!(
            unread_number_hint(&LogFormat::combined(), &mostly_plain),
            None
        );
    }

    #[test]
    fn apache_configuration_lines_join_as_apache_joins_them() {
        let conf = "# a comment \\\n  that goes on\nLogFormat \"%h \\\n    %s\" x\n\n  CustomLog a \"%h\" \\ \n";
        assert_eq!(
            apache_directives(conf),
            [
                (3, "LogFormat \"%h     %s\" x".to_owned()),
                // A backslash followed by a blank is no continuation.
                (6, "  CustomLog a \"%h\" \\ ".to_owned()),
            ]
        );
        assert_eq!(
            apache_args(r#"LogFormat "%h \"%r\" %s" common"#),
            ["LogFormat", r#"%h \"%r\" %s"#, "common"]
        );
        assert_eq!(
            apache_args(r#"LogFormat '%h "%r" %s' common"#),
            ["LogFormat", r#"%h "%r" %s"#, "common"]
        );
    }

    #[test]
    fn apache_conf_errors_name_the_column_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("httpd.conf");
        std::fs::write(&path, "\n    LogFormat \"%h %Z %s\" bad\n").unwrap();
        let err = from_apache_conf(&path, None).unwrap_err();
        assert!(
            matches!(err, CliError::ConfFile { line: Some(2), .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().ends_with(
                "LogFormat bad: unknown or incomplete Apache directive `%Z` at column 18"
            ),
            "{err}"
        );
        std::fs::write(&path, "CustomLog \"logs/access_log\" \"%h %Z %s\"\n").unwrap();
        let err = from_apache_conf(&path, None).unwrap_err().to_string();
        assert!(err.ends_with("`%Z` at column 32"), "{err}");
        // Nicknames are looked up without regard to case, and listed once.
        std::fs::write(
            &path,
            "LogFormat \"%h\" Common\nLogFormat \"%h %s\" common\nLogFormat \"%s\" other\nCustomLog x COMMON\n",
        )
        .unwrap();
        let f = from_apache_conf(&path, None).unwrap();
        assert_eq!(
            f.nginx_format(),
            Some("$remote_addr $status"),
            "the later definition"
        );
        let err = from_apache_conf(&path, Some("none"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("(it defines: Common, other)"), "{err}");
    }

    const CONF: &str = r#"
# a comment with log_format fake 'x';
http {
    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '   # why
                      '$status $body_bytes_sent "$http_referer" '
                      "\"$http_user_agent\" it's";
    log_format timed escape=json '{"t":"$time_iso8601","s":$status}';
    server { access_log /var/log/nginx/access.log main; }
}
"#;

    #[test]
    fn directives_are_found_with_comments_and_both_quotes() {
        let found = log_formats(CONF).expect("parses");
        let names: Vec<_> = found.iter().map(|d| (d.name.as_str(), d.line)).collect();
        assert_eq!(names, [("main", 4), ("timed", 7)]);
        let main = LogFormat::from_nginx(&found[0].text).expect("compiles");
        assert_eq!(
            main.nginx_format(),
            Some(
                r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" it's"#
            )
        );
        let timed = LogFormat::from_nginx(&found[1].text).expect("compiles");
        assert_eq!(
            timed.nginx_format(),
            Some(r#"{"t":"$time_iso8601","s":$status}"#)
        );
    }

    #[test]
    fn broken_configs_name_the_line() {
        assert_eq!(
            log_formats("\n\nlog_format x '$status;\n").unwrap_err().1,
            3,
            "unclosed quote"
        );
        assert_eq!(log_formats("log_format x '$status'\n}").unwrap_err().1, 1);
        assert_eq!(log_formats("log_format ;").unwrap_err().1, 1);
        assert!(
            log_formats("access_log off; log_format_x y;")
                .unwrap()
                .is_empty()
        );
    }

    /// What `choose_nginx_format` picks from `conf`: a defined format's name,
    /// `predefined combined`, or the error's message and line.
    fn nginx_choice(conf: &str, name: Option<&str>) -> Result<String, (String, Option<u64>)> {
        let formats = log_formats(conf).expect("log_formats parse");
        let logs = access_logs(conf).expect("access_logs parse");
        choose_nginx_format(&formats, &logs, name).map(|choice| match choice {
            NginxChoice::Defined(d) => d.name.clone(),
            NginxChoice::Combined => "predefined combined".to_owned(),
        })
    }

    const TWO: &str = "log_format main '$remote_addr $status';\nlog_format timed '$remote_addr $status $request_time';\n";

    /// `stream {}` and `mail {}` log sessions, not HTTP requests: their formats and
    /// logs take no part in choosing the HTTP log's format.
    #[test]
    fn stream_and_mail_blocks_are_not_the_http_log() {
        let conf = "http {\n  log_format main '$remote_addr $status';\n  include sites/*;\n}\n\
                    stream {\n  log_format tcp '$remote_addr $protocol $status';\n  \
                    server { access_log /var/log/nginx/stream.log tcp; }\n}\n\
                    mail { server { access_log /var/log/mail.log main2; } }\n";
        assert_eq!(nginx_choice(conf, None), Ok("main".into()));
        assert_eq!(
            log_formats(conf)
                .unwrap()
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>(),
            ["main"]
        );
        // A block named otherwise, at any depth, is read.
        let conf = "http { server { location /s { access_log /a.log timed; } } }\n";
        assert_eq!(
            nginx_choice(&format!("{TWO}{conf}"), None),
            Ok("timed".into())
        );
    }

    #[test]
    fn the_format_an_access_log_names_is_chosen() {
        let with = |rest: &str| nginx_choice(&format!("{TWO}{rest}"), None);
        assert_eq!(
            with("server { access_log /var/log/nginx/access.log timed; }"),
            Ok("timed".into())
        );
        // Options after the name, a syslog target, quotes: the second argument is the
        // format all the same.
        assert_eq!(
            with("access_log /var/log/a.log.gz timed buffer=32k gzip flush=5m if=$loggable;"),
            Ok("timed".into())
        );
        assert_eq!(
            with("access_log syslog:server=unix:/dev/log,tag=nginx,severity=info main;"),
            Ok("main".into())
        );
        assert_eq!(
            with("access_log \"/var/log/a b.log\" 'timed';"),
            Ok("timed".into())
        );
        // Over several lines, with a comment between the arguments.
        assert_eq!(
            with("access_log\n    /var/log/a.log  # where\n    timed\n    buffer=32k;\n"),
            Ok("timed".into())
        );
        // The same format from several places is one format; `off` names none.
        assert_eq!(
            with(
                "server { access_log /a.log main; }\nserver { access_log off; access_log /b.log main; }"
            ),
            Ok("main".into())
        );
        // A commented-out access_log and a word inside another directive are not ones.
        assert_eq!(
            with("# access_log /a.log main;\nset $x access_log;\naccess_log /b.log timed;"),
            Ok("timed".into())
        );
    }

    #[test]
    fn an_access_log_without_a_format_writes_nginxs_combined() {
        let with = |rest: &str| nginx_choice(&format!("{TWO}{rest}"), None);
        assert_eq!(
            with("access_log /var/log/nginx/access.log;"),
            Ok("predefined combined".into())
        );
        assert_eq!(
            with("access_log /var/log/nginx/access.log combined;"),
            Ok("predefined combined".into())
        );
        // No log_format at all is no error then.
        assert_eq!(
            nginx_choice("access_log /a.log;", None),
            Ok("predefined combined".into())
        );
        assert_eq!(
            nginx_choice(TWO, Some("combined")),
            Ok("predefined combined".into())
        );
        // A file that defines its own `combined` (nginx refuses it) is taken at its word.
        let own = "log_format combined '$status';\nlog_format other '$status';\naccess_log /a.log;";
        assert_eq!(nginx_choice(own, None), Ok("combined".into()));
    }

    #[test]
    fn without_access_logs_the_only_log_format_is_chosen() {
        assert_eq!(
            nginx_choice("log_format main '$status';", None),
            Ok("main".into())
        );
        for conf in [TWO.to_owned(), format!("{TWO}access_log off;")] {
            assert_eq!(
                nginx_choice(&conf, None),
                Err((
                    "defines several log_format directives (main, timed); pick one with --format-name"
                        .into(),
                    None
                )),
                "{conf}"
            );
        }
        assert_eq!(
            nginx_choice("access_log off;", None),
            Err(("has no log_format directive".into(), None))
        );
        assert_eq!(
            nginx_choice("log_format main '$status';\naccess_log off;", None),
            Ok("main".into())
        );
    }

    #[test]
    fn several_access_log_formats_ask_for_a_name() {
        let conf = format!(
            "{TWO}server {{ access_log /a.log timed; }}\nserver {{ access_log /b.log main; }}\nserver {{ access_log /c.log; }}"
        );
        let (message, line) = nginx_choice(&conf, None).unwrap_err();
        assert_eq!(
            message,
            "its access_log directives use several formats (timed, main, combined); pick one with --format-name"
        );
        assert_eq!(line, None);
        assert!(!message.contains('\n'));
        // --format-name wins over any access_log.
        assert_eq!(nginx_choice(&conf, Some("main")), Ok("main".into()));
        assert_eq!(
            nginx_choice(&format!("{TWO}access_log /a.log timed;"), Some("main")),
            Ok("main".into())
        );
        assert_eq!(
            nginx_choice(&conf, Some("json")),
            Err((
                "no log_format named `json` (it defines: main, timed)".into(),
                None
            ))
        );
    }

    #[test]
    fn an_access_log_format_that_is_not_defined_names_its_line() {
        let conf = format!("{TWO}\nhttp {{\n  access_log /a.log  json  buffer=4k;\n}}");
        assert_eq!(
            nginx_choice(&conf, None),
            Err((
                "access_log uses `json`, which no log_format defines".into(),
                Some(5)
            ))
        );
        assert_eq!(
            access_logs("access_log /a.log main\n}").unwrap_err(),
            ("access_log directive is not ended by `;`".into(), 1)
        );
    }

    fn auto() -> FormatSpec {
        FormatSpec::Auto {
            year: None,
            last: Mutex::new(None),
        }
    }

    #[test]
    fn head_lines_are_complete_lines_without_endings() {
        let lines = |head: &'static [u8], max| head_lines(head, max);
        assert_eq!(lines(b"a\r\nb\nc", 5), [&b"a"[..], b"b"]);
        assert_eq!(lines(b"1\n2\n3\n", 2), [&b"1"[..], b"2"]);
        assert_eq!(lines(b"\n\nx\n", 5), [&b""[..], b"", b"x"]);
        assert_eq!(lines(b"only, cut or not\r", 5), [&b"only, cut or not"[..]]);
        assert!(lines(b"", 5).is_empty());
    }

    #[test]
    fn detection_ignores_a_cut_last_line() {
        let head = b"2015-10-18 18:01:47,978 INFO [main] a.B: x\n2015-10-18 18:01:48,000 WARN [main] a.B: y\n2015-10-";
        let f = auto().resolve(Path::new("t"), head).expect("detects app");
        assert_eq!(f.name(), "app");
        assert!(matches!(
            auto().resolve(Path::new("t"), b"\x00\x01\x02\n\xff\xfe\n"),
            Err(CliError::UnknownFormat { .. })
        ));
    }

    #[test]
    fn the_previous_inputs_format_is_kept_only_while_it_fits() {
        let combined: &[u8] =
            b"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"\n";
        let timed: &[u8] = b"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\" 0.005\n";
        let common: &[u8] = b"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5\n";
        let spec = auto();
        let name = |head: &[u8]| {
            let format = spec.resolve(Path::new("t"), head).expect("detects");
            format.name().to_owned()
        };
        // Each answer is what detecting that input alone gives, whatever came before.
        for head in [combined, timed, combined, common, timed, common, combined] {
            let alone = auto().resolve(Path::new("t"), head).expect("detects");
            assert_eq!(
                name(head),
                alone.name(),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        assert_eq!(name(timed), "combined_timed");
        assert_eq!(name(common), "common");
    }
}
