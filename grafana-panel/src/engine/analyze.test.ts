import { analyzeSeries } from './analyze';
import { seriesFromFrames, seriesProblem } from './series';
import { Engine } from './types';
import { defaultOptions } from '../types';
import { dailyValues, frame, START_MS } from '../testing/fixtures';

// The real engine: the Node build of corridor_web.
const engine: Engine = require('../wasm/nodejs/corridor_web');

describe('analyzeSeries on @grafana/data frames', () => {
  it('finds the spike, the corridor and the forecast of each series', () => {
    const frames = [frame('cpu', dailyValues(3 * 1440, [2 * 1440 + 300])), frame('rps', dailyValues(3 * 1440, [], 50))];
    const inputs = seriesFromFrames(frames);
    expect(inputs.map((s) => s.name)).toEqual(['cpu', 'rps']);
    const [cpu, rps] = inputs.map((input) => analyzeSeries(engine, input, defaultOptions));
    expect(cpu.problem).toBeUndefined();
    expect(cpu.detect!.anomalies.map((a) => a.peak_ms)).toContain(START_MS + (2 * 1440 + 300) * 60_000);
    expect(cpu.detect!.points.upper).toHaveLength(3 * 1440);
    expect(cpu.forecast!.point).toHaveLength(defaultOptions.forecastHorizon);
    expect(rps.detect!.anomalies.filter((a) => a.severity === 'critical')).toHaveLength(0);
  });

  it('turns nulls into gaps', () => {
    const values: Array<number | null> = dailyValues(600);
    values[100] = null;
    const [input] = seriesFromFrames([frame('gappy', values)]);
    expect(Number.isNaN(input.values[100])).toBe(true);
    const analysis = analyzeSeries(engine, input, { ...defaultOptions, forecastHorizon: 0 });
    expect(analysis.detect!.warnings.map((w) => w.code)).toContain('non_finite_values');
    expect(analysis.forecast).toBeUndefined();
  });

  it('explains series it cannot analyse', () => {
    const [allNaN] = seriesFromFrames([frame('empty', [null, null, null])]);
    expect(analyzeSeries(engine, allNaN, defaultOptions).problem).toMatch(/every value is missing/);
    const [one] = seriesFromFrames([frame('single', [42])]);
    expect(seriesProblem(one)).toMatch(/only one point/);
    const long = { name: 'long', timestamps: new Float64Array(300_000), values: new Float64Array(300_000) };
    expect(analyzeSeries(engine, long, defaultOptions).problem).toMatch(/Very long range/);
  });

  it('keeps the corridor when only the forecast fails', () => {
    const [input] = seriesFromFrames([frame('cpu', dailyValues(600))]);
    const analysis = analyzeSeries(engine, input, { ...defaultOptions, forecastHorizon: 20_000 });
    expect(analysis.detect!.points.upper).toHaveLength(600);
    expect(analysis.forecast).toBeUndefined();
    expect(analysis.forecastProblem).toMatch(/^no forecast: .*\(invalid_option\)$/);
  });

  it('reports engine errors with their code', () => {
    const [input] = seriesFromFrames([frame('short', [1, 2, 3])]);
    const analysis = analyzeSeries(engine, input, { ...defaultOptions, sensitivity: 5 });
    expect(analysis.problem).toMatch(/\(invalid_option\)/);
  });
});
