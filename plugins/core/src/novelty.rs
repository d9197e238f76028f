//! Value novelty: how rarely the series has been near the value it has now.
//!
//! A residual measures a point against the corridor; novelty measures it against every value
//! the series has taken. A sensor that reads lower than it ever has, or a CPU that idles at a
//! level between its floor and its daily batch peak, can sit close to a corridor that follows
//! it and still be somewhere the series has never been.
//!
//! A histogram counts the values seen on a grid [`BIN_SIGMAS`] noise σ wide (σ as the model saw
//! it at the first value). The rarity of a value is the share of the history near it, each
//! value weighted by a triangle [`KERNEL_BINS`] bins wide on each side of the value's bin (±1σ
//! on the first grid), plus one pseudo-point, so that an empty neighbourhood is rare but not
//! impossible. With fine bins and the triangle, rarity changes in small steps with the value,
//! not by where a coarse grid's edges fall. The grid doubles its width whenever the values
//! would span more than [`MAX_BINS`] bins, so the state stays bounded on a series that grows
//! without end.

use crate::calibrate::MAX_TOTAL;
use serde::{Deserialize, Serialize};

/// Width of a histogram bin in noise σ (the model's, at the first value learned).
pub const BIN_SIGMAS: f64 = 0.2;
/// Half-width of the triangle that weighs the neighbours of a value, in bins: a value `d` bins
/// from its bin weighs `1 − d / KERNEL_BINS`. Measured on NAB with [`BIN_SIGMAS`], half-widths
/// of 0.7σ to 1.2σ score within 0.4 of each other; 0.5σ loses 3.9 and 1.5σ loses 1.7.
pub const KERNEL_BINS: i64 = 5;
/// Most bins the histogram keeps; beyond it, the bins merge in pairs.
pub const MAX_BINS: usize = 1024;
/// Narrowest bin relative to the first value's magnitude, so a series whose noise is nil at
/// first still gets a grid its values fit on.
const MIN_RELATIVE_WIDTH: f64 = 1e-9;

/// The values seen, counted on a grid. It travels in detector states, which callers send back:
/// decoding checks it (as `Grid`), so a forged one is an error, not an out-of-range index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Grid")]
pub struct ValueHistogram {
    /// Bin width; 0 before the first value.
    width: f64,
    /// Grid index of `counts[0]`.
    origin: i64,
    counts: Vec<u64>,
    total: u64,
}

/// A [`ValueHistogram`] as decoded, before its checks.
#[derive(Deserialize)]
struct Grid {
    width: f64,
    origin: i64,
    counts: Vec<u64>,
    total: u64,
}

/// Largest grid index magnitude: the span and the neighbours of any index stay within `i64`.
const MAX_INDEX: f64 = (1u64 << 62) as f64;

impl TryFrom<Grid> for ValueHistogram {
    type Error = String;

    fn try_from(g: Grid) -> Result<Self, String> {
        let sum = g.counts.iter().try_fold(0u64, |sum, &c| sum.checked_add(c));
        let within = (g.origin as f64).abs() < MAX_INDEX;
        let counted = sum == Some(g.total) && g.total <= MAX_TOTAL;
        if !(g.width.is_finite() && g.width >= 0.0 && g.counts.len() <= MAX_BINS && counted && within) {
            return Err(format!(
                "a value histogram has a finite width, at most {MAX_BINS} bins within the grid, \
                 and their sum as its total, at most 2^53"
            ));
        }
        Ok(Self { width: g.width, origin: g.origin, counts: g.counts, total: g.total })
    }
}

impl ValueHistogram {
    /// The rarity of `x` among the values before it ([`ValueHistogram::rarity`]); then counts it.
    /// The first value sets the bin width from the noise `sigma`. A non-finite value is not
    /// counted, nor a first value with neither a positive σ nor a magnitude.
    pub fn observe(&mut self, x: f64, sigma: f64) -> f64 {
        let offset = self.offset(x);
        let rarity = self.rarity_at(offset);
        self.count(x, sigma, offset);
        rarity
    }

    /// The weighted share of the values seen that lie near `x`, counting `x` itself as a
    /// pseudo-point: in (0, 1], and 1 before any value.
    pub fn rarity(&self, x: f64) -> f64 {
        self.rarity_at(self.offset(x))
    }

    /// The rarity of a value at `offset` ([`ValueHistogram::offset`]).
    fn rarity_at(&self, offset: Option<i64>) -> f64 {
        let near = offset.map_or(0, |k| {
            // A fixed number of neighbours, each checked: no loop whose length depends on the value.
            (1 - KERNEL_BINS..KERNEL_BINS)
                .map(|d| {
                    let count = usize::try_from(k + d).ok().and_then(|j| self.counts.get(j)).copied().unwrap_or(0);
                    (KERNEL_BINS - d.abs()) as u64 * count
                })
                .sum::<u64>()
        });
        let kernel = KERNEL_BINS as f64;
        (near as f64 + kernel) / (kernel * (self.total as f64 + 1.0))
    }

    /// Counts `x`, whose offset on the current grid is `offset`.
    fn count(&mut self, x: f64, sigma: f64, offset: Option<i64>) {
        if !x.is_finite() || self.total >= MAX_TOTAL {
            return;
        }
        // Most values land in a bin the histogram already has.
        if let Some(count) = offset.and_then(|k| usize::try_from(k).ok()).and_then(|k| self.counts.get_mut(k)) {
            *count += 1;
            self.total += 1;
            return;
        }
        if self.width == 0.0 {
            let width = (BIN_SIGMAS * sigma).max(x.abs() * MIN_RELATIVE_WIDTH);
            if !(width.is_finite() && width > 0.0) {
                return;
            }
            self.width = width;
        }
        let i = loop {
            match self.index(x) {
                Some(i) if self.counts.is_empty() || self.fits(i) => break i,
                _ => self.coarsen(),
            }
        };
        if self.counts.is_empty() {
            self.origin = i;
        }
        if i < self.origin {
            let grow = (self.origin - i) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.origin = i;
        }
        let k = (i - self.origin) as usize;
        if k >= self.counts.len() {
            self.counts.resize(k + 1, 0);
        }
        self.counts[k] += 1;
        self.total += 1;
    }

    /// The bin of `x` counted from `counts[0]`, if it is within [`KERNEL_BINS`] of a bin the
    /// histogram has (the only bins whose neighbours the histogram holds).
    fn offset(&self, x: f64) -> Option<i64> {
        let offset = x / self.width - self.origin as f64;
        let reach = KERNEL_BINS as f64;
        // Truncation is ⌊offset⌋ once shifted to be positive, without a call to `floor`.
        (offset >= -reach && offset < self.counts.len() as f64 + reach).then(|| (offset + reach) as i64 - KERNEL_BINS)
    }

    /// The grid index of finite `x`, if within [`MAX_INDEX`] bins of zero.
    fn index(&self, x: f64) -> Option<i64> {
        let i = (x / self.width).floor();
        (i.abs() < MAX_INDEX).then_some(i as i64)
    }

    /// Whether the bins from the lowest to the highest, `i` included, number at most [`MAX_BINS`].
    fn fits(&self, i: i64) -> bool {
        let low = i.min(self.origin);
        let high = i.max(self.origin + self.counts.len() as i64 - 1);
        high - low < MAX_BINS as i64
    }

    /// Doubles the bin width, merging the bins in pairs.
    fn coarsen(&mut self) {
        let origin = self.origin.div_euclid(2);
        let mut merged = vec![0u64; self.counts.len() / 2 + 1];
        for (k, &c) in self.counts.iter().enumerate() {
            merged[((self.origin + k as i64).div_euclid(2) - origin) as usize] += c;
        }
        while merged.last() == Some(&0) {
            merged.pop();
        }
        self.width *= 2.0;
        self.origin = origin;
        self.counts = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unvisited_value_is_rare_and_a_common_one_is_not() {
        let mut h = ValueHistogram::default();
        assert_eq!(h.rarity(5.0), 1.0, "no history: nothing is rare");
        for i in 0..999 {
            h.observe(10.0 + (i % 5) as f64 * 0.1, 1.0);
        }
        assert!(h.rarity(10.2) > 0.8, "{}", h.rarity(10.2));
        assert_eq!(h.rarity(3.0), 1.0 / 1000.0, "never near: one pseudo-point in a thousand");
        assert_eq!(h.rarity(f64::NAN), 1.0 / 1000.0);
    }

    #[test]
    fn neighbours_weigh_less_the_farther_they_are() {
        let mut h = ValueHistogram::default();
        for _ in 0..9 {
            h.observe(0.5, 5.0);
        }
        // Bins one wide (0.2 of σ = 5), all nine values in bin 0.
        assert_eq!(h.rarity(0.9), 1.0);
        assert_eq!(h.rarity(2.5), 32.0 / 50.0, "2 bins off: 9 × 3/5 near, plus one, in 10");
        assert_eq!(h.rarity(-3.5), 14.0 / 50.0, "4 bins off: 9 × 1/5 near, plus one, in 10");
        assert_eq!(h.rarity(5.5), 0.1, "5 bins off: no weight");
        assert_eq!(h.rarity(-4.5), 0.1);
        let steps: Vec<f64> = (0..6).map(|b| h.rarity(b as f64 + 0.5)).collect();
        assert!(steps.windows(2).all(|w| w[0] > w[1]), "rarity falls bin by bin: {steps:?}");
    }

    #[test]
    fn a_series_growing_without_end_keeps_the_histogram_bounded() {
        let mut h = ValueHistogram::default();
        for i in 0..100_000 {
            h.observe(i as f64, 5.0);
            assert!(h.counts.len() <= MAX_BINS);
        }
        assert_eq!(h.total, 100_000);
        assert_eq!(h.counts.iter().sum::<u64>(), 100_000);
        assert_eq!(h.width, 128.0, "100,000 values span 100,000 one-wide bins: 2⁷ times too many");
        h.observe(-1e300, 5.0);
        h.observe(1e300, 5.0);
        assert!(h.counts.len() <= MAX_BINS && h.total == 100_002);
    }

    #[test]
    fn a_series_without_noise_at_first_gets_a_grid_from_its_magnitude() {
        let mut h = ValueHistogram::default();
        h.observe(0.0, 0.0);
        h.observe(f64::INFINITY, 1.0);
        assert_eq!(h, ValueHistogram::default(), "no width from zero σ at zero, no infinite value");
        h.observe(4e6, 0.0);
        assert_eq!((h.width, h.total), (4e-3, 1));
        h.observe(4e6 + 1.0, 0.0);
        assert_eq!(h.total, 2);
        assert!(h.rarity(5e6) < 0.34);
    }

    #[test]
    fn a_forged_histogram_does_not_decode() {
        let mut h = ValueHistogram::default();
        h.observe(3.0, 1.0);
        let good = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<ValueHistogram>(&good).unwrap(), h);
        for forged in [
            r#"{"width":-1.0,"origin":0,"counts":[],"total":0}"#,
            r#"{"width":1.0,"origin":0,"counts":[1,2],"total":4}"#,
            r#"{"width":1.0,"origin":9223372036854775807,"counts":[1],"total":1}"#,
        ] {
            assert!(serde_json::from_str::<ValueHistogram>(forged).is_err(), "{forged}");
        }
        let long = serde_json::json!({"width": 1.0, "origin": 0, "counts": vec![0; MAX_BINS + 1], "total": 0});
        assert!(serde_json::from_value::<ValueHistogram>(long).is_err());
    }
}
