//! Incidents: related anomalies, log findings and alerts grouped into one incident, with a
//! timeline and ranked root-cause candidates.
//!
//! **Signals** come from [`crate::detect`] anomalies, [`crate::logs`] findings and Prometheus
//! Alertmanager webhook payloads as they are ([`signal`]). A signal's service is its
//! `service` label, else `app`, `job`, `container`, `pod` or `instance`.
//!
//! **Grouping** ([`group`]): signals are taken in time order; one joins the open incident it is
//! related to when it starts within `window_s` of that incident's last signal. Related means
//! a shared `service`, `pod` or `instance` value, services linked in the dependency graph (in
//! either direction, any depth), or a shared `namespace` or `job` when the signal starts
//! within a third of the window. A signal with no labels joins the latest incident in its
//! window. Otherwise it opens a new incident. Incidents with no signal for `close_after_s`
//! close. The [`Correlator`] is serialisable: feed it signals in batches.
//!
//! **Root causes** ([`rank`]): every service of an incident is a candidate, scored by
//! earliest onset (0.35), being upstream in the dependency graph (0.3), error logs at that
//! service (0.2) and the strongest deviation (0.15), with the evidence for each.

pub mod group;
pub mod rank;
pub mod signal;

pub use group::{CorrelateOptions, Correlator, DependencyGraph, Incident, IncidentStatus};
pub use rank::Candidate;
pub use signal::{Signal, SignalKind};
