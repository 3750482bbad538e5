import { describe, expect, it } from 'vitest';
import { addDays, dayInTimeZone, isoWeekStart, previousRange, rangeLength, splitByWholeMonths } from './calendar-days';

describe('calendar days', () => {
  it('steps across month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });

  it('puts the previous period immediately before the range with the same length', () => {
    expect(previousRange({ from: '2025-03-01', to: '2025-03-31' })).toEqual({ from: '2025-01-29', to: '2025-02-28' });
    expect(rangeLength({ from: '2025-03-01', to: '2025-03-31' })).toBe(31);
    expect(previousRange({ from: '2025-01-01', to: '2025-01-01' })).toEqual({ from: '2024-12-31', to: '2024-12-31' });
  });

  it('starts ISO weeks on Monday', () => {
    expect(isoWeekStart('2025-06-01')).toBe('2025-05-26'); // Sunday belongs to the week before
    expect(isoWeekStart('2025-06-02')).toBe('2025-06-02');
    expect(isoWeekStart('2026-01-01')).toBe('2025-12-29');
  });

  it('tells "today" per timezone', () => {
    const instant = new Date('2025-06-01T20:00:00Z');
    expect(dayInTimeZone(instant, 'America/New_York')).toBe('2025-06-01');
    expect(dayInTimeZone(instant, 'Asia/Tokyo')).toBe('2025-06-02');
  });

  it('splits a range into ragged edges and whole months', () => {
    expect(splitByWholeMonths({ from: '2025-01-15', to: '2025-04-10' })).toEqual({
      head: { from: '2025-01-15', to: '2025-01-31' },
      months: { from: '2025-02-01', to: '2025-03-01' },
      tail: { from: '2025-04-01', to: '2025-04-10' },
    });
    expect(splitByWholeMonths({ from: '2025-02-01', to: '2025-02-28' })).toEqual({
      head: null,
      months: { from: '2025-02-01', to: '2025-02-01' },
      tail: null,
    });
    expect(splitByWholeMonths({ from: '2025-02-03', to: '2025-02-20' })).toEqual({
      head: { from: '2025-02-03', to: '2025-02-20' },
      months: null,
      tail: null,
    });
    expect(splitByWholeMonths({ from: '2025-01-31', to: '2025-03-01' })).toEqual({
      head: { from: '2025-01-31', to: '2025-01-31' },
      months: { from: '2025-02-01', to: '2025-02-01' },
      tail: { from: '2025-03-01', to: '2025-03-01' },
    });
  });
});
