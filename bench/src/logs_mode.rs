//! The `logs` mode: mines templates from the raw lines of every Loghub-2k system with one
//! configuration (the defaults), scores GA, PA, FGA and FTA per system and on average, and
//! measures throughput (parse + mine, one thread, cold miner, median of 11 runs).

use crate::loghub::{self, Scores, System};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_core::logs::drain::{Miner, MinerOptions};
use corridor_core::logs::line;
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// Runs the mode; `json` and `templates_dir` are the optional outputs.
pub fn run(dir: &Path, json_out: Option<&Path>, templates_dir: Option<&Path>) -> Result<(), String> {
    let systems = loghub::load(dir)?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["system", "GA", "PA", "PA (normalised)", "FGA", "FTA", "templates"]);
    let mut doc = json!({ "input": "raw lines", "options": MinerOptions::default(), "systems": {} });
    let mut mean = Scores::default();
    for system in &systems {
        let predicted = mine(system);
        let s = loghub::score(&system.truth, &predicted);
        let distinct = predicted.iter().collect::<std::collections::HashSet<_>>().len();
        table.add_row(vec![
            system.name.clone(),
            format!("{:.3}", s.ga),
            format!("{:.3}", s.pa),
            format!("{:.3}", s.pa_normalized),
            format!("{:.3}", s.fga),
            format!("{:.3}", s.fta),
            distinct.to_string(),
        ]);
        doc["systems"][&system.name] = json!(s);
        let k = systems.len() as f64;
        mean = Scores {
            ga: mean.ga + s.ga / k,
            pa: mean.pa + s.pa / k,
            pa_normalized: mean.pa_normalized + s.pa_normalized / k,
            fga: mean.fga + s.fga / k,
            fta: mean.fta + s.fta / k,
        };
        if let Some(out) = templates_dir {
            write_templates(out, system, &predicted)?;
        }
    }
    table.add_row(vec![
        "mean".to_string(),
        format!("{:.3}", mean.ga),
        format!("{:.3}", mean.pa),
        format!("{:.3}", mean.pa_normalized),
        format!("{:.3}", mean.fga),
        format!("{:.3}", mean.fta),
        String::new(),
    ]);
    println!("{table}");
    let (lines, per_s, per_cpu_s) = throughput(&systems);
    let cpu = per_cpu_s.map_or(String::new(), |c| format!(", {:.2} M lines per CPU-second", c / 1e6));
    println!(
        "throughput (native, one thread, parse + mine, cold miner): {lines} lines, {:.2} M lines/s{cpu}",
        per_s / 1e6
    );
    doc["mean"] = json!(mean);
    doc["throughput"] = json!({ "lines": lines, "lines_per_s": per_s, "lines_per_cpu_s": per_cpu_s });
    if let Some(path) = json_out {
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The line as the analyzer may see it: BGL's first field is its alert label, which
/// `README.md` of the data requires to be stripped before analysis.
fn input(system: &System, raw: &str) -> String {
    match (system.name.as_str(), raw.split_once(' ')) {
        ("BGL", Some((_, rest))) => rest.to_string(),
        _ => raw.to_string(),
    }
}

/// Each line's final group text (see `Miner::group`), once the whole file is mined.
fn mine(system: &System) -> Vec<String> {
    let mut miner = Miner::new(MinerOptions::default()).unwrap_or_default();
    let messages: Vec<String> =
        system.lines.iter().map(|l| line::parse(&input(system, l)).message.into_owned()).collect();
    let ids: Vec<usize> = messages.iter().map(|m| miner.add(m)).collect();
    ids.into_iter().zip(&messages).map(|(id, m)| miner.group(id, m)).collect()
}

/// Lines, and lines per second over all systems concatenated: the median of 11 cold runs by the
/// wall clock and, where Linux tells it, the mean over those runs by the thread's CPU time
/// (which a busy machine does not inflate; summed over the runs because its clock is coarse).
fn throughput(systems: &[System]) -> (usize, f64, Option<f64>) {
    let all: Vec<String> = systems.iter().flat_map(|s| s.lines.iter().map(|l| input(s, l))).collect();
    const RUNS: usize = 11;
    let cpu_start = thread_cpu_ns();
    let mut wall: Vec<f64> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let mut miner = Miner::new(MinerOptions::default()).unwrap_or_default();
            for l in &all {
                miner.add(&line::parse(l).message);
            }
            std::hint::black_box(miner.templates().len());
            all.len() as f64 / started.elapsed().as_secs_f64()
        })
        .collect();
    let cpu = match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => Some((RUNS * all.len()) as f64 / ((b - a) as f64 * 1e-9)),
        _ => None,
    };
    wall.sort_by(f64::total_cmp);
    (all.len(), wall[RUNS / 2], cpu)
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`), on Linux.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn write_templates(out: &Path, system: &System, predicted: &[String]) -> Result<(), String> {
    let folder = out.join(&system.name);
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let path = folder.join(format!("{}_2k.log_structured.csv", system.name));
    let mut writer = csv::Writer::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let io = |e: csv::Error| format!("{}: {e}", path.display());
    writer.write_record(["LineId", "EventTemplate"]).map_err(io)?;
    for (i, t) in predicted.iter().enumerate() {
        writer.write_record([(i + 1).to_string().as_str(), t.as_str()]).map_err(io)?;
    }
    writer.flush().map_err(|e| format!("{}: {e}", path.display()))
}
