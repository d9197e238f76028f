#!/usr/bin/env bash
# The main job: builds the engine and runs it on the bundled sample series, printing the
# periods it found, every repair it made to the input, and every anomaly.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo run --release --locked --quiet -p corridor-core --example demo -- samples/*.csv
