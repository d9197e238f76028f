//! A Prometheus stand-in for replays: serves one recorded series through `/api/v1/query_range`
//! (the JSON the Prometheus HTTP API answers), shifted in time so that a simulated "now" set by
//! the benchmark falls on the real clock's present. Points after the simulated now are never
//! served, so a client cannot see the future of the replay.

use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The series and the mapping of real time onto simulated time.
struct Clock {
    /// Seconds between points; point `j` is at `j * step_s` seconds of simulated time.
    step_s: i64,
    values: Vec<f64>,
    /// Simulated time minus real time, seconds.
    offset_s: i64,
    /// Simulated now: the last point that may be served.
    now_s: i64,
    /// The simulated time the last request's `end` fell on.
    last_end_s: Option<i64>,
}

/// A running stand-in, serving on a loopback port from its own thread until the process ends.
#[derive(Clone)]
pub struct ReplayPrometheus {
    clock: Arc<Mutex<Clock>>,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

/// A JSON answer with its status.
fn answer(status: StatusCode, body: &Value) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// Why a `query_range` request cannot be answered (Prometheus' `bad_data` error).
#[derive(Debug, Clone, PartialEq)]
struct BadData(String);

impl IntoResponse for BadData {
    fn into_response(self) -> Response {
        answer(StatusCode::BAD_REQUEST, &json!({"status": "error", "errorType": "bad_data", "error": self.0}))
    }
}

impl ReplayPrometheus {
    /// Serves `values` (one every `step_s` seconds of simulated time) on a free loopback port.
    pub fn start(step_s: i64, values: Vec<f64>) -> Result<Self, String> {
        let clock = Arc::new(Mutex::new(Clock { step_s, values, offset_s: 0, now_s: 0, last_end_s: None }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("replay Prometheus: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let address: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
        let routes = Router::new().route("/api/v1/query_range", get(query_range)).with_state(clock.clone());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("a listener from a bound socket");
                axum::serve(listener, routes).await.expect("the replay Prometheus serves");
            })
        });
        Ok(Self { clock, url: format!("http://{address}") })
    }

    /// Makes simulated `now_s` the point a query whose `end` is real `real_end_s` ends on.
    pub fn set_now(&self, now_s: i64, real_end_s: i64) {
        let mut clock = self.clock.lock().expect("replay clock");
        clock.offset_s = now_s - real_end_s;
        clock.now_s = now_s;
    }

    /// The simulated time the last request's `end` fell on, if any request came.
    pub fn last_end(&self) -> Option<i64> {
        self.clock.lock().expect("replay clock").last_end_s
    }
}

/// `GET /api/v1/query_range?query=..&start=..&end=..&step=..` with times and step in seconds.
async fn query_range(State(clock): State<Arc<Mutex<Clock>>>, RawQuery(query): RawQuery) -> Response {
    match matrix(&clock, &query.unwrap_or_default()) {
        Ok(body) => answer(StatusCode::OK, &body),
        Err(bad) => bad.into_response(),
    }
}

/// The answer to a `query_range` query string: the served points of the range, as a matrix.
fn matrix(clock: &Mutex<Clock>, query: &str) -> Result<Value, BadData> {
    let parameter = |name: &str| -> Result<f64, BadData> {
        let text = query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='));
        text.and_then(|t| t.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or_else(|| BadData(format!("invalid parameter {name:?}: expected seconds, got {text:?}")))
    };
    let (start, end, step) = (parameter("start")?, parameter("end")?, parameter("step")?);
    if step <= 0.0 || end < start {
        return Err(BadData(format!("bad range: start {start}, end {end}, step {step}")));
    }
    let mut clock = clock.lock().expect("replay clock");
    clock.last_end_s = Some(end as i64 + clock.offset_s);
    let mut points = Vec::new();
    let mut t = start;
    while t <= end {
        let simulated = t as i64 + clock.offset_s;
        let served = simulated.rem_euclid(clock.step_s) == 0 && simulated <= clock.now_s;
        let index = usize::try_from(simulated.div_euclid(clock.step_s)).ok().filter(|_| served);
        if let Some(value) = index.and_then(|i| clock.values.get(i)) {
            let time = if t.fract() == 0.0 { json!(t as i64) } else { json!(t) };
            points.push(json!([time, format!("{value}")]));
        }
        t += step;
    }
    let result = if points.is_empty() { vec![] } else { vec![json!({"metric": {}, "values": points})] };
    Ok(json!({"status": "success", "data": {"resultType": "matrix", "result": result}}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_keda_proto::testkit::http_get;

    fn get(prometheus: &ReplayPrometheus, query: &str) -> (u16, Value) {
        let address = prometheus.url.trim_start_matches("http://");
        let (status, body) = http_get(address, &format!("/api/v1/query_range?{query}")).unwrap();
        (status, serde_json::from_str(&body).unwrap())
    }

    #[test]
    fn serves_the_series_up_to_the_simulated_now_on_the_real_clock() {
        let prometheus = ReplayPrometheus::start(300, vec![1.0, 2.0, f64::NAN, 4.0, 5.0]).unwrap();
        let real_end = 1_800_000_000;
        prometheus.set_now(900, real_end);
        let range = format!("query=replayed_load&start={}&end={}&step=300", real_end - 1_200, real_end + 300);
        let (status, answer) = get(&prometheus, &range);
        assert_eq!(status, 200);
        assert_eq!(answer["status"], "success");
        let values = &answer["data"]["result"][0]["values"];
        let expected = json!([[real_end - 900, "1"], [real_end - 600, "2"], [real_end - 300, "NaN"], [real_end, "4"]]);
        assert_eq!(values, &expected, "points before the series start and after now are left out");
        assert_eq!(prometheus.last_end(), Some(1_200));
    }

    #[test]
    fn refuses_a_bad_range_and_has_no_data_before_the_series() {
        let prometheus = ReplayPrometheus::start(60, vec![1.0]).unwrap();
        prometheus.set_now(0, 600);
        let (status, answer) = get(&prometheus, "start=600&end=0&step=60");
        assert_eq!((status, answer["errorType"].as_str()), (400, Some("bad_data")));
        assert_eq!(get(&prometheus, "start=0&end=60&step=x").0, 400);
        let (status, answer) = get(&prometheus, "start=0&end=540&step=60");
        assert_eq!((status, answer["data"]["result"].as_array().map(Vec::len)), (200, Some(0)));
    }
}
