//! The scaler's own Prometheus metrics.

use prometheus_client::encoding::{text, EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// A ScaledObject's identity in metric labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ObjectLabels {
    /// Kubernetes namespace.
    pub namespace: String,
    /// ScaledObject name.
    pub name: String,
}

/// Why a value other than a fresh forecast is served.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum FallbackReason {
    /// Prometheus down, slow or refusing the query.
    prometheus_error,
    /// The query has no data in the history window.
    no_data,
    /// Too little history to forecast.
    short_history,
    /// The engine refused or failed the forecast.
    forecast_error,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FallbackLabels {
    namespace: String,
    name: String,
    reason: FallbackReason,
}

/// What failed.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum ErrorKind {
    /// A Prometheus request.
    prometheus,
    /// A plugin call.
    plugin,
    /// A ScaledObject's metadata.
    metadata,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    kind: ErrorKind,
}

/// A gRPC method whose latency is recorded.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Method {
    /// `IsActive`.
    IsActive,
    /// `GetMetricSpec`.
    GetMetricSpec,
    /// `GetMetrics`.
    GetMetrics,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: Method,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Every metric the scaler exposes.
pub struct Metrics {
    registry: Registry,
    served: Family<ObjectLabels, FloatGauge>,
    forecast: Family<ObjectLabels, FloatGauge>,
    fallbacks: Family<FallbackLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    /// Latency histograms of [`Method::IsActive`], [`Method::GetMetricSpec`] and
    /// [`Method::GetMetrics`], resolved once so that a request does not look its family member up.
    requests: [Histogram; 3],
    refreshes: Histogram,
    objects: Gauge,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 18))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("corridor_scaler");
        let requests = Family::<MethodLabels, Histogram>::new_with_constructor(latency_histogram);
        let method = |method| requests.get_or_create(&MethodLabels { method }).clone();
        let metrics = Self {
            served: Family::default(),
            forecast: Family::default(),
            fallbacks: Family::default(),
            errors: Family::default(),
            requests: [method(Method::IsActive), method(Method::GetMetricSpec), method(Method::GetMetrics)],
            refreshes: Histogram::new(exponential_buckets(0.001, 2.0, 16)),
            objects: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("value", "Load value served to KEDA per ScaledObject", metrics.served.clone());
        registry.register("forecast", "Last good forecast load per ScaledObject", metrics.forecast.clone());
        registry.register("fallbacks", "Refreshes that served a fallback, by reason", metrics.fallbacks.clone());
        registry.register("errors", "Failures, by kind", metrics.errors.clone());
        registry.register("request_duration_seconds", "gRPC request latency, by method", requests);
        registry.register("refresh_duration_seconds", "Time of one ScaledObject refresh", metrics.refreshes.clone());
        registry.register("scaled_objects", "ScaledObjects tracked", metrics.objects.clone());
        Self { registry, ..metrics }
    }
}

impl Metrics {
    /// The text exposition format of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }

    /// Records the value served and, when fresh, the forecast.
    pub fn set_value(&self, object: &ObjectLabels, value: f64, forecast: Option<f64>) {
        self.served.get_or_create(object).set(value);
        if let Some(f) = forecast {
            self.forecast.get_or_create(object).set(f);
        }
    }

    /// Counts a fallback.
    pub fn fallback(&self, object: &ObjectLabels, reason: FallbackReason) {
        let labels = FallbackLabels { namespace: object.namespace.clone(), name: object.name.clone(), reason };
        self.fallbacks.get_or_create(&labels).inc();
    }

    /// Counts a failure.
    pub fn error(&self, kind: ErrorKind) {
        self.errors.get_or_create(&ErrorLabels { kind }).inc();
    }

    /// Records the latency of one gRPC request.
    pub fn request(&self, method: Method, seconds: f64) {
        self.requests[method as usize].observe(seconds);
    }

    /// Records the time of one refresh.
    pub fn refresh(&self, seconds: f64) {
        self.refreshes.observe(seconds);
    }

    /// Sets the number of tracked ScaledObjects and drops the series of a forgotten one.
    pub fn tracked(&self, count: usize, forgotten: Option<&ObjectLabels>) {
        self.objects.set(count as i64);
        if let Some(object) = forgotten {
            self.served.remove(object);
            self.forecast.remove(object);
        }
    }
}
