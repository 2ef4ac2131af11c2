//! Typed errors: [`ParseError`] for a line that does not match, [`FormatError`] for a
//! format that cannot work.

use thiserror::Error;

/// Why a line did not match its format. The caller counts these; they never abort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The line is empty (or only a `\r`). In an application log an empty line is a
    /// [`Continuation`](Self::Continuation) instead.
    Empty,
    /// A literal part of the format (a separator such as `" ` or ` [`) was not found
    /// where the format puts it.
    ExpectedLiteral,
    /// A quoted field opened but its closing quote, followed by what the format puts
    /// after it, never came.
    UnterminatedQuote,
    /// An application-log line with neither a leading timestamp nor a level token.
    NoTimestampOrLevel,
    /// An application-log line that goes on from the record before it rather than
    /// starting one: a stack-trace frame (indented, or Go's unindented `pkg.F(0x1)` and
    /// `created by pkg.F`), `Caused by: ...`, an exception's own line
    /// (`java.io.IOException: disk`, `ValueError: bad`), a Python `Traceback ...` or Go
    /// `goroutine 1 [running]:` header or `runtime stack:`, a blank line. Not a
    /// malformed line: multi-line records are written so.
    Continuation,
    /// A JSON line that is not one well-formed top-level object.
    InvalidJson,
    /// The line is longer than a record can address: 64 KiB - 1 for access logs,
    /// 4 GiB - 1 for application and JSON lines.
    TooLong,
}

impl ParseErrorKind {
    /// A short lower-case description, also used by `Display`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParseErrorKind::Empty => "empty line",
            ParseErrorKind::ExpectedLiteral => "line does not match the format's separators",
            ParseErrorKind::UnterminatedQuote => "quoted field is not closed",
            ParseErrorKind::NoTimestampOrLevel => "no timestamp or level found",
            ParseErrorKind::Continuation => "goes on from the line before (a stack trace)",
            ParseErrorKind::InvalidJson => "not a JSON object",
            ParseErrorKind::TooLong => "line too long for its format",
        }
    }
}

/// A line that did not match: what went wrong and the byte column (0-based offset in
/// the line) where the parser gave up. Shown as `at byte N of the line`: an offset, as
/// logscan's errors give offsets in a file, not an editor's 1-based column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[error("{} at byte {column} of the line", kind.as_str())]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Byte offset in the line where matching failed.
    pub column: usize,
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, column: usize) -> ParseError {
        ParseError { kind, column }
    }
}

/// A format definition that cannot work, found when it is compiled or configured.
/// Columns are 0-based byte offsets in the text the caller gave.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The format text is empty (after removing `log_format`, the name and quotes).
    #[error("the format is empty")]
    Empty,
    /// A quoted piece of a `log_format` directive is not closed.
    #[error("unbalanced quote: the {quote} opened at column {column} is never closed")]
    UnbalancedQuote {
        /// The quote character, `'` or `"`.
        quote: char,
        /// Where it opened.
        column: usize,
    },
    /// Text outside the quotes of a directive that is neither whitespace nor the final `;`.
    #[error("unexpected text at column {column} between the quoted pieces of the directive")]
    TextBetweenPieces {
        /// Where the stray text starts.
        column: usize,
    },
    /// Two variables follow each other with nothing between them, so no line could
    /// say where the first ends.
    #[error(
        "variables ${first} and ${second} at column {column} have no separator between them, \
         so a line cannot say where one ends"
    )]
    AdjacentVariables {
        /// The first variable's name.
        first: String,
        /// The second variable's name.
        second: String,
        /// Where the second variable starts in the format string.
        column: usize,
    },
    /// Two Apache directives follow each other with nothing between them (`%s%m`).
    #[error(
        "Apache directives {first} and {second} at column {column} have no separator between \
         them, so a line cannot say where one ends"
    )]
    AdjacentDirectives {
        /// The first directive, as written.
        first: String,
        /// The second directive, as written.
        second: String,
        /// Where the second directive starts.
        column: usize,
    },
    /// A `%` that does not start an Apache directive logscan knows (`%Z`), or one cut
    /// short (`%{Referer` without `}` and letter).
    #[error("unknown or incomplete Apache directive `{directive}` at column {column}")]
    UnknownDirective {
        /// The directive, as far as it was read.
        directive: String,
        /// Where its `%` is.
        column: usize,
    },
    /// A `LogFormat` or `CustomLog` line whose format is not a quoted string (a
    /// `CustomLog` line may name a format defined elsewhere by its nickname).
    #[error(
        "expected a quoted format string at column {column} (a nickname such as `combined` \
         names a LogFormat defined elsewhere: give that LogFormat line)"
    )]
    NotAFormatString {
        /// Where the format string should start.
        column: usize,
    },
    /// A `$` with no variable name after it.
    #[error("`$` at column {column} is not followed by a variable name")]
    EmptyVariableName {
        /// Where the `$` is.
        column: usize,
    },
    /// A `${` without its `}`.
    #[error("`${{` at column {column} is never closed by `}}`")]
    UnterminatedBrace {
        /// Where the `${` is.
        column: usize,
    },
    /// More variables than a record can hold.
    #[error("the format has {count} variables; at most {max} are supported")]
    TooManyVariables {
        /// How many the format has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The format has no variables at all, so it extracts nothing.
    #[error("the format has no variables")]
    NoVariables,
    /// `escape=` names a mode nginx does not have.
    #[error("unknown escape mode `{0}` (nginx knows default, json and none)")]
    UnknownEscape(String),
    /// A format name that is not a preset.
    #[error("unknown log format `{0}` (known: {known})", known = crate::format::PRESET_NAMES.join(", "))]
    UnknownName(String),
    /// A JSON key list was configured empty.
    #[error("the JSON key list for {0} is empty")]
    EmptyKeyList(&'static str),
    /// A JSON field name that is not one of [`JsonFormatBuilder::FIELDS`](crate::JsonFormatBuilder::FIELDS).
    #[error("unknown JSON field `{0}` (known: {known})", known = crate::JsonFormatBuilder::FIELDS.join(", "))]
    UnknownJsonField(String),
}
