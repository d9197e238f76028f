//! The HTTP side: `/metrics` (Prometheus text format), `/healthz`, `/readyz` and `POST /refresh`.

use crate::registry::Registry;
use crate::telemetry::Metrics;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Content type of the Prometheus text exposition format.
const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Routes of the HTTP endpoint. The scaler is ready once the plugin is loaded and the gRPC port
/// is bound, which happens before this router serves; both probes therefore answer `ok`.
/// `POST /refresh` refreshes every tracked ScaledObject now (after a running refresh, never beside
/// it) and answers once all are stored, with how many there were.
pub fn router(metrics: Arc<Metrics>, registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/refresh", post(move || async move { format!("refreshed {}\n", registry.refresh_all().await) }))
        .route("/metrics", get(move || async move { ([(CONTENT_TYPE, METRICS_CONTENT_TYPE)], metrics.encode()) }))
        .route("/healthz", get(|| async { "ok\n".into_response() }))
        .route("/readyz", get(|| async { "ok\n".into_response() }))
}
