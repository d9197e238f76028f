#!/usr/bin/env bash
# Builds the shipped plugin, TARGET_DIR/corridor.wasm (TARGET_DIR is $CARGO_TARGET_DIR or
# target/): cargo's `wasm-plugin` profile, then scripts/wasm-opt.sh. Prints its raw and gzip size.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
cargo build --profile wasm-plugin --locked --quiet --target wasm32-unknown-unknown -p corridor-extism
cp "$target_dir/wasm32-unknown-unknown/wasm-plugin/corridor_extism.wasm" "$target_dir/corridor.wasm"
scripts/wasm-opt.sh "$target_dir/corridor.wasm"
