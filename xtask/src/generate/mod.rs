//! The dataset generator behind `cargo xtask gen`.

mod access;
mod app;
mod clock;
mod rng;
mod text;
mod world;
mod zipf;

use std::io::{BufWriter, Write};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use access::{Access, Referer, Request};
use app::Trace;
use clock::Clock;
use rng::Rng;
use world::World;

pub(crate) use clock::iso_utc;

/// Bumped whenever a change to the generator changes its output for a seed, so that
/// datasets cached under an old name are not mistaken for current ones.
pub const GENERATOR_VERSION: u32 = 1;

/// Default number of lines, as `cargo xtask gen` documents.
pub const DEFAULT_LINES: u64 = 1_000_000;

/// Default seed.
pub const DEFAULT_SEED: u64 = 42;

/// Which kind of log to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// nginx `combined` plus ` $request_time` at the end.
    Combined,
    /// Application log: `ISO-timestamp LEVEL [component] message`.
    App,
    /// One JSON object per line: access-log objects, some application objects.
    Json,
}

impl Format {
    /// The name used on the command line and in cached file names.
    pub fn name(self) -> &'static str {
        match self {
            Format::Combined => "combined",
            Format::App => "app",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = GenError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "combined" => Ok(Format::Combined),
            "app" => Ok(Format::App),
            "json" => Ok(Format::Json),
            other => Err(GenError::InvalidConfig(format!(
                "unknown format {other:?} (expected combined, app or json)"
            ))),
        }
    }
}

/// How much to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Amount {
    /// Exactly this many newline-terminated lines.
    Lines(u64),
    /// Whole lines until at least this many bytes are written (the last line may
    /// pass the mark, by at most one line).
    Bytes(u64),
}

/// Errors from generating a dataset.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The builder was given values that cannot work.
    #[error("invalid generator configuration: {0}")]
    InvalidConfig(String),
    /// Writing the output failed.
    #[error("writing the dataset failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What a generation run wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenStats {
    /// Newline-terminated lines written (every physical line counts).
    pub lines: u64,
    /// Bytes written, newlines included.
    pub bytes: u64,
    /// Lines damaged on purpose (cut short, glued, binary). Not all of them are
    /// malformed to a parser: a binary request that nginx escaped as `\xHH` is a
    /// well-formed line with an odd request, and a raw one may still match, so
    /// `logscan summary` counts fewer malformed lines than this.
    pub malformed: u64,
    /// Very long lines (10 KiB to 256 KiB).
    pub long_lines: u64,
    /// Stack-trace continuation lines (application format only).
    pub continuation: u64,
}

/// A configured, deterministic log generator: the same configuration always writes
/// the same bytes.
///
/// Build one with [`Generator::builder`], then call [`Generator::write_to`].
#[derive(Debug, Clone)]
pub struct Generator {
    format: Format,
    seed: u64,
    amount: Amount,
    long_lines: bool,
    malformed_per_million: u32,
}

/// Builder for [`Generator`].
#[derive(Debug, Clone)]
pub struct GeneratorBuilder {
    format: Format,
    seed: u64,
    amount: Amount,
    long_lines: bool,
    malformed_per_million: u32,
}

impl Default for GeneratorBuilder {
    fn default() -> Self {
        GeneratorBuilder {
            format: Format::Combined,
            seed: DEFAULT_SEED,
            amount: Amount::Lines(DEFAULT_LINES),
            long_lines: true,
            malformed_per_million: 1_000,
        }
    }
}

impl GeneratorBuilder {
    /// The log format (default: combined).
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// The seed (default: 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Write exactly `n` lines (the default, with 1,000,000).
    pub fn lines(mut self, n: u64) -> Self {
        self.amount = Amount::Lines(n);
        self
    }

    /// Write whole lines until at least `n` bytes are out.
    pub fn bytes(mut self, n: u64) -> Self {
        self.amount = Amount::Bytes(n);
        self
    }

    /// Sets the amount directly.
    pub fn amount(mut self, amount: Amount) -> Self {
        self.amount = amount;
        self
    }

    /// Whether to include a few very long lines, about one per 100,000 lines, the
    /// first near line 1,000 (default: true). Off for datasets of tiny files.
    pub fn long_lines(mut self, on: bool) -> Self {
        self.long_lines = on;
        self
    }

    /// Malformed lines per million (default: 1,000, i.e. 0.1%).
    pub fn malformed_per_million(mut self, n: u32) -> Self {
        self.malformed_per_million = n;
        self
    }

    /// Checks the configuration.
    pub fn build(self) -> Result<Generator, GenError> {
        if self.malformed_per_million > 1_000_000 {
            return Err(GenError::InvalidConfig(format!(
                "malformed_per_million is {}, at most 1,000,000",
                self.malformed_per_million
            )));
        }
        Ok(Generator {
            format: self.format,
            seed: self.seed,
            amount: self.amount,
            long_lines: self.long_lines,
            malformed_per_million: self.malformed_per_million,
        })
    }
}

impl Generator {
    /// A builder with the defaults of `cargo xtask gen`.
    pub fn builder() -> GeneratorBuilder {
        GeneratorBuilder::default()
    }

    /// The configured format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The configured seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The configured amount.
    pub fn amount(&self) -> Amount {
        self.amount
    }

    /// A file name that identifies this output: format, amount, seed and
    /// [`GENERATOR_VERSION`], e.g. `combined-1000000l-s42-g1.log`.
    pub fn file_name(&self) -> String {
        let amount = match self.amount {
            Amount::Lines(n) => format!("{n}l"),
            Amount::Bytes(n) => format!("{n}b"),
        };
        let extras = match (self.long_lines, self.malformed_per_million) {
            (true, 1_000) => String::new(),
            (long, m) => format!("-m{m}{}", if long { "" } else { "-nolong" }),
        };
        format!(
            "{}-{amount}-s{}{extras}-g{GENERATOR_VERSION}.log",
            self.format.name(),
            self.seed
        )
    }

    /// Writes the dataset to `out` through a 1 MiB buffer and flushes it.
    ///
    /// Nothing is allocated per line: one line buffer and two scratch buffers are
    /// reused (they grow once, to the longest line).
    pub fn write_to<W: Write>(&self, out: W) -> Result<GenStats, GenError> {
        let mut out = BufWriter::with_capacity(1 << 20, out);
        let mut state = State::new(self);
        let mut line = Vec::with_capacity(4096);
        let mut stats = GenStats::default();
        loop {
            let done = match self.amount {
                Amount::Lines(n) => stats.lines >= n,
                Amount::Bytes(n) => stats.bytes >= n,
            };
            if done {
                break;
            }
            line.clear();
            let kind = state.next_line(stats.lines, &mut line);
            line.push(b'\n');
            out.write_all(&line)?;
            stats.lines += 1;
            stats.bytes += line.len() as u64;
            match kind {
                LineKind::Normal => {}
                LineKind::Malformed => stats.malformed += 1,
                LineKind::Long => stats.long_lines += 1,
                LineKind::Continuation => stats.continuation += 1,
            }
        }
        out.flush()?;
        Ok(stats)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Normal,
    Malformed,
    Long,
    Continuation,
}

/// Everything that changes from line to line.
struct State {
    format: Format,
    world: World,
    rng: Rng,
    clock: Clock,
    /// Application message being built (JSON needs it apart to escape it).
    msg: Vec<u8>,
    /// A long request target or a binary request.
    scratch: Vec<u8>,
    trace: Option<Trace>,
    long_lines: bool,
    next_long: u64,
    malformed_per_million: u64,
}

impl State {
    fn new(g: &Generator) -> Self {
        let mut rng = Rng::derive(g.seed, 2);
        let next_long = 1_000 + rng.below(1_000);
        State {
            format: g.format,
            world: World::new(g.seed),
            rng,
            clock: Clock::new(),
            msg: Vec::with_capacity(1024),
            scratch: Vec::with_capacity(1024),
            trace: None,
            long_lines: g.long_lines,
            next_long,
            malformed_per_million: u64::from(g.malformed_per_million),
        }
    }

    fn next_line(&mut self, index: u64, line: &mut Vec<u8>) -> LineKind {
        if let Some(trace) = &mut self.trace {
            if trace.next_line(line) {
                return LineKind::Continuation;
            }
            self.trace = None;
        }
        self.clock.tick(&mut self.rng);
        if self.long_lines && index >= self.next_long {
            self.next_long = index + self.rng.range(80_000, 120_000);
            self.normal(line, true);
            return LineKind::Long;
        }
        if self.rng.below(1_000_000) < self.malformed_per_million {
            self.malformed(line);
            return LineKind::Malformed;
        }
        self.normal(line, false);
        LineKind::Normal
    }

    /// JSON logs from one service mix access objects with application objects.
    fn json_is_access(&mut self) -> bool {
        self.rng.chance(0.8)
    }

    fn normal(&mut self, line: &mut Vec<u8>, long: bool) {
        match self.format {
            Format::Combined => self.access(line, long),
            Format::App => self.app(line, long),
            Format::Json => {
                if self.json_is_access() {
                    self.access(line, long)
                } else {
                    self.app(line, long)
                }
            }
        }
    }

    fn access(&mut self, line: &mut Vec<u8>, long: bool) {
        if long {
            access::long_target(&mut self.rng, &mut self.scratch);
        }
        let target = if long { Some(&self.scratch[..]) } else { None };
        let mut a = access::sample(&self.world, &mut self.rng, target);
        if !long && self.rng.below(10_000) < 5 {
            // A connection closed before the request line: real, and well-formed.
            a = Access {
                request: Request::Dash,
                status: 400,
                bytes: 0,
                referer: Referer::None,
                user_agent: b"-",
                request_millis: 0,
                ..a
            };
        }
        self.write_access(&a, line);
    }

    fn write_access(&self, a: &Access<'_>, line: &mut Vec<u8>) {
        match self.format {
            Format::Json => access::write_json(a, &self.clock, line),
            _ => access::write_combined(a, &self.clock, line),
        }
    }

    fn app(&mut self, line: &mut Vec<u8>, long: bool) {
        self.msg.clear();
        let ev = if long {
            app::long_message(&mut self.rng, &mut self.msg)
        } else {
            app::sample(&self.world, &mut self.rng, &mut self.msg)
        };
        match self.format {
            Format::Json => app::write_json(&ev, &self.msg, &self.clock, line),
            _ => {
                app::write_text(&ev, &self.msg, &self.clock, line);
                self.trace = ev.trace;
            }
        }
    }

    /// The kinds of damage real logs show: a line cut short (disk full, killed
    /// writer), a cut line glued to the next one (a crashed writer resumed), a
    /// binary request (TLS to the plain port), and for application logs a run of NUL
    /// bytes (a preallocated region never written before a crash).
    fn malformed(&mut self, line: &mut Vec<u8>) {
        match self.rng.below(100) {
            0..=39 => {
                self.normal(line, false);
                self.cut(line);
            }
            40..=54 => {
                self.normal(line, false);
                self.cut(line);
                // The glued line's trace, if any, belongs to it; keep only one.
                self.trace = None;
                self.normal(line, false);
            }
            _ => self.binary(line),
        }
        if self.format != Format::App {
            self.trace = None;
        }
    }

    fn cut(&mut self, line: &mut Vec<u8>) {
        if line.len() > 12 {
            let keep = self.rng.range(8, line.len() as u64 - 3) as usize;
            line.truncate(keep);
        }
        self.trace = None;
    }

    fn binary(&mut self, line: &mut Vec<u8>) {
        let access_like = match self.format {
            Format::Combined => true,
            Format::App => false,
            Format::Json => self.json_is_access(),
        };
        if access_like {
            // nginx escapes such bytes as \xHH; a raw writer (escape=none, or JSON's
            // escaping, which leaves bytes >= 0x80 alone) lets them through.
            let escape = self.format == Format::Combined && self.rng.chance(0.75);
            access::binary_request(&mut self.rng, &mut self.scratch, escape);
            let a = access::sample(&self.world, &mut self.rng, None);
            let a = Access {
                user: b"-",
                request: Request::Bytes(&self.scratch),
                status: 400,
                bytes: if self.rng.chance(0.5) { 157 } else { 0 },
                referer: Referer::None,
                user_agent: b"-",
                request_millis: self.rng.below(3),
                ..a
            };
            self.write_access(&a, line);
        } else if self.rng.chance(0.5) {
            let zeros = self.rng.range(16, 512) as usize;
            line.resize(line.len() + zeros, 0);
            self.app(line, false);
            self.trace = None;
        } else {
            self.app(line, false);
            self.trace = None;
            let keep = self.rng.range(30, 40).min(line.len() as u64) as usize;
            line.truncate(keep);
            for _ in 0..self.rng.range(20, 200) {
                let b = self.rng.below(256) as u8;
                line.push(if b == b'\n' { 0xff } else { b });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(g: &Generator) -> (Vec<u8>, GenStats) {
        let mut out = Vec::new();
        let stats = g.write_to(&mut out).unwrap_or_default();
        (out, stats)
    }

    fn build(f: impl FnOnce(GeneratorBuilder) -> GeneratorBuilder) -> Generator {
        f(Generator::builder())
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        for format in [Format::Combined, Format::App, Format::Json] {
            let g = |seed| build(|b| b.format(format).seed(seed).lines(3_000));
            let (a, _) = generate(&g(5));
            let (b, _) = generate(&g(5));
            let (c, _) = generate(&g(6));
            assert_eq!(a, b, "{format:?}");
            assert_ne!(a, c, "{format:?}");
        }
    }

    #[test]
    fn exact_line_count_and_stats_match_output() {
        for format in [Format::Combined, Format::App, Format::Json] {
            let (out, stats) = generate(&build(|b| b.format(format).lines(5_000)));
            let newlines = out.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(newlines, 5_000);
            assert_eq!(stats.lines, 5_000);
            assert_eq!(stats.bytes, out.len() as u64);
            assert_eq!(out.last(), Some(&b'\n'));
            // The first long line is scheduled before line 2,000.
            assert_eq!(stats.long_lines, 1, "{format:?}");
            let longest = out.split(|&b| b == b'\n').map(<[u8]>::len).max();
            assert!(longest >= Some(10 * 1024), "{format:?}");
        }
    }

    #[test]
    fn size_mode_stops_at_first_line_end_past_the_mark() {
        let g = build(|b| b.bytes(100_000).long_lines(false));
        let (out, stats) = generate(&g);
        assert!(out.len() >= 100_000);
        let without_last = out[..out.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        assert!(without_last < 100_000);
        assert_eq!(stats.bytes, out.len() as u64);
    }

    #[test]
    fn combined_lines_have_the_documented_shape() {
        let (out, stats) = generate(&build(|b| b.lines(20_000).seed(9)));
        let text = String::from_utf8_lossy(&out);
        let mut well_formed = 0;
        let mut statuses = std::collections::HashMap::new();
        let mut v6 = 0;
        for l in text.lines() {
            // ip - user [time] "request" status bytes "referer" "ua" request_time
            let Some((head, rest)) = l.split_once(" [") else {
                continue;
            };
            let Some((time, rest)) = rest.split_once("] \"") else {
                continue;
            };
            if time.len() != 26 || !time.ends_with(" +0000") {
                continue;
            }
            let fields: Vec<&str> = rest.rsplitn(2, "\" ").collect();
            let Some(rt) = fields[0].rsplit(' ').next() else {
                continue;
            };
            if rt.parse::<f64>().is_err() {
                continue;
            }
            let after_request = rest.split("\" ").nth(1).unwrap_or("");
            let mut nums = after_request.split(' ');
            let status: u16 = nums.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            *statuses.entry(status / 100).or_insert(0u32) += 1;
            if head.contains(':') {
                v6 += 1;
            }
            well_formed += 1;
        }
        // All but the malformed (about 0.1%) parse with this crude reader.
        assert!(
            well_formed as u64 >= 20_000 - stats.malformed - 1,
            "{well_formed}"
        );
        assert!(
            stats.malformed > 5 && stats.malformed < 50,
            "{}",
            stats.malformed
        );
        let total = well_formed as f64;
        let share = |c: u16| f64::from(*statuses.get(&c).unwrap_or(&0)) / total;
        assert!(share(2) > 0.7, "{statuses:?}");
        assert!(share(4) > 0.02 && share(4) < 0.2, "{statuses:?}");
        assert!(share(5) > 0.002 && share(5) < 0.05, "{statuses:?}");
        assert!(v6 > 500, "{v6}");
    }

    #[test]
    fn request_times_have_a_long_tail() {
        let (out, _) = generate(&build(|b| b.lines(20_000).long_lines(false)));
        let mut times: Vec<f64> = String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
            .collect();
        times.sort_by(f64::total_cmp);
        let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
        assert!(q(0.5) < 0.1, "median {}", q(0.5));
        assert!(q(0.999) > 10.0 * q(0.5).max(0.001), "p99.9 {}", q(0.999));
    }

    #[test]
    fn app_lines_start_with_timestamps_and_levels() {
        let (out, stats) = generate(&build(|b| b.format(Format::App).lines(20_000)));
        let text = String::from_utf8_lossy(&out);
        let mut headed = 0u64;
        for l in text.lines() {
            let b = l.as_bytes();
            if b.len() > 32 && b[4] == b'-' && b[10] == b'T' && b[23] == b'Z' && b[31] == b'[' {
                headed += 1;
            }
        }
        assert!(stats.continuation > 0);
        // Every line but continuations and (some) damaged lines has the header.
        assert!(headed <= stats.lines - stats.continuation);
        assert!(headed >= stats.lines - stats.continuation - stats.malformed);
    }

    #[test]
    fn json_lines_are_objects_except_the_damaged() {
        let (out, stats) = generate(&build(|b| b.format(Format::Json).lines(10_000)));
        let mut ok = 0u64;
        for l in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if serde_json::from_slice::<serde_json::Value>(l).is_ok_and(|v| v.is_object()) {
                ok += 1;
            }
        }
        assert!(ok >= stats.lines - stats.malformed, "{ok} {stats:?}");
        assert!(ok < stats.lines, "some lines are damaged on purpose");
    }

    #[test]
    fn invalid_config_is_an_error() {
        assert!(
            Generator::builder()
                .malformed_per_million(2_000_000)
                .build()
                .is_err()
        );
        assert!("xml".parse::<Format>().is_err());
    }
}
