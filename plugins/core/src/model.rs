//! The corridor model: a robust, seasonal, exponentially smoothed estimate of what a metric
//! should be at each moment, learned online one point at a time.
//!
//! For each point the model first *predicts* (expected value and noise scale from what came
//! before), then *learns* from the point. The prediction is therefore causal: batch and
//! streaming use give the same numbers, and a point never hides itself.
//!
//! - **Season**: a profile over the primary period (the longest detected: weekly includes
//!   daily), in phase bins of at least the step and at most [`MAX_BINS`] per period.
//! - **Phase tolerance**: a point is judged against whichever of its bin's seasonal value and
//!   its two neighbours' is nearest, so a seasonal feature one bin early or late (a job that
//!   starts at 02:01 instead of 02:00) is not an anomaly. Learning uses the point's own bin.
//! - **Level**: the deseasonalised value, smoothed over [`LEVEL_STEPS`] points; it follows
//!   trends and gradual level changes.
//! - **Scale**: a smoothed mean absolute residual, as a standard deviation; and a slow one,
//!   over [`SLOW_SCALE_STEPS`] points, for the residual in units of the series' usual noise
//!   ([`Estimate::z_slow`]).
//! - **Slow level**: the level smoothed over [`SLOW_LEVEL_STEPS`] points, for how far the
//!   level has moved in hours ([`Estimate::z_level`]).
//! - **Robustness**: updates see residuals clipped at ±[`CLIP_SIGMAS`]·σ, so an outlier moves
//!   nothing by more than a normal point could, and the band does not widen for everyone.
//! - **Level shifts**: when [`LEVEL_SHIFT_POINTS`] points in a row sit beyond the band on the
//!   same side, the level jumps to their median and the shift is reported.
//! - **Warm-up**: the first [`WARMUP_CYCLES`] cycles of the period (at least
//!   [`WARMUP_POINTS`] points) only learn. The trend is the median rise of a phase bin from one
//!   cycle to the next; the profile starts from the detrended per-bin means, the level from
//!   the trend line's end, and the scale from the larger of two noise estimates: successive
//!   differences (which smooth seasons do not inflate) and the cycle-to-cycle spread of the
//!   bins (the error of a profile learned from two cycles).
//! - **Held-out warm-up**: the point that ends the warm-up also returns estimates of the
//!   warm-up's second cycle (without a period, its second half) made by a model fitted on the
//!   points before them only: honest, out-of-sample residuals of this series, so that whoever
//!   calibrates scores on the residuals (see [`crate::alert`]) does not start from nothing.

use crate::stats::{median_in_place, smoothing_rate};
use serde::{Deserialize, Serialize};

/// Most phase bins per period (a week in 5-minute bins).
pub const MAX_BINS: i64 = 2016;
/// Points over which the level is smoothed (time constant, in steps).
pub const LEVEL_STEPS: f64 = 12.0;
/// Points over which the noise scale is smoothed (time constant, in steps).
pub const SCALE_STEPS: f64 = 144.0;
/// Points over which the slow noise scale is smoothed (time constant, in steps): about three
/// days at one minute, two weeks at five. Measured on NAB, anything from 2,000 to 16,000 points
/// scores within 0.3 of this.
pub const SLOW_SCALE_STEPS: f64 = 4000.0;
/// Points over which the slow level follows the level (time constant, in steps). Measured on
/// NAB, 1,000 to 4,000 points score alike; 150 or fewer, or 8,000 and more, lose.
pub const SLOW_LEVEL_STEPS: f64 = 2000.0;
/// Slowest learning rate of a season bin once it has seen enough cycles.
pub const SEASON_RATE: f64 = 0.3;
/// Residuals are clipped at this many σ before they update the model.
pub const CLIP_SIGMAS: f64 = 3.0;
/// Consecutive points beyond the band, on one side, that make a level shift.
pub const LEVEL_SHIFT_POINTS: usize = 12;
/// Fewest points of warm-up.
pub const WARMUP_POINTS: usize = 16;
/// Cycles of the period learned before scoring: two, so that a trend is told from the season.
pub const WARMUP_CYCLES: i64 = 2;
/// Learning rates of the level, the scale, the slow scale and the slow level, per point.
const LEVEL_RATE: f64 = smoothing_rate(LEVEL_STEPS);
const SCALE_RATE: f64 = smoothing_rate(SCALE_STEPS);
const SLOW_SCALE_RATE: f64 = smoothing_rate(SLOW_SCALE_STEPS);
const SLOW_LEVEL_RATE: f64 = smoothing_rate(SLOW_LEVEL_STEPS);
/// Converts a mean absolute deviation to a normal standard deviation.
const MAD_TO_SIGMA: f64 = 1.253_314_137;
/// Converts a median absolute deviation to a normal standard deviation.
const MEDIAN_AD_TO_SIGMA: f64 = 1.482_602_218;
/// The noise scale never drops below this share of the warm-up range.
const SCALE_FLOOR_SHARE: f64 = 0.002;

/// The model's view of one point, made before learning from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Expected value.
    pub expected: f64,
    /// Noise scale (one standard deviation).
    pub sigma: f64,
    /// Signed residual in units of σ: `(actual − expected) / σ`, with `expected` taken from
    /// the nearest of the phase bin and its two neighbours (see the module docs).
    pub z: f64,
    /// The same residual in units of the slow noise scale. After a quiet stretch σ is small and
    /// every blip is many σ; against the slow scale, a spike larger than the series' earlier
    /// spikes still stands out.
    pub z_slow: f64,
    /// How far the level has moved from the slow level, in units of the level's own noise
    /// (σ_slow·√(r/(2−r)) for the level's rate r). A change that lasts hours, which the level
    /// follows so that each point's residual stays small (a holiday), shows here.
    pub z_level: f64,
}

/// A level shift recognised at the current point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    /// Timestamp of the first point beyond the band.
    pub start_ms: i64,
    /// Level before the shift (deseasonalised).
    pub before: f64,
    /// Level after the shift (deseasonalised).
    pub after: f64,
}

/// What the model says about one point.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// Still learning; no estimate yet.
    WarmingUp,
    /// This point ended the warm-up; no estimate for it, but the estimates of the warm-up's
    /// held-out points, in order (see the module docs).
    WarmedUp(Vec<Estimate>),
    /// An estimate, and a level shift if this point completed one.
    Scored(Estimate, Option<Shift>),
}

/// Shape of the seasonal profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Season {
    period_ms: i64,
    bin_ms: i64,
    values: Vec<f64>,
    counts: Vec<u32>,
}

impl Season {
    fn new(period_ms: i64, step_ms: i64) -> Self {
        let bins = (period_ms / step_ms.max(1)).clamp(1, MAX_BINS);
        let bin_ms = period_ms / bins;
        Self { period_ms, bin_ms, values: vec![0.0; bins as usize], counts: vec![0; bins as usize] }
    }

    /// Of the seasonal values of bin `b` and its two neighbours, the one nearest `target` (the
    /// bin's own on a tie).
    fn nearest(&self, b: usize, target: f64) -> f64 {
        let last = self.values.len() - 1;
        let neighbours =
            [self.values[if b == 0 { last } else { b - 1 }], self.values[if b == last { 0 } else { b + 1 }]];
        neighbours
            .into_iter()
            .fold(self.values[b], |best, v| if (target - v).abs() < (target - best).abs() { v } else { best })
    }

    fn bin(&self, t_ms: i64) -> usize {
        ((t_ms.rem_euclid(self.period_ms) / self.bin_ms) as usize).min(self.values.len() - 1)
    }

    /// What two cycles of warm-up say: the trend per millisecond (the median, over phase bins,
    /// of how much the second cycle's bin mean exceeds the first's, divided by the period) and
    /// the noise of one point around a profile learned from two cycles (from how much those
    /// rises vary between bins).
    fn cycle_trend(&self, points: &[(i64, f64)]) -> (f64, f64) {
        let n = self.values.len();
        let mut sums = vec![[0.0f64; 2]; n];
        let mut counts = vec![[0u32; 2]; n];
        let t0 = points[0].0;
        for (t, x) in points {
            let cycle = (((t - t0) / self.period_ms) as usize).min(1);
            let b = self.bin(*t);
            sums[b][cycle] += x;
            counts[b][cycle] += 1;
        }
        let paired: Vec<usize> = (0..n).filter(|&b| counts[b][0] > 0 && counts[b][1] > 0).collect();
        let mut rises: Vec<f64> =
            paired.iter().map(|&b| sums[b][1] / counts[b][1] as f64 - sums[b][0] / counts[b][0] as f64).collect();
        let Some(rise) = median_in_place(&mut rises) else { return (0.0, 0.0) };
        let mut deviations: Vec<f64> = rises.iter().map(|r| (r - rise).abs()).collect();
        // A rise is the difference of two bin means of k points each: its spread is σ·√(2/k).
        let k = paired.iter().map(|&b| counts[b][0].min(counts[b][1]) as f64).sum::<f64>() / paired.len() as f64;
        let point_sigma = median_in_place(&mut deviations).unwrap_or(0.0) * MEDIAN_AD_TO_SIGMA * (k / 2.0).sqrt();
        // A new point differs from a two-cycle mean by its own noise and the mean's.
        (rise / self.period_ms as f64, point_sigma * (1.0 + 1.0 / (2.0 * k)).sqrt())
    }

    /// Turns per-bin sums (collected in warm-up) into offsets from `level`, filling empty bins
    /// from the nearest filled one.
    fn finish_warmup(&mut self, level: f64) {
        let n = self.values.len();
        let filled: Vec<usize> = (0..n).filter(|&b| self.counts[b] > 0).collect();
        let means: Vec<f64> =
            (0..n).map(|b| if self.counts[b] > 0 { self.values[b] / self.counts[b] as f64 } else { 0.0 }).collect();
        for b in 0..n {
            let source = if self.counts[b] > 0 {
                b
            } else {
                *filled
                    .iter()
                    .min_by_key(|&&f| {
                        (f as i64 - b as i64).rem_euclid(n as i64).min((b as i64 - f as i64).rem_euclid(n as i64))
                    })
                    .unwrap_or(&b)
            };
            self.values[b] = if filled.is_empty() { 0.0 } else { means[source] - level };
        }
    }
}

/// Moves a mean absolute residual, at learning `rate`, towards `residual` (clipped at
/// [`CLIP_SIGMAS`] times its `sigma`).
fn track_scale(mean_abs_residual: &mut f64, rate: f64, residual: f64, sigma: f64) {
    *mean_abs_residual += rate * (residual.abs().min(CLIP_SIGMAS * sigma) - *mean_abs_residual);
}

/// A run of consecutive points beyond the band on one side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Run {
    side: i8,
    start_ms: i64,
    deseasonalised: Vec<f64>,
}

/// The learned state; serialisable, so a host can keep it between calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    step_ms: i64,
    band_sigmas: f64,
    season: Option<Season>,
    level: f64,
    mean_abs_residual: f64,
    /// The slow counterpart of `mean_abs_residual` (a mean absolute deviation too, over
    /// [`SLOW_SCALE_STEPS`] points); 0 until the first scored point, and in states saved before
    /// it existed, which start it from `mean_abs_residual`.
    #[serde(default)]
    slow_mad: f64,
    /// The level smoothed over [`SLOW_LEVEL_STEPS`] points; `None` until the first scored point,
    /// and in states saved before it existed, which start it from the level.
    #[serde(default)]
    slow_level: Option<f64>,
    scale_floor: f64,
    warmup: Option<Vec<(i64, f64)>>,
    run: Run,
}

impl Model {
    /// A fresh model for a series of `step_ms` with an optional primary period, flagging
    /// points beyond `band_sigmas` standard deviations.
    pub fn new(step_ms: i64, period_ms: Option<i64>, band_sigmas: f64) -> Self {
        Self {
            step_ms,
            band_sigmas,
            season: period_ms.map(|p| Season::new(p, step_ms)),
            level: 0.0,
            mean_abs_residual: 0.0,
            slow_mad: 0.0,
            slow_level: None,
            scale_floor: 0.0,
            warmup: Some(Vec::new()),
            run: Run::default(),
        }
    }

    /// The primary period followed, if any.
    pub fn period_ms(&self) -> Option<i64> {
        self.season.as_ref().map(|s| s.period_ms)
    }

    /// The series step the model was built for.
    pub fn step_ms(&self) -> i64 {
        self.step_ms
    }

    /// Half-width of the corridor, in σ.
    pub fn band_sigmas(&self) -> f64 {
        self.band_sigmas
    }

    /// The corridor the model holds now for a moment at `t_ms` (its phase of the period):
    /// `(expected value, noise σ)`, without learning. `None` while warming up.
    pub fn corridor_at(&self, t_ms: i64) -> Option<(f64, f64)> {
        if self.warmup.is_some() {
            return None;
        }
        let seasonal = self.season.as_ref().map_or(0.0, |s| s.values[s.bin(t_ms)]);
        Some((self.level + seasonal, self.sigma(self.mean_abs_residual)))
    }

    /// Predicts the point at `t_ms`, then learns from its value `x`.
    pub fn observe(&mut self, t_ms: i64, x: f64) -> Observation {
        if let Some(buffer) = &mut self.warmup {
            buffer.push((t_ms, x));
            let span = buffer[buffer.len() - 1].0 - buffer[0].0 + self.step_ms;
            let cycles = self.season.as_ref().map_or(0, |s| WARMUP_CYCLES * s.period_ms);
            if buffer.len() >= WARMUP_POINTS && span >= cycles {
                return Observation::WarmedUp(self.finish_warmup());
            }
            return Observation::WarmingUp;
        }
        let bin = self.season.as_ref().map(|s| s.bin(t_ms));
        let seasonal = bin.map_or(0.0, |b| self.season.as_ref().map_or(0.0, |s| s.values[b]));
        let sigma = self.sigma(self.mean_abs_residual);
        let expected = self.level + seasonal;
        let residual = x - expected;
        let judged = match (&self.season, bin) {
            (Some(season), Some(b)) => x - self.level - season.nearest(b, x - self.level),
            _ => residual,
        };
        let z = judged / sigma;
        if self.slow_mad == 0.0 {
            self.slow_mad = self.mean_abs_residual;
        }
        let slow_sigma = self.sigma(self.slow_mad);
        let z_slow = judged / slow_sigma;
        let slow_level = *self.slow_level.get_or_insert(self.level);
        let level_noise = (LEVEL_RATE / (2.0 - LEVEL_RATE)).sqrt();
        let z_level = (self.level - slow_level) / (slow_sigma * level_noise);
        let shift = self.track_run(t_ms, z, x - seasonal);
        if shift.is_none() {
            self.learn(bin, residual, sigma, slow_sigma);
            self.slow_level = Some(slow_level + SLOW_LEVEL_RATE * (self.level - slow_level));
        } else {
            self.slow_level = Some(self.level);
        }
        Observation::Scored(Estimate { expected, sigma, z, z_slow, z_level }, shift)
    }

    fn learn(&mut self, bin: Option<usize>, residual: f64, sigma: f64, slow_sigma: f64) {
        let clipped = residual.clamp(-CLIP_SIGMAS * sigma, CLIP_SIGMAS * sigma);
        self.level += LEVEL_RATE * clipped;
        if let (Some(season), Some(b)) = (&mut self.season, bin) {
            season.counts[b] = season.counts[b].saturating_add(1);
            // A bin's first cycles learn at 1/n (the mean so far); the division only while it applies.
            let seen = season.counts[b] as f64;
            let rate = if seen * SEASON_RATE < 1.0 { 1.0 / seen } else { SEASON_RATE };
            season.values[b] += rate * (1.0 - LEVEL_RATE) * clipped;
        }
        track_scale(&mut self.mean_abs_residual, SCALE_RATE, residual, sigma);
        track_scale(&mut self.slow_mad, SLOW_SCALE_RATE, residual, slow_sigma);
    }

    /// The noise σ of a mean absolute residual, never below the scale floor.
    fn sigma(&self, mean_abs_residual: f64) -> f64 {
        (mean_abs_residual * MAD_TO_SIGMA).max(self.scale_floor)
    }

    /// Extends or resets the run of points beyond the band; re-anchors the level on a shift.
    fn track_run(&mut self, t_ms: i64, z: f64, deseasonalised: f64) -> Option<Shift> {
        let side = if z > self.band_sigmas {
            1
        } else if z < -self.band_sigmas {
            -1
        } else {
            0
        };
        if side == 0 || side != self.run.side {
            self.run = Run { side, start_ms: t_ms, deseasonalised: Vec::new() };
        }
        if side == 0 {
            return None;
        }
        self.run.deseasonalised.push(deseasonalised);
        if self.run.deseasonalised.len() < LEVEL_SHIFT_POINTS {
            return None;
        }
        let before = self.level;
        let after = median_in_place(&mut self.run.deseasonalised).unwrap_or(before);
        self.level = after;
        let start_ms = self.run.start_ms;
        self.run = Run::default();
        Some(Shift { start_ms, before, after })
    }

    /// Ends the warm-up: fits the model on its points and returns the held-out estimates.
    fn finish_warmup(&mut self) -> Vec<Estimate> {
        let points = self.warmup.take().unwrap_or_default();
        let held_out = self.held_out_estimates(&points);
        self.fit(&points);
        held_out
    }

    /// Estimates of the warm-up points after its first cycle (without a period, after its first
    /// half) by a model fitted on the points before them only; none when either part has fewer
    /// than half of [`WARMUP_POINTS`].
    fn held_out_estimates(&self, points: &[(i64, f64)]) -> Vec<Estimate> {
        let split = match &self.season {
            Some(season) => points.partition_point(|p| p.0 - points[0].0 < season.period_ms),
            None => points.len() / 2,
        };
        let least = WARMUP_POINTS / 2;
        if split < least || points.len() - split < least {
            return Vec::new();
        }
        let mut fitted = Model::new(self.step_ms, self.period_ms(), self.band_sigmas);
        fitted.fit(&points[..split]);
        points[split..]
            .iter()
            .filter_map(|&(t, x)| match fitted.observe(t, x) {
                Observation::Scored(estimate, _) => Some(estimate),
                _ => None,
            })
            .collect()
    }

    /// Learns the level, the seasonal profile and the noise scale from warm-up `points`, and
    /// ends the warm-up.
    fn fit(&mut self, points: &[(i64, f64)]) {
        self.warmup = None;
        let mut values: Vec<f64> = points.iter().map(|p| p.1).collect();
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        self.level = median_in_place(&mut values).unwrap_or(0.0);
        let mut noise = 0.0;
        if let Some(season) = &mut self.season {
            let t0 = points[0].0;
            let (slope, cycle_noise) = season.cycle_trend(points);
            noise = cycle_noise;
            let detrended: Vec<(i64, f64)> = points.iter().map(|(t, x)| (*t, x - slope * (t - t0) as f64)).collect();
            let level = detrended.iter().map(|p| p.1).sum::<f64>() / detrended.len() as f64;
            for (t, x) in &detrended {
                let b = season.bin(*t);
                season.values[b] += x;
                season.counts[b] += 1;
            }
            season.finish_warmup(level);
            self.level = level + slope * (points[points.len() - 1].0 - t0) as f64;
        }
        let mut diffs: Vec<f64> = points.windows(2).map(|w| (w[1].1 - w[0].1).abs()).collect();
        let step_noise = median_in_place(&mut diffs).unwrap_or(0.0) * MEDIAN_AD_TO_SIGMA / std::f64::consts::SQRT_2;
        let noise = noise.max(step_noise);
        self.scale_floor = (SCALE_FLOOR_SHARE * (hi - lo)).max(f64::MIN_POSITIVE.sqrt() * self.level.abs().max(1.0));
        self.mean_abs_residual = noise.max(self.scale_floor) / MAD_TO_SIGMA;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(model: &mut Model, points: impl Iterator<Item = (i64, f64)>) -> Vec<Observation> {
        points.map(|(t, x)| model.observe(t, x)).collect()
    }

    #[test]
    fn warm_up_then_flat_series_scores_near_zero() {
        let mut m = Model::new(60_000, None, 3.0);
        let obs = run(&mut m, (0..100).map(|i| (i * 60_000, 5.0 + if i % 2 == 0 { 0.1 } else { -0.1 })));
        assert!(obs[..WARMUP_POINTS - 1].iter().all(|o| *o == Observation::WarmingUp));
        let Observation::WarmedUp(held_out) = &obs[WARMUP_POINTS - 1] else { panic!("{:?}", obs[WARMUP_POINTS - 1]) };
        assert_eq!(held_out.len(), WARMUP_POINTS / 2, "the second half, predicted from the first");
        assert!(held_out.iter().all(|e| e.z.abs() < 3.0), "{held_out:?}");
        for o in &obs[WARMUP_POINTS..] {
            let Observation::Scored(e, None) = o else { panic!("{o:?}") };
            assert!(e.z.abs() < 1.0, "{e:?}");
        }
    }

    #[test]
    fn the_warm_up_holds_out_its_second_cycle() {
        let step = 300_000;
        let day = 86_400_000 / step;
        // A daily shape with a little noise, and a spike in the second warm-up cycle.
        let at = |i: i64| {
            let shape = 50.0 + 20.0 * libm::sin(i as f64 * std::f64::consts::TAU / day as f64);
            (i * step, shape + (i % 5) as f64 * 0.3 + if i == day + 100 { 40.0 } else { 0.0 })
        };
        let mut m = Model::new(step, Some(86_400_000), 3.0);
        let obs = run(&mut m, (0..2 * day).map(at));
        assert!(obs[..2 * day as usize - 1].iter().all(|o| *o == Observation::WarmingUp));
        let Observation::WarmedUp(held_out) = &obs[2 * day as usize - 1] else { panic!("the last warm-up point") };
        assert_eq!(held_out.len(), day as usize, "the second cycle, predicted from the first");
        let largest = held_out.iter().enumerate().max_by(|a, b| a.1.z.abs().total_cmp(&b.1.z.abs())).unwrap();
        assert_eq!(largest.0, 100, "the spike is the held-out residual that stands out");
        assert!(largest.1.z > 10.0, "{:?}", largest.1);
        let typical = held_out.iter().filter(|e| e.z.abs() < 3.0).count();
        assert!(typical >= day as usize - 3, "{typical} of {day} held-out residuals are within 3σ");
        assert!(matches!(m.observe(2 * day * step, at(2 * day).1), Observation::Scored(..)));
    }

    #[test]
    fn a_warm_up_with_too_few_points_before_its_second_cycle_holds_nothing_out() {
        let step = 300_000;
        let day = 86_400_000 / step;
        // Five points on the first day (the rest missing), then a full second day.
        let points = (0..5).chain(day..2 * day).map(|i| (i * step, 10.0 + (i % 3) as f64));
        let obs = run(&mut Model::new(step, Some(86_400_000), 3.0), points);
        assert_eq!(obs.last(), Some(&Observation::WarmedUp(Vec::new())));
    }

    #[test]
    fn an_outlier_does_not_move_the_level() {
        let mut m = Model::new(60_000, None, 3.0);
        run(&mut m, (0..50).map(|i| (i * 60_000, 10.0 + (i % 3) as f64 * 0.1)));
        let before = m.level;
        let Observation::Scored(e, _) = m.observe(50 * 60_000, 1e6) else { panic!() };
        assert!(e.z > 1000.0);
        assert!((m.level - before).abs() < 1.0, "level moved from {before} to {}", m.level);
    }

    #[test]
    fn a_persistent_step_is_a_level_shift() {
        let mut m = Model::new(60_000, None, 3.0);
        let obs = run(&mut m, (0..200).map(|i| (i * 60_000, if i < 100 { 10.0 } else { 50.0 } + (i % 3) as f64 * 0.1)));
        let shifts: Vec<(usize, Shift)> = obs
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Observation::Scored(_, Some(s)) => Some((i, *s)),
                _ => None,
            })
            .collect();
        assert_eq!(shifts.len(), 1, "{shifts:?}");
        let (at, shift) = shifts[0];
        assert_eq!(at, 100 + LEVEL_SHIFT_POINTS - 1);
        assert_eq!(shift.start_ms, 100 * 60_000);
        assert!((shift.after - 50.1).abs() < 0.2, "{shift:?}");
        let Observation::Scored(e, None) = obs[199] else { panic!() };
        assert!(e.z.abs() < 3.0, "{e:?}");
    }

    #[test]
    fn a_seasonal_spike_one_bin_late_is_normal_but_not_an_hour_late() {
        let step = 300_000;
        let day = 86_400_000 / step;
        // A daily job: one 5-minute point at 09:00 ten times the baseline, with a little noise.
        let at = |i: i64, spike: i64| (i * step, if i % day == spike { 100.0 } else { 10.0 } + (i % 7) as f64 * 0.1);
        let mut m = Model::new(step, Some(86_400_000), 3.0);
        run(&mut m, (0..5 * day).map(|i| at(i, 108)));
        let late = run(&mut m.clone(), (5 * day..6 * day).map(|i| at(i, 109)));
        let hour_late = run(&mut m, (5 * day..6 * day).map(|i| at(i, 120)));
        let largest = |obs: &[Observation]| {
            obs.iter()
                .map(|o| if let Observation::Scored(e, _) = o { e.z.abs() } else { f64::INFINITY })
                .fold(0.0, f64::max)
        };
        assert!(largest(&late) < 3.0, "one bin late: {}", largest(&late));
        assert!(largest(&hour_late) > 100.0, "an hour late: {}", largest(&hour_late));
    }

    #[test]
    fn state_round_trips_through_json_exactly() {
        let mut m = Model::new(300_000, Some(86_400_000), 3.0);
        run(&mut m, (0..600).map(|i| (i * 300_000, libm::sin(i as f64 * 0.1) * 7.0 + 0.37 * i as f64)));
        let json = serde_json::to_string(&m).unwrap();
        let back: Model = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    /// The estimates of the next point from a model learned on 300 points and from the same
    /// state saved without `field`: `(now, then)`.
    fn next_estimates_with_and_without(field: &str) -> (Estimate, Estimate) {
        let mut m = Model::new(60_000, None, 3.0);
        run(&mut m, (0..300).map(|i| (i * 60_000, 10.0 + libm::sin(i as f64) * 0.5)));
        let mut state = serde_json::to_value(&m).unwrap();
        state.as_object_mut().unwrap().remove(field);
        let mut old: Model = serde_json::from_value(state).unwrap();
        match (m.observe(300 * 60_000, 11.0), old.observe(300 * 60_000, 11.0)) {
            (Observation::Scored(now, _), Observation::Scored(then, _)) => (now, then),
            other => panic!("both models score: {other:?}"),
        }
    }

    #[test]
    fn a_state_saved_without_the_slow_level_starts_it_from_the_level() {
        let (now, then) = next_estimates_with_and_without("slow_level");
        assert_eq!(then.z_level, 0.0);
        assert_ne!(now.z_level, 0.0);
    }

    #[test]
    fn a_state_saved_without_the_slow_scale_starts_it_from_the_scale() {
        let (now, then) = next_estimates_with_and_without("slow_mad");
        assert_eq!(then.z, now.z);
        assert!((then.z_slow - then.z).abs() < 1e-9, "{then:?}");
    }
}
