import React, { useEffect, useMemo, useState } from 'react';
import { PanelProps } from '@grafana/data';
import { Alert, useTheme2 } from '@grafana/ui';
import { analyzeSeries, describeError, SeriesAnalysis } from '../engine/analyze';
import { loadEngine } from '../engine/load';
import { seriesFromFrames } from '../engine/series';
import { Anomaly, Engine } from '../engine/types';
import { CorridorOptions } from '../types';
import { ExplainBox } from './ExplainBox';
import { formatValue, SeriesChart } from './SeriesChart';

type EngineState = { kind: 'loading' } | { kind: 'ready'; engine: Engine } | { kind: 'failed'; message: string };

const LEGEND_HEIGHT = 18;
const MIN_CHART_HEIGHT = 60;
const EXPLAIN_HEIGHT = 200;

/** The Corridor panel: per series its corridor, anomalies and forecast, a legend, and Explain. */
export function CorridorPanel({ data, options, width, height }: PanelProps<CorridorOptions>) {
  const theme = useTheme2();
  const [engineState, setEngineState] = useState<EngineState>({ kind: 'loading' });
  const [selected, setSelected] = useState<{ series: number; anomaly: Anomaly } | undefined>();
  useEffect(() => {
    let current = true;
    loadEngine().then(
      (engine) => current && setEngineState({ kind: 'ready', engine }),
      (error) => current && setEngineState({ kind: 'failed', message: describeError(error) })
    );
    return () => {
      current = false;
    };
  }, []);

  const inputs = useMemo(() => seriesFromFrames(data.series), [data.series]);
  const engine = engineState.kind === 'ready' ? engineState.engine : undefined;
  const analyses = useMemo<SeriesAnalysis[]>(
    () => (engine ? inputs.map((input) => analyzeSeries(engine, input, options)) : []),
    [engine, inputs, options]
  );

  if (engineState.kind === 'failed') {
    return (
      <div data-testid="corridor-message">
        <Alert title="The Corridor engine could not be loaded" severity="error">
          {engineState.message}. Check that the plugin&apos;s files (the corridor-web chunk and its .wasm) are served
          with the plugin.
        </Alert>
      </div>
    );
  }
  if (inputs.length === 0) {
    return <PanelMessage text="No data: the query returned no time series with numbers." />;
  }
  if (!engine) {
    return <PanelMessage text="Loading the Corridor engine…" />;
  }
  const drawable = analyses.filter((a) => a.detect);
  const problems = analyses.flatMap((a) => (a.problem ? [a.problem] : []));
  if (drawable.length === 0) {
    return <PanelMessage text={problems.join('\n')} />;
  }
  const explainHeight = selected ? EXPLAIN_HEIGHT : 0;
  const problemsHeight = problems.length > 0 ? 16 * Math.min(problems.length, 3) + 8 : 0;
  const chartHeight = Math.max(
    MIN_CHART_HEIGHT,
    Math.floor((height - explainHeight - problemsHeight) / drawable.length) - LEGEND_HEIGHT
  );
  const palette = theme.visualization.palette;
  const selectedAnalysis = selected ? analyses[selected.series] : undefined;
  return (
    <div style={{ width, height, overflowY: 'auto' }} data-testid="corridor-panel">
      {problems.length > 0 && (
        <div
          style={{ fontSize: 11, color: theme.colors.warning.text, whiteSpace: 'pre-wrap' }}
          data-testid="corridor-problems"
        >
          {problems.join('\n')}
        </div>
      )}
      {analyses.map((analysis, index) => {
        if (!analysis.detect) {
          return null;
        }
        const color = theme.visualization.getColorByName(palette[index % palette.length]);
        return (
          <div key={`${analysis.input.name}-${index}`} data-testid="corridor-series">
            <Legend analysis={analysis} color={color} />
            <SeriesChart
              analysis={analysis}
              width={width - 12}
              height={chartHeight}
              color={color}
              layers={options.layers}
              theme={theme}
              selected={selected?.series === index ? selected.anomaly : undefined}
              onSelect={(anomaly) => setSelected({ series: index, anomaly })}
            />
          </div>
        );
      })}
      {selected && selectedAnalysis?.detect && (
        <ExplainBox
          engine={engine}
          seriesName={selectedAnalysis.input.name}
          anomaly={selected.anomaly}
          detect={selectedAnalysis.detect}
          options={options}
        />
      )}
    </div>
  );
}

function Legend({ analysis, color }: { analysis: SeriesAnalysis; color: string }) {
  const detect = analysis.detect!;
  const period = detect.period_ms ? `period ${detect.period_ms / 3_600_000} h` : 'no period';
  const forecast = analysis.forecast
    ? `forecast ${analysis.forecast.model.family.replace(/_/g, ' ')}, next ${formatValue(analysis.forecast.point[0])}`
    : (analysis.forecastProblem ?? '');
  return (
    <div
      style={{ height: LEGEND_HEIGHT, fontSize: 12, whiteSpace: 'nowrap', overflow: 'hidden' }}
      data-testid="corridor-legend"
    >
      <span style={{ display: 'inline-block', width: 10, height: 10, marginRight: 6, background: color }} />
      {analysis.input.name} · {detect.anomalies.length} anomalies · {period} · {forecast}
    </div>
  );
}

function PanelMessage({ text }: { text: string }) {
  return (
    <div style={{ padding: 8, whiteSpace: 'pre-wrap' }} data-testid="corridor-message">
      {text}
    </div>
  );
}
