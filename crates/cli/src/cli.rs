//! The command line: every subcommand and option, as clap derive types.
//!
//! Options shared by several subcommands live in [`InputArgs`] (where the bytes come
//! from and how they are read) and [`FormatArgs`] (what a line looks like), flattened
//! into each subcommand, so that `logscan count --io mmap --threads 4 -q FILE...`
//! reads the way a person types it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

/// Tell what is in a log, as fast as the machine can read it.
#[derive(Debug, Parser)]
#[command(
    name = "logscan",
    version,
    about = "Tell what is in a log (nginx/Apache access logs, application logs, JSON lines), as fast as the machine can read it.",
    after_help = "Examples:\n  \
        logscan summary /var/log/nginx/access.log\n  \
        logscan count --io mmap --threads 4 access.log.1 access.log.2.gz\n  \
        logscan filter --status 5xx --since 2025-03-14T06:00:00Z access.log\n  \
        logscan slice --from 2025-03-14T06:00:00Z --to 2025-03-14T06:05:00Z access.log\n  \
        logscan records --format app app.log | jq .level\n\n\
        With no FILE, or when FILE is -, standard input is read. Gzip input is decompressed.\n\
        Exit status: 0 success, 1 filter or slice matched nothing, 2 usage or I/O error."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report what the log holds: requests, statuses, top paths and clients, latency.
    #[command(after_help = "Examples:\n  \
        logscan summary access.log\n  \
        logscan summary --json access.log access.log.1.gz > summary.json\n  \
        logscan summary --per-file --top 5 /var/log/nginx/*.log\n  \
        logscan summary --path-times --top 20 access.log      # where the time went\n  \
        logscan summary --status 5xx --since 2025-03-14T06:00:00Z access.log\n  \
        logscan summary --apache-conf /etc/apache2/apache2.conf --format-name combined access.log\n  \
        zcat access.log.*.gz | logscan summary --format combined")]
    Summary(SummaryArgs),
    /// Count lines (and, with a format, the lines that do not match it): the fastest path.
    #[command(after_help = "Examples:\n  \
        logscan count access.log\n  \
        logscan count --format combined access.log      # also counts malformed lines\n  \
        logscan count --io mmap --threads 4 -q big.log")]
    Count(CountArgs),
    /// Print the raw lines that match every condition given, in input order.
    #[command(after_help = "Examples:\n  \
        logscan filter --status 5xx access.log\n  \
        logscan filter --method POST --path-prefix /api/ --status 400-499 access.log\n  \
        logscan filter --ip 10.0.0.0/8 -v access.log      # everything not from 10/8\n  \
        logscan filter --since '14/Mar/2025:06:00:00 +0000' --until 2025-03-14T07:00Z access.log\n  \
        logscan filter --format app --level warn app.log\n  \
        logscan filter --slower-than 1.5s --path-prefix /api/ access.log\n\n\
        A line matches when it parses with the format and meets every condition; with -v,\n\
        the lines that do not (malformed lines included) are printed instead. The lines of\n\
        a stack trace in an application log go with the record before them.")]
    Filter(FilterArgs),
    /// Print the lines of a time range from a time-ordered log, by binary search.
    #[command(after_help = "Examples:\n  \
        logscan slice --from 2025-03-14T06:00:00Z --to 2025-03-14T06:05:00Z access.log\n  \
        logscan slice --from '14/Mar/2025:06:00:00 +0000' --to '14/Mar/2025:06:01:00 +0000' access.log\n\n\
        Both ends are included. A line without a timestamp goes with the line before it.\n\
        The file is searched in O(log n) probes when it is mapped or read whole and ordered\n\
        up to --max-skew; otherwise (stdin, gzip, a log out of order) it is scanned in full.")]
    Slice(SliceArgs),
    /// Print parsed records as NDJSON, one object per line with typed fields.
    #[command(after_help = "Examples:\n  \
        logscan records access.log | jq -r 'select(.status >= 500) | .request'\n  \
        logscan records --format json app.jsonl > records.ndjson\n  \
        logscan records --status 5xx --since 2025-03-14T06:00:00Z access.log\n\n\
        Each object has \"_line\" (the line number; \"_file\" too with several inputs),\n\
        then the fields of the format: times as RFC 3339 strings, durations in seconds,\n\
        numbers as numbers, `-` as null; a record's stack trace is in \"continued\".\n\
        Malformed lines are left out and counted on stderr.")]
    Records(RecordsArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:\n  \
        logscan completions bash > /etc/bash_completion.d/logscan\n  \
        logscan completions zsh > \"${fpath[1]}/_logscan\"\n  \
        logscan completions fish > ~/.config/fish/completions/logscan.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

/// Shells `logscan completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

impl From<CompletionShell> for Shell {
    fn from(shell: CompletionShell) -> Shell {
        match shell {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
        }
    }
}

/// Where the input comes from and how it is read.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input files; none or `-` reads standard input. `.gz` files are decompressed.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// How to read the input: stream through pooled buffers, read each file whole,
    /// mmap it, or pick per input.
    #[arg(long, value_enum, default_value_t = IoChoice::Auto, value_name = "STRATEGY")]
    pub io: IoChoice,

    /// Paging advice for mapped files.
    #[arg(long, value_enum, default_value_t = AdviceChoice::Sequential, value_name = "ADVICE")]
    pub mmap_advice: AdviceChoice,

    /// Worker threads; 0 means one per CPU (at most 1024).
    #[arg(long, short = 'j', default_value_t = 0, value_parser = parse_threads, value_name = "N")]
    pub threads: usize,

    /// The longest line accepted, in bytes (K, M, G suffixes are powers of 1024).
    #[arg(long, default_value = "64M", value_parser = parse_size, value_name = "BYTES")]
    pub max_line_length: usize,

    /// Skip and count lines longer than --max-line-length instead of stopping.
    #[arg(long)]
    pub skip_long_lines: bool,

    /// No progress bar, no notes on stderr; errors are still reported.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// What a line looks like.
#[derive(Debug, Clone, Args)]
pub struct FormatArgs {
    /// The log format: a preset, or `auto` to guess it from the first lines of each input.
    #[arg(long, value_name = "FORMAT", value_parser = format_names(), conflicts_with_all = ["log_format", "nginx_conf", "apache_conf"])]
    pub format: Option<String>,

    /// An nginx log_format string (or a whole `log_format name '...';` directive).
    #[arg(long, value_name = "LOG_FORMAT", conflicts_with_all = ["nginx_conf", "apache_conf"])]
    pub log_format: Option<String>,

    /// An Apache LogFormat string (or a whole `LogFormat "..." nickname` line), e.g.
    /// '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D'. %D, %T and
    /// %{ms}T are read as the request's served time in their units.
    #[arg(long, value_name = "LOGFORMAT", conflicts_with_all = ["format", "log_format", "nginx_conf", "apache_conf", "json_key"])]
    pub apache_format: Option<String>,

    /// Take the format from the `LogFormat` lines of an Apache configuration file
    /// (httpd.conf, apache2.conf): the one --format-name names, else the one its
    /// `CustomLog` lines use, else its only one.
    #[arg(long, value_name = "FILE", group = "conf", conflicts_with_all = ["nginx_conf", "json_key"])]
    pub apache_conf: Option<PathBuf>,

    /// Take the format from the `log_format` directives of an nginx configuration file
    /// (nginx.conf): the one --format-name names, else the one its `access_log`
    /// directives write with (nginx's own `combined` for one that names none), else its
    /// only one.
    #[arg(long, value_name = "FILE", group = "conf")]
    pub nginx_conf: Option<PathBuf>,

    /// Which `log_format` of --nginx-conf (or `LogFormat` nickname of --apache-conf)
    /// to use, over the one its `access_log` (`CustomLog`) lines write with; needed
    /// when those write with several, or there are none and it defines several.
    #[arg(long, value_name = "NAME", requires = "conf")]
    pub format_name: Option<String>,

    /// For JSON lines: the keys that hold a field, first match wins, replacing the
    /// defaults (e.g. `--json-key time=ts,@t --json-key level=lvl`); a dotted key
    /// also reaches into nested objects (`--json-key status=resp.code`). Fields: time,
    /// level, message, status, path, client, method, bytes, request_time,
    /// user_agent, referrer, exception, host. A request_time key is in seconds unless it
    /// ends in its unit: `--json-key request_time=took:ms` (also :us, :ns, :s, and :go
    /// for a Go duration: a fraction is seconds, a whole number nanoseconds, `1.5ms`).
    /// Implies --format json.
    #[arg(long, value_name = "FIELD=KEY[,KEY...]", conflicts_with_all = ["log_format", "nginx_conf"])]
    pub json_key: Vec<String>,

    /// The year of application-log times that carry none (syslog's `Dec 10 06:55:46`,
    /// klog's `E1210 ...`), for a log written in another year. Without it such a time
    /// gets the year it is read in, or the year before if it would be more than a day
    /// ahead.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(0..=9999))]
    pub year: Option<i32>,
}

/// `logscan summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
    /// Summarise only the records that meet every condition given (the conditions of
    /// `logscan filter`); the others are counted as excluded and nothing else.
    #[command(
        flatten,
        next_help_heading = "Conditions (summarise only the records that meet all given; the rest are counted as excluded)"
    )]
    pub conditions: Conditions,

    /// Print the summary as JSON (a stable schema; see the README).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// Print the summary as CSV tables.
    #[arg(long)]
    pub csv: bool,

    /// One summary per input file instead of one for all of them.
    #[arg(long)]
    pub per_file: bool,

    /// How many entries the top-N tables keep.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Distinct keys each table (paths, clients, user agents, referrers, ...) counts
    /// exactly; a key first seen once a table is full is counted as untracked, and the
    /// report says the table is incomplete. Memory grows with it: about the key's length
    /// plus 32 bytes per key, per table, per thread.
    #[arg(long, default_value_t = logscan_stats::SummaryBuilder::DEFAULT_MAX_KEYS, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_keys: usize,

    /// Also add up the served time of each path, and show the paths the server spent
    /// the most time on, with their requests, mean and longest time. Costs a table of
    /// every distinct path and a lookup in it per timed request.
    #[arg(long)]
    pub path_times: bool,

    /// When to colour the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `logscan count`.
#[derive(Debug, Args)]
pub struct CountArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// `logscan filter`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub conditions: Conditions,

    /// Print the lines that do NOT match instead.
    #[arg(long = "invert-match", short = 'v')]
    pub invert: bool,
}

/// The conditions of `logscan filter`; a line must meet all that are given.
#[derive(Debug, Clone, Default, Args)]
pub struct Conditions {
    /// Status codes: `404`, `5xx`, `400-499`, or a comma-separated list of these.
    #[arg(long, value_name = "SPEC")]
    pub status: Option<String>,

    /// HTTP methods, comma-separated, any case (`GET,HEAD`).
    #[arg(long, value_name = "METHODS")]
    pub method: Option<String>,

    /// Request path starts with this (the path without its query string).
    #[arg(long, value_name = "PREFIX")]
    pub path_prefix: Option<String>,

    /// Virtual host (`$host`, `$http_host`, `$server_name`, Apache's %v, a JSON host key), or the
    /// host of a syslog line: a comma-separated list, any case; `*.example.com` takes
    /// every name under example.com. A host logged with a port (`shop.example:8080`),
    /// in brackets (`[2001:db8::1]`) or with a trailing dot matches its name too.
    #[arg(long, value_name = "HOSTS")]
    pub host: Option<String>,

    /// Request path matches this regular expression (Rust regex syntax).
    #[arg(long, value_name = "REGEX")]
    pub path_regex: Option<String>,

    /// Client address: an IP or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`), or a
    /// comma-separated list of them.
    #[arg(long, value_name = "ADDR")]
    pub ip: Option<String>,

    /// At or after this time: RFC 3339 (`2025-03-14T06:00:00Z`), the access-log shape
    /// (`14/Mar/2025:06:00:00 +0000`), the log's own shape, or Unix seconds. A time
    /// without a zone is UTC.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// At or before this time (same shapes as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// At least this severe (application and JSON logs): trace, debug, info, notice,
    /// warn, error, critical, alert, fatal.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,

    /// Served in at least this long (`$request_time`, Apache's %D/%T, a JSON request
    /// time): `500ms`, `1.5s`, `250us`, `2m`, `1m30s`, `1h`; a bare number is seconds.
    #[arg(long, value_name = "DURATION")]
    pub slower_than: Option<String>,
}

/// `logscan slice`.
#[derive(Debug, Args)]
pub struct SliceArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,

    /// First time of the range (included); same shapes as `filter --since`.
    #[arg(long, value_name = "TIME")]
    pub from: String,

    /// Last time of the range (included).
    #[arg(long, value_name = "TIME")]
    pub to: String,

    /// How far, in seconds, a line's time may lag behind an earlier line's and still
    /// count as ordered (servers write slow requests late).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub max_skew: u32,
}

/// `logscan records`.
#[derive(Debug, Args)]
pub struct RecordsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
    /// Print only the records that meet every condition given (the conditions of
    /// `logscan filter`), each with its stack trace.
    #[command(
        flatten,
        next_help_heading = "Conditions (print only the records that meet all given)"
    )]
    pub conditions: Conditions,
}

/// `--io`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IoChoice {
    /// Pick per input: stream pipes and gzip, read small files whole, mmap large ones.
    Auto,
    /// read() through bounded, pooled buffers.
    Stream,
    /// Read each file whole into memory.
    Read,
    /// Map each file into memory.
    Mmap,
}

/// `--mmap-advice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdviceChoice {
    /// madvise(SEQUENTIAL): aggressive read-ahead.
    Sequential,
    /// madvise(WILLNEED): start reading the whole file in now.
    Willneed,
    /// No advice.
    Normal,
}

/// The values `--format` accepts: every preset `logscan-parse` knows, and `auto`.
/// Taken from the parser so a new preset needs no change here.
fn format_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        logscan_parse::PRESET_NAMES
            .iter()
            .copied()
            .chain(std::iter::once("auto")),
    )
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour, NO_COLOR or not.
    Always,
    /// Never colour.
    Never,
}

/// The most worker threads `--threads` takes: far past any machine's useful count,
/// and a pool of that many starts in well under a second (3,000 took half a minute).
pub const MAX_THREADS: usize = 1024;

/// Parses `--threads`: 0 (one per CPU) up to [`MAX_THREADS`].
pub fn parse_threads(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of threads"))?;
    if n > MAX_THREADS {
        return Err(format!("at most {MAX_THREADS} threads"));
    }
    Ok(n)
}

/// Parses a byte count with an optional binary suffix: `4096`, `64K`, `64KiB`, `1M`,
/// `2G`.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (try 4096, 64K, 1M)"))?;
    let shift = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("`{text}` has an unknown unit (use K, M or G)")),
    };
    let bytes = number
        .checked_mul(1u64 << shift)
        .and_then(|b| usize::try_from(b).ok())
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes == 0 {
        return Err("the size must be at least 1 byte".to_owned());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 * 1024));
        assert_eq!(parse_size("64KiB"), Ok(64 * 1024));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert!(parse_size("").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("12X").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn the_benchmark_contract_parses() {
        let cli = Cli::try_parse_from([
            "logscan",
            "count",
            "--io",
            "mmap",
            "--mmap-advice",
            "willneed",
            "--threads",
            "2",
            "-q",
            "a.log",
            "b.log",
        ])
        .expect("the harness's count command line parses");
        let Command::Count(args) = cli.command else {
            panic!("not count")
        };
        assert_eq!(args.input.io, IoChoice::Mmap);
        assert_eq!(args.input.mmap_advice, AdviceChoice::Willneed);
        assert_eq!(args.input.threads, 2);
        assert!(args.input.quiet);
        assert_eq!(args.input.files.len(), 2);
    }

    #[test]
    fn thread_counts_are_bounded() {
        assert_eq!(parse_threads("0"), Ok(0));
        assert_eq!(parse_threads("1024"), Ok(1024));
        assert!(parse_threads("1025").unwrap_err().contains("at most 1024"));
        assert!(parse_threads("-1").is_err());
        assert!(Cli::try_parse_from(["logscan", "count", "-j", "3000", "a.log"]).is_err());
    }

    #[test]
    fn format_sources_are_exclusive() {
        for args in [
            &["logscan", "count", "--format", "app", "--log-format", "$x"][..],
            &[
                "logscan",
                "count",
                "--format",
                "app",
                "--nginx-conf",
                "n.conf",
            ],
            &[
                "logscan",
                "count",
                "--log-format",
                "$x",
                "--nginx-conf",
                "n",
            ],
            &["logscan", "count", "--format-name", "main"],
            &[
                "logscan",
                "count",
                "--apache-conf",
                "a",
                "--nginx-conf",
                "n",
            ],
            &[
                "logscan",
                "count",
                "--apache-conf",
                "a",
                "--format",
                "combined",
            ],
            &[
                "logscan",
                "count",
                "--apache-format",
                "%h",
                "--log-format",
                "$x",
            ],
        ] {
            assert!(
                Cli::try_parse_from(args).is_err(),
                "{args:?} should be refused"
            );
        }
    }
}
