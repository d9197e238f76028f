//! `corridor`: runs the Corridor engine (`corridor.wasm`, through Extism) on your data.

mod config;
mod input;
mod logs;
mod plot;
mod plugin;
mod prometheus;
mod report;

use clap::{Parser, Subcommand, ValueEnum};
use plugin::{Corridor, Llm};
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
    /// Configuration file (TOML) of defaults; see the README.
    #[arg(long, global = true, env = "CORRIDOR_CONFIG")]
    config: Option<PathBuf>,
    /// LLM for explanations: openai, ollama, or the base URL of an OpenAI-compatible server
    /// (default: the offline rule book). The key comes from CORRIDOR_LLM_API_KEY or
    /// OPENAI_API_KEY only.
    #[arg(long, global = true, env = "CORRIDOR_LLM")]
    llm: Option<String>,
    /// Base URL of the --llm provider, when not its usual one (e.g. an Ollama on another machine).
    #[arg(long, global = true, env = "CORRIDOR_LLM_URL")]
    llm_url: Option<String>,
    /// Model of the LLM (default: gpt-4o-mini for openai, llama3.2 for ollama).
    #[arg(long, global = true, env = "CORRIDOR_LLM_MODEL")]
    llm_model: Option<String>,
    /// Print the engine's JSON answers instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Learn the corridor of a series and list its anomalies.
    Detect {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        options: DetectOptions,
        /// Draw the series, its corridor and anomalies into this SVG file.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Forecast the next points of a series, with prediction intervals.
    Forecast {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        options: ForecastOptions,
        /// Draw the history, its corridor and the forecast into this SVG file.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Recommend replica counts from a forecast of a load series (requests per second, CPU, ...).
    Scale {
        #[command(flatten)]
        source: Source,
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
    /// Write the learned corridor of a series as Prometheus recording and alerting rules.
    Rules(RulesArgs),
    /// Explain an incident or logs: the likely cause and what to check (offline rule book
    /// unless --llm). Commands are suggestions for you to approve; nothing is run.
    Explain {
        /// An incident from `correlate`, or a `correlate` answer (its first incident).
        #[arg(long)]
        incident: Option<PathBuf>,
        /// Log files to explain; each file's stem names its service.
        #[arg(long)]
        logs: Vec<PathBuf>,
    },
    /// Work with log files.
    #[command(subcommand)]
    Logs(LogsCommand),
    /// Run it all on the bundled samples: detection on every CSV file, a forecast and a replica
    /// plan of the first, rules for the last, and every `.log` file analysed and explained.
    Demo {
        /// The folder of samples.
        #[arg(long, default_value = "samples")]
        samples: PathBuf,
    },
}

/// What `corridor logs` does.
#[derive(Subcommand)]
enum LogsCommand {
    /// Find the error patterns of a log with their context, scrubbed of private values.
    Analyze {
        /// The log file (plain, JSON lines, logfmt, access logs, klog; multi-line traces).
        file: PathBuf,
        /// Normal lines of context before and after each finding.
        #[arg(long, default_value_t = 3)]
        context: usize,
        /// Keep reading lines appended to the file, like `tail -f`.
        #[arg(long, short, conflicts_with = "explain")]
        follow: bool,
        /// Explain the findings (offline rule book unless --llm).
        #[arg(long)]
        explain: bool,
    },
}

/// The arguments of `corridor rules`.
#[derive(clap::Args)]
struct RulesArgs {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    options: DetectOptions,
    /// Name of the corridor in record and alert names (letters, digits, _).
    #[arg(long)]
    name: String,
    /// Width of a phase bin, e.g. 10m or 1h (default: the coarsest with at most 168 bins).
    #[arg(long)]
    resolution: Option<String>,
    /// Write the rules to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Where a series comes from: a CSV file, or a Prometheus query.
#[derive(clap::Args)]
struct Source {
    /// A CSV file of `timestamp,value` rows (Unix seconds or milliseconds).
    file: Option<PathBuf>,
    /// Without a file, read the series from the Prometheus at this base URL.
    #[arg(long, env = "CORRIDOR_PROMETHEUS")]
    prometheus: Option<String>,
    /// The PromQL query of one series (what `rules` watches, too).
    #[arg(long)]
    query: Option<String>,
    /// How far back to read from Prometheus.
    #[arg(long, default_value = "14d")]
    range: String,
    /// Step of the series read from Prometheus.
    #[arg(long, default_value = "1m")]
    step: String,
}

impl Source {
    /// The series of a CSV file.
    fn file(path: &Path) -> Self {
        Self { file: Some(path.to_path_buf()), prometheus: None, query: None, range: "14d".into(), step: "1m".into() }
    }

    /// Reads the series, once: from the file, or from Prometheus.
    fn read(&self) -> Result<Series, Failure> {
        if let Some(file) = &self.file {
            let (timestamps, values) = input::read_series(file).map_err(Failure::Usage)?;
            return Ok(Series { name: file.display().to_string(), timestamps, values });
        }
        let url = self.prometheus.as_deref().ok_or_else(|| Failure::Usage("give a CSV file or --prometheus".into()))?;
        let query = self.query.as_deref().ok_or_else(|| Failure::Usage("--prometheus needs --query".into()))?;
        let range = prometheus::parse_duration(&self.range).map_err(|e| Failure::Usage(format!("--range: {e}")))?;
        let step = prometheus::parse_duration(&self.step).map_err(|e| Failure::Usage(format!("--step: {e}")))?;
        let (timestamps, values) = prometheus::query_range(url, query, range, step).map_err(Failure::Usage)?;
        Ok(Series { name: query.to_string(), timestamps: json!(timestamps), values: json!(values) })
    }
}

/// A series as read: its name for messages, and its `timestamps` and `values` arrays.
struct Series {
    name: String,
    timestamps: Value,
    values: Value,
}

/// The detection options of `corridor.v1`.
#[derive(clap::Args)]
struct DetectOptions {
    /// Corridor width: 0 (widest, fewest alerts) to 1 (narrowest); 0.5 is ±4σ.
    #[arg(long, default_value_t = 0.5, env = "CORRIDOR_SENSITIVITY")]
    sensitivity: f64,
    /// Which period the corridor follows.
    #[arg(long, value_enum, default_value_t = Seasonality::Auto, env = "CORRIDOR_SEASONALITY")]
    seasonality: Seasonality,
    /// Shortest excursion reported, in seconds (like Prometheus `for:`).
    #[arg(long, default_value_t = 0.0, env = "CORRIDOR_MIN_DURATION")]
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
pub enum Failure {
    Usage(String),
    Engine(String),
}

/// Sends `op` a request of `series` plus `fields`; returns the answer, or the engine's error as
/// a message.
fn ask_series(corridor: &mut Corridor, op: &str, series: &Series, fields: Value) -> Result<Value, Failure> {
    let mut request = json!({"timestamps": series.timestamps, "values": series.values});
    if let (Some(request), Value::Object(fields)) = (request.as_object_mut(), fields) {
        request.extend(fields);
    }
    ask(corridor, op, &series.name, request)
}

/// Sends `op` the `request` (the version is added) about `name`; returns the answer, or the
/// engine's error as a message.
pub fn ask(corridor: &mut Corridor, op: &str, name: &str, mut request: Value) -> Result<Value, Failure> {
    request["version"] = json!("corridor.v1");
    let answer = corridor.call(op, &request).map_err(Failure::Engine)?;
    match answer.get("error") {
        None => Ok(answer),
        Some(error) => {
            let field = error["field"].as_str().map(|f| format!(" ({f})")).unwrap_or_default();
            Err(Failure::Engine(format!(
                "{name}: {}{field}: {}",
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

fn detect(
    corridor: &mut Corridor,
    series: &Series,
    options: &DetectOptions,
    plot: Option<&Path>,
    json_out: bool,
) -> Result<(), Failure> {
    let answer = ask_series(corridor, "detect", series, json!({"options": options.to_json()}))?;
    show(&answer, json_out, |a| report::detect(&series.name, a));
    match plot {
        Some(path) => plot::Chart::from_detect(&series.name, &answer).draw(path).map_err(Failure::Usage),
        None => Ok(()),
    }
}

fn forecast(
    corridor: &mut Corridor,
    series: &Series,
    options: &ForecastOptions,
    plot: Option<&Path>,
    json_out: bool,
) -> Result<(), Failure> {
    let answer = ask_series(corridor, "forecast", series, json!({"options": options.to_json()}))?;
    show(&answer, json_out, |a| report::forecast(&series.name, a));
    let Some(path) = plot else { return Ok(()) };
    let baseline = ask_series(corridor, "baseline", series, json!({}))?;
    plot::Chart::from_detect(&series.name, &baseline).with_forecast(&answer).draw(path).map_err(Failure::Usage)
}

fn rules(corridor: &mut Corridor, args: &RulesArgs, json_out: bool) -> Result<(), Failure> {
    let RulesArgs { source, options, name, resolution, output } = args;
    let query = source
        .query
        .as_deref()
        .ok_or_else(|| Failure::Usage("rules need --query, the PromQL the corridor watches".into()))?;
    let resolution_s = resolution
        .as_deref()
        .map(prometheus::parse_duration)
        .transpose()
        .map_err(|e| Failure::Usage(format!("--resolution: {e}")))?;
    let fields = json!({
        "options": options.to_json(),
        "rules": {"name": name, "query": query, "resolution_s": resolution_s},
    });
    let answer = ask_series(corridor, "rules", &source.read()?, fields)?;
    let text = if json_out { answer.to_string() } else { answer["yaml"].as_str().unwrap_or_default().to_string() };
    match output {
        Some(path) => std::fs::write(path, text).map_err(|e| Failure::Usage(format!("{}: {e}", path.display()))),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// Asks `explain` and prints its answer.
fn explain(corridor: &mut Corridor, mut request: Value, json_out: bool) -> Result<(), Failure> {
    request["version"] = json!("corridor.v1");
    let answer = corridor.explain(&request).map_err(Failure::Engine)?;
    if let Some(error) = answer.get("error") {
        return Err(Failure::Engine(format!("explain: {}: {}", error["code"], error["message"])));
    }
    show(&answer, json_out, report::explanation);
    Ok(())
}

/// A log file as one of `explain`'s sources, named by its stem.
fn log_source(file: &Path) -> Result<Value, Failure> {
    let bytes = std::fs::read(file).map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))?;
    let service = file.file_stem().map(|s| s.to_string_lossy().into_owned());
    Ok(json!({"service": service, "text": String::from_utf8_lossy(&bytes)}))
}

/// An incident from a file: one incident, or the first of a `correlate` answer.
fn read_incident(file: &Path) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(file).map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| Failure::Usage(format!("{}: not JSON: {e}", file.display())))?;
    match value.get("incidents") {
        Some(list) => list
            .get(0)
            .cloned()
            .ok_or_else(|| Failure::Usage(format!("{}: the correlate answer holds no incident", file.display()))),
        None => Ok(value),
    }
}

/// The files of `dir` with extension `ext`, sorted; at least one.
fn files_with(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::Usage(format!("{}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure::Usage(format!("{}: no .{ext} files", dir.display())));
    }
    Ok(files)
}

fn demo(corridor: &mut Corridor, samples: &Path, json_out: bool) -> Result<(), Failure> {
    let options = DetectOptions { sensitivity: 0.5, seasonality: Seasonality::Auto, min_duration: 0.0 };
    let series: Vec<Series> =
        files_with(samples, "csv")?.iter().map(|file| Source::file(file).read()).collect::<Result<_, _>>()?;
    for one in &series {
        detect(corridor, one, &options, None, json_out)?;
    }
    let load = &series[series.len() - 1];
    let horizon = ForecastOptions { horizon: 4, levels: vec![80.0, 95.0] };
    forecast(corridor, load, &horizon, None, json_out)?;
    let fields = json!({"forecast": horizon.to_json(), "scale": {"target_per_replica": 5000, "min_replicas": 2, "max_replicas": 20}});
    let answer = ask_series(corridor, "scale", load, fields)?;
    show(&answer, json_out, |a| report::scale(&load.name, a));
    let rules = json!({"options": options.to_json(), "rules": {"name": "demo", "query": "demo_series"}});
    let answer = ask_series(corridor, "rules", &series[0], rules)?;
    show(&answer, json_out, |a| report::rules(&series[0].name, a));
    for log in files_with(samples, "log")? {
        let evidence = logs::Analyze { file: &log, context: 2, follow: false, json: json_out }.run(corridor)?;
        explain(corridor, json!({"logs": evidence}), json_out)?;
    }
    Ok(())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let path = plugin::locate(cli.plugin.as_deref()).map_err(Failure::Usage)?;
    let llm =
        cli.llm.as_deref().map(|name| Llm::named(name, cli.llm_url.as_deref(), cli.llm_model.as_deref())).transpose();
    let llm = llm.map_err(Failure::Usage)?;
    let mut corridor = Corridor::load(&path, llm.as_ref()).map_err(Failure::Usage)?;
    match &cli.command {
        Command::Detect { source, options, plot } => {
            detect(&mut corridor, &source.read()?, options, plot.as_deref(), cli.json)
        }
        Command::Forecast { source, options, plot } => {
            forecast(&mut corridor, &source.read()?, options, plot.as_deref(), cli.json)
        }
        Command::Rules(args) => rules(&mut corridor, args, cli.json),
        Command::Logs(LogsCommand::Analyze { file, context, follow, explain: wanted }) => {
            let evidence =
                logs::Analyze { file, context: *context, follow: *follow, json: cli.json }.run(&mut corridor)?;
            if *wanted {
                explain(&mut corridor, json!({"logs": evidence}), cli.json)?;
            }
            Ok(())
        }
        Command::Explain { incident, logs } => {
            let mut request = json!({"logs": logs.iter().map(|f| log_source(f)).collect::<Result<Vec<_>, _>>()?});
            if let Some(file) = incident {
                request["incident"] = read_incident(file)?;
            }
            explain(&mut corridor, request, cli.json)
        }
        Command::Scale { source, forecast, target_per_replica, min_replicas, max_replicas, current_replicas } => {
            let fields = json!({
                "forecast": forecast.to_json(),
                "scale": {"target_per_replica": target_per_replica, "min_replicas": min_replicas, "max_replicas": max_replicas},
                "current_replicas": current_replicas,
            });
            let series = source.read()?;
            let answer = ask_series(&mut corridor, "scale", &series, fields)?;
            show(&answer, cli.json, |a| report::scale(&series.name, a));
            Ok(())
        }
        Command::Demo { samples } => demo(&mut corridor, samples, cli.json),
    }
}

/// Lets a closed pipe end the program quietly, as it does other Unix tools (`corridor ... | head`):
/// Rust ignores SIGPIPE, and printing into a closed pipe would then panic.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: setting a signal's disposition to its default, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    #[cfg(unix)]
    restore_sigpipe();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(message) = config::apply(&args) {
        eprintln!("corridor: {message}");
        return ExitCode::from(2);
    }
    match run(Cli::parse_from(args)) {
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
