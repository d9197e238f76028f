//! Signals: what the correlator groups, made from anomalies, log findings and alerts.

use crate::detect::{Anomaly, Direction};
use crate::error::{Error, ErrorCode, Result};
use crate::logs::analyze::{Finding, FindingKind};
use crate::logs::time;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Labels, by name.
pub type Labels = BTreeMap<String, String>;

/// Where a signal came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A metric anomaly from `detect`.
    Anomaly,
    /// A log finding from `logs_analyze`.
    Log,
    /// An external alert (Alertmanager).
    Alert,
}

/// One signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Stable id: kind, name, labels and start.
    pub id: String,
    /// Where it came from.
    pub kind: SignalKind,
    /// Series name, alert name or log template.
    pub name: String,
    /// Its labels.
    pub labels: Labels,
    /// Start, ms since epoch.
    pub start_ms: i64,
    /// End (or last seen), ms since epoch.
    pub end_ms: i64,
    /// Strength in [0, 1]: anomaly severity and score, alert severity, 1 for an error log.
    pub strength: f64,
    /// Whether it reports an error (an error log, a firing critical alert).
    pub error: bool,
    /// One line for people (and for the rule book).
    pub text: String,
}

impl Signal {
    /// The service this signal belongs to: label `service`, else `app`, `job`, `container`,
    /// `pod` or `instance`.
    pub fn service(&self) -> Option<&str> {
        service_of(&self.labels)
    }
}

/// The service named by labels (see [`Signal::service`]).
pub fn service_of(labels: &Labels) -> Option<&str> {
    ["service", "app", "job", "container", "pod", "instance"].iter().find_map(|k| labels.get(*k)).map(String::as_str)
}

fn signal_id(kind: SignalKind, name: &str, labels: &Labels, start_ms: i64) -> String {
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let kind = match kind {
        SignalKind::Anomaly => "anomaly",
        SignalKind::Log => "log",
        SignalKind::Alert => "alert",
    };
    format!("{kind}:{name}{{{}}}@{start_ms}", labels.join(","))
}

/// An anomaly of series `series` with `labels`.
pub fn from_anomaly(series: &str, labels: &Labels, a: &Anomaly) -> Signal {
    let band = (a.actual - a.expected).abs() / a.expected.abs().max(1e-9);
    let strength = ((0.5 * a.score + 0.5 * (band / (1.0 + band))).clamp(0.0, 1.0) * 1e4).round() / 1e4;
    let side = if a.direction == Direction::Above { "above" } else { "below" };
    Signal {
        id: signal_id(SignalKind::Anomaly, series, labels, a.start_ms),
        kind: SignalKind::Anomaly,
        name: series.to_string(),
        labels: labels.clone(),
        start_ms: a.start_ms,
        end_ms: a.end_ms,
        strength,
        error: false,
        text: format!("{series} {side} normal: {:.4} against {:.4} expected ({:?})", a.actual, a.expected, a.severity)
            .to_ascii_lowercase(),
    }
}

/// A log finding with `labels`; its time is `time_ms`, else the timestamp of its event.
pub fn from_finding(labels: &Labels, f: &Finding, time_ms: Option<i64>) -> Result<Signal> {
    let head = f.event.lines().next().unwrap_or_default();
    let start_ms = time_ms.or_else(|| time::to_ms(head)).ok_or_else(|| {
        Error::in_field(
            ErrorCode::InvalidOption,
            "logs.time_ms",
            format!("no time given and none in the event {head:?}"),
        )
    })?;
    let error = f.kind == FindingKind::Error;
    Ok(Signal {
        id: signal_id(SignalKind::Log, &f.template, labels, start_ms),
        kind: SignalKind::Log,
        name: f.template.clone(),
        labels: labels.clone(),
        start_ms,
        end_ms: start_ms,
        strength: if error { 1.0 } else { 0.5 },
        error,
        text: head.to_string(),
    })
}

/// The alerts of one Alertmanager webhook payload (`{"alerts": [{"status", "labels",
/// "annotations", "startsAt", "endsAt"}, ...]}`), resolved ones included.
pub fn from_alertmanager(payload: &Value) -> Result<Vec<Signal>> {
    let alerts = payload.get("alerts").and_then(Value::as_array).ok_or_else(|| {
        Error::in_field(ErrorCode::MalformedRequest, "alerts", "an Alertmanager payload needs an \"alerts\" array")
    })?;
    let common = labels_of(payload.get("commonLabels"));
    alerts
        .iter()
        .map(|alert| {
            let mut labels = common.clone();
            labels.extend(labels_of(alert.get("labels")));
            let name = labels.get("alertname").cloned().unwrap_or_else(|| "alert".into());
            let start_ms = alert.get("startsAt").and_then(Value::as_str).and_then(time::to_ms).ok_or_else(|| {
                Error::in_field(ErrorCode::MalformedRequest, "alerts", format!("alert {name:?} has no valid startsAt"))
            })?;
            let end_ms = alert
                .get("endsAt")
                .and_then(Value::as_str)
                .and_then(time::to_ms)
                .filter(|&e| e >= start_ms)
                .unwrap_or(start_ms);
            let severity = labels.get("severity").cloned().unwrap_or_else(|| "warning".into());
            let strength = match severity.as_str() {
                "critical" | "page" => 1.0,
                "warning" => 0.6,
                _ => 0.3,
            };
            let annotations = labels_of(alert.get("annotations"));
            let about: Vec<&str> = ["summary", "description", "message"]
                .iter()
                .filter_map(|k| annotations.get(*k))
                .map(String::as_str)
                .collect();
            labels.remove("alertname");
            Ok(Signal {
                id: signal_id(SignalKind::Alert, &name, &labels, start_ms),
                kind: SignalKind::Alert,
                name: name.clone(),
                start_ms,
                end_ms,
                strength,
                error: strength >= 1.0,
                text: format!("alert {name} ({severity}): {}", about.join(" "))
                    .trim_end_matches([':', ' '])
                    .to_string(),
                labels,
            })
        })
        .collect()
}

fn labels_of(value: Option<&Value>) -> Labels {
    // Inserted one by one: `collect` into a map compiles a sort of the pairs, which a JSON
    // object's keys do not need.
    let mut labels = Labels::new();
    if let Some(object) = value.and_then(Value::as_object) {
        labels.extend(object.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))));
    }
    labels
}
