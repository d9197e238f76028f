#!/usr/bin/env bash
# Fuzzes the corridor.v1 operations with cargo-fuzz (libFuzzer, AddressSanitizer, nightly Rust).
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (default 600 s each, every target, two at a time)
# Each target starts from seeds/<target> (working corpus in corpus/<target>, not committed) with
# json.dict; a crash, a call over 10 s or over 2 GB of memory stops it and leaves the input in
# artifacts/<target>/. Prints one line per target and exits non-zero if any target failed.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(ls fuzz_targets | sed 's/\.rs$//')
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz build -O
mkdir -p logs

run_target() {
  local target=$1
  mkdir -p "corpus/$target" "artifacts/$target"
  cp -n "seeds/$target"/* "corpus/$target/"
  if cargo +nightly fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=131072 -dict=json.dict -print_final_stats=1 >"logs/$target.log" 2>&1; then
    echo "$target: ok, $(grep -o 'stat::number_of_executed_units: [0-9]*' "logs/$target.log" | grep -o '[0-9]*$') runs in ${seconds} s, corpus $(ls "corpus/$target" | wc -l)"
  else
    echo "$target: FAILED, see fuzz/logs/$target.log and fuzz/artifacts/$target/"
    return 1
  fi
}

status=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for target in "${targets[@]:i:2}"; do
    run_target "$target" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
done
exit $status
