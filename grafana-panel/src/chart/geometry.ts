/** A linear map from a data interval onto a pixel interval. */
export function linearScale(d0: number, d1: number, p0: number, p1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => p0 + ((v - d0) / span) * (p1 - p0);
}

/** Smallest and largest finite value over several arrays, or [0, 1] when there is none. */
export function finiteExtent(arrays: Array<ArrayLike<number>>): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++) {
      const v = array[i];
      if (v < low) {
        low = v;
      }
      if (v > high) {
        high = v;
      }
    }
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    return [0, 1];
  }
  return low === high ? [low - 1, high + 1] : [low, high];
}

/**
 * An SVG path of `values` over `timestamps`, reduced to at most two points per pixel column
 * (the column's lowest and highest value), broken at gaps.
 */
export function linePath(
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  x: (t: number) => number,
  y: (v: number) => number
): string {
  const parts: string[] = [];
  let column = NaN;
  let low = Infinity;
  let high = -Infinity;
  let pen = 'M';
  const flush = () => {
    if (low <= high) {
      parts.push(`${pen}${column},${y(low).toFixed(1)}`);
      pen = 'L';
      if (high !== low) {
        parts.push(`L${column},${y(high).toFixed(1)}`);
      }
    }
    low = Infinity;
    high = -Infinity;
  };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      flush();
      pen = 'M';
      continue;
    }
    const px = Math.round(x(timestamps[i]));
    if (px !== column) {
      flush();
      column = px;
    }
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  flush();
  return parts.join('');
}

/**
 * An SVG path of the band between `lower` and `upper` (one closed shape per stretch without
 * gaps), reduced to one point per pixel column on each edge (the widest extent).
 */
export function bandPath(
  timestamps: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  x: (t: number) => number,
  y: (v: number) => number
): string {
  const shapes: string[] = [];
  let tops: string[] = [];
  let bottoms: string[] = [];
  let column = NaN;
  let low = Infinity;
  let high = -Infinity;
  const flushColumn = () => {
    if (low <= high) {
      tops.push(`${column},${y(high).toFixed(1)}`);
      bottoms.push(`${column},${y(low).toFixed(1)}`);
    }
    low = Infinity;
    high = -Infinity;
  };
  const flushShape = () => {
    flushColumn();
    if (tops.length > 0) {
      shapes.push(`M${tops.join('L')}L${bottoms.reverse().join('L')}Z`);
    }
    tops = [];
    bottoms = [];
  };
  for (let i = 0; i < timestamps.length; i++) {
    const lo = lower[i];
    const hi = upper[i];
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      flushShape();
      continue;
    }
    const px = Math.round(x(timestamps[i]));
    if (px !== column) {
      flushColumn();
      column = px;
    }
    low = Math.min(low, lo);
    high = Math.max(high, hi);
  }
  flushShape();
  return shapes.join('');
}

/** Index of the timestamp nearest to `t` in ascending `timestamps`. */
export function nearestIndex(timestamps: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = timestamps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timestamps[mid] < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo > 0 && Math.abs(timestamps[lo - 1] - t) <= Math.abs(timestamps[lo] - t)) {
    return lo - 1;
  }
  return lo;
}
