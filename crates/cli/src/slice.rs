//! `logscan slice`: the lines of a time range, by binary search over a mapped (or
//! read-whole) file.
//!
//! # What is printed
//!
//! The lines whose timestamp lies in `[from, to]`, both ends included, plus the lines
//! without a timestamp (a stack trace, a malformed line) that follow such a line: a
//! line without a time goes with the line before it. A full scan and the binary
//! search print the same lines.
//!
//! # Why the search is right
//!
//! Real logs are ordered only roughly: a server writes a slow request's line after
//! faster ones that started later. The search assumes a bound, the skew `S`: no line
//! is more than `S` older than any line before it. Then
//!
//! - every line before a line older than `from - S` is older than `from`, so the scan
//!   may start at the last probed line older than `from - S` (found in O(log n)
//!   probes), and
//! - every line after a line newer than `to + S` is newer than `to`, so the scan stops
//!   there.
//!
//! The bound is checked on every probe and every line the scan reads; a line that
//! breaks it means the file is not ordered enough, and the whole file is scanned
//! instead (with a note on stderr). Nothing is printed before the check is done, so
//! falling back never prints a line twice. Disorder that neither a probe nor the
//! scanned window touches (two logs pasted end to end, say) cannot be seen in
//! O(log n) reads; `filter --since --until` reads every line.

use std::{cell::OnceCell, ops::ControlFlow, ops::Range, path::Path};

use logscan_parse::{LogFormat, Timestamp};
use logscan_source::{LineLimit, Source};

use crate::{
    cli::SliceArgs,
    error::{CliError, Exit},
    filter::{parse_time, parse_time_as_written},
    format::FormatSpec,
    input::{self, Inputs},
    notes::Notes,
    out::Output,
};

/// Below this span the binary search stops probing and the scan reads on.
const MIN_SPAN: usize = 64 * 1024;
/// How many lines a probe reads to find one with a timestamp.
const PROBE_LINES: usize = 256;

/// The range asked for, in nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy)]
struct TimeRange {
    from: Timestamp,
    to: Timestamp,
    from_ns: i128,
    to_ns: i128,
    skew_ns: i128,
    /// Whether `--from` and `--to` were written without a zone (and so read as UTC).
    zoneless: [bool; 2],
}

/// Which lines are in the range, one line at a time.
#[derive(Debug, Default)]
struct RangeState {
    in_range: bool,
}

impl RangeState {
    /// Whether a line with this time (or none) is printed.
    fn take(&mut self, range: &TimeRange, time: Option<i128>) -> bool {
        if let Some(t) = time {
            self.in_range = range.from_ns <= t && t <= range.to_ns;
        }
        self.in_range
    }
}

/// First and last timestamps seen, for the message when nothing matched.
#[derive(Debug, Default, Clone, Copy)]
struct Span {
    first: Option<Timestamp>,
    last: Option<Timestamp>,
}

impl Span {
    fn see(&mut self, t: Timestamp) {
        self.first.get_or_insert(t);
        self.last = Some(t);
    }
}

/// How one input went.
#[derive(Debug, Default)]
struct Outcome {
    printed: u64,
    span: Span,
}

/// Runs `logscan slice`.
pub fn run(args: SliceArgs) -> Result<Exit, CliError> {
    let from = parse_time("--from", &args.from)?;
    let to = parse_time("--to", &args.to)?;
    if from > to {
        return Err(CliError::usage(format!(
            "--from ({from}) is after --to ({to})"
        )));
    }
    let range = TimeRange {
        from,
        to,
        from_ns: from.unix_nanos(),
        to_ns: to.unix_nanos(),
        skew_ns: i128::from(args.max_skew) * 1_000_000_000,
        zoneless: [&args.from, &args.to].map(|t| is_zoneless(t)),
    };
    let spec = FormatSpec::from_args(&args.format)?;
    let inputs = Inputs::from_args(&args.input)?;
    let notes = Notes::new(inputs.quiet, &inputs.paths);
    let mut out = Output::stdout();
    let mut printed = 0u64;
    let failed = input::for_each_input(&inputs, &notes, |path| {
        // Lines printed before a mapped file changed are not printed again.
        let mut printed_through = 0u64;
        let outcome = inputs.scan(path, false, &notes, |opened, _| {
            let print = |raw: &[u8]| out.raw_line(raw);
            slice_source(
                opened.source,
                &spec,
                &range,
                &notes,
                print,
                &mut printed_through,
            )
        })?;
        printed += outcome.printed;
        if outcome.printed == 0 && !out.is_closed() {
            notes.note(format_args!(
                "{}",
                nothing_message(path, &range, outcome.span)
            ));
        }
        Ok(())
    })?;
    notes.finish();
    let closed = out.is_closed();
    out.finish()?;
    Ok(if failed {
        Exit::Error
    } else if printed == 0 && !closed {
        Exit::NoMatch
    } else {
        Exit::Success
    })
}

fn nothing_message(path: &Path, range: &TimeRange, span: Span) -> String {
    let (from, to) = (range.from, range.to);
    let message = match (span.first, span.last) {
        (Some(first), Some(last)) if to < first || from > last => format!(
            "{}: {from} to {to} is outside the log, which runs from {first} to {last}",
            path.display()
        ),
        (Some(first), Some(last)) => format!(
            "{}: no lines between {from} and {to} (the log runs from {first} to {last})",
            path.display()
        ),
        _ => return format!("{}: no line has a timestamp", path.display()),
    };
    // A time given without a zone is UTC: when the log writes another offset, an
    // hour asked for in the log's own clock misses by that offset. Said only when
    // the range, read in the log's clock, would have met the log.
    let offset = span.first.and_then(|t| t.utc_offset_seconds()).unwrap_or(0);
    let in_log_clock = |ns: i128, zoneless: bool| {
        if zoneless {
            ns - i128::from(offset) * 1_000_000_000
        } else {
            ns
        }
    };
    let (from_ns, to_ns) = (
        in_log_clock(range.from_ns, range.zoneless[0]),
        in_log_clock(range.to_ns, range.zoneless[1]),
    );
    let would_meet = match (span.first, span.last) {
        (Some(first), Some(last)) => from_ns <= last.unix_nanos() && to_ns >= first.unix_nanos(),
        _ => false,
    };
    if offset != 0 && range.zoneless.contains(&true) && would_meet {
        format!(
            "{message}; a time given without a zone is read as UTC, and this log's times \
             are at {}: give that offset to ask in the log's clock",
            offset_text(offset)
        )
    } else {
        message
    }
}

/// Whether a time option was written without a zone (so it is read as UTC).
fn is_zoneless(text: &str) -> bool {
    parse_time_as_written("", text).is_ok_and(|t| t.utc_offset_seconds().is_none())
}

/// `+03:30`, `-07:00`.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Prints the lines of `source` in `range` through `print`. `printed_through` is the
/// input offset up to which lines were printed (and checked) by an earlier attempt on
/// a mapped file that then changed: the lines before it are not printed again, and it
/// is advanced as lines are printed from a mapping.
fn slice_source(
    source: Source,
    spec: &FormatSpec,
    range: &TimeRange,
    notes: &Notes,
    mut print: impl FnMut(&[u8]) -> ControlFlow<()>,
    printed_through: &mut u64,
) -> Result<Outcome, CliError> {
    let path = source.path().to_owned();
    if let Some(contents) = source.contents() {
        if contents.is_empty() {
            return Ok(Outcome::default());
        }
        let format = spec
            .resolve(&path, input::head_of(contents))
            .map_err(|e| input::changed_or(&source, e))?;
        match search(contents, &format, range, source.line_limit()) {
            Ok(plan) => {
                // The plan was made from the mapping; make sure it was all there.
                source.check_intact()?;
                let mut outcome = Outcome {
                    printed: print_checked(
                        contents,
                        &plan,
                        || source.check_intact(),
                        &mut print,
                        printed_through,
                    )?,
                    ..Outcome::default()
                };
                if outcome.printed == 0 {
                    outcome.span = file_span(contents, &format);
                }
                return Ok(outcome);
            }
            Err(Stop::Disorder { byte }) => notes.note(format_args!(
                "{}: not in time order near byte {byte} (beyond --max-skew); scanning the whole file",
                path.display()
            )),
            // The scan in order prints the lines in range before the over-long one and
            // then fails on it, as a streamed input does.
            Err(Stop::TooLong) => {}
        }
    }
    full_scan(source, spec, range, notes, print, *printed_through)
}

/// Bytes of a planned range printed at a time.
const PRINT_PIECE: usize = 64 * 1024;

/// Prints the lines of `plan` (ranges of `contents`, a mapped file) whole, as they are
/// in the file (CRLF stays CRLF; only a last line without a newline gets one), a
/// line-aligned piece at a time: each piece is copied, then `check` asks whether the
/// file still held it (a lost page reads as zeros under the SIGBUS guard), and only
/// then is the copy printed, so that nothing the file lost reaches the output and
/// `printed_through` (the input offset just past the last piece printed) tells a retry
/// where to go on. Returns the lines printed.
fn print_checked<E>(
    contents: &[u8],
    plan: &[Range<usize>],
    mut check: impl FnMut() -> Result<(), E>,
    mut print: impl FnMut(&[u8]) -> ControlFlow<()>,
    printed_through: &mut u64,
) -> Result<u64, E> {
    let mut printed = 0;
    let mut copy = Vec::new();
    for r in plan {
        let Some(lines) = contents.get(r.clone()) else {
            continue;
        };
        for (at, piece) in logscan_source::aligned_chunks(lines, PRINT_PIECE) {
            copy.clear();
            copy.extend_from_slice(piece);
            check()?;
            printed += logscan_source::count_lines(&copy);
            *printed_through = (r.start + at + piece.len()) as u64;
            if print(&copy).is_break() {
                return Ok(printed);
            }
        }
    }
    Ok(printed)
}

/// The sequential reference: every line, in order. Lines in range that start before
/// `skip_before` were printed by an earlier attempt: counted, not printed again.
fn full_scan(
    source: Source,
    spec: &FormatSpec,
    range: &TimeRange,
    notes: &Notes,
    mut print: impl FnMut(&[u8]) -> ControlFlow<()>,
    skip_before: u64,
) -> Result<Outcome, CliError> {
    let path = source.path().to_owned();
    let format: OnceCell<LogFormat> = OnceCell::new();
    let mut state = RangeState::default();
    let mut outcome = Outcome::default();
    input::each_line(
        source,
        notes,
        |head| {
            let _ = format.set(spec.resolve(&path, head)?);
            Ok(())
        },
        |line| {
            let time = format
                .get()
                .and_then(|f| f.parse(line.bytes).ok())
                .and_then(|r| r.timestamp());
            if let Some(t) = time {
                outcome.span.see(t);
            }
            if state.take(range, time.map(|t| t.unix_nanos())) {
                outcome.printed += 1;
                if line.byte_offset >= skip_before {
                    return print(line.raw);
                }
            }
            ControlFlow::Continue(())
        },
    )?;
    Ok(outcome)
}

/// Why the search gave up.
#[derive(Debug)]
enum Stop {
    /// The file is not ordered within the skew near this byte.
    Disorder { byte: usize },
    /// A line in the scanned window is too long: the scan in order reports it.
    TooLong,
}

/// The byte ranges of the lines to print, each made of whole lines.
fn search(
    c: &[u8],
    format: &LogFormat,
    range: &TimeRange,
    limit: LineLimit,
) -> Result<Vec<Range<usize>>, Stop> {
    let before = range.from_ns - range.skew_ns;
    let mut probes: Vec<(usize, i128)> = Vec::new();
    let (mut lo, mut hi) = (0usize, c.len());
    while hi - lo > MIN_SPAN {
        let mid = lo + (hi - lo) / 2;
        match probe(c, mid, hi, format) {
            Some((start, t)) => {
                probes.push((start, t));
                if t < before {
                    lo = start;
                } else {
                    hi = mid;
                }
            }
            None => hi = mid,
        }
    }
    probes.sort_unstable_by_key(|&(at, _)| at);
    let mut newest = i128::MIN;
    for &(at, t) in &probes {
        if t < newest.saturating_sub(range.skew_ns) {
            return Err(Stop::Disorder { byte: at });
        }
        newest = newest.max(t);
    }

    let stop_after = range.to_ns.saturating_add(range.skew_ns);
    let mut state = RangeState::default();
    let mut plan: Vec<Range<usize>> = Vec::new();
    let mut newest = i128::MIN;
    let mut lines = limit.lines(&c[lo..], 1, lo as u64);
    for line in &mut lines {
        let line = line.map_err(|_| Stop::TooLong)?;
        let at = line.byte_offset as usize;
        let time = format
            .parse(line.bytes)
            .ok()
            .and_then(|r| r.timestamp())
            .map(|t| t.unix_nanos());
        if let Some(t) = time {
            if t < newest.saturating_sub(range.skew_ns) {
                return Err(Stop::Disorder { byte: at });
            }
            newest = newest.max(t);
            if t > stop_after {
                break;
            }
        }
        if state.take(range, time) {
            let end = line_end(c, at + line.bytes.len());
            match plan.last_mut() {
                Some(last) if last.end == at => last.end = end,
                _ => plan.push(at..end),
            }
        }
    }
    Ok(plan)
}

/// Where the line whose bytes end at `end` really ends: after its stripped `\r` and
/// its `\n`.
fn line_end(c: &[u8], mut end: usize) -> usize {
    if c.get(end) == Some(&b'\r') {
        end += 1;
    }
    if c.get(end) == Some(&b'\n') {
        end += 1;
    }
    end
}

/// The first line starting in `[pos, end)` (at most [`PROBE_LINES`] lines on) that has
/// a timestamp: its start and its time.
fn probe(c: &[u8], pos: usize, end: usize, format: &LogFormat) -> Option<(usize, i128)> {
    let mut start = if pos == 0 || c[pos - 1] == b'\n' {
        pos
    } else {
        pos + memchr::memchr(b'\n', &c[pos..])? + 1
    };
    for _ in 0..PROBE_LINES {
        if start >= end {
            return None;
        }
        let stop = memchr::memchr(b'\n', &c[start..]).map_or(c.len(), |i| start + i);
        if let Some(t) = format
            .parse(&c[start..stop])
            .ok()
            .and_then(|r| r.timestamp())
        {
            return Some((start, t.unix_nanos()));
        }
        start = stop + 1;
    }
    None
}

/// The first and last timestamps of a contiguous input, from its first and last
/// [`PROBE_LINES`] lines.
fn file_span(c: &[u8], format: &LogFormat) -> Span {
    let time_of = |line: &[u8]| format.parse(line).ok().and_then(|r| r.timestamp());
    let first = logscan_source::lines(c).take(PROBE_LINES).find_map(time_of);
    let mut last = None;
    let mut end = c.len();
    for _ in 0..PROBE_LINES {
        if end == 0 {
            break;
        }
        // The line ending at `end` (its `\n` excluded) starts after the previous `\n`.
        let body_end = if c[end - 1] == b'\n' { end - 1 } else { end };
        let start = memchr::memrchr(b'\n', &c[..body_end]).map_or(0, |i| i + 1);
        let line = &c[start..body_end];
        if let Some(t) = time_of(line) {
            last = Some(t);
            break;
        }
        end = start;
    }
    Span { first, last }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: &str, to: &str, skew: i128) -> TimeRange {
        let from = parse_time("--from", from).unwrap();
        let to = parse_time("--to", to).unwrap();
        TimeRange {
            from,
            to,
            from_ns: from.unix_nanos(),
            to_ns: to.unix_nanos(),
            skew_ns: skew * 1_000_000_000,
            zoneless: [false; 2],
        }
    }

    /// An app log of `n` lines one second apart from 2025-03-14T00:00:00Z, every
    /// tenth followed by a stack-trace line without a timestamp.
    fn app_log(n: u64) -> Vec<u8> {
        let mut log = Vec::new();
        for i in 0..n {
            let (h, m, s) = (i / 3600, i / 60 % 60, i % 60);
            log.extend_from_slice(
                format!("2025-03-14 {h:02}:{m:02}:{s:02},000 INFO [main] a.B: event {i}\n")
                    .as_bytes(),
            );
            if i % 10 == 0 {
                log.extend_from_slice(b"\tat a.B.c(B.java:1)\n");
            }
        }
        log
    }

    fn reference(c: &[u8], format: &LogFormat, r: &TimeRange) -> Vec<Vec<u8>> {
        let mut state = RangeState::default();
        logscan_source::lines(c)
            .filter(|l| {
                let t = format
                    .parse(l)
                    .ok()
                    .and_then(|r| r.timestamp())
                    .map(|t| t.unix_nanos());
                state.take(r, t)
            })
            .map(<[u8]>::to_vec)
            .collect()
    }

    fn searched(c: &[u8], format: &LogFormat, r: &TimeRange) -> Vec<Vec<u8>> {
        let plan = search(c, format, r, LineLimit::default()).expect("ordered");
        plan.into_iter()
            .flat_map(|p| {
                logscan_source::lines(&c[p])
                    .map(<[u8]>::to_vec)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Each piece is checked after it is copied and before it is printed: when the
    /// check fails, what was printed is exactly the input up to `printed_through`.
    #[test]
    fn a_failed_check_stops_before_the_piece_it_was_made_for() {
        let log = app_log(5_000); // about 330 KB: several pieces
        // One range, the whole log (a slice of ranges, not a range of numbers).
        let whole = 0..log.len();
        let plan = std::slice::from_ref(&whole);
        for fail_at in [1, 2, 4] {
            let mut calls = 0;
            let mut printed = Vec::new();
            let mut through = 0u64;
            let result = print_checked(
                &log,
                plan,
                || {
                    calls += 1;
                    if calls == fail_at { Err(calls) } else { Ok(()) }
                },
                |piece| {
                    printed.extend_from_slice(piece);
                    ControlFlow::Continue(())
                },
                &mut through,
            );
            assert_eq!(result, Err(fail_at));
            assert_eq!(printed.len() as u64, through, "check {fail_at}");
            assert_eq!(printed[..], log[..printed.len()]);
            assert!(printed.is_empty() || printed.ends_with(b"\n"));
            assert!(printed.len() >= (fail_at - 1) * PRINT_PIECE);
        }
        // Checks that pass: every planned line, once, in order.
        let plan = [100..log.len() / 2, log.len() / 2..log.len()];
        let plan = plan.map(|r| line_start(&log, r.start)..line_start(&log, r.end));
        let mut printed = Vec::new();
        let mut through = 0;
        let lines = print_checked(
            &log,
            &plan,
            || Ok::<(), ()>(()),
            |piece| {
                printed.extend_from_slice(piece);
                ControlFlow::Continue(())
            },
            &mut through,
        );
        assert_eq!(printed[..], log[plan[0].start..]);
        assert_eq!(lines, Ok(logscan_source::count_lines(&printed)));
        assert_eq!(through, log.len() as u64);
    }

    /// The start of the line holding byte `at`.
    fn line_start(log: &[u8], at: usize) -> usize {
        log[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
    }

    /// The Stream retry after a mapped file changed prints only the lines in range at
    /// or after where the first attempt got to, and counts them all.
    #[test]
    fn the_retry_skips_what_was_printed() {
        let log = app_log(3_000);
        let spec = FormatSpec::Fixed(LogFormat::app());
        let notes = Notes::new(true, &[]);
        let r = range("2025-03-14T00:10:00Z", "2025-03-14T00:20:00Z", 0);
        let run = |skip_before: u64| {
            let source = Source::builder()
                .open_reader("retry", std::io::Cursor::new(log.clone()))
                .unwrap();
            let mut printed: Vec<Vec<u8>> = Vec::new();
            let outcome = full_scan(
                source,
                &spec,
                &r,
                &notes,
                |raw| {
                    printed.push(raw.to_vec());
                    ControlFlow::Continue(())
                },
                skip_before,
            )
            .unwrap();
            (outcome.printed, printed)
        };
        let (all_count, all) = run(0);
        assert_eq!(all_count, all.len() as u64);
        assert!(all.len() > 600, "{}", all.len());
        let middle = b"2025-03-14 00:15:00,000 INFO [main] a.B: event 900\n";
        let skip = line_start(
            &log,
            log.windows(middle.len()).position(|w| w == middle).unwrap() + 1,
        );
        let k = all.iter().position(|l| l == middle).unwrap();
        let (count, rest) = run(skip as u64);
        assert_eq!(count, all_count);
        assert_eq!(rest, all[k..]);
    }

    #[test]
    fn search_prints_what_a_full_scan_prints() {
        let log = app_log(20_000); // about 1.2 MB: many probes
        let format = LogFormat::app();
        for (from, to) in [
            ("2025-03-14T01:00:00Z", "2025-03-14T01:00:30Z"),
            ("2025-03-14T00:00:00Z", "2025-03-14T00:00:05Z"),
            ("2025-03-14T05:30:00Z", "2025-03-14T09:00:00Z"),
            ("2025-03-14T02:00:00.5Z", "2025-03-14T02:00:00.7Z"),
            ("2025-03-13T00:00:00Z", "2025-03-13T01:00:00Z"),
        ] {
            for skew in [0, 5, 300] {
                let r = range(from, to, skew);
                let want = reference(&log, &format, &r);
                assert_eq!(
                    searched(&log, &format, &r),
                    want,
                    "{from}..{to} skew {skew}"
                );
            }
        }
        let r = range("2025-03-14T01:00:00Z", "2025-03-14T01:00:09Z", 0);
        let got = searched(&log, &format, &r);
        assert_eq!(got.len(), 11, "ten lines and one stack-trace line");
        assert_eq!(got[1], b"\tat a.B.c(B.java:1)");
    }

    #[test]
    fn lines_out_of_order_within_the_skew_are_found() {
        // Every 50th line is written 3 s late.
        let mut log = Vec::new();
        for i in 0..30_000u64 {
            let t = if i % 50 == 7 { i - 3 } else { i };
            let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
            log.extend_from_slice(
                format!("2025-03-14 {h:02}:{m:02}:{s:02} WARN x: {i}\n").as_bytes(),
            );
        }
        let format = LogFormat::app();
        let r = range("2025-03-14T03:00:00Z", "2025-03-14T03:10:00Z", 5);
        assert_eq!(searched(&log, &format, &r), reference(&log, &format, &r));
        // Without the skew the disorder is noticed, not silently mis-sliced.
        let strict = range("2025-03-14T03:00:00Z", "2025-03-14T03:10:00Z", 0);
        assert!(matches!(
            search(&log, &format, &strict, LineLimit::default()),
            Err(Stop::Disorder { .. })
        ));
    }

    #[test]
    fn a_log_in_reverse_order_is_noticed() {
        let log = app_log(20_000);
        let mut reversed: Vec<&[u8]> = logscan_source::lines(&log).collect();
        reversed.reverse();
        let log = reversed.join(&b'\n');
        let r = range("2025-03-14T01:00:00Z", "2025-03-14T01:01:00Z", 300);
        assert!(matches!(
            search(&log, &LogFormat::app(), &r, LineLimit::default()),
            Err(Stop::Disorder { .. })
        ));
    }

    #[test]
    fn the_span_of_a_file_comes_from_both_ends() {
        let log = app_log(100);
        let span = file_span(&log, &LogFormat::app());
        assert_eq!(
            span.first.map(|t| t.to_string()).as_deref(),
            Some("2025-03-14T00:00:00")
        );
        assert_eq!(
            span.last.map(|t| t.to_string()).as_deref(),
            Some("2025-03-14T00:01:39")
        );
    }
}
