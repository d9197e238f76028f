//! Runs the engine on CSV files (`timestamp,value`, timestamps in Unix seconds or ms) and
//! prints what it found: the periods, the repairs made, and every anomaly.
//!
//! `cargo run --release -p corridor-core --example demo -- samples/*.csv`

use chrono::DateTime;
use corridor_core::contract::{DetectRequest, DetectResponse, VERSION};
use corridor_core::seasonality::PeriodStatus;
use std::error::Error;
use std::path::Path;
use std::process::ExitCode;

fn read_csv(path: &Path) -> Result<(Vec<f64>, Vec<f64>), Box<dyn Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        let field = |k: usize| -> Result<f64, Box<dyn Error>> {
            let text = record.get(k).ok_or_else(|| format!("line {}: expected two columns", i + 2))?;
            Ok(text.trim().parse::<f64>().map_err(|e| format!("line {}: {text:?}: {e}", i + 2))?)
        };
        timestamps.push(field(0)?);
        values.push(field(1)?);
    }
    Ok((timestamps, values))
}

fn when(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or(ms.to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
}

fn report(name: &str, r: &DetectResponse) {
    println!("\n== {name}: {} points, step {} s", r.scored.points.timestamps_ms.len(), r.step_ms / 1000);
    for p in &r.seasonality.periods {
        let status = match p.status {
            PeriodStatus::Detected => format!("detected, strength {:.2}", p.strength),
            PeriodStatus::Absent => format!("absent (strength {:.2})", p.strength),
            PeriodStatus::InsufficientHistory => "not enough history to tell".into(),
            PeriodStatus::TooCoarse => "step too coarse to see it".into(),
        };
        println!("   {:<7} period {:>6.1} h: {status}", p.name, p.period_ms as f64 / 3.6e6);
    }
    for w in &r.scored.warnings {
        println!("   warning: {}", w.message);
    }
    println!("   {} anomalies:", r.scored.anomalies.len());
    for a in &r.scored.anomalies {
        println!(
            "   {:<16} {:<13} {:<6} {} → {}  expected {:>10.2}, actual {:>10.2}, {:?}{}",
            when(a.start_ms),
            format!("{:?}", a.kind),
            format!("{:?}", a.direction),
            when(a.peak_ms),
            when(a.end_ms),
            a.expected,
            a.actual,
            a.severity,
            if a.ongoing { " (ongoing)" } else { "" }
        );
    }
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: demo FILE.csv...");
        return ExitCode::FAILURE;
    }
    for path in &paths {
        let result = read_csv(Path::new(path)).map_err(|e| e.to_string()).and_then(|(timestamps, values)| {
            let request = DetectRequest {
                version: VERSION.into(),
                timestamps,
                values,
                time_unit: Default::default(),
                options: Default::default(),
            };
            corridor_core::ops::detect(request).map_err(|e| e.to_string())
        });
        match result {
            Ok(response) => report(path, &response),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
