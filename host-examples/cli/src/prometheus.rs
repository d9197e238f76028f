//! Reading a series from Prometheus' HTTP API (`/api/v1/query_range`).

use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Most points Prometheus returns per series and query; longer ranges are fetched in pieces.
const POINTS_PER_QUERY: u64 = 10_000;
/// Time limit of one HTTP request.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Parses a Prometheus duration such as `14d`, `90s` or `1h30m` into seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let invalid = || format!("{text:?} is not a duration like 90s, 15m, 1h30m, 14d or 2w");
    let (mut total, mut digits) = (0u64, String::new());
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            'y' => 31_536_000,
            _ => return Err(invalid()),
        };
        let n: u64 = digits.parse().map_err(|_| invalid())?;
        total = n.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or_else(invalid)?;
        digits.clear();
    }
    if !digits.is_empty() || total == 0 {
        return Err(invalid());
    }
    Ok(total)
}

/// Fetches `query` over the last `range_s` seconds at `step_s` from the Prometheus at `url`,
/// as `(timestamps in seconds, values)`. The query must give exactly one series.
pub fn query_range(url: &str, query: &str, range_s: u64, step_s: u64) -> Result<(Vec<f64>, Vec<f64>), String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    let end = now - now % step_s;
    let mut start = end.saturating_sub(range_s);
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    while start <= end {
        let piece_end = (start + step_s * (POINTS_PER_QUERY - 1)).min(end);
        let (t, v) = fetch(url, query, start, piece_end, step_s)?;
        timestamps.extend(t);
        values.extend(v);
        start = piece_end + step_s;
    }
    if timestamps.is_empty() {
        return Err(format!("{url}: the query {query:?} returned no data over the range"));
    }
    Ok((timestamps, values))
}

/// One `query_range` call.
fn fetch(url: &str, query: &str, start: u64, end: u64, step_s: u64) -> Result<(Vec<f64>, Vec<f64>), String> {
    let endpoint = format!("{}/api/v1/query_range", url.trim_end_matches('/'));
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(TIMEOUT)).http_status_as_error(false).build().into();
    let mut response = agent
        .get(&endpoint)
        .query("query", query)
        .query("start", start.to_string())
        .query("end", end.to_string())
        .query("step", step_s.to_string())
        .call()
        .map_err(|e| format!("{endpoint}: {e}"))?;
    let status = response.status();
    let body = response.body_mut().read_to_string().map_err(|e| format!("{endpoint}: {e}"))?;
    let answer: Value = serde_json::from_str(&body)
        .map_err(|_| format!("{endpoint}: HTTP {status}, not a Prometheus API answer: {}", body.trim()))?;
    if answer["status"] != "success" {
        return Err(format!(
            "{endpoint}: HTTP {status}: {} ({})",
            answer["error"].as_str().unwrap_or("error"),
            answer["errorType"].as_str().unwrap_or("unknown")
        ));
    }
    series(&answer["data"]["result"]).map_err(|e| format!("{endpoint}: query {query:?}: {e}"))
}

/// The one series of a matrix result.
fn series(result: &Value) -> Result<(Vec<f64>, Vec<f64>), String> {
    let result = result.as_array().ok_or("the answer holds no matrix")?;
    match result.len() {
        0 => return Ok((Vec::new(), Vec::new())),
        1 => {}
        n => return Err(format!("{n} series came back; Corridor learns one: aggregate them, e.g. sum(...)")),
    }
    let pairs = result[0]["values"].as_array().ok_or("the series holds no values")?;
    let mut timestamps = Vec::with_capacity(pairs.len());
    let mut values = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let t = pair[0].as_f64().ok_or("a sample has no timestamp")?;
        // Prometheus writes values as strings, NaN and ±Inf included; the engine cleans those.
        let v = pair[1].as_str().and_then(|s| s.parse::<f64>().ok()).ok_or("a sample has no value")?;
        timestamps.push(t);
        values.push(v);
    }
    Ok((timestamps, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_prometheus() {
        assert_eq!(parse_duration("14d"), Ok(14 * 86_400));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("1m"), Ok(60));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("1x").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn a_matrix_with_one_series_becomes_columns() {
        let result = serde_json::json!([{"metric": {}, "values": [[1.0, "2.5"], [61.0, "NaN"]]}]);
        let (t, v) = series(&result).unwrap();
        assert_eq!(t, vec![1.0, 61.0]);
        assert_eq!(v[0], 2.5);
        assert!(v[1].is_nan());
        let two = serde_json::json!([{"values": []}, {"values": []}]);
        assert!(series(&two).unwrap_err().contains("aggregate"));
    }
}
