"""The plugin's LLM path through the real Python Extism host, against a local HTTP server that
speaks the OpenAI Chat Completions wire format (answers, errors, garbage)."""

import http.server
import json
import os
import pathlib
import re
import threading
import time
import unittest

import corridor_host

ROOT = pathlib.Path(__file__).resolve().parents[2]
WASM = os.environ.get("CORRIDOR_WASM", str(ROOT / "target/corridor.wasm"))
KEY = "sk-test-0123456789abcdefghijklmnopqrstuv"
CLASSIC = ("Starting server...\n"
           "ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'\n"
           "Database health check failed. Retrying in 5s...\n")
SECRETS = ["AKIAIOSFODNN7EXAMPLE", "s3cr3t-Pa55w0rd!", "bob@example.org", "4111 1111 1111 1111"]
PLANTED = (CLASSIC + "ERROR payment for bob@example.org card 4111 1111 1111 1111 declined\n"
           "ERROR s3 upload failed with key AKIAIOSFODNN7EXAMPLE\n"
           "ERROR login failed password=s3cr3t-Pa55w0rd!\n")


class FakeOpenAI(http.server.BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions as the server's `mode` says and records every request."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.received.append((self.path, dict(self.headers), body))
        mode = self.server.mode
        if mode == "ok":
            request = json.loads(body)
            user = request["messages"][-1]["content"]
            target = re.search(r"[\w.-]+:\d+", user.split("# Offline rule book")[0] + user).group(0)
            answer = {
                "summary": f"The service cannot connect to its PostgreSQL database at {target}.",
                "probable_cause": f"The application cannot reach the database at {target}: connection refused.",
                "evidence": [line for line in user.splitlines() if "refused" in line.lower()][:2],
                "suggested_fix": f"Check that the database is running and that no firewall blocks port {target.split(':')[1]}.",
                "commands": [f"pg_isready -h {target.split(':')[0]} -p {target.split(':')[1]}"],
                "confidence": 0.75,
            }
            self.reply(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000,
                             "model": request["model"], "choices": [{"index": 0, "message": {
                                 "role": "assistant", "content": json.dumps(answer)}, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}})
        elif mode == "slow":
            time.sleep(3)
            try:
                self.reply(200, b"{}")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and hung up, as the timeout test expects
        elif mode == "garbage":
            self.reply(200, b"<html>oops</html>", "text/html")
        elif mode == 429:
            self.reply(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                       extra={"retry-after": "2"})
        elif mode == 500:
            self.reply(500, b"Internal Server Error", "text/plain")
        elif mode == 404:
            self.reply(404, {"error": {"message": "The model `nope` does not exist", "code": "model_not_found"}})
        else:
            self.reply(mode, {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}})

    def reply(self, status, body, content_type="application/json", extra=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", "req-test")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class LlmPathTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
        cls.server.received = []
        cls.server.mode = "ok"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        os.environ["CORRIDOR_LLM_API_KEY"] = KEY
        url = f"http://127.0.0.1:{cls.server.server_address[1]}"
        cls.plugin = corridor_host.load_plugin(WASM, corridor_host.llm_config(url, "smollm2"), ["127.0.0.1"])

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def explain(self, mode, logs=CLASSIC):
        self.server.mode = mode
        self.server.received.clear()
        out = self.plugin.call("explain", json.dumps({"version": "corridor.v1", "logs": logs}).encode())
        self.assertNotIn(KEY.encode(), out, "the key never appears in an answer")
        return json.loads(out)

    def test_the_classic_case_through_the_llm(self):
        out = self.explain("ok")
        e = out["explanation"]
        self.assertEqual(e["source"], "llm")
        self.assertIn("cannot reach the database at db-prod-1:5432", e["probable_cause"])
        self.assertIn("running", e["suggested_fix"])
        self.assertIn("firewall", e["suggested_fix"])
        self.assertEqual(e["commands"], [{"command": "pg_isready -h db-prod-1 -p 5432", "requires_approval": True}])
        path, headers, body = self.server.received[0]
        self.assertEqual(path, "/v1/chat/completions")
        self.assertEqual(headers.get("authorization") or headers.get("Authorization"), f"Bearer {KEY}")
        self.assertIn("connection_refused", json.loads(body)["messages"][1]["content"])

    def test_planted_secrets_never_reach_the_server(self):
        out = self.explain("ok", PLANTED)
        self.assertEqual(out["explanation"]["source"], "llm")
        path, headers, body = self.server.received[0]
        raw = body + json.dumps(headers).encode() + path.encode()
        for secret in SECRETS:
            self.assertNotIn(secret.encode(), raw, secret)
        self.assertNotIn(KEY.encode(), body)
        self.assertIn(b"db-prod-1:5432", body)

    def test_every_error_status_falls_back_to_the_rule_book(self):
        for mode, cls in [(401, "auth"), (403, "auth"), (404, "unknown_model"), (429, "rate_limited"),
                          (500, "server"), ("garbage", "malformed")]:
            out = self.explain(mode)
            self.assertEqual(out["llm_error"]["class"], cls, mode)
            self.assertEqual(out["warnings"][-1]["code"], "llm_fallback")
            self.assertEqual(out["explanation"]["source"], "rule_book")
            self.assertIn("cannot reach the database at db-prod-1:5432", out["explanation"]["probable_cause"])
            self.assertEqual(out["llm_error"]["status"], 200 if mode == "garbage" else mode)
            # The Python SDK passes no response headers to plugins, so `retry_after_ms` stays
            # unset here; the engine's own tests read it from headers.
            self.assertEqual(out["llm_error"]["retryable"], mode in (429, 500))

    def test_transport_failures_are_classified_by_the_host_round_trip(self):
        request = {"version": "corridor.v1", "logs": CLASSIC}
        down = corridor_host.load_plugin(WASM, corridor_host.llm_config("http://127.0.0.1:9", "m"), ["127.0.0.1"])
        out = corridor_host.explain(down, request)
        self.assertEqual(out["llm_error"]["class"], "connection")
        self.assertEqual(out["explanation"]["family"], "connection_refused")
        url = f"http://127.0.0.1:{self.server.server_address[1]}"
        slow = corridor_host.load_plugin(WASM, corridor_host.llm_config(url, "m"), ["127.0.0.1"], timeout_ms=1000)
        self.server.mode = "slow"
        out = corridor_host.explain(slow, request, timeout_ms=1000)
        self.assertEqual(out["llm_error"]["class"], "timeout", out["llm_error"])
        self.assertEqual(out["warnings"][-1]["code"], "llm_fallback")

    def test_without_configuration_the_rule_book_answers_and_nothing_is_sent(self):
        plain = corridor_host.load_plugin(WASM)
        out = json.loads(plain.call("explain", json.dumps({"version": "corridor.v1", "logs": CLASSIC}).encode()))
        self.assertEqual(out["explanation"]["family"], "connection_refused")
        self.assertNotIn("llm_request", out)

    def test_bad_input_is_an_error_value(self):
        self.server.received.clear()
        out = json.loads(self.plugin.call("explain", b"\xff{"))
        self.assertEqual(out["error"]["code"], "malformed_request")
        self.assertEqual(self.server.received, [])


if __name__ == "__main__":
    unittest.main()
