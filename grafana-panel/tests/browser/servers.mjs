// Local servers for the browser tests: the harness server (harness page, the built plugin
// under a Grafana-like sub-path, Grafana's icons, a faked Grafana LLM app) and an
// OpenAI-compatible chat-completions server on another origin. Both record what they receive.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const panelRoot = path.resolve(here, '../..');
const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv',
};

/** URL prefix of the plugin's files, as Grafana serves them under a sub-path. */
export const PLUGIN_PATH = '/grafana/public/plugins/corridor-baseline-panel/';

function listen(handler) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) {
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method, url: req.url, body });
    handler(req, res, body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({ url, requests, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

/** Serves `file` if it exists under `root`, else 404. */
function sendFile(res, root, relative) {
  const file = path.resolve(root, `.${decodeURIComponent(relative.split('?')[0])}`);
  if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}

function sendJson(res, status, value, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(value));
}

/** An OpenAI chat-completions answer that quotes the first placeholder of the prompt, so restoring is visible. */
export function completion(model, messages) {
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  const placeholder = user.match(/<[A-Z_]+_\d+>/)?.[0] ?? 'the service';
  return {
    id: 'chatcmpl-corridor-test',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: `Likely a failing dependency of ${placeholder}; check its recent deploys first.`,
        },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 },
  };
}

/** Answers a chat-completions body as the OpenAI API does, errors included. */
function chatCompletions(res, body, headers) {
  let request;
  try {
    request = JSON.parse(body);
  } catch {
    res.writeHead(500, { 'Content-Type': 'text/plain', ...headers }).end('Internal Server Error');
    return;
  }
  if (!Array.isArray(request.messages)) {
    sendJson(
      res,
      400,
      {
        error: {
          message: "'messages' is a required property",
          type: 'invalid_request_error',
          param: 'messages',
          code: null,
        },
      },
      headers
    );
    return;
  }
  if (request.model === 'missing') {
    sendJson(
      res,
      404,
      {
        error: {
          message: 'The model `missing` does not exist',
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      },
      headers
    );
    return;
  }
  sendJson(res, 200, completion(request.model, request.messages), headers);
}

/** An OpenAI-compatible endpoint on its own origin (CORS like a local Ollama with OLLAMA_ORIGINS=*). */
export function startOpenAiServer() {
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'content-type, authorization',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
  };
  return listen((req, res, body) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
    } else if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      chatCompletions(res, body, cors);
    } else {
      sendJson(res, 404, { error: { message: `no route ${req.url}`, type: 'invalid_request_error' } }, cors);
    }
  });
}

/** A static server of `root` (the built demo). */
export function startStaticServer(root) {
  return listen((req, res) => sendFile(res, root, req.url === '/' ? '/index.html' : req.url));
}

/** The harness page and the plugin; `llmApp.enabled` says whether the faked Grafana LLM app is on. */
export function startHarnessServer(llmApp = { enabled: false }) {
  const harnessDir = path.join(here, 'harness');
  const buildDir = path.join(here, '.build');
  const distDir = path.join(panelRoot, 'dist');
  const imgDir = path.join(panelRoot, 'node_modules/@grafana/ui/dist/public/img');
  const wasmPkgDir = path.resolve(panelRoot, '../plugins/web/pkg/panel');
  return listen((req, res, body) => {
    const url = req.url.split('?')[0];
    if (url === '/') {
      sendFile(res, harnessDir, '/index.html');
    } else if (url.startsWith(PLUGIN_PATH)) {
      sendFile(res, distDir, `/${url.slice(PLUGIN_PATH.length)}`);
    } else if (url.startsWith('/grafana/public/build/img/') || url.startsWith('/public/build/img/')) {
      sendFile(res, imgDir, url.slice(url.indexOf('/img/') + 4));
    } else if (url.startsWith('/pkg/')) {
      sendFile(res, wasmPkgDir, url.slice(4));
    } else if (url === '/api/plugins/grafana-llm-app/settings') {
      sendJson(res, llmApp.enabled ? 200 : 404, llmApp.enabled ? { enabled: true } : { message: 'Plugin not found' });
    } else if (url === '/api/plugins/grafana-llm-app/health') {
      sendJson(res, 200, { details: { llmProvider: { configured: true, ok: true } } });
    } else if (url === '/api/plugins/grafana-llm-app/resources/llm/v1/chat/completions' && req.method === 'POST') {
      chatCompletions(res, body, {});
    } else {
      sendFile(res, buildDir, url);
    }
  });
}
