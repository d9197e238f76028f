//! The `corridor.v1` JSON contract: bad input gets a structured error, never a panic, and
//! streaming gives the same scores as one batch.

mod common;

use common::*;
use corridor_core::contract::call;
use serde_json::{json, Value};

fn error_code(out: &str) -> String {
    let v: Value = serde_json::from_str(out).expect("every answer is JSON");
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {out:.200}")).to_string()
}

fn ok(out: &str) -> Value {
    let v: Value = serde_json::from_str(out).expect("every answer is JSON");
    assert!(v.get("error").is_none(), "unexpected error: {}", v["error"]);
    assert_eq!(v["version"], "corridor.v1");
    v
}

fn load(days: i64) -> (Vec<f64>, Vec<f64>) {
    let ts = timestamps(days);
    let values = ts.iter().enumerate().map(|(i, &t)| normal_load(t, i)).collect();
    (as_f64(&ts), values)
}

#[test]
fn malformed_and_invalid_requests_are_error_values() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("detect", "{not json".into(), "malformed_request"),
        ("detect", "".into(), "malformed_request"),
        ("detect", json!({"timestamps": [1, 2, 3], "values": [1, 2, 3]}).to_string(), "malformed_request"),
        ("detect", json!({"version": "corridor.v0", "timestamps": [1, 2, 3], "values": [1, 2, 3]}).to_string(), "unsupported_version"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [], "values": []}).to_string(), "empty_series"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [1, 2], "values": [1]}).to_string(), "length_mismatch"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [1, 2, 3], "values": [null, null, 1]}).to_string(), "too_few_points"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [1, 2, 3], "values": ["a", 1, 2]}).to_string(), "malformed_request"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [1, 2, 3, 4], "values": [1, 2, 3, 4], "options": {"sensitivity": 2}}).to_string(), "invalid_option"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [1, 2, 3, 4], "values": [1, 2, 3, 4], "options": {"min_duration_s": -1}}).to_string(), "invalid_option"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [1, 2, 3, 4], "values": [1, 2, 3, 4], "options": {"rate_of_change": {"min_slope_per_s": 0}}}).to_string(), "invalid_option"),
        ("detect", json!({"version": "corridor.v1", "timestamps": [1, 2, 3, 4], "values": [1, 2, 3, 4], "options": {"seasonality": "hourly"}}).to_string(), "malformed_request"),
        ("update", json!({"version": "corridor.v1", "state": {"model": 1}, "timestamps": [5], "values": [1]}).to_string(), "invalid_state"),
        ("summon", "{}".into(), "unknown_operation"),
    ];
    for (op, input, code) in cases {
        assert_eq!(error_code(&call(op, &input)), code, "{op} {input}");
    }
}

#[test]
fn errors_name_the_field_at_fault() {
    let out = call("detect", &json!({"version": "corridor.v1", "timestamps": [1, 2, 3, 4], "values": [1, 2, 3, 4], "options": {"sensitivity": -0.5}}).to_string());
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["field"], "options.sensitivity");
    assert!(v["error"]["message"].as_str().unwrap().contains("between 0 and 1"));
}

#[test]
fn repairs_are_reported_and_nothing_is_lost_silently() {
    let (mut t, mut v) = load(3);
    t.swap(100, 101);
    v.swap(100, 101);
    t[200] = t[199];
    let mut values: Vec<Value> = v.iter().map(|x| json!(x)).collect();
    values[300] = Value::Null;
    let out = ok(&call("detect", &json!({"version": "corridor.v1", "timestamps": t, "values": values}).to_string()));
    let codes: Vec<&str> = out["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    for code in
        ["non_finite_values", "unsorted_timestamps", "duplicate_timestamps", "insufficient_history", "warming_up"]
    {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    assert_eq!(out["points"]["timestamps_ms"].as_array().unwrap().len(), t.len() - 2);
}

#[test]
fn millisecond_timestamps_give_the_same_answer() {
    let (t, v) = load(3);
    let ms: Vec<f64> = t.iter().map(|s| s * 1000.0).collect();
    let a = ok(&call("detect", &json!({"version": "corridor.v1", "timestamps": t, "values": v}).to_string()));
    let b = ok(&call("detect", &json!({"version": "corridor.v1", "timestamps": ms, "values": v}).to_string()));
    assert_eq!(a["points"], b["points"]);
}

#[test]
fn streaming_in_any_batches_equals_one_batch() {
    let ts = timestamps(17);
    let at = MONDAY + 15 * DAY_S + 10 * 3600;
    let values: Vec<f64> = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| normal_load(t, i) + if (at..at + 1200).contains(&t) { 70.0 } else { 0.0 })
        .collect();
    let t = as_f64(&ts);
    let options = json!({"seasonality": "weekly", "min_duration_s": 300});
    let batch = ok(&call(
        "detect",
        &json!({"version": "corridor.v1", "timestamps": t, "values": values, "options": options}).to_string(),
    ));

    let first = 15 * 288 - 7;
    let mut out = ok(&call(
        "detect",
        &json!({"version": "corridor.v1", "timestamps": t[..first], "values": values[..first], "options": options})
            .to_string(),
    ));
    let mut scores: Vec<Value> = out["points"]["score"].as_array().unwrap().clone();
    let mut anomalies: Vec<Value> = Vec::new();
    let mut start = first;
    for size in [1, 2, 50, 3, 400].iter().cycle() {
        if start >= t.len() {
            break;
        }
        let end = (start + size).min(t.len());
        let state_text = serde_json::to_string(&out["state"]).unwrap();
        let request = format!(
            r#"{{"version":"corridor.v1","state":{state_text},"timestamps":{},"values":{}}}"#,
            json!(t[start..end]),
            json!(values[start..end])
        );
        out = ok(&call("update", &request));
        scores.extend(out["points"]["score"].as_array().unwrap().iter().cloned());
        anomalies.extend(out["anomalies"].as_array().unwrap().iter().filter(|a| a["ongoing"] == false).cloned());
        start = end;
    }
    assert_eq!(&scores, batch["points"]["score"].as_array().unwrap());
    assert_eq!(&anomalies, batch["anomalies"].as_array().unwrap());
    assert_eq!(out["state"], batch["state"]);
    assert_eq!(anomalies.len(), 1, "the planted excursion: {anomalies:?}");
}

#[test]
fn stale_points_in_an_update_are_dropped_with_a_warning() {
    let (t, v) = load(1);
    let first = ok(&call("detect", &json!({"version": "corridor.v1", "timestamps": t, "values": v}).to_string()));
    let last = *t.last().unwrap();
    let request = json!({"version": "corridor.v1", "state": first["state"], "timestamps": [last - 300.0, last, last + 300.0], "values": [1, 2, 3]});
    let out = ok(&call("update", &request.to_string()));
    assert_eq!(out["points"]["timestamps_ms"], json!([(last + 300.0) as i64 * 1000]));
    assert_eq!(out["warnings"][0]["code"], "stale_points");
    assert_eq!(out["warnings"][0]["count"], 2);
}

#[test]
fn one_point_updates_and_empty_updates_work() {
    let (t, v) = load(1);
    let first =
        ok(&call("detect", &json!({"version": "corridor.v1", "timestamps": t[..100], "values": v[..100]}).to_string()));
    let empty = ok(&call(
        "update",
        &json!({"version": "corridor.v1", "state": first["state"], "timestamps": [], "values": []}).to_string(),
    ));
    assert_eq!(empty["state"], first["state"]);
    let one = ok(&call(
        "update",
        &json!({"version": "corridor.v1", "state": first["state"], "timestamps": [t[100]], "values": [v[100]]})
            .to_string(),
    ));
    assert_eq!(one["points"]["score"].as_array().unwrap().len(), 1);
}

#[test]
fn baseline_gives_a_corridor_around_every_scored_point() {
    let ts = timestamps(3);
    let v: Vec<f64> = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| 50.0 + 20.0 * libm::sin((t % DAY_S) as f64 / 13_751.0) + noise(i))
        .collect();
    let t = as_f64(&ts);
    let out = ok(&call(
        "baseline",
        &json!({"version": "corridor.v1", "timestamps": t, "values": v, "options": {"seasonality": "daily"}})
            .to_string(),
    ));
    assert_eq!(out["period_ms"], 86_400_000);
    let p = &out["points"];
    let n = p["timestamps_ms"].as_array().unwrap().len();
    let scored = (0..n).filter(|&i| !p["expected"][i].is_null()).count();
    assert_eq!(scored, n - 2 * 288, "two days learn, the third is scored");
    let inside = (0..n)
        .filter(|&i| !p["expected"][i].is_null())
        .filter(|&i| {
            p["lower"][i].as_f64() <= p["values"][i].as_f64() && p["values"][i].as_f64() <= p["upper"][i].as_f64()
        })
        .count();
    assert_eq!(inside, scored, "a clean series stays inside its corridor");
}

#[test]
fn huge_constant_and_extreme_inputs_do_not_panic() {
    let t: Vec<f64> = (0..1000).map(|i| i as f64 * 60.0).collect();
    for values in
        [vec![0.0; 1000], vec![1e300; 1000], (0..1000).map(|i| if i % 2 == 0 { -1e300 } else { 1e300 }).collect()]
    {
        let out = call("detect", &json!({"version": "corridor.v1", "timestamps": t, "values": values}).to_string());
        let v: Value = serde_json::from_str(&out).expect("JSON answer");
        assert!(v.get("error").is_some() || v["version"] == "corridor.v1");
    }
}

/// Found by `fuzz/run.sh` (target `forecast`): one value of -1e308 in a normal series made the
/// smoothing overflow to NaN and panic in `f64::clamp`.
#[test]
fn a_value_near_the_f64_limit_is_dropped_not_a_panic() {
    let t: Vec<f64> = (0..120).map(|i| 1_700_006_400.0 + 3600.0 * i as f64).collect();
    let mut values: Vec<f64> =
        (0..120).map(|i| 100.0 + 30.0 * libm::sin(i as f64 / 24.0 * std::f64::consts::TAU)).collect();
    values[51] = -1e308;
    for op in ["detect", "baseline", "forecast"] {
        let request = json!({"version": "corridor.v1", "timestamps": t, "values": values});
        let v = ok(&call(op, &request.to_string()));
        assert_eq!(v["warnings"][0]["code"], "non_finite_values", "{op}");
        assert_eq!(v["warnings"][0]["count"], 1, "{op}");
    }
}

/// Found by `fuzz/run.sh` (target `update`): a state whose calibrator histogram had lost bins
/// indexed past its end. A forged state is now `invalid_state`.
#[test]
fn a_state_with_a_forged_histogram_is_invalid() {
    let (t, v) = load(1);
    let mut state = ok(&call("detect", &json!({"version": "corridor.v1", "timestamps": t, "values": v}).to_string()))
        ["state"]
        .take();
    let counts = state["alerting"]["drifts"][0]["calibrator"]["counts"].as_array_mut().expect("a histogram");
    counts.truncate(counts.len() - 2);
    let next = t.last().unwrap() + 60.0;
    let request = json!({"version": "corridor.v1", "state": state, "timestamps": [next], "values": [1.0]});
    assert_eq!(error_code(&call("update", &request.to_string())), "invalid_state");
}
