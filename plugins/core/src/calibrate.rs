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
use std::sync::OnceLock;

/// Weight of the Gaussian prior, in points.
pub const PRIOR_POINTS: f64 = 200.0;
/// Smallest |z| with its own bin; smaller residuals share the first bin.
const Z_MIN: f64 = 0.5;
/// Bins per doubling of |z|, as a power of two: the top mantissa bits of |z| pick the bin.
const BITS_PER_OCTAVE: u32 = 2;
/// Number of bins (|z| from 0.5 to 0.5·2^12 ≈ 2,000, four bins a doubling).
const BINS: usize = 1 + 12 * (1 << BITS_PER_OCTAVE);

/// The bin of |z| and the position within it, in [0, 1). Bins are geometric within each
/// doubling, read from the float's exponent and mantissa without a logarithm.
fn locate(z: f64) -> (usize, f64) {
    let a = z.abs() / Z_MIN;
    if a.is_nan() || a < 1.0 {
        return (0, if a.is_nan() { 0.0 } else { a });
    }
    let bits = a.to_bits();
    let octave = ((bits >> 52) & 0x7ff) as usize - 1023;
    let rest = 52 - BITS_PER_OCTAVE;
    let top = ((bits >> rest) & ((1 << BITS_PER_OCTAVE) - 1)) as usize;
    let b = 1 + (octave << BITS_PER_OCTAVE) + top;
    if b >= BINS {
        return (BINS - 1, 1.0);
    }
    (b, (bits & ((1u64 << rest) - 1)) as f64 / (1u64 << rest) as f64)
}

/// Lower edge of bin `b` in |z|.
fn edge(b: usize) -> f64 {
    if b == 0 {
        return 0.0;
    }
    let (octave, top) = ((b - 1) >> BITS_PER_OCTAVE, (b - 1) & ((1 << BITS_PER_OCTAVE) - 1));
    Z_MIN * (1u64 << octave) as f64 * (1.0 + top as f64 / (1 << BITS_PER_OCTAVE) as f64)
}

/// Gaussian two-sided tail probability at every bin edge (one more edge than bins).
fn prior_edges() -> &'static [f64; BINS + 1] {
    static EDGES: OnceLock<[f64; BINS + 1]> = OnceLock::new();
    EDGES.get_or_init(|| std::array::from_fn(|b| 1.0 - two_sided_confidence(edge(b))))
}

/// The histogram of |z| seen so far. It travels in detector states, which callers send back:
/// decoding checks it (as `Histogram`), so a forged one is an error, not an out-of-range index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Histogram")]
pub struct Calibrator {
    counts: Vec<u64>,
    total: u64,
}

/// Most points a calibrator (or [`crate::novelty::ValueHistogram`]) counts (2⁵³: counts stay
/// exact as `f64`, and neither they nor their small weighted sums overflow).
pub(crate) const MAX_TOTAL: u64 = 1 << 53;

/// A [`Calibrator`] as decoded, before its checks.
#[derive(Deserialize)]
struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl TryFrom<Histogram> for Calibrator {
    type Error = String;

    fn try_from(h: Histogram) -> Result<Self, String> {
        if h.counts.len() != BINS {
            return Err(format!("a calibrator has {BINS} bins, this one {}", h.counts.len()));
        }
        let sum = h.counts.iter().try_fold(0u64, |sum, &c| sum.checked_add(c));
        if sum != Some(h.total) || h.total > MAX_TOTAL {
            return Err("a calibrator's total must be the sum of its bins, at most 2^53".to_string());
        }
        Ok(Self { counts: h.counts, total: h.total })
    }
}

impl Default for Calibrator {
    fn default() -> Self {
        Self { counts: vec![0; BINS], total: 0 }
    }
}

impl Calibrator {
    /// Score of a residual of `z` σ against the history, in [0, 1].
    pub fn score(&self, z: f64) -> f64 {
        self.score_placed(Placed::new(z))
    }

    /// Score of a placed residual against the history, in [0, 1]; at most [`Placed::bound`].
    pub fn score_placed(&self, residual: Placed) -> f64 {
        // Most residuals are small: counting the bins below is the short way to the tail.
        let seen = self.total - self.counts[..residual.bin].iter().sum::<u64>();
        // Counts stay below 2⁵³ (`MAX_TOTAL`): as signed integers they convert exactly, in one instruction.
        let tail =
            (seen as i64 as f64 + PRIOR_POINTS * residual.prior_tail) / (self.total as i64 as f64 + PRIOR_POINTS);
        // Within a bin, the prior (interpolated between the bin's edges) orders larger residuals higher.
        (1.0 - tail.max(residual.prior_tail)).clamp(0.0, 1.0)
    }

    /// Adds a placed residual to the history.
    pub fn learn(&mut self, residual: Placed) {
        if self.total < MAX_TOTAL {
            self.counts[residual.bin] += 1;
            self.total += 1;
        }
    }
}

/// A residual placed in the calibrator's bins, with the prior's tail probability at it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    bin: usize,
    prior_tail: f64,
}

impl Placed {
    /// Places a residual of `z` σ.
    #[inline]
    pub fn new(z: f64) -> Self {
        let (bin, within) = locate(z);
        let edges = prior_edges();
        Self { bin, prior_tail: edges[bin] + (edges[bin + 1] - edges[bin]) * within }
    }

    /// The largest score the residual can have on any history: its prior's score, since a
    /// history only adds to the prior's tail. A host scoring several channels for their largest
    /// score can skip every channel whose bound is below the best exact score so far.
    pub fn bound(self) -> f64 {
        (1.0 - self.prior_tail).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_histogram_does_not_decode() {
        let good = serde_json::to_string(&Calibrator::default()).unwrap();
        assert_eq!(serde_json::from_str::<Calibrator>(&good).unwrap(), Calibrator::default());
        let mut short = vec![0u64; BINS - 2];
        short[0] = 3;
        for (counts, total) in [(short, 3), (vec![0; BINS], 1), (vec![u64::MAX; BINS], u64::MAX)] {
            let forged = serde_json::json!({"counts": counts, "total": total}).to_string();
            assert!(serde_json::from_str::<Calibrator>(&forged).is_err(), "{forged:.80}");
        }
    }

    #[test]
    fn empty_history_scores_like_a_normal_distribution() {
        let c = Calibrator::default();
        assert!((c.score(2.0) - two_sided_confidence(2.0)).abs() < 1e-12, "2σ is a bin edge");
        assert!((c.score(3.0) - two_sided_confidence(3.0)).abs() < 1e-3);
    }

    #[test]
    fn frequent_large_residuals_lose_their_surprise() {
        let mut heavy = Calibrator::default();
        let quiet = Calibrator::default();
        for i in 0..10_000 {
            heavy.learn(Placed::new(if i % 20 == 0 { 6.0 } else { 0.3 }));
        }
        assert!(heavy.score(6.0) < 0.96, "{}", heavy.score(6.0));
        assert!(quiet.score(6.0) > 0.999_999);
        assert!(heavy.score(50.0) > 0.999, "{}", heavy.score(50.0));
    }

    #[test]
    fn bins_are_geometric_and_cover_every_residual() {
        assert_eq!(locate(0.25), (0, 0.5));
        assert_eq!(locate(0.5), (1, 0.0));
        assert_eq!(locate(0.75), (3, 0.0));
        assert_eq!(locate(-1.0), (5, 0.0));
        assert_eq!(edge(5), 1.0);
        assert_eq!(locate(1e300).0, BINS - 1);
        assert_eq!(locate(f64::NAN).0, 0);
        for b in 1..BINS {
            assert_eq!(locate(edge(b)), (b, 0.0), "bin {b}");
        }
    }

    #[test]
    fn no_history_scores_above_the_bound() {
        let mut c = Calibrator::default();
        for i in 0..3000 {
            c.learn(Placed::new(if i % 50 == 0 { 40.0 } else { (i % 9) as f64 * 0.4 }));
            for z in [0.0, 0.3, 1.0, 2.9, 6.0, 40.0, 1e9] {
                assert!(c.score(z) <= Placed::new(z).bound(), "z={z} after {i}");
            }
        }
    }

    #[test]
    fn scores_grow_with_the_residual() {
        let mut c = Calibrator::default();
        for i in 0..1000 {
            c.learn(Placed::new((i % 7) as f64 * 0.5));
        }
        let scores: Vec<f64> = [0.1, 1.0, 2.0, 3.0, 5.0, 10.0, 100.0].iter().map(|z| c.score(*z)).collect();
        assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    }
}
