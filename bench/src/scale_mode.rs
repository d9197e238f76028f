//! The `scale` mode: replays load-like NAB series minute by minute through a reactive HPA
//! model and through Corridor's predictive policy, and reports under-provisioned time,
//! replica-minutes and scale events per day for each.
//!
//! Load is held constant over each point's interval. Both policies see the load of the
//! current interval as it starts; a new replica serves [`START_UP_MIN`] minutes after it is
//! ordered, a removed one stops at once, and cost counts every ordered replica.

use crate::forecast_mode::regularise;
use crate::nab::{self, NabFile};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_core::contract::{ForecastRequest, VERSION};
use corridor_core::forecast::ForecastOptions;
use corridor_core::scale::{plan, Demand, ScaleOptions};
use serde_json::json;
use std::path::Path;

/// Minutes a new replica needs before it serves.
pub(crate) const START_UP_MIN: usize = 3;
/// HPA's scale-down stabilisation window, minutes.
const HPA_STABILIZATION_MIN: usize = 5;
/// HPA's tolerance around the target ratio.
const HPA_TOLERANCE: f64 = 0.1;
/// Load one replica serves, as a fraction of the series' mean load.
const TARGET_SHARE_OF_MEAN: f64 = 0.25;
/// Days of history before the simulation starts (the forecaster's warm-up).
const WARM_UP_DAYS: i64 = 2;
/// The predictive policy refits its forecast every this many minutes.
const REFIT_MIN: i64 = 30;
/// Steps forecast at each refit beyond those until the next one.
const HORIZON: usize = 12;
/// Corridor plans on the upper bound of this interval level (the 55 % quantile).
pub(crate) const HEADROOM_LEVEL: Option<f64> = Some(10.0);
/// Corridor scales down only when the demand is this fraction below what the smaller count
/// serves (the stabilisation window is the main guard against flapping).
const TOLERANCE: f64 = 0.05;
/// Corridor's scale-down stabilisation window, seconds (as HPA's).
const STABILIZATION_S: f64 = 300.0;
/// Corridor's cooldown, seconds: none, the stabilisation window already holds scale-downs.
const COOLDOWN_S: f64 = 0.0;

/// Days of history each forecast is fitted on.
pub(crate) const HISTORY_DAYS: i64 = 28;

/// One policy's figures on one series.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Outcome {
    /// Share of minutes with less serving capacity than load.
    pub(crate) under_share: f64,
    /// Replicas ordered, summed over the minutes.
    pub(crate) replica_minutes: f64,
    /// Changes of the ordered replicas per simulated day.
    pub(crate) events_per_day: f64,
}

impl Outcome {
    /// The figures as JSON.
    pub(crate) fn to_json(self) -> serde_json::Value {
        json!({"under_share": self.under_share, "replica_minutes": self.replica_minutes, "events_per_day": self.events_per_day})
    }

    /// Adds this series' share of a mean over `series` series (replica-minutes: the total).
    pub(crate) fn add_to_mean(&self, mean: &mut Outcome, series: usize) {
        mean.under_share += self.under_share / series as f64;
        mean.replica_minutes += self.replica_minutes;
        mean.events_per_day += self.events_per_day / series as f64;
    }
}

/// Per-minute record of a policy: replicas ordered and replicas serving.
pub(crate) struct Run {
    ordered: Vec<u32>,
    serving: Vec<u32>,
}

impl Run {
    /// The figures of this run against the load it served.
    pub(crate) fn outcome(&self, load: &[f64], target: f64) -> Outcome {
        let minutes = load.len() as f64;
        let under = load.iter().zip(&self.serving).filter(|(l, s)| f64::from(**s) * target < **l).count();
        let events = self.ordered.windows(2).filter(|w| w[0] != w[1]).count();
        Outcome {
            under_share: under as f64 / minutes,
            replica_minutes: self.ordered.iter().map(|r| f64::from(*r)).sum(),
            events_per_day: events as f64 / (minutes / 1440.0),
        }
    }
}

/// Replicas as they are ordered and become ready.
struct Pods {
    ordered: u32,
    /// Minutes at which the replicas still starting become ready.
    starting: Vec<usize>,
}

impl Pods {
    fn set(&mut self, now: usize, replicas: u32) {
        if replicas > self.ordered {
            self.starting.extend((self.ordered..replicas).map(|_| now + START_UP_MIN));
        } else {
            let removed = (self.ordered - replicas) as usize;
            let keep = self.starting.len().saturating_sub(removed);
            self.starting.truncate(keep);
        }
        self.ordered = replicas;
    }

    fn serving(&mut self, now: usize) -> u32 {
        self.starting.retain(|&ready| ready > now);
        self.ordered - self.starting.len() as u32
    }
}

/// One load-like series prepared for replay.
pub(crate) struct Replay {
    /// `category/name.csv`.
    pub(crate) key: String,
    /// Seconds between points.
    pub(crate) step_s: i64,
    /// The series on a regular grid; point `j` is at `j * step_s` seconds of simulated time.
    pub(crate) values: Vec<f64>,
    /// First point replayed (the ones before are warm-up history).
    pub(crate) start: usize,
    /// Load of every simulated minute from `start` on, never negative.
    pub(crate) load: Vec<f64>,
    /// Load one replica serves.
    pub(crate) target: f64,
}

impl Replay {
    /// Minutes per point.
    pub(crate) fn step_min(&self) -> usize {
        (self.step_s / 60).max(1) as usize
    }

    /// Simulated days replayed.
    pub(crate) fn days(&self) -> f64 {
        self.load.len() as f64 / 1440.0
    }

    /// The reactive HPA on the load itself.
    pub(crate) fn reactive(&self) -> Outcome {
        hpa(&self.load, self.target).outcome(&self.load, self.target)
    }

    /// Corridor's predictive policy, computed in-process.
    pub(crate) fn predictive(&self) -> Result<Outcome, String> {
        let fits = forecasts(&self.values, self.start, self.step_s, HEADROOM_LEVEL)?;
        let options = ScaleOptions {
            target_per_replica: self.target,
            max_replicas: 100_000,
            headroom_level: HEADROOM_LEVEL,
            lead_time_s: (START_UP_MIN * 60) as f64,
            stabilization_s: STABILIZATION_S,
            cooldown_s: COOLDOWN_S,
            tolerance: TOLERANCE,
            ..Default::default()
        };
        Ok(predictive(&self.values, self.start, self.step_s, &fits, &options)?.outcome(&self.load, self.target))
    }
}

/// The load-like series of a NAB folder, prepared for replay (series without positive mean
/// load are left out).
pub(crate) fn replays(dir: &Path) -> Result<Vec<Replay>, String> {
    let mut prepared = Vec::new();
    for file in load_like(dir)? {
        let (step_s, values) =
            regularise(&file.timestamps, &file.values).ok_or(format!("{}: too few rows", file.key()))?;
        let step_min = (step_s / 60).max(1) as usize;
        let start = ((WARM_UP_DAYS * 86_400 / step_s) as usize).max(values.len() / 10);
        let load: Vec<f64> = values[start..].iter().flat_map(|v| (0..step_min).map(move |_| v.max(0.0))).collect();
        let target = TARGET_SHARE_OF_MEAN * values.iter().sum::<f64>() / values.len() as f64;
        if target.partial_cmp(&0.0) == Some(std::cmp::Ordering::Greater) {
            prepared.push(Replay { key: file.key(), step_s, values, start, load, target });
        }
    }
    Ok(prepared)
}

/// Runs the mode.
pub fn run(dir: &Path, json: Option<&Path>) -> Result<(), String> {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header([
        "series",
        "days",
        "HPA under-prov.",
        "Corridor under-prov.",
        "HPA replica-min",
        "Corridor replica-min (Δ)",
        "HPA events/day",
        "Corridor events/day",
    ]);
    let mut doc = json!({"series": {}});
    let (mut sum_hpa, mut sum_corridor) = (Outcome::default(), Outcome::default());
    let all = replays(dir)?;
    for replay in &all {
        let (hpa, corridor) = (replay.reactive(), replay.predictive()?);
        let days = replay.days();
        table.add_row(comparison_row(replay.key.clone(), format!("{days:.1}"), &hpa, &corridor));
        doc["series"][&replay.key] = json!({
            "days": days, "target_per_replica": replay.target, "hpa": hpa.to_json(), "corridor": corridor.to_json(),
        });
        hpa.add_to_mean(&mut sum_hpa, all.len());
        corridor.add_to_mean(&mut sum_corridor, all.len());
    }
    table.add_row(comparison_row("mean (replica-min: total)".into(), String::new(), &sum_hpa, &sum_corridor));
    println!("{table}");
    doc["mean"] = json!({
        "hpa": sum_hpa.to_json(),
        "corridor": sum_corridor.to_json(),
        "replica_minutes_change": sum_corridor.replica_minutes / sum_hpa.replica_minutes - 1.0,
    });
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The load-like files: `realKnownCause/nyc_taxi.csv`, every `realTweets` file and the AWS
/// request counts.
fn load_like(dir: &Path) -> Result<Vec<NabFile>, String> {
    let mut keys = vec!["realKnownCause/nyc_taxi.csv".to_string()];
    for category in ["realTweets", "realAWSCloudwatch"] {
        let entries = std::fs::read_dir(dir.join("data").join(category)).map_err(|e| format!("{category}: {e}"))?;
        let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
        names.sort();
        let wanted = |n: &String| n.ends_with(".csv") && (category == "realTweets" || n.contains("request_count"));
        keys.extend(names.into_iter().filter(wanted).map(|n| format!("{category}/{n}")));
    }
    keys.iter().map(|k| nab::load_file(dir, k).map_err(|e| e.to_string())).collect()
}

/// Kubernetes HPA on an `AverageValue` target: every minute, `ceil(metric / target)` (at least
/// one) outside a ±10 % tolerance; scale-down to the highest recommendation of the last five
/// minutes. The reactive HPA reads the load itself as its metric.
pub(crate) fn hpa(metric: &[f64], target: f64) -> Run {
    let first = (metric[0] / target).ceil().max(1.0) as u32;
    let mut pods = Pods { ordered: first, starting: Vec::new() };
    let mut recommendations: Vec<u32> = Vec::new();
    let mut run = Run { ordered: Vec::with_capacity(metric.len()), serving: Vec::with_capacity(metric.len()) };
    for (minute, m) in metric.iter().enumerate() {
        let ratio = m / (f64::from(pods.ordered) * target);
        let desired =
            if (ratio - 1.0).abs() <= HPA_TOLERANCE { pods.ordered } else { (m / target).ceil().max(1.0) as u32 };
        recommendations.push(desired);
        let window = &recommendations[recommendations.len().saturating_sub(HPA_STABILIZATION_MIN)..];
        let stabilised = window.iter().copied().max().unwrap_or(desired);
        let next = if desired > pods.ordered { desired } else { stabilised.min(pods.ordered) };
        pods.set(minute, next);
        run.serving.push(pods.serving(minute));
        run.ordered.push(pods.ordered);
    }
    run
}

/// One refit of the forecast: the bin it was made at, and the load to plan for in the bins after it.
struct Fit {
    bin: usize,
    demand: Vec<f64>,
}

/// Corridor's forecasts from every [`REFIT_MIN`] minutes on: the upper bound at `level`
/// percent, or the point forecast without a level.
fn forecasts(values: &[f64], start: usize, step_s: i64, level: Option<f64>) -> Result<Vec<Fit>, String> {
    let refit = (REFIT_MIN * 60 / step_s).max(1) as usize;
    let history = (HISTORY_DAYS * 86_400 / step_s) as usize;
    let mut fits = Vec::new();
    for bin in (start..values.len()).step_by(refit) {
        let from = bin.saturating_sub(history);
        let request = ForecastRequest {
            version: VERSION.into(),
            timestamps: (from..=bin).map(|j| (j as i64 * step_s) as f64).collect(),
            values: values[from..=bin].to_vec(),
            time_unit: Default::default(),
            options: ForecastOptions { horizon: HORIZON + refit, levels: level.into_iter().collect() },
        };
        let f = corridor_core::ops::forecast(request).map_err(|e| e.to_string())?.forecast;
        let demand = f.intervals.first().map_or(f.point, |i| i.upper.clone());
        fits.push(Fit { bin, demand });
    }
    Ok(fits)
}

/// Corridor's predictive policy: every minute, [`plan`] on the load of the current interval
/// and the latest forecast of the intervals after it.
fn predictive(values: &[f64], start: usize, step_s: i64, fits: &[Fit], options: &ScaleOptions) -> Result<Run, String> {
    let step_min = (step_s / 60).max(1) as usize;
    let minutes = (values.len() - start) * step_min;
    let first = (values[start] / options.target_per_replica).ceil().max(1.0) as u32;
    let mut pods = Pods { ordered: first, starting: Vec::new() };
    let mut last_change: Option<i64> = None;
    let mut run = Run { ordered: Vec::with_capacity(minutes), serving: Vec::with_capacity(minutes) };
    let bin_ms = |bin: usize| ((bin - start) * step_min) as i64 * 60_000;
    let mut fit = 0;
    for minute in 0..minutes {
        let bin = start + minute / step_min;
        while fit + 1 < fits.len() && fits[fit + 1].bin <= bin {
            fit += 1;
        }
        let Fit { bin: made, demand } = &fits[fit];
        let ahead = bin - made;
        let times: Vec<i64> = (ahead + 1..=demand.len()).map(|k| bin_ms(made + k)).collect();
        let now_ms = minute as i64 * 60_000;
        let back = (options.stabilization_s / step_s as f64).ceil() as usize + 1;
        let recent: Vec<usize> = (bin.saturating_sub(back).max(start)..bin).collect();
        let recent_ms: Vec<i64> = recent.iter().map(|&b| bin_ms(b)).collect();
        let recent_load: Vec<f64> = recent.iter().map(|&b| values[b]).collect();
        let d = Demand {
            recent_timestamps_ms: &recent_ms,
            recent_load: &recent_load,
            now_ms,
            now_load: values[bin],
            timestamps_ms: &times,
            load: &demand[ahead.min(demand.len())..],
        };
        let p = plan(&d, pods.ordered, last_change.map(|t| now_ms - t), options).map_err(|e| e.to_string())?;
        if p.replicas_now != pods.ordered {
            last_change = Some(now_ms);
            pods.set(minute, p.replicas_now);
        }
        run.serving.push(pods.serving(minute));
        run.ordered.push(pods.ordered);
    }
    Ok(run)
}

/// One table row: the reactive and the predictive outcome side by side, with Corridor's
/// replica-minutes change against HPA.
fn comparison_row(label: String, days: String, hpa: &Outcome, corridor: &Outcome) -> Vec<String> {
    let delta = 100.0 * (corridor.replica_minutes / hpa.replica_minutes - 1.0);
    vec![
        label,
        days,
        format!("{:.2} %", 100.0 * hpa.under_share),
        format!("{:.2} %", 100.0 * corridor.under_share),
        format!("{:.0}", hpa.replica_minutes),
        format!("{:.0} ({delta:+.1} %)", corridor.replica_minutes),
        format!("{:.1}", hpa.events_per_day),
        format!("{:.1}", corridor.events_per_day),
    ]
}
