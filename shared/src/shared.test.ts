import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, describeZodError } from './errors';
import { dateRangeSchema, daysInRange } from './dates';
import { newId, idSchema } from './ids';
import { currencySchema, microsToUnits, unitsToMicros } from './money';
import { addTotals, deriveRatios, EMPTY_TOTALS } from './domain/metrics.schema';
import { fail, ok, resultSchema } from './result';

describe('money', () => {
  it('converts units to integer micros without float drift', () => {
    expect(unitsToMicros(19.99)).toBe(19_990_000);
    expect(unitsToMicros(0.1 + 0.2)).toBe(300_000);
    expect(microsToUnits(1_500_000)).toBe(1.5);
  });

  it('accepts only ISO 4217 codes', () => {
    expect(currencySchema.safeParse('EUR').success).toBe(true);
    expect(currencySchema.safeParse('eur').success).toBe(false);
    expect(currencySchema.safeParse('EURO').success).toBe(false);
  });
});

describe('deriveRatios', () => {
  it('computes ROAS, CTR and CPA from totals', () => {
    const ratios = deriveRatios({
      impressions: 10_000,
      clicks: 250,
      spendMicros: 500_000_000,
      conversions: 20,
      revenueMicros: 1_250_000_000,
    });
    expect(ratios).toEqual({ roas: 2.5, ctr: 0.025, cpaMicros: 25_000_000 });
  });

  it('returns null instead of dividing by zero', () => {
    expect(deriveRatios(EMPTY_TOTALS)).toEqual({ roas: null, ctr: null, cpaMicros: null });
  });

  it('adds totals field by field', () => {
    const one = { impressions: 1, clicks: 2, spendMicros: 3, conversions: 4, revenueMicros: 5 };
    expect(addTotals(one, one)).toEqual({
      impressions: 2,
      clicks: 4,
      spendMicros: 6,
      conversions: 8,
      revenueMicros: 10,
    });
  });
});

describe('dateRangeSchema', () => {
  it('accepts an inclusive range and refuses a reversed one', () => {
    expect(dateRangeSchema.safeParse({ from: '2026-01-01', to: '2026-01-01' }).success).toBe(true);
    const reversed = dateRangeSchema.safeParse({ from: '2026-02-01', to: '2026-01-01' });
    expect(reversed.success).toBe(false);
  });

  it('refuses a range longer than ten years, which would stall core', () => {
    expect(dateRangeSchema.safeParse({ from: '2020-01-01', to: '2029-12-31' }).success).toBe(true);
    const huge = dateRangeSchema.safeParse({ from: '0001-01-01', to: '9999-12-31' });
    expect(huge.success).toBe(false);
    if (!huge.success) expect(describeZodError(huge.error)).toMatch(/^to: a range may span at most 3660 days/);
  });

  it('counts both ends of a range', () => {
    expect(daysInRange('2026-01-01', '2026-01-01')).toBe(1);
    expect(daysInRange('2024-02-28', '2024-03-01')).toBe(3);
  });

  it('refuses impossible dates', () => {
    expect(dateRangeSchema.safeParse({ from: '2026-02-30', to: '2026-03-01' }).success).toBe(false);
  });
});

describe('ids', () => {
  it('makes time-ordered UUIDv7 ids', () => {
    const a = newId();
    const b = newId();
    expect(idSchema.safeParse(a).success).toBe(true);
    expect(a[14]).toBe('7');
    expect(a < b).toBe(true);
  });
});

describe('errors and results', () => {
  it('serialises an AppError as code and message only', () => {
    expect(JSON.parse(JSON.stringify(new AppError('NOT_FOUND', 'No such campaign.')))).toEqual({
      code: 'NOT_FOUND',
      message: 'No such campaign.',
    });
  });

  it('names the failing field in validation messages', () => {
    const parsed = z.object({ budget: z.number().int() }).safeParse({ budget: 'ten' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeZodError(parsed.error)).toMatch(/^budget: /);
  });

  it('validates both result envelope shapes', () => {
    const schema = resultSchema(z.number());
    expect(schema.safeParse(ok(3)).success).toBe(true);
    expect(schema.safeParse(fail({ code: 'FORBIDDEN', message: 'Ask an admin.' })).success).toBe(true);
    expect(schema.safeParse({ ok: true, value: 'x' }).success).toBe(false);
  });
});
