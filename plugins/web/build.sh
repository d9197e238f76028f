#!/usr/bin/env bash
# Builds corridor_web into pkg/web (ES module for browsers and the Grafana panel) and pkg/nodejs
# (CommonJS for Node and jest): cargo, the wasm-bindgen CLI (same version as the crate), then
# npm binaryen's wasm-opt. Prints the raw and gzip size of the optimised module.
set -euo pipefail
cd "$(dirname "$0")"

target_dir=${CARGO_TARGET_DIR:-../../target}
cargo build --profile wasm-web --locked --quiet --target wasm32-unknown-unknown -p corridor-web
[ -x node_modules/.bin/wasm-opt ] || npm ci --no-audit --no-fund --loglevel=error
raw=$target_dir/wasm32-unknown-unknown/wasm-web/corridor_web.wasm
# The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must keep them.
features=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-reference-types --enable-multivalue)
for kind in web nodejs; do
  out=pkg/$kind
  rm -rf "$out"
  wasm-bindgen --target "$kind" --out-dir "$out" "$raw"
  node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers "${features[@]}" \
    "$out/corridor_web_bg.wasm" -o "$out/corridor_web_bg.wasm"
done
size=$(stat -c %s pkg/web/corridor_web_bg.wasm)
gzip_size=$(gzip -9 -c pkg/web/corridor_web_bg.wasm | wc -c)
echo "corridor_web_bg.wasm: $size bytes raw, $gzip_size bytes gzip"
