//! Replica recommendations from a load forecast: scale up before the load arrives, scale
//! down only when it stays low, and never flap on noise.
//!
//! For every step `k` of the horizon (step 0 is now, with the load just observed):
//!
//! 1. demand is the forecast's upper bound at the headroom level (the point forecast when
//!    none is given), and the replicas it needs are `ceil(demand / target_per_replica)`;
//! 2. scale-up lead: the count at step `k` must already cover every step up to `k + lead`
//!    (pods take the lead time to start), and the load observed now: a count below it is
//!    under-provisioned already (HPA's tolerance holds scale-ups back too, and is
//!    under-provisioned for it; here the tolerance only guards scale-downs);
//! 3. scale-down: only to what the highest load of the stabilisation window before `k`
//!    (observed loads included) needs with the demand `tolerance` below the smaller count, and
//!    never below what the demand of the stabilisation window ahead needs (a replica removed
//!    now and needed again soon is a flap); only once the cooldown since the last change has
//!    passed (scale-ups never wait);
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
    /// Replicas to run (to have ordered) now.
    pub replicas_now: u32,
    /// Replicas to have ordered at each demand timestamp.
    pub replicas: Vec<u32>,
    /// The demand planned for at each demand timestamp.
    pub demand: Vec<f64>,
    /// Changes of the replica count in the plan, the one now included.
    pub changes: usize,
}

/// The load to plan for: recently, now, and at later timestamps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand<'a> {
    /// Timestamps of loads observed before now, ms, increasing (only those within the
    /// stabilisation window matter).
    pub recent_timestamps_ms: &'a [i64],
    /// Loads observed at those timestamps.
    pub recent_load: &'a [f64],
    /// Now, ms.
    pub now_ms: i64,
    /// The load observed now.
    pub now_load: f64,
    /// Timestamps of the later demand, ms, increasing and after `now_ms`.
    pub timestamps_ms: &'a [i64],
    /// Load to plan for at each of those timestamps.
    pub load: &'a [f64],
}

/// Plans replicas for `demand`, starting from `current` replicas that last changed
/// `since_change_ms` ago (`None`: long ago).
///
/// The count at each time covers the load at that time and at every later demand point within
/// the lead time, so a host that re-plans often orders replicas exactly one lead time before
/// they are needed. It falls only to what the highest load of the stabilisation window before
/// that time needs (observed loads included), with the tolerance, and never below what the
/// demand of the stabilisation window after it needs.
///
/// ```
/// use corridor_core::scale::{plan, Demand, ScaleOptions};
/// let options = ScaleOptions { target_per_replica: 10.0, ..Default::default() };
/// let times = [60_000, 120_000, 180_000, 240_000];
/// let load = [38.0, 52.0, 61.0, 80.0];
/// let demand =
///     Demand { recent_timestamps_ms: &[], recent_load: &[], now_ms: 0, now_load: 35.0, timestamps_ms: &times, load: &load };
/// let p = plan(&demand, 4, None, &options).unwrap();
/// assert_eq!(p.replicas_now, 7); // 61 arrives within the 3-minute lead time, 80 after it
/// ```
pub fn plan(demand: &Demand, current: u32, since_change_ms: Option<i64>, options: &ScaleOptions) -> Result<Plan> {
    options.validate()?;
    if demand.timestamps_ms.len() != demand.load.len() || demand.recent_timestamps_ms.len() != demand.recent_load.len()
    {
        return Err(Error::in_field(ErrorCode::LengthMismatch, "demand", "one demand timestamp per load value"));
    }
    let past = demand.recent_load.len();
    let times: Vec<i64> = demand
        .recent_timestamps_ms
        .iter()
        .copied()
        .chain(std::iter::once(demand.now_ms))
        .chain(demand.timestamps_ms.iter().copied())
        .collect();
    if times.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Error::in_field(
            ErrorCode::InvalidTimestamp,
            "demand",
            "demand timestamps must increase through now",
        ));
    }
    let loads: Vec<f64> = demand
        .recent_load
        .iter()
        .copied()
        .chain(std::iter::once(demand.now_load))
        .chain(demand.load.iter().copied())
        .collect();
    if let Some(i) = loads.iter().position(|d| !d.is_finite()) {
        return Err(Error::in_field(ErrorCode::InvalidOption, "demand", format!("demand at step {i} is not finite")));
    }
    let ms = |seconds: f64| (seconds * 1000.0).round() as i64;
    let (lead, window, cooldown) = (ms(options.lead_time_s), ms(options.stabilization_s), ms(options.cooldown_s));
    let clamp = |r: f64| r.clamp(f64::from(options.min_replicas), f64::from(options.max_replicas)) as u32;
    let up: Vec<u32> = loads.iter().map(|d| clamp((d.max(0.0) / options.target_per_replica).ceil())).collect();
    let down: Vec<u32> = loads
        .iter()
        .map(|d| clamp((d.max(0.0) / (options.target_per_replica * (1.0 - options.tolerance))).ceil()))
        .collect();
    let ahead = |k: usize, span: i64| {
        (k..up.len()).take_while(|&j| times[j] <= times[k].saturating_add(span)).map(|j| up[j]).max().unwrap_or(0)
    };
    let behind = |k: usize| {
        (0..=k).rev().take_while(|&j| times[j] >= times[k].saturating_sub(window)).map(|j| down[j]).max().unwrap_or(0)
    };
    let mut replicas = current.clamp(options.min_replicas, options.max_replicas);
    let mut last_change = since_change_ms.map(|s| demand.now_ms.saturating_sub(s.max(0)));
    let mut out = Vec::with_capacity(loads.len());
    let mut changes = 0;
    for (k, &time) in times.iter().enumerate().skip(past) {
        let need_up = ahead(k, lead);
        let need_down = behind(k).max(ahead(k, lead.max(window)));
        let cooled = !matches!(last_change, Some(t) if time.saturating_sub(t) < cooldown);
        let next = if need_up > replicas {
            need_up.min(replicas.saturating_add(options.max_step))
        } else if need_down < replicas && cooled {
            need_down.max(replicas.saturating_sub(options.max_step))
        } else {
            replicas
        };
        if next != replicas {
            changes += 1;
            last_change = Some(time);
        }
        replicas = next;
        out.push(replicas);
    }
    Ok(Plan { replicas_now: out[0], replicas: out[1..].to_vec(), demand: demand.load.to_vec(), changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ScaleOptions {
        ScaleOptions { target_per_replica: 10.0, ..Default::default() }
    }

    /// Plans one-minute steps of `load` after a load of `now`.
    fn minutes(now: f64, load: &[f64], current: u32, o: &ScaleOptions) -> Result<Plan> {
        let times: Vec<i64> = (1..=load.len() as i64).map(|k| k * 60_000).collect();
        let demand = Demand {
            recent_timestamps_ms: &[],
            recent_load: &[],
            now_ms: 0,
            now_load: now,
            timestamps_ms: &times,
            load,
        };
        plan(&demand, current, None, o)
    }

    #[test]
    fn scales_up_ahead_and_down_late() {
        let demand = [10.0, 10.0, 50.0, 50.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0];
        let p = minutes(10.0, &demand, 1, &options()).unwrap();
        assert_eq!(p.replicas_now, 5);
        assert!(p.replicas[..4].iter().all(|&r| r == 5), "{:?}", p.replicas);
        assert_eq!(p.replicas[11], 2, "{:?}", p.replicas);
    }

    #[test]
    fn limits_are_respected() {
        let o = ScaleOptions { min_replicas: 2, max_replicas: 6, max_step: 2, ..options() };
        let p = minutes(0.0, &[0.0, 500.0, 500.0, 500.0, 0.0], 2, &o).unwrap();
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
            assert_eq!(minutes(1.0, &[1.0], 1, &o).unwrap_err().code, ErrorCode::InvalidOption);
        }
        assert!(minutes(1.0, &[f64::NAN], 1, &options()).is_err());
        let d = Demand {
            recent_timestamps_ms: &[],
            recent_load: &[],
            now_ms: 0,
            now_load: 1.0,
            timestamps_ms: &[0],
            load: &[1.0],
        };
        assert_eq!(plan(&d, 1, None, &options()).unwrap_err().code, ErrorCode::InvalidTimestamp);
    }
}
