// Headless Chromium (Debian's) through playwright-core, and the harness page on top of it.
import { chromium } from 'playwright-core';
import { PLUGIN_PATH } from './servers.mjs';

/** Chromium as installed by scripts/setup.sh. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const DEFAULT_OPTIONS = {
  sensitivity: 0.5,
  seasonality: 'auto',
  minDurationS: 0,
  forecastHorizon: 60,
  layers: ['series', 'band', 'anomalies', 'forecast'],
  useGrafanaLlm: true,
  llmEndpoint: '',
  llmModel: 'llama3.2',
};

/** Opens the harness with these series and options and waits until the plugin is rendered. */
export async function openPanel(browser, serverUrl, { series, options = {}, width = 1000, height = 700, beforeLoad }) {
  const page = await browser.newPage({ viewport: { width: width + 40, height: height + 40 } });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  if (beforeLoad) {
    await beforeLoad(page);
  }
  const config = {
    pluginBase: `${serverUrl}${PLUGIN_PATH}`,
    series,
    options: { ...DEFAULT_OPTIONS, ...options },
    width,
    height,
  };
  await page.addInitScript((c) => {
    window.__HARNESS__ = c;
  }, config);
  await page.goto(serverUrl);
  await page.waitForFunction(
    () => window.harnessReady === true || document.body.textContent.startsWith('harness failed')
  );
  return { page, errors };
}
