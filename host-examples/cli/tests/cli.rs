//! The `corridor` command and the plugin through the Rust Extism host. Needs the plugin built
//! first (`plugins/extism/build.sh`, which
//! `scripts/test.sh` does).

mod common;

use common::{root, wasm};
use extism::{Manifest, Plugin, Wasm};
use std::path::PathBuf;
use std::process::{Command, Output};

fn corridor(args: &[&str]) -> Output {
    common::command(args).output().expect("corridor runs")
}

fn write_csv(name: &str, rows: impl Iterator<Item = String>) -> PathBuf {
    let path = std::env::temp_dir().join(format!("corridor-cli-{}-{name}", std::process::id()));
    let text: String = std::iter::once("timestamp,value".to_string()).chain(rows).collect::<Vec<_>>().join("\n");
    std::fs::write(&path, text + "\n").expect("temp file");
    path
}

#[test]
fn plugin_answers_equal_the_native_engine_on_every_contract_example() {
    let manifest = Manifest::new([Wasm::file(wasm())]);
    let mut plugin = Plugin::new(&manifest, [], false).expect("plugin loads");
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("tests/contract")).expect("examples") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let Some(stem) = name.strip_suffix(".request.json") else { continue };
        let op = stem.split('-').next().unwrap_or(stem);
        let request = std::fs::read_to_string(&path).expect("request");
        let from_plugin: String = plugin.call(op, request.as_str()).expect("call returns");
        let native = corridor_core::contract::call(op, &request);
        assert_eq!(from_plugin, native, "{name}");
        checked += 1;
    }
    assert!(checked >= 2);
}

#[test]
fn detect_lists_a_planted_spike() {
    let rows = (0..400).map(|i| {
        let value = if i == 300 { 90.0 } else { 20.0 + [0.4, -0.3, 0.1, -0.2][i % 4] };
        format!("{},{value}", 1_700_000_000 + 60 * i)
    });
    let csv = write_csv("spike.csv", rows);
    let out = corridor(&["detect", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2023-11-15 03:13") && stdout.contains("excursion") && stdout.contains("critical"),
        "{stdout}"
    );

    let svg = csv.with_extension("svg");
    let plotted = corridor(&["detect", csv.to_str().unwrap(), "--plot", svg.to_str().unwrap()]);
    assert!(plotted.status.success(), "{}", String::from_utf8_lossy(&plotted.stderr));
    let drawing = std::fs::read_to_string(&svg).expect("the plot is written");
    assert!(
        drawing.contains("<svg") && drawing.contains("<polygon") && drawing.contains("<circle"),
        "band and anomaly"
    );

    let json = corridor(&["--json", "detect", csv.to_str().unwrap()]);
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    assert_eq!(answer["anomalies"][0]["start_ms"], 1_700_000_000_000i64 + 300 * 60_000);
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_code() {
    let csv = write_csv("bad.csv", ["1700000000,1".to_string(), "1700000060,abc".to_string()].into_iter());
    let out = corridor(&["detect", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":3: value \"abc\" is not a number"));

    let short = write_csv("short.csv", ["1700000000,1".to_string()].into_iter());
    let out = corridor(&["detect", short.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too_few_points"));

    let fine = write_csv("fine.csv", (0..50).map(|i| format!("{},{}", 1_700_000_000 + 60 * i, i % 3)));
    let out = corridor(&["detect", fine.to_str().unwrap(), "--sensitivity", "3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_option (options.sensitivity)"));

    let config = fine.with_extension("toml");
    std::fs::write(&config, "sensitivity = 3\n").expect("config file");
    let out = corridor(&["--config", config.to_str().unwrap(), "detect", fine.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_option (options.sensitivity)"), "from the file");
    let out =
        corridor(&["--config", config.to_str().unwrap(), "detect", "--sensitivity", "0.5", fine.to_str().unwrap()]);
    assert!(out.status.success(), "a flag overrides the file");
    std::fs::write(&config, "sensitivty = 0.5\n").expect("config file");
    let out = corridor(&["--config", config.to_str().unwrap(), "detect", fine.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `sensitivty`"));

    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["--plugin", "/nonexistent/corridor.wasm", "demo"])
        .output()
        .expect("corridor runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such plugin file"));
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    // About a megabyte of JSON: more than a pipe holds, so the writer meets the closed pipe.
    let mut child = common::command(&["--json", "detect", "samples/nyc_taxi.csv"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("corridor runs");
    let mut first = [0u8; 100];
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("the start of the answer");
    let out = child.wait_with_output().expect("corridor ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.starts_with(b"{") && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn demo_runs_on_the_bundled_samples() {
    let out = corridor(&["demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for sample in ["nyc_taxi.csv", "ec2_request_latency_system_failure.csv", "art_daily_jumpsup.csv"] {
        assert!(stdout.contains(sample), "{sample} missing");
    }
    assert!(stdout.contains("level shift"), "the January 2015 blizzard in nyc_taxi");
    assert!(stdout.contains("replicas now") && stdout.contains("Prometheus rules"), "{stdout}");
    assert!(stdout.contains("postgres_too_many_connections") && stdout.contains("<STRIPE_KEY_1>"), "{stdout}");
    assert!(!stdout.contains("sk_live_"), "the sample log's key is scrubbed");
}

fn daily_load_csv(name: &str) -> PathBuf {
    write_csv(
        name,
        (0..24 * 5).map(|i| {
            let phase = (i % 24) as f64 / 24.0 * std::f64::consts::TAU;
            format!("{},{:.2}", 1_700_006_400 + 3600 * i, 100.0 + 30.0 * phase.sin() + [2.0, -1.0, 0.5][i % 3])
        }),
    )
}

#[test]
fn forecast_prints_intervals_and_the_model() {
    let csv = daily_load_csv("forecast.csv");
    let out = corridor(&["forecast", csv.to_str().unwrap(), "--horizon", "6", "--levels", "80,95"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("80 % low") && stdout.contains("95 % high") && stdout.contains("backtest MASE"),
        "{stdout}"
    );
    let svg = csv.with_extension("svg");
    let plotted = corridor(&["forecast", csv.to_str().unwrap(), "--horizon", "6", "--plot", svg.to_str().unwrap()]);
    assert!(plotted.status.success(), "{}", String::from_utf8_lossy(&plotted.stderr));
    assert!(std::fs::read_to_string(&svg).expect("the plot is written").contains("forecast"));
    let json = corridor(&["--json", "forecast", csv.to_str().unwrap(), "--horizon", "6"]);
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    assert_eq!(answer["point"].as_array().map(Vec::len), Some(6));
    assert_eq!(answer["intervals"][0]["level"], 80.0);
}

#[test]
fn scale_prints_replicas_within_the_limits() {
    let csv = daily_load_csv("scale.csv");
    let args = [
        "--json",
        "scale",
        csv.to_str().unwrap(),
        "--target-per-replica",
        "20",
        "--min-replicas",
        "3",
        "--max-replicas",
        "6",
    ];
    let out = corridor(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let replicas: Vec<u64> = answer["replicas"].as_array().unwrap().iter().map(|r| r.as_u64().unwrap()).collect();
    assert!(!replicas.is_empty() && replicas.iter().all(|r| (3..=6).contains(r)), "{replicas:?}");
    let out = corridor(&["scale", csv.to_str().unwrap(), "--target-per-replica", "0"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

fn classic_log(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("corridor-cli-{}-{name}", std::process::id()));
    let lines = [
        "2024-05-01T10:00:00Z INFO api Starting server...",
        "2024-05-01T10:00:01Z INFO api GET /orders 200 41ms user=alice@example.com",
        "2024-05-01T10:00:03Z ERROR db ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'",
        "2024-05-01T10:00:03Z WARN db Database health check failed. Retrying in 5s...",
        "2024-05-01T10:00:08Z INFO api GET /health 200 2ms",
    ];
    std::fs::write(&path, lines.join("\n") + "\n").expect("temp file");
    path
}

#[test]
fn logs_analyze_prints_the_error_with_its_context_and_never_the_private_values() {
    let log = classic_log("classic.log");
    let out = corridor(&["logs", "analyze", log.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(":3: level error") && stdout.contains("Connection refused: 'db-prod-1:5432'"), "{stdout}");
    assert!(stdout.contains("Starting server...") && stdout.contains("<EMAIL_1>"), "context, scrubbed: {stdout}");
    assert!(!stdout.contains("alice@example.com"), "{stdout}");

    let json = corridor(&["--json", "logs", "analyze", log.to_str().unwrap()]);
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    assert_eq!(answer["findings"][0]["line"], 3);
    assert!(answer.get("mapping").is_none() && !String::from_utf8_lossy(&json.stdout).contains("alice@"));

    let missing = corridor(&["logs", "analyze", "/nonexistent.log"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn logs_analyze_follow_reports_lines_appended_later() {
    use std::io::{BufRead, BufReader, Write};
    let log = classic_log("follow.log");
    let mut child = common::command(&["--json", "logs", "analyze", "--follow", log.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("corridor runs");
    let mut answers = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first: serde_json::Value = serde_json::from_str(&answers.next().expect("an answer").expect("a line")).unwrap();
    assert_eq!(first["lines"], 5);
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).expect("log opens");
    writeln!(file, "2024-05-01T10:00:09Z ERROR api OOMKilled: container exceeded its memory limit").expect("append");
    let next: serde_json::Value = serde_json::from_str(&answers.next().expect("an answer").expect("a line")).unwrap();
    child.kill().expect("stops");
    let _ = child.wait();
    assert_eq!(next["lines"], 1);
    assert!(next["findings"][0]["event"].as_str().unwrap().contains("OOMKilled"), "{next}");
}
