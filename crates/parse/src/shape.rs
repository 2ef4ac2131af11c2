//! Matchers made for the common access formats.
//!
//! The general matcher walks a format's steps at run time: for each variable it loads
//! how the value ends, its separator, width hint and shape check, and branches on
//! them. For the formats nearly every log uses (the presets, and nginx's own
//! `combined` and `common`, with or without `$request_time`), those steps are known
//! when this crate is compiled. A [`Shape`] is such a format, written out as constant steps; its
//! matcher is the general step code expanded once per step with the constants in
//! place, so separators are compared against immediate words and nothing is looked up
//! or dispatched per field. A compiled format uses a shape's matcher only when its
//! steps are exactly the shape's (whatever the variables are called: the steps are
//! what the matcher sees), so the result is the general matcher's, field for field;
//! the tests hold each shape to the format strings it stands for.

use crate::nginx::{Check, End, MAX_VARS, Matched, Pos, Step};
use crate::scan::{EndTest, LineIndex, find_byte, lit_at};

/// One variable of a shape: how its value ends, the literal after it, the width tried
/// first, and the check its value must pass.
#[derive(Clone, Copy, Debug)]
struct StepSpec {
    end: End,
    after: &'static [u8],
    hint: u32,
    check: Check,
}

impl StepSpec {
    fn is(&self, step: &Step) -> bool {
        step.end == self.end
            && step.after.bytes() == self.after
            && step.width_hint == self.hint
            && step.check == self.check
    }
}

const fn literal(after: &'static [u8]) -> StepSpec {
    StepSpec {
        end: End::Literal,
        after,
        hint: 0,
        check: Check::Any,
    }
}

const fn quoted(after: &'static [u8]) -> StepSpec {
    StepSpec {
        end: End::Quoted,
        after,
        hint: 0,
        check: Check::Any,
    }
}

/// `[$time_local]` and the opening quote of the request.
const TIME_LOCAL: StepSpec = StepSpec {
    end: End::Literal,
    after: b"] \"",
    hint: 26,
    check: Check::Any,
};
const REQUEST: StepSpec = quoted(b"\" ");
const STATUS: StepSpec = StepSpec {
    end: End::Literal,
    after: b" ",
    hint: 3,
    check: Check::Digits,
};
/// `$body_bytes_sent` before a quoted referrer.
const BODY_BYTES: StepSpec = StepSpec {
    end: End::Literal,
    after: b" \"",
    hint: 0,
    check: Check::Digits,
};
/// `$body_bytes_sent` ending the line (common).
const BODY_BYTES_LAST: StepSpec = StepSpec {
    end: End::Token,
    after: b"",
    hint: 0,
    check: Check::Digits,
};
const REFERER: StepSpec = quoted(b"\" \"");
const USER_AGENT_LAST: StepSpec = quoted(b"\"");
const USER_AGENT: StepSpec = quoted(b"\" ");
/// The user agent before a quoted `$http_x_forwarded_for`.
const USER_AGENT_THEN_QUOTE: StepSpec = quoted(b"\" \"");
/// `$http_x_forwarded_for` ending the line.
const FORWARDED_LAST: StepSpec = quoted(b"\"");
/// `$http_x_forwarded_for` before more fields.
const FORWARDED: StepSpec = quoted(b"\" ");
/// `$request_time` before more fields.
const REQUEST_TIME: StepSpec = StepSpec {
    end: End::Literal,
    after: b" ",
    hint: 0,
    check: Check::Decimal,
};
/// `$upstream_response_time` (which may hold spaces) ending the line.
const UPSTREAM_TIME_LAST: StepSpec = StepSpec {
    end: End::Rest,
    after: b"",
    hint: 0,
    check: Check::Any,
};
/// `$server_name:$server_port ` before the Apache head (vhost_combined).
const VHOST: [StepSpec; 2] = [literal(b":"), literal(b" ")];

/// `$request_time` ending the line.
const REQUEST_TIME_LAST: StepSpec = StepSpec {
    end: End::Token,
    after: b"",
    hint: 0,
    check: Check::Decimal,
};

/// `$remote_addr $remote_logname $remote_user [` (the presets, after Apache).
const APACHE_HEAD: [StepSpec; 3] = [literal(b" "), literal(b" "), literal(b" [")];
/// `$remote_addr - $remote_user [` (nginx's own formats).
const NGINX_HEAD: [StepSpec; 2] = [literal(b" - "), literal(b" [")];

const COMBINED: [StepSpec; 9] = [
    APACHE_HEAD[0],
    APACHE_HEAD[1],
    APACHE_HEAD[2],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES,
    REFERER,
    USER_AGENT_LAST,
];
const COMBINED_TIMED: [StepSpec; 10] = [
    APACHE_HEAD[0],
    APACHE_HEAD[1],
    APACHE_HEAD[2],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES,
    REFERER,
    USER_AGENT,
    REQUEST_TIME_LAST,
];
const COMMON: [StepSpec; 7] = [
    APACHE_HEAD[0],
    APACHE_HEAD[1],
    APACHE_HEAD[2],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES_LAST,
];
const COMBINED_XFF: [StepSpec; 10] = [
    APACHE_HEAD[0],
    APACHE_HEAD[1],
    APACHE_HEAD[2],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES,
    REFERER,
    USER_AGENT_THEN_QUOTE,
    FORWARDED_LAST,
];
const COMBINED_EXTRAS: [StepSpec; 12] = [
    APACHE_HEAD[0],
    APACHE_HEAD[1],
    APACHE_HEAD[2],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES,
    REFERER,
    USER_AGENT_THEN_QUOTE,
    FORWARDED,
    REQUEST_TIME,
    UPSTREAM_TIME_LAST,
];
const VHOST_COMBINED: [StepSpec; 11] = [
    VHOST[0],
    VHOST[1],
    APACHE_HEAD[0],
    APACHE_HEAD[1],
    APACHE_HEAD[2],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES,
    REFERER,
    USER_AGENT_LAST,
];
const NGINX_COMBINED: [StepSpec; 8] = [
    NGINX_HEAD[0],
    NGINX_HEAD[1],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES,
    REFERER,
    USER_AGENT_LAST,
];
const NGINX_COMBINED_TIMED: [StepSpec; 9] = [
    NGINX_HEAD[0],
    NGINX_HEAD[1],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES,
    REFERER,
    USER_AGENT,
    REQUEST_TIME_LAST,
];
const NGINX_COMMON: [StepSpec; 6] = [
    NGINX_HEAD[0],
    NGINX_HEAD[1],
    TIME_LOCAL,
    REQUEST,
    STATUS,
    BODY_BYTES_LAST,
];

/// A common access format, matched by code made for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The `combined` preset (Apache's, with `$remote_logname`).
    Combined,
    /// The `combined_timed` preset.
    CombinedTimed,
    /// The `common` preset.
    Common,
    /// The `combined_xff` preset.
    CombinedXff,
    /// The `combined_extras` preset.
    CombinedExtras,
    /// The `vhost_combined` preset.
    VhostCombined,
    /// nginx's `combined`, with a literal `-` for the logname.
    NginxCombined,
    /// nginx's `combined` followed by `$request_time`.
    NginxCombinedTimed,
    /// nginx's common log format.
    NginxCommon,
}

impl Shape {
    /// The shape whose steps are exactly `steps`, after an empty prefix.
    pub(crate) fn of(prefix: &[u8], steps: &[Step]) -> Option<Shape> {
        if !prefix.is_empty() {
            return None;
        }
        let same = |spec: &[StepSpec]| {
            spec.len() == steps.len() && spec.iter().zip(steps).all(|(s, step)| s.is(step))
        };
        [
            (Shape::Combined, &COMBINED[..]),
            (Shape::CombinedTimed, &COMBINED_TIMED[..]),
            (Shape::Common, &COMMON[..]),
            (Shape::CombinedXff, &COMBINED_XFF[..]),
            (Shape::CombinedExtras, &COMBINED_EXTRAS[..]),
            (Shape::VhostCombined, &VHOST_COMBINED[..]),
            (Shape::NginxCombined, &NGINX_COMBINED[..]),
            (Shape::NginxCombinedTimed, &NGINX_COMBINED_TIMED[..]),
            (Shape::NginxCommon, &NGINX_COMMON[..]),
        ]
        .into_iter()
        .find(|(_, spec)| same(spec))
        .map(|(shape, _)| shape)
    }

    /// What `NginxFormat::match_indexed` does for a format of this shape, with the
    /// same result. A function to keep rather than a method to dispatch on each line:
    /// the format stores it, and the call goes straight to the shape's code.
    pub(crate) fn matcher(self) -> ShapeMatcher {
        match self {
            Shape::Combined => match_combined,
            Shape::CombinedTimed => match_combined_timed,
            Shape::Common => match_common,
            Shape::CombinedXff => match_combined_xff,
            Shape::CombinedExtras => match_combined_extras,
            Shape::VhostCombined => match_vhost_combined,
            Shape::NginxCombined => match_nginx_combined,
            Shape::NginxCombinedTimed => match_nginx_combined_timed,
            Shape::NginxCommon => match_nginx_common,
        }
    }
}

/// A shape's matcher: the line (at most `INDEX_LEN` bytes, which it indexes), and
/// where to write the value ends.
pub(crate) type ShapeMatcher = fn(&[u8], &mut Matched) -> Option<()>;

/// A matcher for one shape: [`step`] once per variable, each with its constant.
macro_rules! shape_matcher {
    ($name:ident, $spec:ident, [$($i:literal),*]) => {
        fn $name(line: &[u8], m: &mut Matched) -> Option<()> {
            const _: () = assert!($spec.len() <= MAX_VARS);
            let index = &LineIndex::build(line);
            let mut p = 0;
            $(
                let e = step($spec[$i], line, index, p)?;
                m.ends[$i + 1] = e as Pos;
                p = e + $spec[$i].after.len();
            )*
            m.end = p as Pos;
            Some(())
        }
    };
}

shape_matcher!(match_combined, COMBINED, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
shape_matcher!(
    match_combined_timed,
    COMBINED_TIMED,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
);
shape_matcher!(match_common, COMMON, [0, 1, 2, 3, 4, 5, 6]);
shape_matcher!(
    match_combined_xff,
    COMBINED_XFF,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
);
shape_matcher!(
    match_combined_extras,
    COMBINED_EXTRAS,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
);
shape_matcher!(
    match_vhost_combined,
    VHOST_COMBINED,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
);
shape_matcher!(
    match_nginx_combined,
    NGINX_COMBINED,
    [0, 1, 2, 3, 4, 5, 6, 7]
);
shape_matcher!(
    match_nginx_combined_timed,
    NGINX_COMBINED_TIMED,
    [0, 1, 2, 3, 4, 5, 6, 7, 8]
);
shape_matcher!(match_nginx_common, NGINX_COMMON, [0, 1, 2, 3, 4, 5]);

/// Where the value that starts at `p` ends, by the rules of `NginxFormat::match_indexed`
/// for one step. Inlined with a constant `spec`, every test on it folds away.
#[inline(always)]
fn step(spec: StepSpec, line: &[u8], index: &LineIndex, p: usize) -> Option<usize> {
    // The separator as a constant word: testing for it is a load and a compare.
    let sep = SepWord::new(spec.after);
    match spec.end {
        End::Quoted => index.closing_quote(line, p, &sep),
        // No preset has a strftime time; were one to, its literal still ends it.
        End::Literal | End::Time => {
            let hint = p + spec.hint as usize;
            let e = if spec.hint != 0 && sep.at(line, hint) {
                hint
            } else if matches!(spec.after.first(), Some(b' ' | b'\t')) {
                index.blank_where(line, p, &sep)?
            } else {
                let first = *spec.after.first()?;
                let mut from = p;
                loop {
                    let k = find_byte(line, from, first)?;
                    if sep.at(line, k) {
                        break k;
                    }
                    from = k + 1;
                }
            };
            if spec.check != Check::Any && !spec.check.accepts_in(line, p, e) {
                return None;
            }
            Some(e)
        }
        End::Token => Some(index.next_blank(p).unwrap_or(line.len())),
        End::Rest => Some(line.len()),
    }
}

impl EndTest for SepWord {
    #[inline(always)]
    fn ends_at(&self, line: &[u8], k: usize) -> bool {
        self.at(line, k)
    }
}

/// A separator of a shape (at most eight bytes in every shape) as a little-endian
/// word and the mask of its bytes, so that testing for it is one unaligned load.
#[derive(Clone, Copy)]
struct SepWord {
    word: u64,
    mask: u64,
    sep: &'static [u8],
}

impl SepWord {
    #[inline(always)]
    const fn new(sep: &'static [u8]) -> SepWord {
        let mut word = 0u64;
        let mut i = 0;
        while i < sep.len() && i < 8 {
            word |= (sep[i] as u64) << (8 * i);
            i += 1;
        }
        let mask = if i == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * i)) - 1
        };
        SepWord { word, mask, sep }
    }

    /// Whether the separator occurs in `line` at `k`.
    #[inline(always)]
    fn at(&self, line: &[u8], k: usize) -> bool {
        if self.sep.len() <= 8
            && let Some(w) = line.get(k..).and_then(|rest| rest.first_chunk::<8>())
        {
            return (u64::from_le_bytes(*w) ^ self.word) & self.mask == 0;
        }
        lit_at(line, k, self.sep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nginx::NginxFormat;

    /// Each shape is what its format strings compile to, and formats that differ in a
    /// step have no shape.
    #[test]
    fn shapes_are_their_format_strings() {
        let cases = [
            (
                r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#,
                Some(Shape::Combined),
            ),
            (
                r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time"#,
                Some(Shape::CombinedTimed),
            ),
            (
                r#"$remote_addr $remote_logname $remote_user [$time_local] "$request" $status $body_bytes_sent"#,
                Some(Shape::Common),
            ),
            (
                r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#,
                Some(Shape::NginxCombined),
            ),
            (
                r#"log_format timed '$remote_addr - $remote_user [$time_local] "$request" '
                                   '$status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';"#,
                Some(Shape::NginxCombinedTimed),
            ),
            (
                r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#,
                Some(Shape::NginxCommon),
            ),
            // Other variables in the same places are other steps.
            (
                r#"$remote_addr - $remote_user [$time_local] "$request" $status $bytes_sent "$http_referer" "$http_user_agent""#,
                Some(Shape::NginxCombined),
            ),
            (
                r#"$remote_addr - $remote_user [$time_iso8601] "$request" $status $body_bytes_sent"#,
                None,
            ),
            (
                r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#,
                None,
            ),
            (
                r#"> $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#,
                None,
            ),
        ];
        for (format, want) in cases {
            let f = NginxFormat::compile(format).unwrap();
            assert_eq!(f.shape(), want, "{format}");
        }
        for (preset, want) in [
            ("combined", Shape::Combined),
            ("combined_timed", Shape::CombinedTimed),
            ("common", Shape::Common),
            ("combined_xff", Shape::CombinedXff),
            ("combined_extras", Shape::CombinedExtras),
            ("vhost_combined", Shape::VhostCombined),
        ] {
            let format: crate::LogFormat = preset.parse().unwrap();
            let f = NginxFormat::compile(format.nginx_format().unwrap()).unwrap();
            assert_eq!(f.shape(), Some(want), "{preset}");
        }
    }

    /// Every shape's matcher finds what the general matcher finds, on lines of its
    /// format edited at random (quotes, blanks, backslashes, digits, dashes inserted,
    /// removed or replaced), including the lines neither accepts.
    #[test]
    fn shape_matchers_agree_with_the_general_matcher() {
        let formats = [
            "combined",
            "combined_timed",
            "common",
            "combined_xff",
            "combined_extras",
            "vhost_combined",
        ]
        .map(|p| p.parse::<crate::LogFormat>().unwrap().nginx_format().unwrap().to_owned())
        .into_iter()
        .chain([
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#.to_owned(),
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time"#.to_owned(),
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent"#.to_owned(),
        ]);
        let value = |name: &str| -> &'static [u8] {
            match name {
                "server_name" => b"example.com",
                "server_port" => b"443",
                "remote_addr" => b"203.0.113.9",
                "remote_user" => b"-",
                "time_local" => b"10/Oct/2000:13:55:36 -0700",
                "request" => br#"GET /a?b=\"c\" HTTP/1.1"#,
                "status" => b"200",
                "body_bytes_sent" => b"2326",
                "http_referer" => b"http://r/ x",
                "http_user_agent" => br#"Mozilla/5.0 (X11; Linux) \"q\""#,
                "http_x_forwarded_for" => b"10.0.0.1, 10.0.0.2",
                "request_time" => b"0.004",
                "upstream_response_time" => b"0.003, 0.001",
                _ => b"-",
            }
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabet = [b'"', b' ', b'\\', b'\t', b'7', b'-', b']', b'x'];
        let mut agreed = [0usize; 2];
        for format in formats {
            let f = NginxFormat::compile(&format).unwrap();
            let shape = f.shape().expect("a shaped format");
            let log = crate::LogFormat::from_nginx(&format).unwrap();
            let base = log.format_line(|name| Some(value(name))).unwrap();
            {
                let index = LineIndex::build(&base);
                let mut general = Matched::EMPTY;
                assert!(
                    f.match_indexed(&base, &index, &mut general).is_some(),
                    "{format}: {}",
                    String::from_utf8_lossy(&base)
                );
            }
            for _ in 0..3000 {
                let mut line = base.clone();
                for _ in 0..next() % 4 {
                    let at = next() as usize % (line.len() + 1);
                    let byte = alphabet[next() as usize % alphabet.len()];
                    match next() % 3 {
                        0 => line.insert(at, byte),
                        1 if at < line.len() => {
                            line.remove(at);
                        }
                        _ if at < line.len() => line[at] = byte,
                        _ => {}
                    }
                }
                let index = LineIndex::build(&line);
                let (mut general, mut shaped) = (Matched::EMPTY, Matched::EMPTY);
                let want = f.match_indexed(&line, &index, &mut general);
                let got = shape.matcher()(&line, &mut shaped);
                assert_eq!(got.is_some(), want.is_some(), "{format}: {line:?}");
                if want.is_some() {
                    assert_eq!(shaped.ends, general.ends, "{format}: {line:?}");
                    assert_eq!(shaped.end, general.end, "{format}: {line:?}");
                }
                agreed[usize::from(want.is_some())] += 1;
            }
        }
        // Both kinds of line were tried.
        assert!(agreed[0] > 1000 && agreed[1] > 1000, "{agreed:?}");
    }
}
