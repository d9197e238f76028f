// The demo page: a series (sample, pasted or dropped CSV) through corridor_web's detect,
// forecast and scale, drawn as SVG; pasted logs through logsAnalyze; an explanation of a
// selected anomaly, offline or from an OpenAI-compatible endpoint after showing the scrubbed text.
import init, { detect, explain as explainLogs, forecast, logsAnalyze, restore, scale, scrub } from '../../plugins/web/pkg/web/corridor_web.js';
import type { Anomaly, DetectResult, ForecastResult } from '../../plugins/web/pkg/web/corridor_web.js';
import { bandPath, finiteExtent, linePath, linearScale } from '../../grafana-panel/src/chart/geometry';
import { offlineExplanation } from '../../grafana-panel/src/explain/offline';
import { chatCompletionsUrl, postChatCompletions } from '../../grafana-panel/src/explain/openai';
import { anomalyPrompt, SYSTEM_PROMPT } from '../../grafana-panel/src/explain/prompt';
import { parseCsv, Series, syntheticSeries } from './data';

const SEVERITY_COLORS = { minor: '#e0b400', major: '#fa8c16', critical: '#e02f44' };
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => byId<HTMLInputElement>(id);

interface Analysis {
  series: Series;
  detect: DetectResult;
  forecast?: ForecastResult;
}

let current: Analysis | undefined;
let pending: { anomaly: Anomaly; text: string; mapping: Record<string, string> } | undefined;

function setStatus(message: string) {
  byId('status').textContent = message;
}

/** The error's contract code and message, or its text. */
function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${message} (${code})` : message;
}

function analyse(series: Series) {
  setStatus('');
  const horizon = Number(input('horizon').value);
  const result = detect(series.timestamps, series.values, { sensitivity: Number(input('sensitivity').value) });
  let forecastResult: ForecastResult | undefined;
  try {
    forecastResult = forecast(series.timestamps, series.values, { horizon });
  } catch (error) {
    setStatus(`No forecast: ${describe(error)}`);
  }
  current = { series, detect: result, forecast: forecastResult };
  pending = undefined;
  byId('title').textContent = series.name;
  draw(current);
  listAnomalies(current);
  plan(series, horizon);
  showPrompt();
}

function draw({ detect: result, forecast: next }: Analysis) {
  const svg = byId('chart');
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const points = result.points;
  const interval = next?.intervals[next.intervals.length - 1];
  const t0 = points.timestamps_ms[0];
  const t1 = next ? next.timestamps_ms[next.timestamps_ms.length - 1] : points.timestamps_ms[points.timestamps_ms.length - 1];
  const [v0, v1] = finiteExtent([points.values, points.lower, points.upper, ...(next && interval ? [next.point, interval.lower, interval.upper] : [])]);
  const x = linearScale(t0, t1, 50, width - 10);
  const y = linearScale(v0, v1, height - 20, 10);
  const parts = [
    `<text x="2" y="16" font-size="11">${v1.toPrecision(4)}</text><text x="2" y="${height - 20}" font-size="11">${v0.toPrecision(4)}</text>`,
    `<path data-testid="demo-band" d="${bandPath(points.timestamps_ms, points.lower, points.upper, x, y)}" fill="#5794f2" fill-opacity="0.25"/>`,
    ...result.anomalies.map(
      (a) => `<rect data-testid="demo-anomaly-interval" x="${x(a.start_ms) - 1}" width="${Math.max(2, x(a.end_ms) - x(a.start_ms) + 2)}" y="10" height="${height - 30}" fill="${SEVERITY_COLORS[a.severity]}" fill-opacity="0.2"/>`
    ),
    `<path data-testid="demo-line" d="${linePath(points.timestamps_ms, points.values, x, y)}" fill="none" stroke="#1f60c4" stroke-width="1"/>`,
  ];
  if (next) {
    if (interval) {
      parts.push(`<path data-testid="demo-forecast-interval" d="${bandPath(next.timestamps_ms, interval.lower, interval.upper, x, y)}" fill="#8f3bb8" fill-opacity="0.2"/>`);
    }
    parts.push(`<path data-testid="demo-forecast-line" d="${linePath(next.timestamps_ms, next.point, x, y)}" fill="none" stroke="#8f3bb8" stroke-dasharray="4 3"/>`);
  }
  parts.push(
    ...result.anomalies.map((a) => `<circle data-testid="demo-anomaly-point" cx="${x(a.peak_ms)}" cy="${y(a.actual)}" r="4" fill="${SEVERITY_COLORS[a.severity]}"/>`)
  );
  svg.innerHTML = parts.join('');
  const period = result.period_ms ? `${result.period_ms / 3_600_000} h` : 'none';
  const model = next ? `; forecast: ${next.model.family.replace(/_/g, ' ')}, skill ${next.quality.toFixed(2)}` : '';
  byId('summary').textContent = `${points.values.length} points, step ${result.step_ms / 1000} s, period ${period}, ${result.anomalies.length} anomalies${model}. ${result.warnings.map((w) => w.message).join('; ')}`;
}

function listAnomalies(analysis: Analysis) {
  const list = byId('anomalies');
  list.innerHTML = '';
  for (const anomaly of analysis.detect.anomalies) {
    const item = document.createElement('li');
    item.className = anomaly.severity;
    item.textContent = `${new Date(anomaly.peak_ms).toISOString()} ${anomaly.severity} ${anomaly.kind.replace(/_/g, ' ')} ${anomaly.direction}: ${anomaly.actual.toPrecision(4)} vs ${anomaly.expected.toPrecision(4)} expected`;
    item.onclick = () => {
      list.querySelectorAll('li').forEach((li) => li.classList.remove('selected'));
      item.classList.add('selected');
      const scrubbed = scrub(anomalyPrompt(analysis.series.name, anomaly, analysis.detect), {});
      pending = { anomaly, text: scrubbed.text, mapping: scrubbed.mapping };
      showPrompt();
    };
    list.appendChild(item);
  }
}

function plan(series: Series, horizon: number) {
  const finite = Array.from(series.values).filter(Number.isFinite).sort((a, b) => a - b);
  const target = Number(input('target').value) || finite[Math.floor(finite.length * 0.9)] / 4 || 1;
  const box = byId('plan');
  try {
    const result = scale(series.timestamps, series.values, { scale: { target_per_replica: target, max_replicas: 1000 }, forecast: { horizon } });
    const peak = Math.max(...result.replicas);
    box.textContent = `At ${target.toPrecision(3)} per replica: run ${result.replicas_now} now; up to ${peak} over the next ${horizon} steps (${result.changes} changes). Plan: ${result.replicas.join(' ')}`;
  } catch (error) {
    box.textContent = `No plan: ${describe(error)}`;
  }
}

function showPrompt() {
  const endpoint = input('endpoint').value.trim();
  byId('answer').textContent = '';
  const send = byId<HTMLButtonElement>('send');
  send.disabled = !pending;
  send.textContent = endpoint ? `Send to ${chatCompletionsUrl(endpoint)}` : 'Explain offline (nothing is sent)';
  byId('prompt').textContent = pending ? (endpoint ? pending.text : `${pending.text}\n\n(offline: this text stays in the page)`) : '';
}

async function explain() {
  if (!pending) {
    return;
  }
  const endpoint = input('endpoint').value.trim();
  if (!endpoint) {
    byId('answer').textContent = offlineExplanation(pending.anomaly);
    return;
  }
  byId('answer').textContent = 'Waiting for the answer…';
  try {
    const messages = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: pending.text },
    ];
    const answer = await postChatCompletions(chatCompletionsUrl(endpoint), input('model').value, messages);
    byId('answer').textContent = restore(answer, pending.mapping).text;
  } catch (error) {
    byId('answer').textContent = `Explanation failed: ${describe(error)}`;
  }
}

function analyseLogs() {
  const list = byId('findings');
  list.innerHTML = '';
  try {
    const result = logsAnalyze(byId<HTMLTextAreaElement>('log-text').value, { scrub: {} });
    for (const finding of result.findings) {
      const item = document.createElement('li');
      item.textContent = `line ${finding.line}: ${finding.kind} (${finding.reason}) ×${finding.count}: ${finding.event}`;
      list.appendChild(item);
    }
    if (result.findings.length === 0) {
      list.innerHTML = '<li>No findings.</li>';
    }
    const { explanation } = explainLogs({ logs: byId<HTMLTextAreaElement>('log-text').value });
    const commands = explanation.commands.map((c) => `  $ ${c.command}`).join('\n');
    byId('log-explanation').textContent =
      `${explanation.summary}\n\nSuggested fix: ${explanation.suggested_fix}` +
      (commands ? `\n\nCommands to consider (nothing is run; each needs your approval):\n${commands}` : '');
  } catch (error) {
    setStatus(`Logs: ${describe(error)}`);
  }
}

async function loadSample(name: string) {
  if (name === 'synthetic') {
    return syntheticSeries();
  }
  const response = await fetch(`samples/${name}`);
  if (!response.ok) {
    throw new Error(`samples/${name}: ${response.status}`);
  }
  return parseCsv(`${name} (NAB)`, await response.text());
}

function run(task: () => unknown) {
  Promise.resolve()
    .then(task)
    .catch((error) => setStatus(describe(error)));
}

async function main() {
  try {
    await init();
  } catch (error) {
    setStatus(`The Corridor engine could not be loaded: ${describe(error)}`);
    return;
  }
  const sample = byId<HTMLSelectElement>('sample');
  const reload = () => run(async () => analyse(await loadSample(sample.value)));
  sample.onchange = reload;
  input('sensitivity').onchange = () => current && run(() => analyse(current!.series));
  input('horizon').onchange = input('sensitivity').onchange;
  input('target').onchange = input('sensitivity').onchange;
  input('endpoint').oninput = showPrompt;
  byId('send').onclick = () => run(explain);
  byId('analyze-csv').onclick = () => run(() => analyse(parseCsv('pasted CSV', byId<HTMLTextAreaElement>('csv').value)));
  byId('analyze-logs').onclick = () => run(analyseLogs);
  document.body.ondragover = (event) => event.preventDefault();
  document.body.ondrop = (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) {
      run(async () => analyse(parseCsv(file.name, await file.text())));
    }
  };
  reload();
  (window as unknown as { demoReady: boolean }).demoReady = true;
}

main();
