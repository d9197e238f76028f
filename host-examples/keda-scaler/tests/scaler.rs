//! The scaler binary through a real tonic gRPC client, against a real Prometheus (the Debian
//! package) holding two weeks of backfilled synthetic load. Needs `corridor.wasm` built first
//! (`plugins/extism/build.sh`).

use corridor_keda_proto::external_scaler_client::ExternalScalerClient;
use corridor_keda_proto::testkit::{
    http_get, http_request, now_s, synthetic_load, PrometheusServer, ScalerProcess, SyntheticSeries, SAMPLE_STEP_S,
};
use corridor_keda_proto::{GetMetricsRequest, ScaledObjectRef};
use extism::{Manifest, Plugin, Wasm};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic::Code;

type Client = ExternalScalerClient<Channel>;

/// Seconds between the scaler's refreshes in this test.
const REFRESH_S: u64 = 2;
/// Seconds one Prometheus request may take in this test.
const TIMEOUT_S: u64 = 2;
/// Staleness limit of the second scaler, seconds.
const STALE_S: u64 = 3;
/// The load of the short series, constant.
const RECENT_LOAD: f64 = 42.5;

fn plugin() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let path = target.join("corridor.wasm");
    assert!(path.is_file(), "{} missing: build it with plugins/extism/build.sh first", path.display());
    path
}

fn object(name: &str, prometheus: &str, pairs: &[(&str, &str)]) -> ScaledObjectRef {
    let mut metadata: std::collections::HashMap<String, String> =
        [("serverAddress", prometheus), ("query", "corridor_test_load"), ("targetPerReplica", "50")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    metadata.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ScaledObjectRef { name: name.into(), namespace: "test".into(), scaler_metadata: metadata }
}

async fn metric(client: &mut Client, object: &ScaledObjectRef) -> Result<f64, tonic::Status> {
    let request =
        GetMetricsRequest { scaled_object_ref: Some(object.clone()), metric_name: "corridor-forecast".into() };
    let answer = client.get_metrics(request).await?.into_inner();
    let value = &answer.metric_values[0];
    assert_eq!(value.metric_name, "corridor-forecast");
    assert_eq!(value.metric_value, value.metric_value_float.round() as i64, "integer and float values agree");
    Ok(value.metric_value_float)
}

fn metrics_text(scaler: &ScalerProcess) -> String {
    let (status, body) = http_get(&scaler.http.to_string(), "/metrics").expect("GET /metrics");
    assert_eq!(status, 200);
    body
}

/// The value of the first sample line of /metrics that starts with `prefix`.
fn sample(scaler: &ScalerProcess, prefix: &str) -> Option<f64> {
    metrics_text(scaler).lines().find(|l| l.starts_with(prefix))?.rsplit(' ').next()?.parse().ok()
}

/// What the plugin itself forecasts from the synthetic history the scaler reads for a refresh at
/// `end`: the highest of the last load and the 80 % upper bound over `horizon` steps.
fn expected_load(end: i64, window_s: i64, step_s: i64, horizon: usize) -> f64 {
    let timestamps: Vec<i64> = (0..=window_s / step_s).map(|k| end - window_s + k * step_s).collect();
    let values: Vec<f64> = timestamps.iter().map(|t| synthetic_load(*t)).collect();
    let request = json!({
        "version": "corridor.v1", "timestamps": timestamps, "values": values, "time_unit": "s",
        "options": {"horizon": horizon, "levels": [80.0]},
    });
    let mut plugin = Plugin::new(Manifest::new([Wasm::file(plugin())]), [], false).expect("plugin loads");
    let output: Vec<u8> = plugin.call("forecast", serde_json::to_vec(&request).unwrap()).expect("forecast");
    let forecast: Value = serde_json::from_slice(&output).unwrap();
    let upper = &forecast["intervals"].as_array().unwrap().iter().find(|i| i["level"] == 80.0).unwrap()["upper"];
    let upper: Vec<f64> = upper.as_array().unwrap().iter().take(horizon).map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(upper.len(), horizon);
    upper.into_iter().fold(*values.last().unwrap(), f64::max)
}

async fn wait_for_metric(scaler: &ScalerProcess, prefix: &str) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = sample(scaler, prefix) {
            return v;
        }
        assert!(Instant::now() < deadline, "{prefix} never appeared in /metrics:\n{}", metrics_text(scaler));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn rejects_bad_metadata(client: &mut Client, prometheus: &str) {
    for (key, value) in [("targetPerReplica", "many"), ("quantile", "1.5"), ("leadTime", "soon"), ("query", "")] {
        let bad = object("bad", prometheus, &[(key, value)]);
        let status = client.get_metric_spec(bad.clone()).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{key}={value}");
        assert!(status.message().contains(&format!("scalerMetadata.{key}")), "{}", status.message());
        assert_eq!(client.is_active(bad.clone()).await.unwrap_err().code(), Code::InvalidArgument);
        assert_eq!(metric(client, &bad).await.unwrap_err().code(), Code::InvalidArgument);
    }
    let mut missing = object("bad", prometheus, &[]);
    missing.scaler_metadata.remove("serverAddress");
    let status = client.get_metric_spec(missing).await.unwrap_err();
    assert_eq!((status.code(), status.message()), (Code::InvalidArgument, "scalerMetadata.serverAddress: is required"));
    let status = client.get_metrics(GetMetricsRequest::default()).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

/// Forecasts 8 days at 1 min (11,521 points, two query_range requests) and checks the value
/// against the plugin's own forecast of the same history. A refresh that straddles a minute
/// boundary reads a different window: such an attempt is repeated under a new name.
async fn serves_the_forecast_for_the_lead_time(client: &mut Client, prometheus: &str) -> ScaledObjectRef {
    let pairs = [("leadTime", "10m"), ("historyWindow", "8d"), ("step", "1m"), ("quantile", "0.9")];
    for attempt in 0..4 {
        let web = object(&format!("web-{attempt}"), prometheus, &pairs);
        let minute = now_s() / SAMPLE_STEP_S;
        let spec = client.get_metric_spec(web.clone()).await.unwrap().into_inner();
        assert_eq!(spec.metric_specs.len(), 1);
        let spec = &spec.metric_specs[0];
        assert_eq!(
            (spec.metric_name.as_str(), spec.target_size, spec.target_size_float),
            ("corridor-forecast", 50, 50.0)
        );
        let value = metric(client, &web).await.unwrap();
        if now_s() / SAMPLE_STEP_S != minute {
            continue;
        }
        let expected = expected_load(minute * SAMPLE_STEP_S, 8 * 86_400, 60, 10);
        assert!((value - expected).abs() <= 1e-9 * expected.abs(), "scaler {value} vs plugin {expected}");
        assert!(value > 0.0);
        return web;
    }
    panic!("every attempt straddled a minute boundary");
}

async fn is_active_follows_the_threshold(client: &mut Client, prometheus: &str) {
    let cheap = [("historyWindow", "2d"), ("step", "5m")];
    let low = object("active-low", prometheus, &[cheap[0], cheap[1], ("activationThreshold", "1")]);
    let high = object("active-high", prometheus, &[cheap[0], cheap[1], ("activationThreshold", "1000000")]);
    assert!(client.is_active(low.clone()).await.unwrap().into_inner().result);
    assert!(!client.is_active(high.clone()).await.unwrap().into_inner().result);
    let value = metric(client, &low).await.unwrap();
    let at =
        object("active-at", prometheus, &[cheap[0], cheap[1], ("activationThreshold", &format!("{}", value * 10.0))]);
    assert!(!client.is_active(at).await.unwrap().into_inner().result, "inactive below a threshold of 10x the load");
}

/// `POST /refresh` refreshes every tracked object before it answers; other methods are refused.
fn refreshes_on_demand(scaler: &ScalerProcess) {
    let count = "corridor_scaler_refresh_duration_seconds_count";
    let before = sample(scaler, count).unwrap();
    let (status, body) = http_request(&scaler.http.to_string(), "POST", "/refresh").unwrap();
    assert_eq!(status, 200, "{body}");
    let refreshed: f64 = body.trim().strip_prefix("refreshed ").and_then(|n| n.parse().ok()).expect(&body);
    assert!(refreshed >= 5.0, "every tracked object is refreshed: {body}");
    assert!(sample(scaler, count).unwrap() >= before + refreshed, "the refreshes are done when it answers");
    assert_eq!(http_get(&scaler.http.to_string(), "/refresh").unwrap().0, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaler_against_real_prometheus() {
    let now = now_s() / SAMPLE_STEP_S * SAMPLE_STEP_S;
    let mut prometheus = PrometheusServer::start(&[
        SyntheticSeries {
            name: "corridor_test_load".into(),
            from: now - 15 * 86_400,
            to: now + 7_200,
            value: synthetic_load,
        },
        SyntheticSeries {
            name: "corridor_test_recent".into(),
            from: now - 1_200,
            to: now + 7_200,
            value: |_| RECENT_LOAD,
        },
    ]);
    let prom = prometheus.url.clone();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_corridor-keda-scaler"));
    let (refresh, timeout) = (REFRESH_S.to_string(), TIMEOUT_S.to_string());
    let args = ["--refresh-s", &refresh, "--prometheus-timeout-s", &timeout, "--first-answer-wait-s", "120"];
    let mut scaler = ScalerProcess::start(&binary, &plugin(), &args);
    let mut client = Client::connect(format!("http://{}", scaler.grpc)).await.expect("gRPC connection");
    // A second scaler that refuses values whose data is older than STALE_S.
    let stale_limit = STALE_S.to_string();
    let strict_args = ["--refresh-s", "1", "--prometheus-timeout-s", &timeout, "--stale-after-s", &stale_limit];
    let strict = ScalerProcess::start(&binary, &plugin(), &strict_args);
    let mut strict_client = Client::connect(format!("http://{}", strict.grpc)).await.expect("gRPC connection");
    let cheap = object("cheap", &prom, &[("historyWindow", "2d"), ("step", "5m")]);
    assert!(metric(&mut strict_client, &cheap).await.unwrap() > 0.0, "fresh data is served");

    for probe in ["/healthz", "/readyz"] {
        assert_eq!(http_get(&scaler.http.to_string(), probe).unwrap().0, 200, "{probe}");
    }
    rejects_bad_metadata(&mut client, &prom).await;
    let push = object("push", &prom, &[]);
    assert_eq!(client.stream_is_active(push.clone()).await.unwrap_err().code(), Code::Unimplemented);
    assert_eq!(client.stream_metric_spec(push).await.unwrap_err().code(), Code::Unimplemented);
    let web = serves_the_forecast_for_the_lead_time(&mut client, &prom).await;
    is_active_follows_the_threshold(&mut client, &prom).await;

    // Too little history: the load observed now, a warning and a counted fallback.
    let recent = object("recent", &prom, &[("query", "corridor_test_recent"), ("historyWindow", "1d")]);
    assert_eq!(metric(&mut client, &recent).await.unwrap(), RECENT_LOAD);
    wait_for_metric(
        &scaler,
        r#"corridor_scaler_fallbacks_total{namespace="test",name="recent",reason="short_history"}"#,
    )
    .await;
    // No data and never any: KEDA gets Unavailable (and applies its own fallback replicas).
    let absent = object("absent", &prom, &[("query", "corridor_test_absent")]);
    assert_eq!(metric(&mut client, &absent).await.unwrap_err().code(), Code::Unavailable);
    wait_for_metric(&scaler, r#"corridor_scaler_fallbacks_total{namespace="test",name="absent",reason="no_data"}"#)
        .await;
    // A slow Prometheus (accepts, never answers): the refresh times out, the request is not stuck.
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let slow = object("slow", &format!("http://{}", black_hole.local_addr().unwrap()), &[]);
    let started = Instant::now();
    assert_eq!(metric(&mut client, &slow).await.unwrap_err().code(), Code::Unavailable);
    assert!(started.elapsed() < Duration::from_secs(TIMEOUT_S * 3), "took {:?}", started.elapsed());

    refreshes_on_demand(&scaler);

    // Prometheus stops: the last good forecast stays, answered from cache at once.
    prometheus.stop();
    let outage =
        format!(r#"corridor_scaler_fallbacks_total{{namespace="test",name="{}",reason="prometheus_error"}}"#, web.name);
    wait_for_metric(&scaler, &outage).await;
    let kept = metric(&mut client, &web).await.unwrap();
    let forecast_gauge = format!(r#"corridor_scaler_forecast{{namespace="test",name="{}"}}"#, web.name);
    assert_eq!(sample(&scaler, &forecast_gauge), Some(kept), "the value served is the last good forecast");
    tokio::time::sleep(Duration::from_secs(REFRESH_S + TIMEOUT_S + 1)).await;
    let started = Instant::now();
    assert_eq!(metric(&mut client, &web).await.unwrap(), kept);
    assert!(started.elapsed() < Duration::from_millis(500), "cache answer took {:?}", started.elapsed());
    assert_eq!(metric(&mut client, &recent).await.unwrap(), RECENT_LOAD, "the last observed load stays");
    assert!(client.is_active(web.clone()).await.unwrap().into_inner().result);
    let new = object("new", &prom, &[]);
    assert_eq!(metric(&mut client, &new).await.unwrap_err().code(), Code::Unavailable);
    assert!(sample(&scaler, r#"corridor_scaler_errors_total{kind="prometheus"}"#).unwrap() >= 1.0);
    assert!(sample(&scaler, "corridor_scaler_request_duration_seconds_count{method=\"GetMetrics\"}").unwrap() >= 5.0);

    tokio::time::sleep(Duration::from_secs(STALE_S + 1)).await;
    let status = metric(&mut strict_client, &cheap).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "data over the staleness limit is refused");
    assert!(status.message().contains("s old"), "{}", status.message());

    let log = std::fs::read_to_string(&scaler.log).unwrap();
    for said in ["too little history", "Prometheus unreachable", "falling back"] {
        assert!(log.contains(said), "the log does not say {said:?}:\n{log}");
    }
    assert!(scaler.process.terminate(Duration::from_secs(10)), "no clean exit on SIGTERM");
}
