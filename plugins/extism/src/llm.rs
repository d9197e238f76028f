//! The plugin's LLM path: when the plugin configuration names an endpoint, `explain` sends
//! the engine's request through the host (see [`crate::http`]) and hands the answer back to the engine.
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

use corridor_core::contract::{call_bytes, explain_through};
use corridor_core::llm::{Endpoint, HttpRequest, HttpResponse};
use extism_pdk::config;

/// A value of the plugin configuration, if set. Read through `config::get_memory`, because
/// `config::get` panics on a value that is not UTF-8 (hosts pass strings, so it is read lossily
/// here) and formatting that panic's `anyhow::Error` links in its backtrace printer.
fn config_value(key: &str) -> Option<String> {
    let memory = config::get_memory(key).ok().flatten()?;
    Some(String::from_utf8_lossy(&memory.to_vec()).into_owned())
}

/// `explain` with the configured endpoint, or the engine's `explain` as it is without one.
pub fn explain(input: &[u8]) -> String {
    let Some(url) = config_value("llm_url").filter(|u| !u.is_empty()) else {
        return call_bytes("explain", input);
    };
    let model = config_value("llm_model").unwrap_or_default();
    let provider = config_value("llm_provider").unwrap_or_else(|| "openai".into());
    let endpoint = Endpoint::configured(&provider, url, model);
    explain_through(input, endpoint, |http| send(http, config_value("llm_api_key")))
}

/// Sends `http` (adding the key as a bearer token) and returns what came back, or the failure
/// as a transport error.
fn send(http: HttpRequest, api_key: Option<String>) -> HttpResponse {
    let mut headers = http.headers;
    if let Some(key) = api_key.filter(|k| !k.is_empty()) {
        headers.insert("authorization".into(), format!("Bearer {key}"));
    }
    let request = extism_pdk::HttpRequest { url: http.url, headers, method: Some(http.method) };
    match crate::http::request(&request, &http.body) {
        Ok(r) if r.status == 0 => {
            HttpResponse { transport_error: Some("no answer from the endpoint".into()), ..Default::default() }
        }
        Ok(r) => HttpResponse {
            status: Some(r.status),
            headers: r.headers,
            body: String::from_utf8_lossy(&r.body).into_owned(),
            transport_error: None,
        },
        Err(e) => HttpResponse { transport_error: Some(e.to_string()), ..Default::default() },
    }
}
