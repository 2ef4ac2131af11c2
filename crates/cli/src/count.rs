//! `logscan count`: lines, and malformed lines when a format is given.

use logscan_parse::{LogFormat, ParseErrorKind};
use logscan_scan::Aggregate;

use crate::{
    cli::CountArgs,
    error::{CliError, Exit},
    format::FormatSpec,
    input::{self, Inputs},
    notes::Notes,
    out::Output,
};

/// What `count` adds up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Lines read.
    pub lines: u64,
    /// Lines that did not parse (only counted with a format), apart from those that go
    /// on from the line before.
    pub malformed: u64,
    /// Lines that go on from the record before them (stack traces in an application
    /// log; only counted with a format).
    pub continued: u64,
    /// Lines skipped as too long (`--skip-long-lines`).
    pub skipped: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.lines += other.lines;
        self.malformed += other.malformed;
        self.continued += other.continued;
        self.skipped += other.skipped;
    }
}

/// Lines that do not parse with a format: malformed, or going on from the line before.
struct Malformed<'f> {
    format: &'f LogFormat,
    count: u64,
    continued: u64,
}

impl Aggregate for Malformed<'_> {
    fn add_line(&mut self, line: &[u8], _line_number: u64) {
        match self.format.parse(line) {
            Ok(_) => {}
            Err(e) if e.kind == ParseErrorKind::Continuation => self.continued += 1,
            Err(_) => self.count += 1,
        }
    }

    fn merge(&mut self, other: Self) {
        self.count += other.count;
        self.continued += other.continued;
    }
}

/// Runs `logscan count`.
///
/// An input that fails part-way (a cut or corrupt `.gz`, a line over the limit, a
/// mapped file that shrank under `--io mmap`) counts for nothing: its error is printed
/// and the totals are those of the other inputs, exit status 2. Its lines up to the
/// failure are read (`filter` prints them), but a count of part of an input printed as
/// `lines: N` would pass for the whole of it, and the scanner drops a failed scan's
/// result for that reason (with several threads, what was counted when a worker failed
/// is not even a prefix of the input).
pub fn run(args: CountArgs) -> Result<Exit, CliError> {
    let inputs = Inputs::from_args(&args.input)?;
    let spec = if FormatSpec::given(&args.format) {
        Some(FormatSpec::from_args(&args.format)?)
    } else {
        None
    };
    let notes = Notes::new(inputs.quiet, &inputs.paths);
    let mut total = Counts::default();
    let mut read_any = false;
    let failed = input::for_each_input(&inputs, &notes, |path| {
        total += inputs.scan(
            path,
            spec.as_ref().is_some_and(FormatSpec::needs_head),
            &notes,
            |opened, _| {
                let scanner = notes.scanner(inputs.scanner_for(&opened.source));
                let format = match &spec {
                    Some(spec) => spec.for_input(opened.source.path(), opened.head.as_deref())?,
                    None => None,
                };
                let Some(format) = format else {
                    // The fastest path: the scanner counts lines by itself.
                    let stats = scanner.scan(opened.source, || ())?.stats;
                    return Ok(Counts {
                        lines: stats.lines,
                        malformed: 0,
                        continued: 0,
                        skipped: stats.skipped_lines,
                    });
                };
                let out = scanner.scan(opened.source, || Malformed {
                    format: &format,
                    count: 0,
                    continued: 0,
                })?;
                Ok(Counts {
                    lines: out.stats.lines,
                    malformed: out.aggregate.count,
                    continued: out.aggregate.continued,
                    skipped: out.stats.skipped_lines,
                })
            },
        )?;
        read_any = true;
        Ok(())
    })?;
    notes.finish();
    if !read_any {
        // Every input failed: there is no count to show.
        return Ok(Exit::Error);
    }
    let mut out = Output::stdout();
    let _ = out.write(|w| {
        writeln!(w, "lines: {}", total.lines)?;
        if spec.is_some() {
            writeln!(w, "malformed: {}", total.malformed)?;
            if total.continued > 0 {
                writeln!(w, "continued (stack traces): {}", total.continued)?;
            }
        }
        if total.skipped > 0 {
            writeln!(w, "skipped (too long): {}", total.skipped)?;
        }
        Ok(())
    });
    out.finish()?;
    Ok(if failed { Exit::Error } else { Exit::Success })
}
