//! The [`Aggregate`] trait and a few ready-made aggregates and closure adapters.

use crate::Chunk;

/// A per-worker accumulator that a [`Scanner`](crate::Scanner) feeds lines to.
///
/// Each worker thread gets its own accumulator, made fresh by the closure given to
/// [`Scanner::scan`](crate::Scanner::scan), and feeds it the lines of the chunks it
/// scans; at the end the accumulators are merged into one. Which lines a worker sees,
/// and in which order the accumulators are merged, depends on timing. So that the
/// result does not:
///
/// - `merge` must be **order-independent**: merging `a` with `b` must give the same
///   result as merging `b` with `a`, and any grouping of merges the same as any other
///   (commutative and associative, like adding counts, taking minimums, keeping the `n`
///   lowest line numbers);
/// - `add_line` must not depend on the order lines arrive in across chunks: within one
///   chunk lines come in input order, but a worker may take chunk 7 before chunk 3.
///   Use the line number, not arrival order, when order matters ("the first ten
///   malformed lines" are the ten with the lowest numbers).
///
/// Then every strategy, thread count and chunk size gives the same result.
///
/// ```
/// use logscan_scan::Aggregate;
///
/// /// The longest line and where it is; ties go to the earliest line.
/// #[derive(Default)]
/// struct Longest { len: usize, line_number: u64 }
///
/// impl Longest {
///     fn offer(&mut self, len: usize, line_number: u64) {
///         let better = len > self.len || (len == self.len && line_number < self.line_number);
///         if self.line_number == 0 || better {
///             *self = Longest { len, line_number };
///         }
///     }
/// }
///
/// impl Aggregate for Longest {
///     fn add_line(&mut self, line: &[u8], line_number: u64) {
///         self.offer(line.len(), line_number);
///     }
///     fn merge(&mut self, other: Self) {
///         if other.line_number > 0 {
///             self.offer(other.len, other.line_number);
///         }
///     }
/// }
/// ```
pub trait Aggregate: Send {
    /// Takes one line, without its `\n` or `\r\n`. `line_number` is the line's true
    /// 1-based number in the input (over-long lines that were skipped still count), on
    /// every strategy and in every chunk.
    fn add_line(&mut self, line: &[u8], line_number: u64);

    /// Folds the accumulator of another worker of the same scan into this one. Must be
    /// order-independent (see the trait documentation).
    fn merge(&mut self, other: Self)
    where
        Self: Sized;

    /// Takes a whole chunk: by default, each of [`Chunk::lines`] in order through
    /// [`add_line`](Self::add_line). The scanner calls this, never `add_line` directly,
    /// so an aggregate may override it to work across lines — for instance to start
    /// the memory loads of one line's lookups while it parses the next. An override
    /// must take exactly the lines of `chunk.lines()` (which leaves out lines over the
    /// limit) with their numbers.
    #[inline]
    fn add_chunk(&mut self, chunk: &Chunk<'_>) {
        for line in chunk.lines() {
            self.add_line(line.bytes, line.number);
        }
    }
}

/// Scanning for the totals alone: [`ScanStats`](crate::ScanStats) already counts lines
/// and bytes, so `|| ()` is the fastest aggregate there is — it does not even split the
/// chunks into lines (over-long lines are still found and counted).
impl Aggregate for () {
    #[inline]
    fn add_line(&mut self, _line: &[u8], _line_number: u64) {}

    #[inline]
    fn add_chunk(&mut self, _chunk: &Chunk<'_>) {}

    fn merge(&mut self, _other: Self) {}
}

/// Two aggregates fed from one pass over the input.
impl<A: Aggregate, B: Aggregate> Aggregate for (A, B) {
    #[inline]
    fn add_line(&mut self, line: &[u8], line_number: u64) {
        self.0.add_line(line, line_number);
        self.1.add_line(line, line_number);
    }

    fn merge(&mut self, other: Self) {
        self.0.merge(other.0);
        self.1.merge(other.1);
    }
}

/// Three aggregates fed from one pass over the input.
impl<A: Aggregate, B: Aggregate, C: Aggregate> Aggregate for (A, B, C) {
    #[inline]
    fn add_line(&mut self, line: &[u8], line_number: u64) {
        self.0.add_line(line, line_number);
        self.1.add_line(line, line_number);
        self.2.add_line(line, line_number);
    }

    fn merge(&mut self, other: Self) {
        self.0.merge(other.0);
        self.1.merge(other.1);
        self.2.merge(other.2);
    }
}

/// Counts lines, and the bytes in them (without terminators).
///
/// ```
/// use logscan_scan::{LineCount, Scanner};
/// use logscan_source::Source;
///
/// let source = Source::builder().open_reader("example", &b"a\r\nbb\n\nccc"[..])?;
/// let out = Scanner::builder().threads(2).build()?.scan(source, LineCount::default)?;
/// assert_eq!((out.aggregate.lines, out.aggregate.bytes), (4, 6));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineCount {
    /// Lines seen.
    pub lines: u64,
    /// Their bytes, without `\n` and stripped `\r`.
    pub bytes: u64,
}

impl Aggregate for LineCount {
    #[inline]
    fn add_line(&mut self, line: &[u8], _line_number: u64) {
        self.lines += 1;
        self.bytes += line.len() as u64;
    }

    fn merge(&mut self, other: Self) {
        self.lines += other.lines;
        self.bytes += other.bytes;
    }
}

/// Counts the lines a predicate accepts; made by [`count_matching`].
#[derive(Clone, Debug)]
pub struct CountMatching<P> {
    predicate: P,
    count: u64,
}

impl<P> CountMatching<P> {
    /// Lines accepted so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// An aggregate counting the lines for which `predicate` is true. Make one per worker
/// by cloning: `|| count_matching(pred.clone())`, or from a `Copy` closure directly.
///
/// ```
/// use logscan_scan::{Scanner, count_matching};
/// use logscan_source::Source;
///
/// let source = Source::builder().open_reader("example", &b"GET /\nPOST /a\nGET /b\n"[..])?;
/// let errors = Scanner::builder().threads(1).build()?
///     .scan(source, || count_matching(|line: &[u8]| line.starts_with(b"GET")))?;
/// assert_eq!(errors.aggregate.count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn count_matching<P>(predicate: P) -> CountMatching<P>
where
    P: Fn(&[u8]) -> bool + Send,
{
    CountMatching {
        predicate,
        count: 0,
    }
}

impl<P> Aggregate for CountMatching<P>
where
    P: Fn(&[u8]) -> bool + Send,
{
    #[inline]
    fn add_line(&mut self, line: &[u8], _line_number: u64) {
        self.count += u64::from((self.predicate)(line));
    }

    fn merge(&mut self, other: Self) {
        self.count += other.count;
    }
}

/// An aggregate made of a state and two closures; made by [`from_fn`].
#[derive(Clone, Debug)]
pub struct FromFn<T, Add, Merge> {
    state: T,
    add: Add,
    merge: Merge,
}

impl<T, Add, Merge> FromFn<T, Add, Merge> {
    /// The state accumulated so far.
    pub fn state(&self) -> &T {
        &self.state
    }

    /// The state, taking it out of the aggregate.
    pub fn into_state(self) -> T {
        self.state
    }
}

/// An aggregate from closures: `state` is the empty accumulator, `add` takes a line
/// and its number, `merge` folds another worker's state in (and must be
/// order-independent, see [`Aggregate`]).
///
/// ```
/// use logscan_scan::{Scanner, from_fn};
/// use logscan_source::Source;
///
/// let source = Source::builder().open_reader("example", &b"b\na\nc\na\n"[..])?;
/// // The line numbers of every line equal to "a".
/// let out = Scanner::builder().threads(2).chunk_size(1).build()?.scan(source, || {
///     from_fn(
///         Vec::new(),
///         |found: &mut Vec<u64>, line: &[u8], number| if line == b"a" { found.push(number) },
///         |found: &mut Vec<u64>, other: Vec<u64>| {
///             found.extend(other);
///             found.sort_unstable(); // order-independent merge
///         },
///     )
/// })?;
/// assert_eq!(out.aggregate.into_state(), [2, 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn from_fn<T, Add, Merge>(state: T, add: Add, merge: Merge) -> FromFn<T, Add, Merge>
where
    T: Send,
    Add: FnMut(&mut T, &[u8], u64) + Send,
    Merge: FnMut(&mut T, T) + Send,
{
    FromFn { state, add, merge }
}

impl<T, Add, Merge> Aggregate for FromFn<T, Add, Merge>
where
    T: Send,
    Add: FnMut(&mut T, &[u8], u64) + Send,
    Merge: FnMut(&mut T, T) + Send,
{
    #[inline]
    fn add_line(&mut self, line: &[u8], line_number: u64) {
        (self.add)(&mut self.state, line, line_number);
    }

    fn merge(&mut self, other: Self) {
        (self.merge)(&mut self.state, other.state);
    }
}
