//! Timestamps without a date library: the generator renders millions of them, and
//! the only calendar it needs is the proleptic Gregorian one in UTC.

use super::rng::Rng;

/// 2025-03-14T06:25:00Z: a fixed start, so the same seed gives the same bytes.
const START_UNIX_SECONDS: i64 = 1_741_933_500;

/// Mean gap between requests: 5 ms, about 200 requests per second.
const MEAN_GAP_MICROS: f64 = 5_000.0;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31), after Howard
/// Hinnant's `civil_from_days` (shifting the year to start in March puts the leap
/// day last).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time, for report headers.
pub(crate) fn iso_utc(unix_seconds: i64) -> String {
    let (y, mo, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    let s = unix_seconds.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn put2(dst: &mut [u8], v: u32) {
    dst[0] = b'0' + (v / 10 % 10) as u8;
    dst[1] = b'0' + (v % 10) as u8;
}

fn put4(dst: &mut [u8], v: u32) {
    put2(&mut dst[..2], v / 100);
    put2(&mut dst[2..], v % 100);
}

/// Both renderings of one second, re-rendered only when the second changes.
#[derive(Debug)]
struct Rendered {
    second: i64,
    /// `14/Mar/2025:06:25:00 +0000` (nginx `$time_local`).
    nginx: [u8; 26],
    /// `2025-03-14T06:25:00` (ISO 8601 without fraction or zone).
    iso: [u8; 19],
}

impl Rendered {
    fn new(second: i64) -> Self {
        let mut r = Rendered {
            second: i64::MIN,
            nginx: *b"01/Jan/1970:00:00:00 +0000",
            iso: *b"1970-01-01T00:00:00",
        };
        r.render(second);
        r
    }

    fn render(&mut self, second: i64) {
        if self.second == second {
            return;
        }
        self.second = second;
        let (y, mo, d) = civil_from_days(second.div_euclid(86_400));
        let sod = second.rem_euclid(86_400) as u32;
        let (h, mi, s) = (sod / 3600, sod / 60 % 60, sod % 60);
        let y = y.clamp(0, 9999) as u32;

        let n = &mut self.nginx;
        put2(&mut n[0..2], d);
        n[3..6].copy_from_slice(MONTHS[(mo - 1) as usize]);
        put4(&mut n[7..11], y);
        put2(&mut n[12..14], h);
        put2(&mut n[15..17], mi);
        put2(&mut n[18..20], s);

        let i = &mut self.iso;
        put4(&mut i[0..4], y);
        put2(&mut i[5..7], mo);
        put2(&mut i[8..10], d);
        put2(&mut i[11..13], h);
        put2(&mut i[14..16], mi);
        put2(&mut i[17..19], s);
    }
}

/// The generator's notion of "now": it only moves forward, by exponential gaps
/// (Poisson arrivals). A logged stamp may lag it a little, as when an nginx worker
/// writes a slow request's line after faster ones that started later.
#[derive(Debug)]
pub(crate) struct Clock {
    now_micros: i64,
    stamp_micros: i64,
    rendered: Rendered,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Clock {
            now_micros: START_UNIX_SECONDS * 1_000_000,
            stamp_micros: START_UNIX_SECONDS * 1_000_000,
            rendered: Rendered::new(START_UNIX_SECONDS),
        }
    }

    /// Moves to the next event: a gap, then in about 2% of lines a lag of up to
    /// 1.5 s on the logged stamp (so stamps are non-decreasing overall, with jitter).
    pub(crate) fn tick(&mut self, rng: &mut Rng) {
        self.now_micros += rng.exp(MEAN_GAP_MICROS) as i64;
        self.stamp_micros = if rng.chance(0.02) {
            self.now_micros - rng.below(1_500_000) as i64
        } else {
            self.now_micros
        };
        self.rendered
            .render(self.stamp_micros.div_euclid(1_000_000));
    }

    /// `14/Mar/2025:06:25:00 +0000`.
    pub(crate) fn nginx(&self) -> &[u8; 26] {
        &self.rendered.nginx
    }

    /// `2025-03-14T06:25:00`, to be followed by [`Clock::millis`] and a zone.
    pub(crate) fn iso_seconds(&self) -> &[u8; 19] {
        &self.rendered.iso
    }

    /// Milliseconds within the second of the current stamp.
    pub(crate) fn millis(&self) -> u32 {
        (self.stamp_micros.rem_euclid(1_000_000) / 1000) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_known_points() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        // 2000-02-29 is day 11016; 2024-12-31 is day 20088.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_088), (2024, 12, 31));
        assert_eq!(iso_utc(START_UNIX_SECONDS), "2025-03-14T06:25:00Z");
    }

    #[test]
    fn renders_both_styles() {
        let r = Rendered::new(START_UNIX_SECONDS + 3600 * 24 * 20 + 61);
        assert_eq!(&r.nginx, b"03/Apr/2025:06:26:01 +0000");
        assert_eq!(&r.iso, b"2025-04-03T06:26:01");
    }

    #[test]
    fn clock_moves_forward_with_bounded_lag() {
        let mut c = Clock::new();
        let mut rng = Rng::new(5);
        let mut prev_now = c.now_micros;
        let mut lagged = 0;
        for _ in 0..10_000 {
            c.tick(&mut rng);
            assert!(c.now_micros >= prev_now);
            assert!(c.now_micros - c.stamp_micros < 1_500_000);
            if c.stamp_micros < c.now_micros {
                lagged += 1;
            }
            prev_now = c.now_micros;
        }
        assert!((100..400).contains(&lagged), "{lagged}");
    }
}
