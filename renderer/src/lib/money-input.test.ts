import { describe, expect, it } from 'vitest';
import { currencyFractionDigits, microsToInputValue, parseMoneyInput } from './money-input';

describe('parseMoneyInput', () => {
  it('reads whole units, decimals and thousands separators as exact micros', () => {
    expect(parseMoneyInput('1250', 'USD')).toEqual({ ok: true, micros: 1_250_000_000 });
    expect(parseMoneyInput(' 1,250.50 ', 'USD')).toEqual({ ok: true, micros: 1_250_500_000 });
    expect(parseMoneyInput('.5', 'EUR')).toEqual({ ok: true, micros: 500_000 });
    expect(parseMoneyInput('12.', 'EUR')).toEqual({ ok: true, micros: 12_000_000 });
  });

  it('does not drift where floats would (0.29 * 1e6 is 289999.99999999994)', () => {
    expect(parseMoneyInput('0.29', 'USD')).toEqual({ ok: true, micros: 290_000 });
    expect(parseMoneyInput('8123456789.07', 'USD')).toEqual({ ok: true, micros: 8_123_456_789_070_000 });
  });

  it('follows the currency minor units', () => {
    expect(currencyFractionDigits('JPY')).toBe(0);
    expect(parseMoneyInput('5000', 'JPY')).toEqual({ ok: true, micros: 5_000_000_000 });
    expect(parseMoneyInput('50.5', 'JPY')).toEqual({ ok: false, message: 'JPY amounts have no decimals' });
    expect(parseMoneyInput('1.005', 'USD')).toEqual({ ok: false, message: 'USD amounts have at most 2 decimals' });
    expect(parseMoneyInput('1.005', 'BHD')).toEqual({ ok: true, micros: 1_005_000 });
  });

  it('refuses what is not an amount, saying what to type', () => {
    expect(parseMoneyInput('', 'USD')).toMatchObject({ ok: false, message: 'enter an amount' });
    expect(parseMoneyInput('-5', 'USD')).toMatchObject({ ok: false, message: 'a budget cannot be negative' });
    for (const text of ['abc', '1,25', '1.2.3', '.', '1e6', '12,34,567']) {
      expect(parseMoneyInput(text, 'USD'), text).toMatchObject({ ok: false });
    }
    expect(parseMoneyInput('99999999999', 'USD')).toMatchObject({
      ok: false,
      message: 'that amount is implausibly large',
    });
  });
});

describe('microsToInputValue', () => {
  it('writes micros back as text that parses to the same micros', () => {
    expect(microsToInputValue(1_250_000_000, 'USD')).toBe('1250');
    expect(microsToInputValue(1_250_500_000, 'USD')).toBe('1250.50');
    expect(microsToInputValue(290_000, 'USD')).toBe('0.29');
    expect(microsToInputValue(5_000_000_000, 'JPY')).toBe('5000');
    for (const micros of [0, 1_000_000, 290_000, 8_123_456_789_070_000, 12_340_000]) {
      const parsed = parseMoneyInput(microsToInputValue(micros, 'USD'), 'USD');
      expect(parsed).toEqual({ ok: true, micros });
    }
  });
});
