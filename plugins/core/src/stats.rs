//! Small numeric helpers shared by the algorithms.

/// Complementary error function, relative error below 1.2e-7 everywhere
/// (Chebyshev fit of Numerical Recipes, `erfcc`).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * libm::exp(poly);
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Learning rate of an exponential average with a time constant of `steps` points:
/// `1 − e^(−1/steps)`, evaluated at compile time for constant `steps` (`steps ≥ 1`).
pub const fn smoothing_rate(steps: f64) -> f64 {
    // −expm1(−x) = x − x²/2! + x³/3! − …, exact to rounding in 20 terms for x ≤ 1.
    let x = 1.0 / steps;
    let (mut term, mut sum, mut k) = (x, 0.0, 1.0);
    while k <= 20.0 {
        sum += term;
        k += 1.0;
        term *= -x / k;
    }
    sum
}

/// Probability that a standard normal variable is within `±z`: `erf(|z|/√2)`.
pub fn two_sided_confidence(z: f64) -> f64 {
    1.0 - erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The median of `values`, reordering them; `None` when empty.
pub fn median_in_place(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*m)
}

/// Least-squares line through `(x, y)` points: `(slope, intercept)`; `None` when the x do not vary.
pub fn linear_fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut cov, mut var) = (0.0, 0.0);
    for (x, y) in points {
        cov += (x - mx) * (y - my);
        var += (x - mx) * (x - mx);
    }
    (var > 0.0).then(|| {
        let slope = cov / var;
        (slope, my - slope * mx)
    })
}

/// `len` characters drawn from `alphabet` by a xorshift generator advancing `state`: fuzz-like
/// input for tests.
#[cfg(test)]
pub(crate) fn random_text(alphabet: &[char], len: usize, state: &mut u64) -> String {
    (0..len)
        .map(|_| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            alphabet[(*state % alphabet.len() as u64) as usize]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_matches_the_normal_table() {
        for (z, p) in [(1.0, 0.682_689_49), (2.0, 0.954_499_74), (3.0, 0.997_300_20), (0.0, 0.0)] {
            assert!((two_sided_confidence(z) - p).abs() < 1e-7, "z={z}");
        }
        assert!(two_sided_confidence(-3.0) == two_sided_confidence(3.0));
        assert!(two_sided_confidence(6.0) < two_sided_confidence(7.0));
    }

    #[test]
    fn smoothing_rate_is_one_minus_the_exponential_decay() {
        for steps in [1.0, 3.0, 12.0, 144.0, 4000.0] {
            // `1 − exp` cancels digits as `steps` grows: agree to 1e-12, relatively.
            let direct = 1.0 - libm::exp(-1.0 / steps);
            assert!((smoothing_rate(steps) - direct).abs() <= 1e-12 * direct, "steps={steps}");
        }
    }

    #[test]
    fn line_through_points() {
        assert_eq!(linear_fit(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]), Some((2.0, 1.0)));
        assert_eq!(linear_fit(&[(1.0, 1.0), (1.0, 3.0)]), None);
    }

    #[test]
    fn median_of_odd_and_empty() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_in_place(&mut []), None);
    }
}
