//! # corridor-core
//!
//! The engine of Corridor: learns the seasonal "corridor of normal" of a metric and flags
//! what leaves it. Pure Rust, no I/O and no WebAssembly dependencies; the Extism plugin and
//! the web module are thin adapters over this crate.
//!
//! - [`series`]: cleaning timestamped points (gaps, NaN, duplicates, disorder).
//! - [`seasonality`]: which periods are present, and when history is too short to tell.
//! - [`model`]: the corridor itself, a robust seasonal model learned online.
//! - [`novelty`]: how rarely the series has been near a value, whatever the corridor says.
//! - [`detect`]: scores, anomaly intervals, level shifts, rate-of-change rule, streaming.
//! - [`forecast`] (over [`smoothing`]): next points with calibrated prediction intervals.
//! - [`scale`]: replica plans from a forecast that scale ahead of load and do not flap.
//! - [`logs`]: line parsing, multi-line events, template mining and the findings that matter.
//! - [`rules`]: the corridor as Prometheus recording and alerting rules.
//! - [`scrub`]: PII and secret removal with reversible, typed placeholders.
//! - [`incident`]: anomalies, log findings and alerts grouped into incidents with ranked root causes.
//! - [`explain`]: the offline rule book, prompts within a budget and structured answers.
//! - [`llm`]: LLM wire formats (OpenAI-compatible and Ollama), pure: requests out, bytes in.
//! - [`ops`] and [`contract`]: the `corridor.v1` operations, typed and as JSON.

#![warn(missing_docs)]

pub mod alert;
pub mod calibrate;
pub mod contract;
mod decode;
pub mod detect;
pub mod error;
pub mod explain;
pub mod forecast;
pub mod incident;
pub mod llm;
pub mod logs;
pub mod model;
pub mod novelty;
mod number;
pub mod ops;
mod order;
pub mod rules;
pub mod scale;
pub mod scrub;
pub mod seasonality;
pub mod series;
pub mod smoothing;
pub mod stats;
pub mod warning;

pub use error::{Error, ErrorCode, Result};
pub use warning::{Warning, WarningCode};
