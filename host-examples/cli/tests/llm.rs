//! `corridor explain` and `logs analyze --explain` through the plugin's HTTP to a local test
//! server that speaks the OpenAI and Ollama chat formats: the answer comes through, planted
//! secrets never reach the server, the key is sent as a bearer token but never printed, and
//! failures fall back to the rule book with the error classified.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Output;
use std::sync::mpsc;

const KEY: &str = "sk-test-0123456789abcdefghijklmnopqrstuv";
const PLANTED: [&str; 3] = ["AKIAIOSFODNN7EXAMPLE", "alice@example.com", "hunter2"];

fn corridor(args: &[&str]) -> Output {
    common::command(args).env("OPENAI_API_KEY", KEY).env_remove("CORRIDOR_LLM_API_KEY").output().expect("corridor runs")
}

/// The classic log, with secrets planted in it.
fn log_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("corridor-llm-{}-{name}", std::process::id()));
    let text = "2024-05-01T10:00:00Z INFO api Starting server...\n\
                2024-05-01T10:00:01Z INFO api login alice@example.com aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n\
                2024-05-01T10:00:03Z ERROR api ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432' \
                url=postgres://app:hunter2@db-prod-1:5432/orders\n\
                2024-05-01T10:00:03Z WARN api Database health check failed. Retrying in 5s...\n";
    std::fs::write(&path, text).expect("temp file");
    path
}

/// A one-request HTTP server answering `status` and `body`; sends back the raw request.
fn serve_once(status: u16, body: String) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("port");
    let url = format!("http://127.0.0.1:{}", listener.local_addr().expect("address").port());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else { return };
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            head.push_str(&line);
        }
        let mut request_body = vec![0; length];
        let _ = reader.read_exact(&mut request_body);
        let _ = tx.send(format!("{head}\r\n{}", String::from_utf8_lossy(&request_body)));
        let mut stream = reader.into_inner();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    (url, rx)
}

fn answer_json() -> String {
    serde_json::json!({
        "summary": "The API cannot reach its database db-prod-1:5432.",
        "probable_cause": "The database at db-prod-1:5432 refuses connections: it is down or a firewall blocks the port.",
        "evidence": ["ConnectionRefusedError ... 'db-prod-1:5432'"],
        "suggested_fix": "Check that the database is running and that no firewall blocks port 5432.",
        "commands": ["pg_isready -h db-prod-1 -p 5432"],
        "confidence": 0.8
    })
    .to_string()
}

fn assert_private(request: &str, out: &Output) {
    for secret in PLANTED {
        assert!(!request.contains(secret), "{secret} reached the LLM: {request}");
    }
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!printed.contains(KEY), "the key was printed");
}

#[test]
fn the_openai_path_explains_the_classic_case_without_leaking_secrets() {
    let completion = serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer_json()}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
    });
    let (url, requests) = serve_once(200, completion.to_string());
    let log = log_file("openai.log");
    let out =
        corridor(&["--llm", &url, "--llm-model", "test-model", "logs", "analyze", log.to_str().unwrap(), "--explain"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let request = requests.recv().expect("the LLM was asked");
    assert!(request.starts_with("POST /v1/chat/completions"), "{request}");
    assert!(request.to_ascii_lowercase().contains(&format!("authorization: bearer {KEY}").to_ascii_lowercase()));
    assert!(request.contains("db-prod-1:5432") && request.contains("\"model\":\"test-model\""), "{request}");
    assert_private(&request, &out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("no firewall blocks port 5432") && stdout.contains("$ pg_isready"), "{stdout}");
    assert!(!stdout.contains("offline rule book"), "{stdout}");
}

#[test]
fn the_ollama_path_and_llm_failures_fall_back_to_the_rule_book() {
    let chat = serde_json::json!({
        "model": "llama3.2", "created_at": "2024-05-01T10:00:00Z",
        "message": {"role": "assistant", "content": answer_json()}, "done": true
    });
    let (url, requests) = serve_once(200, chat.to_string());
    let log = log_file("ollama.log");
    let out = corridor(&["--json", "--llm", "ollama", "--llm-url", &url, "explain", "--logs", log.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let request = requests.recv().expect("the LLM was asked");
    assert!(request.starts_with("POST /api/chat"), "{request}");
    assert_private(&request, &out);
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(answer["explanation"]["commands"][0]["requires_approval"], true);

    let (url, _requests) = serve_once(
        401,
        r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#
            .into(),
    );
    let out = corridor(&["--json", "--llm", &url, "explain", "--logs", log.to_str().unwrap()]);
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(answer["explanation"]["source"], "rule_book", "{answer}");
    assert_eq!(answer["explanation"]["family"], "connection_refused");
    assert_eq!(answer["llm_error"]["status"], 401, "{answer}");
    assert_private("", &out);

    let closed = TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("address").port();
    let out = corridor(&["--llm", &format!("http://127.0.0.1:{closed}"), "explain", "--logs", log.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("offline rule book") && stdout.contains("Connection refused"),
        "{stdout}"
    );

    let out = corridor(&["--llm", "gopher://x", "explain", "--logs", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}
