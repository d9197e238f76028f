/** A series as the engine takes it. */
export interface Series {
  name: string;
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * `timestamp,value` lines (a header line is skipped): timestamps as ISO dates or epoch seconds or
 * milliseconds; values that are empty or not numbers become gaps (NaN).
 */
export function parseCsv(name: string, text: string): Series {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [rawTime, rawValue] = line.split(',').map((cell) => cell?.trim() ?? '');
    if (!rawTime) {
      continue;
    }
    const numeric = Number(rawTime);
    const time = Number.isFinite(numeric) ? numeric : Date.parse(rawTime.includes('T') ? rawTime : `${rawTime.replace(' ', 'T')}Z`);
    if (!Number.isFinite(time)) {
      if (timestamps.length === 0) {
        continue; // the header
      }
      throw new Error(`line ${timestamps.length + 2}: "${rawTime}" is not a timestamp`);
    }
    timestamps.push(time);
    values.push(rawValue === '' || rawValue === undefined ? NaN : Number(rawValue));
  }
  return { name, timestamps: Float64Array.from(timestamps), values: Float64Array.from(values) };
}

/** Two weeks at ten minutes: a daily cycle with noise, three spikes, a dip and a level shift. */
export function syntheticSeries(): Series {
  const points = 14 * 144;
  const start = Date.UTC(2026, 0, 5);
  let seed = 42;
  const noise = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  const timestamps = Float64Array.from({ length: points }, (_, i) => start + i * 600_000);
  const values = Float64Array.from({ length: points }, (_, i) => {
    const level = i > 12 * 144 ? 160 : 120;
    return level + 40 * Math.sin((2 * Math.PI * i) / 144) + 6 * noise();
  });
  for (const [i, v] of [[9 * 144 + 30, 420], [10 * 144 + 70, 390], [11 * 144 + 100, 20], [11 * 144 + 101, 25], [8 * 144 + 5, 400]]) {
    values[i] = v;
  }
  return { name: 'synthetic requests per second', timestamps, values };
}
