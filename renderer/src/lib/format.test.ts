import { describe, expect, it } from 'vitest';
import {
  formatChange,
  formatCompactMoney,
  formatKpiMoney,
  formatMoney,
  formatPercent,
  formatRoas,
  percentChange,
} from './format';

describe('formatMoney', () => {
  it('formats micros in the currency with its own minor units', () => {
    expect(formatMoney(1_234_560_000, 'USD')).toBe('$1,234.56');
    expect(formatMoney(1_234_560_000, 'EUR', 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney(1_234_560_000, 'JPY')).toBe('¥1,235');
    expect(formatMoney(-5_000_000, 'GBP')).toBe('-£5.00');
  });
  it('drops the minor unit of large headline amounts only', () => {
    expect(formatKpiMoney(9_999_990_000, 'USD')).toBe('$9,999.99');
    expect(formatKpiMoney(21_580_812_600_000, 'EUR')).toBe('€21,580,813');
    expect(formatKpiMoney(-12_345_670_000, 'USD')).toBe('-$12,346');
  });

  it('compacts large amounts for axes', () => {
    expect(formatCompactMoney(1_250_000_000_000, 'USD')).toBe('$1.3M');
    expect(formatCompactMoney(35_000_000_000, 'JPY')).toBe('¥35K');
  });
});

describe('ratios', () => {
  it('formats percentages and ROAS, with a dash for undefined ratios', () => {
    expect(formatPercent(0.01234)).toBe('1.23%');
    expect(formatPercent(null)).toBe('—');
    expect(formatRoas(3.4167)).toBe('3.42×');
    expect(formatRoas(null)).toBe('—');
  });
});

describe('percentChange', () => {
  it('is relative to the previous period', () => {
    expect(percentChange(110, 100)).toBeCloseTo(0.1);
    expect(percentChange(50, 100)).toBeCloseTo(-0.5);
  });
  it('has no value without a base, except no change at all', () => {
    expect(percentChange(10, 0)).toBeNull();
    expect(percentChange(0, 0)).toBe(0);
    expect(percentChange(null, 5)).toBeNull();
  });
  it('formats with an explicit sign', () => {
    expect(formatChange(0.123)).toBe('+12.3%');
    expect(formatChange(-0.04)).toBe('-4.0%');
    expect(formatChange(0)).toBe('0.0%');
    expect(formatChange(null)).toBe('—');
  });
});
