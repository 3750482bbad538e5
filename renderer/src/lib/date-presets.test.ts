import { describe, expect, it } from 'vitest';
import {
  DATE_PRESETS,
  effectiveToday,
  todayIn,
  eachDay,
  formatRangeLabel,
  parseIsoDate,
  presetRange,
  rangeLength,
} from './date-presets';

describe('presetRange', () => {
  const today = '2026-03-15';

  it.each([
    ['7d', '2026-03-09', '2026-03-15'],
    ['30d', '2026-02-14', '2026-03-15'],
    ['90d', '2025-12-16', '2026-03-15'],
    ['mtd', '2026-03-01', '2026-03-15'],
    ['last-month', '2026-02-01', '2026-02-28'],
    ['qtd', '2026-01-01', '2026-03-15'],
    ['ytd', '2026-01-01', '2026-03-15'],
  ] as const)('%s covers %s to %s', (preset, from, to) => {
    expect(presetRange(preset, today)).toEqual({ from, to });
  });

  it('counts N-day presets inclusively, so "last 7 days" is 7 days', () => {
    expect(rangeLength(presetRange('7d', today))).toBe(7);
    expect(rangeLength(presetRange('30d', today))).toBe(30);
    expect(rangeLength(presetRange('90d', today))).toBe(90);
  });

  it('handles leap years and year boundaries', () => {
    expect(presetRange('last-month', '2024-03-31')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(presetRange('last-month', '2026-01-10')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(presetRange('qtd', '2026-11-05')).toEqual({ from: '2026-10-01', to: '2026-11-05' });
  });

  it('always yields from <= to', () => {
    for (const preset of DATE_PRESETS) {
      const range = presetRange(preset, '2026-01-01');
      expect(range.from <= range.to).toBe(true);
    }
  });

  it('refuses a malformed today instead of computing garbage', () => {
    expect(() => presetRange('7d', '15/03/2026')).toThrow(/YYYY-MM-DD/);
  });
});

describe('todayIn', () => {
  it("gives the calendar day in the client's timezone, not the operator's", () => {
    const now = new Date('2026-11-26T16:30:00Z');
    expect(todayIn('Asia/Tokyo', now)).toBe('2026-11-27');
    expect(todayIn('Europe/Berlin', now)).toBe('2026-11-26');
    expect(todayIn('America/New_York', new Date('2026-11-27T03:00:00Z'))).toBe('2026-11-26');
  });
});

describe('effectiveToday', () => {
  it('uses the last metric date when the cache stops before the wall clock', () => {
    expect(effectiveToday('2026-11-26', '2026-10-31')).toBe('2026-10-31');
  });
  it('uses the wall clock when data is current or absent', () => {
    expect(effectiveToday('2026-11-26', '2026-11-26')).toBe('2026-11-26');
    expect(effectiveToday('2026-11-26', null)).toBe('2026-11-26');
  });
});

describe('parseIsoDate', () => {
  it('accepts real days and rejects impossible ones', () => {
    expect(parseIsoDate('2024-02-29')).not.toBeNull();
    expect(parseIsoDate('2025-02-29')).toBeNull();
    expect(parseIsoDate('2025-2-3')).toBeNull();
    expect(parseIsoDate('nonsense')).toBeNull();
  });
});

describe('eachDay and formatRangeLabel', () => {
  it('lists every day of the range', () => {
    expect(eachDay({ from: '2026-02-27', to: '2026-03-02' })).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
  });
  it('labels a range for people', () => {
    expect(formatRangeLabel({ from: '2026-03-01', to: '2026-03-31' }).replace(/\s+/gu, ' ')).toBe('Mar 1 – 31, 2026');
  });
});
