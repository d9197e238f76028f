//! `corridor.wasm`: the Corridor engine as an Extism plugin.
//!
//! One exported function per `corridor.v1` operation (`detect`, `update`, `baseline`): JSON
//! in, JSON out, errors as `{"error": {...}}` values, never a trap. Streaming state travels in
//! the requests and answers (`state`), so the plugin keeps nothing between calls.

use corridor_core::contract::call_bytes;
use extism_pdk::{plugin_fn, FnResult};

/// `detect`: learn the corridor of a series and find its anomalies.
#[plugin_fn]
pub fn detect(input: Vec<u8>) -> FnResult<String> {
    Ok(call_bytes("detect", &input))
}

/// `update`: score new points against a streaming state.
#[plugin_fn]
pub fn update(input: Vec<u8>) -> FnResult<String> {
    Ok(call_bytes("update", &input))
}

/// `baseline`: the corridor alone.
#[plugin_fn]
pub fn baseline(input: Vec<u8>) -> FnResult<String> {
    Ok(call_bytes("baseline", &input))
}
