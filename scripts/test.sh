#!/usr/bin/env bash
# Runs every test of Corridor: formatting, lints, unit, integration and doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# A clean CI build gains nothing from incremental caches; they only take disk.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL=0
fi
echo "== format"
cargo fmt --all --check
echo "== lints"
cargo clippy --workspace --all-targets --all-features --locked --quiet -- -D warnings
echo "== corridor.wasm through the Python Extism host"
plugins/extism/build.sh
CORRIDOR_REAL_LLM=1 python3 -m unittest discover -s host-examples/python -v
echo "== corridor.wasm through the Node Extism host"
node --test host-examples/node/
echo "== corridor_web, the Grafana panel and the demo: build, Node tests, lint, types, jest, headless Chromium"
(cd grafana-panel && npm run build)
demo/build.sh
(cd plugins/web && npm test)
(cd grafana-panel && npm run lint && npm run typecheck && npm run test:ci && npm run test:browser)
echo "== tests"
cargo test --workspace --locked
echo "== done: the target folder holds $(du -sh "${CARGO_TARGET_DIR:-target}" | cut -f1), $(df -h --output=avail . | tail -1 | tr -d ' ') free"
