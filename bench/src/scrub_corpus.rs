//! A labelled scrubbing corpus generated from a fixed seed: log lines carrying private values of
//! every kind the scrubber knows (checksums valid), and look-alikes that must survive.

use corridor_core::scrub::Kind;

/// A labelled value inside a line: what it is, or `None` for a look-alike that must stay.
pub struct Label {
    /// The kind, `None` for a look-alike.
    pub kind: Option<Kind>,
    /// Name of the look-alike family, or the kind's label.
    pub family: &'static str,
    /// The exact text.
    pub value: String,
}

/// One corpus line and its labels.
pub struct Sample {
    /// The line.
    pub line: String,
    /// Values in it.
    pub labels: Vec<Label>,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char).collect()
    }

    fn digits(&mut self, n: usize) -> String {
        self.chars(n, b"0123456789")
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";
const NAMES: [&str; 6] = ["alice", "bob.smith", "carol_ops", "dave+alerts", "erin", "frank.li"];
const HOSTS: [&str; 5] =
    ["db-prod-1:5432", "redis-cache.internal:6379", "api-gw:8443", "kafka-2:9092", "localhost:3000"];

/// Every kind of private value, each generated `per_kind` times, in lines that look like real
/// logs; each line also carries one look-alike (eleven families in turn).
pub fn generate(per_kind: usize) -> Vec<Sample> {
    let mut rng = Rng(0x5EED);
    let kinds = [
        Kind::Email,
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Mac,
        Kind::Phone,
        Kind::Card,
        Kind::Iban,
        Kind::Ssn,
        Kind::Jwt,
        Kind::Token,
        Kind::AwsKeyId,
        Kind::AwsSecret,
        Kind::GithubToken,
        Kind::OpenaiKey,
        Kind::SlackToken,
        Kind::GoogleKey,
        Kind::StripeKey,
        Kind::Secret,
        Kind::Password,
        Kind::PrivateKey,
    ];
    let mut out = Vec::new();
    for i in 0..per_kind {
        for &kind in &kinds {
            let (value, line) = secret(&mut rng, kind, i);
            let (family, look) = look_alike(&mut rng, out.len());
            let line = format!("{} {line} ({})", header(&mut rng, i), look.replace("{}", &family.1));
            out.push(Sample {
                line,
                labels: vec![
                    Label { kind: Some(kind), family: kind.label(), value },
                    Label { kind: None, family: family.0, value: family.1 },
                ],
            });
        }
    }
    out
}

fn header(rng: &mut Rng, i: usize) -> String {
    let level = rng.pick(&["INFO", "WARN", "ERROR", "DEBUG"]);
    format!(
        "2024-03-{:02}T{:02}:{:02}:{:02}.{:03}Z {level} svc-{}",
        1 + i % 28,
        i % 24,
        i % 60,
        (i * 7) % 60,
        i % 1000,
        i % 5
    )
}

/// A private value of `kind` and a line fragment carrying it.
fn secret(rng: &mut Rng, kind: Kind, i: usize) -> (String, String) {
    let v = match kind {
        Kind::Email => format!(
            "{}{}@{}",
            rng.pick(&NAMES),
            rng.below(100),
            rng.pick(&["example.com", "corp.example.org", "mail.co.uk"])
        ),
        Kind::Ipv4 => format!("{}.{}.{}.{}", 1 + rng.below(223), rng.below(256), rng.below(256), 1 + rng.below(254)),
        Kind::Ipv6 => match i % 3 {
            0 => (0..8).map(|_| format!("{:x}", rng.below(65536))).collect::<Vec<_>>().join(":"),
            1 => format!("2001:db8::{:x}:{:x}", rng.below(65536), rng.below(65536)),
            _ => format!("fe80::{:x}:{:x}:{:x}", rng.below(65536), rng.below(65536), rng.below(65536)),
        },
        Kind::Mac => {
            let sep = if i.is_multiple_of(2) { ":" } else { "-" };
            (0..6).map(|_| rng.chars(2, HEX)).collect::<Vec<_>>().join(sep)
        }
        Kind::Phone => match i % 4 {
            0 => format!("+1 {}-555-{}", 200 + rng.below(700), rng.digits(4)),
            1 => format!("+44 20 {} {}", rng.digits(4), rng.digits(4)),
            2 => format!("({}) 555-{}", 200 + rng.below(700), rng.digits(4)),
            _ => format!("{}-555-{}", 200 + rng.below(700), rng.digits(4)),
        },
        Kind::Card => card(rng, i),
        Kind::Iban => iban(rng, i),
        Kind::Ssn => format!("{:03}-{:02}-{:04}", 100 + rng.below(565), 1 + rng.below(98), 1 + rng.below(9998)),
        Kind::Jwt => format!("eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}", rng.chars(30, B64URL), rng.chars(43, B64URL)),
        Kind::Token => format!("{}{}", rng.chars(28, ALNUM), rng.digits(4)),
        Kind::AwsKeyId => format!("AKIA{}", rng.chars(16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")),
        Kind::AwsSecret => format!("{}aZ9/{}", rng.chars(18, ALNUM), rng.chars(18, ALNUM)),
        Kind::GithubToken => format!("ghp_{}", rng.chars(36, ALNUM)),
        Kind::OpenaiKey => format!("sk-proj-{}", rng.chars(48, B64URL)),
        Kind::SlackToken => format!("xoxb-{}-{}-{}", rng.digits(12), rng.digits(12), rng.chars(24, ALNUM)),
        Kind::GoogleKey => format!("AIza{}", rng.chars(35, B64URL)),
        Kind::StripeKey => format!("sk_live_{}", rng.chars(24, ALNUM)),
        Kind::Secret => format!("{}{}", rng.chars(20, ALNUM), rng.digits(4)),
        Kind::Password => format!("{}{}!", rng.pick(&["hunter", "Summer", "s3cr3t", "P@ss"]), rng.digits(3)),
        Kind::PrivateKey => format!(
            "-----BEGIN {}PRIVATE KEY-----\\n{}\\n-----END {}PRIVATE KEY-----",
            if i.is_multiple_of(2) { "RSA " } else { "" },
            rng.chars(64, ALNUM),
            if i.is_multiple_of(2) { "RSA " } else { "" }
        ),
        Kind::Hostname | Kind::Custom => String::new(),
    };
    let line = match kind {
        Kind::Email => format!("password reset mail sent to {v}"),
        Kind::Ipv4 => format!("accepted connection from {v}:{}", 1024 + rng.below(60000)),
        Kind::Ipv6 => format!("client [{v}] connected"),
        Kind::Mac => format!("dhcp lease for {v} renewed"),
        Kind::Phone => format!("sms to {v} queued"),
        Kind::Card => format!("charge declined for card {v}"),
        Kind::Iban => format!("payout to IBAN {v} scheduled"),
        Kind::Ssn => format!("kyc check ssn={v} ok"),
        Kind::Jwt => format!("session {v} expired"),
        Kind::Token => format!("upstream request Authorization: Bearer {v}"),
        Kind::AwsKeyId => format!("s3 upload with access key {v}"),
        Kind::AwsSecret => format!("loaded aws_secret_access_key={v}"),
        Kind::GithubToken => format!("git clone using token {v}"),
        Kind::OpenaiKey => format!("llm call key={v} model=gpt"),
        Kind::SlackToken => format!("notify slack with {v}"),
        Kind::GoogleKey => format!("maps request &key={v}"),
        Kind::StripeKey => format!("stripe client init {v}"),
        Kind::Secret => match i % 3 {
            0 => format!("config api_key={v} loaded"),
            1 => format!("{{\"client_secret\": \"{v}\"}}"),
            _ => format!("webhook token: {v}"),
        },
        Kind::Password => match i % 3 {
            0 => format!("connecting postgres://app:{v}@db-prod-1:5432/main"),
            1 => format!("login attempt user=bob password={v}"),
            _ => format!("{{\"user\": \"bob\", \"password\": \"{v}\"}}"),
        },
        Kind::PrivateKey => format!("{{\"private_key\": \"{v}\"}}"),
        Kind::Hostname | Kind::Custom => String::new(),
    };
    (v, line)
}

/// A look-alike value (family, text) and the phrase it sits in.
fn look_alike(rng: &mut Rng, n: usize) -> ((&'static str, String), &'static str) {
    match n % 11 {
        0 => {
            let u = format!(
                "{}-{}-4{}-a{}-{}",
                rng.chars(8, HEX),
                rng.chars(4, HEX),
                rng.chars(3, HEX),
                rng.chars(3, HEX),
                rng.chars(12, HEX)
            );
            (("uuid", u), "request_id={}")
        }
        1 => (("version", format!("v{}.{}.{}", rng.below(20), rng.below(50), rng.below(100))), "build {}"),
        2 => (("commit", rng.chars(if n.is_multiple_of(3) { 7 } else { 40 }, HEX)), "commit {}"),
        3 => (("duration", format!("{}ms", rng.below(5000))), "took {}"),
        4 => (
            (
                "pod",
                format!(
                    "api-{}-{}",
                    rng.chars(9, b"bcdfghjklmnpqrstvwxz2456789"),
                    rng.chars(5, b"bcdfghjklmnpqrstvwxz2456789")
                ),
            ),
            "pod {}",
        ),
        5 => (("host:port", rng.pick(&HOSTS).to_string()), "via {}"),
        6 => (("number", format!("1{}", rng.digits(12))), "offset {}"),
        7 => (
            (
                "date",
                format!(
                    "2024-{:02}-{:02} {:02}:{:02}:{:02}",
                    1 + rng.below(12),
                    1 + rng.below(28),
                    rng.below(24),
                    rng.below(60),
                    rng.below(60)
                ),
            ),
            "since {}",
        ),
        8 => (("digest", format!("sha256:{}", rng.chars(64, HEX))), "image {}"),
        9 => (
            (
                "semver",
                format!(
                    "{}.{}.{}-rc.{}+build.{}",
                    rng.below(10),
                    rng.below(30),
                    rng.below(30),
                    rng.below(9),
                    rng.below(999)
                ),
            ),
            "release {}",
        ),
        _ => (("trace", rng.chars(32, HEX)), "trace={}"),
    }
}

/// A Luhn-valid card number of a known issuer, with or without separators.
fn card(rng: &mut Rng, i: usize) -> String {
    let (prefix, len) = [("4", 16), ("51", 16), ("55", 16), ("37", 15), ("6011", 16), ("2221", 16)][i % 6];
    let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    while digits.len() < len - 1 {
        digits.push(rng.below(10) as u32);
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            if k.is_multiple_of(2) {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    let plain: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect();
    match i % 3 {
        0 => plain,
        sep => {
            let sep = if sep == 1 { " " } else { "-" };
            plain.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(sep)
        }
    }
}

/// A valid German or British IBAN, compact or in groups of four.
fn iban(rng: &mut Rng, i: usize) -> String {
    let (country, bban) = if i.is_multiple_of(2) {
        ("DE", rng.digits(18))
    } else {
        ("GB", format!("{}{}", rng.chars(4, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"), rng.digits(14)))
    };
    let rearranged = format!("{bban}{country}00");
    let rem = rearranged.chars().fold(0u64, |r, c| {
        let v = c.to_digit(36).unwrap_or(0) as u64;
        if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        }
    });
    let compact = format!("{country}{:02}{bban}", 98 - rem);
    if i % 4 < 2 {
        compact
    } else {
        compact.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
    }
}
