//! A time written with strftime(3)'s conversions (Apache's `%{%Y-%m-%d %T}t`), read
//! back into a [`Timestamp`].
//!
//! Only layouts that pin down an instant are kept: a year, a month, a day, an hour and
//! a minute (or `%s`, seconds since the epoch). A layout of a date alone, a time of day
//! alone, or one with a conversion whose text depends on more than the instant
//! (`%U`, `%G`, flags such as `%-d`) is left as text by the caller. Month and weekday
//! names are read in English, as the C locale writes them; a line written in another
//! locale simply has no time.

use crate::time::{Timestamp, month_from_abbrev, two_digits};

/// One conversion or literal byte of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Lit(u8),
    /// `%Y`: four digits.
    Year,
    /// `%y`: two digits, 69–99 in the 1900s and 00–68 in the 2000s (POSIX).
    Year2,
    /// `%m`
    Month,
    /// `%b`, `%h`: `Jan`.
    MonthAbbr,
    /// `%B`: `January`.
    MonthName,
    /// `%d`
    Day,
    /// `%e`: the day padded with a space (` 7`).
    DaySpaced,
    /// `%H`
    Hour,
    /// `%I`: 01–12, with `%p`.
    Hour12,
    /// `%M`
    Minute,
    /// `%S`
    Second,
    /// `%p`: `AM` or `PM`.
    AmPm,
    /// `%z`: `+hhmm`.
    Offset,
    /// `%Z`: a zone's abbreviation (`UTC`, `CET`, or tzdata's numeric `+03`); only
    /// `UTC`, `GMT`, `Z` and the numeric ones give an offset.
    ZoneName,
    /// `%a`: `Mon`, not checked against the date.
    WeekdayAbbr,
    /// `%A`: `Monday`, not checked against the date.
    WeekdayName,
    /// `%s`: seconds since the epoch.
    Epoch,
}

impl Item {
    /// The width this conversion always writes, if it has one.
    fn width(self) -> Option<u32> {
        match self {
            Item::Lit(_) => Some(1),
            Item::Year => Some(4),
            Item::MonthAbbr | Item::WeekdayAbbr => Some(3),
            Item::Offset => Some(5),
            Item::Year2
            | Item::Month
            | Item::Day
            | Item::DaySpaced
            | Item::Hour
            | Item::Hour12
            | Item::Minute
            | Item::Second
            | Item::AmPm => Some(2),
            Item::MonthName | Item::ZoneName | Item::WeekdayName | Item::Epoch => None,
        }
    }
}

/// A compiled strftime layout that pins down an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimeLayout {
    items: Box<[Item]>,
}

/// The C locale's expansion of a compound conversion.
fn expansion(conversion: u8) -> Option<&'static str> {
    Some(match conversion {
        b'T' | b'X' => "%H:%M:%S",
        b'R' => "%H:%M",
        b'F' => "%Y-%m-%d",
        b'D' | b'x' => "%m/%d/%y",
        b'r' => "%I:%M:%S %p",
        b'c' => "%a %b %e %H:%M:%S %Y",
        _ => return None,
    })
}

fn compile_into(layout: &[u8], items: &mut Vec<Item>) -> Option<()> {
    let mut bytes = layout.iter().copied();
    while let Some(b) = bytes.next() {
        if b != b'%' {
            items.push(Item::Lit(b));
            continue;
        }
        let conversion = bytes.next()?;
        if let Some(compound) = expansion(conversion) {
            compile_into(compound.as_bytes(), items)?;
            continue;
        }
        items.push(match conversion {
            b'%' => Item::Lit(b'%'),
            b'n' => Item::Lit(b'\n'),
            b't' => Item::Lit(b'\t'),
            b'Y' => Item::Year,
            b'y' => Item::Year2,
            b'm' => Item::Month,
            b'b' | b'h' => Item::MonthAbbr,
            b'B' => Item::MonthName,
            b'd' => Item::Day,
            b'e' => Item::DaySpaced,
            b'H' => Item::Hour,
            b'I' => Item::Hour12,
            b'M' => Item::Minute,
            b'S' => Item::Second,
            b'p' => Item::AmPm,
            b'z' => Item::Offset,
            b'Z' => Item::ZoneName,
            b'a' => Item::WeekdayAbbr,
            b'A' => Item::WeekdayName,
            b's' => Item::Epoch,
            // Week numbers, ISO years, weekdays as numbers, flags and modifiers: not
            // needed for an instant, or not written the same everywhere.
            _ => return None,
        });
    }
    Some(())
}

impl TimeLayout {
    /// The layout of `text` (strftime's conversions), if it pins down an instant.
    pub(crate) fn compile(text: &str) -> Option<TimeLayout> {
        let mut items = Vec::new();
        compile_into(text.as_bytes(), &mut items)?;
        let has = |wanted: &[Item]| items.iter().any(|i| wanted.contains(i));
        let civil = has(&[Item::Year, Item::Year2])
            && has(&[Item::Month, Item::MonthAbbr, Item::MonthName])
            && has(&[Item::Day, Item::DaySpaced])
            && has(&[Item::Hour, Item::Hour12])
            && has(&[Item::Minute])
            // A 12-hour clock needs its AM/PM.
            && (!has(&[Item::Hour12]) || has(&[Item::AmPm]));
        (civil || has(&[Item::Epoch])).then(|| TimeLayout {
            items: items.into_boxed_slice(),
        })
    }

    /// The width of every time this layout writes, if it is always the same (no
    /// names of variable length, no `%s`): the matcher tries it first.
    pub(crate) fn width(&self) -> Option<u32> {
        self.items
            .iter()
            .try_fold(0u32, |sum, item| sum.checked_add(item.width()?))
    }

    /// The instant `text` writes in this layout: all of `text`, or `None`. A time with
    /// no `%z` (nor a `%Z` of UTC) has no zone and is read as UTC, as a time without a
    /// zone is elsewhere.
    #[cfg(test)]
    pub(crate) fn parse(&self, text: &[u8]) -> Option<Timestamp> {
        self.parse_with(text, Extras::default())
    }

    /// [`parse`](Self::parse), with the fraction of the second and the zone written by
    /// directives of their own (Apache's `%{msec_frac}t`, `%{%z}t`). Either is left
    /// out when it is not what it should be (`-`, other digits): the time is still the
    /// time, to the second or without a zone.
    pub(crate) fn parse_with(&self, text: &[u8], extras: Extras<'_>) -> Option<Timestamp> {
        self.read(text, extras)
            .and_then(|(t, used)| (used == text.len()).then_some(t))
    }

    /// How many bytes at the start of `text` a time in this layout takes, if it starts
    /// with one: where a value of a layout of varying width (`%B`, `%A`) ends.
    pub(crate) fn measure(&self, text: &[u8]) -> Option<usize> {
        self.read(text, Extras::default()).map(|(_, used)| used)
    }

    /// The time at the start of `text`, and the bytes it takes.
    fn read(&self, text: &[u8], extras: Extras<'_>) -> Option<(Timestamp, usize)> {
        let mut at = 0usize;
        let mut twelve_hour = false;
        let (mut year, mut month, mut day) = (None, None, None);
        let (mut hour, mut minute, mut second) = (None, None, 0u8);
        let mut pm = None;
        let mut offset = None;
        let mut epoch = None;
        let two = |at: usize| -> Option<u8> {
            let pair = text.get(at..at + 2)?;
            two_digits(pair[0], pair[1])
        };
        let letters = |at: usize| {
            text.get(at..).map_or(0, |t| {
                t.iter().take_while(|b| b.is_ascii_alphabetic()).count()
            })
        };
        for &item in self.items.iter() {
            at += match item {
                Item::Lit(b) => {
                    if text.get(at) != Some(&b) {
                        return None;
                    }
                    1
                }
                Item::Year => {
                    let digits = text.get(at..at + 4)?;
                    let high = i32::from(two_digits(digits[0], digits[1])?);
                    let low = i32::from(two_digits(digits[2], digits[3])?);
                    year = Some(high * 100 + low);
                    4
                }
                Item::Year2 => {
                    let y = i32::from(two(at)?);
                    year = Some(if y >= 69 { 1900 + y } else { 2000 + y });
                    2
                }
                Item::Month => {
                    month = Some(two(at)?);
                    2
                }
                Item::MonthAbbr => {
                    month = Some(month_from_abbrev(text.get(at..at + 3)?)?);
                    3
                }
                Item::MonthName => {
                    let len = letters(at);
                    let m = month_from_abbrev(text.get(at..at + 3)?)?;
                    let name = MONTH_NAMES[usize::from(m - 1)].as_bytes();
                    if !text[at..at + len].eq_ignore_ascii_case(name) {
                        return None;
                    }
                    month = Some(m);
                    len
                }
                Item::Day => {
                    day = Some(two(at)?);
                    2
                }
                Item::DaySpaced => {
                    let pair = text.get(at..at + 2)?;
                    day = Some(if pair[0] == b' ' {
                        two_digits(b'0', pair[1])?
                    } else {
                        two_digits(pair[0], pair[1])?
                    });
                    2
                }
                Item::Hour | Item::Hour12 => {
                    hour = Some(two(at)?);
                    twelve_hour = item == Item::Hour12;
                    2
                }
                Item::Minute => {
                    minute = Some(two(at)?);
                    2
                }
                Item::Second => {
                    second = two(at)?;
                    2
                }
                Item::AmPm => {
                    let pair = text.get(at..at + 2)?;
                    pm = Some(match [pair[0] | 0x20, pair[1] | 0x20] {
                        [b'a', b'm'] => false,
                        [b'p', b'm'] => true,
                        _ => return None,
                    });
                    2
                }
                Item::Offset => {
                    offset = Some(offset_seconds(text.get(at..at + 5)?)?);
                    5
                }
                Item::ZoneName => {
                    // tzdata writes zones without a name as their offset: `+03`, `-0330`.
                    let numeric = [5, 3]
                        .into_iter()
                        .find_map(|len| Some((len, offset_seconds(text.get(at..at + len)?)?)));
                    if let Some((len, east)) = numeric {
                        offset = offset.or(Some(east));
                        len
                    } else {
                        let len = letters(at);
                        let zone = &text[at..at + len];
                        if ["UTC", "GMT", "Z"]
                            .iter()
                            .any(|z| zone.eq_ignore_ascii_case(z.as_bytes()))
                        {
                            offset = offset.or(Some(0));
                        }
                        if len == 0 {
                            return None;
                        }
                        len
                    }
                }
                Item::WeekdayAbbr => {
                    if letters(at) < 3 {
                        return None;
                    }
                    3
                }
                Item::WeekdayName => match letters(at) {
                    len @ 6..=9 => len,
                    _ => return None,
                },
                Item::Epoch => {
                    let len = text
                        .get(at..)
                        .map_or(0, |t| t.iter().take_while(|b| b.is_ascii_digit()).count());
                    if !(1..=18).contains(&len) {
                        return None;
                    }
                    let digits = std::str::from_utf8(&text[at..at + len]).ok()?;
                    epoch = Some(digits.parse::<i64>().ok()?);
                    len
                }
            };
        }
        let nanos = extras.fraction.and_then(fraction_nanos).unwrap_or(0);
        if let Some(secs) = epoch {
            // Years 0-9999, as for a civil time.
            if secs > LAST_SECOND {
                return None;
            }
            return Some((Timestamp::from_unix(secs, nanos)?.with_offset(Some(0)), at));
        }
        let hour = match (hour?, pm) {
            (h @ 1..=12, Some(pm)) if twelve_hour => h % 12 + if pm { 12 } else { 0 },
            // `%p` beside a 24-hour `%H` says nothing more.
            (h, _) if !twelve_hour => h,
            _ => return None,
        };
        let offset = offset.or_else(|| extras.zone.and_then(offset_seconds));
        Timestamp::from_civil(year?, month?, day?, hour, minute?, second, nanos, offset)
            .map(|t| (t, at))
    }
}

/// The last second of year 9999, the end of the range of civil times.
const LAST_SECOND: i64 = 253_402_300_799;

/// The parts of a time that Apache writes with directives of their own.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extras<'a> {
    /// The fraction's digits, and how many there should be (`msec_frac`: 3).
    pub(crate) fraction: Option<(&'a [u8], usize)>,
    /// A `+hhmm` offset (`%{%z}t`).
    pub(crate) zone: Option<&'a [u8]>,
}

/// `+hhmm`, `-hhmm` or `+hh` in seconds east of UTC.
fn offset_seconds(z: &[u8]) -> Option<i32> {
    let (sign, digits) = z.split_first()?;
    let (hours, minutes) = match *digits {
        [a, b] => (two_digits(a, b)?, 0),
        [a, b, c, d] => (two_digits(a, b)?, two_digits(c, d)?),
        _ => return None,
    };
    let east = (i32::from(hours) * 60 + i32::from(minutes)) * 60;
    match sign {
        b'+' => Some(east),
        b'-' => Some(-east),
        _ => None,
    }
}

/// `digits` decimal digits of a second (`123` of `msec_frac`) in nanoseconds.
fn fraction_nanos((text, digits): (&[u8], usize)) -> Option<u32> {
    if text.len() != digits || digits > 9 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = text.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    Some(value * 10u32.pow((9 - digits) as u32))
}

/// The time of a format whose time Apache writes with several `%{...}t`: the variable
/// in a strftime layout, by index, and those of its fraction and zone, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimeParts {
    pub(crate) index: usize,
    pub(crate) layout: TimeLayout,
    /// `%{msec_frac}t` (3 digits) or `%{usec_frac}t` (6): the index and the digits.
    pub(crate) fraction: Option<(usize, usize)>,
    /// `%{%z}t`, used when the layout has no zone of its own.
    pub(crate) zone: Option<usize>,
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn read(layout: &str, text: &str) -> Option<String> {
        let layout = TimeLayout::compile(layout).expect("a layout of an instant");
        layout.parse(text.as_bytes()).map(|t| t.to_string())
    }

    #[test]
    fn layouts_that_pin_down_an_instant_are_kept() {
        for kept in [
            "%Y-%m-%d %H:%M:%S",
            "%F %T",
            "%d/%b/%Y:%H:%M:%S %z",
            "%c",
            "%s",
            "%D %r",
            "%e %B %Y %H:%M",
        ] {
            assert!(TimeLayout::compile(kept).is_some(), "{kept}");
        }
        for text in [
            "%Y-%m-%d",         // a date alone
            "%T",               // a time of day alone
            "%Y-%m-%d %I:%M",   // 12-hour clock without AM/PM
            "%Y-%m-%d %-H:%M",  // a flag
            "%G-W%V-%u %T",     // ISO week date
            "%Y-%m-%d %H:%M %", // a lone %
            "",
        ] {
            assert_eq!(TimeLayout::compile(text), None, "{text}");
        }
    }

    #[test]
    fn times_are_read_in_their_layout() {
        let cases = [
            (
                "%Y-%m-%d %H:%M:%S",
                "2024-11-27 09:05:07",
                Some("2024-11-27T09:05:07"),
            ),
            (
                "%F %T %z",
                "2024-11-27 09:05:07 +0130",
                Some("2024-11-27T09:05:07+01:30"),
            ),
            (
                "%d/%b/%Y:%H:%M:%S %z",
                "27/nov/2024:09:05:07 -0700",
                Some("2024-11-27T09:05:07-07:00"),
            ),
            (
                "%c",
                "Wed Nov  7 09:05:07 2024",
                Some("2024-11-07T09:05:07"),
            ),
            (
                "%c",
                "Wed Nov 17 09:05:07 2024",
                Some("2024-11-17T09:05:07"),
            ),
            ("%D %r", "11/27/24 12:05:07 AM", Some("2024-11-27T00:05:07")),
            ("%D %r", "11/27/69 12:05:07 PM", Some("1969-11-27T12:05:07")),
            ("%D %r", "11/27/24 01:05:07 pm", Some("2024-11-27T13:05:07")),
            ("%D %r", "11/27/24 13:05:07 PM", None),
            (
                "%A, %e %B %Y %R %Z",
                "Wednesday, 27 November 2024 09:05 UTC",
                Some("2024-11-27T09:05:00Z"),
            ),
            (
                "%A, %e %B %Y %R %Z",
                "Wednesday, 27 November 2024 09:05 CET",
                Some("2024-11-27T09:05:00"),
            ),
            (
                "%A, %e %B %Y %R %Z",
                "Wednesday, 27 Novem 2024 09:05 CET",
                None,
            ),
            ("%s", "1732698307", Some("2024-11-27T09:05:07Z")),
            ("%s", "", None),
            ("%Y-%m-%d %H:%M:%S", "2024-02-30 09:05:07", None),
            ("%Y-%m-%d %H:%M:%S", "2024-11-27 09:05:07 ", None),
            ("%Y-%m-%d %H:%M:%S", "2024-11-27 09:05", None),
            ("%Y-%m-%d %H:%M:%S", "2024-11-27 24:05:07", None),
            ("%Y-%m-%dT%H:%M:%S%z", "2024-11-27T09:05:07+2500", None),
            (
                "100%% %F %H:%M",
                "100% 2024-11-27 09:05",
                Some("2024-11-27T09:05:00"),
            ),
            // tzdata's numeric zone names.
            (
                "%F %T %Z",
                "2024-11-27 09:05:07 +03",
                Some("2024-11-27T09:05:07+03:00"),
            ),
            (
                "%F %T %Z",
                "2024-11-27 09:05:07 -0330",
                Some("2024-11-27T09:05:07-03:30"),
            ),
            ("%F %T %Z", "2024-11-27 09:05:07 +3", None),
            // `%p` beside a 24-hour hour.
            (
                "%F %H:%M:%S %p",
                "2024-11-27 14:30:00 PM",
                Some("2024-11-27T14:30:00"),
            ),
            (
                "%F %H:%M:%S %p",
                "2024-11-27 00:30:00 AM",
                Some("2024-11-27T00:30:00"),
            ),
            ("%s", "253402300799", Some("9999-12-31T23:59:59Z")),
            ("%s", "253402300800", None),
            ("%s", "999999999999999999", None),
        ];
        for (layout, text, want) in cases {
            assert_eq!(read(layout, text).as_deref(), want, "{layout} / {text}");
        }
    }

    /// Apache's `[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t]`: the parts joined.
    #[test]
    fn a_fraction_and_a_zone_written_apart_join_the_time() {
        let layout = TimeLayout::compile("%d/%b/%Y %T").expect("kept");
        let with = |fraction: Option<(&'static [u8], usize)>, zone: Option<&'static [u8]>| {
            layout
                .parse_with(b"27/Nov/2024 09:05:07", Extras { fraction, zone })
                .map(|t| t.to_string())
        };
        assert_eq!(
            with(Some((b"123", 3)), Some(b"+0100")).as_deref(),
            Some("2024-11-27T09:05:07.123+01:00")
        );
        assert_eq!(
            with(Some((b"000456", 6)), None).as_deref(),
            Some("2024-11-27T09:05:07.000456")
        );
        // A part that is not what it should be is left out.
        assert_eq!(
            with(Some((b"12", 3)), Some(b"-")).as_deref(),
            Some("2024-11-27T09:05:07")
        );
        // The layout's own zone wins.
        let zoned = TimeLayout::compile("%d/%b/%Y %T %z").expect("kept");
        let t = zoned.parse_with(
            b"27/Nov/2024 09:05:07 +0000",
            Extras {
                fraction: None,
                zone: Some(b"+0100"),
            },
        );
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2024-11-27T09:05:07Z")
        );
    }

    #[test]
    fn a_time_at_the_start_is_measured() {
        let layout = TimeLayout::compile("%A %e %B %Y %T").expect("kept");
        let text = b"Wednesday 27 November 2024 09:05:07 200 x";
        assert_eq!(layout.measure(text), Some(35));
        assert_eq!(layout.measure(b"Wednesday 27 Novembre 2024"), None);
        assert_eq!(layout.parse(text), None, "parse takes all of it");
    }

    #[test]
    fn fixed_layouts_say_their_width() {
        let width = |l: &str| TimeLayout::compile(l).and_then(|l| l.width());
        assert_eq!(width("%Y-%m-%d %H:%M:%S"), Some(19));
        assert_eq!(width("%d/%b/%Y:%H:%M:%S %z"), Some(26));
        assert_eq!(width("%c"), Some(24));
        assert_eq!(width("%e %B %Y %H:%M"), None);
        assert_eq!(width("%s"), None);
    }

    proptest::proptest! {
        /// Any bytes in any kept layout: an answer, never a panic.
        #[test]
        fn never_panics(text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            for layout in ["%c", "%A, %e %B %Y %r %Z", "%F %T%z", "%s", "%D %R"] {
                let layout = TimeLayout::compile(layout).expect("kept");
                let _ = layout.parse(&text);
                let _ = layout.measure(&text);
            }
        }

        /// Valid times with a few bytes changed and cut short, so that every item is
        /// reached with text that ends or goes wrong there: never a panic, and what
        /// `measure` takes is a time `parse` reads.
        #[test]
        fn mutated_times_never_panic(
            pick in 0usize..5,
            edits in proptest::collection::vec((0usize..48, proptest::prelude::any::<u8>()), 0..4),
            cut in 1usize..48,
        ) {
            let (layout, valid) = [
                ("%c", &b"Wed Nov  7 09:05:07 2024"[..]),
                ("%A, %e %B %Y %r %Z", b"Wednesday, 27 November 2024 01:05:07 PM +0330"),
                ("%F %T%z", b"2024-11-27 09:05:07-0700"),
                ("%s", b"1732698307"),
                ("%D %R %Z", b"11/27/24 09:05 UTC"),
            ][pick];
            let layout = TimeLayout::compile(layout).expect("kept");
            let mut text = valid.to_vec();
            for (at, byte) in edits {
                if let Some(b) = text.get_mut(at) {
                    *b = byte;
                }
            }
            text.truncate(cut);
            if let Some(n) = layout.measure(&text) {
                proptest::prop_assert!(n <= text.len());
                proptest::prop_assert!(layout.parse(&text[..n]).is_some());
            }
        }
    }
}
