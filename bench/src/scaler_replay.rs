//! `scaler --replay DIR`: the `scale` mode's simulation with Corridor's decisions made by the
//! running scaler process. For each load-like NAB series a [`ReplayPrometheus`] serves the
//! series shifted so that the simulated now is the real present; at every decision step the
//! benchmark moves the simulated now, asks the scaler to refresh (`POST /refresh`), checks that
//! the refresh read history up to exactly that now, and reads `GetMetrics`. The HPA then turns
//! that metric into replicas as it does for an `AverageValue` target ([`scale_mode::hpa`]), and
//! the outcome is reported beside the reactive HPA and the in-process predictive policy.

use crate::prometheus_replay::ReplayPrometheus;
use crate::scale_mode::{self, Outcome, Replay, HISTORY_DAYS, START_UP_MIN};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_keda_proto::external_scaler_client::ExternalScalerClient;
use corridor_keda_proto::testkit::{http_request, now_s, ScalerProcess};
use corridor_keda_proto::{GetMetricsRequest, ScaledObjectRef};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Tries of one decision whose refresh straddled a step boundary of the real clock.
const TRIES: usize = 3;
/// Seconds between the scaler's own scheduled refreshes: longer than any replay, so that only
/// the benchmark's `POST /refresh` refreshes.
const NO_SCHEDULED_REFRESH_S: &str = "86400";

/// How the replay is shaped.
pub struct ReplayRun {
    /// The scaler binary.
    pub scaler: PathBuf,
    /// corridor.wasm.
    pub plugin: PathBuf,
    /// Minutes of simulated time between decisions, rounded up to whole points; 0: every point.
    pub every_min: usize,
}

/// One series through the scaler.
struct Replayed {
    outcome: Outcome,
    decisions: usize,
    every_min: usize,
    wall_s: f64,
}

/// Runs the replay on every load-like series of `dir`, prints the table and optionally writes JSON.
pub fn run(settings: &ReplayRun, dir: &Path, json_path: Option<&Path>) -> Result<(), String> {
    let all = scale_mode::replays(dir)?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "series",
        "days",
        "decide every",
        "under-prov. HPA / Corridor / scaler",
        "replica-min HPA / Corridor / scaler",
        "events/day HPA / Corridor / scaler",
        "ms per decision",
    ]);
    let mut doc = json!({"series": {}});
    let mut means = [Outcome::default(); 3];
    for replay in &all {
        let (hpa, corridor) = (replay.reactive(), replay.predictive()?);
        let through = through_scaler(settings, replay)?;
        let outcomes = [hpa, corridor, through.outcome];
        let ms_per_decision = 1_000.0 * through.wall_s / through.decisions as f64;
        table.add_row(row(
            &replay.key,
            format!("{:.1}", replay.days()),
            format!("{} min", through.every_min),
            &outcomes,
            format!("{ms_per_decision:.1}"),
        ));
        doc["series"][&replay.key] = json!({
            "days": replay.days(), "target_per_replica": replay.target, "decisions": through.decisions,
            "decision_every_min": through.every_min, "ms_per_decision": ms_per_decision,
            "hpa": hpa.to_json(), "corridor": corridor.to_json(), "scaler": through.outcome.to_json(),
        });
        for (outcome, mean) in outcomes.iter().zip(&mut means) {
            outcome.add_to_mean(mean, all.len());
        }
    }
    table.add_row(row("mean (replica-min: total)", String::new(), String::new(), &means, String::new()));
    println!("{table}");
    doc["mean"] = json!({"hpa": means[0].to_json(), "corridor": means[1].to_json(), "scaler": means[2].to_json()});
    if let Some(path) = json_path {
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn row(label: &str, days: String, every: String, o: &[Outcome; 3], ms: String) -> Vec<String> {
    let [h, c, s] = o;
    vec![
        label.to_string(),
        days,
        every,
        format!("{:.2} / {:.2} / {:.2} %", 100.0 * h.under_share, 100.0 * c.under_share, 100.0 * s.under_share),
        format!("{:.0} / {:.0} / {:.0}", h.replica_minutes, c.replica_minutes, s.replica_minutes),
        format!("{:.1} / {:.1} / {:.1}", h.events_per_day, c.events_per_day, s.events_per_day),
        ms,
    ]
}

/// The forecast quantile the scaler serves. Higher than the in-process policy's 55 %: the HPA in
/// front of the scaler holds scale-ups back while the metric is within its 10 % tolerance, which
/// `scale::plan` no longer does (at 0.55 through the scaler: 14.2 % under-provisioned).
const SCALER_QUANTILE: f64 = 0.75;

/// The ScaledObject of a replayed series: Corridor's in-process settings in scaler metadata
/// (history, lead time = start-up) and [`SCALER_QUANTILE`].
fn scaled_object(replay: &Replay, prometheus: &str) -> ScaledObjectRef {
    let quantile = SCALER_QUANTILE;
    let metadata = [
        ("serverAddress", prometheus.to_string()),
        ("query", "replayed_load".to_string()),
        ("targetPerReplica", format!("{}", replay.target)),
        ("leadTime", format!("{START_UP_MIN}m")),
        ("historyWindow", format!("{HISTORY_DAYS}d")),
        ("step", format!("{}s", replay.step_s)),
        ("quantile", format!("{quantile}")),
    ];
    ScaledObjectRef {
        name: replay.key.replace(['/', '.', '_'], "-").to_lowercase(),
        namespace: "replay".into(),
        scaler_metadata: metadata.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

/// Replays one series through a fresh scaler process: the metric of each decision held until
/// the next, read by the HPA model every minute.
fn through_scaler(settings: &ReplayRun, replay: &Replay) -> Result<Replayed, String> {
    let prometheus = ReplayPrometheus::start(replay.step_s, replay.values.clone())?;
    let scaler = ScalerProcess::start(&settings.scaler, &settings.plugin, &["--refresh-s", NO_SCHEDULED_REFRESH_S]);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let mut client = runtime
        .block_on(ExternalScalerClient::connect(format!("http://{}", scaler.grpc)))
        .map_err(|e| format!("gRPC connection: {e}"))?;
    let object = scaled_object(replay, &prometheus.url);
    let request =
        GetMetricsRequest { scaled_object_ref: Some(object.clone()), metric_name: "corridor-forecast".into() };
    // Registers the object at the first decision's now; its first GetMetrics waits for the first refresh.
    prometheus.set_now(replay.start as i64 * replay.step_s, now_s() / replay.step_s * replay.step_s);
    let spec = runtime.block_on(client.get_metric_spec(object.clone())).map_err(|e| e.to_string())?;
    let target = spec.into_inner().metric_specs.first().map_or(f64::NAN, |s| s.target_size_float);
    if target != replay.target {
        return Err(format!("{}: GetMetricSpec target {target}, expected {}", replay.key, replay.target));
    }
    runtime.block_on(client.get_metrics(request.clone())).map_err(|e| format!("first GetMetrics: {e}"))?;
    let every_points = settings.every_min.div_ceil(replay.step_min()).max(1);
    let bins: Vec<usize> = (replay.start..replay.values.len()).step_by(every_points).collect();
    let mut metric = Vec::with_capacity(replay.load.len());
    let started = Instant::now();
    for (k, &bin) in bins.iter().enumerate() {
        refresh_at(&prometheus, &scaler, bin as i64 * replay.step_s, replay.step_s)
            .map_err(|e| format!("{}: {e}", replay.key))?;
        let answer = runtime.block_on(client.get_metrics(request.clone())).map_err(|e| format!("GetMetrics: {e}"))?;
        let value = answer
            .into_inner()
            .metric_values
            .first()
            .map(|v| v.metric_value_float)
            .ok_or("GetMetrics without a value")?;
        let minutes = (bins.get(k + 1).copied().unwrap_or(replay.values.len()) - bin) * replay.step_min();
        metric.extend(std::iter::repeat_n(value, minutes));
    }
    let wall_s = started.elapsed().as_secs_f64();
    let outcome = scale_mode::hpa(&metric, target).outcome(&replay.load, replay.target);
    Ok(Replayed { outcome, decisions: bins.len(), every_min: every_points * replay.step_min(), wall_s })
}

/// Moves the simulated now to `now` (seconds) and has the scaler refresh; checks that the
/// refresh read history up to exactly `now`, trying again when the real clock crossed a step
/// boundary between the move and the refresh.
fn refresh_at(prometheus: &ReplayPrometheus, scaler: &ScalerProcess, now: i64, step_s: i64) -> Result<(), String> {
    for _ in 0..TRIES {
        prometheus.set_now(now, now_s() / step_s * step_s);
        let (status, body) =
            http_request(&scaler.http.to_string(), "POST", "/refresh").map_err(|e| format!("POST /refresh: {e}"))?;
        if status != 200 {
            return Err(format!("POST /refresh answered {status}: {body}"));
        }
        if prometheus.last_end() == Some(now) {
            return Ok(());
        }
    }
    Err(format!("the refresh for {now} s read up to {:?} s, {TRIES} times", prometheus.last_end()))
}
