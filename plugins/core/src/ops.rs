//! The operations of the `corridor.v1` contract on typed requests: `detect`, `update`,
//! `baseline`, `forecast`, `scale`, `logs_analyze`, `scrub`, `restore`, `correlate` and `explain`.
//! [`crate::contract::call`] wraps them for JSON.

mod incidents;

pub use incidents::{correlate, explain};

use crate::contract::{
    check_version, BaselineRequest, BaselineResponse, DetectRequest, DetectResponse, ForecastRequest, ForecastResponse,
    LogsAnalyzeRequest, LogsAnalyzeResponse, Points, RequestTimeUnit, RestoreRequest, RestoreResponse, ScaleRequest,
    ScaleResponse, Scored, ScrubRequest, ScrubResponse, UpdateRequest, UpdateResponse, VERSION,
};
use crate::detect::{DetectOptions, Detector, SeasonalityChoice};
use crate::error::{Error, ErrorCode, Result};
use crate::forecast::ForecastOptions;
use crate::logs::analyze::{analyze, Analysis};
use crate::scale::{Demand, ScaleOptions};
use crate::scrub::{self, Scrubber};
use crate::seasonality::{self, Seasonality, DAY_MS, WEEK_MS};
use crate::series::{clean, clean_points, CleanPoints, Series};
use crate::warning::{Warning, WarningCode};

/// Learns the corridor of a series and finds its anomalies; returns the state to stream on.
///
/// ```
/// use corridor_core::contract::{DetectRequest, VERSION};
/// let timestamps: Vec<f64> = (0..200).map(|i| 1_700_000_000.0 + 60.0 * i as f64).collect();
/// let mut values: Vec<f64> = (0..200).map(|i| 10.0 + (i % 5) as f64 * 0.2).collect();
/// values[150] = 40.0;
/// let response = corridor_core::ops::detect(DetectRequest {
///     version: VERSION.into(), timestamps, values, time_unit: Default::default(), options: Default::default(),
/// }).unwrap();
/// assert_eq!(response.scored.anomalies.len(), 1);
/// assert_eq!(response.scored.anomalies[0].start_ms, 1_700_000_000_000 + 150 * 60_000);
/// ```
pub fn detect(request: DetectRequest) -> Result<DetectResponse> {
    check_version(&request.version)?;
    let prepared = prepare(&request.timestamps, &request.values, request.time_unit)?;
    detect_prepared(prepared, &request.options)
}

/// [`detect`] and [`forecast`] of one series with `forecast_options`: the series is cleaned
/// and its seasonality assessed once for both. The answers equal those of the two calls; a
/// failed forecast does not fail the detection.
pub fn detect_and_forecast(
    request: DetectRequest,
    forecast_options: &ForecastOptions,
) -> Result<(DetectResponse, Result<ForecastResponse>)> {
    check_version(&request.version)?;
    let prepared = prepare(&request.timestamps, &request.values, request.time_unit)?;
    let forecast = forecast_prepared(&prepared, forecast_options);
    Ok((detect_prepared(prepared, &request.options)?, forecast))
}

/// A series cleaned and its seasonality assessed, with the warnings of both: the first steps
/// of [`detect`], [`forecast`] and [`scale`].
struct Prepared {
    series: Series,
    seasonality: Seasonality,
    warnings: Vec<Warning>,
}

fn prepare(timestamps: &[f64], values: &[f64], unit: RequestTimeUnit) -> Result<Prepared> {
    let cleaned = clean(timestamps, values, unit.into())?;
    let seasonality = seasonality::detect(&cleaned.series);
    let mut warnings = cleaned.warnings;
    warnings.extend(seasonality.warnings());
    Ok(Prepared { series: cleaned.series, seasonality, warnings })
}

/// The rest of [`detect`] on a prepared series.
fn detect_prepared(prepared: Prepared, options: &DetectOptions) -> Result<DetectResponse> {
    let Prepared { series, seasonality, warnings } = prepared;
    let period_ms = match options.seasonality {
        SeasonalityChoice::Auto => seasonality.primary(),
        SeasonalityChoice::None => None,
        SeasonalityChoice::Daily => Some(DAY_MS),
        SeasonalityChoice::Weekly => Some(WEEK_MS),
    };
    let detector = Detector::new(series.step_ms, period_ms, options)?;
    let points = series.timestamps_ms.iter().copied().zip(series.values);
    let scored = score(detector, points, warnings);
    Ok(DetectResponse { version: VERSION.into(), step_ms: series.step_ms, seasonality, period_ms, scored })
}

/// The rest of [`forecast`] on a prepared series.
fn forecast_prepared(prepared: &Prepared, options: &ForecastOptions) -> Result<ForecastResponse> {
    Ok(ForecastResponse {
        version: VERSION.into(),
        step_ms: prepared.series.step_ms,
        seasonality: prepared.seasonality.clone(),
        forecast: crate::forecast::forecast(&prepared.series, &prepared.seasonality, options)?,
        warnings: prepared.warnings.clone(),
    })
}

/// Scores new points against a state from [`detect`] or an earlier `update`.
///
/// Points at or before the state's last timestamp are dropped with a `stale_points` warning.
/// Scores equal those of one `detect` over all the points with the same period.
pub fn update(request: UpdateRequest) -> Result<UpdateResponse> {
    check_version(&request.version)?;
    let CleanPoints { mut points, mut warnings } =
        clean_points(&request.timestamps, &request.values, request.time_unit.into())?;
    let detector = request.state;
    if let Some(last) = detector.last_ms() {
        let before = points.len();
        points.retain(|p| p.0 > last);
        let stale = before - points.len();
        if stale > 0 {
            warnings.push(Warning::new(
                WarningCode::StalePoints,
                stale,
                format!("{stale} points were at or before the last point already seen and were dropped"),
            ));
        }
    }
    Ok(UpdateResponse { version: VERSION.into(), scored: score(detector, points.into_iter(), warnings) })
}

/// The corridor alone: expected value and bounds for every point, and the seasonality found.
pub fn baseline(request: BaselineRequest) -> Result<BaselineResponse> {
    let detected = detect(request)?;
    Ok(BaselineResponse {
        version: VERSION.into(),
        step_ms: detected.step_ms,
        seasonality: detected.seasonality,
        period_ms: detected.period_ms,
        points: detected.scored.points,
        warnings: detected.scored.warnings,
    })
}

/// Forecasts the next points of a series with prediction intervals; warns when the history is
/// too short for a daily (two days) or weekly (two weeks) pattern.
pub fn forecast(request: ForecastRequest) -> Result<ForecastResponse> {
    check_version(&request.version)?;
    forecast_prepared(&prepare(&request.timestamps, &request.values, request.time_unit)?, &request.options)
}

/// Forecasts the load and plans replicas on the forecast's upper bound at the headroom level.
///
/// A host calls it once per new point, so the count now covers the load up to one lead time or
/// one step ahead, whichever is longer; hosts that re-plan more often use
/// [`crate::scale::plan`] directly.
pub fn scale(request: ScaleRequest) -> Result<ScaleResponse> {
    check_version(&request.version)?;
    request.scale.validate()?;
    let since_change_ms = match request.since_change_s {
        Some(s) if !(s.is_finite() && s >= 0.0) => {
            return Err(Error::in_field(ErrorCode::InvalidOption, "since_change_s", "must be a non-negative number"))
        }
        s => s.map(|s| (s * 1000.0) as i64),
    };
    let mut options = request.forecast;
    let headroom = request.scale.headroom_level;
    if let Some(level) = headroom.filter(|l| !options.levels.contains(l)) {
        options.levels.push(level);
    }
    let Prepared { series, seasonality, warnings } = prepare(&request.timestamps, &request.values, request.time_unit)?;
    let forecast = crate::forecast::forecast(&series, &seasonality, &options)?;
    let demand = headroom
        .and_then(|level| forecast.intervals.iter().find(|i| i.level == level))
        .map_or_else(|| forecast.point.clone(), |i| i.upper.clone());
    let last = series.values.len() - 1;
    let window_ms = (request.scale.stabilization_s * 1000.0) as i64;
    let recent = series.timestamps_ms.partition_point(|&t| t < series.timestamps_ms[last].saturating_sub(window_ms));
    let now = Demand {
        recent_timestamps_ms: &series.timestamps_ms[recent..last],
        recent_load: &series.values[recent..last],
        now_ms: series.timestamps_ms[last],
        now_load: series.values[last],
        timestamps_ms: &forecast.timestamps_ms,
        load: &demand,
    };
    let current = request.current_replicas.unwrap_or(request.scale.min_replicas);
    // The next call comes with the next point: until then the count now must cover it too.
    let step_s = series.step_ms as f64 / 1000.0;
    let policy = ScaleOptions { lead_time_s: request.scale.lead_time_s.max(step_s), ..request.scale };
    let plan = crate::scale::plan(&now, current, since_change_ms, &policy)?;
    Ok(ScaleResponse {
        version: VERSION.into(),
        replicas_now: plan.replicas_now,
        timestamps_ms: forecast.timestamps_ms.clone(),
        replicas: plan.replicas,
        demand: plan.demand,
        changes: plan.changes,
        forecast,
        warnings,
    })
}

/// Analyses a log: events, templates and findings; scrubs the findings when asked.
pub fn logs_analyze(request: LogsAnalyzeRequest) -> Result<LogsAnalyzeResponse> {
    check_version(&request.version)?;
    let mut analysis = analyze(&request.text, request.state, &request.options)?;
    let (mapping, scrubbed) = match request.scrub {
        Some(options) => {
            let mut scrubber = Scrubber::new(options);
            scrub_findings(&mut analysis, &mut scrubber);
            (Some(scrubber.mapping().clone()), Some(scrubber.report().clone()))
        }
        None => (None, None),
    };
    Ok(LogsAnalyzeResponse { version: VERSION.into(), analysis, mapping, scrubbed })
}

/// Replaces private values in every text of the findings and in the templates (a value the
/// miner never saw vary, such as one user's e-mail, stays in its template). The `state` keeps
/// the raw templates: it stays with the host.
fn scrub_findings(analysis: &mut Analysis, scrubber: &mut Scrubber) {
    for t in &mut analysis.templates {
        t.template = scrubber.scrub(&t.template);
    }
    for f in &mut analysis.findings {
        f.template = scrubber.scrub(&f.template);
        f.event = scrubber.scrub(&f.event);
        for p in &mut f.parameters {
            *p = scrubber.scrub(p);
        }
        for c in f.before.iter_mut().chain(f.after.iter_mut()) {
            c.text = scrubber.scrub(&c.text);
        }
    }
}

/// Removes private values from a text, going on from the request's mapping.
pub fn scrub(request: ScrubRequest) -> Result<ScrubResponse> {
    check_version(&request.version)?;
    let mut scrubber = Scrubber::with_mapping(request.options, request.mapping);
    let text = scrubber.scrub(&request.text);
    Ok(ScrubResponse {
        version: VERSION.into(),
        text,
        mapping: scrubber.mapping().clone(),
        report: scrubber.report().clone(),
    })
}

/// Puts the real values back in place of the placeholders.
pub fn restore(request: RestoreRequest) -> Result<RestoreResponse> {
    check_version(&request.version)?;
    Ok(RestoreResponse { version: VERSION.into(), text: scrub::restore(&request.text, &request.mapping) })
}

/// Feeds points through the detector, collecting per-point results and every anomaly, and
/// adds a warning for the points spent warming up.
fn score(mut detector: Detector, points: impl Iterator<Item = (i64, f64)>, mut warnings: Vec<Warning>) -> Scored {
    let mut out = Points::with_capacity(points.size_hint().0);
    let mut anomalies = Vec::new();
    for (t, x) in points {
        let p = detector.push(t, x, &mut anomalies);
        out.timestamps_ms.push(t);
        out.values.push(x);
        out.expected.push(p.expected);
        out.lower.push(p.lower);
        out.upper.push(p.upper);
        out.score.push(p.score);
    }
    detector.ongoing(&mut anomalies);
    crate::order::sort_by_key(&mut anomalies, |a| (a.start_ms, a.end_ms));
    let warming = out.expected.iter().filter(|e| e.is_none()).count();
    if warming > 0 {
        warnings.push(Warning::new(
            WarningCode::WarmingUp,
            warming,
            format!("{warming} points were used to learn the first cycles and have no corridor or score yet"),
        ));
    }
    Scored { points: out, anomalies, warnings, state: detector }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(values: Vec<f64>) -> DetectRequest {
        let timestamps = (0..values.len()).map(|i| 1_700_000_000.0 + 300.0 * i as f64).collect();
        DetectRequest {
            version: VERSION.into(),
            timestamps,
            values,
            time_unit: Default::default(),
            options: Default::default(),
        }
    }

    #[test]
    fn detect_and_forecast_answer_as_the_two_calls() {
        let values: Vec<f64> =
            (0..3 * 288).map(|i| 50.0 + 20.0 * libm::sin(i as f64 / 288.0 * std::f64::consts::TAU)).collect();
        let options = ForecastOptions { horizon: 24, ..Default::default() };
        let (detected, forecast) = detect_and_forecast(request(values.clone()), &options).unwrap();
        assert_eq!(detected, detect(request(values.clone())).unwrap());
        let alone = ForecastRequest {
            version: VERSION.into(),
            timestamps: request(vec![0.0; values.len()]).timestamps,
            values,
            time_unit: Default::default(),
            options,
        };
        assert_eq!(forecast.unwrap(), super::forecast(alone).unwrap());
    }

    #[test]
    fn a_failed_forecast_leaves_the_detection() {
        let bad = ForecastOptions { horizon: 0, ..Default::default() };
        let (detected, forecast) = detect_and_forecast(request(vec![1.0, 2.0, 3.0, 2.0, 1.0]), &bad).unwrap();
        assert_eq!(detected.scored.points.values.len(), 5);
        assert_eq!(forecast.unwrap_err().code, ErrorCode::InvalidOption);
    }
}
