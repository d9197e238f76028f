//! `corridor-bench`: quality and speed benchmarks of the Corridor engine on external data.
//!
//! `cargo run --release -p corridor-bench -- nab DIR [--json FILE] [--scores-dir OUT]`
//! `cargo run --release -p corridor-bench -- forecast DIR [--json FILE]`
//! `cargo run --release -p corridor-bench -- scale DIR [--json FILE]`
//! `cargo run --release -p corridor-bench -- logs DIR [--json FILE] [--templates-dir OUT]`
//! `cargo run --release -p corridor-bench -- scrub [--json FILE] | scrub --apply FILE`
//! `cargo run --release -p corridor-bench -- explain CASES_DIR [--json FILE] | explain --families`
//! `cargo run --release -p corridor-bench --features wasm -- wasm [--plugin FILE] [--json FILE]`
//! `cargo run --release -p corridor-bench -- scaler [--objects N] [--concurrency C] [--rate R] [--seconds S] [--json FILE]`
//! `cargo run --release -p corridor-bench -- scaler --replay DIR [--every-min M] [--json FILE]`

mod detector_run;
mod explain_mode;
mod forecast_mode;
mod loghub;
mod logs_mode;
mod nab;
mod nab_mode;
mod prometheus_replay;
mod scale_mode;
mod scaler_mode;
mod scaler_replay;
mod scrub_corpus;
mod scrub_mode;
mod throughput;
#[cfg(feature = "wasm")]
mod wasm_mode;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Benchmarks of the Corridor engine.
#[derive(Parser)]
#[command(name = "corridor-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Score the streaming detector on a NAB-format folder, and measure its throughput.
    Nab {
        /// The NAB folder (with data/, labels/combined_windows.json and profiles.json).
        dir: PathBuf,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write per-row scores as OUT/<category>/<name>.csv (timestamp,value,anomaly_score).
        #[arg(long)]
        scores_dir: Option<PathBuf>,
    },
    /// Score forecasts on six NAB series by the rolling-origin protocol, and time a one-week fit.
    Forecast {
        /// The NAB folder (with data/).
        dir: PathBuf,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also score every other NAB file by the same protocol: a check on series the
        /// forecaster's constants were not chosen on.
        #[arg(long)]
        held_out: bool,
    },
    /// Replay load-like NAB series through a reactive HPA model and Corridor's predictive policy.
    Scale {
        /// The NAB folder (with data/).
        dir: PathBuf,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Score template mining on a Loghub-2k folder (raw lines, one configuration), and its throughput.
    Logs {
        /// The Loghub-2k folder (with <System>/<System>_2k.log and its _structured.csv).
        dir: PathBuf,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write OUT/<System>/<System>_2k.log_structured.csv (LineId,EventTemplate).
        #[arg(long)]
        templates_dir: Option<PathBuf>,
    },
    /// Run the KEDA External Scaler binary against a real Prometheus: refresh cost, GetMetrics
    /// latency; or, with --replay, the `scale` simulation with Corridor's decisions from the scaler.
    Scaler {
        /// The scaler binary; default `corridor-keda-scaler` beside this one.
        #[arg(long)]
        scaler: Option<PathBuf>,
        /// corridor.wasm; default the release build under the target directory.
        #[arg(long)]
        plugin: Option<PathBuf>,
        /// ScaledObjects to register.
        #[arg(long, default_value_t = 100)]
        objects: usize,
        /// Concurrent client tasks.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Replay the load-like series of this NAB folder through the scaler instead.
        #[arg(long)]
        replay: Option<PathBuf>,
        /// With --replay: minutes of simulated time between decisions (rounded up to whole
        /// points); 0 decides at every point.
        #[arg(long, default_value_t = 0)]
        every_min: usize,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Score the scrubber on a generated labelled corpus, or scrub a file line by line.
    Scrub {
        /// Print every line of this file scrubbed instead of scoring.
        #[arg(long)]
        apply: Option<PathBuf>,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// The same calls natively and through corridor.wasm in the Rust Extism host (needs the
    /// `wasm` feature).
    #[cfg(feature = "wasm")]
    Wasm {
        /// corridor.wasm; default the release build under target/.
        #[arg(long, default_value = "target/corridor.wasm")]
        plugin: PathBuf,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Score incident grouping, root-cause ranking and the rule book on explain cases.
    Explain {
        /// The cases folder (bench/cases/explain); not needed with --families.
        #[arg(required_unless_present = "families")]
        dir: Option<PathBuf>,
        /// List the rule book's family ids instead.
        #[arg(long)]
        families: bool,
        /// Write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.mode {
        Mode::Nab { dir, json, scores_dir } => nab_mode::run(&dir, json.as_deref(), scores_dir.as_deref()),
        Mode::Forecast { dir, json, held_out } => forecast_mode::run(&dir, json.as_deref(), held_out),
        Mode::Scale { dir, json } => scale_mode::run(&dir, json.as_deref()),
        Mode::Logs { dir, json, templates_dir } => logs_mode::run(&dir, json.as_deref(), templates_dir.as_deref()),
        Mode::Scaler { scaler, plugin, objects, concurrency, seconds, replay, every_min, json } => {
            let beside = |name: &str| std::env::current_exe().ok().and_then(|e| e.parent().map(|d| d.join(name)));
            let scaler = scaler.or_else(|| beside("corridor-keda-scaler")).unwrap_or_default();
            let plugin = plugin.or_else(|| beside("../corridor.wasm")).unwrap_or_default();
            match replay {
                Some(dir) => {
                    let run = scaler_replay::ReplayRun { scaler, plugin, every_min };
                    scaler_replay::run(&run, &dir, json.as_deref())
                }
                None => {
                    let run = scaler_mode::ScalerRun { scaler, plugin, objects, concurrency, seconds };
                    scaler_mode::run(&run, json.as_deref())
                }
            }
        }
        #[cfg(feature = "wasm")]
        Mode::Wasm { plugin, json } => wasm_mode::run(&plugin, json.as_deref()),
        Mode::Scrub { apply: Some(file), .. } => scrub_mode::apply(&file),
        Mode::Scrub { apply: None, json } => scrub_mode::run(json.as_deref()),
        Mode::Explain { families: true, .. } => explain_mode::families(),
        Mode::Explain { dir: Some(dir), json, .. } => explain_mode::run(&dir, json.as_deref()),
        Mode::Explain { dir: None, .. } => Err("explain needs CASES_DIR or --families".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("corridor-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
