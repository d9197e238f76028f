//! The LLM wire formats: requests, answers, streams split anywhere, and every error class.

use corridor_core::llm::{
    build_request, parse_response, ChatRequest, Endpoint, Finish, HttpResponse, LlmErrorClass, Provider, StreamDecoder,
};
use std::collections::BTreeMap;

fn endpoint(provider: Provider, url: &str) -> Endpoint {
    Endpoint {
        provider,
        url: url.into(),
        model: "m".into(),
        max_tokens_field: "max_tokens".into(),
        context_tokens: 4096,
    }
}

fn chat(stream: bool) -> ChatRequest {
    ChatRequest {
        system: "sys".into(),
        user: "why?".into(),
        max_output_tokens: 100,
        temperature: 0.2,
        json: true,
        stream,
    }
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status: Some(status),
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        body: body.into(),
        transport_error: None,
    }
}

const OPENAI_OK: &str = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m",
 "choices":[{"index":0,"message":{"role":"assistant","content":"Pool é","refusal":null},"finish_reason":"stop","logprobs":null}],
 "usage":{"prompt_tokens":93,"completion_tokens":160,"total_tokens":253}}"#;

const OPENAI_SSE: &str = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n\
: keep-alive comment\n\n\
data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Pool \u{e9}\u{1F525} \"},\"finish_reason\":null}]}\n\n\
data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"exhausted\"},\"finish_reason\":null}]}\r\n\r\n\
data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n\
data: {\"id\":\"c\",\"choices\":null,\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}\n\n\
data: [DONE]\n\n";

const OLLAMA_NDJSON: &str = "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"The \u{e9}\"},\"done\":false}\n\
{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"DB\"},\"done\":false}\n\
{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":26,\"eval_count\":282}\n";

#[test]
fn openai_request_has_the_documented_shape_and_key_only_when_given() {
    let r = build_request(&endpoint(Provider::Openai, "http://127.0.0.1:8080/"), &chat(true), None);
    assert_eq!((r.method.as_str(), r.url.as_str()), ("POST", "http://127.0.0.1:8080/v1/chat/completions"));
    assert!(!r.headers.contains_key("authorization"));
    assert_eq!(r.headers["accept"], "text/event-stream");
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["content"], "why?");
    assert_eq!(body["max_tokens"], 100);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["response_format"]["type"], "json_object");
    let keyed = build_request(&endpoint(Provider::Openai, "https://api.example.com/v1"), &chat(false), Some("sk-x"));
    assert_eq!(keyed.url, "https://api.example.com/v1/chat/completions");
    assert_eq!(keyed.headers["authorization"], "Bearer sk-x");
    assert!(!keyed.body.contains("sk-x"));
}

#[test]
fn ollama_request_uses_the_native_shape() {
    let r = build_request(&endpoint(Provider::Ollama, "http://localhost:11434"), &chat(false), None);
    assert_eq!(r.url, "http://localhost:11434/api/chat");
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["format"], "json");
    assert_eq!(body["stream"], false);
    assert_eq!(body["options"]["num_predict"], 100);
    assert_eq!(body["options"]["num_ctx"], 4096);
}

#[test]
fn non_streamed_answers_parse() {
    let r = parse_response(Provider::Openai, false, &response(200, &[("X-Request-Id", "req-7")], OPENAI_OK)).unwrap();
    assert_eq!(r.text, "Pool é");
    assert_eq!(r.finish, Finish::Stop);
    assert_eq!(r.usage.unwrap().output_tokens, 160);
    assert_eq!(r.request_id.as_deref(), Some("req-7"));
    let ollama = r#"{"model":"m","message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"length","prompt_eval_count":1,"eval_count":2}"#;
    let r = parse_response(Provider::Ollama, false, &response(200, &[], ollama)).unwrap();
    assert_eq!((r.text.as_str(), r.finish), ("hi", Finish::Length));
}

#[test]
fn a_stream_split_at_every_byte_gives_the_same_answer() {
    for (provider, body, text) in
        [(Provider::Openai, OPENAI_SSE, "Pool é🔥 exhausted"), (Provider::Ollama, OLLAMA_NDJSON, "The éDB")]
    {
        let bytes = body.as_bytes();
        for cut in 0..=bytes.len() {
            let mut d = StreamDecoder::new(provider);
            let mut seen = d.push(&bytes[..cut]);
            seen.push_str(&d.push(&bytes[cut..]));
            let r = d.finish(None).unwrap();
            assert_eq!(r.text, text, "cut at {cut}");
            assert_eq!(seen, text);
        }
        let mut d = StreamDecoder::new(provider);
        for b in bytes {
            d.push(std::slice::from_ref(b));
        }
        assert_eq!(d.finish(None).unwrap().text, text);
    }
    let r = parse_response(Provider::Openai, true, &response(200, &[], OPENAI_SSE)).unwrap();
    assert_eq!(r.finish, Finish::Length);
    assert_eq!(r.usage.unwrap().input_tokens, 5);
}

#[test]
fn streams_that_end_early_or_carry_errors_are_classified() {
    let cut = &OPENAI_SSE[..OPENAI_SSE.find("exhausted").unwrap()];
    let e = parse_response(Provider::Openai, true, &response(200, &[], cut)).unwrap_err();
    assert_eq!(e.class, LlmErrorClass::Truncated);
    let no_done =
        OPENAI_SSE.replace("data: [DONE]\n\n", "").replace("\"finish_reason\":\"length\"", "\"finish_reason\":null");
    assert_eq!(
        parse_response(Provider::Openai, true, &response(200, &[], &no_done)).unwrap_err().class,
        LlmErrorClass::Truncated
    );
    let mid = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\":{\"message\":\"overloaded\",\"code\":500}}\n\n";
    let e = parse_response(Provider::Openai, true, &response(200, &[], mid)).unwrap_err();
    assert_eq!(e.class, LlmErrorClass::Server);
    assert!(e.message.contains("overloaded"));
    let ollama_mid = "{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"error\":\"model crashed\"}\n";
    assert_eq!(
        parse_response(Provider::Ollama, true, &response(200, &[], ollama_mid)).unwrap_err().class,
        LlmErrorClass::Server
    );
    let garbage = "data: {not json}\n\ndata: [DONE]\n\n";
    assert_eq!(
        parse_response(Provider::Openai, true, &response(200, &[], garbage)).unwrap_err().class,
        LlmErrorClass::Malformed
    );
}

#[test]
fn every_error_class() {
    let openai_error = r#"{"error":{"message":"Incorrect API key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
    let cases: Vec<(HttpResponse, LlmErrorClass, bool)> = vec![
        (response(401, &[], openai_error), LlmErrorClass::Auth, false),
        (
            response(403, &[], r#"{"type":"error","error":{"type":"permission_error","message":"no"}}"#),
            LlmErrorClass::Auth,
            false,
        ),
        (response(404, &[], r#"{"error":"model 'x' not found"}"#), LlmErrorClass::UnknownModel, false),
        (
            response(
                429,
                &[("retry-after", "1.5")],
                r#"{"error":{"message":"slow down","code":"rate_limit_exceeded"}}"#,
            ),
            LlmErrorClass::RateLimited,
            true,
        ),
        (
            response(429, &[], r#"{"error":{"message":"quota","code":"insufficient_quota"}}"#),
            LlmErrorClass::QuotaExceeded,
            false,
        ),
        (response(500, &[], "Internal Server Error"), LlmErrorClass::Server, true),
        (
            response(503, &[("x-should-retry", "false")], r#"{"object":"error","message":"down","code":503}"#),
            LlmErrorClass::Server,
            false,
        ),
        (
            response(
                400,
                &[],
                r#"{"error":{"message":"This model's maximum context length is 2048 tokens","code":"context_length_exceeded"}}"#,
            ),
            LlmErrorClass::BadRequest,
            false,
        ),
        (response(200, &[], "<html>garbage</html>"), LlmErrorClass::Malformed, false),
        (response(200, &[], &OPENAI_OK[..60]), LlmErrorClass::Truncated, false),
        (response(200, &[], r#"{"choices":[]}"#), LlmErrorClass::Malformed, false),
        (HttpResponse { transport_error: Some("timeout".into()), ..Default::default() }, LlmErrorClass::Timeout, true),
        (
            HttpResponse { transport_error: Some("connection refused".into()), ..Default::default() },
            LlmErrorClass::Connection,
            true,
        ),
    ];
    for (r, class, retryable) in cases {
        let e = parse_response(Provider::Openai, false, &r).unwrap_err();
        assert_eq!((e.class, e.retryable), (class, retryable), "{r:?} gave {e:?}");
        assert!(!e.message.is_empty());
    }
    let e = parse_response(
        Provider::Openai,
        false,
        &response(429, &[("retry-after-ms", "250"), ("retry-after", "9")], "{}"),
    )
    .unwrap_err();
    assert_eq!(e.retry_after_ms, Some(250));
    let e = parse_response(Provider::Openai, false, &response(429, &[("Retry-After", "1.5")], "{}")).unwrap_err();
    assert_eq!(e.retry_after_ms, Some(1500));
    let e = parse_response(Provider::Openai, false, &response(429, &[("retry-after", "900")], "{}")).unwrap_err();
    assert_eq!(e.retry_after_ms, None, "delays over 120 s are not honoured");
    assert!(parse_response(Provider::Openai, false, &response(401, &[], openai_error))
        .unwrap_err()
        .message
        .contains("Incorrect API key"));
}
