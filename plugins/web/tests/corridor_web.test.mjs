// Node tests of corridor_web through its real Node build (pkg/nodejs): typed arrays in, plain
// objects out, and every kind of bad input thrown as an Error with the contract's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const corridor = createRequire(import.meta.url)('../pkg/nodejs/corridor_web.js');

const MINUTE_MS = 60_000;
const START_MS = Date.UTC(2026, 0, 5);

/** A daily-shaped series at one minute with a spike at `spikeAt`. */
function series(points, spikeAt) {
  const timestamps = new Float64Array(points);
  const values = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    timestamps[i] = START_MS + i * MINUTE_MS;
    values[i] = 100 + 20 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 13) / 13;
  }
  if (spikeAt !== undefined) {
    values[spikeAt] = 400;
  }
  return { timestamps, values };
}

/** Runs `call` and returns what it threw. */
function thrown(call) {
  try {
    call();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

test('detect finds the spike and returns the corridor as Float64Array columns', () => {
  const { timestamps, values } = series(4 * 1440, 3 * 1440 + 100);
  const result = corridor.detect(timestamps, values, { sensitivity: 0.5, seasonality: 'daily' });
  assert.equal(result.version, 'corridor.v1');
  assert.equal(result.step_ms, MINUTE_MS);
  assert.equal(result.period_ms, 1440 * MINUTE_MS);
  assert.equal(result.state, undefined);
  for (const column of ['timestamps_ms', 'values', 'expected', 'lower', 'upper', 'score']) {
    assert.ok(result.points[column] instanceof Float64Array, column);
    assert.equal(result.points[column].length, values.length, column);
  }
  assert.ok(Number.isNaN(result.points.expected[0]), 'warm-up has no corridor');
  const last = values.length - 1;
  assert.ok(result.points.lower[last] < values[last] && values[last] < result.points.upper[last]);
  const spike = result.anomalies.find((a) => a.peak_ms === timestamps[3 * 1440 + 100]);
  assert.ok(spike, JSON.stringify(result.anomalies));
  assert.equal(spike.direction, 'above');
  assert.equal(spike.severity, 'critical');
  assert.equal(spike.actual, 400);
});

test('detect reads seconds too and accepts NaN gaps', () => {
  const { timestamps, values } = series(600);
  const seconds = timestamps.map((t) => t / 1000);
  values[10] = NaN;
  const result = corridor.detect(seconds, values);
  assert.equal(result.points.timestamps_ms[0], START_MS);
  assert.ok(result.warnings.some((w) => w.code === 'non_finite_values'));
});

test('baseline gives the corridor without anomalies', () => {
  const { timestamps, values } = series(600, 500);
  const result = corridor.baseline(timestamps, values, { seasonality: 'none' });
  assert.equal(result.anomalies, undefined);
  assert.equal(result.points.upper.length, 600);
});

test('forecast continues the series with intervals', () => {
  const { timestamps, values } = series(3 * 1440);
  const result = corridor.forecast(timestamps, values, { horizon: 60, levels: [80] });
  assert.equal(result.point.length, 60);
  assert.equal(result.timestamps_ms[0], timestamps[timestamps.length - 1] + MINUTE_MS);
  assert.equal(result.intervals[0].level, 80);
  assert.ok(result.intervals[0].lower.every((low, i) => low <= result.point[i]));
});

test('detectAndForecast answers as detect and forecast do, and reports a failed forecast beside the detection', () => {
  const { timestamps, values } = series(3 * 1440, 2 * 1440);
  const detectOptions = { sensitivity: 0.6 };
  const both = corridor.detectAndForecast(timestamps, values, detectOptions, { horizon: 30 });
  assert.deepEqual(both.detect, corridor.detect(timestamps, values, detectOptions));
  assert.deepEqual(both.forecast, corridor.forecast(timestamps, values, { horizon: 30 }));
  assert.equal(both.forecast_error, undefined);
  for (const bad of [{ horizon: 0 }, { horizon: 'soon' }]) {
    const failed = corridor.detectAndForecast(timestamps, values, detectOptions, bad);
    assert.deepEqual(failed.detect, both.detect);
    assert.equal(failed.forecast, undefined);
    assert.equal(failed.forecast_error.code, 'invalid_option');
  }
  assert.equal(thrown(() => corridor.detectAndForecast(timestamps, values, { sensitivity: 7 }, {})).code, 'invalid_option');
});

test('scale plans replicas from the load', () => {
  const { timestamps, values } = series(2 * 1440);
  const result = corridor.scale(timestamps, values, { scale: { target_per_replica: 25 }, forecast: { horizon: 30 } });
  assert.ok(result.replicas_now >= 4 && result.replicas_now <= 8, String(result.replicas_now));
  assert.equal(result.replicas.length, 30);
});

test('logsAnalyze finds the error lines and scrubs them when asked', () => {
  const lines = [];
  for (let i = 0; i < 40; i++) {
    lines.push(`2026-01-05T10:00:${String(i).padStart(2, '0')}Z INFO request served in ${i} ms`);
  }
  lines.push('2026-01-05T10:01:00Z ERROR payment failed for alice@example.com: connection refused');
  const result = corridor.logsAnalyze(lines.join('\n'), { scrub: {} });
  assert.ok(result.findings.length >= 1);
  const error = result.findings.find((f) => f.level === 'error');
  assert.ok(error.event.includes('<EMAIL_1>') && !error.event.includes('alice@example.com'), error.event);
  assert.ok(Object.values(result.mapping).includes('alice@example.com'));
});

test('scrub hides secrets with stable placeholders and restore brings them back', () => {
  const text = 'user bob@example.com used key AKIAIOSFODNN7EXAMPLE then bob@example.com again';
  const scrubbed = corridor.scrub(text, {});
  assert.ok(!scrubbed.text.includes('bob@example.com'));
  assert.ok(!scrubbed.text.includes('AKIAIOSFODNN7EXAMPLE'));
  const [placeholder] = Object.keys(scrubbed.mapping).filter((k) => scrubbed.mapping[k] === 'bob@example.com');
  assert.equal(scrubbed.text.split(placeholder).length, 3);
  assert.equal(corridor.restore(scrubbed.text, scrubbed.mapping).text, text);
});

test('bad input is thrown as an Error with the contract code, message and field', () => {
  const { timestamps, values } = series(100);
  const cases = [
    [() => corridor.detect(new Float64Array([1, 2]), new Float64Array([1])), 'length_mismatch', 'values'],
    [() => corridor.detect(new Float64Array(0), new Float64Array(0)), 'empty_series', 'timestamps'],
    [() => corridor.detect(new Float64Array([1, 2, 3]), new Float64Array([NaN, NaN, NaN])), 'too_few_points', 'values'],
    [() => corridor.detect(new Float64Array([1]), new Float64Array([3])), 'too_few_points', 'values'],
    [() => corridor.detect(new Float64Array([NaN]), new Float64Array([1])), 'invalid_timestamp', 'timestamps'],
    [() => corridor.detect(timestamps, values, { sensitivity: 7 }), 'invalid_option', 'options.sensitivity'],
    [() => corridor.detect(timestamps, values, { seasonality: 'hourly' }), 'invalid_option', 'options'],
    [() => corridor.forecast(timestamps, values, { horizon: 0 }), 'invalid_option', 'horizon'],
    [() => corridor.detect(timestamps, values, { sensitivity: 1n }), 'malformed_request', 'options'],
    [() => corridor.scale(timestamps, values, {}), 'malformed_request', undefined],
    [() => corridor.scrub('text', 'not an object'), 'malformed_request', 'params'],
    [() => corridor.restore('text', 42), 'malformed_request', undefined],
  ];
  for (const [call, code, field] of cases) {
    const error = thrown(call);
    assert.ok(error instanceof Error, String(error));
    assert.equal(error.name, 'CorridorError');
    assert.equal(error.code, code, `${call}: ${error.message}`);
    assert.equal(error.field, field, `${call}: ${error.message}`);
    assert.ok(error.message.length > 0);
  }
});

test('explain gives the rule book answer for the classic database failure', () => {
  const logs = [
    'Starting server...',
    "ConnectionRefusedError: [Errno 111] Connection refused: 'db-prod-1:5432'",
    'Database health check failed. Retrying in 5s...',
  ].join('\n');
  const { explanation } = corridor.explain({ logs });
  assert.equal(explanation.source, 'rule_book');
  assert.equal(explanation.family, 'connection_refused');
  assert.match(explanation.suggested_fix, /db-prod-1:5432/);
  assert.ok(explanation.commands.every((c) => c.requires_approval === true));
  assert.throws(() => corridor.explain({ logs: 42 }), (e) => e.code === 'malformed_request');
});
