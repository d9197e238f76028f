//! One HTTP exchange through the Extism host's `http_request` function.
//!
//! `extism_pdk::http::request` does the same, but its errors are `anyhow::Error`s (whose
//! formatting links in a backtrace printer and a symbol demangler) and it decodes the headers
//! with a second instantiation of serde_json's parser (from bytes, not text): together about
//! 40 KB of `corridor.wasm`. This one reads the headers as text with the parser the engine
//! already has.

use crate::block;
use extism_pdk::{extism, HttpRequest, Memory, MemoryHandle};
use std::collections::BTreeMap;

/// What the host got back for a request.
pub struct Exchange {
    /// HTTP status; 0 when nothing answered.
    pub status: u16,
    /// Response headers (none with hosts that do not pass them on).
    pub headers: BTreeMap<String, String>,
    /// Response body.
    pub body: Vec<u8>,
}

/// Sends `request` with `body` through the host. A transport failure (refused, blocked host,
/// timeout) fails the whole plugin call in the host; the error here is only for headers the
/// host passed in a shape that is not a JSON object of strings.
pub fn request(request: &HttpRequest, body: &str) -> Result<Exchange, serde_json::Error> {
    let request = block(serde_json::to_string(request)?.as_bytes());
    let body = block(body.as_bytes());
    // SAFETY: the offsets are those of the two blocks just allocated; the host owns the answer's.
    let (offset, status, headers) = unsafe {
        let offset = extism::http_request(request.offset(), body.offset());
        (offset, extism::http_status_code(), extism::http_headers())
    };
    // SAFETY: `offset` is the response block the host just returned (0 when there is none).
    let length = unsafe { extism::length_unsafe(offset) };
    let body = Memory(MemoryHandle { offset, length }).to_vec();
    let headers = match Memory::find(headers).filter(|_| headers != 0) {
        Some(block) => {
            let text = String::from_utf8_lossy(&block.to_vec()).into_owned();
            block.free();
            serde_json::from_str(&text)?
        }
        None => BTreeMap::new(),
    };
    Ok(Exchange { status: status as u16, headers, body })
}
