"""corridor.wasm through the real Python Extism host: the contract examples, streaming, bad input."""

import json
import os
import pathlib
import subprocess
import sys
import unittest

import corridor_host

ROOT = pathlib.Path(__file__).resolve().parents[2]
WASM = os.environ.get("CORRIDOR_WASM", str(ROOT / "target/corridor.wasm"))
EXAMPLES = ROOT / "tests/contract"


def series(n, spike_at=None):
    timestamps = [1_700_000_000 + 60 * i for i in range(n)]
    values = [10.0 + (0.3, -0.2, 0.1)[i % 3] for i in range(n)]
    if spike_at is not None:
        values[spike_at] = 40.0
    return timestamps, values


class PluginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.plugin = corridor_host.load_plugin(WASM)

    def test_every_contract_example_gives_its_answer(self):
        requests = sorted(EXAMPLES.glob("*.request.json"))
        self.assertGreaterEqual(len(requests), 2)
        for path in requests:
            stem = path.name.removesuffix(".request.json")
            op = stem.split("-")[0]
            answer = json.loads(self.plugin.call(op, path.read_bytes()))
            expected = json.loads((EXAMPLES / f"{stem}.response.json").read_text())
            self.assertEqual(answer, expected, stem)

    def test_the_plugin_fits_its_size_budget(self):
        # Issue 6: at most 600 KB, read as KiB (614,400 bytes), the file plugins/extism/build.sh writes.
        self.assertLessEqual(os.path.getsize(WASM), 600 * 1024)

    def test_streaming_equals_one_batch(self):
        t, v = series(300, spike_at=250)
        batch = corridor_host.call(self.plugin, "detect", {"version": "corridor.v1", "timestamps": t, "values": v})
        out = corridor_host.call(self.plugin, "detect", {"version": "corridor.v1", "timestamps": t[:100], "values": v[:100]})
        scores = list(out["points"]["score"])
        for start in range(100, 300, 37):
            end = min(start + 37, 300)
            out = corridor_host.call(self.plugin, "update", {
                "version": "corridor.v1", "state": out["state"], "timestamps": t[start:end], "values": v[start:end]})
            scores.extend(out["points"]["score"])
        self.assertEqual(scores, batch["points"]["score"])
        self.assertEqual([a["start_ms"] for a in batch["anomalies"]], [t[250] * 1000])

    def test_bad_input_is_an_error_value_not_a_trap(self):
        cases = [
            ("detect", b"\xff\xfe\x00", "malformed_request"),
            ("detect", b"{", "malformed_request"),
            ("update", b'{"version": "corridor.v1", "state": 7, "timestamps": [], "values": []}', "invalid_state"),
            ("baseline", json.dumps({"version": "corridor.v2", "timestamps": [1], "values": [1]}).encode(),
             "unsupported_version"),
        ]
        for op, data, code in cases:
            answer = json.loads(self.plugin.call(op, data))
            self.assertEqual(answer["error"]["code"], code, data)

    def test_the_example_program_prints_the_level_shift_of_the_artificial_jump(self):
        csv_path = ROOT / "samples/art_daily_jumpsup.csv"
        result = subprocess.run([sys.executable, corridor_host.__file__, WASM, str(csv_path)],
                                capture_output=True, text=True, check=True)
        self.assertRegex(result.stdout, r"level_shift\s+above")


if __name__ == "__main__":
    unittest.main()
