//! Replica recommendations from a load forecast: scale up before the load arrives, scale
//! down only when it stays low, and never flap on noise.
//!
//! For every step `k` of the horizon (step 0 is now, with the load just observed):
//!
//! 1. demand is the forecast's upper bound at the headroom level (the point forecast when
//!    none is given), and the replicas it needs are `ceil(demand / target_per_replica)`;
//! 2. scale-up lead: the count at step `k` must already cover every step up to `k + lead`
//!    (pods take the lead time to start);
//! 3. scale-down: only to what covers every step of the stabilisation window ahead, with the
//!    demand `tolerance` below the smaller count, and only once the cooldown since the last
//!    change has passed (scale-ups never wait);
//! 4. one change moves at most `max_step` replicas, and counts stay in
//!    `[min_replicas, max_replicas]`.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// The scaling policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScaleOptions {
    /// Load one replica serves; required, positive.
    pub target_per_replica: f64,
    /// Fewest replicas, at least 0.
    pub min_replicas: u32,
    /// Most replicas, at least `min_replicas` and at least 1.
    pub max_replicas: u32,
    /// Plan for the upper bound of this interval level (percent); `null` plans on the point
    /// forecast.
    pub headroom_level: Option<f64>,
    /// Time a new replica needs to serve, seconds (≥ 0).
    pub lead_time_s: f64,
    /// Demand must stay low this long ahead before scaling down, seconds (≥ 0).
    pub stabilization_s: f64,
    /// No scale-down within this long of the last change, seconds (≥ 0).
    pub cooldown_s: f64,
    /// Most replicas added or removed in one change (≥ 1).
    pub max_step: u32,
    /// Scale down only when demand is this fraction below what the smaller count serves, in [0, 1).
    pub tolerance: f64,
}

impl Default for ScaleOptions {
    fn default() -> Self {
        Self {
            target_per_replica: 0.0,
            min_replicas: 1,
            max_replicas: 100,
            headroom_level: Some(80.0),
            lead_time_s: 180.0,
            stabilization_s: 300.0,
            cooldown_s: 300.0,
            max_step: 10,
            tolerance: 0.1,
        }
    }
}

impl ScaleOptions {
    /// Checks the ranges documented on each field.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &str, message: &str| Err(Error::in_field(ErrorCode::InvalidOption, field, message));
        if !(self.target_per_replica.is_finite() && self.target_per_replica > 0.0) {
            return bad("target_per_replica", "target_per_replica must be a positive number");
        }
        if self.max_replicas == 0 || self.max_replicas < self.min_replicas {
            return bad("max_replicas", "max_replicas must be at least 1 and at least min_replicas");
        }
        if self.headroom_level.is_some_and(|l| !(l > 0.0 && l < 100.0)) {
            return bad("headroom_level", "headroom_level is a percentage strictly between 0 and 100");
        }
        for (field, v) in [
            ("lead_time_s", self.lead_time_s),
            ("stabilization_s", self.stabilization_s),
            ("cooldown_s", self.cooldown_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(field, "must be a non-negative number of seconds");
            }
        }
        if self.max_step == 0 {
            return bad("max_step", "max_step must be at least 1");
        }
        if !(0.0..1.0).contains(&self.tolerance) {
            return bad("tolerance", "tolerance must be in [0, 1)");
        }
        Ok(())
    }
}

/// A replica plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Replicas to run now.
    pub replicas_now: u32,
    /// Replicas for each forecast step, aligned with the forecast's timestamps.
    pub replicas: Vec<u32>,
    /// The demand planned for at each forecast step.
    pub demand: Vec<f64>,
    /// Changes of the replica count in the plan, the one now included.
    pub changes: usize,
}

/// Plans replicas from the load now and the demand of the next steps.
///
/// `now_load` is the last observed load, `demand` the load to plan for at each later step
/// (`step_ms` apart), `current` the replicas running now and `since_change_ms` the time since
/// they last changed (`None`: long ago).
///
/// ```
/// use corridor_core::scale::{plan, ScaleOptions};
/// let options = ScaleOptions { target_per_replica: 10.0, ..Default::default() };
/// let p = plan(35.0, &[38.0, 52.0, 61.0], 60_000, 4, None, &options).unwrap();
/// assert_eq!(p.replicas_now, 7); // 61 arrives within the 3-minute lead time
/// ```
pub fn plan(
    now_load: f64,
    demand: &[f64],
    step_ms: i64,
    current: u32,
    since_change_ms: Option<i64>,
    options: &ScaleOptions,
) -> Result<Plan> {
    options.validate()?;
    if step_ms <= 0 {
        return Err(Error::in_field(ErrorCode::InvalidOption, "step_ms", "the step must be positive"));
    }
    if let Some(i) = std::iter::once(&now_load).chain(demand).position(|d| !d.is_finite()) {
        return Err(Error::in_field(ErrorCode::InvalidOption, "demand", format!("demand at step {i} is not finite")));
    }
    let loads: Vec<f64> = std::iter::once(now_load).chain(demand.iter().copied()).map(|d| d.max(0.0)).collect();
    let steps = |seconds: f64| (seconds * 1000.0 / step_ms as f64).ceil() as usize;
    let (lead, window, cooldown) =
        (steps(options.lead_time_s), steps(options.stabilization_s), steps(options.cooldown_s));
    let clamp = |r: f64| r.clamp(f64::from(options.min_replicas), f64::from(options.max_replicas)) as u32;
    let up: Vec<u32> = loads.iter().map(|d| clamp((d / options.target_per_replica).ceil())).collect();
    let down: Vec<u32> =
        loads.iter().map(|d| clamp((d / (options.target_per_replica * (1.0 - options.tolerance))).ceil())).collect();
    let window_max = |v: &[u32], k: usize, w: usize| v[k..=(k + w).min(v.len() - 1)].iter().copied().max().unwrap_or(0);
    let mut replicas = current.clamp(options.min_replicas, options.max_replicas);
    let mut idle = since_change_ms.map_or(usize::MAX, |ms| (ms.max(0) / step_ms) as usize);
    let mut out = Vec::with_capacity(loads.len());
    let mut changes = 0;
    for k in 0..loads.len() {
        let need_up = window_max(&up, k, lead);
        let need_down = window_max(&down, k, lead.max(window)).max(need_up);
        let next = if need_up > replicas {
            need_up.min(replicas.saturating_add(options.max_step))
        } else if need_down < replicas && idle >= cooldown {
            need_down.max(replicas.saturating_sub(options.max_step))
        } else {
            replicas
        };
        if next != replicas {
            changes += 1;
            idle = 0;
        }
        idle = idle.saturating_add(1);
        replicas = next;
        out.push(replicas);
    }
    Ok(Plan { replicas_now: out[0], replicas: out[1..].to_vec(), demand: demand.to_vec(), changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ScaleOptions {
        ScaleOptions { target_per_replica: 10.0, ..Default::default() }
    }

    #[test]
    fn scales_up_ahead_and_down_late() {
        let demand = [10.0, 10.0, 50.0, 50.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0];
        let p = plan(10.0, &demand, 60_000, 1, None, &options()).unwrap();
        assert_eq!(p.replicas_now, 5);
        assert!(p.replicas[..4].iter().all(|&r| r == 5), "{:?}", p.replicas);
        assert_eq!(p.replicas[11], 2, "{:?}", p.replicas);
    }

    #[test]
    fn limits_are_respected() {
        let o = ScaleOptions { min_replicas: 2, max_replicas: 6, max_step: 2, ..options() };
        let p = plan(0.0, &[0.0, 500.0, 500.0, 500.0, 0.0], 60_000, 2, None, &o).unwrap();
        assert_eq!(p.replicas_now, 4);
        assert!(p.replicas.iter().all(|r| (2..=6).contains(r)), "{:?}", p.replicas);
        let mut previous = p.replicas_now;
        for r in &p.replicas {
            assert!(r.abs_diff(previous) <= 2);
            previous = *r;
        }
    }

    #[test]
    fn bad_options_are_refused() {
        for o in [
            ScaleOptions::default(),
            ScaleOptions { max_replicas: 0, ..options() },
            ScaleOptions { min_replicas: 5, max_replicas: 4, ..options() },
            ScaleOptions { headroom_level: Some(100.0), ..options() },
            ScaleOptions { cooldown_s: -1.0, ..options() },
            ScaleOptions { max_step: 0, ..options() },
            ScaleOptions { tolerance: 1.0, ..options() },
        ] {
            assert_eq!(plan(1.0, &[1.0], 60_000, 1, None, &o).unwrap_err().code, ErrorCode::InvalidOption);
        }
        assert!(plan(1.0, &[f64::NAN], 60_000, 1, None, &options()).is_err());
    }
}
