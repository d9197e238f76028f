// The built plugin (dist/module.js) in headless Chromium, in a harness page with Grafana's own
// theme and externals: layers drawn, explain flow through each destination, and the in-panel
// messages, the failing wasm load included. Screenshots go to test-artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPanel } from './browser.mjs';
import { PLUGIN_PATH, startHarnessServer, startOpenAiServer } from './servers.mjs';

const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');
const DAY = 1440;
const THREE_SERIES = [
  {
    name: 'checkout_errors{owner="ops@example.com"}',
    points: 3 * DAY,
    level: 40,
    spikes: [2 * DAY + 600, 2 * DAY + 601, 2 * DAY + 900],
  },
  { name: 'http_requests_per_second', points: 3 * DAY, level: 800, spikes: [2 * DAY + 200] },
  { name: 'memory_bytes', points: 3 * DAY, level: 5e8 },
];

let browser;
let llmApp;
let harness;
let openai;

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
  llmApp = { enabled: false };
  harness = await startHarnessServer(llmApp);
  openai = await startOpenAiServer();
});

after(async () => {
  await browser?.close();
  await harness?.close();
  await openai?.close();
});

const count = (page, testId) => page.getByTestId(testId).count();

test('draws each series with its corridor, anomalies and forecast, the wasm coming from the plugin path', async () => {
  const { page, errors } = await openPanel(browser, harness.url, {
    series: THREE_SERIES,
    options: { forecastHorizon: 360 },
  });
  await page.getByTestId('corridor-band').nth(2).waitFor();
  assert.equal(await count(page, 'corridor-series'), 3);
  assert.equal(await count(page, 'corridor-line'), 3);
  assert.equal(await count(page, 'corridor-forecast-line'), 3);
  assert.equal(await count(page, 'corridor-forecast-interval'), 3);
  assert.match(await page.getByTestId('corridor-band').first().getAttribute('d'), /^M[\d.,L]+Z/);
  const severities = await page
    .getByTestId('corridor-anomaly-point')
    .evaluateAll((points) => points.map((p) => p.getAttribute('data-severity')));
  assert.ok(severities.includes('critical'), severities.join());
  assert.ok((await count(page, 'corridor-anomaly-interval')) >= 2);
  assert.match(await page.getByTestId('corridor-legend').first().textContent(), /checkout_errors.*anomalies.*forecast/);
  const wasm = harness.requests.filter((r) => r.url.endsWith('.wasm'));
  assert.equal(wasm.length, 1);
  assert.ok(wasm[0].url.startsWith(PLUGIN_PATH), wasm[0].url);
  const chart = page.getByTestId('corridor-chart').first();
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  assert.match(await page.getByTestId('corridor-tooltip').textContent(), /actual: .*expected: .*corridor: .*score: /);
  await page.screenshot({ path: path.join(artifacts, 'panel.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

/** Opens the panel, clicks the first critical anomaly and returns the page once the preview shows. */
async function selectAnomaly(options) {
  const { page, errors } = await openPanel(browser, harness.url, {
    series: THREE_SERIES.slice(0, 1),
    options,
    height: 600,
  });
  await page.locator('[data-testid="corridor-anomaly-point"][data-severity="critical"]').first().click();
  await page.getByTestId('corridor-explain-preview').waitFor();
  return { page, errors };
}

test('explain through an OpenAI-compatible endpoint sends exactly the scrubbed preview, only after confirmation', async () => {
  const { page } = await selectAnomaly({ useGrafanaLlm: true, llmEndpoint: `${openai.url}/v1`, llmModel: 'llama3.2' });
  const preview = await page.getByTestId('corridor-explain-preview').textContent();
  assert.match(preview, /Series: checkout_errors\{owner="<EMAIL_1>"\}/);
  assert.doesNotMatch(preview, /ops@example\.com/);
  assert.match(
    await page.getByTestId('corridor-explain-destination').textContent(),
    new RegExp(`${openai.url}/v1/chat/completions`)
  );
  assert.equal(openai.requests.filter((r) => r.method === 'POST').length, 0, 'nothing is sent before confirmation');
  await page.screenshot({ path: path.join(artifacts, 'explain-preview.png') });
  await page.getByTestId('corridor-explain-send').click();
  const answer = await page.getByTestId('corridor-explain-answer').textContent();
  assert.match(answer, /failing dependency of ops@example\.com/, 'placeholders are restored locally');
  const posts = openai.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 1);
  const sent = JSON.parse(posts[0].body);
  assert.equal(sent.model, 'llama3.2');
  assert.equal(sent.messages[1].content, preview);
  assert.doesNotMatch(posts[0].body, /ops@example\.com/);
  await page.screenshot({ path: path.join(artifacts, 'explain-endpoint.png') });
  await page.close();
});

test('explain shows the endpoint error in the panel', async () => {
  const { page } = await selectAnomaly({ useGrafanaLlm: false, llmEndpoint: `${openai.url}/v1`, llmModel: 'missing' });
  await page.getByTestId('corridor-explain-send').click();
  assert.match(
    await page.getByTestId('corridor-explain-error').textContent(),
    /404.*The model `missing` does not exist/
  );
  await page.close();
});

test('explain goes through the Grafana LLM app when it is enabled', async () => {
  llmApp.enabled = true;
  try {
    const { page } = await selectAnomaly({ useGrafanaLlm: true, llmEndpoint: `${openai.url}/v1` });
    assert.match(await page.getByTestId('corridor-explain-destination').textContent(), /Grafana LLM app/);
    const before = openai.requests.length;
    await page.getByTestId('corridor-explain-send').click();
    assert.match(await page.getByTestId('corridor-explain-answer').textContent(), /ops@example\.com/);
    const sent = harness.requests.filter((r) => r.url.endsWith('/resources/llm/v1/chat/completions'));
    assert.equal(sent.length, 1);
    assert.doesNotMatch(sent[0].body, /ops@example\.com/);
    assert.equal(openai.requests.length, before, 'the endpoint is not used');
    await page.close();
  } finally {
    llmApp.enabled = false;
  }
});

test('explain offline sends nothing', async () => {
  const sentBefore = openai.requests.length + harness.requests.filter((r) => r.method === 'POST').length;
  const { page } = await selectAnomaly({ useGrafanaLlm: true, llmEndpoint: '' });
  assert.match(await page.getByTestId('corridor-explain-destination').textContent(), /offline/);
  await page.getByTestId('corridor-explain-send').click();
  assert.match(await page.getByTestId('corridor-explain-answer').textContent(), /corridor/);
  assert.equal(openai.requests.length + harness.requests.filter((r) => r.method === 'POST').length, sentBefore);
  await page.screenshot({ path: path.join(artifacts, 'explain-offline.png') });
  await page.close();
});

test('a failing wasm load shows a message in the panel', async () => {
  const { page } = await openPanel(browser, harness.url, {
    series: THREE_SERIES.slice(0, 1),
    beforeLoad: (p) => p.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'gone' })),
  });
  await page.getByText('The Corridor engine could not be loaded').waitFor();
  assert.equal(await count(page, 'corridor-band'), 0);
  await page.screenshot({ path: path.join(artifacts, 'wasm-failed.png') });
  await page.close();
});

for (const [name, series, message] of [
  ['no data', [], /No data/],
  ['one point', [{ name: 'single', points: 1 }], /only one point/],
  ['all NaN', [{ name: 'blank', points: 100, nulls: true }], /every value is missing/],
  ['a very long range', [{ name: 'huge', points: 250_000 }], /Very long range/],
]) {
  test(`${name} shows a message`, async () => {
    const { page } = await openPanel(browser, harness.url, { series, width: 600, height: 200 });
    await page.getByTestId('corridor-message').filter({ hasText: message }).waitFor();
    await page.close();
  });
}
