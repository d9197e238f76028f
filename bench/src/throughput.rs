//! Speed of the engine, single thread, native: fitting a week of one-minute data, and scoring.

use corridor_core::contract::{DetectRequest, VERSION};
use corridor_core::detect::{DetectOptions, Detector};
use serde_json::{json, Value};
use std::f64::consts::TAU;
use std::hint::black_box;
use std::time::Instant;

/// Measured speeds.
pub struct Throughput {
    /// Points in the fitted week.
    pub fit_points: usize,
    /// Median wall time of a full `detect` (cleaning, seasonality, model, intervals) on that week.
    pub fit_ms: f64,
    /// Points per second through an already learned detector (scoring new points).
    pub score_points_per_s: f64,
    /// Points per second of whole `detect` calls on a long series.
    pub detect_points_per_s: f64,
}

impl Throughput {
    /// The figures as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "fit_week_points": self.fit_points,
            "fit_week_ms": self.fit_ms,
            "score_points_per_s": self.score_points_per_s,
            "detect_points_per_s": self.detect_points_per_s,
        })
    }
}

/// A synthetic load-like metric: daily and weekly shape plus deterministic noise.
fn synthetic(points: usize) -> (Vec<f64>, Vec<f64>) {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let t: Vec<f64> = (0..points).map(|i| 1_700_000_000.0 + 60.0 * i as f64).collect();
    let v = t
        .iter()
        .map(|s| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            100.0 + 30.0 * (s / 86_400.0 * TAU).sin() + 10.0 * (s / 604_800.0 * TAU).sin() + 5.0 * noise
        })
        .collect();
    (t, v)
}

/// Runs the measurements (about two seconds).
pub fn measure() -> Throughput {
    let week = 7 * 24 * 60;
    let (t, v) = synthetic(week);
    let request = DetectRequest {
        version: VERSION.into(),
        timestamps: t,
        values: v,
        time_unit: Default::default(),
        options: DetectOptions::default(),
    };
    let mut times: Vec<f64> = (0..31)
        .map(|_| {
            let r = request.clone();
            let start = Instant::now();
            black_box(corridor_core::ops::detect(r).expect("synthetic week is valid"));
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let fit_ms = times[times.len() / 2];

    let long = 4_000_000;
    let (t, v) = synthetic(long);
    let mut detector = Detector::new(60_000, Some(604_800_000), &DetectOptions::default()).expect("valid options");
    let mut anomalies = Vec::new();
    let learn = 2 * week;
    for i in 0..learn {
        detector.push((t[i] * 1000.0) as i64, v[i], &mut anomalies);
    }
    let start = Instant::now();
    let mut total = 0.0;
    for i in learn..long {
        total += detector.push((t[i] * 1000.0) as i64, v[i], &mut anomalies).score;
        anomalies.clear();
    }
    black_box(total);
    let score_points_per_s = (long - learn) as f64 / start.elapsed().as_secs_f64();

    let request = DetectRequest { timestamps: t, values: v, ..request };
    let start = Instant::now();
    black_box(corridor_core::ops::detect(request).expect("synthetic series is valid"));
    let detect_points_per_s = long as f64 / start.elapsed().as_secs_f64();
    Throughput { fit_points: week, fit_ms, score_points_per_s, detect_points_per_s }
}
