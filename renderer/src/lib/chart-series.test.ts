import { describe, expect, it } from 'vitest';
import { evenTicks, formatBucket, isoDateToUtcMs, toSpendRevenueSeries } from './chart-series';

describe('toSpendRevenueSeries', () => {
  it('converts micros to currency units in date order', () => {
    const series = toSpendRevenueSeries([
      { bucket: '2026-01-02', spendMicros: 2_500_000, revenueMicros: 10_000_000 },
      { bucket: '2026-01-01', spendMicros: 1_000_000, revenueMicros: 0 },
    ]);
    expect(series.spend).toEqual([
      { x: isoDateToUtcMs('2026-01-01'), y: 1 },
      { x: isoDateToUtcMs('2026-01-02'), y: 2.5 },
    ]);
    expect(series.revenue.map((p) => p.y)).toEqual([0, 10]);
  });

  it('never hands the chart more than the point budget', () => {
    const start = isoDateToUtcMs('2000-01-01');
    const points = Array.from({ length: 5_000 }, (_, i) => ({
      bucket: new Date(start + i * 86_400_000).toISOString().slice(0, 10),
      spendMicros: i * 1_000,
      revenueMicros: (i % 7) * 1_000_000,
    }));
    const series = toSpendRevenueSeries(points);
    expect(series.spend).toHaveLength(2_000);
    expect(series.revenue).toHaveLength(2_000);
    expect(toSpendRevenueSeries(points, 300).spend).toHaveLength(300);
  });
});

describe('formatBucket', () => {
  it('labels buckets by granularity without timezone drift', () => {
    const jan1 = isoDateToUtcMs('2026-01-01');
    expect(formatBucket(jan1, 'day')).toBe('Jan 1');
    expect(formatBucket(jan1, 'month')).toBe('Jan 2026');
  });
});

describe('evenTicks', () => {
  it('keeps short axes whole and thins long ones to real points including both ends', () => {
    expect(evenTicks([1, 2, 3], 7)).toEqual([1, 2, 3]);
    const xs = Array.from({ length: 31 }, (_, i) => i * 10);
    const ticks = evenTicks(xs, 7);
    expect(ticks).toHaveLength(7);
    expect(ticks[0]).toBe(0);
    expect(ticks.at(-1)).toBe(300);
    expect(ticks.every((t) => xs.includes(t))).toBe(true);
  });
});
