//! Classified failures of an LLM call, as values.

use super::HttpResponse;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest server-given retry delay honoured, in milliseconds (as the OpenAI SDK does).
pub const MAX_RETRY_AFTER_MS: u64 = 120_000;

/// What kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LlmErrorClass {
    /// No answer in time.
    Timeout,
    /// No answer at all (connection refused, DNS, blocked host).
    Connection,
    /// 401 or 403: missing or bad key, or no permission.
    Auth,
    /// 404: the model (or the endpoint) is unknown.
    UnknownModel,
    /// 429: too many requests; see `retry_after_ms`.
    RateLimited,
    /// 429 with `insufficient_quota`: not transient.
    QuotaExceeded,
    /// 400 and other 4xx: the request was refused (context too long, bad field).
    BadRequest,
    /// 5xx, or an error object inside a 200 stream.
    Server,
    /// A 2xx body that is not the expected JSON.
    Malformed,
    /// A body that ended before the answer did.
    Truncated,
}

/// A failed LLM call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmError {
    /// What kind of failure.
    pub class: LlmErrorClass,
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// The server's message, or ours.
    pub message: String,
    /// Whether trying again later may help.
    pub retryable: bool,
    /// Delay the server asked for before a retry, ms (at most [`MAX_RETRY_AFTER_MS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl LlmError {
    /// An error of `class` with no status.
    pub fn new(class: LlmErrorClass, message: impl Into<String>) -> Self {
        let retryable = matches!(class, LlmErrorClass::Timeout | LlmErrorClass::Connection | LlmErrorClass::Server);
        Self { class, status: None, message: message.into(), retryable, retry_after_ms: None }
    }

    /// The error for a transport failure the host reported: `timeout` (or any message naming
    /// a timeout) or a connection failure.
    pub fn transport(message: &str) -> Self {
        if message.to_ascii_lowercase().contains("timeout") || message.to_ascii_lowercase().contains("timed out") {
            Self::new(LlmErrorClass::Timeout, format!("no answer in time: {message}"))
        } else {
            Self::new(LlmErrorClass::Connection, format!("could not reach the endpoint: {message}"))
        }
    }
}

impl std::fmt::Display for LlmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let class = serde_json::to_value(self.class).ok().and_then(|v| v.as_str().map(str::to_string));
        match self.status {
            Some(s) => write!(f, "{} (HTTP {s}): {}", class.unwrap_or_default(), self.message),
            None => write!(f, "{}: {}", class.unwrap_or_default(), self.message),
        }
    }
}

/// Classifies a non-2xx answer by status first, then by whichever error body shape parses
/// (`{"error":{...}}`, flat `{"object":"error",...}`, Ollama's `{"error":"..."}`); a body that
/// is not JSON is quoted as text.
pub fn classify_status(response: &HttpResponse, status: u16) -> LlmError {
    let (message, code) = error_body(&response.body);
    let class = match status {
        401 | 403 => LlmErrorClass::Auth,
        404 => LlmErrorClass::UnknownModel,
        429 if code.as_deref() == Some("insufficient_quota") => LlmErrorClass::QuotaExceeded,
        429 => LlmErrorClass::RateLimited,
        408 => LlmErrorClass::Timeout,
        500..=599 => LlmErrorClass::Server,
        _ => LlmErrorClass::BadRequest,
    };
    let mut retryable = matches!(status, 408 | 409 | 429 | 500..=599) && class != LlmErrorClass::QuotaExceeded;
    if let Some(flag) = response.header("x-should-retry") {
        retryable = flag.eq_ignore_ascii_case("true");
    }
    let retry_after_ms = if retryable { retry_after_ms(response) } else { None };
    let message = if message.is_empty() { format!("HTTP {status} with an empty body") } else { message };
    LlmError { class, status: Some(status), message, retryable, retry_after_ms }
}

/// The error message and code of an error body in any known shape, or the text itself.
pub(super) fn error_body(body: &str) -> (String, Option<String>) {
    let Ok(value) = crate::decode::from_str::<Value>(body) else {
        return (body.trim().chars().take(500).collect(), None);
    };
    let code = |v: &Value| match v.get("code") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    match value.get("error") {
        Some(Value::String(message)) => (message.clone(), None),
        Some(inner @ Value::Object(_)) => {
            (inner.get("message").and_then(Value::as_str).unwrap_or_default().to_string(), code(inner))
        }
        _ => match value.get("message").and_then(Value::as_str) {
            Some(message) => (message.to_string(), code(&value)),
            None => (body.trim().chars().take(500).collect(), None),
        },
    }
}

/// The server's retry delay: `retry-after-ms`, else `retry-after` in seconds (fractions
/// allowed); only when above 0 and at most [`MAX_RETRY_AFTER_MS`]. An HTTP-date is not read
/// (the engine has no clock).
fn retry_after_ms(response: &HttpResponse) -> Option<u64> {
    let ms = response.header("retry-after-ms").and_then(|v| crate::number::parse_f64(v.trim())).or_else(|| {
        response.header("retry-after").and_then(|v| crate::number::parse_f64(v.trim())).map(|s| s * 1000.0)
    })?;
    (ms > 0.0 && ms <= MAX_RETRY_AFTER_MS as f64).then_some(ms.round() as u64)
}
