//! Timestamped points and the policy for bad input.
//!
//! | input problem | policy |
//! |---|---|
//! | no points, or `timestamps`/`values` of different lengths | error `empty_series` / `length_mismatch` |
//! | a non-finite timestamp | error `invalid_timestamp` |
//! | NaN, ±Inf, or a value beyond ±[`MAX_ABS_VALUE`] | dropped, warning `non_finite_values` (a missing point) |
//! | out-of-order timestamps | sorted, warning `unsorted_timestamps` |
//! | duplicate timestamps | the last value given is kept, warning `duplicate_timestamps` |
//! | gaps longer than twice the step | kept as gaps (never filled), warning `gaps` |
//! | fewer than [`MIN_POINTS`] finite points | error `too_few_points` |
//! | more than [`MAX_POINTS`] points | error `too_large` |
//!
//! Timestamps are seconds or milliseconds since the Unix epoch: a series whose largest
//! absolute timestamp is below 10¹¹ (the year 5138 in seconds, 1973 in milliseconds) is read
//! as seconds. Internally everything is in milliseconds.

use crate::error::{Error, ErrorCode, Result};
use crate::warning::{Warning, WarningCode};

/// The fewest finite points a series may have.
pub const MIN_POINTS: usize = 3;
/// The most points one call accepts (about ten years at one-minute resolution).
pub const MAX_POINTS: usize = 5_000_000;
/// Largest magnitude of a value that is computed with. Beyond it (up to f64's 1.8·10³⁰⁸) the
/// models' squares and sums would overflow to infinity: such a value is dropped like ±Inf.
pub const MAX_ABS_VALUE: f64 = 1e100;

const SECONDS_LIMIT: f64 = 1e11;

/// A clean series: sorted, unique, finite, in milliseconds, with its inferred step.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Milliseconds since the Unix epoch, strictly increasing.
    pub timestamps_ms: Vec<i64>,
    /// Finite values, one per timestamp.
    pub values: Vec<f64>,
    /// The usual spacing of points (the median positive difference), in milliseconds.
    pub step_ms: i64,
}

/// A cleaned series with the warnings its cleaning produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The clean series.
    pub series: Series,
    /// Every repair made, one warning per kind.
    pub warnings: Vec<Warning>,
}

/// Cleaned points, not yet checked for length or step, with the warnings of their cleaning.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanPoints {
    /// `(milliseconds, value)`, strictly increasing in time, all finite.
    pub points: Vec<(i64, f64)>,
    /// Every repair made, one warning per kind.
    pub warnings: Vec<Warning>,
}

/// Whether timestamps are read as seconds or milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Decide from magnitude (see the module docs).
    Auto,
    /// Seconds since the epoch.
    Seconds,
    /// Milliseconds since the epoch.
    Milliseconds,
}

/// Converts timestamps to milliseconds, checking they are finite.
pub fn to_millis(timestamps: &[f64], unit: TimeUnit) -> Result<Vec<i64>> {
    if let Some(i) = timestamps.iter().position(|t| !t.is_finite()) {
        return Err(Error::in_field(
            ErrorCode::InvalidTimestamp,
            "timestamps",
            format!("timestamp at index {i} is not a finite number"),
        ));
    }
    let seconds = match unit {
        TimeUnit::Seconds => true,
        TimeUnit::Milliseconds => false,
        TimeUnit::Auto => timestamps.iter().all(|t| t.abs() < SECONDS_LIMIT),
    };
    let scale = if seconds { 1000.0 } else { 1.0 };
    Ok(timestamps.iter().map(|t| (t * scale).round() as i64).collect())
}

/// Cleans raw points into a [`Series`] following the module's policy.
///
/// ```
/// use corridor_core::series::{clean, TimeUnit};
/// let cleaned = clean(&[0.0, 120.0, 60.0, 60.0, 180.0], &[1.0, 5.0, 2.0, 3.0, f64::NAN], TimeUnit::Auto).unwrap();
/// assert_eq!(cleaned.series.timestamps_ms, vec![0, 60_000, 120_000]);
/// assert_eq!(cleaned.series.values, vec![1.0, 3.0, 5.0]);
/// assert_eq!(cleaned.series.step_ms, 60_000);
/// assert_eq!(cleaned.warnings.len(), 3); // NaN dropped, duplicate resolved, order repaired
/// ```
pub fn clean(timestamps: &[f64], values: &[f64], unit: TimeUnit) -> Result<Cleaned> {
    if timestamps.is_empty() && values.is_empty() {
        return Err(Error::in_field(ErrorCode::EmptySeries, "timestamps", "the series has no points"));
    }
    let CleanPoints { points, mut warnings } = clean_points(timestamps, values, unit)?;
    if points.len() < MIN_POINTS {
        return Err(Error::in_field(
            ErrorCode::TooFewPoints,
            "values",
            format!("{} finite points with distinct timestamps; at least {MIN_POINTS} are needed", points.len()),
        ));
    }
    let (timestamps_ms, values): (Vec<i64>, Vec<f64>) = points.into_iter().unzip();
    let step_ms = median_step(&timestamps_ms);
    let gaps = timestamps_ms.windows(2).filter(|w| w[1] - w[0] > 2 * step_ms).count();
    if gaps > 0 {
        warnings.push(Warning::new(
            WarningCode::Gaps,
            gaps,
            format!("{gaps} gaps longer than twice the {step_ms} ms step; they are left empty"),
        ));
    }
    Ok(Cleaned { series: Series { timestamps_ms, values, step_ms }, warnings })
}

/// Cleans raw points (drops non-finite values, sorts, resolves duplicates) without the
/// minimum-length and step checks of [`clean`]: the form streaming updates need.
pub fn clean_points(timestamps: &[f64], values: &[f64], unit: TimeUnit) -> Result<CleanPoints> {
    if timestamps.len() != values.len() {
        return Err(Error::in_field(
            ErrorCode::LengthMismatch,
            "values",
            format!("{} timestamps but {} values", timestamps.len(), values.len()),
        ));
    }
    if timestamps.len() > MAX_POINTS {
        return Err(Error::in_field(
            ErrorCode::TooLarge,
            "timestamps",
            format!("{} points exceed the limit of {MAX_POINTS}; downsample or split the range", timestamps.len()),
        ));
    }
    let millis = to_millis(timestamps, unit)?;
    let mut warnings = Vec::new();
    let mut points: Vec<(i64, f64)> =
        millis.into_iter().zip(values.iter().copied()).filter(|(_, v)| v.abs() <= MAX_ABS_VALUE).collect();
    let dropped = values.len() - points.len();
    if dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::NonFiniteValues,
            dropped,
            format!(
                "{dropped} NaN, infinite or out-of-range (beyond ±1e100) values were dropped and treated as missing"
            ),
        ));
    }
    let unsorted = points.windows(2).filter(|w| w[1].0 < w[0].0).count();
    if unsorted > 0 {
        points.sort_by_key(|p| p.0);
        warnings.push(Warning::new(
            WarningCode::UnsortedTimestamps,
            unsorted,
            format!("{unsorted} points were out of time order and were sorted"),
        ));
    }
    let before = points.len();
    dedup_keep_last(&mut points);
    let duplicates = before - points.len();
    if duplicates > 0 {
        warnings.push(Warning::new(
            WarningCode::DuplicateTimestamps,
            duplicates,
            format!("{duplicates} points repeated an earlier timestamp; the last value of each was kept"),
        ));
    }
    Ok(CleanPoints { points, warnings })
}

/// Values on a regular grid of `cells` cells from `(cell, value)` pairs: a cell takes the mean
/// of its values, empty cells between filled ones are linearly interpolated. Returns the grid
/// and the first filled cell (cells before it, and all of them when none is filled, are 0).
///
/// ```
/// let (grid, first) = corridor_core::series::grid_means(5, [(1, 2.0), (1, 4.0), (4, 6.0)]);
/// assert_eq!((grid, first), (vec![0.0, 3.0, 4.0, 5.0, 6.0], 1));
/// ```
pub fn grid_means(cells: usize, cell_values: impl IntoIterator<Item = (usize, f64)>) -> (Vec<f64>, usize) {
    let mut sum = vec![0.0; cells];
    let mut count = vec![0usize; cells];
    for (cell, v) in cell_values {
        sum[cell] += v;
        count[cell] += 1;
    }
    let filled: Vec<usize> = (0..cells).filter(|&i| count[i] > 0).collect();
    let mut y: Vec<f64> = (0..cells).map(|i| if count[i] > 0 { sum[i] / count[i] as f64 } else { 0.0 }).collect();
    for pair in filled.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        for i in a + 1..b {
            y[i] = y[a] + (y[b] - y[a]) * (i - a) as f64 / (b - a) as f64;
        }
    }
    (y, filled.first().copied().unwrap_or(0))
}

/// Removes repeated timestamps from sorted points, keeping the last point of each run.
fn dedup_keep_last(points: &mut Vec<(i64, f64)>) {
    let mut kept = 0;
    for i in 0..points.len() {
        if kept > 0 && points[kept - 1].0 == points[i].0 {
            points[kept - 1] = points[i];
        } else {
            points[kept] = points[i];
            kept += 1;
        }
    }
    points.truncate(kept);
}

/// The median of the positive differences of strictly increasing timestamps.
fn median_step(timestamps_ms: &[i64]) -> i64 {
    let mut diffs: Vec<i64> = timestamps_ms.windows(2).map(|w| w[1] - w[0]).collect();
    let mid = diffs.len() / 2;
    *diffs.select_nth_unstable(mid).1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(c: &Cleaned) -> Vec<WarningCode> {
        c.warnings.iter().map(|w| w.code).collect()
    }

    #[test]
    fn seconds_and_millis_are_detected() {
        let s = clean(&[1.7e9, 1.7e9 + 60.0, 1.7e9 + 120.0], &[1.0; 3], TimeUnit::Auto).unwrap();
        assert_eq!(s.series.step_ms, 60_000);
        let ms = clean(&[1.7e12, 1.7e12 + 60_000.0, 1.7e12 + 120_000.0], &[1.0; 3], TimeUnit::Auto).unwrap();
        assert_eq!(ms.series.timestamps_ms, s.series.timestamps_ms);
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn non_finite_values_are_dropped_with_a_count() {
        let c = clean(
            &[0.0, 1.0, 2.0, 3.0, 4.0],
            &[1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2.0],
            TimeUnit::Seconds,
        );
        assert_eq!(c.unwrap_err().code, ErrorCode::TooFewPoints);
        let c =
            clean(&[0.0, 1.0, 2.0, 3.0, 4.0], &[1.0, f64::NAN, 3.0, f64::INFINITY, 2.0], TimeUnit::Seconds).unwrap();
        assert_eq!(c.series.values, vec![1.0, 3.0, 2.0]);
        assert_eq!(c.warnings[0].code, WarningCode::NonFiniteValues);
        assert_eq!(c.warnings[0].count, 2);
        assert_eq!(codes(&c), vec![WarningCode::NonFiniteValues]);
        let c = clean(&[0.0, 1.0, 2.0, 3.0, 4.0], &[1.0, -1e308, 3.0, 1e101, 2.0], TimeUnit::Seconds).unwrap();
        assert_eq!(c.series.values, vec![1.0, 3.0, 2.0]);
        assert_eq!(c.warnings[0].count, 2);
    }

    #[test]
    fn duplicates_keep_the_last_value() {
        let c = clean(&[0.0, 60.0, 60.0, 60.0, 120.0], &[1.0, 2.0, 3.0, 4.0, 5.0], TimeUnit::Seconds).unwrap();
        assert_eq!(c.series.values, vec![1.0, 4.0, 5.0]);
        assert_eq!(codes(&c), vec![WarningCode::DuplicateTimestamps]);
        assert_eq!(c.warnings[0].count, 2);
    }

    #[test]
    fn unsorted_points_are_sorted_stably() {
        let c = clean(&[120.0, 0.0, 60.0, 0.0], &[3.0, 1.0, 2.0, 9.0], TimeUnit::Seconds).unwrap();
        assert_eq!(c.series.timestamps_ms, vec![0, 60_000, 120_000]);
        assert_eq!(c.series.values, vec![9.0, 2.0, 3.0]);
        assert_eq!(codes(&c), vec![WarningCode::UnsortedTimestamps, WarningCode::DuplicateTimestamps]);
    }

    #[test]
    fn gaps_are_reported_not_filled() {
        let c = clean(&[0.0, 60.0, 120.0, 180.0, 3600.0], &[1.0; 5], TimeUnit::Seconds).unwrap();
        assert_eq!(c.series.timestamps_ms.len(), 5);
        assert_eq!(codes(&c), vec![WarningCode::Gaps]);
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert_eq!(clean(&[], &[], TimeUnit::Auto).unwrap_err().code, ErrorCode::EmptySeries);
        assert_eq!(clean(&[1.0], &[], TimeUnit::Auto).unwrap_err().code, ErrorCode::LengthMismatch);
        let e = clean(&[0.0, f64::NAN, 2.0], &[1.0; 3], TimeUnit::Auto).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidTimestamp, Some("timestamps")));
        assert_eq!(clean(&[5.0, 5.0, 5.0], &[1.0; 3], TimeUnit::Auto).unwrap_err().code, ErrorCode::TooFewPoints);
    }

    #[test]
    fn huge_inputs_are_refused_before_any_work() {
        let t = vec![0.0; MAX_POINTS + 1];
        assert_eq!(clean(&t, &t, TimeUnit::Auto).unwrap_err().code, ErrorCode::TooLarge);
    }
}
