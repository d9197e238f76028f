//! Removal of private values and secrets before text leaves the machine, reversibly.
//!
//! A [`Scrubber`] replaces each private value with a typed, stable placeholder (`<EMAIL_1>`,
//! `<IPV4_2>`): the same value always gets the same placeholder, across every text the
//! scrubber sees. Its [`Mapping`] stays with the caller, and [`restore`] puts the real values
//! back into an answer. A [`Report`] counts what was removed, by kind.
//!
//! Recognised: e-mail addresses, IPv4 and IPv6, MAC addresses, phone numbers, payment cards
//! (issuer prefix and Luhn checksum, with or without separators), IBANs (mod-97 checksum),
//! US social security numbers, JWTs, `Authorization`/bearer tokens, AWS, GitHub, OpenAI,
//! Slack, Google and Stripe keys, random-looking values of `key=`/`token=`/`secret=`,
//! passwords in URLs and in `password=` or JSON fields, and PEM private keys. Host and
//! service names such as `db-prod-1:5432` stay unless [`ScrubOptions::hostnames`] is set.
//! UUIDs, versions, commit hashes, durations and pod names are left alone.
//!
//! All scanners are hand-written (no regular expressions) and run in one pass.

mod find;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The kinds of value removed; each names its placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A MAC address.
    Mac,
    /// A phone number.
    Phone,
    /// A payment card number.
    Card,
    /// An IBAN.
    Iban,
    /// A US social security number.
    Ssn,
    /// A JSON Web Token.
    Jwt,
    /// A bearer or `Authorization` credential.
    Token,
    /// An AWS access key id.
    AwsKeyId,
    /// An AWS secret access key.
    AwsSecret,
    /// A GitHub token.
    GithubToken,
    /// An OpenAI API key.
    OpenaiKey,
    /// A Slack token.
    SlackToken,
    /// A Google API key.
    GoogleKey,
    /// A Stripe key.
    StripeKey,
    /// A random-looking value of a `key`, `token` or `secret` field.
    Secret,
    /// A password (URL or field).
    Password,
    /// A PEM private key.
    PrivateKey,
    /// A host name (only with [`ScrubOptions::hostnames`]).
    Hostname,
    /// A value matched by an extra rule; the placeholder uses the rule's name.
    Custom,
}

impl Kind {
    /// The placeholder label: `EMAIL`, `IPV4`, ...
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Ipv4 => "IPV4",
            Self::Ipv6 => "IPV6",
            Self::Mac => "MAC",
            Self::Phone => "PHONE",
            Self::Card => "CARD",
            Self::Iban => "IBAN",
            Self::Ssn => "SSN",
            Self::Jwt => "JWT",
            Self::Token => "TOKEN",
            Self::AwsKeyId => "AWS_KEY_ID",
            Self::AwsSecret => "AWS_SECRET",
            Self::GithubToken => "GITHUB_TOKEN",
            Self::OpenaiKey => "OPENAI_KEY",
            Self::SlackToken => "SLACK_TOKEN",
            Self::GoogleKey => "GOOGLE_KEY",
            Self::StripeKey => "STRIPE_KEY",
            Self::Secret => "SECRET",
            Self::Password => "PASSWORD",
            Self::PrivateKey => "PRIVATE_KEY",
            Self::Hostname => "HOST",
            Self::Custom => "CUSTOM",
        }
    }
}

/// An extra rule: a literal to remove wherever it appears, or a prefix that starts a value
/// (the value runs to the next character that is not a letter, digit, `_`, `-` or `.`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraRule {
    /// Placeholder label, upper-cased (`"customer"` gives `<CUSTOMER_1>`).
    pub name: String,
    /// Exact text to remove.
    #[serde(default)]
    pub literal: Option<String>,
    /// Prefix that starts a value to remove, prefix included.
    #[serde(default)]
    pub prefix: Option<String>,
}

/// What to remove besides the built-in kinds, and what to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrubOptions {
    /// Also remove host names (`db-prod-1:5432`, `api.example.com`); default off, because
    /// they matter for diagnosis.
    #[serde(default)]
    pub hostnames: bool,
    /// Values never removed, compared exactly.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Extra rules, applied before the built-in scanners.
    #[serde(default)]
    pub extra: Vec<ExtraRule>,
}

/// Placeholders and the values they stand for; keep it local.
pub type Mapping = BTreeMap<String, String>;

/// How many values of each kind (by placeholder label) were removed.
pub type Report = BTreeMap<String, usize>;

/// A scrubber with its options and the placeholders handed out so far; its state to keep is
/// its [`Mapping`] (see [`Scrubber::with_mapping`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scrubber {
    options: ScrubOptions,
    mapping: Mapping,
    report: Report,
    by_value: HashMap<(String, String), String>,
}

impl Scrubber {
    /// A scrubber with no placeholders yet.
    pub fn new(options: ScrubOptions) -> Self {
        Self { options, ..Self::default() }
    }

    /// A scrubber that goes on from an earlier mapping, so known values keep their placeholders.
    pub fn with_mapping(options: ScrubOptions, mapping: Mapping) -> Self {
        let mut scrubber = Self::new(options);
        for (placeholder, value) in &mapping {
            if let Some(label) = placeholder_label(placeholder) {
                scrubber.by_value.insert((label.to_string(), value.clone()), placeholder.clone());
            }
        }
        scrubber.mapping = mapping;
        scrubber
    }

    /// Every placeholder handed out and its value.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// Counts of values removed so far, by kind label.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The text with every private value replaced by its placeholder.
    ///
    /// ```
    /// use corridor_core::scrub::{Scrubber, ScrubOptions};
    /// let mut s = Scrubber::new(ScrubOptions::default());
    /// let out = s.scrub("mail bob@example.com from 10.1.2.3, again bob@example.com via db-prod-1:5432");
    /// assert_eq!(out, "mail <EMAIL_1> from <IPV4_1>, again <EMAIL_1> via db-prod-1:5432");
    /// assert_eq!(corridor_core::scrub::restore(&out, s.mapping()),
    ///            "mail bob@example.com from 10.1.2.3, again bob@example.com via db-prod-1:5432");
    /// ```
    pub fn scrub(&mut self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut hits = self.extra_hits(text);
        let mut i = 0;
        let mut next_extra = 0;
        let mut dense_end = 0;
        while i < bytes.len() {
            if let Some(&(s, e, _)) = hits.get(next_extra) {
                if i >= s {
                    i = i.max(e);
                    next_extra += 1;
                    continue;
                }
            }
            let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            let found = if boundary && !bytes[i].is_ascii_whitespace() {
                find::at(bytes, i, self.options.hostnames)
            } else {
                None
            };
            match found {
                Some(hit) if hits.get(next_extra).is_none_or(|&(s, _, _)| hit.end <= s) => {
                    hits.push((hit.start, hit.end, Label::Kind(hit.kind)));
                    i = hit.resume.max(i + 1);
                }
                _ if boundary && i >= dense_end => {
                    dense_end = i + bytes[i..].iter().take_while(|&&b| is_dense(b)).count();
                    i = if dense_end - i > MAX_DENSE_RUN { dense_end } else { i + 1 };
                }
                _ => i += 1,
            }
        }
        crate::order::sort_by_key(&mut hits, |h| h.0);
        self.replace(text, hits)
    }

    /// Spans of the extra rules, sorted and without overlaps.
    fn extra_hits(&self, text: &str) -> Vec<(usize, usize, Label)> {
        let mut hits = Vec::new();
        for (n, rule) in self.options.extra.iter().enumerate() {
            for (needle, is_prefix) in [(&rule.literal, false), (&rule.prefix, true)] {
                let Some(needle) = needle.as_deref().filter(|s| !s.is_empty()) else { continue };
                for (start, _) in text.match_indices(needle) {
                    let mut end = start + needle.len();
                    if is_prefix {
                        end += text[end..]
                            .bytes()
                            .position(|b| !(b.is_ascii_alphanumeric() || b"_-.".contains(&b)))
                            .unwrap_or(text.len() - end);
                    }
                    hits.push((start, end, Label::Rule(n)));
                }
            }
        }
        crate::order::sort_by_key(&mut hits, |h| (h.0, std::cmp::Reverse(h.1)));
        let mut kept: Vec<(usize, usize, Label)> = Vec::new();
        for h in hits {
            if kept.last().is_none_or(|k| h.0 >= k.1) {
                kept.push(h);
            }
        }
        kept
    }

    fn replace(&mut self, text: &str, hits: Vec<(usize, usize, Label)>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end, label) in hits {
            let (Some(value), Some(before)) = (text.get(start..end), text.get(last..start)) else { continue };
            if value.is_empty() || self.options.allow.iter().any(|a| a == value) {
                continue;
            }
            out.push_str(before);
            let label = match label {
                Label::Kind(kind) => kind.label().to_string(),
                Label::Rule(n) => self.options.extra[n].name.to_ascii_uppercase(),
            };
            out.push_str(&self.placeholder(label, value));
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    fn placeholder(&mut self, label: String, value: &str) -> String {
        *self.report.entry(label.clone()).or_default() += 1;
        let key = (label, value.to_string());
        if let Some(p) = self.by_value.get(&key) {
            return p.clone();
        }
        let n = self.mapping.keys().filter(|p| placeholder_label(p) == Some(key.0.as_str())).count() + 1;
        let p = format!("<{}_{n}>", key.0);
        self.mapping.insert(p.clone(), key.1.clone());
        self.by_value.insert(key, p.clone());
        p
    }
}

/// A run of identifier characters longer than this, with nothing recognised at its start, is
/// skipped whole: scanners look at every start inside shorter runs only, which keeps the scan
/// linear on pathological input (`a.a.a.…`).
const MAX_DENSE_RUN: usize = 256;

fn is_dense(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._%+-".contains(&b)
}

/// Where a span came from: a built-in scanner or the extra rule at this index.
#[derive(Debug, Clone, Copy)]
enum Label {
    Kind(Kind),
    Rule(usize),
}

/// `EMAIL` for `<EMAIL_3>`.
fn placeholder_label(placeholder: &str) -> Option<&str> {
    let inner = placeholder.strip_prefix('<')?.strip_suffix('>')?;
    let (label, n) = inner.rsplit_once('_')?;
    n.bytes().all(|b| b.is_ascii_digit()).then_some(label)
}

/// Puts the real values back in place of the placeholders of `mapping`; unknown placeholders
/// stay as they are.
pub fn restore(text: &str, mapping: &Mapping) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        match tail.find('>').and_then(|close| mapping.get(&tail[..=close]).map(|v| (close, v))) {
            Some((close, value)) => {
                out.push_str(value);
                rest = &tail[close + 1..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(text: &str) -> (String, Scrubber) {
        let mut s = Scrubber::new(ScrubOptions::default());
        (s.scrub(text), s)
    }

    #[test]
    fn every_kind_is_removed_and_restored() {
        let cases = [
            ("contact jane.doe+ops@example.co.uk now", "<EMAIL_1>"),
            ("from 192.168.10.24:8080 ok", "<IPV4_1>"),
            ("peer 2001:db8::8a2e:370:7334 up", "<IPV6_1>"),
            ("nic 3c:22:fb:9a:10:0e link", "<MAC_1>"),
            ("call +1 415-555-2671 or", "<PHONE_1>"),
            ("call (415) 555-2671 or", "<PHONE_1>"),
            ("call +44 20 7946 0958 now", "<PHONE_1>"),
            ("card 4111 1111 1111 1111 charged", "<CARD_1>"),
            ("card 5500-0000-0000-0004 charged", "<CARD_1>"),
            ("card 4012888888881881 charged", "<CARD_1>"),
            ("iban DE89 3704 0044 0532 0130 00 paid", "<IBAN_1>"),
            ("iban GB82WEST12345698765432 paid", "<IBAN_1>"),
            ("ssn 123-45-6789 on file", "<SSN_1>"),
            ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk sent", "<JWT_1>"),
            ("Authorization: Bearer abc123def456ghi789 sent", "<TOKEN_1>"),
            ("Authorization: Basic dXNlcjpwYXNzd29yZA== sent", "<TOKEN_1>"),
            ("key AKIAIOSFODNN7EXAMPLE used", "<AWS_KEY_ID_1>"),
            ("secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY used", "<AWS_SECRET_1>"),
            ("token ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 used", "<GITHUB_TOKEN_1>"),
            ("key sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12 used", "<OPENAI_KEY_1>"),
            ("slack xoxb-123456789012-abcdefABCDEF used", "<SLACK_TOKEN_1>"),
            ("google AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q used", "<GOOGLE_KEY_1>"),
            ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc used", "<STRIPE_KEY_1>"),
            ("config token=f3a9Zq81LmXp0Rt7 loaded", "<SECRET_1>"),
            ("db postgres://app:s3cr3t!@db-prod-1:5432/main", "<PASSWORD_1>"),
            ("login password=hunter2 ok", "<PASSWORD_1>"),
            (r#"{"user":"x","password":"p@ss w0rd"}"#, "<PASSWORD_1>"),
            ("key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end", "<PRIVATE_KEY_1>"),
        ];
        for (text, placeholder) in cases {
            let (out, s) = scrub(text);
            assert!(out.contains(placeholder), "{text:?} gave {out:?}");
            assert_eq!(restore(&out, s.mapping()), text);
            assert_eq!(s.report().values().sum::<usize>(), 1, "{text:?} gave {out:?}");
        }
    }

    #[test]
    fn look_alikes_survive() {
        let text = "pod api-7d9f8b6c5-x2x4z uuid 550e8400-e29b-41d4-a716-446655440000 version 1.24.3 \
                    commit 3f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291 took 1h30m5s at 12:30:45.120 \
                    on db-prod-1:5432 id 1700000000123 date 2024-01-15 token_count=512 password_reset=true \
                    blk_-4111111111111111111 blk_4111111111111111 chip FF:F2:9F:16:E2:23:00:0D:60:E9:1D:DC \
                    chdir(/p/gb2/stella/RAPTOR/2183/equi_test/2005.09.20-18.06.05)";
        let (out, s) = scrub(text);
        assert_eq!(out, text);
        assert!(s.report().is_empty());
    }

    #[test]
    fn placeholders_are_stable_and_options_apply() {
        let options = ScrubOptions {
            hostnames: true,
            allow: vec!["10.0.0.1".into()],
            extra: vec![ExtraRule { name: "customer".into(), literal: None, prefix: Some("cust-".into()) }],
        };
        let mut s = Scrubber::new(options.clone());
        let out = s.scrub("cust-881 on db-prod-1:5432 from 10.0.0.1 and 10.0.0.2, 10.0.0.2");
        assert_eq!(out, "<CUSTOMER_1> on <HOST_1>:5432 from 10.0.0.1 and <IPV4_1>, <IPV4_1>");
        let mut again = Scrubber::with_mapping(options, s.mapping().clone());
        assert_eq!(again.scrub("10.0.0.9 10.0.0.2"), "<IPV4_2> <IPV4_1>");
    }

    #[test]
    fn random_text_never_panics_and_round_trips() {
        let alphabet: Vec<char> =
            "0123456789abcdefABCDEFXZ .:-_+@()[]=/\"'{}\n,;<>é-----BEGIN PRIVATE KEY".chars().collect();
        let mut x: u64 = 1;
        for _ in 0..20_000 {
            let len = (x % 40) as usize;
            let text = crate::stats::random_text(&alphabet, len, &mut x);
            let (out, s) = scrub(&text);
            assert_eq!(restore(&out, s.mapping()), text);
        }
    }

    #[test]
    fn odd_input_is_safe() {
        let (out, _) = scrub("");
        assert!(out.is_empty());
        let garbage: String = (0..5000u32).filter_map(|i| char::from_u32((i * 7919) % 0x2FFF)).collect();
        let (out, s) = scrub(&garbage);
        assert_eq!(restore(&out, s.mapping()), garbage);
        let long = "a=".repeat(1 << 20) + "é password=x";
        assert!(scrub(&long).0.ends_with("password=<PASSWORD_1>"));
        for pattern in ["a.", "1.", "a-", "1-", "a_"] {
            let dense = pattern.repeat(1 << 19) + " bob@example.com";
            assert!(scrub(&dense).0.ends_with(" <EMAIL_1>"), "{pattern}");
        }
    }
}
