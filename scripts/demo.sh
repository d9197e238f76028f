#!/usr/bin/env bash
# The main job: builds corridor.wasm and the `corridor` command (an Extism host), then runs it
# on the bundled sample series, printing the periods found, every repair made to the input, and
# every anomaly.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --release --locked --quiet --target wasm32-unknown-unknown -p corridor-extism
cargo build --release --locked --quiet -p corridor-cli
target/release/corridor --plugin target/wasm32-unknown-unknown/release/corridor_extism.wasm demo --samples samples
