export interface SeriesPoint {
  x: number;
  y: number;
}

/** Victory lags past ~1k points and a screen has ~2k horizontal pixels: more points only cost time. */
export const MAX_CHART_POINTS = 2000;

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the first and last point and, per bucket, the point that
 * spans the largest triangle with its neighbours, so peaks and dips survive where averaging would flatten them.
 * Input must be sorted by x.
 */
export function downsampleLttb<T extends SeriesPoint>(points: readonly T[], threshold = MAX_CHART_POINTS): T[] {
  if (!Number.isInteger(threshold) || threshold < 3) {
    throw new Error(`downsampleLttb needs a whole threshold of at least 3, got ${threshold}`);
  }
  if (points.length <= threshold) return points.slice();

  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return [];

  const sampled: T[] = [first];
  const bucketSize = (points.length - 2) / (threshold - 2);
  let anchor = first;

  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.min(Math.floor((bucket + 1) * bucketSize) + 1, points.length - 1);

    // The next bucket's average stands in for the point that will be chosen there.
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, points.length);
    let avgX = 0;
    let avgY = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      const p = points[i] as T;
      avgX += p.x;
      avgY += p.y;
    }
    const nextCount = Math.max(nextEnd - nextStart, 1);
    avgX /= nextCount;
    avgY /= nextCount;

    let chosen = points[start] as T;
    let largestArea = -1;
    for (let i = start; i < end; i++) {
      const p = points[i] as T;
      const area = Math.abs((anchor.x - avgX) * (p.y - anchor.y) - (anchor.x - p.x) * (avgY - anchor.y));
      if (area > largestArea) {
        largestArea = area;
        chosen = p;
      }
    }
    sampled.push(chosen);
    anchor = chosen;
  }

  sampled.push(last);
  return sampled;
}
