//! The `forecast` mode: the rolling-origin protocol of `forecast-protocol.md` (6 NAB series,
//! 10 origins over the last 30 %, horizon 12, MASE and 80 % coverage, ms per origin), printed
//! beside the measured anchors, and the one-week one-minute throughput check; optionally the
//! same protocol on every other NAB file (held out: no constant was chosen on them).

use crate::nab;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_core::contract::{ForecastRequest, VERSION};
use corridor_core::forecast::ForecastOptions;
use corridor_core::series::grid_means;
use serde_json::json;
use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

/// Steps forecast from every origin.
const HORIZON: usize = 12;
/// Origins per series.
const ORIGINS: usize = 10;
/// Training window cap, in days.
const CAP_DAYS: usize = 28;

/// The protocol's series: id and file.
const SERIES: [(&str, &str); 6] = [
    ("nyc_taxi", "realKnownCause/nyc_taxi.csv"),
    ("cpu_asg_misconfig", "realKnownCause/cpu_utilization_asg_misconfiguration.csv"),
    ("twitter_AAPL", "realTweets/Twitter_volume_AAPL.csv"),
    ("rds_cpu_cc0c53", "realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv"),
    ("ec2_cpu_825cc2", "realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv"),
    ("elb_requests_8c0756", "realAWSCloudwatch/elb_request_count_8c0756.csv"),
];

/// An anchor method: name, (MASE, coverage) per series in [`SERIES`] order, mean and geo-mean MASE.
type Anchor = (&'static str, [(f64, f64); 6], f64, f64);

/// Anchors from `forecast-anchors.md`.
const ANCHORS: [Anchor; 3] = [
    (
        "augurs_select",
        [(0.722, 0.48), (1.163, 0.92), (0.308, 0.99), (0.939, 0.92), (0.325, 0.95), (0.699, 0.83)],
        0.693,
        0.617,
    ),
    (
        "sf AutoETS m=P",
        [(1.151, 0.83), (1.314, 0.78), (0.194, 1.00), (0.808, 0.93), (0.329, 0.96), (0.697, 0.88)],
        0.749,
        0.615,
    ),
    (
        "augurs MSTL",
        [(0.722, 0.48), (1.261, 0.79), (0.530, 0.99), (0.956, 0.90), (0.407, 0.82), (0.681, 0.83)],
        0.760,
        0.710,
    ),
];

/// One series' scores.
struct Score {
    mase: f64,
    coverage80: f64,
    ms_per_origin: f64,
    models: HashMap<String, usize>,
}

/// The goal range of every series' 80 % coverage.
const COVERAGE_GOAL: std::ops::RangeInclusive<f64> = 0.72..=0.88;

/// Runs the mode; `held_out` adds the protocol on every other NAB file.
pub fn run(dir: &Path, json: Option<&Path>, held_out: bool) -> Result<(), String> {
    let mut scores = Vec::new();
    for (id, key) in SERIES {
        scores.push(score_file(dir, key).map_err(|e| format!("{id}: {e}"))?);
    }
    let n = scores.len() as f64;
    let mean_mase = scores.iter().map(|s| s.mase).sum::<f64>() / n;
    let geomean_mase = (scores.iter().map(|s| s.mase.ln()).sum::<f64>() / n).exp();
    let mean_coverage = scores.iter().map(|s| s.coverage80).sum::<f64>() / n;
    let mean_ms = scores.iter().map(|s| s.ms_per_origin).sum::<f64>() / n;
    print_table(&scores, mean_mase, geomean_mase, mean_coverage, mean_ms);
    let mut held_out_doc = if held_out { held_out_check(dir)? } else { serde_json::Value::Null };
    let (week_ms, week_model) = throughput();
    println!(
        "throughput (native, one thread): fit + 60-step forecast of 10,080 one-minute points: {week_ms:.2} ms median \
         (model {week_model})"
    );
    if let Some(path) = json {
        let mut doc = json!({
            "mean_mase": mean_mase,
            "geomean_mase": geomean_mase,
            "mean_coverage80": mean_coverage,
            "mean_ms_per_origin": mean_ms,
            "week_fit_forecast_ms": week_ms,
            "series": {},
        });
        for ((id, _), s) in SERIES.iter().zip(&scores) {
            doc["series"][*id] = json!({
                "mase": s.mase, "coverage80": s.coverage80, "ms_per_origin": s.ms_per_origin, "models": s.models,
            });
        }
        if held_out {
            doc["held_out"] = held_out_doc.take();
        }
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Loads one NAB file, puts it on its grid and scores it by the protocol.
fn score_file(dir: &Path, key: &str) -> Result<Score, String> {
    score_loaded(&nab::load_file(dir, key).map_err(|e| e.to_string())?)
}

/// Puts a loaded NAB file on its grid and scores it by the protocol.
fn score_loaded(file: &nab::NabFile) -> Result<Score, String> {
    let key = file.key();
    let (step, values) = regularise(&file.timestamps, &file.values).ok_or(format!("{key}: too few rows"))?;
    score_series(step, &values).map_err(|e| format!("{key}: {e}"))
}

/// Scores every NAB file outside [`SERIES`] by the protocol, prints them with a summary of
/// their 80 % coverage against [`COVERAGE_GOAL`], and returns the same as JSON.
fn held_out_check(dir: &Path) -> Result<serde_json::Value, String> {
    let files = nab::load_corpus(dir).map_err(|e| e.to_string())?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["held-out series", "MASE", "cov80"]);
    let mut doc = json!({"series": {}});
    let mut coverages = Vec::new();
    for file in files.iter().filter(|f| SERIES.iter().all(|s| s.1 != f.key())) {
        let key = file.key();
        let s = score_loaded(file)?;
        table.add_row([key.clone(), format!("{:.3}", s.mase), format!("{:.2}", s.coverage80)]);
        doc["series"][&key] = json!({"mase": s.mase, "coverage80": s.coverage80});
        coverages.push(s.coverage80);
    }
    let n = coverages.len().max(1) as f64;
    let mean = coverages.iter().sum::<f64>() / n;
    let deviation = coverages.iter().map(|c| (c - 0.8).abs()).sum::<f64>() / n;
    let in_goal = coverages.iter().filter(|c| COVERAGE_GOAL.contains(*c)).count();
    let below = coverages.iter().filter(|c| *c < COVERAGE_GOAL.start()).count();
    println!("{table}");
    println!(
        "held out: {} series, 80 % coverage mean {mean:.3}, mean |coverage − 0.8| {deviation:.3}, \
         {in_goal} in [0.72, 0.88], {below} below",
        coverages.len()
    );
    doc["mean_coverage80"] = json!(mean);
    doc["mean_abs_deviation"] = json!(deviation);
    doc["in_goal"] = json!(in_goal);
    doc["below_goal"] = json!(below);
    Ok(doc)
}

/// Puts rows on the grid of their most common step (mean per bin, empty bins linearly
/// interpolated): returns the step in seconds and the values.
pub fn regularise(timestamps: &[i64], values: &[f64]) -> Option<(i64, Vec<f64>)> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for w in timestamps.windows(2) {
        *counts.entry(w[1] - w[0]).or_default() += 1;
    }
    let step = counts.into_iter().filter(|(d, _)| *d > 0).max_by_key(|(d, c)| (*c, -d))?.0;
    let (t0, t1) = (*timestamps.iter().min()?, *timestamps.iter().max()?);
    let cells = ((t1 - t0) / step + 1) as usize;
    let cell_values = timestamps.iter().zip(values).map(|(t, v)| (((t - t0) / step) as usize, *v));
    Some((step, grid_means(cells, cell_values).0))
}

/// Scores one regular series over the protocol's origins.
fn score_series(step: i64, y: &[f64]) -> Result<Score, String> {
    let n = y.len();
    let period = (86_400 / step) as usize;
    let (first, last) = (n * 7 / 10, n - HORIZON);
    let mut score = Score { mase: 0.0, coverage80: 0.0, ms_per_origin: 0.0, models: HashMap::new() };
    for k in 0..ORIGINS {
        let origin = first + ((k * (last - first)) as f64 / (ORIGINS - 1) as f64).round() as usize;
        let start = origin.saturating_sub(CAP_DAYS * period);
        let request = ForecastRequest {
            version: VERSION.into(),
            timestamps: (start..origin).map(|i| (i as i64 * step) as f64).collect(),
            values: y[start..origin].to_vec(),
            time_unit: Default::default(),
            options: ForecastOptions { horizon: HORIZON, levels: vec![80.0] },
        };
        let began = Instant::now();
        let response = corridor_core::ops::forecast(request).map_err(|e| e.to_string())?;
        score.ms_per_origin += began.elapsed().as_secs_f64() * 1e3;
        let truth = &y[origin..origin + HORIZON];
        let f = &response.forecast;
        let band = &f.intervals[0];
        let mae = truth.iter().zip(&f.point).map(|(a, p)| (a - p).abs()).sum::<f64>() / HORIZON as f64;
        let inside = (0..HORIZON).filter(|&i| band.lower[i] <= truth[i] && truth[i] <= band.upper[i]).count();
        score.mase += mae / mase_scale(&y[start..origin], period);
        score.coverage80 += inside as f64 / HORIZON as f64;
        let name = format!("{:?}/{}", f.model.family, f.model.period_ms.map_or(0, |p| p / 60_000));
        *score.models.entry(name).or_default() += 1;
    }
    let k = ORIGINS as f64;
    Ok(Score {
        mase: score.mase / k,
        coverage80: score.coverage80 / k,
        ms_per_origin: score.ms_per_origin / k,
        ..score
    })
}

/// In-sample seasonal-naive MAE of lag `period` (naive when fewer than two periods).
fn mase_scale(train: &[f64], period: usize) -> f64 {
    let lag = if train.len() >= 2 * period { period } else { 1 };
    train.windows(lag + 1).map(|w| (w[lag] - w[0]).abs()).sum::<f64>() / (train.len() - lag) as f64
}

/// Median time of a fit + 60-step forecast of the protocol's synthetic 10,080-point week.
fn throughput() -> (f64, String) {
    let mut state = 42u64;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let tau = std::f64::consts::TAU;
    let values: Vec<f64> = (0..10_080)
        .map(|t| {
            let t = t as f64;
            let gauss = (-2.0 * uniform().ln()).sqrt() * (tau * uniform()).cos();
            100.0
                + 0.001 * t
                + 20.0 * (tau * t / 1440.0).sin()
                + 5.0 * (2.0 * tau * t / 1440.0 + 0.3).sin()
                + 3.0 * gauss
        })
        .collect();
    let request = ForecastRequest {
        version: VERSION.into(),
        timestamps: (0..10_080).map(|i| 1_700_000_000.0 + 60.0 * i as f64).collect(),
        values,
        time_unit: Default::default(),
        options: ForecastOptions { horizon: 60, levels: vec![80.0] },
    };
    let mut model = String::new();
    let mut times: Vec<f64> = (0..22)
        .map(|_| {
            let r = request.clone();
            let began = Instant::now();
            let out = black_box(corridor_core::ops::forecast(r));
            let ms = began.elapsed().as_secs_f64() * 1e3;
            if let Ok(f) = out {
                model = format!("{:?}", f.forecast.model.family);
            }
            ms
        })
        .skip(1)
        .collect();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], model)
}

fn print_table(scores: &[Score], mean: f64, geomean: f64, coverage: f64, ms: f64) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["series".to_string(), "Corridor MASE / cov80".into(), "ms/origin".into()];
    header.extend(ANCHORS.iter().map(|a| format!("{} MASE / cov80", a.0)));
    header.push("models chosen".into());
    table.set_header(header);
    for (i, ((id, _), s)) in SERIES.iter().zip(scores).enumerate() {
        let mut row =
            vec![id.to_string(), format!("{:.3} / {:.2}", s.mase, s.coverage80), format!("{:.2}", s.ms_per_origin)];
        row.extend(ANCHORS.iter().map(|a| format!("{:.3} / {:.2}", a.1[i].0, a.1[i].1)));
        let mut models: Vec<String> = s.models.iter().map(|(m, c)| format!("{m}×{c}")).collect();
        models.sort();
        row.push(models.join(" "));
        table.add_row(row);
    }
    let mut row = vec!["mean".to_string(), format!("{mean:.3} / {coverage:.2}"), format!("{ms:.2}")];
    row.extend(ANCHORS.iter().map(|a| format!("{:.3}", a.2)));
    table.add_row(row);
    let mut row = vec!["geo-mean MASE".to_string(), format!("{geomean:.3}"), String::new()];
    row.extend(ANCHORS.iter().map(|a| format!("{:.3}", a.3)));
    table.add_row(row);
    println!("{table}");
}
