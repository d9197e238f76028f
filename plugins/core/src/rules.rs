//! Prometheus recording and alerting rules that encode a learned corridor, so detection can
//! also run inside a Prometheus, Thanos or Mimir ruler.
//!
//! The corridor is learned as in [`crate::ops::detect`], then frozen: the period is cut into
//! phase bins (by default the coarsest of 1, 5, 10, 15, 30 minutes or 1, 2, 3 hours that
//! gives at most [`MAX_RULE_BINS`] bins, never finer than the series step), and each bin gets
//! one expected value and one half-width. A bin's half-width is the corridor's
//! (`band_sigmas`·σ) plus half the range the model's expected value spans inside the bin, so
//! the coarse bins never cut into the fine corridor.
//!
//! The rules look a bin up from the evaluation time alone: `floor((time() % P) / W)` is the
//! phase bin, in the same epoch-aligned phase the model uses. The group holds:
//!
//! - `corridor:<name>:expected` and `corridor:<name>:band`: the bin's expected value and
//!   half-width (one `vector(v) and on() (bin == b)` term per bin);
//! - `corridor:<name>:lower` and `corridor:<name>:upper`: the corridor's bounds;
//! - `<Name>AboveCorridor` / `<Name>BelowCorridor` (`severity: warning`) when the query leaves
//!   the corridor, and `<Name>FarAboveCorridor` / `<Name>FarBelowCorridor`
//!   (`severity: critical`) beyond [`CRITICAL_BANDS`] half-widths, each with `for:` (the
//!   request's `min_duration_s`, else five steps and at least a minute) and a summary.
//!
//! The rules hold the level of the end of the history: regenerate them on a schedule (daily,
//! say) so they follow slow changes.

use crate::contract::{DetectRequest, RequestTimeUnit};
use crate::detect::DetectOptions;
use crate::error::{Error, ErrorCode, Result};
use crate::ops;
use crate::warning::Warning;
use serde::{Deserialize, Serialize};

/// Most phase bins in one rule (so that a rule stays a few kilobytes).
pub const MAX_RULE_BINS: i64 = 168;
/// Half-widths from the expected value beyond which alerts are `critical`.
pub const CRITICAL_BANDS: f64 = 2.0;
/// Bin widths tried for the default resolution, in seconds.
const NICE_WIDTHS_S: [i64; 8] = [60, 300, 600, 900, 1800, 3600, 7200, 10800];

/// What the rules are named after and which query they watch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesOptions {
    /// Name of the corridor: letters, digits and `_` (used in record and alert names).
    pub name: String,
    /// The PromQL expression the corridor was learned from (one series).
    pub query: String,
    /// Width of a phase bin in seconds; default: see the module docs.
    #[serde(default)]
    pub resolution_s: Option<f64>,
}

/// `rules`: learn the corridor of a series and write it as Prometheus rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "wire::RulesRequest")]
pub struct RulesRequest {
    /// The series and detection options, as for `detect`.
    #[serde(flatten)]
    pub series: DetectRequest,
    /// Names and query.
    pub rules: RulesOptions,
}

/// [`RulesRequest`] as it is decoded: `rules` and the fields of a [`DetectRequest`] side by
/// side (in the order the flattened form checked them, and under the same name, so errors
/// read as before). Decoding a `#[serde(flatten)]` field buffers the whole request in serde's
/// generic `Content` tree and compiles a second decoder for every type inside it; this plain
/// shape reads the same JSON directly.
mod wire {
    use super::{DetectOptions, RequestTimeUnit, RulesOptions};
    use crate::contract::nullable_values;
    use serde::Deserialize;

    /// The fields of a `rules` request.
    #[derive(Deserialize)]
    pub(super) struct RulesRequest {
        pub rules: RulesOptions,
        pub version: String,
        pub timestamps: Vec<f64>,
        #[serde(deserialize_with = "nullable_values")]
        pub values: Vec<f64>,
        #[serde(default)]
        pub time_unit: RequestTimeUnit,
        #[serde(default)]
        pub options: DetectOptions,
    }
}

impl From<wire::RulesRequest> for RulesRequest {
    fn from(wire: wire::RulesRequest) -> Self {
        let wire::RulesRequest { rules, version, timestamps, values, time_unit, options } = wire;
        Self { series: DetectRequest { version, timestamps, values, time_unit, options }, rules }
    }
}

/// One phase bin of the frozen corridor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RuleBin {
    /// Expected value.
    pub expected: f64,
    /// Half-width of the corridor.
    pub band: f64,
}

/// Answer to `rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesResponse {
    /// [`crate::contract::VERSION`].
    pub version: String,
    /// The period the rules follow, if any.
    pub period_ms: Option<i64>,
    /// Width of a phase bin.
    pub resolution_ms: i64,
    /// `for:` of the alerts.
    pub for_ms: i64,
    /// The frozen corridor, bin by bin from phase 0.
    pub bins: Vec<RuleBin>,
    /// The rule file, for `promtool check rules` and a ruler.
    pub yaml: String,
    /// Warnings of learning the corridor.
    pub warnings: Vec<Warning>,
}

/// Learns the corridor of the request's series and writes it as a Prometheus rule group.
pub fn rules(request: RulesRequest) -> Result<RulesResponse> {
    let name = check_name(&request.rules.name)?;
    if request.rules.query.trim().is_empty() {
        return Err(Error::in_field(ErrorCode::InvalidOption, "rules.query", "the PromQL query is empty"));
    }
    let min_duration_s = request.series.options.min_duration_s;
    let detected = ops::detect(request.series)?;
    let step_ms = detected.step_ms;
    let model = detected.scored.state.model();
    let period_ms = detected.period_ms;
    let resolution_ms = resolution(request.rules.resolution_s, step_ms, period_ms)?;
    let bins = freeze(period_ms.unwrap_or(resolution_ms), resolution_ms, step_ms, model.band_sigmas(), |t| {
        model.corridor_at(t)
    })
    .ok_or_else(|| {
        Error::new(
            ErrorCode::TooFewPoints,
            "the corridor is still warming up (it needs two full cycles of its period): rules need more history",
        )
    })?;
    let for_ms = if min_duration_s > 0.0 { (min_duration_s * 1000.0) as i64 } else { (5 * step_ms).max(60_000) };
    let yaml = write_yaml(&name, &request.rules.query, period_ms, resolution_ms, for_ms, &bins);
    Ok(RulesResponse {
        version: crate::contract::VERSION.into(),
        period_ms,
        resolution_ms,
        for_ms,
        bins,
        yaml,
        warnings: detected.scored.warnings,
    })
}

/// Checks that `name` can go into record and alert names.
fn check_name(name: &str) -> Result<String> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(name.to_string())
    } else {
        Err(Error::in_field(
            ErrorCode::InvalidOption,
            "rules.name",
            format!("{name:?} must start with a letter and hold only letters, digits and _"),
        ))
    }
}

/// The bin width: the requested one, or the coarsest nice width with at most
/// [`MAX_RULE_BINS`] bins per period, never finer than the step.
fn resolution(requested_s: Option<f64>, step_ms: i64, period_ms: Option<i64>) -> Result<i64> {
    let Some(period_ms) = period_ms else { return Ok(step_ms) };
    if let Some(s) = requested_s {
        let ms = (s * 1000.0).round();
        if !(ms >= step_ms as f64 && ms <= period_ms as f64) {
            return Err(Error::in_field(
                ErrorCode::InvalidOption,
                "rules.resolution_s",
                format!("must lie between the step ({} s) and the period ({} s)", step_ms / 1000, period_ms / 1000),
            ));
        }
        let ms = ms as i64;
        if period_ms / ms > crate::model::MAX_BINS {
            return Err(Error::in_field(ErrorCode::InvalidOption, "rules.resolution_s", "too many bins per period"));
        }
        return Ok(ms);
    }
    let fitting = NICE_WIDTHS_S.iter().map(|s| s * 1000).filter(|w| *w >= step_ms && period_ms / w <= MAX_RULE_BINS);
    Ok(fitting.min().unwrap_or(period_ms / MAX_RULE_BINS).max(step_ms))
}

/// Freezes the corridor into bins of `width_ms` over `period_ms`, sampling `corridor_at` (expected
/// value and σ at a phase) every `step_ms`. `None` while the model warms up.
fn freeze(
    period_ms: i64,
    width_ms: i64,
    step_ms: i64,
    band_sigmas: f64,
    corridor_at: impl Fn(i64) -> Option<(f64, f64)>,
) -> Option<Vec<RuleBin>> {
    let bins = (period_ms + width_ms - 1) / width_ms;
    (0..bins)
        .map(|b| {
            let start = b * width_ms;
            let end = (start + width_ms).min(period_ms);
            let (mut lo, mut hi, mut sigma) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
            let mut t = start;
            while t < end {
                let (expected, s) = corridor_at(t)?;
                lo = lo.min(expected);
                hi = hi.max(expected);
                sigma = sigma.max(s);
                t += step_ms;
            }
            Some(RuleBin { expected: (lo + hi) / 2.0, band: band_sigmas * sigma + (hi - lo) / 2.0 })
        })
        .collect()
}

/// A Prometheus duration: whole hours, minutes or seconds.
fn duration(ms: i64) -> String {
    let s = (ms / 1000).max(1);
    if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// A number for PromQL, to seven significant digits.
fn number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let decimals = (6 - libm::log10(x.abs()).floor() as i32).clamp(0, 15) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A PromQL expression giving, per phase bin, the value `pick` takes of it.
fn lookup(period_ms: Option<i64>, width_ms: i64, bins: &[RuleBin], pick: impl Fn(&RuleBin) -> f64) -> String {
    let Some(period_ms) = period_ms else { return format!("vector({})", number(pick(&bins[0]))) };
    let phase = format!("floor(vector((time() % {}) / {}))", period_ms / 1000, number(width_ms as f64 / 1000.0));
    let terms: Vec<String> = bins
        .iter()
        .enumerate()
        .map(|(b, bin)| format!("vector({}) and on() ({phase} == {b})", number(pick(bin))))
        .collect();
    terms.join(" or ")
}

/// A YAML scalar for any text (a JSON string is a valid YAML double-quoted scalar).
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// The rule file.
fn write_yaml(name: &str, query: &str, period_ms: Option<i64>, width_ms: i64, for_ms: i64, bins: &[RuleBin]) -> String {
    let record = |what: &str| format!("corridor:{name}:{what}");
    let title: String =
        name.split('_').filter(|w| !w.is_empty()).map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect();
    let period = period_ms.map_or_else(|| "no period".to_string(), |p| format!("period {}", duration(p)));
    let mut out = format!(
        "# Corridor rules for {name}: {period}, {} bins of {}. Generated by `corridor rules`;\n\
         # regenerate them on a schedule so the corridor follows slow changes.\n\
         groups:\n  - name: {}\n    rules:\n",
        bins.len(),
        duration(width_ms),
        quoted(&format!("corridor-{name}"))
    );
    let records = [
        (record("expected"), lookup(period_ms, width_ms, bins, |b| b.expected)),
        (record("band"), lookup(period_ms, width_ms, bins, |b| b.band)),
        (record("lower"), format!("{} - {}", record("expected"), record("band"))),
        (record("upper"), format!("{} + {}", record("expected"), record("band"))),
    ];
    for (name, expr) in records {
        out.push_str(&format!("      - record: {name}\n        expr: {}\n", quoted(&expr)));
    }
    let far = number(CRITICAL_BANDS);
    let alerts = [
        ("AboveCorridor", ">", record("upper"), "warning", "above"),
        ("BelowCorridor", "<", record("lower"), "warning", "below"),
        (
            "FarAboveCorridor",
            ">",
            format!("({} + {far} * {})", record("expected"), record("band")),
            "critical",
            "far above",
        ),
        (
            "FarBelowCorridor",
            "<",
            format!("({} - {far} * {})", record("expected"), record("band")),
            "critical",
            "far below",
        ),
    ];
    for (alert, op, bound, severity, side) in alerts {
        let expr = format!("({query}) {op} on() group_left() {bound}");
        let summary = format!("{name} is {side} its learned corridor (value {{{{ $value | humanize }}}})");
        out.push_str(&format!(
            "      - alert: {title}{alert}\n        expr: {}\n        for: {}\n        labels:\n          \
             severity: {severity}\n          corridor: {name}\n        annotations:\n          summary: {}\n",
            quoted(&expr),
            duration(for_ms),
            quoted(&summary)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_seven_significant_digits() {
        assert_eq!(number(1234.56789), "1234.568");
        assert_eq!(number(-0.000123456789), "-0.0001234568");
        assert_eq!(number(5.0), "5");
        assert_eq!(number(12345678.9), "12345679");
    }

    #[test]
    fn durations_are_whole_units() {
        assert_eq!(duration(3_600_000), "1h");
        assert_eq!(duration(300_000), "5m");
        assert_eq!(duration(90_000), "90s");
    }

    #[test]
    fn default_resolution_is_the_coarsest_nice_width_within_the_bin_limit() {
        assert_eq!(resolution(None, 60_000, Some(86_400_000)).unwrap(), 600_000);
        assert_eq!(resolution(None, 300_000, Some(604_800_000)).unwrap(), 3_600_000);
        assert_eq!(resolution(None, 60_000, None).unwrap(), 60_000);
        assert!(resolution(Some(1.0), 60_000, Some(86_400_000)).is_err());
    }

    #[test]
    fn a_bin_covers_the_fine_corridor_inside_it() {
        let bins = freeze(4, 2, 1, 3.0, |t| Some((t as f64 * 10.0, 1.0))).unwrap();
        assert_eq!(bins, vec![RuleBin { expected: 5.0, band: 8.0 }, RuleBin { expected: 25.0, band: 8.0 }]);
        assert!(freeze(4, 2, 1, 3.0, |_| None).is_none());
    }

    #[test]
    fn names_must_fit_prometheus() {
        assert!(check_name("api_latency").is_ok());
        assert!(check_name("9lives").is_err());
        assert!(check_name("a-b").is_err());
    }
}
