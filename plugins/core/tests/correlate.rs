//! The `correlate` operation: grouping, Alertmanager payloads, root causes, streaming state.

use corridor_core::contract::call;
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_000;

fn correlate(request: &Value) -> Value {
    serde_json::from_str(&call("correlate", &request.to_string())).unwrap()
}

fn anomaly(series: &str, service: &str, start_s: i64, expected: f64, actual: f64) -> Value {
    json!({"series": series, "labels": {"service": service, "namespace": "shop"},
        "anomaly": {"kind": "excursion", "direction": "above", "start_ms": T0 + start_s * 1000,
            "end_ms": T0 + (start_s + 120) * 1000, "peak_ms": T0 + start_s * 1000, "expected": expected,
            "actual": actual, "score": 0.9999, "severity": "critical", "ongoing": false}})
}

fn finding(service: &str, at_s: i64, event: &str) -> Value {
    json!({"labels": {"service": service}, "time_ms": T0 + at_s * 1000, "finding": {"kind": "error",
        "reason": "level error", "line": 1, "last_line": 1, "count": 1, "level": "error", "template_id": 0,
        "template": event, "event": event, "parameters": [], "before": [], "after": []}})
}

fn alertmanager(name: &str, service: &str, at_s: i64) -> Value {
    let starts = chrono_like(T0 + at_s * 1000);
    json!({"version": "4", "groupKey": "{}:{}", "status": "firing", "receiver": "corridor",
        "groupLabels": {"alertname": name}, "commonLabels": {"alertname": name, "severity": "critical"},
        "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
        "alerts": [{"status": "firing", "labels": {"alertname": name, "service": service, "severity": "critical"},
            "annotations": {"summary": format!("{name} on {service}")}, "startsAt": starts,
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph", "fingerprint": "abc"}]})
}

/// RFC 3339 of a ms timestamp (UTC), enough for the test dates.
fn chrono_like(ms: i64) -> String {
    let s = ms / 1000;
    let (days, rem) = (s / 86_400, s % 86_400);
    let (mut y, mut d) = (1970, days);
    loop {
        let len = if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) { 366 } else { 365 };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let months = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("{y}-{:02}-{:02}T{:02}:{:02}:{:02}Z", m + 1, d + 1, rem / 3600, rem % 3600 / 60, rem % 60)
}

fn graph() -> Value {
    json!({"depends_on": {"web": ["api"], "api": ["db"], "batch": ["warehouse"]}})
}

fn request() -> Value {
    let mut batch = anomaly("rows_exported", "batch", 60, 100.0, 900.0);
    batch["labels"]["namespace"] = json!("reports");
    json!({"version": "corridor.v1",
        "anomalies": [anomaly("http_p99_seconds", "web", 90, 0.2, 2.5), anomaly("db_cpu", "db", 0, 40.0, 98.0),
                      batch],
        "logs": [finding("api", 30, "ERROR pq: sorry, too many clients already"), finding("web", 100, "ERROR upstream 503")],
        "alerts": [alertmanager("HighErrorRate", "web", 120), alertmanager("PostgresTooManyConnections", "db", 10)],
        "graph": graph()})
}

#[test]
fn related_signals_form_one_incident_rooted_upstream() {
    let out = correlate(&request());
    let incidents = out["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2, "{out:#}");
    let main = &incidents[0];
    assert_eq!(main["services"], json!(["api", "db", "web"]));
    assert_eq!(main["members"].as_array().unwrap().len(), 6);
    assert_eq!(main["root_causes"][0]["service"], "db");
    assert!(main["root_causes"][0]["evidence"][0].as_str().unwrap().contains("earliest onset"));
    let starts: Vec<i64> =
        main["members"].as_array().unwrap().iter().map(|m| m["start_ms"].as_i64().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "the timeline is in time order");
    assert_eq!(incidents[1]["services"], json!(["batch"]));
    let alert = main["members"].as_array().unwrap().iter().find(|m| m["kind"] == "alert").unwrap();
    assert_eq!(alert["name"], "PostgresTooManyConnections");
    assert!(alert["text"].as_str().unwrap().contains("PostgresTooManyConnections on db"));
}

#[test]
fn batches_through_the_state_equal_one_call() {
    let whole = correlate(&request());
    let full = request();
    let mut state = Value::Null;
    let mut out = Value::Null;
    for part in ["anomalies", "logs", "alerts"] {
        let mut r = json!({"version": "corridor.v1", "graph": graph(), "state": state});
        r[part] = full[part].clone();
        out = correlate(&r);
        state = out["state"].clone();
    }
    let ids = |v: &Value| {
        v["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["services"].clone(), i["members"].as_array().unwrap().len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&out), ids(&whole));
    assert_eq!(out["incidents"][0]["root_causes"][0]["service"], "db");
    let again = correlate(&json!({"version": "corridor.v1", "alerts": full["alerts"], "state": state}));
    assert_eq!(ids(&again), ids(&whole), "signals already seen are not added twice");
}

#[test]
fn quiet_incidents_close_and_late_signals_open_new_ones() {
    let first = correlate(&json!({"version": "corridor.v1", "anomalies": [anomaly("db_cpu", "db", 0, 40.0, 98.0)]}));
    let later = correlate(&json!({"version": "corridor.v1", "state": first["state"],
        "anomalies": [anomaly("db_cpu", "db", 7200, 40.0, 97.0)]}));
    let incidents = later["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2);
    assert_eq!((incidents[0]["status"].as_str(), incidents[1]["status"].as_str()), (Some("closed"), Some("open")));
    assert_eq!(incidents[1]["id"], "inc-2");
    let seen: Vec<&String> = later["state"]["seen"].as_object().unwrap().keys().collect();
    assert_eq!(seen.len(), 1, "ids older than the close window are forgotten: {seen:?}");
}

#[test]
fn bad_correlate_requests_are_error_values() {
    for (request, code) in [
        (json!({"version": "corridor.v1", "state": {"bogus": 1}}), "invalid_state"),
        (json!({"version": "corridor.v1", "options": {"window_s": -1}}), "invalid_option"),
        (json!({"version": "corridor.v1", "alerts": [{"receiver": "x"}]}), "malformed_request"),
        (json!({"version": "corridor.v1", "alerts": [{"alerts": [{"labels": {}}]}]}), "malformed_request"),
        (json!({"version": "corridor.v1", "logs": [{"finding": 3}]}), "malformed_request"),
        (json!({"version": "corridor.v2"}), "unsupported_version"),
    ] {
        assert_eq!(correlate(&request)["error"]["code"], code, "{request}");
    }
    let no_time = finding("web", 0, "ERROR no timestamp here");
    let mut no_time = no_time.clone();
    no_time["time_ms"] = Value::Null;
    let out = correlate(&json!({"version": "corridor.v1", "logs": [no_time]}));
    assert_eq!(out["error"]["field"], "logs.time_ms");
}
