#!/usr/bin/env bash
# Runs every test of Corridor: formatting, lints, unit, integration and doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "== format"
cargo fmt --all --check
echo "== lints"
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings
echo "== tests"
cargo test --workspace --locked
