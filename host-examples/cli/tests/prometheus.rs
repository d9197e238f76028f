//! `corridor` against a real Prometheus and its `promtool` (Debian package `prometheus`, which
//! `scripts/setup.sh` installs): two weeks of backfilled one-minute load with planted
//! anomalies, `corridor detect --prometheus` finding them, and `corridor rules` passing
//! `promtool check rules` and `promtool test rules`.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DAY_S: u64 = 86_400;

fn corridor(args: &[&str]) -> Output {
    common::command(args).output().expect("corridor runs")
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corridor-prometheus-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Runs a Prometheus tool, failing clearly when the package is missing.
fn tool(name: &str) -> Command {
    let found = Command::new(name).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(
        found.is_ok_and(|s| s.success()),
        "{name} is not installed: run scripts/setup.sh (it installs the Debian package prometheus)"
    );
    Command::new(name)
}

/// Normal load at second `t`: a daily peak at noon on a floor of 100, with a little noise.
fn load(t: u64) -> f64 {
    let hour = (t % DAY_S) as f64 / 3600.0;
    100.0 + 80.0 * (-(hour - 12.0).powi(2) / 4.0).exp() + 3.0 * ((t / 60) as f64 * 1.7).sin()
}

/// A Prometheus on a free loopback port, stopped when dropped.
struct Prometheus {
    child: Child,
    url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Backfills `samples` of `metric` (unix seconds, value) into a TSDB and serves it.
fn start_prometheus(dir: &Path, metric: &str, samples: impl Iterator<Item = (u64, f64)>) -> Prometheus {
    let mut text = format!("# TYPE {metric} gauge\n");
    for (t, v) in samples {
        text.push_str(&format!("{metric} {v:.3} {t}\n"));
    }
    text.push_str("# EOF\n");
    let openmetrics = dir.join("data.om");
    std::fs::write(&openmetrics, text).expect("openmetrics file");
    let tsdb = dir.join("tsdb");
    let backfill = tool("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h"])
        .arg(&openmetrics)
        .arg(&tsdb)
        .output()
        .expect("promtool runs");
    assert!(backfill.status.success(), "backfill: {}", String::from_utf8_lossy(&backfill.stderr));
    let config = dir.join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1m\n").expect("config");
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let child = tool("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", tsdb.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("prometheus.log")).expect("log file"))
        .spawn()
        .expect("prometheus starts");
    let prometheus = Prometheus { child, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let ready = ureq::get(format!("{}/-/ready", prometheus.url)).call().is_ok_and(|r| r.status() == 200);
        if ready {
            return prometheus;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("prometheus did not become ready; see {}", dir.join("prometheus.log").display());
}

#[test]
fn detect_reads_two_weeks_from_prometheus_and_finds_the_planted_anomalies() {
    let dir = scratch("detect");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let start = now - now % 60 - 14 * DAY_S;
    // Two anomalies in the last two days: a spike at 03:00 and a drop during the noon peak.
    let spike = now - now % DAY_S - DAY_S + 3 * 3600;
    let drop = now - now % DAY_S - 2 * DAY_S + 12 * 3600;
    let samples = (start..=now).step_by(60).map(|t| {
        let value = if (spike..spike + 1200).contains(&t) {
            load(t) + 120.0
        } else if (drop..drop + 1200).contains(&t) {
            load(t) - 120.0
        } else {
            load(t)
        };
        (t, value)
    });
    let prometheus = start_prometheus(&dir, "corridor_test_load", samples);

    let out = corridor(&[
        "--json",
        "detect",
        "--prometheus",
        &prometheus.url,
        "--query",
        "corridor_test_load",
        "--range",
        "14d",
        "--step",
        "1m",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert!(answer["points"]["timestamps_ms"].as_array().unwrap().len() > 13 * 1440, "two weeks were read");
    let starts: Vec<(u64, String)> = answer["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["start_ms"].as_u64().unwrap() / 1000, a["direction"].as_str().unwrap().to_string()))
        .collect();
    let found = |at: u64, direction: &str| starts.iter().any(|(t, d)| t.abs_diff(at) <= 120 && d == direction);
    assert!(found(spike, "above") && found(drop, "below"), "{starts:?}");
    assert!(starts.len() <= 4, "normal noon peaks must stay inside the corridor: {starts:?}");

    let bad = corridor(&["detect", "--prometheus", &prometheus.url, "--query", "sum(", "--range", "1d"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad_data"), "{}", String::from_utf8_lossy(&bad.stderr));
    let none = corridor(&["detect", "--prometheus", &prometheus.url, "--query", "absent_metric", "--range", "1d"]);
    assert!(String::from_utf8_lossy(&none.stderr).contains("returned no data"));
}

#[test]
fn rules_pass_promtool_and_fire_on_an_anomaly_but_not_on_the_normal_peak() {
    let dir = scratch("rules");
    let mut csv = String::from("timestamp,value\n");
    for t in (0..14 * DAY_S).step_by(60) {
        csv.push_str(&format!("{},{:.3}\n", 1_699_920_000 + t, load(t)));
    }
    let history = dir.join("load.csv");
    std::fs::write(&history, csv).expect("csv");
    let rules = dir.join("rules.yml");
    let out = corridor(&[
        "rules",
        history.to_str().unwrap(),
        "--name",
        "api_load",
        "--query",
        "api_load",
        "--min-duration",
        "300",
        "-o",
        rules.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let check = tool("promtool").args(["check", "rules"]).arg(&rules).output().expect("promtool runs");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));

    // One day from the epoch (a midnight, as the history's start): the normal peak at noon and
    // +100 for 20 minutes at 03:00.
    let values: Vec<String> = (0..DAY_S)
        .step_by(60)
        .map(|t| {
            let planted = if (3 * 3600..3 * 3600 + 1200).contains(&t) { 100.0 } else { 0.0 };
            format!("{:.3}", load(t) + planted)
        })
        .collect();
    let alert = |name: &str, at: &str, firing: Option<(&str, &str)>| {
        let expected = firing.map_or_else(
            || "[]".to_string(),
            |(severity, value)| {
                format!(
                    "\n          - exp_labels: {{severity: {severity}, corridor: api_load}}\n            \
                     exp_annotations: {{summary: \"api_load is {} its learned corridor (value {value})\"}}",
                    if name.contains("Far") { "far above" } else { "above" }
                )
            },
        );
        format!("      - eval_time: {at}\n        alertname: {name}\n        exp_alerts: {expected}\n")
    };
    let at_spike = 3 * 3600 + 900;
    // What `humanize` prints: four significant digits.
    let spike_value = format!("{:.1}", load(at_spike) + 100.0).trim_end_matches('0').trim_end_matches('.').to_string();
    let mut tests = format!(
        "rule_files: [{}]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      \
         - series: api_load\n        values: '{}'\n    alert_rule_test:\n",
        rules.display(),
        values.join(" ")
    );
    tests.push_str(&alert("ApiLoadAboveCorridor", "3h15m", Some(("warning", &spike_value))));
    tests.push_str(&alert("ApiLoadAboveCorridor", "12h10m", None));
    tests.push_str(&alert("ApiLoadBelowCorridor", "12h10m", None));
    tests.push_str(&alert("ApiLoadAboveCorridor", "3h3m", None));
    let test_file = dir.join("rules_test.yml");
    std::fs::File::create(&test_file).and_then(|mut f| f.write_all(tests.as_bytes())).expect("test file");
    let run = tool("promtool").args(["test", "rules"]).arg(&test_file).output().expect("promtool runs");
    assert!(
        run.status.success(),
        "{}{}\n{tests:.2000}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}
