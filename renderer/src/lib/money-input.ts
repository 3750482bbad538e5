import { MICROS_PER_UNIT } from '@kiki/shared/money';

const MICRO_DIGITS = 6;

/** Minor-unit digits of a currency as Intl knows them: USD 2, JPY 0, BHD 3. */
export function currencyFractionDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export type MoneyParse = { ok: true; micros: number } | { ok: false; message: string };

/**
 * Reads an amount typed in units ("1,234.50") as integer micros. Works on the digits as text, never through a
 * float, so "0.29" is exactly 290,000 micros and large budgets do not drift.
 */
export function parseMoneyInput(text: string, currency: string): MoneyParse {
  const cleaned = text.trim().replace(/[\s_]/g, '');
  if (cleaned === '') return { ok: false, message: 'enter an amount' };
  if (cleaned.startsWith('-')) return { ok: false, message: 'a budget cannot be negative' };
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/.exec(cleaned);
  if (match === null || (match[1] === undefined && (match[2] ?? '') === '')) {
    return { ok: false, message: 'enter a number such as 1250 or 1,250.50' };
  }
  const whole = (match[1] ?? '0').replaceAll(',', '');
  const fraction = match[2] ?? '';
  const allowed = currencyFractionDigits(currency);
  if (fraction.length > allowed) {
    return {
      ok: false,
      message:
        allowed === 0
          ? `${currency} amounts have no decimals`
          : `${currency} amounts have at most ${allowed} decimal${allowed === 1 ? '' : 's'}`,
    };
  }
  const micros = Number(`${whole}${fraction.padEnd(MICRO_DIGITS, '0')}`);
  if (!Number.isSafeInteger(micros)) return { ok: false, message: 'that amount is implausibly large' };
  return { ok: true, micros };
}

/** Micros as the plain text an amount field starts with ("1250.5" for 1,250,500,000), no grouping. */
export function microsToInputValue(micros: number, currency: string): string {
  const remainder = micros % MICROS_PER_UNIT;
  const whole = (micros - remainder) / MICROS_PER_UNIT;
  const fraction = String(Math.abs(remainder)).padStart(MICRO_DIGITS, '0').replace(/0+$/, '');
  const minimum = remainder === 0 ? 0 : currencyFractionDigits(currency);
  const digits = fraction.padEnd(minimum, '0');
  return digits === '' ? String(whole) : `${whole}.${digits}`;
}
