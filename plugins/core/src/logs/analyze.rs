//! What matters in a log: error events, templates never seen in the learned history, and
//! templates whose rate spikes against their own baseline (the [`crate::detect`] engine on
//! per-template counts). Each finding carries the normal lines before and after it,
//! deduplicated by template, and repeats of a finding are counted rather than listed.

use super::drain::{Miner, MinerOptions};
use super::event::{events, Event, MAX_LINE_BYTES};
use super::line::{self, Level};
use super::time;
use crate::detect::{Anomaly, DetectOptions, Detector, Direction};
use crate::error::{Error, ErrorCode, Result};
use crate::warning::{Warning, WarningCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Words that make an event an error whatever its level (matched without case), Kubernetes
/// event reasons of failures included (their level is only `Warning`).
pub const ERROR_WORDS: [&str; 21] = [
    "exception",
    "error",
    "refused",
    "timeout",
    "timed out",
    "panic",
    "oomkilled",
    "crashloopbackoff",
    "traceback",
    "fatal",
    "segfault",
    "segmentation fault",
    "out of memory",
    "unreachable",
    "evicted",
    "failedscheduling",
    "provisioningfailed",
    "failedmount",
    "imagepullbackoff",
    "errimagepull",
    "probe failed",
];

/// For each byte, the set (bit `k` for `ERROR_WORDS[k]`) of error words that start with it.
const WORDS_BY_FIRST_BYTE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut k = 0;
    while k < ERROR_WORDS.len() {
        table[ERROR_WORDS[k].as_bytes()[0] as usize] |= 1 << k;
        k += 1;
    }
    table
};

/// The first of [`ERROR_WORDS`] (in their order) that occurs in `lower`, ASCII lower-case text.
/// One pass over the text that tries only the words starting with each byte: as fast as
/// `str::contains` per word natively, several times faster in wasm, which has no SIMD search.
pub fn error_word(lower: &str) -> Option<&'static str> {
    let bytes = lower.as_bytes();
    let mut best = ERROR_WORDS.len();
    for i in 0..bytes.len() {
        let mut candidates = WORDS_BY_FIRST_BYTE[usize::from(bytes[i])] & ((1u32 << best) - 1);
        while candidates != 0 {
            let k = candidates.trailing_zeros() as usize;
            if bytes[i..].starts_with(ERROR_WORDS[k].as_bytes()) {
                best = k;
                break;
            }
            candidates &= candidates - 1;
        }
        if best == 0 {
            break;
        }
    }
    ERROR_WORDS.get(best).copied()
}

/// Most buckets per template for spikes.
pub const MAX_BUCKETS: usize = 10_000;

/// Analysis settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzeOptions {
    /// Normal lines kept before and after each finding (default 3, at most 100).
    #[serde(default = "default_context")]
    pub context: usize,
    /// Events that only teach the miner what is normal: no `new_template` finding for them
    /// (default 0; a `state` from an earlier call counts as learned history too).
    #[serde(default)]
    pub learn_events: usize,
    /// Width of the buckets counting each template for spikes, seconds; default: the span of the
    /// input over 100, at least one second.
    #[serde(default)]
    pub bucket_s: Option<f64>,
    /// Template miner settings.
    #[serde(default)]
    pub miner: MinerOptions,
}

fn default_context() -> usize {
    3
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self { context: default_context(), learn_events: 0, bucket_s: None, miner: MinerOptions::default() }
    }
}

/// Why an event matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An error by level or by content.
    Error,
    /// A template the learned history never had.
    NewTemplate,
    /// A template whose rate rose beyond its corridor.
    Spike,
}

/// A line of context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextLine {
    /// 1-based line number.
    pub line: usize,
    /// The event's text.
    pub text: String,
}

/// One finding: the first event of its kind and template, and how often it recurred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Why it matters.
    pub kind: FindingKind,
    /// A sentence for people.
    pub reason: String,
    /// 1-based line of the (first) event.
    pub line: usize,
    /// 1-based line of the last event of the same kind and template.
    pub last_line: usize,
    /// Events of this kind and template.
    pub count: usize,
    /// The level of the event, if it has one.
    pub level: Option<Level>,
    /// Template id in the miner.
    pub template_id: usize,
    /// Template text.
    pub template: String,
    /// The event, all its lines.
    pub event: String,
    /// The event's values at the template's wildcards.
    pub parameters: Vec<String>,
    /// Normal events before it, one per template, oldest first.
    pub before: Vec<ContextLine>,
    /// Normal events after it, one per template.
    pub after: Vec<ContextLine>,
    /// For a spike: the anomaly on the template's count per bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spike: Option<Anomaly>,
}

/// One template in the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateSummary {
    /// Template id.
    pub id: usize,
    /// Template text.
    pub template: String,
    /// Events in this input.
    pub count: usize,
    /// 1-based line of its first event in this input.
    pub first_line: usize,
    /// 1-based line of its last event in this input.
    pub last_line: usize,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Lines read.
    pub lines: usize,
    /// Events (multi-line events count once).
    pub events: usize,
    /// Findings: errors, new templates, spikes, by line.
    pub findings: Vec<Finding>,
    /// Templates seen in this input, most frequent first.
    pub templates: Vec<TemplateSummary>,
    /// Limits met (cut lines, invalid UTF-8).
    pub warnings: Vec<Warning>,
    /// The miner, to pass back with the next batch.
    pub state: Miner,
}

/// One event as analysed.
struct Parsed {
    event: Event,
    template: usize,
    level: Option<Level>,
    time_ms: Option<i64>,
    error: Option<String>,
}

/// Analyses a log given as bytes: invalid UTF-8 sequences become U+FFFD (counted in a warning).
pub fn analyze_bytes(bytes: &[u8], state: Option<Miner>, options: &AnalyzeOptions) -> Result<Analysis> {
    let text = String::from_utf8_lossy(bytes);
    let mut analysis = analyze(&text, state, options)?;
    if let std::borrow::Cow::Owned(_) = text {
        let genuine = bytes.windows(3).filter(|w| *w == [0xEF, 0xBF, 0xBD]).count();
        let bad = text.matches('\u{FFFD}').count() - genuine;
        analysis.warnings.push(Warning::new(
            WarningCode::InvalidUtf8,
            bad,
            format!("{bad} invalid UTF-8 sequences were replaced by U+FFFD"),
        ));
    }
    Ok(analysis)
}

/// Analyses a log: groups lines into events, mines templates (going on from `state` if given)
/// and returns the findings. An empty log gives no events and no findings.
pub fn analyze(text: &str, state: Option<Miner>, options: &AnalyzeOptions) -> Result<Analysis> {
    if options.context > 100 {
        return Err(Error::in_field(ErrorCode::InvalidOption, "options.context", "must be at most 100"));
    }
    if options.bucket_s.is_some_and(|b| !(b.is_finite() && b >= 0.001)) {
        return Err(Error::in_field(ErrorCode::InvalidOption, "options.bucket_s", "must be at least 0.001 s"));
    }
    let mut miner = match state {
        Some(mut m) => {
            m.reindex();
            m
        }
        None => Miner::new(options.miner)?,
    };
    let learned_before = miner.templates().len();
    let (events, cut) = events(text);
    let lines = text.lines().count();
    let mut parsed = Vec::with_capacity(events.len());
    let mut known = learned_before;
    for (k, event) in events.into_iter().enumerate() {
        let head = line::parse(event.head());
        let template = miner.add(&head.message);
        let error = error_reason(head.level, &event.text);
        let time_ms = head.timestamp.as_deref().and_then(time::to_ms);
        parsed.push(Parsed { level: head.level, template, time_ms, error, event });
        if k + 1 == options.learn_events {
            known = miner.templates().len();
        }
    }
    let has_history = learned_before > 0 || options.learn_events > 0;
    let mut findings: BTreeMap<(FindingKind, usize), Finding> = BTreeMap::new();
    for (k, p) in parsed.iter().enumerate() {
        if let Some(reason) = &p.error {
            record(&mut findings, &parsed, &miner, k, FindingKind::Error, reason.clone(), options.context, None);
        }
        if has_history && k >= options.learn_events && p.template >= known {
            let reason = "a template never seen in the learned history".to_string();
            record(&mut findings, &parsed, &miner, k, FindingKind::NewTemplate, reason, options.context, None);
        }
    }
    for (k, anomaly) in spikes(&parsed, miner.templates().len(), options.bucket_s)? {
        let reason = format!(
            "rate of this template rose to {:.0} per bucket against {:.1} expected",
            anomaly.actual, anomaly.expected
        );
        record(&mut findings, &parsed, &miner, k, FindingKind::Spike, reason, options.context, Some(anomaly));
    }
    let mut findings: Vec<Finding> = findings.into_values().collect();
    crate::order::sort_by_key(&mut findings, |f| (f.line, f.kind));
    let mut warnings = Vec::new();
    if cut > 0 {
        warnings.push(Warning::new(
            WarningCode::TruncatedLines,
            cut,
            format!("{cut} lines were longer than {MAX_LINE_BYTES} bytes and were cut"),
        ));
    }
    Ok(Analysis {
        lines,
        events: parsed.len(),
        templates: summaries(&parsed, &miner),
        findings,
        warnings,
        state: miner,
    })
}

/// Why an event is an error, if it is one: its level, or one of [`ERROR_WORDS`], or an HTTP
/// status of 500 or more.
fn error_reason(level: Option<Level>, text: &str) -> Option<String> {
    if let Some(l @ (Level::Error | Level::Fatal)) = level {
        return Some(format!("level {}", if l == Level::Fatal { "fatal" } else { "error" }));
    }
    if level == Some(Level::Debug) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    if let Some(word) = error_word(&lower) {
        return Some(format!("content: {word}"));
    }
    let mut prev = "";
    for token in lower.split_ascii_whitespace() {
        let status = strip_repeated(strip_repeated(token, "status="), "status:");
        let is_5xx = status.len() == 3 && status.starts_with('5') && status.bytes().all(|b| b.is_ascii_digit());
        if is_5xx {
            let after_http =
                prev.ends_with('"') || prev.starts_with("http/") || prev.contains("status") || prev == "code";
            if after_http || token.starts_with("status") {
                return Some(format!("HTTP {status}"));
            }
        }
        prev = token;
    }
    None
}

/// `text` without every leading repetition of `prefix` (`str::trim_start_matches`, without the
/// substring searcher it builds on every call).
fn strip_repeated<'a>(mut text: &'a str, prefix: &str) -> &'a str {
    while let Some(rest) = text.strip_prefix(prefix) {
        text = rest;
    }
    text
}

/// Adds event `k` to the finding of its kind and template, or opens that finding.
#[allow(clippy::too_many_arguments)]
fn record(
    findings: &mut BTreeMap<(FindingKind, usize), Finding>,
    parsed: &[Parsed],
    miner: &Miner,
    k: usize,
    kind: FindingKind,
    reason: String,
    context: usize,
    spike: Option<Anomaly>,
) {
    let p = &parsed[k];
    let line = p.event.line + 1;
    if let Some(f) = findings.get_mut(&(kind, p.template)) {
        f.count += 1;
        f.last_line = line;
        return;
    }
    let template = &miner.templates()[p.template];
    let message = line::parse(p.event.head()).message.into_owned();
    findings.insert(
        (kind, p.template),
        Finding {
            kind,
            reason,
            line,
            last_line: line,
            count: 1,
            level: p.level,
            template_id: p.template,
            template: template.text(),
            parameters: template.parameters(&message).into_iter().map(str::to_string).collect(),
            event: p.event.text.clone(),
            before: window(parsed, (0..k).rev(), context, p.template),
            after: window(parsed, k + 1..parsed.len(), context, p.template),
            spike,
        },
    );
}

/// Up to `context` normal events from `range`, one per template (not the finding's own),
/// looking at most ten times as far; in line order.
fn window(parsed: &[Parsed], range: impl Iterator<Item = usize>, context: usize, own: usize) -> Vec<ContextLine> {
    let mut seen = vec![own];
    let mut out = Vec::new();
    for j in range.take(context * 10) {
        if out.len() == context {
            break;
        }
        let q = &parsed[j];
        if q.error.is_none() && !seen.contains(&q.template) {
            seen.push(q.template);
            out.push(ContextLine { line: q.event.line + 1, text: q.event.text.clone() });
        }
    }
    crate::order::sort_by_key(&mut out, |c| c.line);
    out
}

/// Spikes of each template's count per time bucket, found by the detection engine, as
/// (first event of the template in the peak bucket, anomaly). Events without a timestamp
/// take the one before them; a log with no timestamps counts one event per second. Fewer than
/// 24 buckets give no spikes (too little history); more than [`MAX_BUCKETS`] is an error.
fn spikes(parsed: &[Parsed], templates: usize, bucket_s: Option<f64>) -> Result<Vec<(usize, Anomaly)>> {
    let mut times = Vec::with_capacity(parsed.len());
    let mut last = None;
    for (k, p) in parsed.iter().enumerate() {
        last = p.time_ms.or(last);
        times.push(last.unwrap_or(k as i64 * 1000));
    }
    let (Some(&start), Some(&end)) = (times.iter().min(), times.iter().max()) else { return Ok(Vec::new()) };
    let step = match bucket_s {
        Some(s) => (s * 1000.0).round() as i64,
        None => ((end - start) / 100).max(1000),
    }
    .max(1);
    let buckets = ((end - start) / step + 1) as usize;
    if buckets > MAX_BUCKETS {
        return Err(Error::in_field(
            ErrorCode::InvalidOption,
            "options.bucket_s",
            format!("{buckets} buckets would cover this log; at most {MAX_BUCKETS}: choose wider buckets"),
        ));
    }
    if buckets < 24 {
        return Ok(Vec::new());
    }
    let mut counts: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for (p, t) in parsed.iter().zip(&times) {
        counts.entry(p.template).or_insert_with(|| vec![0.0; buckets])[((t - start) / step) as usize] += 1.0;
    }
    let mut out = Vec::new();
    for (template, series) in counts.into_iter().filter(|(t, s)| *t < templates && s.iter().sum::<f64>() >= 10.0) {
        let mut detector = Detector::new(step, None, &DetectOptions::default())?;
        let mut anomalies = Vec::new();
        for (b, &x) in series.iter().enumerate() {
            detector.push(start + b as i64 * step, x, &mut anomalies);
        }
        detector.ongoing(&mut anomalies);
        for a in anomalies.into_iter().filter(|a| a.direction == Direction::Above) {
            let first = (0..parsed.len()).find(|&k| parsed[k].template == template && times[k] >= a.peak_ms);
            if let Some(k) = first {
                out.push((k, a));
            }
        }
    }
    crate::order::sort_by_key(&mut out, |(k, _)| *k);
    Ok(out)
}

/// Templates of this input with their counts and first and last lines, most frequent first.
fn summaries(parsed: &[Parsed], miner: &Miner) -> Vec<TemplateSummary> {
    let mut by_id: BTreeMap<usize, TemplateSummary> = BTreeMap::new();
    for p in parsed {
        let line = p.event.line + 1;
        by_id
            .entry(p.template)
            .and_modify(|s| {
                s.count += 1;
                s.last_line = line;
            })
            .or_insert_with(|| TemplateSummary {
                id: p.template,
                template: miner.templates()[p.template].text(),
                count: 1,
                first_line: line,
                last_line: line,
            });
    }
    let mut out: Vec<TemplateSummary> = by_id.into_values().collect();
    crate::order::sort_by_key(&mut out, |s| (std::cmp::Reverse(s.count), s.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, options: &AnalyzeOptions) -> Analysis {
        analyze(text, None, options).unwrap()
    }

    #[test]
    fn the_classic_case_is_one_error_with_context() {
        let log = "2024-01-15 10:00:00,000 INFO db: Connecting to database\n\
                   2024-01-15 10:00:01,000 INFO api: GET /health 200\n\
                   2024-01-15 10:00:02,000 ERROR db: ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'\n\
                   2024-01-15 10:00:02,100 WARNING db: Database health check failed. Retrying in 5s...\n\
                   2024-01-15 10:00:07,000 INFO db: Connected\n";
        let a = run(log, &AnalyzeOptions::default());
        assert_eq!((a.lines, a.events, a.findings.len()), (5, 5, 1));
        let f = &a.findings[0];
        assert_eq!((f.kind, f.line, f.level), (FindingKind::Error, 3, Some(Level::Error)));
        assert!(f.event.contains("Connection refused: 'db-prod-1:5432'"));
        assert_eq!(f.before.iter().map(|c| c.line).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(f.after[0].line, 4);
        assert!(f.after[0].text.contains("Database health check failed"));
    }

    #[test]
    fn errors_by_content_and_repeats_are_counted() {
        let log = "Jan 15 10:00:00 node-1 kubelet[12]: pod api-1 status OOMKilled\n\
                   Jan 15 10:00:01 node-1 kubelet[12]: pod api-2 status OOMKilled\n\
                   Jan 15 10:00:02 node-1 kubelet[12]: pod api-2 ready\n\
                   10.0.0.1 - - [15/Jan/2024:10:00:03 +0000] \"GET /x HTTP/1.1\" 502 0\n";
        let a = run(log, &AnalyzeOptions::default());
        let kinds: Vec<(usize, usize, &str)> =
            a.findings.iter().map(|f| (f.line, f.count, f.reason.as_str())).collect();
        assert_eq!(kinds, vec![(1, 2, "content: oomkilled"), (4, 1, "level error")]);
        assert_eq!(a.findings[0].parameters, vec!["api-1"]);
    }

    #[test]
    fn error_word_is_the_first_listed_word_present() {
        assert_eq!(error_word("connectionrefusederror: connection refused"), Some("error"));
        assert_eq!(error_word("upstream timed out, host unreachable"), Some("timed out"));
        assert_eq!(error_word("pod evicted"), Some("evicted"));
        assert_eq!(error_word("all good"), None);
        assert_eq!(error_word(""), None);
        for text in ["x probe failed", "errimagepull", "segmentation fault at 0x0", "exception: error"] {
            let listed = ERROR_WORDS.iter().find(|w| text.contains(*w)).copied();
            assert_eq!(error_word(text), listed, "{text}");
        }
    }

    #[test]
    fn kubernetes_failure_events_at_warning_level_are_errors() {
        let log = "2026-11-20T10:00:00Z INFO api ready\n\
                   2026-11-20T10:00:01Z Warning  Evicted  pod/api-5f  The node was low on resource: memory.\n\
                   2026-11-20T10:00:02Z Warning  FailedScheduling  pod/search-2  pod has unbound immediate PersistentVolumeClaims\n";
        let a = run(log, &AnalyzeOptions::default());
        let reasons: Vec<&str> = a.findings.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(reasons, vec!["content: evicted", "content: failedscheduling"]);
    }

    #[test]
    fn a_new_template_after_learning_is_flagged() {
        let mut log: String =
            (0..50).map(|i| format!("2024-01-15 10:00:{:02} INFO user u{i} logged in\n", i % 60)).collect();
        log.push_str("2024-01-15 10:01:00 INFO disk /dev/sda1 is 91% full\n");
        log.push_str("2024-01-15 10:01:01 INFO user u7 logged in\n");
        let options = AnalyzeOptions { learn_events: 50, ..Default::default() };
        let a = run(&log, &options);
        assert_eq!(a.findings.len(), 1);
        assert_eq!((a.findings[0].kind, a.findings[0].line), (FindingKind::NewTemplate, 51));
        let again = analyze("2024-01-15 10:02:00 INFO user u9 logged in\n", Some(a.state), &options).unwrap();
        assert!(again.findings.is_empty());
    }

    #[test]
    fn a_template_spike_is_flagged() {
        let mut log = String::new();
        for minute in 0..200 {
            let (h, m) = (10 + minute / 60, minute % 60);
            let misses = if minute == 150 { 60 } else { 1 + minute % 3 };
            for s in 0..misses {
                log.push_str(&format!("2024-01-15 {h:02}:{m:02}:{:02} INFO cache miss for key k{s}\n", s % 60));
            }
            log.push_str(&format!("2024-01-15 {h:02}:{m:02}:30 INFO heartbeat ok\n"));
        }
        let options = AnalyzeOptions { bucket_s: Some(60.0), ..Default::default() };
        let a = run(&log, &options);
        let spikes: Vec<&Finding> = a.findings.iter().filter(|f| f.kind == FindingKind::Spike).collect();
        assert_eq!(spikes.len(), 1, "{:?}", a.findings);
        assert_eq!(spikes[0].template, "cache miss for key <*>");
        assert!(spikes[0].spike.as_ref().is_some_and(|s| s.actual == 60.0));
    }

    #[test]
    fn random_lines_never_panic() {
        let alphabet: Vec<char> =
            "0123456789aZ :-[]{}\"=,.\t\nTraceback (most recent call last)panic: Jan ERROR".chars().collect();
        let text = crate::stats::random_text(&alphabet, 200_000, &mut 7);
        let a = run(&text, &AnalyzeOptions { learn_events: 10, ..Default::default() });
        assert!(a.events > 0);
    }

    #[test]
    fn bad_inputs_give_documented_results() {
        let empty = run("", &AnalyzeOptions::default());
        assert_eq!((empty.lines, empty.events, empty.findings.len()), (0, 0, 0));
        let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let a = analyze_bytes(&garbage, None, &AnalyzeOptions::default()).unwrap();
        assert!(a.warnings.iter().any(|w| w.code == WarningCode::InvalidUtf8 && w.count > 0));
        let long = format!("2024-01-15 10:00:00 ERROR {}\nnext line\n", "x ".repeat(5 * 1024 * 1024));
        let a = run(&long, &AnalyzeOptions::default());
        assert_eq!((a.events, a.findings.len()), (2, 1));
        assert!(a.warnings.iter().any(|w| w.code == WarningCode::TruncatedLines && w.count == 1));
        assert!(analyze("x", None, &AnalyzeOptions { context: 1000, ..Default::default() }).is_err());
        let long_span = "2024-01-15 10:00:00 INFO a\n2024-02-15 10:00:00 INFO b\n";
        assert!(analyze(long_span, None, &AnalyzeOptions { bucket_s: Some(1.0), ..Default::default() }).is_err());
    }
}
