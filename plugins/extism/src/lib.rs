//! `corridor.wasm`: the Corridor engine as an Extism plugin.
//!
//! One exported function per `corridor.v1` operation (`detect`, `update`, `baseline`,
//! `forecast`, `scale`, `logs_analyze`, `scrub`, `restore`, `rules`, `correlate`, `explain`): JSON
//! in, JSON out, errors as
//! `{"error": {...}}` values, never a trap, input that is not UTF-8 included. Streaming state
//! (the detector's, the template miner's) and the scrub mapping travel in the requests and
//! answers, so the plugin keeps nothing between calls. `explain` calls the LLM endpoint the
//! plugin configuration names, if any (the keys are in the README).
//!
//! The exports are written out rather than made with `extism_pdk::plugin_fn`: an operation
//! always answers with a JSON value, so the macro's error path (which formats an
//! `anyhow::Error` with its backtrace) would only add size.

mod http;
mod llm;

use corridor_core::contract::call_bytes;
use extism_pdk::memory::internal;
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

/// Answers the call's input with `answer` as the call's output.
fn respond(answer: fn(&[u8]) -> String) -> i32 {
    block(answer(&extism_pdk::input_bytes()).as_bytes()).set_output();
    0
}

/// A copy of `bytes` in a new block of the host's memory (`Memory::from_bytes` without its
/// `anyhow::Result`, which never fails for bytes).
fn block(bytes: &[u8]) -> Memory {
    let handle = internal::memory_alloc(bytes.len() as u64);
    internal::store(handle, bytes);
    Memory(handle)
}
