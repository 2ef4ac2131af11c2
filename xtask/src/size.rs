//! Human sizes and counts on the command line: `2GiB`, `500MB`, `1_000_000`.

/// A size or count that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {input:?} as {what}: {why}")]
pub struct ParseSizeError {
    input: String,
    what: &'static str,
    why: &'static str,
}

fn err(input: &str, what: &'static str, why: &'static str) -> ParseSizeError {
    ParseSizeError {
        input: input.to_owned(),
        what,
        why,
    }
}

/// Parses a byte size: a number (decimals allowed) and an optional unit.
///
/// Units follow `dd`: `KB`, `MB`, `GB`, `TB` are powers of 1000; `K`, `M`, `G`,
/// `T` and `KiB`, `MiB`, `GiB`, `TiB` are powers of 1024; `B` or nothing is bytes.
/// Case is ignored except that the `i` forms must be spelled with it.
///
/// ```
/// assert_eq!(xtask::parse_size("2GiB"), Ok(2 << 30));
/// assert_eq!(xtask::parse_size("1.5 MB"), Ok(1_500_000));
/// assert!(xtask::parse_size("12 parsecs").is_err());
/// ```
pub fn parse_size(input: &str) -> Result<u64, ParseSizeError> {
    let what = "a size";
    let s = input.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let num: String = num.chars().filter(|&c| c != '_').collect();
    if num.is_empty() {
        return Err(err(input, what, "no number"));
    }
    let unit = unit.trim();
    let multiplier: u64 = match unit {
        "" | "B" | "b" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        _ => match unit.to_ascii_uppercase().as_str() {
            "K" => 1 << 10,
            "M" => 1 << 20,
            "G" => 1 << 30,
            "T" => 1 << 40,
            "KB" => 1_000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            "TB" => 1_000_000_000_000,
            _ => return Err(err(input, what, "unknown unit (use B, KB, MiB, GiB...)")),
        },
    };
    if let Ok(n) = num.parse::<u64>() {
        return n
            .checked_mul(multiplier)
            .ok_or_else(|| err(input, what, "too large"));
    }
    let f: f64 = num.parse().map_err(|_| err(input, what, "not a number"))?;
    let bytes = (f * multiplier as f64).round();
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(err(input, what, "too large"));
    }
    Ok(bytes as u64)
}

/// Parses a count such as a number of lines, allowing `_` or `,` as separators and
/// a `k`/`m` suffix for thousands and millions: `1_000_000`, `20k`, `2m`.
///
/// ```
/// assert_eq!(xtask::parse_count("20k"), Ok(20_000));
/// assert_eq!(xtask::parse_count("1,000,000"), Ok(1_000_000));
/// ```
pub fn parse_count(input: &str) -> Result<u64, ParseSizeError> {
    let what = "a count";
    let s: String = input
        .trim()
        .chars()
        .filter(|&c| c != '_' && c != ',')
        .collect();
    let (digits, mult) = match s.as_bytes().last() {
        Some(b'k' | b'K') => (&s[..s.len() - 1], 1_000),
        Some(b'm' | b'M') => (&s[..s.len() - 1], 1_000_000),
        _ => (s.as_str(), 1),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| err(input, what, "not a whole number"))?;
    n.checked_mul(mult)
        .ok_or_else(|| err(input, what, "too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("2GiB"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("2G"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("1.5 KiB"), Ok(1536));
        assert_eq!(parse_size("10mb"), Ok(10_000_000));
        assert!(parse_size("").is_err());
        assert!(parse_size("GiB").is_err());
        assert!(
            parse_size("3 gib").is_err(),
            "the i forms are case-sensitive"
        );
        assert!(parse_size("99999999999TiB").is_err());
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("20K"), Ok(20_000));
        assert_eq!(parse_count("0"), Ok(0));
        assert!(parse_count("-5").is_err());
        assert!(parse_count("1.5k").is_err());
    }
}
