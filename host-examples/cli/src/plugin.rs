//! Loading `corridor.wasm` with limits, and calling its operations.

use extism::{Manifest, Plugin, Wasm};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Wall-clock limit of one plugin call.
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// Memory limit of the plugin, in 64 KiB WebAssembly pages (2 GiB).
pub const MAX_PAGES: u32 = 32_768;
/// Where `plugins/extism/build.sh` leaves the plugin, relative to the repository root.
const DEV_BUILD: &str = "target/corridor.wasm";

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
             `plugins/extism/build.sh` or pass --plugin"
        )
    })
}

/// An LLM endpoint for `explain`. The key comes from the environment only and goes to the
/// plugin's configuration, never into a request, a message or an output.
pub struct Llm {
    /// `openai` (any OpenAI-compatible server) or `ollama` (its native API).
    pub provider: &'static str,
    /// Base URL.
    pub url: String,
    /// Model name.
    pub model: String,
    /// Bearer key, if the endpoint needs one.
    pub api_key: Option<String>,
}

impl Llm {
    /// The endpoint `--llm` names: `openai`, `ollama`, or the base URL of an OpenAI-compatible
    /// server (LM Studio, vLLM, llama.cpp, a gateway); `url` and `model` override the
    /// provider's usual base URL and model.
    pub fn named(name: &str, url: Option<&str>, model: Option<&str>) -> Result<Self, String> {
        let (provider, default_url, default_model) = match name {
            "openai" => ("openai", "https://api.openai.com", "gpt-4o-mini"),
            "ollama" => ("ollama", "http://127.0.0.1:11434", "llama3.2"),
            url if url.starts_with("http://") || url.starts_with("https://") => ("openai", url, "default"),
            other => return Err(format!("--llm {other:?}: give openai, ollama or an http(s) URL")),
        };
        let api_key = ["CORRIDOR_LLM_API_KEY", "OPENAI_API_KEY"].iter().find_map(|v| std::env::var(v).ok());
        Ok(Self {
            provider,
            url: url.unwrap_or(default_url).trim_end_matches('/').to_string(),
            model: model.unwrap_or(default_model).to_string(),
            api_key: api_key.filter(|k| !k.is_empty()),
        })
    }

    /// The host name the plugin may reach.
    fn host(&self) -> Result<String, String> {
        let url = url::Url::parse(&self.url).map_err(|e| format!("--llm {}: {e}", self.url))?;
        url.host_str().map(str::to_string).ok_or_else(|| format!("--llm {}: no host in the URL", self.url))
    }
}

/// The Corridor plugin, loaded with a timeout and a memory limit, no WASI, and network only to
/// the configured LLM endpoint.
pub struct Corridor {
    plugin: Plugin,
}

impl Corridor {
    /// Loads the plugin at `path`, allowed to reach `llm` if given.
    pub fn load(path: &Path, llm: Option<&Llm>) -> Result<Self, String> {
        let mut manifest = Manifest::new([Wasm::file(path)]).with_timeout(TIMEOUT).with_memory_max(MAX_PAGES);
        if let Some(llm) = llm {
            manifest = manifest
                .with_allowed_host(llm.host()?)
                .with_config_key("llm_url", &llm.url)
                .with_config_key("llm_model", &llm.model)
                .with_config_key("llm_provider", llm.provider);
            if let Some(key) = &llm.api_key {
                manifest = manifest.with_config_key("llm_api_key", key);
            }
        }
        let plugin = Plugin::new(&manifest, [], false).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self { plugin })
    }

    /// Calls operation `op` with a JSON request; the answer may be an error value.
    pub fn call(&mut self, op: &str, request: &Value) -> Result<Value, String> {
        self.invoke(op, request).map_err(|e| format!("plugin call {op} failed: {e}"))?
    }

    /// Calls `op`: the call's own failure, or the answer (or why it is not JSON).
    fn invoke(&mut self, op: &str, request: &Value) -> Result<Result<Value, String>, extism::Error> {
        let input = serde_json::to_vec(request)?;
        let output: Vec<u8> = self.plugin.call(op, input)?;
        Ok(serde_json::from_slice(&output).map_err(|e| format!("plugin answered {op} with invalid JSON: {e}")))
    }

    /// Calls `explain`. When the plugin's call to the LLM fails below HTTP (refused, blocked by
    /// `allowed_hosts`, timed out), Extism fails the whole call; the failure then goes back to
    /// the plugin as a `transport_error`, and the rule book answers with the error classified.
    pub fn explain(&mut self, request: &Value) -> Result<Value, String> {
        match self.invoke("explain", request) {
            Ok(answer) => answer,
            Err(error) => {
                let mut retry = request.clone();
                retry["llm_response"] = serde_json::json!({"transport_error": error.root_cause().to_string()});
                self.call("explain", &retry)
            }
        }
    }
}
