//! `corridor.wasm` through Extism: a small pool of plugin instances called off the async runtime,
//! and the load to plan for read from a forecast.

use crate::config::ScalerConfig;
use crate::prometheus::Series;
use extism::{Manifest, Plugin, Wasm};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Wall-clock limit of one plugin call.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Memory limit of one plugin instance, in 64 KiB pages (1 GiB).
const MAX_PAGES: u32 = 16_384;

/// Plugin instances shared by the refreshes; at most one call per instance at a time.
pub struct Engine {
    path: PathBuf,
    idle: Mutex<Vec<Plugin>>,
    permits: Semaphore,
}

impl Engine {
    /// Loads `instances` copies of the plugin at `path`.
    pub fn load(path: &Path, instances: usize) -> Result<Self, String> {
        let idle = (0..instances.max(1)).map(|_| load_plugin(path)).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { path: path.to_path_buf(), permits: Semaphore::new(idle.len()), idle: Mutex::new(idle) })
    }

    /// Calls `op` with `request` on an idle instance, in a blocking thread.
    pub async fn call(&self, op: &'static str, request: Value) -> Result<Value, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        let mut plugin = match self.idle.lock().expect("plugin pool lock").pop() {
            Some(plugin) => plugin,
            None => load_plugin(&self.path)?,
        };
        let (plugin, answer) = tokio::task::spawn_blocking(move || {
            let answer = call_plugin(&mut plugin, op, &request);
            (plugin, answer)
        })
        .await
        .map_err(|e| format!("plugin call {op} did not finish: {e}"))?;
        self.idle.lock().expect("plugin pool lock").push(plugin);
        answer
    }
}

fn load_plugin(path: &Path) -> Result<Plugin, String> {
    let manifest = Manifest::new([Wasm::file(path)]).with_timeout(CALL_TIMEOUT).with_memory_max(MAX_PAGES);
    Plugin::new(&manifest, [], false).map_err(|e| format!("{}: {e}", path.display()))
}

fn call_plugin(plugin: &mut Plugin, op: &str, request: &Value) -> Result<Value, String> {
    let input = serde_json::to_vec(request).map_err(|e| e.to_string())?;
    let output: Vec<u8> = plugin.call(op, input).map_err(|e| format!("plugin call {op} failed: {e}"))?;
    let answer: Value =
        serde_json::from_slice(&output).map_err(|e| format!("plugin answered {op} with invalid JSON: {e}"))?;
    match answer.get("error") {
        Some(error) => Err(format!("{op} refused the request: {error}")),
        None => Ok(answer),
    }
}

/// The `forecast` request for a history under a configuration.
pub fn forecast_request(series: &Series, config: &ScalerConfig) -> Value {
    let values: Vec<Value> = series.values.iter().map(|v| if v.is_finite() { json!(v) } else { Value::Null }).collect();
    json!({
        "version": "corridor.v1",
        "timestamps": series.timestamps,
        "values": values,
        "time_unit": "s",
        "options": {"horizon": config.horizon(), "levels": config.interval_level().into_iter().collect::<Vec<_>>()},
    })
}

/// The load to provision for now: the highest of the load observed now and the forecast quantile
/// over the lead time (the upper bound of the interval at the configured level, or the point
/// forecast for the median).
pub fn planned_load(forecast: &Value, observed_now: f64, config: &ScalerConfig) -> Result<f64, String> {
    let numbers = |v: &Value| -> Option<Vec<f64>> { v.as_array()?.iter().map(Value::as_f64).collect() };
    let path = match config.interval_level() {
        None => numbers(&forecast["point"]),
        Some(level) => forecast["intervals"]
            .as_array()
            .and_then(|all| all.iter().find(|i| i["level"].as_f64().is_some_and(|l| (l - level).abs() < 1e-9)))
            .and_then(|i| numbers(&i["upper"])),
    }
    .ok_or("the forecast has no path at the configured quantile")?;
    Ok(path.iter().take(config.horizon()).copied().fold(observed_now, f64::max))
}
