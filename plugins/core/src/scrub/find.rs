//! Hand-written scanners for each kind of private value. Each scanner looks at one start
//! position and returns the span it recognises, checksums and all; [`next`] tries them in
//! priority order.

use super::Kind;

/// A recognised private value: bytes `start..end` of the text, of kind `kind`; scanning
/// resumes at `resume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// First byte of the value.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
    /// Where scanning goes on (at or after `end`).
    pub resume: usize,
}

impl Hit {
    fn new(start: usize, end: usize, kind: Kind) -> Self {
        Self { start, end, kind, resume: end }
    }
}

/// Keys whose value is a password, whatever it looks like.
const PASSWORD_KEYS: [&str; 5] = ["password", "passwd", "passphrase", "pwd", "pass"];
/// Keys whose value is a secret when it looks random.
const SECRET_KEYS: [&str; 9] =
    ["secret", "token", "apikey", "key", "credential", "credentials", "auth", "signature", "sig"];
/// Values that are never secrets, even after a secret key.
const NOT_SECRETS: [&str; 9] = ["true", "false", "null", "none", "nil", "yes", "no", "undefined", "redacted"];

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn run(text: &[u8], from: usize, accept: impl Fn(u8) -> bool) -> usize {
    text[from..].iter().position(|&b| !accept(b)).map_or(text.len(), |n| from + n)
}

fn byte(text: &[u8], i: usize) -> u8 {
    text.get(i).copied().unwrap_or(0)
}

/// Tries every scanner at `i` (a position not preceded by a letter or digit), strongest first.
pub fn at(text: &[u8], i: usize, hostnames: bool) -> Option<Hit> {
    pem(text, i)
        .or_else(|| url_password(text, i))
        .or_else(|| bearer(text, i))
        .or_else(|| key_value(text, i))
        .or_else(|| token(text, i))
        .or_else(|| email(text, i))
        .or_else(|| mac(text, i))
        .or_else(|| ipv6(text, i))
        .or_else(|| ipv4(text, i))
        .or_else(|| iban(text, i))
        .or_else(|| ssn(text, i))
        .or_else(|| card(text, i))
        .or_else(|| phone(text, i))
        .or_else(|| if hostnames { hostname(text, i) } else { None })
}

/// A PEM private key block, from `-----BEGIN … PRIVATE KEY-----` to its `-----END …-----`
/// (or the end of the text when the end marker is missing).
fn pem(text: &[u8], i: usize) -> Option<Hit> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    if !text[i..].starts_with(BEGIN) {
        return None;
    }
    let header_end = find(text, i + BEGIN.len(), b"-----")?;
    if !text[i..header_end].ends_with(b"PRIVATE KEY") {
        return None;
    }
    let end = match find(text, header_end + 5, b"-----END ") {
        Some(e) => find(text, e + 9, b"-----").map_or(text.len(), |f| f + 5),
        None => text.len(),
    };
    Some(Hit::new(i, end, Kind::PrivateKey))
}

fn find(text: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > text.len() {
        return None;
    }
    text[from..].windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

/// The password of `scheme://user:password@host`.
fn url_password(text: &[u8], i: usize) -> Option<Hit> {
    let scheme_end = run(text, i, |b| b.is_ascii_alphanumeric() || b == b'+' || b == b'.' || b == b'-');
    if scheme_end == i || !text[scheme_end..].starts_with(b"://") {
        return None;
    }
    let user = scheme_end + 3;
    let at = run(text, user, |b| !b.is_ascii_whitespace() && !b"/@\"'<>".contains(&b));
    if byte(text, at) != b'@' {
        return None;
    }
    let colon = user + text[user..at].iter().position(|&b| b == b':')?;
    (colon + 1 < at).then(|| Hit { start: colon + 1, end: at, kind: Kind::Password, resume: at + 1 })
}

/// `Bearer <token>` (and `Basic`, `Token`) wherever it appears.
fn bearer(text: &[u8], i: usize) -> Option<Hit> {
    let word_end = run(text, i, is_word);
    let scheme = &text[i..word_end];
    let known = [&b"bearer"[..], b"basic", b"token", b"digest"];
    if !known.iter().any(|k| scheme.eq_ignore_ascii_case(k)) || byte(text, word_end) != b' ' {
        return None;
    }
    let start = run(text, word_end, |b| b == b' ');
    let end = run(text, start, is_token_byte);
    if end - start < 8 || !text[start..end].iter().any(u8::is_ascii_digit) {
        return None;
    }
    let kind = provider(&text[start..end]).unwrap_or(Kind::Token);
    Some(Hit::new(start, end, kind))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

/// `password=…`, `"api_key": "…"`, `Authorization: …`: the value after a sensitive key.
fn key_value(text: &[u8], i: usize) -> Option<Hit> {
    let key_end = run(text, i, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    let mut v = run(text, key_end, |b| b == b'"' || b == b'\'');
    v = run(text, v, |b| b == b' ' || b == b'\t');
    if key_end == i || !matches!(byte(text, v), b'=' | b':') {
        return None;
    }
    let key = std::str::from_utf8(&text[i..key_end]).ok()?.to_ascii_lowercase();
    let role = key_role(&key)?;
    v = run(text, v + 1, |b| b == b' ' || b == b'\t');
    let quote = byte(text, v);
    let quoted = quote == b'"' || quote == b'\'';
    if quoted {
        v += 1;
    }
    if let Some(hit) = pem(text, v) {
        return Some(hit);
    }
    if role == Kind::Token {
        return bearer(text, v).or_else(|| value_hit(text, v, quoted.then_some(quote), Kind::Token));
    }
    value_hit(text, v, quoted.then_some(quote), role)
}

/// What the value of `key` is, if the key is sensitive.
fn key_role(key: &str) -> Option<Kind> {
    if key.ends_with("authorization") {
        return Some(Kind::Token);
    }
    let ends_with_word = |word: &str| {
        key.strip_suffix(word)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with(['_', '-', '.']) || rest.ends_with("api"))
    };
    if PASSWORD_KEYS.iter().any(|w| ends_with_word(w)) {
        Some(Kind::Password)
    } else if SECRET_KEYS.iter().any(|w| ends_with_word(w)) {
        Some(Kind::Secret)
    } else {
        None
    }
}

fn value_hit(text: &[u8], start: usize, quote: Option<u8>, role: Kind) -> Option<Hit> {
    let end = match quote {
        Some(q) => run(text, start, |b| b != q && b != b'\n'),
        None => run(text, start, |b| !b.is_ascii_whitespace() && !b",;&\"'}]".contains(&b)),
    };
    let value = &text[start..end];
    let plain = std::str::from_utf8(value).ok()?.to_ascii_lowercase();
    if value.is_empty() || NOT_SECRETS.contains(&plain.as_str()) || value.starts_with(b"<") || value.starts_with(b"*") {
        return None;
    }
    if let Some(kind) = provider(value) {
        return Some(Hit::new(start, end, kind));
    }
    match role {
        Kind::Password => Some(Hit::new(start, end, Kind::Password)),
        _ => looks_random(value).then(|| Hit::new(start, end, role)),
    }
}

/// A generic secret: long enough, letters and digits mixed, and not a plain word.
fn looks_random(value: &[u8]) -> bool {
    if value.len() < 8 {
        return false;
    }
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = value.iter().filter(|b| b.is_ascii_alphabetic()).count();
    digits > 0 && letters > 0 && entropy(value) >= 3.0
}

/// Shannon entropy of the bytes, bits per byte.
fn entropy(value: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in value {
        counts[b as usize] += 1;
    }
    let n = value.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| c as f64 / n).map(|p| -p * libm::log2(p)).sum()
}

/// A provider key or JWT recognised from its own shape.
fn provider(value: &[u8]) -> Option<Kind> {
    let all = |from: usize, ok: fn(u8) -> bool| value.len() > from && value[from..].iter().all(|&b| ok(b));
    let alnum = |b: u8| b.is_ascii_alphanumeric();
    let b64url = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let starts = |p: &[u8]| value.starts_with(p);
    if starts(b"eyJ") && value.iter().filter(|&&b| b == b'.').count() == 2 && value.len() >= 20 {
        let ok = value.split(|&b| b == b'.').take(2).all(|s| !s.is_empty() && s.iter().all(|&b| b64url(b)));
        return ok.then_some(Kind::Jwt);
    }
    if value.len() == 20
        && [&b"AKIA"[..], b"ASIA", b"ABIA", b"ACCA"].iter().any(|p| starts(p))
        && all(4, |b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some(Kind::AwsKeyId);
    }
    let github = [&b"ghp_"[..], b"gho_", b"ghu_", b"ghs_", b"ghr_"];
    if (github.iter().any(|p| starts(p)) && value.len() >= 40 && all(4, alnum))
        || (starts(b"github_pat_") && value.len() >= 40 && all(11, |b| b.is_ascii_alphanumeric() || b == b'_'))
    {
        return Some(Kind::GithubToken);
    }
    let stripe = [&b"sk_live_"[..], b"sk_test_", b"pk_live_", b"pk_test_", b"rk_live_", b"rk_test_"];
    if stripe.iter().any(|p| starts(p)) && value.len() >= 20 && all(8, alnum) {
        return Some(Kind::StripeKey);
    }
    if starts(b"sk-") && value.len() >= 23 && all(3, b64url) {
        return Some(Kind::OpenaiKey);
    }
    if value.len() >= 15 && starts(b"xox") && b"baprs".contains(&byte(value, 3)) && byte(value, 4) == b'-' {
        return all(5, |b| b.is_ascii_alphanumeric() || b == b'-').then_some(Kind::SlackToken);
    }
    if starts(b"AIza") && value.len() == 39 && all(4, b64url) {
        return Some(Kind::GoogleKey);
    }
    None
}

/// A token recognised by shape alone: provider keys, JWTs, AWS secret access keys.
fn token(text: &[u8], i: usize) -> Option<Hit> {
    let end = run(text, i, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    let trimmed = end - text[i..end].iter().rev().take_while(|&&b| b == b'.').count();
    if let Some(kind) = provider(&text[i..trimmed]) {
        return Some(Hit::new(i, trimmed, kind));
    }
    aws_secret(text, i)
}

/// 40 random-looking characters of base64 with upper case, lower case and digits, standing
/// alone: an AWS secret access key. Git hashes (lower-case hex) and paths do not qualify.
fn aws_secret(text: &[u8], i: usize) -> Option<Hit> {
    let b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
    if i > 0 && b64(text[i - 1]) {
        return None;
    }
    let end = run(text, i, b64);
    let v = &text[i..end];
    let after = byte(text, end);
    let ok = v.len() == 40
        && v[0] != b'/'
        && !(after.is_ascii_alphanumeric() || b".-_".contains(&after))
        && entropy(v) >= 4.2
        && v.iter().any(u8::is_ascii_uppercase)
        && v.iter().any(u8::is_ascii_lowercase)
        && v.iter().any(u8::is_ascii_digit)
        && after != b'=';
    ok.then(|| Hit::new(i, end, Kind::AwsSecret))
}

/// `local@domain.tld`.
fn email(text: &[u8], i: usize) -> Option<Hit> {
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let at = run(text, i, local);
    if at == i || byte(text, at) != b'@' {
        return None;
    }
    let mut end = run(text, at + 1, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    while end > at + 1 && text[end - 1] == b'.' {
        end -= 1;
    }
    let domain = &text[at + 1..end];
    let dot = domain.iter().rposition(|&b| b == b'.')?;
    let tld = &domain[dot + 1..];
    (dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then(|| Hit::new(i, end, Kind::Email))
}

/// `aa:bb:cc:dd:ee:ff` or with dashes.
fn mac(text: &[u8], i: usize) -> Option<Hit> {
    if text.len() < i + 17 || i > 0 && (text[i - 1] == b':' || text[i - 1] == b'-') {
        return None;
    }
    let sep = text[i + 2];
    if sep != b':' && sep != b'-' {
        return None;
    }
    for g in 0..6 {
        let p = i + 3 * g;
        if !text[p].is_ascii_hexdigit() || !text[p + 1].is_ascii_hexdigit() || (g < 5 && text[p + 2] != sep) {
            return None;
        }
    }
    let after = byte(text, i + 17);
    (!after.is_ascii_alphanumeric() && after != sep).then(|| Hit::new(i, i + 17, Kind::Mac))
}

/// An IPv6 address: eight groups, or fewer with one `::`, optionally ending in an IPv4.
fn ipv6(text: &[u8], i: usize) -> Option<Hit> {
    if i > 0 && (text[i - 1] == b':' || text[i - 1] == b'.') {
        return None;
    }
    let end = run(text, i, |b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    let mut cand = &text[i..end];
    while cand.last() == Some(&b'.') || (cand.last() == Some(&b':') && !cand.ends_with(b"::")) {
        cand = &cand[..cand.len() - 1];
    }
    if cand.iter().filter(|&&b| b == b':').count() < 2 || end < text.len() && is_word(text[end]) {
        return None;
    }
    valid_ipv6(cand).then(|| Hit::new(i, i + cand.len(), Kind::Ipv6))
}

fn valid_ipv6(cand: &[u8]) -> bool {
    let s = match std::str::from_utf8(cand) {
        Ok(s) => s,
        Err(_) => return false,
    };
    let (head, tail, compressed) = match s.split_once("::") {
        Some((h, t)) => (h, t, true),
        None => (s, "", false),
    };
    if tail.contains("::") {
        return false;
    }
    let mut groups = 0;
    for (n, part) in [head, tail].iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        let pieces: Vec<&str> = part.split(':').collect();
        for (k, p) in pieces.iter().enumerate() {
            let last = k + 1 == pieces.len() && (n == 1 || !compressed);
            if last && p.contains('.') {
                if !valid_ipv4(p.as_bytes()) {
                    return false;
                }
                groups += 2;
            } else if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
                return false;
            } else {
                groups += 1;
            }
        }
    }
    if compressed {
        groups < 8
    } else {
        groups == 8
    }
}

fn valid_ipv4(s: &[u8]) -> bool {
    let parts: Vec<&[u8]> = s.split(|&b| b == b'.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.iter().all(u8::is_ascii_digit)
                && p.iter().fold(0u32, |a, &d| a * 10 + (d - b'0') as u32) <= 255
        })
}

/// A dotted-quad IPv4 address.
fn ipv4(text: &[u8], i: usize) -> Option<Hit> {
    if !byte(text, i).is_ascii_digit() || i > 0 && text[i - 1] == b'.' {
        return None;
    }
    let end = run(text, i, |b| b.is_ascii_digit() || b == b'.');
    let mut cand = &text[i..end];
    if cand.ends_with(b".") {
        cand = &cand[..cand.len() - 1];
    }
    let after = byte(text, i + cand.len());
    (valid_ipv4(cand) && !after.is_ascii_alphanumeric()).then(|| Hit::new(i, i + cand.len(), Kind::Ipv4))
}

/// An IBAN, compact or in groups of four, with a valid mod-97 checksum.
fn iban(text: &[u8], i: usize) -> Option<Hit> {
    let t = |k: usize| byte(text, i + k);
    if !(t(0).is_ascii_uppercase() && t(1).is_ascii_uppercase() && t(2).is_ascii_digit() && t(3).is_ascii_digit()) {
        return None;
    }
    let upper_or_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let mut ends = Vec::new();
    let mut p = run(text, i, upper_or_digit);
    ends.push(p);
    while p - i < 40 && byte(text, p) == b' ' && (p - i + 1).is_multiple_of(5) {
        let next = run(text, p + 1, upper_or_digit);
        if next == p + 1 || next - p - 1 > 4 {
            break;
        }
        p = next;
        ends.push(p);
    }
    let after_ok = |e: usize| !is_word(byte(text, e));
    ends.into_iter()
        .rev()
        .filter(|&e| after_ok(e))
        .find(|&e| iban_valid(&text[i..e]))
        .map(|e| Hit::new(i, e, Kind::Iban))
}

fn iban_valid(raw: &[u8]) -> bool {
    let compact: Vec<u8> = raw.iter().copied().filter(|&b| b != b' ').collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rotated = compact[4..].iter().chain(&compact[..4]);
    let mut rem = 0u32;
    for &b in rotated {
        let v = if b.is_ascii_digit() { (b - b'0') as u32 } else { (b - b'A') as u32 + 10 };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

/// A US social security number `ddd-dd-dddd` (areas 000, 666 and 9xx excluded).
fn ssn(text: &[u8], i: usize) -> Option<Hit> {
    let groups = digit_groups(text, i, b'-')?;
    if groups.lens != [3, 2, 4] {
        return None;
    }
    let s = &text[i..groups.end];
    let ok = &s[..3] != b"000" && &s[..3] != b"666" && s[0] != b'9' && &s[4..6] != b"00" && &s[7..] != b"0000";
    ok.then(|| Hit::new(i, groups.end, Kind::Ssn))
}

struct Groups {
    lens: Vec<usize>,
    end: usize,
}

/// Runs of digits joined by one `sep`, not glued to other letters, digits or separators.
fn digit_groups(text: &[u8], i: usize, sep: u8) -> Option<Groups> {
    let glued_before = i > 1 && (text[i - 1] == sep || text[i - 1] == b'.') && text[i - 2].is_ascii_digit();
    if !byte(text, i).is_ascii_digit() || glued_before {
        return None;
    }
    let mut lens = Vec::new();
    let mut p = i;
    loop {
        let e = run(text, p, |b| b.is_ascii_digit());
        lens.push(e - p);
        p = e;
        if byte(text, p) == sep && byte(text, p + 1).is_ascii_digit() && lens.len() < 8 {
            p += 1;
        } else {
            break;
        }
    }
    let after = byte(text, p);
    let glued = (after == sep || after == b'.') && byte(text, p + 1).is_ascii_digit();
    (!after.is_ascii_alphanumeric() && !glued).then_some(Groups { lens, end: p })
}

/// A payment card number: 13 to 19 digits with space or dash separators (13 to 16 without), a
/// known issuer prefix and a valid Luhn checksum, not glued to an identifier (`blk_-4…`).
fn card(text: &[u8], i: usize) -> Option<Hit> {
    if i > 0 && b"-_/.".contains(&text[i - 1]) {
        return None;
    }
    let groups = [b' ', b'-'].iter().filter_map(|&sep| digit_groups(text, i, sep)).max_by_key(|g| g.end)?;
    let digits: Vec<u8> = text[i..groups.end].iter().filter(|b| b.is_ascii_digit()).map(|b| b - b'0').collect();
    let separated = groups.lens.len() > 1;
    if !(13..=19).contains(&digits.len()) || !separated && digits.len() > 16 {
        return None;
    }
    let issuer = match digits[0] {
        4 => true,
        5 => (1..=5).contains(&digits[1]),
        2 => (2221..=2720).contains(&digits.iter().take(4).fold(0u32, |a, &d| a * 10 + d as u32)),
        3 => [4, 7, 5, 6, 8, 0].contains(&digits[1]),
        6 => digits[1] == 5 || digits.starts_with(&[6, 0, 1, 1]) || digits[1] == 2,
        _ => false,
    };
    (issuer && luhn(&digits)).then(|| Hit::new(i, groups.end, Kind::Card))
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            let d = d as u32;
            if k % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A phone number: international (`+` and 8 to 15 digits) or North American `(ddd) ddd-dddd`,
/// `ddd-ddd-dddd`, `ddd.ddd.dddd`.
fn phone(text: &[u8], i: usize) -> Option<Hit> {
    match byte(text, i) {
        b'+' => {
            let end = run(text, i + 1, |b| b.is_ascii_digit() || b" -.()".contains(&b));
            let mut e = end;
            while e > i && !text[e - 1].is_ascii_digit() {
                e -= 1;
            }
            let digits = text[i..e].iter().filter(|b| b.is_ascii_digit()).count();
            ((8..=15).contains(&digits) && !is_word(byte(text, e))).then(|| Hit::new(i, e, Kind::Phone))
        }
        b'(' => {
            let t = &text[i..];
            let ok = t.len() >= 14
                && t[1..4].iter().all(u8::is_ascii_digit)
                && t[4] == b')'
                && t[5] == b' '
                && north_american_tail(&t[6..]);
            ok.then(|| Hit::new(i, i + 14, Kind::Phone))
        }
        _ => [b'-', b'.', b' ']
            .iter()
            .filter_map(|&sep| digit_groups(text, i, sep))
            .find(|g| g.lens == [3, 3, 4])
            .map(|g| Hit::new(i, g.end, Kind::Phone)),
    }
}

fn north_american_tail(t: &[u8]) -> bool {
    t.len() >= 8
        && t[..3].iter().all(u8::is_ascii_digit)
        && t[3] == b'-'
        && t[4..8].iter().all(u8::is_ascii_digit)
        && !is_word(byte(t, 8))
}

/// A host name (opt-in): `name:port`, or a dotted name ending in an alphabetic top-level label.
fn hostname(text: &[u8], i: usize) -> Option<Hit> {
    let end = run(text, i, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    let mut e = end;
    while e > i && text[e - 1] == b'.' {
        e -= 1;
    }
    let name = &text[i..e];
    if !name.iter().any(u8::is_ascii_alphabetic) || !byte(text, i).is_ascii_alphabetic() {
        return None;
    }
    let with_port = byte(text, e) == b':' && byte(text, e + 1).is_ascii_digit() && name.contains(&b'-');
    let last = name.rsplit(|&b| b == b'.').next().unwrap_or_default();
    let dotted = name.contains(&b'.') && last.len() >= 2 && last.iter().all(u8::is_ascii_alphabetic);
    (with_port || dotted).then(|| Hit::new(i, e, Kind::Hostname))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
        assert!(iban_valid(b"GB82WEST12345698765432"));
        assert!(iban_valid(b"DE89 3704 0044 0532 0130 00"));
        assert!(!iban_valid(b"DE88 3704 0044 0532 0130 00"));
        assert!(valid_ipv6(b"2001:db8::8a2e:370:7334"));
        assert!(valid_ipv6(b"::ffff:10.0.0.1"));
        assert!(!valid_ipv6(b"12:30:45"));
    }
}
