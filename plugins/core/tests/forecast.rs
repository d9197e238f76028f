//! Forecasts and scale plans through the `corridor.v1` contract, on synthetic series with a
//! known future.

mod common;

use common::*;
use corridor_core::contract::call;
use serde_json::{json, Value};
use std::f64::consts::TAU;

/// Gaussian noise from a seeded xorshift generator (Box-Muller).
struct Gauss(u64);

impl Gauss {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f64 {
        (-2.0 * libm::log(self.uniform())).sqrt() * libm::cos(TAU * self.uniform())
    }
}

fn ok(out: &str) -> Value {
    let v: Value = serde_json::from_str(out).expect("every answer is JSON");
    assert!(v.get("error").is_none(), "unexpected error: {}", v["error"]);
    assert_eq!(v["version"], "corridor.v1");
    v
}

fn error_code(out: &str) -> String {
    let v: Value = serde_json::from_str(out).expect("every answer is JSON");
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {out:.300}")).to_string()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number")).collect()
}

fn warning_codes(v: &Value) -> Vec<String> {
    v["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap().to_string()).collect()
}

/// A daily load curve with a slow trend, at five-minute steps from Monday.
fn seasonal(i: usize, t: i64) -> f64 {
    let day = (t.rem_euclid(DAY_S)) as f64 / DAY_S as f64;
    200.0 + 0.01 * i as f64 - 60.0 * libm::cos(day * TAU) + 15.0 * libm::sin(2.0 * day * TAU)
}

fn forecast(ts: &[i64], values: &[f64], options: Value) -> Value {
    let request = json!({"version": "corridor.v1", "timestamps": as_f64(ts), "values": values, "options": options});
    ok(&call("forecast", &request.to_string()))
}

#[test]
fn intervals_cover_the_known_future_at_the_promised_rate() {
    let (history, h) = (7 * 288, 12);
    let (mut inside80, mut inside95, mut total) = (0, 0, 0);
    for seed in 1..=40u64 {
        let mut noise = Gauss(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let ts = timestamps(8);
        let values: Vec<f64> = ts.iter().enumerate().map(|(i, &t)| seasonal(i, t) + 8.0 * noise.next()).collect();
        let out = forecast(&ts[..history], &values[..history], json!({"horizon": h}));
        let future = &values[history..history + h];
        let intervals = out["intervals"].as_array().unwrap();
        assert_eq!(intervals[0]["level"], 80.0);
        for (k, y) in future.iter().enumerate() {
            let within = |i: usize| floats(&intervals[i]["lower"])[k] <= *y && *y <= floats(&intervals[i]["upper"])[k];
            inside80 += usize::from(within(0));
            inside95 += usize::from(within(1));
            total += 1;
        }
    }
    let (c80, c95) = (inside80 as f64 / total as f64, inside95 as f64 / total as f64);
    assert!((0.72..=0.88).contains(&c80), "80 % coverage {c80}");
    assert!((0.90..=0.99).contains(&c95), "95 % coverage {c95}");
}

#[test]
fn the_seasonal_shape_is_forecast() {
    let ts = timestamps(8);
    let values: Vec<f64> = ts.iter().enumerate().map(|(i, &t)| seasonal(i, t) + 4.0 * noise(i)).collect();
    let n = 7 * 288;
    let out = forecast(&ts[..n], &values[..n], json!({"horizon": 36}));
    assert_eq!(out["model"]["family"], "seasonal_smoothing", "{}", out["model"]);
    let point = floats(&out["point"]);
    let worst = point.iter().enumerate().map(|(k, p)| (p - seasonal(n + k, ts[n + k])).abs()).fold(0.0, f64::max);
    assert!(worst < 6.0, "worst error {worst}");
    assert!(out["quality"].as_f64().unwrap() > 0.3, "{}", out["quality"]);
    assert_eq!(floats(&out["timestamps_ms"])[0], (ts[n] * 1000) as f64);
}

#[test]
fn short_histories_say_which_patterns_cannot_be_learned() {
    let ts = timestamps(1);
    let values: Vec<f64> = ts.iter().enumerate().map(|(i, &t)| seasonal(i, t)).collect();
    let out = forecast(&ts, &values, json!({}));
    let messages: Vec<&str> =
        out["warnings"].as_array().unwrap().iter().map(|w| w["message"].as_str().unwrap()).collect();
    assert_eq!(warning_codes(&out), vec!["insufficient_history", "insufficient_history"]);
    assert!(messages[0].contains("daily") && messages[1].contains("weekly"), "{messages:?}");
    assert_eq!(out["model"]["period_ms"], Value::Null);

    let ts = timestamps(5);
    let values: Vec<f64> = ts.iter().enumerate().map(|(i, &t)| seasonal(i, t)).collect();
    let out = forecast(&ts, &values, json!({}));
    assert_eq!(warning_codes(&out), vec!["insufficient_history"]);
    assert!(out["warnings"][0]["message"].as_str().unwrap().contains("weekly"));

    let out = forecast(&[0, 60, 120], &[1.0, 2.0, 3.0], json!({"horizon": 3}));
    assert_eq!(floats(&out["point"]).len(), 3);
    assert!(floats(&out["intervals"][0]["upper"]).iter().all(|v| v.is_finite()));
}

#[test]
fn a_level_shift_mid_series_is_followed() {
    let ts = timestamps(3);
    let values: Vec<f64> =
        (0..ts.len()).map(|i| if i < ts.len() * 3 / 5 { 100.0 } else { 300.0 } + 5.0 * noise(i)).collect();
    let out = forecast(&ts, &values, json!({"horizon": 6}));
    for p in floats(&out["point"]) {
        assert!((p - 300.0).abs() < 10.0, "{p}");
    }
}

#[test]
fn constant_and_zero_series_give_flat_exact_forecasts() {
    for level in [0.0, 42.0] {
        let ts = timestamps(3);
        let out = forecast(&ts, &vec![level; ts.len()], json!({"horizon": 24}));
        assert!(floats(&out["point"]).iter().all(|p| *p == level), "{}", out["point"]);
        for interval in out["intervals"].as_array().unwrap() {
            assert!(floats(&interval["lower"]).iter().chain(&floats(&interval["upper"])).all(|p| *p == level));
        }
        assert!(out["quality"].as_f64().unwrap().is_finite());
        assert!(out["backtest_mase"].as_f64().unwrap().is_finite());
    }
}

#[test]
fn bad_forecast_and_scale_requests_are_clear_errors() {
    let ts: Vec<f64> = (0..10).map(|i| 1_700_000_000.0 + 60.0 * f64::from(i)).collect();
    let values = vec![1.0; 10];
    let base = json!({"version": "corridor.v1", "timestamps": ts, "values": values});
    let with = |extra: Value| {
        let mut r = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r.to_string()
    };
    let cases: Vec<(&str, String, &str, Option<&str>)> = vec![
        ("forecast", "{".into(), "malformed_request", None),
        ("forecast", with(json!({"version": "corridor.v2"})), "unsupported_version", Some("version")),
        ("forecast", with(json!({"timestamps": [], "values": []})), "empty_series", Some("timestamps")),
        ("forecast", with(json!({"values": [1, 2]})), "length_mismatch", Some("values")),
        ("forecast", with(json!({"options": {"horizon": 0}})), "invalid_option", Some("horizon")),
        ("forecast", with(json!({"options": {"horizon": 1_000_000}})), "invalid_option", Some("horizon")),
        ("forecast", with(json!({"options": {"levels": [80, 100]}})), "invalid_option", Some("levels")),
        ("forecast", with(json!({"options": {"horizn": 5}})), "malformed_request", None),
        ("scale", with(json!({})), "malformed_request", None),
        ("scale", with(json!({"scale": {}})), "invalid_option", Some("target_per_replica")),
        ("scale", with(json!({"scale": {"target_per_replica": -1}})), "invalid_option", Some("target_per_replica")),
        (
            "scale",
            with(json!({"scale": {"target_per_replica": 1, "min_replicas": 5, "max_replicas": 2}})),
            "invalid_option",
            Some("max_replicas"),
        ),
        ("scale", with(json!({"scale": {"target_per_replica": 1, "max_step": 0}})), "invalid_option", Some("max_step")),
        (
            "scale",
            with(json!({"scale": {"target_per_replica": 1}, "since_change_s": -5})),
            "invalid_option",
            Some("since_change_s"),
        ),
    ];
    for (op, input, code, field) in cases {
        let out = call(op, &input);
        assert_eq!(error_code(&out), code, "{op} {input}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["error"]["field"].as_str(), field, "{out}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
}

fn scale(ts: &[i64], values: &[f64], policy: Value, current: u64, since_change_s: Option<f64>) -> Value {
    let request = json!({
        "version": "corridor.v1", "timestamps": as_f64(ts), "values": values,
        "forecast": {"horizon": 12}, "scale": policy, "current_replicas": current, "since_change_s": since_change_s,
    });
    ok(&call("scale", &request.to_string()))
}

/// The width of the first step's 80 % interval on a flat series whose noise is `early` for
/// most of three days and `late` for the last `late_hours`.
fn first_band_width(early: f64, late: f64, late_hours: usize) -> f64 {
    let ts = timestamps(3);
    let mut noise = Gauss(11);
    let calm_from = ts.len() - late_hours * 12;
    let values: Vec<f64> =
        (0..ts.len()).map(|i| 500.0 + if i < calm_from { early } else { late } * noise.next()).collect();
    let f = forecast(&ts, &values, json!({"horizon": 6, "levels": [80.0]}));
    let band = &f["intervals"][0];
    floats(&band["upper"])[0] - floats(&band["lower"])[0]
}

#[test]
fn intervals_follow_the_volatility_now() {
    // A calm stretch after a noisy day gets a calm band, and a burst after a calm day a wide
    // one: 80 % of N(0, σ) is ±1.28σ, a band of 2.56σ.
    let calm_after_noise = first_band_width(20.0, 1.0, 8);
    assert!((1.5..8.0).contains(&calm_after_noise), "band {calm_after_noise} for σ = 1 now (20 before)");
    let noise_after_calm = first_band_width(1.0, 20.0, 8);
    assert!((30.0..160.0).contains(&noise_after_calm), "band {noise_after_calm} for σ = 20 now (1 before)");
}

#[test]
fn load_above_capacity_scales_up_at_once() {
    // 4 replicas at 10 each serve 40; a load of 42 is under-provisioning already, even if it is
    // within the 10 % tolerance that holds scale-downs back.
    let ts = timestamps(1);
    let values = vec![42.0; ts.len()];
    let out = scale(&ts, &values, json!({"target_per_replica": 10.0, "headroom_level": null}), 4, None);
    assert_eq!(out["replicas_now"], 5);
}

#[test]
fn noisy_flat_load_does_not_flap() {
    let ts = timestamps(3);
    let mut noise = Gauss(7);
    let values: Vec<f64> = ts.iter().map(|_| 100.0 + 10.0 * noise.next()).collect();
    let policy = json!({"target_per_replica": 20.0});
    let (start, mut replicas, mut changes, mut last_change) = (2 * 288, 0u64, 0, None::<i64>);
    for end in (start..ts.len()).step_by(3) {
        let since = last_change.map(|t| (ts[end - 1] - t) as f64);
        let out = scale(&ts[end - 2 * 288..end], &values[end - 2 * 288..end], policy.clone(), replicas, since);
        let now = out["replicas_now"].as_u64().unwrap();
        if now != replicas && end > start {
            changes += 1;
            last_change = Some(ts[end - 1]);
        }
        replicas = now;
    }
    assert!((6..=9).contains(&replicas), "{replicas} replicas for a load of about 100 at 20 each");
    assert!(changes <= 4, "{changes} changes in a day of flat load");
}

#[test]
fn scale_respects_limits_and_steps() {
    let ts = timestamps(2);
    let values: Vec<f64> = (0..ts.len()).map(|i| if i + 20 < ts.len() { 50.0 } else { 5000.0 }).collect();
    let policy = json!({"target_per_replica": 10.0, "min_replicas": 2, "max_replicas": 30, "max_step": 4});
    let out = scale(&ts, &values, policy.clone(), 5, None);
    assert_eq!(out["replicas_now"], 9);
    let plan: Vec<u64> = out["replicas"].as_array().unwrap().iter().map(|r| r.as_u64().unwrap()).collect();
    let mut previous = 9;
    for r in &plan {
        assert!((2..=30).contains(r) && r.abs_diff(previous) <= 4, "{plan:?}");
        previous = *r;
    }
    assert_eq!(plan.last(), Some(&30));
    let quiet = scale(&ts, &vec![0.0; ts.len()], policy, 3, None);
    assert_eq!(quiet["replicas_now"], 2);
    assert_eq!(quiet["forecast"]["point"].as_array().unwrap().len(), 12);
}

#[test]
fn extreme_inputs_give_answers_not_panics() {
    let far = json!({"version": "corridor.v1", "timestamps": [0, 60, 120, 90_000_000], "values": [1, 2, 3, 4]});
    let huge =
        json!({"version": "corridor.v1", "timestamps": [0, 60, 120, 180, 240], "values": [1e300, -1e300, 1e300, 0, 5]});
    let tiny_step = json!({"version": "corridor.v1", "time_unit": "ms", "timestamps": [0, 1, 2, 2_000_000_000_000i64], "values": [1, 2, 3, 4]});
    for request in [far, huge, tiny_step] {
        for op in ["forecast", "scale"] {
            let mut r = request.clone();
            r["scale"] = json!({"target_per_replica": 1e-300, "stabilization_s": 1e300, "lead_time_s": 1e300, "cooldown_s": 1e300});
            r["since_change_s"] = json!(1e300);
            let out = call(op, &r.to_string());
            assert!(serde_json::from_str::<Value>(&out).is_ok(), "{op}: {out:.300}");
        }
    }
}
