//! Edge-triggered alerting over the model's residuals and the series' values: the channels
//! scored beside each point's residual, and the `alert` score a pager would act on.
//!
//! - **Drift channel.** A short exponential average of the (clipped) residuals, over
//!   [`DRIFT_STEPS`] points, normalised to unit variance under white noise and calibrated on its
//!   own history. It catches deviations too modest for any one point but held for a while (a
//!   holiday, a slowly failing sensor).
//! - **Slow-scale channel.** The residual in units of the model's slow noise scale
//!   ([`crate::model::Estimate::z_slow`]), calibrated on its own history: a spike bigger than
//!   the series' earlier spikes, which the point channel may not tell from them after a quiet
//!   stretch has shrunk σ.
//! - **Level channel.** How far the model's level has moved from its slow level
//!   ([`crate::model::Estimate::z_level`]), calibrated on its own history: a change that lasts
//!   hours (a holiday), which the level follows so closely that no residual stands out.
//! - **Value channel.** How rarely the series has been near its current value
//!   ([`crate::novelty`]), as `√(−2 ln rarity)`, calibrated on its own history: a reading
//!   lower than any before, or a level the series has never idled at, even when the corridor
//!   follows it closely. Measured on NAB, it finds two windows no residual channel found (a
//!   temperature below any before, a CPU idling between its floor and its batch peaks).
//! - **History from the warm-up.** Every residual calibrator (the point channel's too) starts
//!   from the model's held-out warm-up residuals ([`Alerting::learn`]), so the first scored
//!   points are judged against this series' own residuals, not against a Gaussian alone: a
//!   blip like the warm-up's blips is not news on the first day. The value channel starts at
//!   the first scored point.
//! - **Episodes.** An episode starts when the score of any channel exceeds [`EPISODE_SCORE`]
//!   and ends when all are below it again. A point *alerts* at the episode's onset and at each
//!   escalation: a score above the episode's last alert, at least [`ESCALATION_GAP`] points
//!   after it, or sooner when it is [`DRASTIC_ESCALATION`] times rarer. Every other point has
//!   alert 0, so the slower channels confirming an event one point after another do not page
//!   again and again.
//!   An episode opening within the cooldown of the last alert does not alert at its onset.

use crate::calibrate::{Calibrator, Placed};
use crate::model::{Estimate, CLIP_SIGMAS};
use crate::novelty::ValueHistogram;
use crate::stats::smoothing_rate;
use serde::{Deserialize, Serialize};

/// A point whose score (from any channel) exceeds this is part of an episode: rarer than three
/// normal points in a hundred. Measured on NAB with the value channel and
/// [`DRASTIC_ESCALATION`], 0.968 to 0.975 score within 0.1 of each other (standard); 0.965
/// loses 1.8, 0.98 0.2 and 0.99 2.5.
pub const EPISODE_SCORE: f64 = 0.97;
/// Points after an alert before an escalation of the same episode alerts. Measured on NAB (with
/// [`DRASTIC_ESCALATION`]), gaps of 2 to 6 points score within 1.0 of each other; no gap
/// scores 4.1 lower.
pub const ESCALATION_GAP: u32 = 4;
/// An escalation whose tail probability is this many times smaller than the last alert's
/// alerts without waiting for [`ESCALATION_GAP`]: one from "rare" to "never seen". Measured
/// on NAB with the value channel, 10⁷ to 10⁹ score within 0.05 of each other (standard),
/// 3·10⁶ 0.1 lower, 10⁵ 0.8 lower.
pub const DRASTIC_ESCALATION: f64 = 1e7;
/// Time constants of the drift channels, in points: short, medium and long.
pub const DRIFT_STEPS: [f64; 3] = [3.0, 12.0, 48.0];

/// One drift channel: an exponential average of clipped residuals, calibrated on its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Drift {
    rate: f64,
    /// `1 / sd` of the average under white noise of unit variance.
    inverse_sd: f64,
    mean: f64,
    calibrator: Calibrator,
}

impl Drift {
    fn new(steps: f64) -> Self {
        let rate = smoothing_rate(steps);
        Self { rate, inverse_sd: ((2.0 - rate) / rate).sqrt(), mean: 0.0, calibrator: Calibrator::default() }
    }

    /// Adds a residual; returns the drift in units of its white-noise standard deviation.
    fn advance(&mut self, z: f64) -> f64 {
        self.mean += self.rate * (z.clamp(-CLIP_SIGMAS, CLIP_SIGMAS) - self.mean);
        self.mean * self.inverse_sd
    }
}

/// Scores of one point from all channels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// The largest of the point, slow-scale, level, drift and value scores.
    pub score: f64,
    /// `score` when the point alerts, else 0.
    pub alert: f64,
}

/// Alerting state; serialisable with the detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alerting {
    cooldown_ms: i64,
    point: Calibrator,
    /// The slow-scale channel; empty in states saved before it existed.
    #[serde(default)]
    slow: Calibrator,
    /// The level channel; empty in states saved before it existed.
    #[serde(default)]
    level: Calibrator,
    drifts: [Drift; DRIFT_STEPS.len()],
    in_episode: bool,
    alerted: f64,
    last_alert_ms: Option<i64>,
    /// Points scored since the last alert; 0 in states saved before it existed.
    #[serde(default)]
    points_since_alert: u32,
    /// The values scored so far; empty in states saved before it existed.
    #[serde(default)]
    values: ValueHistogram,
    /// The value channel; empty in states saved before it existed.
    #[serde(default)]
    novelty: Calibrator,
}

impl Alerting {
    /// Alerting with a cooldown between episode onsets, in ms.
    pub fn new(cooldown_ms: i64) -> Self {
        Self {
            cooldown_ms,
            point: Calibrator::default(),
            slow: Calibrator::default(),
            level: Calibrator::default(),
            drifts: DRIFT_STEPS.map(Drift::new),
            in_episode: false,
            alerted: 0.0,
            last_alert_ms: None,
            points_since_alert: 0,
            values: ValueHistogram::default(),
            novelty: Calibrator::default(),
        }
    }

    /// Scores the value `x` at `t_ms` and the model's estimate of it, then learns them.
    pub fn push(&mut self, t_ms: i64, x: f64, estimate: &Estimate) -> Scores {
        let score = self.score_channels(x, estimate);
        let active = score > EPISODE_SCORE;
        let opens = active && !self.in_episode;
        self.in_episode = active;
        if opens {
            self.alerted = 0.0;
        }
        self.points_since_alert = self.points_since_alert.saturating_add(1);
        let alerts = if opens {
            self.last_alert_ms.is_none_or(|l| t_ms - l >= self.cooldown_ms)
        } else {
            let waited = self.points_since_alert > ESCALATION_GAP;
            let drastic = (1.0 - score) * DRASTIC_ESCALATION <= 1.0 - self.alerted;
            score > self.alerted && (waited || drastic)
        };
        let alert = if active && alerts {
            self.alerted = score;
            self.last_alert_ms = Some(t_ms);
            self.points_since_alert = 0;
            score
        } else {
            0.0
        };
        Scores { score, alert }
    }

    /// Scores every channel and learns from it; returns the largest score. A channel whose bound
    /// ([`Placed::bound`]) does not beat the best score so far is not scored against its
    /// history: the result is exact, and a channel that cannot win skips its histogram walk and
    /// division.
    fn score_channels(&mut self, x: f64, estimate: &Estimate) -> f64 {
        let novelty = Placed::new(rarity_sigmas(self.values.observe(x, estimate.sigma)));
        let mut score = 0.0f64;
        judge(&mut self.novelty, novelty, &mut score);
        for (calibrator, residual) in self.channels(estimate) {
            judge(calibrator, residual, &mut score);
        }
        score
    }

    /// Learns an estimate's residuals without scoring them: the model's held-out warm-up
    /// estimates ([`crate::model::Observation::WarmedUp`]), so that the first scored points are
    /// judged against this series' own residuals and not the Gaussian prior alone.
    pub fn learn(&mut self, estimate: &Estimate) {
        for (calibrator, residual) in self.channels(estimate) {
            calibrator.learn(residual);
        }
    }

    /// Advances the drifts and places each residual channel's residual beside its calibrator.
    fn channels(&mut self, estimate: &Estimate) -> [(&mut Calibrator, Placed); 6] {
        let [short, medium, long] = self.drifts.each_mut().map(|drift| Placed::new(drift.advance(estimate.z)));
        let [short_drift, medium_drift, long_drift] = &mut self.drifts;
        [
            (&mut self.point, Placed::new(estimate.z)),
            (&mut self.slow, Placed::new(estimate.z_slow)),
            (&mut self.level, Placed::new(estimate.z_level)),
            (&mut short_drift.calibrator, short),
            (&mut medium_drift.calibrator, medium),
            (&mut long_drift.calibrator, long),
        ]
    }

    /// Forgets the drift, after the model re-anchored its level.
    pub fn reset_drift(&mut self) {
        for drift in &mut self.drifts {
            drift.mean = 0.0;
        }
    }
}

/// A value's rarity on the calibrators' scale: `√(−2 ln rarity)`, close to the normal quantile
/// of a two-sided tail that rare.
fn rarity_sigmas(rarity: f64) -> f64 {
    (-2.0 * libm::log(rarity)).sqrt()
}

/// Learns a channel's residual; first raises `best` to the residual's score when its bound
/// ([`Placed::bound`]) can beat `best`.
#[inline]
fn judge(calibrator: &mut Calibrator, residual: Placed, best: &mut f64) {
    if residual.bound() > *best {
        *best = best.max(calibrator.score_placed(residual));
    }
    calibrator.learn(residual);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes a point at `t` whose value is its residual `z` (expected 0, σ 1).
    fn push(a: &mut Alerting, t: i64, z: f64, z_slow: f64, z_level: f64) -> Scores {
        a.push(t, z, &Estimate { expected: 0.0, sigma: 1.0, z, z_slow, z_level })
    }

    #[test]
    fn only_onset_and_escalations_alert() {
        let mut a = Alerting::new(0);
        let mut zs = vec![0.1, -0.3, 5.0, 4.0, 9.0, 6.0];
        zs.extend((0..300).map(|i| if i % 2 == 0 { 0.2 } else { -0.2 }));
        zs.push(5.0);
        let fired: Vec<usize> = zs
            .iter()
            .enumerate()
            .filter(|(i, z)| push(&mut a, *i as i64, **z, **z, 0.0).alert > 0.0)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(fired, vec![2, 4, 306]);
    }

    #[test]
    fn escalations_soon_after_an_alert_wait_unless_drastic() {
        let fired = |event: &[f64]| -> Vec<usize> {
            let mut a = Alerting::new(0);
            let quiet = (0..300).map(|i| if i % 2 == 0 { 0.2 } else { -0.2 });
            quiet
                .chain(event.iter().copied())
                .enumerate()
                .filter(|(i, z)| push(&mut a, *i as i64, *z, 0.0, 0.0).alert > 0.0)
                .map(|(i, _)| i)
                .collect()
        };
        // Onset at 5σ; 5.2σ and 5.4σ right after it wait; 5.6σ after the gap alerts.
        assert_eq!(fired(&[5.0, 5.2, 5.4, 4.5, 4.5, 5.6]), vec![300, 305]);
        // 9σ two points after the onset, more than ten million times rarer, alerts at once.
        assert_eq!(fired(&[5.0, 5.2, 9.0]), vec![300, 302]);
    }

    #[test]
    fn a_sustained_modest_deviation_is_caught_by_the_drift() {
        let mut a = Alerting::new(0);
        let mut scores = Vec::new();
        for i in 0..400 {
            let z = if i >= 300 {
                2.0
            } else if i % 2 == 0 {
                0.5
            } else {
                -0.5
            };
            scores.push(push(&mut a, i, z, z, 0.0));
        }
        assert!(scores[..300].iter().all(|s| s.alert == 0.0));
        assert!(scores[300..320].iter().any(|s| s.alert > 0.999), "{:?}", &scores[300..320]);
    }

    #[test]
    fn a_state_saved_before_the_newer_fields_starts_them_empty() {
        let mut a = Alerting::new(0);
        push(&mut a, 0, 1.0, 1.0, 1.0);
        let mut state = serde_json::to_value(&a).unwrap();
        for field in ["slow", "level", "points_since_alert", "values", "novelty"] {
            state.as_object_mut().unwrap().remove(field);
        }
        let old: Alerting = serde_json::from_value(state).unwrap();
        assert_eq!(
            (&old.slow, &old.level, &old.novelty),
            (&Calibrator::default(), &Calibrator::default(), &Calibrator::default())
        );
        assert_eq!(old.values, ValueHistogram::default());
        assert_eq!(old.points_since_alert, 0);
        assert_eq!(old.point, a.point);
    }

    #[test]
    fn the_score_is_the_largest_of_every_channel_scored_in_full() {
        let mut a = Alerting::new(0);
        let mut state = 7u64;
        for i in 0..5000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let z = ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * if i % 97 == 0 { 40.0 } else { 4.0 };
            let (z_slow, z_level) = (z * 0.5, z * 0.25);
            let mut drifts = a.drifts.clone();
            let full = drifts
                .iter_mut()
                .map(|d| {
                    let drift = d.advance(z);
                    d.calibrator.score(drift)
                })
                .fold(a.point.score(z).max(a.slow.score(z_slow)).max(a.level.score(z_level)), f64::max)
                .max(a.novelty.score(rarity_sigmas(a.values.rarity(z))));
            assert_eq!(push(&mut a, i, z, z_slow, z_level).score, full, "point {i}");
        }
    }

    #[test]
    fn a_value_never_seen_alerts_even_when_the_corridor_follows_it() {
        let mut a = Alerting::new(0);
        let sigma = 1.0;
        let pushed = |a: &mut Alerting, t: i64, x: f64, z: f64| {
            a.push(t, x, &Estimate { expected: x - z * sigma, sigma, z, z_slow: z, z_level: 0.0 })
        };
        // Three thousand points that wander between 10 and 20, a residual of ±0.5σ each.
        for i in 0..3000 {
            let z = if i % 2 == 0 { 0.5 } else { -0.5 };
            pushed(&mut a, i, 15.0 + 5.0 * libm::sin(i as f64 / 100.0), z);
        }
        let familiar = pushed(&mut a, 3000, 12.0, 1.0);
        assert!(familiar.score < 0.9, "{familiar:?}");
        let never_seen = pushed(&mut a, 3001, 4.0, 1.0);
        assert!(never_seen.alert > 0.9997, "{never_seen:?}");
    }

    #[test]
    fn cooldown_mutes_a_new_onset() {
        let mut a = Alerting::new(100);
        assert!(push(&mut a, 0, 9.0, 9.0, 0.0).alert > 0.0);
        for t in 1..20 {
            push(&mut a, t, 0.0, 0.0, 0.0);
        }
        assert_eq!(push(&mut a, 20, 9.0, 9.0, 0.0).alert, 0.0);
        assert!(push(&mut a, 21, 12.0, 12.0, 0.0).alert > 0.0, "an escalation still alerts");
    }
}
