//! Splitting a message into tokens and masking the variable ones before template matching:
//! numbers, IPs, hex, UUIDs, paths, durations and sizes (anything with a digit, or a path)
//! become `<*>`; punctuation around them, `key=` prefixes and `ip:port` shapes are kept.

use std::borrow::Cow;

/// The wildcard of templates.
pub const WILDCARD: &str = "<*>";

/// Whether `token` holds the wildcard. A byte scan for `*` first: most tokens have none, and
/// it spares building a substring searcher for every token compared.
pub fn has_wildcard(token: &str) -> bool {
    token.as_bytes().contains(&b'*') && token.contains(WILDCARD)
}

/// Units that belong to the number before them (`16.0 KB`, `5 sec`).
const UNITS: [&str; 23] = [
    "B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "bytes", "ms", "us", "ns", "s", "sec", "secs", "seconds",
    "min", "mins", "minutes", "h", "hours", "%",
];

/// Whitespace-separated tokens of `message`, variable ones masked. A date written out in words
/// (`Sun Jul 10 03:55:15 2005`) becomes one `<*>`; so does a number with its unit (`16.0 KB`),
/// and a bracketed variable right after a number with a unit (`1204 bytes (1.1 KB)`).
pub fn tokens(message: &str) -> Vec<Cow<'_, str>> {
    tokenize(message, None)
}

/// The text of `message` behind each token of [`tokens`] (`16.0 KB` for one `<*>`).
pub fn raw_tokens(message: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    tokenize(message, Some(&mut spans));
    spans.into_iter().map(|(s, e)| &message[s..e]).collect()
}

/// [`tokens`], recording the byte span of each token's text in `spans` when given.
fn tokenize<'a>(message: &'a str, mut spans: Option<&mut Vec<(usize, usize)>>) -> Vec<Cow<'a, str>> {
    let offset = |w: &str| w.as_ptr() as usize - message.as_ptr() as usize;
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(24);
    let mut with_unit = None;
    let mut words = message.split_ascii_whitespace().peekable();
    while let Some(word) = words.next() {
        let start = offset(word);
        let mut end = start + word.len();
        if is_calendar_word(word) && words.peek().is_some_and(|next| is_date_part(next) || is_calendar_word(next)) {
            while let Some(next) = words.next_if(|next| is_date_part(next) || is_calendar_word(next)) {
                end = offset(next) + next.len();
            }
            out.push(Cow::Borrowed(WILDCARD));
            if let Some(spans) = spans.as_deref_mut() {
                spans.push((start, end));
            }
            continue;
        }
        let unit = word.trim_end_matches([',', ';', ':', '.', ')', ']']);
        match out.last_mut() {
            Some(last) if last.ends_with(WILDCARD) && UNITS.contains(&unit) => {
                last.to_mut().push_str(&word[unit.len()..]);
                if !last.starts_with('(') {
                    with_unit = Some(out.len() - 1);
                }
                if let Some(last_span) = spans.as_deref_mut().and_then(|s| s.last_mut()) {
                    last_span.1 = end;
                }
            }
            _ => {
                out.push(mask(word));
                if let Some(spans) = spans.as_deref_mut() {
                    spans.push((start, end));
                }
            }
        }
        if with_unit.is_some_and(|k| k + 2 == out.len()) && absorb_bracketed(&mut out) {
            if let Some(spans) = spans.as_deref_mut() {
                if let Some((_, e)) = spans.pop() {
                    if let Some(last_span) = spans.last_mut() {
                        last_span.1 = e;
                    }
                }
            }
        }
    }
    out
}

/// Merges a last token `(<*>)` (perhaps with `,` or `;` after it) into the variable before it;
/// tells whether it did.
fn absorb_bracketed(out: &mut Vec<Cow<'_, str>>) -> bool {
    let n = out.len();
    if !out[n - 2].ends_with(WILDCARD) {
        return false;
    }
    let Some(rest) = out[n - 1].strip_prefix("(<*>)") else { return false };
    if rest.is_empty() || rest == "," || rest == ";" {
        let rest = rest.to_string();
        out.pop();
        if let Some(last) = out.last_mut() {
            last.to_mut().push_str(&rest);
        }
        return true;
    }
    false
}

/// A weekday or month name.
fn is_calendar_word(word: &str) -> bool {
    if word.len() != 3 || !word.as_bytes()[0].is_ascii_uppercase() {
        return false;
    }
    const NAMES: [&str; 19] = [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
        "Oct", "Nov", "Dec",
    ];
    NAMES.contains(&word)
}

/// A day, year or time of day: digits and colons only.
fn is_date_part(word: &str) -> bool {
    word.bytes().next().is_some_and(|b| b.is_ascii_digit()) && word.bytes().all(|b| b.is_ascii_digit() || b == b':')
}

/// The masked form of one token; borrowed when nothing changed.
pub fn mask(token: &str) -> Cow<'_, str> {
    if !might_vary(token) {
        return Cow::Borrowed(token);
    }
    let lead = token.len() - token.trim_start_matches(['(', '[', '{', '\'', '"', '<']).len();
    let body = &token[lead..];
    let core = body.trim_end_matches([')', ']', '}', '\'', '"', ',', ';', ':', '.', '!', '>']);
    if core.is_empty() || core == WILDCARD {
        return Cow::Borrowed(token);
    }
    let (prefix, suffix) = (&token[..lead], &body[core.len()..]);
    let mut masked = String::with_capacity(token.len() + WILDCARD.len());
    masked.push_str(prefix);
    if let Some((key, value)) = core.split_once('=').filter(|(k, _)| is_key(k)) {
        if !is_variable(value) {
            return Cow::Borrowed(token);
        }
        masked.extend([key, "=", WILDCARD]);
    } else if core.split_once(':').is_some_and(|(a, b)| is_host(a) && is_number(b)) {
        masked.extend([WILDCARD, ":", WILDCARD]);
    } else if is_variable(core) {
        if prefix.is_empty() && suffix.is_empty() {
            return Cow::Borrowed(WILDCARD);
        }
        masked.push_str(WILDCARD);
    } else {
        return Cow::Borrowed(token);
    }
    masked.push_str(suffix);
    Cow::Owned(masked)
}

/// A quick test that rules out most literal words: no digit, `/`, `=` or boolean/null start.
fn might_vary(token: &str) -> bool {
    token.bytes().any(|b| b.is_ascii_digit() || b == b'/' || b == b'=')
        || token.trim_start_matches(['(', '[', '{', '\'', '"', '<']).starts_with(['t', 'f', 'n', 'T', 'F', 'N'])
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// An address or host name before a `:port`.
fn is_host(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-./_".contains(&b))
}

fn is_key(k: &str) -> bool {
    !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// A value: has a digit (except protocol names such as `SOCKS5` or `HTTP2`: capitals and one
/// digit), is an absolute path, or is a boolean or null.
fn is_variable(s: &str) -> bool {
    let acronym = s.len() >= 3
        && s.as_bytes()[s.len() - 1].is_ascii_digit()
        && s[..s.len() - 1].bytes().all(|b| b.is_ascii_uppercase());
    has_digit(s) && !acronym
        || s.len() > 1 && s.starts_with('/')
        || ["true", "false", "null"].iter().any(|w| s.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_masked_and_words_kept() {
        let masked: Vec<String> = tokens(
            "Got blk_-123 at Sun Jul 10 03:55:15 2005 from /10.0.0.1:50010 (size 64MB) 1204 bytes (1.1 KB), 5 sec; uid=0 path /var/log/x took 5ms, user bob [42] ok=true",
        )
        .into_iter()
        .map(Cow::into_owned)
        .collect();
        assert_eq!(
            raw_tokens("at Sun Jul 10 03:55:15 2005 got 1204 bytes (1.1 KB), ok"),
            vec!["at", "Sun Jul 10 03:55:15 2005", "got", "1204 bytes (1.1 KB),", "ok"]
        );
        assert_eq!(
            masked.join(" "),
            "Got <*> at <*> from <*>:<*> (size <*>) <*>, <*>; uid=<*> path <*> took <*>, user bob [<*>] ok=<*>"
        );
    }
}
