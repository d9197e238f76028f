#!/usr/bin/env bash
# Shrinks a wasm module in place with binaryen's wasm-opt (npm `binaryen`, pinned in
# plugins/web/package.json; Debian's older wasm-opt breaks externref tables): -Oz repeated until it
# gains nothing (--converge: about 1.5 KB more off corridor.wasm for 20 s more), the debug info,
# producers and target-features sections stripped (no host reads them), keeping the features rustc
# enables for wasm32-unknown-unknown.
# Usage: scripts/wasm-opt.sh MODULE.wasm
set -euo pipefail
module=$1
web=$(cd "$(dirname "$0")/../plugins/web" && pwd)
[ -x "$web/node_modules/.bin/wasm-opt" ] || (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
"$web/node_modules/.bin/wasm-opt" -Oz --converge --strip-debug --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
  --enable-reference-types --enable-multivalue "$module" -o "$module"
echo "$module: $(stat -c %s "$module") bytes raw, $(gzip -9 -c "$module" | wc -c) bytes gzip"
