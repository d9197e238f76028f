//! The `explain` mode: runs each case of a folder (`<case>/logs.txt`, optional `metrics.csv`,
//! `alerts.json`, `graph.json`, and `expected.json`) through the whole pipeline — log analysis
//! per service, detection per metric series, `correlate`, then the rule book's `explain` — and
//! scores the rule book's top-1 and top-3 cause, the pairwise precision and recall of signals
//! grouped together, and the root cause at rank 1. `--families` lists the rule book's families.
//!
//! `logs.txt` lines are `<RFC 3339 time> [<service>] <the service's own line>`; metric series
//! are named `name{service="..."}`; signals of the `unrelated_services` listed in
//! `expected.json` belong to no incident of the case (each is its own group).

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_core::contract::{
    AnomalyInput, CorrelateRequest, DetectRequest, ExplainRequest, LogFindingInput, LogsInput, RequestTimeUnit, VERSION,
};
use corridor_core::explain::{families as catalogue, LogSource};
use corridor_core::incident::signal::Labels;
use corridor_core::incident::{DependencyGraph, Incident};
use corridor_core::logs::analyze::{analyze, AnalyzeOptions, FindingKind};
use corridor_core::ops;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a case expects.
#[derive(Deserialize)]
struct Expected {
    cause: String,
    root_service: String,
    #[serde(default)]
    unrelated_services: Vec<String>,
}

/// Pair counts for grouping precision and recall.
#[derive(Default)]
struct Pairs {
    together_both: usize,
    together_predicted: usize,
    together_truth: usize,
}

impl Pairs {
    /// Pairwise precision, recall and F1.
    fn scores(&self) -> (f64, f64, f64) {
        let precision = self.together_both as f64 / self.together_predicted.max(1) as f64;
        let recall = self.together_both as f64 / self.together_truth.max(1) as f64;
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        (precision, recall, f1)
    }
}

/// Prints the family ids and titles.
pub fn families() -> Result<(), String> {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["family", "title", "symptom"]);
    for f in catalogue() {
        table.add_row(vec![f.id, f.title, if f.symptom { "yes" } else { "" }]);
    }
    println!("{table}\n{} families", catalogue().len());
    Ok(())
}

/// Scores every case of `dir`; prints the table and the figures, writes them as JSON if asked.
pub fn run(dir: &Path, json_out: Option<&Path>) -> Result<(), String> {
    let (table, doc) = evaluate(dir)?;
    println!("{table}");
    let pct = |key: &str| 100.0 * doc[key].as_f64().unwrap_or_default();
    let num = |key: &str| doc[key].as_f64().unwrap_or_default();
    println!(
        "{} cases: rule book top-1 {:.1} %, top-3 {:.1} %; root cause at rank 1 {:.1} %\n\
         grouping, one case at a time: pairwise precision {:.3}, recall {:.3}, F1 {:.3}\n\
         grouping, two cases at once (each with the next): precision {:.3}, recall {:.3}, F1 {:.3}",
        doc["cases"],
        pct("rule_book_top1"),
        pct("rule_book_top3"),
        pct("root_cause_at_1"),
        num("grouping_precision"),
        num("grouping_recall"),
        num("grouping_f1"),
        num("overlapped_grouping_precision"),
        num("overlapped_grouping_recall"),
        num("overlapped_grouping_f1"),
    );
    if let Some(path) = json_out {
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The per-case table and the figures of every case of `dir`.
fn evaluate(dir: &Path) -> Result<(Table, Value), String> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    cases.sort();
    if cases.is_empty() {
        return Err(format!("{}: no case folders with expected.json", dir.display()));
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["case", "expected", "rule book top 3", "root (expected)", "signals", "incidents", "ms"]);
    let (mut top1, mut top3, mut root1) = (0, 0, 0);
    let mut pairs = Pairs::default();
    let mut rows = Vec::new();
    let mut loaded = Vec::new();
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let started = Instant::now();
        let signals = load_case(case).map_err(|e| format!("{name}: {e}"))?;
        let outcome = run_case(&signals).map_err(|e| format!("{name}: {e}"))?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let expected: Expected = read_json(&case.join("expected.json"))?;
        let families: Vec<&str> = outcome.families.iter().map(String::as_str).collect();
        top1 += usize::from(families.first() == Some(&expected.cause.as_str()));
        top3 += usize::from(families.contains(&expected.cause.as_str()));
        root1 += usize::from(outcome.root.as_deref() == Some(expected.root_service.as_str()));
        let signal_count = count_pairs(&outcome.groups, &expected.unrelated_services, &mut pairs);
        let mark = |ok: bool| if ok { "✓" } else { "✗" };
        table.add_row(vec![
            name.clone(),
            expected.cause.clone(),
            format!("{} {}", mark(families.first() == Some(&expected.cause.as_str())), families.join(", ")),
            format!(
                "{} {} ({})",
                mark(outcome.root.as_deref() == Some(expected.root_service.as_str())),
                outcome.root.clone().unwrap_or_default(),
                expected.root_service
            ),
            signal_count.to_string(),
            outcome.incidents.to_string(),
            format!("{ms:.1}"),
        ]);
        rows.push(json!({"case": name, "expected": expected.cause, "families": families, "root": outcome.root,
            "expected_root": expected.root_service, "signals": signal_count, "incidents": outcome.incidents, "ms": ms}));
        loaded.push((signals, expected.unrelated_services));
    }
    let mut overlapped = Pairs::default();
    for k in 0..loaded.len() {
        let (a, b) = (&loaded[k], &loaded[(k + 1) % loaded.len()]);
        count_overlapped(&a.0, &a.1, &b.0, &b.1, &mut overlapped)?;
    }
    let n = cases.len() as f64;
    let (precision, recall, f1) = pairs.scores();
    let (o_precision, o_recall, o_f1) = overlapped.scores();
    let doc = json!({"cases": cases.len(), "rule_book_top1": top1 as f64 / n, "rule_book_top3": top3 as f64 / n,
        "root_cause_at_1": root1 as f64 / n, "grouping_precision": precision, "grouping_recall": recall,
        "grouping_f1": f1, "overlapped_grouping_precision": o_precision, "overlapped_grouping_recall": o_recall,
        "overlapped_grouping_f1": o_f1, "families": catalogue().len(), "per_case": rows});
    Ok((table, doc))
}

/// What the pipeline made of one case.
struct Outcome {
    families: Vec<String>,
    root: Option<String>,
    incidents: usize,
    /// (service, incident index) of every signal.
    groups: Vec<(String, usize)>,
}

/// The signals of a case, as `correlate` takes them, and its logs by service.
#[derive(Clone)]
struct Signals {
    logs: BTreeMap<String, String>,
    findings: Vec<LogFindingInput>,
    anomalies: Vec<AnomalyInput>,
    alerts: Vec<Value>,
    graph: DependencyGraph,
}

impl Signals {
    /// The same signals with every service renamed by `rename` (labels, alerts, graph).
    fn renamed(mut self, rename: impl Fn(&str) -> String) -> Self {
        let relabel = |labels: &mut Labels| {
            if let Some(s) = labels.get_mut("service") {
                *s = rename(s);
            }
        };
        self.findings.iter_mut().for_each(|f| relabel(&mut f.labels));
        self.anomalies.iter_mut().for_each(|a| relabel(&mut a.labels));
        for alert in self.alerts.iter_mut().flat_map(|p| p["alerts"].as_array_mut().into_iter().flatten()) {
            if let Some(s) = alert["labels"]["service"].as_str().map(&rename) {
                alert["labels"]["service"] = json!(s);
            }
        }
        self.graph.depends_on = std::mem::take(&mut self.graph.depends_on)
            .into_iter()
            .map(|(k, v)| (rename(&k), v.iter().map(|d| rename(d)).collect()))
            .collect();
        self
    }

    /// Correlates these signals.
    fn correlate(&self) -> Result<Vec<Incident>, String> {
        let request = CorrelateRequest {
            version: VERSION.into(),
            anomalies: self.anomalies.clone(),
            logs: self.findings.clone(),
            alerts: self.alerts.clone(),
            graph: self.graph.clone(),
            options: Default::default(),
            state: None,
        };
        ops::correlate(request).map(|r| r.incidents).map_err(|e| e.to_string())
    }
}

/// The incident index of every signal, with the signal's service.
fn groups_of(incidents: &[Incident]) -> Vec<(String, usize)> {
    incidents
        .iter()
        .enumerate()
        .flat_map(|(k, i)| i.members.iter().map(move |m| (m.service().unwrap_or_default().to_string(), k)))
        .collect()
}

/// Pairwise counts when two cases happen at the same time in one system (the second case's
/// services renamed `<service>~2`): signals of different cases must not be grouped together.
fn count_overlapped(
    a: &Signals,
    a_unrelated: &[String],
    b: &Signals,
    b_unrelated: &[String],
    pairs: &mut Pairs,
) -> Result<(), String> {
    let b = b.clone().renamed(|s| format!("{s}~2"));
    let mut both = a.clone();
    both.findings.extend(b.findings);
    both.anomalies.extend(b.anomalies);
    both.alerts.extend(b.alerts);
    both.graph.depends_on.extend(b.graph.depends_on);
    let groups = groups_of(&both.correlate()?);
    count_groups(
        &groups,
        |service| match service.strip_suffix("~2") {
            Some(base) => format!("2:{}", truth_group(base, b_unrelated)),
            None => format!("1:{}", truth_group(service, a_unrelated)),
        },
        pairs,
    );
    Ok(())
}

fn load_case(case: &Path) -> Result<Signals, String> {
    let logs = read_logs(&case.join("logs.txt"))?;
    let mut findings = Vec::new();
    for (service, text) in &logs {
        let analysis = analyze(text, None, &AnalyzeOptions::default()).map_err(|e| e.to_string())?;
        let labels = Labels::from([("service".to_string(), service.clone())]);
        findings.extend(
            analysis.findings.into_iter().filter(|f| f.kind == FindingKind::Error).map(|finding| LogFindingInput {
                labels: labels.clone(),
                finding,
                time_ms: None,
            }),
        );
    }
    let anomalies = match case.join("metrics.csv") {
        p if p.is_file() => detect_metrics(&p)?,
        _ => Vec::new(),
    };
    let alerts = match case.join("alerts.json") {
        p if p.is_file() => vec![read_json::<Value>(&p)?],
        _ => Vec::new(),
    };
    let graph: DependencyGraph = match case.join("graph.json") {
        p if p.is_file() => read_json(&p)?,
        _ => DependencyGraph::default(),
    };
    Ok(Signals { logs, findings, anomalies, alerts, graph })
}

fn run_case(signals: &Signals) -> Result<Outcome, String> {
    let incidents = signals.correlate()?;
    let main: Option<&Incident> = incidents.iter().max_by_key(|i| (i.members.len(), std::cmp::Reverse(i.start_ms)));
    let explained = ops::explain(ExplainRequest {
        version: VERSION.into(),
        logs: LogsInput::Sources(
            signals.logs.iter().map(|(s, text)| LogSource { service: Some(s.clone()), text: text.clone() }).collect(),
        ),
        incident: main.cloned(),
        config: Vec::new(),
        options: Default::default(),
        llm: None,
        llm_response: None,
    })
    .map_err(|e| e.to_string())?;
    let groups = groups_of(&incidents);
    Ok(Outcome {
        families: explained.explanation.alternatives.iter().map(|a| a.family.clone()).collect(),
        root: main.and_then(|i| i.root_causes.first()).map(|c| c.service.clone()),
        incidents: incidents.len(),
        groups,
    })
}

/// Counts signal pairs grouped together by the correlator and by the truth (one group for the
/// case, one per unrelated service); returns the number of signals.
fn count_pairs(groups: &[(String, usize)], unrelated: &[String], pairs: &mut Pairs) -> usize {
    count_groups(groups, |service| truth_group(service, unrelated), pairs);
    groups.len()
}

/// The true group of a service's signals within its case: the case's incident (`""`), or its
/// own group when it is unrelated.
fn truth_group(service: &str, unrelated: &[String]) -> String {
    if unrelated.iter().any(|u| u == service) {
        service.to_string()
    } else {
        String::new()
    }
}

/// Adds the pairs of `(service, incident)` signals grouped together by the correlator and by
/// `truth` (a group key per service).
fn count_groups(groups: &[(String, usize)], truth: impl Fn(&str) -> String, pairs: &mut Pairs) {
    let keys: Vec<String> = groups.iter().map(|(s, _)| truth(s)).collect();
    for (a, (_, ia)) in groups.iter().enumerate() {
        for (b, (_, ib)) in groups.iter().enumerate().skip(a + 1) {
            let (predicted, actual) = (ia == ib, keys[a] == keys[b]);
            pairs.together_predicted += usize::from(predicted);
            pairs.together_truth += usize::from(actual);
            pairs.together_both += usize::from(predicted && actual);
        }
    }
}

/// The log text of each service, lines as `<time> <message>`.
fn read_logs(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for line in text.lines() {
        let Some((time, rest)) = line.split_once(" [") else { continue };
        let Some((service, message)) = rest.split_once("] ") else { continue };
        let log = out.entry(service.to_string()).or_default();
        log.push_str(&format!("{time} {message}\n"));
    }
    Ok(out)
}

/// The anomalies of every series of a `timestamp,series,value` file.
fn detect_metrics(path: &Path) -> Result<Vec<AnomalyInput>, String> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut series: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for row in reader.records() {
        let row = row.map_err(|e| format!("{}: {e}", path.display()))?;
        let parse = |k: usize| row.get(k).and_then(|v| v.parse::<f64>().ok());
        let (Some(t), Some(name), Some(v)) = (parse(0), row.get(1), parse(2)) else { continue };
        let entry = series.entry(name.to_string()).or_default();
        entry.0.push(t);
        entry.1.push(v);
    }
    let mut out = Vec::new();
    for (name, (timestamps, values)) in series {
        let (metric, labels) = split_series(&name);
        let detected = ops::detect(DetectRequest {
            version: VERSION.into(),
            timestamps,
            values,
            time_unit: RequestTimeUnit::S,
            options: Default::default(),
        })
        .map_err(|e| format!("{name}: {e}"))?;
        out.extend(detected.scored.anomalies.into_iter().map(|anomaly| AnomalyInput {
            series: metric.clone(),
            labels: labels.clone(),
            anomaly,
        }));
    }
    Ok(out)
}

/// `name{k="v",...}` as the name and its labels.
fn split_series(series: &str) -> (String, Labels) {
    let Some((name, rest)) = series.split_once('{') else { return (series.to_string(), Labels::new()) };
    let labels = rest
        .trim_end_matches('}')
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect();
    (name.to_string(), labels)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped cases keep the figures of the first run (bench/README.md): a drop in the rule
    /// book, the ranking or the grouping fails here.
    #[test]
    fn the_shipped_cases_keep_their_figures() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/explain");
        let (_, doc) = evaluate(&dir).unwrap();
        assert!(doc["cases"].as_u64().unwrap() >= 30);
        for (key, floor) in [
            ("rule_book_top1", 0.9),
            ("rule_book_top3", 0.97),
            ("root_cause_at_1", 0.84),
            ("grouping_f1", 0.99),
            ("overlapped_grouping_f1", 0.98),
        ] {
            assert!(doc[key].as_f64().unwrap() >= floor, "{key} = {} < {floor}", doc[key]);
        }
    }

    #[test]
    fn series_names_split_into_name_and_labels() {
        let (name, labels) = split_series(r#"http_p99{service="web", namespace="shop"}"#);
        assert_eq!(name, "http_p99");
        assert_eq!(labels["service"], "web");
        assert_eq!(labels["namespace"], "shop");
    }
}
