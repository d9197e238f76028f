//! A ScaledObject's trigger metadata (`scalerMetadata`), read and checked.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// Metric name reported to KEDA when the metadata names none.
pub const DEFAULT_METRIC_NAME: &str = "corridor-forecast";
/// Most points one ScaledObject's history may hold (history window / step).
pub const MAX_HISTORY_POINTS: u64 = 100_000;
/// Most forecast steps (lead time / step), the engine's limit.
pub const MAX_HORIZON: u64 = 10_000;

/// How one ScaledObject is scaled: where its load comes from and how far ahead to plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalerConfig {
    /// Prometheus base URL (`serverAddress`), e.g. `http://prometheus.monitoring:9090`.
    pub server_address: String,
    /// PromQL query returning one series: the load (`query`).
    pub query: String,
    /// Load one replica serves (`targetPerReplica`), positive.
    pub target_per_replica: f64,
    /// Time a new replica needs to serve (`leadTime`, default 5m): the forecast looks this far ahead.
    pub lead_time: Duration,
    /// History fitted at each refresh (`historyWindow`, default 7d).
    pub history_window: Duration,
    /// Resolution of the history (`step`, default 1m).
    pub step: Duration,
    /// Forecast quantile planned for (`quantile`, default 0.9; 0.5 is the point forecast).
    pub quantile: f64,
    /// Load above which the workload is active (`activationThreshold`, default 0).
    pub activation_threshold: f64,
    /// Metric name reported to KEDA (`metricName`, default [`DEFAULT_METRIC_NAME`]).
    pub metric_name: String,
}

/// Metadata that cannot configure a scaler: the key at fault and why.
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataError {
    /// The metadata key.
    pub key: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scalerMetadata.{}: {}", self.key, self.message)
    }
}

impl std::error::Error for MetadataError {}

impl ScalerConfig {
    /// Reads the trigger metadata; unknown keys are ignored (KEDA forwards all of them).
    pub fn from_metadata(metadata: &HashMap<String, String>) -> Result<Self, MetadataError> {
        let text = |key: &'static str| metadata.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let required = |key: &'static str| text(key).ok_or_else(|| error(key, "is required"));
        let server_address = required("serverAddress")?;
        if !(server_address.starts_with("http://") || server_address.starts_with("https://")) {
            return Err(error("serverAddress", format!("must be an http:// or https:// URL, got {server_address:?}")));
        }
        let number = |key: &'static str, default: f64| -> Result<f64, MetadataError> {
            text(key).map_or(Ok(default), |v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| error(key, format!("must be a number, got {v:?}")))
            })
        };
        let duration = |key: &'static str, default: &str| -> Result<Duration, MetadataError> {
            let v = text(key).unwrap_or(default);
            parse_duration(v)
                .ok_or_else(|| error(key, format!("must be a positive duration such as 90s, 5m, 1h or 7d, got {v:?}")))
        };
        let target_per_replica = number("targetPerReplica", f64::NAN)?;
        if text("targetPerReplica").is_none() {
            return Err(error("targetPerReplica", "is required"));
        }
        if target_per_replica <= 0.0 {
            return Err(error("targetPerReplica", format!("must be positive, got {target_per_replica}")));
        }
        let quantile = number("quantile", 0.9)?;
        if !(0.5..1.0).contains(&quantile) {
            return Err(error("quantile", format!("must be in [0.5, 1), got {quantile}")));
        }
        let config = Self {
            server_address: server_address.trim_end_matches('/').to_string(),
            query: required("query")?.to_string(),
            target_per_replica,
            lead_time: duration("leadTime", "5m")?,
            history_window: duration("historyWindow", "7d")?,
            step: duration("step", "1m")?,
            quantile,
            activation_threshold: number("activationThreshold", 0.0)?,
            metric_name: text("metricName").unwrap_or(DEFAULT_METRIC_NAME).to_string(),
        };
        config.check_sizes()?;
        Ok(config)
    }

    /// Forecast steps that cover the lead time (at least one).
    pub fn horizon(&self) -> usize {
        self.lead_time.as_secs().div_ceil(self.step.as_secs()).max(1) as usize
    }

    /// The interval level (percent) whose upper bound is the quantile; `None` for the median.
    pub fn interval_level(&self) -> Option<f64> {
        (self.quantile > 0.5).then_some((2.0 * self.quantile - 1.0) * 100.0)
    }

    fn check_sizes(&self) -> Result<(), MetadataError> {
        let points = self.history_window.as_secs() / self.step.as_secs();
        if points < 2 {
            return Err(error("historyWindow", "must span at least two steps"));
        }
        if points > MAX_HISTORY_POINTS {
            return Err(error(
                "historyWindow",
                format!("spans {points} steps; at most {MAX_HISTORY_POINTS} (widen the step)"),
            ));
        }
        if self.horizon() as u64 > MAX_HORIZON {
            return Err(error("leadTime", format!("spans more than {MAX_HORIZON} steps (widen the step)")));
        }
        Ok(())
    }
}

fn error(key: &'static str, message: impl Into<String>) -> MetadataError {
    MetadataError { key, message: message.into() }
}

/// Whole seconds of `90`, `90s`, `5m`, `1h`, `7d` or `2w`; `None` when malformed or under a second.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit_s = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    let seconds = digits.parse::<u64>().ok()?.checked_mul(unit_s)?;
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut m: HashMap<String, String> = [
            ("serverAddress", "http://prometheus:9090/"),
            ("query", "sum(rate(http_requests_total[1m]))"),
            ("targetPerReplica", "50"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        m.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        m
    }

    #[test]
    fn defaults_fill_what_is_left_out() {
        let c = ScalerConfig::from_metadata(&metadata(&[])).unwrap();
        assert_eq!(c.server_address, "http://prometheus:9090");
        assert_eq!(c.lead_time, Duration::from_secs(300));
        assert_eq!(c.history_window, Duration::from_secs(7 * 86_400));
        assert_eq!(c.horizon(), 5);
        assert_eq!(c.interval_level(), Some(80.0));
        assert_eq!(c.metric_name, DEFAULT_METRIC_NAME);
    }

    #[test]
    fn median_plans_on_the_point_forecast() {
        let c = ScalerConfig::from_metadata(&metadata(&[("quantile", "0.5"), ("leadTime", "90s")])).unwrap();
        assert_eq!(c.interval_level(), None);
        assert_eq!(c.horizon(), 2);
    }

    #[test]
    fn bad_values_name_their_key() {
        for (key, value) in [
            ("targetPerReplica", "abc"),
            ("targetPerReplica", "0"),
            ("targetPerReplica", ""),
            ("serverAddress", "prometheus:9090"),
            ("query", " "),
            ("quantile", "1"),
            ("leadTime", "5 minutes"),
            ("historyWindow", "0s"),
            ("step", "-1m"),
            ("activationThreshold", "NaN"),
        ] {
            let e = ScalerConfig::from_metadata(&metadata(&[(key, value)])).unwrap_err();
            assert_eq!(e.key, key, "{value}");
            assert!(e.to_string().starts_with(&format!("scalerMetadata.{key}: ")));
        }
        let e = ScalerConfig::from_metadata(&metadata(&[("historyWindow", "1w"), ("step", "1s")])).unwrap_err();
        assert_eq!(e.key, "historyWindow");
    }

    #[test]
    fn durations_read_their_unit() {
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2w"), Some(Duration::from_secs(1_209_600)));
        assert_eq!(parse_duration("1.5h"), None);
        assert_eq!(parse_duration("m"), None);
    }
}
