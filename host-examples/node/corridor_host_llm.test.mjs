// The plugin's LLM path through the real Node Extism host, against a local HTTP server that
// speaks the OpenAI Chat Completions wire format (answers, error statuses, garbage).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExplainer, llmConfig } from './corridor_host.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasm = process.env.CORRIDOR_WASM ?? path.join(root, 'target/corridor.wasm');
const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuv';
const CLASSIC = 'Starting server...\n'
  + "ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'\n"
  + 'Database health check failed. Retrying in 5s...\n';
const SECRETS = ['AKIAIOSFODNN7EXAMPLE', 's3cr3t-Pa55w0rd!', 'bob@example.org'];
const PLANTED = CLASSIC + 'ERROR payment for bob@example.org declined\n'
  + 'ERROR s3 upload failed with key AKIAIOSFODNN7EXAMPLE\nERROR login failed password=s3cr3t-Pa55w0rd!\n';

/** The fake server: answers as `mode` says and records every request. */
const fake = { mode: 'ok', received: [] };
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    fake.received.push({ url: req.url, headers: req.headers, body });
    const reply = (status, payload, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (fake.mode === 'ok') {
      const request = JSON.parse(body);
      const answer = {
        summary: 'The service cannot connect to its PostgreSQL database at db-prod-1:5432.',
        probable_cause: 'The application cannot reach the database at db-prod-1:5432: connection refused.',
        evidence: ["Connection refused: 'db-prod-1:5432'"],
        suggested_fix: 'Check that the database is running and that no firewall blocks port 5432.',
        commands: ['pg_isready -h db-prod-1 -p 5432'],
        confidence: 0.75,
      };
      reply(200, {
        id: 'chatcmpl-1', object: 'chat.completion', created: 1700000000, model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(answer) }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
      });
    } else if (fake.mode === 'garbage') {
      reply(200, '<html>oops</html>', 'text/html');
    } else if (fake.mode === 500) {
      reply(500, 'Internal Server Error', 'text/plain');
    } else {
      reply(fake.mode, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } });
    }
  });
});

let url;
let explainer;
before(async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}`;
  process.env.CORRIDOR_LLM_API_KEY = KEY;
  explainer = await createExplainer(wasm, { config: llmConfig(url, 'smollm2'), allowedHosts: ['127.0.0.1'] });
});
after(async () => {
  await explainer.close();
  server.close();
});

async function explainWith(mode, logs = CLASSIC) {
  fake.mode = mode;
  fake.received = [];
  const out = await explainer.explain({ version: 'corridor.v1', logs });
  assert.ok(!JSON.stringify(out).includes(KEY), 'the key never appears in an answer');
  return out;
}

test('the classic case through the LLM, with the key only in the Authorization header', async () => {
  const out = await explainWith('ok');
  assert.equal(out.explanation.source, 'llm');
  assert.match(out.explanation.probable_cause, /cannot reach the database at db-prod-1:5432/);
  assert.deepEqual(out.explanation.commands, [{ command: 'pg_isready -h db-prod-1 -p 5432', requires_approval: true }]);
  const [{ url: sent, headers, body }] = fake.received;
  assert.equal(sent, '/v1/chat/completions');
  assert.equal(headers.authorization, `Bearer ${KEY}`);
  assert.match(JSON.parse(body).messages[1].content, /connection_refused/);
});

test('planted secrets never reach the server', async () => {
  const out = await explainWith('ok', PLANTED);
  assert.equal(out.explanation.source, 'llm');
  const [{ body }] = fake.received;
  for (const secret of SECRETS) assert.ok(!body.includes(secret), secret);
  assert.ok(!body.includes(KEY));
  assert.ok(body.includes('db-prod-1:5432'));
});

test('error statuses and garbage fall back to the rule book', async () => {
  for (const [mode, cls] of [[401, 'auth'], [500, 'server'], ['garbage', 'malformed']]) {
    const out = await explainWith(mode);
    assert.equal(out.llm_error.class, cls, String(mode));
    assert.equal(out.warnings.at(-1).code, 'llm_fallback');
    assert.equal(out.explanation.source, 'rule_book');
    assert.equal(out.explanation.family, 'connection_refused');
  }
});

test('a host not in allowedHosts is refused, and the rule book answers', async () => {
  const blocked = await createExplainer(wasm, { config: llmConfig(url, 'm'), allowedHosts: ['llm.example.internal'] });
  try {
    fake.received = [];
    const out = await blocked.explain({ version: 'corridor.v1', logs: CLASSIC });
    assert.equal(fake.received.length, 0, 'nothing reached the server');
    assert.equal(out.explanation.source, 'rule_book');
    assert.equal(out.explanation.family, 'connection_refused');
    assert.equal(out.warnings.at(-1).code, 'llm_fallback');
    assert.match(out.llm_error.message, /not allowed/);
    assert.ok(!JSON.stringify(out).includes(KEY), 'the key never appears in an answer');
  } finally {
    await blocked.close();
  }
});
