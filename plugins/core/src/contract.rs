//! The `corridor.v1` contract: request and response types of every operation, and [`call`],
//! the JSON-in, JSON-out entry point the plugins expose.
//!
//! Every request and response carries `"version": "corridor.v1"`. Errors are values:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`. Timestamps go in as seconds
//! or milliseconds since the epoch (see [`crate::series`]) and come out in milliseconds.
//!
//! Logs travel as a JSON string (`text`), so they are always valid Unicode here: a host that
//! holds raw bytes decodes them lossily first (invalid sequences become U+FFFD, as
//! [`crate::logs::analyze::analyze_bytes`] does and reports). An empty `text` gives no events
//! and no findings; lines over [`crate::logs::event::MAX_LINE_BYTES`] are cut, with a warning.

use crate::decode;
use crate::detect::{Anomaly, DetectOptions, Detector};
use crate::error::{Error, ErrorCode, Result};
use crate::explain::{ConfigSnippet, Explanation, LogSource};
use crate::forecast::{Forecast, ForecastOptions};
use crate::incident::signal::Labels;
use crate::incident::{CorrelateOptions, Correlator, DependencyGraph, Incident};
use crate::llm::{Endpoint, HttpRequest, HttpResponse, LlmError};
use crate::logs::analyze::Finding;
use crate::logs::analyze::{Analysis, AnalyzeOptions};
use crate::logs::drain::Miner;
use crate::scale::ScaleOptions;
use crate::scrub::{Mapping, Report, ScrubOptions};
use crate::seasonality::Seasonality;
use crate::series::TimeUnit;
use crate::warning::Warning;
use serde::de::value::SeqAccessDeserializer;
use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The contract version this engine speaks.
pub const VERSION: &str = "corridor.v1";

/// The operations [`call`] accepts.
pub const OPERATIONS: [&str; 11] = [
    "detect",
    "update",
    "baseline",
    "forecast",
    "scale",
    "logs_analyze",
    "scrub",
    "restore",
    "rules",
    "correlate",
    "explain",
];

/// How request timestamps are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestTimeUnit {
    /// Seconds below 10¹¹, milliseconds above.
    #[default]
    Auto,
    /// Seconds since the epoch.
    S,
    /// Milliseconds since the epoch.
    Ms,
}

impl From<RequestTimeUnit> for TimeUnit {
    fn from(unit: RequestTimeUnit) -> Self {
        match unit {
            RequestTimeUnit::Auto => TimeUnit::Auto,
            RequestTimeUnit::S => TimeUnit::Seconds,
            RequestTimeUnit::Ms => TimeUnit::Milliseconds,
        }
    }
}

/// `detect`: learn the corridor of a series and find its anomalies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// Timestamps, seconds or milliseconds since the epoch.
    pub timestamps: Vec<f64>,
    /// Values; NaN may be sent as `null`.
    #[serde(deserialize_with = "nullable_values")]
    pub values: Vec<f64>,
    /// How to read `timestamps`; default `auto`.
    #[serde(default)]
    pub time_unit: RequestTimeUnit,
    /// Detection options.
    #[serde(default)]
    pub options: DetectOptions,
}

/// Per-point results, column by column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Points {
    /// Timestamps in milliseconds.
    pub timestamps_ms: Vec<i64>,
    /// The values scored (after cleaning).
    pub values: Vec<f64>,
    /// Expected values (`null` during warm-up).
    pub expected: Vec<Option<f64>>,
    /// Lower corridor bounds (`null` during warm-up).
    pub lower: Vec<Option<f64>>,
    /// Upper corridor bounds (`null` during warm-up).
    pub upper: Vec<Option<f64>>,
    /// Anomaly scores in [0, 1].
    pub score: Vec<f64>,
}

impl Points {
    /// Empty columns with room for `n` points.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            timestamps_ms: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
            expected: Vec::with_capacity(n),
            lower: Vec::with_capacity(n),
            upper: Vec::with_capacity(n),
            score: Vec::with_capacity(n),
        }
    }
}

/// Answer to `detect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectResponse {
    /// [`VERSION`].
    pub version: String,
    /// Inferred step, ms.
    pub step_ms: i64,
    /// Periods assessed.
    pub seasonality: Seasonality,
    /// The period the corridor follows, if any.
    pub period_ms: Option<i64>,
    /// Points, anomalies, warnings and the state to pass to `update`.
    #[serde(flatten)]
    pub scored: Scored,
}

/// What scoring points produced; part of the `detect` and `update` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// Per-point results.
    pub points: Points,
    /// Anomalies closed by these points, and those still open (`ongoing`), by start time.
    pub anomalies: Vec<Anomaly>,
    /// Every repair and limit.
    pub warnings: Vec<Warning>,
    /// State for the next `update`.
    pub state: Detector,
}

/// `update`: score new points against a streaming state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// The `state` of the previous `detect` or `update`.
    pub state: Detector,
    /// New timestamps.
    pub timestamps: Vec<f64>,
    /// New values; NaN may be sent as `null`.
    #[serde(deserialize_with = "nullable_values")]
    pub values: Vec<f64>,
    /// How to read `timestamps`; default `auto`.
    #[serde(default)]
    pub time_unit: RequestTimeUnit,
}

/// Answer to `update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateResponse {
    /// [`VERSION`].
    pub version: String,
    /// Results for the new points and the next state.
    #[serde(flatten)]
    pub scored: Scored,
}

/// `baseline`: the corridor of a series. It takes the same request as `detect` and uses
/// `options.sensitivity` and `options.seasonality`; the interval options do not apply.
pub type BaselineRequest = DetectRequest;

/// Answer to `baseline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineResponse {
    /// [`VERSION`].
    pub version: String,
    /// Inferred step, ms.
    pub step_ms: i64,
    /// Periods assessed.
    pub seasonality: Seasonality,
    /// The period the corridor follows, if any.
    pub period_ms: Option<i64>,
    /// Per-point corridor and scores.
    pub points: Points,
    /// Every repair and limit.
    pub warnings: Vec<Warning>,
}

/// `forecast`: the next points of a series with prediction intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// Timestamps, seconds or milliseconds since the epoch.
    pub timestamps: Vec<f64>,
    /// Values; NaN may be sent as `null`.
    #[serde(deserialize_with = "nullable_values")]
    pub values: Vec<f64>,
    /// How to read `timestamps`; default `auto`.
    #[serde(default)]
    pub time_unit: RequestTimeUnit,
    /// Horizon and interval levels; default 12 steps at 80 % and 95 %.
    #[serde(default)]
    pub options: ForecastOptions,
}

/// Answer to `forecast`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastResponse {
    /// [`VERSION`].
    pub version: String,
    /// Inferred step, ms.
    pub step_ms: i64,
    /// Periods assessed.
    pub seasonality: Seasonality,
    /// The forecast, its intervals, the model chosen and its backtest.
    #[serde(flatten)]
    pub forecast: Forecast,
    /// Every repair and limit, including too short a history for a daily or weekly pattern.
    pub warnings: Vec<Warning>,
}

/// `scale`: how many replicas to run now and over the forecast horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// Timestamps of the load history, seconds or milliseconds since the epoch.
    pub timestamps: Vec<f64>,
    /// Load values; NaN may be sent as `null`.
    #[serde(deserialize_with = "nullable_values")]
    pub values: Vec<f64>,
    /// How to read `timestamps`; default `auto`.
    #[serde(default)]
    pub time_unit: RequestTimeUnit,
    /// The forecast to plan on; the headroom level is added to its levels when missing.
    #[serde(default)]
    pub forecast: ForecastOptions,
    /// The policy; `target_per_replica` is required.
    pub scale: ScaleOptions,
    /// Replicas running now; default `min_replicas`.
    #[serde(default)]
    pub current_replicas: Option<u32>,
    /// Seconds since the replica count last changed; default long ago.
    #[serde(default)]
    pub since_change_s: Option<f64>,
}

/// Answer to `scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleResponse {
    /// [`VERSION`].
    pub version: String,
    /// Replicas to run now.
    pub replicas_now: u32,
    /// Timestamps of the plan, ms (those of the forecast).
    pub timestamps_ms: Vec<i64>,
    /// Replicas per timestamp.
    pub replicas: Vec<u32>,
    /// Load planned for per timestamp.
    pub demand: Vec<f64>,
    /// Changes of the replica count in the plan, the one now included.
    pub changes: usize,
    /// The forecast planned on.
    pub forecast: Forecast,
    /// Every repair and limit.
    pub warnings: Vec<Warning>,
}

/// `logs_analyze`: events, templates and findings of a log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsAnalyzeRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// The log, lines separated by `\n` (or `\r\n`).
    pub text: String,
    /// The `state` of an earlier `logs_analyze`: its templates are the learned history.
    #[serde(default)]
    pub state: Option<Miner>,
    /// Analysis options.
    #[serde(default)]
    pub options: AnalyzeOptions,
    /// When given, the text of every finding is scrubbed with these options and the
    /// placeholders' `mapping` is returned (to keep on the caller's side).
    #[serde(default)]
    pub scrub: Option<ScrubOptions>,
}

/// Answer to `logs_analyze`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsAnalyzeResponse {
    /// [`VERSION`].
    pub version: String,
    /// Lines, events, findings, templates, warnings and the state for the next call.
    #[serde(flatten)]
    pub analysis: Analysis,
    /// Placeholders of the scrubbed findings and their values (only when `scrub` was asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Mapping>,
    /// What scrubbing removed, by kind (only when `scrub` was asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scrubbed: Option<Report>,
}

/// `scrub`: remove private values and secrets from a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScrubRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// The text.
    pub text: String,
    /// What else to remove and what to keep.
    #[serde(default)]
    pub options: ScrubOptions,
    /// The `mapping` of an earlier call, so known values keep their placeholders.
    #[serde(default)]
    pub mapping: Mapping,
}

/// Answer to `scrub`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScrubResponse {
    /// [`VERSION`].
    pub version: String,
    /// The text with placeholders.
    pub text: String,
    /// Every placeholder and its value: keep it local.
    pub mapping: Mapping,
    /// Values removed by this call, by kind.
    pub report: Report,
}

/// `restore`: put the values of a `mapping` back into a text (such as an LLM's answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// Text with placeholders.
    pub text: String,
    /// The mapping from `scrub` or `logs_analyze`.
    pub mapping: Mapping,
}

/// Answer to `restore`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreResponse {
    /// [`VERSION`].
    pub version: String,
    /// The text with real values.
    pub text: String,
}

/// An anomaly from `detect` and the series it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyInput {
    /// Series name.
    pub series: String,
    /// Labels of the series (`service`, `namespace`, `pod`, `instance`, `job`, ...).
    #[serde(default)]
    pub labels: Labels,
    /// The anomaly as `detect` or `update` returned it.
    pub anomaly: crate::detect::Anomaly,
}

/// A finding from `logs_analyze` and where its log came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogFindingInput {
    /// Labels of the log's source.
    #[serde(default)]
    pub labels: Labels,
    /// The finding as `logs_analyze` returned it.
    pub finding: Finding,
    /// When it happened, ms; default: the timestamp in the finding's event.
    #[serde(default)]
    pub time_ms: Option<i64>,
}

/// `correlate`: group signals into incidents and rank their root causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelateRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// Anomalies from `detect` or `update`.
    #[serde(default)]
    pub anomalies: Vec<AnomalyInput>,
    /// Findings from `logs_analyze`.
    #[serde(default)]
    pub logs: Vec<LogFindingInput>,
    /// Prometheus Alertmanager webhook payloads, as Alertmanager posts them.
    #[serde(default)]
    pub alerts: Vec<serde_json::Value>,
    /// Which service depends on which.
    #[serde(default)]
    pub graph: DependencyGraph,
    /// Grouping settings.
    #[serde(default)]
    pub options: CorrelateOptions,
    /// The `state` of the previous `correlate`.
    #[serde(default)]
    pub state: Option<Correlator>,
}

/// Answer to `correlate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelateResponse {
    /// [`VERSION`].
    pub version: String,
    /// Open incidents and those closed by this call, oldest first.
    pub incidents: Vec<Incident>,
    /// State for the next `correlate`.
    pub state: Correlator,
}

/// Logs to explain: one text, or texts by service.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LogsInput {
    /// One log of unknown source.
    Text(String),
    /// Logs by service.
    Sources(Vec<LogSource>),
}

impl Default for LogsInput {
    fn default() -> Self {
        Self::Sources(Vec::new())
    }
}

/// Decodes a string as [`LogsInput::Text`] and a list as [`LogsInput::Sources`], straight from
/// the JSON: `#[serde(untagged)]` would buffer the value in serde's generic `Content` tree
/// and try each variant in turn.
impl<'de> Deserialize<'de> for LogsInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(LogsInputVisitor)
    }
}

/// The visitor of [`LogsInput`]'s two shapes.
struct LogsInputVisitor;

impl<'de> Visitor<'de> for LogsInputVisitor {
    type Value = LogsInput;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a log text or a list of logs by service")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<LogsInput, E> {
        Ok(LogsInput::Text(text.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> std::result::Result<LogsInput, E> {
        Ok(LogsInput::Text(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, sources: A) -> std::result::Result<LogsInput, A::Error> {
        Deserialize::deserialize(SeqAccessDeserializer::new(sources)).map(LogsInput::Sources)
    }
}

/// Settings of `explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainOptions {
    /// Token budget of the prompt (default 3000, at least 256).
    #[serde(default = "default_budget")]
    pub budget_tokens: usize,
    /// Most tokens the model may answer with (default 800).
    #[serde(default = "default_output_tokens")]
    pub max_output_tokens: u32,
    /// Sampling temperature (default 0.2).
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    /// Ask for a streamed answer (default false).
    #[serde(default)]
    pub stream: bool,
    /// Ask the endpoint for a JSON object (default true).
    #[serde(default = "default_true")]
    pub json: bool,
    /// What to scrub besides the built-in kinds; scrubbing itself always happens.
    #[serde(default)]
    pub scrub: crate::scrub::ScrubOptions,
}

fn default_budget() -> usize {
    3000
}

fn default_output_tokens() -> u32 {
    800
}

fn default_temperature() -> f64 {
    0.2
}

fn default_true() -> bool {
    true
}

impl Default for ExplainOptions {
    fn default() -> Self {
        Self {
            budget_tokens: default_budget(),
            max_output_tokens: default_output_tokens(),
            temperature: default_temperature(),
            stream: false,
            json: true,
            scrub: Default::default(),
        }
    }
}

/// `explain`: a structured explanation of logs or an incident.
///
/// Without `llm` the offline rule book answers. With `llm` (set by the host from its own
/// configuration) and no `llm_response`, the answer also holds `llm_request`, the HTTP request
/// to send (the host adds `authorization: Bearer <key>` itself when it has a key). Calling
/// again with the same request plus `llm_response` gives the model's explanation, or the rule
/// book's with an `llm_fallback` warning and the classified `llm_error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainRequest {
    /// Must be [`VERSION`].
    pub version: String,
    /// The logs.
    #[serde(default)]
    pub logs: LogsInput,
    /// An incident from `correlate`.
    #[serde(default)]
    pub incident: Option<Incident>,
    /// Configuration snippets for the prompt.
    #[serde(default)]
    pub config: Vec<ConfigSnippet>,
    /// Settings.
    #[serde(default)]
    pub options: ExplainOptions,
    /// The LLM endpoint, from the host's configuration (never a key).
    #[serde(default)]
    pub llm: Option<Endpoint>,
    /// What the endpoint answered to `llm_request`.
    #[serde(default)]
    pub llm_response: Option<HttpResponse>,
}

/// Answer to `explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainResponse {
    /// [`VERSION`].
    pub version: String,
    /// The explanation.
    pub explanation: Explanation,
    /// The HTTP request for the LLM, when one is configured and not yet answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_request: Option<HttpRequest>,
    /// Why the LLM's answer could not be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_error: Option<LlmError>,
    /// Estimated tokens of the prompt, when one was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<usize>,
    /// Fallbacks and prompt truncation.
    pub warnings: Vec<Warning>,
}

/// The error value of the contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    pub error: Error,
}

/// Values where JSON `null` stands for a missing (NaN) value.
pub(crate) fn nullable_values<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<f64>, D::Error> {
    let values: Vec<Option<f64>> = Deserialize::deserialize(deserializer)?;
    Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// Fails unless `version` is [`VERSION`].
pub fn check_version(version: &str) -> Result<()> {
    if version == VERSION {
        Ok(())
    } else {
        Err(Error::in_field(
            ErrorCode::UnsupportedVersion,
            "version",
            format!("this engine speaks {VERSION}, the request says {version:?}"),
        ))
    }
}

/// Runs operation `op` on a JSON request and returns the JSON response, or an error value.
/// Never panics on any input.
///
/// ```
/// let out = corridor_core::contract::call("detect", "{not json");
/// assert!(out.starts_with(r#"{"error":{"code":"malformed_request""#));
/// ```
pub fn call(op: &str, input: &str) -> String {
    let result = match op {
        "detect" => parse(input).and_then(crate::ops::detect).map(to_json),
        "update" => parse_stateful::<UpdateRequest, Detector>(input).and_then(crate::ops::update).map(to_json),
        "baseline" => parse(input).and_then(crate::ops::baseline).map(to_json),
        "forecast" => parse(input).and_then(crate::ops::forecast).map(to_json),
        "scale" => parse(input).and_then(crate::ops::scale).map(to_json),
        "logs_analyze" => {
            parse_stateful::<LogsAnalyzeRequest, Miner>(input).and_then(crate::ops::logs_analyze).map(to_json)
        }
        "scrub" => parse(input).and_then(crate::ops::scrub).map(to_json),
        "restore" => parse(input).and_then(crate::ops::restore).map(to_json),
        "rules" => parse(input).and_then(crate::rules::rules).map(to_json),
        "correlate" => {
            parse_stateful::<CorrelateRequest, Correlator>(input).and_then(crate::ops::correlate).map(to_json)
        }
        "explain" => parse(input).and_then(crate::ops::explain).map(to_json),
        _ => Err(Error::new(
            ErrorCode::UnknownOperation,
            format!("unknown operation {op:?}; known: {}", OPERATIONS.join(", ")),
        )),
    };
    result.unwrap_or_else(|error| to_json(ErrorResponse { error }))
}

/// [`call_bytes`] for `explain` through the LLM endpoint a host configured, which takes the
/// place of the request's `llm`. Unless the request already holds `llm_response`, `send` gets
/// the HTTP request for the model and returns what came back, and the answer is the model's
/// explanation (or the rule book's with an `llm_fallback` warning). `endpoint` is the result of
/// [`Endpoint::configured`]; a provider it did not know answers as a malformed request.
pub fn explain_through(
    input: &[u8],
    endpoint: std::result::Result<Endpoint, serde::de::value::Error>,
    send: impl FnOnce(HttpRequest) -> HttpResponse,
) -> String {
    let explained = utf8(input).and_then(|text| {
        let endpoint = endpoint.map_err(malformed)?;
        let mut request: ExplainRequest = parse(text)?;
        request.llm = Some(endpoint);
        if request.llm_response.is_none() {
            let first = crate::ops::explain(request.clone())?;
            let Some(http) = first.llm_request else {
                return Ok(first);
            };
            request.llm_response = Some(send(http));
        }
        crate::ops::explain(request)
    });
    explained.map(to_json).unwrap_or_else(|error| to_json(ErrorResponse { error }))
}

/// [`call`] on raw bytes, as hosts pass them: input that is not UTF-8 gets an error value.
///
/// ```
/// let out = corridor_core::contract::call_bytes("detect", &[0xff, 0xfe]);
/// assert!(out.contains("malformed_request"));
/// ```
pub fn call_bytes(op: &str, input: &[u8]) -> String {
    match utf8(input) {
        Ok(text) => call(op, text),
        Err(error) => to_json(ErrorResponse { error }),
    }
}

/// The request as text, or the error value for input that is not UTF-8.
fn utf8(input: &[u8]) -> Result<&str> {
    std::str::from_utf8(input)
        .map_err(|e| Error::new(ErrorCode::MalformedRequest, format!("request is not UTF-8 text: {e}")))
}

fn parse<T: DeserializeOwned>(input: &str) -> Result<T> {
    decode::from_str(input).map_err(malformed)
}

/// The error value of a request that does not decode.
fn malformed(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::MalformedRequest, format!("request does not match the {VERSION} contract: {e}"))
}

/// Parses a request that carries a `state` of type `S`, telling a broken `state` apart from the
/// rest of the request. Decodes straight from the text (no `serde_json::Value` step, which would
/// compile a second decoder for every request type into the plugin); the `state` is looked at
/// again only when the request fails.
fn parse_stateful<T: DeserializeOwned, S: DeserializeOwned>(input: &str) -> Result<T> {
    /// Only the `state` of a request.
    #[derive(Deserialize)]
    struct StateOnly<S> {
        #[serde(default = "Option::default")]
        state: Option<S>,
    }
    parse(input).map_err(|request_error| {
        // A JSON object (not an array, which has no `state` to blame).
        let well_formed = input.trim_start().starts_with('{') && decode::from_str::<IgnoredAny>(input).is_ok();
        match decode::from_str::<StateOnly<S>>(input).map(|only| only.state) {
            Err(e) if well_formed => Error::in_field(
                ErrorCode::InvalidState,
                "state",
                format!("not a state from an earlier call of this engine: {e}"),
            ),
            _ => request_error,
        }
    })
}

fn to_json<T: Serialize>(value: T) -> String {
    serde_json::to_string(&value).unwrap_or_else(|e| {
        format!(r#"{{"error":{{"code":"malformed_request","message":"response could not be encoded: {e}"}}}}"#)
    })
}
