//! Runs the streaming detector causally over a file's rows, one score per row: the detector's
//! edge-triggered `alert` score (see `corridor_core::alert`), with default options.

use corridor_core::detect::{DetectOptions, Detector};
use corridor_core::seasonality;
use corridor_core::series::{clean, TimeUnit};

/// Scores every row of a series in file order, as NAB requires: the period is learned from the
/// first `learn_rows` rows only, and each row's score uses that row and the rows before it.
/// Rows whose timestamp does not advance (duplicates, disorder) repeat the previous score.
/// Returns the scores and the period followed.
pub fn causal_scores(
    timestamps_ms: &[i64],
    values: &[f64],
    learn_rows: usize,
) -> Result<(Vec<f64>, Option<i64>), String> {
    let learn = learn_rows.clamp(3, timestamps_ms.len());
    let ts: Vec<f64> = timestamps_ms[..learn].iter().map(|t| *t as f64).collect();
    let prefix = clean(&ts, &values[..learn], TimeUnit::Milliseconds).map_err(|e| e.to_string())?;
    let period = seasonality::detect(&prefix.series).primary();
    let mut detector =
        Detector::new(prefix.series.step_ms, period, &DetectOptions::default()).map_err(|e| e.to_string())?;
    let mut anomalies = Vec::new();
    let mut scores = Vec::with_capacity(values.len());
    let mut last = 0.0;
    for (t, x) in timestamps_ms.iter().zip(values) {
        if detector.last_ms().is_none_or(|l| *t > l) && x.is_finite() {
            last = detector.push(*t, *x, &mut anomalies).alert;
        }
        scores.push(last);
        anomalies.clear();
    }
    Ok((scores, period))
}
