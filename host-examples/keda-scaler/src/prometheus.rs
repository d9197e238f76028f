//! Load history from Prometheus' `/api/v1/query_range`, split into requests under its point limit.

use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// Points one `query_range` request may ask for (Prometheus refuses more than 11,000).
pub const MAX_POINTS_PER_REQUEST: u64 = 10_000;

/// A load history: seconds since the epoch and values (NaN where Prometheus has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Sample times, seconds since the epoch, increasing.
    pub timestamps: Vec<i64>,
    /// Sample values.
    pub values: Vec<f64>,
}

impl Series {
    /// The most recent finite value.
    pub fn last_value(&self) -> Option<f64> {
        self.values.iter().rev().copied().find(|v| v.is_finite())
    }

    /// Number of finite values.
    pub fn observed(&self) -> usize {
        self.values.iter().filter(|v| v.is_finite()).count()
    }
}

/// Why a history could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// No answer: connection refused, DNS, timeout.
    Unreachable(String),
    /// Prometheus answered with an error (bad query, overload).
    Rejected(String),
    /// The query returns several series; the scaler needs one.
    SeveralSeries(usize),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(m) => write!(f, "Prometheus unreachable: {m}"),
            Self::Rejected(m) => write!(f, "Prometheus rejected the query: {m}"),
            Self::SeveralSeries(n) => write!(f, "the query returns {n} series; aggregate it to one (e.g. sum(...))"),
        }
    }
}

/// A Prometheus HTTP API client with a timeout per request.
#[derive(Clone)]
pub struct Prometheus {
    agent: ureq::Agent,
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    data: Option<Matrix>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Matrix {
    result: Vec<RangeSeries>,
}

#[derive(Deserialize)]
struct RangeSeries {
    values: Vec<(f64, String)>,
}

impl Prometheus {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build();
        Self { agent: agent.into() }
    }

    /// Values of `query` from `start` to `end` (seconds, inclusive) every `step_s` seconds, in as many
    /// requests as the point limit needs. Blocking.
    pub fn query_range(
        &self,
        base: &str,
        query: &str,
        start: i64,
        end: i64,
        step_s: i64,
    ) -> Result<Series, FetchError> {
        let chunk = step_s * (MAX_POINTS_PER_REQUEST as i64 - 1);
        let mut series = Series::default();
        let mut from = start;
        while from <= end {
            let to = (from + chunk).min(end);
            let part = self.request(base, query, from, to, step_s)?;
            series.timestamps.extend(part.timestamps);
            series.values.extend(part.values);
            from = to + step_s;
        }
        Ok(series)
    }

    fn request(&self, base: &str, query: &str, start: i64, end: i64, step_s: i64) -> Result<Series, FetchError> {
        let mut response = self
            .agent
            .get(format!("{base}/api/v1/query_range"))
            .query("query", query)
            .query("start", start.to_string())
            .query("end", end.to_string())
            .query("step", step_s.to_string())
            .call()
            .map_err(|e| FetchError::Unreachable(e.to_string()))?;
        let status = response.status();
        let answer: Answer = response
            .body_mut()
            .read_json()
            .map_err(|e| FetchError::Rejected(format!("HTTP {status} with an unreadable body: {e}")))?;
        if answer.status != "success" {
            return Err(FetchError::Rejected(answer.error.unwrap_or_else(|| format!("HTTP {status}"))));
        }
        let mut result = answer.data.map(|d| d.result).unwrap_or_default();
        match result.len() {
            0 => Ok(Series::default()),
            1 => {
                let (timestamps, values) = result
                    .remove(0)
                    .values
                    .into_iter()
                    .map(|(t, v)| (t.round() as i64, v.parse::<f64>().unwrap_or(f64::NAN)))
                    .unzip();
                Ok(Series { timestamps, values })
            }
            n => Err(FetchError::SeveralSeries(n)),
        }
    }
}
