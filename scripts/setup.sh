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
# Prometheus and promtool (Debian package) for the KEDA scaler's tests and benchmark.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq prometheus >/dev/null
fi
# The Python Extism host (a wheel with the native runtime; nothing is compiled).
if ! python3 -c 'import extism' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "extism==${EXTISM_PY_VERSION:-1.1.1}"
fi
# The Node Extism host, from its lock file.
if [ ! -d host-examples/node/node_modules/@extism/extism ]; then
  (cd host-examples/node && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: $(cargo --version), $(rustc --version), python extism $(python3 -c 'import importlib.metadata as m; print(m.version("extism"))')"
