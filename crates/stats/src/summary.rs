//! [`Summary`]: the aggregate behind `logscan summary`.

use std::borrow::Cow;
use std::cmp::Ordering;

use hdrhistogram::Histogram;
use logscan_parse::{FormatKind, Level, LogFormat, ParseError, ParseErrorKind, Record, Timestamp};
use logscan_scan::Aggregate;

use crate::{
    hll::HyperLogLog,
    path_times::PathTimes,
    report::Report,
    table::{CountTable, cut_key},
    template::push_template,
};

/// The methods counted without a table lookup.
pub(crate) const COMMON_METHODS: [&[u8]; 9] = [
    b"GET", b"POST", b"HEAD", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"CONNECT", b"TRACE",
];

#[inline]
fn common_method(method: &[u8]) -> Option<usize> {
    // Nearly every request is one of these two: a compare each, before the match.
    if method == b"GET" {
        return Some(0);
    }
    if method == b"POST" {
        return Some(1);
    }
    Some(match method {
        b"GET" => 0,
        b"POST" => 1,
        b"HEAD" => 2,
        b"PUT" => 3,
        b"DELETE" => 4,
        b"PATCH" => 5,
        b"OPTIONS" => 6,
        b"CONNECT" => 7,
        b"TRACE" => 8,
        _ => return None,
    })
}

/// Significant decimal digits the percentile sketch keeps: values are within 0.1 %.
pub(crate) const SERVED_SIGFIG: u8 = 3;
/// Bytes of a malformed line kept as its sample.
pub(crate) const SAMPLE_TEXT_LEN: usize = 512;

/// Options for a [`Summary`]: how many entries the top tables report, how many
/// malformed lines are kept, and the memory bound of each table.
///
/// ```
/// use logscan_parse::LogFormat;
/// use logscan_stats::SummaryBuilder;
///
/// let summary = SummaryBuilder::new().top(5).malformed_samples(3).build(&LogFormat::combined());
/// assert_eq!(summary.report().lines.total, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SummaryBuilder {
    pub(crate) top: usize,
    pub(crate) samples: usize,
    pub(crate) max_keys: usize,
    pub(crate) path_times: bool,
}

impl Default for SummaryBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SummaryBuilder {
    /// Default entries per top table: 10.
    pub const DEFAULT_TOP: usize = 10;
    /// Default malformed lines kept: the first 10.
    pub const DEFAULT_SAMPLES: usize = 10;
    /// Default bound on the distinct keys of each table: 1,000,000.
    pub const DEFAULT_MAX_KEYS: usize = 1_000_000;

    /// The defaults: top 10, 10 malformed samples, 1,000,000 keys per table.
    pub fn new() -> Self {
        Self {
            top: Self::DEFAULT_TOP,
            samples: Self::DEFAULT_SAMPLES,
            max_keys: Self::DEFAULT_MAX_KEYS,
            path_times: false,
        }
    }

    /// Entries reported per top table (paths, clients, user agents, referrers, 404
    /// paths, components, messages).
    pub fn top(&mut self, n: usize) -> &mut Self {
        self.top = n;
        self
    }

    /// Malformed lines kept as samples: those with the lowest line numbers.
    pub fn malformed_samples(&mut self, n: usize) -> &mut Self {
        self.samples = n;
        self
    }

    /// Distinct keys each table may hold (per worker, and after merging). Below it every
    /// count is exact and results are identical for every scan order; past it, new keys
    /// are counted as untracked, the table is reported incomplete, the unique-client
    /// count becomes an estimate, and which keys were kept depends on the scan order.
    /// Memory per table is about (key length + 40 bytes) per key.
    pub fn max_keys(&mut self, n: usize) -> &mut Self {
        self.max_keys = n;
        self
    }

    /// Whether to add up the served time of each path (default off): the report then
    /// names the paths with the most time in total, with their requests, mean and
    /// longest time ([`AccessReport::paths_by_served_time`](crate::AccessReport::paths_by_served_time)).
    /// It costs a table of every distinct path with a served time (about key length +
    /// 60 bytes each, bounded by [`max_keys`](Self::max_keys)) and a lookup in it per
    /// timed request.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    /// use logscan_scan::Aggregate;
    /// use logscan_stats::SummaryBuilder;
    ///
    /// let mut summary = SummaryBuilder::new().path_times(true).build(&LogFormat::combined_timed());
    /// for (path, time) in [("/search", "1.500"), ("/", "0.010"), ("/search", "0.500")] {
    ///     let line = format!(
    ///         r#"10.0.0.1 - - [14/Mar/2025:06:25:00 +0000] "GET {path} HTTP/1.1" 200 5 "-" "curl" {time}"#
    ///     );
    ///     summary.add_line(line.as_bytes(), 1);
    /// }
    /// let report = summary.report();
    /// let slowest = &report.access.unwrap().paths_by_served_time.unwrap().entries[0];
    /// assert_eq!((slowest.path.as_str(), slowest.requests), ("/search", 2));
    /// assert_eq!((slowest.total_us, slowest.mean_us, slowest.max_us), (2_000_000, 1_000_000.0, 1_500_000));
    /// ```
    pub fn path_times(&mut self, yes: bool) -> &mut Self {
        self.path_times = yes;
        self
    }

    /// An empty summary for lines of `format`.
    pub fn build(&self, format: &LogFormat) -> Summary {
        Summary::with_options(format, *self)
    }
}

/// Which record accessors the summary reads, decided once per format.
#[derive(Clone, Copy, Debug)]
struct Plan {
    access: bool,
    app: bool,
    /// Only a JSON line has to show it is a request (status or path) to count as one.
    access_needs_evidence: bool,
    /// The format's method and path both come from `$request`: split it once.
    split_request: bool,
    /// The format can name a request's host (`$host`, `$server_name`, a JSON key).
    hosts: bool,
    /// Served time is added up per path ([`SummaryBuilder::path_times`]).
    path_times: bool,
}

impl Plan {
    fn of(format: &LogFormat, options: SummaryBuilder) -> Plan {
        let has = |name: &str| format.variables().any(|v| v == name);
        let kind = format.kind();
        Plan {
            access: matches!(kind, FormatKind::Access | FormatKind::Json),
            app: matches!(kind, FormatKind::App | FormatKind::Json),
            access_needs_evidence: kind == FormatKind::Json,
            split_request: kind == FormatKind::Access
                && has("request")
                && !has("request_method")
                && !has("uri")
                && !has("request_uri"),
            hosts: kind == FormatKind::Json || has("host") || has("server_name"),
            path_times: options.path_times,
        }
    }
}

/// A line that did not parse, kept as a sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedLine {
    /// The input it came from, once [`Summary::name_input`] named it: its position
    /// among the inputs and its name. Samples are ordered by this, then by line.
    pub input: Option<(u32, std::sync::Arc<str>)>,
    /// Its true 1-based line number.
    pub line_number: u64,
    /// Why it did not parse.
    pub error: ParseError,
    /// Its first bytes (at most 512).
    pub text: Vec<u8>,
    /// True when `text` is only the start of the line.
    pub text_cut: bool,
}

/// A summary of a log: the [`Aggregate`] behind `logscan summary`.
///
/// Feed it lines (usually through a [`Scanner`](logscan_scan::Scanner)); it parses
/// each with its [`LogFormat`] and counts:
///
/// - every line: total, parsed, malformed (with the first few malformed lines and
///   their true line numbers), earliest and latest timestamp;
/// - access logs (and JSON lines with a status or path): requests by method, status
///   and status class, body bytes, unique clients, top paths, clients, user agents,
///   referrers, hosts, 404 paths and 5xx paths with exact counts, the slowest requests with
///   their lines, served time (`$request_time`) min,
///   mean, p50, p90, p99, max, and requests per minute;
/// - application logs (and JSON lines with a level or message): lines per level, top
///   components and hosts, top warning-and-worse messages grouped by template (digits and hex
///   masked).
///
/// [`report`](Self::report) turns it into a [`Report`] for printing; `Summary` also
/// serializes as that report. Merging is order-independent, so every scan of the same
/// input gives the same summary (within the table bound, see
/// [`SummaryBuilder::max_keys`]).
///
/// Counting a key already seen allocates nothing; a new key is copied once into an
/// arena. Memory therefore grows with the number of distinct keys — paths, clients,
/// user agents, referrers, components, templates — about (key length + 40 bytes) each,
/// per worker until the final merge, up to the bound of each table.
pub struct Summary {
    format: LogFormat,
    options: SummaryBuilder,
    plan: Plan,
    /// The records to count, when not all ([`keep_only`](Self::keep_only)).
    keep: Option<Keep>,
    pub(crate) counts: Counts,
}

/// Which records a summary counts: shared by the summaries of every worker.
type Keep = std::sync::Arc<dyn Fn(&Record<'_>) -> bool + Send + Sync>;

/// Everything a summary counts; apart from the format, so that a record can borrow the
/// format while the counts change.
pub(crate) struct Counts {
    pub(crate) lines: u64,
    pub(crate) parsed: u64,
    /// Records that parsed but did not meet the summary's conditions.
    pub(crate) excluded: u64,
    pub(crate) malformed: u64,
    /// Lines that go on from the record before them (stack traces): neither records
    /// nor malformed.
    pub(crate) continued: u64,
    pub(crate) samples: Vec<MalformedLine>,
    pub(crate) first: Option<Timestamp>,
    pub(crate) last: Option<Timestamp>,
    pub(crate) access: AccessStats,
    pub(crate) app: AppStats,
    /// Reused for message templates, so that building one allocates nothing.
    scratch: Vec<u8>,
    /// A JSON line's referrer and user agent when their strings had escapes: decoded,
    /// held here until the next line (see [`text_of`]).
    decoded: [Vec<u8>; 2],
    /// With conditions: which stack traces go on from a record that was kept.
    pub(crate) traces: Traces,
}

/// With conditions, a stack trace counts (the exceptions it names) only when the record
/// it goes on from was kept. Within a chunk that record is known; the trace lines at
/// the start of a chunk go on from the last record of an earlier chunk, which another
/// worker may have read. So each chunk leaves an [`Edge`], and the report joins the
/// edges in line order.
#[derive(Debug, Default)]
pub(crate) struct Traces {
    /// Whether the record the current trace goes on from was kept (a malformed line
    /// ends a trace: `Some(false)`); `None` before the first record or malformed line
    /// of a chunk, or of a summary fed line by line.
    following: Option<bool>,
    /// Whether lines are coming as a chunk: then the exceptions of the trace lines
    /// before its first record go to `lead`, to be settled by the report.
    in_chunk: bool,
    lead: Vec<Box<[u8]>>,
    pub(crate) edges: Vec<Edge>,
}

/// What one chunk leaves for the report: where it starts, the exceptions its leading
/// trace lines name, and whether its last record was kept (`None`: it had no record
/// or malformed line, so a trace runs through it).
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    /// The input, once [`Summary::name_input`] named it.
    input: Option<u32>,
    first_line: u64,
    lead: Vec<Box<[u8]>>,
    last: Option<bool>,
}

impl Traces {
    /// Lines now come as a chunk: what its first trace lines go on from is not known.
    fn start_chunk(&mut self) {
        (self.in_chunk, self.following) = (true, None);
    }

    /// The chunk that started at `first_line` is done: leaves its edge.
    fn end_chunk(&mut self, first_line: u64) {
        self.edges.push(Edge {
            input: None,
            first_line,
            lead: std::mem::take(&mut self.lead),
            last: self.following,
        });
        (self.in_chunk, self.following) = (false, None);
    }

    /// The exceptions of the leading traces that go on from a kept record, settled
    /// over the edges of each input in line order.
    pub(crate) fn settled_leads(&self) -> Vec<&[u8]> {
        let mut edges: Vec<&Edge> = self.edges.iter().collect();
        edges.sort_by_key(|e| (e.input, e.first_line));
        let mut names = Vec::new();
        let mut input = None;
        // Before an input's first record, a trace goes on from nothing.
        let mut carry = false;
        for edge in edges {
            if edge.input != input {
                (input, carry) = (edge.input, false);
            }
            if carry {
                names.extend(edge.lead.iter().map(|name| &name[..]));
            }
            if let Some(last) = edge.last {
                carry = last;
            }
        }
        names
    }
}

pub(crate) struct AccessStats {
    pub(crate) requests: u64,
    /// Requests with one of [`COMMON_METHODS`], by its index: a match instead of a
    /// hash-table lookup on almost every line.
    pub(crate) common_methods: [u64; COMMON_METHODS.len()],
    /// Requests with any other method, or none (`-`).
    pub(crate) methods: CountTable,
    /// Requests by status code, for codes below 1000.
    pub(crate) statuses: Box<[u64; 1000]>,
    /// Requests without a status, or with one of 1000 or more.
    pub(crate) status_other: u64,
    pub(crate) body_bytes: u64,
    /// Requests that carried a body size (the sum is meaningless without any).
    pub(crate) body_bytes_seen: u64,
    pub(crate) clients: CountTable,
    /// The distinct-client sketch, made only once `clients` has had to leave a key out
    /// (see [`AccessStats::see_untracked_client`]): while the table holds every client,
    /// its length is the exact count and a sketch would be work for nothing.
    pub(crate) clients_sketch: Option<HyperLogLog>,
    pub(crate) paths: CountTable,
    pub(crate) not_found: CountTable,
    /// Paths answered with a 5xx status: where the server failed.
    pub(crate) server_errors: CountTable,
    pub(crate) user_agents: CountTable,
    pub(crate) referrers: CountTable,
    /// Served time by path, when asked for ([`SummaryBuilder::path_times`]).
    pub(crate) path_times: PathTimes,
    /// Requests by virtual host (`$host`, `$server_name`, Apache's `%v`).
    pub(crate) hosts: CountTable,
    pub(crate) served: ServedTime,
    pub(crate) minutes: PerMinute,
    /// Of those, the requests answered with a 5xx status: when the server failed.
    pub(crate) failed_minutes: PerMinute,
    /// The requests that took longest, with where they are.
    pub(crate) slowest: Slowest,
}

/// A request among the slowest: its served time and where it is, with enough of it
/// to name it. Its text is held inline, so that keeping it allocates nothing.
#[derive(Clone, Debug)]
pub(crate) struct SlowRequest {
    pub(crate) served_us: u64,
    /// Its input once [`Summary::name_input`] named it (position, name).
    pub(crate) input: Option<(u32, std::sync::Arc<str>)>,
    pub(crate) line_number: u64,
    pub(crate) method: Inline<16>,
    /// `None`: the request had no path.
    pub(crate) path: Option<Inline<SLOW_PATH_LEN>>,
    pub(crate) status: Option<u16>,
}

/// Slower first; of equal times, the earlier input, then the earlier line. No two
/// requests share input and line, so this orders any set of them one way.
type Rank = (std::cmp::Reverse<u64>, Option<u32>, u64);

impl SlowRequest {
    fn rank(&self) -> Rank {
        (
            std::cmp::Reverse(self.served_us),
            self.input.as_ref().map(|(position, _)| *position),
            self.line_number,
        )
    }
}

// Ordered by rank alone, so that a max-heap of them has the one to let go on top.
impl PartialEq for SlowRequest {
    fn eq(&self, other: &Self) -> bool {
        self.rank() == other.rank()
    }
}

impl Eq for SlowRequest {}

impl PartialOrd for SlowRequest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SlowRequest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// The start of a text, at most `N` bytes, in place; cut at a character (of text that
/// is UTF-8 there), with `cut` saying whether anything was left out.
#[derive(Clone, Debug)]
pub(crate) struct Inline<const N: usize> {
    len: usize,
    bytes: [u8; N],
    pub(crate) cut: bool,
}

impl<const N: usize> Inline<N> {
    fn of(text: &[u8]) -> Self {
        let mut len = text.len().min(N);
        // Back off the continuation bytes of a character the cut would split.
        while len < text.len() && len > 0 && text[len] & 0xC0 == 0x80 {
            len -= 1;
        }
        let mut bytes = [0; N];
        bytes[..len].copy_from_slice(&text[..len]);
        Inline {
            len,
            bytes,
            cut: len < text.len(),
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len.min(N)]
    }
}

/// The `cap` slowest requests seen, in a max-heap by rank: the one to let go on top.
/// A request faster than `floor` (the slowest time that would not get in) cannot be
/// among them, so the per-line cost is one compare; only a request that may enter
/// takes the out-of-line path, and one that does costs a heap step. Which requests
/// are kept does not depend on the order they come in, so every scan keeps the same.
#[derive(Clone, Debug)]
pub(crate) struct Slowest {
    kept: std::collections::BinaryHeap<SlowRequest>,
    cap: usize,
    floor: u64,
}

/// The longest path kept for a slow request: enough to name it.
const SLOW_PATH_LEN: usize = 256;

impl Slowest {
    fn new(cap: usize) -> Slowest {
        Slowest {
            // Room for the usual few up front; a large --top grows as requests come
            // rather than reserving its whole size in every worker.
            kept: std::collections::BinaryHeap::with_capacity(cap.min(64)),
            cap,
            // Keeping none, nothing gets past the floor.
            floor: if cap == 0 { u64::MAX } else { 0 },
        }
    }

    /// One compare per request: the rest only for a request that may enter.
    #[inline(always)]
    fn see(
        &mut self,
        served_us: u64,
        line_number: u64,
        method: &[u8],
        path: &Option<(u64, Cow<'_, [u8]>)>,
        status: Option<u16>,
    ) {
        if served_us >= self.floor {
            let path = path.as_ref().map(|(_, p)| &p[..]);
            self.enter(served_us, line_number, method, path, status);
        }
    }

    #[cold]
    #[inline(never)]
    fn enter(
        &mut self,
        served_us: u64,
        line_number: u64,
        method: &[u8],
        path: Option<&[u8]>,
        status: Option<u16>,
    ) {
        let rank = (std::cmp::Reverse(served_us), None, line_number);
        if self.kept.len() >= self.cap && self.kept.peek().is_none_or(|last| rank >= last.rank()) {
            return;
        }
        self.keep(SlowRequest {
            served_us,
            input: None,
            line_number,
            method: Inline::of(method),
            path: path.map(Inline::of),
            status,
        });
    }

    fn keep(&mut self, request: SlowRequest) {
        if self.cap == 0 {
            return;
        }
        if self.kept.len() < self.cap {
            self.kept.push(request);
        } else if let Some(mut last) = self.kept.peek_mut()
            && request < *last
        {
            *last = request;
        }
        self.floor = if self.kept.len() >= self.cap {
            self.kept.peek().map_or(0, |last| last.served_us)
        } else {
            0
        };
    }

    fn merge(&mut self, other: Slowest) {
        for request in other.kept {
            self.keep(request);
        }
    }

    /// Gives every kept request its input.
    fn name_input(&mut self, input: &(u32, std::sync::Arc<str>)) {
        // The ranks change alike for all (one input), so the heap stays a heap; it
        // is rebuilt anyway, which costs nothing at this size.
        let mut kept = std::mem::take(&mut self.kept).into_vec();
        for slow in &mut kept {
            slow.input = Some(input.clone());
        }
        self.kept = kept.into();
    }

    /// The kept requests, slowest first.
    pub(crate) fn sorted(&self) -> Vec<SlowRequest> {
        self.kept.clone().into_sorted_vec()
    }
}

pub(crate) struct AppStats {
    pub(crate) lines: u64,
    pub(crate) levels: [u64; Level::ALL.len()],
    pub(crate) levels_assumed: u64,
    /// Some line's timestamp had no year (syslog) and was given one.
    pub(crate) year_assumed: bool,
    pub(crate) no_level: u64,
    pub(crate) components: CountTable,
    /// Lines by the host that wrote them (syslog, a JSON host key).
    pub(crate) hosts: CountTable,
    /// Key: the level's index, then the template.
    pub(crate) messages: CountTable,
    /// Exceptions named by stack traces (`java.io.IOException`, `ValueError`), on
    /// lines of their own or in a JSON line's exception key.
    pub(crate) exceptions: CountTable,
}

/// A text field of a record as a slice: borrowed from the line, or (a JSON string
/// with escapes, decoded) from `kept`, which holds it until the next line. A slice
/// where the field is used, not a `Cow`: the access path, whose texts are always
/// borrowed, then pays one test for it and no drop.
#[inline(always)]
fn text_of<'t>(text: Option<Cow<'t, [u8]>>, kept: &'t mut Vec<u8>) -> Option<&'t [u8]> {
    match text? {
        Cow::Borrowed(text) => Some(text),
        Cow::Owned(text) => Some(keep_decoded(text, kept)),
    }
}

#[cold]
fn keep_decoded(text: Vec<u8>, kept: &mut Vec<u8>) -> &[u8] {
    *kept = text;
    kept
}

/// Counts a host as DNS names compare: in lowercase, without the trailing dot of a
/// fully qualified name (`Shop.Example.:8080` is `shop.example:8080`); a port stays.
fn add_host(table: &mut CountTable, host: &[u8], scratch: &mut Vec<u8>) {
    let (name, port) = logscan_parse::split_port(host);
    let bare = name.strip_suffix(b".").unwrap_or(name);
    if bare.len() == name.len() && !host.iter().any(u8::is_ascii_uppercase) {
        return table.add(host);
    }
    scratch.clear();
    scratch.extend(bare.iter().map(u8::to_ascii_lowercase));
    if let Some(port) = port {
        scratch.push(b':');
        scratch.extend_from_slice(port);
    }
    table.add(scratch);
}

impl AccessStats {
    /// The first client the table had to leave out: from here on the sketch counts
    /// every client. Made from the keys the table holds (every client seen so far
    /// but this one), it is the sketch of every client seen, as if it had been kept
    /// from the first line.
    #[cold]
    #[inline(never)]
    fn see_untracked_client(&mut self, client: &[u8]) {
        let mut sketch = HyperLogLog::of_keys(self.clients.keys());
        sketch.add_key(client);
        self.clients_sketch = Some(sketch);
    }

    /// Out of line, and before the path's count: only asked for, and its table's
    /// lookup then overlaps the prefetches of the large tables.
    #[inline(never)]
    fn add_path_time(&mut self, path: &Option<(u64, Cow<'_, [u8]>)>, us: u64) {
        if let Some((hash, path)) = path {
            self.path_times.add(*hash, cut_key(path), us);
        }
    }

    /// Out of line: most formats name no host, and their loop stays as it was.
    #[inline(never)]
    fn count_host(&mut self, record: &Record<'_>, scratch: &mut Vec<u8>) {
        if let Some(host) = record.host() {
            add_host(&mut self.hosts, &host, scratch);
        }
    }

    /// Merges `other`'s clients into this one's, keeping the invariant that a sketch
    /// exists whenever the table lacks a key.
    fn merge_clients(&mut self, other_clients: CountTable, other_sketch: Option<HyperLogLog>) {
        // A table that lacks a key has a sketch already; otherwise only a merge that
        // may fill the table needs one.
        let may_overflow = self.clients.len() + other_clients.len() > self.clients.max_keys();
        if may_overflow || self.clients_sketch.is_some() || other_sketch.is_some() {
            let mut sketch = self
                .clients_sketch
                .take()
                .unwrap_or_else(|| HyperLogLog::of_keys(self.clients.keys()));
            sketch
                .merge(&other_sketch.unwrap_or_else(|| HyperLogLog::of_keys(other_clients.keys())));
            self.clients_sketch = Some(sketch);
        }
        self.clients.merge(other_clients);
    }

    /// The distinct clients: exact while the table holds them all, else the estimate.
    pub(crate) fn unique_clients(&self) -> (u64, bool) {
        let stored = self.clients.len() as u64;
        if self.clients.is_complete() {
            return (stored, false);
        }
        let estimate = self
            .clients_sketch
            .as_ref()
            .map_or(stored, HyperLogLog::estimate);
        (estimate, true)
    }

    /// Every method's count in one table: the common ones joined to the others.
    pub(crate) fn all_methods(&self) -> CountTable {
        let mut all = self.methods.clone();
        for (method, &count) in COMMON_METHODS.iter().zip(&self.common_methods) {
            if count > 0 {
                all.add_hashed(all.hash(method), method, count);
            }
        }
        all
    }
}

/// Whole milliseconds below this many are counted exactly in [`ServedTime::millis`]
/// before they reach the sketch: nginx writes `$request_time` in milliseconds, and
/// nearly all requests take less than four seconds.
const EXACT_MILLIS: usize = 4096;

/// Served time: exact min, max, sum; percentiles from a mergeable sketch.
///
/// Recording into the sketch costs an index computation and a range check per value.
/// Values in whole milliseconds under [`EXACT_MILLIS`] (what nginx writes) are instead
/// counted in a plain array and folded into the sketch when a report is made; adding
/// a value `n` times is the same as adding it once with count `n`, so the result is
/// the sketch every value was recorded into.
pub(crate) struct ServedTime {
    pub(crate) sketch: Option<Histogram<u64>>,
    /// Counts of whole-millisecond values, by millisecond; allocated at the first one.
    pub(crate) millis: Option<Box<[u64; EXACT_MILLIS]>>,
    pub(crate) count: u64,
    pub(crate) sum: u128,
    pub(crate) min: u64,
    pub(crate) max: u64,
}

/// Requests per minute: counts by Unix minute. Lines mostly arrive in time order, so
/// the current minute is counted aside and stored when the minute changes.
pub(crate) struct PerMinute {
    pub(crate) counts: hashbrown::HashMap<i64, u64>,
    current: Option<(i64, u64)>,
}

impl Summary {
    /// An empty summary for lines of `format`, with the default options.
    pub fn new(format: &LogFormat) -> Summary {
        Summary::with_options(format, SummaryBuilder::new())
    }

    /// A builder for the options.
    pub fn builder() -> SummaryBuilder {
        SummaryBuilder::new()
    }

    fn with_options(format: &LogFormat, options: SummaryBuilder) -> Summary {
        Summary {
            format: format.clone(),
            options,
            plan: Plan::of(format, options),
            keep: None,
            counts: {
                let mut counts = Counts::new(options.max_keys);
                counts.access.slowest = Slowest::new(options.top);
                counts
            },
        }
    }

    /// Counts only the records `keep` accepts, as if the others were not in the input
    /// (a summary of the 5xx requests, of one host, of an hour): they are counted as
    /// [`excluded`](crate::LineTotals::excluded) and nothing else. Malformed lines are
    /// counted as always, since no condition can be tested on them, and end the stack
    /// trace of the record before them (as for `logscan filter`). The lines of a stack
    /// trace are counted as `continued`, and the exceptions they name only when the
    /// record they go on from was kept, also when the trace crosses into another chunk
    /// (several inputs merged must be named, [`name_input`](Self::name_input), as for
    /// their samples). A JSON line's exception key is part of its record.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    /// use logscan_scan::Aggregate;
    /// use logscan_stats::Summary;
    ///
    /// let mut errors = Summary::new(&LogFormat::combined())
    ///     .keep_only(|record| record.status().is_some_and(|s| s >= 500));
    /// for status in [200, 503, 404, 500] {
    ///     let line = format!(r#"10.0.0.1 - - [14/Mar/2025:06:25:00 +0000] "GET / HTTP/1.1" {status} 5 "-" "curl""#);
    ///     errors.add_line(line.as_bytes(), 1);
    /// }
    /// let report = errors.report();
    /// assert_eq!((report.lines.parsed, report.lines.excluded), (4, 2));
    /// assert_eq!(report.access.unwrap().requests, 2);
    /// ```
    pub fn keep_only(
        mut self,
        keep: impl Fn(&Record<'_>) -> bool + Send + Sync + 'static,
    ) -> Summary {
        self.keep = Some(std::sync::Arc::new(keep));
        self
    }

    /// Whether the summary has conditions ([`keep_only`](Self::keep_only)).
    pub fn is_filtered(&self) -> bool {
        self.keep.is_some()
    }

    /// Records that parsed but did not meet the conditions (0 without any).
    pub fn excluded(&self) -> u64 {
        self.counts.excluded
    }

    /// The format lines are parsed with.
    pub fn format(&self) -> &LogFormat {
        &self.format
    }

    /// The options it was built with.
    pub fn options(&self) -> SummaryBuilder {
        self.options
    }

    /// Lines seen.
    pub fn lines(&self) -> u64 {
        self.counts.lines
    }

    /// Lines that parsed.
    pub fn parsed(&self) -> u64 {
        self.counts.parsed
    }

    /// Lines that did not parse.
    pub fn malformed(&self) -> u64 {
        self.counts.malformed
    }

    /// The malformed lines kept, lowest line numbers first (with several named
    /// inputs merged: the earlier input's first).
    pub fn malformed_samples(&self) -> &[MalformedLine] {
        &self.counts.samples
    }

    /// Names the input this summary was made from, and its position among the inputs
    /// of a run, for merging summaries of several inputs: each malformed sample then
    /// says which input it is from, and samples are ordered by input, then line.
    /// Call it after the scan, before merging; a summary of one input needs none.
    ///
    /// ```
    /// use logscan_parse::LogFormat;
    /// use logscan_scan::Aggregate;
    /// use logscan_stats::Summary;
    ///
    /// let mut first = Summary::new(&LogFormat::combined());
    /// first.add_line(b"not an access line", 7);
    /// first.name_input(0, "a.log");
    /// let mut second = Summary::new(&LogFormat::combined());
    /// second.add_line(b"nor this", 2);
    /// second.name_input(1, "b.log");
    /// first.merge(second);
    /// let where_: Vec<_> = first
    ///     .malformed_samples()
    ///     .iter()
    ///     .map(|s| (s.input.as_ref().map(|(_, name)| name.to_string()), s.line_number))
    ///     .collect();
    /// assert_eq!(where_, [(Some("a.log".into()), 7), (Some("b.log".into()), 2)]);
    /// ```
    pub fn name_input(&mut self, position: u32, name: &str) {
        let name: std::sync::Arc<str> = name.into();
        for sample in &mut self.counts.samples {
            sample.input = Some((position, std::sync::Arc::clone(&name)));
        }
        for edge in &mut self.counts.traces.edges {
            edge.input = Some(position);
        }
        self.counts.access.slowest.name_input(&(position, name));
    }

    /// Heap bytes held by the summary's tables: the part of its memory that grows with
    /// the number of distinct keys.
    pub fn table_bytes(&self) -> usize {
        let a = &self.counts.access;
        let app = &self.counts.app;
        [
            &a.methods,
            &a.clients,
            &a.paths,
            &a.not_found,
            &a.server_errors,
            &a.user_agents,
            &a.referrers,
            &a.hosts,
            &app.components,
            &app.hosts,
            &app.messages,
        ]
        .iter()
        .map(|t| t.heap_bytes())
        .sum::<usize>()
            + a.path_times.heap_bytes()
            + a.minutes.counts.allocation_size()
            + a.failed_minutes.counts.allocation_size()
    }

    /// The finished report: top tables cut to size, percentiles computed.
    pub fn report(&self) -> Report {
        Report::from_summary(self)
    }
}

impl Counts {
    fn new(max_keys: usize) -> Counts {
        let table = || CountTable::new(max_keys);
        Counts {
            lines: 0,
            parsed: 0,
            excluded: 0,
            malformed: 0,
            continued: 0,
            samples: Vec::new(),
            first: None,
            last: None,
            access: AccessStats {
                requests: 0,
                common_methods: [0; COMMON_METHODS.len()],
                methods: table(),
                statuses: Box::new([0; 1000]),
                status_other: 0,
                body_bytes: 0,
                body_bytes_seen: 0,
                clients: table(),
                clients_sketch: None,
                paths: table(),
                not_found: table(),
                server_errors: table(),
                user_agents: table(),
                referrers: table(),
                path_times: PathTimes::new(max_keys),
                hosts: table(),
                served: ServedTime::new(),
                minutes: PerMinute::new(),
                failed_minutes: PerMinute::new(),
                slowest: Slowest::new(0),
            },
            app: AppStats {
                lines: 0,
                levels: [0; Level::ALL.len()],
                levels_assumed: 0,
                year_assumed: false,
                no_level: 0,
                components: table(),
                hosts: table(),
                messages: table(),
                exceptions: table(),
            },
            scratch: Vec::new(),
            decoded: [Vec::new(), Vec::new()],
            traces: Traces::default(),
        }
    }

    /// [`add_parsed`](Self::add_parsed) for a summary with conditions: out of line, so
    /// that the loop of a summary without any stays as it was.
    #[inline(never)]
    fn add_line_kept(
        &mut self,
        format: &LogFormat,
        plan: Plan,
        samples: usize,
        line: &[u8],
        line_number: u64,
        keep: &Keep,
    ) {
        format.parse_then(line, |parsed| {
            self.add_parsed(plan, samples, parsed, line, line_number, Some(keep));
        });
    }

    /// Counts one line, parsed or not.
    #[inline(always)]
    fn add_parsed(
        &mut self,
        plan: Plan,
        samples: usize,
        parsed: Result<&Record<'_>, ParseError>,
        line: &[u8],
        line_number: u64,
        keep: Option<&Keep>,
    ) {
        self.lines += 1;
        match parsed {
            Ok(record) => match keep {
                None => self.add_record(plan, record, line_number),
                Some(keep) => {
                    let kept = keep(record);
                    self.traces.following = Some(kept);
                    if kept {
                        self.add_record(plan, record, line_number);
                    } else {
                        self.parsed += 1;
                        self.excluded += 1;
                    }
                }
            },
            Err(error) if error.kind == ParseErrorKind::Continuation => {
                self.add_continued(line, keep.is_some());
            }
            Err(error) => {
                if keep.is_some() {
                    // A malformed line ends the trace of the record before it.
                    self.traces.following = Some(false);
                }
                self.add_malformed(line, line_number, error, samples);
            }
        }
    }

    #[inline(always)]
    fn add_record(&mut self, plan: Plan, record: &Record<'_>, line_number: u64) {
        self.parsed += 1;
        let timestamp = record.timestamp();
        if let Some(ts) = timestamp {
            self.see_time(ts);
        }
        if plan.app {
            let is_app = !plan.access_needs_evidence
                || record.level().is_some()
                || record.message().is_some();
            if is_app {
                self.add_app(record);
            }
        }
        if plan.access {
            let is_request =
                !plan.access_needs_evidence || record.status().is_some() || record.path().is_some();
            if is_request {
                self.add_request(plan, record, timestamp, line_number);
            }
        }
    }

    #[inline(always)]
    fn see_time(&mut self, ts: Timestamp) {
        if self.first.is_none_or(|f| earlier(&ts, &f)) {
            self.first = Some(ts);
        }
        if self.last.is_none_or(|l| earlier(&l, &ts)) {
            self.last = Some(ts);
        }
    }

    /// Counts a request. The path, client and referrer tables grow large and their
    /// lookups miss the cache: their keys are hashed first and their index slots start
    /// loading, then the small counts are done, then the entries the slots point to
    /// start loading (all three at once, so that the misses overlap), then the lookups.
    #[inline(always)]
    fn add_request(
        &mut self,
        plan: Plan,
        record: &Record<'_>,
        timestamp: Option<Timestamp>,
        line_number: u64,
    ) {
        let a = &mut self.access;
        a.requests += 1;
        let [referrer_kept, agent_kept] = &mut self.decoded;

        let (method, path) = if plan.split_request {
            match record.request() {
                Some(request) => (
                    request.method().map(Cow::Borrowed),
                    request.path().map(Cow::Borrowed),
                ),
                None => (None, None),
            }
        } else {
            (record.method(), record.path())
        };
        // All tables share one hasher (see `CountTable::hash`).
        let keyed = |key: &[u8]| a.paths.hash(cut_key(key));
        let path = path.map(|p| (keyed(&p), p));
        let client = record.client().map(|c| (keyed(c), c));
        let referrer = text_of(record.referrer(), referrer_kept).map(|r| (keyed(r), r));
        if let Some((hash, _)) = &path {
            a.paths.prefetch(*hash);
        }
        if let Some((hash, _)) = client {
            a.clients.prefetch(hash);
        }
        if let Some((hash, _)) = referrer {
            a.referrers.prefetch(hash);
        }

        let method = method.as_deref().unwrap_or(b"-");
        match common_method(method) {
            Some(i) => a.common_methods[i] += 1,
            None => a.methods.add(method),
        }
        let status = record.status();
        match status {
            Some(code) if code < 1000 => a.statuses[usize::from(code)] += 1,
            _ => a.status_other += 1,
        }
        if let Some(bytes) = record.body_bytes() {
            a.body_bytes = a.body_bytes.saturating_add(bytes);
            a.body_bytes_seen += 1;
        }
        if let Some(us) = record.request_time_us() {
            a.served.record(us);
            a.slowest.see(us, line_number, method, &path, status);
            if plan.path_times {
                a.add_path_time(&path, us);
            }
        }
        if let Some(ts) = timestamp {
            let minute = ts.unix_seconds().div_euclid(60);
            a.minutes.add(minute);
            if let Some(500..=599) = status {
                a.failed_minutes.add_rare(minute);
            }
        }
        if let Some(agent) = text_of(record.user_agent(), agent_kept) {
            a.user_agents.add_remembered(agent);
        }
        if plan.hosts {
            a.count_host(record, &mut self.scratch);
        }

        if let Some((hash, _)) = &path {
            a.paths.prefetch_entry(*hash);
        }
        if let Some((hash, _)) = client {
            a.clients.prefetch_entry(hash);
        }
        if let Some((hash, _)) = referrer {
            a.referrers.prefetch_entry(hash);
        }
        if let Some((hash, path)) = &path {
            let key = cut_key(path);
            a.paths.add_hashed(*hash, key, 1);
            match status {
                Some(404) => a.not_found.add_hashed(*hash, key, 1),
                Some(500..=599) => a.server_errors.add_hashed(*hash, key, 1),
                _ => {}
            }
        }
        if let Some((hash, client)) = client {
            let client = cut_key(client);
            a.clients.add_hashed(hash, client, 1);
            match &mut a.clients_sketch {
                Some(sketch) => sketch.add_key(client),
                None if !a.clients.is_complete() => a.see_untracked_client(client),
                None => {}
            }
        }
        if let Some((hash, referrer)) = referrer {
            a.referrers.add_hashed(hash, cut_key(referrer), 1);
        }
    }

    #[inline(never)]
    fn add_app(&mut self, record: &Record<'_>) {
        let app = &mut self.app;
        app.lines += 1;
        app.year_assumed |= record.year_is_assumed();
        if let Some(exception) = record.exception() {
            app.exceptions.add(&exception);
        }
        let level = record.level();
        match level {
            Some(level) => {
                app.levels[level as usize] += 1;
                app.levels_assumed += u64::from(record.level_is_assumed());
            }
            None => app.no_level += 1,
        }
        if let Some(component) = record.component() {
            app.components.add(component);
        }
        if let Some(host) = record.host() {
            add_host(&mut app.hosts, &host, &mut self.scratch);
        }
        if let Some(level) = level.filter(|l| *l >= Level::Warn)
            && let Some(message) = record.message()
        {
            // The template goes after one byte naming the level, so the same message
            // at WARN and at ERROR stays two entries.
            self.scratch.clear();
            self.scratch.push(level as u8);
            push_template(&message, &mut self.scratch);
            app.messages.add(&self.scratch);
        }
    }

    /// A line of a stack trace: counted, and the exception it names, if any (with
    /// conditions, only in the trace of a record that was kept; see [`Traces`]).
    #[inline(never)]
    fn add_continued(&mut self, line: &[u8], filtered: bool) {
        self.continued += 1;
        let Some(name) = logscan_parse::exception_of(line) else {
            return;
        };
        if !filtered {
            return self.app.exceptions.add(name);
        }
        match self.traces.following {
            Some(true) => self.app.exceptions.add(name),
            Some(false) => {}
            None if self.traces.in_chunk => self.traces.lead.push(name.into()),
            None => {}
        }
    }

    #[cold]
    #[inline(never)]
    fn add_malformed(&mut self, line: &[u8], line_number: u64, error: ParseError, cap: usize) {
        self.malformed += 1;
        if self.samples.len() >= cap
            && self
                .samples
                .last()
                .is_none_or(|s| sample_order(s) < (None, line_number))
        {
            return;
        }
        let keep = &line[..line.len().min(SAMPLE_TEXT_LEN)];
        let sample = MalformedLine {
            input: None,
            line_number,
            error,
            text: keep.to_vec(),
            text_cut: keep.len() < line.len(),
        };
        insert_sample(&mut self.samples, sample, cap);
    }

    fn merge(&mut self, other: Counts, cap: usize) {
        self.lines += other.lines;
        self.parsed += other.parsed;
        self.excluded += other.excluded;
        self.malformed += other.malformed;
        self.continued += other.continued;
        for sample in other.samples {
            insert_sample(&mut self.samples, sample, cap);
        }
        if let Some(ts) = other.first {
            self.see_time(ts);
        }
        if let Some(ts) = other.last {
            self.see_time(ts);
        }

        let (a, b) = (&mut self.access, other.access);
        a.requests += b.requests;
        for (x, y) in a.common_methods.iter_mut().zip(b.common_methods) {
            *x += y;
        }
        a.methods.merge(b.methods);
        for (x, y) in a.statuses.iter_mut().zip(b.statuses.iter()) {
            *x += y;
        }
        a.status_other += b.status_other;
        a.body_bytes = a.body_bytes.saturating_add(b.body_bytes);
        a.body_bytes_seen += b.body_bytes_seen;
        a.merge_clients(b.clients, b.clients_sketch);
        a.paths.merge(b.paths);
        a.not_found.merge(b.not_found);
        a.server_errors.merge(b.server_errors);
        a.user_agents.merge(b.user_agents);
        a.referrers.merge(b.referrers);
        a.path_times.merge(b.path_times);
        a.hosts.merge(b.hosts);
        a.served.merge(b.served);
        a.minutes.merge(b.minutes);
        a.failed_minutes.merge(b.failed_minutes);
        a.slowest.merge(b.slowest);

        let (a, b) = (&mut self.app, other.app);
        a.lines += b.lines;
        for (x, y) in a.levels.iter_mut().zip(b.levels) {
            *x += y;
        }
        a.levels_assumed += b.levels_assumed;
        a.year_assumed |= b.year_assumed;
        a.no_level += b.no_level;
        a.components.merge(b.components);
        a.hosts.merge(b.hosts);
        self.traces.edges.extend(other.traces.edges);
        a.messages.merge(b.messages);
        a.exceptions.merge(b.exceptions);
    }
}

/// Where a sample sorts: by input (unnamed first; only one summary's own samples are
/// unnamed), then by line number.
fn sample_order(s: &MalformedLine) -> (Option<u32>, u64) {
    (s.input.as_ref().map(|(i, _)| *i), s.line_number)
}

/// Keeps `samples` sorted by input and line number and at most `cap` long.
fn insert_sample(samples: &mut Vec<MalformedLine>, sample: MalformedLine, cap: usize) {
    let key = sample_order(&sample);
    let at = samples.partition_point(|s| sample_order(s) < key);
    if at >= cap {
        return;
    }
    samples.insert(at, sample);
    samples.truncate(cap);
}

/// Instant order, then the written offset: two lines at the same instant in different
/// zones must not let the scan order decide which is shown.
fn earlier(a: &Timestamp, b: &Timestamp) -> bool {
    match a.cmp(b) {
        Ordering::Equal => a.utc_offset_seconds() < b.utc_offset_seconds(),
        o => o == Ordering::Less,
    }
}

impl ServedTime {
    /// Nothing recorded yet.
    fn new() -> ServedTime {
        ServedTime {
            sketch: None,
            millis: None,
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    #[inline]
    fn record(&mut self, us: u64) {
        self.count += 1;
        self.sum += u128::from(us);
        self.min = self.min.min(us);
        self.max = self.max.max(us);
        let ms = us / 1000;
        if us.is_multiple_of(1000)
            && ms < EXACT_MILLIS as u64
            && let Some(millis) = &mut self.millis
        {
            millis[ms as usize] += 1;
            return;
        }
        self.record_slow(us);
    }

    #[inline(never)]
    fn record_slow(&mut self, us: u64) {
        if us.is_multiple_of(1000) && us / 1000 < EXACT_MILLIS as u64 {
            // The first whole-millisecond value: from now on they are counted aside.
            let millis = self
                .millis
                .get_or_insert_with(|| Box::new([0; EXACT_MILLIS]));
            millis[(us / 1000) as usize] += 1;
            return;
        }
        Self::record_into(&mut self.sketch, us, 1);
    }

    fn record_into(sketch: &mut Option<Histogram<u64>>, us: u64, n: u64) {
        if sketch.is_none() {
            // Grows its range as larger values come (a log may hold hours, or a value
            // in the wrong unit): recording allocates only when the maximum doubles.
            *sketch = Histogram::new(SERVED_SIGFIG).ok();
        }
        if let Some(sketch) = sketch {
            // `record_n` grows the range; past what the sketch can ever hold (2^63),
            // the value is recorded at its top.
            if sketch.record_n(us, n).is_err() {
                sketch.saturating_record_n(us, n);
            }
        }
    }

    /// The sketch of every value recorded: the sketch with the millisecond counts
    /// folded in.
    pub(crate) fn full_sketch(&self) -> Option<Histogram<u64>> {
        let mut sketch = self.sketch.clone();
        if let Some(millis) = &self.millis {
            for (ms, &n) in millis.iter().enumerate() {
                if n > 0 {
                    Self::record_into(&mut sketch, ms as u64 * 1000, n);
                }
            }
        }
        sketch
    }

    fn merge(&mut self, other: ServedTime) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        match (&mut self.sketch, other.sketch) {
            (Some(mine), Some(theirs)) => {
                // Both sketches grow their range as needed, so adding cannot fail.
                let _ = mine.add(&theirs);
            }
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        match (&mut self.millis, other.millis) {
            (Some(mine), Some(theirs)) => {
                for (a, b) in mine.iter_mut().zip(theirs.iter()) {
                    *a += b;
                }
            }
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }
}

impl PerMinute {
    fn new() -> PerMinute {
        PerMinute {
            counts: hashbrown::HashMap::new(),
            current: None,
        }
    }

    /// Counts a request in `minute`.
    #[inline]
    fn add(&mut self, minute: i64) {
        match &mut self.current {
            Some((m, count)) if *m == minute => *count += 1,
            current => {
                if let Some((m, count)) = current.replace((minute, 1)) {
                    *self.counts.entry(m).or_default() += count;
                }
            }
        }
    }

    /// [`add`](Self::add) out of line, for the few requests that fail.
    #[inline(never)]
    fn add_rare(&mut self, minute: i64) {
        self.add(minute);
    }

    /// Counts by minute, the pending one included.
    pub(crate) fn settled(&self) -> hashbrown::HashMap<i64, u64> {
        let mut counts = self.counts.clone();
        if let Some((m, count)) = self.current {
            *counts.entry(m).or_default() += count;
        }
        counts
    }

    fn merge(&mut self, other: PerMinute) {
        for (m, count) in other.settled() {
            *self.counts.entry(m).or_default() += count;
        }
    }
}

impl Aggregate for Summary {
    /// Each line in turn; with conditions, the chunk also leaves an [`Edge`] for the
    /// stack traces that cross into it.
    #[inline]
    fn add_chunk(&mut self, chunk: &logscan_scan::Chunk<'_>) {
        let filtered = self.keep.is_some();
        if filtered {
            self.counts.traces.start_chunk();
        }
        for line in chunk.lines() {
            self.add_line(line.bytes, line.number);
        }
        if filtered {
            self.counts.traces.end_chunk(chunk.first_line());
        }
    }

    // Always inlined into the scanner's per-chunk loop (`Aggregate::add_chunk`), with
    // the record lent by `parse_then` where the matcher filled it, never copied.
    #[inline(always)]
    fn add_line(&mut self, line: &[u8], line_number: u64) {
        let Summary {
            format,
            options,
            plan,
            keep,
            counts,
        } = self;
        match keep {
            // Without conditions (nearly always), the line's work is inlined here as
            // it was before conditions existed; with them, it is out of line.
            None => format.parse_then(line, |parsed| {
                counts.add_parsed(*plan, options.samples, parsed, line, line_number, None);
            }),
            Some(keep) => {
                counts.add_line_kept(format, *plan, options.samples, line, line_number, keep)
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.counts.merge(other.counts, self.options.samples);
    }
}

impl serde::Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.report().serialize(serializer)
    }
}

impl std::fmt::Debug for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Summary")
            .field("format", &self.format.name())
            .field("lines", &self.counts.lines)
            .field("parsed", &self.counts.parsed)
            .field("excluded", &self.counts.excluded)
            .field("malformed", &self.counts.malformed)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served() -> ServedTime {
        ServedTime::new()
    }

    fn kept(s: &Slowest) -> Vec<(u64, u64)> {
        s.sorted()
            .iter()
            .map(|r| (r.served_us, r.line_number))
            .collect()
    }

    /// The kept set is the top by time, then line, however the requests arrive and
    /// however they are split between workers: rising times (each one enters),
    /// falling ones, ties at the boundary.
    #[test]
    fn the_slowest_are_the_same_whatever_the_order() {
        let times: Vec<u64> = (1..=2_000u64).map(|i| i * 7_919 % 50).collect();
        let mut want: Vec<(u64, u64)> = times
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, i as u64 + 1))
            .collect();
        want.sort_by_key(|&(t, line)| (std::cmp::Reverse(t), line));
        for cap in [0, 1, 10, 500] {
            let want = &want[..cap];
            let mut order: Vec<usize> = (0..times.len()).collect();
            for round in 0..4 {
                match round {
                    1 => order.reverse(),
                    2 => order.sort_by_key(|&i| times[i]), // rising: every one enters
                    3 => order.sort_by_key(|&i| (i * 31) % 97),
                    _ => {}
                }
                let mut parts = [Slowest::new(cap), Slowest::new(cap), Slowest::new(cap)];
                for (k, &i) in order.iter().enumerate() {
                    parts[k % 3].see(times[i], i as u64 + 1, b"GET", &None, Some(200));
                }
                let [mut a, b, c] = parts;
                a.merge(b);
                a.merge(c);
                assert_eq!(kept(&a), want, "cap {cap}, round {round}");
            }
        }
    }

    #[test]
    fn a_huge_top_reserves_nothing_up_front() {
        let s = Slowest::new(100_000_000);
        assert!(s.kept.capacity() <= 64);
    }

    #[test]
    fn kept_text_is_cut_at_a_character_and_says_so() {
        let mut path = vec![b'/'];
        path.extend([b'a'; 254]);
        path.extend("é/tail".as_bytes()); // é takes bytes 255 and 256
        let cut = Inline::<256>::of(&path);
        assert_eq!(cut.as_bytes().len(), 255);
        assert!(cut.cut && std::str::from_utf8(cut.as_bytes()).is_ok());
        let whole = Inline::<256>::of(b"/short");
        assert_eq!((whole.as_bytes(), whole.cut), (&b"/short"[..], false));
        let method = Inline::<16>::of(b"VERYLONGMETHODNAME");
        assert_eq!(
            (method.as_bytes(), method.cut),
            (&b"VERYLONGMETHODNA"[..], true)
        );
    }

    /// Values counted aside by the millisecond, split over workers in any way, end up
    /// in the same sketch as values recorded one by one.
    #[test]
    fn millisecond_counts_fold_into_the_same_sketch() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let values: Vec<u64> = (0..20_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match i % 5 {
                    0 => x % 10_000_000,                   // any microsecond value
                    1 => x % 5_000 * 1000,                 // whole ms, some past the array
                    2 => (EXACT_MILLIS as u64 - 1) * 1000, // the last exact slot
                    _ => x % 300 * 1000,                   // the usual case
                }
            })
            .collect();
        let mut plain = Histogram::<u64>::new(SERVED_SIGFIG).unwrap();
        for &v in &values {
            plain.record(v).unwrap();
        }
        for split in [0, 1, 7_777, 20_000] {
            let (mut a, mut b) = (served(), served());
            values[..split].iter().for_each(|&v| a.record(v));
            values[split..].iter().for_each(|&v| b.record(v));
            b.merge(a);
            let folded = b.full_sketch().unwrap();
            assert_eq!(folded.len(), plain.len(), "split {split}");
            for q in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
                assert_eq!(
                    folded.value_at_quantile(q),
                    plain.value_at_quantile(q),
                    "split {split} q {q}"
                );
            }
            let bucket_counts = |h: &Histogram<u64>| {
                h.iter_recorded()
                    .map(|v| (v.value_iterated_to(), v.count_at_value()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                bucket_counts(&folded),
                bucket_counts(&plain),
                "split {split}"
            );
            assert_eq!(
                (b.count, b.min, b.max),
                (
                    20_000,
                    *values.iter().min().unwrap(),
                    *values.iter().max().unwrap()
                )
            );
        }
    }
}
