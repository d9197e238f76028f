//! The `scaler` mode: the KEDA External Scaler binary (`corridor-keda-scaler`) against a real
//! Prometheus holding two weeks of backfilled synthetic load. Registers many ScaledObjects, times
//! their first refresh, then measures `GetMetrics` latency and throughput from concurrent clients.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_keda_proto::external_scaler_client::ExternalScalerClient;
use corridor_keda_proto::testkit::{
    http_get, now_s, synthetic_load, PrometheusServer, ScalerProcess, SyntheticSeries, SAMPLE_STEP_S,
};
use corridor_keda_proto::{GetMetricsRequest, ScaledObjectRef};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

/// How the run is shaped.
pub struct ScalerRun {
    /// The scaler binary.
    pub scaler: PathBuf,
    /// corridor.wasm.
    pub plugin: PathBuf,
    /// ScaledObjects registered.
    pub objects: usize,
    /// Concurrent client tasks.
    pub concurrency: usize,
    /// Seconds of load.
    pub seconds: u64,
}

fn scaled_object(i: usize, prometheus: &str) -> ScaledObjectRef {
    let metadata = [
        ("serverAddress", prometheus.to_string()),
        ("query", format!("corridor_bench_load * {}", 1 + i % 7)),
        ("targetPerReplica", "50".into()),
        ("leadTime", "10m".into()),
        ("historyWindow", "7d".into()),
        ("step", "5m".into()),
    ];
    ScaledObjectRef {
        name: format!("app-{i}"),
        namespace: "bench".into(),
        scaler_metadata: metadata.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

fn request(object: &ScaledObjectRef) -> GetMetricsRequest {
    GetMetricsRequest { scaled_object_ref: Some(object.clone()), metric_name: "corridor-forecast".into() }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The cumulative `GetMetrics` latency buckets of the scaler's `/metrics`: (upper bound s, count).
fn server_buckets(metrics: &str) -> Vec<(f64, f64)> {
    metrics
        .lines()
        .filter(|l| l.starts_with("corridor_scaler_request_duration_seconds_bucket") && l.contains("GetMetrics"))
        .filter_map(|l| {
            let bound = l.split("le=\"").nth(1)?.split('"').next()?;
            let bound = if bound == "+Inf" { f64::INFINITY } else { bound.parse().ok()? };
            Some((bound, l.rsplit(' ').next()?.parse().ok()?))
        })
        .collect()
}

/// The upper bound of the bucket holding quantile `q` of the requests counted between two
/// readings of the server's cumulative buckets: the server-side time, from the request decoded
/// to the answer built (no transport, no client).
fn server_quantile(before: &[(f64, f64)], after: &[(f64, f64)], q: f64) -> f64 {
    let counted = |bound: f64, buckets: &[(f64, f64)]| buckets.iter().find(|b| b.0 == bound).map_or(0.0, |b| b.1);
    let total = after.last().map_or(0.0, |b| b.1) - before.last().map_or(0.0, |b| b.1);
    after
        .iter()
        .find(|(bound, count)| count - counted(*bound, before) >= q * total)
        .map_or(f64::NAN, |(bound, _)| *bound)
}

/// Runs the benchmark, prints a table and optionally writes JSON.
pub fn run(settings: &ScalerRun, json_path: Option<&Path>) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(measure(settings, json_path))
}

async fn measure(settings: &ScalerRun, json_path: Option<&Path>) -> Result<(), String> {
    let now = now_s() / SAMPLE_STEP_S * SAMPLE_STEP_S;
    let series = SyntheticSeries {
        name: "corridor_bench_load".into(),
        from: now - 14 * 86_400,
        to: now + 7_200,
        value: synthetic_load,
    };
    let prometheus = PrometheusServer::start(&[series]);
    let scaler = ScalerProcess::start(&settings.scaler, &settings.plugin, &["--refresh-s", "30"]);
    let channel = Channel::from_shared(format!("http://{}", scaler.grpc))
        .map_err(|e| e.to_string())?
        .connect()
        .await
        .map_err(|e| format!("gRPC connection: {e}"))?;
    let objects: Vec<ScaledObjectRef> = (0..settings.objects).map(|i| scaled_object(i, &prometheus.url)).collect();

    // Warm-up: register every object and wait until each has its first forecast.
    let started = Instant::now();
    let mut warm = tokio::task::JoinSet::new();
    for object in objects.clone() {
        let mut client = ExternalScalerClient::new(channel.clone());
        warm.spawn(async move { client.get_metrics(request(&object)).await.map(|_| ()) });
    }
    while let Some(done) = warm.join_next().await {
        done.map_err(|e| e.to_string())?.map_err(|e| format!("first GetMetrics: {e}"))?;
    }
    let warm_up_s = started.elapsed().as_secs_f64();
    let metrics = http_get(&scaler.http.to_string(), "/metrics").map_err(|e| e.to_string())?.1;
    let figure = |name: &str| -> f64 {
        metrics
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let refresh_wall_ms = 1_000.0 * figure("corridor_scaler_refresh_duration_seconds_sum")
        / figure("corridor_scaler_refresh_duration_seconds_count");
    let refresh_per_object_ms = 1_000.0 * warm_up_s / settings.objects as f64;

    let buckets_before = server_buckets(&metrics);

    // Load: concurrent clients cycle through the objects for the given time.
    let deadline = Instant::now() + Duration::from_secs(settings.seconds);
    let load_started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..settings.concurrency {
        let (mut client, objects) = (ExternalScalerClient::new(channel.clone()), objects.clone());
        clients.spawn(async move {
            let mut latencies = Vec::new();
            let mut i = c;
            while Instant::now() < deadline {
                let sent = Instant::now();
                client.get_metrics(request(&objects[i % objects.len()])).await.map_err(|e| e.to_string())?;
                latencies.push(sent.elapsed().as_secs_f64() * 1_000.0);
                i += 1;
            }
            Ok::<_, String>(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = clients.join_next().await {
        latencies.extend(done.map_err(|e| e.to_string())??);
    }
    let elapsed = load_started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    let per_second = latencies.len() as f64 / elapsed;
    let metrics = http_get(&scaler.http.to_string(), "/metrics").map_err(|e| e.to_string())?.1;
    let buckets_after = server_buckets(&metrics);
    let server_p99 = 1_000.0 * server_quantile(&buckets_before, &buckets_after, 0.99);

    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(["figure", "value"]);
    table.add_row(["ScaledObjects".to_string(), settings.objects.to_string()]);
    table.add_row(["history per object".to_string(), "7 d at 5 min (2,017 points)".to_string()]);
    table.add_row(["first refresh of all objects, s".to_string(), format!("{warm_up_s:.2}")]);
    table.add_row([
        "refresh cost per object (first refreshes / objects), ms".to_string(),
        format!("{refresh_per_object_ms:.1}"),
    ]);
    table.add_row([
        "one refresh, wall time incl. waiting for a plugin, mean ms".to_string(),
        format!("{refresh_wall_ms:.1}"),
    ]);
    table.add_row(["concurrent clients".to_string(), settings.concurrency.to_string()]);
    table.add_row(["GetMetrics calls".to_string(), latencies.len().to_string()]);
    table.add_row(["GetMetrics p50, ms".to_string(), format!("{p50:.3}")]);
    table.add_row(["GetMetrics p99, ms".to_string(), format!("{p99:.3}")]);
    table.add_row(["GetMetrics per second".to_string(), format!("{per_second:.0}")]);
    table.add_row(["server-side p99 (scaler's histogram bucket bound), ms".to_string(), format!("≤ {server_p99:.3}")]);
    println!("{table}");
    if let Some(path) = json_path {
        let figures = json!({
            "objects": settings.objects, "history_points": 2017, "concurrency": settings.concurrency,
            "seconds": elapsed, "warm_up_s": warm_up_s, "refresh_per_object_ms": refresh_per_object_ms, "refresh_wall_ms": refresh_wall_ms,
            "calls": latencies.len(), "p50_ms": p50, "p99_ms": p99, "requests_per_s": per_second,
            "server_p99_ms_at_most": server_p99,
        });
        std::fs::write(path, serde_json::to_string_pretty(&figures).map_err(|e| e.to_string())?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_quantile_reads_the_buckets_counted_between_two_readings() {
        let text = |counts: [u64; 4]| {
            let bounds = ["5e-5", "0.0001", "0.0002", "+Inf"];
            let lines: Vec<String> = bounds
                .iter()
                .zip(counts)
                .map(|(le, n)| {
                    format!("corridor_scaler_request_duration_seconds_bucket{{method=\"GetMetrics\",le=\"{le}\"}} {n}")
                })
                .collect();
            lines.join("\n") + "\ncorridor_scaler_request_duration_seconds_bucket{method=\"IsActive\",le=\"+Inf\"} 9"
        };
        let before = server_buckets(&text([0, 0, 0, 10]));
        assert_eq!(before.len(), 4);
        let after = server_buckets(&text([50, 95, 99, 110]));
        assert_eq!(server_quantile(&before, &after, 0.5), 0.000_05);
        assert_eq!(server_quantile(&before, &after, 0.9), 0.0001);
        assert_eq!(server_quantile(&before, &after, 0.99), 0.0002);
        assert_eq!(server_quantile(&before, &after, 1.0), f64::INFINITY);
    }
}
