//! # corridor-core
//!
//! The engine of Corridor: learns the seasonal "corridor of normal" of a metric and flags
//! what leaves it. Pure Rust, no I/O and no WebAssembly dependencies; the Extism plugin and
//! the web module are thin adapters over this crate.
//!
//! - [`series`]: cleaning timestamped points (gaps, NaN, duplicates, disorder).
//! - [`seasonality`]: which periods are present, and when history is too short to tell.

pub mod error;
pub mod seasonality;
pub mod series;
pub mod warning;

pub use error::{Error, ErrorCode, Result};
pub use warning::{Warning, WarningCode};
