#!/usr/bin/env bash
# Builds corridor_web: pkg/web (ES module for browsers, the demo) and pkg/nodejs (CommonJS for
# Node and jest) with every operation, and pkg/panel (ES module for the Grafana panel) without
# `scale` and `logsAnalyze`, which the panel does not use. Each is cargo, the wasm-bindgen CLI
# (same version as the crate), then scripts/wasm-opt.sh. Prints each module's raw and gzip size.
set -euo pipefail
cd "$(dirname "$0")"

target_dir=${CARGO_TARGET_DIR:-../../target}

# build_module CARGO_FEATURE_ARGS -- TARGET:OUT_DIR...
build_module() {
  local cargo_args=()
  while [ "$1" != "--" ]; do cargo_args+=("$1"); shift; done
  shift
  cargo build --profile wasm-web --locked --quiet --target wasm32-unknown-unknown -p corridor-web "${cargo_args[@]}"
  local raw=$target_dir/wasm32-unknown-unknown/wasm-web/corridor_web.wasm
  for spec in "$@"; do
    local kind=${spec%%:*} out=${spec#*:}
    rm -rf "$out"
    wasm-bindgen --target "$kind" --out-dir "$out" "$raw"
    ../../scripts/wasm-opt.sh "$out/corridor_web_bg.wasm"
  done
}

build_module -- web:pkg/web nodejs:pkg/nodejs
build_module --no-default-features -- web:pkg/panel
