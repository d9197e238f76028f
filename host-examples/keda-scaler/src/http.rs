//! The HTTP side: `/metrics` (Prometheus text format), `/healthz` and `/readyz`.

use crate::telemetry::Metrics;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// Content type of the Prometheus text exposition format.
const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Routes of the HTTP endpoint. The scaler is ready once the plugin is loaded and the gRPC port
/// is bound, which happens before this router serves; both probes therefore answer `ok`.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(move || async move { ([(CONTENT_TYPE, METRICS_CONTENT_TYPE)], metrics.encode()) }))
        .route("/healthz", get(|| async { "ok\n".into_response() }))
        .route("/readyz", get(|| async { "ok\n".into_response() }))
}
