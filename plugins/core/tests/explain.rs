//! The `explain` operation: the rule book, the classic case, prompts, answers and the LLM round trip.

use corridor_core::contract::call;
use corridor_core::explain::{families, parse_answer, rulebook, Source};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const CLASSIC: &str = "Starting server...\n\
ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'\n\
Database health check failed. Retrying in 5s...\n";

fn explain(request: Value) -> Value {
    serde_json::from_str(&call("explain", &request.to_string())).unwrap()
}

fn llm() -> Value {
    json!({"provider": "openai", "url": "http://127.0.0.1:9/", "model": "m"})
}

fn assert_classic(e: &Value) {
    let cause = e["probable_cause"].as_str().unwrap();
    assert!(cause.contains("cannot reach the database at db-prod-1:5432"), "{cause}");
    let fix = e["suggested_fix"].as_str().unwrap().to_lowercase();
    assert!(fix.contains("running") && fix.contains("firewall") && fix.contains("5432"), "{fix}");
    assert!(e["commands"].as_array().unwrap().iter().all(|c| c["requires_approval"] == true));
}

#[test]
fn the_rule_book_has_forty_distinct_families() {
    let ids: BTreeSet<&str> = rulebook::family_ids().collect();
    assert!(ids.len() >= 40 && ids.len() == families().len());
    assert!(families().iter().all(|f| !f.patterns.is_empty() && !f.commands.is_empty()));
}

#[test]
fn the_classic_case_from_the_rule_book() {
    let out = explain(json!({"version": "corridor.v1", "logs": CLASSIC}));
    let e = &out["explanation"];
    assert_eq!(e["source"], "rule_book");
    assert_eq!(e["family"], "connection_refused");
    assert!(e["summary"].as_str().unwrap().starts_with("Offline rule book"));
    assert_classic(e);
    assert!(e["evidence"][0].as_str().unwrap().contains("db-prod-1:5432"));
    assert!(out.get("llm_request").is_none());
}

#[test]
fn no_signature_says_so() {
    let out = explain(json!({"version": "corridor.v1", "logs": "all good\nstill good\n"}));
    assert_eq!(out["explanation"]["family"], Value::Null);
    assert_eq!(out["explanation"]["confidence"], 0.0);
}

#[test]
fn the_llm_round_trip_restores_placeholders_and_keeps_secrets_out() {
    let secrets = [
        "AKIAIOSFODNN7EXAMPLE",
        "hunter2hunter2",
        "alice@example.com",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
    ];
    let logs = format!(
        "{CLASSIC}ERROR login failed for alice@example.com from 10.1.2.3 password=hunter2hunter2\n\
         ERROR aws key AKIAIOSFODNN7EXAMPLE rejected; Authorization: Bearer {}\nERROR openai key {} invalid\n",
        secrets[3], secrets[4]
    );
    let config = [json!({"name": "app.env", "text": "DATABASE_URL=postgres://app:hunter2hunter2@db-prod-1:5432/app"})];
    let request = json!({"version": "corridor.v1", "logs": logs, "config": config, "llm": llm()});
    let first = explain(request.clone());
    let http = &first["llm_request"];
    let bytes = http.to_string();
    for s in secrets {
        assert!(!bytes.contains(s), "{s} leaked into the request");
    }
    assert!(bytes.contains("db-prod-1:5432"), "host names stay for diagnosis");
    assert!(http["headers"].get("authorization").is_none());
    let body: Value = serde_json::from_str(http["body"].as_str().unwrap()).unwrap();
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("Offline rule book match: connection_refused"));
    let placeholder =
        user.split_whitespace().find(|w| w.starts_with("<EMAIL_")).unwrap().trim_end_matches(|c: char| c != '>');
    let answer = json!({"summary": format!("Login of {placeholder} failed and the DB is down"),
        "probable_cause": "The app cannot reach the database at db-prod-1:5432.",
        "evidence": ["Connection refused"], "suggested_fix": "Check that the database is running and no firewall blocks port 5432.",
        "commands": ["pg_isready -h db-prod-1 -p 5432"], "confidence": 0.8});
    let completion = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": answer.to_string()}, "finish_reason": "stop"}], "model": "m"});
    let mut second = request;
    second["llm_response"] = json!({"status": 200, "headers": {}, "body": completion.to_string()});
    let out = explain(second);
    let e = &out["explanation"];
    assert_eq!(e["source"], "llm");
    assert!(e["summary"].as_str().unwrap().contains("alice@example.com"), "placeholders are restored locally");
    assert_eq!(e["commands"][0], json!({"command": "pg_isready -h db-prod-1 -p 5432", "requires_approval": true}));
    assert_eq!(e["confidence"], 0.8);
}

#[test]
fn llm_failures_fall_back_to_the_rule_book_with_a_warning() {
    for (status, body, class) in [
        (401, r#"{"error":{"message":"bad key"}}"#, "auth"),
        (404, r#"{"error":"model 'm' not found"}"#, "unknown_model"),
        (429, "{}", "rate_limited"),
        (500, "Internal Server Error", "server"),
        (200, "garbage", "malformed"),
    ] {
        let out = explain(json!({"version": "corridor.v1", "logs": CLASSIC, "llm": llm(),
            "llm_response": {"status": status, "body": body}}));
        assert_eq!(out["llm_error"]["class"], class);
        assert_eq!(out["warnings"][0]["code"], "llm_fallback");
        assert_eq!(out["explanation"]["source"], "rule_book");
        assert_classic(&out["explanation"]);
    }
    let out = explain(json!({"version": "corridor.v1", "logs": CLASSIC, "llm": llm(),
        "llm_response": {"transport_error": "timeout"}}));
    assert_eq!(out["llm_error"]["class"], "timeout");
}

#[test]
fn the_prompt_keeps_to_its_budget_and_drops_config_first() {
    let mut logs = String::new();
    for i in 0..400 {
        logs.push_str(&format!(
            "2024-01-01T00:{:02}:{:02}Z INFO request {i} served in {}ms\n",
            i / 60 % 60,
            i % 60,
            i % 97
        ));
        if i % 50 == 0 {
            logs.push_str(&format!(
                "2024-01-01T00:{:02}:{:02}Z ERROR worker {i} failed: connection refused\n",
                i / 60 % 60,
                i % 60
            ));
        }
    }
    let config = [json!({"name": "big.yaml", "text": "x: 1\n".repeat(2000)})];
    let out = explain(json!({"version": "corridor.v1", "logs": logs, "config": config, "llm": llm(),
        "options": {"budget_tokens": 600}}));
    assert!(out["prompt_tokens"].as_u64().unwrap() <= 600, "{}", out["prompt_tokens"]);
    assert_eq!(out["warnings"][0]["code"], "prompt_truncated");
    let body: Value = serde_json::from_str(out["llm_request"]["body"].as_str().unwrap()).unwrap();
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(!user.contains("big.yaml") && user.contains("connection refused"));
}

#[test]
fn answers_parse_as_json_sections_or_text() {
    let fenced = "Sure!\n```json\n{\"summary\":\"s\",\"probable_cause\":\"c\",\"evidence\":\"e\",\"suggested_fix\":\"f\",\"commands\":[{\"command\":\"ls\"}],\"confidence\":\"high\"}\n```";
    let e = parse_answer(fenced);
    assert_eq!((e.summary.as_str(), e.evidence.len(), e.confidence), ("s", 1, 0.8));
    assert!(e.commands[0].requires_approval);
    let markdown = "## Summary\nThe DB is down.\n\n## Probable cause\nPostgres crashed.\n\n## Evidence\n- refused on 5432\n- health check failed\n\n## Suggested fix\nRestart it.\n\n## Commands\n```\nkubectl get pods\n```\n- `pg_isready`\n";
    let e = parse_answer(markdown);
    assert_eq!(e.source, Source::Llm);
    assert_eq!(
        (e.summary.as_str(), e.probable_cause.as_str(), e.suggested_fix.as_str()),
        ("The DB is down.", "Postgres crashed.", "Restart it.")
    );
    assert_eq!(e.evidence, ["refused on 5432", "health check failed"]);
    assert_eq!(e.commands.iter().map(|c| c.command.as_str()).collect::<Vec<_>>(), ["kubectl get pods", "pg_isready"]);
    let e = parse_answer("I think the database is down.\n\nMaybe restart it.");
    assert_eq!((e.summary.as_str(), e.confidence), ("I think the database is down.", 0.3));
    let huge = format!(
        "{{\"summary\":\"{}\",\"probable_cause\":\"c\",\"evidence\":{}}}",
        "x".repeat(1_000_000),
        json!(vec!["e"; 5000])
    );
    let e = parse_answer(&huge);
    assert!(e.summary.chars().count() <= 4001 && e.evidence.len() == 20);
    let e = parse_answer(&"word ".repeat(500_000));
    assert!(e.probable_cause.chars().count() <= 4001);
}

#[test]
fn bad_explain_requests_are_error_values() {
    for (request, code) in [
        (json!({"version": "corridor.v1", "options": {"budget_tokens": 10}}), "invalid_option"),
        (json!({"version": "corridor.v1", "options": {"temperature": 9.0}}), "invalid_option"),
        (json!({"version": "corridor.v1", "logs": 5}), "malformed_request"),
        (json!({"version": "corridor.v1", "llm": {"url": "x"}}), "malformed_request"),
    ] {
        assert_eq!(explain(request)["error"]["code"], code);
    }
}
