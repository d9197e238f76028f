//! The `logs_analyze`, `scrub` and `restore` operations of the `corridor.v1` contract: answers
//! for real-looking logs, structured errors for bad requests, never a panic.

use corridor_core::contract::call;
use serde_json::{json, Value};

fn answer(op: &str, request: Value) -> Value {
    serde_json::from_str(&call(op, &request.to_string())).expect("every answer is JSON")
}

const LOG: &str = "2024-01-15 10:00:00,000 INFO db: Connecting to database\n\
                   2024-01-15 10:00:02,000 ERROR db: ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432' from 10.0.0.7\n\
                   2024-01-15 10:00:02,100 WARNING db: Database health check failed. Retrying in 5s...\n";

#[test]
fn logs_analyze_finds_the_error_and_scrubs_it() {
    let out = answer("logs_analyze", json!({"version": "corridor.v1", "text": LOG, "scrub": {}}));
    assert_eq!(out["version"], "corridor.v1");
    assert_eq!(out["findings"].as_array().map(Vec::len), Some(1));
    let event = out["findings"][0]["event"].as_str().unwrap();
    assert!(event.contains("'db-prod-1:5432' from <IPV4_1>"), "{event}");
    assert_eq!(out["mapping"]["<IPV4_1>"], "10.0.0.7");
    let next = answer("logs_analyze", json!({"version": "corridor.v1", "text": LOG, "state": out["state"]}));
    assert!(next["error"].is_null(), "{next}");
}

#[test]
fn a_scrubbed_answer_holds_private_values_only_in_its_mapping_and_state() {
    let log = "2024-01-15 10:00:00,000 INFO api: login by alice@example.com\n\
               2024-01-15 10:00:01,000 ERROR api: token rejected for alice@example.com\n";
    let mut out = answer("logs_analyze", json!({"version": "corridor.v1", "text": log, "scrub": {}}));
    assert_eq!(out["mapping"]["<EMAIL_1>"], "alice@example.com");
    for private in ["mapping", "state"] {
        out.as_object_mut().unwrap().remove(private);
    }
    assert!(!out.to_string().contains("alice@"), "{out}");
}

#[test]
fn scrub_and_restore_round_trip() {
    let text = "login bob@example.com password=hunter2 from 2001:db8::1";
    let out = answer("scrub", json!({"version": "corridor.v1", "text": text}));
    assert_eq!(out["text"], "login <EMAIL_1> password=<PASSWORD_1> from <IPV6_1>");
    assert_eq!(out["report"]["EMAIL"], 1);
    let back = answer("restore", json!({"version": "corridor.v1", "text": out["text"], "mapping": out["mapping"]}));
    assert_eq!(back["text"], text);
}

#[test]
fn bad_log_requests_are_error_values() {
    let code = |op: &str, request: Value| answer(op, request)["error"]["code"].as_str().unwrap_or("none").to_string();
    assert_eq!(code("logs_analyze", json!({"version": "corridor.v1"})), "malformed_request");
    assert_eq!(code("logs_analyze", json!({"version": "corridor.v1", "text": "x", "state": 3})), "invalid_state");
    assert_eq!(
        code("logs_analyze", json!({"version": "corridor.v1", "text": "x", "options": {"context": 101}})),
        "invalid_option"
    );
    assert_eq!(code("scrub", json!({"version": "corridor.v2", "text": "x"})), "unsupported_version");
    assert!(call("scrub", "\u{0}\u{1}binary").contains("malformed_request"));
}

#[test]
fn odd_logs_give_documented_results() {
    let empty = answer("logs_analyze", json!({"version": "corridor.v1", "text": ""}));
    assert_eq!((empty["lines"].as_u64(), empty["events"].as_u64()), (Some(0), Some(0)));
    let garbage: String =
        (0..50_000u32).filter_map(|i| char::from_u32(i.wrapping_mul(2_654_435_761) % 0x10FFFF)).collect();
    let out = answer("logs_analyze", json!({"version": "corridor.v1", "text": garbage}));
    assert!(out["error"].is_null());
    let scrubbed = answer("scrub", json!({"version": "corridor.v1", "text": garbage}));
    assert!(scrubbed["error"].is_null());
    let long = format!("2024-01-15 10:00:00 INFO {}", "token ".repeat(2 * 1024 * 1024));
    let out = answer("logs_analyze", json!({"version": "corridor.v1", "text": long}));
    assert_eq!(out["warnings"][0]["code"], "truncated_lines");
    let out = answer("scrub", json!({"version": "corridor.v1", "text": &long[..1 << 20]}));
    assert!(out["error"].is_null());
}
