//! `logscan summary`: the [`Summary`] of logscan-stats over every input, printed as a
//! terminal report, JSON or CSV; one for all inputs, or one per input.

use std::io::{IsTerminal, Write};

use logscan_parse::LogFormat;
use logscan_scan::ScanStats;
use logscan_source::Strategy;
use logscan_stats::{Report, Summary, SummaryBuilder, TextOptions};

use crate::{
    cli::{ColorChoice, SummaryArgs},
    error::{CliError, Exit},
    filter::{Filter, UnmetConditionsNote},
    format::{FormatSpec, UnreadNumberNote},
    input::{self, Inputs},
    notes::Notes,
    out::Output,
};

/// The `--per-file --json` document's schema name.
pub const PER_FILE_SCHEMA: &str = "logscan.summary.per_file/1";

/// Runs `logscan summary`.
///
/// An input that fails part-way (a cut or corrupt `.gz`, a line over the limit, a
/// mapped file that shrank under `--io mmap`) is left out of the report, as `count`
/// leaves it out of its totals (see `count`'s `run`): the report covers the
/// inputs read to their end, and the error says which one is missing.
pub fn run(args: SummaryArgs) -> Result<Exit, CliError> {
    let spec = FormatSpec::from_args(&args.format)?;
    let inputs = Inputs::from_args(&args.input)?;
    let notes = Notes::new(inputs.quiet, &inputs.paths);
    let mut options = SummaryBuilder::new();
    options
        .top(args.top)
        .max_keys(args.max_keys)
        .path_times(args.path_times);
    let conditions = std::sync::Arc::new(Filter::new(&args.conditions)?);
    let keep = (!conditions.is_empty()).then(|| std::sync::Arc::clone(&conditions));
    let unmet = UnmetConditionsNote::default();
    let make = |format: &LogFormat| {
        let summary = options.build(format);
        match &keep {
            Some(conditions) => {
                let conditions = std::sync::Arc::clone(conditions);
                summary.keep_only(move |record| conditions.matches(record))
            }
            None => summary,
        }
    };
    // Each input's summary is folded in (or, with --per-file, turned into its report)
    // as soon as it is done, so memory does not grow with the number of inputs.
    let mut merged = Merged::default();
    let mut per_file: Vec<(String, Report)> = Vec::new();
    let several = inputs.paths.len() > 1;
    let mut position = 0u32;
    let unread_number = UnreadNumberNote::new(true);
    let failed = input::for_each_input(&inputs, &notes, |path| {
        let done = inputs.scan(path, spec.needs_head(), &notes, |opened, _| {
            let format = spec.for_input(opened.source.path(), opened.head.as_deref())?;
            // An empty input under --format auto has no format; it adds nothing.
            let Some(format) = format else {
                return Ok(None);
            };
            let head = opened.head.as_deref();
            unread_number.check(&spec, &format, opened.source.path(), head, &notes);
            unmet.check(&conditions, &format, opened.source.path(), &notes);
            let scanner = notes.scanner(inputs.scanner_for(&opened.source));
            let out = scanner.scan(opened.source, || make(&format))?;
            Ok(Some((out.aggregate, out.stats)))
        })?;
        let name = path.display().to_string();
        if done.is_none() && args.per_file {
            // An empty input has its (empty) report too, so that no input goes missing
            // from the list.
            let mut report = empty_report(&options);
            report.filtered = keep.is_some();
            per_file.push((name.clone(), report));
        }
        if let Some((mut summary, stats)) = done {
            if let Some(note) =
                spec.named_format_fits_nothing(summary.parsed(), summary.malformed())
            {
                notes.note(format_args!("{name}: {note}"));
            }
            if args.per_file {
                let report = summary.report().with_scan(&stats);
                per_file.push((name, report));
            } else {
                if several {
                    // Samples of malformed lines then say which input they are from.
                    summary.name_input(position, &name);
                }
                merged.add(summary, stats);
            }
        }
        position += 1;
        Ok(())
    })?;
    notes.finish();
    if failed && merged.total.is_none() && per_file.is_empty() {
        // Every input failed (or the only readable ones were empty): nothing to show.
        return Ok(Exit::Error);
    }

    // NO_COLOR sets the default; an explicit --color overrides it (no-color.org).
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let text = TextOptions { color };
    let mut out = Output::stdout();
    // Conditions that no record met give an empty report: say why, once.
    let none_kept =
        |r: &Report| r.filtered && r.lines.parsed > 0 && r.lines.excluded == r.lines.parsed;
    if args.per_file {
        for (name, report) in &per_file {
            if none_kept(report) {
                notes.note(format_args!("{name}: no record met the conditions"));
            }
        }
        let _ = out.write(|w| write_per_file(w, &per_file, &args, text));
    } else {
        let report = merged.report(&options);
        if none_kept(&report) {
            notes.note(format_args!(
                "no record met the conditions ({} parsed, all excluded)",
                report.lines.parsed
            ));
        }
        let _ = out.write(|w| {
            if args.json {
                report.write_json(w)
            } else if args.csv {
                report.write_csv(w)
            } else {
                w.write_all(report.to_text(text).as_bytes())
            }
        });
    }
    out.finish()?;
    Ok(if failed { Exit::Error } else { Exit::Success })
}

/// The report of nothing read (empty inputs): no lines, and no format to name.
fn empty_report(options: &SummaryBuilder) -> Report {
    let mut report = options.build(&LogFormat::combined()).report();
    report.format = "none".to_owned();
    report
}

/// One report for all inputs: their summaries merged, their scans added up.
#[derive(Default)]
struct Merged {
    formats: Vec<String>,
    strategies: Vec<Strategy>,
    total: Option<(Summary, ScanStats)>,
}

impl Merged {
    fn add(&mut self, summary: Summary, stats: ScanStats) {
        let name = summary.format().name();
        if !self.formats.iter().any(|f| f == name) {
            self.formats.push(name.to_owned());
        }
        if !self.strategies.contains(&stats.strategy) {
            self.strategies.push(stats.strategy);
        }
        match &mut self.total {
            None => self.total = Some((summary, stats)),
            Some((total, total_stats)) => {
                logscan_scan::Aggregate::merge(total, summary);
                total_stats.lines += stats.lines;
                total_stats.skipped_lines += stats.skipped_lines;
                total_stats.bytes += stats.bytes;
                total_stats.chunks += stats.chunks;
            }
        }
    }

    fn report(self, options: &SummaryBuilder) -> Report {
        let Some((summary, stats)) = self.total else {
            return empty_report(options);
        };
        let mut report = summary.report().with_scan(&stats);
        // Inputs of different formats or read by different strategies are named together.
        report.format = self.formats.join("+");
        if let Some(scan) = report.scan.as_mut() {
            scan.strategy = self
                .strategies
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join("+");
        }
        report
    }
}

/// `--per-file`: a report per input, in input order.
fn write_per_file(
    w: &mut dyn Write,
    reports: &[(String, Report)],
    args: &SummaryArgs,
    text: TextOptions,
) -> std::io::Result<()> {
    if args.json {
        let files: Vec<serde_json::Value> = reports
            .iter()
            .map(|(path, report)| serde_json::json!({ "path": path, "summary": report }))
            .collect();
        let doc = serde_json::json!({ "schema": PER_FILE_SCHEMA, "files": files });
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        return w.write_all(b"\n");
    }
    if args.csv {
        // The summary's CSV with the input's name in a first column.
        w.write_all(b"file,section,key,value,percent\n")?;
        for (path, report) in reports {
            let mut csv = Vec::new();
            report.write_csv(&mut csv)?;
            let quoted = csv_field(path);
            for row in csv.split(|&b| b == b'\n').skip(1).filter(|r| !r.is_empty()) {
                w.write_all(quoted.as_bytes())?;
                w.write_all(b",")?;
                w.write_all(row)?;
                w.write_all(b"\n")?;
            }
        }
        return Ok(());
    }
    for (i, (path, report)) in reports.iter().enumerate() {
        if i > 0 {
            w.write_all(b"\n")?;
        }
        writeln!(w, "==> {path} <==")?;
        w.write_all(report.to_text(text).as_bytes())?;
    }
    Ok(())
}

/// A CSV field, quoted when it has to be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("a.log"), "a.log");
        assert_eq!(csv_field("a,b.log"), "\"a,b.log\"");
        assert_eq!(csv_field("say \"hi\".log"), "\"say \"\"hi\"\".log\"");
    }
}
