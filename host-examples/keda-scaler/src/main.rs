//! `corridor-keda-scaler`: the KEDA External Scaler process.

use clap::Parser;
use corridor_keda_proto::external_scaler_server::ExternalScalerServer;
use corridor_keda_scaler::engine::Engine;
use corridor_keda_scaler::prometheus::Prometheus;
use corridor_keda_scaler::registry::{RefreshSettings, Registry};
use corridor_keda_scaler::service::Scaler;
use corridor_keda_scaler::telemetry::Metrics;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::transport::server::TcpIncoming;

/// Serves Corridor's load forecast to KEDA as an External Scaler.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The Corridor plugin (corridor.wasm).
    #[arg(long, env = "CORRIDOR_PLUGIN")]
    plugin: PathBuf,
    /// gRPC address KEDA calls (`scalerAddress`).
    #[arg(long, env = "SCALER_GRPC_ADDR", default_value = "0.0.0.0:9090")]
    grpc: SocketAddr,
    /// HTTP address of /metrics, /healthz and /readyz.
    #[arg(long, env = "SCALER_HTTP_ADDR", default_value = "0.0.0.0:8080")]
    http: SocketAddr,
    /// Seconds between refreshes of every ScaledObject.
    #[arg(long, env = "SCALER_REFRESH_S", default_value_t = 30)]
    refresh_s: u64,
    /// Seconds one Prometheus request may take.
    #[arg(long, env = "SCALER_PROMETHEUS_TIMEOUT_S", default_value_t = 10)]
    prometheus_timeout_s: u64,
    /// Seconds a request for a new ScaledObject waits for its first refresh.
    #[arg(long, env = "SCALER_FIRST_ANSWER_WAIT_S", default_value_t = 20)]
    first_answer_wait_s: u64,
    /// Seconds after which a value whose Prometheus data is older is refused (KEDA then applies the
    /// ScaledObject's fallback replicas).
    #[arg(long, env = "SCALER_STALE_AFTER_S", default_value_t = 900)]
    stale_after_s: u64,
    /// Seconds after which a ScaledObject KEDA no longer asks about is forgotten.
    #[arg(long, env = "SCALER_FORGET_AFTER_S", default_value_t = 3600)]
    forget_after_s: u64,
    /// Plugin instances, hence forecasts run at once.
    #[arg(long, env = "SCALER_WORKERS", default_value_t = 2)]
    workers: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let engine = Arc::new(Engine::load(&cli.plugin, cli.workers)?);
    let metrics = Arc::new(Metrics::default());
    let settings = RefreshSettings {
        prometheus: Prometheus::new(Duration::from_secs(cli.prometheus_timeout_s)),
        forget_after: Duration::from_secs(cli.forget_after_s),
        concurrency: cli.workers,
    };
    let registry = Arc::new(Registry::new(engine, settings, metrics.clone()));
    let grpc = TcpListener::bind(cli.grpc).await.map_err(|e| format!("gRPC address {}: {e}", cli.grpc))?;
    let http = TcpListener::bind(cli.http).await.map_err(|e| format!("HTTP address {}: {e}", cli.http))?;
    let (grpc_addr, http_addr) =
        (grpc.local_addr().map_err(|e| e.to_string())?, http.local_addr().map_err(|e| e.to_string())?);
    // One line on stdout for whoever started the process with port 0.
    println!("corridor-keda-scaler listening grpc={grpc_addr} http={http_addr}");
    tracing::info!(%grpc_addr, %http_addr, "serving");

    let (stop, stopped) = watch::channel(false);
    let until_stop = |mut stopped: watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    let refresher =
        tokio::spawn(refresh_loop(registry.clone(), Duration::from_secs(cli.refresh_s.max(1)), stopped.clone()));
    let scaler = Scaler::new(
        registry.clone(),
        metrics.clone(),
        Duration::from_secs(cli.first_answer_wait_s),
        Duration::from_secs(cli.stale_after_s),
    );
    // tonic ignores its own `tcp_nodelay` for a listener it did not bind: without this, Nagle's
    // algorithm holds small responses back while an earlier segment awaits its ACK.
    let incoming = TcpIncoming::from(grpc).with_nodelay(Some(true));
    let grpc_server = tonic::transport::Server::builder()
        .add_service(ExternalScalerServer::new(scaler))
        .serve_with_incoming_shutdown(incoming, until_stop(stopped.clone()));
    let routes = corridor_keda_scaler::http::router(metrics, registry);
    let http_server = axum::serve(http, routes).with_graceful_shutdown(until_stop(stopped));
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    });
    let (grpc_result, http_result) = tokio::join!(grpc_server, http_server);
    grpc_result.map_err(|e| format!("gRPC server: {e}"))?;
    http_result.map_err(|e| format!("HTTP server: {e}"))?;
    refresher.await.map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
}

/// Refreshes every tracked ScaledObject each `every` until stopped.
async fn refresh_loop(registry: Arc<Registry>, every: Duration, mut stopped: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => { registry.refresh_all().await; }
            _ = stopped.changed() => return,
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
