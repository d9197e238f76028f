// The built browser demo (demo/site, from demo/build.sh) in headless Chromium: samples, a pasted
// CSV, pasted logs, the replica plan, the explanation offline and through an OpenAI-compatible
// endpoint, and a failing wasm load. Screenshots go to test-artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './browser.mjs';
import { startOpenAiServer, startStaticServer } from './servers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, '../../test-artifacts');
const site = path.resolve(here, '../../../demo/site');

let browser;
let demo;
let openai;

before(async () => {
  assert.ok(fs.existsSync(path.join(site, 'app.js')), 'build the demo first: demo/build.sh');
  fs.mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
  demo = await startStaticServer(site);
  openai = await startOpenAiServer();
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await openai?.close();
});

async function open(beforeLoad) {
  const page = await browser.newPage({ viewport: { width: 1040, height: 1400 } });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  if (beforeLoad) {
    await beforeLoad(page);
  }
  await page.goto(demo.url);
  return { page, errors };
}

test('the synthetic sample shows corridor, anomalies, forecast and replica plan, and explains offline', async () => {
  const { page, errors } = await open();
  await page.getByTestId('demo-band').waitFor();
  assert.ok((await page.getByTestId('demo-anomaly-point').count()) >= 3);
  assert.equal(await page.getByTestId('demo-forecast-line').count(), 1);
  assert.match(await page.getByTestId('demo-plan').textContent(), /run \d+ now; up to \d+/);
  await page.getByTestId('demo-anomalies').locator('li.critical').first().click();
  assert.match(await page.getByTestId('demo-prompt').textContent(), /Series: synthetic requests per second/);
  await page.locator('#send').click();
  assert.match(await page.getByTestId('demo-answer').textContent(), /corridor/);
  await page.screenshot({ path: path.join(artifacts, 'demo.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a NAB sample loads and is analysed', async () => {
  const { page } = await open();
  await page.getByTestId('demo-band').waitFor();
  await page.locator('#sample').selectOption('nyc_taxi.csv');
  await page.locator('#title', { hasText: 'nyc_taxi.csv (NAB)' }).waitFor();
  assert.match(await page.locator('#summary').textContent(), /^10320 points, step 1800 s/);
  assert.ok((await page.getByTestId('demo-anomalies').locator('li').count()) >= 1);
  await page.close();
});

test('a pasted CSV is analysed, a broken one gets a message', async () => {
  const { page } = await open();
  await page.getByTestId('demo-band').waitFor();
  const lines = [
    'timestamp,value',
    ...Array.from({ length: 500 }, (_, i) => `${1767571200 + i * 60},${i === 400 ? 90 : 10 + (i % 5)}`),
  ];
  await page.locator('details summary').click();
  await page.locator('#csv').fill(lines.join('\n'));
  await page.locator('#analyze-csv').click();
  await page.locator('#title', { hasText: 'pasted CSV' }).waitFor();
  assert.match(await page.locator('#summary').textContent(), /^500 points, step 60 s/);
  await page.locator('#csv').fill('timestamp,value\n1767571200,1');
  await page.locator('#analyze-csv').click();
  await page.locator('#status', { hasText: 'too_few_points' }).waitFor();
  await page.close();
});

test('pasted logs give scrubbed findings', async () => {
  const { page } = await open();
  await page.getByTestId('demo-band').waitFor();
  const log = [
    ...Array.from(
      { length: 30 },
      (_, i) => `2026-01-05T10:00:${String(i).padStart(2, '0')}Z INFO served request in ${i} ms`
    ),
    '2026-01-05T10:01:00Z ERROR payment failed for carol@example.com: timeout',
    "2026-01-05T10:01:01Z ERROR ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'",
  ];
  await page.locator('#log-text').fill(log.join('\n'));
  await page.locator('#analyze-logs').click();
  const finding = await page.getByTestId('demo-findings').locator('li').first().textContent();
  assert.match(finding, /error.*payment failed for <EMAIL_1>/);
  const explanation = await page.getByTestId('demo-log-explanation').textContent();
  assert.match(explanation, /Offline rule book.*db-prod-1:5432/s);
  assert.ok(!explanation.includes('carol@example.com'));
  await page.close();
});

test('the explanation goes to a configured endpoint only after the scrubbed text is shown and confirmed', async () => {
  const { page } = await open();
  await page.getByTestId('demo-band').waitFor();
  await page.locator('#endpoint').fill(`${openai.url}/v1`);
  await page.getByTestId('demo-anomalies').locator('li').first().click();
  const prompt = await page.getByTestId('demo-prompt').textContent();
  assert.equal(openai.requests.filter((r) => r.method === 'POST').length, 0);
  await page.locator('#send').click();
  await page.getByTestId('demo-answer').filter({ hasText: 'failing dependency' }).waitFor();
  const posts = openai.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 1);
  assert.equal(JSON.parse(posts[0].body).messages[1].content, prompt);
  await page.close();
});

test('a failing wasm load is reported on the page', async () => {
  const { page } = await open((p) => p.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'gone' })));
  await page.locator('#status', { hasText: 'could not be loaded' }).waitFor();
  assert.equal(await page.getByTestId('demo-band').count(), 0);
  await page.close();
});
