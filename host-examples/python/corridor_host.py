"""Runs corridor.wasm from Python through the Extism SDK: detect anomalies in a CSV file.

Usage: python corridor_host.py CORRIDOR_WASM FILE.csv   (columns: timestamp,value)
"""

import csv
import json
import os
import sys
import time

import extism

#: Wall-clock limit of one plugin call.
TIMEOUT_MS = 30_000
#: Memory limit of the plugin, in 64 KiB WebAssembly pages (1 GiB).
MAX_PAGES = 16_384


def load_plugin(wasm_path, config=None, allowed_hosts=None, timeout_ms=TIMEOUT_MS):
    """The Corridor plugin with a timeout and a memory limit; no WASI; no network unless
    `allowed_hosts` names hosts (for the LLM endpoint of `config`)."""
    manifest = {
        "wasm": [{"path": wasm_path}],
        "timeout_ms": timeout_ms,
        "memory": {"max_pages": MAX_PAGES},
        "config": config or {},
        "allowed_hosts": allowed_hosts or [],
    }
    return extism.Plugin(manifest, wasi=False)


def llm_config(url, model, provider="openai"):
    """Plugin configuration for an LLM endpoint; the API key comes from the environment
    (CORRIDOR_LLM_API_KEY), never from a request."""
    config = {"llm_url": url, "llm_model": model, "llm_provider": provider}
    key = os.environ.get("CORRIDOR_LLM_API_KEY")
    if key:
        config["llm_api_key"] = key
    return config


def call(plugin, op, request):
    """Calls one corridor.v1 operation with a request dict and returns the answer dict."""
    return json.loads(plugin.call(op, json.dumps(request).encode()))


def explain(plugin, request, timeout_ms=TIMEOUT_MS):
    """Calls `explain`; when the plugin's HTTP call to the LLM fails below HTTP (refused,
    blocked, timed out), Extism fails the call, and the failure goes back to the plugin as a
    `transport_error` so the rule book answers with the error classified. The Python SDK does
    not say why a call failed: one that ran into the plugin's `timeout_ms` is a timeout."""
    started = time.monotonic()
    try:
        return call(plugin, "explain", request)
    except extism.Error as e:
        elapsed_ms = (time.monotonic() - started) * 1000
        error = f"timeout after {elapsed_ms:.0f} ms" if elapsed_ms >= 0.95 * timeout_ms else str(e)
        return call(plugin, "explain", {**request, "llm_response": {"transport_error": error}})


def read_csv(path):
    """Timestamps and values of a `timestamp,value` CSV file (empty values become null)."""
    timestamps, values = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            timestamps.append(float(row["timestamp"]))
            values.append(float(row["value"]) if row["value"].strip() else None)
    return timestamps, values


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    plugin = load_plugin(argv[1])
    timestamps, values = read_csv(argv[2])
    answer = call(plugin, "detect", {"version": "corridor.v1", "timestamps": timestamps, "values": values})
    if "error" in answer:
        print(f"error {answer['error']['code']}: {answer['error']['message']}", file=sys.stderr)
        return 1
    for warning in answer["warnings"]:
        print(f"warning: {warning['message']}")
    for a in answer["anomalies"]:
        print(f"{a['kind']:<13} {a['direction']:<6} {a['start_ms']}..{a['end_ms']} "
              f"expected {a['expected']:.2f} actual {a['actual']:.2f} {a['severity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
