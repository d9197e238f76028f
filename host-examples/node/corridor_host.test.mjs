// corridor.wasm through the real Node Extism host: the contract examples, streaming, bad input.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlugin, call } from './corridor_host.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const wasm = process.env.CORRIDOR_WASM ?? path.join(root, 'target/corridor.wasm');
const examples = path.join(root, 'tests/contract');

let plugin;
before(async () => { plugin = await loadPlugin(wasm); });
after(async () => { await plugin.close(); });

function series(n, spikeAt) {
  const timestamps = Array.from({ length: n }, (_, i) => 1_700_000_000 + 60 * i);
  const values = timestamps.map((_, i) => 10 + [0.3, -0.2, 0.1][i % 3]);
  values[spikeAt] = 40;
  return { timestamps, values };
}

test('every contract example gives its recorded answer', async () => {
  const requests = (await readdir(examples)).filter((f) => f.endsWith('.request.json')).sort();
  assert.ok(requests.length >= 2);
  for (const name of requests) {
    const stem = name.replace(/\.request\.json$/, '');
    const op = stem.split('-')[0];
    const output = await plugin.call(op, await readFile(path.join(examples, name)));
    const expected = JSON.parse(await readFile(path.join(examples, `${stem}.response.json`), 'utf8'));
    assert.deepEqual(output.json(), expected, stem);
  }
});

test('streaming equals one batch', async () => {
  const { timestamps: t, values: v } = series(300, 250);
  const batch = await call(plugin, 'detect', { version: 'corridor.v1', timestamps: t, values: v });
  let out = await call(plugin, 'detect', { version: 'corridor.v1', timestamps: t.slice(0, 100), values: v.slice(0, 100) });
  const scores = [...out.points.score];
  for (let start = 100; start < 300; start += 37) {
    const end = Math.min(start + 37, 300);
    out = await call(plugin, 'update', {
      version: 'corridor.v1', state: out.state, timestamps: t.slice(start, end), values: v.slice(start, end),
    });
    scores.push(...out.points.score);
  }
  assert.deepEqual(scores, batch.points.score);
  assert.deepEqual(batch.anomalies.map((a) => a.start_ms), [t[250] * 1000]);
});

test('bad input is an error value, not a trap', async () => {
  const cases = [
    ['detect', new Uint8Array([0xff, 0xfe, 0x00]), 'malformed_request'],
    ['detect', '{', 'malformed_request'],
    ['update', JSON.stringify({ version: 'corridor.v1', state: 7, timestamps: [], values: [] }), 'invalid_state'],
    ['baseline', JSON.stringify({ version: 'corridor.v2', timestamps: [1], values: [1] }), 'unsupported_version'],
  ];
  for (const [op, input, code] of cases) {
    const output = await plugin.call(op, input);
    assert.equal(output.json().error.code, code);
  }
});

test('the example program prints the level shift of the artificial jump', async () => {
  const { stdout } = await promisify(execFile)(process.execPath,
    [path.join(here, 'corridor_host.mjs'), wasm, path.join(root, 'samples/art_daily_jumpsup.csv')]);
  assert.match(stdout, /level_shift\s+above/);
});
