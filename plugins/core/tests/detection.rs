//! Detection on synthetic series with planted anomalies: the exact intervals found.

mod common;

use common::*;
use corridor_core::contract::{DetectRequest, DetectResponse, VERSION};
use corridor_core::detect::{AnomalyKind, DetectOptions, Detector, Direction, RateRule};
use corridor_core::ops::detect;
use corridor_core::seasonality::{PeriodStatus, WEEK_MS};

fn run(ts: &[i64], values: Vec<f64>, options: DetectOptions) -> DetectResponse {
    detect(DetectRequest {
        version: VERSION.into(),
        timestamps: as_f64(ts),
        values,
        time_unit: Default::default(),
        options,
    })
    .expect("valid request")
}

fn found(r: &DetectResponse) -> Vec<(AnomalyKind, Direction, i64, i64)> {
    r.scored.anomalies.iter().map(|a| (a.kind, a.direction, a.start_ms / 1000, a.end_ms / 1000)).collect()
}

#[test]
fn planted_anomalies_are_found_exactly_and_the_monday_batch_is_normal() {
    let ts = timestamps(21);
    let day3_week3 = MONDAY + 16 * DAY_S; // Wednesday of week 3
    let spike_at = day3_week3 + 14 * 3600;
    let dip_at = day3_week3 + DAY_S + 3 * 3600; // Thursday 03:00
    let sunday_batch = MONDAY + 20 * DAY_S + 3 * 3600; // Sunday 03:00, week 3
    let values: Vec<f64> = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let mut v = normal_load(t, i);
            if (spike_at..spike_at + 900).contains(&t) {
                v += 80.0;
            }
            if (dip_at..dip_at + 600).contains(&t) {
                v -= 60.0;
            }
            if (sunday_batch..sunday_batch + 1800).contains(&t) {
                v += 60.0;
            }
            v
        })
        .collect();
    let r = run(&ts, values, DetectOptions::default());
    assert_eq!(r.period_ms, Some(WEEK_MS));
    assert_eq!(r.seasonality.periods[1].status, PeriodStatus::Detected);
    assert_eq!(
        found(&r),
        vec![
            (AnomalyKind::Excursion, Direction::Above, spike_at, spike_at + 600),
            (AnomalyKind::Excursion, Direction::Below, dip_at, dip_at + 300),
            (AnomalyKind::Excursion, Direction::Above, sunday_batch, sunday_batch + 1500),
        ]
    );
}

#[test]
fn a_slow_trend_is_not_an_anomaly() {
    let ts = timestamps(21);
    let values = ts.iter().enumerate().map(|(i, &t)| normal_load(t, i) + 0.01 * i as f64).collect();
    let r = run(&ts, values, DetectOptions::default());
    assert_eq!(found(&r), vec![]);
    let last = r.scored.points.expected.last().unwrap().unwrap();
    let truth = normal_load(*ts.last().unwrap(), 0) + 0.01 * (ts.len() - 1) as f64;
    assert!((last - truth).abs() < 10.0, "expected {last} vs trend-following {truth}");
}

#[test]
fn a_persistent_step_is_one_level_shift_and_the_corridor_follows() {
    let ts = timestamps(21);
    let step_at = MONDAY + 17 * DAY_S + 12 * 3600;
    let values =
        ts.iter().enumerate().map(|(i, &t)| normal_load(t, i) + if t >= step_at { 50.0 } else { 0.0 }).collect();
    let r = run(&ts, values, DetectOptions::default());
    let shifts: Vec<_> = r.scored.anomalies.iter().filter(|a| a.kind == AnomalyKind::LevelShift).collect();
    assert_eq!(shifts.len(), 1, "{:?}", r.scored.anomalies);
    assert_eq!((shifts[0].direction, shifts[0].start_ms / 1000), (Direction::Above, step_at));
    assert!((shifts[0].actual - shifts[0].expected - 50.0).abs() < 5.0, "{:?}", shifts[0]);
    assert_eq!(found(&r).len(), 1, "nothing but the shift: {:?}", r.scored.anomalies);
    let after = ts.iter().position(|&t| t >= step_at + DAY_S).unwrap();
    assert!(r.scored.points.score[after..].iter().all(|s| *s < 0.9999), "the corridor moved with the level");
}

fn with_spike(ts: &[i64], at: i64, len_s: i64, size: f64) -> Vec<f64> {
    ts.iter()
        .enumerate()
        .map(|(i, &t)| normal_load(t, i) + if (at..at + len_s).contains(&t) { size } else { 0.0 })
        .collect()
}

#[test]
fn min_duration_drops_short_excursions_like_prometheus_for() {
    let ts = timestamps(15);
    let at = MONDAY + 14 * DAY_S + 15 * 3600;
    let values = with_spike(&ts, at, 900, 90.0);
    let short = DetectOptions { min_duration_s: 900.0, ..Default::default() };
    assert_eq!(found(&run(&ts, values.clone(), short)), vec![]);
    let enough = DetectOptions { min_duration_s: 600.0, ..Default::default() };
    assert_eq!(found(&run(&ts, values, enough)), vec![(AnomalyKind::Excursion, Direction::Above, at, at + 600)]);
}

#[test]
fn rate_of_change_needs_both_the_slope_and_the_level() {
    let ts = timestamps(15);
    let at = MONDAY + 14 * DAY_S + 15 * 3600;
    let ramp: Vec<f64> = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| normal_load(t, i) + if t >= at { ((t - at) as f64 * 0.1).min(200.0) } else { 0.0 })
        .collect();
    let rule = |min_value| RateRule { window_s: 600.0, min_slope_per_s: 0.08, min_value: Some(min_value) };
    let roc = |r: &DetectResponse| -> Vec<(i64, i64)> {
        r.scored
            .anomalies
            .iter()
            .filter(|a| a.kind == AnomalyKind::RateOfChange)
            .map(|a| (a.start_ms / 1000, a.end_ms / 1000))
            .collect()
    };
    let significant = run(&ts, ramp.clone(), DetectOptions { rate_of_change: Some(rule(200.0)), ..Default::default() });
    assert_eq!(roc(&significant), vec![(at + 900, at + 2100)]);
    let too_low = run(&ts, ramp, DetectOptions { rate_of_change: Some(rule(1e6)), ..Default::default() });
    assert_eq!(roc(&too_low), vec![]);
}

/// A host that alternates between busy and idle stretches of 1,500 minutes, blips by 0.9 twice
/// in each idle one, then spikes by `spike` in the next idle stretch: the alert scores of the
/// last blip and of the spike. In the idle stretches the model's σ sinks to its floor, so the
/// blips and the spike are all thousands of σ.
fn idle_host_alerts(spike: f64) -> (f64, f64) {
    const STRETCH: usize = 1500;
    let mut detector = Detector::new(60_000, None, &DetectOptions::default()).unwrap();
    let mut anomalies = Vec::new();
    let mut push = |i: usize, x: f64| detector.push(i as i64 * 60_000, x, &mut anomalies).alert;
    let idle = |i: usize| (i / STRETCH) % 2 == 1;
    let normal = |i: usize| 1.0 + if idle(i) { 0.00004 } else { 0.2 } * noise(i);
    let spike_at = 17 * STRETCH + 1200;
    let mut last_blip = 0.0;
    for i in 0..spike_at {
        let blip = idle(i) && [1100, 1300].contains(&(i % STRETCH));
        let alert = push(i, normal(i) + if blip { 0.9 } else { 0.0 });
        if blip {
            last_blip = alert;
        }
    }
    (last_blip, push(spike_at, normal(spike_at) + spike))
}

#[test]
fn a_spike_larger_than_every_earlier_one_alerts_after_a_quiet_stretch() {
    let (blip, spike) = idle_host_alerts(3.0);
    assert!(spike > 0.9999 && spike > blip, "blip {blip}, spike {spike}");
    let (_, like_the_blips) = idle_host_alerts(0.9);
    assert!(like_the_blips < 0.9999, "a spike like the earlier blips: {like_the_blips}");
}

/// The largest score and alert of the holiday in [`holiday_alerts`].
#[derive(Debug)]
struct Holiday {
    score: f64,
    alert: f64,
}

/// The largest alert of a half-hourly daily series over normal days 20 to 34, and the largest
/// score and alert over day 35, a holiday whose load is `holiday_share` of normal all day.
/// Every seven hours a burst of three points (+10σ) teaches the point and drift channels that
/// short excursions are normal.
fn holiday_alerts(holiday_share: f64) -> (f64, Holiday) {
    const STEP_MS: i64 = 1_800_000;
    const PER_DAY: usize = 48;
    let mut detector = Detector::new(STEP_MS, Some(DAY_S * 1000), &DetectOptions::default()).unwrap();
    let mut anomalies = Vec::new();
    let mut normal = 0.0f64;
    let mut holiday = Holiday { score: 0.0, alert: 0.0 };
    for i in 0..36 * PER_DAY {
        let day = i / PER_DAY;
        let phase = (i % PER_DAY) as f64 / PER_DAY as f64;
        let burst = if i % 14 < 3 { 12.0 } else { 0.0 };
        let load = 100.0 - 30.0 * libm::cos(phase * std::f64::consts::TAU) + 4.0 * noise(i) + burst;
        let x = if day == 35 { load * holiday_share } else { load };
        let point = detector.push(i as i64 * STEP_MS, x, &mut anomalies);
        match day {
            20..35 => normal = normal.max(point.alert),
            35 => (holiday.score, holiday.alert) = (holiday.score.max(point.score), holiday.alert.max(point.alert)),
            _ => {}
        }
    }
    (normal, holiday)
}

#[test]
fn a_day_long_drop_that_the_level_follows_still_alerts() {
    // 3 % is 2.5σ of the noise: the level follows it within hours, so no point stands out.
    // Its score passes 0.9999, and it alerts above every normal day.
    let (normal, holiday) = holiday_alerts(0.97);
    assert!(holiday.score > 0.9999 && holiday.alert > normal, "normal days {normal}, holiday {holiday:?}");
}

/// A daily five-minute series (noise σ ≈ 0.3) with a blip of +8 every 50 points, in the warm-up too
/// when `blips_in_warm_up`: the score of the first blip after the two-day warm-up.
fn first_blip_after_warm_up(blips_in_warm_up: bool) -> f64 {
    const DAY: usize = 288;
    let mut detector = Detector::new(300_000, Some(86_400_000), &DetectOptions::default()).unwrap();
    let mut anomalies = Vec::new();
    let mut score = 0.0;
    for i in 0..2 * DAY + 60 {
        let daily = 100.0 + 30.0 * libm::sin(i as f64 / DAY as f64 * std::f64::consts::TAU);
        let blip = i % 50 == 25 && (blips_in_warm_up || i >= 2 * DAY);
        score =
            detector.push(i as i64 * 300_000, daily + noise(i) + if blip { 8.0 } else { 0.0 }, &mut anomalies).score;
        if blip && i >= 2 * DAY {
            break;
        }
    }
    score
}

#[test]
fn the_first_scored_points_are_judged_against_the_series_own_held_out_warm_up() {
    // The warm-up's second day, predicted from its first, showed blips like this one: not news.
    let seen = first_blip_after_warm_up(true);
    assert!(seen < 0.999, "a blip like the warm-up's: {seen}");
    // Without blips in the warm-up, the same blip is rarer than anything this series has shown.
    let new = first_blip_after_warm_up(false);
    assert!(new > 0.999_999, "a blip never seen before: {new}");
}
