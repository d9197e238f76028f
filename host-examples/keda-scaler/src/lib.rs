//! A KEDA External Scaler that serves Corridor's load forecast: it reads each ScaledObject's load
//! history from Prometheus, forecasts it with `corridor.wasm` through Extism, and answers KEDA's
//! gRPC calls from a cache refreshed in the background.

pub mod config;
pub mod engine;
pub mod http;
pub mod prometheus;
pub mod registry;
pub mod service;
pub mod telemetry;
