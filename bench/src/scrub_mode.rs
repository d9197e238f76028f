//! The `scrub` mode: recall per kind on a generated labelled corpus and the share of
//! look-alikes wrongly removed; with `--apply FILE`, prints every line of FILE scrubbed.

use crate::scrub_corpus::{self, Sample};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use corridor_core::scrub::{ScrubOptions, Scrubber};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

/// Samples of each kind in the corpus.
const PER_KIND: usize = 30;

/// Prints FILE scrubbed, one output line per input line, placeholders stable across lines.
pub fn apply(file: &Path) -> Result<(), String> {
    let reader = std::io::BufReader::new(std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?);
    let mut scrubber = Scrubber::new(ScrubOptions::default());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in reader.split(b'\n') {
        let line = line.map_err(|e| format!("{}: {e}", file.display()))?;
        let text = String::from_utf8_lossy(&line);
        writeln!(out, "{}", scrubber.scrub(text.trim_end_matches('\r'))).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Scores the scrubber on the generated corpus.
pub fn run(json_out: Option<&Path>) -> Result<(), String> {
    let corpus = scrub_corpus::generate(PER_KIND);
    let mut scrubber = Scrubber::new(ScrubOptions::default());
    let mut by_family: BTreeMap<(bool, &str), (usize, usize)> = BTreeMap::new();
    for Sample { line, labels } in &corpus {
        let out = scrubber.scrub(line);
        for label in labels {
            let removed = !out.contains(&label.value);
            let entry = by_family.entry((label.kind.is_some(), label.family)).or_default();
            entry.0 += 1;
            entry.1 += usize::from(removed);
        }
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["value", "kind", "count", "removed", "share removed"]);
    let mut doc = json!({ "lines": corpus.len(), "recall": {}, "look_alikes_removed": {} });
    let (mut secrets, mut caught, mut looks, mut wrongly) = (0, 0, 0, 0);
    for (&(private, family), &(count, removed)) in by_family.iter().rev() {
        let share = removed as f64 / count as f64;
        let kind = if private { "private" } else { "look-alike" };
        table.add_row(vec![
            family.to_string(),
            kind.to_string(),
            count.to_string(),
            removed.to_string(),
            format!("{:.1} %", 100.0 * share),
        ]);
        if private {
            (secrets, caught) = (secrets + count, caught + removed);
            doc["recall"][family] = json!(share);
        } else {
            (looks, wrongly) = (looks + count, wrongly + removed);
            doc["look_alikes_removed"][family] = json!(share);
        }
    }
    println!("{table}");
    let recall = caught as f64 / secrets as f64;
    let false_share = wrongly as f64 / looks as f64;
    println!(
        "{} lines; recall {:.2} % ({caught}/{secrets}); look-alikes removed {:.2} % ({wrongly}/{looks})",
        corpus.len(),
        100.0 * recall,
        100.0 * false_share
    );
    doc["overall_recall"] = json!(recall);
    doc["overall_look_alikes_removed"] = json!(false_share);
    if let Some(path) = json_out {
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
