//! The ScaledObjects the scaler tracks, the last answer of each, and their refresh.
//!
//! A refresh reads the history from Prometheus, forecasts it and stores the load to plan for;
//! gRPC requests only read what the last refresh stored. When a refresh cannot forecast, the
//! answer falls back: Prometheus down, slow or without data keeps the last good forecast (or,
//! when there never was one, the last observed load); too little history serves the load
//! observed now (reactive). Every fallback is logged and counted.

use crate::config::ScalerConfig;
use crate::engine::{forecast_request, planned_load, Engine};
use crate::prometheus::{FetchError, Prometheus, Series};
use crate::telemetry::{ErrorKind, FallbackReason, Metrics, ObjectLabels};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Observed points below which a history is too short to forecast (one hour at the default step).
pub const MIN_HISTORY_POINTS: usize = 60;

/// What a refresh left for the gRPC requests to serve.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Reading {
    /// The load to plan for, if any is known.
    pub value: Option<f64>,
    /// The last good forecast load.
    pub forecast: Option<f64>,
    /// The last load observed.
    pub observed: Option<f64>,
    /// Why `value` is not a fresh forecast.
    pub fallback: Option<FallbackReason>,
    /// When the Prometheus data behind `value` was read.
    pub fetched_at: Option<Instant>,
}

/// One tracked ScaledObject.
pub struct Tracked {
    /// Its configuration.
    pub config: ScalerConfig,
    metadata: HashMap<String, String>,
    labels: ObjectLabels,
    reading: watch::Sender<Option<Reading>>,
    last_asked_s: AtomicU64,
}

impl Tracked {
    /// The last reading; `None` until the first refresh ends.
    pub fn reading(&self) -> Option<Reading> {
        *self.reading.borrow()
    }

    /// Waits up to `limit` for the first refresh to end.
    pub async fn first_reading(&self, limit: Duration) -> Option<Reading> {
        let mut receiver = self.reading.subscribe();
        let waited = tokio::time::timeout(limit, receiver.wait_for(Option::is_some)).await;
        waited.ok().and_then(|r| r.ok().and_then(|r| *r))
    }
}

/// Settings shared by every refresh.
pub struct RefreshSettings {
    /// Prometheus client.
    pub prometheus: Prometheus,
    /// ScaledObjects not asked about for this long are forgotten.
    pub forget_after: Duration,
    /// Refreshes run at once in [`Registry::refresh_all`].
    pub concurrency: usize,
}

/// Tracked ScaledObjects by namespace, then name: a request looks its object up by `&str`, with
/// no allocation.
type Objects = HashMap<String, HashMap<String, Arc<Tracked>>>;

/// Every tracked ScaledObject, by namespace and name.
pub struct Registry {
    objects: RwLock<Objects>,
    engine: Arc<Engine>,
    settings: RefreshSettings,
    metrics: Arc<Metrics>,
    /// Held through a [`Registry::refresh_all`], so that two never interleave and an older
    /// refresh cannot store its reading over a newer one.
    refreshing: tokio::sync::Mutex<()>,
}

fn count(objects: &Objects) -> usize {
    objects.values().map(HashMap::len).sum()
}

fn now_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Registry {
    /// An empty registry.
    pub fn new(engine: Arc<Engine>, settings: RefreshSettings, metrics: Arc<Metrics>) -> Self {
        Self { objects: RwLock::default(), engine, settings, metrics, refreshing: tokio::sync::Mutex::new(()) }
    }

    /// The tracked object for this reference, registered (and its first refresh started) when new
    /// or when its metadata changed. Fails on bad metadata.
    pub fn track(
        self: &Arc<Self>,
        namespace: &str,
        name: &str,
        metadata: &HashMap<String, String>,
    ) -> Result<Arc<Tracked>, crate::config::MetadataError> {
        let known = self.objects.read().expect("registry lock").get(namespace).and_then(|n| n.get(name)).cloned();
        if let Some(tracked) = known.filter(|t| &t.metadata == metadata) {
            tracked.last_asked_s.store(now_s(), Ordering::Relaxed);
            return Ok(tracked);
        }
        let config = ScalerConfig::from_metadata(metadata).inspect_err(|_| self.metrics.error(ErrorKind::metadata))?;
        let labels = ObjectLabels { namespace: namespace.to_string(), name: name.to_string() };
        let tracked = Arc::new(Tracked {
            config,
            metadata: metadata.clone(),
            labels,
            reading: watch::Sender::new(None),
            last_asked_s: AtomicU64::new(now_s()),
        });
        let count = {
            let mut objects = self.objects.write().expect("registry lock");
            objects.entry(namespace.to_string()).or_default().insert(name.to_string(), tracked.clone());
            count(&objects)
        };
        self.metrics.tracked(count, None);
        tracing::info!(namespace, name, query = %tracked.config.query, "tracking ScaledObject");
        let registry = self.clone();
        let first = tracked.clone();
        tokio::spawn(async move { registry.refresh(&first).await });
        Ok(tracked)
    }

    /// Forgets idle objects and refreshes every other one, at most the configured concurrency at a
    /// time, after any refresh already running; returns how many were refreshed.
    pub async fn refresh_all(self: &Arc<Self>) -> usize {
        let _one_at_a_time = self.refreshing.lock().await;
        self.forget_idle();
        let objects: Vec<Arc<Tracked>> =
            self.objects.read().expect("registry lock").values().flat_map(|n| n.values().cloned()).collect();
        let refreshed = objects.len();
        let gate = Arc::new(tokio::sync::Semaphore::new(self.settings.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for tracked in objects {
            let (registry, gate) = (self.clone(), gate.clone());
            tasks.spawn(async move {
                let _permit = gate.acquire().await;
                registry.refresh(&tracked).await;
            });
        }
        while tasks.join_next().await.is_some() {}
        refreshed
    }

    fn forget_idle(&self) {
        let cutoff = now_s().saturating_sub(self.settings.forget_after.as_secs());
        let mut objects = self.objects.write().expect("registry lock");
        let mut forgotten = Vec::new();
        for names in objects.values_mut() {
            names.retain(|_, t| {
                let keep = t.last_asked_s.load(Ordering::Relaxed) >= cutoff;
                if !keep {
                    forgotten.push(t.labels.clone());
                }
                keep
            });
        }
        objects.retain(|_, names| !names.is_empty());
        for labels in forgotten {
            tracing::info!(namespace = %labels.namespace, name = %labels.name, "forgetting idle ScaledObject");
            self.metrics.tracked(count(&objects), Some(&labels));
        }
    }

    /// Reads, forecasts and stores one object's answer; falls back as the module describes.
    pub async fn refresh(&self, tracked: &Tracked) {
        let started = Instant::now();
        let previous = tracked.reading().unwrap_or_default();
        let config = &tracked.config;
        let step = config.step.as_secs() as i64;
        let end = now_s() as i64 / step * step;
        let start = end - config.history_window.as_secs() as i64;
        let (prometheus, base, query) =
            (self.settings.prometheus.clone(), config.server_address.clone(), config.query.clone());
        let fetched = tokio::task::spawn_blocking(move || prometheus.query_range(&base, &query, start, end, step))
            .await
            .unwrap_or_else(|e| Err(FetchError::Unreachable(e.to_string())));
        let reading = match fetched {
            Err(e) => {
                self.metrics.error(ErrorKind::prometheus);
                self.fall_back(tracked, previous, FallbackReason::prometheus_error, &e.to_string())
            }
            Ok(series) if series.observed() == 0 => self.fall_back(
                tracked,
                previous,
                FallbackReason::no_data,
                "the query has no data in the history window",
            ),
            Ok(series) if series.observed() < MIN_HISTORY_POINTS.max(2 * config.horizon()) => {
                let message =
                    format!("too little history to forecast ({} points); serving the load now", series.observed());
                self.reactive(tracked, &series, FallbackReason::short_history, &message)
            }
            Ok(series) => self.forecast(tracked, &series).await,
        };
        self.metrics.set_value(
            &tracked.labels,
            reading.value.unwrap_or(0.0),
            reading.forecast.filter(|_| reading.fallback.is_none()),
        );
        tracked.reading.send_replace(Some(reading));
        self.metrics.refresh(started.elapsed().as_secs_f64());
    }

    async fn forecast(&self, tracked: &Tracked, series: &Series) -> Reading {
        let observed = series.last_value().unwrap_or(0.0);
        let answer = self.engine.call("forecast", forecast_request(series, &tracked.config)).await;
        match answer.and_then(|f| planned_load(&f, observed, &tracked.config)) {
            Ok(value) => {
                tracing::debug!(namespace = %tracked.labels.namespace, name = %tracked.labels.name, value, "forecast");
                Reading {
                    value: Some(value),
                    forecast: Some(value),
                    observed: Some(observed),
                    fallback: None,
                    fetched_at: Some(Instant::now()),
                }
            }
            Err(e) => {
                self.metrics.error(ErrorKind::plugin);
                self.reactive(tracked, series, FallbackReason::forecast_error, &e)
            }
        }
    }

    fn reactive(&self, tracked: &Tracked, series: &Series, reason: FallbackReason, message: &str) -> Reading {
        let observed = series.last_value();
        self.log_fallback(tracked, reason, message);
        Reading { value: observed, forecast: None, observed, fallback: Some(reason), fetched_at: Some(Instant::now()) }
    }

    fn fall_back(&self, tracked: &Tracked, previous: Reading, reason: FallbackReason, message: &str) -> Reading {
        self.log_fallback(tracked, reason, message);
        Reading { value: previous.forecast.or(previous.observed), fallback: Some(reason), ..previous }
    }

    fn log_fallback(&self, tracked: &Tracked, reason: FallbackReason, message: &str) {
        self.metrics.fallback(&tracked.labels, reason);
        tracing::warn!(
            namespace = %tracked.labels.namespace,
            name = %tracked.labels.name,
            reason = ?reason,
            "{message}; falling back"
        );
    }
}
