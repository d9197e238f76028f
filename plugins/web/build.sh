#!/usr/bin/env bash
# Builds corridor_web: pkg/web (ES module for browsers, the demo) and pkg/nodejs (CommonJS for
# Node and jest) with every operation, and pkg/panel (ES module for the Grafana panel) without
# `scale` and `logsAnalyze`, which the panel does not use. Each is cargo, the wasm-bindgen CLI
# (same version as the crate), then npm binaryen's wasm-opt. Prints each module's raw and gzip size.
set -euo pipefail
cd "$(dirname "$0")"

target_dir=${CARGO_TARGET_DIR:-../../target}
[ -x node_modules/.bin/wasm-opt ] || npm ci --no-audit --no-fund --loglevel=error
# The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must keep them.
features=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-reference-types --enable-multivalue)

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
    node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers "${features[@]}" \
      "$out/corridor_web_bg.wasm" -o "$out/corridor_web_bg.wasm"
    echo "$out/corridor_web_bg.wasm: $(stat -c %s "$out/corridor_web_bg.wasm") bytes raw, $(gzip -9 -c "$out/corridor_web_bg.wasm" | wc -c) bytes gzip"
  done
}

build_module -- web:pkg/web nodejs:pkg/nodejs
build_module --no-default-features -- web:pkg/panel
