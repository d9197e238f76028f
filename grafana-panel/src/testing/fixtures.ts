import { createDataFrame, DataFrame, FieldType } from '@grafana/data';

const MINUTE_MS = 60_000;
/** Start of every test series: a Monday, 00:00 UTC. */
export const START_MS = Date.UTC(2026, 0, 5);

/** A daily-shaped one-minute series with spikes at the given indices. */
export function dailyValues(points: number, spikes: number[] = [], level = 100): number[] {
  const values = Array.from(
    { length: points },
    (_, i) => level + 0.2 * level * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 13) / 13
  );
  for (const i of spikes) {
    values[i] = level * 4;
  }
  return values;
}

/** A Prometheus-like data frame: one time field and one number field with labels. */
export function frame(name: string, values: Array<number | null>, labels: Record<string, string> = {}): DataFrame {
  return createDataFrame({
    refId: 'A',
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => START_MS + i * MINUTE_MS) },
      {
        name: 'Value',
        type: FieldType.number,
        values,
        labels: { __name__: name, ...labels },
        config: { displayNameFromDS: name },
      },
    ],
  });
}
