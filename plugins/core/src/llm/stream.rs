//! Incremental decoding of streamed answers: OpenAI server-sent events and Ollama NDJSON,
//! fed in byte chunks split anywhere (even inside a UTF-8 character).

use super::error::error_body;
use super::{ChatResult, Finish, LlmError, LlmErrorClass, Provider, Usage};
use serde_json::Value;

/// Decodes one streamed answer as its bytes arrive.
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    provider: Provider,
    pending: Vec<u8>,
    text: String,
    finish: Option<Finish>,
    usage: Option<Usage>,
    model: String,
    done: bool,
    error: Option<LlmError>,
}

impl StreamDecoder {
    /// A decoder for `provider`'s streaming format.
    pub fn new(provider: Provider) -> Self {
        Self {
            provider,
            pending: Vec::new(),
            text: String::new(),
            finish: None,
            usage: None,
            model: String::new(),
            done: false,
            error: None,
        }
    }

    /// Feeds the next bytes; returns the text they completed (possibly empty).
    pub fn push(&mut self, bytes: &[u8]) -> String {
        let before = self.text.len();
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            self.line(&String::from_utf8_lossy(&line[..end]), false);
        }
        self.text[before..].to_string()
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Ends the stream: the answer, or the error it carried, or `truncated` when it stopped
    /// before its end marker (`[DONE]`, a finish reason, or Ollama's `done: true`).
    pub fn finish(mut self, request_id: Option<String>) -> Result<ChatResult, LlmError> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.line(&String::from_utf8_lossy(&rest), true);
        }
        if let Some(error) = self.error {
            return Err(error);
        }
        let finish = match (self.finish, self.done) {
            (Some(finish), _) => finish,
            (None, true) => Finish::Stop,
            (None, false) => {
                return Err(LlmError::new(
                    LlmErrorClass::Truncated,
                    format!("the stream ended before its end marker after {} characters", self.text.len()),
                ))
            }
        };
        Ok(ChatResult { text: self.text, finish, usage: self.usage, model: self.model, request_id })
    }

    /// Handles one line; `last` marks an unterminated final line (a cut one is truncation).
    fn line(&mut self, line: &str, last: bool) {
        if self.error.is_some() || self.done {
            return;
        }
        let line = line.strip_suffix('\r').unwrap_or(line).trim();
        let payload = match self.provider {
            Provider::Openai => match line.strip_prefix("data:") {
                Some(data) => data.trim(),
                None => return,
            },
            Provider::Ollama => line,
        };
        if payload.is_empty() {
            return;
        }
        if payload == "[DONE]" {
            self.done = true;
            return;
        }
        let value: Value = match crate::decode::from_str(payload) {
            Ok(v) => v,
            Err(e) => {
                let class = if last && e.is_eof() { LlmErrorClass::Truncated } else { LlmErrorClass::Malformed };
                let shown: String = payload.chars().take(200).collect();
                self.error = Some(LlmError::new(class, format!("stream line is not JSON ({e}): {shown}")));
                return;
            }
        };
        if value.get("error").is_some_and(|e| !e.is_null()) {
            let (message, _) = error_body(payload);
            self.error = Some(LlmError::new(LlmErrorClass::Server, format!("error inside the stream: {message}")));
            return;
        }
        if let Some(model) = value.get("model").and_then(Value::as_str) {
            self.model = model.to_string();
        }
        match self.provider {
            Provider::Openai => self.openai_chunk(&value),
            Provider::Ollama => self.ollama_line(&value),
        }
    }

    fn openai_chunk(&mut self, value: &Value) {
        if let Some(usage) = openai_usage(value) {
            self.usage = Some(usage);
        }
        let Some(choice) = value.get("choices").and_then(Value::as_array).and_then(|c| c.first()) else {
            return;
        };
        if let Some(content) = choice.pointer("/delta/content").and_then(Value::as_str) {
            self.text.push_str(content);
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish = Some(Finish::from_reason(reason));
        }
    }

    fn ollama_line(&mut self, value: &Value) {
        if let Some(content) = value.pointer("/message/content").and_then(Value::as_str) {
            self.text.push_str(content);
        }
        if value.get("done").and_then(Value::as_bool) == Some(true) {
            self.done = true;
            self.finish = Some(Finish::from_reason(value.get("done_reason").and_then(Value::as_str).unwrap_or("stop")));
            self.usage = ollama_usage(value);
        }
    }
}

/// Token counts of an OpenAI `usage` object.
pub(super) fn openai_usage(value: &Value) -> Option<Usage> {
    let usage = value.get("usage")?;
    Some(Usage {
        input_tokens: usage.get("prompt_tokens")?.as_u64()?,
        output_tokens: usage.get("completion_tokens")?.as_u64()?,
    })
}

/// Token counts of an Ollama final object.
pub(super) fn ollama_usage(value: &Value) -> Option<Usage> {
    Some(Usage {
        input_tokens: value.get("prompt_eval_count")?.as_u64()?,
        output_tokens: value.get("eval_count")?.as_u64()?,
    })
}
