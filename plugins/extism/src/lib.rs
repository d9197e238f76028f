//! `corridor.wasm`: the Corridor engine as an Extism plugin.
//!
//! One exported function per `corridor.v1` operation (`detect`, `update`, `baseline`,
//! `forecast`, `scale`, `logs_analyze`, `scrub`, `restore`, `rules`, `correlate`, `explain`): JSON
//! in, JSON out, errors as
//! `{"error": {...}}` values, never a trap, input that is not UTF-8 included. Streaming state
//! (the detector's, the template miner's) and the scrub mapping travel in the requests and
//! answers, so the plugin keeps nothing between calls. `explain` calls the LLM endpoint the
//! plugin configuration names, if any (see [`llm`]).
//!
//! The exports are written out rather than made with `extism_pdk::plugin_fn`: an operation
//! always answers with a JSON value, so the macro's error path (which formats an
//! `anyhow::Error` with its backtrace) would only add size.

mod llm;

use corridor_core::contract::call_bytes;
use extism_pdk::Memory;

/// Exports each named operation as a plugin function that hands its input to the engine.
macro_rules! export_operations {
    ($($op:ident),+) => {$(
        #[doc = concat!("The `", stringify!($op), "` operation of `corridor.v1`.")]
        #[no_mangle]
        pub extern "C" fn $op() -> i32 {
            respond(|input| call_bytes(stringify!($op), input))
        }
    )+};
}

export_operations!(detect, update, baseline, forecast, scale, logs_analyze, scrub, restore, rules, correlate);

/// The `explain` operation of `corridor.v1`, through the configured LLM endpoint when there is one.
#[no_mangle]
pub extern "C" fn explain() -> i32 {
    respond(llm::explain)
}

/// Answers the call's input with `answer` as the call's output; the status the host sees is
/// 0, or -1 when the host could not take the output.
fn respond(answer: fn(&[u8]) -> String) -> i32 {
    match Memory::from_bytes(answer(&extism_pdk::input_bytes())) {
        Ok(output) => {
            output.set_output();
            0
        }
        Err(_) => -1,
    }
}
