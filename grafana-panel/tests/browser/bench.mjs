// Benchmark in headless Chromium: 20 series x 10,080 points (one week at one minute).
// - compute: corridor_web on all 20 series (the same .wasm the plugin ships): detect alone, forecast
//   alone, and both as the panel runs them (one detectAndForecast call per series, which cleans the
//   series and assesses its seasonality once);
// - drawn: from fresh data frames to the panel painted with all 20 corridors (engine loaded);
// - cold: the first render, loading the engine included.
// Prints a table of medians with the fastest and slowest run; `--json FILE` writes the figures.
// Run: npm run bench (after npm run build).
import fs from 'node:fs';
import { launchChromium, openPanel } from './browser.mjs';
import { startHarnessServer } from './servers.mjs';

const SERIES = 20;
const POINTS = 10_080;
const RUNS = 7;
const HORIZON = 60;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median, fastest and slowest of the runs. */
const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

const harness = await startHarnessServer();
const browser = await launchChromium();
try {
  const series = Array.from({ length: SERIES }, (_, i) => ({
    name: `series_${i}`,
    points: POINTS,
    level: 100 + i,
    spikes: [POINTS - 500 - i],
  }));
  const start = Date.now();
  const { page } = await openPanel(browser, harness.url, {
    series,
    options: { forecastHorizon: HORIZON },
    width: 1200,
    height: 2400,
  });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="corridor-band"]').length >= n, SERIES, {
    timeout: 120_000,
  });
  const coldMs = Date.now() - start;
  const drawnMs = [];
  for (let run = 0; run < RUNS; run++) {
    drawnMs.push(await page.evaluate((n) => window.renderAndTime(n), SERIES));
  }
  const compute = await page.evaluate(
    async ({ series: n, points, runs, horizon }) => {
      const engine = await import('/pkg/corridor_web.js');
      await engine.default();
      const timestamps = Float64Array.from({ length: points }, (_, i) => Date.UTC(2026, 0, 5) + i * 60_000);
      const values = Array.from({ length: n }, (_, s) =>
        Float64Array.from(
          { length: points },
          (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 1440 + s) + ((i * 7919 + s) % 13) / 13
        )
      );
      const detect = [];
      const forecast = [];
      const both = [];
      for (let run = 0; run < runs; run++) {
        let t = performance.now();
        values.forEach((v) => engine.detect(timestamps, v, {}));
        detect.push(performance.now() - t);
        t = performance.now();
        values.forEach((v) => engine.forecast(timestamps, v, { horizon }));
        forecast.push(performance.now() - t);
        t = performance.now();
        values.forEach((v) => engine.detectAndForecast(timestamps, v, {}, { horizon }));
        both.push(performance.now() - t);
      }
      return { detect, forecast, both };
    },
    { series: SERIES, points: POINTS, runs: RUNS, horizon: HORIZON }
  );
  const wasm = fs.readdirSync(new URL('../../dist/', import.meta.url)).find((f) => f.endsWith('.wasm'));
  const wasmBytes = fs.statSync(new URL(`../../dist/${wasm}`, import.meta.url)).size;
  const figures = {
    series: SERIES,
    points_per_series: POINTS,
    forecast_horizon: HORIZON,
    runs: RUNS,
    compute_detect_ms: spread(compute.detect),
    compute_forecast_ms: spread(compute.forecast),
    compute_total_ms: spread(compute.both),
    panel_drawn_ms: spread(drawnMs),
    panel_cold_ms: coldMs,
    wasm_bytes: wasmBytes,
  };
  const rows = [
    ['compute: detect alone, 20 series', figures.compute_detect_ms, '', ''],
    ['compute: forecast alone, 20 series', figures.compute_forecast_ms, '', ''],
    ['compute: detect + forecast (detectAndForecast)', figures.compute_total_ms, '<= 100 ms', 100],
    ['data to drawn panel (engine loaded)', figures.panel_drawn_ms, '<= 300 ms', 300],
  ];
  console.log(`corridor web bench: ${SERIES} series x ${POINTS} points, headless Chromium, ${RUNS} runs`);
  console.log('| measure | median ms | fastest–slowest | target | met (median) |\n|---|---:|---:|---|---|');
  for (const [name, ms, target, limit] of rows) {
    const met = limit === '' ? '' : ms.median <= limit ? 'yes' : 'no';
    console.log(
      `| ${name} | ${ms.median.toFixed(1)} | ${ms.min.toFixed(1)}–${ms.max.toFixed(1)} | ${target} | ${met} |`
    );
  }
  console.log(`| first render incl. wasm load | ${coldMs} | | | |`);
  console.log(
    `| wasm size | ${wasmBytes} bytes | | <= 300 KB (307,200 bytes) | ${wasmBytes <= 307_200 ? 'yes' : 'no'} |`
  );
  const json = process.argv.indexOf('--json');
  if (json > 0) {
    fs.writeFileSync(process.argv[json + 1], `${JSON.stringify(figures, null, 2)}\n`);
  }
} finally {
  await browser.close();
  await harness.close();
}
