//! Ranking the services of an incident as root-cause candidates, with the evidence.

use super::group::DependencyGraph;
use super::signal::{Signal, SignalKind};
use serde::{Deserialize, Serialize};

/// Weights of the four kinds of evidence.
const ONSET: f64 = 0.35;
const UPSTREAM: f64 = 0.3;
const ERRORS: f64 = 0.2;
const DEVIATION: f64 = 0.15;

/// One candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The service.
    pub service: String,
    /// Score in [0, 1].
    pub score: f64,
    /// Why, one sentence per piece of evidence.
    pub evidence: Vec<String>,
}

/// The candidates of an incident's members, most likely first (ties by name). Signals with no
/// service are not candidates.
pub fn rank(members: &[Signal], graph: &DependencyGraph) -> Vec<Candidate> {
    let mut services: Vec<&str> = members.iter().filter_map(Signal::service).collect();
    services.sort_unstable();
    services.dedup();
    let onset =
        |s: &str| members.iter().filter(|m| m.service() == Some(s)).map(|m| m.start_ms).min().unwrap_or(i64::MAX);
    let strength = |s: &str| members.iter().filter(|m| m.service() == Some(s)).map(|m| m.strength).fold(0.0, f64::max);
    let mut onsets: Vec<i64> = services.iter().map(|s| onset(s)).collect();
    onsets.sort_unstable();
    onsets.dedup();
    let strongest = services.iter().map(|s| strength(s)).fold(0.0, f64::max);
    let others = services.len().saturating_sub(1).max(1) as f64;
    let mut out: Vec<Candidate> = services
        .iter()
        .map(|&s| {
            let mut evidence = Vec::new();
            let first = onset(s);
            let place = onsets.iter().position(|&o| o == first).unwrap_or(0);
            let onset_score = 1.0 / (1.0 + place as f64);
            if place == 0 {
                evidence.push(format!("earliest onset in the incident (at {first} ms)"));
            } else {
                evidence.push(format!("onset {} s after the earliest", (first - onsets[0]) / 1000));
            }
            let dependents = services.iter().filter(|&&o| o != s && graph.reaches(o, s)).count();
            let depends = services.iter().any(|&o| o != s && graph.reaches(s, o));
            let upstream = dependents as f64 / others * if depends { 0.5 } else { 1.0 };
            if dependents > 0 {
                let end = if depends { ", though it depends on others in the incident" } else { "" };
                evidence.push(format!("{dependents} affected services depend on it{end}"));
            }
            let errors =
                members.iter().filter(|m| m.service() == Some(s) && m.kind == SignalKind::Log && m.error).count();
            if errors > 0 {
                evidence.push(format!("{errors} error log findings at this service"));
            }
            let deviation = if strongest > 0.0 { strength(s) / strongest } else { 0.0 };
            if deviation >= 1.0 {
                evidence.push("the strongest deviation in the incident".to_string());
            }
            let score =
                ONSET * onset_score + UPSTREAM * upstream + ERRORS * f64::from(errors > 0) + DEVIATION * deviation;
            Candidate { service: s.to_string(), score: (score * 1000.0).round() / 1000.0, evidence }
        })
        .collect();
    crate::order::sort_by(&mut out, |a, b| b.score.total_cmp(&a.score).then_with(|| a.service.cmp(&b.service)));
    out
}
