//! `wasm`: the same `corridor.v1` calls natively and through `corridor.wasm` in the Rust Extism
//! host (wasmtime), JSON in and out on both sides: detection and forecast points per second,
//! log lines per second, and the ratio. Built only with the `wasm` feature, so the other modes
//! do not pull in wasmtime.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_core::contract::call;
use extism::{Manifest, Plugin, Wasm};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;

/// Rounds of each call, native and through the plugin; the median counts.
const RUNS: usize = 11;

/// One operation measured on one request.
struct Case {
    op: &'static str,
    unit: &'static str,
    items: usize,
    request: String,
}

/// A load-like series of `points` one-minute points: a daily shape plus deterministic noise.
fn series(points: usize) -> Value {
    let t: Vec<f64> = (0..points).map(|i| 1_700_000_000.0 + 60.0 * i as f64).collect();
    let v: Vec<f64> = (0..points)
        .map(|i| 100.0 + 30.0 * (i as f64 / 1440.0 * std::f64::consts::TAU).sin() + ((i * 7919) % 13) as f64 * 0.3)
        .collect();
    json!({"version": "corridor.v1", "timestamps": t, "values": v})
}

/// `lines` of an application log: requests, slow queries, and an error every 97 lines.
fn log(lines: usize) -> String {
    (0..lines)
        .map(|i| match i % 97 {
            0 => format!("2024-05-01T10:{:02}:{:02}Z ERROR db ConnectionRefusedError: [Errno 111] Connection refused: 'db-{}:5432'\n", i / 60 % 60, i % 60, i % 3),
            n if n % 11 == 0 => format!("2024-05-01T10:{:02}:{:02}Z WARN db slow query took {}ms rows={}\n", i / 60 % 60, i % 60, 200 + i % 900, i % 50),
            _ => format!("2024-05-01T10:{:02}:{:02}Z INFO api GET /orders/{} 200 {}ms user={}\n", i / 60 % 60, i % 60, i, i % 40, i % 1000),
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let detect = series(100_000);
    let mut forecast = series(10_080);
    forecast["options"] = json!({"horizon": 60});
    let lines = 100_000;
    vec![
        Case { op: "detect", unit: "points/s", items: 100_000, request: detect.to_string() },
        Case { op: "forecast", unit: "points/s", items: 10_080, request: forecast.to_string() },
        Case {
            op: "logs_analyze",
            unit: "lines/s",
            items: lines,
            request: json!({"version": "corridor.v1", "text": log(lines)}).to_string(),
        },
    ]
}

/// One call's answer, or why it could not be made.
type Answer = Result<String, String>;

/// Median seconds of `native` and of `wasm` over `RUNS` rounds that call each once, so that a
/// slower stretch of a shared machine weighs on both sides alike.
fn medians_s(mut native: impl FnMut() -> Answer, mut wasm: impl FnMut() -> Answer) -> Result<(f64, f64), String> {
    let (mut native_s, mut wasm_s) = (Vec::with_capacity(RUNS), Vec::with_capacity(RUNS));
    for _ in 0..RUNS {
        native_s.push(timed(&mut native)?);
        wasm_s.push(timed(&mut wasm)?);
    }
    Ok((median(native_s), median(wasm_s)))
}

/// Seconds one call of `f` takes; an error value as its answer is an error.
fn timed(f: &mut impl FnMut() -> Answer) -> Result<f64, String> {
    let started = Instant::now();
    let answer = f()?;
    let seconds = started.elapsed().as_secs_f64();
    if answer.starts_with(r#"{"error""#) {
        return Err(format!("the call answered an error: {answer:.300}"));
    }
    Ok(seconds)
}

/// The middle of `seconds` once sorted.
fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

/// Measures every case natively and through the plugin at `plugin`; prints a table, writes JSON.
pub fn run(plugin: &Path, json_out: Option<&Path>) -> Result<(), String> {
    let size = std::fs::metadata(plugin).map_err(|e| format!("{}: {e}", plugin.display()))?.len();
    let manifest = Manifest::new([Wasm::file(plugin)]);
    let mut wasm = Plugin::new(&manifest, [], false).map_err(|e| format!("{}: {e}", plugin.display()))?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["operation", "items", "native", "wasm", "wasm / native time"]);
    let mut rows = Vec::new();
    for case in cases() {
        let (native, through_wasm) = medians_s(
            || Ok(call(case.op, &case.request)),
            || wasm.call::<&str, String>(case.op, case.request.as_str()).map_err(|e| format!("{}: {e}", case.op)),
        )?;
        let rate = |s: f64| case.items as f64 / s;
        table.add_row([
            case.op.to_string(),
            case.items.to_string(),
            format!("{:.0} {}", rate(native), case.unit),
            format!("{:.0} {}", rate(through_wasm), case.unit),
            format!("{:.2}×", through_wasm / native),
        ]);
        rows.push(json!({
            "operation": case.op, "items": case.items, "unit": case.unit,
            "native_per_s": rate(native), "wasm_per_s": rate(through_wasm), "slowdown": through_wasm / native,
        }));
    }
    println!("corridor.wasm: {size} bytes ({})", plugin.display());
    println!("{table}");
    if let Some(path) = json_out {
        let doc = json!({"plugin_bytes": size, "runs": RUNS, "cases": rows});
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
