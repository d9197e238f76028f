//! One log line into its parts: timestamp, level, logger and message, with no per-format
//! configuration. Recognised: JSON lines (common field names), logfmt, nginx/Apache access
//! logs, klog, syslog, and plain text with a header of timestamps, ids, a level and a logger
//! (`2024-01-15 10:00:00,123 ERROR [main] com.acme.Db - message`).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Severity of a line, from its level field (or an HTTP status for access logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// TRACE, DEBUG.
    Debug,
    /// INFO, NOTICE.
    Info,
    /// WARN, WARNING.
    Warn,
    /// ERROR, ERR, SEVERE, HTTP 5xx.
    Error,
    /// FATAL, CRITICAL, PANIC, EMERG, ALERT.
    Fatal,
}

impl Level {
    /// The level a word names (any case, brackets and a trailing colon ignored).
    pub fn from_word(word: &str) -> Option<Self> {
        if word.len() > 10 || !word.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b"[<(".contains(&b)) {
            return None;
        }
        let w = word.trim_matches(|c| matches!(c, '[' | ']' | '<' | '>' | ':' | '(' | ')'));
        let mut buf = [0u8; 8];
        if w.is_empty() || w.len() > buf.len() {
            return None;
        }
        for (b, c) in buf.iter_mut().zip(w.bytes()) {
            *b = c.to_ascii_uppercase();
        }
        Some(match &buf[..w.len()] {
            b"TRACE" | b"DEBUG" | b"DBG" | b"FINE" | b"FINER" | b"FINEST" => Self::Debug,
            b"INFO" | b"NOTICE" | b"INF" => Self::Info,
            b"WARN" | b"WARNING" | b"WRN" => Self::Warn,
            b"ERROR" | b"ERR" | b"SEVERE" | b"EROR" => Self::Error,
            b"FATAL" | b"CRITICAL" | b"CRIT" | b"PANIC" | b"EMERG" | b"ALERT" => Self::Fatal,
            _ => return None,
        })
    }
}

/// A parsed line; `message` borrows from the line unless it came out of a JSON string.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    /// The timestamp text, if the line has one.
    pub timestamp: Option<Cow<'a, str>>,
    /// The level, if the line has one.
    pub level: Option<Level>,
    /// The logger, component or program, if found.
    pub logger: Option<&'a str>,
    /// The free-text message.
    pub message: Cow<'a, str>,
}

impl<'a> Line<'a> {
    fn text(message: &'a str) -> Self {
        Self { timestamp: None, level: None, logger: None, message: message.trim().into() }
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Splits one line (without its line ending) into header fields and message.
pub fn parse(line: &str) -> Line<'_> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('{') {
        if let Some(parsed) = json(trimmed) {
            return parsed;
        }
    }
    if let Some(parsed) = klog(trimmed).or_else(|| access_log(trimmed)).or_else(|| logfmt(trimmed)) {
        return parsed;
    }
    header(trimmed)
}

/// The fields of a JSON line, found by their common names.
fn json(line: &str) -> Option<Line<'_>> {
    let value: serde_json::Map<String, serde_json::Value> = crate::decode::from_str(line).ok()?;
    let field = |names: &[&str]| names.iter().find_map(|n| value.get(*n)).and_then(|v| v.as_str()).map(str::to_string);
    let message = field(&["msg", "message", "log", "text", "event", "@message"])?;
    let level =
        field(&["level", "severity", "lvl", "loglevel", "log.level", "levelname"]).and_then(|l| Level::from_word(&l));
    let status_error = value.get("status").and_then(|s| s.as_u64()).is_some_and(|s| s >= 500);
    let timestamp = ["time", "timestamp", "ts", "@timestamp", "t"].iter().find_map(|k| match value.get(*k)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    Some(Line {
        timestamp: timestamp.map(Cow::Owned),
        level: level.or(status_error.then_some(Level::Error)),
        logger: None,
        message: message.trim().to_string().into(),
    })
}

/// `logfmt`: `time=… level=error msg="…" k=v`.
fn logfmt(line: &str) -> Option<Line<'_>> {
    if !line.bytes().take_while(|&b| b != b' ').any(|b| b == b'=') {
        return None;
    }
    let (mut message, mut level, mut timestamp) = (None, None, None);
    let mut rest = line;
    let mut pairs = 0;
    while let Some(eq) = rest.find('=') {
        let key = &rest[..eq];
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
            return None;
        }
        let after = &rest[eq + 1..];
        let (value, next) = match after.strip_prefix('"') {
            Some(q) => {
                let close = q.find('"')?;
                (&q[..close], &q[close + 1..])
            }
            None => after.split_at(after.find(' ').unwrap_or(after.len())),
        };
        pairs += 1;
        match key {
            "msg" | "message" => message = Some(value),
            "level" | "lvl" | "severity" => level = Level::from_word(value),
            "time" | "ts" | "timestamp" | "t" => timestamp = Some(value),
            _ => {}
        }
        rest = next.trim_start();
    }
    (pairs >= 2 && rest.is_empty()).then_some(())?;
    Some(Line { timestamp: timestamp.map(Cow::Borrowed), level, logger: None, message: message?.into() })
}

/// Kubernetes `klog`: `E0115 10:00:00.123456   12345 file.go:123] message`.
fn klog(line: &str) -> Option<Line<'_>> {
    let b = line.as_bytes();
    let level = match b.first()? {
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' => Level::Fatal,
        _ => return None,
    };
    if b.len() < 6 || !b[1..5].iter().all(u8::is_ascii_digit) || b[5] != b' ' {
        return None;
    }
    let close = line.find("] ")?;
    let header = &line[..close];
    let source = header.rsplit(' ').next()?;
    source.contains(':').then(|| Line {
        timestamp: line.get(1..close.min(20)).map(Cow::Borrowed),
        level: Some(level),
        logger: Some(source),
        message: line[close + 2..].trim().into(),
    })
}

/// nginx/Apache access log: `host - user [date] "GET /x HTTP/1.1" 503 12 …`; the message is the
/// request onwards and the level comes from the status.
fn access_log(line: &str) -> Option<Line<'_>> {
    let b = line.as_bytes();
    let mut spaces = b.iter().enumerate().filter(|(_, &c)| c == b' ').map(|(k, _)| k);
    let open = spaces.nth(2)?;
    if b.get(open + 1) != Some(&b'[') {
        return None;
    }
    let close = open + line[open..].find("] \"")?;
    let message = &line[close + 2..];
    let after_request = message[1..].find('"').map(|q| &message[q + 2..])?;
    let status: u16 = after_request.split_whitespace().next()?.parse().ok()?;
    let level = match status {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    Some(Line {
        timestamp: Some(Cow::Borrowed(&line[open + 2..close])),
        level: Some(level),
        logger: None,
        message: message.into(),
    })
}

/// Whether a header token is a date, a time or a number (`2015-07-29`, `17:41:44,747`, `081109`).
fn is_time_like(token: &str) -> bool {
    let b = token.as_bytes();
    b.first().is_some_and(u8::is_ascii_digit)
        && b.iter().all(|&c| c.is_ascii_digit() || b"-/:.,TZ+".contains(&c))
        && b.iter().filter(|c| c.is_ascii_digit()).count() * 2 >= b.len()
}

/// Whether a token can sit in a header before the level: a time, a number, an id with digits,
/// an upper-case word, a bracketed group or a dash.
fn is_header_like(token: &str) -> bool {
    is_time_like(token)
        || token == "-"
        || token.starts_with('[') && token.ends_with(']')
        || token.bytes().any(|b| b.is_ascii_digit()) && !token.contains(['=', '/', '(', '\''])
        || token.len() >= 2 && token.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

/// A logger or component: `dfs.DataNode$PacketResponder:`, `com.acme.Db`.
fn is_logger(token: &str) -> bool {
    let core = token.trim_end_matches(':');
    !core.is_empty()
        && (core.contains('.') || core.contains('$'))
        && core.bytes().all(|b| b.is_ascii_alphanumeric() || b"._$-".contains(&b))
        && core.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
}

/// Tokens with their byte offsets; a `[` group runs to its matching `]`, spaces included.
fn tokens(line: &str, limit: usize) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < limit {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        if b[i] == b'[' {
            let mut depth = 0;
            while i < b.len() {
                match b[i] {
                    b'[' => depth += 1,
                    b']' => depth -= 1,
                    _ => {}
                }
                i += 1;
                if depth == 0 {
                    break;
                }
            }
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
        } else {
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
        }
        out.push((start, i));
    }
    out
}

/// Plain text: finds where the header ends without knowing the format.
fn header(line: &str) -> Line<'_> {
    let toks = tokens(line, 12);
    let tok = |k: usize| toks.get(k).map(|&(s, e)| &line[s..e]);
    let rest_from = |k: usize| toks.get(k).map_or("", |&(s, _)| &line[s..]);
    let time_end = toks
        .iter()
        .position(|&(s, e)| {
            let t = &line[s..e];
            !(is_time_like(t) || MONTHS.contains(&t) || DAYS.contains(&t) || is_bracketed_time(t))
        })
        .unwrap_or(toks.len());
    let timestamp = (time_end > 0).then(|| Cow::Borrowed(&line[toks[0].0..toks[time_end - 1].1]));
    let syslog = tok(0).is_some_and(|t| MONTHS.contains(&t));
    let mut level_at = None;
    for (k, &(s, e)) in toks.iter().enumerate() {
        let t = &line[s..e];
        if Level::from_word(t).is_some() {
            level_at = Some(k);
            break;
        }
        if !(k < time_end || is_header_like(t)) {
            break;
        }
    }
    if let Some(level_at) = level_at {
        if level_at > 0 || toks.len() > 1 {
            let level = tok(level_at).and_then(Level::from_word);
            let mut k = level_at + 1;
            let mut logger = None;
            if let Some(dash) = (k..(k + 4).min(toks.len())).find(|&j| tok(j) == Some("-")) {
                if (k..dash).all(|j| tok(j).is_some_and(|t| t.starts_with('[') || is_logger(t))) {
                    logger = (dash > k).then(|| &line[toks[k].0..toks[dash - 1].1]);
                    k = dash + 1;
                }
            } else if tok(k).is_some_and(|t| t.ends_with(':') && is_logger(t)) {
                logger = tok(k).map(|t| t.trim_end_matches(':'));
                k += 1;
            }
            return Line { timestamp, level, logger, message: rest_from(k).trim().into() };
        }
    }
    if timestamp.is_some() {
        let mut k = time_end;
        if syslog && tok(k + 1).is_some_and(|t| t.ends_with(':')) {
            k += 1;
        }
        if tok(k).is_some_and(|t| t.ends_with(':') && !t.contains("://")) {
            let logger = tok(k).map(|t| t.trim_end_matches(':'));
            return Line { timestamp, level: None, logger, message: rest_from(k + 1).trim().into() };
        }
        if let Some(dash) = (k + 1..(k + 3).min(toks.len())).find(|&j| tok(j) == Some("-")) {
            let logger = Some(&line[toks[k].0..toks[dash - 1].1]);
            return Line { timestamp, level: None, logger, message: rest_from(dash + 1).trim().into() };
        }
        return Line { timestamp, level: None, logger: None, message: rest_from(k).trim().into() };
    }
    Line::text(line)
}

/// `[Sun Dec 04 04:47:44 2005]` or `[10.30 16:49:06]`.
fn is_bracketed_time(token: &str) -> bool {
    let Some(inner) = token.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else { return false };
    let mut words = inner.split(' ').filter(|w| !w.is_empty()).peekable();
    words.peek().is_some() && words.all(|w| is_time_like(w) || MONTHS.contains(&w) || DAYS.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(line: &str) -> (Option<Level>, String) {
        let l = parse(line);
        (l.level, l.message.into_owned())
    }

    #[test]
    fn headers_are_found_without_a_format() {
        let cases = [
            (
                "2024-01-15 10:00:00,123 ERROR [main] com.acme.Db - Connection lost",
                Some(Level::Error),
                "Connection lost",
            ),
            ("2024-01-15T10:00:00Z WARN  svc.Worker: queue is full", Some(Level::Warn), "queue is full"),
            ("240115 100000 42 INFO a.b.C: started 3 workers", Some(Level::Info), "started 3 workers"),
            ("Jan  5 10:00:00 host-1 sshd[881]: Accepted publickey for bob", None, "Accepted publickey for bob"),
            ("[Mon Jan 15 10:00:00 2024] [error] child died", Some(Level::Error), "child died"),
            ("[01.15 10:00:00] app.exe - connect to x:80 failed", None, "connect to x:80 failed"),
            ("E0115 10:00:00.123456   12345 pod.go:42] Back-off restarting", Some(Level::Error), "Back-off restarting"),
            (r#"{"ts":1,"level":"error","msg":"db down","service":"api"}"#, Some(Level::Error), "db down"),
            (r#"time=2024-01-15T10:00:00Z level=warn msg="slow query" ms=950"#, Some(Level::Warn), "slow query"),
            (
                r#"10.0.0.1 - - [15/Jan/2024:10:00:00 +0000] "GET /api HTTP/1.1" 503 12"#,
                Some(Level::Error),
                r#""GET /api HTTP/1.1" 503 12"#,
            ),
            ("just a message", None, "just a message"),
        ];
        for (line, level, message) in cases {
            assert_eq!(msg(line), (level, message.to_string()), "{line}");
        }
    }
}
