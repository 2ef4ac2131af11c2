//! `logscan count`: lines, and malformed lines when a format is given.

use std::{cell::OnceCell, ops::ControlFlow};

use logscan_parse::LogFormat;

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
    /// Lines that did not parse (only counted with a format).
    pub malformed: u64,
    /// Lines skipped as too long (`--skip-long-lines`).
    pub skipped: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.lines += other.lines;
        self.malformed += other.malformed;
        self.skipped += other.skipped;
    }
}

/// Runs `logscan count`.
pub fn run(args: CountArgs) -> Result<Exit, CliError> {
    let inputs = Inputs::from_args(&args.input);
    let spec = if FormatSpec::given(&args.format) {
        Some(FormatSpec::from_args(&args.format)?)
    } else {
        None
    };
    let notes = Notes::new(inputs.quiet, &inputs.paths);
    let mut total = Counts::default();
    let failed = input::for_each_input(&inputs, &notes, |path| {
        total += inputs.scan(path, &notes, |source, _| {
            count_source(source, spec.as_ref(), &notes)
        })?;
        Ok(())
    })?;
    notes.finish();
    let mut out = Output::stdout();
    let _ = out.write(|w| {
        writeln!(w, "lines: {}", total.lines)?;
        if spec.is_some() {
            writeln!(w, "malformed: {}", total.malformed)?;
        }
        if total.skipped > 0 {
            writeln!(w, "skipped (too long): {}", total.skipped)?;
        }
        Ok(())
    });
    out.finish()?;
    Ok(if failed { Exit::Error } else { Exit::Success })
}

/// Counts one input; parses each line only when a format was asked for.
fn count_source(
    source: logscan_source::Source,
    spec: Option<&FormatSpec>,
    notes: &Notes,
) -> Result<Counts, CliError> {
    let path = source.path().to_owned();
    let format: OnceCell<LogFormat> = OnceCell::new();
    let mut malformed = 0u64;
    let counts = input::each_line(
        source,
        notes,
        |head| {
            if let Some(spec) = spec {
                let _ = format.set(spec.resolve(&path, head)?);
            }
            Ok(())
        },
        |line| {
            if let Some(format) = format.get()
                && format.parse(line.bytes).is_err()
            {
                malformed += 1;
            }
            ControlFlow::Continue(())
        },
    )?;
    Ok(Counts {
        lines: counts.lines,
        malformed,
        skipped: counts.skipped,
    })
}
