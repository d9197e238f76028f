//! LLM wire formats, pure: build the HTTP request for a chat completion and read the bytes
//! that came back. No I/O happens here; hosts (Extism HTTP, browser `fetch`) only move bytes.
//!
//! Two formats: OpenAI-compatible `POST {base}/v1/chat/completions` (OpenAI, Ollama `/v1`,
//! LM Studio, vLLM, llama.cpp, llama-cpp-python), streamed as server-sent events ending in
//! `data: [DONE]`, and Ollama's native `POST {base}/api/chat`, streamed as NDJSON. Failures
//! are classified as values ([`LlmError`]): timeout, bad key, unknown model, rate limit with
//! its retry delay, server error, malformed or truncated body.
//!
//! The API key is never part of a contract request: [`build_request`] takes it as a separate
//! argument the host fills from its own configuration, and leaves the header out without one.

mod error;
mod request;
mod response;
mod stream;

pub use error::{classify_status, LlmError, LlmErrorClass, MAX_RETRY_AFTER_MS};
pub use request::build_request;
pub use response::parse_response;
pub use stream::StreamDecoder;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which wire format an endpoint speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// OpenAI-compatible `/v1/chat/completions`.
    #[default]
    Openai,
    /// Ollama's native `/api/chat`.
    Ollama,
}

/// Where and how to ask: everything but the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Wire format; default `openai`.
    #[serde(default)]
    pub provider: Provider,
    /// Base URL (`http://127.0.0.1:8080`, `https://api.openai.com`, or one ending in `/v1`).
    pub url: String,
    /// Model name as the server knows it.
    pub model: String,
    /// Name of the output-token limit field for OpenAI-compatible servers: `max_tokens`
    /// (default; the one local servers know) or `max_completion_tokens` (OpenAI's new name).
    #[serde(default = "default_max_tokens_field")]
    pub max_tokens_field: String,
    /// Context window to ask Ollama for (`num_ctx`); default 8192.
    #[serde(default = "default_context_tokens")]
    pub context_tokens: u32,
}

impl Endpoint {
    /// The endpoint a host configures: the `provider` by its contract name (`openai` or
    /// `ollama`), the base `url` and the `model`; the other settings at their defaults.
    pub fn configured(provider: &str, url: String, model: String) -> Result<Self, serde::de::value::Error> {
        let provider = Provider::deserialize(serde::de::IntoDeserializer::into_deserializer(provider))?;
        Ok(Self {
            provider,
            url,
            model,
            max_tokens_field: default_max_tokens_field(),
            context_tokens: default_context_tokens(),
        })
    }
}

fn default_max_tokens_field() -> String {
    "max_tokens".into()
}

fn default_context_tokens() -> u32 {
    8192
}

/// One chat completion to ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Instructions (the system message).
    pub system: String,
    /// The question (the user message).
    pub user: String,
    /// Most tokens to generate.
    pub max_output_tokens: u32,
    /// Sampling temperature.
    pub temperature: f64,
    /// Ask for a JSON object (`response_format` / `format: "json"`).
    pub json: bool,
    /// Ask for a streamed answer.
    pub stream: bool,
}

/// An HTTP request for the host to send as it is (plus the key, see [`build_request`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// Always `POST`.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Header names (lower case) and values.
    pub headers: BTreeMap<String, String>,
    /// JSON body.
    pub body: String,
}

/// What the host got back: status, headers and body bytes, or no answer at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpResponse {
    /// HTTP status; `None` when no answer came (see `transport_error`).
    #[serde(default)]
    pub status: Option<u16>,
    /// Response headers; names are compared without case.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body as text.
    #[serde(default)]
    pub body: String,
    /// Set by the host when the call failed below HTTP: `timeout` or any other message.
    #[serde(default)]
    pub transport_error: Option<String>,
}

impl HttpResponse {
    /// A header's value, looked up without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why generation stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// The model finished.
    Stop,
    /// The token limit cut the answer.
    Length,
    /// A content filter stopped it.
    Filtered,
    /// Another reason, as the server named it.
    Other(String),
}

impl Finish {
    /// The finish of a server's `finish_reason` / `done_reason`.
    pub fn from_reason(reason: &str) -> Self {
        match reason {
            "stop" | "end_turn" | "eos" => Self::Stop,
            "length" | "max_tokens" => Self::Length,
            "content_filter" => Self::Filtered,
            other => Self::Other(other.to_string()),
        }
    }
}

/// Tokens counted by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Generated tokens.
    pub output_tokens: u64,
}

/// A completed answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResult {
    /// The generated text.
    pub text: String,
    /// Why generation stopped.
    pub finish: Finish,
    /// Token counts, when the server gave them.
    pub usage: Option<Usage>,
    /// The model that answered, as the server names it.
    pub model: String,
    /// The server's request id (`x-request-id`), for the audit log.
    pub request_id: Option<String>,
}
