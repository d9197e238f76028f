//! Grouping signals into incidents, incrementally.

use super::rank::{rank, Candidate};
use super::signal::{service_of, Signal};
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Grouping settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorrelateOptions {
    /// A signal joins an incident when it starts within this many seconds of the incident's
    /// last signal (default 600).
    #[serde(default = "default_window")]
    pub window_s: f64,
    /// An incident with no new signal for this long closes (default 3600).
    #[serde(default = "default_close_after")]
    pub close_after_s: f64,
}

fn default_window() -> f64 {
    600.0
}

fn default_close_after() -> f64 {
    3600.0
}

impl Default for CorrelateOptions {
    fn default() -> Self {
        Self { window_s: default_window(), close_after_s: default_close_after() }
    }
}

impl CorrelateOptions {
    /// Fails on a window or close time that is not a positive number of seconds.
    pub fn validate(&self) -> Result<()> {
        for (field, v) in [("options.window_s", self.window_s), ("options.close_after_s", self.close_after_s)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::in_field(ErrorCode::InvalidOption, field, "must be a positive number of seconds"));
            }
        }
        Ok(())
    }
}

/// Which service depends on which: `{"web": ["api"], "api": ["db"]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DependencyGraph {
    /// Each service and the services it calls.
    #[serde(default)]
    pub depends_on: BTreeMap<String, Vec<String>>,
}

impl DependencyGraph {
    /// Whether `a` depends on `b`, directly or through others.
    pub fn reaches(&self, a: &str, b: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut todo = vec![a];
        while let Some(s) = todo.pop() {
            for next in self.depends_on.get(s).into_iter().flatten() {
                if next == b {
                    return true;
                }
                if seen.insert(next.as_str()) {
                    todo.push(next);
                }
            }
        }
        false
    }

    /// Whether `a` and `b` are linked either way.
    pub fn linked(&self, a: &str, b: &str) -> bool {
        self.reaches(a, b) || self.reaches(b, a)
    }
}

/// Whether an incident is still taking signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Taking new signals.
    Open,
    /// No signal for `close_after_s`.
    Closed,
}

/// One incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Id, `inc-1`, `inc-2`, ... in order of opening.
    pub id: String,
    /// Open or closed.
    pub status: IncidentStatus,
    /// Start of its first signal, ms.
    pub start_ms: i64,
    /// Latest start or end of its signals, ms.
    pub last_ms: i64,
    /// Services involved, sorted.
    pub services: Vec<String>,
    /// Its signals in time order: the timeline.
    pub members: Vec<Signal>,
    /// Root-cause candidates, most likely first.
    pub root_causes: Vec<Candidate>,
}

/// The correlator's state: the incidents so far and the ids (with start times) of the signals
/// seen within the last `close_after_s + window_s`; older ids are forgotten, so the state stays
/// bounded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Correlator {
    incidents: Vec<Incident>,
    next_id: u64,
    seen: BTreeMap<String, i64>,
}

/// How strongly a signal relates to an incident: 0 none, 1 weak (namespace, job), 2 strong.
fn relation(signal: &Signal, incident: &Incident, graph: &DependencyGraph) -> u8 {
    let shares = |key: &str| {
        signal.labels.get(key).is_some_and(|v| incident.members.iter().any(|m| m.labels.get(key) == Some(v)))
    };
    let service = signal.service();
    let linked = service.is_some_and(|s| incident.services.iter().any(|o| o == s || graph.linked(s, o)));
    if linked || ["service", "pod", "instance"].iter().any(|k| shares(k)) {
        2
    } else if ["namespace", "job"].iter().any(|k| shares(k)) {
        1
    } else {
        0
    }
}

impl Correlator {
    /// The incidents, oldest first.
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    /// Adds signals (in any order; ones already seen are skipped), closes quiet incidents and
    /// re-ranks the incidents that changed. Incidents closed by an earlier call are dropped.
    pub fn add(&mut self, mut signals: Vec<Signal>, graph: &DependencyGraph, options: &CorrelateOptions) {
        let window_ms = (options.window_s * 1000.0) as i64;
        let close_ms = (options.close_after_s * 1000.0) as i64;
        self.incidents.retain(|i| i.status == IncidentStatus::Open);
        crate::order::sort_by(&mut signals, |a, b| (a.start_ms, &a.id).cmp(&(b.start_ms, &b.id)));
        let mut touched = BTreeSet::new();
        for signal in signals {
            if self.seen.insert(signal.id.clone(), signal.start_ms).is_some() {
                continue;
            }
            for incident in &mut self.incidents {
                if signal.start_ms - incident.last_ms > close_ms {
                    incident.status = IncidentStatus::Closed;
                }
            }
            let unlabelled = service_of(&signal.labels).is_none() && signal.labels.is_empty();
            let best = self
                .incidents
                .iter()
                .enumerate()
                .filter(|(_, i)| i.status == IncidentStatus::Open)
                .filter(|(_, i)| signal.start_ms >= i.start_ms - window_ms && signal.start_ms <= i.last_ms + window_ms)
                .map(|(k, i)| {
                    let gap = (signal.start_ms - i.last_ms).max(0);
                    let strength = match relation(&signal, i, graph) {
                        1 if gap <= window_ms / 3 => 1,
                        1 => 0,
                        r => r,
                    };
                    (k, if unlabelled { 1 } else { strength }, i.last_ms)
                })
                .filter(|&(_, strength, _)| strength > 0)
                .max_by_key(|&(k, strength, last)| (strength, last, std::cmp::Reverse(k)));
            let k = match best {
                Some((k, _, _)) => k,
                None => {
                    self.next_id += 1;
                    self.incidents.push(Incident {
                        id: format!("inc-{}", self.next_id),
                        status: IncidentStatus::Open,
                        start_ms: signal.start_ms,
                        last_ms: signal.start_ms,
                        services: Vec::new(),
                        members: Vec::new(),
                        root_causes: Vec::new(),
                    });
                    self.incidents.len() - 1
                }
            };
            let incident = &mut self.incidents[k];
            incident.last_ms = incident.last_ms.max(signal.end_ms).max(signal.start_ms);
            if let Some(s) = signal.service() {
                if let Err(at) = incident.services.binary_search_by(|x| x.as_str().cmp(s)) {
                    incident.services.insert(at, s.to_string());
                }
            }
            incident.members.push(signal);
            touched.insert(k);
        }
        for k in touched {
            let incident = &mut self.incidents[k];
            incident.root_causes = rank(&incident.members, graph);
        }
        if let Some(&latest) = self.seen.values().max() {
            let horizon = latest - close_ms - window_ms;
            self.seen.retain(|_, start| *start >= horizon);
        }
    }
}
