//! Loghub-2k: loading a system's raw lines and truth templates, and the four accuracy metrics
//! of `METRICS.md` (GA, FGA, PA, FTA), keyed by the predicted template text.

use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One system: raw lines and, line by line, the truth template.
pub struct System {
    /// Folder name, e.g. `HDFS`.
    pub name: String,
    /// Raw lines, line endings removed.
    pub lines: Vec<String>,
    /// `EventTemplate` of each line.
    pub truth: Vec<String>,
}

/// The systems of a Loghub-2k folder (each `DIR/<S>/<S>_2k.log` with its structured CSV), by name.
pub fn load(dir: &Path) -> Result<Vec<System>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join(format!("{}_2k.log", e.file_name().to_string_lossy())).exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("{}: no <System>/<System>_2k.log found", dir.display()));
    }
    names.into_iter().map(|n| load_system(dir, n)).collect()
}

fn load_system(dir: &Path, name: String) -> Result<System, String> {
    let log = dir.join(&name).join(format!("{name}_2k.log"));
    let text = std::fs::read(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let lines: Vec<String> =
        String::from_utf8_lossy(&text).lines().map(|l| l.trim_end_matches('\r').to_string()).collect();
    let csv_path = dir.join(&name).join(format!("{name}_2k.log_structured.csv"));
    let mut reader = csv::Reader::from_path(&csv_path).map_err(|e| format!("{}: {e}", csv_path.display()))?;
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |c: &str| headers.iter().position(|h| h == c).ok_or(format!("{}: no {c} column", csv_path.display()));
    let (id_col, template_col) = (column("LineId")?, column("EventTemplate")?);
    let mut truth = vec![String::new(); lines.len()];
    for row in reader.records() {
        let row = row.map_err(|e| format!("{}: {e}", csv_path.display()))?;
        let id: usize = row[id_col].parse().map_err(|_| format!("{}: bad LineId", csv_path.display()))?;
        if let Some(slot) = id.checked_sub(1).and_then(|i| truth.get_mut(i)) {
            *slot = row[template_col].to_string();
        }
    }
    Ok(System { name, lines, truth })
}

/// The four metrics of one system.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Grouping accuracy.
    pub ga: f64,
    /// Parsing accuracy (exact template text, raw).
    pub pa: f64,
    /// Parsing accuracy after normalising the predictions (`METRICS.md` section 8).
    pub pa_normalized: f64,
    /// F1 of grouping accuracy.
    pub fga: f64,
    /// F1 of template accuracy (lenient, as the Loghub-2.0 evaluator).
    pub fta: f64,
}

/// Scores predicted templates against the truth; lines with an empty truth are dropped.
pub fn score(truth: &[String], predicted: &[String]) -> Scores {
    let kept: Vec<(&str, &str)> =
        truth.iter().zip(predicted).filter(|(t, _)| !t.is_empty()).map(|(t, p)| (t.as_str(), p.as_str())).collect();
    let n = kept.len() as f64;
    if kept.is_empty() {
        return Scores::default();
    }
    let mut true_groups: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut pred_size: HashMap<&str, usize> = HashMap::new();
    let mut pred_truths: HashMap<&str, HashSet<&str>> = HashMap::new();
    for &(t, p) in &kept {
        true_groups.entry(t).or_default().push(p);
        *pred_size.entry(p).or_default() += 1;
        pred_truths.entry(p).or_default().insert(t);
    }
    let (mut correct_lines, mut correct_groups) = (0usize, 0usize);
    for preds in true_groups.values() {
        let keys: HashSet<&str> = preds.iter().copied().collect();
        if keys.len() == 1 && pred_size[preds[0]] == preds.len() {
            correct_lines += preds.len();
            correct_groups += 1;
        }
    }
    let correct_templates = pred_truths.iter().filter(|(p, ts)| ts.len() == 1 && ts.contains(*p)).count();
    let f1 = |c: usize| {
        let (precision, recall) = (c as f64 / pred_size.len() as f64, c as f64 / true_groups.len() as f64);
        if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        }
    };
    Scores {
        ga: correct_lines as f64 / n,
        pa: kept.iter().filter(|(t, p)| t == p).count() as f64 / n,
        pa_normalized: kept.iter().filter(|(t, p)| *t == normalize(p)).count() as f64 / n,
        fga: f1(correct_groups),
        fta: f1(correct_templates),
    }
}

/// The optional normalisation of a predicted template of `METRICS.md` section 8.
pub fn normalize(template: &str) -> String {
    const WIDE: &str = ",!;:=|\"'[](){}.-+@#$%&";
    const NARROW: &str = ",!;:=|\"'[](){}";
    let collapsed = template.split_whitespace().collect::<Vec<_>>().join(" ");
    let paths =
        map_pieces(&collapsed, NARROW, |p| if p.starts_with('/') && p.len() > 1 { "<*>".into() } else { p.into() });
    let mut out = map_pieces(&paths, WIDE, |p| {
        let lower = p.to_ascii_lowercase();
        let word = ["true", "false", "null", "root", "admin"].contains(&lower.as_str());
        let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let glued = p.contains("<*>") && p != "<*>";
        if word || digits || glued {
            "<*>".into()
        } else {
            p.into()
        }
    });
    loop {
        let next = out.replace("<*>.<*>", "<*>").replace("<*><*>", "<*>");
        if next == out {
            return out;
        }
        out = next;
    }
}

/// Applies `f` to the pieces of `text` between spaces and the characters of `delimiters`,
/// keeping the delimiters. A `<*>` is one piece.
fn map_pieces(text: &str, delimiters: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut piece = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if text[i..].starts_with("<*>") {
            piece.push_str("<*>");
            chars.nth(1);
        } else if c == ' ' || delimiters.contains(c) {
            out.push_str(&f(&piece));
            piece.clear();
            out.push(c);
        } else {
            piece.push(c);
        }
    }
    out.push_str(&f(&piece));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_metrics_md() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let conn = "Connection from <*> closed";
        let truth = s(&[conn, conn, conn, "User <*> logged in", "User <*> logged in", "Disk <*> full"]);
        let predicted = s(&[conn, conn, conn, "User alice logged in", "<*> <*> <*>", "<*> <*> <*>"]);
        let r = score(&truth, &predicted);
        assert!((r.ga - 0.5).abs() < 1e-9 && (r.pa - 0.5).abs() < 1e-9);
        assert!((r.fga - 1.0 / 3.0).abs() < 1e-9 && (r.fta - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn normalisation_follows_section_8() {
        assert_eq!(normalize("Got  blk_<*> from /10.0.0.1:<*> took <*>ms root"), "Got <*> from <*>:<*> took <*> <*>");
        assert_eq!(normalize("<*>.<*>.<*> and 42 <*><*>"), "<*> and <*> <*>");
        assert_eq!(normalize("héllo <*>é"), "héllo <*>");
    }
}
