//! Message templates: a log message with its variable parts (numbers, hex ids) masked,
//! so that `took 12 ms` and `took 340 ms` count as one message.

/// Templates are cut to this many bytes of the message, so that messages with long
/// unique tails (stack traces, payloads) do not each become a template.
pub(crate) const MAX_TEMPLATE_LEN: usize = 200;

const MASK: &[u8] = b"<*>";

/// Appends the template of `message` to `out`: every alphanumeric
/// token that looks like a number or an id is replaced by `<*>`:
///
/// - `0x` followed by hex digits, or a token of at least 4 hex digits with a digit
///   among them (hashes, block ids, the parts of a UUID) becomes one `<*>`;
/// - otherwise every run of decimal digits becomes `<*>` (`user42` → `user<*>`);
/// - a `-` right before a number and after no letter or digit is the number's sign
///   and is masked with it (`blk_-42` → `blk_<*>`, but `2015-10` → `<*>-<*>`).
///
/// Works on the first [`MAX_TEMPLATE_LEN`] bytes of the message; needs no allocation
/// once `out` has grown to hold a template.
pub(crate) fn push_template(message: &[u8], out: &mut Vec<u8>) {
    let message = &message[..message.len().min(MAX_TEMPLATE_LEN)];
    let mut i = 0;
    while i < message.len() {
        let b = message[i];
        let negative = b == b'-'
            && message.get(i + 1).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !message[i - 1].is_ascii_alphanumeric());
        if negative {
            // The sign belongs to the number that follows: `-42` masks like `42`.
            i += 1;
            continue;
        }
        if !b.is_ascii_alphanumeric() {
            out.push(b);
            i += 1;
            continue;
        }
        let start = i;
        while i < message.len() && message[i].is_ascii_alphanumeric() {
            i += 1;
        }
        mask_token(&message[start..i], out);
    }
}

fn mask_token(token: &[u8], out: &mut Vec<u8>) {
    let has_digit = token.iter().any(u8::is_ascii_digit);
    if !has_digit {
        out.extend_from_slice(token);
        return;
    }
    let prefixed_hex = token.len() > 2
        && (token.starts_with(b"0x") || token.starts_with(b"0X"))
        && token[2..].iter().all(u8::is_ascii_hexdigit);
    let long_hex = token.len() >= 4 && token.iter().all(u8::is_ascii_hexdigit);
    if prefixed_hex || long_hex {
        out.extend_from_slice(MASK);
        return;
    }
    let mut in_digits = false;
    for &b in token {
        if b.is_ascii_digit() {
            if !in_digits {
                out.extend_from_slice(MASK);
            }
            in_digits = true;
        } else {
            out.push(b);
            in_digits = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(s: &str) -> String {
        let mut out = Vec::new();
        push_template(s.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_and_ids_are_masked() {
        assert_eq!(template("took 12 ms"), "took <*> ms");
        assert_eq!(template("took 340 ms"), "took <*> ms");
        assert_eq!(template("user42 logged in"), "user<*> logged in");
        assert_eq!(template("at 0x7ffe12ab"), "at <*>");
        assert_eq!(
            template("blk_-1608999687919862906 missing"),
            "blk_<*> missing"
        );
        assert_eq!(
            template("blk_1608999687919862906 missing"),
            "blk_<*> missing"
        );
        assert_eq!(
            template("on 2015-10-18, -5 and id-7"),
            "on <*>-<*>-<*>, <*> and id-<*>"
        );
        assert_eq!(template("-1"), "<*>");
        assert_eq!(
            template("id 3f2a9c1e-77b0-4d1e-9a2b-00c0ffee1234"),
            "id <*>-<*>-<*>-<*>-<*>"
        );
        assert_eq!(
            template("from /10.250.19.102:54106"),
            "from /<*>.<*>.<*>.<*>:<*>"
        );
        assert_eq!(template("no numbers here"), "no numbers here");
        assert_eq!(
            template("deadbeef is a word, cafe too"),
            "deadbeef is a word, cafe too"
        );
        assert_eq!(template(""), "");
    }

    #[test]
    fn templates_are_cut_to_the_maximum_length() {
        let long = "x".repeat(MAX_TEMPLATE_LEN * 2);
        assert_eq!(template(&long).len(), MAX_TEMPLATE_LEN);
    }
}
