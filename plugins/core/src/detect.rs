//! Anomaly detection on top of the corridor model: per-point scores, anomalies as intervals
//! with a minimum duration, a rate-of-change rule, level shifts, and a streaming state.
//!
//! **Score.** Each point's score is the probability that a normal point of this series stays
//! closer to the expected value than this one did, learned from the series' own residuals
//! with a Gaussian prior (see [`crate::calibrate`]); or, when higher, the same probability for
//! a slower view of the residuals or for how rarely the series has been near this value (see
//! [`crate::alert`]). A threshold therefore means the same on every series: 0.999 is "rarer
//! than 999 in 1,000 normal points". Points in warm-up score 0.
//!
//! **Sensitivity** (0 to 1, default 0.5) sets the corridor's half-width:
//! `5.5 − 3·sensitivity` standard deviations. The default 0.5 is ±4σ: about 1 in 16,000
//! normal points falls outside, less than one a week at five-minute steps. 0 is ±5.5σ (fewest
//! alerts), 1 is ±2.5σ (about 1 in 80 normal points outside: most alerts).
//!
//! **Anomalies.** Consecutive points beyond the corridor on the same side form an excursion;
//! it is reported when it lasted at least `min_duration_ms` (like Prometheus `for:`: the time
//! from its first to its last point). Severity compares the peak deviation with the band:
//! `minor` below 1.5×, `major` below 3×, `critical` beyond. A run of
//! [`crate::model::LEVEL_SHIFT_POINTS`] points on one side is a `level_shift` instead: the
//! model re-anchors its level and the points after it are normal again.
//!
//! **Streaming.** [`Detector`] is serialisable; feed it points in any batches and the scores
//! are the same as one batch over all of them.

use crate::alert::Alerting;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{Model, Observation, Shift};
use crate::stats::linear_fit;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Default sensitivity.
pub const DEFAULT_SENSITIVITY: f64 = 0.5;

/// The corridor half-width in σ for a sensitivity in [0, 1].
pub fn band_sigmas(sensitivity: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&sensitivity) {
        return Err(Error::in_field(
            ErrorCode::InvalidOption,
            "options.sensitivity",
            format!("sensitivity must be between 0 and 1, got {sensitivity}"),
        ));
    }
    Ok(5.5 - 3.0 * sensitivity)
}

/// A classic rate-of-change rule: `deriv(x[window]) ≥ min_slope AND x ≥ min_value`
/// (for a negative `min_slope`, a fall: `deriv ≤ min_slope`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateRule {
    /// Window of the least-squares slope, in seconds (default 600, like `deriv(x[10m])`).
    #[serde(default = "default_rate_window")]
    pub window_s: f64,
    /// Slope that triggers, in value units per second; its sign picks rises or falls.
    pub min_slope_per_s: f64,
    /// The value must also be at least this for the rule to matter.
    #[serde(default)]
    pub min_value: Option<f64>,
}

fn default_rate_window() -> f64 {
    600.0
}

impl RateRule {
    fn validate(&self) -> Result<()> {
        let field = "options.rate_of_change";
        if !(self.window_s.is_finite() && self.window_s > 0.0) {
            return Err(Error::in_field(
                ErrorCode::InvalidOption,
                field,
                "window_s must be a positive number of seconds",
            ));
        }
        if !self.min_slope_per_s.is_finite() || self.min_slope_per_s == 0.0 {
            return Err(Error::in_field(ErrorCode::InvalidOption, field, "min_slope_per_s must be a non-zero number"));
        }
        Ok(())
    }
}

/// What kind of anomaly an interval is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// Points outside the corridor.
    Excursion,
    /// A step change that persisted; the corridor moved with it.
    LevelShift,
    /// The rate-of-change rule held.
    RateOfChange,
}

/// Which side of normal an anomaly is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher than expected (or rising).
    Above,
    /// Lower than expected (or falling).
    Below,
}

/// How far beyond the band the peak went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Peak deviation below 1.5× the band.
    Minor,
    /// Below 3× the band.
    Major,
    /// 3× the band or more.
    Critical,
}

impl Severity {
    /// Severity of a peak that reached `ratio` times its trigger (the band, or the rule's slope).
    fn of(ratio: f64) -> Self {
        if ratio < 1.5 {
            Self::Minor
        } else if ratio < 3.0 {
            Self::Major
        } else {
            Self::Critical
        }
    }
}

/// One anomaly interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// What kind.
    pub kind: AnomalyKind,
    /// Which side.
    pub direction: Direction,
    /// First point, ms since epoch.
    pub start_ms: i64,
    /// Last point, ms since epoch.
    pub end_ms: i64,
    /// The most deviant point, ms since epoch.
    pub peak_ms: i64,
    /// Expected value at the peak (for a level shift: the level before).
    pub expected: f64,
    /// Actual value at the peak (for a level shift: the level after).
    pub actual: f64,
    /// The peak's score.
    pub score: f64,
    /// Severity of the peak.
    pub severity: Severity,
    /// Still going on at the last point seen; a later update may extend it (same `kind` and `start_ms`).
    pub ongoing: bool,
}

/// An interval being tracked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Open {
    side: i8,
    start_ms: i64,
    end_ms: i64,
    peak_ms: i64,
    peak_ratio: f64,
    expected: f64,
    actual: f64,
    score: f64,
}

impl Open {
    fn anomaly(&self, kind: AnomalyKind, ongoing: bool) -> Anomaly {
        Anomaly {
            kind,
            direction: if self.side > 0 { Direction::Above } else { Direction::Below },
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            peak_ms: self.peak_ms,
            expected: self.expected,
            actual: self.actual,
            score: self.score,
            severity: Severity::of(self.peak_ratio),
            ongoing,
        }
    }
}

/// Tracks one kind of interval: extends it while the side holds, closes it when it changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct IntervalTracker {
    open: Option<Open>,
}

impl IntervalTracker {
    /// Feeds one point on `side` (0 = normal) that reached `ratio` times the trigger;
    /// returns the interval it closed, if any.
    fn push(&mut self, side: i8, t_ms: i64, ratio: f64, expected: f64, actual: f64, score: f64) -> Option<Open> {
        let closed = match &self.open {
            Some(open) if open.side != side => self.open.take(),
            _ => None,
        };
        if side != 0 {
            let open = self.open.get_or_insert(Open {
                side,
                start_ms: t_ms,
                end_ms: t_ms,
                peak_ms: t_ms,
                peak_ratio: ratio,
                expected,
                actual,
                score,
            });
            open.end_ms = t_ms;
            if ratio > open.peak_ratio {
                (open.peak_ms, open.peak_ratio, open.expected, open.actual, open.score) =
                    (t_ms, ratio, expected, actual, score);
            }
        }
        closed
    }
}

/// Rate-of-change rule state: the window of recent points and the interval it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RateState {
    rule: RateRule,
    window: VecDeque<(i64, f64)>,
    tracker: IntervalTracker,
}

impl RateState {
    /// Least-squares slope, per second, of the points in the window.
    fn slope(&self) -> Option<f64> {
        let t0 = self.window.front()?.0;
        let points: Vec<(f64, f64)> = self.window.iter().map(|(t, x)| ((t - t0) as f64 / 1000.0, *x)).collect();
        linear_fit(&points).map(|(slope, _)| slope)
    }

    /// Feeds a point; returns the side the rule holds on (0 when it does not) and the slope
    /// as a multiple of the rule's.
    fn side(&mut self, t_ms: i64, x: f64) -> (i8, f64) {
        self.window.push_back((t_ms, x));
        let oldest = t_ms - (self.rule.window_s * 1000.0) as i64;
        while self.window.front().is_some_and(|p| p.0 < oldest) {
            self.window.pop_front();
        }
        let Some(slope) = self.slope() else { return (0, 0.0) };
        let level_ok = self.rule.min_value.is_none_or(|m| x >= m);
        let rule = self.rule.min_slope_per_s;
        let steep = if rule > 0.0 { slope >= rule } else { slope <= rule };
        let side = match (steep && level_ok, rule > 0.0) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => -1,
        };
        (side, slope / rule)
    }
}

/// Options of detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectOptions {
    /// See the module docs; default 0.5.
    #[serde(default = "default_sensitivity")]
    pub sensitivity: f64,
    /// Which period the corridor follows; default `auto`.
    #[serde(default)]
    pub seasonality: SeasonalityChoice,
    /// Shortest excursion reported, in seconds (`for:`); default 0.
    #[serde(default)]
    pub min_duration_s: f64,
    /// Optional rate-of-change rule.
    #[serde(default)]
    pub rate_of_change: Option<RateRule>,
    /// After an alert, excursions opening within this many seconds do not alert again
    /// (like Alertmanager's grouping); default 0.
    #[serde(default)]
    pub alert_cooldown_s: f64,
}

fn default_sensitivity() -> f64 {
    DEFAULT_SENSITIVITY
}

impl Default for DetectOptions {
    fn default() -> Self {
        Self {
            sensitivity: DEFAULT_SENSITIVITY,
            seasonality: SeasonalityChoice::Auto,
            min_duration_s: 0.0,
            rate_of_change: None,
            alert_cooldown_s: 0.0,
        }
    }
}

/// Which period the corridor follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeasonalityChoice {
    /// The longest period [`crate::seasonality::detect`] finds.
    #[default]
    Auto,
    /// No season: level and noise only.
    None,
    /// One day, even with less than two days of history.
    Daily,
    /// One week, even with less than two weeks of history.
    Weekly,
}

/// What detection says about one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointResult {
    /// Expected value, `None` during warm-up.
    pub expected: Option<f64>,
    /// Lower bound of the corridor, `None` during warm-up.
    pub lower: Option<f64>,
    /// Upper bound of the corridor, `None` during warm-up.
    pub upper: Option<f64>,
    /// Anomaly score in [0, 1]; 0 during warm-up.
    pub score: f64,
    /// Edge-triggered score for paging (see [`crate::alert`]): the score of a point that opens
    /// or escalates an episode, 0 for every other point.
    pub alert: f64,
}

/// The streaming detector: the model plus interval trackers; serialisable as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    model: Model,
    min_duration_ms: i64,
    last_ms: Option<i64>,
    alerting: Alerting,
    excursion: IntervalTracker,
    rate: Option<RateState>,
}

impl Detector {
    /// A fresh detector for a series of `step_ms`, following `period_ms` if given.
    pub fn new(step_ms: i64, period_ms: Option<i64>, options: &DetectOptions) -> Result<Self> {
        let band = band_sigmas(options.sensitivity)?;
        if let Some(rule) = &options.rate_of_change {
            rule.validate()?;
        }
        Ok(Self {
            model: Model::new(step_ms, period_ms, band),
            min_duration_ms: seconds_to_ms(options.min_duration_s, "options.min_duration_s")?,
            last_ms: None,
            alerting: Alerting::new(seconds_to_ms(options.alert_cooldown_s, "options.alert_cooldown_s")?),
            excursion: IntervalTracker::default(),
            rate: options.rate_of_change.clone().map(|rule| RateState {
                rule,
                window: VecDeque::new(),
                tracker: IntervalTracker::default(),
            }),
        })
    }

    /// The underlying model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Timestamp of the last point fed, if any.
    pub fn last_ms(&self) -> Option<i64> {
        self.last_ms
    }

    /// Feeds one point (timestamps must increase); closed anomalies are appended to `out`.
    pub fn push(&mut self, t_ms: i64, x: f64, out: &mut Vec<Anomaly>) -> PointResult {
        self.last_ms = Some(t_ms);
        let band = self.model.band_sigmas();
        let observation = self.model.observe(t_ms, x);
        let warming_up = PointResult { expected: None, lower: None, upper: None, score: 0.0, alert: 0.0 };
        let point = match &observation {
            Observation::WarmingUp => warming_up,
            Observation::WarmedUp(held_out) => {
                for e in held_out {
                    self.alerting.learn(e);
                }
                warming_up
            }
            Observation::Scored(e, _) => {
                let scores = self.alerting.push(t_ms, x, e);
                PointResult {
                    expected: Some(e.expected),
                    lower: Some(e.expected - band * e.sigma),
                    upper: Some(e.expected + band * e.sigma),
                    score: scores.score,
                    alert: scores.alert,
                }
            }
        };
        if let Some(rate) = &mut self.rate {
            let (side, ratio) = rate.side(t_ms, x);
            let expected = point.expected.unwrap_or(x);
            if let Some(closed) = rate.tracker.push(side, t_ms, ratio, expected, x, point.score) {
                out.push(closed.anomaly(AnomalyKind::RateOfChange, false));
            }
        }
        match observation {
            Observation::WarmingUp | Observation::WarmedUp(_) => {}
            Observation::Scored(estimate, Some(shift)) => {
                self.excursion.open = None;
                self.alerting.reset_drift();
                out.push(level_shift(shift, t_ms, estimate.z / band, point.score));
            }
            Observation::Scored(estimate, None) => {
                let side = if estimate.z > band {
                    1
                } else if estimate.z < -band {
                    -1
                } else {
                    0
                };
                let ratio = estimate.z.abs() / band;
                if let Some(closed) = self.excursion.push(side, t_ms, ratio, estimate.expected, x, point.score) {
                    self.report(&closed, AnomalyKind::Excursion, false, out);
                }
            }
        }
        point
    }

    /// Appends the intervals still open (as `ongoing`) that already meet the minimum duration.
    pub fn ongoing(&self, out: &mut Vec<Anomaly>) {
        if let Some(open) = &self.excursion.open {
            self.report(open, AnomalyKind::Excursion, true, out);
        }
        if let Some(open) = self.rate.as_ref().and_then(|r| r.tracker.open.as_ref()) {
            out.push(open.anomaly(AnomalyKind::RateOfChange, true));
        }
    }

    fn report(&self, open: &Open, kind: AnomalyKind, ongoing: bool, out: &mut Vec<Anomaly>) {
        if open.end_ms - open.start_ms >= self.min_duration_ms {
            out.push(open.anomaly(kind, ongoing));
        }
    }
}

/// Validates a non-negative duration in seconds and converts it to milliseconds.
fn seconds_to_ms(seconds: f64, field: &str) -> Result<i64> {
    if seconds.is_finite() && seconds >= 0.0 {
        Ok((seconds * 1000.0).round() as i64)
    } else {
        Err(Error::in_field(ErrorCode::InvalidOption, field, "must be a non-negative number of seconds"))
    }
}

fn level_shift(shift: Shift, t_ms: i64, ratio: f64, score: f64) -> Anomaly {
    Anomaly {
        kind: AnomalyKind::LevelShift,
        direction: if shift.after > shift.before { Direction::Above } else { Direction::Below },
        start_ms: shift.start_ms,
        end_ms: t_ms,
        peak_ms: shift.start_ms,
        expected: shift.before,
        actual: shift.after,
        score,
        severity: Severity::of(ratio.abs()),
        ongoing: false,
    }
}
