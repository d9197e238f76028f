//! Synthetic series shared by the integration tests.

#![allow(dead_code)]

use std::f64::consts::TAU;

/// Five minutes, in seconds.
pub const STEP_S: i64 = 300;
/// One day, in seconds.
pub const DAY_S: i64 = 86_400;
/// Monday 2024-01-01 00:00 UTC, in seconds.
pub const MONDAY: i64 = 1_704_067_200;

/// Deterministic noise in [-0.5, 0.5).
pub fn noise(i: usize) -> f64 {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

/// Seconds since Monday 00:00 of the week of `t`.
pub fn week_second(t: i64) -> i64 {
    (t - MONDAY).rem_euclid(7 * DAY_S)
}

/// A web service's load: a daily shape, quieter weekends, a batch spike every Monday 09:00
/// (for 30 minutes) and noise.
pub fn normal_load(t: i64, i: usize) -> f64 {
    let day_phase = (t.rem_euclid(DAY_S)) as f64 / DAY_S as f64;
    let weekday = week_second(t) / DAY_S;
    let weekend = if weekday >= 5 { -20.0 } else { 0.0 };
    let ws = week_second(t);
    let monday_batch = if (9 * 3600..9 * 3600 + 1800).contains(&ws) { 60.0 } else { 0.0 };
    100.0 - 30.0 * libm::cos(day_phase * TAU) + weekend + monday_batch + 4.0 * noise(i)
}

/// Timestamps (seconds) of `days` days from Monday at five-minute steps.
pub fn timestamps(days: i64) -> Vec<i64> {
    (0..days * DAY_S / STEP_S).map(|i| MONDAY + i * STEP_S).collect()
}

/// Seconds to the f64 timestamps of the contract.
pub fn as_f64(ts: &[i64]) -> Vec<f64> {
    ts.iter().map(|t| *t as f64).collect()
}
