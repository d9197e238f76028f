// Runs corridor.wasm from Node.js through the Extism JS SDK: detect anomalies in a CSV file.
//
// Usage: node corridor_host.mjs CORRIDOR_WASM FILE.csv   (columns: timestamp,value)

import createPlugin from '@extism/extism';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Wall-clock limit of one plugin call, in milliseconds. */
export const TIMEOUT_MS = 30_000;

/**
 * Loads the Corridor plugin: no WASI, a call timeout, and no network unless `allowedHosts` names
 * hosts (for the LLM endpoint of `config`, see `llmConfig`); the SDK makes HTTP calls only from a
 * worker thread. The plugin imports Extism's HTTP functions; SDK 1.0.3 lacks `http_headers`, so
 * a fresh stub answering "no headers" is passed each time.
 */
export async function loadPlugin(wasmPath, { config = {}, allowedHosts = [], timeoutMs = TIMEOUT_MS } = {}) {
  return createPlugin(
    { wasm: [{ path: wasmPath }] },
    {
      useWasi: false,
      timeoutMs,
      config,
      allowedHosts,
      runInWorker: allowedHosts.length > 0,
      functions: { 'extism:host/env': { http_headers: () => 0n } },
    },
  );
}

/**
 * Plugin configuration for an LLM endpoint (`openai` for any OpenAI-compatible server, or
 * `ollama`); the API key comes from the environment (CORRIDOR_LLM_API_KEY), never from a request.
 */
export function llmConfig(url, model, provider = 'openai') {
  const config = { llm_url: url, llm_model: model, llm_provider: provider };
  if (process.env.CORRIDOR_LLM_API_KEY) config.llm_api_key = process.env.CORRIDOR_LLM_API_KEY;
  return config;
}

/**
 * An `explain` caller for the plugin at `wasmPath` loaded with `options` (see `loadPlugin`).
 * When the plugin's HTTP call to the LLM fails below HTTP (refused, blocked, timed out), Extism
 * fails the whole call; the failure then goes back to the plugin as a `transport_error`, so the
 * rule book answers with the error classified. SDK 1.0.3 ends the plugin's worker after a failed
 * HTTP call, so that second call runs on a freshly loaded plugin.
 */
export async function createExplainer(wasmPath, options) {
  let plugin = await loadPlugin(wasmPath, options);
  return {
    async explain(request) {
      try {
        return await call(plugin, 'explain', request);
      } catch (error) {
        await plugin.close();
        plugin = await loadPlugin(wasmPath, options);
        return call(plugin, 'explain', { ...request, llm_response: { transport_error: String(error.message ?? error) } });
      }
    },
    close: () => plugin.close(),
  };
}

/** Calls one corridor.v1 operation with a request object and returns the answer object. */
export async function call(plugin, op, request) {
  const output = await plugin.call(op, JSON.stringify(request));
  return output.json();
}

/** Timestamps and values of a `timestamp,value` CSV text (an empty value becomes null). */
export function parseCsv(text) {
  const timestamps = [];
  const values = [];
  for (const [i, line] of text.split(/\r?\n/).slice(1).entries()) {
    if (line.trim() === '') continue;
    const [t, v] = line.split(',');
    if (v === undefined || Number.isNaN(Number(t))) throw new Error(`line ${i + 2}: expected timestamp,value`);
    timestamps.push(Number(t));
    values.push(v.trim() === '' ? null : Number(v));
  }
  return { timestamps, values };
}

async function main([wasmPath, csvPath]) {
  if (!wasmPath || !csvPath) {
    console.error('usage: node corridor_host.mjs CORRIDOR_WASM FILE.csv');
    return 2;
  }
  const plugin = await loadPlugin(wasmPath);
  try {
    const series = parseCsv(await readFile(csvPath, 'utf8'));
    const answer = await call(plugin, 'detect', { version: 'corridor.v1', ...series });
    if (answer.error) {
      console.error(`error ${answer.error.code}: ${answer.error.message}`);
      return 1;
    }
    for (const w of answer.warnings) console.log(`warning: ${w.message}`);
    for (const a of answer.anomalies) {
      console.log(`${a.kind.padEnd(13)} ${a.direction.padEnd(6)} ${a.start_ms}..${a.end_ms} ` +
        `expected ${a.expected.toFixed(2)} actual ${a.actual.toFixed(2)} ${a.severity}`);
    }
    return 0;
  } finally {
    await plugin.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
