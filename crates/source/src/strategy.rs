use std::{fmt, str::FromStr};

use crate::error::ParseStrategyError;

/// How a [`Source`](crate::Source) gets the bytes of its input.
///
/// The names are those of the CLI flag `--io`: `auto`, `stream`, `read`, `mmap`
/// ([`FromStr`] and [`Display`](fmt::Display) use them).
///
/// | strategy | how | memory |
/// |---|---|---|
/// | [`Stream`](Self::Stream) | `read()` into pooled blocks of complete lines | O(block + longest line) |
/// | [`ReadAll`](Self::ReadAll) | one read of the whole input into the heap | O(input) heap |
/// | [`Mmap`](Self::Mmap) | maps the file; pages come from the page cache | O(1) heap |
///
/// [`Auto`](Self::Auto) picks one of the three when the input is opened (see
/// [`SourceBuilder::auto_mmap_threshold`](crate::SourceBuilder::auto_mmap_threshold)
/// for the rule); [`Source::strategy`](crate::Source::strategy) tells which.
///
/// ```
/// use logscan_source::Strategy;
///
/// let s: Strategy = "read".parse().unwrap();
/// assert_eq!(s, Strategy::ReadAll);
/// assert_eq!(s.to_string(), "read");
/// assert!("fast".parse::<Strategy>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Choose by what the input is (the default).
    #[default]
    Auto,
    /// Read through bounded, pooled blocks. Works for every input.
    Stream,
    /// Read the whole input into one heap buffer. Works for every input.
    ReadAll,
    /// Map the file into memory. Regular, uncompressed files only. The mapping is
    /// guarded against SIGBUS (logscan-sigbus); where the guard is unavailable, Mmap
    /// is refused with [`Error::Unguarded`](crate::Error::Unguarded).
    Mmap,
}

impl Strategy {
    /// Every strategy, `Auto` first.
    pub const ALL: [Strategy; 4] = [
        Strategy::Auto,
        Strategy::Stream,
        Strategy::ReadAll,
        Strategy::Mmap,
    ];

    /// The `--io` name.
    pub const fn name(self) -> &'static str {
        match self {
            Strategy::Auto => "auto",
            Strategy::Stream => "stream",
            Strategy::ReadAll => "read",
            Strategy::Mmap => "mmap",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    type Err = ParseStrategyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Strategy::ALL
            .into_iter()
            .find(|strategy| strategy.name() == s)
            .ok_or_else(|| ParseStrategyError {
                given: s.to_owned(),
            })
    }
}

/// Paging advice given to the kernel for a mapping (`madvise`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MmapAdvice {
    /// No advice: the kernel's default read-ahead.
    Normal,
    /// `MADV_SEQUENTIAL`: aggressive read-ahead, pages behind the reader may be dropped
    /// early (the default: a scan reads each byte once, front to back per chunk).
    #[default]
    Sequential,
    /// `MADV_WILLNEED`: start reading the whole file in now.
    WillNeed,
}

/// Whether the input was compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Plain bytes.
    #[default]
    None,
    /// gzip (recognised by its magic bytes `1f 8b`, whatever the file is called).
    Gzip,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Strategy::ALL {
            assert_eq!(s.to_string().parse::<Strategy>(), Ok(s));
        }
        let err = "Mmap".parse::<Strategy>().unwrap_err();
        assert_eq!(err.given, "Mmap");
        assert!(err.to_string().contains("auto, stream, read, mmap"));
    }
}
