//! Reading series from CSV files.

use serde_json::{json, Value};
use std::path::Path;

/// Reads `timestamp,value` rows (a header line is skipped; timestamps in Unix seconds or
/// milliseconds; an empty value is a missing point) into `timestamps` and `values` arrays.
pub fn read_series(path: &Path) -> Result<(Value, Value), String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let (Some(t), Some(v)) = (record.get(0), record.get(1)) else {
            return Err(format!("{}:{line}: expected two columns, timestamp and value", path.display()));
        };
        let t: f64 = t.parse().map_err(|_| format!("{}:{line}: timestamp {t:?} is not a number", path.display()))?;
        let v = if v.is_empty() {
            Value::Null
        } else {
            json!(v.parse::<f64>().map_err(|_| format!("{}:{line}: value {v:?} is not a number", path.display()))?)
        };
        timestamps.push(json!(t));
        values.push(v);
    }
    Ok((Value::Array(timestamps), Value::Array(values)))
}
