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
    for w in answer["warnings"].as_array().into_iter().flatten() {
        println!("  warning: {}", text(&w["message"]));
    }
    let anomalies = answer["anomalies"].as_array().cloned().unwrap_or_default();
    if anomalies.is_empty() {
        println!("  no anomalies\n");
        return;
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["start", "end", "kind", "direction", "expected", "actual", "severity"]);
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
