//! What every fuzz target checks: an operation of `corridor.v1`, given any bytes, answers with
//! JSON (a response or an `{"error": ...}` value) and never panics, hangs or runs out of memory.

/// Runs operation `op` on `input` through the contract, as the plugin does, and checks the answer
/// is one JSON object.
pub fn check(op: &str, input: &[u8]) {
    let answer = corridor_core::contract::call_bytes(op, input);
    match serde_json::from_str::<serde_json::Value>(&answer) {
        Ok(serde_json::Value::Object(_)) => {}
        _ => panic!("{op} answered something that is not a JSON object: {answer:.300}"),
    }
}
