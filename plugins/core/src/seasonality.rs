//! Which periods a series repeats on, how strongly, and when history is too short to tell.
//!
//! Daily and weekly periods are always assessed; one other period (an hourly batch job, a
//! 12-hour shift pattern) is reported when the autocorrelation shows it strongly. A period is
//! assessed only with two full cycles of history: with less, it is reported as
//! `insufficient_history` and never guessed.
//!
//! Strength is the cross-validated R² of a per-phase profile of the detrended series: the
//! share of the variance that the profile of the even cycles explains in the odd ones and the
//! other way round, so that noise and one-off events score near 0. The weekly strength is the
//! larger of two views that hold no daily pattern, so a purely daily series has no weekly period:
//! - day-over-day differences, which hold no level either, so a level shift in the history does
//!   not hide a week of busy weekdays and quiet weekends;
//! - what the daily profile leaves of the series detrended over a day: a daily shape that differs
//!   between weekdays (a rush hour on working days only), which one holiday in two weeks of
//!   differences can hide.

use crate::series::Series;
use crate::warning::{Warning, WarningCode};
use serde::{Deserialize, Serialize};

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;
/// One week in milliseconds.
pub const WEEK_MS: i64 = 7 * DAY_MS;
/// Strength from which a period counts as present.
pub const MIN_STRENGTH: f64 = 0.1;
/// Autocorrelation from which an unnamed period is considered.
const OTHER_MIN_ACF: f64 = 0.5;
/// Points of the coarse grid used to look for unnamed periods.
const SCAN_POINTS: usize = 1024;
/// Phase bins used to measure a period's strength.
const STRENGTH_BINS: i64 = 48;

/// What was concluded about one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    /// The period is present with at least [`MIN_STRENGTH`].
    Detected,
    /// Enough history was seen and the period is not there (or is too weak).
    Absent,
    /// Less than two full cycles of history: nothing can be said.
    InsufficientHistory,
    /// The sampling step is too coarse to see this period (fewer than 4 points a cycle).
    TooCoarse,
}

/// One period's finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodReport {
    /// `daily`, `weekly` or `other`.
    pub name: String,
    /// The period in milliseconds.
    pub period_ms: i64,
    /// Share of variance explained, in [0, 1] (0 when not assessed).
    pub strength: f64,
    /// The conclusion.
    pub status: PeriodStatus,
    /// History needed to assess the period (two cycles), in milliseconds.
    pub needed_history_ms: i64,
}

/// All periods assessed for a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seasonality {
    /// Daily, weekly and any other strong period, in that order.
    pub periods: Vec<PeriodReport>,
    /// History covered by the series, in milliseconds.
    pub history_ms: i64,
}

impl Seasonality {
    /// The period a baseline should follow: weekly when detected (its strength is measured
    /// beyond the daily pattern, and a weekly profile includes the daily one), otherwise the
    /// strongest detected period.
    pub fn primary(&self) -> Option<i64> {
        let detected = || self.periods.iter().filter(|p| p.status == PeriodStatus::Detected);
        detected()
            .find(|p| p.period_ms == WEEK_MS)
            .or_else(|| detected().max_by(|a, b| a.strength.total_cmp(&b.strength)))
            .map(|p| p.period_ms)
    }

    /// One warning per named period that could not be assessed for lack of history.
    pub fn warnings(&self) -> Vec<Warning> {
        self.periods
            .iter()
            .filter(|p| p.status == PeriodStatus::InsufficientHistory)
            .map(|p| {
                Warning::new(
                    WarningCode::InsufficientHistory,
                    1,
                    format!(
                        "{} seasonality cannot be learned from {} of history; {} are needed",
                        p.name,
                        human_duration(self.history_ms),
                        human_duration(p.needed_history_ms)
                    ),
                )
            })
            .collect()
    }
}

/// A duration for people: minutes below an hour, hours below two days, days above.
fn human_duration(ms: i64) -> String {
    let hours = ms as f64 / 3_600_000.0;
    if hours < 1.0 {
        format!("{:.0} minutes", hours * 60.0)
    } else if hours < 48.0 {
        format!("{hours:.1} hours")
    } else {
        format!("{:.1} days", hours / 24.0)
    }
}

/// Assesses the daily, weekly and strongest other period of a series.
///
/// ```
/// use corridor_core::seasonality::{detect, PeriodStatus, DAY_MS};
/// use corridor_core::series::Series;
/// let timestamps_ms: Vec<i64> = (0..3 * 288).map(|i| i * 300_000).collect();
/// let values = timestamps_ms.iter().map(|t| (*t as f64 / DAY_MS as f64 * std::f64::consts::TAU).sin()).collect();
/// let s = detect(&Series { timestamps_ms, values, step_ms: 300_000 });
/// assert_eq!(s.periods[0].status, PeriodStatus::Detected);
/// assert_eq!(s.periods[1].status, PeriodStatus::InsufficientHistory);
/// assert_eq!(s.primary(), Some(DAY_MS));
/// ```
pub fn detect(series: &Series) -> Seasonality {
    let history_ms = series.timestamps_ms[series.timestamps_ms.len() - 1] - series.timestamps_ms[0] + series.step_ms;
    let detrended =
        |period_ms| move |s: &Series| profile_strength(s, &detrend(s, period_ms), period_ms, bins_for(s, period_ms));
    let mut periods = vec![assess(series, "daily", DAY_MS, history_ms, &detrended(DAY_MS))];
    periods.push(assess(series, "weekly", WEEK_MS, history_ms, &weekly_strength));
    if let Some(other) = strongest_other_period(series) {
        let report = assess(series, "other", other, history_ms, &detrended(other));
        if report.status == PeriodStatus::Detected {
            periods.push(report);
        }
    }
    Seasonality { periods, history_ms }
}

/// Assesses one period, measuring its strength with `strength` when there is history enough.
fn assess(
    series: &Series,
    name: &str,
    period_ms: i64,
    history_ms: i64,
    strength: &dyn Fn(&Series) -> f64,
) -> PeriodReport {
    let needed_history_ms = 2 * period_ms;
    let mut report = PeriodReport {
        name: name.to_string(),
        period_ms,
        strength: 0.0,
        status: PeriodStatus::Absent,
        needed_history_ms,
    };
    if period_ms < 4 * series.step_ms {
        report.status = PeriodStatus::TooCoarse;
    } else if history_ms < needed_history_ms {
        report.status = PeriodStatus::InsufficientHistory;
    } else {
        report.strength = strength(series);
        if report.strength >= MIN_STRENGTH {
            report.status = PeriodStatus::Detected;
        }
    }
    report
}

/// The series minus its centred moving average over one period (removes trend, keeps the season).
fn detrend(series: &Series, period_ms: i64) -> Vec<f64> {
    let t = &series.timestamps_ms;
    let x = &series.values;
    let mut prefix = Vec::with_capacity(x.len() + 1);
    prefix.push(0.0);
    for v in x {
        prefix.push(prefix[prefix.len() - 1] + v);
    }
    let half = period_ms / 2;
    let (mut lo, mut hi) = (0, 0);
    (0..x.len())
        .map(|i| {
            while t[lo] < t[i] - half {
                lo += 1;
            }
            while hi < x.len() && t[hi] < t[i] + half {
                hi += 1;
            }
            x[i] - (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

/// Strength of the weekly period: the larger of the weekly profile's strength in day-over-day
/// differences and in what the daily profile leaves of the detrended series (at the daily
/// profile's resolution, seven times over). The second view skips the first and last half day,
/// where the centred average that detrends is cut short.
fn weekly_strength(series: &Series) -> f64 {
    let differences = day_over_day(series);
    let in_differences = profile_strength(&differences, &differences.values, WEEK_MS, bins_for(series, WEEK_MS));
    let t = &series.timestamps_ms;
    let (first, last) = (t[0] + DAY_MS / 2, t[t.len() - 1] - DAY_MS / 2);
    let (timestamps_ms, values): (Vec<i64>, Vec<f64>) = t
        .iter()
        .zip(detrend(series, DAY_MS))
        .filter(|(t, _)| (first..=last).contains(*t))
        .map(|(t, v)| (*t, v))
        .unzip();
    let detrended = Series { timestamps_ms, values, step_ms: series.step_ms };
    let day_bins = bins_for(series, DAY_MS);
    let beyond_the_day = without_profile(&detrended, &detrended.values, DAY_MS, day_bins);
    in_differences.max(profile_strength(&detrended, &beyond_the_day, WEEK_MS, 7 * day_bins))
}

/// `values` minus their mean at each phase of `period_ms` split into `bins`.
fn without_profile(series: &Series, values: &[f64], period_ms: i64, bins: i64) -> Vec<f64> {
    let phases: Vec<usize> = series.timestamps_ms.iter().map(|&t| phase_bin(t, period_ms, bins)).collect();
    let mut sum = vec![0.0; bins as usize];
    let mut count = vec![0usize; bins as usize];
    for (&b, v) in phases.iter().zip(values) {
        sum[b] += v;
        count[b] += 1;
    }
    phases.iter().zip(values).map(|(&b, v)| v - sum[b] / count[b] as f64).collect()
}

/// `x(t) − x(t − 1 day)` at every point that has a point exactly one day earlier.
fn day_over_day(series: &Series) -> Series {
    let t = &series.timestamps_ms;
    let (mut timestamps_ms, mut values) = (Vec::new(), Vec::new());
    let mut j = 0;
    for i in 0..t.len() {
        while t[j] < t[i] - DAY_MS {
            j += 1;
        }
        if t[j] == t[i] - DAY_MS {
            timestamps_ms.push(t[i]);
            values.push(series.values[i] - series.values[j]);
        }
    }
    Series { timestamps_ms, values, step_ms: series.step_ms }
}

/// Phase-bin index of a timestamp for a period split into `bins`.
fn phase_bin(t_ms: i64, period_ms: i64, bins: i64) -> usize {
    (t_ms.rem_euclid(period_ms) * bins / period_ms) as usize
}

fn bins_for(series: &Series, period_ms: i64) -> i64 {
    (period_ms / series.step_ms).clamp(1, STRENGTH_BINS)
}

/// Cross-validated R² of the per-phase profile of `values` over `bins` phases, clamped to [0, 1].
///
/// Cycles are split into even and odd ones; each half's profile predicts the other half. A
/// pattern that repeats predicts well; noise, or a one-off event that fills some bins in a
/// single cycle, does not, however few cycles there are.
fn profile_strength(series: &Series, values: &[f64], period_ms: i64, bins: i64) -> f64 {
    let Some(&t0) = series.timestamps_ms.first() else { return 0.0 };
    let places: Vec<(usize, usize)> = series
        .timestamps_ms
        .iter()
        .map(|&t| (phase_bin(t, period_ms, bins), (((t - t0) / period_ms) % 2) as usize))
        .collect();
    let mut sum = vec![[0.0f64; 2]; bins as usize];
    let mut count = vec![[0usize; 2]; bins as usize];
    for (&(b, fold), v) in places.iter().zip(values) {
        sum[b][fold] += v;
        count[b][fold] += 1;
    }
    let (mut total, mut residual, mut n, mut mean) = (0.0, 0.0, 0.0, 0.0);
    for (&(b, fold), v) in places.iter().zip(values) {
        let other = 1 - fold;
        if count[b][other] > 0 {
            let miss = v - sum[b][other] / count[b][other] as f64;
            residual += miss * miss;
            n += 1.0;
            // Welford's running mean and sum of squares.
            let delta = v - mean;
            mean += delta / n;
            total += delta * (v - mean);
        }
    }
    if n < 2.0 || total <= f64::EPSILON * n * mean.abs().max(1.0) {
        return 0.0;
    }
    (1.0 - residual / total).clamp(0.0, 1.0)
}

/// `Σ a[i]·b[i]` over slices of equal length, in four interleaved partial sums: independent
/// chains of additions the processor overlaps (the autocorrelation is most of this module's
/// time otherwise).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4.remainder().iter().zip(b4.remainder()).map(|(x, y)| x * y).sum();
    let (mut s0, mut s1, mut s2, mut s3) = (0.0, 0.0, 0.0, 0.0);
    for (x, y) in a4.zip(b4) {
        s0 += x[0] * y[0];
        s1 += x[1] * y[1];
        s2 += x[2] * y[2];
        s3 += x[3] * y[3];
    }
    (s0 + s1) + (s2 + s3) + tail
}

/// The lag of the highest autocorrelation peak on a coarse grid, unless it is a day or a week.
fn strongest_other_period(series: &Series) -> Option<i64> {
    let t = &series.timestamps_ms;
    let span = t[t.len() - 1] - t[0];
    let cell = series.step_ms * (span / SCAN_POINTS as i64 / series.step_ms + 1);
    let cells = (span / cell) as usize + 1;
    if cells < 16 {
        return None;
    }
    let mut sum = vec![0.0; cells];
    let mut count = vec![0usize; cells];
    for (ti, v) in t.iter().zip(&series.values) {
        let c = ((ti - t[0]) / cell) as usize;
        sum[c] += v;
        count[c] += 1;
    }
    let mut grid = Vec::with_capacity(cells);
    let mut last = series.values[0];
    for (s, c) in sum.iter().zip(&count) {
        if *c > 0 {
            last = s / *c as f64;
        }
        grid.push(last);
    }
    let mean = grid.iter().sum::<f64>() / grid.len() as f64;
    let centred: Vec<f64> = grid.iter().map(|v| v - mean).collect();
    let variance: f64 = centred.iter().map(|d| d * d).sum();
    if variance <= 0.0 {
        return None;
    }
    let acf: Vec<f64> =
        (0..centred.len() / 2).map(|lag| dot(&centred[..centred.len() - lag], &centred[lag..]) / variance).collect();
    let peaks: Vec<usize> =
        (2..acf.len().saturating_sub(1)).filter(|&k| acf[k] > acf[k - 1] && acf[k] >= acf[k + 1]).collect();
    let best = peaks.iter().map(|&k| acf[k]).fold(f64::NEG_INFINITY, f64::max);
    // The fundamental: the first peak nearly as high as the best (its multiples peak too).
    let (lag, r) = peaks.iter().map(|&k| (k, acf[k])).find(|(_, r)| *r >= 0.9 * best)?;
    let period = lag as i64 * cell;
    let near = |p: i64| (period % p).min(p - period % p) * 10 < p && period >= p / 2;
    (r >= OTHER_MIN_ACF && !near(DAY_MS) && !near(WEEK_MS)).then_some(period)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random noise in [-0.5, 0.5) (a SplitMix64 hash of the index).
    fn noise(i: usize) -> f64 {
        let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 29;
        (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    fn series(days: i64, step_ms: i64, f: impl Fn(i64) -> f64) -> Series {
        let timestamps_ms: Vec<i64> = (0..days * DAY_MS / step_ms).map(|i| i * step_ms).collect();
        let values = timestamps_ms.iter().enumerate().map(|(i, t)| f(*t) + noise(i)).collect();
        Series { timestamps_ms, values, step_ms }
    }

    fn daily(t: i64) -> f64 {
        10.0 * libm::sin(t as f64 / DAY_MS as f64 * std::f64::consts::TAU)
    }

    fn weekend_low(t: i64) -> f64 {
        // The epoch was a Thursday: days 2 and 3 of each week are Saturday and Sunday.
        let day = t.rem_euclid(WEEK_MS) / DAY_MS;
        if day == 2 || day == 3 {
            -8.0
        } else {
            0.0
        }
    }

    #[test]
    fn daily_only_series_has_no_weekly_period() {
        let s = detect(&series(21, 600_000, daily));
        assert_eq!(s.periods[0].status, PeriodStatus::Detected);
        assert!(s.periods[0].strength > 0.9, "{:?}", s.periods[0]);
        assert_eq!(s.periods[1].status, PeriodStatus::Absent, "{:?}", s.periods[1]);
        assert_eq!(s.primary(), Some(DAY_MS));
    }

    #[test]
    fn weekly_pattern_is_found_with_two_weeks() {
        let s = detect(&series(15, 600_000, |t| daily(t) + weekend_low(t)));
        assert_eq!(s.periods[1].status, PeriodStatus::Detected, "{:?}", s.periods[1]);
        assert_eq!(s.primary(), Some(WEEK_MS));
        assert!(s.warnings().is_empty());
    }

    /// A three-hour morning rush on working days, missing on day 1: a Friday holiday in the first week.
    fn weekday_rush_with_a_holiday(t: i64) -> f64 {
        let (day, hour) = (t / DAY_MS, t.rem_euclid(DAY_MS) / 3_600_000);
        let working = !matches!(day.rem_euclid(7), 2 | 3) && day != 1;
        if working && (7..10).contains(&hour) {
            5.0
        } else {
            0.0
        }
    }

    #[test]
    fn a_weekday_rush_hour_is_weekly_even_after_a_holiday() {
        let s = series(15, 600_000, |t| daily(t) + weekday_rush_with_a_holiday(t));
        let differences = day_over_day(&s);
        let in_differences = profile_strength(&differences, &differences.values, WEEK_MS, bins_for(&s, WEEK_MS));
        assert!(in_differences < MIN_STRENGTH, "the holiday hides the week from day-over-day differences");
        let found = detect(&s);
        assert_eq!(found.periods[1].status, PeriodStatus::Detected, "{:?}", found.periods[1]);
        assert_eq!(found.primary(), Some(WEEK_MS));
    }

    #[test]
    fn weekly_pattern_needs_two_weeks() {
        let s = detect(&series(10, 600_000, |t| daily(t) + weekend_low(t)));
        assert_eq!(s.periods[1].status, PeriodStatus::InsufficientHistory);
        assert_eq!(s.primary(), Some(DAY_MS));
        let w = s.warnings();
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].message,
            "weekly seasonality cannot be learned from 10.0 days of history; 14.0 days are needed"
        );
    }

    #[test]
    fn noise_has_no_period() {
        let s = detect(&series(15, 600_000, |_| 0.0));
        assert!(s.periods.iter().all(|p| p.status == PeriodStatus::Absent), "{:?}", s.periods);
        assert_eq!(s.primary(), None);
    }

    #[test]
    fn a_strong_hourly_period_is_reported_as_other() {
        let s = detect(&series(3, 60_000, |t| if t.rem_euclid(3_600_000) < 600_000 { 20.0 } else { 0.0 }));
        let other = s.periods.iter().find(|p| p.name == "other").expect("an other period");
        assert_eq!(other.period_ms, 3_600_000);
        assert_eq!(s.primary(), Some(3_600_000));
    }

    #[test]
    fn coarse_steps_cannot_see_short_periods() {
        let s = detect(&series(30, 12 * 3_600_000, daily));
        assert_eq!(s.periods[0].status, PeriodStatus::TooCoarse);
    }
}
