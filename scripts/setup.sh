#!/usr/bin/env bash
# Installs what Corridor's build and tests need on a fresh Debian machine with rustup.
# Idempotent: run it as often as you like.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; install Rust with rustup (https://rustup.rs) first" >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    rustup component add "${component}"
  fi
done
cargo fetch --locked --quiet
echo "setup: $(cargo --version), $(rustc --version)"
