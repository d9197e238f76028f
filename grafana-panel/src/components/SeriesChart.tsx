import React, { useMemo, useState } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { SeriesAnalysis } from '../engine/analyze';
import { Anomaly, Severity } from '../engine/types';
import { bandPath, finiteExtent, linePath, linearScale, nearestIndex } from '../chart/geometry';
import { Layer } from '../types';

interface Props {
  analysis: SeriesAnalysis;
  width: number;
  height: number;
  color: string;
  layers: Layer[];
  theme: GrafanaTheme2;
  selected?: Anomaly;
  onSelect: (anomaly: Anomaly) => void;
}

const MARGIN = { left: 48, right: 8, top: 6, bottom: 16 };

/** Colour of an anomaly by severity. */
export function severityColor(theme: GrafanaTheme2, severity: Severity): string {
  const name = { minor: 'yellow', major: 'orange', critical: 'red' }[severity];
  return theme.visualization.getColorByName(name);
}

/** One series: line, corridor band, anomalies (intervals and peaks), forecast and its interval, and a tooltip. */
export function SeriesChart({ analysis, width, height, color, layers, theme, selected, onSelect }: Props) {
  const { detect, forecast } = analysis;
  const [hover, setHover] = useState<number | undefined>();
  const geometry = useMemo(() => {
    if (!detect) {
      return undefined;
    }
    const points = detect.points;
    const interval = forecast?.intervals[forecast.intervals.length - 1];
    const t0 = points.timestamps_ms[0];
    const t1 = forecast
      ? forecast.timestamps_ms[forecast.timestamps_ms.length - 1]
      : points.timestamps_ms[points.timestamps_ms.length - 1];
    const extentOf: Array<ArrayLike<number>> = [points.values];
    if (layers.includes('band')) {
      extentOf.push(points.lower, points.upper);
    }
    if (forecast) {
      extentOf.push(forecast.point, ...(interval ? [interval.lower, interval.upper] : []));
    }
    const [v0, v1] = finiteExtent(extentOf);
    const x = linearScale(t0, t1, MARGIN.left, width - MARGIN.right);
    const y = linearScale(v0, v1, height - MARGIN.bottom, MARGIN.top);
    return {
      t0,
      t1,
      x,
      y,
      v0,
      v1,
      line: linePath(points.timestamps_ms, points.values, x, y),
      band: bandPath(points.timestamps_ms, points.lower, points.upper, x, y),
      forecastLine: forecast ? linePath(forecast.timestamps_ms, forecast.point, x, y) : '',
      forecastBand: forecast && interval ? bandPath(forecast.timestamps_ms, interval.lower, interval.upper, x, y) : '',
    };
  }, [detect, forecast, layers, width, height]);
  if (!detect || !geometry) {
    return null;
  }
  const { x, y } = geometry;
  const points = detect.points;
  const onMove = (event: React.MouseEvent<SVGSVGElement>) => {
    const px = event.clientX - event.currentTarget.getBoundingClientRect().left;
    const time = linearScale(MARGIN.left, width - MARGIN.right, geometry.t0, geometry.t1)(px);
    setHover(nearestIndex(points.timestamps_ms, time));
  };
  return (
    <div style={{ position: 'relative' }}>
      <svg
        width={width}
        height={height}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(undefined)}
        data-testid="corridor-chart"
      >
        <text x={4} y={MARGIN.top + 8} fontSize={10} fill={theme.colors.text.secondary}>
          {formatValue(geometry.v1)}
        </text>
        <text x={4} y={height - MARGIN.bottom} fontSize={10} fill={theme.colors.text.secondary}>
          {formatValue(geometry.v0)}
        </text>
        {layers.includes('band') && (
          <path d={geometry.band} fill={color} fillOpacity={0.3} stroke="none" data-testid="corridor-band" />
        )}
        {layers.includes('anomalies') &&
          detect.anomalies.map((anomaly) => (
            <rect
              key={`interval-${anomaly.start_ms}-${anomaly.kind}`}
              x={x(anomaly.start_ms) - 1}
              width={Math.max(2, x(anomaly.end_ms) - x(anomaly.start_ms) + 2)}
              y={MARGIN.top}
              height={height - MARGIN.top - MARGIN.bottom}
              fill={severityColor(theme, anomaly.severity)}
              fillOpacity={0.15}
              data-testid="corridor-anomaly-interval"
              data-severity={anomaly.severity}
            />
          ))}
        {layers.includes('series') && (
          <path d={geometry.line} fill="none" stroke={color} strokeWidth={1.2} data-testid="corridor-line" />
        )}
        {forecast && (
          <g data-testid="corridor-forecast">
            <path d={geometry.forecastBand} fill={color} fillOpacity={0.1} data-testid="corridor-forecast-interval" />
            <path
              d={geometry.forecastLine}
              fill="none"
              stroke={color}
              strokeDasharray="4 3"
              strokeWidth={1.2}
              data-testid="corridor-forecast-line"
            />
          </g>
        )}
        {hover !== undefined && (
          <line
            x1={x(points.timestamps_ms[hover])}
            x2={x(points.timestamps_ms[hover])}
            y1={MARGIN.top}
            y2={height - MARGIN.bottom}
            stroke={theme.colors.text.disabled}
            pointerEvents="none"
          />
        )}
        {layers.includes('anomalies') &&
          detect.anomalies.map((anomaly) => (
            <circle
              key={`peak-${anomaly.start_ms}-${anomaly.kind}`}
              cx={x(anomaly.peak_ms)}
              cy={y(anomaly.actual)}
              r={anomaly === selected ? 6 : 4}
              fill={severityColor(theme, anomaly.severity)}
              stroke={anomaly === selected ? theme.colors.text.primary : 'none'}
              style={{ cursor: 'pointer' }}
              onClick={() => onSelect(anomaly)}
              data-testid="corridor-anomaly-point"
              data-severity={anomaly.severity}
            >
              <title>{`${anomaly.severity} ${anomaly.kind.replace(/_/g, ' ')}: click to explain`}</title>
            </circle>
          ))}
      </svg>
      {hover !== undefined && (
        <Tooltip analysis={analysis} index={hover} left={x(points.timestamps_ms[hover])} width={width} theme={theme} />
      )}
    </div>
  );
}

function Tooltip({
  analysis,
  index,
  left,
  width,
  theme,
}: {
  analysis: SeriesAnalysis;
  index: number;
  left: number;
  width: number;
  theme: GrafanaTheme2;
}) {
  const points = analysis.detect!.points;
  const style: React.CSSProperties = {
    position: 'absolute',
    top: 4,
    left: left > width / 2 ? left - 210 : left + 10,
    width: 200,
    padding: 6,
    fontSize: 11,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    pointerEvents: 'none',
  };
  return (
    <div style={style} data-testid="corridor-tooltip">
      <div>{new Date(points.timestamps_ms[index]).toISOString()}</div>
      <div>actual: {formatValue(points.values[index])}</div>
      <div>expected: {formatValue(points.expected[index])}</div>
      <div>
        corridor: {formatValue(points.lower[index])} – {formatValue(points.upper[index])}
      </div>
      <div>score: {formatValue(points.score[index])}</div>
    </div>
  );
}

/** A number for labels; `–` for a missing one. */
export function formatValue(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : '–';
}
