//! Reading a complete answer: status, error bodies, JSON or streamed bodies.

use super::error::error_body;
use super::stream::{ollama_usage, openai_usage};
use super::{classify_status, ChatResult, Finish, HttpResponse, LlmError, LlmErrorClass, Provider, StreamDecoder};
use serde_json::Value;

/// The answer in `response`, or the classified failure. `stream` says whether the request
/// asked for a streamed answer.
pub fn parse_response(provider: Provider, stream: bool, response: &HttpResponse) -> Result<ChatResult, LlmError> {
    if let Some(error) = &response.transport_error {
        return Err(LlmError::transport(error));
    }
    let Some(status) = response.status else {
        return Err(LlmError::new(LlmErrorClass::Connection, "no HTTP status and no transport error"));
    };
    if !(200..300).contains(&status) {
        return Err(classify_status(response, status));
    }
    let request_id = response.header("x-request-id").map(str::to_string);
    if stream {
        let mut decoder = StreamDecoder::new(provider);
        decoder.push(response.body.as_bytes());
        return decoder.finish(request_id);
    }
    let value: Value = crate::decode::from_str(&response.body).map_err(|e| {
        let class = if e.is_eof() { LlmErrorClass::Truncated } else { LlmErrorClass::Malformed };
        let shown: String = response.body.chars().take(200).collect();
        LlmError {
            status: Some(status),
            ..LlmError::new(class, format!("body is not a complete JSON answer ({e}): {shown}"))
        }
    })?;
    if value.get("error").is_some_and(|e| !e.is_null()) {
        let (message, _) = error_body(&response.body);
        return Err(LlmError { status: Some(status), ..LlmError::new(LlmErrorClass::Server, message) });
    }
    let model = value.get("model").and_then(Value::as_str).unwrap_or_default().to_string();
    let malformed = |what: &str| LlmError {
        status: Some(status),
        ..LlmError::new(LlmErrorClass::Malformed, format!("answer has no {what}"))
    };
    match provider {
        Provider::Openai => {
            let choice = value.pointer("/choices/0").ok_or_else(|| malformed("choices[0]"))?;
            let message = choice.get("message").ok_or_else(|| malformed("choices[0].message"))?;
            let reason = choice.get("finish_reason").and_then(Value::as_str).unwrap_or("stop");
            let (text, finish) = match (message.get("content").and_then(Value::as_str), message.get("refusal")) {
                (Some(content), _) => (content.to_string(), Finish::from_reason(reason)),
                (None, Some(Value::String(refusal))) => (refusal.clone(), Finish::Filtered),
                (None, _) => return Err(malformed("choices[0].message.content")),
            };
            Ok(ChatResult { text, finish, usage: openai_usage(&value), model, request_id })
        }
        Provider::Ollama => {
            let text = value
                .pointer("/message/content")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed("message.content"))?;
            let reason = value.get("done_reason").and_then(Value::as_str).unwrap_or("stop");
            Ok(ChatResult {
                text: text.to_string(),
                finish: Finish::from_reason(reason),
                usage: ollama_usage(&value),
                model,
                request_id,
            })
        }
    }
}
