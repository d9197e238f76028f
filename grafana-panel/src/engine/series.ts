import { DataFrame, FieldType, getFieldDisplayName } from '@grafana/data';

/** One time series of the query result, as the engine takes it. */
export interface SeriesInput {
  name: string;
  timestamps: Float64Array;
  values: Float64Array;
}

/** Most points per series the panel analyses; beyond it the range is too long to draw usefully. */
export const MAX_SERIES_POINTS = 200_000;

/** Every numeric field of every frame with a time field, as one series each. */
export function seriesFromFrames(frames: DataFrame[]): SeriesInput[] {
  const series: SeriesInput[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((field) => field.type === FieldType.time);
    if (!time) {
      continue;
    }
    const timestamps = toFloat64(time.values);
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const values = toFloat64(field.values);
      series.push({ name: getFieldDisplayName(field, frame, frames), timestamps, values });
    }
  }
  return series;
}

/** A field's values as numbers, `null` and `undefined` as NaN (a plain loop: no callback per value). */
function toFloat64(values: ArrayLike<unknown>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/** Why a series cannot be analysed, in words for the panel; undefined when it can. */
export function seriesProblem(series: SeriesInput): string | undefined {
  const points = series.values.length;
  if (points > MAX_SERIES_POINTS) {
    return `Very long range: ${series.name} has ${points} points (at most ${MAX_SERIES_POINTS}). Shorten the time range or lower "Max data points" in the query options.`;
  }
  const finite = series.values.reduce((count, v) => count + (Number.isFinite(v) ? 1 : 0), 0);
  if (finite === 0) {
    return `${series.name}: every value is missing (NaN or null); there is nothing to analyse.`;
  }
  if (finite === 1) {
    return `${series.name}: only one point; Corridor needs a history to learn what is normal.`;
  }
  return undefined;
}
