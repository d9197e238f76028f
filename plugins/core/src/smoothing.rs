//! The forecasting model families on a regular grid, and their rolling-origin backtest.
//!
//! Every family is one pass of a robust exponential-smoothing recursion over the history:
//! additive level, optional damped trend, optional seasonal profile of `period` steps. Errors
//! are Huber-clipped at three times a running mean absolute error before they update the
//! state, so outliers barely move it; four clipped errors of one sign in a row are a level
//! shift, and the level jumps to follow it. Seasonal naive ("same time one period ago") is the reference family.
//!
//! The backtest is a by-product of the pass: at every origin of the backtest region the
//! state's `h`-step forecast is compared with the points that followed. Seasonal profiles are
//! initialised only from points before that region, so no forecast there has seen its future.

/// Errors beyond this many running mean absolute errors are clipped before updating the state.
const CLIP: f64 = 3.0;
/// Learning rate of the running mean absolute error.
const SCALE_RATE: f64 = 0.05;
/// Damping of the trend per step.
const PHI: f64 = 0.9;
/// Consecutive clipped errors of one sign after which the level jumps by their mean: a
/// level shift, not an outlier.
const SHIFT_RUN: usize = 4;
/// Steps a model without a season runs before the backtest region. Its level, trend and
/// error scale are smoothed at rates of at least 0.05 a step, so after a thousand steps less
/// than 10⁻²² of where it started is left: starting earlier gives the same errors and
/// forecast (to the last digit on the forecast benchmark and the contract examples), only
/// slower. (A seasonal profile is updated once a cycle and remembers its start
/// for many cycles: seasonal models run from the first point.)
const PLAIN_WARM_UP: usize = 1000;

/// A model family and its smoothing parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Seasonal period in steps; 0 for none.
    pub period: usize,
    /// Level smoothing, in (0, 1].
    pub alpha: f64,
    /// Trend smoothing (0 for no trend).
    pub beta: f64,
    /// Seasonal smoothing, in [0, 1).
    pub gamma: f64,
    /// Repeat the value one period ago instead of smoothing (`period` > 0).
    pub seasonal_naive: bool,
}

/// Where and how the backtest forecasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backtest {
    /// First origin: forecasts are made after seeing `y[..origin]`.
    pub first_origin: usize,
    /// Distance between origins.
    pub stride: usize,
    /// Steps ahead forecast from every origin.
    pub horizon: usize,
}

impl Backtest {
    /// Origins in a history of `n` points.
    pub fn origins(&self, n: usize) -> usize {
        n.saturating_sub(self.first_origin).div_ceil(self.stride.max(1))
    }
}

/// Backtest errors of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Errors {
    /// Mean absolute error over every origin and lead; infinite when nothing was scored.
    pub mae: f64,
    /// `actual − forecast` per lead time (index 0 is one step ahead) when they were kept;
    /// empty otherwise.
    pub by_lead: Vec<Vec<f64>>,
}

/// Collects one model's backtest errors as they come, origin by origin.
struct Tally {
    /// Sum of absolute errors per lead: each lead its own sum, so the leads of one origin
    /// add up independently of each other.
    abs_sums: Vec<f64>,
    count: usize,
    by_lead: Vec<Vec<f64>>,
}

impl Tally {
    /// An empty tally; it keeps every error per lead when `keep` is set, only their mean
    /// absolute value otherwise.
    fn new(backtest: &Backtest, n: usize, keep: bool) -> Self {
        let by_lead = if keep {
            (0..backtest.horizon).map(|_| Vec::with_capacity(backtest.origins(n))).collect()
        } else {
            Vec::new()
        };
        Self { abs_sums: vec![0.0; backtest.horizon], count: 0, by_lead }
    }

    /// Adds the errors of one origin, lead by lead (the first is one step ahead).
    fn add_origin(&mut self, errors: impl Iterator<Item = f64>) {
        if self.by_lead.is_empty() {
            for (sum, error) in self.abs_sums.iter_mut().zip(errors) {
                *sum += error.abs();
                self.count += 1;
            }
        } else {
            for ((sum, column), error) in self.abs_sums.iter_mut().zip(&mut self.by_lead).zip(errors) {
                *sum += error.abs();
                self.count += 1;
                column.push(error);
            }
        }
    }

    fn finish(self) -> Errors {
        let mae = if self.count == 0 { f64::INFINITY } else { self.abs_sums.iter().sum::<f64>() / self.count as f64 };
        Errors { mae, by_lead: self.by_lead }
    }
}

/// A model to run: its family and parameters, and its initial seasonal profile
/// ([`seasonal_profile`] of the points before the backtest region; empty without a period).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model<'a> {
    /// Family and parameters.
    pub params: Params,
    /// Initial seasonal profile.
    pub profile: &'a [f64],
}

/// The recursion's state, able to forecast.
struct State {
    level: f64,
    trend: f64,
    season: Vec<f64>,
    scale: f64,
    /// Clipped errors of one sign in a row, and their sum.
    run: (usize, f64),
    /// Seasonal phase of the next point (0 without a period).
    phase: usize,
}

impl State {
    /// Writes into `out` the forecasts 1, 2, … steps ahead, one per entry of `damped` (as
    /// long as `out`; it holds `φ + φ² + … + φᵏ` for lead `k`).
    fn ahead(&self, damped: &[f64], out: &mut [f64]) {
        for (o, d) in out.iter_mut().zip(damped) {
            *o = self.level + d * self.trend;
        }
        let mut phase = self.phase;
        let mut rest = out;
        while !rest.is_empty() && !self.season.is_empty() {
            let (this_cycle, next) = rest.split_at_mut(rest.len().min(self.season.len() - phase));
            for (o, s) in this_cycle.iter_mut().zip(&self.season[phase..]) {
                *o += s;
            }
            (rest, phase) = (next, 0);
        }
    }

    /// One update of the recursion with the next point.
    fn step(&mut self, params: &Params, actual: f64) {
        let period = self.season.len();
        let season = if period > 0 { self.season[self.phase] } else { 0.0 };
        let error = actual - (self.level + PHI * self.trend + season);
        let limit = CLIP * self.scale;
        let clipped = error.clamp(-limit, limit);
        self.scale += SCALE_RATE * (error.abs().min(2.0 * limit) - self.scale);
        self.level += PHI * self.trend + params.alpha * clipped;
        let (count, sum) = self.run;
        self.run = if error.abs() <= limit {
            (0, 0.0)
        } else if count > 0 && (sum > 0.0) == (error > 0.0) {
            (count + 1, sum + error)
        } else {
            (1, error)
        };
        if self.run.0 >= SHIFT_RUN {
            self.level += self.run.1 / self.run.0 as f64;
            self.run = (0, 0.0);
        }
        self.trend = PHI * self.trend + params.beta * clipped;
        if period > 0 {
            self.season[self.phase] += params.gamma * (1.0 - params.alpha) * clipped;
            self.phase = if self.phase + 1 == period { 0 } else { self.phase + 1 };
        }
    }
}

/// One smoothing model during the pass: its state and the backtest errors so far.
struct Fit {
    params: Params,
    /// Index of the first point the model sees.
    start: usize,
    state: State,
    errors: Tally,
}

/// Runs every model over `y`, backtesting as it goes; returns, in the order given, each
/// model's backtest errors (every error per lead only when `keep_errors` is set: a model
/// selection needs their mean, the intervals of the chosen model all of them) and its
/// forecast of `horizon` steps after the last point.
///
/// The smoothing models advance together, point by point: their recursions are independent,
/// so the processor overlaps them instead of waiting on one model's chain of dependent
/// updates at a time. Each model's arithmetic is the same as on its own.
pub fn run(
    y: &[f64],
    models: &[Model],
    backtest: &Backtest,
    horizon: usize,
    keep_errors: bool,
) -> Vec<(Errors, Vec<f64>)> {
    let damped: Vec<f64> = (1..=horizon.max(backtest.horizon))
        .scan(0.0, |sum, i| {
            *sum += libm::pow(PHI, i as f64);
            Some(*sum)
        })
        .collect();
    let known = backtest.first_origin.clamp(1, y.len());
    let scale = change_scale(&y[..known]);
    let mut fits: Vec<Option<Fit>> = models
        .iter()
        .map(|m| {
            (!m.params.seasonal_naive).then(|| {
                let start = if m.params.period == 0 { known.saturating_sub(PLAIN_WARM_UP) } else { 0 };
                Fit {
                    params: m.params,
                    start,
                    state: initial_state(&y[start..known], m, scale),
                    errors: Tally::new(backtest, y.len(), keep_errors),
                }
            })
        })
        .collect();
    let mut origin = backtest.first_origin;
    let mut forecasts = vec![0.0; backtest.horizon];
    for (t, &actual) in y.iter().enumerate() {
        if t == origin {
            origin += backtest.stride.max(1);
            let leads = backtest.horizon.min(y.len() - t);
            for fit in fits.iter_mut().flatten() {
                fit.state.ahead(&damped[..leads], &mut forecasts[..leads]);
                fit.errors.add_origin(y[t..].iter().zip(&forecasts[..leads]).map(|(a, f)| a - f));
            }
        }
        for fit in fits.iter_mut().flatten().filter(|fit| t >= fit.start) {
            fit.state.step(&fit.params, actual);
        }
    }
    models
        .iter()
        .zip(fits)
        .map(|(model, fit)| match fit {
            Some(fit) => {
                let mut forecast = vec![0.0; horizon];
                fit.state.ahead(&damped[..horizon], &mut forecast);
                (fit.errors.finish(), forecast)
            }
            None => seasonal_naive(y, model.params.period, backtest, horizon, keep_errors),
        })
        .collect()
}

/// The mean absolute one-step change of `points` (at least a tiny fraction of their largest
/// magnitude, so a constant stretch still has one): the initial error scale from the points
/// before the backtest region, and the local volatility of [`crate::forecast`]'s intervals.
pub(crate) fn change_scale(points: &[f64]) -> f64 {
    let diffs: f64 = points.windows(2).map(|w| (w[1] - w[0]).abs()).sum();
    let magnitude = points.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (diffs / points.len().saturating_sub(1).max(1) as f64).max(1e-9 * magnitude.max(1.0))
}

/// The state before the model's first point, from the points `known` it sees before the backtest region:
/// the model's seasonal profile, the level of the first period net of it (of the first point
/// without a period), and the error `scale`.
fn initial_state(known: &[f64], model: &Model, scale: f64) -> State {
    let period = model.params.period;
    let season = if period > 0 && model.profile.len() == period { model.profile.to_vec() } else { vec![0.0; period] };
    let first = period.clamp(1, known.len());
    let level = (0..first).map(|i| known[i] - season.get(i).copied().unwrap_or(0.0)).sum::<f64>() / first as f64;
    State { level, trend: 0.0, season, scale, run: (0, 0.0), phase: 0 }
}

/// Per-phase median of the series minus its moving average over one period, centred on 0.
pub fn seasonal_profile(y: &[f64], period: usize) -> Vec<f64> {
    let mut prefix = Vec::with_capacity(y.len() + 1);
    prefix.push(0.0);
    for v in y {
        prefix.push(prefix[prefix.len() - 1] + v);
    }
    let half = period / 2;
    let mut by_phase = vec![Vec::new(); period];
    if y.len() > period {
        for i in half..y.len() + half - period {
            let mean = (prefix[i - half + period] - prefix[i - half]) / period as f64;
            by_phase[i % period].push(y[i] - mean);
        }
    } else {
        let mean = prefix[y.len()] / y.len().max(1) as f64;
        for (i, v) in y.iter().enumerate() {
            by_phase[i % period].push(v - mean);
        }
    }
    let mut profile: Vec<f64> = by_phase.iter_mut().map(|v| crate::stats::median_in_place(v).unwrap_or(0.0)).collect();
    let centre = profile.iter().sum::<f64>() / period as f64;
    profile.iter_mut().for_each(|s| *s -= centre);
    profile
}

/// Seasonal naive: the value one period (or whole periods) before the target.
fn seasonal_naive(y: &[f64], period: usize, backtest: &Backtest, horizon: usize, keep: bool) -> (Errors, Vec<f64>) {
    let period = period.max(1);
    let at = |seen: usize, k: usize| {
        let back = period * k.div_ceil(period);
        y[(seen + k - 1).saturating_sub(back).min(seen.saturating_sub(1))]
    };
    let mut errors = Tally::new(backtest, y.len(), keep);
    let mut t = backtest.first_origin.max(1);
    while t < y.len() {
        errors.add_origin(y[t..].iter().take(backtest.horizon).enumerate().map(|(k, a)| a - at(t, k + 1)));
        t += backtest.stride;
    }
    let forecast = (1..=horizon).map(|k| at(y.len(), k)).collect();
    (errors.finish(), forecast)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(period: usize) -> Params {
        Params { period, alpha: 0.2, beta: 0.0, gamma: 0.1, seasonal_naive: false }
    }

    /// Runs one model alone.
    fn run_one(y: &[f64], params: Params, profile: &[f64], backtest: &Backtest, horizon: usize) -> (Errors, Vec<f64>) {
        run(y, &[Model { params, profile }], backtest, horizon, true).remove(0)
    }

    #[test]
    fn a_pure_season_is_forecast_exactly() {
        let y: Vec<f64> = (0..200).map(|i| [1.0, 5.0, 3.0, 2.0][i % 4]).collect();
        let bt = Backtest { first_origin: 100, stride: 1, horizon: 6 };
        let (errors, forecast) = run_one(&y, params(4), &seasonal_profile(&y[..100], 4), &bt, 6);
        assert!(errors.mae < 1e-9, "{}", errors.mae);
        assert_eq!(forecast, vec![1.0, 5.0, 3.0, 2.0, 1.0, 5.0]);
    }

    #[test]
    fn seasonal_naive_repeats_the_last_cycle() {
        let y: Vec<f64> = (0..12).map(f64::from).collect();
        let bt = Backtest { first_origin: 6, stride: 2, horizon: 3 };
        let (errors, forecast) = run_one(&y, Params { seasonal_naive: true, ..params(3) }, &[], &bt, 4);
        assert_eq!(forecast, vec![9.0, 10.0, 11.0, 9.0]);
        assert!(errors.by_lead[0].iter().all(|e| *e == 3.0));
    }

    #[test]
    fn a_level_shift_is_followed() {
        let y: Vec<f64> =
            (0..100).map(|i| if i < 90 { 10.0 + (i % 2) as f64 } else { 30.0 + (i % 2) as f64 }).collect();
        let bt = Backtest { first_origin: 50, stride: 1, horizon: 1 };
        let (_, forecast) = run_one(&y, Params { alpha: 0.1, ..params(0) }, &[], &bt, 1);
        assert!((forecast[0] - 30.5).abs() < 2.0, "{forecast:?}");
    }

    #[test]
    fn an_outlier_barely_moves_the_level() {
        let mut y = vec![10.0; 100];
        y[90] = 1000.0;
        let bt = Backtest { first_origin: 50, stride: 1, horizon: 1 };
        let (_, forecast) = run_one(&y, Params { alpha: 0.5, ..params(0) }, &[], &bt, 1);
        assert!((forecast[0] - 10.0).abs() < 1.0, "{forecast:?}");
    }
}
