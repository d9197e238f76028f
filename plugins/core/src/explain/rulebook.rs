//! The offline rule book: matches evidence lines against the [`families`] catalogue and
//! answers in the same structured form as an LLM, saying that it is the rule book speaking.

use super::families::{families, Family};
use super::target::{what_listens, Target};
use super::{Command, Explanation, Source};
use serde::{Deserialize, Serialize};

/// Weight of a pattern match; hints weigh 1.
const PATTERN_WEIGHT: f64 = 3.0;

/// Evidence lines at most quoted per match.
const MAX_EVIDENCE: usize = 4;

/// A line the rule book reads: a log event, an alert's name and text, an anomaly's summary.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceLine {
    /// The text.
    pub text: String,
    /// The service it came from, if known.
    pub service: Option<String>,
    /// How much it counts (1 for an ordinary line; more at a likely root cause or for errors).
    pub weight: f64,
}

/// One family that matched, and why.
#[derive(Debug, Clone)]
pub struct Match {
    /// The family.
    pub family: &'static Family,
    /// Its score.
    pub score: f64,
    /// The lines that matched, best first.
    pub evidence: Vec<String>,
    /// The service of the best line.
    pub service: Option<String>,
    /// The address the best lines name.
    pub target: Option<Target>,
}

/// A family and its score, for the alternatives of an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// Family id.
    pub family: String,
    /// Score (sum of weighted pattern matches).
    pub score: f64,
}

/// The family ids, in catalogue order.
pub fn family_ids() -> impl Iterator<Item = &'static str> {
    families().iter().map(|f| f.id)
}

/// Every family that matches `lines`, best first (ties by catalogue order).
pub fn rank(lines: &[EvidenceLine]) -> Vec<Match> {
    let lowered: Vec<String> = lines.iter().map(|l| l.text.to_ascii_lowercase()).collect();
    let mut matches: Vec<Match> = families().iter().filter_map(|family| score(family, lines, &lowered)).collect();
    crate::order::sort_by(&mut matches, |a, b| b.score.total_cmp(&a.score));
    matches
}

/// How well `family` matches: each distinct pattern counts once, by the heaviest line holding
/// it, a little more when it repeats.
fn score(family: &'static Family, lines: &[EvidenceLine], lowered: &[String]) -> Option<Match> {
    let mut total = 0.0;
    let mut hits: Vec<(f64, usize)> = Vec::new();
    let weighted = family.patterns.iter().map(|p| (p, PATTERN_WEIGHT)).chain(family.hints.iter().map(|h| (h, 1.0)));
    for (pattern, weight) in weighted {
        let holding: Vec<usize> = (0..lines.len()).filter(|&i| lowered[i].contains(pattern)).collect();
        let Some(&best) = holding.iter().max_by(|&&a, &&b| lines[a].weight.total_cmp(&lines[b].weight).then(b.cmp(&a)))
        else {
            continue;
        };
        total += weight * lines[best].weight * (1.0 + 0.25 * libm::log(holding.len() as f64));
        if weight == PATTERN_WEIGHT {
            hits.extend(holding.iter().map(|&i| (lines[i].weight, i)));
        }
    }
    if hits.is_empty() {
        return None;
    }
    if family.symptom {
        total *= 0.5;
    }
    crate::order::sort_by(&mut hits, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.dedup_by_key(|h| h.1);
    let best = hits[0].1;
    let target = hits.iter().find_map(|&(_, i)| Target::find(&lines[i].text, family.id == "dns_resolution_failure"));
    Some(Match {
        family,
        score: total,
        evidence: hits.iter().take(MAX_EVIDENCE).map(|&(_, i)| lines[i].text.clone()).collect(),
        service: lines[best].service.clone(),
        target,
    })
}

/// The rule book's answer for `lines`, or `None` when no family matches.
pub fn explain(lines: &[EvidenceLine]) -> Option<Explanation> {
    let matches = rank(lines);
    let top = matches.first()?;
    let prose = |text: &str| capitalised(&fill(text, top));
    let runner_up = matches.get(1).map_or(0.0, |m| m.score);
    let margin = (top.score - runner_up) / top.score;
    let confidence = (0.45 + 0.45 * margin).min(0.9);
    let cause = prose(top.family.cause);
    Some(Explanation {
        source: Source::RuleBook,
        family: Some(top.family.id.to_string()),
        summary: format!("Offline rule book, signature \"{}\": {cause}", top.family.title),
        probable_cause: cause,
        evidence: top.evidence.clone(),
        suggested_fix: prose(top.family.fix),
        commands: top.family.commands.iter().map(|c| Command::new(fill(c, top))).collect(),
        confidence: (confidence * 100.0).round() / 100.0,
        alternatives: matches
            .iter()
            .take(3)
            .map(|m| Ranked { family: m.family.id.to_string(), score: (m.score * 100.0).round() / 100.0 })
            .collect(),
    })
}

/// Fills the `{target}`, `{host}`, `{port}`, `{what}` and `{service}` slots of a text.
fn fill(text: &str, m: &Match) -> String {
    let service = m.service.as_deref().unwrap_or("the application");
    let (target, host, port) = match &m.target {
        Some(t) => (t.to_string(), t.host.clone(), t.port.map_or("<port>".to_string(), |p| p.to_string())),
        None => ("the dependency".to_string(), "<host>".to_string(), "<port>".to_string()),
    };
    let what = m.target.as_ref().map_or("the dependency", what_listens);
    text.replace("{target}", &target)
        .replace("{host}", &host)
        .replace("{port}", &port)
        .replace("{what}", what)
        .replace("{service}", service)
}

/// The text with its first letter upper-cased when it is an ASCII letter (the rule book's own
/// words are; a service name starting with another letter stays as written, which keeps the
/// Unicode upper-case tables, about 14 KB, out of `corridor.wasm`).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase()).chain(chars).collect(),
        None => String::new(),
    }
}
