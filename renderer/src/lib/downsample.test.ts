import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { downsampleLttb, MAX_CHART_POINTS } from './downsample';

const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

describe('downsampleLttb', () => {
  it('returns short series unchanged', () => {
    const points = series(10, (i) => i * 2);
    expect(downsampleLttb(points, 20)).toEqual(points);
  });

  it('caps long series at the threshold, keeping the ends', () => {
    const points = series(10_000, (i) => Math.sin(i / 50));
    const sampled = downsampleLttb(points);
    expect(sampled).toHaveLength(MAX_CHART_POINTS);
    expect(sampled[0]).toBe(points[0]);
    expect(sampled.at(-1)).toBe(points.at(-1));
  });

  it('keeps a lone spike that averaging would flatten', () => {
    const points = series(5_000, (i) => (i === 2_345 ? 1_000 : 1));
    const sampled = downsampleLttb(points, 100);
    expect(sampled.some((p) => p.y === 1_000)).toBe(true);
  });

  it('returns points of the input in x order, never invented ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 0, maxLength: 400 }),
        fc.integer({ min: 3, max: 60 }),
        (ys, threshold) => {
          const points = ys.map((y, x) => ({ x, y }));
          const sampled = downsampleLttb(points, threshold);
          expect(sampled.length).toBe(Math.min(points.length, threshold));
          for (let i = 1; i < sampled.length; i++) expect(sampled[i]!.x).toBeGreaterThan(sampled[i - 1]!.x);
          for (const p of sampled) expect(points[p.x]).toBe(p);
        },
      ),
    );
  });

  it('rejects a threshold that cannot keep both ends', () => {
    expect(() =>
      downsampleLttb(
        series(10, (i) => i),
        2,
      ),
    ).toThrow(/at least 3/);
  });
});
