//! Building the HTTP request of a chat completion.

use super::{ChatRequest, Endpoint, HttpRequest, Provider};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The HTTP request asking `endpoint` for `chat`. With `api_key`, an `authorization: Bearer`
/// header is added; hosts pass the key from their own configuration, never from a request.
pub fn build_request(endpoint: &Endpoint, chat: &ChatRequest, api_key: Option<&str>) -> HttpRequest {
    let base = endpoint.url.trim_end_matches('/');
    let messages = json!([
        {"role": "system", "content": chat.system},
        {"role": "user", "content": chat.user},
    ]);
    let mut body = Map::new();
    body.insert("model".into(), json!(endpoint.model));
    body.insert("messages".into(), messages);
    body.insert("stream".into(), json!(chat.stream));
    let mut headers = BTreeMap::from([("content-type".to_string(), "application/json".to_string())]);
    let url = match endpoint.provider {
        Provider::Openai => {
            body.insert(endpoint.max_tokens_field.clone(), json!(chat.max_output_tokens));
            body.insert("temperature".into(), json!(chat.temperature));
            if chat.json {
                body.insert("response_format".into(), json!({"type": "json_object"}));
            }
            if chat.stream {
                body.insert("stream_options".into(), json!({"include_usage": true}));
                headers.insert("accept".into(), "text/event-stream".into());
            } else {
                headers.insert("accept".into(), "application/json".into());
            }
            if base.ends_with("/v1") {
                format!("{base}/chat/completions")
            } else {
                format!("{base}/v1/chat/completions")
            }
        }
        Provider::Ollama => {
            if chat.json {
                body.insert("format".into(), json!("json"));
            }
            body.insert(
                "options".into(),
                json!({"temperature": chat.temperature, "num_predict": chat.max_output_tokens,
                       "num_ctx": endpoint.context_tokens}),
            );
            format!("{base}/api/chat")
        }
    };
    if let Some(key) = api_key.filter(|k| !k.is_empty()) {
        headers.insert("authorization".into(), format!("Bearer {key}"));
    }
    HttpRequest { method: "POST".into(), url, headers, body: Value::Object(body).to_string() }
}
