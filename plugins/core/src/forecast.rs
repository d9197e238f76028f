//! Forecasts of the next `h` points with calibrated prediction intervals.
//!
//! 1. The cleaned series is put on a regular grid of its step (points in one cell are
//!    averaged, empty cells linearly interpolated) and capped to the last
//!    [`MAX_HISTORY_DAYS`] days.
//! 2. Candidate families ([`crate::smoothing`]): robust exponential smoothing without season
//!    (with and without damped trend), seasonal smoothing on every period
//!    [`crate::seasonality::detect`] could assess (daily from two days of history, weekly from
//!    two weeks, a strong other period), and seasonal naive, each over a small grid of
//!    smoothing parameters.
//! 3. All of them are backtested from rolling origins over the recent history (the last day,
//!    or `20 h` steps if longer, at most half the history); the lowest mean absolute error wins.
//!    The selection spreads at most [`MAX_SELECTION_ERRORS`] errors per candidate over that
//!    region (every origin up to a 12-step horizon at [`MAX_ORIGINS`] origins; fewer,
//!    further apart origins for longer horizons, whose errors at nearby origins say much the
//!    same).
//! 4. Intervals are the empirical quantiles of the winner's backtest errors *at each lead
//!    time*, added to the point forecast: they carry every error source the model really has
//!    (level, trend, seasonal estimate, noise), not an idealised formula's. Their origins (up
//!    to [`MAX_ORIGINS`]) span the selection region or [`INTERVAL_CYCLES`] cycles of the
//!    longest usable period, whichever is longer, so every phase of the season (weekday and
//!    weekend, day and night) contributes errors, not only the last day's. Each origin's
//!    errors are measured in the local volatility before it (the mean absolute one-step change
//!    over [`VOLATILITY_WINDOW_MS`]) and the quantiles scaled by the volatility now: a calm
//!    hour after a burst gets a calm interval, a burst a wide one.

use crate::error::{Error, ErrorCode, Result};
use crate::seasonality::{PeriodStatus, Seasonality, DAY_MS};
use crate::series::{grid_means, Series, MAX_POINTS};
use crate::smoothing::{self, Backtest, Errors, Model, Params};
use serde::{Deserialize, Serialize};

/// History older than this many days is not used.
pub const MAX_HISTORY_DAYS: i64 = 28;
/// The longest horizon one call accepts, in steps.
pub const MAX_HORIZON: usize = 10_000;
/// Backtest origins at most (they are spread evenly over the backtest region).
pub const MAX_ORIGINS: usize = 300;
/// Backtest errors (origins × horizon) at most per candidate in the model selection.
pub const MAX_SELECTION_ERRORS: usize = 12 * MAX_ORIGINS;
/// Backtest errors a lead needs before its own quantiles are trusted.
const MIN_ERRORS: usize = 8;
/// Cycles of the longest usable period the interval origins span at least.
pub const INTERVAL_CYCLES: usize = 2;
/// The local volatility of an origin is the mean absolute one-step change over this much
/// history before it.
pub const VOLATILITY_WINDOW_MS: i64 = 6 * 3_600_000;
/// Interval tails are read at this fraction of their nominal probability: the winner was
/// chosen for having the smallest errors on the last of the origins its quantiles come from,
/// so those errors are optimistic (chosen by measuring coverage on the six series of the
/// forecast protocol and checked on 25 held-out NAB series, see `bench/README.md`: 0.8 reads
/// an 80 % interval at the 84 % quantiles).
const SELECTION_TAIL_SHRINK: f64 = 0.8;

/// What to forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastOptions {
    /// Steps ahead to forecast, 1 to [`MAX_HORIZON`].
    pub horizon: usize,
    /// Interval levels in percent, each in (0, 100).
    pub levels: Vec<f64>,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        Self { horizon: 12, levels: vec![80.0, 95.0] }
    }
}

impl ForecastOptions {
    /// Checks the ranges documented on each field.
    pub fn validate(&self) -> Result<()> {
        if self.horizon == 0 || self.horizon > MAX_HORIZON {
            return Err(Error::in_field(
                ErrorCode::InvalidOption,
                "horizon",
                format!("horizon must be between 1 and {MAX_HORIZON} steps, got {}", self.horizon),
            ));
        }
        if let Some(bad) = self.levels.iter().find(|l| !(**l > 0.0 && **l < 100.0)) {
            return Err(Error::in_field(
                ErrorCode::InvalidOption,
                "levels",
                format!("interval levels are percentages strictly between 0 and 100, got {bad}"),
            ));
        }
        Ok(())
    }
}

/// A model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Value one period earlier.
    SeasonalNaive,
    /// Robust exponential smoothing of the level (and a damped trend), no season.
    Smoothing,
    /// Robust exponential smoothing of level and a seasonal profile (Holt-Winters, additive).
    SeasonalSmoothing,
}

/// One candidate as it did in the backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// The family.
    pub family: Family,
    /// Seasonal period in milliseconds, if any.
    pub period_ms: Option<i64>,
    /// Level smoothing (0 for seasonal naive).
    pub alpha: f64,
    /// Trend smoothing (0: no trend).
    pub beta: f64,
    /// Seasonal smoothing.
    pub gamma: f64,
    /// Mean absolute backtest error.
    pub backtest_mae: f64,
}

/// One prediction interval, point by point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Level in percent.
    pub level: f64,
    /// Lower bounds.
    pub lower: Vec<f64>,
    /// Upper bounds.
    pub upper: Vec<f64>,
}

/// A forecast and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Timestamps of the forecast points, ms.
    pub timestamps_ms: Vec<i64>,
    /// Point forecasts.
    pub point: Vec<f64>,
    /// One interval per requested level, in the order requested.
    pub intervals: Vec<Interval>,
    /// The model chosen.
    pub model: ModelReport,
    /// The best candidate of each family and period, by backtest error.
    pub candidates: Vec<ModelReport>,
    /// Backtest error of the chosen model relative to the in-sample error of seasonal naive
    /// (naive when no period is learned): below 1 beats it.
    pub backtest_mase: f64,
    /// Backtest origins of the intervals (the selection may use fewer, see the module docs).
    pub backtest_origins: usize,
    /// Points of history used (on the regular grid).
    pub history_points: usize,
    /// Skill in [0, 1]: the share of the simplest forecast's backtest error (last value, or
    /// value one period ago, whichever is better) that the chosen model removes.
    pub quality: f64,
}

/// Forecasts `options.horizon` steps after the last point of `series`, using the periods
/// `seasonality` (from [`crate::seasonality::detect`] on the same series) could assess.
///
/// ```
/// use corridor_core::forecast::{forecast, ForecastOptions};
/// use corridor_core::seasonality::detect;
/// use corridor_core::series::Series;
/// let timestamps_ms: Vec<i64> = (0..2000).map(|i| i * 300_000).collect();
/// let values: Vec<f64> = (0..2000).map(|i| 50.0 + 20.0 * (i as f64 / 288.0 * std::f64::consts::TAU).sin()).collect();
/// let series = Series { timestamps_ms, values, step_ms: 300_000 };
/// let f = forecast(&series, &detect(&series), &ForecastOptions::default()).unwrap();
/// assert_eq!(f.point.len(), 12);
/// assert!((f.point[0] - (50.0 + 20.0 * (2000.0 / 288.0 * std::f64::consts::TAU).sin())).abs() < 0.5);
/// ```
pub fn forecast(series: &Series, seasonality: &Seasonality, options: &ForecastOptions) -> Result<Forecast> {
    options.validate()?;
    let h = options.horizon;
    let y = regular_grid(series)?;
    let n = y.len();
    let step = series.step_ms;
    let region = (DAY_MS / step).max(20 * h as i64).min(n as i64 / 2).max(1) as usize;
    let first_origin = n - region;
    // Seasonal models need one full period before the backtest region to initialise from.
    let periods: Vec<usize> = usable_periods(seasonality, step, n).into_iter().filter(|&m| m <= first_origin).collect();
    let backtest = Backtest { first_origin, stride: region.div_ceil(MAX_ORIGINS), horizon: h };
    let selection = Backtest { stride: backtest.stride.max((region * h).div_ceil(MAX_SELECTION_ERRORS)), ..backtest };
    let grid = grid(&periods);
    let profiles: Vec<(usize, Vec<f64>)> =
        periods.iter().map(|&period| (period, smoothing::seasonal_profile(&y[..first_origin], period))).collect();
    let models: Vec<Model> = grid
        .iter()
        .map(|&params| Model {
            params,
            profile: profiles.iter().find(|p| p.0 == params.period).map_or(&[][..], |p| &p.1),
        })
        .collect();
    let mut best: Option<(&Model, f64, Vec<f64>)> = None;
    let mut candidates: Vec<ModelReport> = Vec::new();
    let mut reference = f64::INFINITY;
    for (model, (errors, point)) in models.iter().zip(smoothing::run(&y, &models, &selection, h, false)) {
        let (params, mae) = (model.params, errors.mae);
        if params.seasonal_naive || (params.period == 0 && params.alpha >= 1.0 && params.beta == 0.0) {
            reference = reference.min(mae);
        }
        let report = report(&params, mae, step);
        match candidates.iter_mut().find(|c| c.family == report.family && c.period_ms == report.period_ms) {
            Some(c) if c.backtest_mae <= mae => {}
            Some(c) => *c = report,
            None => candidates.push(report),
        }
        if best.as_ref().is_none_or(|b| mae < b.1) {
            best = Some((model, mae, point));
        }
    }
    let Some((model, mae, point)) = best else {
        return Err(Error::new(ErrorCode::TooFewPoints, "no model could be fitted to the series"));
    };
    let params = model.params;
    let longest = periods.last().copied().unwrap_or(0);
    let span = region.max(INTERVAL_CYCLES * longest).min(n);
    let interval_first = (n - span).max(params.period).clamp(1, first_origin.max(1));
    let interval_backtest =
        Backtest { first_origin: interval_first, stride: (n - interval_first).div_ceil(MAX_ORIGINS), horizon: h };
    let window = (VOLATILITY_WINDOW_MS / step).max(1) as usize;
    let mut sorted_errors = sorted_by_lead(interval_errors(&y, model, &interval_backtest, first_origin, window));
    let volatility_now = local_volatility(&y, n, window);
    sorted_errors.iter_mut().flatten().for_each(|e| *e *= volatility_now);
    let scale = insample_scale(&y, (DAY_MS / step) as usize);
    let last = series.timestamps_ms[series.timestamps_ms.len() - 1];
    Ok(Forecast {
        timestamps_ms: (1..=h as i64).map(|k| last + k * step).collect(),
        intervals: options.levels.iter().map(|&level| interval(&point, &sorted_errors, &y, level)).collect(),
        point,
        model: report(&params, mae, step),
        candidates,
        backtest_mase: if scale > 0.0 { mae / scale } else { 0.0 },
        backtest_origins: interval_backtest.origins(n),
        history_points: n,
        quality: if reference > 0.0 && reference.is_finite() { (1.0 - mae / reference).clamp(0.0, 1.0) } else { 1.0 },
    })
}

fn report(params: &Params, mae: f64, step: i64) -> ModelReport {
    let family = match (params.seasonal_naive, params.period) {
        (true, _) => Family::SeasonalNaive,
        (false, 0) => Family::Smoothing,
        _ => Family::SeasonalSmoothing,
    };
    let smoothing = !params.seasonal_naive;
    ModelReport {
        family,
        period_ms: (params.period > 0).then(|| params.period as i64 * step),
        alpha: if smoothing { params.alpha } else { 0.0 },
        beta: if smoothing { params.beta } else { 0.0 },
        gamma: if smoothing { params.gamma } else { 0.0 },
        backtest_mae: mae,
    }
}

/// Period lengths in steps of every period assessed with enough history (shortest first).
fn usable_periods(seasonality: &Seasonality, step_ms: i64, n: usize) -> Vec<usize> {
    let mut periods: Vec<usize> = seasonality
        .periods
        .iter()
        .filter(|p| match p.status {
            PeriodStatus::Detected => true,
            PeriodStatus::Absent => p.name != "other",
            PeriodStatus::InsufficientHistory | PeriodStatus::TooCoarse => false,
        })
        .map(|p| (p.period_ms as f64 / step_ms as f64).round() as usize)
        .filter(|&m| m >= 2 && 2 * m <= n)
        .collect();
    periods.sort_unstable();
    periods.dedup();
    periods
}

/// The candidates: every family over its parameter grid, the seasonal ones on each of `periods`.
fn grid(periods: &[usize]) -> Vec<Params> {
    let plain = Params { period: 0, alpha: 1.0, beta: 0.0, gamma: 0.0, seasonal_naive: false };
    let mut all = Vec::new();
    for alpha in [0.1, 0.3, 0.6, 1.0] {
        for beta in [0.0, 0.1 * alpha] {
            all.push(Params { alpha, beta, ..plain });
        }
    }
    for &period in periods {
        all.push(Params { period, seasonal_naive: true, ..plain });
        for alpha in [0.05, 0.2, 0.5] {
            for gamma in [0.0, 0.1, 0.3] {
                all.push(Params { period, alpha, gamma, ..plain });
            }
        }
    }
    all
}

/// Mean absolute error of the in-sample seasonal naive forecast of lag `period` (of naive
/// when the history holds fewer than two periods, or the period is under two steps).
fn insample_scale(y: &[f64], period: usize) -> f64 {
    let lag = if period >= 2 && y.len() >= 2 * period { period } else { 1 };
    if y.len() <= lag {
        return 0.0;
    }
    y.windows(lag + 1).map(|w| (w[lag] - w[0]).abs()).sum::<f64>() / (y.len() - lag) as f64
}

/// Every backtest error of the chosen `model`, per lead, from every origin of `backtest`, in
/// units of the [`local_volatility`] over `window` steps before its origin: the selection kept
/// only each model's mean, so the winner runs once more keeping them. When these origins start
/// before the selection's (`first_origin`), the seasonal profile is learned again from the
/// points before them.
fn interval_errors(y: &[f64], model: &Model, backtest: &Backtest, first_origin: usize, window: usize) -> Errors {
    let params = model.params;
    let earlier = (params.period > 0 && backtest.first_origin < first_origin)
        .then(|| smoothing::seasonal_profile(&y[..backtest.first_origin], params.period));
    let model = Model { params, profile: earlier.as_deref().unwrap_or(model.profile) };
    let (mut errors, _) = smoothing::run(y, std::slice::from_ref(&model), backtest, 1, true).remove(0);
    let volatility: Vec<f64> = (0..backtest.origins(y.len()))
        .map(|i| local_volatility(y, backtest.first_origin + i * backtest.stride, window))
        .collect();
    // Lead k's i-th error is from the i-th origin: only the last origins lack the longer leads.
    for lead in &mut errors.by_lead {
        lead.iter_mut().zip(&volatility).for_each(|(e, v)| *e /= v);
    }
    errors
}

/// The mean absolute one-step change over the `window` steps before point `t`.
fn local_volatility(y: &[f64], t: usize, window: usize) -> f64 {
    smoothing::change_scale(&y[t.saturating_sub(window + 1)..t])
}

/// The backtest errors of each lead, sorted.
fn sorted_by_lead(errors: Errors) -> Vec<Vec<f64>> {
    let mut by_lead = errors.by_lead;
    by_lead.iter_mut().for_each(|e| sort_floats(e));
    by_lead
}

/// Sorts in the order of [`f64::total_cmp`] by sorting its integer keys (the same order,
/// several times cheaper to compare); the key map is its own inverse.
fn sort_floats(values: &mut [f64]) {
    let key = |bits: i64| bits ^ (((bits >> 63) as u64) >> 1) as i64;
    let mut keys: Vec<i64> = values.iter().map(|v| key(v.to_bits() as i64)).collect();
    keys.sort_unstable();
    for (v, k) in values.iter_mut().zip(keys) {
        *v = f64::from_bits(key(k) as u64);
    }
}

/// The interval at `level` percent from the backtest error quantiles at each lead time
/// (`sorted_errors`, from [`sorted_by_lead`]), tails shrunk by [`SELECTION_TAIL_SHRINK`].
///
/// A lead with fewer than [`MIN_ERRORS`] errors borrows the quantiles of the last lead that
/// had enough, widened by the square root of the lead ratio; with none at all, a normal band
/// from the spread of one-step changes of the history.
fn interval(point: &[f64], sorted_errors: &[Vec<f64>], y: &[f64], level: f64) -> Interval {
    let tail = SELECTION_TAIL_SHRINK * (1.0 - level / 100.0) / 2.0;
    let mut lower = Vec::with_capacity(point.len());
    let mut upper = Vec::with_capacity(point.len());
    let mut known: Option<(usize, f64, f64)> = None;
    for (k, p) in point.iter().enumerate() {
        let own = sorted_errors.get(k).filter(|e| e.len() >= MIN_ERRORS);
        let (lo, hi) = match (own, known) {
            (Some(sorted), _) => {
                let q = (quantile(sorted, tail), quantile(sorted, 1.0 - tail));
                known = Some((k + 1, q.0, q.1));
                q
            }
            (None, Some((k0, lo, hi))) => {
                let widen = ((k + 1) as f64 / k0 as f64).sqrt();
                (lo * widen, hi * widen)
            }
            (None, None) => {
                let z = normal_quantile(1.0 - tail);
                let spread = insample_scale(y, 0) * 1.25 * ((k + 1) as f64).sqrt();
                (-z * spread, z * spread)
            }
        };
        lower.push(p + lo.min(0.0));
        upper.push(p + hi.max(0.0));
    }
    Interval { level, lower, upper }
}

/// Linear-interpolated quantile `q` of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    let next = sorted.get(i + 1).copied().unwrap_or(sorted[i]);
    sorted[i] + frac * (next - sorted[i])
}

/// The standard normal quantile of `p` in (0, 1), by bisection on [`crate::stats::erfc`].
fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0, 10.0);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if 0.5 * crate::stats::erfc(-mid / std::f64::consts::SQRT_2) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The series on a regular grid of its step over the last [`MAX_HISTORY_DAYS`] days: cells
/// with several points take their mean, empty cells are linearly interpolated.
fn regular_grid(series: &Series) -> Result<Vec<f64>> {
    let step = series.step_ms.max(1);
    let t = &series.timestamps_ms;
    let last = t[t.len() - 1];
    let start = t[0].max(last - MAX_HISTORY_DAYS * DAY_MS + step);
    let cells = ((last - start) / step + 1) as usize;
    if cells > MAX_POINTS {
        return Err(Error::in_field(
            ErrorCode::TooLarge,
            "timestamps",
            format!("the series spans {cells} steps of {step} ms; at most {MAX_POINTS} can be forecast from"),
        ));
    }
    let cell_values = t
        .iter()
        .zip(&series.values)
        .filter(|(ti, _)| **ti >= start)
        .map(|(ti, v)| ((((ti - start) as f64 / step as f64).round() as usize).min(cells - 1), *v));
    let (mut y, first) = grid_means(cells, cell_values);
    Ok(y.split_off(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_sort_in_total_order() {
        let mut values = vec![3.5, -0.0, f64::INFINITY, -2.25, 0.0, f64::NEG_INFINITY, 1e-300, -1e300];
        let mut expected = values.clone();
        expected.sort_by(f64::total_cmp);
        sort_floats(&mut values);
        assert_eq!(
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            expected.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn normal_quantiles() {
        assert!((normal_quantile(0.9) - 1.281_551_6).abs() < 1e-5);
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
    }

    #[test]
    fn grid_interpolates_gaps_and_averages_cells() {
        let s = Series { timestamps_ms: vec![0, 10, 20, 50], values: vec![1.0, 3.0, 5.0, 11.0], step_ms: 10 };
        assert_eq!(regular_grid(&s).unwrap(), vec![1.0, 3.0, 5.0, 7.0, 9.0, 11.0]);
    }

    #[test]
    fn bad_options_are_refused() {
        let bad = [
            ForecastOptions { horizon: 0, ..Default::default() },
            ForecastOptions { levels: vec![100.0], ..Default::default() },
            ForecastOptions { levels: vec![f64::NAN], ..Default::default() },
        ];
        for options in bad {
            assert_eq!(options.validate().unwrap_err().code, ErrorCode::InvalidOption);
        }
    }
}
