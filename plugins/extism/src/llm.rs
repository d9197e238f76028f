//! The plugin's LLM path: when the plugin configuration names an endpoint, `explain` sends
//! the engine's request with `extism_pdk::http` and hands the bytes back to the engine.
//!
//! Configuration keys (set by the host, never by a request): `llm_url` (base URL; its
//! presence turns the path on), `llm_model`, `llm_provider` (`openai`, the default, or
//! `ollama`) and `llm_api_key` (optional; the host fills it from its environment). The host
//! must allow the endpoint's host (`allowed_hosts`), and its call timeout bounds the request.
//! A bad status or body becomes the rule book's answer with an `llm_fallback` warning and the
//! classified `llm_error`. A transport failure (refused, blocked host, host timeout) makes the
//! Extism runtime fail the whole call: the host then calls `explain` again with
//! `llm_response: {"transport_error": "<its message>"}`, which is answered without sending
//! anything (see `host-examples/python/corridor_host.py`).

use corridor_core::contract::call_bytes;
use corridor_core::llm::{HttpRequest, HttpResponse};
use extism_pdk::config;
use serde_json::{json, Value};

/// A value of the plugin configuration, if set. Read through `config::get_memory`, because
/// `config::get` panics on a value that is not UTF-8 (hosts pass strings, so it is read lossily
/// here) and formatting that panic's `anyhow::Error` links in its backtrace printer.
fn config_value(key: &str) -> Option<String> {
    let memory = config::get_memory(key).ok().flatten()?;
    Some(String::from_utf8_lossy(&memory.to_vec()).into_owned())
}

/// The endpoint of the plugin configuration, as the contract's `llm` field.
fn configured_endpoint() -> Option<Value> {
    let url = config_value("llm_url").filter(|u| !u.is_empty())?;
    let model = config_value("llm_model").unwrap_or_default();
    let provider = config_value("llm_provider").unwrap_or_else(|| "openai".into());
    Some(json!({"provider": provider, "url": url, "model": model}))
}

/// `explain` with the configured endpoint, or the engine's `explain` as it is without one.
pub fn explain(input: &[u8]) -> String {
    let Some(endpoint) = configured_endpoint() else {
        return call_bytes("explain", input);
    };
    let Ok(Value::Object(mut request)) = serde_json::from_slice::<Value>(input) else {
        return call_bytes("explain", input);
    };
    request.insert("llm".into(), endpoint);
    if request.contains_key("llm_response") {
        return call_bytes("explain", Value::Object(request).to_string().as_bytes());
    }
    let first = call_bytes("explain", Value::Object(request.clone()).to_string().as_bytes());
    let Some(http) = serde_json::from_str::<Value>(&first)
        .ok()
        .and_then(|v| v.get("llm_request").cloned())
        .and_then(|r| serde_json::from_value::<HttpRequest>(r).ok())
    else {
        return first;
    };
    let response = send(http, config_value("llm_api_key"));
    request.insert("llm_response".into(), json!(response));
    call_bytes("explain", Value::Object(request).to_string().as_bytes())
}

/// Sends `http` (adding the key as a bearer token) and returns what came back, or the failure
/// as a transport error.
fn send(http: HttpRequest, api_key: Option<String>) -> HttpResponse {
    let mut headers = http.headers;
    if let Some(key) = api_key.filter(|k| !k.is_empty()) {
        headers.insert("authorization".into(), format!("Bearer {key}"));
    }
    let request = extism_pdk::HttpRequest { url: http.url, headers, method: Some(http.method) };
    match extism_pdk::http::request::<String>(&request, Some(http.body)) {
        Ok(r) if r.status_code() == 0 => {
            HttpResponse { transport_error: Some("no answer from the endpoint".into()), ..Default::default() }
        }
        Ok(r) => HttpResponse {
            status: Some(r.status_code()),
            headers: r.headers().iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            body: String::from_utf8_lossy(&r.body()).into_owned(),
            transport_error: None,
        },
        Err(e) => HttpResponse { transport_error: Some(e.to_string()), ..Default::default() },
    }
}
