//! `corridor`: runs the Corridor engine (`corridor.wasm`, through Extism) on your data.

mod input;
mod plugin;
mod report;

use clap::{Parser, Subcommand, ValueEnum};
use plugin::Corridor;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Dynamic baselines and anomaly detection, in the tools you already run.
#[derive(Parser)]
#[command(name = "corridor", version, about)]
struct Cli {
    /// The plugin to load (default: corridor.wasm beside this program, or a development build).
    #[arg(long, global = true, env = "CORRIDOR_PLUGIN")]
    plugin: Option<PathBuf>,
    /// Print the engine's JSON answers instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Learn the corridor of a CSV series (timestamp,value) and list its anomalies.
    Detect {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        options: DetectOptions,
    },
    /// Forecast the next points of a CSV series, with prediction intervals.
    Forecast {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        options: ForecastOptions,
    },
    /// Recommend replica counts from a forecast of a CSV load series.
    Scale {
        /// The CSV file of load (requests per second, CPU cores, ...).
        file: PathBuf,
        #[command(flatten)]
        forecast: ForecastOptions,
        /// Load one replica serves.
        #[arg(long)]
        target_per_replica: f64,
        /// Fewest replicas.
        #[arg(long, default_value_t = 1)]
        min_replicas: u32,
        /// Most replicas.
        #[arg(long, default_value_t = 100)]
        max_replicas: u32,
        /// Replicas running now.
        #[arg(long)]
        current_replicas: Option<u32>,
    },
    /// Run detection on every CSV file of the bundled samples.
    Demo {
        /// The folder of samples.
        #[arg(long, default_value = "samples")]
        samples: PathBuf,
    },
}

/// The detection options of `corridor.v1`.
#[derive(clap::Args)]
struct DetectOptions {
    /// Corridor width: 0 (widest, fewest alerts) to 1 (narrowest); 0.5 is ±4σ.
    #[arg(long, default_value_t = 0.5)]
    sensitivity: f64,
    /// Which period the corridor follows.
    #[arg(long, value_enum, default_value_t = Seasonality::Auto)]
    seasonality: Seasonality,
    /// Shortest excursion reported, in seconds (like Prometheus `for:`).
    #[arg(long, default_value_t = 0.0)]
    min_duration: f64,
}

/// The forecast options of `corridor.v1`.
#[derive(clap::Args)]
struct ForecastOptions {
    /// Points to forecast.
    #[arg(long, default_value_t = 12)]
    horizon: usize,
    /// Interval levels in percent, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [80.0, 95.0])]
    levels: Vec<f64>,
}

impl ForecastOptions {
    fn to_json(&self) -> Value {
        json!({"horizon": self.horizon, "levels": self.levels})
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Seasonality {
    Auto,
    None,
    Daily,
    Weekly,
}

impl DetectOptions {
    fn to_json(&self) -> Value {
        let seasonality = match self.seasonality {
            Seasonality::Auto => "auto",
            Seasonality::None => "none",
            Seasonality::Daily => "daily",
            Seasonality::Weekly => "weekly",
        };
        json!({"sensitivity": self.sensitivity, "seasonality": seasonality, "min_duration_s": self.min_duration})
    }
}

/// Why the program stopped: bad usage or input (exit 2), or an error answer from the engine (exit 1).
enum Failure {
    Usage(String),
    Engine(String),
}

/// Sends `op` a request built from the series in `file` plus `fields`; returns the answer or
/// the engine's error as a message.
fn ask(corridor: &mut Corridor, op: &str, file: &Path, fields: Value) -> Result<Value, Failure> {
    let (timestamps, values) = input::read_series(file).map_err(Failure::Usage)?;
    let mut request = json!({"version": "corridor.v1", "timestamps": timestamps, "values": values});
    if let (Some(request), Value::Object(fields)) = (request.as_object_mut(), fields) {
        request.extend(fields);
    }
    let answer = corridor.call(op, &request).map_err(Failure::Engine)?;
    match answer.get("error") {
        None => Ok(answer),
        Some(error) => {
            let field = error["field"].as_str().map(|f| format!(" ({f})")).unwrap_or_default();
            Err(Failure::Engine(format!(
                "{}: {}{field}: {}",
                file.display(),
                error["code"].as_str().unwrap_or("error"),
                error["message"].as_str().unwrap_or("")
            )))
        }
    }
}

/// Prints an answer as JSON, or for people with `human`.
fn show(answer: &Value, json_out: bool, human: impl FnOnce(&Value)) {
    if json_out {
        println!("{answer}");
    } else {
        human(answer);
    }
}

fn detect_file(corridor: &mut Corridor, file: &Path, options: &DetectOptions, json_out: bool) -> Result<(), Failure> {
    let answer = ask(corridor, "detect", file, json!({"options": options.to_json()}))?;
    show(&answer, json_out, |a| report::detect(&file.display().to_string(), a));
    Ok(())
}

fn csv_files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::Usage(format!("{}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure::Usage(format!("{}: no CSV files", dir.display())));
    }
    Ok(files)
}

fn run(cli: Cli) -> Result<(), Failure> {
    let path = plugin::locate(cli.plugin.as_deref()).map_err(Failure::Usage)?;
    let mut corridor = Corridor::load(&path).map_err(Failure::Usage)?;
    match &cli.command {
        Command::Detect { file, options } => detect_file(&mut corridor, file, options, cli.json),
        Command::Forecast { file, options } => {
            let answer = ask(&mut corridor, "forecast", file, json!({"options": options.to_json()}))?;
            show(&answer, cli.json, |a| report::forecast(&file.display().to_string(), a));
            Ok(())
        }
        Command::Scale { file, forecast, target_per_replica, min_replicas, max_replicas, current_replicas } => {
            let fields = json!({
                "forecast": forecast.to_json(),
                "scale": {"target_per_replica": target_per_replica, "min_replicas": min_replicas, "max_replicas": max_replicas},
                "current_replicas": current_replicas,
            });
            let answer = ask(&mut corridor, "scale", file, fields)?;
            show(&answer, cli.json, |a| report::scale(&file.display().to_string(), a));
            Ok(())
        }
        Command::Demo { samples } => {
            let options = DetectOptions { sensitivity: 0.5, seasonality: Seasonality::Auto, min_duration: 0.0 };
            csv_files(samples)?.iter().try_for_each(|file| detect_file(&mut corridor, file, &options, cli.json))
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("corridor: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Engine(message)) => {
            eprintln!("corridor: {message}");
            ExitCode::from(1)
        }
    }
}
