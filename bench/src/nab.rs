//! Numenta Anomaly Benchmark (NAB v1.1) scorer, reimplemented from the `SCORING.md` spec shipped
//! with the NAB data folder (section numbers below refer to it).
//!
//! A NAB folder holds `data/<category>/<name>.csv` (header `timestamp,value`),
//! `labels/combined_windows.json` and `profiles.json`.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The first candidate threshold (§6): no valid score reaches it, so nothing is detected.
const NO_DETECTION: f64 = 1.1;

/// Profile names in `profiles.json`, in the order [`load_profiles`] returns them.
const PROFILE_NAMES: [&str; 3] = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"];

/// Why a NAB folder or a detector's output could not be loaded or scored.
#[derive(Debug)]
pub enum NabError {
    /// A file or directory could not be read.
    Io { path: PathBuf, source: io::Error },
    /// A JSON file is malformed or does not have the expected shape.
    Json { path: PathBuf, source: serde_json::Error },
    /// A data file is not a valid `timestamp,value` CSV.
    Csv { path: PathBuf, detail: String },
    /// A data file has no entry in the windows JSON.
    Unlabelled { key: String },
    /// The windows JSON names a file that is not under `data/`.
    MissingData { key: String },
    /// A window is malformed, not found in its file, reversed, out of range or overlapping.
    Window { key: String, detail: String },
    /// `profiles.json` lacks one of the three NAB profiles.
    MissingProfile { name: String },
    /// The number of score vectors differs from the number of files.
    FileCountMismatch { files: usize, scores: usize },
    /// A score vector's length differs from its file's row count.
    LengthMismatch { key: String, rows: usize, scores: usize },
    /// A scored (non-probationary) row's score is NaN or at least 1.1.
    InvalidScore { key: String, row: usize, value: f64 },
}

impl fmt::Display for NabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Json { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Csv { path, detail } => write!(f, "{}: {detail}", path.display()),
            Self::Unlabelled { key } => write!(f, "{key}: no entry in the windows file"),
            Self::MissingData { key } => write!(f, "{key}: labelled but not found under data/"),
            Self::Window { key, detail } => write!(f, "{key}: window {detail}"),
            Self::MissingProfile { name } => write!(f, "profile `{name}` not found"),
            Self::FileCountMismatch { files, scores } => {
                write!(f, "{scores} score vectors for {files} files")
            }
            Self::LengthMismatch { key, rows, scores } => {
                write!(f, "{key}: {scores} scores for {rows} rows")
            }
            Self::InvalidScore { key, row, value } => {
                write!(f, "{key}: row {row} has score {value}; scores must be below 1.1")
            }
        }
    }
}

impl std::error::Error for NabError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Json { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// One labelled NAB time series.
#[derive(Debug, Clone, PartialEq)]
pub struct NabFile {
    /// Directory under `data/`, e.g. `realKnownCause`.
    pub category: String,
    /// File name, with `.csv`.
    pub name: String,
    /// Row timestamps as unix seconds (the files have no time zone; read as UTC).
    pub timestamps: Vec<i64>,
    /// Row values.
    pub values: Vec<f64>,
    /// Anomaly windows as inclusive row ranges `L..=R`, in order and disjoint.
    pub windows: Vec<(usize, usize)>,
}

impl NabFile {
    /// The file's key in the windows JSON: `<category>/<name>`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.category, self.name)
    }

    /// Number of leading rows never scored (§2): `min(floor(0.15 n), 750)`.
    pub fn probation(&self) -> usize {
        (self.timestamps.len() * 15 / 100).min(750)
    }
}

/// A scoring profile's weights (§1); `A_TN` is never used and not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Profile name as in `profiles.json`.
    pub name: String,
    /// Weight of a true positive, `tpWeight`.
    pub a_tp: f64,
    /// Weight of a false positive, `fpWeight`.
    pub a_fp: f64,
    /// Weight of a missed window, `fnWeight`.
    pub a_fn: f64,
}

/// One file's score at the corpus threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct FileScore {
    /// The file's key, `<category>/<name>`.
    pub key: String,
    /// Raw score of this file's rows (the file's share of the corpus raw score).
    pub raw: f64,
    /// Detected non-probationary rows inside windows.
    pub tp: usize,
    /// Detected non-probationary rows outside windows.
    pub fp: usize,
    /// Undetected non-probationary rows inside windows.
    pub fn_: usize,
    /// Undetected non-probationary rows outside windows.
    pub tn: usize,
}

/// A detector's corpus score for one profile, with the threshold fitted on the corpus (§6).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileScore {
    /// Profile name.
    pub profile: String,
    /// The best threshold θ* (1.1 means no detections).
    pub threshold: f64,
    /// Corpus raw score at θ*.
    pub raw: f64,
    /// Raw score of the null detector, `−A_FN · K`.
    pub null_raw: f64,
    /// Raw score of the perfect detector, `A_TP · K`.
    pub perfect_raw: f64,
    /// `100 (raw − null) / (perfect − null)`; NaN if the corpus has no windows.
    pub normalized: f64,
    /// Per-file scores at θ*, in the order of the input files.
    pub files: Vec<FileScore>,
}

/// Loads every `data/<category>/*.csv` of a NAB folder with its windows, sorted by key.
///
/// Every data file must have an entry in `labels/combined_windows.json` and every entry a data file.
pub fn load_corpus(dir: &Path) -> Result<Vec<NabFile>, NabError> {
    let mut labels: BTreeMap<String, Vec<(String, String)>> = read_json(&dir.join("labels/combined_windows.json"))?;
    let mut files = Vec::new();
    for category in read_dir(&dir.join("data"))? {
        if !category.is_dir() {
            continue;
        }
        for path in read_dir(&category)? {
            if !path.is_file() || path.extension().and_then(|e| e.to_str()) != Some("csv") {
                continue;
            }
            let file = NabFile {
                category: utf8_name(&category)?,
                name: utf8_name(&path)?,
                timestamps: Vec::new(),
                values: Vec::new(),
                windows: Vec::new(),
            };
            let key = file.key();
            let spans = labels.remove(&key).ok_or(NabError::Unlabelled { key })?;
            files.push(read_file(file, &path, &spans)?);
        }
    }
    if let Some(key) = labels.into_keys().next() {
        return Err(NabError::MissingData { key });
    }
    files.sort_by_cached_key(NabFile::key);
    Ok(files)
}

/// Loads one data file, `DIR/data/<key>` with `key` = `<category>/<name>`, without its windows.
pub fn load_file(dir: &Path, key: &str) -> Result<NabFile, NabError> {
    let (category, name) = key.split_once('/').unwrap_or(("", key));
    let file = NabFile {
        category: category.into(),
        name: name.into(),
        timestamps: Vec::new(),
        values: Vec::new(),
        windows: Vec::new(),
    };
    read_file(file, &dir.join("data").join(key), &[])
}

/// Loads the three NAB profiles from `profiles.json`: standard, reward_low_FP_rate,
/// reward_low_FN_rate.
pub fn load_profiles(dir: &Path) -> Result<Vec<Profile>, NabError> {
    #[derive(Deserialize)]
    struct Costs {
        #[serde(rename = "tpWeight")]
        tp: f64,
        #[serde(rename = "fpWeight")]
        fp: f64,
        #[serde(rename = "fnWeight")]
        fn_: f64,
    }
    #[derive(Deserialize)]
    struct Entry {
        #[serde(rename = "CostMatrix")]
        costs: Costs,
    }
    let mut entries: HashMap<String, Entry> = read_json(&dir.join("profiles.json"))?;
    PROFILE_NAMES
        .iter()
        .map(|&name| {
            let missing = || NabError::MissingProfile { name: name.into() };
            let c = entries.remove(name).ok_or_else(missing)?.costs;
            Ok(Profile { name: name.into(), a_tp: c.tp, a_fp: c.fp, a_fn: c.fn_ })
        })
        .collect()
}

/// Scores a detector on a corpus for one profile: sweeps every threshold (§6), keeps the best
/// (the highest on ties) and splits the result per file.
///
/// `scores[i]` is the detector's output for `files[i]`, one value per row; scores of
/// non-probationary rows must be below 1.1 and not NaN.
pub fn score_corpus(files: &[NabFile], scores: &[Vec<f64>], profile: &Profile) -> Result<ProfileScore, NabError> {
    if files.len() != scores.len() {
        return Err(NabError::FileCountMismatch { files: files.len(), scores: scores.len() });
    }
    // Scorable rows as (score, weight, corpus-wide window index), and each window's best term.
    let mut rows = Vec::new();
    let mut terms = Vec::new();
    let mut window_sum = 0.0;
    let mut weights = Vec::with_capacity(files.len());
    for (file, a) in files.iter().zip(scores) {
        check_scores(file, a)?;
        let p = file.probation();
        let w = row_weights(file, profile);
        let offset = terms.len();
        rows.extend((p..a.len()).map(|i| (a[i], w[i].0, w[i].1.map(|k| offset + k))));
        for &(_, r) in &file.windows {
            terms.push(-profile.a_fn);
            // A window with no scorable row is not part of the sum (§5).
            if r >= p {
                window_sum -= profile.a_fn;
            }
        }
        weights.push(w);
    }

    rows.sort_unstable_by(|x, y| y.0.total_cmp(&x.0));
    let mut fp_sum = 0.0;
    let (mut threshold, mut raw) = (NO_DETECTION, fp_sum + window_sum);
    for group in rows.chunk_by(|x, y| x.0 == y.0) {
        for &(_, w, window) in group {
            match window {
                None => fp_sum += w,
                Some(k) if w > terms[k] => {
                    window_sum += w - terms[k];
                    terms[k] = w;
                }
                Some(_) => {}
            }
        }
        // Strictly greater: on ties the earlier, higher threshold stays.
        if fp_sum + window_sum > raw {
            (threshold, raw) = (group[0].0, fp_sum + window_sum);
        }
    }

    let files_scores = files
        .iter()
        .zip(scores)
        .zip(&weights)
        .map(|((file, a), w)| file_score(file, a, w, threshold, profile))
        .collect();
    let k = files.iter().map(|f| f.windows.len()).sum();
    Ok(ProfileScore {
        profile: profile.name.clone(),
        threshold,
        raw,
        null_raw: -profile.a_fn * k as f64,
        perfect_raw: profile.a_tp * k as f64,
        normalized: normalize(raw, k, profile),
        files: files_scores,
    })
}

/// Normalised score (§7) of the files of `score` whose keys are in `keys`, at the corpus
/// threshold; `files` supplies their window count `K`. NaN if the subset has no windows.
pub fn normalize_subset(score: &ProfileScore, files: &[NabFile], keys: &[String], profile: &Profile) -> f64 {
    let chosen = |key: &String| keys.contains(key);
    let k = files.iter().filter(|f| chosen(&f.key())).map(|f| f.windows.len()).sum();
    let raw = score.files.iter().filter(|f| chosen(&f.key)).map(|f| f.raw).sum();
    normalize(raw, k, profile)
}

/// Writes a detector's output as NAB does: `timestamp,value,anomaly_score`, with timestamps
/// as `YYYY-MM-DD HH:MM:SS`.
pub fn write_scores_csv(path: &Path, file: &NabFile, scores: &[f64]) -> io::Result<()> {
    let n = file.timestamps.len();
    if file.values.len() != n || scores.len() != n {
        let detail = format!("{}: {n} timestamps, {} values, {} scores", file.key(), file.values.len(), scores.len());
        return Err(io::Error::new(io::ErrorKind::InvalidInput, detail));
    }
    let mut out = BufWriter::new(fs::File::create(path)?);
    writeln!(out, "timestamp,value,anomaly_score")?;
    for ((&t, v), a) in file.timestamps.iter().zip(&file.values).zip(scores) {
        writeln!(out, "{},{v},{a}", format_datetime(t))?;
    }
    out.flush()
}

/// §7: `100 (raw − null) / (perfect − null)` for `k` windows; NaN when `k` is 0.
fn normalize(raw: f64, k: usize, profile: &Profile) -> f64 {
    if k == 0 {
        return f64::NAN;
    }
    let (null, perfect) = (-profile.a_fn * k as f64, profile.a_tp * k as f64);
    100.0 * (raw - null) / (perfect - null)
}

/// §3: `2 / (1 + e^(5x)) − 1`, and exactly −1 for `x > 3`.
fn scaled_sigmoid(x: f64) -> f64 {
    if x > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * x).exp()) - 1.0
    }
}

/// §4: every row's weight, with the index in `file.windows` of the window holding it.
/// The windows must have passed [`check_windows`].
fn row_weights(file: &NabFile, profile: &Profile) -> Vec<(f64, Option<usize>)> {
    let s_max = scaled_sigmoid(-1.0);
    let mut next = 0; // the first window that has not ended before row i
    (0..file.timestamps.len())
        .map(|i| {
            if file.windows.get(next).is_some_and(|&(_, r)| r < i) {
                next += 1;
            }
            match (file.windows.get(next), file.windows[..next].last()) {
                (Some(&(l, r)), _) if l <= i => {
                    let x = -((r - i + 1) as f64) / (r - l + 1) as f64;
                    (profile.a_tp * scaled_sigmoid(x) / s_max, Some(next))
                }
                (_, None) => (-profile.a_fp, None),
                // The divisor W' − 1 = R' − L' may be 0: x is then +inf and the weight −A_FP.
                (_, Some(&(l, r))) => (profile.a_fp * scaled_sigmoid((i - r) as f64 / (r - l) as f64), None),
            }
        })
        .collect()
}

/// One file's raw score and row counts when rows with `a ≥ threshold` are detections.
/// If `threshold` is below all of the file's scores, every row is one (NAB's per-file quirk, §6).
fn file_score(
    file: &NabFile,
    scores: &[f64],
    weights: &[(f64, Option<usize>)],
    threshold: f64,
    profile: &Profile,
) -> FileScore {
    let p = file.probation();
    let mut best: Vec<Option<f64>> = vec![None; file.windows.len()];
    let (mut fp_sum, mut tp, mut fp, mut fn_, mut tn) = (0.0, 0, 0, 0, 0);
    for (&a, &(w, window)) in scores.iter().zip(weights).skip(p) {
        match (window, a >= threshold) {
            (Some(k), true) => {
                tp += 1;
                best[k] = Some(best[k].map_or(w, |b| b.max(w)));
            }
            (Some(_), false) => fn_ += 1,
            (None, true) => {
                fp += 1;
                fp_sum += w;
            }
            (None, false) => tn += 1,
        }
    }
    let window_sum: f64 =
        file.windows.iter().zip(&best).filter(|&(&(_, r), _)| r >= p).map(|(_, b)| b.unwrap_or(-profile.a_fn)).sum();
    FileScore { key: file.key(), raw: fp_sum + window_sum, tp, fp, fn_, tn }
}

/// Checks that a score vector fits its file, whose windows must be valid too.
fn check_scores(file: &NabFile, scores: &[f64]) -> Result<(), NabError> {
    check_windows(file)?;
    let rows = file.timestamps.len();
    if scores.len() != rows {
        return Err(NabError::LengthMismatch { key: file.key(), rows, scores: scores.len() });
    }
    let p = file.probation();
    match scores[p..].iter().position(|a| a.is_nan() || *a >= NO_DETECTION) {
        Some(i) => Err(NabError::InvalidScore { key: file.key(), row: p + i, value: scores[p + i] }),
        None => Ok(()),
    }
}

/// Checks that windows lie within the file, are in order and do not overlap, as NAB assumes.
fn check_windows(file: &NabFile) -> Result<(), NabError> {
    let mut free = 0; // the first row a window may start at
    for &(l, r) in &file.windows {
        let problem = if r >= file.timestamps.len() {
            "ends past the last row"
        } else if r < l {
            "ends before it starts"
        } else if l < free {
            "overlaps or precedes the previous window"
        } else {
            free = r + 1;
            continue;
        };
        return Err(NabError::Window { key: file.key(), detail: format!("rows {l}..={r} {problem}") });
    }
    Ok(())
}

/// Reads a data file's rows into `file` and resolves its windows' timestamps to rows (§1):
/// each end is the first row with that timestamp.
fn read_file(mut file: NabFile, path: &Path, spans: &[(String, String)]) -> Result<NabFile, NabError> {
    let bad = |detail: String| NabError::Csv { path: path.into(), detail };
    let reader = fs::File::open(path).map_err(|source| NabError::Io { path: path.into(), source })?;
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(io::BufReader::new(reader));
    let headers = csv.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| {
        let missing = || bad(format!("no `{name}` column"));
        headers.iter().position(|h| h == name).ok_or_else(missing)
    };
    let (t_col, v_col) = (column("timestamp")?, column("value")?);
    for record in csv.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let (t, v) = (record.get(t_col).unwrap_or(""), record.get(v_col).unwrap_or(""));
        match parse_datetime(t) {
            Some((secs, 0)) => file.timestamps.push(secs),
            _ => return Err(bad(format!("line {line}: bad timestamp `{t}`"))),
        }
        file.values.push(v.parse().map_err(|_| bad(format!("line {line}: bad value `{v}`")))?);
    }

    let window_error = |detail: String| NabError::Window { key: file.key(), detail };
    let row_of = |ts: &str| match parse_datetime(ts) {
        None => Err(window_error(format!("timestamp `{ts}` is malformed"))),
        Some(t) => file
            .timestamps
            .iter()
            .position(|&secs| (secs, 0) == t)
            .ok_or_else(|| window_error(format!("timestamp `{ts}` is not in the file"))),
    };
    let windows = spans.iter().map(|(start, end)| Ok((row_of(start)?, row_of(end)?)));
    file.windows = windows.collect::<Result<_, NabError>>()?;
    check_windows(&file)?;
    Ok(file)
}

/// Parses `YYYY-MM-DD HH:MM:SS[.fffffffff]` into unix seconds and nanoseconds.
fn parse_datetime(s: &str) -> Option<(i64, u32)> {
    let digits = |text: &str| -> Option<i64> {
        let valid = !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit());
        valid.then(|| text.bytes().fold(0, |n, c| n * 10 + i64::from(c - b'0')))
    };
    let field = |range: std::ops::Range<usize>| digits(s.get(range)?);
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (h, mi, se) = (field(11..13)?, field(14..16)?, field(17..19)?);
    let nanos = match s.get(19..)? {
        "" => 0,
        rest => {
            let frac = rest.strip_prefix('.').filter(|f| f.len() <= 9)?;
            digits(frac)? * 10_i64.pow(9 - frac.len() as u32)
        }
    };
    let valid_day = (1..=12).contains(&mo) && (1..=days_in_month(y, mo)).contains(&d);
    if !valid_day || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + se;
    Some((secs, nanos as u32))
}

/// Formats unix seconds as `YYYY-MM-DD HH:MM:SS`.
fn format_datetime(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3_600, rem / 60 % 60, rem % 60)
}

/// Days in month `m` (1–12) of year `y`, Gregorian.
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day count since 1970-01-01; inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Reads and deserialises a JSON file.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, NabError> {
    let text = fs::read_to_string(path).map_err(|source| NabError::Io { path: path.into(), source })?;
    serde_json::from_str(&text).map_err(|source| NabError::Json { path: path.into(), source })
}

/// The paths in a directory.
fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, NabError> {
    let error = |source| NabError::Io { path: dir.into(), source };
    fs::read_dir(dir).map_err(error)?.map(|e| e.map(|e| e.path()).map_err(error)).collect()
}

/// A path's last component, which must be UTF-8.
fn utf8_name(path: &Path) -> Result<String, NabError> {
    let name = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
    name.ok_or_else(|| NabError::Io {
        path: path.into(),
        source: io::Error::new(io::ErrorKind::InvalidData, "file name is not UTF-8"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> [Profile; 3] {
        let p = |name: &str, a_fp, a_fn| Profile { name: name.into(), a_tp: 1.0, a_fp, a_fn };
        [p("standard", 0.11, 1.0), p("reward_low_FP_rate", 0.22, 1.0), p("reward_low_FN_rate", 0.11, 2.0)]
    }

    /// A file of `n` rows, five minutes apart, with the given windows.
    fn synthetic(name: &str, n: usize, windows: &[(usize, usize)]) -> NabFile {
        NabFile {
            category: "synthetic".into(),
            name: format!("{name}.csv"),
            timestamps: (0..n as i64).map(|i| 1_396_310_400 + 300 * i).collect(),
            values: (0..n).map(|i| i as f64).collect(),
            windows: windows.to_vec(),
        }
    }

    /// Files with no window, a window of one row, adjacent windows and a window at the end.
    fn corpus() -> Vec<NabFile> {
        vec![
            synthetic("a", 400, &[]),
            synthetic("b", 500, &[(200, 239)]),
            synthetic("c", 600, &[(150, 179), (300, 300), (400, 449), (450, 459)]),
            synthetic("d", 300, &[(250, 299)]),
        ]
    }

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!((actual - expected).abs() <= tolerance, "{actual} vs {expected}");
    }

    #[test]
    fn worked_example() {
        let file = synthetic("example", 100, &[(40, 49)]);
        let standard = &profiles()[0];
        assert_eq!(file.probation(), 15);
        let weights = row_weights(&file, standard);
        for (row, expected) in [(40, 1.0), (45, 0.859793), (49, 0.248242), (50, -0.029793), (58, -0.108528)] {
            close(weights[row].0, expected, 1e-6);
        }
        assert!(weights[15..40].iter().all(|&w| w == (-0.11, None)));

        let mut a = vec![0.0; 100];
        (a[10], a[30], a[45], a[47], a[52]) = (1.0, 0.9, 0.8, 0.7, 0.6);
        let raws = [(1.1, -1.0), (0.9, -1.11), (0.8, 0.749793), (0.7, 0.749793), (0.6, 0.674744), (0.0, -7.027961)];
        for (threshold, expected) in raws {
            close(file_score(&file, &a, &weights, threshold, standard).raw, expected, 1e-6);
        }

        let score = score_corpus(&[file], &[a], standard).unwrap();
        assert_eq!(score.threshold, 0.8);
        close(score.raw, 0.749793, 1e-6);
        close(score.normalized, 87.49, 0.005);
        let f = &score.files[0];
        assert_eq!((f.tp, f.fp, f.fn_, f.tn), (1, 1, 9, 74));
        assert_eq!(f.raw, score.raw);
    }

    #[test]
    fn weights_outside_windows() {
        let standard = &profiles()[0];
        let c = &corpus()[2];
        let w = row_weights(c, standard);
        assert_eq!(w[149], (-0.11, None));
        assert_eq!(w[300].1, Some(1));
        // After a one-row window, W' − 1 = 0: the next row is already a full false positive.
        assert_eq!(w[301], (-0.11, None));
        assert_eq!((w[449].1, w[450]), (Some(2), (1.0, Some(3))));
        for window in w[150..180].windows(2) {
            assert!(window[0].0 > window[1].0 && window[1].0 > 0.0);
        }
        // Exactly −A_FP beyond x = 3 after the 30-row window ending at row 179.
        close(w[179 + 3 * 29].0, 0.11 * scaled_sigmoid(3.0), 1e-15);
        assert_eq!(w[179 + 3 * 29 + 1].0, -0.11);
    }

    #[test]
    fn null_detector_scores_zero() {
        let files = corpus();
        let scores: Vec<_> = files.iter().map(|f| vec![0.5; f.timestamps.len()]).collect();
        for profile in &profiles() {
            let score = score_corpus(&files, &scores, profile).unwrap();
            assert_eq!(score.threshold, NO_DETECTION);
            assert_eq!(score.raw, -profile.a_fn * 6.0);
            assert_eq!(score.normalized, 0.0);
        }
    }

    #[test]
    fn perfect_detector_scores_hundred() {
        let files = corpus();
        let scores: Vec<_> = files
            .iter()
            .map(|f| {
                let mut a = vec![0.0; f.timestamps.len()];
                f.windows.iter().for_each(|&(l, _)| a[l] = 1.0);
                a
            })
            .collect();
        for profile in &profiles() {
            let score = score_corpus(&files, &scores, profile).unwrap();
            assert_eq!(score.threshold, 1.0);
            close(score.normalized, 100.0, 1e-9);
            close(score.files.iter().map(|f| f.raw).sum(), score.raw, 1e-12);
            let keys = vec![files[2].key()];
            close(normalize_subset(&score, &files, &keys, profile), 100.0, 1e-9);
            assert!(normalize_subset(&score, &files, &[files[0].key()], profile).is_nan());
        }
    }

    #[test]
    fn ties_pick_the_higher_threshold() {
        let file = synthetic("tie", 100, &[(40, 49)]);
        let mut a = vec![0.1; 100];
        // A later detection in an already detected window changes nothing.
        (a[40], a[44]) = (0.9, 0.6);
        let score = score_corpus(&[file], &[a], &profiles()[0]).unwrap();
        assert_eq!((score.threshold, score.raw), (0.9, 1.0));
    }

    #[test]
    fn per_file_threshold_below_all_scores() {
        // θ* = 0.95 comes from `high`; every scorable row of `low` scores above it.
        let files = vec![synthetic("low", 20, &[(3, 19)]), synthetic("high", 100, &[(40, 49)])];
        let mut high = vec![0.1; 100];
        high[40] = 0.95;
        let score = score_corpus(&files, &[vec![0.97; 20], high], &profiles()[0]).unwrap();
        assert_eq!((score.threshold, score.raw), (0.95, 2.0));
        let low = &score.files[0];
        assert_eq!((low.raw, low.tp, low.fp, low.fn_, low.tn), (1.0, 17, 0, 0, 0));
    }

    #[test]
    fn bad_scores_are_errors() {
        let files = corpus();
        let standard = &profiles()[0];
        let mut scores: Vec<_> = files.iter().map(|f| vec![0.0; f.timestamps.len()]).collect();
        let error = score_corpus(&files, &scores[..3], standard).unwrap_err();
        assert!(matches!(error, NabError::FileCountMismatch { files: 4, scores: 3 }));
        scores[1].pop();
        let error = score_corpus(&files, &scores, standard).unwrap_err();
        assert!(matches!(error, NabError::LengthMismatch { rows: 500, scores: 499, .. }));
        scores[1].push(0.0);
        scores[3][0] = f64::NAN; // probationary rows are not scored
        assert!(score_corpus(&files, &scores, standard).is_ok());
        scores[3][100] = f64::NAN;
        let error = score_corpus(&files, &scores, standard).unwrap_err();
        assert!(matches!(error, NabError::InvalidScore { row: 100, .. }));
        let mut overlapping = files;
        overlapping[1].windows.push((230, 260));
        scores[3][100] = 0.0;
        let error = score_corpus(&overlapping, &scores, standard).unwrap_err();
        assert!(matches!(error, NabError::Window { .. }), "{error}");
    }

    #[test]
    fn datetimes() {
        assert_eq!(parse_datetime("1970-01-01 00:00:00"), Some((0, 0)));
        assert_eq!(parse_datetime("2014-07-01 00:00:00"), Some((1_404_172_800, 0)));
        assert_eq!(parse_datetime("2016-02-29 23:59:59.000000"), Some((1_456_790_399, 0)));
        assert_eq!(parse_datetime("2014-04-10 07:15:00.5"), Some((1_397_114_100, 500_000_000)));
        for bad in [
            "2015-02-29 00:00:00",
            "2014-13-01 00:00:00",
            "2014-07-01 24:00:00",
            "2014-07-01",
            "2014-07-01 00:00:00.",
            "2014-07-01 00:00:0x",
            "2014-07-01 00:00:00é",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        for secs in [0, 951_782_400, 1_404_172_800, 4_107_542_399, -86_400] {
            assert_eq!(parse_datetime(&format_datetime(secs)), Some((secs, 0)));
        }
    }

    /// A NAB folder in the temporary directory with one data file and the given windows JSON.
    fn folder(name: &str, csv: &str, windows: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("nab-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("data/cat")).unwrap();
        fs::create_dir_all(dir.join("labels")).unwrap();
        fs::write(dir.join("data/cat/x.csv"), csv).unwrap();
        fs::write(dir.join("data/README.md"), "not a category").unwrap();
        fs::write(dir.join("labels/combined_windows.json"), windows).unwrap();
        dir
    }

    #[test]
    fn load_and_write_back() {
        let csv = "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2.5\n2014-04-01 00:05:00,3\n2014-04-01 00:10:00,-4e1\n";
        let windows = r#"{"cat/x.csv": [["2014-04-01 00:05:00.000000", "2014-04-01 00:10:00.000000"]]}"#;
        let dir = folder("load", csv, windows);
        let json = r#"{"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}},
            "reward_low_FP_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22, "tnWeight": 1.0}},
            "reward_low_FN_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11, "tnWeight": 1.0}}}"#;
        fs::write(dir.join("profiles.json"), json).unwrap();
        assert_eq!(load_profiles(&dir).unwrap(), profiles());

        let files = load_corpus(&dir).unwrap();
        assert_eq!(files.len(), 1);
        let file = &files[0];
        assert_eq!(file.key(), "cat/x.csv");
        assert_eq!(file.values, [1.0, 2.5, 3.0, -40.0]);
        assert_eq!(file.windows, [(1, 3)]);

        let out = dir.join("scores.csv");
        write_scores_csv(&out, file, &[0.0, 0.25, 1.0, 0.5]).unwrap();
        let written = fs::read_to_string(&out).unwrap();
        assert_eq!(written.lines().nth(1), Some("2014-04-01 00:00:00,1,0"));
        assert_eq!(written.lines().nth(4), Some("2014-04-01 00:10:00,-40,0.5"));
        fs::write(dir.join("data/cat/x.csv"), written).unwrap();
        assert_eq!(&load_corpus(&dir).unwrap()[0], file);
        assert!(write_scores_csv(&out, file, &[0.0]).is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_folders_are_errors() {
        let csv = "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2\n";
        // (data file, windows JSON, expected error variant)
        let cases = [
            (csv, r#"{"cat/x.csv": [["2014-04-01 00:01:00", "2014-04-01 00:05:00"]]}"#, "Window"),
            (csv, r#"{"cat/x.csv": [["2014-04-01 00:05:00", "2014-04-01 00:00:00"]]}"#, "Window"),
            (csv, r#"{"cat/x.csv": [["2014-04-01", "2014-04-01 00:05:00"]]}"#, "Window"),
            (csv, r#"{"cat/y.csv": []}"#, "Unlabelled"),
            (csv, r#"{"cat/x.csv": [], "cat/y.csv": []}"#, "MissingData"),
            (csv, r#"{"cat/x.csv": [[1, 2]]}"#, "Json"),
            ("timestamp,value\n2014-04-01 00:00:00,one\n", r#"{"cat/x.csv": []}"#, "Csv"),
            ("timestamp,value\n2014-04-01 00:00:00,1,2\n", r#"{"cat/x.csv": []}"#, "Csv"),
            ("timestamp,value\n2014-04-01 00:00,1\n", r#"{"cat/x.csv": []}"#, "Csv"),
            ("time,value\n2014-04-01 00:00:00,1\n", r#"{"cat/x.csv": []}"#, "Csv"),
        ];
        for (i, (csv, windows, variant)) in cases.into_iter().enumerate() {
            let dir = folder(&format!("bad{i}"), csv, windows);
            let error = load_corpus(&dir).unwrap_err();
            assert!(format!("{error:?}").starts_with(variant), "case {i}: {error}");
            fs::remove_dir_all(dir).unwrap();
        }
        let missing = Path::new("/nonexistent/nab");
        assert!(matches!(load_corpus(missing), Err(NabError::Io { .. })));
        assert!(matches!(load_profiles(missing), Err(NabError::Io { .. })));
    }
}
