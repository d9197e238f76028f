//! Loading `corridor.wasm` with limits, and calling its operations.

use extism::{Manifest, Plugin, Wasm};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Wall-clock limit of one plugin call.
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// Memory limit of the plugin, in 64 KiB WebAssembly pages (2 GiB).
pub const MAX_PAGES: u32 = 32_768;
/// Where a development build leaves the plugin, relative to the repository root.
const DEV_BUILD: &str = "target/wasm32-unknown-unknown/release/corridor_extism.wasm";

/// The plugin file to load: the one given, else `corridor.wasm` beside the executable, else a
/// development build under the current directory.
pub fn locate(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = given {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(format!("{}: no such plugin file", path.display()))
        };
    }
    let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join("corridor.wasm")));
    beside.into_iter().chain([PathBuf::from(DEV_BUILD)]).find(|p| p.is_file()).ok_or_else(|| {
        format!(
            "corridor.wasm not found beside the executable or at {DEV_BUILD}; build it with \
             `cargo build --release --target wasm32-unknown-unknown -p corridor-extism` or pass --plugin"
        )
    })
}

/// The Corridor plugin, loaded with a timeout and a memory limit, no WASI and no network.
pub struct Corridor {
    plugin: Plugin,
}

impl Corridor {
    /// Loads the plugin at `path`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let manifest = Manifest::new([Wasm::file(path)]).with_timeout(TIMEOUT).with_memory_max(MAX_PAGES);
        let plugin = Plugin::new(&manifest, [], false).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self { plugin })
    }

    /// Calls operation `op` with a JSON request; the answer may be an error value.
    pub fn call(&mut self, op: &str, request: &Value) -> Result<Value, String> {
        let input = serde_json::to_vec(request).map_err(|e| e.to_string())?;
        let output: Vec<u8> = self.plugin.call(op, input).map_err(|e| format!("plugin call {op} failed: {e}"))?;
        serde_json::from_slice(&output).map_err(|e| format!("plugin answered {op} with invalid JSON: {e}"))
    }
}
