//! KEDA's `externalscaler.ExternalScaler` gRPC service, answered from the registry's cache.

use crate::registry::{Reading, Registry, Tracked};
use crate::telemetry::{Method, Metrics};
use corridor_keda_proto::external_scaler_server::ExternalScaler;
use corridor_keda_proto::{
    GetMetricSpecResponse, GetMetricsRequest, GetMetricsResponse, IsActiveResponse, MetricSpec, MetricValue,
    ScaledObjectRef,
};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

/// The scaler service.
pub struct Scaler {
    registry: Arc<Registry>,
    metrics: Arc<Metrics>,
    first_answer_wait: Duration,
    stale_after: Duration,
}

impl Scaler {
    /// A service over `registry`; a request for an object without any reading yet waits at most
    /// `first_answer_wait` for its first refresh, and a value whose data is older than
    /// `stale_after` is refused.
    pub fn new(
        registry: Arc<Registry>,
        metrics: Arc<Metrics>,
        first_answer_wait: Duration,
        stale_after: Duration,
    ) -> Self {
        Self { registry, metrics, first_answer_wait, stale_after }
    }

    fn track(&self, object: Option<&ScaledObjectRef>) -> Result<Arc<Tracked>, Status> {
        let object = object.ok_or_else(|| Status::invalid_argument("scaledObjectRef is required"))?;
        self.registry
            .track(&object.namespace, &object.name, &object.scaler_metadata)
            .map_err(|e| Status::invalid_argument(e.to_string()))
    }

    async fn value(&self, tracked: &Tracked) -> Result<f64, Status> {
        let reading = match tracked.reading() {
            Some(reading) => reading,
            None => tracked.first_reading(self.first_answer_wait).await.unwrap_or_default(),
        };
        let Reading { value, fallback, fetched_at, .. } = reading;
        if let Some(age) = fetched_at.map(|t| t.elapsed()).filter(|age| *age > self.stale_after) {
            return Err(Status::unavailable(format!(
                "the last Prometheus data for {} is {} s old, over the {} s limit; see the scaler's log",
                tracked.config.query,
                age.as_secs(),
                self.stale_after.as_secs()
            )));
        }
        value.ok_or_else(|| {
            let why = fallback.map_or("the first refresh has not finished".to_string(), |r| format!("{r:?}"));
            Status::unavailable(format!("no load known yet for {} ({why}); see the scaler's log", tracked.config.query))
        })
    }

    fn timed<T>(&self, method: Method, started: Instant, answer: T) -> T {
        self.metrics.request(method, started.elapsed().as_secs_f64());
        answer
    }
}

type Streamed<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl ExternalScaler for Scaler {
    async fn is_active(&self, request: Request<ScaledObjectRef>) -> Result<Response<IsActiveResponse>, Status> {
        let started = Instant::now();
        let answer = async {
            let tracked = self.track(Some(request.get_ref()))?;
            let value = self.value(&tracked).await?;
            Ok(Response::new(IsActiveResponse { result: value > tracked.config.activation_threshold }))
        }
        .await;
        self.timed(Method::IsActive, started, answer)
    }

    type StreamIsActiveStream = Streamed<IsActiveResponse>;

    async fn stream_is_active(
        &self,
        _request: Request<ScaledObjectRef>,
    ) -> Result<Response<Self::StreamIsActiveStream>, Status> {
        Err(Status::unimplemented("push scaling is not offered; KEDA polls IsActive"))
    }

    async fn get_metric_spec(
        &self,
        request: Request<ScaledObjectRef>,
    ) -> Result<Response<GetMetricSpecResponse>, Status> {
        let started = Instant::now();
        let answer = self.track(Some(request.get_ref())).map(|tracked| {
            let target = tracked.config.target_per_replica;
            Response::new(GetMetricSpecResponse {
                metric_specs: vec![MetricSpec {
                    metric_name: tracked.config.metric_name.clone(),
                    target_size: target.round().max(1.0) as i64,
                    target_size_float: target,
                }],
            })
        });
        self.timed(Method::GetMetricSpec, started, answer)
    }

    async fn get_metrics(&self, request: Request<GetMetricsRequest>) -> Result<Response<GetMetricsResponse>, Status> {
        let started = Instant::now();
        let answer = async {
            let tracked = self.track(request.get_ref().scaled_object_ref.as_ref())?;
            let value = self.value(&tracked).await?;
            Ok(Response::new(GetMetricsResponse {
                metric_values: vec![MetricValue {
                    metric_name: tracked.config.metric_name.clone(),
                    metric_value: value.round() as i64,
                    metric_value_float: value,
                }],
            }))
        }
        .await;
        self.timed(Method::GetMetrics, started, answer)
    }

    type StreamMetricSpecStream = Streamed<GetMetricSpecResponse>;

    async fn stream_metric_spec(
        &self,
        _request: Request<ScaledObjectRef>,
    ) -> Result<Response<Self::StreamMetricSpecStream>, Status> {
        Err(Status::unimplemented("metric specs are not pushed; KEDA polls GetMetricSpec"))
    }
}
