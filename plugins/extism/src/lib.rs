//! `corridor.wasm`: the Corridor engine as an Extism plugin.
//!
//! One exported function per `corridor.v1` operation (`detect`, `update`, `baseline`,
//! `forecast`, `scale`, `logs_analyze`, `scrub`, `restore`, `rules`, `correlate`, `explain`): JSON
//! in, JSON out, errors as
//! `{"error": {...}}` values, never a trap, input that is not UTF-8 included. Streaming state
//! (the detector's, the template miner's) and the scrub mapping travel in the requests and
//! answers, so the plugin keeps nothing between calls. `explain` calls the LLM endpoint the
//! plugin configuration names, if any (see [`llm`]).

mod llm;

use corridor_core::contract::call_bytes;
use extism_pdk::{plugin_fn, FnResult};

/// Exports each named operation as a plugin function that hands its input to the engine.
macro_rules! export_operations {
    ($($op:ident),+) => {$(
        #[doc = concat!("The `", stringify!($op), "` operation of `corridor.v1`.")]
        #[plugin_fn]
        pub fn $op(input: Vec<u8>) -> FnResult<String> {
            Ok(call_bytes(stringify!($op), &input))
        }
    )+};
}

export_operations!(detect, update, baseline, forecast, scale, logs_analyze, scrub, restore, rules, correlate);

/// The `explain` operation of `corridor.v1`, through the configured LLM endpoint when there is one.
#[plugin_fn]
pub fn explain(input: Vec<u8>) -> FnResult<String> {
    Ok(llm::explain(&input))
}
