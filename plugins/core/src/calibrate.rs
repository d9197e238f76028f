//! Turns residuals into calibrated scores: the probability, learned from the series' own
//! history, that a normal point deviates less than this one.
//!
//! A histogram of |z| on a log scale counts every scored point. The tail probability of a new
//! |z| blends that history with a Gaussian prior worth [`PRIOR_POINTS`] points, so a short
//! history scores like a normal distribution and a long one by its own experience: on a
//! heavy-tailed series a 5σ residual that happens daily is not news, on a quiet one it is.
//! The score is `1 − tail`, so a threshold means the same on every series: 0.999 is "rarer
//! than 999 in 1,000 of this series' points".

use crate::stats::two_sided_confidence;
use serde::{Deserialize, Serialize};

/// Weight of the Gaussian prior, in points.
pub const PRIOR_POINTS: f64 = 200.0;
/// Smallest |z| with its own bin; smaller residuals share the first bin.
const Z_MIN: f64 = 0.5;
/// Bins per doubling of |z|.
const BINS_PER_OCTAVE: f64 = 4.0;
/// Number of bins (|z| from 0.5 to 0.5·2^12 ≈ 2,000).
const BINS: usize = 48;

/// The histogram of |z| seen so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibrator {
    counts: Vec<u64>,
    total: u64,
}

impl Default for Calibrator {
    fn default() -> Self {
        Self { counts: vec![0; BINS], total: 0 }
    }
}

fn bin(z: f64) -> usize {
    let a = z.abs();
    if a <= Z_MIN {
        0
    } else {
        (((a / Z_MIN).log2() * BINS_PER_OCTAVE) as usize + 1).min(BINS - 1)
    }
}

impl Calibrator {
    /// Score of a residual of `z` σ against the history, in [0, 1].
    pub fn score(&self, z: f64) -> f64 {
        let prior_tail = 1.0 - two_sided_confidence(z);
        let b = bin(z);
        let seen: u64 = if b == 0 { self.total } else { self.counts[b..].iter().sum() };
        let tail = (seen as f64 + PRIOR_POINTS * prior_tail) / (self.total as f64 + PRIOR_POINTS);
        // Within a bin, keep the ordering of the Gaussian so larger residuals score higher.
        (1.0 - tail.max(prior_tail)).clamp(0.0, 1.0)
    }

    /// Adds a residual to the history.
    pub fn observe(&mut self, z: f64) {
        self.counts[bin(z)] += 1;
        self.total += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_history_scores_like_a_normal_distribution() {
        let c = Calibrator::default();
        assert!((c.score(3.0) - two_sided_confidence(3.0)).abs() < 1e-12);
    }

    #[test]
    fn frequent_large_residuals_lose_their_surprise() {
        let mut heavy = Calibrator::default();
        let quiet = Calibrator::default();
        for i in 0..10_000 {
            heavy.observe(if i % 20 == 0 { 6.0 } else { 0.3 });
        }
        assert!(heavy.score(6.0) < 0.96, "{}", heavy.score(6.0));
        assert!(quiet.score(6.0) > 0.999_999);
        assert!(heavy.score(50.0) > 0.999, "{}", heavy.score(50.0));
    }

    #[test]
    fn scores_grow_with_the_residual() {
        let mut c = Calibrator::default();
        for i in 0..1000 {
            c.observe((i % 7) as f64 * 0.5);
        }
        let scores: Vec<f64> = [0.1, 1.0, 2.0, 3.0, 5.0, 10.0, 100.0].iter().map(|z| c.score(*z)).collect();
        assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    }
}
