#!/usr/bin/env bash
# The main job: builds corridor.wasm and the `corridor` command (an Extism host), then runs it
# on the bundled sample series, printing the periods found, every repair made to the input, and
# every anomaly; then builds the browser demo and serves it on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
plugins/extism/build.sh
cargo build --release --locked --quiet -p corridor-cli
target/release/corridor --plugin target/corridor.wasm demo --samples samples

# The browser demo: corridor_web in a static page, served on loopback until Ctrl-C
# (`scripts/demo.sh --no-serve` only builds it; CORRIDOR_DEMO_PORT picks the port).
demo/build.sh
if [ "${1:-}" = "--no-serve" ]; then
  exit 0
fi
port=${CORRIDOR_DEMO_PORT:-8080}
echo "Corridor browser demo: http://127.0.0.1:${port}/ (Ctrl-C to stop)"
exec python3 -m http.server "${port}" --bind 127.0.0.1 --directory demo/site
