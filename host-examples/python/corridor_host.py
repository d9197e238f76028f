"""Runs corridor.wasm from Python through the Extism SDK: detect anomalies in a CSV file.

Usage: python corridor_host.py CORRIDOR_WASM FILE.csv   (columns: timestamp,value)
"""

import csv
import json
import sys

import extism

#: Wall-clock limit of one plugin call.
TIMEOUT_MS = 30_000
#: Memory limit of the plugin, in 64 KiB WebAssembly pages (1 GiB).
MAX_PAGES = 16_384


def load_plugin(wasm_path):
    """The Corridor plugin with a timeout and a memory limit; no WASI, no network."""
    manifest = {
        "wasm": [{"path": wasm_path}],
        "timeout_ms": TIMEOUT_MS,
        "memory": {"max_pages": MAX_PAGES},
    }
    return extism.Plugin(manifest, wasi=False)


def call(plugin, op, request):
    """Calls one corridor.v1 operation with a request dict and returns the answer dict."""
    return json.loads(plugin.call(op, json.dumps(request).encode()))


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
