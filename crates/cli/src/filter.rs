//! `logscan filter`: the raw lines that meet every condition, in input order.

use std::{net::IpAddr, ops::RangeInclusive};

use logscan_parse::{FieldKind, Level, LogFormat, ParseErrorKind, Record, Timestamp};
use logscan_scan::MapError;
use regex::bytes::Regex;

use crate::{
    cli::{Conditions, FilterArgs},
    error::{CliError, Exit},
    format::{FormatSpec, UnreadNumberNote},
    input::{self, Inputs},
    notes::Notes,
    out::{self, Output},
};

/// Lines to print, in order.
#[derive(Debug, Default)]
struct Printed {
    bytes: Vec<u8>,
    count: u64,
    last_line: u64,
}

impl Printed {
    fn push(&mut self, raw: &[u8], number: u64) {
        // Writing into a Vec cannot fail.
        let _ = out::write_raw_lines(&mut self.bytes, raw);
        self.count += 1;
        self.last_line = number;
    }
}

/// What one chunk prints. The lines of a stack trace go with the record they follow
/// (a line of [`ParseErrorKind::Continuation`]): printed when it is. Those at the
/// start of a chunk follow a record of an earlier chunk, so the sink, which sees the
/// chunks in order, decides them.
#[derive(Debug, Default)]
struct Hits {
    /// Continuation lines before the chunk's first record.
    lead: Printed,
    /// The chunk's printed lines from its first record on.
    lines: Printed,
    /// Whether the chunk's last record was printed; `None` if it has no record.
    last_record: Option<bool>,
    /// Lines that parsed, and that did not (stack-trace lines are neither).
    parsed: u64,
    malformed: u64,
}

/// The compiled conditions of `logscan filter`; a record matches when it meets all.
#[derive(Debug, Default)]
pub struct Filter {
    statuses: Option<Vec<RangeInclusive<u16>>>,
    methods: Option<Vec<Vec<u8>>>,
    path_prefix: Option<Vec<u8>>,
    path_regex: Option<Regex>,
    hosts: Option<Vec<HostPattern>>,
    ips: Option<Vec<Cidr>>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
    level: Option<Level>,
    /// In microseconds, as [`Record::request_time_us`] gives it.
    slower_than_us: Option<u64>,
}

impl Filter {
    /// Compiles the conditions; a value that cannot work is a usage error.
    pub fn new(c: &Conditions) -> Result<Filter, CliError> {
        let filter = Filter {
            statuses: c.status.as_deref().map(parse_statuses).transpose()?,
            methods: c.method.as_deref().map(parse_methods).transpose()?,
            path_prefix: c.path_prefix.as_ref().map(|p| p.clone().into_bytes()),
            path_regex: c
                .path_regex
                .as_deref()
                .map(|r| {
                    Regex::new(r).map_err(|e| {
                        CliError::usage(format!(
                            "--path-regex: {}",
                            e.to_string().replace('\n', " ")
                        ))
                    })
                })
                .transpose()?,
            hosts: c
                .host
                .as_deref()
                .map(|list| list.split(',').map(HostPattern::parse).collect())
                .transpose()?,
            ips: c
                .ip
                .as_deref()
                .map(|list| list.split(',').map(|s| Cidr::parse(s.trim())).collect())
                .transpose()?,
            since: c
                .since
                .as_deref()
                .map(|t| parse_time("--since", t))
                .transpose()?,
            until: c
                .until
                .as_deref()
                .map(|t| parse_time("--until", t))
                .transpose()?,
            level: c
                .level
                .as_deref()
                .map(|l| {
                    l.parse::<Level>().map_err(|_| {
                        CliError::usage(format!(
                            "--level: unknown level `{l}` (trace, debug, info, notice, warn, error, critical, alert, fatal)"
                        ))
                    })
                })
                .transpose()?,
            slower_than_us: c
                .slower_than
                .as_deref()
                .map(|d| {
                    parse_duration_us(d).ok_or_else(|| {
                        CliError::usage(format!(
                            "--slower-than: cannot read `{d}` (try 500ms, 1.5s, 250us, 1m30s, or seconds: 0.5)"
                        ))
                    })
                })
                .transpose()?,
        };
        if let (Some(since), Some(until)) = (filter.since, filter.until)
            && since > until
        {
            return Err(CliError::usage(format!(
                "--since ({since}) is after --until ({until})"
            )));
        }
        Ok(filter)
    }

    /// The conditions no record of `format` can meet, because its records never have
    /// the field they test (`--slower-than` on a format without a served time,
    /// `--level` on an access log, `--status` on an application log), each with why.
    /// JSON lines may have any key, so none is named for them.
    pub fn unanswerable(&self, format: &LogFormat) -> Vec<String> {
        let name = format.name();
        let conditions: [(bool, &str, FieldKind, &str); 8] = [
            (
                self.slower_than_us.is_some(),
                "--slower-than",
                FieldKind::ServedTime,
                "served time (logscan reads it from $request_time, Apache's %D or %T, HAProxy's %Ta)",
            ),
            (self.level.is_some(), "--level", FieldKind::Level, "level"),
            (
                self.statuses.is_some(),
                "--status",
                FieldKind::Status,
                "status",
            ),
            (
                self.ips.is_some(),
                "--ip",
                FieldKind::Client,
                "client address (logscan reads it from $remote_addr, Apache's %h or %a)",
            ),
            (
                self.hosts.is_some(),
                "--host",
                FieldKind::Host,
                "virtual host (logscan reads it from $host, $http_host, $server_name or Apache's %v)",
            ),
            (
                self.methods.is_some(),
                "--method",
                FieldKind::Method,
                "request method",
            ),
            (
                self.path_prefix.is_some() || self.path_regex.is_some(),
                "--path-prefix/--path-regex",
                FieldKind::Path,
                "request path",
            ),
            (
                self.since.is_some() || self.until.is_some(),
                "--since/--until",
                FieldKind::Time,
                "time",
            ),
        ];
        conditions
            .into_iter()
            .filter(|&(given, _, field, _)| given && !format.may_have(field))
            .map(|(_, option, _, missing)| {
                format!(
                    "{option}: the records of the {name} format have no {missing}, so none meets it"
                )
            })
            .collect()
    }

    /// Whether a condition reads the served time (`--slower-than`).
    pub fn reads_served_time(&self) -> bool {
        self.slower_than_us.is_some()
    }

    /// Whether no condition was given.
    pub fn is_empty(&self) -> bool {
        self.statuses.is_none()
            && self.methods.is_none()
            && self.path_prefix.is_none()
            && self.path_regex.is_none()
            && self.hosts.is_none()
            && self.ips.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.level.is_none()
            && self.slower_than_us.is_none()
    }

    /// Whether `record` meets every condition (any record, when none was given). A
    /// condition on a field the record does not have is not met.
    pub fn matches(&self, record: &Record<'_>) -> bool {
        if let Some(ranges) = &self.statuses {
            match record.status() {
                Some(s) if ranges.iter().any(|r| r.contains(&s)) => {}
                _ => return false,
            }
        }
        if let Some(methods) = &self.methods {
            match record.method() {
                Some(m) if methods.iter().any(|w| w.eq_ignore_ascii_case(&m)) => {}
                _ => return false,
            }
        }
        if self.path_prefix.is_some() || self.path_regex.is_some() {
            let Some(path) = record.path() else {
                return false;
            };
            if let Some(prefix) = &self.path_prefix
                && !path.starts_with(prefix)
            {
                return false;
            }
            if let Some(re) = &self.path_regex
                && !re.is_match(&path)
            {
                return false;
            }
        }
        if let Some(hosts) = &self.hosts {
            match record.host() {
                Some(host) if hosts.iter().any(|h| h.matches(&host)) => {}
                _ => return false,
            }
        }
        if let Some(ips) = &self.ips {
            match record.client_ip() {
                Some(ip) if ips.iter().any(|c| c.contains(ip)) => {}
                _ => return false,
            }
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(t) = record.timestamp() else {
                return false;
            };
            if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t > u) {
                return false;
            }
        }
        if let Some(min) = self.slower_than_us {
            match record.request_time_us() {
                Some(us) if us >= min => {}
                _ => return false,
            }
        }
        if let Some(min) = self.level {
            match record.level() {
                Some(l) if l >= min => {}
                _ => return false,
            }
        }
        true
    }
}

/// Says, once per format in a run, which conditions its records cannot meet
/// ([`Filter::unanswerable`]): otherwise such a run prints nothing and exits 1, and
/// the user is left to guess why.
#[derive(Default)]
pub struct UnmetConditionsNote {
    said: std::sync::Mutex<Vec<String>>,
}

impl UnmetConditionsNote {
    pub fn check(
        &self,
        filter: &Filter,
        format: &LogFormat,
        path: &std::path::Path,
        notes: &Notes,
    ) {
        let mut said = self.said.lock().unwrap_or_else(|e| e.into_inner());
        if said.iter().any(|name| name == format.name()) {
            return;
        }
        said.push(format.name().to_owned());
        for why in filter.unanswerable(format) {
            notes.note(format_args!("{}: {why}", path.display()));
        }
    }
}

/// `--method`'s list: at least one method, none empty.
fn parse_methods(list: &str) -> Result<Vec<Vec<u8>>, CliError> {
    list.split(',')
        .map(|m| {
            let m = m.trim();
            if m.is_empty() {
                return Err(CliError::usage(format!(
                    "--method: `{list}` has an empty method (give methods like GET,HEAD)"
                )));
            }
            Ok(m.to_ascii_uppercase().into_bytes())
        })
        .collect()
}

/// One host of `--host`: a name, or `*.` and the domain every name under it belongs to.
#[derive(Debug)]
struct HostPattern {
    /// Lowercase, without the `*.`.
    name: Vec<u8>,
    /// `*.example.com`: names under `example.com`, not the name itself.
    under: bool,
}

impl HostPattern {
    fn parse(text: &str) -> Result<HostPattern, CliError> {
        let text = text.trim();
        let (name, under) = match text.strip_prefix("*.") {
            Some(domain) => (domain, true),
            None => (text, false),
        };
        let name = bare_name(name.as_bytes());
        if name.is_empty() || name.contains(&b'*') {
            return Err(CliError::usage(format!(
                "--host: `{text}` is not a host name (give names like shop.example.com or *.example.com)"
            )));
        }
        Ok(HostPattern {
            name: name.to_ascii_lowercase(),
            under,
        })
    }

    /// Whether `host` (as logged: any case, perhaps with a port, a bracketed IPv6
    /// address, a fully qualified name's trailing dot) is this name or under it.
    fn matches(&self, host: &[u8]) -> bool {
        let is = |host: &[u8]| {
            let host = bare_name(host);
            if self.under {
                host.len() > self.name.len() + 1
                    && host[..host.len() - self.name.len()].ends_with(b".")
                    && host[host.len() - self.name.len()..].eq_ignore_ascii_case(&self.name)
            } else {
                host.eq_ignore_ascii_case(&self.name)
            }
        };
        let (name, port) = logscan_parse::split_port(host);
        is(host) || (port.is_some() && is(name))
    }
}

/// A host without what DNS ignores or a URL adds: the brackets of an IPv6 address
/// (`[2001:db8::1]`), the trailing dot of a fully qualified name (`shop.example.`).
fn bare_name(host: &[u8]) -> &[u8] {
    let host = host
        .strip_prefix(b"[")
        .and_then(|h| h.strip_suffix(b"]"))
        .unwrap_or(host);
    host.strip_suffix(b".").unwrap_or(host)
}

/// `--slower-than`'s duration: Go's way (`500ms`, `1.5s`, `1m30s`, `250us`, `250µs`,
/// `2h`; see [`logscan_parse::parse_duration_us`]) or a number of seconds (`0.5`), with
/// two allowances for people typing it: `min` for minutes, and blanks next to a unit
/// (`3 s`, `1m 30s`; not between digits).
fn parse_duration_us(text: &str) -> Option<u64> {
    let text = text.trim();
    // `min` is no other unit's prefix or part: `1min30s` is `1m30s`.
    let text = text.replace("min", "m");
    let mut joined = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let next_unit = || {
            chars
                .clone()
                .find(|c| !c.is_whitespace())
                .is_some_and(char::is_alphabetic)
        };
        let after_unit = joined.chars().last().is_some_and(char::is_alphabetic);
        if !(c.is_whitespace() && (after_unit || next_unit())) {
            joined.push(c);
        }
    }
    logscan_parse::parse_duration_us(joined.as_bytes())
}

/// Runs `logscan filter`.
///
/// An input that fails part-way (a cut or corrupt `.gz`, a line over the limit) has
/// its matching lines before the failure printed, as `zcat | grep` would print them,
/// then its error; the other inputs are still read, and the exit status is 2.
pub fn run(args: FilterArgs) -> Result<Exit, CliError> {
    let filter = Filter::new(&args.conditions)?;
    if filter.is_empty() {
        return Err(CliError::usage(
            "filter needs at least one condition (--status, --method, --path-prefix, \
             --path-regex, --host, --ip, --since, --until, --level, --slower-than); see logscan filter --help",
        ));
    }
    let spec = FormatSpec::from_args(&args.format)?;
    let inputs = Inputs::from_args(&args.input)?;
    let notes = Notes::new(inputs.quiet, &inputs.paths);
    let mut out = Output::stdout();
    let mut matched = 0u64;
    // The unread-number hint matters here only for --slower-than.
    let unread_number = UnreadNumberNote::new(filter.reads_served_time());
    let unmet = UnmetConditionsNote::default();
    let failed = input::for_each_input(&inputs, &notes, |path| {
        // Lines printed before a mapped file changed are not printed again.
        let mut printed_up_to = 0u64;
        inputs.scan(path, spec.needs_head(), &notes, |opened, _| {
            let format = spec.for_input(opened.source.path(), opened.head.as_deref())?;
            let Some(format) = format else {
                return Ok(()); // an empty input
            };
            let head = opened.head.as_deref();
            unread_number.check(&spec, &format, opened.source.path(), head, &notes);
            unmet.check(&filter, &format, opened.source.path(), &notes);
            let skip_up_to = printed_up_to;
            // Whether the last record so far was printed (for the stack-trace lines
            // after it); `None` before the first record.
            let mut last_record: Option<bool> = None;
            let (mut parsed, mut malformed) = (0u64, 0u64);
            let opened_path = opened.source.path().to_owned();
            let scanner = notes.scanner(inputs.scanner_for(&opened.source));
            // A pipe may be a live log (`tail -f`): each chunk's lines are written through.
            let live = opened.source.size_at_open().is_none();
            let result = scanner.map_ordered(
                opened.source,
                |chunk| {
                    let mut hits = Hits::default();
                    for line in chunk.lines() {
                        let parsed = format.parse(line.bytes);
                        // Lines printed by an attempt before still decide the lines
                        // of a stack trace after them.
                        let again = line.number <= skip_up_to;
                        if let Err(e) = &parsed
                            && e.kind == ParseErrorKind::Continuation
                        {
                            match hits.last_record {
                                None if !again => hits.lead.push(line.raw, line.number),
                                Some(true) if !again => hits.lines.push(line.raw, line.number),
                                _ => {}
                            }
                            continue;
                        }
                        match &parsed {
                            Ok(_) => hits.parsed += 1,
                            Err(_) => hits.malformed += 1,
                        }
                        let hit = parsed.is_ok_and(|r| filter.matches(&r)) != args.invert;
                        hits.last_record = Some(hit);
                        if hit && !again {
                            hits.lines.push(line.raw, line.number);
                        }
                    }
                    hits
                },
                |hits| {
                    // Lines that start a chunk go on from the last record before it;
                    // at the start of the input, from none: printed as a line that
                    // does not parse would be (with --invert-match).
                    let lead = last_record.unwrap_or(args.invert).then_some(&hits.lead);
                    last_record = hits.last_record.or(last_record);
                    parsed += hits.parsed;
                    malformed += hits.malformed;
                    for printed in lead.into_iter().chain([&hits.lines]) {
                        if printed.count == 0 {
                            continue;
                        }
                        matched += printed.count;
                        printed_up_to = printed.last_line;
                        if out.bytes(&printed.bytes, live).is_break() {
                            return Err(());
                        }
                    }
                    Ok(())
                },
            );
            if result.is_ok()
                && let Some(note) = spec.named_format_fits_nothing(parsed, malformed)
            {
                notes.note(format_args!("{}: {note}", opened_path.display()));
            }
            match result {
                Ok(_) | Err(MapError::Sink(())) => Ok(()),
                Err(MapError::Scan(e)) => Err(e.into()),
            }
        })?;
        Ok(())
    })?;
    notes.finish();
    let closed = out.is_closed();
    out.finish()?;
    Ok(if failed {
        Exit::Error
    } else if matched == 0 && !closed {
        Exit::NoMatch
    } else {
        Exit::Success
    })
}

/// Parses a time given on the command line: RFC 3339 and the other shapes of
/// [`logscan_parse::parse_timestamp`], or a timestamp the way an application log
/// writes it (`Jun 14 15:16:01`, `081109 203615`).
pub fn parse_time(flag: &str, text: &str) -> Result<Timestamp, CliError> {
    parse_time_as_written(flag, text).map(|t| match t.utc_offset_seconds() {
        // A time without a zone is UTC; say so when it is shown.
        None => t.with_offset(Some(0)),
        Some(_) => t,
    })
}

/// [`parse_time`], the zone as written: `None` when the text gave none.
pub(crate) fn parse_time_as_written(flag: &str, text: &str) -> Result<Timestamp, CliError> {
    if let Some(t) = logscan_parse::parse_timestamp(text.as_bytes()) {
        return Ok(t);
    }
    // In a log a short number is no time; given to a time flag, any number of whole
    // seconds is one (the parser wants nine digits or more, from 1973 on).
    let digits = text.trim();
    if (1..=12).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(secs) = digits.parse::<i64>()
        && let Some(t) = Timestamp::from_unix(secs, 0)
    {
        return Ok(t.with_offset(Some(0)));
    }
    // The application-log parser knows the shapes such logs write; a string that is
    // nothing but one of them parses with an empty message.
    if let Ok(record) = LogFormat::app().parse(text.trim().as_bytes())
        && let Some(t) = record.timestamp()
        && record.message().is_none_or(|m| m.trim_ascii().is_empty())
        && record.component().is_none()
    {
        return Ok(t);
    }
    Err(CliError::usage(format!(
        "{flag}: cannot read `{text}` as a time (try 2025-03-14T06:00:00Z or \
         '14/Mar/2025:06:00:00 +0000')"
    )))
}

/// Parses `404`, `5xx`, `400-499`, or a comma-separated list of them.
fn parse_statuses(spec: &str) -> Result<Vec<RangeInclusive<u16>>, CliError> {
    let bad = || {
        CliError::usage(format!(
            "--status: cannot read `{spec}` (try 404, 5xx, 400-499, or a list: 404,5xx)"
        ))
    };
    let code = |s: &str| -> Option<u16> {
        (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    spec.split(',')
        .map(|part| {
            let part = part.trim().to_ascii_lowercase();
            if let Some(class) = part.strip_suffix("xx") {
                return match class.as_bytes() {
                    [d @ b'1'..=b'9'] => {
                        let base = u16::from(d - b'0') * 100;
                        Ok(base..=base + 99)
                    }
                    _ => Err(bad()),
                };
            }
            if let Some((lo, hi)) = part.split_once('-') {
                let (lo, hi) = (
                    code(lo.trim()).ok_or_else(bad)?,
                    code(hi.trim()).ok_or_else(bad)?,
                );
                return if lo <= hi { Ok(lo..=hi) } else { Err(bad()) };
            }
            code(&part).map(|c| c..=c).ok_or_else(bad)
        })
        .collect()
}

/// An IP network: an address and a prefix length (a plain address is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/8`, `2001:db8::/32`, or a plain address.
    pub fn parse(text: &str) -> Result<Cidr, CliError> {
        let bad = || {
            CliError::usage(format!(
                "--ip: cannot read `{text}` as an address or CIDR block (try 10.0.0.0/8)"
            ))
        };
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|&p| p <= max).ok_or_else(bad)?,
        };
        Ok(Cidr { addr, prefix })
    }

    /// Whether `ip` is in the network. An IPv4 address written as IPv6
    /// (`::ffff:10.1.2.3`) is compared as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(net.to_bits()),
                u128::from(ip.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(net.to_bits(), ip.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the top `prefix` bits of two `width`-bit numbers agree.
fn prefix_eq(a: u128, b: u128, width: u32, prefix: u8) -> bool {
    let drop = width - u32::from(prefix);
    (a ^ b).checked_shr(drop).unwrap_or(0) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_specs() {
        assert_eq!(parse_statuses("404").unwrap(), [404..=404]);
        assert_eq!(parse_statuses("5xx").unwrap(), [500..=599]);
        assert_eq!(parse_statuses("5XX, 404").unwrap(), [500..=599, 404..=404]);
        assert_eq!(parse_statuses("400-499").unwrap(), [400..=499]);
        for bad in ["", "xx", "0xx", "12", "4044", "499-400", "abc", "4x"] {
            assert!(parse_statuses(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cidr_blocks() {
        let net = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.200.3.4".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.1.1".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(!net.contains("2001:db8::1".parse().unwrap()));
        let one = Cidr::parse("192.0.2.7").unwrap();
        assert!(one.contains("192.0.2.7".parse().unwrap()));
        assert!(!one.contains("192.0.2.8".parse().unwrap()));
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("203.0.113.1".parse().unwrap()));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "::/129", "10.0.0", "x", "10.0.0.0/", "/8"] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn times_in_several_shapes() {
        let rfc = parse_time("--since", "2025-03-14T06:25:00Z").unwrap();
        let clf = parse_time("--since", "14/Mar/2025:06:25:00 +0000").unwrap();
        let epoch = parse_time("--since", "1741933500").unwrap();
        assert_eq!(rfc, clf);
        assert_eq!(rfc, epoch);
        assert!(parse_time("--since", "yesterday").is_err());
        assert!(parse_time("--since", "2025-02-30").is_err());
        // Unix seconds of any length, as the README says.
        for (text, secs) in [("0", 0), ("86400", 86_400), ("99999999", 99_999_999)] {
            let t = parse_time("--since", text).unwrap();
            assert_eq!((t.unix_seconds(), t.utc_offset_seconds()), (secs, Some(0)));
        }
        assert!(parse_time("--since", "1234567890123").is_err(), "13 digits");
    }

    #[test]
    fn conditions_combine_with_and() {
        let format = LogFormat::combined();
        let line = br#"10.1.2.3 - - [14/Mar/2025:06:25:00 +0000] "POST /api/v1/x?y=1 HTTP/1.1" 503 12 "-" "curl""#;
        let record = format.parse(line).unwrap();
        let with = |c: Conditions| Filter::new(&c).unwrap().matches(&record);
        assert!(with(Conditions {
            status: Some("5xx".into()),
            method: Some("get,post".into()),
            path_prefix: Some("/api/".into()),
            path_regex: Some("^/api/v[0-9]+/".into()),
            host: None,
            ip: Some("10.0.0.0/8".into()),
            since: Some("2025-03-14T06:00:00Z".into()),
            until: Some("2025-03-14T06:25:00Z".into()),
            level: None,
            slower_than: None,
        }));
        assert!(!with(Conditions {
            status: Some("5xx".into()),
            method: Some("GET".into()),
            ..Conditions::default()
        }));
        assert!(!with(Conditions {
            since: Some("2025-03-14T06:25:01Z".into()),
            ..Conditions::default()
        }));
        // An access log has no level: a level condition is not met.
        assert!(!with(Conditions {
            level: Some("info".into()),
            ..Conditions::default()
        }));
        // Nor has this one a served time.
        assert!(!with(Conditions {
            slower_than: Some("0s".into()),
            ..Conditions::default()
        }));
    }

    /// The conditions a format's records can never meet are named, each once; those
    /// they may meet, and any on JSON lines (whose keys vary), are not.
    #[test]
    fn conditions_a_format_cannot_meet_are_named() {
        let unmet = |format: &LogFormat, c: Conditions| {
            Filter::new(&c)
                .unwrap()
                .unanswerable(format)
                .into_iter()
                .map(|why| why.split(':').next().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
        };
        let slow = || Conditions {
            slower_than: Some("1s".into()),
            ..Conditions::default()
        };
        assert_eq!(unmet(&LogFormat::combined(), slow()), ["--slower-than"]);
        assert!(unmet(&LogFormat::combined_timed(), slow()).is_empty());
        let apache_d = LogFormat::from_apache(r#"%h %l %u %t "%r" %>s %b %D"#).unwrap();
        assert!(unmet(&apache_d, slow()).is_empty());
        assert!(unmet(&LogFormat::haproxy(), slow()).is_empty());
        assert!(unmet(&LogFormat::json(), slow()).is_empty());
        let every = Conditions {
            status: Some("5xx".into()),
            method: Some("GET".into()),
            path_prefix: Some("/a".into()),
            host: Some("x.example".into()),
            ip: Some("10.0.0.0/8".into()),
            level: Some("error".into()),
            slower_than: Some("1s".into()),
            ..Conditions::default()
        };
        assert_eq!(
            unmet(&LogFormat::combined(), every.clone()),
            ["--slower-than", "--level", "--host"]
        );
        assert_eq!(
            unmet(&LogFormat::vhost_combined(), every.clone()),
            ["--slower-than", "--level"]
        );
        assert_eq!(
            unmet(&LogFormat::app(), every.clone()),
            [
                "--slower-than",
                "--status",
                "--ip",
                "--method",
                "--path-prefix/--path-regex"
            ]
        );
        assert!(unmet(&LogFormat::json(), every).is_empty());
        // A format of the user's: no time, no method; the path from `$uri`.
        let plain = LogFormat::from_nginx("$remote_addr $status $uri").unwrap();
        let some = Conditions {
            since: Some("2020-01-01".into()),
            method: Some("GET".into()),
            path_prefix: Some("/a".into()),
            status: Some("200".into()),
            ..Conditions::default()
        };
        assert_eq!(unmet(&plain, some), ["--method", "--since/--until"]);
    }

    #[test]
    fn hosts_match_by_name_any_case_with_or_without_the_port() {
        let format = LogFormat::vhost_combined();
        let line = |host: &str| {
            format!(
                r#"{host} 10.1.2.3 - - [14/Mar/2025:06:25:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl""#
            )
        };
        let host_is = |wanted: &str, logged: &str| {
            let filter = Filter::new(&Conditions {
                host: Some(wanted.into()),
                ..Conditions::default()
            })
            .unwrap();
            let line = line(logged);
            filter.matches(&format.parse(line.as_bytes()).unwrap())
        };
        // vhost_combined logs `$server_name:$server_port`: the host is the name.
        assert!(host_is("shop.example", "Shop.Example:443"));
        assert!(host_is("api.example,shop.example", "shop.example:80"));
        assert!(host_is("*.example", "a.b.example:80"));
        assert!(!host_is("*.example", "example:80"));
        assert!(!host_is("*.example", "xexample:80"));
        assert!(!host_is("shop.example", "shop.example.net:80"));
        // A line without a host does not match.
        assert!(!host_is("shop.example", "-:80"));

        // Ports come off names and bracketed IPv6 addresses, not off a bare address.
        let plain = HostPattern::parse("shop.example").unwrap();
        assert!(plain.matches(b"shop.example:8080"));
        assert!(!plain.matches(b"shop.example:"));
        assert!(!plain.matches(b"shop.example:http"));
        assert!(
            HostPattern::parse("[2001:db8::1]")
                .unwrap()
                .matches(b"[2001:db8::1]:443")
        );
        assert!(
            HostPattern::parse("2001:db8::1")
                .unwrap()
                .matches(b"2001:db8::1")
        );
        assert!(
            !HostPattern::parse("2001:db8:")
                .unwrap()
                .matches(b"2001:db8::1")
        );
        assert!(
            HostPattern::parse("shop.example:8080")
                .unwrap()
                .matches(b"shop.example:8080")
        );
        // Brackets and a trailing dot are not part of the name.
        let v6 = HostPattern::parse("2001:db8::1").unwrap();
        for logged in [&b"[2001:db8::1]"[..], b"[2001:db8::1]:443", b"2001:db8::1"] {
            assert!(v6.matches(logged), "{}", String::from_utf8_lossy(logged));
        }
        assert!(plain.matches(b"SHOP.example."));
        assert!(
            HostPattern::parse("*.example")
                .unwrap()
                .matches(b"shop.example.")
        );
        assert!(
            HostPattern::parse("shop.example.")
                .unwrap()
                .matches(b"shop.example")
        );
        for bad in ["", "*.", "a*.example", " ", "[]", "."] {
            assert!(HostPattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slower_than_compares_the_served_time_at_or_above() {
        let timed = LogFormat::combined_timed();
        let line = br#"10.1.2.3 - - [14/Mar/2025:06:25:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl" 0.250"#;
        let record = timed.parse(line).unwrap();
        let slower_than = |d: &str| {
            Filter::new(&Conditions {
                slower_than: Some(d.into()),
                ..Conditions::default()
            })
            .unwrap()
            .matches(&record)
        };
        assert!(slower_than("250ms"));
        assert!(slower_than("0.25"));
        assert!(!slower_than("250001us"));
        assert!(!slower_than("0.3s"));
    }

    #[test]
    fn durations_in_several_units() {
        for (text, us) in [
            ("500ms", 500_000),
            ("1.5s", 1_500_000),
            ("1.5", 1_500_000),
            (".25s", 250_000),
            ("250us", 250),
            ("250µs", 250),
            ("2m", 120_000_000),
            ("0.0015ms", 1),
            ("3 s", 3_000_000),
            ("2min", 120_000_000),
            ("1min30s", 90_000_000),
            ("1h", 3_600_000_000),
            ("1m30s", 90_000_000),
            ("1m 30s", 90_000_000),
            ("0.5h", 1_800_000_000),
        ] {
            assert_eq!(parse_duration_us(text), Some(us), "{text}");
        }
        for bad in [
            "",
            "ms",
            "fast",
            "1d",
            "1 5s",
            "1.2.3s",
            "-1s",
            "1e3",
            "99999999999999999999s",
        ] {
            assert_eq!(parse_duration_us(bad), None, "{bad:?}");
        }
    }
}
