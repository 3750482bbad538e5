import { describe, expect, it } from 'vitest';
import { metricsWindow } from '../../src/sync/metrics-window';
import { addDays, subtractMonths, dayInTimeZone } from '@kiki/shared/dates';

describe('metrics window arithmetic', () => {
  it('subtracts calendar months, clamping to the shorter month like PostgreSQL', () => {
    expect(subtractMonths('2026-03-31', 1)).toBe('2026-02-28');
    expect(subtractMonths('2028-03-31', 1)).toBe('2028-02-29');
    expect(subtractMonths('2026-11-26', 25)).toBe('2024-10-26');
    expect(subtractMonths('2026-01-15', 13)).toBe('2024-12-15');
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it("uses the advertiser's own calendar day", () => {
    const instant = new Date('2026-11-26T20:30:00Z');
    expect(dayInTimeZone(instant, 'UTC')).toBe('2026-11-26');
    expect(dayInTimeZone(instant, 'Asia/Tokyo')).toBe('2026-11-27');
    expect(dayInTimeZone(instant, 'America/Los_Angeles')).toBe('2026-11-26');
  });

  it('puts the recent phase at the last 35 days, today included, and the window 25 months back', () => {
    expect(metricsWindow('2026-11-26')).toEqual({
      today: '2026-11-26',
      windowStart: '2024-10-26',
      recentStart: '2026-10-23',
    });
  });
});
