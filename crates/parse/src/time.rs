//! Timestamps: a UTC instant plus the offset the log wrote, and hand-written parsers
//! for the shapes logs use. No allocation, no locale, no time-zone database.

use std::cell::Cell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Marks "the source named no zone": the wall-clock time was taken as UTC.
const NO_OFFSET: i32 = i32::MIN;

/// A point in time read from a log: Unix seconds (UTC), a sub-second part, and the
/// UTC offset the log wrote it in, if it wrote one.
///
/// Comparison, equality and hashing use the UTC instant only, so
/// `10/Oct/2000:13:55:36 -0700` equals `2000-10-10T20:55:36Z`. A time written without
/// a zone (most application logs) is taken as UTC and [`utc_offset_seconds`]
/// returns `None` for it.
///
/// `Display` writes RFC 3339 in the offset the log used (`2000-10-10T13:55:36-07:00`),
/// with the fraction when there is one, and no zone suffix for a zoneless time, so the
/// output parses back with [`parse_timestamp`] to an equal value.
///
/// [`utc_offset_seconds`]: Timestamp::utc_offset_seconds
#[derive(Clone, Copy)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
    offset: i32,
}

impl Timestamp {
    /// The instant `secs` seconds and `nanos` nanoseconds after the Unix epoch, with
    /// no recorded offset. `None` if `nanos` is a second or more.
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Timestamp> {
        (nanos < 1_000_000_000).then_some(Timestamp {
            secs,
            nanos,
            offset: NO_OFFSET,
        })
    }

    /// The instant of a civil date and time written at `offset_seconds` east of UTC
    /// (`None`: no zone, taken as UTC). `None` if any part is out of range (month
    /// 1-12, a day that exists in that month, hour < 24, minute < 60, second < 61,
    /// `nanos` < 10^9, year 0-9999, |offset| < 24 h). Second 60, a leap second
    /// (`23:59:60` in UTC; another minute in a zone off the whole hour), is read as
    /// second 59 with the same fraction, as Unix time has no place for it: a line of
    /// `23:59:60.1` then sorts before one of `23:59:59.9`.
    #[allow(clippy::too_many_arguments)] // the parts of a civil time; private
    pub(crate) fn from_civil(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        nanos: u32,
        offset_seconds: Option<i32>,
    ) -> Option<Timestamp> {
        if !(0..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
            || nanos >= 1_000_000_000
        {
            return None;
        }
        let second = second.min(59);
        let offset = match offset_seconds {
            Some(o) if o.unsigned_abs() < 86_400 => o,
            Some(_) => return None,
            None => NO_OFFSET,
        };
        let days = days_since_epoch(year as u32, month, day);
        let local =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        let utc = if offset == NO_OFFSET {
            local
        } else {
            local - i64::from(offset)
        };
        Some(Timestamp {
            secs: utc,
            nanos,
            offset,
        })
    }

    /// Whole seconds since the Unix epoch (UTC), rounded down.
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// The sub-second part in nanoseconds (0 when the log wrote whole seconds).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Microseconds since the Unix epoch (UTC), rounded down.
    pub fn unix_micros(&self) -> i64 {
        self.secs
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(self.nanos / 1000))
    }

    /// Nanoseconds since the Unix epoch (UTC).
    pub fn unix_nanos(&self) -> i128 {
        i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos)
    }

    /// Seconds east of UTC that the log wrote (`-0700` is `-25200`); `None` when the
    /// log wrote no zone and the time was taken as UTC.
    pub fn utc_offset_seconds(&self) -> Option<i32> {
        (self.offset != NO_OFFSET).then_some(self.offset)
    }

    /// The same instant, to be displayed at `offset_seconds` east of UTC (`None`:
    /// displayed as a zoneless time). Offsets of a day or more are ignored.
    pub fn with_offset(self, offset_seconds: Option<i32>) -> Timestamp {
        let offset = match offset_seconds {
            Some(o) if o.unsigned_abs() < 86_400 => o,
            _ => NO_OFFSET,
        };
        Timestamp { offset, ..self }
    }

    fn local_seconds(&self) -> i64 {
        if self.offset == NO_OFFSET {
            self.secs
        } else {
            self.secs.saturating_add(i64::from(self.offset))
        }
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.secs == other.secs && self.nanos == other.nanos
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.secs, self.nanos).cmp(&(other.secs, other.nanos))
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.secs.hash(state);
        self.nanos.hash(state);
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.local_seconds();
        let days = local.div_euclid(86_400);
        let sod = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )?;
        if self.nanos != 0 {
            if self.nanos.is_multiple_of(1_000_000) {
                write!(f, ".{:03}", self.nanos / 1_000_000)?;
            } else if self.nanos.is_multiple_of(1000) {
                write!(f, ".{:06}", self.nanos / 1000)?;
            } else {
                write!(f, ".{:09}", self.nanos)?;
            }
        }
        if self.offset == NO_OFFSET {
            return Ok(());
        }
        if self.offset == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let abs = self.offset.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60)
    }
}

/// Parses a whole string as a timestamp; surrounding ASCII whitespace and one pair of
/// `[` `]` are ignored. Accepted shapes:
///
/// - RFC 3339 / ISO 8601: `2000-10-10T13:55:36Z`, `2000-10-10 13:55:36.123+02:00`,
///   `2015-10-18 18:01:47,978`, `2000-10-10T13:55` and a bare date `2000-10-10`
///   (midnight); zone `Z`, `+hh:mm`, `+hhmm`, `+hh` or none (taken as UTC);
/// - the nginx / Apache `$time_local` shape `10/Oct/2000:13:55:36 -0700` (zone
///   optional);
/// - Unix seconds with an optional fraction, as nginx's `$msec` writes
///   (`1700000000.123`; 9 to 11 integer digits, so a year or `yyMMdd` date is not
///   mistaken for one).
///
/// Returns `None` for anything else, including impossible dates (`2023-02-29`).
pub fn parse_timestamp(input: &[u8]) -> Option<Timestamp> {
    let s = input.trim_ascii();
    let s = match s {
        [b'[', inner @ .., b']'] => inner.trim_ascii(),
        _ => s,
    };
    if s.len() >= 3 && s[2] == b'/' {
        return parse_clf(s);
    }
    if let Some((ts, used)) = parse_iso_prefix(s) {
        return (used == s.len()).then_some(ts);
    }
    parse_epoch(s)
}

/// Parses `dd/Mon/yyyy:HH:MM:SS` with an optional ` ±hhmm`, and nothing after it.
/// This is the hot path of access logs: fixed positions, no search, and a per-thread
/// memo of the last day seen, checked inline; everything else is out of line.
#[inline]
pub(crate) fn parse_clf(s: &[u8]) -> Option<Timestamp> {
    if let Ok(a) = <&[u8; 26]>::try_from(s) {
        let key = clf_day_key(a);
        let (k, midnight, offset) = LAST_DAY.with(Cell::get);
        if k == key {
            // Not a time of day: garbage, or a leap second, which the full parse reads.
            let Some(secs) = time_of_day(a) else {
                return clf_zoned(a, key);
            };
            return Some(Timestamp {
                secs: midnight + secs,
                nanos: 0,
                offset,
            });
        }
        return clf_zoned(a, key);
    }
    clf_core(<&[u8; 20]>::try_from(s).ok()?, None)
}

thread_local! {
    /// The day and zone of the last `$time_local` this thread parsed (see
    /// [`clf_day_key`]), with the UTC second of that local midnight and the zone's
    /// offset. Log lines arrive in time order, so consecutive lines nearly always share
    /// the day; a hit leaves only the time of day to read. The start value matches no
    /// input: a key's last word has its two low bytes cleared, the start value's not
    /// (an all-zero start would match 26 bytes of NULs around a time of day).
    static LAST_DAY: Cell<([u64; 3], i64, i32)> = const { Cell::new(([0, 0, 1], 0, 0)) };
}

/// Everything of `dd/Mon/yyyy:HH:MM:SS ±hhmm` but the time of day, as three
/// (overlapping) words: `dd/Mon/y`, `on/yyyy:` and ` ±hhmm` with the two bytes
/// before it cleared.
#[inline(always)]
fn clf_day_key(a: &[u8; 26]) -> [u64; 3] {
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&a[at..at + 8]);
        u64::from_le_bytes(w)
    };
    [word(0), word(4), word(18) & !0xFFFF]
}

/// Seconds since midnight of `HH:MM:SS` at byte 12, read as one word, or `None` if it
/// is not two digits, `:`, two digits, `:`, two digits within a day.
#[inline(always)]
fn time_of_day(a: &[u8; 26]) -> Option<i64> {
    let mut w = [0u8; 8];
    w.copy_from_slice(&a[12..20]);
    let v = u64::from_le_bytes(w);
    const PATTERN: u64 = u64::from_le_bytes(*b"00:00:00");
    // Digits keep their high nibble (3) when 6 is added; the colons are compared
    // whole.
    const SHAPE: u64 = u64::from_le_bytes([0xF0, 0xF0, 0xFF, 0xF0, 0xF0, 0xFF, 0xF0, 0xF0]);
    const SIX: u64 = u64::from_le_bytes([6, 6, 0, 6, 6, 0, 6, 6]);
    if (v & SHAPE != PATTERN & SHAPE) | (v.wrapping_add(SIX) & SHAPE != PATTERN & SHAPE) {
        return None;
    }
    // Digit values, colons 0; then each digit pair joined in its first byte.
    let d = v - PATTERN;
    let pairs = d * 10 + (d >> 8);
    let (hour, minute, second) = (pairs & 0xFF, pairs >> 24 & 0xFF, pairs >> 48 & 0xFF);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some((hour * 3600 + minute * 60 + second) as i64)
}

/// A `$time_local` value whose day is not the memo's: parsed in full, and memoised.
#[inline(never)]
fn clf_zoned(a: &[u8; 26], key: [u64; 3]) -> Option<Timestamp> {
    if a[11] != b':' || a[20] != b' ' {
        return None;
    }
    let sign = match a[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let oh = two_digits(a[22], a[23])?;
    let om = two_digits(a[24], a[25])?;
    if oh > 23 || om > 59 {
        return None;
    }
    let off = sign * (i32::from(oh) * 3600 + i32::from(om) * 60);
    let head: &[u8; 20] = a.first_chunk()?;
    let ts = clf_core(head, Some(off))?;
    let time_of_day =
        ts.secs + i64::from(off) - (ts.secs + i64::from(off)).div_euclid(86_400) * 86_400;
    LAST_DAY.with(|c| c.set((key, ts.secs - time_of_day, off)));
    Some(ts)
}

fn clf_core(s: &[u8; 20], offset: Option<i32>) -> Option<Timestamp> {
    if s[2] != b'/' || s[6] != b'/' || s[11] != b':' || s[14] != b':' || s[17] != b':' {
        return None;
    }
    let day = two_digits(s[0], s[1])?;
    let month = month_from_abbrev(&s[3..6])?;
    let year = i32::from(two_digits(s[7], s[8])?) * 100 + i32::from(two_digits(s[9], s[10])?);
    let hour = two_digits(s[12], s[13])?;
    let minute = two_digits(s[15], s[16])?;
    let second = two_digits(s[18], s[19])?;
    Timestamp::from_civil(year, month, day, hour, minute, second, 0, offset)
}

/// Parses an ISO 8601 / RFC 3339 timestamp at the start of `s` and returns it with
/// the number of bytes it used. The date is required; the time, fraction and zone are
/// optional. A zone is only taken when it directly follows the time (`Z`, `±hh:mm`,
/// `±hhmm`, `±hh`), so "2015-10-18 18:01:47,978 - INFO" stops before " - INFO".
pub(crate) fn parse_iso_prefix(s: &[u8]) -> Option<(Timestamp, usize)> {
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year = four_digits(&s[0..4])?;
    let month = two_digits(s[5], s[6])?;
    let day = two_digits(s[8], s[9])?;
    let mut i = 10;
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let has_time = s.len() >= 16
        && matches!(s[10], b'T' | b't' | b' ')
        && s[13] == b':'
        && s[11].is_ascii_digit();
    if has_time {
        hour = two_digits(s[11], s[12])?;
        minute = two_digits(s[14], s[15])?;
        i = 16;
        if s.len() >= 19 && s[16] == b':' && s[17].is_ascii_digit() {
            second = two_digits(s[17], s[18])?;
            i = 19;
            if s.len() > 20 && matches!(s[19], b'.' | b',') && s[20].is_ascii_digit() {
                let (n, used) = parse_fraction(&s[20..]);
                nanos = n;
                i = 20 + used;
            }
        }
    }
    let mut offset = None;
    if has_time && i < s.len() {
        match s[i] {
            b'Z' | b'z' => {
                offset = Some(0);
                i += 1;
            }
            b'+' | b'-' => {
                if let Some((o, used)) = parse_iso_offset(&s[i..]) {
                    offset = Some(o);
                    i += used;
                }
            }
            // An offset after a blank, in full (`+01:00` or `+0100`) and ending where
            // a token ends: .NET's `zzz` as Serilog's file sink writes it
            // (`2024-11-27 09:00:00.123 +01:00 [INF] ...`).
            // ` UTC` or ` GMT`, as PostgreSQL writes its times.
            b' ' if matches!(s.get(i + 1..i + 4), Some(b"UTC" | b"GMT"))
                && s.get(i + 4).is_none_or(|b| matches!(b, b' ' | b'\t')) =>
            {
                offset = Some(0);
                i += 4;
            }
            b' ' if matches!(s.get(i + 1), Some(b'+' | b'-')) => {
                if let Some((o, used)) = parse_iso_offset(&s[i + 1..])
                    && used >= 5
                    && s.get(i + 1 + used)
                        .is_none_or(|b| matches!(b, b' ' | b'\t'))
                {
                    offset = Some(o);
                    i += 1 + used;
                }
            }
            _ => {}
        }
    }
    let ts = Timestamp::from_civil(year, month, day, hour, minute, second, nanos, offset)?;
    Some((ts, i))
}

/// A fraction's digits as nanoseconds (digits past the ninth are read and dropped).
fn parse_fraction(s: &[u8]) -> (u32, usize) {
    let mut nanos: u32 = 0;
    let mut used = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            break;
        }
        if used < 9 {
            nanos = nanos * 10 + u32::from(b - b'0');
        }
        used += 1;
    }
    let mut scale = used.min(9);
    while scale < 9 {
        nanos *= 10;
        scale += 1;
    }
    (nanos, used)
}

/// `±hh:mm`, `±hhmm` or `±hh` as seconds east of UTC, with the bytes used.
fn parse_iso_offset(s: &[u8]) -> Option<(i32, usize)> {
    let sign = if s[0] == b'-' { -1 } else { 1 };
    if s.len() < 3 {
        return None;
    }
    let h = two_digits(s[1], s[2])?;
    let (m, used) = if s.len() >= 6 && s[3] == b':' {
        (two_digits(s[4], s[5])?, 6)
    } else if s.len() >= 5 && s[3].is_ascii_digit() {
        (two_digits(s[3], s[4])?, 5)
    } else {
        (0, 3)
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some((sign * (i32::from(h) * 3600 + i32::from(m) * 60), used))
}

/// Unix seconds with an optional fraction (`1700000000.123`).
pub(crate) fn parse_epoch(s: &[u8]) -> Option<Timestamp> {
    let int_len = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(9..=11).contains(&int_len) {
        return None;
    }
    let secs = s[..int_len]
        .iter()
        .fold(0i64, |acc, &b| acc * 10 + i64::from(b - b'0'));
    let rest = &s[int_len..];
    let nanos = match rest {
        [] => 0,
        [b'.', frac @ ..] if !frac.is_empty() => {
            let (n, used) = parse_fraction(frac);
            if used != frac.len() {
                return None;
            }
            n
        }
        _ => return None,
    };
    // An epoch count is a UTC instant by definition.
    Timestamp::from_unix(secs, nanos).map(|t| t.with_offset(Some(0)))
}

/// A Unix time whose count of whole digits says its unit: 9 to 11 digits are seconds
/// (a fraction allowed), 12-14 milliseconds, 15-17 microseconds, more nanoseconds;
/// fewer are no time. A JSON time key, nginx's `$msec` and Apache's `%{sec}t`,
/// `%{msec}t` and `%{usec}t` are read so.
pub(crate) fn parse_unix_any_unit(raw: &[u8]) -> Option<Timestamp> {
    let (int, frac) = match raw.iter().position(|&b| b == b'.') {
        Some(k) => (&raw[..k], &raw[k + 1..]),
        None => (raw, &b""[..]),
    };
    let n = crate::request::parse_u64(int)?;
    let (secs, sub_nanos) = match int.len() {
        // Fewer digits are 1970 to 1973: a date written as digits (`20240101`), or
        // a count, not a time.
        0..=8 => return None,
        9..=11 => {
            let frac_nanos = frac
                .iter()
                .take(9)
                .enumerate()
                .try_fold(0u64, |acc, (k, &b)| {
                    let d = b.wrapping_sub(b'0');
                    (d < 10).then(|| acc + u64::from(d) * 10u64.pow(8 - k as u32))
                })?;
            (n, frac_nanos)
        }
        12..=14 => (n / 1000, n % 1000 * 1_000_000),
        15..=17 => (n / 1_000_000, n % 1_000_000 * 1000),
        _ => (n / 1_000_000_000, n % 1_000_000_000),
    };
    Timestamp::from_unix(i64::try_from(secs).ok()?, u32::try_from(sub_nanos).ok()?)
        .map(|t| t.with_offset(Some(0)))
}

/// Month number from a three-letter English abbreviation, any case.
pub(crate) fn month_from_abbrev(s: &[u8]) -> Option<u8> {
    let [a, b, c] = s else { return None };
    // Setting bit 5 lower-cases ASCII letters. A byte that is not a letter cannot
    // become one this way, so only real month names (any case) match below.
    let key = u32::from_le_bytes([a | 0x20, b | 0x20, c | 0x20, 0]);
    const fn k(m: &[u8; 3]) -> u32 {
        u32::from_le_bytes([m[0], m[1], m[2], 0])
    }
    const KEYS: [u32; 12] = [
        k(b"jan"),
        k(b"feb"),
        k(b"mar"),
        k(b"apr"),
        k(b"may"),
        k(b"jun"),
        k(b"jul"),
        k(b"aug"),
        k(b"sep"),
        k(b"oct"),
        k(b"nov"),
        k(b"dec"),
    ];
    KEYS.iter().position(|&m| m == key).map(|i| i as u8 + 1)
}

#[inline]
pub(crate) fn two_digits(a: u8, b: u8) -> Option<u8> {
    let (x, y) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (x < 10 && y < 10).then(|| x * 10 + y)
}

#[inline]
pub(crate) fn four_digits(s: &[u8]) -> Option<i32> {
    let hi = two_digits(s[0], s[1])?;
    let lo = two_digits(s[2], s[3])?;
    Some(i32::from(hi) * 100 + i32::from(lo))
}

pub(crate) fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days before January 1 of `year` (0..=9999), counted from 1970-01-01, with the
/// leap days in between. Unsigned arithmetic by constants only: this runs once per
/// access-log line. Shifting both years by 400 (one full leap cycle) keeps the
/// subtraction unsigned without changing the leap-day count between them.
#[inline]
fn days_since_epoch(year: u32, month: u8, day: u8) -> i64 {
    const CUMULATIVE: [u16; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leaps_before = |y: u32| {
        let y = y + 399; // (y + 400) - 1
        y / 4 - y / 100 + y / 400
    };
    let leap_days = i64::from(leaps_before(year)) - i64::from(leaps_before(1970));
    let month_days = CUMULATIVE[usize::from(month.clamp(1, 12) - 1)];
    let leap_day = u16::from(month > 2 && is_leap(year as i32));
    (i64::from(year) - 1970) * 365 + leap_days + i64::from(month_days + leap_day) + i64::from(day)
        - 1
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm: shift
/// the year to start in March so the leap day is last, then count eras of 400 years).
#[cfg(test)]
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The clock, in Unix seconds, for log shapes that omit the year (syslog).
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The UTC year of the instant `secs` seconds after the Unix epoch.
pub(crate) fn year_of(secs: i64) -> i32 {
    let (y, _, _) = civil_from_days(secs.div_euclid(86_400));
    i32::try_from(y).unwrap_or(1970)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread's first `$time_local` goes through the full check, whatever its bytes:
    /// NULs where the date and zone belong are no date.
    #[test]
    fn the_day_memo_matches_nothing_before_its_first_day() {
        let mut t = [0u8; 26];
        t[12..20].copy_from_slice(b"13:55:36");
        let fresh = std::thread::spawn(move || parse_clf(&t)).join().unwrap();
        assert_eq!(fresh, None);
        assert_eq!(
            clf_day_key(&t),
            [0; 3],
            "the input an all-zero start would match"
        );
    }

    /// 2016-12-31T23:59:60Z was a leap second: read as the second before it, in every
    /// shape, whether or not the access-log memo holds its day. Second 61 is no time.
    #[test]
    fn a_leap_second_reads_as_the_second_before() {
        let before = 1_483_228_799; // 2016-12-31T23:59:59Z
        let secs = |t: Option<Timestamp>| t.map(|t| t.unix_seconds());
        let fresh = std::thread::spawn(|| parse_clf(b"31/Dec/2016:23:59:60 +0000"))
            .join()
            .unwrap();
        assert_eq!(secs(fresh), Some(before));
        // The memo holds the day (from the line before): the fast path hands over.
        assert_eq!(
            secs(parse_clf(b"31/Dec/2016:23:59:58 +0000")),
            Some(before - 1)
        );
        assert_eq!(secs(parse_clf(b"31/Dec/2016:23:59:60 +0000")), Some(before));
        assert_eq!(secs(parse_clf(b"31/Dec/2016:23:59:61 +0000")), None);
        assert_eq!(secs(parse_clf(b"31/Dec/2016:23:59:59 +0000")), Some(before));
        assert_eq!(secs(parse_timestamp(b"2016-12-31T23:59:60Z")), Some(before));
        let t = parse_timestamp(b"2016-12-31T23:59:60.5Z").unwrap();
        assert_eq!((t.unix_seconds(), t.subsec_nanos()), (before, 500_000_000));
        assert_eq!(secs(parse_timestamp(b"2016-12-31T23:59:61Z")), None);
    }

    #[test]
    fn clf_with_negative_offset() {
        let ts = parse_timestamp(b"10/Oct/2000:13:55:36 -0700").unwrap();
        assert_eq!(ts.unix_seconds(), 971_211_336);
        assert_eq!(ts.utc_offset_seconds(), Some(-25_200));
        assert_eq!(ts.to_string(), "2000-10-10T13:55:36-07:00");
    }

    /// The word-at-a-time time of day agrees with reading it digit by digit, on every
    /// time of day and on corrupted ones.
    #[test]
    fn time_of_day_agrees_with_the_digit_reader() {
        let reference = |t: &[u8]| -> Option<i64> {
            if t[2] != b':' || t[5] != b':' {
                return None;
            }
            let h = two_digits(t[0], t[1])?;
            let m = two_digits(t[3], t[4])?;
            let s = two_digits(t[6], t[7])?;
            (h < 24 && m < 60 && s < 60)
                .then(|| i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s))
        };
        let mut line = *b"10/Oct/2000:00:00:00 -0700";
        let junk = [
            b'/',
            b':',
            b';',
            b'9',
            b'0',
            b' ',
            0x3A + 6,
            0xFF,
            0x0A,
            b'a',
        ];
        for secs in 0..100_000u32 {
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            let text = format!("{h:02}:{m:02}:{s:02}");
            line[12..20].copy_from_slice(&text.as_bytes()[text.len() - 8..]);
            let corrupt = secs % 7 == 0;
            if corrupt {
                line[12 + (secs as usize / 7) % 8] = junk[(secs as usize / 56) % junk.len()];
            }
            assert_eq!(
                time_of_day(&line),
                reference(&line[12..20]),
                "{:?}",
                &line[12..20]
            );
        }
    }

    #[test]
    fn day_memo_never_returns_a_stale_day() {
        let cases: [(&[u8], Option<&str>); 7] = [
            (
                b"10/Oct/2000:13:55:36 -0700",
                Some("2000-10-10T13:55:36-07:00"),
            ),
            (
                b"10/Oct/2000:23:59:59 -0700",
                Some("2000-10-10T23:59:59-07:00"),
            ),
            (b"10/Oct/2000:24:00:00 -0700", None),
            (b"10/Oct/2000:13:55:36 +0000", Some("2000-10-10T13:55:36Z")),
            (b"11/Oct/2000:00:00:00 +0000", Some("2000-10-11T00:00:00Z")),
            (b"11/Oct/2000:00:00:00 +0000", Some("2000-10-11T00:00:00Z")),
            (b"11/Oct/2001:00:00:00 +0000", Some("2001-10-11T00:00:00Z")),
        ];
        for (input, want) in cases {
            let got = parse_timestamp(input).map(|t| t.to_string());
            assert_eq!(got.as_deref(), want, "{}", String::from_utf8_lossy(input));
        }
        let a = parse_timestamp(b"01/Jan/1970:00:00:00 +0100").unwrap();
        let b = parse_timestamp(b"01/Jan/1970:00:00:01 +0100").unwrap();
        assert_eq!((a.unix_seconds(), b.unix_seconds()), (-3600, -3599));
    }

    #[test]
    fn iso_shapes_agree() {
        let a = parse_timestamp(b"2000-10-10T20:55:36Z").unwrap();
        let b = parse_timestamp(b"[10/Oct/2000:13:55:36 -0700]").unwrap();
        let c = parse_timestamp(b"2000-10-10 22:55:36+0200").unwrap();
        let d = parse_timestamp(b"2000-10-10T21:55:36+01").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(a.to_string(), "2000-10-10T20:55:36Z");
        // An offset after a blank, in full, as .NET's `zzz` writes it.
        for text in [
            &b"2000-10-10 21:55:36 +01:00"[..],
            b"2000-10-10 19:55:36 -0100",
        ] {
            assert_eq!(parse_timestamp(text), Some(a), "{text:?}");
        }
        let (t, used) = parse_iso_prefix(b"2000-10-10 21:55:36.5 +01:00 [INF] x").unwrap();
        assert_eq!((t.utc_offset_seconds(), used), (Some(3600), 28));
        // Not a short one, nor one that runs on into the next token.
        for text in [
            &b"2000-10-10 21:55:36 +01 x"[..],
            b"2000-10-10 21:55:36 +01:00x",
        ] {
            let (t, used) = parse_iso_prefix(text).unwrap();
            assert_eq!((t.utc_offset_seconds(), used), (None, 19), "{text:?}");
        }
    }

    #[test]
    fn fractions_and_comma() {
        let ts = parse_timestamp(b"2015-10-18 18:01:47,978").unwrap();
        assert_eq!(ts.subsec_nanos(), 978_000_000);
        assert_eq!(ts.utc_offset_seconds(), None);
        assert_eq!(ts.to_string(), "2015-10-18T18:01:47.978");
        let ts = parse_timestamp(b"2015-10-18T18:01:47.123456789123Z").unwrap();
        assert_eq!(ts.subsec_nanos(), 123_456_789);
    }

    #[test]
    fn rejects_impossible_dates_and_junk() {
        assert!(parse_timestamp(b"2023-02-29").is_none());
        assert!(parse_timestamp(b"2024-02-29").is_some());
        assert!(parse_timestamp(b"31/Apr/2000:00:00:00 +0000").is_none());
        assert!(parse_timestamp(b"2000-10-10T25:00:00Z").is_none());
        assert!(parse_timestamp(b"2000-10-10T10:00:00Zjunk").is_none());
        assert!(parse_timestamp(b"").is_none());
        assert!(parse_timestamp(b"081109").is_none());
    }

    #[test]
    fn extreme_instants_display_without_overflow() {
        for secs in [i64::MIN, i64::MAX, 0] {
            let t = Timestamp::from_unix(secs, 999_999_999).unwrap();
            for offset in [None, Some(0), Some(-86_399), Some(86_399)] {
                assert!(!t.with_offset(offset).to_string().is_empty());
            }
        }
    }

    #[test]
    fn epoch_seconds() {
        let ts = parse_timestamp(b"1700000000.123").unwrap();
        assert_eq!(ts.unix_seconds(), 1_700_000_000);
        assert_eq!(ts.subsec_nanos(), 123_000_000);
    }

    #[test]
    fn fast_day_count_matches_the_general_one_for_every_day() {
        let mut expected = days_from_civil(0, 1, 1);
        for year in 0..=9999 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(
                        days_since_epoch(year as u32, month, day),
                        expected,
                        "{year}-{month}-{day}"
                    );
                    assert_eq!(days_from_civil(year, month, day), expected);
                    expected += 1;
                }
            }
        }
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as i32, m, d), days);
        }
    }
}
