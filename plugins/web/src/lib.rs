//! `corridor_web`: the Corridor engine for browsers and Node through wasm-bindgen.
//!
//! Series go in as `Float64Array`s (timestamps in seconds or milliseconds, values with `NaN`
//! for gaps), options as plain objects shaped like the `corridor.v1` request fields, and
//! answers come out as plain JS objects shaped like the contract's responses. Per-point
//! columns come out as `Float64Array`s (`NaN` where the contract says `null`), and the
//! streaming `state` of `detect` is left out: this module scores whole windows. Errors are
//! thrown as JS `Error`s carrying the contract's `code`, `message` and `field`.

mod convert;
mod types;

use convert::{engine_error, json_to_js, options, request, scored_to_js, set_all, Summary};
use corridor_core::contract::{DetectRequest, DetectResponse, ForecastRequest, VERSION};
use corridor_core::forecast::ForecastOptions;
use corridor_core::ops;
use js_sys::Object;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// The `detect` (and `baseline`) request of a series and its options.
fn detect_request(timestamps: &[f64], values: &[f64], detect_options: &JsValue) -> Result<DetectRequest, JsValue> {
    Ok(DetectRequest {
        version: VERSION.into(),
        timestamps: timestamps.to_vec(),
        values: values.to_vec(),
        time_unit: Default::default(),
        options: options(detect_options)?,
    })
}

/// Learns the corridor of a series and finds its anomalies.
#[wasm_bindgen(unchecked_return_type = "DetectResult")]
pub fn detect(
    timestamps: &[f64],
    values: &[f64],
    #[wasm_bindgen(unchecked_param_type = "DetectOptions")] detect_options: JsValue,
) -> Result<JsValue, JsValue> {
    detect_to_js(&ops::detect(detect_request(timestamps, values, &detect_options)?).map_err(engine_error)?)
}

/// A `detect` answer as the JS object [`detect`] returns.
fn detect_to_js(response: &DetectResponse) -> Result<JsValue, JsValue> {
    let summary = Summary {
        version: &response.version,
        step_ms: response.step_ms,
        seasonality: &response.seasonality,
        period_ms: response.period_ms,
        anomalies: Some(&response.scored.anomalies),
        warnings: &response.scored.warnings,
    };
    scored_to_js(&summary, &response.scored.points)
}

/// [`detect`] and [`forecast`] of one series in one call, with the same answers: the series is
/// cleaned and its seasonality assessed once for both. Returns `{ detect, forecast }`, or
/// `{ detect, forecast_error }` (the `Error` that `forecast` would throw) when only the forecast
/// fails; throws as `detect` does.
#[wasm_bindgen(js_name = detectAndForecast, unchecked_return_type = "DetectAndForecastResult")]
pub fn detect_and_forecast(
    timestamps: &[f64],
    values: &[f64],
    #[wasm_bindgen(unchecked_param_type = "DetectOptions")] detect_options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ForecastOptions")] forecast_options: JsValue,
) -> Result<JsValue, JsValue> {
    let request = detect_request(timestamps, values, &detect_options)?;
    let (detected, forecast) = match options::<ForecastOptions>(&forecast_options) {
        Ok(forecast_options) => {
            let (detected, forecast) = ops::detect_and_forecast(request, &forecast_options).map_err(engine_error)?;
            (detected, forecast.map_err(engine_error).and_then(|f| json_to_js(&f)))
        }
        Err(invalid) => (ops::detect(request).map_err(engine_error)?, Err(invalid)),
    };
    let answer = Object::new();
    let forecast = match forecast {
        Ok(forecast) => ("forecast", forecast),
        Err(error) => ("forecast_error", error),
    };
    set_all(&answer, [("detect", detect_to_js(&detected)?), forecast]);
    Ok(answer.into())
}

/// The corridor of a series, without anomaly intervals.
#[wasm_bindgen(unchecked_return_type = "BaselineResult")]
pub fn baseline(
    timestamps: &[f64],
    values: &[f64],
    #[wasm_bindgen(unchecked_param_type = "DetectOptions")] detect_options: JsValue,
) -> Result<JsValue, JsValue> {
    let response = ops::baseline(detect_request(timestamps, values, &detect_options)?).map_err(engine_error)?;
    let summary = Summary {
        version: &response.version,
        step_ms: response.step_ms,
        seasonality: &response.seasonality,
        period_ms: response.period_ms,
        anomalies: None,
        warnings: &response.warnings,
    };
    scored_to_js(&summary, &response.points)
}

/// The next points of a series with prediction intervals.
#[wasm_bindgen(unchecked_return_type = "ForecastResult")]
pub fn forecast(
    timestamps: &[f64],
    values: &[f64],
    #[wasm_bindgen(unchecked_param_type = "ForecastOptions")] forecast_options: JsValue,
) -> Result<JsValue, JsValue> {
    let request = ForecastRequest {
        version: VERSION.into(),
        timestamps: timestamps.to_vec(),
        values: values.to_vec(),
        time_unit: Default::default(),
        options: options(&forecast_options)?,
    };
    json_to_js(&ops::forecast(request).map_err(engine_error)?)
}

/// How many replicas to run now and over the forecast horizon; `params` holds the contract's
/// `scale` policy and optionally `forecast`, `current_replicas` and `since_change_s`.
#[cfg(feature = "scale")]
#[wasm_bindgen(unchecked_return_type = "ScaleResult")]
pub fn scale(
    timestamps: &[f64],
    values: &[f64],
    #[wasm_bindgen(unchecked_param_type = "ScaleParams")] params: JsValue,
) -> Result<JsValue, JsValue> {
    let series = [("timestamps", Value::from(timestamps)), ("values", Value::from(values))];
    json_to_js(&ops::scale(request(&params, series)?).map_err(engine_error)?)
}

/// Events, templates and findings of a log; `params` may hold the contract's `options`,
/// `state` and `scrub`.
#[cfg(feature = "logs")]
#[wasm_bindgen(js_name = logsAnalyze, unchecked_return_type = "LogsAnalyzeResult")]
pub fn logs_analyze(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "LogsAnalyzeParams")] params: JsValue,
) -> Result<JsValue, JsValue> {
    let response = ops::logs_analyze(request(&params, [("text", Value::from(text))])?).map_err(engine_error)?;
    json_to_js(&response)
}

/// The offline rule book's explanation of logs (scrubbed before anything is matched):
/// `request` holds the contract's `explain` fields (`logs`, optionally `incident`, `config`,
/// `options`), without `llm`: a browser sends prompts with its own `fetch`.
#[cfg(feature = "explain")]
#[wasm_bindgen(unchecked_return_type = "ExplainResult")]
pub fn explain(#[wasm_bindgen(unchecked_param_type = "ExplainParams")] params: JsValue) -> Result<JsValue, JsValue> {
    json_to_js(&ops::explain(request(&params, [])?).map_err(engine_error)?)
}

/// Removes private values and secrets from a text; `params` may hold the contract's `options`
/// and the `mapping` of an earlier call.
#[wasm_bindgen(unchecked_return_type = "ScrubResult")]
pub fn scrub(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "ScrubParams")] params: JsValue,
) -> Result<JsValue, JsValue> {
    json_to_js(&ops::scrub(request(&params, [("text", Value::from(text))])?).map_err(engine_error)?)
}

/// Puts the values of a scrub `mapping` back into a text, such as an LLM's answer.
#[wasm_bindgen(unchecked_return_type = "RestoreResult")]
pub fn restore(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] mapping: JsValue,
) -> Result<JsValue, JsValue> {
    let mapping = convert::from_js(&mapping, "mapping")?;
    json_to_js(
        &ops::restore(request(&JsValue::UNDEFINED, [("text", Value::from(text)), ("mapping", mapping)])?)
            .map_err(engine_error)?,
    )
}
