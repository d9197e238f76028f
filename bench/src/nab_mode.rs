//! The `nab` mode: runs the causal detector on every file of a NAB folder, scores it with
//! NAB's three profiles, prints a table per category and overall, and measures throughput.

use crate::detector_run::causal_scores;
use crate::nab::{self, NabFile, ProfileScore};
use crate::throughput::{self, Throughput};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

/// Runs the mode; `json` and `scores_dir` are the optional outputs.
pub fn run(dir: &Path, json: Option<&Path>, scores_dir: Option<&Path>) -> Result<(), String> {
    let files = nab::load_corpus(dir).map_err(|e| e.to_string())?;
    let profiles = nab::load_profiles(dir).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let (scores, periods): (Vec<Vec<f64>>, Vec<Option<i64>>) = files
        .iter()
        .map(|f| {
            let ms: Vec<i64> = f.timestamps.iter().map(|t| t * 1000).collect();
            causal_scores(&ms, &f.values, f.probation()).map_err(|e| format!("{}: {e}", f.key()))
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    let detect_seconds = started.elapsed().as_secs_f64();
    if let Some(out) = scores_dir {
        for (file, s) in files.iter().zip(&scores) {
            let path = out.join(&file.category).join(&file.name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            nab::write_scores_csv(&path, file, s).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let results = profiles
        .iter()
        .map(|p| nab::score_corpus(&files, &scores, p).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let categories: BTreeSet<&str> = files.iter().map(|f| f.category.as_str()).collect();
    print_table(&files, &profiles, &results, &categories);
    let rows: usize = files.iter().map(|f| f.values.len()).sum();
    println!("\n{} files, {rows} rows scored causally in {:.2} s", files.len(), detect_seconds);
    let speed = throughput::measure();
    println!("{speed}");
    if let Some(path) = json {
        let mut doc = json!({
            "files": files.len(),
            "rows": rows,
            "throughput": speed.to_json(),
            "categories": {},
            "thresholds": {},
            "files": {},
        });
        for (i, file) in files.iter().enumerate() {
            let raw: Vec<f64> = results.iter().map(|r| r.files[i].raw).collect();
            doc["files"][file.key()] = json!({ "period_ms": periods[i], "raw": raw });
        }
        for (profile, result) in profiles.iter().zip(&results) {
            doc[&profile.name] = json!(result.normalized);
            doc["thresholds"][&profile.name] = json!(result.threshold);
            for category in &categories {
                let value = category_score(&files, result, profile, category);
                doc["categories"][*category][&profile.name] = json!(value);
            }
        }
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn category_score(files: &[NabFile], result: &ProfileScore, profile: &nab::Profile, category: &str) -> Option<f64> {
    let keys: Vec<String> = files.iter().filter(|f| f.category == category).map(NabFile::key).collect();
    let v = nab::normalize_subset(result, files, &keys, profile);
    v.is_finite().then_some(v)
}

fn print_table(files: &[NabFile], profiles: &[nab::Profile], results: &[ProfileScore], categories: &BTreeSet<&str>) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["category".to_string(), "files".to_string()];
    header.extend(profiles.iter().map(|p| p.name.clone()));
    table.set_header(header);
    for category in categories {
        let mut row = vec![category.to_string(), files.iter().filter(|f| f.category == *category).count().to_string()];
        for (profile, result) in profiles.iter().zip(results) {
            row.push(category_score(files, result, profile, category).map_or("–".into(), |v| format!("{v:.2}")));
        }
        table.add_row(row);
    }
    let mut total = vec!["all (corpus threshold)".to_string(), files.len().to_string()];
    total.extend(results.iter().map(|r| format!("{:.2}  (θ={})", r.normalized, threshold_label(r.threshold))));
    table.add_row(total);
    println!("{table}");
}

/// A threshold as printed: near 1 as `1−` its distance from 1 (the scores that count sit
/// there, and four decimals would round them all to 1.0000); above 1 as "none" (no detections).
fn threshold_label(threshold: f64) -> String {
    if threshold > 1.0 {
        "none".into()
    } else if threshold == 1.0 {
        "1".into()
    } else if threshold >= 0.999 {
        format!("1−{:.1e}", 1.0 - threshold)
    } else {
        format!("{threshold:.4}")
    }
}

impl std::fmt::Display for Throughput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "throughput (native, one thread): fit one week at 1 min ({} points) {:.3} ms median; \
             score {:.1} M points/s; full detect {:.1} M points/s",
            self.fit_points,
            self.fit_ms,
            self.score_points_per_s / 1e6,
            self.detect_points_per_s / 1e6
        )
    }
}

#[cfg(test)]
mod tests {
    use super::threshold_label;

    #[test]
    fn thresholds_near_one_print_their_distance_from_one() {
        let labels: Vec<String> = [1.1, 1.0, 1.0 - 3.2e-4, 0.5].into_iter().map(threshold_label).collect();
        assert_eq!(labels, ["none", "1", "1−3.2e-4", "0.5000"]);
    }
}
