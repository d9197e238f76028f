//! Human output: the periods found, the repairs made and the anomalies, as tables.

use chrono::DateTime;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::Value;

fn when(ms: &Value) -> String {
    ms.as_i64()
        .and_then(DateTime::from_timestamp_millis)
        .map_or_else(|| ms.to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
}

fn number(v: &Value) -> String {
    v.as_f64().map_or_else(|| "–".into(), |x| format!("{x:.2}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Prints the warnings of an answer.
fn warnings(answer: &Value) {
    for w in answer["warnings"].as_array().into_iter().flatten() {
        println!("  warning: {}", text(&w["message"]));
    }
}

fn table(header: Vec<String>) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(header);
    table
}

/// Prints a forecast (the `forecast` object of an answer) as one row per future point.
fn forecast_table(forecast: &Value) {
    let intervals = forecast["intervals"].as_array().cloned().unwrap_or_default();
    let mut header = vec!["time".to_string(), "forecast".to_string()];
    for i in &intervals {
        let level = i["level"].as_f64().unwrap_or(0.0);
        header.extend([format!("{level:.0} % low"), format!("{level:.0} % high")]);
    }
    let mut rows = table(header);
    for (k, t) in forecast["timestamps_ms"].as_array().into_iter().flatten().enumerate() {
        let mut row = vec![when(t), number(&forecast["point"][k])];
        for i in &intervals {
            row.extend([number(&i["lower"][k]), number(&i["upper"][k])]);
        }
        rows.add_row(row);
    }
    println!("{rows}");
}

fn model_line(forecast: &Value) {
    let model = &forecast["model"];
    let period = model["period_ms"].as_f64().map(|p| format!(", period {:.1} h", p / 3.6e6)).unwrap_or_default();
    println!(
        "  model {}{period}; backtest MASE {} over {} origins; quality {}",
        text(&model["family"]).replace('_', " "),
        number(&forecast["backtest_mase"]),
        forecast["backtest_origins"],
        number(&forecast["quality"])
    );
}

/// Prints a `forecast` answer for `name`.
pub fn forecast(name: &str, answer: &Value) {
    println!("{name}: forecast, step {} s", answer["step_ms"].as_i64().unwrap_or(0) / 1000);
    model_line(answer);
    warnings(answer);
    forecast_table(answer);
}

/// Prints a `scale` answer for `name`.
pub fn scale(name: &str, answer: &Value) {
    println!("{name}: run {} replicas now ({} changes planned)", answer["replicas_now"], answer["changes"]);
    model_line(&answer["forecast"]);
    warnings(answer);
    let mut rows = table(vec!["time".into(), "replicas".into()]);
    let replicas = answer["replicas"].as_array().cloned().unwrap_or_default();
    for (t, r) in answer["timestamps_ms"].as_array().into_iter().flatten().zip(&replicas) {
        rows.add_row([when(t), r.to_string()]);
    }
    println!("{rows}");
}

/// Prints a `detect` answer for `name`.
pub fn detect(name: &str, answer: &Value) {
    let points = answer["points"]["timestamps_ms"].as_array().map_or(0, Vec::len);
    println!("{name}: {points} points, step {} s", answer["step_ms"].as_i64().unwrap_or(0) / 1000);
    for p in answer["seasonality"]["periods"].as_array().into_iter().flatten() {
        let hours = p["period_ms"].as_f64().unwrap_or(0.0) / 3.6e6;
        let status = match text(&p["status"]) {
            assessed @ ("detected" | "absent") => {
                format!("{assessed} (strength {:.2})", p["strength"].as_f64().unwrap_or(0.0))
            }
            other => other.replace('_', " "),
        };
        println!("  {:<7} {hours:>6.1} h  {status}", text(&p["name"]));
    }
    warnings(answer);
    let anomalies = answer["anomalies"].as_array().cloned().unwrap_or_default();
    if anomalies.is_empty() {
        println!("  no anomalies\n");
        return;
    }
    let mut table =
        table(["start", "end", "kind", "direction", "expected", "actual", "severity"].map(String::from).to_vec());
    for a in &anomalies {
        let ongoing = if a["ongoing"].as_bool() == Some(true) { " (ongoing)" } else { "" };
        table.add_row([
            when(&a["start_ms"]),
            format!("{}{ongoing}", when(&a["end_ms"])),
            text(&a["kind"]).replace('_', " "),
            text(&a["direction"]).to_string(),
            number(&a["expected"]),
            number(&a["actual"]),
            text(&a["severity"]).to_string(),
        ]);
    }
    println!("{table}\n");
}

/// Prints an `explain` answer: who answered, the cause, the evidence, the fix, and the commands
/// as suggestions that need the reader's approval.
pub fn explanation(answer: &Value) {
    let e = &answer["explanation"];
    let source = match text(&e["source"]) {
        "rule_book" => format!("the offline rule book ({})", text(&e["family"])),
        other => other.replace('_', " "),
    };
    println!("Explanation from {source}, confidence {}", number(&e["confidence"]));
    println!("  summary:        {}", text(&e["summary"]));
    println!("  probable cause: {}", text(&e["probable_cause"]));
    for line in e["evidence"].as_array().into_iter().flatten() {
        println!("  evidence:       {}", text(line));
    }
    println!("  suggested fix:  {}", text(&e["suggested_fix"]));
    let commands = e["commands"].as_array().cloned().unwrap_or_default();
    if !commands.is_empty() {
        println!("  commands to consider (nothing was run; each needs your approval):");
        for c in &commands {
            println!("    $ {}", text(&c["command"]));
        }
    }
    if let Some(error) = answer.get("llm_error") {
        println!(
            "  the LLM could not answer ({}): {}",
            text(&error["class"]).replace('_', " "),
            text(&error["message"])
        );
    }
    warnings(answer);
}

/// Prints what a `rules` answer holds, without the rule file itself.
pub fn rules(name: &str, answer: &Value) {
    let bins = answer["bins"].as_array().map_or(0, Vec::len);
    let records = text(&answer["yaml"]).matches("- record:").count();
    let alerts = text(&answer["yaml"]).matches("- alert:").count();
    println!(
        "{name}: Prometheus rules, {records} recording and {alerts} alerting, the corridor in {bins} bins of {} min, for: {} min",
        answer["resolution_ms"].as_i64().unwrap_or(0) / 60_000,
        answer["for_ms"].as_i64().unwrap_or(0) / 60_000
    );
    warnings(answer);
    println!("  (corridor rules FILE --name NAME --query PROMQL writes the file)\n");
}
