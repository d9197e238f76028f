//! The forecasting model families on a regular grid, and their rolling-origin backtest.
//!
//! Every family is one pass of a robust exponential-smoothing recursion over the history:
//! additive level, optional damped trend, optional seasonal profile of `period` steps. Errors
//! are Huber-clipped at [`CLIP`] times a running mean absolute error before they update the
//! state, so outliers barely move it; [`SHIFT_RUN`] clipped errors of one sign in a row are a
//! level shift, and the level jumps to follow it. Seasonal naive ("same time one period ago") is the reference family.
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

/// Backtest errors of one family: `actual − forecast` per lead time (index 0 is one step ahead).
#[derive(Debug, Clone, PartialEq)]
pub struct Errors {
    /// Errors per lead.
    pub by_lead: Vec<Vec<f64>>,
}

impl Errors {
    /// Mean absolute error over every origin and lead; infinite when nothing was scored.
    pub fn mae(&self) -> f64 {
        let (sum, count) = self.by_lead.iter().flatten().fold((0.0, 0usize), |(s, c), e| (s + e.abs(), c + 1));
        if count == 0 {
            f64::INFINITY
        } else {
            sum / count as f64
        }
    }
}

/// The state after a pass, able to forecast.
struct State {
    level: f64,
    trend: f64,
    season: Vec<f64>,
    scale: f64,
    /// Clipped errors of one sign in a row, and their sum.
    run: (usize, f64),
}

impl State {
    /// Forecast `k` ≥ 1 steps after having seen `seen` points; `damped[k - 1]` is
    /// `φ + φ² + … + φᵏ`.
    fn ahead(&self, params: &Params, damped: &[f64], seen: usize, k: usize) -> f64 {
        let season = if params.period > 0 { self.season[(seen + k - 1) % params.period] } else { 0.0 };
        self.level + damped[k - 1] * self.trend + season
    }
}

/// Runs the family over `y`, backtesting as it goes; returns the backtest errors and the
/// forecast of `horizon` steps after the last point. `profile` is the initial seasonal
/// profile ([`seasonal_profile`] of the points before the backtest region; empty without a
/// period).
pub fn run(y: &[f64], params: &Params, profile: &[f64], backtest: &Backtest, horizon: usize) -> (Errors, Vec<f64>) {
    if params.seasonal_naive {
        return seasonal_naive(y, params.period, backtest, horizon);
    }
    let damped: Vec<f64> = (1..=horizon.max(backtest.horizon))
        .scan(0.0, |sum, i| {
            *sum += libm::pow(PHI, i as f64);
            Some(*sum)
        })
        .collect();
    let mut by_lead = vec![Vec::new(); backtest.horizon];
    let mut state = initial_state(y, params.period, profile, backtest.first_origin);
    let mut origin = backtest.first_origin;
    for (t, &actual) in y.iter().enumerate() {
        if t == origin {
            origin += backtest.stride.max(1);
            for (k, errors) in by_lead.iter_mut().enumerate() {
                if let Some(a) = y.get(t + k) {
                    errors.push(a - state.ahead(params, &damped, t, k + 1));
                }
            }
        }
        step(&mut state, params, t, actual);
    }
    let forecast = (1..=horizon).map(|k| state.ahead(params, &damped, y.len(), k)).collect();
    (Errors { by_lead }, forecast)
}

/// One update of the recursion with the point at index `t`.
fn step(state: &mut State, params: &Params, t: usize, actual: f64) {
    let phase = if params.period > 0 { t % params.period } else { 0 };
    let season = if params.period > 0 { state.season[phase] } else { 0.0 };
    let error = actual - (state.level + PHI * state.trend + season);
    let limit = CLIP * state.scale;
    let clipped = error.clamp(-limit, limit);
    state.scale += SCALE_RATE * (error.abs().min(2.0 * limit) - state.scale);
    state.level += PHI * state.trend + params.alpha * clipped;
    let (count, sum) = state.run;
    state.run = if error.abs() <= limit {
        (0, 0.0)
    } else if count > 0 && (sum > 0.0) == (error > 0.0) {
        (count + 1, sum + error)
    } else {
        (1, error)
    };
    if state.run.0 >= SHIFT_RUN {
        state.level += state.run.1 / state.run.0 as f64;
        state.run = (0, 0.0);
    }
    state.trend = PHI * state.trend + params.beta * clipped;
    if params.period > 0 {
        state.season[phase] += params.gamma * (1.0 - params.alpha) * clipped;
    }
}

/// Level and error scale learned from `y[..known]` only, with the given seasonal profile.
fn initial_state(y: &[f64], period: usize, profile: &[f64], known: usize) -> State {
    let known = known.clamp(1, y.len());
    let season = if period > 0 && profile.len() == period { profile.to_vec() } else { vec![0.0; period] };
    let first = period.clamp(1, known);
    let level = (0..first).map(|i| y[i] - season.get(i).copied().unwrap_or(0.0)).sum::<f64>() / first as f64;
    let diffs: f64 = y[..known].windows(2).map(|w| (w[1] - w[0]).abs()).sum();
    let magnitude = y[..known].iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = (diffs / known.saturating_sub(1).max(1) as f64).max(1e-9 * magnitude.max(1.0));
    State { level, trend: 0.0, season, scale, run: (0, 0.0) }
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
fn seasonal_naive(y: &[f64], period: usize, backtest: &Backtest, horizon: usize) -> (Errors, Vec<f64>) {
    let period = period.max(1);
    let at = |seen: usize, k: usize| {
        let back = period * k.div_ceil(period);
        y[(seen + k - 1).saturating_sub(back).min(seen.saturating_sub(1))]
    };
    let mut by_lead = vec![Vec::new(); backtest.horizon];
    let mut t = backtest.first_origin.max(1);
    while t < y.len() {
        for (k, errors) in by_lead.iter_mut().enumerate() {
            if let Some(a) = y.get(t + k) {
                errors.push(a - at(t, k + 1));
            }
        }
        t += backtest.stride;
    }
    let forecast = (1..=horizon).map(|k| at(y.len(), k)).collect();
    (Errors { by_lead }, forecast)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(period: usize) -> Params {
        Params { period, alpha: 0.2, beta: 0.0, gamma: 0.1, seasonal_naive: false }
    }

    #[test]
    fn a_pure_season_is_forecast_exactly() {
        let y: Vec<f64> = (0..200).map(|i| [1.0, 5.0, 3.0, 2.0][i % 4]).collect();
        let bt = Backtest { first_origin: 100, stride: 1, horizon: 6 };
        let (errors, forecast) = run(&y, &params(4), &seasonal_profile(&y[..100], 4), &bt, 6);
        assert!(errors.mae() < 1e-9, "{}", errors.mae());
        assert_eq!(forecast, vec![1.0, 5.0, 3.0, 2.0, 1.0, 5.0]);
    }

    #[test]
    fn seasonal_naive_repeats_the_last_cycle() {
        let y: Vec<f64> = (0..12).map(f64::from).collect();
        let bt = Backtest { first_origin: 6, stride: 2, horizon: 3 };
        let (errors, forecast) = run(&y, &Params { seasonal_naive: true, ..params(3) }, &[], &bt, 4);
        assert_eq!(forecast, vec![9.0, 10.0, 11.0, 9.0]);
        assert!(errors.by_lead[0].iter().all(|e| *e == 3.0));
    }

    #[test]
    fn a_level_shift_is_followed() {
        let y: Vec<f64> =
            (0..100).map(|i| if i < 90 { 10.0 + (i % 2) as f64 } else { 30.0 + (i % 2) as f64 }).collect();
        let bt = Backtest { first_origin: 50, stride: 1, horizon: 1 };
        let (_, forecast) = run(&y, &Params { alpha: 0.1, ..params(0) }, &[], &bt, 1);
        assert!((forecast[0] - 30.5).abs() < 2.0, "{forecast:?}");
    }

    #[test]
    fn an_outlier_barely_moves_the_level() {
        let mut y = vec![10.0; 100];
        y[90] = 1000.0;
        let bt = Backtest { first_origin: 50, stride: 1, horizon: 1 };
        let (_, forecast) = run(&y, &Params { alpha: 0.5, ..params(0) }, &[], &bt, 1);
        assert!((forecast[0] - 10.0).abs() < 1.0, "{forecast:?}");
    }
}
